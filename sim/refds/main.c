/* build/mlsmig-ref-ds: the reference DS as a shim executable. Reads request
 * frames on stdin, writes one reply frame per request on stdout
 * (docs/shim-protocol.md), logs to stderr. `--mutant NAME` (repeatable)
 * breaks one profile rule, for the runner's mutation score.
 *
 * `--listen unix:PATH|tcp:127.0.0.1:PORT` makes it a service instead: the
 * same frames over each connection it accepts, one thread and one DS per
 * connection (a session from hello to shutdown or the connection's end),
 * as a DS that exposes its test endpoint in-process would
 * (`mlsmig run --iut-connect`). */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <threads.h>
#include <unistd.h>

#include "refds/ref_ds.h"
#include "shim/shim_proto.h"

static bool read_all(int fd, uint8_t *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += (size_t)r;
  }
  return true;
}

static bool write_all(int fd, const uint8_t *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = write(fd, buf + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += (size_t)r;
  }
  return true;
}

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: mlsmig-ref-ds [--mutant NAME]... [--listen unix:PATH|tcp:127.0.0.1:PORT]\n"
          "The reference DS behind the mlsmig shim protocol v%d: frames on stdin\n"
          "and stdout, see docs/shim-protocol.md. Mutants: mlsmig list mutants.\n"
          "  --listen ADDR  serve the frames on every connection to ADDR instead, one\n"
          "                 DS per connection (mlsmig run --iut-connect ADDR); port 0\n"
          "                 picks a free one; prints 'listening on ADDR' once ready\n",
          MM_SHIM_VERSION);
  return rc;
}

/* One session: frames from in, replies to out, until shutdown or EOF.
 * 0 on a clean end. */
static int serve(mm_mutants mutants, int in, int out) {
  mm_refds *d;
  if (mm_refds_new(mutants, &d) != MM_OK) return 1;
  int rc = 0;
  for (bool quit = false; !quit;) {
    uint8_t hdr[MM_SHIM_HEADER_LEN];
    uint32_t len;
    if (!read_all(in, hdr, sizeof hdr)) break; /* EOF: the runner is gone */
    if (mm_shim_frame_len(hdr, MM_SHIM_MAX_FRAME, &len) != MM_OK) {
      fprintf(stderr, "mlsmig-ref-ds: frame too large\n");
      rc = 1;
      break;
    }
    uint8_t *body = malloc(len ? len : 1);
    if (!body || !read_all(in, body, len)) {
      free(body);
      rc = 1;
      break;
    }
    mm_writer w;
    mm_writer_init(&w);
    mm_err e = mm_refds_handle(d, body, len, &w, &quit);
    free(body);
    mm_view v = mm_writer_view(&w);
    bool ok = e == MM_OK && write_all(out, v.data, v.len);
    mm_writer_free(&w);
    if (!ok) {
      fprintf(stderr, "mlsmig-ref-ds: %s\n", e == MM_OK ? "output closed" : mm_err_name(e));
      rc = 1;
      break;
    }
  }
  mm_refds_free(d);
  return rc;
}

/* ---- --listen ---- */

typedef struct conn {
  mm_mutants mutants;
  int fd;
} conn;

static int serve_conn(void *arg) {
  conn c = *(conn *)arg;
  free(arg);
  serve(c.mutants, c.fd, c.fd); /* its end is logged, the service goes on */
  close(c.fd);
  return 0;
}

/* Binds and listens on addr; prints the address (with the port chosen for
 * port 0). -1 with a message on stderr. */
static int listen_on(const char *addr) {
  int fd = -1;
  if (strncmp(addr, "unix:", 5) == 0) {
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    const char *path = addr + 5;
    if (!path[0] || strlen(path) >= sizeof un.sun_path) {
      fprintf(stderr, "mlsmig-ref-ds: --listen %s: path of 1..%zu bytes needed\n", addr,
              sizeof un.sun_path - 1);
      return -1;
    }
    memcpy(un.sun_path, path, strlen(path) + 1);
    struct stat st;
    /* A socket left by a killed predecessor: ours now (a restart). */
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof un) != 0 || listen(fd, 64) != 0) {
      fprintf(stderr, "mlsmig-ref-ds: --listen %s: %s\n", addr, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    printf("listening on %s\n", addr);
  } else if (strncmp(addr, "tcp:", 4) == 0) {
    const char *host = addr + 4, *colon = strrchr(host, ':');
    char h[64];
    unsigned long port = 0;
    char *end = NULL;
    if (colon) port = strtoul(colon + 1, &end, 10);
    size_t hn = colon ? (size_t)(colon - host) : 0;
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (!colon || !colon[1] || !end || *end || port > 65535 || hn == 0 || hn >= sizeof h) {
      fprintf(stderr, "mlsmig-ref-ds: --listen %s: tcp:127.0.0.1:PORT needed\n", addr);
      return -1;
    }
    memcpy(h, host, hn);
    h[hn] = '\0';
    if (strcmp(h, "localhost") == 0) snprintf(h, sizeof h, "127.0.0.1");
    if (inet_pton(AF_INET, h, &in.sin_addr) != 1 || (ntohl(in.sin_addr.s_addr) >> 24) != 127) {
      fprintf(stderr,
              "mlsmig-ref-ds: --listen %s: loopback only (127.0.0.0/8): the shim protocol "
              "has no authentication\n",
              addr);
      return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = sizeof in;
    if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof in) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&in, &len) != 0) {
      fprintf(stderr, "mlsmig-ref-ds: --listen %s: %s\n", addr, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    printf("listening on tcp:%s:%u\n", h, (unsigned)ntohs(in.sin_port));
  } else {
    fprintf(stderr, "mlsmig-ref-ds: --listen takes unix:PATH or tcp:127.0.0.1:PORT, not '%s'\n",
            addr);
    return -1;
  }
  fflush(stdout);
  return fd;
}

static int listen_loop(mm_mutants mutants, const char *addr) {
  struct sigaction sa = {.sa_handler = SIG_IGN};
  sigaction(SIGPIPE, &sa, NULL); /* a runner that hangs up costs its session only */
  int lfd = listen_on(addr);
  if (lfd < 0) return 2;
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        if (errno == EMFILE || errno == ENFILE) usleep(10000);
        continue;
      }
      fprintf(stderr, "mlsmig-ref-ds: accept: %s\n", strerror(errno));
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails on unix: fine */
    conn *c = malloc(sizeof *c);
    thrd_t t;
    if (!c) {
      close(fd);
      continue;
    }
    *c = (conn){mutants, fd};
    if (thrd_create(&t, serve_conn, c) != thrd_success) {
      free(c);
      close(fd);
      continue;
    }
    thrd_detach(t);
  }
}

int main(int argc, char **argv) {
  mm_mutants mutants = 0;
  const char *listen_addr = NULL;
  for (int i = 1; i < argc; i++) {
    mm_mutant m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(stdout, 0);
    if (strcmp(argv[i], "--mutant") == 0 && i + 1 < argc && mm_mutant_by_name(argv[i + 1], &m)) {
      mutants |= 1u << m;
      i++;
      continue;
    }
    if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc && !listen_addr) {
      listen_addr = argv[++i];
      continue;
    }
    fprintf(stderr, "mlsmig-ref-ds: bad argument '%s'\n", argv[i]);
    return usage(stderr, 2);
  }
  if (listen_addr) return listen_loop(mutants, listen_addr);
  return serve(mutants, 0, 1);
}

/* The IUT child process (iut.h): spawn under a supervisor (iut_sup.h),
 * bounded non-blocking I/O with poll(), deadlines, stderr capture, kill
 * and reap. */
#define _GNU_SOURCE /* pipe2(O_CLOEXEC): no fd leaks into IUTs other threads spawn */
#include "runner/iut.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/iut_sup.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"

struct mm_iut {
  mm_sup sup;       /* the IUT's supervisor: exit status, kill, escapes */
  bool sock;        /* a connection to a running IUT (in and out: the socket) */
  unsigned strays;  /* processes the runner killed itself (supervisor gone) */
  int in, out, err; /* our ends: IUT's stdin, stdout, stderr */
  uint32_t max_frame;
  bool timed_out;                      /* the last call ran out of time */
  const volatile sig_atomic_t *cancel; /* set: stop waiting (mm_iut_set_cancel) */
  uint64_t after_bytes;                /* read after the shutdown reply */
  uint8_t after_head[5];               /* their first bytes */
  /* stderr: the first half of the cap as it came, the last half in a ring
   * (a crash message comes last, after however much logging) */
  char errhead[MM_IUT_STDERR_CAP / 2], errtail[MM_IUT_STDERR_CAP / 2];
  size_t errheadlen;
  uint64_t errtotal;                       /* bytes read from stderr */
  char errout[2 * MM_IUT_STDERR_CAP + 64]; /* room for escapes: \xNN is 4 bytes */
  char why[256];
};

static void set_why(mm_iut *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(mm_iut *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->why, sizeof p->why, fmt, ap);
  va_end(ap);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

mm_err mm_iut_start(const char *cmd, uint32_t max_frame, mm_iut **out, char *why, size_t why_len) {
  struct sigaction sa = {0};
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
  *out = NULL;
  mm_iut *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(why, why_len, "runner failure: out of memory");
    return MM_E_NOMEM;
  }
  p->in = p->out = p->err = -1;
  int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1};
  mm_err rc = MM_E_IO;
  if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC))
    snprintf(why, why_len, "runner failure: cannot make pipes: %s", strerror(errno));
  else if (mm_sup_spawn(cmd, in[0], o[1], e[1], &p->sup, why, why_len) == MM_OK)
    rc = MM_OK;
  /* The IUT's ends are the supervisor's now (or nobody's). */
  close_fd(&in[0]);
  close_fd(&o[1]);
  close_fd(&e[1]);
  if (rc != MM_OK) {
    close_fd(&in[1]);
    close_fd(&o[0]);
    close_fd(&e[0]);
    free(p);
    return rc;
  }
  p->in = in[1];
  p->out = o[0];
  p->err = e[0];
  p->max_frame = max_frame;
  set_nonblock(p->in);
  set_nonblock(p->out);
  set_nonblock(p->err);
  *out = p;
  return MM_OK;
}

void mm_iut_set_cancel(mm_iut *p, const volatile sig_atomic_t *cancel) { p->cancel = cancel; }

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps chunk in the head while it has room, the rest in the tail ring. */
static void keep_stderr(mm_iut *p, const char *buf, size_t n) {
  size_t take = sizeof p->errhead - p->errheadlen;
  if (take > n) take = n;
  memcpy(p->errhead + p->errheadlen, buf, take);
  p->errheadlen += take;
  p->errtotal += take;
  buf += take;
  n -= take;
  const size_t cap = sizeof p->errtail;
  if (n > cap) { /* only the last `cap` bytes can survive */
    p->errtotal += n - cap;
    buf += n - cap;
    n = cap;
  }
  for (size_t i = 0; i < n; i++) p->errtail[(p->errtotal - sizeof p->errhead + i) % cap] = buf[i];
  p->errtotal += n;
}

/* At most this much stderr per call: an IUT that writes faster than we read
 * must not keep us here past a deadline, which the callers check between
 * calls (and one that escaped the kill must not keep mm_iut_kill here). */
#define DRAIN_MAX (1u << 20)

/* Reads what stderr has, keeping at most the cap. */
static void drain_stderr(mm_iut *p) {
  char buf[64 * 1024]; /* a whole pipe buffer per read */
  for (size_t done = 0; p->err >= 0 && done < DRAIN_MAX;) {
    ssize_t r = read(p->err, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 || (r < 0 && errno != EAGAIN)) close_fd(&p->err);
    if (r <= 0) return;
    keep_stderr(p, buf, (size_t)r);
    done += (size_t)r;
  }
}

static bool exited(mm_iut *p) {
  mm_sup_poll(&p->sup);
  return p->sup.exited;
}

/* Waits up to ms for the supervisor's exit report. */
static bool await_exit(mm_iut *p, int ms) {
  int64_t end = now_ms() + ms;
  while (!exited(p) && p->sup.rep >= 0) {
    int64_t left = end - now_ms();
    if (left <= 0) break;
    struct pollfd fd = {.fd = p->sup.rep, .events = POLLIN};
    poll(&fd, 1, (int)left);
  }
  return p->sup.exited;
}

/* `closed`: the pipe the IUT closed (stdin when our write failed, stdout
 * when our read did). Usually an exit is on its way: give it a moment, so
 * the report can say how the IUT ended. */
static void explain_exit(mm_iut *p, const char *what, const char *closed) {
  if (p->sock) {
    set_why(p, "%s: the IUT closed the connection%s%s", what, errno ? ": " : "",
            errno ? strerror(errno) : "");
    return;
  }
  await_exit(p, 200);
  if (p->sup.exited && WIFEXITED(p->sup.status))
    set_why(p, "%s: IUT exited with status %d", what, WEXITSTATUS(p->sup.status));
  else if (p->sup.exited && WIFSIGNALED(p->sup.status))
    set_why(p, "%s: IUT killed by signal %d", what, WTERMSIG(p->sup.status));
  else
    set_why(p, "%s: IUT closed its %s", what, closed);
}

static bool cancelled(const mm_iut *p) { return p->cancel && *p->cancel; }

/* One poll round over the fds still wanted, bounded by the deadline.
 * Returns false on timeout (p->timed_out) or cancellation. */
static bool wait_io(mm_iut *p, bool want_write, bool want_read, int64_t deadline) {
  struct pollfd fds[3];
  nfds_t n = 0;
  if (want_write && p->in >= 0) fds[n++] = (struct pollfd){.fd = p->in, .events = POLLOUT};
  if (want_read && p->out >= 0) fds[n++] = (struct pollfd){.fd = p->out, .events = POLLIN};
  if (p->err >= 0) fds[n++] = (struct pollfd){.fd = p->err, .events = POLLIN};
  if (cancelled(p)) return false;
  int64_t left = deadline - now_ms();
  if (left <= 0) {
    p->timed_out = true;
    return false;
  }
  /* short rounds: a cancellation is seen within 200 ms */
  int r = poll(fds, n, left > 200 ? 200 : (int)left);
  if (r < 0 && errno != EINTR) return false;
  drain_stderr(p);
  return true;
}

static void why_wait(mm_iut *p, const char *what) {
  if (cancelled(p))
    set_why(p, "interrupted (%s)", what);
  else
    set_why(p, "timeout (%s)", what);
}

static MM_MUST_USE mm_err send_all(mm_iut *p, const uint8_t *buf, size_t len, int64_t deadline) {
  size_t done = 0;
  while (done < len) {
    ssize_t r = write(p->in, buf + done, len - done);
    if (r > 0) {
      done += (size_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno != EAGAIN) {
      explain_exit(p, "writing a request", "stdin");
      return MM_E_IO;
    }
    if (!wait_io(p, true, false, deadline)) {
      why_wait(p, "writing a request: the IUT does not read its stdin");
      return MM_E_IO;
    }
  }
  return MM_OK;
}

/* Reads exactly n bytes (never more: what follows belongs to no request). */
static MM_MUST_USE mm_err recv_exact(mm_iut *p, uint8_t *buf, size_t n, int64_t deadline,
                                     const char *what) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(p->out, buf + got, n - got);
    if (r > 0) {
      got += (size_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) errno = 0; /* an orderly close, no error */
    if (r == 0 || errno != EAGAIN) {
      drain_stderr(p);
      explain_exit(p, what, "stdout");
      return MM_E_IO;
    }
    if (!wait_io(p, false, true, deadline)) {
      why_wait(p, what);
      return MM_E_IO;
    }
  }
  return MM_OK;
}

/* What the first bytes of a frame say: "a frame of type output (12 bytes)". */
static void describe_frame(char *out, size_t cap, const uint8_t *b, size_t n) {
  if (n >= MM_SHIM_HEADER_LEN + 1) {
    uint32_t len = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    snprintf(out, cap, "a frame of type %s (%lu bytes)", mm_shim_type_name(b[4]),
             (unsigned long)len);
  } else {
    snprintf(out, cap, "%zu byte%s", n, n == 1 ? "" : "s");
  }
}

bool mm_iut_pending(mm_iut *p, char *what, size_t cap) {
  if (p->out < 0) return false;
  struct pollfd fd = {.fd = p->out, .events = POLLIN};
  if (poll(&fd, 1, 0) != 1 || !(fd.revents & POLLIN)) return false;
  /* Read, not peeked: the test is over for a shim that did this. */
  uint8_t head[5];
  ssize_t r = read(p->out, head, sizeof head);
  if (r <= 0) return false; /* EOF: the next read says how it ended */
  describe_frame(what, cap, head, (size_t)r);
  return true;
}

mm_err mm_iut_call(mm_iut *p, const uint8_t *frame, size_t len, int timeout_ms, uint8_t **body,
                   size_t *body_len) {
  *body = NULL;
  *body_len = 0;
  p->timed_out = false;
  if (p->in < 0 || p->out < 0) {
    set_why(p, "IUT is not running");
    return MM_E_IO;
  }
  char pending[96];
  if (mm_iut_pending(p, pending, sizeof pending)) {
    set_why(p, "unsolicited bytes before the request: %s, a reply nobody asked for", pending);
    return MM_E_IO;
  }
  int64_t deadline = now_ms() + timeout_ms;
  uint8_t hdr[MM_SHIM_HEADER_LEN];
  uint32_t n;
  mm_err e = send_all(p, frame, len, deadline);
  if (e == MM_OK) e = recv_exact(p, hdr, sizeof hdr, deadline, "waiting for a reply");
  if (e != MM_OK) return e;
  if (mm_shim_frame_len(hdr, p->max_frame, &n) != MM_OK) {
    /* Refused before allocating: a garbage length costs nothing. */
    set_why(p, "reply frame claims %lu bytes (limit %lu): refused", (unsigned long)n,
            (unsigned long)p->max_frame);
    return MM_E_IO;
  }
  uint8_t *b = malloc(n ? n : 1);
  if (!b) {
    set_why(p, "out of memory for a reply of %lu bytes", (unsigned long)n);
    return MM_E_NOMEM;
  }
  e = recv_exact(p, b, n, deadline, "reading a reply body");
  if (e != MM_OK) {
    free(b);
    return e;
  }
  *body = b;
  *body_len = n;
  return MM_OK;
}

const char *mm_iut_why(const mm_iut *p) { return p->why; }

bool mm_iut_timed_out(const mm_iut *p) { return p->timed_out; }

/* One byte as the four characters \xNN. */
static size_t put_escape(char *out, unsigned char b) {
  static const char hex[] = "0123456789abcdef";
  out[0] = '\\';
  out[1] = 'x';
  out[2] = hex[b >> 4];
  out[3] = hex[b & 15];
  return 4;
}

size_t mm_iut_text(char *out, size_t cap, size_t at, const void *bytes, size_t n) {
  const unsigned char *b = bytes;
  for (size_t i = 0; i < n && at + 1 < cap;) {
    const unsigned char *u = b + i;
    size_t len = u[0] < 0x80             ? 1
                 : (u[0] & 0xe0) == 0xc0 ? 2
                 : (u[0] & 0xf0) == 0xe0 ? 3
                 : (u[0] & 0xf8) == 0xf0 ? 4
                                         : 0;
    bool ok = len > 0 && len <= n - i && u[0] != 0 && u[0] != 0xc0 && u[0] != 0xc1 && u[0] < 0xf5;
    for (size_t k = 1; ok && k < len; k++) ok = (u[k] & 0xc0) == 0x80;
    if (ok && len == 3) /* no overlong forms, no surrogates */
      ok = !(u[0] == 0xe0 && u[1] < 0xa0) && !(u[0] == 0xed && u[1] >= 0xa0);
    if (ok && len == 4) ok = !(u[0] == 0xf0 && u[1] < 0x90) && !(u[0] == 0xf4 && u[1] >= 0x90);
    size_t w = ok ? len : 4;  /* what it takes in out */
    if (at + w >= cap) break; /* never half a character or escape */
    if (ok)
      memcpy(out + at, u, len);
    else
      put_escape(out + at, u[0]);
    at += w;
    i += ok ? len : 1;
  }
  if (cap) out[at < cap ? at : cap - 1] = '\0';
  return at;
}

const char *mm_iut_stderr(mm_iut *p) {
  drain_stderr(p);
  const size_t cap = sizeof p->errtail;
  uint64_t tail = p->errtotal - p->errheadlen;
  const size_t out = sizeof p->errout;
  /* The head's text takes at most half: the tail (a crash message) stays. */
  size_t n = mm_iut_text(p->errout, MM_IUT_STDERR_CAP, 0, p->errhead, p->errheadlen);
  if (tail > cap)
    n += (size_t)snprintf(p->errout + n, sizeof p->errout - n, "\n[... %llu bytes dropped ...]\n",
                          (unsigned long long)(tail - cap));
  /* The ring from its oldest byte; unwrapped while the tail is short. */
  size_t start = tail > cap ? (size_t)(tail % cap) : 0, len = tail > cap ? cap : (size_t)tail;
  n = mm_iut_text(p->errout, out, n, p->errtail + start, len < cap - start ? len : cap - start);
  if (len > cap - start) mm_iut_text(p->errout, out, n, p->errtail, len - (cap - start));
  return p->errout;
}

void mm_iut_kill(mm_iut *p) {
  /* The supervisor kills the IUT's process group, then every descendant
   * that left it, and reaps them all before it exits. */
  p->strays += mm_sup_end(&p->sup);
  drain_stderr(p);
  close_fd(&p->in);
  close_fd(&p->out);
  close_fd(&p->err);
}

void mm_iut_stop(mm_iut *p, int timeout_ms) {
  if (p->sock && p->in >= 0) shutdown(p->in, SHUT_WR); /* the other fd shares the socket */
  close_fd(&p->in); /* EOF: a well-behaved shim exits (closes the connection) */
  int64_t deadline = now_ms() + timeout_ms;
  /* Its stdout closes when it exits: wait for that rather than sleeping.
   * Whatever comes before is a reply nobody asked for. */
  uint8_t scrap[4096];
  while (p->out >= 0 && now_ms() < deadline && !cancelled(p)) {
    ssize_t r = read(p->out, scrap, sizeof scrap);
    if (r > 0) {
      for (ssize_t i = 0; i < r && p->after_bytes + (uint64_t)i < sizeof p->after_head; i++)
        p->after_head[p->after_bytes + (uint64_t)i] = scrap[i];
      p->after_bytes += (uint64_t)r;
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      close_fd(&p->out);
    } else if (!wait_io(p, false, true, deadline)) {
      break;
    }
  }
  int64_t left = deadline - now_ms();
  if (left > 0 && !cancelled(p)) await_exit(p, (int)left);
  mm_iut_kill(p);
}

bool mm_iut_after_shutdown(const mm_iut *p, char *what, size_t cap) {
  if (!p->after_bytes) return false;
  char head[96];
  describe_frame(
      head, sizeof head, p->after_head,
      p->after_bytes < sizeof p->after_head ? (size_t)p->after_bytes : sizeof p->after_head);
  snprintf(what, cap, "%llu bytes (%s)", (unsigned long long)p->after_bytes, head);
  return true;
}

unsigned mm_iut_escaped(const mm_iut *p) { return p->sup.escaped + p->strays; }

bool mm_iut_running(mm_iut *p) {
  if (p->sock) return p->in >= 0 && p->out >= 0;
  return !exited(p) && !p->sup.reaped;
}

bool mm_iut_is_socket(const mm_iut *p) { return p->sock; }

/* ---- a running IUT, over a socket ---- */

/* "localhost", 127.0.0.0/8 and ::1 (bracketed or not). */
static bool loopback_host(const char *h, size_t n, struct sockaddr_storage *ss, socklen_t *len,
                          uint16_t port) {
  char host[64];
  if (n == 0 || n >= sizeof host) return false;
  memcpy(host, h, n);
  host[n] = '\0';
  if (host[0] == '[' && host[n - 1] == ']') {
    memmove(host, host + 1, n - 2);
    host[n - 2] = '\0';
  }
  if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
  struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  memset(ss, 0, sizeof *ss);
  if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
    if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127) return false;
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    *len = sizeof *in4;
    return true;
  }
  if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return false;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    *len = sizeof *in6;
    return true;
  }
  return false;
}

/* Parses addr into a socket address; false with a reason in why. */
static bool parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len, char *why,
                       size_t why_len) {
  if (strncmp(addr, "unix:", 5) == 0) {
    const char *path = addr + 5;
    struct sockaddr_un *un = (struct sockaddr_un *)ss;
    if (!path[0] || strlen(path) >= sizeof un->sun_path) {
      snprintf(why, why_len, "'%s': a unix socket path of 1..%zu bytes is needed", addr,
               sizeof un->sun_path - 1);
      return false;
    }
    memset(ss, 0, sizeof *ss);
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, strlen(path) + 1);
    *len = (socklen_t)sizeof *un;
    return true;
  }
  if (strncmp(addr, "tcp:", 4) == 0) {
    const char *host = addr + 4, *colon = strrchr(host, ':');
    unsigned long port = 0;
    char *end = NULL;
    if (colon) port = strtoul(colon + 1, &end, 10);
    if (!colon || !colon[1] || !end || *end || port < 1 || port > 65535 || colon[1] == '-' ||
        colon[1] == '+') {
      snprintf(why, why_len, "'%s': tcp:HOST:PORT with a port of 1..65535 is needed", addr);
      return false;
    }
    if (!loopback_host(host, (size_t)(colon - host), ss, len, (uint16_t)port)) {
      snprintf(why, why_len,
               "'%s': only a loopback host (127.0.0.1, ::1, localhost) is allowed: the shim "
               "protocol has no authentication",
               addr);
      return false;
    }
    return true;
  }
  snprintf(why, why_len, "'%s': unix:PATH or tcp:127.0.0.1:PORT is needed", addr);
  return false;
}

bool mm_run_addr_check(const char *addr, char *why, size_t why_len) {
  struct sockaddr_storage ss;
  socklen_t len;
  return parse_addr(addr, &ss, &len, why, why_len);
}

mm_err mm_iut_connect(const char *addr, uint32_t max_frame, int timeout_ms,
                      const volatile sig_atomic_t *cancel, mm_iut **out, char *why,
                      size_t why_len) {
  struct sigaction sa = {0};
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL); /* send() has MSG_NOSIGNAL, write() not */
  *out = NULL;
  struct sockaddr_storage ss;
  socklen_t slen;
  char bad[256];
  if (!parse_addr(addr, &ss, &slen, bad, sizeof bad)) {
    snprintf(why, why_len, "cannot connect: %s", bad);
    return MM_E_IO;
  }
  mm_iut *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(why, why_len, "runner failure: out of memory");
    return MM_E_NOMEM;
  }
  p->sup = (mm_sup){.pid = -1, .ctl = -1, .rep = -1};
  p->in = p->out = p->err = -1;
  p->sock = true;
  p->max_frame = max_frame;
  p->cancel = cancel;
  int64_t deadline = now_ms() + timeout_ms;
  int fd = -1, err = 0;
  unsigned tries = 0;
  /* A service that is (re)starting refuses for a while, or has no socket
   * file yet: try again every 10 ms until the deadline. */
  for (;;) {
    tries++;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      snprintf(why, why_len, "runner failure: cannot make a socket: %s", strerror(errno));
      free(p);
      return MM_E_IO;
    }
    /* Non-blocking: a service whose backlog is full (or a TCP handshake
     * that does not come) must not keep us past the deadline. */
    set_nonblock(fd);
    int r = connect(fd, (struct sockaddr *)&ss, slen);
    err = r == 0 ? 0 : errno;
    if (r != 0 && err == EINPROGRESS) {
      struct pollfd pf = {.fd = fd, .events = POLLOUT};
      int64_t left = deadline - now_ms();
      socklen_t elen = sizeof err;
      if (left > 0 && poll(&pf, 1, (int)left) == 1 &&
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0) {
      } else {
        err = ETIMEDOUT;
      }
    }
    if (err == 0) break;
    close(fd);
    fd = -1;
    bool again = err == ECONNREFUSED || err == ENOENT || err == EAGAIN || err == EINTR;
    if (!again || now_ms() + 10 > deadline || (cancel && *cancel)) break;
    struct timespec t = {0, 10 * 1000000L};
    nanosleep(&t, NULL);
  }
  if (fd < 0) {
    snprintf(why, why_len, "cannot connect to %s: %s (%u attempt%s in %d ms)", addr, strerror(err),
             tries, tries == 1 ? "" : "s", timeout_ms);
    free(p);
    return MM_E_IO;
  }
  if (ss.ss_family != AF_UNIX) {
    int one = 1; /* one small frame per request: no Nagle delay */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  p->in = fd; /* non-blocking already */
  p->out = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (p->out < 0) {
    snprintf(why, why_len, "runner failure: cannot duplicate a socket: %s", strerror(errno));
    close(fd);
    free(p);
    return MM_E_IO;
  }
  *out = p;
  return MM_OK;
}

void mm_iut_free(mm_iut *p) {
  if (!p) return;
  mm_iut_kill(p);
  free(p);
}

mm_err mm_iut_await_gone(const char *addr, int timeout_ms, char *why, size_t why_len) {
  struct sockaddr_storage ss;
  socklen_t slen;
  if (!parse_addr(addr, &ss, &slen, why, why_len)) return MM_E_IO;
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      snprintf(why, why_len, "runner failure: cannot make a socket: %s", strerror(errno));
      return MM_E_IO;
    }
    int r = connect(fd, (struct sockaddr *)&ss, slen), err = errno;
    close(fd);
    if (r != 0 && err != EINTR && err != EAGAIN) return MM_OK; /* refused, no file: gone */
    if (now_ms() >= deadline) break;
    struct timespec t = {0, 10 * 1000000L};
    nanosleep(&t, NULL);
  }
  snprintf(why, why_len, "%s still accepts connections %d ms after it was killed", addr,
           timeout_ms);
  return MM_E_IO;
}

/* ---- the service's hooks ---- */

extern char **environ;

mm_err mm_iut_hook(const char *what, const char *cmd, int timeout_ms,
                   const volatile sig_atomic_t *cancel, char *why, size_t why_len) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  if (posix_spawn_file_actions_init(&fa) != 0) {
    snprintf(why, why_len, "runner failure: %s: out of memory", what);
    return MM_E_NOMEM;
  }
  posix_spawnattr_init(&at);
  /* stdin empty, stdout to the runner's stderr (its stdout may be a
   * report), its own process group (a hung hook is killed whole) */
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);
  posix_spawnattr_setpgroup(&at, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (rc != 0) {
    snprintf(why, why_len, "runner failure: %s: cannot start /bin/sh: %s", what, strerror(rc));
    return MM_E_IO;
  }
  int64_t deadline = now_ms() + timeout_ms;
  int st = 0;
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      snprintf(why, why_len, "runner failure: %s: waitpid: %s", what, strerror(errno));
      return MM_E_IO;
    }
    bool late = now_ms() >= deadline, stop = cancel && *cancel;
    if (late || stop) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
      snprintf(why, why_len, "%s '%s' %s", what, cmd,
               stop ? "interrupted" : "did not finish in time: killed");
      if (late) snprintf(why + strlen(why), why_len - strlen(why), " after %d ms", timeout_ms);
      return MM_E_IO;
    }
    struct timespec t = {0, 5 * 1000000L};
    nanosleep(&t, NULL);
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return MM_OK;
  if (WIFEXITED(st))
    snprintf(why, why_len, "%s '%s' exited with status %d", what, cmd, WEXITSTATUS(st));
  else
    snprintf(why, why_len, "%s '%s' was killed by signal %d", what, cmd,
             WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return MM_E_IO;
}

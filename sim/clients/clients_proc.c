/* The client child process (clients_proc.h): spawn, non-blocking I/O with
 * poll() and deadlines, a bounded stderr ring, kill and reap. */
#define _GNU_SOURCE /* pipe2(O_CLOEXEC): no fd leaks into other children */
#include "clients/clients_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim/shim_proto.h"

struct mm_proc {
  pid_t pid;
  bool reaped, killed;
  int status;
  int in, out, err; /* our ends of the child's stdin, stdout, stderr */
  uint32_t max_frame;
  char ring[MM_PROC_STDERR_CAP];
  uint64_t errtotal;
  char errout[MM_PROC_STDERR_CAP + 1];
  char why[256];
};

static void set_why(mm_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(mm_proc *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->why, sizeof p->why, fmt, ap);
  va_end(ap);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

mm_err mm_proc_start(const char *cmd, uint32_t max_frame, mm_proc **out, char *why,
                     size_t why_len) {
  struct sigaction sa = {0};
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
  *out = NULL;
  mm_proc *p = calloc(1, sizeof *p);
  int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1};
  if (!p) {
    snprintf(why, why_len, "out of memory");
    return MM_E_NOMEM;
  }
  if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
    snprintf(why, why_len, "cannot make pipes: %s", strerror(errno));
    goto fail;
  }
  p->pid = fork();
  if (p->pid < 0) {
    snprintf(why, why_len, "cannot fork: %s", strerror(errno));
    goto fail;
  }
  if (p->pid == 0) { /* child: only async-signal-safe calls until exec */
    setpgid(0, 0);
    if (dup2(in[0], 0) < 0 || dup2(o[1], 1) < 0 || dup2(e[1], 2) < 0) _exit(127);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(p->pid, p->pid); /* also here: whichever runs first */
  close(in[0]);
  close(o[1]);
  close(e[1]);
  p->in = in[1];
  p->out = o[0];
  p->err = e[0];
  p->max_frame = max_frame;
  fcntl(p->in, F_SETFL, fcntl(p->in, F_GETFL) | O_NONBLOCK);
  fcntl(p->out, F_SETFL, fcntl(p->out, F_GETFL) | O_NONBLOCK);
  fcntl(p->err, F_SETFL, fcntl(p->err, F_GETFL) | O_NONBLOCK);
  *out = p;
  return MM_OK;
fail:
  for (int i = 0; i < 2; i++) {
    if (in[i] >= 0) close(in[i]);
    if (o[i] >= 0) close(o[i]);
    if (e[i] >= 0) close(e[i]);
  }
  free(p);
  return MM_E_IO;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what stderr has into the ring, at most 1 MiB per call so that a
 * child that writes faster than we read cannot keep us past a deadline. */
static void drain_stderr(mm_proc *p) {
  char buf[16384];
  for (size_t done = 0; p->err >= 0 && done < (1u << 20);) {
    ssize_t r = read(p->err, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 || (r < 0 && errno != EAGAIN)) close_fd(&p->err);
    if (r <= 0) return;
    for (ssize_t i = 0; i < r; i++) p->ring[(p->errtotal + (uint64_t)i) % sizeof p->ring] = buf[i];
    p->errtotal += (uint64_t)r;
    done += (size_t)r;
  }
}

static void reap(mm_proc *p, bool block) {
  if (p->reaped || p->pid <= 0) return;
  if (waitpid(p->pid, &p->status, block ? 0 : WNOHANG) == p->pid) p->reaped = true;
}

static void explain_exit(mm_proc *p, const char *what) {
  /* A closed pipe usually means an exit on its way: give it a moment. */
  for (int i = 0; i < 50 && !p->reaped; i++) {
    reap(p, false);
    if (!p->reaped) nanosleep(&(struct timespec){0, 4000000}, NULL);
  }
  if (p->reaped && WIFEXITED(p->status))
    set_why(p, "%s: the client process exited with status %d", what, WEXITSTATUS(p->status));
  else if (p->reaped && WIFSIGNALED(p->status))
    set_why(p, "%s: the client process was killed by signal %d", what, WTERMSIG(p->status));
  else
    set_why(p, "%s: the client process closed its stdout", what);
}

/* One poll round, bounded by the deadline; false on timeout. */
static bool wait_io(mm_proc *p, bool want_write, bool want_read, int64_t deadline) {
  struct pollfd fds[3];
  nfds_t n = 0;
  if (want_write && p->in >= 0) fds[n++] = (struct pollfd){.fd = p->in, .events = POLLOUT};
  if (want_read && p->out >= 0) fds[n++] = (struct pollfd){.fd = p->out, .events = POLLIN};
  if (p->err >= 0) fds[n++] = (struct pollfd){.fd = p->err, .events = POLLIN};
  int64_t left = deadline - now_ms();
  if (left <= 0) return false;
  int r = poll(fds, n, left > 1000 ? 1000 : (int)left);
  if (r < 0 && errno != EINTR) return false;
  drain_stderr(p);
  return true;
}

static mm_err send_all(mm_proc *p, const uint8_t *buf, size_t len, int64_t deadline) {
  for (size_t done = 0; done < len;) {
    ssize_t r = write(p->in, buf + done, len - done);
    if (r > 0) {
      done += (size_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno != EAGAIN) {
      explain_exit(p, "writing a request");
      return MM_E_IO;
    }
    if (!wait_io(p, true, false, deadline)) {
      set_why(p, "timeout writing a request (the client process does not read stdin)");
      return MM_E_IO;
    }
  }
  return MM_OK;
}

/* Reads exactly n bytes (never more: what follows belongs to no request). */
static mm_err recv_exact(mm_proc *p, uint8_t *buf, size_t n, int64_t deadline, const char *what) {
  for (size_t got = 0; got < n;) {
    ssize_t r = read(p->out, buf + got, n - got);
    if (r > 0) {
      got += (size_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 || errno != EAGAIN) {
      drain_stderr(p);
      explain_exit(p, what);
      return MM_E_IO;
    }
    if (!wait_io(p, false, true, deadline)) {
      set_why(p, "timeout (%s)", what);
      return MM_E_IO;
    }
  }
  return MM_OK;
}

mm_err mm_proc_call(mm_proc *p, const uint8_t *frame, size_t len, int timeout_ms, uint8_t **body,
                    size_t *body_len) {
  *body = NULL;
  *body_len = 0;
  if (p->in < 0 || p->out < 0) {
    set_why(p, "the client process is not running");
    return MM_E_IO;
  }
  uint8_t extra;
  if (read(p->out, &extra, 1) > 0) {
    set_why(p, "the client process wrote bytes nobody asked for (more than one reply per request)");
    return MM_E_IO;
  }
  int64_t deadline = now_ms() + timeout_ms;
  uint8_t hdr[MM_SHIM_HEADER_LEN];
  uint32_t n = 0;
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
  if (!b) return MM_E_NOMEM;
  e = recv_exact(p, b, n, deadline, "reading a reply body");
  if (e != MM_OK) {
    free(b);
    return e;
  }
  *body = b;
  *body_len = n;
  return MM_OK;
}

const char *mm_proc_why(const mm_proc *p) { return p->why; }

const char *mm_proc_stderr(mm_proc *p) {
  drain_stderr(p);
  const size_t cap = sizeof p->ring;
  size_t len = p->errtotal < cap ? (size_t)p->errtotal : cap;
  size_t start = p->errtotal < cap ? 0 : (size_t)(p->errtotal % cap);
  for (size_t i = 0; i < len; i++) {
    char c = p->ring[(start + i) % cap];
    p->errout[i] = c ? c : '?';
  }
  p->errout[len] = '\0';
  return p->errout;
}

static void kill_group(mm_proc *p) {
  if (p->pid > 0 && !p->killed) {
    kill(-p->pid, SIGKILL); /* the shell and whatever the command started */
    p->killed = true;
  }
  if (!p->reaped && p->pid > 0) {
    kill(p->pid, SIGKILL);
    reap(p, true);
  }
  drain_stderr(p);
  close_fd(&p->in);
  close_fd(&p->out);
  close_fd(&p->err);
}

void mm_proc_stop(mm_proc *p, int timeout_ms) {
  close_fd(&p->in); /* end of input: a well-behaved client exits */
  int64_t deadline = now_ms() + timeout_ms;
  uint8_t scrap[256];
  while (p->out >= 0 && now_ms() < deadline) {
    ssize_t r = read(p->out, scrap, sizeof scrap);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
      close_fd(&p->out);
    else if (r < 0 && !wait_io(p, false, true, deadline))
      break;
  }
  while (!p->reaped && now_ms() < deadline) {
    reap(p, false);
    if (!p->reaped) nanosleep(&(struct timespec){0, 500000}, NULL);
  }
  kill_group(p);
}

void mm_proc_free(mm_proc *p) {
  if (!p) return;
  kill_group(p);
  free(p);
}

/* The IUT child process (iut.h): spawn, bounded non-blocking I/O with
 * poll(), deadlines, stderr capture, kill and reap. */
#define _GNU_SOURCE /* pipe2(O_CLOEXEC): no fd leaks into IUTs other threads spawn */
#include "runner/iut.h"

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

struct mm_iut {
  pid_t pid;
  bool reaped, group_killed;
  int status;
  int in, out, err; /* our ends: IUT's stdin, stdout, stderr */
  uint32_t max_frame;
  /* stderr: the first half of the cap as it came, the last half in a ring
   * (a crash message comes last, after however much logging) */
  char errhead[MM_IUT_STDERR_CAP / 2], errtail[MM_IUT_STDERR_CAP / 2];
  size_t errheadlen;
  uint64_t errtotal; /* bytes read from stderr */
  char errout[MM_IUT_STDERR_CAP + 64];
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

mm_err mm_iut_start(const char *cmd, uint32_t max_frame, mm_iut **out, char *why, size_t why_len) {
  struct sigaction sa = {0};
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
  mm_iut *p = calloc(1, sizeof *p);
  int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1};
  if (!p || pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
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

static void reap(mm_iut *p, bool block) {
  if (p->reaped || p->pid <= 0) return;
  pid_t r = waitpid(p->pid, &p->status, block ? 0 : WNOHANG);
  if (r == p->pid) p->reaped = true;
}

static void explain_exit(mm_iut *p, const char *what) {
  /* A closed stdout usually means an exit on its way: give it a moment, so
   * the report can say how the IUT ended. */
  for (int i = 0; i < 50 && !p->reaped; i++) {
    reap(p, false);
    if (!p->reaped) nanosleep(&(struct timespec){0, 4000000}, NULL);
  }
  if (p->reaped && WIFEXITED(p->status))
    set_why(p, "%s: IUT exited with status %d", what, WEXITSTATUS(p->status));
  else if (p->reaped && WIFSIGNALED(p->status))
    set_why(p, "%s: IUT killed by signal %d", what, WTERMSIG(p->status));
  else
    set_why(p, "%s: IUT closed its stdout", what);
}

/* One poll round over the fds still wanted, bounded by the deadline.
 * Returns false on timeout. */
static bool wait_io(mm_iut *p, bool want_write, bool want_read, int64_t deadline) {
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
      explain_exit(p, "writing a request");
      return MM_E_IO;
    }
    if (!wait_io(p, true, false, deadline)) {
      set_why(p, "timeout writing a request (IUT does not read stdin)");
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

mm_err mm_iut_call(mm_iut *p, const uint8_t *frame, size_t len, int timeout_ms, uint8_t **body,
                   size_t *body_len) {
  *body = NULL;
  *body_len = 0;
  if (p->in < 0 || p->out < 0) {
    set_why(p, "IUT is not running");
    return MM_E_IO;
  }
  uint8_t extra;
  ssize_t r = read(p->out, &extra, 1);
  if (r > 0) {
    set_why(p, "IUT wrote bytes nobody asked for (more than one reply per request)");
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

const char *mm_iut_why(const mm_iut *p) { return p->why; }

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
    if (!ok) len = 1;
    if (at + len >= cap) break; /* never half a character */
    if (ok)
      memcpy(out + at, u, len);
    else
      out[at] = '?';
    at += len;
    i += len;
  }
  if (cap) out[at < cap ? at : cap - 1] = '\0';
  return at;
}

const char *mm_iut_stderr(mm_iut *p) {
  drain_stderr(p);
  const size_t cap = sizeof p->errtail;
  uint64_t tail = p->errtotal - p->errheadlen;
  const size_t out = sizeof p->errout;
  size_t n = mm_iut_text(p->errout, out, 0, p->errhead, p->errheadlen);
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
  if (p->pid > 0 && !p->group_killed) {
    /* The whole group: the shell and whatever the command started. */
    kill(-p->pid, SIGKILL);
    p->group_killed = true;
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

void mm_iut_stop(mm_iut *p, int timeout_ms) {
  close_fd(&p->in); /* EOF: a well-behaved shim exits */
  int64_t deadline = now_ms() + timeout_ms;
  /* Its stdout closes when it exits: wait for that rather than sleeping. */
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
  mm_iut_kill(p);
}

bool mm_iut_running(mm_iut *p) {
  reap(p, false);
  return p->pid > 0 && !p->reaped;
}

void mm_iut_free(mm_iut *p) {
  if (!p) return;
  mm_iut_kill(p);
  free(p);
}

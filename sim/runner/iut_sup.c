/* The IUT's supervisor and the runner's reaper (iut_sup.h). Everything the
 * supervisor runs is a system call or a few lines of plain C on the stack:
 * it is a fork of a multithreaded process that never execs. */
#define _GNU_SOURCE /* pipe2, signalfd, prctl, close_range */
#include "runner/iut_sup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

/* ---- /proc, read without allocating ---- */

struct raw_dirent { /* what getdents64 returns */
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

static bool parse_pid(const char *s, pid_t *out) {
  long v = 0;
  if (!*s) return false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 100000000) return false;
    v = v * 10 + (*s - '0');
  }
  *out = (pid_t)v;
  return v > 0;
}

/* Reads the state, parent and process group of pid from /proc/PID/stat
 * ("pid (comm) S ppid pgrp ..."; comm may hold spaces and parentheses). */
static bool proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp) {
  char path[32] = "/proc/", digits[12];
  size_t n = 0, k = 6;
  for (pid_t v = pid; v > 0 && n < sizeof digits; v /= 10) digits[n++] = (char)('0' + v % 10);
  while (n) path[k++] = digits[--n];
  memcpy(path + k, "/stat", 6);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return false;
  buf[r] = '\0';
  char *p = NULL;
  for (char *q = buf; *q; q++)
    if (*q == ')') p = q;
  if (!p || p[1] != ' ' || !p[2] || p[3] != ' ') return false;
  *state = p[2];
  long f[2] = {0, 0};
  p += 4;
  for (int i = 0; i < 2; i++) {
    bool neg = *p == '-';
    if (neg) p++;
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') f[i] = f[i] * 10 + (*p++ - '0');
    if (neg) f[i] = -f[i];
    if (*p++ != ' ') return false;
  }
  *ppid = (pid_t)f[0];
  *pgrp = (pid_t)f[1];
  return true;
}

typedef void (*child_fn)(pid_t pid, char state, pid_t pgrp, void *ctx);

/* Calls fn for every child of parent (found by scanning /proc: the
 * per-task `children` files are not in every kernel). Returns how many,
 * -1 when /proc cannot be read. */
static int for_each_child(pid_t parent, child_fn fn, void *ctx) {
  int d = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return -1;
  _Alignas(8) char buf[8192];
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, d, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      struct raw_dirent *e = (struct raw_dirent *)(buf + off);
      off += e->reclen;
      pid_t pid, pp, pg;
      char st;
      if (!parse_pid(e->name, &pid) || !proc_stat(pid, &st, &pp, &pg) || pp != parent) continue;
      count++;
      fn(pid, st, pg, ctx);
    }
  }
  close(d);
  return count;
}

static void nap_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) < 0 && errno == EINTR) {
  }
}

/* ---- the supervisor (a fork of the runner; never returns) ---- */

enum { REC_EXIT = 1, REC_DONE = 2 };
typedef struct sup_rec {
  int32_t kind, value;
} sup_rec;

static void report(int fd, int32_t kind, int32_t value) {
  sup_rec r = {kind, value};
  while (write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

static void close_range_of(unsigned lo, unsigned hi) {
  if (lo > hi) return;
#ifdef SYS_close_range
  if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
#endif
  struct rlimit rl; /* older kernels: one by one */
  unsigned top =
      getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
  for (unsigned fd = lo; fd <= hi && fd < top; fd++) close((int)fd);
}

/* Closes every descriptor from 3 up but those in keep: the runner's other
 * pipes (other tests' IUTs, other supervisors' control pipes) must not stay
 * open here, or their EOFs would never come. */
static void close_others(int *keep, int n) {
  for (int i = 1; i < n; i++) /* insertion sort: a handful of fds */
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  unsigned lo = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] < (int)lo) continue;
    close_range_of(lo, (unsigned)keep[i] - 1);
    lo = (unsigned)keep[i] + 1;
  }
  close_range_of(lo, ~0u);
}

static const int quiet_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE};
#define NQUIET (int)(sizeof quiet_signals / sizeof quiet_signals[0])

/* The IUT: its own process group, default signals, the three pipes. */
static void exec_iut(const char *cmd, int in, int out, int err) {
  setpgid(0, 0);
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  for (int i = 0; i < NQUIET; i++) sigaction(quiet_signals[i], &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Above 2 first: a pipe may have got descriptor 0, 1 or 2 itself. */
  int a = fcntl(in, F_DUPFD, 3), b = fcntl(out, F_DUPFD, 3), c = fcntl(err, F_DUPFD, 3);
  if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 || dup2(c, 2) < 0) _exit(127);
  close_range_of(3, ~0u);
  execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
  _exit(127);
}

/* The IUT's main process has exited (or is to end): kill its group while
 * it is still a zombie (so the group's ID cannot have been reused), then
 * reap it and report its status. */
static void end_iut(pid_t iut, int rep) {
  kill(-iut, SIGKILL);
  int st = 0;
  while (waitpid(iut, &st, 0) < 0 && errno == EINTR) {
  }
  report(rep, REC_EXIT, st);
}

/* Reaps the children that have exited, the IUT's main process included. */
static void reap_exited(pid_t iut, bool *gone, int rep) {
  for (;;) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) return;
    if (si.si_pid == iut && !*gone) {
      end_iut(iut, rep);
      *gone = true;
    } else {
      waitpid(si.si_pid, NULL, 0);
    }
  }
}

#define SEEN_MAX 512
typedef struct sweep_ctx {
  pid_t pgrp;
  uint32_t escaped;
  pid_t seen[SEEN_MAX];
  size_t nseen;
} sweep_ctx;

static void kill_child(pid_t pid, char state, pid_t pgrp, void *arg) {
  sweep_ctx *c = arg;
  if (state == 'Z') return; /* dead: reaped next round */
  kill(pid, SIGKILL);
  if (pgrp == c->pgrp) return; /* the group kill reached it: no escape */
  for (size_t i = 0; i < c->nseen; i++)
    if (c->seen[i] == pid) return;
  if (c->nseen < SEEN_MAX) c->seen[c->nseen++] = pid;
  c->escaped++;
}

/* Kills and reaps every child until none is left (each one killed hands
 * its own children over to us). About 10 s at most. */
static uint32_t sweep(pid_t self, pid_t pgrp) {
  sweep_ctx c = {.pgrp = pgrp};
  for (int round = 0; round < 5000; round++) {
    pid_t r;
    while ((r = waitpid(-1, NULL, WNOHANG)) > 0) {
    }
    if (r < 0 && errno == ECHILD) break; /* none left, live or dead */
    if (round > 0 || pgrp <= 0) for_each_child(self, kill_child, &c);
    nap_ms(round < 3 ? 1 : 2);
  }
  return c.escaped;
}

static _Noreturn void supervise(const char *cmd, int in, int out, int err, int ctl, int rep) {
  int keep[] = {in, out, err, ctl, rep};
  close_others(keep, 5);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  /* The terminal's signals are the runner's: it ends this through ctl. */
  struct sigaction ign = {.sa_handler = SIG_IGN};
  for (int i = 0; i < NQUIET; i++) sigaction(quiet_signals[i], &ign, NULL);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  pid_t iut = fork();
  if (iut == 0) exec_iut(cmd, in, out, err);
  close(in);
  close(out);
  close(err);
  bool gone = iut < 0;
  if (iut < 0) report(rep, REC_EXIT, 127 << 8);
  if (iut > 0) setpgid(iut, iut); /* also here: whichever runs first */
  for (;;) {
    struct pollfd p[2] = {{.fd = ctl, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    /* without a signalfd, look for exits every 10 ms */
    int r = poll(p, sfd >= 0 ? 2 : 1, sfd >= 0 ? -1 : 10);
    if (r < 0 && errno != EINTR) break;
    if (sfd >= 0 && (p[1].revents & POLLIN)) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
    }
    if (iut > 0) reap_exited(iut, &gone, rep);
    if (p[0].revents) break; /* closed (or a byte): end it all */
  }
  if (!gone) end_iut(iut, rep);
  report(rep, REC_DONE, (int32_t)sweep(getpid(), iut));
  _exit(0);
}

/* ---- the runner's side ---- */

/* Supervisors alive, and the children the process had before the runner
 * began: a sweep kills neither. One registry per process (the subreaper
 * is a property of the process), behind a lock: a supervisor is forked
 * and registered under it, so that no sweep can take it for a stray. */
#define LIVE_MAX 256
static struct {
  mtx_t lock;
  pid_t live[LIVE_MAX], before[LIVE_MAX];
  size_t nlive, nbefore;
} reg;
static once_flag reg_once = ONCE_FLAG_INIT;
static void reg_init(void) { mtx_init(&reg.lock, mtx_plain); }

static bool in_list(const pid_t *v, size_t n, pid_t pid) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == pid) return true;
  return false;
}

mm_err mm_sup_spawn(const char *cmd, int in, int out, int err, mm_sup *s, char *why,
                    size_t why_len) {
  *s = (mm_sup){.pid = -1, .ctl = -1, .rep = -1};
  int ctl[2] = {-1, -1}, rep[2] = {-1, -1};
  if (pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
    snprintf(why, why_len, "runner failure: cannot make pipes: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
      if (ctl[i] >= 0) close(ctl[i]);
      if (rep[i] >= 0) close(rep[i]);
    }
    return MM_E_IO;
  }
  call_once(&reg_once, reg_init);
  mtx_lock(&reg.lock);
  pid_t pid = reg.nlive < LIVE_MAX ? fork() : (errno = EAGAIN, -1);
  if (pid == 0) supervise(cmd, in, out, err, ctl[0], rep[1]);
  int fork_errno = errno;
  if (pid > 0) reg.live[reg.nlive++] = pid;
  mtx_unlock(&reg.lock);
  close(ctl[0]);
  close(rep[1]);
  if (pid < 0) {
    snprintf(why, why_len, "runner failure: cannot fork: %s", strerror(fork_errno));
    close(ctl[1]);
    close(rep[0]);
    return MM_E_IO;
  }
  fcntl(rep[0], F_SETFL, fcntl(rep[0], F_GETFL) | O_NONBLOCK);
  *s = (mm_sup){.pid = pid, .ctl = ctl[1], .rep = rep[0]};
  return MM_OK;
}

void mm_sup_poll(mm_sup *s) {
  sup_rec r;
  while (s->rep >= 0) {
    ssize_t n = read(s->rep, &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      close(s->rep);
      s->rep = -1;
    }
    if (n != (ssize_t)sizeof r) return; /* records are written whole */
    if (r.kind == REC_EXIT) {
      s->exited = true;
      s->status = r.value;
    } else if (r.kind == REC_DONE) {
      s->done = true;
      s->escaped = (uint32_t)r.value;
    }
  }
}

unsigned mm_sup_end(mm_sup *s) {
  if (s->pid <= 0 || s->reaped) return 0;
  if (s->ctl >= 0) close(s->ctl);
  s->ctl = -1;
  /* Wait for its exit without reaping: until reaped its pid cannot be
   * reused, so taking it out of the registry first is safe. */
  siginfo_t si;
  while (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  mtx_lock(&reg.lock);
  for (size_t i = 0; i < reg.nlive; i++)
    if (reg.live[i] == s->pid) reg.live[i] = reg.live[--reg.nlive];
  waitpid(s->pid, NULL, 0);
  mtx_unlock(&reg.lock);
  s->reaped = true;
  /* Its reports, up to the end of the pipe (it has exited). */
  if (s->rep >= 0) fcntl(s->rep, F_SETFL, fcntl(s->rep, F_GETFL) & ~O_NONBLOCK);
  mm_sup_poll(s);
  /* Killed before it was done: what it supervised is ours now. */
  return s->done ? 0 : mm_reaper_sweep();
}

static void note_before(pid_t pid, char state, pid_t pgrp, void *ctx) {
  (void)state, (void)pgrp, (void)ctx;
  if (!in_list(reg.live, reg.nlive, pid) && reg.nbefore < LIVE_MAX) reg.before[reg.nbefore++] = pid;
}

bool mm_reaper_begin(void) {
  call_once(&reg_once, reg_init);
  bool ok = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
  mtx_lock(&reg.lock);
  reg.nbefore = 0;
  for_each_child(getpid(), note_before, NULL);
  mtx_unlock(&reg.lock);
  return ok;
}

typedef struct stray_ctx {
  unsigned killed, found;
  pid_t seen[SEEN_MAX];
  size_t nseen;
} stray_ctx;

static void kill_stray(pid_t pid, char state, pid_t pgrp, void *arg) {
  (void)pgrp;
  stray_ctx *c = arg;
  if (in_list(reg.live, reg.nlive, pid) || in_list(reg.before, reg.nbefore, pid)) return;
  c->found++;
  if (state != 'Z') {
    kill(pid, SIGKILL);
    if (!in_list(c->seen, c->nseen, pid)) {
      if (c->nseen < SEEN_MAX) c->seen[c->nseen++] = pid;
      c->killed++;
    }
  }
  waitpid(pid, NULL, WNOHANG);
}

unsigned mm_reaper_sweep(void) {
  call_once(&reg_once, reg_init);
  stray_ctx c = {0};
  mtx_lock(&reg.lock);
  for (int round = 0; round < 5000; round++) {
    c.found = 0;
    if (for_each_child(getpid(), kill_stray, &c) <= 0 || c.found == 0) break;
    nap_ms(2);
  }
  mtx_unlock(&reg.lock);
  return c.killed;
}

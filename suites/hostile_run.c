/* hostile_run.h: the CLI forked and exec'd directly (no shell in between,
 * so the process sampled is the runner), its output through temp files. */
#define _GNU_SOURCE
#include "hostile_run.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_exec.h"

void hostile_dir_make(hostile_dir *d) {
  snprintf(d->root, sizeof d->root, "/tmp/mlsmig-hostile-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(d->root));
  snprintf(d->tmp, sizeof d->tmp, "%s/tmp", d->root);
  snprintf(d->victim, sizeof d->victim, "%s/victim", d->root);
  snprintf(d->pids, sizeof d->pids, "%s/pids", d->root);
  ck_assert_int_eq(mkdir(d->tmp, 0700), 0);
  ck_assert_int_eq(mkdir(d->victim, 0700), 0);
  ck_assert_int_eq(mkdir(d->pids, 0700), 0);
  char canary[400];
  snprintf(canary, sizeof canary, "%s/canary", d->victim);
  FILE *f = fopen(canary, "w");
  ck_assert_ptr_nonnull(f);
  fputs("must survive\n", f);
  fclose(f);
}

size_t hostile_dir_entries(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return 0;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(dir);
  return n;
}

void hostile_dir_free(hostile_dir *d) {
  /* What a failing run left may be deep: rm copes with any depth. */
  char cmd[700];
  snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", d->root, d->root);
  if (system(cmd) != 0) fprintf(stderr, "hostile: cannot remove %s\n", d->root);
}

/* Is pid alive, not a zombie, and one of the shims' (so a reused pid is
 * never killed)? */
static bool shim_alive(pid_t pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X') return false;
  snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
  f = fopen(path, "r");
  if (!f) return false;
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  for (size_t i = 0; i < n; i++)
    if (!buf[i]) buf[i] = ' ';
  buf[n] = '\0';
  return strstr(buf, "bad_shim.py") != NULL;
}

size_t hostile_kill_survivors(const hostile_dir *d) {
  DIR *dir = opendir(d->pids);
  if (!dir) return 0;
  size_t alive = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    pid_t pid = (pid_t)atoi(e->d_name);
    if (pid <= 0 || !shim_alive(pid)) continue;
    alive++;
    kill(pid, SIGKILL);
  }
  closedir(dir);
  return alive;
}

static long vm_hwm_kib(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kib = atol(line + 6);
  if (f) fclose(f);
  return kib;
}

static char *slurp(int fd, size_t *len) {
  off_t n = lseek(fd, 0, SEEK_END);
  char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
  ck_assert_ptr_nonnull(buf);
  ssize_t got = n > 0 ? pread(fd, buf, (size_t)n, 0) : 0;
  buf[got > 0 ? got : 0] = '\0';
  if (len) *len = got > 0 ? (size_t)got : 0;
  close(fd);
  return buf;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

hostile_run hostile_cli(const hostile_dir *d, const hostile_opts *o, const char *const *args) {
  hostile_opts none = {0};
  if (!o) o = &none;
  char out[] = "/tmp/mlsmig-hostile-out-XXXXXX", err[] = "/tmp/mlsmig-hostile-err-XXXXXX";
  int fo = mkstemp(out), fe = mkstemp(err);
  ck_assert(fo >= 0 && fe >= 0);
  unlink(out);
  unlink(err);
  const char *argv[64] = {cli_bin(), "run"};
  size_t n = 2;
  for (; args[n - 2] && n < 63; n++) argv[n] = args[n - 2];
  argv[n] = NULL;
  fflush(NULL);
  double t0 = now_s();
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(126);
    setenv("TMPDIR", d->tmp, 1);
    if (o->nofile) {
      struct rlimit rl = {(rlim_t)o->nofile, (rlim_t)o->nofile};
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(126);
    }
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  hostile_run r = {0};
  int st = 0;
  bool signalled = false;
  for (;;) {
    long k = vm_hwm_kib(pid);
    if (k > r.hwm_kib) r.hwm_kib = k;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) break;
    if (o->signal_after && !signalled && (now_s() - t0) * 1000 >= o->signal_after) {
      kill(pid, SIGTERM);
      signalled = true;
    }
    nanosleep(&(struct timespec){0, 10000000}, NULL); /* 10 ms */
  }
  r.seconds = now_s() - t0;
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = slurp(fo, &r.out_len);
  r.err = slurp(fe, NULL);
  return r;
}

void hostile_run_free(hostile_run *r) {
  free(r->out);
  free(r->err);
  *r = (hostile_run){0};
}

json_t *hostile_json(const char *path) {
  json_error_t e;
  json_t *doc = json_load_file(path, 0, &e);
  ck_assert_msg(doc != NULL, "%s: %s", path, e.text);
  return doc;
}

size_t hostile_count(const json_t *doc, const char *verdict) {
  size_t n = 0, i;
  json_t *t;
  json_array_foreach(json_object_get(doc, "tests"), i, t) {
    n += strcmp(json_string_value(json_object_get(t, "verdict")), verdict) == 0;
  }
  return n;
}

const char *hostile_ref_ds(void) {
  static char path[1024];
  snprintf(path, sizeof path, "%s", cli_bin());
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
           "mlsmig-ref-ds");
  return path;
}

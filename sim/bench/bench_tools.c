/* Simulator throughput and the conformance runner's wall time, measured by
 * running this very binary's verbs (`sim --campaign`, `sim --explore`,
 * `run`) as child processes: what a user runs, timed from outside, with no
 * compile-time tie to the searches' internals (bench.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/json_io.h"
#include "bench/bench.h"

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

/* This binary, to run its own verbs. */
static bool self_path(char *buf, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
  if (n <= 0 || (size_t)n >= cap - 1) return false;
  buf[n] = '\0';
  /* Rebuilt while we run: the new binary at the same path will do. */
  static const char deleted[] = " (deleted)";
  size_t len = (size_t)n, dl = sizeof deleted - 1;
  if (len > dl && strcmp(buf + len - dl, deleted) == 0) buf[len - dl] = '\0';
  return strchr(buf, '\'') == NULL; /* it goes between single quotes */
}

/* Runs `'self' args` through the shell; its JSON (on stdout, or in
 * json_file when given) comes back parsed. Times: wall, and the user and
 * system CPU of the child and everything it waited for. */
static json_t *run_self(const char *args, const char *json_file, bench_tool_result *r) {
  char self[512], cmd[1024];
  if (!self_path(self, sizeof self)) return NULL;
  snprintf(cmd, sizeof cmd, "'%s' %s", self, args);
  snprintf(r->cmd, sizeof r->cmd, "mlsmig %s", args);
  struct rusage a, b;
  getrusage(RUSAGE_CHILDREN, &a);
  double t0 = wall_now();
  fflush(NULL);
  FILE *p = popen(cmd, "r");
  if (!p) return NULL;
  json_error_t err;
  json_t *j = json_file ? NULL : json_loadf(p, JSON_DISABLE_EOF_CHECK, &err);
  /* The rest of stdout: its last line is the runner's summary. */
  char line[sizeof r->last_line];
  while (fgets(line, sizeof line, p))
    if (line[0] != '\n') snprintf(r->last_line, sizeof r->last_line, "%s", line);
  r->last_line[strcspn(r->last_line, "\n")] = '\0';
  int status = pclose(p);
  r->wall_s = wall_now() - t0;
  getrusage(RUSAGE_CHILDREN, &b);
  r->user_s = tv_s(b.ru_utime) - tv_s(a.ru_utime);
  r->sys_s = tv_s(b.ru_stime) - tv_s(a.ru_stime);
  r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (json_file) j = mm_json_load_file(json_file, 0, &err);
  return j;
}

static uint64_t json_u64(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  uint64_t x = 0;
  return mm_json_u64_value(v, &x) ? x : 0;
}

static void finish(bench_tool_result *r, uint64_t runs) {
  r->runs = runs;
  double cpu = r->user_s + r->sys_s;
  r->runs_per_cpu_s = cpu > 0 ? (double)runs / cpu : 0;
  r->measured = runs > 0;
}

static void campaign(uint64_t n, bench_tool_result *r) {
  char args[128];
  snprintf(args, sizeof args, "sim --campaign %llu --seed 1 --json", (unsigned long long)n);
  snprintf(r->what, sizeof r->what, "campaign");
  json_t *j = run_self(args, NULL, r);
  finish(r, json_u64(j, "runs"));
  json_decref(j);
}

static void explore(unsigned k, bench_tool_result *r) {
  char args[128];
  snprintf(args, sizeof args, "sim --explore --max-faults %u --suite 1 --seed 1 --json", k);
  snprintf(r->what, sizeof r->what, "explore K=%u", k);
  json_t *j = run_self(args, NULL, r);
  uint64_t runs = 0;
  json_t *suites = json_object_get(j, "suites"), *s;
  size_t i;
  json_array_foreach(suites, i, s) runs += json_u64(s, "runs");
  finish(r, runs);
  json_decref(j);
}

/* K=1 over suite 1 with the reference DS behind the shim as the source
 * (`sim --iut`, issue 16): a process per run, or one kept (--persistent). */
static void explore_iut(bool persistent, bench_tool_result *r) {
  char self[512], args[1024];
  snprintf(r->what, sizeof r->what, "iut K=1 %s", persistent ? "persist" : "fresh");
  if (!self_path(self, sizeof self)) return;
  char *slash = strrchr(self, '/');
  if (!slash) return;
  snprintf(slash + 1, sizeof self - (size_t)(slash + 1 - self), "mlsmig-ref-ds");
  snprintf(args, sizeof args,
           "sim --iut '%s' --role source%s --explore --max-faults 1 --suite 1 --seed 1 --json",
           self, persistent ? " --persistent" : "");
  json_t *j = run_self(args, NULL, r);
  uint64_t runs = 0;
  json_t *suites = json_object_get(j, "suites"), *s;
  size_t i;
  json_array_foreach(suites, i, s) runs += json_u64(s, "runs");
  finish(r, runs);
  json_decref(j);
}

static void conformance(bench_tool_result *r) {
  char path[] = "/tmp/mlsmig-bench-run-XXXXXX";
  int fd = mkstemp(path);
  snprintf(r->what, sizeof r->what, "conformance run");
  if (fd < 0) return;
  close(fd);
  char args[128];
  snprintf(args, sizeof args, "run --json %s", path);
  json_t *j = run_self(args, path, r);
  unlink(path);
  finish(r, json_array_size(json_object_get(j, "tests")));
  json_decref(j);
}

size_t bench_tools(const bench_opts *o, bench_tool_result *out, size_t cap) {
  size_t n = 0;
  if (n < cap) campaign(o->quick ? 100 : 1000, &out[n++]);
  if (n < cap) explore(1, &out[n++]);
  if (!o->quick && n < cap) explore(2, &out[n++]);
  if (n < cap) explore_iut(false, &out[n++]);
  if (n < cap) explore_iut(true, &out[n++]);
  if (n < cap) conformance(&out[n++]);
  return n;
}

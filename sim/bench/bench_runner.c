/* The conformance runner's wall time, split (bench.h): how much of a full
 * run against the reference DS goes to starting and stopping a DS process
 * per test, how much to the pipes' round trips, how much to the reference
 * DS's own work and how much to the runner's.
 *
 * The run counts and times its DS processes' lifecycles (start, hello,
 * configure; shutdown, or SIGKILL for a restart; reap) and its tests' own
 * requests (runner.h, mm_run_cost). Null sessions of the same runner code
 * against the same reference DS (mm_run_null_session: a lifecycle around
 * query_group requests that cost the DS nothing) give what one round trip
 * costs with no work in it, and what a lifecycle is made of. Then
 *   process = the lifecycles, as timed in the run,
 *   pipes   = round trips x null round trip,
 *   DS work = the rest of the time the tests waited for their replies,
 *   runner  = the rest of the wall time (keys, messages, checks, state
 *             directories, the catalogue).
 * The run is made on one job, so that its parts add up to its wall time;
 * `run` itself uses a job per CPU (bench_tools.c times that). Then the same
 * run in persistent mode and against the reference DS as a service on a
 * Unix socket (issue 20): what process start-up costs a run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"

#define NULL_SESSIONS 15
#define NULL_QUERIES 40

/* mlsmig-ref-ds next to this binary, if its path needs no quoting. */
static bool ref_ds(char *buf, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
  if (n <= 0 || (size_t)n >= cap - 1) return false;
  buf[n] = '\0';
  char *slash = strrchr(buf, '/');
  if (!slash) return false;
  static const char name[] = "mlsmig-ref-ds";
  if ((size_t)(slash + 1 - buf) + sizeof name > cap) return false;
  memcpy(slash + 1, name, sizeof name);
  static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-";
  return strspn(buf, plain) == strlen(buf) && access(buf, X_OK) == 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double at_least_0(double x) { return x > 0 ? x : 0; }

/* One more full run with these options: its wall time in s (0: failed). */
static double run_wall(const mm_run_opts *ro, uint64_t *lifecycles, uint64_t *resets) {
  mm_run_result r;
  char why[256];
  if (mm_run(ro, &r, why, sizeof why) != MM_OK) return 0;
  double s = mm_run_passed(&r) ? r.wall_ms / 1e3 : 0;
  if (lifecycles) *lifecycles = r.cost.lifecycles;
  if (resets) *resets = r.resets;
  mm_run_result_free(&r);
  return s;
}

/* The reference DS as a service on a Unix socket in a fresh directory,
 * started, SIGKILLed (restart tests) and stopped by the runner's hooks. */
static void socket_runs(const mm_run_opts *base, const char *ref, bench_runner_split *out) {
  char dir[] = "/tmp/mlsmig-bench-XXXXXX";
  if (!mkdtemp(dir)) return;
  char addr[64], start[1400], kill_cmd[128], stop[128], path[96];
  snprintf(addr, sizeof addr, "unix:%s/ds.sock", dir);
  snprintf(start, sizeof start, "%s --listen %s >/dev/null 2>&1 & echo $! > %s/pid", ref, addr,
           dir);
  snprintf(kill_cmd, sizeof kill_cmd, "kill -KILL $(cat %s/pid)", dir);
  snprintf(stop, sizeof stop, "kill -KILL $(cat %s/pid)", dir);
  mm_run_opts ro = *base;
  ro.iut_connect = addr;
  ro.iut_start = start;
  ro.iut_kill = kill_cmd;
  ro.iut_stop = stop;
  out->socket_s = run_wall(&ro, NULL, NULL);
  ro.persistent = true;
  out->socket_persistent_s = run_wall(&ro, NULL, NULL);
  snprintf(path, sizeof path, "%s/pid", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/ds.sock", dir);
  unlink(path);
  rmdir(dir);
}

void bench_runner(const bench_opts *o, bench_runner_split *out) {
  memset(out, 0, sizeof *out);
  char cmd[1024];
  if (!ref_ds(cmd, sizeof cmd)) return;
  mm_run_opts ro = {.iut_cmd = cmd,
                    .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                    .timeout_ms = 10000,
                    .jobs = 1};
  /* Null sessions first (a warm-up one not counted), then the run. */
  unsigned sessions = o->quick ? 5 : NULL_SESSIONS;
  double life[NULL_SESSIONS], start[NULL_SESSIONS], conf[NULL_SESSIONS], stop[NULL_SESSIONS],
      trip[NULL_SESSIONS];
  mm_run_null nr;
  if (mm_run_null_session(&ro, NULL_QUERIES, &nr) != MM_OK) return;
  for (unsigned i = 0; i < sessions; i++) {
    if (mm_run_null_session(&ro, NULL_QUERIES, &nr) != MM_OK) return;
    start[i] = nr.start_ms;
    conf[i] = nr.configure_ms;
    stop[i] = nr.stop_ms;
    life[i] = nr.start_ms + nr.configure_ms + nr.stop_ms;
    trip[i] = nr.query_ms / NULL_QUERIES;
  }
  out->null_sessions = sessions;
  out->null_queries = NULL_QUERIES;
  out->null_session_ms = median(life, sessions);
  out->null_start_ms = median(start, sessions);
  out->null_configure_ms = median(conf, sessions);
  out->null_stop_ms = median(stop, sessions);
  out->null_round_trip_us = median(trip, sessions) * 1e3;

  mm_run_result r;
  char why[256];
  if (mm_run(&ro, &r, why, sizeof why) != MM_OK) return;
  out->wall_s = r.wall_ms / 1e3;
  for (size_t i = 0; i < r.n; i++) out->tests += r.tests[i].verdict != MM_V_NA;
  out->lifecycles = r.cost.lifecycles;
  out->session_calls = r.cost.session_calls;
  out->round_trips = r.cost.round_trips;
  out->session_s = r.cost.session_ms / 1e3;
  out->round_trip_s = r.cost.round_trip_ms / 1e3;
  mm_run_result_free(&r);

  out->process_s = out->session_s;
  out->pipe_s = (double)out->round_trips * out->null_round_trip_us / 1e6;
  if (out->pipe_s > out->round_trip_s) out->pipe_s = out->round_trip_s;
  out->ds_s = out->round_trip_s - out->pipe_s;
  out->runner_s = at_least_0(out->wall_s - out->session_s - out->round_trip_s);
  out->measured = true;

  /* The other modes (issue 20): what process start-up costs a run. */
  mm_run_opts po = ro;
  po.persistent = true;
  out->persistent_s = run_wall(&po, &out->persistent_lifecycles, &out->persistent_resets);
  socket_runs(&ro, cmd, out);
}

/* `mlsmig bench`: how fast mlsmig migrates, against what its crypto allows.
 * Not a test: nothing here asserts a time; the figures go to a table and to
 * reports/bench.json (bench_report.c). The method is in the README,
 * "Performance". */
#ifndef MLSMIG_BENCH_H
#define MLSMIG_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/crypto_stats.h"
#include "mlsmig/crypto.h"
#include "mlsmig/error.h"

#define BENCH_MAX_SIZES 5

typedef struct bench_opts {
  uint16_t suites[MM_SUITE_COUNT];
  size_t n_suites;
  uint16_t scale_suites[MM_SUITE_COUNT]; /* suites of the group-state scaling */
  size_t n_scale_suites;
  bool quick;      /* shorter windows, no 256 MiB state */
  double window_s; /* how long each rate is measured, per round */
  unsigned rounds; /* each figure is the best of this many windows */
} bench_opts;

/* ---- timing and memory (bench_clock.c) ---- */

double bench_now(void); /* CPU seconds of this process (bench_clock.c says why) */
/* Peak and current resident set of this process, in bytes (VmHWM, VmRSS);
 * 0 when /proc is not there. */
uint64_t bench_peak_rss(void);
uint64_t bench_rss(void);
/* Forget the peak so far (Linux clear_refs "5"); false if not possible. */
bool bench_reset_peak(void);

/* ---- the actors alone, without the simulator (bench_actors.c) ---- */

typedef struct bench_world bench_world;
/* A source hosting a 3-member group with a state_bytes payload, a target
 * and the members' clients, keys drawn from seed. */
MM_MUST_USE mm_err bench_world_new(uint16_t suite, uint64_t seed, uint64_t state_bytes,
                                   bench_world **out);
/* Member 0 migrates the group; runs until no envelope is left. */
MM_MUST_USE mm_err bench_world_migrate(bench_world *w, bool *completed);
void bench_world_free(bench_world *w);

typedef struct mm_sim mm_sim;
/* Checks a finished simulator run: completed, INV-1..INV-5 held. */
bool bench_sim_completed(mm_sim *s);

/* ---- one suite: crypto rates, signature bound, happy path (bench_suite.c) ---- */

typedef struct bench_suite_result {
  uint16_t suite;
  /* counted over one real happy path between the actors alone */
  unsigned signs, verifies;
  double sign_msg_bytes, verify_msg_bytes; /* mean message sizes */
  unsigned sim_signs, sim_verifies;        /* the same run in the simulator */
  /* through mm_sign_with_label / mm_verify_with_label, messages of those sizes */
  double sign_per_s, verify_per_s;
  double bound_per_s;          /* 1 / (signs / sign_per_s + verifies / verify_per_s) */
  double migrations_per_s;     /* back-to-back, the actors alone */
  double ratio;                /* migrations_per_s / bound_per_s */
  double sim_migrations_per_s; /* back-to-back in the simulator: run + check */
  double sim_ratio;
  double setup_ms; /* mm_sim_new + mm_sim_free, not counted above (best round) */
  unsigned runs;   /* simulator runs */
  bool completed;  /* every run completed (and held INV-1..INV-5) */
} bench_suite_result;

MM_MUST_USE mm_err bench_suite(const bench_opts *o, uint16_t suite, bench_suite_result *r);

/* ---- the group's public state, profile v2 (bench_mls.c) ---- */

#define BENCH_MLS_SIZES 10 /* 2, 4, ..., 1024 members */

typedef struct bench_mls_row {
  uint16_t suite;
  uint32_t members;
  mm_crypto_stats import; /* a target's MLS-2 check of a MigrationGroupState */
  mm_crypto_stats bundle; /* a DS's MLS-4 check of a CommitBundle (with MLS-2 on the new state) */
  double import_ms, bundle_ms;
  size_t state_bytes, bundle_bytes;
} bench_mls_row;

/* Measures one row: a genuine group of `members` in suite, its import and one CommitBundle. */
MM_MUST_USE mm_err bench_mls(uint16_t suite, uint32_t members, bench_mls_row *r);

/* ---- group-state scaling (bench_scale.c) ---- */

typedef struct bench_hash_passes {
  unsigned suite_hash; /* passes of the suite's hash (RefHash, ECDSA digests) */
  unsigned eddsa_hash; /* passes of SHA-512 / SHAKE256 inside EdDSA */
} bench_hash_passes;

typedef struct bench_scale_result {
  uint16_t suite;
  uint64_t state_bytes;
  double bound_seconds; /* signatures + hash passes at measured rates */
  /* the actors alone (bench_actors.c) */
  double seconds;         /* one migration (the fastest of the runs) */
  double ratio;           /* bound_seconds / seconds */
  double measured_passes; /* bytes hashed, signed and verified / state */
  uint64_t peak_rss;      /* VmHWM of the process that ran it */
  uint64_t base_rss;      /* its resident set before the state existed */
  /* the same in the simulator (run + check; its own process) */
  double sim_seconds, sim_ratio, sim_passes;
  uint64_t sim_peak_rss;
  bool completed;
} bench_scale_result;

typedef struct bench_hash_rates {
  double suite_hash_bps; /* bytes/s of mm_hash */
  double eddsa_hash_bps; /* bytes/s of EdDSA's inner hash (0 for ECDSA) */
} bench_hash_rates;

/* The passes the protocol needs over a state (bench_scale.c). */
bench_hash_passes bench_protocol_passes(uint16_t suite);
MM_MUST_USE mm_err bench_hash_rates_measure(const bench_opts *o, uint16_t suite,
                                            bench_hash_rates *r);
/* The actors, then the simulator, each in a child process so that peaks do
 * not mix; run first, while this process is still small. */
MM_MUST_USE mm_err bench_scale(const bench_opts *o, uint16_t suite, uint64_t state_bytes,
                               bench_scale_result *r);
/* The bound and ratios, once the suite's rates are known. */
void bench_scale_bound(bench_scale_result *r, const bench_suite_result *sig,
                       const bench_hash_rates *hr);

/* ---- simulator searches and the conformance runner (bench_tools.c) ---- */

typedef struct bench_tool_result {
  char what[32]; /* "campaign", "explore K=2", "conformance run" */
  char cmd[160]; /* the verb as run */
  double wall_s;
  double user_s, sys_s; /* CPU of the process and all it waited for */
  uint64_t runs;        /* runs, schedules or tests */
  double runs_per_cpu_s;
  int exit_status;
  char last_line[160]; /* the last line it printed (the runner's summary) */
  bool measured;       /* it ran and reported its count */
} bench_tool_result;

#define BENCH_MAX_TOOLS 6
size_t bench_tools(const bench_opts *o, bench_tool_result *out, size_t cap);

/* ---- the conformance runner's overhead (bench_runner.c) ---- */

/* The full conformance run against the reference DS, made once more in
 * this process on one job (so that its parts add up to its wall time),
 * with the runner's counters (runner.h, mm_run_cost), split using null
 * sessions of the same runner and reference DS. All wall times. */
typedef struct bench_runner_split {
  bool measured;
  double wall_s;          /* the run, one job */
  size_t tests;           /* tests that ran */
  uint64_t lifecycles;    /* reference DS processes started and reaped */
  uint64_t session_calls; /* hello, configure, shutdown */
  uint64_t round_trips;   /* the tests' own requests */
  double session_s;       /* spent starting and stopping them (counted in the run) */
  double round_trip_s;    /* spent waiting for the tests' requests (counted in the run) */
  /* null sessions: start, hello, configure, a number of query_group round
   * trips, shutdown, reap; medians */
  unsigned null_sessions, null_queries;
  double null_session_ms; /* one lifecycle (median of the sums of its parts) */
  double null_start_ms, null_configure_ms, null_stop_ms; /* its parts: to the hello
                                                           reply, configure, shutdown + reap */
  double null_round_trip_us; /* one round trip (pipes both ways, the decode, no work) */
  /* the run's wall time, split */
  double process_s; /* the lifecycles (session_s): process overhead */
  double pipe_s;    /* round trips x null round trip: pipe overhead */
  double ds_s;      /* the rest of round_trip_s: the DS's own work */
  double runner_s;  /* the rest: the runner's (keys, messages, checks, state dirs) */
  /* the same run (one job) in the other modes of issue 20, wall time; 0 when
   * not measured: persistent mode (one process kept and reset between
   * tests), and the reference DS as a service on a Unix socket (mlsmig-ref-ds
   * --listen, its restarts through the hooks), a connection per test and
   * persistent */
  double persistent_s, socket_s, socket_persistent_s;
  uint64_t persistent_lifecycles, persistent_resets;
} bench_runner_split;

void bench_runner(const bench_opts *o, bench_runner_split *out);

/* ---- external MLS members (bench_clients.c) ---- */

/* Members in the measured group (made by one Commit and its Welcome). */
#define BENCH_CLIENTS_GROUP 8

typedef struct bench_clients_suite {
  uint16_t suite;
  bool measured;
  /* mean wall ms per request, as the driver sees it (pipes included) */
  double key_package_ms, protect_ms, unprotect_ms, sign_ms, group_info_ms;
  double commit_ms;          /* an empty Commit with a path and authenticated_data */
  double handle_commit_ms;   /* one member processing it */
  double external_join_ms;   /* external_join from a GroupInfo and tree */
  double handle_external_ms; /* one member processing the external commit */
} bench_clients_suite;

typedef struct bench_clients_result {
  char cmd[256];
  char implementation[128];
  char why[512];     /* why it stopped, when it did */
  double startup_ms; /* process start to its PICS, median */
  bench_clients_suite suites[MM_SUITE_COUNT];
  size_t n_suites;
} bench_clients_result;

/* bench_clients measures a client process (docs/client-protocol.md) started
 * with cmd, in the suites of o that its PICS lists. */
MM_MUST_USE mm_err bench_clients(const bench_opts *o, const char *cmd, bench_clients_result *out);
/* bench_clients_print prints bench_clients' table. */
void bench_clients_print(FILE *f, const bench_clients_result *r);
/* bench_clients_write_json writes bench_clients' figures as JSON. */
MM_MUST_USE mm_err bench_clients_write_json(const char *path, const bench_clients_result *r);

/* ---- report (bench_report.c) ---- */

typedef struct bench_machine {
  long cpus;
  char cpu[128];
  char openssl[128];
  char kernel[256];
  double load1; /* 1-minute load average when the bench started */
} bench_machine;

void bench_machine_get(bench_machine *m);

typedef struct bench_report {
  bench_machine machine;
  bool quick;
  bench_suite_result suites[MM_SUITE_COUNT];
  size_t n_suites;
  bench_hash_rates hash_rates[MM_SUITE_COUNT]; /* per scaling suite */
  uint16_t scale_suites[MM_SUITE_COUNT];
  size_t n_scale_suites;
  bench_scale_result scale[MM_SUITE_COUNT * BENCH_MAX_SIZES];
  size_t n_scale;
  bench_tool_result tools[BENCH_MAX_TOOLS];
  size_t n_tools;
  bench_runner_split runner;
  bench_mls_row mls[MM_SUITE_COUNT * BENCH_MLS_SIZES];
  size_t n_mls;
} bench_report;

void bench_print(FILE *f, const bench_report *r);
MM_MUST_USE mm_err bench_write_json(const char *path, const bench_report *r);

/* Runs everything o asks for; progress lines go to log (may be NULL). */
MM_MUST_USE mm_err bench_run(const bench_opts *o, bench_report *r, FILE *log);

/* Targets of issue 9, on a 2-core machine. */
#define BENCH_TARGET_SIG_RATIO 0.85
#define BENCH_TARGET_HASH_RATIO 0.7
#define BENCH_TARGET_MEM_FACTOR 3
#define BENCH_TARGET_MEM_SLACK (32u << 20)

#endif

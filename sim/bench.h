/* `mlsmig bench`: how fast mlsmig migrates, against what its crypto allows.
 * Not a test: nothing here asserts a time; the figures go to a table and to
 * reports/bench.json (bench_report.c). The method is in the README,
 * "Performance". */
#ifndef MLSMIG_BENCH_H
#define MLSMIG_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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

/* ---- one suite: crypto rates, signature bound, happy path (bench_suite.c) ---- */

typedef struct bench_suite_result {
  uint16_t suite;
  /* counted over one real happy-path run */
  unsigned signs, verifies;
  double sign_msg_bytes, verify_msg_bytes; /* mean message sizes */
  /* through mm_sign_with_label / mm_verify_with_label, messages of those sizes */
  double sign_per_s, verify_per_s;
  double bound_per_s; /* 1 / (signs / sign_per_s + verifies / verify_per_s) */
  double migrations_per_s; /* back-to-back happy paths: run + check */
  double ratio;            /* migrations_per_s / bound_per_s */
  double setup_ms;         /* mm_sim_new + mm_sim_free, not counted above (best round) */
  unsigned runs;
  bool completed;          /* every run completed and held INV-1..INV-5 */
} bench_suite_result;

mm_err bench_suite(const bench_opts *o, uint16_t suite, bench_suite_result *r);

/* ---- group-state scaling (bench_scale.c) ---- */

typedef struct bench_hash_passes {
  unsigned suite_hash;  /* passes of the suite's hash (RefHash, ECDSA digests) */
  unsigned eddsa_hash;  /* passes of SHA-512 / SHAKE256 inside EdDSA */
} bench_hash_passes;

typedef struct bench_scale_result {
  uint16_t suite;
  uint64_t state_bytes;
  double seconds;          /* one migration: run + check */
  double bound_seconds;    /* signatures + hash passes at measured rates */
  double ratio;            /* bound_seconds / seconds */
  double measured_passes;  /* bytes hashed, signed and verified / state */
  uint64_t peak_rss;       /* VmHWM of the process that ran it */
  uint64_t base_rss;       /* its resident set before the state existed */
  bool completed;
} bench_scale_result;

typedef struct bench_hash_rates {
  double suite_hash_bps; /* bytes/s of mm_hash */
  double eddsa_hash_bps; /* bytes/s of EdDSA's inner hash (0 for ECDSA) */
} bench_hash_rates;

/* The passes the protocol needs over a state (bench_scale.c). */
bench_hash_passes bench_protocol_passes(uint16_t suite);
mm_err bench_hash_rates_measure(const bench_opts *o, uint16_t suite, bench_hash_rates *r);
/* Runs in a child process so that peaks do not mix. */
mm_err bench_scale(const bench_opts *o, uint16_t suite, uint64_t state_bytes,
                   const bench_suite_result *sig, const bench_hash_rates *hr,
                   bench_scale_result *r);

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
} bench_report;

void bench_print(FILE *f, const bench_report *r);
mm_err bench_write_json(const char *path, const bench_report *r);

/* Runs everything o asks for; progress lines go to log (may be NULL). */
mm_err bench_run(const bench_opts *o, bench_report *r, FILE *log);

/* Targets of issue 9, on a 2-core machine. */
#define BENCH_TARGET_SIG_RATIO 0.85
#define BENCH_TARGET_HASH_RATIO 0.7
#define BENCH_TARGET_MEM_FACTOR 3
#define BENCH_TARGET_MEM_SLACK (32u << 20)

#endif

/* `mlsmig bench`: the order of the measurements (bench.h). */
#include <string.h>

#include "bench/bench.h"
#include "mlsmig/messages.h"

/* Payload sizes. The largest leaves room for the rest of the group state
 * (version, IDs, members): the whole of it must stay within the 256 MiB
 * bound of ENC-4, or the target refuses it and the source retransmits it
 * for the simulated hour. */
#define BENCH_STATE_ROOM 4096u
static const uint64_t sizes[BENCH_MAX_SIZES] = {1u << 10, 1u << 20, 16u << 20, 64u << 20,
                                                MM_GROUP_STATE_DEFAULT_MAX - BENCH_STATE_ROOM};

static void progress(FILE *f, const char *fmt, uint16_t suite, double x) {
  if (!f) return;
  fprintf(f, fmt, suite, x);
  fflush(f);
}

mm_err bench_run(const bench_opts *o, bench_report *r, FILE *log) {
  memset(r, 0, sizeof *r);
  bench_machine_get(&r->machine);
  r->quick = o->quick;
  /* Scaling first: its child processes inherit this one's resident set,
   * which is smallest now. */
  size_t n_sizes = o->quick ? BENCH_MAX_SIZES - 1 : BENCH_MAX_SIZES;
  for (size_t i = 0; i < o->n_scale_suites; i++) {
    uint16_t suite = o->scale_suites[i];
    for (size_t k = 0; k < n_sizes; k++) {
      mm_err e = bench_scale(o, suite, sizes[k], &r->scale[r->n_scale]);
      if (e != MM_OK) return e;
      r->n_scale++;
      progress(log, "bench: suite %u scaling: %.0f bytes done\n", suite, (double)sizes[k]);
    }
  }
  for (size_t i = 0; i < o->n_suites; i++) {
    bench_suite_result *s = &r->suites[r->n_suites];
    mm_err e = bench_suite(o, o->suites[i], s);
    if (e != MM_OK) return e;
    r->n_suites++;
    progress(log, "bench: suite %u: %.0f migrations/s\n", s->suite, s->migrations_per_s);
  }
  /* The scaling bounds: the suite's signature figures for the fixed part,
   * its hash rates for the rest. */
  for (size_t i = 0; i < o->n_scale_suites; i++) {
    uint16_t suite = o->scale_suites[i];
    const bench_suite_result *sig = NULL;
    for (size_t j = 0; j < r->n_suites; j++)
      if (r->suites[j].suite == suite) sig = &r->suites[j];
    bench_suite_result own;
    if (!sig) { /* a scaling suite not measured above */
      mm_err e = bench_suite(o, suite, &own);
      if (e != MM_OK) return e;
      sig = &own;
    }
    bench_hash_rates *hr = &r->hash_rates[r->n_scale_suites];
    r->scale_suites[r->n_scale_suites++] = suite;
    mm_err e = bench_hash_rates_measure(o, suite, hr);
    if (e != MM_OK) return e;
    for (size_t k = 0; k < r->n_scale; k++)
      if (r->scale[k].suite == suite) bench_scale_bound(&r->scale[k], sig, hr);
  }
  /* Profile v2: import and CommitBundle costs by group size (quick: up to 64 members). */
  for (size_t i = 0; i < o->n_scale_suites; i++) {
    for (uint32_t k = 1; k <= BENCH_MLS_SIZES && (!o->quick || k <= 6); k++) {
      mm_err e = bench_mls(o->scale_suites[i], 1u << k, &r->mls[r->n_mls]);
      if (e != MM_OK) return e;
      r->n_mls++;
    }
    progress(log, "bench: suite %u: public state costs up to %.0f members done\n",
             o->scale_suites[i], (double)r->mls[r->n_mls - 1].members);
  }
  r->n_tools = bench_tools(o, r->tools, BENCH_MAX_TOOLS);
  if (log) fprintf(log, "bench: searches and conformance run done\n");
  bench_runner(o, &r->runner);
  if (log) fprintf(log, "bench: conformance runner overhead done\n");
  return MM_OK;
}

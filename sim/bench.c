/* `mlsmig bench`: the order of the measurements (bench.h). */
#include <string.h>

#include "bench.h"

static const uint64_t sizes[BENCH_MAX_SIZES] = {1u << 10, 1u << 20, 16u << 20, 64u << 20,
                                                256u << 20};

static void progress(FILE *f, const char *fmt, uint16_t suite, double x) {
  if (!f) return;
  fprintf(f, fmt, suite, x);
  fflush(f);
}

mm_err bench_run(const bench_opts *o, bench_report *r, FILE *log) {
  memset(r, 0, sizeof *r);
  bench_machine_get(&r->machine);
  r->quick = o->quick;
  for (size_t i = 0; i < o->n_suites; i++) {
    bench_suite_result *s = &r->suites[r->n_suites];
    mm_err e = bench_suite(o, o->suites[i], s);
    if (e != MM_OK) return e;
    r->n_suites++;
    progress(log, "bench: suite %u: %.0f migrations/s\n", s->suite, s->migrations_per_s);
  }
  /* Scaling reuses a suite's signature figures for the fixed part of its
   * bound. */
  for (size_t i = 0; i < o->n_scale_suites; i++) {
    uint16_t suite = o->scale_suites[i];
    const bench_suite_result *sig = NULL;
    for (size_t j = 0; j < r->n_suites; j++)
      if (r->suites[j].suite == suite) sig = &r->suites[j];
    if (!sig) continue;
    bench_hash_rates *hr = &r->hash_rates[r->n_scale_suites];
    r->scale_suites[r->n_scale_suites++] = suite;
    mm_err e = bench_hash_rates_measure(o, suite, hr);
    if (e != MM_OK) return e;
    size_t n_sizes = o->quick ? BENCH_MAX_SIZES - 1 : BENCH_MAX_SIZES;
    for (size_t k = 0; k < n_sizes; k++) {
      bench_scale_result *sr = &r->scale[r->n_scale];
      e = bench_scale(o, suite, sizes[k], sig, hr, sr);
      if (e != MM_OK) return e;
      r->n_scale++;
      progress(log, "bench: suite %u scaling: %.0f bytes done\n", suite,
               (double)sizes[k]);
    }
  }
  return MM_OK;
}

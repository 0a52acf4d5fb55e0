/* One suite: sign and verify rates through the calls mlsmig makes, the
 * signature bound they set, and back-to-back happy-path migrations between
 * the actors alone and in the simulator (bench.h). */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "codec/tbs.h"
#include "crypto/crypto_stats.h"
#include "mlsmig/sim.h"

bool bench_sim_completed(mm_sim *s) {
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  if (!o.result || strcmp(o.result, "completed") != 0) return false;
  for (int i = 1; i <= 5; i++)
    if (o.inv[i] != MM_INV_PASS) return false;
  return true;
}

/* Counts the signature work of one real happy path (not assumed): between
 * the actors alone, which is the protocol's work, and in the simulator,
 * which may add checks of its own. */
static MM_MUST_USE mm_err count_ops(uint16_t suite, bench_suite_result *r) {
  bench_world *w = NULL;
  mm_crypto_stats a, b;
  bool ok = false;
  mm_err e = bench_world_new(suite, 1, 1024, &w);
  mm_crypto_stats_get(&a);
  if (e == MM_OK) e = bench_world_migrate(w, &ok);
  mm_crypto_stats_get(&b);
  bench_world_free(w);
  if (e != MM_OK || !ok) return e != MM_OK ? e : MM_E_INTERNAL;
  mm_crypto_stats d = mm_crypto_stats_diff(&b, &a);
  r->signs = (unsigned)d.signs;
  r->verifies = (unsigned)d.verifies;
  r->sign_msg_bytes = d.signs ? (double)d.sign_bytes / (double)d.signs : 0;
  r->verify_msg_bytes = d.verifies ? (double)d.verify_bytes / (double)d.verifies : 0;

  mm_sim_config cfg = mm_sim_config_default(suite, 1);
  mm_sim *s;
  e = mm_sim_new(&cfg, &s);
  if (e != MM_OK) return e;
  mm_crypto_stats_get(&a);
  mm_sim_start_migration(s, 0);
  e = mm_sim_run(s);
  mm_crypto_stats_get(&b);
  ok = e == MM_OK && bench_sim_completed(s);
  mm_sim_free(s);
  if (!ok) return e != MM_OK ? e : MM_E_INTERNAL;
  d = mm_crypto_stats_diff(&b, &a);
  r->sim_signs = (unsigned)d.signs;
  r->sim_verifies = (unsigned)d.verifies;
  return MM_OK;
}

/* Back-to-back migrations between the actors alone for one window: only
 * the migration is timed, making and freeing the world is not. */
static MM_MUST_USE mm_err actor_paths(const bench_opts *o, bench_suite_result *r, uint64_t *seed,
                                      double *per_s) {
  double run_s = 0, t_end = bench_now() + o->window_s;
  unsigned runs = 0;
  mm_err e = MM_OK;
  while (e == MM_OK && (bench_now() < t_end || runs < 2)) {
    bench_world *w = NULL;
    bool ok = false;
    e = bench_world_new(r->suite, (*seed)++, 1024, &w);
    double t0 = bench_now();
    if (e == MM_OK) e = bench_world_migrate(w, &ok);
    run_s += bench_now() - t0;
    bench_world_free(w);
    r->completed = r->completed && ok;
    runs++;
  }
  *per_s = run_s > 0 ? runs / run_s : 0;
  return e;
}

/* Operations per second of sign (or verify) over a len-byte message. */
static MM_MUST_USE mm_err crypto_rate(const bench_opts *o, uint16_t suite, size_t len, bool verify,
                                      double *per_s) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "bench key");
  mm_key *k = NULL, *pub = NULL;
  uint8_t *msg = calloc(len ? len : 1, 1);
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = msg ? mm_key_generate(suite, &rng, &k) : MM_E_NOMEM;
  mm_rng_wipe(&rng);
  if (e == MM_OK) e = mm_key_public_copy(k, &pub);
  if (e == MM_OK) e = mm_sign_with_label(k, mm_tbs_label(MM_T_MIGRATION_CONTENT), msg, len, &sig);
  unsigned long n = 0;
  double t0 = bench_now(), t = t0;
  while (e == MM_OK && (t - t0 < o->window_s || n < 3)) {
    if (verify) {
      e = mm_verify_with_label(pub, mm_tbs_label(MM_T_MIGRATION_CONTENT), msg, len, sig.buf,
                               sig.len);
    } else {
      sig.len = 0;
      e = mm_sign_with_label(k, mm_tbs_label(MM_T_MIGRATION_CONTENT), msg, len, &sig);
    }
    n++;
    if ((n & 3) == 0) t = bench_now();
  }
  t = bench_now();
  *per_s = e == MM_OK ? (double)n / (t - t0) : 0;
  mm_writer_free(&sig);
  mm_key_free(k);
  mm_key_free(pub);
  free(msg);
  return e;
}

/* Back-to-back happy paths for one window, seeds from *seed on: only
 * start + run + check is the migration; making and freeing the simulator is
 * setup. */
static MM_MUST_USE mm_err happy_paths(const bench_opts *o, bench_suite_result *r, uint64_t *seed,
                                      double *per_s, double *setup_ms) {
  double run_s = 0, setup_s = 0, t_end = bench_now() + o->window_s;
  unsigned runs = 0;
  mm_err e = MM_OK;
  while (e == MM_OK && (bench_now() < t_end || runs < 2)) {
    mm_sim_config cfg = mm_sim_config_default(r->suite, (*seed)++);
    mm_sim *s;
    double t0 = bench_now();
    e = mm_sim_new(&cfg, &s);
    if (e != MM_OK) break;
    double t1 = bench_now();
    mm_sim_start_migration(s, 0);
    e = mm_sim_run(s);
    r->completed = r->completed && e == MM_OK && bench_sim_completed(s);
    double t2 = bench_now();
    mm_sim_free(s);
    double t3 = bench_now();
    run_s += t2 - t1;
    setup_s += (t1 - t0) + (t3 - t2);
    runs++;
  }
  r->runs += runs;
  *per_s = run_s > 0 ? runs / run_s : 0;
  *setup_ms = runs ? 1000 * setup_s / runs : 0;
  return e;
}

static double max2(double a, double b) { return a > b ? a : b; }

mm_err bench_suite(const bench_opts *o, uint16_t suite, bench_suite_result *r) {
  memset(r, 0, sizeof *r);
  r->suite = suite;
  r->completed = true;
  mm_err e = count_ops(suite, r);
  size_t sign_len = (size_t)(r->sign_msg_bytes + 0.5);
  size_t verify_len = (size_t)(r->verify_msg_bytes + 0.5);
  /* Rounds of sign, verify and migrations, interleaved, each figure the
   * best of its rounds: on a shared machine a window can lose the CPU, and
   * the best window is the one closest to what the code costs. */
  uint64_t seed = 1;
  for (unsigned i = 0; e == MM_OK && i < o->rounds; i++) {
    double sign = 0, verify = 0, migr = 0, sim = 0, setup = 0;
    e = crypto_rate(o, suite, sign_len, false, &sign);
    if (e == MM_OK) e = crypto_rate(o, suite, verify_len, true, &verify);
    if (e == MM_OK) e = actor_paths(o, r, &seed, &migr);
    if (e == MM_OK) e = happy_paths(o, r, &seed, &sim, &setup);
    r->sign_per_s = max2(r->sign_per_s, sign);
    r->verify_per_s = max2(r->verify_per_s, verify);
    r->migrations_per_s = max2(r->migrations_per_s, migr);
    r->sim_migrations_per_s = max2(r->sim_migrations_per_s, sim);
    if (i == 0 || setup < r->setup_ms) r->setup_ms = setup;
  }
  if (e != MM_OK) return e;
  double t_bound = r->signs / r->sign_per_s + r->verifies / r->verify_per_s;
  r->bound_per_s = t_bound > 0 ? 1 / t_bound : 0;
  r->ratio = r->bound_per_s > 0 ? r->migrations_per_s / r->bound_per_s : 0;
  r->sim_ratio = r->bound_per_s > 0 ? r->sim_migrations_per_s / r->bound_per_s : 0;
  return MM_OK;
}

/* Group-state scaling: one migration with a large group_state, against the
 * time its hash passes need at the measured hash rate, and the peak resident
 * memory of the process that ran it (bench.h). Each size runs in a child
 * process, so that one size's peak never shows in another's. */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench/bench.h"
#include "crypto/crypto_stats.h"
#include "mlsmig/sim.h"

static bool is_eddsa(uint16_t suite) {
  mm_sig_alg a = mm_suite_get(suite)->sig;
  return a == MM_SIG_ED25519 || a == MM_SIG_ED448;
}

/* Over the state, the protocol needs: RefHash at the source (HASH-1) and at
 * the target (HASH-2's other side), the MigrationContentTBS signature at the
 * source and its verification at the target (SIG-3). ECDSA digests with the
 * suite's hash once per signature or verification; pure EdDSA hashes the
 * message twice to sign (nonce, challenge) and once to verify. */
bench_hash_passes bench_protocol_passes(uint16_t suite) {
  if (is_eddsa(suite)) return (bench_hash_passes){2, 3};
  return (bench_hash_passes){4, 0};
}

/* Bytes per second of one digest over a buffer larger than the caches: the
 * best of o->rounds windows (see bench_suite). */
static MM_MUST_USE mm_err digest_rate(const bench_opts *o, const char *name, uint16_t suite,
                                      const uint8_t *buf, size_t len, double *bps) {
  EVP_MD *md = name ? EVP_MD_fetch(NULL, name, NULL) : NULL;
  if (name && !md) return MM_E_CRYPTO;
  uint8_t out[MM_MAX_HASH_LEN];
  mm_err e = MM_OK;
  *bps = 0;
  for (unsigned round = 0; e == MM_OK && round < o->rounds; round++) {
    unsigned long n = 0;
    double t0 = bench_now(), t = t0;
    while (e == MM_OK && (t - t0 < o->window_s || n < 2)) {
      size_t ol;
      unsigned int ul;
      if (md)
        e = EVP_Digest(buf, len, out, &ul, md, NULL) == 1 ? MM_OK : MM_E_CRYPTO;
      else
        e = mm_hash(suite, buf, len, out, &ol);
      n++;
      t = bench_now();
    }
    double rate = (double)n * (double)len / (t - t0);
    if (rate > *bps) *bps = rate;
  }
  EVP_MD_free(md);
  return e;
}

mm_err bench_hash_rates_measure(const bench_opts *o, uint16_t suite, bench_hash_rates *r) {
  size_t len = (o->quick ? 4u : 16u) << 20;
  uint8_t *buf = malloc(len);
  if (!buf) return MM_E_NOMEM;
  memset(buf, 0x5a, len);
  memset(r, 0, sizeof *r);
  mm_err e = digest_rate(o, NULL, suite, buf, len, &r->suite_hash_bps);
  if (e == MM_OK && is_eddsa(suite)) {
    const char *inner = mm_suite_get(suite)->sig == MM_SIG_ED25519 ? "SHA512" : "SHAKE256";
    e = digest_rate(o, inner, suite, buf, len, &r->eddsa_hash_bps);
  }
  free(buf);
  return e;
}

/* ---- the child ---- */

/* Migrations of one size, each in a fresh world; the fastest counts (see
 * bench_suite). Small states run for a window, large ones a few times; the
 * simulator large ones once, as making its state costs more than the run. */
static unsigned runs_for(const bench_opts *o, uint64_t state_bytes, bool sim) {
  if (state_bytes <= (1u << 20)) return 0; /* a window instead */
  if (sim || o->quick || state_bytes > (64u << 20)) return 1;
  return state_bytes > (16u << 20) ? 2 : 3;
}

/* One migration of the actors alone (sim false) or in the simulator. */
static MM_MUST_USE mm_err one_run(uint16_t suite, uint64_t seed, uint64_t state_bytes, bool sim,
                                  double *seconds, mm_crypto_stats *d, bool *ok) {
  mm_crypto_stats a, b;
  mm_err e;
  if (sim) {
    mm_sim_config cfg = mm_sim_config_default(suite, seed);
    cfg.state_bytes = state_bytes;
    mm_sim *s;
    if ((e = mm_sim_new(&cfg, &s)) != MM_OK) return e;
    mm_crypto_stats_get(&a);
    double t0 = bench_now();
    mm_sim_start_migration(s, 0);
    e = mm_sim_run(s);
    *ok = e == MM_OK && bench_sim_completed(s);
    *seconds = bench_now() - t0;
    mm_crypto_stats_get(&b);
    mm_sim_free(s);
  } else {
    bench_world *w = NULL;
    e = bench_world_new(suite, seed, state_bytes, &w);
    mm_crypto_stats_get(&a);
    double t0 = bench_now();
    if (e == MM_OK) e = bench_world_migrate(w, ok);
    *seconds = bench_now() - t0;
    mm_crypto_stats_get(&b);
    bench_world_free(w);
  }
  *d = mm_crypto_stats_diff(&b, &a);
  return e;
}

typedef struct child_result {
  double seconds, passes;
  uint64_t peak_rss, base_rss;
  bool completed;
} child_result;

static void child(const bench_opts *o, uint16_t suite, uint64_t state_bytes, bool sim,
                  child_result *r) {
  bench_reset_peak();
  r->base_rss = bench_rss();
  r->completed = true;
  unsigned want = runs_for(o, state_bytes, sim), runs = 0;
  double best = 0, t_end = bench_now() + o->window_s * o->rounds;
  mm_crypto_stats first = {0};
  do {
    double t = 0;
    mm_crypto_stats d;
    bool ok = false;
    if (one_run(suite, 1 + runs, state_bytes, sim, &t, &d, &ok) != MM_OK) ok = false;
    if (runs == 0) first = d;
    if (runs == 0 || t < best) best = t;
    r->completed = r->completed && ok;
    runs++;
  } while (r->completed && (want ? runs < want : bench_now() < t_end));
  r->seconds = best;
  r->peak_rss = bench_peak_rss();
  /* EdDSA signing hashes its message twice. */
  double sign_passes = is_eddsa(suite) ? 2.0 : 1.0;
  double bytes = (double)first.hash_bytes + sign_passes * (double)first.sign_bytes +
                 (double)first.verify_bytes;
  r->passes = state_bytes ? bytes / (double)state_bytes : 0;
}

/* Runs child() in a child process and reads its result back. */
static MM_MUST_USE mm_err in_child(const bench_opts *o, uint16_t suite, uint64_t state_bytes,
                                   bool sim, child_result *r) {
  memset(r, 0, sizeof *r);
  int fds[2];
  if (pipe(fds) != 0) return MM_E_IO;
  fflush(NULL); /* the child must not flush the parent's buffers again */
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return MM_E_IO;
  }
  if (pid == 0) {
    close(fds[0]);
    child_result cr = {0};
    child(o, suite, state_bytes, sim, &cr);
    ssize_t w = write(fds[1], &cr, sizeof cr);
    _exit(w == (ssize_t)sizeof cr ? 0 : 1);
  }
  close(fds[1]);
  ssize_t got = read(fds[0], r, sizeof *r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != (ssize_t)sizeof *r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return MM_E_IO;
  return MM_OK;
}

mm_err bench_scale(const bench_opts *o, uint16_t suite, uint64_t state_bytes,
                   bench_scale_result *r) {
  memset(r, 0, sizeof *r);
  child_result actors, sim;
  mm_err e = in_child(o, suite, state_bytes, false, &actors);
  if (e == MM_OK) e = in_child(o, suite, state_bytes, true, &sim);
  if (e != MM_OK) return e;
  r->suite = suite;
  r->state_bytes = state_bytes;
  r->seconds = actors.seconds;
  r->measured_passes = actors.passes;
  r->peak_rss = actors.peak_rss;
  r->base_rss = actors.base_rss;
  r->sim_seconds = sim.seconds;
  r->sim_passes = sim.passes;
  r->sim_peak_rss = sim.peak_rss;
  r->completed = actors.completed && sim.completed;
  return MM_OK;
}

void bench_scale_bound(bench_scale_result *r, const bench_suite_result *sig,
                       const bench_hash_rates *hr) {
  bench_hash_passes p = bench_protocol_passes(r->suite);
  double t_sig = sig->signs / sig->sign_per_s + sig->verifies / sig->verify_per_s;
  double t_hash = p.suite_hash * (double)r->state_bytes / hr->suite_hash_bps;
  if (p.eddsa_hash) t_hash += p.eddsa_hash * (double)r->state_bytes / hr->eddsa_hash_bps;
  r->bound_seconds = t_sig + t_hash;
  r->ratio = r->seconds > 0 ? r->bound_seconds / r->seconds : 0;
  r->sim_ratio = r->sim_seconds > 0 ? r->bound_seconds / r->sim_seconds : 0;
}

/* Randomness is injected. Production paths use the OS CSPRNG through
 * OpenSSL; simulations and vector generation use a seeded deterministic
 * generator so that one seed reproduces one run byte for byte. */
#ifndef MLSMIG_RNG_H
#define MLSMIG_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

typedef struct mm_rng {
  MM_MUST_USE mm_err (*fill)(struct mm_rng *self, uint8_t *out, size_t len);
  /* deterministic state (unused by the system generator) */
  uint8_t key[32];
  uint64_t counter;
} mm_rng;

/* mm_rng_init_system makes r the system generator (OpenSSL RAND_bytes). */
void mm_rng_init_system(mm_rng *r);
/* mm_rng_init_seeded makes r the deterministic generator of (seed, label): SHA-256 in counter mode,
 * stable across machines and versions (README), with independent streams for different labels. */
void mm_rng_init_seeded(mm_rng *r, uint64_t seed, const char *label);
/* mm_rng_fill fills the len bytes at out from r; MM_E_USAGE for a bad argument, MM_E_CRYPTO if the
 * system generator fails. */
MM_MUST_USE mm_err mm_rng_fill(mm_rng *r, uint8_t *out, size_t len);
/* mm_rng_uniform returns a number uniform in [0, bound) without modulo bias (bound > 0); it aborts
 * the process if r fails, since failing randomness must not turn into a predictable answer. */
uint64_t mm_rng_uniform(mm_rng *r, uint64_t bound);
/* mm_rng_wipe wipes r's state. */
void mm_rng_wipe(mm_rng *r);

#endif

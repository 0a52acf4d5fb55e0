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

/* OpenSSL RAND_bytes. */
void mm_rng_init_system(mm_rng *r);
/* SHA-256 in counter mode over (domain label, seed): stable across machines
 * and versions, documented in the README. Different labels give independent
 * streams from one seed. */
void mm_rng_init_seeded(mm_rng *r, uint64_t seed, const char *label);
MM_MUST_USE mm_err mm_rng_fill(mm_rng *r, uint8_t *out, size_t len);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
uint64_t mm_rng_uniform(mm_rng *r, uint64_t bound);
/* Wipe the state. */
void mm_rng_wipe(mm_rng *r);

#endif

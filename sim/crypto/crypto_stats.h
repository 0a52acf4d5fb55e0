/* What the crypto layer has done in this process, for `mlsmig bench`: how
 * many signatures and verifications a migration really takes, and how many
 * bytes go through hash functions. Counting costs one relaxed atomic add per
 * operation, nothing next to a signature. */
#ifndef MLSMIG_CRYPTO_STATS_H
#define MLSMIG_CRYPTO_STATS_H

#include <stdint.h>

typedef struct mm_crypto_stats {
  uint64_t signs, verifies;          /* mm_sign_raw / mm_verify_raw calls */
  uint64_t sign_bytes, verify_bytes; /* bytes of the messages they covered */
  uint64_t hash_bytes;               /* bytes through mm_hash and mm_ref_hash */
  uint64_t hashes;                   /* mm_hash and mm_ref_hash calls */
} mm_crypto_stats;

/* mm_crypto_stats_get copies what the crypto layer has done in this process so far into *out. */
void mm_crypto_stats_get(mm_crypto_stats *out);
/* mm_crypto_stats_diff returns b - a, field by field. */
mm_crypto_stats mm_crypto_stats_diff(const mm_crypto_stats *b, const mm_crypto_stats *a);

#endif

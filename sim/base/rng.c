/* Random number generators (rng.h).
 *
 * The seeded generator. Published vectors depend on it byte for byte, so this
 * construction is frozen; changing anything means a new version string.
 *
 *   key     = SHA-256("mlsmig rng v1" || u32(len(label)) || label || u64(seed))
 *   block i = SHA-256(key || u64(i))        for i = 0, 1, 2, ...
 *
 *   - "mlsmig rng v1" is those 13 ASCII bytes, no terminator;
 *   - label is the bytes of the C string without its terminator (NULL is the
 *     empty label); u32(len(label)) is its length in bytes;
 *   - u32 and u64 are unsigned big-endian integers of 4 and 8 bytes;
 *   - the counter i starts at 0 and grows by one per 32-byte block;
 *   - each mm_rng_fill(len) takes the next ceil(len / 32) blocks and returns
 *     their first len bytes: the rest of a partial block is discarded, so
 *     every fill starts on a fresh block (fill(0) takes none);
 *   - mm_rng_uniform(bound) draws one fill of 8 bytes per attempt, reads them
 *     as a u64 x, rejects x < (2^64 mod bound) and returns x mod bound.
 *
 * The system generator is OpenSSL's RAND_bytes. */
#include "mlsmig/rng.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const char domain[] = "mlsmig rng v1";

static void put_be(uint8_t *out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static MM_MUST_USE mm_err system_fill(mm_rng *self, uint8_t *out, size_t len) {
  (void)self;
  while (len > 0) {
    int n = len > INT_MAX ? INT_MAX : (int)len;
    if (RAND_bytes(out, n) != 1) return MM_E_CRYPTO;
    out += n;
    len -= (size_t)n;
  }
  return MM_OK;
}

void mm_rng_init_system(mm_rng *r) {
  memset(r, 0, sizeof *r);
  r->fill = system_fill;
}

/* One SHA-256 over the given parts into out (32 bytes). */
static MM_MUST_USE mm_err sha256_parts(const uint8_t *const *parts, const size_t *lens, size_t n,
                                       uint8_t out[32]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned int outl = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
  for (size_t i = 0; ok && i < n; i++) ok = EVP_DigestUpdate(ctx, parts[i], lens[i]) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, out, &outl) == 1 && outl == 32;
  EVP_MD_CTX_free(ctx);
  return ok ? MM_OK : MM_E_CRYPTO;
}

static MM_MUST_USE mm_err seeded_fill(mm_rng *self, uint8_t *out, size_t len) {
  uint8_t ctr[8], block[32];
  while (len > 0) {
    put_be(ctr, self->counter, sizeof ctr);
    const uint8_t *parts[] = {self->key, ctr};
    const size_t lens[] = {sizeof self->key, sizeof ctr};
    mm_err e = sha256_parts(parts, lens, 2, block);
    if (e != MM_OK) return e;
    self->counter++;
    size_t n = len < sizeof block ? len : sizeof block;
    memcpy(out, block, n);
    out += n;
    len -= n;
  }
  OPENSSL_cleanse(block, sizeof block);
  return MM_OK;
}

void mm_rng_init_seeded(mm_rng *r, uint64_t seed, const char *label) {
  size_t llen = label ? strlen(label) : 0;
  uint8_t lenb[4], seedb[8];
  put_be(lenb, (uint64_t)llen, sizeof lenb);
  put_be(seedb, seed, sizeof seedb);
  const uint8_t *parts[] = {(const uint8_t *)domain, lenb, (const uint8_t *)(label ? label : ""),
                            seedb};
  const size_t lens[] = {sizeof domain - 1, sizeof lenb, llen, sizeof seedb};
  memset(r, 0, sizeof *r);
  /* No error channel here: a generator that cannot hash would silently give
   * predictable bytes, so stop instead. */
  if (llen > UINT32_MAX || sha256_parts(parts, lens, 4, r->key) != MM_OK) {
    fprintf(stderr, "mlsmig: cannot initialise the seeded generator\n");
    abort();
  }
  r->fill = seeded_fill;
}

mm_err mm_rng_fill(mm_rng *r, uint8_t *out, size_t len) {
  if (!r || !r->fill || (!out && len)) return MM_E_USAGE;
  return r->fill(r, out, len);
}

uint64_t mm_rng_uniform(mm_rng *r, uint64_t bound) {
  if (bound == 0) return 0; /* outside the contract: [0, 0) is empty */
  /* 2^64 mod bound: the values below it are the biased remainder */
  uint64_t threshold = ((uint64_t)0 - bound) % bound;
  for (;;) {
    uint8_t b[8];
    /* No error channel either: failing randomness must not turn into a
     * predictable answer. */
    if (mm_rng_fill(r, b, sizeof b) != MM_OK) {
      fprintf(stderr, "mlsmig: random number generator failed\n");
      abort();
    }
    uint64_t x = 0;
    for (size_t i = 0; i < sizeof b; i++) x = (x << 8) | b[i];
    if (x >= threshold) return x % bound;
  }
}

void mm_rng_wipe(mm_rng *r) {
  if (r) OPENSSL_cleanse(r, sizeof *r);
}

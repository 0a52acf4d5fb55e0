/* Ciphersuite crypto of profile section 2-3 on OpenSSL 3: SignWithLabel,
 * VerifyWithLabel and RefHash (RFC 9420 sections 5.1.2 and 5.2) for the seven
 * RFC 9420 ciphersuites. ECDSA signatures are deterministic (RFC 6979) so that
 * published vectors regenerate byte for byte; verification accepts any valid
 * signature. */
#ifndef MLSMIG_CRYPTO_H
#define MLSMIG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/bytes.h"
#include "mlsmig/error.h"
#include "mlsmig/rng.h"

#define MM_MAX_HASH_LEN 64
#define MM_MAX_SIG_LEN 139 /* DER ECDSA-Sig-Value on P-521 */
#define MM_MAX_PUB_LEN 133 /* uncompressed P-521 point */
#define MM_MAX_PRIV_LEN 66 /* P-521 scalar */

typedef enum mm_sig_alg {
  MM_SIG_ED25519,
  MM_SIG_ED448,
  MM_SIG_P256,
  MM_SIG_P384,
  MM_SIG_P521,
} mm_sig_alg;

typedef struct mm_suite {
  uint16_t id;
  const char *name; /* "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519" */
  mm_sig_alg sig;
  const char *hash; /* OpenSSL digest name: "SHA256" ... */
  size_t hash_len;
  size_t sig_len; /* exact for EdDSA, 0 for ECDSA (DER, variable) */
  size_t max_sig_len;
  size_t pub_len;
  size_t priv_len;
  size_t kem_pub_len; /* the KEM's public key (HPKEPublicKey): X25519 32, X448 56, SEC1 points */
} mm_suite;

/* mm_suite_get returns the RFC 9420 ciphersuite id (0x0001..0x0007), or NULL for any other. */
const mm_suite *mm_suite_get(uint16_t id);
/* mm_suite_at returns the i-th of the seven suites in order (i < MM_SUITE_COUNT), else NULL. */
const mm_suite *mm_suite_at(size_t i);
#define MM_SUITE_COUNT 7

typedef struct mm_key mm_key; /* a signature key pair or public key */

/* mm_key_from_private makes in *out the key pair of suite whose private key is priv (raw EdDSA, or
 * the big-endian ECDSA scalar); MM_E_MALFORMED if it is not one. */
MM_MUST_USE mm_err mm_key_from_private(uint16_t suite, const uint8_t *priv, size_t len,
                                       mm_key **out);
/* mm_key_from_public makes in *out the public key of suite encoded as pub (raw EdDSA, or
 * uncompressed SEC1); MM_E_MALFORMED if it is not a valid key. */
MM_MUST_USE mm_err mm_key_from_public(uint16_t suite, const uint8_t *pub, size_t len, mm_key **out);
/* mm_key_generate draws a key pair of suite from rng into *out (deterministic for a seeded rng). */
MM_MUST_USE mm_err mm_key_generate(uint16_t suite, mm_rng *rng, mm_key **out);
/* mm_key_free wipes the private part of k and frees it; NULL is a no-op. */
void mm_key_free(mm_key *k);
/* mm_key_suite returns the ciphersuite id of k. */
uint16_t mm_key_suite(const mm_key *k);
/* mm_key_has_private says whether k holds a private key. */
bool mm_key_has_private(const mm_key *k);
/* mm_key_public returns k's public key (raw EdDSA, or uncompressed SEC1), a view valid as long as
 * k. */
mm_view mm_key_public(const mm_key *k);
/* mm_key_private returns k's private key (raw EdDSA, or the big-endian ECDSA scalar), empty when k
 * is public only. */
mm_view mm_key_private(const mm_key *k);
/* mm_key_public_copy makes in *out another key holding only k's public part. */
MM_MUST_USE mm_err mm_key_public_copy(const mm_key *k, mm_key **out);

/* mm_sign_with_label appends to w the SignWithLabel signature by k over SignContent { opaque
 * label<V> = "MLS 1.0 " + label; opaque content<V>; }. */
MM_MUST_USE mm_err mm_sign_with_label(const mm_key *k, const char *label, const uint8_t *content,
                                      size_t content_len, mm_writer *w);
/* mm_sign_content_head writes to w the head of that SignContent (label<V> with its prefix, then the
 * length of content<V>), for a caller that signs content where it lies. */
MM_MUST_USE mm_err mm_sign_content_head(const char *label, size_t content_len, mm_writer *w);
/* mm_verify_with_label checks a VerifyWithLabel signature of content under k and label: MM_OK or
 * MM_E_BAD_SIGNATURE (MM_E_NOMEM when out of memory, no verdict). */
MM_MUST_USE mm_err mm_verify_with_label(const mm_key *k, const char *label, const uint8_t *content,
                                        size_t content_len, const uint8_t *sig, size_t sig_len);
/* mm_ref_hash computes RefHash(label, value) = Hash(RefHashInput { opaque label<V>; opaque
 * value<V>; }) with suite's hash into out (MM_MAX_HASH_LEN bytes), label used as given ("MLS 1.0
 * MigrationContent Reference"). */
MM_MUST_USE mm_err mm_ref_hash(uint16_t suite, const char *label, const uint8_t *value,
                               size_t value_len, uint8_t *out, size_t *out_len);
/* mm_hash computes the plain Hash of data with suite's hash function into out (MM_MAX_HASH_LEN
 * bytes). */
MM_MUST_USE mm_err mm_hash(uint16_t suite, const uint8_t *data, size_t len, uint8_t *out,
                           size_t *out_len);

/* mm_sign_raw appends to w a raw signature by k over msg (no label; for ECDSA the digest is the
 * suite's hash of msg), for RFC 6979 known answers. */
MM_MUST_USE mm_err mm_sign_raw(const mm_key *k, const uint8_t *msg, size_t len, mm_writer *w);
/* mm_verify_raw checks a raw signature by k over msg, as mm_sign_raw makes it: MM_OK or
 * MM_E_BAD_SIGNATURE. */
MM_MUST_USE mm_err mm_verify_raw(const mm_key *k, const uint8_t *msg, size_t len,
                                 const uint8_t *sig, size_t sig_len);

/* mm_hpke_keypair draws a key pair of the suite's KEM (RFC 9420 section
 * 17.1: DHKEM X25519, X448, P-256, P-384 or P-521) from rng: pub receives
 * the public key (kem_pub_len bytes: raw, or an uncompressed SEC1 point),
 * priv, when not NULL, the private key (raw, or the big-endian scalar;
 * MM_MAX_PRIV_LEN bytes of room). mlsmig encrypts nothing to these keys:
 * they make the HPKEPublicKey fields of trees it builds genuine. */
MM_MUST_USE mm_err mm_hpke_keypair(uint16_t suite, mm_rng *rng, uint8_t *pub, size_t *pub_len,
                                   uint8_t *priv, size_t *priv_len);

/* mm_hpke_public_from_private derives the public key of a KEM private key
 * of the suite (pub: kem_pub_len bytes of room); MM_E_MALFORMED for a key
 * of the wrong length or out of range. */
MM_MUST_USE mm_err mm_hpke_public_from_private(uint16_t suite, const uint8_t *priv, size_t priv_len,
                                               uint8_t *pub, size_t *pub_len);

/* mm_wipe zeroes the len bytes at p in a way the compiler may not elide. */
void mm_wipe(void *p, size_t len);

#endif

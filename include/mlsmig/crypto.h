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
} mm_suite;

/* NULL if the suite is not one of 0x0001..0x0007. */
const mm_suite *mm_suite_get(uint16_t id);
/* All seven, in order. */
const mm_suite *mm_suite_at(size_t i);
#define MM_SUITE_COUNT 7

typedef struct mm_key mm_key; /* a signature key pair or public key */

MM_MUST_USE mm_err mm_key_from_private(uint16_t suite, const uint8_t *priv, size_t len,
                                       mm_key **out);
MM_MUST_USE mm_err mm_key_from_public(uint16_t suite, const uint8_t *pub, size_t len, mm_key **out);
/* Draw a private key from rng (for seeded runs: deterministic). */
MM_MUST_USE mm_err mm_key_generate(uint16_t suite, mm_rng *rng, mm_key **out);
void mm_key_free(mm_key *k); /* wipes the private part */
uint16_t mm_key_suite(const mm_key *k);
bool mm_key_has_private(const mm_key *k);
mm_view mm_key_public(const mm_key *k);  /* raw / uncompressed SEC1 */
mm_view mm_key_private(const mm_key *k); /* raw / big-endian scalar; empty if public only */
/* Another handle on the same public key (no private part). */
MM_MUST_USE mm_err mm_key_public_copy(const mm_key *k, mm_key **out);

/* SignWithLabel(key, label, content): signs the serialized
 * SignContent { opaque label<V> = "MLS 1.0 " + label; opaque content<V>; }.
 * Appends the signature to w. */
MM_MUST_USE mm_err mm_sign_with_label(const mm_key *k, const char *label, const uint8_t *content,
                                      size_t content_len, mm_writer *w);
/* mm_sign_content_head writes the head of that SignContent (the label<V>
 * with its prefix, then the length of content<V>) to w, for a caller that
 * signs content where it lies. */
MM_MUST_USE mm_err mm_sign_content_head(const char *label, size_t content_len, mm_writer *w);
/* MM_OK or MM_E_BAD_SIGNATURE. */
MM_MUST_USE mm_err mm_verify_with_label(const mm_key *k, const char *label, const uint8_t *content,
                                        size_t content_len, const uint8_t *sig, size_t sig_len);
/* RefHash(label, value) = Hash(RefHashInput { opaque label<V>; opaque
 * value<V>; }) with the suite's hash; label is used as given (callers pass
 * "MLS 1.0 MigrationContent Reference"). out must hold MM_MAX_HASH_LEN. */
MM_MUST_USE mm_err mm_ref_hash(uint16_t suite, const char *label, const uint8_t *value,
                               size_t value_len, uint8_t *out, size_t *out_len);
/* Plain Hash with the suite's hash function. */
MM_MUST_USE mm_err mm_hash(uint16_t suite, const uint8_t *data, size_t len, uint8_t *out,
                           size_t *out_len);

/* Raw ECDSA/EdDSA over a message (no label), for RFC 6979 known answers:
 * for ECDSA the digest is the suite's hash of msg. */
MM_MUST_USE mm_err mm_sign_raw(const mm_key *k, const uint8_t *msg, size_t len, mm_writer *w);
MM_MUST_USE mm_err mm_verify_raw(const mm_key *k, const uint8_t *msg, size_t len,
                                 const uint8_t *sig, size_t sig_len);

/* Wipe memory the compiler may not elide. */
void mm_wipe(void *p, size_t len);

#endif

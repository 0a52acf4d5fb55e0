/* Internal: prime-curve ECDSA pieces that OpenSSL 3.0 does not offer without
 * the deprecated EC_KEY API -- deterministic signing (RFC 6979, HMAC-DRBG
 * nonces), public key derivation and public key validation. Curves are named
 * by OpenSSL NID (NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1).
 * Scalars are big-endian and exactly ceil(qlen/8) bytes long; points are
 * uncompressed SEC1. */
#ifndef MLSMIG_ECDSA_RFC6979_H
#define MLSMIG_ECDSA_RFC6979_H

#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

/* pub receives the uncompressed point (capacity MM_MAX_PUB_LEN).
 * MM_E_MALFORMED unless priv has the exact length and lies in [1, n-1]. */
MM_MUST_USE mm_err mm_ec_public_from_private(int nid, const uint8_t *priv, size_t len, uint8_t *pub,
                                             size_t *pub_len);

/* MM_OK iff pub is an uncompressed point of the right length on the curve
 * (not the point at infinity); MM_E_MALFORMED otherwise. */
MM_MUST_USE mm_err mm_ec_check_public(int nid, const uint8_t *pub, size_t len);

/* Deterministic ECDSA over a digest computed with md_name (an OpenSSL digest
 * name, also the HMAC hash of RFC 6979 section 3.2). Writes the DER
 * ECDSA-Sig-Value to sig (capacity MM_MAX_SIG_LEN). */
MM_MUST_USE mm_err mm_ecdsa_sign_rfc6979(int nid, const char *md_name, const uint8_t *priv,
                                         size_t priv_len, const uint8_t *digest, size_t digest_len,
                                         uint8_t *sig, size_t *sig_len);

#endif

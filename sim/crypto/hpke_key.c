/* Key pairs of the seven suites' KEMs (RFC 9420 section 17.1), for the
 * HPKEPublicKey fields of ratchet trees that mlsmig's members build. The
 * NIST curves reuse the ECDSA key code of the same curve (a DH public key is
 * the same uncompressed SEC1 point); X25519 and X448 go through EVP. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "mlsmig/crypto.h"

/* X25519 / X448 private key lengths (RFC 7748). */
#define X25519_LEN 32
#define X448_LEN 56

/* The X25519 / X448 public key of sk. */
static mm_err x_public(const mm_suite *s, const uint8_t *sk, size_t n, uint8_t *pub,
                       size_t *pub_len) {
  bool x25519 = s->sig == MM_SIG_ED25519;
  if (n != (x25519 ? X25519_LEN : X448_LEN)) return MM_E_MALFORMED;
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(x25519 ? EVP_PKEY_X25519 : EVP_PKEY_X448, NULL, sk, n);
  size_t got = s->kem_pub_len;
  mm_err e = k && EVP_PKEY_get_raw_public_key(k, pub, &got) == 1 && got == s->kem_pub_len
                 ? MM_OK
                 : MM_E_CRYPTO;
  EVP_PKEY_free(k);
  ERR_clear_error();
  if (e == MM_OK) *pub_len = got;
  return e;
}

mm_err mm_hpke_public_from_private(uint16_t suite, const uint8_t *priv, size_t priv_len,
                                   uint8_t *pub, size_t *pub_len) {
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  if (!priv || !pub || !pub_len) return MM_E_USAGE;
  if (s->sig == MM_SIG_ED25519 || s->sig == MM_SIG_ED448)
    return x_public(s, priv, priv_len, pub, pub_len);
  mm_key *k = NULL;
  mm_err e = mm_key_from_private(suite, priv, priv_len, &k);
  if (e != MM_OK) return e;
  mm_view p = mm_key_public(k);
  memcpy(pub, p.data, p.len);
  *pub_len = p.len;
  mm_key_free(k);
  return MM_OK;
}

static mm_err x_keypair(const mm_suite *s, mm_rng *rng, uint8_t *pub, size_t *pub_len,
                        uint8_t *priv, size_t *priv_len) {
  size_t n = s->sig == MM_SIG_ED25519 ? X25519_LEN : X448_LEN;
  uint8_t sk[X448_LEN];
  mm_err e = mm_rng_fill(rng, sk, n);
  if (e == MM_OK) e = x_public(s, sk, n, pub, pub_len);
  if (e == MM_OK && priv) {
    memcpy(priv, sk, n);
    *priv_len = n;
  }
  mm_wipe(sk, sizeof sk);
  return e;
}

mm_err mm_hpke_keypair(uint16_t suite, mm_rng *rng, uint8_t *pub, size_t *pub_len, uint8_t *priv,
                       size_t *priv_len) {
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  if (!rng || !pub || !pub_len || (priv && !priv_len)) return MM_E_USAGE;
  if (s->sig == MM_SIG_ED25519 || s->sig == MM_SIG_ED448)
    return x_keypair(s, rng, pub, pub_len, priv, priv_len);
  /* Each NIST suite signs and agrees keys on the same curve. */
  mm_key *k = NULL;
  mm_err e = mm_key_generate(suite, rng, &k);
  if (e != MM_OK) return e;
  mm_view p = mm_key_public(k), sk = mm_key_private(k);
  memcpy(pub, p.data, p.len);
  *pub_len = p.len;
  if (priv) {
    memcpy(priv, sk.data, sk.len);
    *priv_len = sk.len;
  }
  mm_key_free(k);
  return MM_OK;
}

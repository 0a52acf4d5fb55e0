/* Keys, SignWithLabel, VerifyWithLabel, RefHash and Hash for the seven
 * RFC 9420 ciphersuites on OpenSSL 3 (profile sections 2 and 3).
 *
 * EdDSA goes through EVP entirely (pure Ed25519/Ed448, no context string, as
 * RFC 9420 uses them). ECDSA verifies through EVP_DigestVerify, so any valid
 * signature is accepted, but signs with the deterministic nonces of RFC 6979
 * (ecdsa_rfc6979.c) so that one key and one message give one signature. */
#include "mlsmig/crypto.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/crypto_stats.h"
#include "crypto/ecdsa_rfc6979.h"

struct mm_key {
  const mm_suite *suite;
  EVP_PKEY *pkey; /* verifies; also signs for EdDSA */
  uint8_t pub[MM_MAX_PUB_LEN];
  size_t pub_len;
  uint8_t priv[MM_MAX_PRIV_LEN];
  size_t priv_len; /* 0 for a public key */
};

/* RFC 9420 section 5.1.2 */
static const char sign_label_prefix[] = "MLS 1.0 ";

/* ---- operation counters (crypto_stats.h) ---- */

static _Atomic uint64_t n_signs, n_verifies, n_sign_bytes, n_verify_bytes, n_hash_bytes, n_hashes;

static void count(_Atomic uint64_t *c, uint64_t v) {
  atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

void mm_crypto_stats_get(mm_crypto_stats *out) {
  out->signs = atomic_load_explicit(&n_signs, memory_order_relaxed);
  out->verifies = atomic_load_explicit(&n_verifies, memory_order_relaxed);
  out->sign_bytes = atomic_load_explicit(&n_sign_bytes, memory_order_relaxed);
  out->verify_bytes = atomic_load_explicit(&n_verify_bytes, memory_order_relaxed);
  out->hash_bytes = atomic_load_explicit(&n_hash_bytes, memory_order_relaxed);
  out->hashes = atomic_load_explicit(&n_hashes, memory_order_relaxed);
}

mm_crypto_stats mm_crypto_stats_diff(const mm_crypto_stats *b, const mm_crypto_stats *a) {
  return (mm_crypto_stats){b->signs - a->signs,           b->verifies - a->verifies,
                           b->sign_bytes - a->sign_bytes, b->verify_bytes - a->verify_bytes,
                           b->hash_bytes - a->hash_bytes, b->hashes - a->hashes};
}

void mm_wipe(void *p, size_t len) {
  if (p && len) OPENSSL_cleanse(p, len);
}

/* ---- algorithm facts ---- */

static bool is_ecdsa(mm_sig_alg a) {
  return a == MM_SIG_P256 || a == MM_SIG_P384 || a == MM_SIG_P521;
}

static int ec_nid(mm_sig_alg a) {
  switch (a) {
  case MM_SIG_P256: return NID_X9_62_prime256v1;
  case MM_SIG_P384: return NID_secp384r1;
  case MM_SIG_P521: return NID_secp521r1;
  default: return NID_undef;
  }
}

static const char *ec_group_name(mm_sig_alg a) {
  switch (a) {
  case MM_SIG_P256: return "P-256";
  case MM_SIG_P384: return "P-384";
  default: return "P-521";
  }
}

static int ed_type(mm_sig_alg a) { return a == MM_SIG_ED25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448; }

/* ---- EdDSA public key validation ---- */

/* The curve constants: p, d, and a (-1 for edwards25519, 1 for edwards448). */
static bool ed_constants(mm_sig_alg alg, BIGNUM *p, BIGNUM *d, int *a, BN_CTX *bn) {
  BIGNUM *t = BN_CTX_get(bn);
  if (!t) return false;
  if (alg == MM_SIG_ED25519) {
    *a = -1; /* p = 2^255 - 19, d = -121665 / 121666 */
    return BN_set_bit(p, 255) && BN_sub_word(p, 19) && BN_set_word(t, 121666) &&
           BN_mod_inverse(d, t, p, bn) && BN_mul_word(d, 121665) && BN_nnmod(d, d, p, bn) &&
           BN_sub(d, p, d);
  }
  *a = 1; /* p = 2^448 - 2^224 - 1, d = -39081 */
  return BN_set_bit(p, 448) && BN_set_bit(t, 224) && BN_add_word(t, 1) && BN_sub(p, p, t) &&
         BN_copy(d, p) && BN_sub_word(d, 39081);
}

/* The constants of one curve, computed once per process (d takes a modular
 * inverse) and then only read; published like the digests above. */
typedef struct ed_curve {
  BIGNUM *p, *d;
  int a;
} ed_curve;

static _Atomic(ed_curve *) ed_cache[2];

static void ed_curve_free(ed_curve *c) {
  if (!c) return;
  BN_free(c->p);
  BN_free(c->d);
  free(c);
}

static const ed_curve *ed_curve_get(mm_sig_alg alg) {
  _Atomic(ed_curve *) *slot = &ed_cache[alg == MM_SIG_ED25519 ? 0 : 1];
  ed_curve *c = atomic_load_explicit(slot, memory_order_acquire);
  if (c) return c;
  ed_curve *fresh = calloc(1, sizeof *fresh);
  BN_CTX *bn = BN_CTX_new();
  bool ok = fresh && bn && (fresh->p = BN_new()) && (fresh->d = BN_new());
  if (ok) {
    BN_CTX_start(bn);
    ok = ed_constants(alg, fresh->p, fresh->d, &fresh->a, bn);
    BN_CTX_end(bn);
  }
  BN_CTX_free(bn);
  if (!ok) {
    ed_curve_free(fresh);
    return NULL;
  }
  if (atomic_compare_exchange_strong_explicit(slot, &c, fresh, memory_order_acq_rel,
                                              memory_order_acquire))
    return fresh;
  ed_curve_free(fresh);
  return c;
}

/* RFC 8032 sections 5.1.3 and 5.2.3, decoding up to the square root: the
 * encoding is a point iff y < p and x^2 = (y^2 - 1) / (d y^2 - a) has a root
 * (which must not be 0 when the sign bit of x is set). OpenSSL imports raw
 * EdDSA public keys unchecked, so this is where MM_E_MALFORMED comes from. */
static MM_MUST_USE mm_err ed_check_public(mm_sig_alg alg, const uint8_t *pub, size_t len) {
  uint8_t buf[57];
  if (len > sizeof buf) return MM_E_MALFORMED;
  memcpy(buf, pub, len);
  int sign = buf[len - 1] >> 7;
  buf[len - 1] &= 0x7f;

  const ed_curve *cv = ed_curve_get(alg);
  BN_CTX *bn = cv ? BN_CTX_new() : NULL;
  if (!bn) return MM_E_NOMEM;
  BN_CTX_start(bn);
  BIGNUM *y = BN_CTX_get(bn), *u = BN_CTX_get(bn), *v = BN_CTX_get(bn);
  BIGNUM *x2 = BN_CTX_get(bn);
  const BIGNUM *p = cv->p, *d = cv->d;
  mm_err e = MM_E_CRYPTO;
  if (x2 && BN_lebin2bn(buf, (int)len, y)) {
    const BIGNUM *one = BN_value_one();
    e = MM_E_MALFORMED;
    if (BN_cmp(y, p) < 0 && BN_mod_sqr(x2, y, p, bn) && BN_mod_sub(u, x2, one, p, bn) &&
        BN_mod_mul(v, d, x2, p, bn) &&
        (cv->a < 0 ? BN_mod_add(v, v, one, p, bn) : BN_mod_sub(v, v, one, p, bn)) &&
        !BN_is_zero(v) && BN_mod_inverse(v, v, p, bn) && BN_mod_mul(x2, u, v, p, bn)) {
      bool ok = BN_is_zero(x2) ? !sign : BN_kronecker(x2, p, bn) == 1;
      if (ok) e = MM_OK;
    }
  }
  BN_CTX_end(bn);
  BN_CTX_free(bn);
  return e;
}

/* ---- building keys ---- */

/* The EVP_PKEY of an ECDSA key, from the point (and the scalar, if any). */
static MM_MUST_USE mm_err ec_pkey(mm_key *k) {
  int selection = k->priv_len ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  BIGNUM *x = NULL;
  mm_err e = MM_E_CRYPTO;
  bool ok = bld &&
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            ec_group_name(k->suite->sig), 0) &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->pub, k->pub_len);
  if (ok && k->priv_len) {
    x = BN_secure_new();
    ok = x && BN_bin2bn(k->priv, (int)k->priv_len, x) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x);
  }
  if (ok) params = OSSL_PARAM_BLD_to_param(bld);
  if (params) ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &k->pkey, selection, params) == 1)
    e = MM_OK;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(x);
  return e;
}

/* The EVP_PKEY of an EdDSA key; with a private key, also fills pub. */
static MM_MUST_USE mm_err ed_pkey(mm_key *k) {
  int type = ed_type(k->suite->sig);
  if (!k->priv_len) {
    k->pkey = EVP_PKEY_new_raw_public_key(type, NULL, k->pub, k->pub_len);
    return k->pkey ? MM_OK : MM_E_CRYPTO;
  }
  k->pkey = EVP_PKEY_new_raw_private_key(type, NULL, k->priv, k->priv_len);
  size_t n = sizeof k->pub;
  if (!k->pkey || EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &n) != 1 || n != k->suite->pub_len)
    return MM_E_CRYPTO;
  k->pub_len = n;
  return MM_OK;
}

static MM_MUST_USE mm_err key_new(uint16_t suite, mm_key **out, mm_key **k) {
  if (!out) return MM_E_USAGE;
  *out = NULL;
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  *k = calloc(1, sizeof **k);
  if (!*k) return MM_E_NOMEM;
  (*k)->suite = s;
  return MM_OK;
}

/* Hand k out on success, destroy it otherwise. */
static MM_MUST_USE mm_err key_done(mm_key *k, mm_err e, mm_key **out) {
  ERR_clear_error(); /* never leave OpenSSL reasons behind for callers */
  if (e == MM_OK)
    *out = k;
  else
    mm_key_free(k);
  return e;
}

mm_err mm_key_from_private(uint16_t suite, const uint8_t *priv, size_t len, mm_key **out) {
  mm_key *k = NULL;
  mm_err e = key_new(suite, out, &k);
  if (e != MM_OK) return e;
  const mm_suite *s = k->suite;
  if (!priv || len != s->priv_len) return key_done(k, MM_E_MALFORMED, out);
  memcpy(k->priv, priv, len);
  k->priv_len = len;
  if (is_ecdsa(s->sig)) {
    e = mm_ec_public_from_private(ec_nid(s->sig), priv, len, k->pub, &k->pub_len);
    if (e == MM_OK) e = ec_pkey(k);
  } else {
    e = ed_pkey(k);
  }
  return key_done(k, e, out);
}

mm_err mm_key_from_public(uint16_t suite, const uint8_t *pub, size_t len, mm_key **out) {
  mm_key *k = NULL;
  mm_err e = key_new(suite, out, &k);
  if (e != MM_OK) return e;
  const mm_suite *s = k->suite;
  if (!pub || len != s->pub_len) return key_done(k, MM_E_MALFORMED, out);
  e = is_ecdsa(s->sig) ? mm_ec_check_public(ec_nid(s->sig), pub, len)
                       : ed_check_public(s->sig, pub, len);
  if (e == MM_OK) {
    memcpy(k->pub, pub, len);
    k->pub_len = len;
    e = is_ecdsa(s->sig) ? ec_pkey(k) : ed_pkey(k);
  }
  return key_done(k, e, out);
}

/* More draws than a working generator will ever need: an ECDSA candidate is
 * out of range with probability below 2^-32. */
#define KEYGEN_ATTEMPTS 64

mm_err mm_key_generate(uint16_t suite, mm_rng *rng, mm_key **out) {
  if (!out || !rng) return MM_E_USAGE;
  *out = NULL;
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  uint8_t buf[MM_MAX_PRIV_LEN];
  mm_err e = MM_E_CRYPTO;
  for (int i = 0; i < KEYGEN_ATTEMPTS; i++) {
    e = mm_rng_fill(rng, buf, s->priv_len);
    if (e != MM_OK) break;
    /* P-521 scalars have 521 bits in 66 bytes: keep the top byte's low bit
     * so that rejection below n succeeds almost always. */
    if (s->sig == MM_SIG_P521) buf[0] &= 0x01;
    /* EdDSA takes any bytes; ECDSA rejects 0 and >= n with MM_E_MALFORMED,
     * which means: draw again. */
    e = mm_key_from_private(suite, buf, s->priv_len, out);
    if (e != MM_E_MALFORMED) break;
    e = MM_E_CRYPTO;
  }
  mm_wipe(buf, sizeof buf);
  return e;
}

void mm_key_free(mm_key *k) {
  if (!k) return;
  EVP_PKEY_free(k->pkey); /* OpenSSL clears its own copy of the secret */
  OPENSSL_cleanse(k, sizeof *k);
  free(k);
}

uint16_t mm_key_suite(const mm_key *k) { return k->suite->id; }

bool mm_key_has_private(const mm_key *k) { return k->priv_len != 0; }

mm_view mm_key_public(const mm_key *k) { return mm_view_of(k->pub, k->pub_len); }

mm_view mm_key_private(const mm_key *k) {
  return k->priv_len ? mm_view_of(k->priv, k->priv_len) : mm_view_of(NULL, 0);
}

mm_err mm_key_public_copy(const mm_key *k, mm_key **out) {
  if (!k) return MM_E_USAGE;
  return mm_key_from_public(k->suite->id, k->pub, k->pub_len, out);
}

/* ---- hashes ---- */

/* One fetch per suite for the life of the process: fetching a digest takes
 * locks and a method-store lookup, which for a small message costs more than
 * hashing it. A lost race frees its own fetch and uses the winner's. */
static _Atomic(EVP_MD *) md_cache[MM_SUITE_COUNT + 1];

static const EVP_MD *suite_md(const mm_suite *s) {
  _Atomic(EVP_MD *) *slot = &md_cache[s->id];
  EVP_MD *md = atomic_load_explicit(slot, memory_order_acquire);
  if (md) return md;
  EVP_MD *fresh = EVP_MD_fetch(NULL, s->hash, NULL);
  if (!fresh) return NULL;
  if (atomic_compare_exchange_strong_explicit(slot, &md, fresh, memory_order_acq_rel,
                                              memory_order_acquire))
    return fresh;
  EVP_MD_free(fresh);
  return md;
}

/* The suite's hash over parts, in order, uncounted: large values are hashed
 * where they lie, never copied behind a header first. */
static MM_MUST_USE mm_err digest_parts(const mm_suite *s, const mm_view *parts, size_t n,
                                       uint8_t *out, size_t *out_len) {
  const EVP_MD *md = suite_md(s);
  EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
  unsigned int len = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1;
  for (size_t i = 0; ok && i < n; i++)
    if (parts[i].len) ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != s->hash_len) return MM_E_CRYPTO;
  *out_len = len;
  return MM_OK;
}

static size_t parts_len(const mm_view *parts, size_t n) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) len += parts[i].len;
  return len;
}

mm_err mm_hash(uint16_t suite, const uint8_t *data, size_t len, uint8_t *out, size_t *out_len) {
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  if (!out || !out_len || (!data && len)) return MM_E_USAGE;
  count(&n_hash_bytes, len);
  count(&n_hashes, 1);
  mm_view part = mm_view_of(data, len);
  return digest_parts(s, &part, 1, out, out_len);
}

mm_err mm_ref_hash(uint16_t suite, const char *label, const uint8_t *value, size_t value_len,
                   uint8_t *out, size_t *out_len) {
  if (!label || (!value && value_len)) return MM_E_USAGE;
  if (value_len > MM_VARINT_MAX) return MM_E_MALFORMED;
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  if (!out || !out_len) return MM_E_USAGE;
  /* RefHashInput { opaque label<V>; opaque value<V>; } -- label as given:
   * the MLS working group's vectors hash "RefHash" without a prefix. The
   * header is written out; the value is hashed in place. */
  mm_writer head;
  mm_writer_init(&head);
  mm_put_vec(&head, (const uint8_t *)label, strlen(label));
  mm_put_varint(&head, (uint32_t)value_len);
  mm_err e = head.error;
  if (e == MM_OK) {
    mm_view parts[2] = {mm_writer_view(&head), mm_view_of(value, value_len)};
    count(&n_hash_bytes, parts_len(parts, 2));
    count(&n_hashes, 1);
    e = digest_parts(s, parts, 2, out, out_len);
  }
  mm_writer_free(&head);
  return e;
}

/* ---- signatures ---- */

/* Pure EdDSA takes its message in one call: the parts, joined. */
static MM_MUST_USE mm_err join_parts(const mm_view *parts, size_t n, mm_writer *w) {
  mm_writer_reserve(w, parts_len(parts, n));
  for (size_t i = 0; i < n; i++) mm_put_bytes(w, parts[i].data, parts[i].len);
  return w->error;
}

static MM_MUST_USE mm_err ecdsa_sign(const mm_key *k, const mm_view *parts, size_t n, uint8_t *sig,
                                     size_t *sig_len) {
  uint8_t dg[MM_MAX_HASH_LEN];
  size_t dlen = 0;
  mm_err e = digest_parts(k->suite, parts, n, dg, &dlen);
  if (e != MM_OK) return e;
  return mm_ecdsa_sign_rfc6979(ec_nid(k->suite->sig), k->suite->hash, k->priv, k->priv_len, dg,
                               dlen, sig, sig_len);
}

static MM_MUST_USE mm_err eddsa_sign(const mm_key *k, const uint8_t *msg, size_t len, uint8_t *sig,
                                     size_t *sig_len) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t n = MM_MAX_SIG_LEN;
  /* pure EdDSA: no digest, the whole message goes in one call */
  int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
           EVP_DigestSign(ctx, sig, &n, msg ? msg : (const uint8_t *)"", len) == 1 &&
           n == k->suite->sig_len;
  EVP_MD_CTX_free(ctx);
  if (!ok) return MM_E_CRYPTO;
  *sig_len = n;
  return MM_OK;
}

#ifdef MM_FUZZ_CHEAP_SIGNATURES
/* Fuzz builds only (`make fuzz-ds-cheap`): a "signature" is the suite's
 * hash over a fixed label, the public key and the message, repeated to the
 * signature's length. Anyone holding the public key can make one, but a
 * fuzzer cannot (it would have to compute a hash), so the actors see the
 * same accept/refuse decisions as with real signatures at a thousandth of
 * the cost; the stateful target then explores far more schedules per
 * second. Never defined in a build that is installed or tested. */
static MM_MUST_USE mm_err cheap_tag(const mm_key *k, const mm_view *parts, size_t n, uint8_t *sig,
                                    size_t *sig_len) {
  static const char label[] = "mlsmig fuzz-only signature tag";
  uint8_t tag[MM_MAX_HASH_LEN];
  size_t tag_len = 0;
  mm_view head[2] = {mm_view_of((const uint8_t *)label, sizeof label),
                     mm_view_of(k->pub, k->pub_len)};
  const EVP_MD *md = suite_md(k->suite);
  EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
  unsigned int len = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1;
  for (size_t i = 0; ok && i < 2 + n; i++) {
    const mm_view *v = i < 2 ? &head[i] : &parts[i - 2];
    if (v->len) ok = EVP_DigestUpdate(ctx, v->data, v->len) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, tag, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return MM_E_CRYPTO;
  tag_len = len;
  if (is_ecdsa(k->suite->sig)) { /* DER SEQUENCE { INTEGER 01||t1, INTEGER 01||t2 } */
    size_t half = tag_len / 2, at = 0;
    sig[at++] = 0x30;
    sig[at++] = (uint8_t)(2 * (2 + 1 + half));
    for (int i = 0; i < 2; i++) {
      sig[at++] = 0x02;
      sig[at++] = (uint8_t)(1 + half);
      sig[at++] = 0x01;
      memcpy(sig + at, tag + i * half, half);
      at += half;
    }
    *sig_len = at;
    return MM_OK;
  }
  for (size_t i = 0; i < k->suite->sig_len; i++) sig[i] = tag[i % tag_len];
  *sig_len = k->suite->sig_len;
  return MM_OK;
}
#endif

/* Signs the concatenation of parts and appends the signature to w. */
static MM_MUST_USE mm_err sign_parts(const mm_key *k, const mm_view *parts, size_t n,
                                     mm_writer *w) {
  uint8_t sig[MM_MAX_SIG_LEN];
  size_t sig_len = 0;
  count(&n_signs, 1);
  count(&n_sign_bytes, parts_len(parts, n));
  mm_err e;
#ifdef MM_FUZZ_CHEAP_SIGNATURES
  if (true) {
    e = cheap_tag(k, parts, n, sig, &sig_len);
  } else
#endif
      if (is_ecdsa(k->suite->sig)) {
    e = ecdsa_sign(k, parts, n, sig, &sig_len);
  } else if (n == 1) {
    e = eddsa_sign(k, parts[0].data, parts[0].len, sig, &sig_len);
  } else {
    mm_writer msg;
    mm_writer_init(&msg);
    e = join_parts(parts, n, &msg);
    if (e == MM_OK) e = eddsa_sign(k, msg.buf, msg.len, sig, &sig_len);
    mm_writer_free(&msg);
  }
  ERR_clear_error();
  if (e == MM_OK && !mm_put_bytes(w, sig, sig_len)) e = w->error != MM_OK ? w->error : MM_E_NOMEM;
  return e;
}

mm_err mm_sign_raw(const mm_key *k, const uint8_t *msg, size_t len, mm_writer *w) {
  if (!k || !w || (!msg && len) || !k->priv_len) return MM_E_USAGE;
  mm_view part = mm_view_of(msg, len);
  return sign_parts(k, &part, 1, w);
}

/* ECDSA streams the parts through the digest; EdDSA verifies them joined. */
static MM_MUST_USE mm_err verify_parts(const mm_key *k, const mm_view *parts, size_t n,
                                       const uint8_t *sig, size_t sig_len) {
  const mm_suite *s = k->suite;
  bool ecdsa = is_ecdsa(s->sig);
  /* EdDSA signatures have one length; DER ones a bound (ENC-4) */
  if (!sig || (ecdsa ? sig_len > s->max_sig_len : sig_len != s->sig_len)) return MM_E_BAD_SIGNATURE;
  count(&n_verifies, 1);
  count(&n_verify_bytes, parts_len(parts, n));
#ifdef MM_FUZZ_CHEAP_SIGNATURES
  {
    uint8_t tag[MM_MAX_SIG_LEN];
    size_t tag_len = 0;
    mm_err te = cheap_tag(k, parts, n, tag, &tag_len);
    if (te != MM_OK) return te;
    return tag_len == sig_len && memcmp(tag, sig, sig_len) == 0 ? MM_OK : MM_E_BAD_SIGNATURE;
  }
#endif
  mm_writer joined;
  mm_writer_init(&joined);
  const EVP_MD *md = ecdsa ? suite_md(s) : NULL;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  mm_err e = MM_E_CRYPTO;
  if (ctx && (md || !ecdsa) && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1) {
    if (ecdsa) {
      int ok = 1;
      for (size_t i = 0; ok == 1 && i < n; i++)
        if (parts[i].len) ok = EVP_DigestVerifyUpdate(ctx, parts[i].data, parts[i].len);
      e = ok == 1 && EVP_DigestVerifyFinal(ctx, sig, sig_len) == 1 ? MM_OK : MM_E_BAD_SIGNATURE;
    } else {
      mm_view msg = n == 1 ? parts[0] : mm_view_of(NULL, 0);
      e = n == 1 ? MM_OK : join_parts(parts, n, &joined);
      if (e == MM_OK && n != 1) msg = mm_writer_view(&joined);
      if (e == MM_OK)
        e = EVP_DigestVerify(ctx, sig, sig_len, msg.data ? msg.data : (const uint8_t *)"",
                             msg.len) == 1
                ? MM_OK
                : MM_E_BAD_SIGNATURE;
    }
  }
  EVP_MD_CTX_free(ctx);
  mm_writer_free(&joined);
  ERR_clear_error();
  return e;
}

mm_err mm_verify_raw(const mm_key *k, const uint8_t *msg, size_t len, const uint8_t *sig,
                     size_t sig_len) {
  if (!k || (!msg && len)) return MM_E_USAGE;
  mm_view part = mm_view_of(msg, len);
  return verify_parts(k, &part, 1, sig, sig_len);
}

/* The head of SignContent { opaque label<V> = "MLS 1.0 " + label; opaque
 * content<V>; }: everything but the content's bytes. */
mm_err mm_sign_content_head(const char *label, size_t content_len, mm_writer *w) {
  if (content_len > MM_VARINT_MAX) return MM_E_MALFORMED;
  size_t mark = mm_vec_begin(w);
  mm_put_bytes(w, (const uint8_t *)sign_label_prefix, sizeof sign_label_prefix - 1);
  mm_put_bytes(w, (const uint8_t *)label, strlen(label));
  mm_vec_end(w, mark);
  mm_put_varint(w, (uint32_t)content_len);
  return w->error;
}

mm_err mm_sign_with_label(const mm_key *k, const char *label, const uint8_t *content,
                          size_t content_len, mm_writer *w) {
  if (!k || !label || !w || (!content && content_len)) return MM_E_USAGE;
  mm_writer head;
  mm_writer_init(&head);
  mm_err e = mm_sign_content_head(label, content_len, &head);
  if (e == MM_OK && !k->priv_len) e = MM_E_USAGE;
  if (e == MM_OK) {
    mm_view parts[2] = {mm_writer_view(&head), mm_view_of(content, content_len)};
    e = sign_parts(k, parts, 2, w);
  }
  mm_writer_free(&head);
  return e;
}

mm_err mm_verify_with_label(const mm_key *k, const char *label, const uint8_t *content,
                            size_t content_len, const uint8_t *sig, size_t sig_len) {
  if (!k || !label || (!content && content_len)) return MM_E_USAGE;
  mm_writer head;
  mm_writer_init(&head);
  mm_err e = mm_sign_content_head(label, content_len, &head);
  if (e == MM_OK) {
    mm_view parts[2] = {mm_writer_view(&head), mm_view_of(content, content_len)};
    e = verify_parts(k, parts, 2, sig, sig_len);
  }
  mm_writer_free(&head);
  return e;
}

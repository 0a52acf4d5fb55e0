/* Deterministic ECDSA (RFC 6979 section 3.2) on BIGNUM and EC_POINT_mul.
 *
 * OpenSSL 3.0 signs ECDSA only with random nonces, and its EC_KEY API is
 * deprecated; published vectors must regenerate byte for byte, so the nonce
 * and the signature equation live here. Secrets (x, k) are BIGNUMs flagged
 * BN_FLG_CONSTTIME, k is inverted by Fermat with BN_mod_exp_mont_consttime,
 * and every secret buffer is cleansed before it is released. The remaining
 * modular multiplications are not hardened against timing attacks: this code
 * signs in a simulator and a conformance harness, not in a hostile setting. */
#include "crypto/ecdsa_rfc6979.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "mlsmig/crypto.h"

/* A retry happens with probability about 2^-128 per attempt; the bound only
 * guarantees termination if something is badly wrong. */
#define MAX_ATTEMPTS 64

/* ---- the curve ---- */

typedef struct curve {
  EC_GROUP *group;
  const BIGNUM *n; /* the group order q, owned by group */
  int qlen;        /* bits of n */
  size_t rlen;     /* bytes of a scalar: ceil(qlen / 8) */
  size_t flen;     /* bytes of a field element */
  BN_CTX *bn;
} curve;

static void curve_close(curve *c) {
  EC_GROUP_free(c->group);
  BN_CTX_free(c->bn);
  memset(c, 0, sizeof *c);
}

static bool curve_open(curve *c, int nid) {
  memset(c, 0, sizeof *c);
  c->group = EC_GROUP_new_by_curve_name(nid);
  c->bn = BN_CTX_secure_new();
  if (!c->group || !c->bn) {
    curve_close(c);
    return false;
  }
  c->n = EC_GROUP_get0_order(c->group);
  c->qlen = BN_num_bits(c->n);
  c->rlen = (size_t)(c->qlen + 7) / 8;
  c->flen = (size_t)(EC_GROUP_get_degree(c->group) + 7) / 8;
  return true;
}

/* The private scalar as a constant-time BIGNUM, checked to be in [1, n-1]. */
static MM_MUST_USE mm_err load_scalar(const curve *c, const uint8_t *priv, size_t len,
                                      BIGNUM **out) {
  if (!priv || len != c->rlen) return MM_E_MALFORMED;
  BIGNUM *x = BN_secure_new();
  if (!x) return MM_E_NOMEM;
  BN_set_flags(x, BN_FLG_CONSTTIME);
  if (!BN_bin2bn(priv, (int)len, x)) {
    BN_clear_free(x);
    return MM_E_CRYPTO;
  }
  if (BN_is_zero(x) || BN_cmp(x, c->n) >= 0) {
    BN_clear_free(x);
    return MM_E_MALFORMED;
  }
  *out = x;
  return MM_OK;
}

mm_err mm_ec_public_from_private(int nid, const uint8_t *priv, size_t len, uint8_t *pub,
                                 size_t *pub_len) {
  curve c;
  if (!curve_open(&c, nid)) return MM_E_CRYPTO;
  BIGNUM *x = NULL;
  EC_POINT *p = NULL;
  mm_err e = load_scalar(&c, priv, len, &x);
  if (e == MM_OK) {
    p = EC_POINT_new(c.group);
    size_t n = 0;
    if (p && EC_POINT_mul(c.group, p, x, NULL, NULL, c.bn))
      n = EC_POINT_point2oct(c.group, p, POINT_CONVERSION_UNCOMPRESSED, pub, MM_MAX_PUB_LEN, c.bn);
    if (n == 1 + 2 * c.flen)
      *pub_len = n;
    else
      e = MM_E_CRYPTO;
  }
  EC_POINT_free(p);
  BN_clear_free(x);
  curve_close(&c);
  return e;
}

mm_err mm_ec_check_public(int nid, const uint8_t *pub, size_t len) {
  curve c;
  if (!curve_open(&c, nid)) return MM_E_CRYPTO;
  mm_err e = MM_E_MALFORMED;
  EC_POINT *p = NULL;
  /* Only the uncompressed form (0x04 || X || Y) is allowed (SUITE-1). */
  if (pub && len == 1 + 2 * c.flen && pub[0] == 0x04) {
    p = EC_POINT_new(c.group);
    if (!p) e = MM_E_NOMEM;
    /* oct2point rejects coordinates >= p and points off the curve; the
     * explicit checks keep that independent of OpenSSL internals. */
    else if (EC_POINT_oct2point(c.group, p, pub, len, c.bn) == 1 &&
             !EC_POINT_is_at_infinity(c.group, p) && EC_POINT_is_on_curve(c.group, p, c.bn) == 1)
      e = MM_OK;
  }
  ERR_clear_error(); /* a rejected point leaves reasons on the queue */
  EC_POINT_free(p);
  curve_close(&c);
  return e;
}

/* ---- RFC 6979 section 2.3 conversions ---- */

/* bits2int: the leftmost qlen bits of b as an integer. */
static bool bits2int(const uint8_t *b, size_t len, int qlen, BIGNUM *out) {
  if (!BN_bin2bn(b, (int)len, out)) return false;
  if (len * 8 > (size_t)qlen) return BN_rshift(out, out, (int)(len * 8) - qlen);
  return true;
}

/* bits2octets: bits2int reduced once mod q, as rlen bytes. */
static bool bits2octets(const curve *c, const uint8_t *h, size_t hlen, uint8_t *out) {
  BN_CTX_start(c->bn);
  BIGNUM *z = BN_CTX_get(c->bn);
  bool ok = z && bits2int(h, hlen, c->qlen, z) && (BN_cmp(z, c->n) < 0 || BN_sub(z, z, c->n)) &&
            BN_bn2binpad(z, out, (int)c->rlen) == (int)c->rlen;
  BN_CTX_end(c->bn);
  return ok;
}

/* ---- the HMAC-DRBG of section 3.2, steps b to h ---- */

typedef struct part {
  const uint8_t *p;
  size_t n;
} part;

typedef struct drbg {
  EVP_MAC *mac;
  EVP_MAC_CTX *ctx;
  OSSL_PARAM params[2];
  size_t hlen;
  uint8_t K[MM_MAX_HASH_LEN];
  uint8_t V[MM_MAX_HASH_LEN];
  bool started; /* a candidate was drawn, so the next one needs step h.3 */
} drbg;

static void drbg_close(drbg *d) {
  EVP_MAC_CTX_free(d->ctx);
  EVP_MAC_free(d->mac);
  OPENSSL_cleanse(d, sizeof *d);
}

static bool drbg_open(drbg *d, const char *md_name, size_t hlen) {
  memset(d, 0, sizeof *d);
  d->hlen = hlen;
  d->params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md_name, 0);
  d->params[1] = OSSL_PARAM_construct_end();
  d->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  d->ctx = d->mac ? EVP_MAC_CTX_new(d->mac) : NULL;
  return d->ctx != NULL;
}

/* out = HMAC_K(parts...). out may be K or V: the key is taken at init and
 * the inputs are consumed before the output is written. */
static bool hmac_k(drbg *d, uint8_t *out, const part *parts, size_t nparts) {
  size_t outl = 0;
  if (!EVP_MAC_init(d->ctx, d->K, d->hlen, d->params)) return false;
  for (size_t i = 0; i < nparts; i++)
    if (parts[i].n && !EVP_MAC_update(d->ctx, parts[i].p, parts[i].n)) return false;
  return EVP_MAC_final(d->ctx, out, &outl, MM_MAX_HASH_LEN) && outl == d->hlen;
}

/* K = HMAC_K(V || sep || x || h); V = HMAC_K(V). x and h may be empty
 * (step h.3). */
static bool drbg_update(drbg *d, uint8_t sep, part x, part h) {
  const part kin[] = {{d->V, d->hlen}, {&sep, 1}, x, h};
  const part vin[] = {{d->V, d->hlen}};
  return hmac_k(d, d->K, kin, 4) && hmac_k(d, d->V, vin, 1);
}

/* Steps b to g. */
static bool drbg_seed(drbg *d, part x, part h1) {
  memset(d->V, 0x01, d->hlen);
  memset(d->K, 0x00, d->hlen);
  return drbg_update(d, 0x00, x, h1) && drbg_update(d, 0x01, x, h1);
}

/* Step h: the next candidate k = bits2int(T); the caller checks its range. */
static bool drbg_next(drbg *d, const curve *c, BIGNUM *k) {
  const part none = {NULL, 0};
  if (d->started && !drbg_update(d, 0x00, none, none)) return false;
  d->started = true;
  uint8_t t[MM_MAX_PRIV_LEN + MM_MAX_HASH_LEN];
  size_t tlen = 0;
  bool ok = true;
  while (ok && tlen * 8 < (size_t)c->qlen) {
    const part vin[] = {{d->V, d->hlen}};
    ok = tlen + d->hlen <= sizeof t && hmac_k(d, d->V, vin, 1);
    if (ok) memcpy(t + tlen, d->V, d->hlen);
    tlen += d->hlen;
  }
  ok = ok && bits2int(t, tlen, c->qlen, k);
  OPENSSL_cleanse(t, sizeof t);
  return ok;
}

/* ---- signing ---- */

typedef struct signer {
  curve c;
  drbg d;
  BIGNUM *x, *e, *k, *kinv, *nm2, *t, *r, *s;
  EC_POINT *R;
} signer;

static void signer_close(signer *g) {
  BIGNUM *bns[] = {g->x, g->e, g->k, g->kinv, g->nm2, g->t, g->r, g->s};
  for (size_t i = 0; i < sizeof bns / sizeof bns[0]; i++) BN_clear_free(bns[i]);
  EC_POINT_clear_free(g->R);
  drbg_close(&g->d);
  curve_close(&g->c);
}

static bool signer_alloc(signer *g) {
  BIGNUM **bns[] = {&g->e, &g->k, &g->kinv, &g->nm2, &g->t, &g->r, &g->s};
  for (size_t i = 0; i < sizeof bns / sizeof bns[0]; i++)
    if (!(*bns[i] = BN_secure_new())) return false;
  BN_set_flags(g->k, BN_FLG_CONSTTIME);
  BN_set_flags(g->kinv, BN_FLG_CONSTTIME);
  g->R = EC_POINT_new(g->c.group);
  /* n - 2, the Fermat exponent for inverting k mod the prime n */
  return g->R && BN_copy(g->nm2, g->c.n) && BN_sub_word(g->nm2, 2);
}

/* With k drawn: r = x(kG) mod n and s = k^-1 (e + r x) mod n. Sets *retry
 * when r or s is zero, which RFC 6979 answers with the next k. */
static bool sign_with_k(signer *g, bool *retry) {
  curve *c = &g->c;
  *retry = false;
  if (!EC_POINT_mul(c->group, g->R, g->k, NULL, NULL, c->bn) ||
      !EC_POINT_get_affine_coordinates(c->group, g->R, g->t, NULL, c->bn) ||
      !BN_nnmod(g->r, g->t, c->n, c->bn))
    return false;
  if (BN_is_zero(g->r)) {
    *retry = true;
    return true;
  }
  if (!BN_mod_exp_mont_consttime(g->kinv, g->k, g->nm2, c->n, c->bn, NULL) ||
      !BN_mod_mul(g->t, g->r, g->x, c->n, c->bn) || !BN_mod_add(g->t, g->t, g->e, c->n, c->bn) ||
      !BN_mod_mul(g->s, g->kinv, g->t, c->n, c->bn))
    return false;
  if (BN_is_zero(g->s)) *retry = true;
  return true;
}

static MM_MUST_USE mm_err encode_sig(signer *g, uint8_t *sig, size_t *sig_len) {
  ECDSA_SIG *es = ECDSA_SIG_new();
  if (!es) return MM_E_NOMEM;
  /* set0 takes r and s over */
  if (!ECDSA_SIG_set0(es, g->r, g->s)) {
    ECDSA_SIG_free(es);
    return MM_E_CRYPTO;
  }
  g->r = g->s = NULL;
  mm_err e = MM_E_CRYPTO;
  int n = i2d_ECDSA_SIG(es, NULL);
  if (n > 0 && n <= MM_MAX_SIG_LEN) {
    unsigned char *p = sig;
    if (i2d_ECDSA_SIG(es, &p) == n) {
      *sig_len = (size_t)n;
      e = MM_OK;
    }
  }
  ECDSA_SIG_free(es);
  return e;
}

static MM_MUST_USE mm_err sign_loop(signer *g, const uint8_t *priv, size_t priv_len,
                                    const uint8_t *digest, size_t digest_len) {
  curve *c = &g->c;
  uint8_t ho[MM_MAX_PRIV_LEN];
  mm_err e = load_scalar(c, priv, priv_len, &g->x);
  if (e != MM_OK) return e;
  /* priv is exactly rlen bytes and below n, so it is int2octets(x) */
  if (!signer_alloc(g) || !bits2int(digest, digest_len, c->qlen, g->e) ||
      !bits2octets(c, digest, digest_len, ho) ||
      !drbg_seed(&g->d, (part){priv, c->rlen}, (part){ho, c->rlen}))
    e = MM_E_CRYPTO;
  for (int i = 0; e == MM_OK; i++) {
    bool retry = true;
    if (i == MAX_ATTEMPTS || !drbg_next(&g->d, c, g->k)) return MM_E_CRYPTO;
    if (BN_is_zero(g->k) || BN_cmp(g->k, c->n) >= 0) continue;
    if (!sign_with_k(g, &retry)) return MM_E_CRYPTO;
    if (!retry) return MM_OK;
  }
  return e;
}

mm_err mm_ecdsa_sign_rfc6979(int nid, const char *md_name, const uint8_t *priv, size_t priv_len,
                             const uint8_t *digest, size_t digest_len, uint8_t *sig,
                             size_t *sig_len) {
  EVP_MD *md = EVP_MD_fetch(NULL, md_name, NULL);
  int hlen = md ? EVP_MD_get_size(md) : 0;
  EVP_MD_free(md);
  if (hlen <= 0 || hlen > MM_MAX_HASH_LEN) return MM_E_CRYPTO;
  /* h1 must be the output of the same hash the DRBG runs on */
  if (!digest || digest_len != (size_t)hlen) return MM_E_USAGE;

  signer g;
  memset(&g, 0, sizeof g);
  if (!curve_open(&g.c, nid)) return MM_E_CRYPTO;
  mm_err e = MM_E_CRYPTO;
  if (drbg_open(&g.d, md_name, (size_t)hlen)) e = sign_loop(&g, priv, priv_len, digest, digest_len);
  if (e == MM_OK) e = encode_sig(&g, sig, sig_len);
  signer_close(&g);
  ERR_clear_error();
  return e;
}

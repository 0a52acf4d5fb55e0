/* Field limits of profile ENC-4. Each check returns NULL when the value is
 * acceptable, or a short reason that names what is wrong; the codec reports
 * it as "malformed (ENC-4): REASON at offset N". */
#include <string.h>

#include "codec/schema.h"

/* Lengths of the EdDSA signatures (RFC 8032) accepted when the suite is
 * unknown, and the largest DER ECDSA integer (a P-521 scalar). */
#define ED25519_SIG_LEN 64
#define ED448_SIG_LEN 114
#define MAX_SCALAR_LEN 66

/* ---- domain names ---- */

static bool ldh(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

static const char *label_problem(const uint8_t *p, size_t n) {
  if (n == 0) return "domain label empty";
  if (n > 63) return "domain label longer than 63 bytes";
  if (p[0] == '-' || p[n - 1] == '-') return "domain label starts or ends with a hyphen";
  return NULL;
}

/* 1..253 bytes of dot-separated labels, each 1..63 bytes of [a-z0-9-]
 * without a leading or trailing hyphen; no trailing dot (profile ENC-4). */
const char *mm_domain_problem(mm_view d) {
  if (d.len == 0) return "domain name empty";
  if (d.len > MM_DOMAIN_MAX) return "domain name longer than 253 bytes";
  if (d.data[d.len - 1] == '.') return "domain name has a trailing dot";
  size_t start = 0;
  for (size_t i = 0; i <= d.len; i++) {
    if (i < d.len && d.data[i] != '.') {
      if (!ldh(d.data[i])) return "domain name not lowercase LDH";
      continue;
    }
    const char *why = label_problem(d.data + start, i - start);
    if (why) return why;
    start = i + 1;
  }
  return NULL;
}

bool mm_domain_valid(mm_view d) { return mm_domain_problem(d) == NULL; }

/* ---- Envelope.sender ----
 *
 * The profile names a client "name@home-domain" and a DS by its domain. The
 * rule chosen here: either a valid domain name (above), or NAME "@" DOMAIN
 * where NAME is 1..64 bytes of [a-z0-9._-] (lowercase, like the domain, so
 * one identity has one spelling) and DOMAIN is a valid domain name. At most
 * 64 + 1 + 253 bytes, within MM_SENDER_MAX. */
#define NAME_MAX_LEN 64

static bool name_char(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

const char *mm_identity_problem(mm_view id) {
  static const char bad[] = "sender is neither name@domain nor a domain";
  const uint8_t *at = id.len ? memchr(id.data, '@', id.len) : NULL;
  if (!at) return mm_domain_problem(id) ? bad : NULL;
  size_t name_len = (size_t)(at - id.data);
  if (name_len == 0 || name_len > NAME_MAX_LEN) return bad;
  for (size_t i = 0; i < name_len; i++)
    if (!name_char(id.data[i])) return bad;
  mm_view domain = {at + 1, id.len - name_len - 1};
  return mm_domain_problem(domain) ? bad : NULL;
}

bool mm_identity_valid(mm_view id) { return mm_identity_problem(id) == NULL; }

/* ---- signatures ---- */

/* One DER INTEGER at p (n bytes available) that is positive, nonzero,
 * minimally encoded and at most max_mag bytes of magnitude. */
static bool der_uint(const uint8_t *p, size_t n, size_t max_mag, size_t *used) {
  if (n < 2 || p[0] != 0x02) return false;
  size_t len = p[1];
  /* Short-form length only: an integer here is never 128 bytes long. */
  if (len & 0x80 || len == 0 || len > n - 2) return false;
  const uint8_t *v = p + 2;
  if (v[0] & 0x80) return false; /* negative */
  size_t mag = len;
  if (v[0] == 0x00) {
    /* A leading zero only to clear the sign bit; a lone zero is r = 0. */
    if (len == 1 || !(v[1] & 0x80)) return false;
    mag = len - 1;
  }
  if (mag > max_mag) return false;
  *used = 2 + len;
  return true;
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in strict DER. */
static bool der_ecdsa_sig(mm_view sig, size_t max_mag) {
  const uint8_t *p = sig.data;
  size_t n = sig.len, hdr, body;
  if (n < 2 || p[0] != 0x30) return false;
  if (p[1] < 0x80) {
    hdr = 2;
    body = p[1];
  } else if (p[1] == 0x81 && n >= 3 && p[2] >= 0x80) {
    hdr = 3; /* long form only where the short form cannot hold it */
    body = p[2];
  } else {
    return false;
  }
  if (hdr + body != n) return false;
  size_t r_len, s_len;
  if (!der_uint(p + hdr, body, max_mag, &r_len)) return false;
  if (!der_uint(p + hdr + r_len, body - r_len, max_mag, &s_len)) return false;
  return r_len + s_len == body;
}

static size_t scalar_len(mm_sig_alg alg) {
  switch (alg) {
  case MM_SIG_P256: return 32;
  case MM_SIG_P384: return 48;
  case MM_SIG_P521: return 66;
  default: return 0;
  }
}

const char *mm_signature_problem(const mm_suite *suite, mm_view sig) {
  if (!suite) {
    if (sig.len == ED25519_SIG_LEN || sig.len == ED448_SIG_LEN) return NULL;
    if (sig.len <= MM_MAX_SIG_LEN && der_ecdsa_sig(sig, MAX_SCALAR_LEN)) return NULL;
    return "signature neither EdDSA-sized nor a strict DER ECDSA-Sig-Value";
  }
  size_t scalar = scalar_len(suite->sig);
  if (scalar == 0) /* EdDSA: fixed length */
    return sig.len == suite->sig_len ? NULL : "EdDSA signature has the wrong length";
  if (sig.len > suite->max_sig_len) return "ECDSA signature longer than the suite allows";
  if (!der_ecdsa_sig(sig, scalar)) return "signature is not a strict DER ECDSA-Sig-Value";
  return NULL;
}

bool mm_signature_valid(uint16_t suite, mm_view sig) {
  return mm_signature_problem(mm_suite_get(suite), sig) == NULL;
}

/* ---- hashes ---- */

bool mm_hash_len_valid(uint16_t suite, size_t len) {
  const mm_suite *s = mm_suite_get(suite);
  if (s) return len == s->hash_len;
  return len == 32 || len == 48 || len == 64; /* SHA-256/384/512 */
}

/* ---- keys and MACs of RFC 9420 structures (profile section 11) ---- */

static bool is_ecdsa(const mm_suite *s) {
  return s->sig == MM_SIG_P256 || s->sig == MM_SIG_P384 || s->sig == MM_SIG_P521;
}

/* A key of the suite's size; on the NIST curves an uncompressed SEC1 point
 * (0x04 || X || Y): a compressed point has another length, and another
 * first byte is no uncompressed point at all (ENC-4). Whether the point is
 * on the curve is checked where the key is used (mm_key_from_public). */
static const char *key_problem(const mm_suite *s, mm_view k, bool hpke) {
  if (k.len != (hpke ? s->kem_pub_len : s->pub_len))
    return hpke ? "HPKE public key has the wrong length for the suite"
                : "signature public key has the wrong length for the suite";
  if (is_ecdsa(s) && k.data[0] != 0x04)
    return hpke ? "HPKE public key is not an uncompressed SEC1 point"
                : "signature public key is not an uncompressed SEC1 point";
  return NULL;
}

static const char *hash_opt_problem(const mm_suite *s, mm_view v) {
  if (v.len == 0) return NULL;
  if (mm_hash_len_valid(s ? s->id : 0, v.len)) return NULL;
  return s ? "hash neither empty nor of the suite's hash length"
           : "hash neither empty nor 32, 48 or 64 bytes";
}

/* ---- MigrationError.detail ---- */

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF. */
static bool utf8_valid(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t extra;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (extra > n - i - 1) return false;
    for (size_t k = 1; k <= extra; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

const char *mm_detail_problem(mm_view d) {
  if (d.len > MM_DETAIL_MAX) return "detail longer than 1024 bytes";
  if (!utf8_valid(d.data, d.len)) return "detail not valid UTF-8";
  return NULL;
}

/* ---- dispatch by kind ---- */

const char *mm_field_problem(mm_kind kind, mm_view v, const mm_limits *lim, const mm_suite *suite) {
  switch (kind) {
  case MM_K_DOMAIN: return mm_domain_problem(v);
  case MM_K_GROUP_ID:
    if (v.len == 0) return "group_id empty";
    return v.len > MM_GROUP_ID_MAX ? "group_id longer than 255 bytes" : NULL;
  case MM_K_NONCE: return v.len == MM_NONCE_LEN ? NULL : "nonce must be 32 bytes";
  case MM_K_SIGNATURE: return mm_signature_problem(suite, v);
  case MM_K_HASH:
    if (mm_hash_len_valid(suite ? suite->id : 0, v.len)) return NULL;
    return suite ? "hash length does not match the suite's hash"
                 : "hash must be 32, 48 or 64 bytes";
  case MM_K_GROUP_STATE:
    return v.len > lim->max_group_state ? "group_state over the configured bound" : NULL;
  case MM_K_IDENTITY: return mm_identity_problem(v);
  case MM_K_SIG_KEY: return suite ? key_problem(suite, v, false) : NULL;
  case MM_K_HPKE_KEY: return suite ? key_problem(suite, v, true) : NULL;
  case MM_K_MAC:
    return !suite || v.len == suite->hash_len ? NULL : "MAC length does not match the suite's hash";
  case MM_K_HASH_OPT: return hash_opt_problem(suite, v);
  case MM_K_DETAIL: return mm_detail_problem(v);
  default: return NULL;
  }
}

/* The ciphersuite crypto layer (profile sections 2-3): the suite table, the
 * MLS working group's crypto-basics vectors, RFC 6979 known answers, tamper
 * rejection, key import/export and key generation. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "mlsmig/crypto.h"
#include "mlsmig/rng.h"
#include "testlib.h"

#define MLSWG_CRYPTO "vectors/external/mlswg/crypto-basics.json"

/* ---- helpers ---- */

static void assert_view_hex(mm_view v, const char *hex) {
  size_t n = 0;
  uint8_t *want = mm_test_unhex(hex, &n);
  ck_assert_uint_eq(v.len, n);
  ck_assert_mem_eq(v.data, want, n);
  free(want);
}

static mm_key *key_priv_hex(uint16_t suite, const char *hex) {
  size_t n = 0;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_key *k = NULL;
  ck_assert_int_eq(mm_key_from_private(suite, b, n, &k), MM_OK);
  free(b);
  return k;
}

static MM_MUST_USE mm_err key_pub_hex(uint16_t suite, const char *hex, mm_key **k) {
  size_t n = 0;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_err e = mm_key_from_public(suite, b, n, k);
  free(b);
  return e;
}

/* A fresh key per suite from a seeded generator (so failures reproduce). */
static mm_key *gen_key(uint16_t suite, uint64_t seed) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, seed, "test_crypto keys");
  mm_key *k = NULL;
  ck_assert_int_eq(mm_key_generate(suite, &rng, &k), MM_OK);
  mm_rng_wipe(&rng);
  return k;
}

static const uint8_t content[] = "migration content under test";
#define CONTENT_LEN (sizeof content - 1)

/* SignWithLabel(k, label, content) into w (initialised here). */
static void sign_label(const mm_key *k, const char *label, mm_writer *w) {
  mm_writer_init(w);
  ck_assert_int_eq(mm_sign_with_label(k, label, content, CONTENT_LEN, w), MM_OK);
}

static json_t *load_mlswg(void) {
  json_error_t err;
  json_t *root = json_load_file(mm_test_path(MLSWG_CRYPTO), 0, &err);
  ck_assert_msg(root != NULL, "%s: %s", MLSWG_CRYPTO, err.text);
  ck_assert(json_is_array(root));
  ck_assert_uint_eq(json_array_size(root), MM_SUITE_COUNT);
  return root;
}

static const char *jstr(json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  ck_assert_msg(s != NULL, "missing string %s", key);
  return s;
}

/* ---- the suite table ---- */

START_TEST(test_suite_table) {
  static const struct {
    const char *name, *hash;
    mm_sig_alg sig;
    size_t hash_len;
  } want[MM_SUITE_COUNT] = {
      {"MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", "SHA256", MM_SIG_ED25519, 32},
      {"MLS_128_DHKEMP256_AES128GCM_SHA256_P256", "SHA256", MM_SIG_P256, 32},
      {"MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", "SHA256", MM_SIG_ED25519, 32},
      {"MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448", "SHA512", MM_SIG_ED448, 64},
      {"MLS_256_DHKEMP521_AES256GCM_SHA512_P521", "SHA512", MM_SIG_P521, 64},
      {"MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448", "SHA512", MM_SIG_ED448, 64},
      {"MLS_256_DHKEMP384_AES256GCM_SHA384_P384", "SHA384", MM_SIG_P384, 48},
  };
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->id, i + 1);
    ck_assert_ptr_eq(mm_suite_get((uint16_t)(i + 1)), s);
    ck_assert_str_eq(s->name, want[i].name);
    ck_assert_str_eq(s->hash, want[i].hash);
    ck_assert_int_eq(s->sig, want[i].sig);
    ck_assert_uint_eq(s->hash_len, want[i].hash_len);
    ck_assert_uint_le(s->max_sig_len, MM_MAX_SIG_LEN);
    ck_assert_uint_le(s->pub_len, MM_MAX_PUB_LEN);
    ck_assert_uint_le(s->priv_len, MM_MAX_PRIV_LEN);
  }
  ck_assert_ptr_null(mm_suite_get(0));
  ck_assert_ptr_null(mm_suite_get(8));
  ck_assert_ptr_null(mm_suite_get(0xffff));
  ck_assert_ptr_null(mm_suite_at(MM_SUITE_COUNT));
}
END_TEST

/* ---- MLS working group vectors ---- */

/* RFC 6979 signatures of the vectors' SignContent under the vectors' ECDSA
 * keys, computed independently with pyca/cryptography 48 (OpenSSL 3.2+
 * deterministic_signing=True). The vectors' own ECDSA signatures use random
 * nonces, so they can only be verified, not regenerated. */
static const char *const det_ecdsa[MM_SUITE_COUNT] = {
    [1] =
        "30450220664f2356b396ade81615aedc88c702046be4dfbe65fd0539e32be6527bbdd86e"
        "022100b7b03164ebedaa39ec35bb6e49d8214728e8e2fdf83b763b1a98b11f079622f6",
    [4] =
        "30818702417578d762315f4aa70b2a8e0abbb4fdf5d04105c6b4606d4cc204993899936b"
        "073ecdb0001ec160558e6d3eccde9bf5636a5cabc5d1c6734ba80ebabcfda9d1b9fb0242"
        "010a6f5ab5abcbee5a77d693b01d97da09df47b3ab7f75f6ffe3627b39d2ddee9aeb12ee"
        "5843fbd53e3a0e885f7736310d7f1796be8ed225e3c3d698ae61ff857958",
    [6] =
        "3065023100fb57f769ad8ca50d413771f5d874a786bac4ceb28ca37955fc1162ac31493f"
        "7312610521b79ac1439fdac01963ec2889023050fabdbf8b2170071eb3ac691151f08ead"
        "bb934cd131127dc92363f5708a0c9fa40d1ac5f960fbe2d387f9285c069f1b",
};

static void check_mlswg_entry(json_t *entry) {
  uint16_t suite = (uint16_t)json_integer_value(json_object_get(entry, "cipher_suite"));
  const mm_suite *s = mm_suite_get(suite);
  ck_assert_ptr_nonnull(s);
  json_t *swl = json_object_get(entry, "sign_with_label");
  const char *label = jstr(swl, "label");
  size_t clen = 0, slen = 0;
  uint8_t *c = mm_test_unhex(jstr(swl, "content"), &clen);
  uint8_t *sig = mm_test_unhex(jstr(swl, "signature"), &slen);

  mm_key *priv = key_priv_hex(suite, jstr(swl, "priv"));
  mm_key *pub = NULL;
  ck_assert_int_eq(key_pub_hex(suite, jstr(swl, "pub"), &pub), MM_OK);
  /* the public key derived from the private one is the vector's */
  assert_view_hex(mm_key_public(priv), jstr(swl, "pub"));

  /* the published signature verifies */
  ck_assert_int_eq(mm_verify_with_label(pub, label, c, clen, sig, slen), MM_OK);

  /* ours verifies, and regenerates the expected bytes */
  mm_writer w, w2;
  mm_writer_init(&w);
  mm_writer_init(&w2);
  ck_assert_int_eq(mm_sign_with_label(priv, label, c, clen, &w), MM_OK);
  ck_assert_int_eq(mm_sign_with_label(priv, label, c, clen, &w2), MM_OK);
  ck_assert_int_eq(mm_verify_with_label(pub, label, c, clen, w.buf, w.len), MM_OK);
  ck_assert(mm_view_eq(mm_writer_view(&w), mm_writer_view(&w2)));
  if (s->sig_len)
    assert_view_hex(mm_writer_view(&w), jstr(swl, "signature"));
  else
    assert_view_hex(mm_writer_view(&w), det_ecdsa[suite - 1]);

  mm_writer_free(&w);
  mm_writer_free(&w2);
  mm_key_free(priv);
  mm_key_free(pub);
  free(c);
  free(sig);
}

START_TEST(test_mlswg_sign_with_label) {
  json_t *root = load_mlswg();
  for (size_t i = 0; i < json_array_size(root); i++) check_mlswg_entry(json_array_get(root, i));
  json_decref(root);
}
END_TEST

START_TEST(test_mlswg_ref_hash) {
  json_t *root = load_mlswg();
  for (size_t i = 0; i < json_array_size(root); i++) {
    json_t *entry = json_array_get(root, i);
    uint16_t suite = (uint16_t)json_integer_value(json_object_get(entry, "cipher_suite"));
    json_t *rh = json_object_get(entry, "ref_hash");
    size_t vlen = 0, olen = 0;
    uint8_t *val = mm_test_unhex(jstr(rh, "value"), &vlen);
    uint8_t out[MM_MAX_HASH_LEN];
    /* label as given: "RefHash", no "MLS 1.0 " prefix */
    ck_assert_int_eq(mm_ref_hash(suite, jstr(rh, "label"), val, vlen, out, &olen), MM_OK);
    ck_assert_uint_eq(olen, mm_suite_get(suite)->hash_len);
    assert_view_hex(mm_view_of(out, olen), jstr(rh, "out"));
    free(val);
  }
  json_decref(root);
}
END_TEST

/* HASH-1's label over "abc"; expected values computed with Python hashlib
 * from the RefHashInput encoding of RFC 9420 section 5.2. */
START_TEST(test_ref_hash_migration_label) {
  static const struct {
    uint16_t suite;
    const char *out;
  } kat[] = {
      {1, "cd8f8d3b1b901d076f1afd29ccd0695bb3aed1a6b7b89e9618779ec79b60c09e"},
      {7,
       "5ecb0cee0b8085a5faa22618599bab31bdaf6674b5e188c09a7dd501c33784356d6b"
       "c3915a96f477eb0d803cca35ba1a"},
      {4,
       "d8b819f9b6b464167248fee65f90ccaa5d6957aad9e91685d3ba271232c66e15618b"
       "f9b0ce24fcf4220bdf834117da2cc4c617ddd74766e42745c1bdd41a1de8"},
  };
  for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
    uint8_t out[MM_MAX_HASH_LEN];
    size_t olen = 0;
    ck_assert_int_eq(mm_ref_hash(kat[i].suite, "MLS 1.0 MigrationContent Reference",
                                 (const uint8_t *)"abc", 3, out, &olen),
                     MM_OK);
    assert_view_hex(mm_view_of(out, olen), kat[i].out);
  }
  uint8_t out[MM_MAX_HASH_LEN];
  size_t olen = 0;
  ck_assert_int_eq(mm_ref_hash(8, "x", NULL, 0, out, &olen), MM_E_UNSUPPORTED_CIPHERSUITE);
}
END_TEST

START_TEST(test_hash) {
  uint8_t out[MM_MAX_HASH_LEN];
  size_t olen = 0;
  /* FIPS 180-2 SHA-256("abc") */
  ck_assert_int_eq(mm_hash(2, (const uint8_t *)"abc", 3, out, &olen), MM_OK);
  assert_view_hex(mm_view_of(out, olen),
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    ck_assert_int_eq(mm_hash(s->id, NULL, 0, out, &olen), MM_OK);
    ck_assert_uint_eq(olen, s->hash_len);
  }
  ck_assert_int_eq(mm_hash(0, NULL, 0, out, &olen), MM_E_UNSUPPORTED_CIPHERSUITE);
}
END_TEST

/* ---- RFC 6979 known answers ---- */

typedef struct rfc6979_case {
  const char *section;
  uint16_t suite;
  const char *x, *ux, *uy; /* hex as printed in the RFC (P-521: 131 digits) */
  const char *msg, *r, *s;
} rfc6979_case;

static const char p256_x[] = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char p256_ux[] = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
static const char p256_uy[] = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
static const char p384_x[] =
    "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
    "96D5724E4C70A825F872C9EA60D2EDF5";
static const char p384_ux[] =
    "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64"
    "DEF8F0EA9055866064A254515480BC13";
static const char p384_uy[] =
    "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1"
    "288B231C3AE0D4FE7344FD2533264720";
static const char p521_x[] =
    "0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75C"
    "AA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83"
    "538";
static const char p521_ux[] =
    "1894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD3"
    "71123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F502"
    "3A4";
static const char p521_uy[] =
    "0493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A2"
    "8A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDF"
    "CF5";

/* RFC 6979 appendix A.2.5 (SHA-256), A.2.6 (SHA-384), A.2.7 (SHA-512): the
 * hash of each MLS suite on its curve. Cross-checked against pyca/cryptography
 * deterministic signing, and the public keys below pin the private keys. */
static const rfc6979_case rfc6979_cases[] = {
    {"A.2.5 sample", 2, p256_x, p256_ux, p256_uy, "sample",
     "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
    {"A.2.5 test", 2, p256_x, p256_ux, p256_uy, "test",
     "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
     "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
    {"A.2.6 sample", 7, p384_x, p384_ux, p384_uy, "sample",
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C"
     "81A648152E44ACF96E36DD1E80FABE46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94F"
     "A329C145786E679E7B82C71A38628AC8"},
    {"A.2.6 test", 7, p384_x, p384_ux, p384_uy, "test",
     "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB"
     "0542A7F0812998DA8F1DD3CA3CF023DB",
     "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E0"
     "6A739F040649A667BF3B828246BAA5A5"},
    {"A.2.7 sample", 5, p521_x, p521_ux, p521_uy, "sample",
     "0C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F1"
     "74E25A1EE9017B5D450606ADD152B534931D7D4E8455CC91F9B15BF05EC36E37"
     "7FA",
     "0617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF2"
     "82623EAA63E5B5C0723D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A"
     "67A"},
    {"A.2.7 test", 5, p521_x, p521_ux, p521_uy, "test",
     "13E99020ABF5CEE7525D16B69B229652AB6BDF2AFFCAEF38773B4B7D08725F10"
     "CDB93482FDCC54EDCEE91ECA4166B2A7C6265EF0CE2BD7051B7CEF945BABD47E"
     "E6D",
     "1FBD0013C674AA79CB39849527916CE301C66EA7CE8B80682786AD60F98F7E78"
     "A19CA69EFF5C57400E3B3A0AD66CE0978214D13BAF4E9AC60752F7B155E2DE4D"
     "CE3"},
};

/* RFC hex (possibly an odd number of digits) as a number of width bytes. */
static uint8_t *unhex_fixed(const char *hex, size_t width) {
  BIGNUM *bn = NULL;
  ck_assert_int_gt(BN_hex2bn(&bn, hex), 0);
  uint8_t *out = malloc(width);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(BN_bn2binpad(bn, out, (int)width), (int)width);
  BN_free(bn);
  return out;
}

static void check_scalar(const BIGNUM *got, const char *hex, size_t width, const char *what) {
  uint8_t *want = unhex_fixed(hex, width);
  uint8_t buf[MM_MAX_PRIV_LEN];
  ck_assert_int_eq(BN_bn2binpad(got, buf, (int)width), (int)width);
  ck_assert_msg(memcmp(buf, want, width) == 0, "%s differs", what);
  free(want);
}

START_TEST(test_rfc6979_known_answers) {
  for (size_t i = 0; i < sizeof rfc6979_cases / sizeof rfc6979_cases[0]; i++) {
    const rfc6979_case *t = &rfc6979_cases[i];
    const mm_suite *s = mm_suite_get(t->suite);
    size_t w = s->priv_len;
    uint8_t *x = unhex_fixed(t->x, w);
    mm_key *k = NULL;
    ck_assert_int_eq(mm_key_from_private(t->suite, x, w, &k), MM_OK);

    /* U = xG as printed: validates the private key copied from the RFC */
    uint8_t *ux = unhex_fixed(t->ux, w), *uy = unhex_fixed(t->uy, w);
    mm_view pub = mm_key_public(k);
    ck_assert_uint_eq(pub.len, 1 + 2 * w);
    ck_assert_uint_eq(pub.data[0], 0x04);
    ck_assert_msg(memcmp(pub.data + 1, ux, w) == 0, "%s: Ux", t->section);
    ck_assert_msg(memcmp(pub.data + 1 + w, uy, w) == 0, "%s: Uy", t->section);

    mm_writer sw;
    mm_writer_init(&sw);
    ck_assert_int_eq(mm_sign_raw(k, (const uint8_t *)t->msg, strlen(t->msg), &sw), MM_OK);
    const unsigned char *p = sw.buf;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)sw.len);
    ck_assert_msg(sig != NULL && p == sw.buf + sw.len, "%s: DER", t->section);
    check_scalar(ECDSA_SIG_get0_r(sig), t->r, w, t->section);
    check_scalar(ECDSA_SIG_get0_s(sig), t->s, w, t->section);
    ck_assert_int_eq(mm_verify_raw(k, (const uint8_t *)t->msg, strlen(t->msg), sw.buf, sw.len),
                     MM_OK);

    ECDSA_SIG_free(sig);
    mm_writer_free(&sw);
    mm_key_free(k);
    free(x);
    free(ux);
    free(uy);
  }
}
END_TEST

/* ---- SignWithLabel round trips and rejections ---- */

START_TEST(test_sign_verify_all_suites) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    mm_key *k = gen_key(s->id, 1);
    mm_key *pub = NULL;
    ck_assert_int_eq(mm_key_public_copy(k, &pub), MM_OK);
    mm_writer w;
    sign_label(k, "MigrationContentTBS", &w);
    if (s->sig_len)
      ck_assert_uint_eq(w.len, s->sig_len);
    else
      ck_assert_uint_le(w.len, s->max_sig_len);
    ck_assert_int_eq(
        mm_verify_with_label(pub, "MigrationContentTBS", content, CONTENT_LEN, w.buf, w.len),
        MM_OK);
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationContentTBS", content, CONTENT_LEN, w.buf, w.len), MM_OK);
    /* empty content is a valid content<V> */
    mm_writer e;
    mm_writer_init(&e);
    ck_assert_int_eq(mm_sign_with_label(k, "X", NULL, 0, &e), MM_OK);
    ck_assert_int_eq(mm_verify_with_label(pub, "X", NULL, 0, e.buf, e.len), MM_OK);
    mm_writer_free(&e);
    mm_writer_free(&w);
    mm_key_free(pub);
    mm_key_free(k);
  }
}
END_TEST

/* SignWithLabel signs exactly SignContent: the same bytes through the raw
 * interface verify, which pins the "MLS 1.0 " prefix and both <V> headers. */
START_TEST(test_sign_content_encoding) {
  mm_key *k = gen_key(1, 2);
  mm_writer w;
  sign_label(k, "MigrationInitTBS", &w);
  mm_writer tbs;
  mm_writer_init(&tbs);
  mm_put_vec(&tbs, (const uint8_t *)"MLS 1.0 MigrationInitTBS", 24);
  mm_put_vec(&tbs, content, CONTENT_LEN);
  ck_assert(mm_writer_ok(&tbs));
  ck_assert_int_eq(mm_verify_raw(k, tbs.buf, tbs.len, w.buf, w.len), MM_OK);
  mm_writer_free(&tbs);
  mm_writer_free(&w);
  mm_key_free(k);
}
END_TEST

START_TEST(test_reject_wrong_label) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = gen_key(mm_suite_at(i)->id, 3);
    mm_writer w;
    sign_label(k, "MigrationResponseTBS", &w);
    static const char *const others[] = {
        "MigrationInitTBS",         "MigrationContentTBS",          "TargetMigrationCompleteTBS",
        "MigrationConfirmationTBS", "MLS 1.0 MigrationResponseTBS", ""};
    for (size_t j = 0; j < sizeof others / sizeof others[0]; j++)
      ck_assert_int_eq(mm_verify_with_label(k, others[j], content, CONTENT_LEN, w.buf, w.len),
                       MM_E_BAD_SIGNATURE);
    mm_writer_free(&w);
    mm_key_free(k);
  }
}
END_TEST

START_TEST(test_reject_wrong_content) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = gen_key(mm_suite_at(i)->id, 4);
    mm_writer w;
    sign_label(k, "MigrationContentTBS", &w);
    uint8_t other[sizeof content];
    memcpy(other, content, sizeof content);
    other[0] ^= 1;
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationContentTBS", other, CONTENT_LEN, w.buf, w.len),
        MM_E_BAD_SIGNATURE);
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationContentTBS", content, CONTENT_LEN - 1, w.buf, w.len),
        MM_E_BAD_SIGNATURE);
    mm_writer_free(&w);
    mm_key_free(k);
  }
}
END_TEST

START_TEST(test_reject_wrong_key) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    uint16_t id = mm_suite_at(i)->id;
    mm_key *k = gen_key(id, 5), *other = gen_key(id, 6);
    ck_assert(!mm_view_eq(mm_key_public(k), mm_key_public(other)));
    mm_writer w;
    sign_label(k, "TargetMigrationCompleteTBS", &w);
    ck_assert_int_eq(mm_verify_with_label(other, "TargetMigrationCompleteTBS", content, CONTENT_LEN,
                                          w.buf, w.len),
                     MM_E_BAD_SIGNATURE);
    mm_writer_free(&w);
    mm_key_free(k);
    mm_key_free(other);
  }
}
END_TEST

/* A signature by a key of one suite fails under the key of every other suite
 * (each key drawn independently). */
START_TEST(test_reject_other_suite_key) {
  mm_key *keys[MM_SUITE_COUNT];
  mm_writer sigs[MM_SUITE_COUNT];
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    keys[i] = gen_key(mm_suite_at(i)->id, 100 + i);
    sign_label(keys[i], "MigrationConfirmationTBS", &sigs[i]);
  }
  for (size_t i = 0; i < MM_SUITE_COUNT; i++)
    for (size_t j = 0; j < MM_SUITE_COUNT; j++)
      ck_assert_int_eq(mm_verify_with_label(keys[j], "MigrationConfirmationTBS", content,
                                            CONTENT_LEN, sigs[i].buf, sigs[i].len),
                       i == j ? MM_OK : MM_E_BAD_SIGNATURE);
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_writer_free(&sigs[i]);
    mm_key_free(keys[i]);
  }
}
END_TEST

START_TEST(test_reject_flipped_bits) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = gen_key(mm_suite_at(i)->id, 7);
    mm_writer w;
    sign_label(k, "MigrationResponseTBS", &w);
    /* one bit in every byte, a different bit each time */
    for (size_t b = 0; b < w.len; b++) {
      w.buf[b] ^= (uint8_t)(1u << (b % 8));
      ck_assert_msg(mm_verify_with_label(k, "MigrationResponseTBS", content, CONTENT_LEN, w.buf,
                                         w.len) == MM_E_BAD_SIGNATURE,
                    "suite %zu byte %zu", i + 1, b);
      w.buf[b] ^= (uint8_t)(1u << (b % 8));
    }
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationResponseTBS", content, CONTENT_LEN, w.buf, w.len), MM_OK);
    mm_writer_free(&w);
    mm_key_free(k);
  }
}
END_TEST

START_TEST(test_reject_bad_lengths) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = gen_key(mm_suite_at(i)->id, 8);
    mm_writer w;
    sign_label(k, "MigrationInitTBS", &w);
    /* truncated, empty, NULL, one trailing byte (not DER, not EdDSA) */
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationInitTBS", content, CONTENT_LEN, w.buf, w.len - 1),
        MM_E_BAD_SIGNATURE);
    ck_assert_int_eq(mm_verify_with_label(k, "MigrationInitTBS", content, CONTENT_LEN, w.buf, 0),
                     MM_E_BAD_SIGNATURE);
    ck_assert_int_eq(mm_verify_with_label(k, "MigrationInitTBS", content, CONTENT_LEN, NULL, 0),
                     MM_E_BAD_SIGNATURE);
    mm_put_u8(&w, 0);
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationInitTBS", content, CONTENT_LEN, w.buf, w.len),
        MM_E_BAD_SIGNATURE);
    mm_writer_free(&w);
    mm_key_free(k);
  }
}
END_TEST

/* ENC-4: ECDSA signatures must be DER. The same (r, s) with the SEQUENCE
 * length in the (BER-only) long form is rejected. */
START_TEST(test_reject_non_der_ecdsa) {
  static const uint16_t short_form[] = {2, 7}; /* sequences below 128 bytes */
  for (size_t i = 0; i < 2; i++) {
    mm_key *k = gen_key(short_form[i], 15);
    mm_writer w, ber;
    sign_label(k, "MigrationContentTBS", &w);
    ck_assert_uint_eq(w.buf[0], 0x30);
    ck_assert_uint_lt(w.buf[1], 0x80);
    mm_writer_init(&ber);
    mm_put_u8(&ber, 0x30);
    mm_put_u8(&ber, 0x81);
    mm_put_bytes(&ber, w.buf + 1, w.len - 1);
    ck_assert(mm_writer_ok(&ber));
    ck_assert_int_eq(
        mm_verify_with_label(k, "MigrationContentTBS", content, CONTENT_LEN, ber.buf, ber.len),
        MM_E_BAD_SIGNATURE);
    mm_writer_free(&ber);
    mm_writer_free(&w);
    mm_key_free(k);
  }
}
END_TEST

START_TEST(test_ecdsa_deterministic) {
  static const uint16_t ecdsa[] = {2, 5, 7};
  for (size_t i = 0; i < 3; i++) {
    mm_key *k = gen_key(ecdsa[i], 9);
    mm_writer a, b, c;
    sign_label(k, "MigrationContentTBS", &a);
    sign_label(k, "MigrationContentTBS", &b);
    sign_label(k, "MigrationInitTBS", &c);
    ck_assert(mm_view_eq(mm_writer_view(&a), mm_writer_view(&b)));
    ck_assert(!mm_view_eq(mm_writer_view(&a), mm_writer_view(&c)));
    mm_writer_free(&a);
    mm_writer_free(&b);
    mm_writer_free(&c);
    mm_key_free(k);
  }
}
END_TEST

/* ---- keys ---- */

START_TEST(test_key_roundtrip) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    mm_key *k = gen_key(s->id, 10);
    ck_assert_uint_eq(mm_key_suite(k), s->id);
    ck_assert(mm_key_has_private(k));
    mm_view priv = mm_key_private(k), pub = mm_key_public(k);
    ck_assert_uint_eq(priv.len, s->priv_len);
    ck_assert_uint_eq(pub.len, s->pub_len);
    if (s->sig_len == 0) ck_assert_uint_eq(pub.data[0], 0x04);

    mm_key *again = NULL, *pubk = NULL, *copy = NULL;
    ck_assert_int_eq(mm_key_from_private(s->id, priv.data, priv.len, &again), MM_OK);
    ck_assert(mm_view_eq(mm_key_private(again), priv));
    ck_assert(mm_view_eq(mm_key_public(again), pub));
    ck_assert_int_eq(mm_key_from_public(s->id, pub.data, pub.len, &pubk), MM_OK);
    ck_assert(!mm_key_has_private(pubk));
    ck_assert_uint_eq(mm_key_private(pubk).len, 0);
    ck_assert(mm_view_eq(mm_key_public(pubk), pub));
    ck_assert_int_eq(mm_key_public_copy(pubk, &copy), MM_OK);
    ck_assert(mm_view_eq(mm_key_public(copy), pub));

    /* a public key cannot sign; its signer's signatures verify under it */
    mm_writer w;
    mm_writer_init(&w);
    ck_assert_int_eq(mm_sign_with_label(copy, "L", content, CONTENT_LEN, &w), MM_E_USAGE);
    mm_writer_free(&w);
    sign_label(again, "L", &w);
    ck_assert_int_eq(mm_verify_with_label(copy, "L", content, CONTENT_LEN, w.buf, w.len), MM_OK);
    mm_writer_free(&w);
    mm_key_free(copy);
    mm_key_free(pubk);
    mm_key_free(again);
    mm_key_free(k);
  }
}
END_TEST

static void expect_bad_pub(uint16_t suite, const uint8_t *pub, size_t len) {
  static int sentinel;
  mm_key *k = (mm_key *)&sentinel; /* must be reset to NULL on failure */
  ck_assert_int_eq(mm_key_from_public(suite, pub, len, &k), MM_E_MALFORMED);
  ck_assert_ptr_null(k);
}

START_TEST(test_invalid_public_keys) {
  uint8_t buf[MM_MAX_PUB_LEN + 1];
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    mm_key *k = gen_key(s->id, 11);
    mm_view pub = mm_key_public(k);
    memcpy(buf, pub.data, pub.len);
    buf[pub.len] = 0;
    expect_bad_pub(s->id, buf, pub.len - 1); /* wrong lengths */
    expect_bad_pub(s->id, buf, pub.len + 1);
    expect_bad_pub(s->id, buf, 0);
    expect_bad_pub(s->id, NULL, 0);
    if (s->sig_len == 0) {
      buf[pub.len - 1] ^= 1; /* y changed: off the curve */
      expect_bad_pub(s->id, buf, pub.len);
      buf[pub.len - 1] ^= 1;
      buf[0] = 0x02; /* not the uncompressed form */
      expect_bad_pub(s->id, buf, pub.len);
      memset(buf, 0, pub.len); /* all zero */
      expect_bad_pub(s->id, buf, pub.len);
      memset(buf, 0xff, pub.len); /* coordinates >= p */
      buf[0] = 0x04;
      expect_bad_pub(s->id, buf, pub.len);
    }
    mm_key_free(k);
  }
}
END_TEST

/* EdDSA encodings that are not points (RFC 8032 5.1.3 / 5.2.3 decoding).
 * y = 2 has no x on either curve (checked with Python). */
START_TEST(test_invalid_eddsa_points) {
  uint8_t b[57];
  static const struct {
    uint16_t suite;
    size_t len;
  } eds[] = {{1, 32}, {3, 32}, {4, 57}, {6, 57}};
  for (size_t i = 0; i < 4; i++) {
    size_t n = eds[i].len;
    memset(b, 0, sizeof b);
    b[0] = 2; /* y = 2: not on the curve */
    expect_bad_pub(eds[i].suite, b, n);
    b[0] = 1; /* y = 1 gives x = 0, which cannot carry a set sign bit */
    b[n - 1] = 0x80;
    expect_bad_pub(eds[i].suite, b, n);
    memset(b, 0xff, n); /* y >= p */
    b[n - 1] = 0x7f;
    expect_bad_pub(eds[i].suite, b, n);
  }
  /* edwards25519: y = p = 2^255 - 19 exactly (non-canonical zero) */
  memset(b, 0xff, 32);
  b[0] = 0xed;
  b[31] = 0x7f;
  expect_bad_pub(1, b, 32);
  /* edwards448: y = 1 but with a bit above bit 447 set */
  memset(b, 0, 57);
  b[0] = 1;
  b[56] = 0x01;
  expect_bad_pub(4, b, 57);
}
END_TEST

START_TEST(test_invalid_private_keys) {
  uint8_t buf[MM_MAX_PRIV_LEN + 1];
  mm_key *k = NULL;
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    memset(buf, 0x11, sizeof buf);
    ck_assert_int_eq(mm_key_from_private(s->id, buf, s->priv_len - 1, &k), MM_E_MALFORMED);
    ck_assert_int_eq(mm_key_from_private(s->id, buf, s->priv_len + 1, &k), MM_E_MALFORMED);
    ck_assert_int_eq(mm_key_from_private(s->id, NULL, 0, &k), MM_E_MALFORMED);
    ck_assert_ptr_null(k);
    if (s->sig_len) continue;
    memset(buf, 0, s->priv_len); /* 0 */
    ck_assert_int_eq(mm_key_from_private(s->id, buf, s->priv_len, &k), MM_E_MALFORMED);
    memset(buf, 0xff, s->priv_len); /* > n (P-521: far above 2^521) */
    ck_assert_int_eq(mm_key_from_private(s->id, buf, s->priv_len, &k), MM_E_MALFORMED);
  }
  /* exactly n and n - 1 on P-256 */
  static const char n256[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
  uint8_t *n = unhex_fixed(n256, 32);
  ck_assert_int_eq(mm_key_from_private(2, n, 32, &k), MM_E_MALFORMED);
  n[31]--;
  ck_assert_int_eq(mm_key_from_private(2, n, 32, &k), MM_OK);
  mm_key_free(k);
  free(n);
}
END_TEST

START_TEST(test_unsupported_suites) {
  uint8_t b[32] = {1};
  mm_key *k = NULL;
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "x");
  static const uint16_t bad[] = {0, 8, 0x0a0a, 0xffff};
  for (size_t i = 0; i < 4; i++) {
    ck_assert_int_eq(mm_key_from_private(bad[i], b, 32, &k), MM_E_UNSUPPORTED_CIPHERSUITE);
    ck_assert_int_eq(mm_key_from_public(bad[i], b, 32, &k), MM_E_UNSUPPORTED_CIPHERSUITE);
    ck_assert_int_eq(mm_key_generate(bad[i], &rng, &k), MM_E_UNSUPPORTED_CIPHERSUITE);
    ck_assert_ptr_null(k);
  }
}
END_TEST

START_TEST(test_key_generate_deterministic) {
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    const mm_suite *s = mm_suite_at(i);
    mm_key *a = gen_key(s->id, 12), *b = gen_key(s->id, 12), *c = gen_key(s->id, 13);
    ck_assert(mm_view_eq(mm_key_private(a), mm_key_private(b)));
    ck_assert(mm_view_eq(mm_key_public(a), mm_key_public(b)));
    ck_assert(!mm_view_eq(mm_key_private(a), mm_key_private(c)));
    if (s->sig == MM_SIG_P521) ck_assert_uint_le(mm_key_private(a).data[0], 1);
    mm_key_free(a);
    mm_key_free(b);
    mm_key_free(c);
  }
  /* the system generator works too */
  mm_rng sys;
  mm_rng_init_system(&sys);
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = NULL;
    ck_assert_int_eq(mm_key_generate(mm_suite_at(i)->id, &sys, &k), MM_OK);
    mm_key_free(k);
  }
}
END_TEST

/* A generator that yields only zeros: no ECDSA scalar is ever in range, so
 * generation must give up rather than loop or accept 0. */
static MM_MUST_USE mm_err zero_fill(mm_rng *self, uint8_t *out, size_t len) {
  (void)self;
  memset(out, 0, len);
  return MM_OK;
}

START_TEST(test_key_generate_broken_rng) {
  mm_rng z;
  memset(&z, 0, sizeof z);
  z.fill = zero_fill;
  mm_key *k = NULL;
  ck_assert_int_eq(mm_key_generate(2, &z, &k), MM_E_CRYPTO);
  ck_assert_ptr_null(k);
  ck_assert_int_eq(mm_key_generate(2, NULL, &k), MM_E_USAGE);
}
END_TEST

START_TEST(test_wipe) {
  uint8_t buf[48];
  memset(buf, 0xa5, sizeof buf);
  mm_wipe(buf + 8, 32);
  for (size_t i = 0; i < sizeof buf; i++) ck_assert_uint_eq(buf[i], (i >= 8 && i < 40) ? 0 : 0xa5);
  mm_wipe(NULL, 0);
  /* freeing wipes the private part: exercise it on every kind of key */
  for (size_t i = 0; i < MM_SUITE_COUNT; i++) {
    mm_key *k = gen_key(mm_suite_at(i)->id, 14), *p = NULL;
    ck_assert_int_eq(mm_key_public_copy(k, &p), MM_OK);
    mm_key_free(k);
    mm_key_free(p);
  }
  mm_key_free(NULL);
}
END_TEST

Suite *suite_crypto(void) {
  Suite *s = suite_create("crypto");
  TCase *tc = tcase_create("crypto");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_suite_table, "SUITE-1");
  MM_ADD_TEST(tc, test_mlswg_sign_with_label, "SUITE-1 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_mlswg_ref_hash, "SUITE-1 HASH-1");
  MM_ADD_TEST(tc, test_ref_hash_migration_label, "HASH-1");
  MM_ADD_TEST(tc, test_hash, "SUITE-1");
  MM_ADD_TEST(tc, test_rfc6979_known_answers, "SUITE-1");
  MM_ADD_TEST(tc, test_sign_verify_all_suites, "SUITE-1 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_sign_content_encoding, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_wrong_label, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_wrong_content, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_wrong_key, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_other_suite_key, "SUITE-1 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_flipped_bits, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_bad_lengths, "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_reject_non_der_ecdsa, "ENC-4 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5");
  MM_ADD_TEST(tc, test_ecdsa_deterministic, "SUITE-1");
  MM_ADD_TEST(tc, test_key_roundtrip, "SUITE-1 KEY-1");
  MM_ADD_TEST(tc, test_invalid_public_keys, "SUITE-1 KEY-1");
  MM_ADD_TEST(tc, test_invalid_eddsa_points, "SUITE-1 KEY-1");
  MM_ADD_TEST(tc, test_invalid_private_keys, "SUITE-1 KEY-1");
  MM_ADD_TEST(tc, test_unsupported_suites, "SUITE-1");
  MM_ADD_TEST(tc, test_key_generate_deterministic, "KEY-1");
  MM_ADD_TEST(tc, test_key_generate_broken_rng, "KEY-1");
  MM_ADD_TEST(tc, test_wipe, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* The RFC 9420 codec (sim/mls/mls_schema.c on the generic codec): seeded
 * random structures of every type round-trip in binary and JSON in every
 * suite (ENC-3), and each strictness rule refuses with its rule, offset and
 * reason (ENC-1, ENC-2, ENC-4), without allocating for claimed lengths. */
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "mls/mls_json.h"
#include "mls/mls_schema.h"
#include "mlsmig/crypto.h"
#include "mlsmig/hex.h"
#include "testlib.h"

/* ---- a random structure of any schema ---- */

typedef struct rgen {
  uint64_t s;
  const mm_suite *suite; /* NULL: suite-independent sizes */
  void *blocks[4096];
  size_t nblocks;
} rgen;

static uint64_t rnd(rgen *g) {
  g->s ^= g->s << 13;
  g->s ^= g->s >> 7;
  g->s ^= g->s << 17;
  return g->s;
}

static size_t below(rgen *g, size_t n) { return n ? (size_t)(rnd(g) % n) : 0; }

static uint8_t *galloc(rgen *g, size_t n) {
  ck_assert_uint_lt(g->nblocks, sizeof g->blocks / sizeof g->blocks[0]);
  uint8_t *p = calloc(1, n ? n : 1);
  ck_assert_ptr_nonnull(p);
  g->blocks[g->nblocks++] = p;
  return p;
}

static void gfree(rgen *g) {
  for (size_t i = 0; i < g->nblocks; i++) free(g->blocks[i]);
  g->nblocks = 0;
}

static mm_view gbytes(rgen *g, size_t n) {
  uint8_t *p = galloc(g, n);
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd(g);
  return mm_view_of(p, n);
}

static bool ecdsa(const mm_suite *s) { return s && s->sig_len == 0; }

static mm_view gkey(rgen *g, size_t len) {
  mm_view v = gbytes(g, len);
  if (ecdsa(g->suite)) ((uint8_t *)v.data)[0] = 0x04;
  return v;
}

/* A strict DER ECDSA-Sig-Value with small positive r and s. */
static mm_view gder(rgen *g) {
  size_t rl = 1 + below(g, 20), sl = 1 + below(g, 20);
  uint8_t *p = galloc(g, 6 + rl + sl);
  p[0] = 0x30;
  p[1] = (uint8_t)(4 + rl + sl);
  p[2] = 0x02;
  p[3] = (uint8_t)rl;
  for (size_t i = 0; i < rl; i++) p[4 + i] = (uint8_t)(1 + below(g, 0x7f));
  p[4 + rl] = 0x02;
  p[5 + rl] = (uint8_t)sl;
  for (size_t i = 0; i < sl; i++) p[6 + rl + i] = (uint8_t)(1 + below(g, 0x7f));
  return mm_view_of(p, 6 + rl + sl);
}

static size_t ghash_len(rgen *g) {
  static const size_t lens[] = {32, 48, 64};
  return g->suite ? g->suite->hash_len : lens[below(g, 3)];
}

static void gen_fields(rgen *g, const mm_schema *s, void *base);

static void gen_list(rgen *g, const mm_field *f, mm_list *l) {
  mm_writer w;
  mm_writer_init(&w);
  size_t n = below(g, 4);
  mm_limits lim = mm_limits_default(g->suite ? g->suite->id : 0);
  void *e = galloc(g, f->sub->size);
  for (size_t i = 0; i < n; i++) {
    memset(e, 0, f->sub->size);
    gen_fields(g, f->sub, e);
    mm_derr err;
    ck_assert_msg(mm_schema_encode(f->sub, e, f->sub->nfields, &lim, &w, &err) == MM_OK,
                  "element of %s: %s", f->name ? f->name : f->sub->name,
                  err.reason ? err.reason : "?");
  }
  uint8_t *p = galloc(g, w.len);
  if (w.len) memcpy(p, w.buf, w.len);
  *l = (mm_list){mm_view_of(p, w.len), (uint32_t)n};
  mm_writer_free(&w);
}

static void gen_field(rgen *g, const mm_field *f, void *base) {
  unsigned char *b = base;
  mm_view *v = (mm_view *)(void *)(b + f->offset);
  switch (f->kind) {
  case MM_K_U8:
  case MM_K_U16:
  case MM_K_U32:
  case MM_K_U64: {
    uint64_t x = rnd(g) & mm_kind_int_max(f->kind) & (uint64_t)INT64_MAX;
    if (f->reason) x = f->min + (f->max - f->min + 1 ? rnd(g) % (f->max - f->min + 1) : 0);
    if (f->sets_suite) x = g->suite ? g->suite->id : 0x1234;
    mm_field_set_int(base, f->kind, f->offset, x);
    break;
  }
  case MM_K_GROUP_ID: *v = gbytes(g, 1 + below(g, 40)); break;
  case MM_K_OPAQUE: *v = gbytes(g, below(g, 40)); break;
  case MM_K_SIG_KEY: *v = gkey(g, g->suite ? g->suite->pub_len : 1 + below(g, 60)); break;
  case MM_K_HPKE_KEY: *v = gkey(g, g->suite ? g->suite->kem_pub_len : 1 + below(g, 60)); break;
  case MM_K_MAC: *v = gbytes(g, g->suite ? g->suite->hash_len : below(g, 40)); break;
  case MM_K_HASH: *v = gbytes(g, ghash_len(g)); break;
  case MM_K_HASH_OPT: *v = gbytes(g, below(g, 3) ? ghash_len(g) : 0); break;
  case MM_K_SIGNATURE:
    *v = !g->suite ? gbytes(g, 64) : ecdsa(g->suite) ? gder(g) : gbytes(g, g->suite->sig_len);
    break;
  case MM_K_STRUCT: gen_fields(g, f->sub, b + f->offset); break;
  case MM_K_OPTIONAL:
    b[f->sel_off] = (uint8_t)below(g, 2);
    if (b[f->sel_off]) gen_fields(g, f->sub, b + f->offset);
    break;
  case MM_K_LIST: gen_list(g, f, (mm_list *)(void *)(b + f->offset)); break;
  case MM_K_SELECT: {
    const mm_case *k = mm_select_case(f, base);
    ck_assert_ptr_nonnull(k);
    gen_fields(g, k->schema, base);
    break;
  }
  default: ck_abort_msg("kind %d not in an RFC 9420 structure", (int)f->kind);
  }
}

static void gen_fields(rgen *g, const mm_schema *s, void *base) {
  for (size_t i = 0; i < s->nfields; i++) gen_field(g, &s->fields[i], base);
}

/* ---- round trips ---- */

static mm_view encode(mm_mls_type t, const void *m, const mm_limits *lim, mm_writer *w) {
  mm_writer_init(w);
  mm_derr err = {0};
  mm_err e = mm_mls_encode(t, m, lim, w, &err);
  ck_assert_msg(e == MM_OK, "%s: %s (%s) at %zu, field %s", mm_mls_type_name(t),
                err.reason ? err.reason : mm_err_name(e), err.rule ? err.rule : "-", err.offset,
                err.field ? err.field : "-");
  return mm_writer_view(w);
}

/* Every type, random in each suite: encode, decode, encode again and the
 * JSON form all give the same bytes. */
START_TEST(test_random_roundtrip_every_type) {
  static const uint16_t suites[] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint16_t suite = suites[_i % 8];
  rgen g = {.s = 0x9e3779b97f4a7c15ull + (uint64_t)_i, .suite = mm_suite_get(suite)};
  mm_limits lim = mm_limits_default(suite);
  for (int round = 0; round < 8; round++)
    for (int t = 0; t < MM_MLS_T_COUNT; t++) {
      const mm_schema *s = mm_mls_schema_of((mm_mls_type)t);
      mm_mls_any m, back;
      memset(&m, 0, sizeof m);
      gen_fields(&g, s, &m);
      mm_writer w1, w2, w3;
      mm_view b = encode((mm_mls_type)t, &m, &lim, &w1);
      mm_derr err;
      ck_assert_msg(mm_mls_decode((mm_mls_type)t, b.data, b.len, &lim, &back, &err) == MM_OK,
                    "%s does not decode: %s at %zu", s->name, err.reason, err.offset);
      ck_assert(mm_view_eq(encode((mm_mls_type)t, &back, &lim, &w2), b));
      json_t *j = mm_mls_to_json((mm_mls_type)t, &back);
      ck_assert_ptr_nonnull(j);
      mm_arena a;
      mm_arena_init(&a);
      mm_mls_any from;
      const char *why = NULL;
      ck_assert_msg(mm_mls_from_json((mm_mls_type)t, j, &a, &from, &why) == MM_OK, "%s: %s",
                    s->name, why);
      ck_assert_msg(mm_view_eq(encode((mm_mls_type)t, &from, &lim, &w3), b),
                    "%s: JSON round trip differs", s->name);
      mm_arena_free(&a);
      json_decref(j);
      mm_writer_free(&w1);
      mm_writer_free(&w2);
      mm_writer_free(&w3);
      gfree(&g);
    }
}
END_TEST

/* ---- strictness ---- */

static void expect_fail(mm_mls_type t, uint16_t suite, const char *hex, const char *rule,
                        size_t offset, const char *reason) {
  size_t n;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_limits lim = mm_limits_default(suite);
  mm_mls_any m;
  mm_derr err;
  ck_assert_msg(mm_mls_decode(t, b, n, &lim, &m, &err) == MM_E_MALFORMED, "%s accepted as %s", hex,
                mm_mls_type_name(t));
  ck_assert_msg(strcmp(err.rule, rule) == 0 && err.offset == offset &&
                    (!reason || strcmp(err.reason, reason) == 0),
                "%s: got %s '%s' at %zu, want %s '%s' at %zu", mm_mls_type_name(t), err.rule,
                err.reason, err.offset, rule, reason ? reason : "*", offset);
  free(b);
}

/* A LeafNode of suite 1 with the given keys (hex of the two <V> fields)
 * and otherwise minimal contents. */
static char *leaf_hex(const char *keys) {
  static char buf[1024];
  snprintf(buf, sizeof buf,
           "%s"
           "0001"
           "00" /* basic credential, empty identity */
           "00"
           "00"
           "00"
           "00"
           "00" /* capabilities */
           "02" /* leaf_node_source update */
           "00" /* extensions */
           "40"
           "40"
           "%0128d", /* signature: 64 bytes */
           keys, 0);
  return buf;
}

START_TEST(test_enc1_enc2) {
  /* ENC-1: a list header 0x4001 (2-byte form of 1), prefix 0b11. */
  expect_fail(MM_MLS_T_CAPABILITIES, 0,
              "40020001"
              "00000000",
              "ENC-1", 0, "non-minimal length");
  expect_fail(MM_MLS_T_CAPABILITIES, 0, "c0", "ENC-1", 0, "invalid length prefix 0b11");
  /* ENC-2: trailing bytes; an element that runs past its list. */
  expect_fail(MM_MLS_T_EXTENSION, 0,
              "0001"
              "00"
              "00",
              "ENC-2", 3, "trailing bytes");
  expect_fail(MM_MLS_T_CAPABILITIES, 0,
              "03000100"
              "00000000",
              "ENC-2", 3, NULL);
  expect_fail(MM_MLS_T_GROUP_CONTEXT_EXTENSIONS, 0, "0300010a", "ENC-2", 3, NULL);
}
END_TEST

START_TEST(test_enc4_keys_and_fields) {
  char keys[512];
  /* Suite 1: a 31-byte HPKE key, a 33-byte signature key. */
  snprintf(keys, sizeof keys,
           "1f%062d"
           "20%064d",
           0, 0);
  expect_fail(MM_MLS_T_LEAF_NODE, 1, leaf_hex(keys), "ENC-4", 0,
              "HPKE public key has the wrong length for the suite");
  snprintf(keys, sizeof keys,
           "20%064d"
           "21%066d",
           0, 0);
  expect_fail(MM_MLS_T_LEAF_NODE, 1, leaf_hex(keys), "ENC-4", 33,
              "signature public key has the wrong length for the suite");
  /* Suite 2: a compressed P-256 key (33 bytes), and 65 bytes not 0x04. */
  char hpke[200], sig[200];
  snprintf(hpke, sizeof hpke,
           "4041"
           "04%0128d",
           0);
  snprintf(sig, sizeof sig,
           "21"
           "02%064d",
           0);
  snprintf(keys, sizeof keys, "%s%s", hpke, sig);
  expect_fail(MM_MLS_T_PARENT_NODE, 2,
              "21"
              "02"
              "0000000000000000000000000000000000000000000000000000000000000000"
              "00"
              "00",
              "ENC-4", 0, "HPKE public key has the wrong length for the suite");
  snprintf(keys, sizeof keys, "%s%s", hpke, sig);
  {
    /* signature key compressed, after a good HPKE key */
    size_t n;
    char hex[1024];
    snprintf(hex, sizeof hex,
             "%s"
             "0001"
             "00"
             "0000000000"
             "02"
             "00"
             "08"
             "3006020101020101",
             keys);
    uint8_t *b = mm_test_unhex(hex, &n);
    mm_limits lim = mm_limits_default(2);
    mm_mls_leaf_node ln;
    mm_derr err;
    ck_assert_int_eq(mm_mls_decode(MM_MLS_T_LEAF_NODE, b, n, &lim, &ln, &err), MM_E_MALFORMED);
    ck_assert_str_eq(err.reason, "signature public key has the wrong length for the suite");
    ck_assert_str_eq(err.field, "signature_key");
    ck_assert_uint_eq(err.offset, 67); /* after the 2-byte header and 65 bytes */
    free(b);
    /* 65 bytes starting 0x03: no uncompressed point */
    snprintf(hex, sizeof hex,
             "%s"
             "4041"
             "03%0128d"
             "0001"
             "00"
             "0000000000"
             "02"
             "00"
             "08"
             "3006020101020101",
             hpke, 0);
    b = mm_test_unhex(hex, &n);
    ck_assert_int_eq(mm_mls_decode(MM_MLS_T_LEAF_NODE, b, n, &lim, &ln, &err), MM_E_MALFORMED);
    ck_assert_str_eq(err.reason, "signature public key is not an uncompressed SEC1 point");
    free(b);
    /* the same with 0x04 decodes (the point itself is checked by MLS-2) */
    snprintf(hex, sizeof hex,
             "%s"
             "4041"
             "04%0128d"
             "0001"
             "00"
             "0000000000"
             "02"
             "00"
             "08"
             "3006020101020101",
             hpke, 0);
    b = mm_test_unhex(hex, &n);
    ck_assert_int_eq(mm_mls_decode(MM_MLS_T_LEAF_NODE, b, n, &lim, &ln, &err), MM_OK);
    free(b);
  }
  /* optional<> flags are 0 or 1; a ratchet tree of one flag 2. */
  expect_fail(MM_MLS_T_RATCHET_TREE, 0, "0102", "ENC-4", 1, "optional<> flag not 0 or 1");
  /* enums */
  expect_fail(MM_MLS_T_MLS_MESSAGE, 0, "00010006", "ENC-4", 2, "unknown wire_format");
  expect_fail(MM_MLS_T_MLS_MESSAGE, 0, "00020001", "ENC-4", 0, "version must be 1 (mls10)");
  expect_fail(MM_MLS_T_NODE, 0, "03", "ENC-4", 0, "unknown node_type");
  expect_fail(MM_MLS_T_CREDENTIAL, 0, "000300", "ENC-4", 0, "unknown credential_type");
  expect_fail(MM_MLS_T_PROPOSAL, 0, "0008", "ENC-4", 0, "unknown proposal_type");
  expect_fail(MM_MLS_T_FRAMED_CONTENT, 0,
              "0167"
              "0000000000000000"
              "05",
              "ENC-4", 10, "unknown sender_type");
  expect_fail(MM_MLS_T_FRAMED_CONTENT, 0,
              "0167"
              "0000000000000000"
              "03"
              "00"
              "04",
              "ENC-4", 12, "unknown content_type");
  expect_fail(MM_MLS_T_MIGRATION_GROUP_STATE, 0, "0001", "ENC-4", 0, "version must be 2");
  /* group IDs of 1..255 bytes */
  expect_fail(MM_MLS_T_REINIT, 0,
              "00"
              "0001"
              "0001"
              "00",
              "ENC-4", 0, "group_id empty");
  /* a MAC of the wrong length for suite 1 (a GroupInfo's confirmation tag) */
  char gi[1024];
  snprintf(gi, sizeof gi,
           "0001"
           "0001"
           "0167"
           "0000000000000000"
           "20%064d"
           "00"
           "00" /* GroupContext */
           "00"
           "1f%062d"
           "00000000"
           "40%0128d",
           0, 0, 0);
  expect_fail(MM_MLS_T_GROUP_INFO, 0, gi, "ENC-4", 50,
              "MAC length does not match the suite's hash");
}
END_TEST

/* A ratchet tree of more than 2^17-1 nodes is refused from its count. */
START_TEST(test_enc4_tree_width) {
  size_t n = 2 * MM_MLS_MAX_LEAVES; /* one node too many, all blank */
  uint8_t *b = calloc(1, n + 4);
  ck_assert_ptr_nonnull(b);
  b[0] = 0x80 | (uint8_t)(n >> 24);
  b[1] = (uint8_t)(n >> 16);
  b[2] = (uint8_t)(n >> 8);
  b[3] = (uint8_t)n;
  mm_mls_ratchet_tree rt;
  mm_derr err;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_RATCHET_TREE, b, n + 4, NULL, &rt, &err), MM_E_MALFORMED);
  ck_assert_str_eq(err.reason, "ratchet tree longer than 2^17-1 nodes");
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_RATCHET_TREE, b, n + 3, NULL, &rt, &err), MM_E_MALFORMED);
  /* 2^17-1 blanks: decodes (MLS-2 refuses a blank last node) */
  b[1] = (uint8_t)((n - 1) >> 16);
  b[2] = (uint8_t)((n - 1) >> 8);
  b[3] = (uint8_t)(n - 1);
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_RATCHET_TREE, b, n + 3, NULL, &rt, &err), MM_OK);
  ck_assert_uint_eq(rt.nodes.count, n - 1);
  free(b);
}
END_TEST

/* Encoding checks what decoding checks: a builder's list whose count is
 * wrong, a key of the wrong size, a flag of 2. */
START_TEST(test_encoder_refuses) {
  mm_limits lim = mm_limits_default(1);
  mm_writer w;
  mm_writer_init(&w);
  uint8_t ext[] = {0, 1, 0};
  mm_mls_group_context_extensions gce = {{mm_view_of(ext, 3), 2}};
  mm_derr err;
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_GROUP_CONTEXT_EXTENSIONS, &gce, &lim, &w, &err),
                   MM_E_MALFORMED);
  ck_assert_str_eq(err.rule, "ENC-3");
  mm_writer_free(&w);
  mm_writer_init(&w);
  uint8_t k[5] = {0};
  mm_mls_parent_node p = {.encryption_key = mm_view_of(k, 5)};
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_PARENT_NODE, &p, &lim, &w, &err), MM_E_MALFORMED);
  ck_assert_str_eq(err.field, "encryption_key");
  mm_writer_free(&w);
  mm_writer_init(&w);
  mm_mls_commit c = {.has_path = 2};
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT, &c, &lim, &w, &err), MM_E_MALFORMED);
  mm_writer_free(&w);
}
END_TEST

/* Lengths claiming 2^30-1 bytes at every offset of a 10-byte input: every
 * type refuses without asking for more than a few bytes. */
START_TEST(test_huge_lengths_allocate_nothing) {
  uint8_t in[10];
  for (int fill = 0; fill <= 1; fill++)
    for (size_t at = 0; at + 4 <= sizeof in; at++) {
      memset(in, fill, sizeof in);
      memcpy(in + at, "\xbf\xff\xff\xff", 4);
      for (int t = 0; t < MM_MLS_T_COUNT; t++) {
        mm_mls_any m;
        mm_derr err;
        mm_limits lim = mm_limits_default(1);
        mm_alloc_count_start();
        mm_err e = mm_mls_decode((mm_mls_type)t, in, sizeof in, &lim, &m, &err);
        size_t used = mm_alloc_count_stop();
        ck_assert_int_eq(e, MM_E_MALFORMED);
        ck_assert_msg(used <= 1024, "%s allocated %zu bytes", mm_mls_type_name((mm_mls_type)t),
                      used);
      }
    }
}
END_TEST

/* The list walkers visit exactly the elements a decoded list counts. */
START_TEST(test_list_walkers) {
  size_t n;
  uint8_t *b = mm_test_unhex(
      "06"
      "0001"
      "0002"
      "ffff",
      &n);
  mm_mls_capabilities c = {0};
  mm_list l = {mm_view_of(b + 1, 6), 3};
  size_t pos = 0, k = 0;
  uint16_t v, want[] = {1, 2, 0xffff};
  while (mm_mls_u16_next(l, &pos, &v)) ck_assert_uint_eq(v, want[k++]);
  ck_assert_uint_eq(k, 3);
  (void)c;
  free(b);
  mm_writer w;
  mm_writer_init(&w);
  mm_mls_extension x = {7, mm_view_str("ab")};
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &x, &w), MM_OK);
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &x, &w), MM_OK);
  mm_list el = mm_mls_list_view(&w, 2);
  pos = 0;
  k = 0;
  mm_mls_extension got;
  while (mm_mls_ext_next(el, &pos, &got)) {
    ck_assert_uint_eq(got.extension_type, 7);
    k++;
  }
  ck_assert_uint_eq(k, 2);
  mm_writer_free(&w);
  /* every list element schema fits the codec's scratch */
  for (int e = MM_MLS_E_EXTENSION; e <= MM_MLS_E_PSK_ID; e++)
    ck_assert_uint_le(mm_mls_elem_schema((mm_mls_elem)e)->size, MM_SCHEMA_ELEM_MAX);
}
END_TEST

START_TEST(test_type_names) {
  for (int t = 0; t < MM_MLS_T_COUNT; t++) {
    mm_mls_type back;
    ck_assert(mm_mls_type_by_name(mm_mls_type_name((mm_mls_type)t), &back));
    ck_assert_int_eq(back, t);
    ck_assert_uint_le(mm_mls_type_size((mm_mls_type)t), sizeof(mm_mls_any));
  }
  mm_mls_type x;
  ck_assert(!mm_mls_type_by_name("no_such", &x));
  ck_assert_ptr_null(mm_mls_type_name(MM_MLS_T_COUNT));
}
END_TEST

Suite *suite_mls_codec(void) {
  Suite *s = suite_create("mls_codec");
  TCase *tc = tcase_create("mls_codec");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(tc, test_random_roundtrip_every_type, "MLS-1 ENC-1 ENC-3 ENC-4", 0, 16);
  MM_ADD_TEST(tc, test_enc1_enc2, "ENC-1 ENC-2");
  MM_ADD_TEST(tc, test_enc4_keys_and_fields, "ENC-4 MLS-1");
  MM_ADD_TEST(tc, test_enc4_tree_width, "ENC-4");
  MM_ADD_TEST(tc, test_encoder_refuses, "ENC-3 ENC-4");
  MM_ADD_TEST(tc, test_huge_lengths_allocate_nothing, "ENC-1 ENC-2");
  MM_ADD_TEST(tc, test_list_walkers, "-");
  MM_ADD_TEST(tc, test_type_names, "-");
  suite_add_tcase(s, tc);
  return s;
}

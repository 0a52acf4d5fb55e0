/* Tests of the reader and writer (sim/base/bytes.c): big-endian integers, the
 * strict variable-length integer of RFC 9420 section 2.1.2 (with the MLS
 * working group's deserialization vectors), vector bounds, child readers,
 * sticky errors, and the writer's vector headers. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/bytes.h"
#include "testlib.h"

/* Reader over a hex string; the buffer is freed by the caller. */
static uint8_t *reader_hex(mm_reader *r, mm_derr *err, const char *hex) {
  size_t n;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_reader_init(r, b, n, err);
  return b;
}

static void assert_err(const mm_derr *e, const char *rule, size_t offset, const char *reason) {
  ck_assert_ptr_nonnull(e->rule);
  ck_assert_str_eq(e->rule, rule);
  ck_assert_uint_eq(e->offset, offset);
  if (reason) ck_assert_str_eq(e->reason, reason);
}

/* Decode one varint from hex; returns true and *v on success. */
static bool varint_of(const char *hex, uint32_t *v, mm_derr *err) {
  mm_reader r;
  uint8_t *b = reader_hex(&r, err, hex);
  bool ok = mm_read_varint(&r, v) && mm_reader_expect_end(&r);
  free(b);
  return ok;
}

START_TEST(test_read_ints_big_endian) {
  mm_reader r;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err,
                          "01"
                          "0203"
                          "04050607"
                          "08090a0b0c0d0e0f");
  uint8_t a;
  uint16_t x;
  uint32_t y;
  uint64_t z;
  ck_assert(mm_read_u8(&r, &a) && mm_read_u16(&r, &x) && mm_read_u32(&r, &y) &&
            mm_read_u64(&r, &z));
  ck_assert_uint_eq(a, 1);
  ck_assert_uint_eq(x, 0x0203);
  ck_assert_uint_eq(y, 0x04050607);
  ck_assert(z == 0x08090a0b0c0d0e0fULL);
  ck_assert(mm_reader_expect_end(&r));
  ck_assert_ptr_null(err.rule);
  free(b);
}
END_TEST

START_TEST(test_varint_mlswg_vectors) {
  json_error_t jerr;
  json_t *root =
      json_load_file(mm_test_path("vectors/external/mlswg/deserialization.json"), 0, &jerr);
  ck_assert_msg(root != NULL, "cannot load deserialization.json: %s", jerr.text);
  ck_assert(json_array_size(root) > 0);
  size_t i;
  json_t *e;
  json_array_foreach(root, i, e) {
    const char *hex = json_string_value(json_object_get(e, "vlbytes_header"));
    json_int_t want = json_integer_value(json_object_get(e, "length"));
    ck_assert_ptr_nonnull(hex);
    /* decode header -> length */
    uint32_t got;
    mm_derr err;
    ck_assert_msg(varint_of(hex, &got, &err), "vector %zu: %s", i, hex);
    ck_assert_uint_eq(got, (uint64_t)want);
    /* encode length -> header */
    mm_writer w;
    mm_writer_init(&w);
    ck_assert(mm_put_varint(&w, (uint32_t)want));
    size_t n;
    uint8_t *h = mm_test_unhex(hex, &n);
    ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of(h, n)));
    ck_assert_uint_eq(mm_varint_size((size_t)want), n);
    free(h);
    mm_writer_free(&w);
  }
  json_decref(root);
}
END_TEST

START_TEST(test_varint_non_minimal) {
  static const char *bad[] = {
      "4000",                 /* 0 in 2 bytes */
      "403f",                 /* 63, a 1-byte value in 2-byte form */
      "80000005",             /* 5, a 1-byte value in 4-byte form */
      "8000003f", "80000040", /* 64, a 2-byte value in 4-byte form */
      "80003fff",             /* 16383 in 4 bytes */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t v;
    mm_derr err;
    ck_assert_msg(!varint_of(bad[i], &v, &err), "%s accepted", bad[i]);
    assert_err(&err, "ENC-1", 0, "non-minimal length");
  }
  /* The offset is the header's absolute start. */
  mm_reader r;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err,
                          "aabbcc"
                          "4001");
  uint8_t skip[3];
  uint32_t v;
  ck_assert(mm_read_u8(&r, &skip[0]) && mm_read_u8(&r, &skip[1]) && mm_read_u8(&r, &skip[2]));
  ck_assert(!mm_read_varint(&r, &v));
  assert_err(&err, "ENC-1", 3, "non-minimal length");
  free(b);
}
END_TEST

START_TEST(test_varint_prefix_11) {
  static const char *bad[] = {"c0", "c000000000000001", "ff", "ffffffffffffffff"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t v;
    mm_derr err;
    ck_assert(!varint_of(bad[i], &v, &err));
    assert_err(&err, "ENC-1", 0, "invalid length prefix 0b11");
  }
}
END_TEST

START_TEST(test_varint_bounds) {
  uint32_t v;
  mm_derr err;
  ck_assert(varint_of("bfffffff", &v, &err));
  ck_assert_uint_eq(v, MM_VARINT_MAX);
  ck_assert(varint_of("4040", &v, &err));
  ck_assert_uint_eq(v, 64);
  ck_assert(varint_of("80004000", &v, &err));
  ck_assert_uint_eq(v, 16384);
  ck_assert_uint_eq(mm_varint_size(0), 1);
  ck_assert_uint_eq(mm_varint_size(63), 1);
  ck_assert_uint_eq(mm_varint_size(64), 2);
  ck_assert_uint_eq(mm_varint_size(16383), 2);
  ck_assert_uint_eq(mm_varint_size(16384), 4);
  ck_assert_uint_eq(mm_varint_size(MM_VARINT_MAX), 4);
  ck_assert_uint_eq(mm_varint_size((size_t)MM_VARINT_MAX + 1), 0);
  /* A length above 2^30-1 cannot be written. */
  mm_writer w;
  mm_writer_init(&w);
  ck_assert(!mm_put_varint(&w, MM_VARINT_MAX + 1));
  ck_assert(!mm_writer_ok(&w));
  mm_writer_free(&w);
}
END_TEST

START_TEST(test_varint_truncated) {
  static const char *bad[] = {"", "40", "80", "800000"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t v;
    mm_derr err;
    ck_assert(!varint_of(bad[i], &v, &err));
    ck_assert_str_eq(err.rule, "ENC-2");
  }
}
END_TEST

START_TEST(test_vec_past_container) {
  mm_reader r;
  mm_derr err;
  mm_view v;
  uint8_t *b = reader_hex(&r, &err, "0461626364");
  ck_assert(mm_read_vec(&r, &v));
  ck_assert_uint_eq(v.len, 4);
  ck_assert(v.data == b + 1); /* a view, not a copy */
  ck_assert(mm_reader_expect_end(&r));
  free(b);

  b = reader_hex(&r, &err,
                 "00"
                 "05616263");
  ck_assert(mm_read_vec(&r, &v) && v.len == 0);
  ck_assert(!mm_read_vec(&r, &v));
  assert_err(&err, "ENC-2", 1, "vector runs past its container");
  free(b);
}
END_TEST

START_TEST(test_child_reader_absolute_offsets) {
  /* outer: u8, then a vector of 3 bytes holding u8 + a 2-byte vector header
   * claiming more than the child holds. */
  mm_reader r, child;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err,
                          "aa"
                          "03"
                          "01"
                          "02ff"
                          "bbbb");
  uint8_t x;
  ck_assert(mm_read_u8(&r, &x));
  ck_assert(mm_read_vec_reader(&r, &child));
  ck_assert_uint_eq(child.pos, 2);
  ck_assert_uint_eq(child.end, 5);
  ck_assert_uint_eq(r.pos, 5);
  ck_assert(mm_read_u8(&child, &x) && x == 1);
  mm_view v;
  /* 0x02 claims 2 bytes, only 1 is left inside the child */
  ck_assert(!mm_read_vec(&child, &v));
  assert_err(&err, "ENC-2", 3, "vector runs past its container");
  /* The error is shared and sticky: the parent fails too. */
  ck_assert(mm_reader_failed(&r));
  ck_assert(!mm_read_u8(&r, &x));
  ck_assert_uint_eq(err.offset, 3);
  free(b);
}
END_TEST

START_TEST(test_sticky_first_error) {
  mm_reader r;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err,
                          "4001"
                          "00");
  uint32_t v;
  mm_view view;
  ck_assert(!mm_read_varint(&r, &v));
  ck_assert(!mm_read_vec(&r, &view));
  ck_assert(!mm_read_rest(&r, &view));
  ck_assert(!mm_reader_expect_end(&r));
  assert_err(&err, "ENC-1", 0, "non-minimal length");
  ck_assert(!mm_reader_fail(&r, "ENC-4", "later"));
  ck_assert_str_eq(err.rule, "ENC-1");
  free(b);
}
END_TEST

START_TEST(test_trailing_bytes) {
  mm_reader r;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err,
                          "0102"
                          "03");
  uint16_t x;
  ck_assert(mm_read_u16(&r, &x));
  ck_assert(!mm_reader_expect_end(&r));
  assert_err(&err, "ENC-2", 2, "trailing bytes");
  free(b);
}
END_TEST

START_TEST(test_fixed_and_rest) {
  mm_reader r;
  mm_derr err;
  uint8_t *b = reader_hex(&r, &err, "0102030405");
  mm_view v;
  ck_assert(mm_read_fixed(&r, 2, &v) && v.len == 2 && v.data == b);
  ck_assert(mm_read_rest(&r, &v) && v.len == 3 && v.data == b + 2);
  ck_assert(mm_read_rest(&r, &v) && v.len == 0);
  ck_assert(!mm_read_fixed(&r, 1, &v));
  assert_err(&err, "ENC-2", 5, NULL);
  free(b);
}
END_TEST

START_TEST(test_writer_vec_headers) {
  static const size_t lens[] = {0, 1, 63, 64, 16383, 16384, 70000};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t n = lens[i];
    uint8_t *data = calloc(n + 1, 1);
    ck_assert_ptr_nonnull(data);
    memset(data, 0x5a, n);
    mm_writer a, b;
    mm_writer_init(&a);
    mm_writer_init(&b);
    ck_assert(mm_put_u8(&a, 0xee) && mm_put_vec(&a, data, n));
    /* the same through begin/end: the header is inserted in front */
    ck_assert(mm_put_u8(&b, 0xee));
    size_t mark = mm_vec_begin(&b);
    ck_assert(mm_put_bytes(&b, data, n) && mm_vec_end(&b, mark));
    ck_assert(mm_view_eq(mm_writer_view(&a), mm_writer_view(&b)));
    ck_assert_uint_eq(a.len, 1 + mm_varint_size(n) + n);
    /* and it reads back */
    mm_reader r;
    mm_derr err;
    mm_view v;
    uint8_t tag;
    mm_reader_init(&r, a.buf, a.len, &err);
    ck_assert(mm_read_u8(&r, &tag) && mm_read_vec(&r, &v) && mm_reader_expect_end(&r));
    ck_assert_uint_eq(v.len, n);
    mm_writer_free(&a);
    mm_writer_free(&b);
    free(data);
  }
}
END_TEST

START_TEST(test_writer_finish_and_fail) {
  mm_writer w;
  uint8_t *out = NULL;
  size_t n = 99;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_writer_finish(&w, &out, &n), MM_OK);
  ck_assert_ptr_nonnull(out); /* empty, but free()-able */
  ck_assert_uint_eq(n, 0);
  free(out);

  mm_writer_init(&w);
  ck_assert(mm_put_u32(&w, 0x01020304));
  ck_assert(!mm_writer_fail(&w, MM_E_MALFORMED));
  ck_assert(!mm_writer_fail(&w, MM_E_NOMEM)); /* first error wins */
  ck_assert(!mm_put_u8(&w, 1));
  ck_assert_int_eq(mm_writer_finish(&w, &out, &n), MM_E_MALFORMED);
  ck_assert_ptr_null(w.buf);

  mm_writer_init(&w);
  static const uint8_t dummy[1];
  ck_assert(!mm_put_vec(&w, dummy, (size_t)MM_VARINT_MAX + 1));
  ck_assert_int_eq(w.error, MM_E_MALFORMED);
  mm_writer_free(&w);
}
END_TEST

START_TEST(test_views) {
  uint8_t a[] = {1, 2, 3};
  ck_assert(mm_view_eq(mm_view_of(a, 0), mm_view_of(NULL, 0)));
  ck_assert(mm_view_eq(mm_view_of(a, 3), mm_view_of(a, 3)));
  ck_assert(!mm_view_eq(mm_view_of(a, 3), mm_view_of(a, 2)));
  ck_assert(mm_view_eq_str(mm_view_str("abc"), "abc"));
  ck_assert(!mm_view_eq_str(mm_view_str("abc"), "abd"));
  ck_assert_uint_eq(mm_view_str(NULL).len, 0);
}
END_TEST

Suite *suite_bytes(void) {
  Suite *s = suite_create("bytes");
  TCase *tc = tcase_create("reader_writer");
  MM_ADD_TEST(tc, test_read_ints_big_endian, "ENC-1");
  MM_ADD_TEST(tc, test_varint_mlswg_vectors, "ENC-1 ENC-3");
  MM_ADD_TEST(tc, test_varint_non_minimal, "ENC-1");
  MM_ADD_TEST(tc, test_varint_prefix_11, "ENC-1");
  MM_ADD_TEST(tc, test_varint_bounds, "ENC-1");
  MM_ADD_TEST(tc, test_varint_truncated, "ENC-2");
  MM_ADD_TEST(tc, test_vec_past_container, "ENC-2");
  MM_ADD_TEST(tc, test_child_reader_absolute_offsets, "ENC-2");
  MM_ADD_TEST(tc, test_sticky_first_error, "ENC-1");
  MM_ADD_TEST(tc, test_trailing_bytes, "ENC-2");
  MM_ADD_TEST(tc, test_fixed_and_rest, "ENC-2");
  MM_ADD_TEST(tc, test_writer_vec_headers, "ENC-1 ENC-3");
  MM_ADD_TEST(tc, test_writer_finish_and_fail, "-");
  MM_ADD_TEST(tc, test_views, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* Tests of sim/base/json_io.c: uint64 values in trees at 0, 2^63-1, 2^63 and
 * 2^64-1; the loaders' pre-scan (plain numbers up to 2^64-1 exact, 2^64,
 * "-0" and "\u0000" refused, strings and reals untouched, jansson's error
 * positions moved back to the input); the dumpers printing markers as plain
 * numbers; files and streams. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_io.h"
#include "report_fixture.h"
#include "testlib.h"

#define U63 "9223372036854775808"   /* 2^63 */
#define U64M "18446744073709551615" /* 2^64-1 */
#define U64 "18446744073709551616"  /* 2^64 */

static const uint64_t edges[] = {0, 1, INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX};

START_TEST(test_json_io_u64_values) {
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    json_t *j = mm_json_u64(edges[i]);
    uint64_t v = 7;
    ck_assert(mm_json_u64_value(j, &v));
    ck_assert(v == edges[i]);
    /* small values stay jansson integers, so older readers see them */
    ck_assert(json_is_integer(j) == (edges[i] <= INT64_MAX));
    json_t *o = json_pack("{s:o}", "k", j);
    ck_assert(mm_json_u64_get(o, "k", UINT64_MAX, &v) && v == edges[i]);
    ck_assert(mm_json_u64_get(o, "k", edges[i], &v));
    if (edges[i]) ck_assert(!mm_json_u64_get(o, "k", edges[i] - 1, &v));
    ck_assert(!mm_json_u64_get(o, "other", UINT64_MAX, &v));
    json_decref(o);
  }
  /* not unsigned integers: reals, negatives, strings, strings that look like
   * markers but are not canonical */
  json_t *no[] = {json_real(1.0),
                  json_integer(-1),
                  json_integer(INT64_MIN),
                  json_string(U64M),
                  json_stringn("\0u64:9223372036854775807", 24), /* fits an integer */
                  json_stringn("\0u64:09223372036854775808", 25),
                  json_stringn("\0u64:" U64, 25),
                  json_stringn("\0u64:1844674407370955161x", 25),
                  json_stringn("\0u64:", 5),
                  json_null(),
                  json_true()};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    uint64_t v = 7;
    ck_assert_msg(!mm_json_u64_value(no[i], &v) && v == 7, "case %zu", i);
    json_decref(no[i]);
  }
}
END_TEST

/* Loads text, dumps it compact: the same text. */
static void expect_same_text(const char *text) {
  json_error_t jerr;
  json_t *j = mm_json_loads(text, 0, &jerr);
  ck_assert_msg(j != NULL, "%s: %s", text, jerr.text);
  char *out = mm_json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  ck_assert_str_eq(out, text);
  free(out);
  json_decref(j);
}

START_TEST(test_json_io_load_dump_edges) {
  json_error_t jerr;
  json_t *j = mm_json_loads("[0, 9223372036854775807, " U63 ", " U64M "]", 0, &jerr);
  ck_assert_ptr_nonnull(j);
  uint64_t want[] = {0, INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX};
  for (size_t i = 0; i < 4; i++) {
    uint64_t v;
    ck_assert(mm_json_u64_value(json_array_get(j, i), &v) && v == want[i]);
  }
  json_decref(j);
  expect_same_text("[0,9223372036854775807," U63 "," U64M "]");
  expect_same_text("{\"seed\":" U64M ",\"at_ms\":[" U63 ",{\"epoch\":" U64M "}],\"x\":-1}");
  expect_same_text("[-9223372036854775808,1.5,0.25,\"" U64M "\",true,null]");
  /* digits inside strings are left alone, escapes and all */
  expect_same_text("[\"a\\\"" U64M "\",\"\\\\u0000u64:" U64M "\"," U64M "]");
  /* the indented and sorted forms print markers as numbers too */
  j = json_pack("{s:o, s:o, s:s}", "b", mm_json_u64(UINT64_MAX), "a", mm_json_u64(1), "c",
                "\xc3\xa9");
  char *out = mm_json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  ck_assert_str_eq(out, "{\n  \"a\": 1,\n  \"b\": " U64M ",\n  \"c\": \"\\u00E9\"\n}");
  free(out);
  json_decref(j);
  /* a string with a NUL made in code is not a marker unless canonical */
  j = json_pack("[o]", json_stringn("\0u64:12", 7));
  out = mm_json_dumps(j, JSON_COMPACT);
  ck_assert_str_eq(out, "[\"\\u0000u64:12\"]");
  free(out);
  json_decref(j);
  /* a bare marker with JSON_ENCODE_ANY */
  j = mm_json_u64(UINT64_MAX);
  out = mm_json_dumps(j, JSON_ENCODE_ANY);
  ck_assert_str_eq(out, U64M);
  free(out);
  json_decref(j);
}
END_TEST

static void expect_refused(const char *text, const char *reason, int line, int column,
                           int position) {
  json_error_t jerr;
  json_t *j = mm_json_loads(text, 0, &jerr);
  ck_assert_msg(j == NULL, "accepted: %s", text);
  ck_assert_msg(strstr(jerr.text, reason) != NULL, "%s: got '%s', want '%s'", text, jerr.text,
                reason);
  ck_assert_msg(jerr.line == line && jerr.column == column && jerr.position == position,
                "%s: at %d:%d (%d), want %d:%d (%d)", text, jerr.line, jerr.column, jerr.position,
                line, column, position);
}

START_TEST(test_json_io_load_refusals) {
  expect_refused("[" U64 "]", "integer above 2^64-1 near '" U64 "'", 1, 21, 21);
  expect_refused("{\"a\": 1,\n \"b\": 99999999999999999999999}", "integer above 2^64-1", 2, 29, 38);
  expect_refused("[-0]", "negative zero", 1, 3, 3);
  expect_refused("[\"a\\u0000b\"]", "\\u0000 is not allowed", 1, 9, 9);
  /* what jansson refuses, it still refuses */
  expect_refused("[-9223372036854775809]", "too big negative integer", 1, 21, 21);
  expect_refused("[0" U63 "]", "invalid token", 1, 2, 2);
  json_error_t jerr;
  ck_assert_ptr_null(mm_json_loads("{" U64M ": 1}", 0, &jerr)); /* a number is no key */
  ck_assert_ptr_null(mm_json_loads("[" U64M, 0, &jerr));
  ck_assert_ptr_null(mm_json_loads(NULL, 0, &jerr));
  /* fractions and exponents load as reals, which are no uint64 */
  json_t *j = mm_json_loads("[1.0, 1e3, " U64M ".0, " U64 "e0]", 0, &jerr);
  ck_assert_ptr_nonnull(j);
  for (size_t i = 0; i < json_array_size(j); i++) {
    uint64_t v;
    ck_assert(json_is_real(json_array_get(j, i)) && !mm_json_u64_value(json_array_get(j, i), &v));
  }
  json_decref(j);
}
END_TEST

/* A rewrite makes the text longer; jansson's error after it must point
 * where it would in the input: compare with a same-length string token. */
START_TEST(test_json_io_error_positions) {
  static const char *const pairs[][2] = {
      {"[" U64M ", x]", "[\"184467440737095516\", x]"},
      {"[" U64M ", " U63 ",\n  " U64M " x]",
       "[\"184467440737095516\", \"92233720368547758\",\n  "
       "\"184467440737095516\" x]"},
      {"{\"a\":\n" U64M ",\"a\":1}", "{\"a\":\n\"184467440737095516\",\"a\":1}"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    json_error_t big, ref;
    ck_assert_ptr_null(mm_json_loads(pairs[i][0], JSON_REJECT_DUPLICATES, &big));
    ck_assert_ptr_null(json_loads(pairs[i][1], JSON_REJECT_DUPLICATES, &ref));
    ck_assert_msg(big.line == ref.line && big.column == ref.column && big.position == ref.position,
                  "case %zu: %d:%d (%d), want %d:%d (%d)", i, big.line, big.column, big.position,
                  ref.line, ref.column, ref.position);
  }
}
END_TEST

START_TEST(test_json_io_files) {
  const char *d = fixture_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/x.json", d);
  json_t *j = json_pack("{s:o, s:[o, o]}", "seed", mm_json_u64(UINT64_MAX), "at",
                        mm_json_u64((uint64_t)INT64_MAX + 1), mm_json_u64(0));
  ck_assert_int_eq(mm_json_dump_file(j, path, JSON_COMPACT | JSON_SORT_KEYS), 0);
  char *text = fixture_slurp(path);
  ck_assert_str_eq(text, "{\"at\":[" U63 ",0],\"seed\":" U64M "}");
  free(text);
  json_error_t jerr;
  json_t *back = mm_json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  ck_assert_ptr_nonnull(back);
  ck_assert(json_equal(j, back));
  json_decref(back);
  FILE *f = fopen(path, "r");
  back = mm_json_loadf(f, 0, &jerr);
  fclose(f);
  ck_assert(json_equal(j, back));
  json_decref(back);
  json_decref(j);
  /* errors name the file */
  f = fopen(path, "w");
  fputs("[" U64 "]", f);
  fclose(f);
  ck_assert_ptr_null(mm_json_load_file(path, 0, &jerr));
  ck_assert_str_eq(jerr.source, path);
  ck_assert_ptr_null(mm_json_load_file("/nonexistent/x.json", 0, &jerr));
  ck_assert_ptr_nonnull(strstr(jerr.text, "unable to open /nonexistent/x.json"));
  ck_assert_int_eq(mm_json_dump_file(json_true(), "/nonexistent/x.json", JSON_ENCODE_ANY), -1);
  fixture_rmdir(d);
}
END_TEST

Suite *suite_json_io(void) {
  Suite *s = suite_create("json_io");
  TCase *tc = tcase_create("json_io");
  MM_ADD_TEST(tc, test_json_io_u64_values, "ENC-1");
  MM_ADD_TEST(tc, test_json_io_load_dump_edges, "ENC-1");
  MM_ADD_TEST(tc, test_json_io_load_refusals, "ENC-1");
  MM_ADD_TEST(tc, test_json_io_error_positions, "-");
  MM_ADD_TEST(tc, test_json_io_files, "ENC-1");
  suite_add_tcase(s, tc);
  return s;
}

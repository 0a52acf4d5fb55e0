/* Tests of the JSON form (sim/codec/json_codec.c): the exact shape of every type,
 * round trips of random messages through JSON text, strict input (unknown
 * and missing keys, bad hex, bad integers), the whole uint64 range, and the
 * MLS working group's framing vectors through JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/messages.h"
#include "testlib.h"

/* Defined in test_messages.c: the seeded generator of random well-formed
 * messages and the field-by-field comparison. */
uint64_t mmt_rand(uint64_t *s);
size_t mmt_below(uint64_t *s, size_t n);
void mmt_random_message(uint64_t *seed, mm_type t, uint16_t suite, uint64_t max_u64, mm_arena *a,
                        void *msg);
bool mmt_msg_equal(mm_type t, const void *x, const void *y);

/* Decode hex as t and return its compact JSON text (malloc'd). */
static char *json_of_hex(mm_type t, const char *hex) {
  size_t n;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_any_msg m;
  mm_derr err;
  ck_assert_msg(mm_decode(t, b, n, NULL, &m, &err) == MM_OK, "%s: %s at %zu", mm_type_name(t),
                err.reason, err.offset);
  json_t *j = mm_msg_to_json(t, &m);
  ck_assert_ptr_nonnull(j);
  char *s = mm_json_dumps(j, JSON_COMPACT);
  json_decref(j);
  free(b);
  return s;
}

static void expect_json(mm_type t, const char *hex, const char *want) {
  char *got = json_of_hex(t, hex);
  ck_assert_str_eq(got, want);
  free(got);
}

/* Parse text, fill a struct, encode it: returns the hex (malloc'd), or NULL
 * with *why set when mm_msg_from_json refuses. */
static MM_MUST_USE mm_err from_text(mm_type t, const char *text, mm_arena *a, void *msg,
                                    const char **why) {
  json_error_t jerr;
  json_t *j = mm_json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, jerr.text);
  mm_err e = mm_msg_from_json(t, j, a, msg, why);
  json_decref(j);
  return e;
}

static void expect_reject(mm_type t, const char *text, const char *reason) {
  mm_arena a;
  mm_arena_init(&a);
  mm_any_msg m;
  const char *why = NULL;
  ck_assert_msg(from_text(t, text, &a, &m, &why) == MM_E_MALFORMED, "accepted: %s", text);
  ck_assert_ptr_nonnull(why);
  ck_assert_msg(strcmp(why, reason) == 0, "%s: got '%s', want '%s'", text, why, reason);
  mm_arena_free(&a);
}

#define A_TEST "06612e74657374"
#define B_TEST "06622e74657374"
#define GID "026731"
#define EPOCH7 "0000000000000007"
#define REQ A_TEST B_TEST GID EPOCH7
#define NONCE "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define X16(b) b b b b b b b b b b b b b b b b
#define SIG64(b) "40" X16(b b b b)
#define REQ_JSON                                                                      \
  "{\"source_domain_name\":\"612e74657374\",\"target_domain_name\":\"622e74657374\"," \
  "\"group_id\":\"6731\",\"epoch\":7}"

START_TEST(test_json_shapes) {
  expect_json(MM_T_MIGRATION_REQUEST, REQ, REQ_JSON);
  expect_json(MM_T_MIGRATION_RESPONSE,
              REQ NONCE
              "08"
              "3006020101020101",
              "{\"migration_request\":" REQ_JSON ",\"nonce\":\"" NONCE
              "\","
              "\"signature\":\"3006020101020101\"}");
  expect_json(MM_T_MIGRATION_INIT,
              REQ NONCE
              "08"
              "3006020101020101"
              "08"
              "3006020101020103",
              "{\"migration_response\":{\"migration_request\":" REQ_JSON ",\"nonce\":\"" NONCE
              "\",\"signature\":\"3006020101020101\"},\"signature\":\"3006020101020103\"}");
  expect_json(MM_T_MIGRATION_COMMIT_AAD, B_TEST, "{\"target_ds_domain\":\"622e74657374\"}");
  expect_json(MM_T_MIGRATION_CONTENT,
              REQ NONCE
              "08"
              "3006020101020101"
              "03abcdef"
              "08"
              "3006020101020102",
              "{\"migration_response\":{\"migration_request\":" REQ_JSON ",\"nonce\":\"" NONCE
              "\",\"signature\":\"3006020101020101\"},\"group_state\":\"abcdef\","
              "\"signature\":\"3006020101020102\"}");
  expect_json(MM_T_TARGET_MIGRATION_COMPLETE, "20" X16("abab") "08" "3006020101020101",
              "{\"migration_content_hash\":\"" X16("abab") "\",\"signature\":\"3006020101020101\"}");
  expect_json(MM_T_MIGRATION_CONFIRMATION,
              B_TEST NONCE GID
              "08"
              "3006020101020101",
              "{\"domain_name\":\"622e74657374\",\"nonce\":\"" NONCE
              "\",\"group_id\":\"6731\","
              "\"signature\":\"3006020101020101\"}");
  expect_json(MM_T_ENVELOPE,
              "01"
              "0001"
              "0c616c69636540612e74657374"
              "19" REQ,
              "{\"msg_type\":1,\"cipher_suite\":1,\"sender\":\"616c69636540612e74657374\","
              "\"body\":\"" A_TEST B_TEST GID EPOCH7 "\"}");
  expect_json(MM_T_MIGRATION_ERROR,
              "000e"
              "086d69736d61746368",
              "{\"code\":14,\"detail\":\"6d69736d61746368\"}");
}
END_TEST

START_TEST(test_json_mls_shapes) {
  expect_json(MM_T_MLS_MESSAGE,
              "0001"
              "0001" GID EPOCH7
              "01"
              "00000003"
              "00"
              "01"
              "aabb",
              "{\"version\":1,\"wire_format\":1,\"public_message\":{\"content\":{"
              "\"group_id\":\"6731\",\"epoch\":7,\"sender\":{\"sender_type\":1,\"leaf_index\":3},"
              "\"authenticated_data\":\"\",\"content_type\":1},\"rest\":\"aabb\"}}");
  expect_json(MM_T_MLS_MESSAGE,
              "0001"
              "0001" GID EPOCH7
              "02"
              "00000009"
              "0161"
              "02",
              "{\"version\":1,\"wire_format\":1,\"public_message\":{\"content\":{"
              "\"group_id\":\"6731\",\"epoch\":7,\"sender\":{\"sender_type\":2,\"sender_index\":9},"
              "\"authenticated_data\":\"61\",\"content_type\":2},\"rest\":\"\"}}");
  expect_json(MM_T_MLS_MESSAGE,
              "0001"
              "0001" GID EPOCH7
              "04"
              "00"
              "03"
              "ff",
              "{\"version\":1,\"wire_format\":1,\"public_message\":{\"content\":{"
              "\"group_id\":\"6731\",\"epoch\":7,\"sender\":{\"sender_type\":4},"
              "\"authenticated_data\":\"\",\"content_type\":3},\"rest\":\"ff\"}}");
  expect_json(MM_T_MLS_MESSAGE,
              "0001"
              "0002" GID EPOCH7
              "03"
              "0161"
              "02aabb"
              "03ccddee",
              "{\"version\":1,\"wire_format\":2,\"private_message\":{\"group_id\":\"6731\","
              "\"epoch\":7,\"content_type\":3,\"authenticated_data\":\"61\","
              "\"encrypted_sender_data\":\"aabb\",\"ciphertext\":\"ccddee\"}}");
}
END_TEST

/* Random message -> JSON text -> struct: same struct, same bytes. */
START_TEST(test_json_property_roundtrip) {
  static const uint16_t suites[] = {0, 1, 2, 3, 4, 5, 6, 7, 0x1234};
  uint64_t seed = 0x15011;
  for (int t = 0; t < MM_T_COUNT; t++) {
    for (int i = 0; i < 400; i++) {
      mm_arena a, b;
      mm_arena_init(&a);
      mm_arena_init(&b);
      uint16_t suite = suites[mmt_below(&seed, sizeof suites / sizeof suites[0])];
      mm_any_msg m, back;
      mmt_random_message(&seed, (mm_type)t, suite, UINT64_MAX, &a, &m);
      json_t *j = mm_msg_to_json((mm_type)t, &m);
      ck_assert_ptr_nonnull(j);
      char *text = mm_json_dumps(j, JSON_COMPACT);
      ck_assert_ptr_nonnull(text);
      json_decref(j);
      const char *why = NULL;
      ck_assert_msg(from_text((mm_type)t, text, &b, &back, &why) == MM_OK, "%s: %s",
                    mm_type_name((mm_type)t), why);
      ck_assert(mmt_msg_equal((mm_type)t, &m, &back));
      mm_limits lim = mm_limits_default(suite);
      mm_writer w1, w2;
      mm_writer_init(&w1);
      mm_writer_init(&w2);
      ck_assert_int_eq(mm_encode((mm_type)t, &m, &lim, &w1, NULL), MM_OK);
      ck_assert_int_eq(mm_encode((mm_type)t, &back, &lim, &w2, NULL), MM_OK);
      ck_assert(mm_view_eq(mm_writer_view(&w1), mm_writer_view(&w2)));
      mm_writer_free(&w1);
      mm_writer_free(&w2);
      free(text);
      mm_arena_free(&a);
      mm_arena_free(&b);
    }
  }
}
END_TEST

START_TEST(test_json_rejects_keys) {
  expect_reject(MM_T_MIGRATION_REQUEST,
                "{\"source_domain_name\":\"61\",\"target_domain_name\":\"62\",\"group_id\":\"67\","
                "\"epoch\":1,\"extra\":1}",
                "unknown key \"extra\"");
  expect_reject(MM_T_MIGRATION_REQUEST,
                "{\"source_domain_name\":\"61\",\"target_domain_name\":\"62\",\"group_id\":\"67\"}",
                "missing key \"epoch\"");
  expect_reject(
      MM_T_MIGRATION_RESPONSE,
      "{\"migration_request\":{\"source_domain_name\":\"61\",\"target_domain_name\":\"62\","
      "\"group_id\":\"67\",\"epoch\":1,\"nonce\":\"00\"},\"nonce\":\"00\",\"signature\":\"00\"}",
      "unknown key \"nonce\"");
  expect_reject(MM_T_MIGRATION_RESPONSE,
                "{\"migration_request\":[],\"nonce\":\"00\",\"signature\":\"00\"}",
                "\"migration_request\" must be a JSON object");
  expect_reject(MM_T_MIGRATION_REQUEST, "[]", "\"migration_request\" must be a JSON object");
  expect_reject(MM_T_MIGRATION_COMMIT_AAD, "{}", "missing key \"target_ds_domain\"");
}
END_TEST

START_TEST(test_json_rejects_values) {
  static const char *bad_hex[] = {"\"616\"", "\"zz\"", "\"6 1\"", "61", "null", "[\"61\"]"};
  for (size_t i = 0; i < sizeof bad_hex / sizeof bad_hex[0]; i++) {
    char text[100];
    snprintf(text, sizeof text, "{\"target_ds_domain\":%s}", bad_hex[i]);
    expect_reject(MM_T_MIGRATION_COMMIT_AAD, text,
                  "\"target_ds_domain\" must be a string of hex digit pairs");
  }
  static const struct {
    const char *value, *reason;
  } bad_int[] = {
      {"-1", "\"epoch\" out of range"},
      {"-9223372036854775808", "\"epoch\" out of range"},
      {"1.5", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
      {"1.0", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
      {"1e3", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
      {"18446744073709551615.0", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
      {"\"1\"", "\"epoch\" must be an integer"},
      {"\"18446744073709551615\"", "\"epoch\" must be an integer"},
      {"true", "\"epoch\" must be an integer"},
      {"null", "\"epoch\" must be an integer"},
  };
  for (size_t i = 0; i < sizeof bad_int / sizeof bad_int[0]; i++) {
    char text[200];
    snprintf(text, sizeof text,
             "{\"source_domain_name\":\"61\",\"target_domain_name\":\"62\",\"group_id\":\"67\","
             "\"epoch\":%s}",
             bad_int[i].value);
    expect_reject(MM_T_MIGRATION_REQUEST, text, bad_int[i].reason);
  }
  expect_reject(MM_T_ENVELOPE,
                "{\"msg_type\":256,\"cipher_suite\":1,\"sender\":\"61\",\"body\":\"\"}",
                "\"msg_type\" out of range");
  expect_reject(MM_T_ENVELOPE,
                "{\"msg_type\":1,\"cipher_suite\":65536,\"sender\":\"61\",\"body\":\"\"}",
                "\"cipher_suite\" out of range");
  expect_reject(MM_T_MIGRATION_ERROR, "{\"code\":-3,\"detail\":\"\"}", "\"code\" out of range");
}
END_TEST

START_TEST(test_json_rejects_mls_shapes) {
  static const char content1[] =
      "\"content\":{\"group_id\":\"67\",\"epoch\":1,\"sender\":{\"sender_type\":1,\"leaf_index\":0}"
      ","
      "\"authenticated_data\":\"\",\"content_type\":1},\"rest\":\"\"";
  char text[600];
  snprintf(text, sizeof text, "{\"version\":1,\"wire_format\":3,\"public_message\":{%s}}",
           content1);
  expect_reject(MM_T_MLS_MESSAGE, text, "wire_format not supported");
  snprintf(text, sizeof text,
           "{\"version\":1,\"wire_format\":1,\"public_message\":{%s},\"private_message\":{}}",
           content1);
  expect_reject(MM_T_MLS_MESSAGE, text, "unknown key \"private_message\"");
  expect_reject(MM_T_MLS_MESSAGE, "{\"version\":1,\"wire_format\":2,\"public_message\":{}}",
                "missing key \"private_message\"");
  /* the sender's arm follows sender_type */
  static const struct {
    const char *sender, *reason;
  } senders[] = {
      {"{\"sender_type\":2,\"leaf_index\":0}", "missing key \"sender_index\""},
      {"{\"sender_type\":1,\"leaf_index\":0,\"sender_index\":0}", "unknown key \"sender_index\""},
      {"{\"sender_type\":3,\"leaf_index\":0}", "unknown key \"leaf_index\""},
      {"{\"sender_type\":7}", "unknown sender_type"},
      {"{\"sender_type\":1,\"leaf_index\":4294967296}", "\"leaf_index\" out of range"},
  };
  for (size_t i = 0; i < sizeof senders / sizeof senders[0]; i++) {
    snprintf(
        text, sizeof text,
        "{\"version\":1,\"wire_format\":1,\"public_message\":{\"content\":{\"group_id\":\"67\","
        "\"epoch\":1,\"sender\":%s,\"authenticated_data\":\"\",\"content_type\":1},\"rest\":\"\"}}",
        senders[i].sender);
    expect_reject(MM_T_MLS_MESSAGE, text, senders[i].reason);
  }
  /* and the good one parses, with the other arm's fields empty */
  snprintf(text, sizeof text, "{\"version\":1,\"wire_format\":1,\"public_message\":{%s}}",
           content1);
  mm_arena a;
  mm_arena_init(&a);
  mm_mls_message m;
  const char *why;
  ck_assert_int_eq(from_text(MM_T_MLS_MESSAGE, text, &a, &m, &why), MM_OK);
  ck_assert_uint_eq(m.ciphertext.len, 0);
  ck_assert_ptr_null(m.ciphertext.data);
  mm_arena_free(&a);
}
END_TEST

START_TEST(test_json_hex_case) {
  mm_arena a;
  mm_arena_init(&a);
  mm_migration_commit_aad m;
  const char *why;
  ck_assert_int_eq(
      from_text(MM_T_MIGRATION_COMMIT_AAD, "{\"target_ds_domain\":\"622E74657374\"}", &a, &m, &why),
      MM_OK);
  ck_assert(mm_view_eq_str(m.target_ds_domain, "b.test"));
  json_t *j = mm_msg_to_json(MM_T_MIGRATION_COMMIT_AAD, &m);
  ck_assert_str_eq(json_string_value(json_object_get(j, "target_ds_domain")), "622e74657374");
  json_decref(j);
  /* empty hex is an empty view */
  mm_view v;
  json_t *s = json_string("");
  ck_assert(mm_json_unhex(s, &a, &v) && v.len == 0);
  json_decref(s);
  j = mm_json_hex((const uint8_t *)"\x00\xff\xAB", 3);
  ck_assert_str_eq(json_string_value(j), "00ffab");
  json_decref(j);
  mm_arena_free(&a);
}
END_TEST

/* ENC-1: every uint64 is exact in the JSON form, both ways, at the edges of
 * jansson's signed integers and of uint64; 2^64 is refused. */
START_TEST(test_json_u64_full_range) {
  static const struct {
    uint64_t epoch;
    const char *text, *hex;
  } edges[] = {
      {0, "0", "0000000000000000"},
      {INT64_MAX, "9223372036854775807", "7fffffffffffffff"},
      {(uint64_t)INT64_MAX + 1, "9223372036854775808", "8000000000000000"},
      {UINT64_MAX, "18446744073709551615", "ffffffffffffffff"},
  };
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    char want[300], hex[200];
    snprintf(want, sizeof want,
             "{\"source_domain_name\":\"612e74657374\",\"target_domain_name\":\"622e74657374\","
             "\"group_id\":\"6731\",\"epoch\":%s}",
             edges[i].text);
    snprintf(hex, sizeof hex, A_TEST B_TEST GID "%s", edges[i].hex);
    /* binary -> JSON text: the plain number */
    expect_json(MM_T_MIGRATION_REQUEST, hex, want);
    /* JSON text -> struct -> binary: the same epoch and bytes */
    mm_arena a;
    mm_arena_init(&a);
    mm_migration_request m;
    const char *why = NULL;
    ck_assert_int_eq(from_text(MM_T_MIGRATION_REQUEST, want, &a, &m, &why), MM_OK);
    ck_assert(m.epoch == edges[i].epoch);
    mm_writer w;
    mm_writer_init(&w);
    ck_assert_int_eq(mm_encode(MM_T_MIGRATION_REQUEST, &m, NULL, &w, NULL), MM_OK);
    size_t n;
    uint8_t *b = mm_test_unhex(hex, &n);
    ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of(b, n)));
    free(b);
    mm_writer_free(&w);
    mm_arena_free(&a);
  }
  /* a uint64 field of a nested struct too (MLSMessage's content epoch) */
  mm_arena a;
  mm_arena_init(&a);
  mm_mls_message mls;
  const char *why = NULL;
  ck_assert_int_eq(
      from_text(MM_T_MLS_MESSAGE,
                "{\"version\":1,\"wire_format\":2,\"private_message\":{\"group_id\":\"67\","
                "\"epoch\":18446744073709551615,\"content_type\":3,\"authenticated_data\":\"\","
                "\"encrypted_sender_data\":\"aa\",\"ciphertext\":\"bb\"}}",
                &a, &mls, &why),
      MM_OK);
  ck_assert(mls.epoch == UINT64_MAX);
  json_t *j = mm_msg_to_json(MM_T_MLS_MESSAGE, &mls);
  char *text = mm_json_dumps(j, JSON_INDENT(2));
  ck_assert_ptr_nonnull(strstr(text, "\"epoch\": 18446744073709551615,"));
  free(text);
  json_decref(j);
  mm_arena_free(&a);
  /* 2^64 and above: refused by the loader, with the reason */
  json_error_t jerr;
  ck_assert_ptr_null(mm_json_loads("{\"epoch\":18446744073709551616}", 0, &jerr));
  ck_assert_ptr_nonnull(strstr(jerr.text, "integer above 2^64-1"));
  /* narrower fields keep their own ranges at every edge */
  expect_reject(MM_T_ENVELOPE,
                "{\"msg_type\":18446744073709551615,\"cipher_suite\":1,\"sender\":\"61\","
                "\"body\":\"\"}",
                "\"msg_type\" out of range");
  expect_reject(MM_T_ENVELOPE,
                "{\"msg_type\":1,\"cipher_suite\":9223372036854775808,\"sender\":\"61\","
                "\"body\":\"\"}",
                "\"cipher_suite\" out of range");
}
END_TEST

START_TEST(test_json_limits_checked_at_encode) {
  /* mm_msg_from_json takes any bytes; mm_encode applies ENC-4. */
  mm_arena a;
  mm_arena_init(&a);
  mm_migration_request m;
  const char *why;
  ck_assert_int_eq(from_text(MM_T_MIGRATION_REQUEST,
                             "{\"source_domain_name\":\"612e74657374\",\"target_domain_name\":"
                             "\"422e74657374\",\"group_id\":\"\",\"epoch\":1}",
                             &a, &m, &why),
                   MM_OK);
  mm_writer w;
  mm_derr err;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_REQUEST, &m, NULL, &w, &err), MM_E_MALFORMED);
  ck_assert_str_eq(err.rule, "ENC-4");
  ck_assert_str_eq(err.reason, "domain name not lowercase LDH");
  ck_assert_uint_eq(err.offset, 7);
  mm_writer_free(&w);
  mm_arena_free(&a);
}
END_TEST

START_TEST(test_json_mlswg_framing) {
  json_error_t jerr;
  json_t *root =
      mm_json_load_file(mm_test_path("vectors/external/mlswg/messages-framing.json"), 0, &jerr);
  ck_assert_msg(root != NULL, "%s", jerr.text);
  static const char *keys[] = {"public_message_application", "public_message_proposal",
                               "public_message_commit", "private_message"};
  size_t i;
  json_t *e;
  json_array_foreach(root, i, e) {
    for (size_t k = 0; k < 4; k++) {
      size_t n;
      uint8_t *b = mm_test_unhex(json_string_value(json_object_get(e, keys[k])), &n);
      mm_mls_message m, back;
      mm_derr err;
      ck_assert_int_eq(mm_decode(MM_T_MLS_MESSAGE, b, n, NULL, &m, &err), MM_OK);
      json_t *j = mm_msg_to_json(MM_T_MLS_MESSAGE, &m);
      ck_assert_ptr_nonnull(j);
      mm_arena a;
      mm_arena_init(&a);
      const char *why;
      ck_assert_int_eq(mm_msg_from_json(MM_T_MLS_MESSAGE, j, &a, &back, &why), MM_OK);
      mm_writer w;
      mm_writer_init(&w);
      ck_assert_int_eq(mm_encode(MM_T_MLS_MESSAGE, &back, NULL, &w, NULL), MM_OK);
      ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of(b, n)));
      mm_writer_free(&w);
      mm_arena_free(&a);
      json_decref(j);
      free(b);
    }
  }
  json_decref(root);
}
END_TEST

START_TEST(test_json_arena_and_args) {
  mm_arena a;
  mm_arena_init(&a);
  for (int i = 0; i < 1000; i++) {
    uint8_t *p = mm_arena_alloc(&a, (size_t)i);
    ck_assert_ptr_nonnull(p);
    if (i) p[i - 1] = 1;
  }
  ck_assert_uint_eq(a.n, 1000);
  mm_arena_free(&a);
  ck_assert_uint_eq(a.n, 0);
  mm_arena_free(&a); /* twice is fine */
  /* why may be NULL; bad arguments are usage errors */
  mm_any_msg m;
  json_t *j = json_object();
  mm_arena_init(&a);
  ck_assert_int_eq(mm_msg_from_json(MM_T_MIGRATION_REQUEST, j, &a, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_msg_from_json(MM_T_COUNT, j, &a, &m, NULL), MM_E_USAGE);
  ck_assert_ptr_null(mm_msg_to_json(MM_T_COUNT, &m));
  json_decref(j);
  mm_arena_free(&a);
}
END_TEST

Suite *suite_json_codec(void) {
  Suite *s = suite_create("json_codec");
  TCase *tc = tcase_create("json");
  tcase_set_timeout(tc, 300);
  MM_ADD_TEST(tc, test_json_shapes, "-");
  MM_ADD_TEST(tc, test_json_mls_shapes, "-");
  MM_ADD_TEST(tc, test_json_property_roundtrip, "ENC-3");
  MM_ADD_TEST(tc, test_json_rejects_keys, "-");
  MM_ADD_TEST(tc, test_json_rejects_values, "-");
  MM_ADD_TEST(tc, test_json_rejects_mls_shapes, "-");
  MM_ADD_TEST(tc, test_json_hex_case, "-");
  MM_ADD_TEST(tc, test_json_u64_full_range, "ENC-1");
  MM_ADD_TEST(tc, test_json_limits_checked_at_encode, "ENC-4");
  MM_ADD_TEST(tc, test_json_mlswg_framing, "ENC-3");
  MM_ADD_TEST(tc, test_json_arena_and_args, "-");
  suite_add_tcase(s, tc);
  return s;
}

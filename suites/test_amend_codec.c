/* The codec of the profile feature migration_refusal (docs/amendment.md, B.1): MigrationRefusal
 * and MigrationWithdraw, their labels (AMD-SIG-1, AMD-SIG-2, checked as AMD-6 and AMD-4), the
 * RefusalReason, and msg_type 14/15 and error code 19 known only under the feature (AMD-1). */
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "codec/tbs.h"
#include "mlsmig/messages.h"
#include "mlsmig/rng.h"
#include "testlib.h"

#define NONCE "0101010101010101010101010101010101010101010101010101010101010101"
#define HASH32 \
  "20"         \
  "2222222222222222222222222222222222222222222222222222222222222222"
#define SIG64                                                                                    \
  "4040"                                                                                         \
  "33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333" \
  "333333333333333333333333333333333333"

static mm_limits feat_limits(uint16_t suite) {
  mm_limits lim = mm_limits_default(suite);
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  return lim;
}

/* hex decodes as t under lim with the given verdict; when it decodes, it re-encodes to itself. */
static void expect(mm_type t, const mm_limits *lim, const char *hex, bool ok, const char *reason) {
  size_t n;
  uint8_t *b = mm_test_unhex(hex, &n);
  mm_any_msg m;
  mm_derr err = {0};
  mm_err e = mm_decode(t, b, n, lim, &m, &err);
  if (ok) {
    ck_assert_msg(e == MM_OK, "%s: %s '%s' at %zu", mm_type_name(t), err.rule, err.reason,
                  err.offset);
    mm_writer w;
    mm_writer_init(&w);
    ck_assert_int_eq(mm_encode(t, &m, lim, &w, NULL), MM_OK);
    ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of(b, n)));
    mm_writer_free(&w);
  } else {
    ck_assert_msg(e == MM_E_MALFORMED, "%s accepted as %s", hex, mm_type_name(t));
    ck_assert_str_eq(err.rule, "ENC-4");
    if (reason) ck_assert_str_eq(err.reason, reason);
  }
  free(b);
}

START_TEST(test_refusal_encoding) {
  mm_limits lim = mm_limits_default(1);
  for (int r = 1; r <= 5; r++) {
    char hex[512];
    snprintf(hex, sizeof hex, "%s%s%04x%s", NONCE, HASH32, r, SIG64);
    expect(MM_T_MIGRATION_REFUSAL, &lim, hex, true, NULL);
    ck_assert_ptr_nonnull(mm_refusal_reason_name(r));
  }
  expect(MM_T_MIGRATION_REFUSAL, &lim, NONCE HASH32 "0000" SIG64, false, "unknown refusal reason");
  expect(MM_T_MIGRATION_REFUSAL, &lim, NONCE HASH32 "0006" SIG64, false, "unknown refusal reason");
  /* the hash is the suite's length: 48 bytes is not SHA-256's */
  expect(MM_T_MIGRATION_REFUSAL, &lim,
         NONCE
         "30"
         "222222222222222222222222222222222222222222222222222222222222222222222222"
         "222222222222222222222222"
         "0001" SIG64,
         false, NULL);
  /* an EdDSA signature of the wrong length */
  expect(MM_T_MIGRATION_REFUSAL, &lim,
         NONCE HASH32
         "0001"
         "023333",
         false, NULL);
  ck_assert_ptr_null(mm_refusal_reason_name(0));
  ck_assert_ptr_null(mm_refusal_reason_name(6));
  ck_assert_str_eq(mm_refusal_reason_name(MM_RR_NONCE_EXPIRED), "nonce_expired");
  ck_assert_str_eq(mm_refusal_reason_name(MM_RR_INVALID_GROUP_STATE), "invalid_group_state");
  ck_assert_str_eq(mm_refusal_reason_name(MM_RR_WITHDRAWN), "withdrawn");
}
END_TEST

START_TEST(test_withdraw_encoding) {
  mm_limits lim = mm_limits_default(1);
  expect(MM_T_MIGRATION_WITHDRAW, &lim, NONCE HASH32 SIG64, true, NULL);
  expect(MM_T_MIGRATION_WITHDRAW, &lim, NONCE "0122" SIG64, false, NULL);
  size_t n;
  uint8_t *b = mm_test_unhex(NONCE HASH32 SIG64 "00", &n); /* trailing byte */
  mm_migration_withdraw w;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_WITHDRAW, b, n, &lim, &w, NULL), MM_E_MALFORMED);
  free(b);
}
END_TEST

/* msg_type 14 and 15 and error code 19 exist only under the feature: without it an Envelope of
 * type 14 is "unknown msg_type" exactly as before (AMD-1: a mixed pair behaves as profile v2). */
START_TEST(test_feature_gates_types_and_code) {
  mm_limits plain = mm_limits_default(1), feat = feat_limits(1);
  const char *refusal_env =
      "0e"
      "0001"
      "06622e74657374" /* "b.test" */
      "4085" NONCE HASH32 "0003" SIG64;
  const char *withdraw_env =
      "0f"
      "0001"
      "06612e74657374"
      "4083" NONCE HASH32 SIG64;
  expect(MM_T_ENVELOPE, &plain, refusal_env, false, "unknown msg_type");
  expect(MM_T_ENVELOPE, &plain, withdraw_env, false, "unknown msg_type");
  expect(MM_T_ENVELOPE, &feat, refusal_env, true, NULL);
  expect(MM_T_ENVELOPE, &feat, withdraw_env, true, NULL);
  /* the body is checked as msg_type says: a withdrawal is not a refusal */
  expect(MM_T_ENVELOPE, &feat,
         "0e0001"
         "06622e74657374"
         "4083" NONCE HASH32 SIG64,
         false, NULL);
  /* 10..13 (profile v2) and 16 stay unknown to this codec */
  expect(MM_T_ENVELOPE, &feat,
         "0a000106622e74657374"
         "00",
         false, "unknown msg_type");
  expect(MM_T_ENVELOPE, &feat,
         "10000106622e74657374"
         "00",
         false, "unknown msg_type");
  expect(MM_T_MIGRATION_ERROR, &plain,
         "0013"
         "00",
         false, "unknown error code");
  expect(MM_T_MIGRATION_ERROR, &feat,
         "0013"
         "0c756e617574686f72697a6564",
         true, NULL);
  expect(MM_T_MIGRATION_ERROR, &feat,
         "0014"
         "00",
         false, "unknown error code");
  ck_assert_int_eq(MM_E_MIGRATION_REFUSED, 19);
  ck_assert_str_eq(mm_err_name(MM_E_MIGRATION_REFUSED), "migration_refused");
  ck_assert(!mm_err_is_wire(MM_E_MIGRATION_REFUSED)); /* not a code of profile v2 */
  int t;
  ck_assert(mm_msg_type_by_name("migration_refusal", &t) && t == MM_MSG_MIGRATION_REFUSAL);
  ck_assert(mm_msg_type_by_name("migration_withdraw", &t) && t == MM_MSG_MIGRATION_WITHDRAW);
  ck_assert_str_eq(mm_msg_type_name(MM_MSG_MIGRATION_REFUSAL), "migration_refusal");
  ck_assert_str_eq(mm_msg_type_name(10), "commit_bundle"); /* profile v2's */
  ck_assert_ptr_null(mm_msg_type_name(16));
  mm_type body;
  ck_assert(mm_msg_type_body(MM_MSG_MIGRATION_WITHDRAW, &body) && body == MM_T_MIGRATION_WITHDRAW);
}
END_TEST

/* The labels of the table, a signature over the TBS that verifies under its label only, and the
 * JSON form. */
START_TEST(test_labels_signatures_json) {
  ck_assert_str_eq(mm_tbs_label(MM_T_MIGRATION_REFUSAL), "MigrationRefusalTBS");
  ck_assert_str_eq(mm_tbs_label(MM_T_MIGRATION_WITHDRAW), "MigrationWithdrawTBS");
  ck_assert(mm_type_has_signature(MM_T_MIGRATION_REFUSAL));
  ck_assert(mm_type_has_signature(MM_T_MIGRATION_WITHDRAW));
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
    mm_rng rng;
    mm_rng_init_seeded(&rng, suite, "amend-codec");
    mm_key *k;
    ck_assert_int_eq(mm_key_generate(suite, &rng, &k), MM_OK);
    uint8_t nonce[MM_NONCE_LEN], hash[64];
    memset(nonce, 7, sizeof nonce);
    memset(hash, 9, sizeof hash);
    size_t hlen = mm_suite_get(suite)->hash_len;
    mm_migration_refusal r = {
        mm_view_of(nonce, sizeof nonce), mm_view_of(hash, hlen), MM_RR_GROUP_EXISTS, {0}};
    mm_writer sig;
    mm_writer_init(&sig);
    ck_assert_int_eq(mm_sign_tbs(k, MM_T_MIGRATION_REFUSAL, &r, &sig), MM_OK);
    r.signature = mm_writer_view(&sig);
    ck_assert_int_eq(mm_verify_tbs(k, MM_T_MIGRATION_REFUSAL, &r, r.signature), MM_OK);
    ck_assert_int_eq(
        mm_verify_tbs_as(k, "TargetMigrationCompleteTBS", MM_T_MIGRATION_REFUSAL, &r, r.signature),
        MM_E_BAD_SIGNATURE);
    r.reason = MM_RR_UNAUTHORIZED; /* the reason is signed */
    ck_assert_int_eq(mm_verify_tbs(k, MM_T_MIGRATION_REFUSAL, &r, r.signature), MM_E_BAD_SIGNATURE);
    mm_migration_withdraw w = {r.nonce, r.migration_content_hash, {0}};
    ck_assert_int_eq(mm_verify_tbs(k, MM_T_MIGRATION_WITHDRAW, &w, r.signature),
                     MM_E_BAD_SIGNATURE);
    json_t *j = mm_msg_to_json(MM_T_MIGRATION_REFUSAL, &r);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "reason")), MM_RR_UNAUTHORIZED);
    mm_arena a;
    mm_arena_init(&a);
    mm_migration_refusal back;
    const char *why = NULL;
    ck_assert_int_eq(mm_msg_from_json(MM_T_MIGRATION_REFUSAL, j, &a, &back, &why), MM_OK);
    ck_assert(mm_view_eq(back.signature, r.signature) && back.reason == r.reason);
    json_decref(j);
    mm_arena_free(&a);
    mm_writer_free(&sig);
    mm_key_free(k);
    mm_rng_wipe(&rng);
  }
}
END_TEST

Suite *suite_amend_codec(void) {
  Suite *s = suite_create("amend_codec");
  TCase *tc = tcase_create("amend_codec");
  MM_ADD_TEST(tc, test_refusal_encoding, "ENC-2 ENC-4");
  MM_ADD_TEST(tc, test_withdraw_encoding, "ENC-2 ENC-4");
  MM_ADD_TEST(tc, test_feature_gates_types_and_code, "ENC-4");
  MM_ADD_TEST(tc, test_labels_signatures_json, "-");
  suite_add_tcase(s, tc);
  return s;
}

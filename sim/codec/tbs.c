/* The label table and TBS signatures (profile section 3, SIG-1..SIG-5,
 * HASH-1). */
#include "codec/tbs.h"

#include <stdint.h>

#include "profile/rule.h"

const char mm_content_ref_label[] = "MLS 1.0 MigrationContent Reference";

const char *mm_tbs_label(mm_type t) {
  switch (t) {
  case MM_T_MIGRATION_RESPONSE: return "MigrationResponseTBS";
  case MM_T_MIGRATION_INIT: return "MigrationInitTBS";
  case MM_T_MIGRATION_CONTENT: return "MigrationContentTBS";
  case MM_T_TARGET_MIGRATION_COMPLETE: return "TargetMigrationCompleteTBS";
  case MM_T_MIGRATION_CONFIRMATION: return "MigrationConfirmationTBS";
  /* docs/amendment.md, AMD-SIG-1 and AMD-SIG-2 */
  case MM_T_MIGRATION_REFUSAL: return "MigrationRefusalTBS";
  case MM_T_MIGRATION_WITHDRAW: return "MigrationWithdrawTBS";
  default: return NULL;
  }
}

/* The TBS encoding of msg into w. The message was decoded or built under
 * the limits in force, so the group-state bound is not re-applied here. */
static MM_MUST_USE mm_err encode_tbs(const mm_key *k, mm_type t, const void *msg, mm_writer *w) {
  mm_limits lim = mm_limits_default(mm_key_suite(k));
  lim.max_group_state = UINT64_MAX;
  return mm_encode_tbs(t, msg, &lim, w);
}

mm_err mm_sign_tbs_as(const mm_key *k, const char *label, mm_type t, const void *msg,
                      mm_writer *sig) {
  if (!k || !label) return MM_E_USAGE;
  mm_writer tbs;
  mm_writer_init(&tbs);
  mm_err e = encode_tbs(k, t, msg, &tbs);
  if (e == MM_OK) e = mm_sign_with_label(k, label, tbs.buf, tbs.len, sig);
  mm_writer_free(&tbs);
  return e;
}

mm_err mm_verify_tbs_as(const mm_key *k, const char *label, mm_type t, const void *msg,
                        mm_view sig) {
  if (!k || !label) return MM_E_BAD_SIGNATURE;
  mm_writer tbs;
  mm_writer_init(&tbs);
  mm_err e = encode_tbs(k, t, msg, &tbs);
  if (e == MM_OK) e = mm_verify_with_label(k, label, tbs.buf, tbs.len, sig.data, sig.len);
  mm_writer_free(&tbs);
  /* A TBS that cannot be encoded cannot carry a valid signature. */
  return e == MM_OK || e == MM_E_NOMEM ? e : MM_E_BAD_SIGNATURE;
}

mm_err mm_sign_tbs(const mm_key *k, mm_type t, const void *msg, mm_writer *sig) {
  return mm_sign_tbs_as(k, mm_tbs_label(t), t, msg, sig);
}

mm_err mm_verify_tbs(const mm_key *k, mm_type t, const void *msg, mm_view sig) {
  return mm_verify_tbs_as(k, mm_tbs_label(t), t, msg, sig);
}

mm_err mm_content_ref_hash(uint16_t suite, mm_view content, uint8_t *out, size_t *out_len) {
  return MM_RULE("HASH-1",
                 mm_ref_hash(suite, mm_content_ref_label, content.data, content.len, out, out_len));
}

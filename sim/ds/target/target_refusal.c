/* The target's part of the profile feature migration_refusal (docs/amendment.md, B.3): the final
 * MigrationRefusal of an authenticated MigrationContent (AMD-2), the durable refusal record per
 * nonce checked before any import (AMD-3), and MigrationWithdraw (AMD-4). Used only with a source
 * that declares the feature (AMD-1); otherwise the target is profile v1/v2 exactly.
 *
 *   "target.refusal"  key = the 32-byte nonce
 *     struct {
 *       uint8  version = 1;
 *       uint16 reason;            // RefusalReason 1..5
 *       opaque content_hash<V>;   // RefHash of the refused content, or the withdrawal's hash
 *     } RefusalRecord;
 */
#include <string.h>

#include "ds/target/target_internal.h"

#define REFUSAL_VERSION 1

bool mm_tgt_amd_on(const mm_target *t, const mm_intake *in) {
  return (mm_ds_features_with(t->cfg, t->env, in->env.sender) & MM_FEAT_MIGRATION_REFUSAL) != 0;
}

/* ---- the record ---- */

mm_err mm_tgt_refusal_get(const mm_store *s, mm_view nonce, mm_tgt_refusal *out) {
  mm_view v;
  if (!mm_store_get(s, MM_TGT_NS_REFUSAL, nonce, &v)) return MM_E_NOT_FOUND;
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, v.data, v.len, &err);
  uint8_t version;
  if (!mm_read_u8(&r, &version) || version != REFUSAL_VERSION || !mm_read_u16(&r, &out->reason) ||
      !mm_read_vec(&r, &out->content_hash) || mm_reader_remaining(&r) != 0)
    return MM_E_INTERNAL;
  return MM_OK;
}

static MM_MUST_USE mm_err refusal_put(mm_store *s, mm_view nonce, uint16_t reason, mm_view hash) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, REFUSAL_VERSION);
  mm_put_u16(&w, reason);
  mm_put_vec(&w, hash.data, hash.len);
  uint8_t *bytes;
  size_t len;
  mm_err e = mm_writer_finish(&w, &bytes, &len);
  return e == MM_OK ? mm_store_put_owned(s, MM_TGT_NS_REFUSAL, nonce, bytes, len) : e;
}

/* ---- sending ---- */

/* MigrationRefusal {nonce, hash, reason}, signed by this target (AMD-SIG-1), to the sender. */
static MM_MUST_USE mm_err send_refusal(const mm_target *t, const mm_intake *in, mm_view nonce,
                                       mm_view hash, uint16_t reason, mm_outbox *out) {
  uint16_t suite = in->env.cipher_suite;
  mm_migration_refusal r = {nonce, hash, reason, {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(t->cfg->sign_keys[suite], MM_T_MIGRATION_REFUSAL, &r, &sig);
  r.signature = mm_writer_view(&sig);
  if (e == MM_OK)
    e = mm_send_msg(out, in->sender, MM_MSG_MIGRATION_REFUSAL, suite, t->cfg->domain,
                    MM_T_MIGRATION_REFUSAL, &r);
  mm_writer_free(&sig);
  return e;
}

/* AMD-3: the record first, durable (DUR-1), then the answer; a record that cannot be written
 * sends nothing (the retransmission is decided afresh). */
static MM_MUST_USE mm_err refuse(mm_target *t, const mm_intake *in, mm_view nonce, mm_view hash,
                                 uint16_t reason, mm_outbox *out) {
  mm_err e = MM_RULE("AMD-3 DUR-1", refusal_put(t->nonces, nonce, reason, hash));
  if (e != MM_OK) return e;
  return send_refusal(t, in, nonce, hash, reason, out);
}

/* ---- MigrationContent ---- */

/* Steps 1 to 4 of docs/actors.md on content mc whose nonce record is rec: our own response
 * signature (SIG-1), issued for this very request, sent and signed by the request's source (DOM-3,
 * SIG-3), in the nonce's suite. Only content that passes them may be refused for good (AMD-2). */
static bool content_authenticated(const mm_target *t, const mm_intake *in,
                                  const mm_tgt_nonce *rec) {
  const mm_migration_content *mc = &in->body.migration_content;
  const mm_migration_response *r = &mc->migration_response;
  const mm_migration_request *rq = &r->migration_request;
  uint16_t suite = in->env.cipher_suite;
  if (suite != rec->suite || !mm_view_eq(in->env.sender, rq->source_domain_name)) return false;
  if (mm_verify_tbs(t->cfg->sign_keys[suite], MM_T_MIGRATION_RESPONSE, r, r->signature) != MM_OK)
    return false;
  mm_limits lim = mm_limits_default(suite);
  mm_writer w;
  mm_writer_init(&w);
  bool same = mm_encode(MM_T_MIGRATION_REQUEST, rq, &lim, &w, NULL) == MM_OK &&
              mm_view_eq(mm_writer_view(&w), rec->request);
  mm_writer_free(&w);
  if (!same) return false;
  const mm_key *k = mm_keydir_get(t->env->keys, rq->source_domain_name, suite);
  return mm_verify_tbs(k, MM_T_MIGRATION_CONTENT, mc, mc->signature) == MM_OK;
}

/* The RefusalReason of a content check's verdict, 0 when the verdict is not final (AMD-2). */
static uint16_t final_reason(mm_err e) {
  switch (e) {
  case MM_E_NONCE_EXPIRED: return MM_RR_NONCE_EXPIRED;
  case MM_E_UNAUTHORIZED: return MM_RR_UNAUTHORIZED;
  case MM_E_GROUP_EXISTS: return MM_RR_GROUP_EXISTS;
  case MM_E_MALFORMED: /* the body decoded: LIFE-6 refused the group_state */
  case MM_E_BAD_GROUP_STATE: return MM_RR_INVALID_GROUP_STATE; /* MLS-2 (profile v2) */
  default: return 0;
  }
}

mm_err mm_tgt_amd_content(mm_target *t, const mm_intake *in, mm_err verdict, bool *answered,
                          mm_outbox *out) {
  *answered = false;
  mm_view nonce = in->body.migration_content.migration_response.nonce;
  mm_tgt_nonce rec;
  mm_err e = mm_tgt_nonce_get(t->nonces, nonce, &rec);
  if (e == MM_E_NOT_FOUND || (e == MM_OK && rec.consumed)) return MM_OK; /* as the profile has it */
  if (e != MM_OK) return e;
  mm_tgt_refusal ref;
  e = mm_tgt_refusal_get(t->nonces, nonce, &ref);
  if (e != MM_OK && e != MM_E_NOT_FOUND) return e;
  bool refused = e == MM_OK;
  uint16_t reason = refused ? ref.reason : final_reason(verdict);
  if (!reason) return MM_OK; /* not final: bad_signature, wrong_domain, ... (AMD-2) */
  /* AMD-2: never for content this target cannot authenticate. */
  if (MM_CHECK(t->cfg->mutants, content_authenticated(t, in, &rec), "AMD-2", MM_MUT_NONE,
               MM_E_BAD_SIGNATURE) != MM_OK)
    return MM_OK;
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t hash_len;
  e = mm_content_ref_hash(in->env.cipher_suite, in->env.body, hash, &hash_len);
  if (e != MM_OK) return e;
  *answered = true;
  mm_view h = mm_view_of(hash, hash_len);
  /* AMD-3: a refused nonce gets its refusal again (same reason, this content's hash), whatever
   * the checks would say now: it is never imported. */
  if (refused) return MM_RULE("AMD-3", send_refusal(t, in, nonce, h, reason, out));
  return refuse(t, in, nonce, h, reason, out);
}

/* ---- MigrationWithdraw (AMD-4) ---- */

/* The TargetMigrationComplete of the import under this nonce: the import stands. */
static MM_MUST_USE mm_err send_complete(const mm_target *t, const mm_intake *in, mm_view hash,
                                        mm_outbox *out) {
  uint16_t suite = in->env.cipher_suite;
  mm_target_migration_complete tmc = {hash, {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(t->cfg->sign_keys[suite], MM_T_TARGET_MIGRATION_COMPLETE, &tmc, &sig);
  tmc.signature = mm_writer_view(&sig);
  if (e == MM_OK)
    e = mm_send_msg(out, in->sender, MM_MSG_TARGET_MIGRATION_COMPLETE, suite, t->cfg->domain,
                    MM_T_TARGET_MIGRATION_COMPLETE, &tmc);
  mm_writer_free(&sig);
  return e;
}

mm_err mm_tgt_handle_withdraw(mm_target *t, const mm_intake *in, mm_outbox *out) {
  const mm_migration_withdraw *w = &in->body.migration_withdraw;
  mm_mutants mut = t->cfg->mutants;
  uint16_t suite = in->env.cipher_suite;
  mm_tgt_nonce rec;
  mm_err e = mm_tgt_nonce_get(t->nonces, w->nonce, &rec);
  if (e == MM_E_NOT_FOUND) return MM_RULE("AMD-4", MM_E_UNKNOWN_NONCE);
  if (e != MM_OK) return e;
  mm_migration_request rq;
  mm_limits lim = mm_limits_default(rec.suite);
  if (mm_decode(MM_T_MIGRATION_REQUEST, rec.request.data, rec.request.len, &lim, &rq, NULL) !=
      MM_OK)
    return MM_E_INTERNAL; /* our own record */
  e = MM_CHECK(mut, mm_view_eq(in->env.sender, rq.source_domain_name), "AMD-4", MM_MUT_NONE,
               MM_E_WRONG_DOMAIN);
  if (e != MM_OK) return e;
  const mm_key *k = mm_keydir_get(t->env->keys, rq.source_domain_name, suite);
  e = MM_RULE("AMD-4", mm_verify_tbs(k, MM_T_MIGRATION_WITHDRAW, w, w->signature));
  if (e != MM_OK) return e;
  e = MM_CHECK(mut, suite == rec.suite, "AMD-4", MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return e;
  if (rec.consumed) return send_complete(t, in, rec.content_hash, out); /* the import stands */
  mm_tgt_refusal ref;
  e = mm_tgt_refusal_get(t->nonces, w->nonce, &ref);
  if (e == MM_OK) return send_refusal(t, in, w->nonce, ref.content_hash, ref.reason, out);
  if (e != MM_E_NOT_FOUND) return e;
  /* Expiry does not matter to a withdrawal: the nonce is refused `withdrawn`, durably first. */
  return refuse(t, in, w->nonce, w->migration_content_hash, MM_RR_WITHDRAWN, out);
}

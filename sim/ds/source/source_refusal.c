/* The source's part of the profile feature migration_refusal (docs/amendment.md, B.4): a
 * MigrationRefusal ends a migration whose content was sent, when it is the target's, signed, for
 * this nonce and this content (AMD-6); the source then records the outcome, drops the migration
 * Commit unsent and serves the group on at its epoch, and the client hears migration_refused
 * (AMD-7). The intake decodes a MigrationRefusal only from a target that declares the feature
 * (AMD-1). A refusal that fails a check is dropped, unanswered (no error to a DS). */
#include "ds/source/source_internal.h"

/* AMD-9: SHOULD after 60 s. */
#define MM_WITHDRAW_AFTER_MS 60000u

bool src_withdraw_due(const mm_source *s, const src_group *g, const mm_migration_init *mi,
                      uint64_t now) {
  mm_view target = mi->migration_response.migration_request.target_domain_name;
  if (!(mm_ds_features_with(s->cfg, s->env, target) & MM_FEAT_MIGRATION_REFUSAL)) return false;
  return MM_ENFORCED(s->cfg->mutants, "AMD-9", MM_MUT_NONE) &&
         now - g->mig.started >= MM_WITHDRAW_AFTER_MS;
}

mm_err src_send_withdraw(const mm_source *s, const src_group *g, const mm_migration_init *mi,
                         mm_outbox *out) {
  const mm_migration_request *rq = &mi->migration_response.migration_request;
  char to[MM_DOMAIN_MAX + 1];
  if (!src_cstr(rq->target_domain_name, to, sizeof to)) return MM_E_INTERNAL;
  uint16_t suite = g->meta.suite;
  mm_migration_withdraw w = {mi->migration_response.nonce, g->mig.content_hash, {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(s->cfg->sign_keys[suite], MM_T_MIGRATION_WITHDRAW, &w, &sig);
  w.signature = mm_writer_view(&sig);
  if (e == MM_OK)
    e = mm_send_msg(out, to, MM_MSG_MIGRATION_WITHDRAW, suite, s->cfg->domain,
                    MM_T_MIGRATION_WITHDRAW, &w);
  mm_writer_free(&sig);
  return e;
}

mm_err src_handle_refusal(mm_source *s, const mm_intake *in, mm_outbox *out) {
  const mm_migration_refusal *r = &in->body.migration_refusal;
  mm_mutants mut = s->cfg->mutants;
  /* Which migration: the one whose content has this hash (HASH-1). */
  mm_view v;
  if (!mm_store_get(src_mig_store(s), SRC_NS_HASH, r->migration_content_hash, &v))
    return MM_RULE("AMD-6", MM_E_HASH_MISMATCH);
  src_gid gid;
  src_gid_set(&gid, v);
  src_group g;
  mm_err e = src_group_load(s, src_gid_view(&gid), &g);
  /* AMD-8: after a TargetMigrationComplete (a tombstone now) the refusal changes nothing. */
  if (e != MM_OK) return e == MM_E_GROUP_MIGRATED ? MM_RULE("AMD-8", MM_E_HASH_MISMATCH) : e;
  if (!g.migrating || g.mig.phase != SRC_PHASE_CONTENT_SENT)
    return MM_RULE("AMD-6", MM_E_HASH_MISMATCH);
  mm_migration_init mi;
  mm_limits lim = mm_limits_default(g.meta.suite);
  if (mm_decode(MM_T_MIGRATION_INIT, g.mig.init.data, g.mig.init.len, &lim, &mi, NULL) != MM_OK)
    return MM_E_INTERNAL; /* our own record */
  const mm_migration_request *rq = &mi.migration_response.migration_request;
  e = MM_CHECK(mut, mm_view_eq(in->env.sender, rq->target_domain_name), "AMD-6", MM_MUT_NONE,
               MM_E_WRONG_DOMAIN);
  if (e == MM_OK)
    e = MM_CHECK(mut, in->env.cipher_suite == g.meta.suite, "AMD-6", MM_MUT_NONE,
                 MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e == MM_OK) {
    const mm_key *key = mm_keydir_get(s->env->keys, rq->target_domain_name, g.meta.suite);
    e = MM_RULE("AMD-6",
                src_verify_tbs(key, MM_T_MIGRATION_REFUSAL, r, r->signature, g.meta.suite));
  }
  if (e == MM_OK)
    e = MM_CHECK(mut, mm_view_eq(r->nonce, mi.migration_response.nonce), "AMD-6", MM_MUT_NONE,
                 MM_E_UNKNOWN_NONCE);
  if (e == MM_OK)
    e = MM_CHECK(mut, mm_view_eq(r->migration_content_hash, g.mig.content_hash), "AMD-6",
                 MM_MUT_NONE, MM_E_HASH_MISMATCH);
  if (e != MM_OK) return e;
  /* AMD-7: the outcome durable, the Commit never fanned out, the freeze over, the client told. */
  const char *why = mm_refusal_reason_name(r->reason);
  return MM_RULE("AMD-7", src_end_migration(s, &g, MM_E_MIGRATION_REFUSED, why, out));
}

/* Negative cases received by the source DS: MigrationInit, the migration
 * Commit and TargetMigrationComplete (SIG-1, SIG-2, SIG-4, HASH-1, HASH-2,
 * DOM-2, GROUP-1, EPOCH-1, EPOCH-2, AUTHZ-1, SUITE-2, NONCE-3). */
#include <string.h>

#include "vectors/gen/vectors_gen_negative.h"

static mm_view init_env(neg *n, mm_migration_response *r, const char *signer, const char *label,
                        const char *sender, uint16_t suite) {
  mm_migration_init mi = {*r, {0}};
  vgn_sign(n, MM_T_MIGRATION_INIT, &mi, &mi.signature, signer, label);
  return vgn_envelope(n, MM_MSG_MIGRATION_INIT, suite, sender,
                      vgn_encode(n, MM_T_MIGRATION_INIT, &mi));
}

static void resigned_init_case(neg *n, const char *rule, const char *comment, const char *flag,
                               mm_migration_response *r, mm_err want) {
  vgn_sign(n, MM_T_MIGRATION_RESPONSE, r, &r->signature, MM_SIM_TARGET,
           mm_tbs_label(MM_T_MIGRATION_RESPONSE));
  ncase k = {.rule = rule,
             .comment = comment,
             .flag = flag,
             .receiver = MM_SIM_SOURCE,
             .before = MM_MSG_MIGRATION_INIT,
             .env = init_env(n, r, ALICE, mm_tbs_label(MM_T_MIGRATION_INIT), ALICE, n->suite),
             .want = want};
  vgn_add(n, &k);
}

/* MigrationInit to the source. */
void vgn_init_cases(neg *n) {
  mm_migration_response r;
  if (!vgn_response(n, &r)) {
    n->ok = false;
    return;
  }
  mm_migration_response b = r;
  vgn_sign(n, MM_T_MIGRATION_RESPONSE, &b, &b.signature, MM_SIM_SOURCE,
           mm_tbs_label(MM_T_MIGRATION_RESPONSE));
  ncase k = {.rule = "SIG-1",
             .comment = "embedded MigrationResponse signed with the source's key, not the target's",
             .flag = "WrongKey",
             .receiver = MM_SIM_SOURCE,
             .before = MM_MSG_MIGRATION_INIT,
             .env = init_env(n, &b, ALICE, mm_tbs_label(MM_T_MIGRATION_INIT), ALICE, n->suite),
             .want = MM_E_BAD_SIGNATURE};
  vgn_add(n, &k);
  k.rule = "SIG-2";
  k.comment = "MigrationInit signed with the leaf key under another label";
  k.flag = "WrongLabel";
  k.env = init_env(n, &r, ALICE, mm_tbs_label(MM_T_MIGRATION_RESPONSE), ALICE, n->suite);
  vgn_add(n, &k);
  k.comment = "MigrationInit from alice signed with bob's leaf key";
  k.flag = "WrongKey";
  k.env = init_env(n, &r, BOB, mm_tbs_label(MM_T_MIGRATION_INIT), ALICE, n->suite);
  vgn_add(n, &k);

  b = r;
  b.migration_request.source_domain_name = mm_view_str(OTHER);
  resigned_init_case(n, "DOM-2", "request names another source", "WrongSource", &b,
                     MM_E_WRONG_DOMAIN);
  uint8_t gid[16];
  b = r;
  memcpy(gid, b.migration_request.group_id.data, sizeof gid);
  gid[0] ^= 0xff;
  b.migration_request.group_id = vgn_keep(n, gid, sizeof gid);
  resigned_init_case(n, "GROUP-1", "a group the source does not host", "UnknownGroup", &b,
                     MM_E_UNKNOWN_GROUP);
  b = r;
  b.migration_request.epoch -= 1;
  resigned_init_case(n, "EPOCH-1", "request epoch one behind the group's", "StaleEpoch", &b,
                     MM_E_STALE_EPOCH);

  k = (ncase){.rule = "AUTHZ-1",
              .comment = "MigrationInit from an identity with no leaf in the group",
              .flag = "NotMember",
              .receiver = MM_SIM_SOURCE,
              .before = MM_MSG_MIGRATION_INIT,
              .env = init_env(n, &r, ALICE, mm_tbs_label(MM_T_MIGRATION_INIT),
                              "mallory@source.example", n->suite),
              .want = MM_E_NOT_MEMBER};
  vgn_add(n, &k);
  k = (ncase){.rule = "AUTHZ-1",
              .comment = "MigrationInit from a member the source policy refuses",
              .flag = "Unauthorized",
              .receiver = MM_SIM_SOURCE,
              .before = MM_MSG_MIGRATION_INIT,
              .env = vgn_recorded(n, MM_MSG_MIGRATION_INIT),
              .want = MM_E_UNAUTHORIZED,
              .source_policy = &vgn_policy_deny_alice};
  vgn_add(n, &k);
  /* Another suite whose signature limits the body still meets (so the
   * envelope decodes), or one of the MLS private-use range for P-521. */
  static const uint16_t other_suites[] = {0, 3, 5, 1, 6, 0xf000, 4, 5};
  uint16_t other_suite = other_suites[n->suite];
  mm_view rec = vgn_recorded(n, MM_MSG_MIGRATION_INIT);
  mm_envelope env;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  if (mm_decode(MM_T_ENVELOPE, rec.data, rec.len, &lim, &env, &err) != MM_OK) {
    n->ok = false;
    return;
  }
  k = (ncase){.rule = "SUITE-2",
              .comment = "the recorded MigrationInit in an envelope naming another suite",
              .flag = "WrongSuite",
              .receiver = MM_SIM_SOURCE,
              .before = MM_MSG_MIGRATION_INIT,
              .env = vgn_envelope(n, MM_MSG_MIGRATION_INIT, other_suite, ALICE, env.body),
              .want = MM_E_UNSUPPORTED_CIPHERSUITE};
  vgn_add(n, &k);
  /* After the recorded MigrationInit was accepted. */
  k = (ncase){.rule = "NONCE-3",
              .comment = "the same nonce in another member's MigrationInit",
              .flag = "NonceReused",
              .receiver = MM_SIM_SOURCE,
              .before = MM_MSG_MIGRATION_INIT,
              .after_it = true,
              .env = init_env(n, &r, BOB, mm_tbs_label(MM_T_MIGRATION_INIT), BOB, n->suite),
              .want = MM_E_NONCE_REUSED};
  k.at = mm_sim_record_at(n->s, vgn_index_of(n, MM_MSG_MIGRATION_INIT))->at + 1;
  vgn_add(n, &k);
  k.comment = "a byte-identical retransmission of the MigrationInit is not a replay";
  k.flag = "Retransmission";
  k.env = rec;
  k.want = MM_OK;
  vgn_add(n, &k);
}

/* The migration Commit to the source, after the MigrationInit. */
void vgn_commit_cases(neg *n) {
  mm_mls_message m;
  if (!vgn_body(n, MM_MSG_MIGRATION_COMMIT, MM_T_MLS_MESSAGE, &m)) {
    n->ok = false;
    return;
  }
  uint64_t at = mm_sim_record_at(n->s, vgn_index_of(n, MM_MSG_MIGRATION_COMMIT))->at;
  mm_mls_message b = m;
  b.epoch += 1;
  ncase k = {.rule = "EPOCH-2",
             .comment = "migration Commit for the wrong epoch",
             .flag = "WrongEpoch",
             .receiver = MM_SIM_SOURCE,
             .before = MM_MSG_MIGRATION_INIT,
             .after_it = true,
             .at = at,
             .env = vgn_envelope(n, MM_MSG_MIGRATION_COMMIT, n->suite, ALICE,
                                 vgn_encode(n, MM_T_MLS_MESSAGE, &b)),
             .want = MM_E_BAD_COMMIT};
  vgn_add(n, &k);
  mm_migration_commit_aad aad = {mm_view_str(OTHER)};
  b = m;
  b.authenticated_data = vgn_encode(n, MM_T_MIGRATION_COMMIT_AAD, &aad);
  k.comment = "migration Commit whose MigrationCommitAAD names another target";
  k.flag = "WrongTarget";
  k.env = vgn_envelope(n, MM_MSG_MIGRATION_COMMIT, n->suite, ALICE,
                       vgn_encode(n, MM_T_MLS_MESSAGE, &b));
  vgn_add(n, &k);
  b = m;
  b.content_type = MM_CONTENT_APPLICATION;
  k.comment = "migration Commit with content type application";
  k.flag = "NotACommit";
  k.env = vgn_envelope(n, MM_MSG_MIGRATION_COMMIT, n->suite, ALICE,
                       vgn_encode(n, MM_T_MLS_MESSAGE, &b));
  vgn_add(n, &k);
}

static mm_view complete_env(neg *n, mm_target_migration_complete *t, const char *signer) {
  vgn_sign(n, MM_T_TARGET_MIGRATION_COMPLETE, t, &t->signature, signer,
           mm_tbs_label(MM_T_TARGET_MIGRATION_COMPLETE));
  return vgn_envelope(n, MM_MSG_TARGET_MIGRATION_COMPLETE, n->suite, MM_SIM_TARGET,
                      vgn_encode(n, MM_T_TARGET_MIGRATION_COMPLETE, t));
}

/* TargetMigrationComplete to the source. */
void vgn_complete_cases(neg *n) {
  mm_target_migration_complete t;
  mm_view content;
  if (!vgn_body(n, MM_MSG_TARGET_MIGRATION_COMPLETE, MM_T_TARGET_MIGRATION_COMPLETE, &t) ||
      !mm_vg_first_body(n->s, MM_MSG_MIGRATION_CONTENT, NULL, &content, NULL)) {
    n->ok = false;
    return;
  }
  mm_target_migration_complete b = t;
  ncase k = {.rule = "SIG-4",
             .comment = "TargetMigrationComplete signed with the source's own key",
             .flag = "WrongKey",
             .receiver = MM_SIM_SOURCE,
             .before = MM_MSG_TARGET_MIGRATION_COMPLETE,
             .env = complete_env(n, &b, MM_SIM_SOURCE),
             .want = MM_E_BAD_SIGNATURE};
  vgn_add(n, &k);
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl = 0;
  if (mm_hash(n->suite, content.data, content.len, h, &hl) != MM_OK) n->ok = false;
  b.migration_content_hash = vgn_keep(n, h, hl);
  k.rule = "HASH-1";
  k.comment = "hash is the plain Hash of the MigrationContent, not RefHash";
  k.flag = "NotRefHash";
  k.env = complete_env(n, &b, MM_SIM_TARGET);
  k.want = MM_E_HASH_MISMATCH;
  vgn_add(n, &k);
  mm_view other = vgn_flip_last(n, content);
  if (mm_ref_hash(n->suite, mm_content_ref_label, other.data, other.len, h, &hl) != MM_OK)
    n->ok = false;
  b.migration_content_hash = vgn_keep(n, h, hl);
  k.rule = "HASH-2";
  k.comment = "RefHash of another MigrationContent than the one sent";
  k.flag = "HashMismatch";
  k.env = complete_env(n, &b, MM_SIM_TARGET);
  vgn_add(n, &k);
}

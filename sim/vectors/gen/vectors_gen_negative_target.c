/* Negative cases received by the target DS: MigrationRequest and
 * MigrationContent (DOM-1, DOM-3, GROUP-1, AUTHZ-3, AUTHZ-4, SIG-1, SIG-3,
 * NONCE-2). */
#include <string.h>

#include "vectors/gen/vectors_gen_negative.h"

/* MigrationRequest to the target. */
void vgn_request_cases(neg *n) {
  mm_migration_request rq;
  if (!vgn_body(n, MM_MSG_MIGRATION_REQUEST, MM_T_MIGRATION_REQUEST, &rq)) {
    n->ok = false;
    return;
  }
  mm_migration_request bad = rq;
  bad.target_domain_name = mm_view_str(OTHER);
  ncase k = {.rule = "DOM-1",
             .comment = "MigrationRequest naming another target",
             .flag = "WrongTarget",
             .receiver = MM_SIM_TARGET,
             .before = MM_MSG_MIGRATION_REQUEST,
             .env = vgn_envelope(n, MM_MSG_MIGRATION_REQUEST, n->suite, ALICE,
                                 vgn_encode(n, MM_T_MIGRATION_REQUEST, &bad)),
             .want = MM_E_WRONG_DOMAIN};
  vgn_add(n, &k);
  bad = rq;
  bad.source_domain_name = mm_view_str(MM_SIM_TARGET);
  k.comment = "MigrationRequest whose source and target names are equal";
  k.flag = "SourceIsTarget";
  k.env = vgn_envelope(n, MM_MSG_MIGRATION_REQUEST, n->suite, ALICE,
                       vgn_encode(n, MM_T_MIGRATION_REQUEST, &bad));
  vgn_add(n, &k);
  k = (ncase){.rule = "GROUP-1",
              .comment = "the MigrationRequest again after the import: the group exists",
              .flag = "GroupExists",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_TARGET_MIGRATION_COMPLETE,
              .after_it = true,
              .env = vgn_recorded(n, MM_MSG_MIGRATION_REQUEST),
              .want = MM_E_GROUP_EXISTS};
  vgn_add(n, &k);
  k = (ncase){.rule = "AUTHZ-3",
              .comment = "MigrationRequest from a client the strict target policy refuses",
              .flag = "Unauthorized",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_MIGRATION_REQUEST,
              .env = vgn_recorded(n, MM_MSG_MIGRATION_REQUEST),
              .want = MM_E_UNAUTHORIZED,
              .target_policy = &vgn_policy_strict};
  vgn_add(n, &k);
}

static mm_view content_env(neg *n, mm_migration_content *c, const char *signer,
                           const char *sender) {
  vgn_sign(n, MM_T_MIGRATION_CONTENT, c, &c->signature, signer,
           mm_tbs_label(MM_T_MIGRATION_CONTENT));
  return vgn_envelope(n, MM_MSG_MIGRATION_CONTENT, n->suite, sender,
                      vgn_encode(n, MM_T_MIGRATION_CONTENT, c));
}

/* MigrationContent to the target. */
void vgn_content_cases(neg *n) {
  mm_migration_content c;
  if (!vgn_body(n, MM_MSG_MIGRATION_CONTENT, MM_T_MIGRATION_CONTENT, &c)) {
    n->ok = false;
    return;
  }
  mm_migration_content b = c;
  vgn_sign(n, MM_T_MIGRATION_RESPONSE, &b.migration_response, &b.migration_response.signature,
           MM_SIM_TARGET, mm_tbs_label(MM_T_MIGRATION_INIT));
  ncase k = {.rule = "SIG-1",
             .comment = "embedded MigrationResponse signed by the target under another label",
             .flag = "WrongLabel",
             .receiver = MM_SIM_TARGET,
             .before = MM_MSG_MIGRATION_CONTENT,
             .env = content_env(n, &b, MM_SIM_SOURCE, MM_SIM_SOURCE),
             .want = MM_E_BAD_SIGNATURE};
  vgn_add(n, &k);
  b = c;
  k.rule = "SIG-3";
  k.comment = "MigrationContent signed with the target's key, not the source's";
  k.flag = "WrongKey";
  k.env = content_env(n, &b, MM_SIM_TARGET, MM_SIM_SOURCE);
  vgn_add(n, &k);
  k.rule = "DOM-3";
  k.comment = "the recorded MigrationContent pushed by a third DS";
  k.flag = "WrongSender";
  mm_envelope env;
  mm_derr err;
  mm_view rec = vgn_recorded(n, MM_MSG_MIGRATION_CONTENT);
  if (mm_decode(MM_T_ENVELOPE, rec.data, rec.len, NULL, &env, &err) != MM_OK) {
    n->ok = false;
    return;
  }
  k.env = vgn_envelope(n, MM_MSG_MIGRATION_CONTENT, n->suite, "third.example", env.body);
  k.want = MM_E_WRONG_DOMAIN;
  vgn_add(n, &k);

  b = c;
  uint8_t nonce[MM_NONCE_LEN];
  memcpy(nonce, c.migration_response.nonce.data, MM_NONCE_LEN);
  for (size_t i = 0; i < MM_NONCE_LEN; i++) nonce[i] ^= 0xa5;
  b.migration_response.nonce = vgn_keep(n, nonce, MM_NONCE_LEN);
  vgn_sign(n, MM_T_MIGRATION_RESPONSE, &b.migration_response, &b.migration_response.signature,
           MM_SIM_TARGET, mm_tbs_label(MM_T_MIGRATION_RESPONSE));
  k = (ncase){.rule = "NONCE-2",
              .comment = "a nonce the target never issued (response signed by the target)",
              .flag = "UnknownNonce",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_MIGRATION_CONTENT,
              .env = content_env(n, &b, MM_SIM_SOURCE, MM_SIM_SOURCE),
              .want = MM_E_UNKNOWN_NONCE};
  vgn_add(n, &k);
  /* The nonce went out when the target handled the request. */
  uint64_t issued = mm_sim_record_at(n->s, vgn_index_of(n, MM_MSG_MIGRATION_REQUEST))->at;
  k = (ncase){.rule = "NONCE-2",
              .comment = "the recorded MigrationContent 1 ms after the nonce's 300 s lifetime",
              .flag = "NonceExpired",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_MIGRATION_CONTENT,
              .at = issued + MM_NONCE_LIFETIME_MS + 1,
              .env = rec,
              .want = MM_E_NONCE_EXPIRED};
  vgn_add(n, &k);
  b = c;
  uint8_t *gs = (uint8_t *)vgn_keep(n, c.group_state.data, c.group_state.len).data;
  if (gs) gs[c.group_state.len - 1] ^= 0x01; /* last byte of ds_payload */
  b.group_state = mm_view_of(gs, c.group_state.len);
  k = (ncase){.rule = "NONCE-2",
              .comment = "another MigrationContent under the nonce already consumed",
              .flag = "NonceReused",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_MIGRATION_CONTENT,
              .after_it = true,
              .env = content_env(n, &b, MM_SIM_SOURCE, MM_SIM_SOURCE),
              .want = MM_E_NONCE_REUSED};
  k.at = mm_sim_record_at(n->s, vgn_index_of(n, MM_MSG_MIGRATION_CONTENT))->at + 1;
  vgn_add(n, &k);
  /* The source retransmits until answered (LIFE-5): the same bytes under
   * the consumed nonce are not a reuse. */
  k.comment = "the byte-identical MigrationContent again after the import";
  k.flag = "Retransmission";
  k.env = rec;
  k.want = MM_OK;
  vgn_add(n, &k);
  k = (ncase){.rule = "AUTHZ-4",
              .comment = "the target's policy refuses the client after the nonce was issued",
              .flag = "Unauthorized",
              .receiver = MM_SIM_TARGET,
              .before = MM_MSG_MIGRATION_CONTENT,
              .env = rec,
              .want = MM_E_UNAUTHORIZED,
              .policy_after = &vgn_policy_deny_alice};
  vgn_add(n, &k);
}

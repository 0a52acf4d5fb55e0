/* Negative cases received by the client: MigrationResponse and
 * MigrationConfirmation (SIG-1, SIG-5, NONCE-4, DOM-4). */
#include <string.h>

#include "vectors/gen/vectors_gen_negative.h"

static mm_view confirmation_env(neg *n, mm_migration_confirmation *c, const char *signer) {
  vgn_sign(n, MM_T_MIGRATION_CONFIRMATION, c, &c->signature, signer,
           mm_tbs_label(MM_T_MIGRATION_CONFIRMATION));
  return vgn_envelope(n, MM_MSG_MIGRATION_CONFIRMATION, n->suite, MM_SIM_SOURCE,
                      vgn_encode(n, MM_T_MIGRATION_CONFIRMATION, c));
}

/* MigrationResponse and MigrationConfirmation to the client. */
void vgn_client_cases(neg *n) {
  mm_migration_response r;
  mm_migration_confirmation c;
  if (!vgn_response(n, &r) ||
      !vgn_body(n, MM_MSG_MIGRATION_CONFIRMATION, MM_T_MIGRATION_CONFIRMATION, &c)) {
    n->ok = false;
    return;
  }
  r.signature = vgn_flip_last(n, r.signature);
  ncase k = {.rule = "SIG-1",
             .comment = "MigrationResponse with one signature bit flipped",
             .flag = "ModifiedSignature",
             .receiver = ALICE,
             .before = MM_MSG_MIGRATION_RESPONSE,
             .env = vgn_envelope(n, MM_MSG_MIGRATION_RESPONSE, n->suite, MM_SIM_TARGET,
                                 vgn_encode(n, MM_T_MIGRATION_RESPONSE, &r)),
             .want = MM_E_BAD_SIGNATURE};
  vgn_add(n, &k);
  mm_migration_confirmation b = c;
  k = (ncase){.rule = "SIG-5",
              .comment = "MigrationConfirmation signed with the target's key",
              .flag = "WrongKey",
              .receiver = ALICE,
              .before = MM_MSG_MIGRATION_CONFIRMATION,
              .env = confirmation_env(n, &b, MM_SIM_TARGET),
              .want = MM_E_BAD_SIGNATURE};
  vgn_add(n, &k);
  uint8_t nonce[MM_NONCE_LEN];
  memcpy(nonce, c.nonce.data, MM_NONCE_LEN);
  nonce[0] ^= 0x01;
  b = c;
  b.nonce = vgn_keep(n, nonce, MM_NONCE_LEN);
  k.rule = "NONCE-4";
  k.comment = "MigrationConfirmation with another nonce than the response's";
  k.flag = "WrongNonce";
  k.want = MM_E_UNKNOWN_NONCE;
  k.env = confirmation_env(n, &b, MM_SIM_SOURCE);
  vgn_add(n, &k);
  b = c;
  b.domain_name = mm_view_str(OTHER);
  k.rule = "DOM-4";
  k.comment = "MigrationConfirmation naming another target domain";
  k.flag = "WrongTarget";
  k.want = MM_E_WRONG_DOMAIN;
  k.env = confirmation_env(n, &b, MM_SIM_SOURCE);
  vgn_add(n, &k);
  uint8_t gid[16];
  memcpy(gid, c.group_id.data, sizeof gid);
  gid[0] ^= 0xff;
  b = c;
  b.group_id = vgn_keep(n, gid, sizeof gid);
  k.comment = "MigrationConfirmation for another group";
  k.flag = "WrongGroup";
  k.want = MM_E_UNKNOWN_GROUP;
  k.env = confirmation_env(n, &b, MM_SIM_SOURCE);
  vgn_add(n, &k);
}

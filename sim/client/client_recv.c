/* What the reference client receives: MigrationResponse (SIG-1),
 * MigrationConfirmation (SIG-5, NONCE-4, DOM-4), MigrationError, and the
 * group traffic its DS fans out (ordinary and migration Commits).
 *
 * A message that fails a check is ignored: the client keeps waiting (and
 * retransmitting), records the failure in last_error and returns its code. */
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"

static MM_MUST_USE mm_err ignore(mm_client *c, mm_err code) {
  c->last_error = code;
  return code;
}

/* ---- MigrationResponse ---- */

/* Does the response echo, byte for byte, the request this client sent? */
static bool echoes_request(const mm_client *c, const mm_migration_request *rq) {
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  bool same = mm_encode(MM_T_MIGRATION_REQUEST, rq, &lim, &w, NULL) == MM_OK &&
              mm_view_eq(mm_writer_view(&w), mm_view_of(c->mig.request, c->mig.request_len));
  mm_writer_free(&w);
  return same;
}

/* MigrationInit and the migration Commit, both to the source and both kept
 * for byte-identical retransmission. Both or neither: on a failure (out of
 * memory) nothing is sent and the client is back where it was, waiting for
 * a response and retransmitting its request, so the next response gets
 * another try; the request's kept copy is set aside, not freed, until then. */
static MM_MUST_USE mm_err send_init(mm_client *c, const mm_migration_response *resp, uint64_t now,
                                    mm_outbox *out) {
  mm_writer init, commit;
  mm_writer_init(&init);
  mm_writer_init(&commit);
  mm_err e = mm_cl_build_init(c, resp, &init);
  if (e == MM_OK) e = mm_cl_build_migration_commit(c, &commit);
  mm_cl_migration before = c->mig;
  mm_client_phase phase = c->phase;
  size_t queued = out->n;
  if (e == MM_OK) {
    memcpy(c->mig.nonce, resp->nonce.data, MM_NONCE_LEN);
    c->mig.have_nonce = true;
    c->mig.nkept = 0; /* set aside (in `before`) */
    mm_cl_start_phase(c, MM_CP_INIT_SENT, now);
    e = mm_cl_send(c, c->mig.source, MM_MSG_MIGRATION_INIT, mm_writer_view(&init), true, out);
    if (e == MM_OK)
      e = mm_cl_send(c, c->mig.source, MM_MSG_MIGRATION_COMMIT, mm_writer_view(&commit), true, out);
    if (e != MM_OK) {
      mm_cl_stop_sending(c);
      mm_outbox_truncate(out, queued);
      c->mig = before;
      c->phase = phase;
    } else {
      for (size_t i = 0; i < before.nkept; i++) free(before.kept[i].env);
    }
  }
  mm_writer_free(&init);
  mm_writer_free(&commit);
  return e;
}

/* From the target, for the request sent, signed by the target (SIG-1). */
static MM_MUST_USE mm_err on_response(mm_client *c, const mm_envelope *env,
                                      const mm_migration_response *resp, uint64_t now,
                                      mm_outbox *out) {
  if (c->phase != MM_CP_REQUESTED) return MM_E_USAGE; /* stray or duplicate */
  /* The target asked, over the request sent, under the target's key. */
  mm_err e = MM_CHECK(0, mm_view_eq_str(env->sender, c->mig.target), "SIG-1", MM_MUT_NONE,
                      MM_E_WRONG_DOMAIN);
  if (e == MM_OK)
    e = MM_CHECK(0, echoes_request(c, &resp->migration_request), "SIG-1", MM_MUT_NONE,
                 MM_E_UNKNOWN_NONCE);
  const mm_key *k = mm_keydir_get(c->env->keys, env->sender, c->suite);
  if (e == MM_OK)
    e = MM_RULE("SIG-1", mm_verify_tbs(k, MM_T_MIGRATION_RESPONSE, resp, resp->signature));
  if (e != MM_OK) return ignore(c, e);
  return send_init(c, resp, now, out);
}

/* ---- the group moved ---- */

/* This client's migration is over: it follows the group to the target. */
static void finish(mm_client *c) {
  if (!c->mig.moved) {
    mm_cl_move(c, c->mig.target);
    mm_cl_epoch_moved(c, true); /* v2: the state its migration Commit created */
  }
  c->mig.moved = true;
  c->phase = MM_CP_DONE;
  mm_cl_stop_sending(c);
}

/* ---- MigrationConfirmation ---- */

/* From the source, signed by it (SIG-5), for our nonce (NONCE-4), naming
 * the target and our group (DOM-4). */
static MM_MUST_USE mm_err check_confirmation(mm_client *c, const mm_envelope *env,
                                             const mm_migration_confirmation *mc) {
  mm_err e = MM_CHECK(0, mm_view_eq_str(env->sender, c->mig.source), "SIG-5", MM_MUT_NONE,
                      MM_E_WRONG_DOMAIN);
  if (e != MM_OK) return e;
  const mm_key *k = mm_keydir_get(c->env->keys, env->sender, c->suite);
  e = MM_RULE("SIG-5", mm_verify_tbs(k, MM_T_MIGRATION_CONFIRMATION, mc, mc->signature));
  if (e == MM_OK)
    e = MM_CHECK(0, mm_view_eq(mc->nonce, mm_view_of(c->mig.nonce, MM_NONCE_LEN)), "NONCE-4",
                 MM_MUT_NONE, MM_E_UNKNOWN_NONCE);
  if (e == MM_OK)
    e = MM_CHECK(0, mm_view_eq_str(mc->domain_name, c->mig.target), "DOM-4", MM_MUT_NONE,
                 MM_E_WRONG_DOMAIN);
  if (e == MM_OK)
    e = MM_CHECK(0, mm_view_eq(mc->group_id, mm_cl_group(c)), "DOM-4", MM_MUT_NONE,
                 MM_E_UNKNOWN_GROUP);
  return e;
}

static MM_MUST_USE mm_err on_confirmation(mm_client *c, const mm_envelope *env,
                                          const mm_migration_confirmation *mc) {
  if (!c->mig.have_nonce || c->mig.confirmed) return MM_E_USAGE; /* none expected */
  mm_err e = check_confirmation(c, env, mc);
  if (e != MM_OK) return ignore(c, e);
  c->mig.confirmed = true;
  finish(c);
  return MM_OK;
}

/* ---- MigrationError ---- */

/* A refusal from the peer of the current phase ends the migration; `busy`
 * only says "not now", so the client keeps retransmitting. */
static MM_MUST_USE mm_err on_error(mm_client *c, const mm_envelope *env,
                                   const mm_migration_error *me) {
  mm_err code = (mm_err)me->code;
  c->last_error = code;
  const char *peer = c->phase == MM_CP_REQUESTED   ? c->mig.target
                     : c->phase == MM_CP_INIT_SENT ? c->mig.source
                                                   : NULL;
  /* AMD-10: migration_refused (19, feature migration_refusal) ends it too, final as it is. */
  if (peer && mm_view_eq_str(env->sender, peer) && code != MM_E_BUSY)
    mm_cl_fail(c, MM_RULE("AMD-10", code), peer);
  return MM_OK;
}

/* ---- fanned-out group traffic ---- */

/* A migration Commit for our epoch: every member follows the group (epoch
 * + 1). If it is the Commit of this client's own migration, that migration
 * is done; if another member's migration overtook ours, ours has failed. */
static MM_MUST_USE mm_err on_migration_commit(mm_client *c, mm_view target) {
  char to[MM_DOMAIN_MAX + 1];
  /* Naming another DS (the target) than the one the group is on. */
  mm_err e = MM_CHECK(0, target.len < sizeof to && !mm_view_eq_str(target, c->ds), "EPOCH-2",
                      MM_MUT_NONE, MM_E_BAD_COMMIT);
  if (e != MM_OK) return e;
  memcpy(to, target.data, target.len);
  to[target.len] = '\0';
  bool ours = c->mig.have_nonce && !c->mig.moved && c->mig.epoch == c->epoch &&
              strcmp(to, c->mig.target) == 0;
  if (ours) {
    finish(c);
    return MM_OK;
  }
  bool pending = c->phase == MM_CP_REQUESTED || c->phase == MM_CP_INIT_SENT;
  mm_cl_move(c, to);
  mm_cl_epoch_moved(c, false);
  if (pending) mm_cl_fail(c, MM_E_GROUP_MIGRATED, c->mig.source);
  return MM_OK;
}

/* From the DS the group lives on, for our group and epoch. A Commit moves
 * the epoch on; one whose authenticated_data decodes exactly as a
 * MigrationCommitAAD moves the group too. */
static MM_MUST_USE mm_err on_group_message(mm_client *c, const mm_envelope *env,
                                           const mm_mls_message *m) {
  if (!mm_view_eq_str(env->sender, c->ds)) return MM_E_WRONG_DOMAIN;
  if (!mm_view_eq(m->group_id, mm_cl_group(c))) return MM_E_UNKNOWN_GROUP;
  if (m->epoch != c->epoch) return MM_E_STALE_EPOCH;
  if (m->content_type != MM_CONTENT_COMMIT) return MM_OK;
  mm_migration_commit_aad aad;
  mm_view ad = m->authenticated_data;
  if (mm_decode(MM_T_MIGRATION_COMMIT_AAD, ad.data, ad.len, NULL, &aad, NULL) == MM_OK)
    return on_migration_commit(c, aad.target_ds_domain);
  c->epoch++;
  mm_cl_epoch_moved(
      c, c->pending_commit &&
             mm_view_eq(env->body, mm_view_of(c->pending_commit, c->pending_commit_len)));
  return MM_OK;
}

mm_err mm_cl_receive(mm_client *c, const mm_envelope *env, const mm_any_msg *body, uint64_t now,
                     mm_outbox *out) {
  switch (env->msg_type) {
  case MM_MSG_MIGRATION_RESPONSE: return on_response(c, env, &body->migration_response, now, out);
  case MM_MSG_MIGRATION_CONFIRMATION: return on_confirmation(c, env, &body->migration_confirmation);
  case MM_MSG_MIGRATION_ERROR: return on_error(c, env, &body->migration_error);
  case MM_MSG_MIGRATION_COMMIT:
  case MM_MSG_MLS_MESSAGE: return on_group_message(c, env, &body->mls_message);
  default: return MM_E_MALFORMED; /* not for a client */
  }
}

/* What the simulator learns from the wire, and the adversaries that act on
 * it: the exported state (INV-2), the migration Commits by the target they
 * name (INV-1), when each nonce was issued (NONCE-2), the source's content
 * hashes (HASH-2); a third DS that pushes MigrationContent (DOM-3), a
 * replay of every envelope, and the judgement of each import (INV-3,
 * GROUP-1) at the moment it happens; a member sending its own
 * MigrationInit around a response it saw (NONCE-3, SIG-1), and a target
 * acknowledging the wrong content (HASH-2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/tbs.h"
#include "simulator/sim_internal.h"

static mm_limits wire_limits(uint16_t suite) {
  mm_limits lim = mm_limits_default(suite);
  lim.max_group_state = UINT64_MAX;
  return lim;
}

static void watch_content(mm_sim *s, const mm_envelope *e) {
  mm_limits lim = wire_limits(s->cfg.suite);
  mm_migration_content c;
  if (mm_decode(MM_T_MIGRATION_CONTENT, e->body.data, e->body.len, &lim, &c, NULL) != MM_OK) return;
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  if (mm_hash(s->cfg.suite, c.group_state.data, c.group_state.len, h, &hl) != MM_OK) return;
  if (s->have_export && memcmp(h, s->exported_state_hash, hl) != 0) s->export_mismatch = true;
  memcpy(s->exported_state_hash, h, hl);
  s->have_export = true;
  if (s->n_content_hashes < SIM_MAX_WATCH) {
    if (mm_ref_hash(s->cfg.suite, mm_content_ref_label, e->body.data, e->body.len,
                    s->content_hashes[s->n_content_hashes], &hl) == MM_OK)
      s->n_content_hashes++;
    else
      s->content_hash_lost = true; /* out of memory: HASH-2 can no longer be judged */
  }
}

static void watch_commit(mm_sim *s, const mm_envelope *e) {
  mm_limits lim = wire_limits(s->cfg.suite);
  mm_mls_message m;
  mm_migration_commit_aad aad;
  if (mm_decode(MM_T_MLS_MESSAGE, e->body.data, e->body.len, &lim, &m, NULL) != MM_OK ||
      mm_decode(MM_T_MIGRATION_COMMIT_AAD, m.authenticated_data.data, m.authenticated_data.len,
                &lim, &aad, NULL) != MM_OK ||
      aad.target_ds_domain.len > MM_DOMAIN_MAX || s->n_mig_commits == SIM_MAX_WATCH)
    return;
  sim_mig_commit *mc = &s->mig_commits[s->n_mig_commits];
  size_t hl;
  if (mm_hash(s->cfg.suite, e->body.data, e->body.len, mc->hash, &hl) != MM_OK) return;
  memcpy(mc->target, aad.target_ds_domain.data, aad.target_ds_domain.len);
  mc->target[aad.target_ds_domain.len] = '\0';
  for (size_t i = 0; i < s->n_mig_commits; i++)
    if (memcmp(s->mig_commits[i].hash, mc->hash, hl) == 0) return; /* a retransmission */
  s->n_mig_commits++;
}

static void watch_response(mm_sim *s, const mm_envelope *e) {
  mm_limits lim = wire_limits(e->cipher_suite);
  mm_migration_response r;
  if (mm_decode(MM_T_MIGRATION_RESPONSE, e->body.data, e->body.len, &lim, &r, NULL) != MM_OK)
    return;
  uint8_t *copy = malloc(e->body.len ? e->body.len : 1);
  if (copy) {
    memcpy(copy, e->body.data, e->body.len);
    free(s->last_response);
    s->last_response = copy;
    s->last_response_len = e->body.len;
  }
  if (s->n_nonces < SIM_MAX_WATCH && r.nonce.len == MM_NONCE_LEN) {
    memcpy(s->nonces[s->n_nonces].nonce, r.nonce.data, MM_NONCE_LEN);
    s->nonces[s->n_nonces++].issued_at = s->now;
  }
}

void mm_sim_watch_wire(mm_sim *s, const char *from, const uint8_t *env, size_t len) {
  mm_envelope e;
  mm_limits lim = wire_limits(s->cfg.suite);
  if (mm_decode(MM_T_ENVELOPE, env, len, &lim, &e, NULL) != MM_OK) return;
  if (e.msg_type == MM_MSG_MIGRATION_CONTENT && strcmp(from, MM_SIM_SOURCE) == 0) {
    watch_content(s, &e);
  } else if (e.msg_type == MM_MSG_MIGRATION_COMMIT) {
    if (!s->have_migration_commit && !mm_sim_is_ds_name(s, from)) {
      size_t hl;
      if (mm_hash(s->cfg.suite, e.body.data, e.body.len, s->migration_commit_hash, &hl) == MM_OK)
        s->have_migration_commit = true;
    }
    /* A client's, or the one a source fans out as the migration Commit
     * (which may differ from the client's if the wire changed it: the
     * source cannot read past the framing, EPOCH-2). */
    watch_commit(s, &e);
  } else if (e.msg_type == MM_MSG_MIGRATION_RESPONSE && mm_sim_is_ds_name(s, from)) {
    watch_response(s, &e);
  }
}

static MM_MUST_USE mm_err send_out(mm_sim *s, const char *from, mm_outbox *out);

/* ---- the third DS (DOM-3) ---- */

/* A GroupState for the group at the epoch after the request's, with the
 * outsider (or alice) as its only member. */
static MM_MUST_USE mm_err forged_state(const mm_sim *s, const mm_migration_request *rq,
                                       mm_writer *w) {
  const mm_key *k = s->outsider_key ? s->outsider_key : s->leaf_keys[0];
  mm_member m = {mm_view_str(s->outsider_key ? MM_SIM_OUTSIDER : s->nodes[2].name), 0,
                 mm_key_public(k)};
  mm_group_state g = {MM_GROUP_STATE_VERSION,
                      s->cfg.suite,
                      rq->group_id,
                      rq->epoch + 1,
                      mm_view_of(NULL, 0),
                      1,
                      mm_view_str("forged by a third DS")};
  return mm_group_state_encode(&g, &m, 1, w);
}

mm_err mm_sim_do_third_push(mm_sim *s) {
  const mm_key *key = s->ds_keys[3][s->cfg.suite];
  if (!key || !s->last_response) return MM_E_USAGE;
  mm_limits lim = wire_limits(s->cfg.suite);
  mm_migration_content mc = {0};
  if (mm_decode(MM_T_MIGRATION_RESPONSE, s->last_response, s->last_response_len, &lim,
                &mc.migration_response, NULL) != MM_OK)
    return MM_E_INTERNAL;
  mm_writer state, sig;
  mm_writer_init(&state);
  mm_writer_init(&sig);
  mm_err e = forged_state(s, &mc.migration_response.migration_request, &state);
  mc.group_state = mm_writer_view(&state);
  if (e == MM_OK) e = mm_sign_tbs(key, MM_T_MIGRATION_CONTENT, &mc, &sig);
  mc.signature = mm_writer_view(&sig);
  mm_outbox out;
  mm_outbox_init(&out);
  if (e == MM_OK)
    e = mm_send_msg(&out, MM_SIM_TARGET, MM_MSG_MIGRATION_CONTENT, s->cfg.suite, MM_SIM_THIRD,
                    MM_T_MIGRATION_CONTENT, &mc);
  if (e == MM_OK) e = send_out(s, MM_SIM_THIRD, &out);
  mm_outbox_free(&out);
  mm_writer_free(&state);
  mm_writer_free(&sig);
  return e;
}

/* Queues what an outbox holds as sent by `from`, one latency from now. */
static MM_MUST_USE mm_err send_out(mm_sim *s, const char *from, mm_outbox *out) {
  mm_err e = MM_OK;
  for (size_t i = 0; e == MM_OK && i < out->n; i++) {
    e = mm_sim_enqueue_raw(s, from, out->v[i].to, out->v[i].env, out->v[i].len,
                           s->now + s->cfg.latency_ms);
    out->v[i].env = NULL;
  }
  return e;
}

/* ---- a member's own MigrationInit around someone else's response ---- */

mm_err mm_sim_do_rogue_init(mm_sim *s, const sim_node *member, bool forge) {
  if (!s->last_response) return MM_E_USAGE;
  mm_limits lim = wire_limits(s->cfg.suite);
  uint8_t nonce[MM_NONCE_LEN];
  mm_migration_init mi = {0};
  if (mm_decode(MM_T_MIGRATION_RESPONSE, s->last_response, s->last_response_len, &lim,
                &mi.migration_response, NULL) != MM_OK ||
      mi.migration_response.nonce.len != MM_NONCE_LEN)
    return MM_E_INTERNAL;
  if (forge) { /* another nonce under the same signature: the target never signed it */
    memcpy(nonce, mi.migration_response.nonce.data, MM_NONCE_LEN);
    nonce[0] ^= 1;
    mi.migration_response.nonce = mm_view_of(nonce, MM_NONCE_LEN);
  }
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(s->leaf_keys[member->member], MM_T_MIGRATION_INIT, &mi, &sig);
  mi.signature = mm_writer_view(&sig);
  mm_outbox out;
  mm_outbox_init(&out);
  if (e == MM_OK)
    e = mm_send_msg(&out, MM_SIM_SOURCE, MM_MSG_MIGRATION_INIT, s->cfg.suite, member->name,
                    MM_T_MIGRATION_INIT, &mi);
  if (e == MM_OK) e = send_out(s, member->name, &out);
  mm_outbox_free(&out);
  mm_writer_free(&sig);
  return e;
}

/* ---- a target that acknowledges the wrong content ---- */

mm_err mm_sim_do_wrong_ack(mm_sim *s) {
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t hl;
  if (mm_hash(s->cfg.suite, (const uint8_t *)"not the content", 15, hash, &hl) != MM_OK)
    return MM_E_INTERNAL;
  mm_target_migration_complete c = {mm_view_of(hash, hl), {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(s->ds_keys[1][s->cfg.suite], MM_T_TARGET_MIGRATION_COMPLETE, &c, &sig);
  c.signature = mm_writer_view(&sig);
  mm_outbox out;
  mm_outbox_init(&out);
  if (e == MM_OK)
    e = mm_send_msg(&out, MM_SIM_SOURCE, MM_MSG_TARGET_MIGRATION_COMPLETE, s->cfg.suite,
                    MM_SIM_TARGET, MM_T_TARGET_MIGRATION_COMPLETE, &c);
  if (e == MM_OK) e = send_out(s, MM_SIM_TARGET, &out);
  mm_outbox_free(&out);
  mm_writer_free(&sig);
  return e;
}

/* ---- replay of everything so far ---- */

mm_err mm_sim_do_replay_all(mm_sim *s) {
  size_t n = s->n_rec; /* not what the replay itself adds */
  mm_err e = MM_OK;
  for (size_t i = 0; i < n && e == MM_OK; i++) {
    const mm_sim_record *r = &s->rec[i];
    if (r->env) e = mm_sim_inject(s, r->from, r->to, r->env, r->len, s->now + s->cfg.latency_ms);
  }
  return e;
}

/* ---- imports (INV-3, GROUP-1) ---- */

static bool is_member(const mm_sim *s, mm_view client) {
  for (unsigned m = 0; m < s->cfg.members; m++)
    if (mm_view_eq_str(client, s->nodes[2 + m].name)) return true;
  return false;
}

void mm_sim_judge_import(mm_sim *s, const mm_event *ev) {
  sim_node *n = mm_sim_node(s, ev->actor);
  mm_group_info ti;
  if (!n || n->role != MM_ROLE_TARGET || !sim_node_group(s, n, ev->group_id, &ti)) return;
  if (s->inv3[0] == '\0') {
    if (!mm_policy_allows(&n->ds_cfg.policy, n->name, ti.client, ev->group_id, ti.peer))
      snprintf(s->inv3, sizeof s->inv3,
               "%.40s imported the group for %.*s, whom its policy refuses", n->name,
               (int)ti.client.len, (const char *)ti.client.data);
    else if (!is_member(s, ti.client))
      snprintf(s->inv3, sizeof s->inv3, "%.40s imported the group for %.*s, who is no member",
               n->name, (int)ti.client.len, (const char *)ti.client.data);
  }
  if (s->target_created_group && n == &s->nodes[1])
    mm_sim_oracle_fail(s, "GROUP-1: %.40s imported over a group ID it hosts (step %zu)", n->name,
                       s->step + 1);
}

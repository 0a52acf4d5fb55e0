/* Rules judged from what the DSes accept. The invariants (sim_check.c) see
 * only outcomes; a DS that accepts a forged or corrupted message and then
 * happens to reach the right outcome breaks a rule all the same. Each
 * accepted MigrationRequest, MigrationInit, MigrationContent and
 * TargetMigrationComplete is re-checked here, independently of the actor,
 * with what the simulator knows (keys, members, policies, issue times). */
#include <stdio.h>
#include <string.h>

#include "codec/tbs.h"
#include "simulator/sim_internal.h"

static mm_limits wire_limits(uint16_t suite) {
  mm_limits lim = mm_limits_default(suite);
  lim.max_group_state = UINT64_MAX;
  return lim;
}

/* False only for a signature that does not verify: a check that could not
 * run (out of memory) finds no violation. */
static bool signed_by(const mm_key *k, mm_type t, const void *msg, mm_view sig) {
  return mm_verify_tbs(k, t, msg, sig) != MM_E_BAD_SIGNATURE;
}

static const mm_key *member_key(const mm_sim *s, mm_view identity) {
  for (unsigned m = 0; m < s->cfg.members; m++)
    if (mm_view_eq_str(identity, s->nodes[2 + m].name)) return s->leaf_keys[m];
  return NULL;
}

/* Remembers an accepted body under its nonce; true if another body was
 * accepted under the same nonce before (a byte-identical one is fine). */
static bool reused(mm_sim *s, uint8_t msg_type, mm_view nonce, mm_view body, bool *seen) {
  uint8_t h[MM_MAX_HASH_LEN] = {0};
  size_t hl;
  *seen = false;
  if (nonce.len != MM_NONCE_LEN || mm_hash(s->cfg.suite, body.data, body.len, h, &hl) != MM_OK)
    return false;
  bool other = false;
  for (size_t i = 0; i < s->n_accepted; i++) {
    if (s->accepted[i].msg_type != msg_type ||
        memcmp(s->accepted[i].nonce, nonce.data, MM_NONCE_LEN))
      continue;
    if (memcmp(s->accepted[i].body_hash, h, hl) == 0)
      *seen = true;
    else
      other = true;
  }
  if (!*seen && s->n_accepted < SIM_MAX_WATCH) {
    s->accepted[s->n_accepted].msg_type = msg_type;
    memcpy(s->accepted[s->n_accepted].nonce, nonce.data, MM_NONCE_LEN);
    memcpy(s->accepted[s->n_accepted++].body_hash, h, sizeof h);
  }
  return other;
}

static void judge_request(mm_sim *s, const sim_node *n, const mm_envelope *e) {
  mm_limits lim = wire_limits(e->cipher_suite);
  mm_migration_request rq;
  if (mm_decode(MM_T_MIGRATION_REQUEST, e->body.data, e->body.len, &lim, &rq, NULL) != MM_OK)
    return;
  if (!mm_view_eq_str(rq.target_domain_name, n->name) ||
      mm_view_eq(rq.source_domain_name, rq.target_domain_name))
    mm_sim_oracle_fail(s,
                       "DOM-1: %.40s answered a MigrationRequest naming another target (step %zu)",
                       n->name, s->step);
  else if (!mm_policy_allows(&n->ds_cfg.policy, n->name, e->sender, rq.group_id,
                             rq.source_domain_name))
    mm_sim_oracle_fail(s, "AUTHZ-3: %.40s answered %.*s, whom its policy refuses (step %zu)",
                       n->name, (int)e->sender.len, (const char *)e->sender.data, s->step);
}

static void judge_init(mm_sim *s, const sim_node *n, const mm_envelope *e) {
  mm_limits lim = wire_limits(e->cipher_suite);
  mm_migration_init mi;
  if (mm_decode(MM_T_MIGRATION_INIT, e->body.data, e->body.len, &lim, &mi, NULL) != MM_OK) return;
  const mm_migration_response *r = &mi.migration_response;
  const mm_migration_request *rq = &r->migration_request;
  const mm_key *leaf = member_key(s, e->sender);
  const mm_key *tk = mm_keydir_get(s->keys, rq->target_domain_name, e->cipher_suite);
  bool seen;
  bool other = reused(s, MM_MSG_MIGRATION_INIT, r->nonce, e->body, &seen);
  if (seen) return; /* judged when first accepted: a retransmission */
  if (!mm_view_eq_str(rq->source_domain_name, n->name))
    mm_sim_oracle_fail(s, "DOM-2: %.40s accepted a MigrationInit naming another source (step %zu)",
                       n->name, s->step);
  else if (!leaf)
    mm_sim_oracle_fail(
        s, "AUTHZ-1: %.40s accepted a MigrationInit from %.*s, who is no member (step %zu)",
        n->name, (int)e->sender.len, (const char *)e->sender.data, s->step);
  else if (!signed_by(leaf, MM_T_MIGRATION_INIT, &mi, mi.signature))
    mm_sim_oracle_fail(
        s, "SIG-2: %.40s accepted a MigrationInit that its member did not sign (step %zu)", n->name,
        s->step);
  else if (!signed_by(tk, MM_T_MIGRATION_RESPONSE, r, r->signature))
    mm_sim_oracle_fail(
        s,
        "SIG-1: %.40s accepted a MigrationInit whose response the target did not sign (step %zu)",
        n->name, s->step);
  else if (other)
    mm_sim_oracle_fail(
        s, "NONCE-3: %.40s accepted a second MigrationInit under a used nonce (step %zu)", n->name,
        s->step);
}

static uint64_t issued_at(const mm_sim *s, mm_view nonce, bool *found) {
  *found = false;
  for (size_t i = 0; nonce.len == MM_NONCE_LEN && i < s->n_nonces; i++)
    if (memcmp(s->nonces[i].nonce, nonce.data, MM_NONCE_LEN) == 0) {
      *found = true;
      return s->nonces[i].issued_at;
    }
  return 0;
}

static void judge_content(mm_sim *s, const sim_node *n, const mm_envelope *e) {
  mm_limits lim = wire_limits(e->cipher_suite);
  mm_migration_content mc;
  if (mm_decode(MM_T_MIGRATION_CONTENT, e->body.data, e->body.len, &lim, &mc, NULL) != MM_OK)
    return;
  const mm_migration_response *r = &mc.migration_response;
  mm_view source = r->migration_request.source_domain_name;
  const mm_key *sk = mm_keydir_get(s->keys, source, e->cipher_suite);
  const mm_key *own = mm_keydir_get(s->keys, mm_view_str(n->name), e->cipher_suite);
  bool known, seen;
  uint64_t at = issued_at(s, r->nonce, &known);
  bool other = reused(s, MM_MSG_MIGRATION_CONTENT, r->nonce, e->body, &seen);
  if (seen) return; /* judged when first accepted: a retransmission */
  if (!mm_view_eq(e->sender, source))
    mm_sim_oracle_fail(
        s, "DOM-3: %.40s accepted MigrationContent from %.*s, not the request's source (step %zu)",
        n->name, (int)e->sender.len, (const char *)e->sender.data, s->step);
  else if (!signed_by(sk, MM_T_MIGRATION_CONTENT, &mc, mc.signature))
    mm_sim_oracle_fail(s,
                       "SIG-3: %.40s accepted MigrationContent its source did not sign (step %zu)",
                       n->name, s->step);
  else if (!signed_by(own, MM_T_MIGRATION_RESPONSE, r, r->signature))
    mm_sim_oracle_fail(
        s, "SIG-1: %.40s accepted MigrationContent whose response it did not sign (step %zu)",
        n->name, s->step);
  else if (other)
    mm_sim_oracle_fail(
        s, "NONCE-2: %.40s accepted a second MigrationContent under a consumed nonce (step %zu)",
        n->name, s->step);
  else if (known && s->now - at > MM_NONCE_LIFETIME_MS)
    mm_sim_oracle_fail(s, "NONCE-2: %.40s imported under a nonce issued %llu ms before (step %zu)",
                       n->name, (unsigned long long)(s->now - at), s->step);
}

static void judge_complete(mm_sim *s, const sim_node *n, const mm_envelope *e) {
  mm_limits lim = wire_limits(e->cipher_suite);
  mm_target_migration_complete c;
  if (mm_decode(MM_T_TARGET_MIGRATION_COMPLETE, e->body.data, e->body.len, &lim, &c, NULL) !=
          MM_OK ||
      s->content_hash_lost)
    return;
  for (size_t i = 0; i < s->n_content_hashes; i++)
    if (c.migration_content_hash.len == s->hash_len &&
        memcmp(c.migration_content_hash.data, s->content_hashes[i], s->hash_len) == 0)
      return;
  mm_sim_oracle_fail(
      s, "HASH-2: %.40s accepted a TargetMigrationComplete for content it never sent (step %zu)",
      n->name, s->step);
}

void mm_sim_judge_delivery(mm_sim *s, const sim_node *n, const uint8_t *env, size_t len) {
  if (s->oracle[0]) return; /* the first broken rule is the one reported */
  mm_envelope e;
  mm_limits lim = wire_limits(0);
  if (mm_decode(MM_T_ENVELOPE, env, len, &lim, &e, NULL) != MM_OK) return;
  bool target = n->role == MM_ROLE_TARGET;
  if (target && e.msg_type == MM_MSG_MIGRATION_REQUEST)
    judge_request(s, n, &e);
  else if (target && e.msg_type == MM_MSG_MIGRATION_CONTENT)
    judge_content(s, n, &e);
  else if (n->role == MM_ROLE_SOURCE && e.msg_type == MM_MSG_MIGRATION_INIT)
    judge_init(s, n, &e);
  else if (n->role == MM_ROLE_SOURCE && e.msg_type == MM_MSG_TARGET_MIGRATION_COMPLETE)
    judge_complete(s, n, &e);
}

/* LIFE-1, LIFE-2: the source fans out the migration Commit and confirms
 * only after it accepted a TargetMigrationComplete. The invariants cannot
 * see an early fan-out when everything is delivered; the trace can. */
void mm_sim_check_trace(const mm_sim *s, mm_sim_outcome *o) {
  bool completed = false;
  for (size_t i = 0; i < s->n_rec && !o->rule_violation[0]; i++) {
    const mm_sim_record *r = &s->rec[i];
    bool from_source = strcmp(r->from, MM_SIM_SOURCE) == 0;
    if (r->msg_type == MM_MSG_TARGET_MIGRATION_COMPLETE && r->verdict == MM_OK &&
        strcmp(r->to, MM_SIM_SOURCE) == 0)
      completed = true;
    else if (from_source && !completed && r->msg_type == MM_MSG_MIGRATION_COMMIT)
      snprintf(o->rule_violation, sizeof o->rule_violation,
               "LIFE-1: migration Commit fanned out to %s before completion (step %zu)", r->to,
               r->step);
    else if (from_source && !completed && r->msg_type == MM_MSG_MIGRATION_CONFIRMATION)
      snprintf(o->rule_violation, sizeof o->rule_violation,
               "LIFE-2: confirmation sent to %s before completion (step %zu)", r->to, r->step);
  }
  if (!o->rule_violation[0] && s->oracle[0])
    snprintf(o->rule_violation, sizeof o->rule_violation, "%s", s->oracle);
  /* AMD-8: after MigrationContent the source serves the group again only on a refusal. */
  mm_group_info gi;
  const sim_node *src = &s->nodes[0];
  if (!o->rule_violation[0] && (s->cfg.features & MM_FEAT_MIGRATION_REFUSAL) &&
      s->n_content_hashes > 0 && !s->refusal_accepted && !src->down && src->a.src &&
      mm_source_group(src->a.src, mm_view_of(s->group_id, sizeof s->group_id), &gi) &&
      gi.status == MM_GS_ACTIVE)
    snprintf(o->rule_violation, sizeof o->rule_violation,
             "AMD-8: %.40s serves the group again after MigrationContent without a refusal",
             src->name);
}

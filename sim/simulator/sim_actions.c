/* Scheduled actions of the simulator: migrations, Commits, policy changes,
 * a group created at the target, and the adversaries of sim_wire.c. */
#include <string.h>

#include "simulator/sim_internal.h"

uint64_t sim_earliest_action(const mm_sim *s, size_t *which) {
  uint64_t t = MM_NO_TIMER;
  for (size_t i = 0; i < s->n_actions; i++)
    if (!s->actions[i].done && s->actions[i].at < t) {
      t = s->actions[i].at;
      *which = i;
    }
  return t;
}

/* A policy on top of the configured one that refuses the identities
 * mm_sim_deny named (AUTHZ-4: the policy changes while a migration runs). */
static bool deny_allow(void *ctx, mm_view client, mm_view group_id, mm_view peer) {
  const sim_node *n = ctx;
  for (size_t i = 0; i < n->n_denied; i++)
    if (mm_view_eq_str(client, n->denied[i])) return false;
  return mm_policy_allows(&n->base_policy, n->name, client, group_id, peer);
}

static void deny(sim_node *n, const char *identity) {
  if (n->n_denied == 0) {
    n->base_policy = n->ds_cfg.policy;
    n->ds_cfg.policy = (mm_policy){MM_POLICY_CUSTOM, NULL, deny_allow, n};
  }
  if (n->n_denied < sizeof n->denied / sizeof n->denied[0]) n->denied[n->n_denied++] = identity;
}

/* An adversary's action: MM_E_USAGE when there was nothing on the wire to
 * act on yet (nothing is sent, as planned); any other failure means the run
 * lacks a message it was to carry, which is the simulator's failure. */
static void adversary(mm_sim *s, mm_err e) {
  if (e != MM_E_USAGE) sim_fail(s, e);
}

void sim_run_action(mm_sim *s, sim_action *a, mm_outbox *out) {
  a->done = true;
  if (s->last_disturbance < s->now) s->last_disturbance = s->now;
  sim_node *n = &s->nodes[a->node];
  mm_err e;
  switch (a->kind) {
  case ACT_MESSAGE:
    if (n->down) return;
    mm_err_discard(mm_client_send_message(n->a.cli, s->now, out));
    sim_drain(s, n->name, out);
    return;
  case ACT_MIGRATE:
  case ACT_COMMIT:
    if (n->down) return;
    /* The client's answer is part of the run: refused (busy) or failed (out
     * of memory), it stays as it was, and the outcome shows its phase and
     * last error. */
    e = a->kind == ACT_MIGRATE ? mm_client_migrate(n->a.cli, a->arg, s->now, out)
                               : mm_client_commit(n->a.cli, s->now, out);
    mm_err_discard(e);
    sim_drain(s, n->name, out);
    return;
  case ACT_DENY: deny(n, a->arg); return;
  case ACT_CREATE_GROUP:
    /* A target that is down creates nothing, and its refusal (the group
     * exists) is part of the run; only a local failure spoils it. */
    if (s->nodes[1].down) return;
    e = sim_install_group(s, true);
    if (mm_err_is_local(e)) sim_fail(s, e);
    return;
  case ACT_THIRD_PUSH: adversary(s, mm_sim_do_third_push(s)); return;
  case ACT_REPLAY_ALL: sim_fail(s, mm_sim_do_replay_all(s)); return;
  case ACT_ROGUE_INIT:
    adversary(s, mm_sim_do_rogue_init(s, n, strcmp(a->arg, "forge") == 0));
    return;
  case ACT_WRONG_ACK: adversary(s, mm_sim_do_wrong_ack(s)); return;
  }
}

static void add_action(mm_sim *s, sim_action_kind kind, size_t node, const char *arg, uint64_t at) {
  if (s->n_actions < sizeof s->actions / sizeof s->actions[0] && node < s->n_nodes) {
    s->actions[s->n_actions++] = (sim_action){at, kind, node, arg, false};
    mm_sim_note_disturbance(s, at); /* the run lasts at least until then */
  }
}

void mm_sim_start_migration(mm_sim *s, uint64_t at) {
  add_action(s, ACT_MIGRATE, 2, MM_SIM_TARGET, at);
}

void mm_sim_start_migration_to(mm_sim *s, unsigned member, const char *target, uint64_t at) {
  if (member < s->cfg.members) add_action(s, ACT_MIGRATE, 2 + member, target, at);
}

void mm_sim_outsider_migrate(mm_sim *s, uint64_t at) {
  add_action(s, ACT_MIGRATE, s->outsider_node, MM_SIM_TARGET, at);
}

void mm_sim_member_commit(mm_sim *s, unsigned member, uint64_t at) {
  if (member < s->cfg.members) add_action(s, ACT_COMMIT, 2 + member, NULL, at);
}

void mm_sim_member_message(mm_sim *s, unsigned member, uint64_t at) {
  if (member < s->cfg.members) add_action(s, ACT_MESSAGE, 2 + member, NULL, at);
}

void mm_sim_deny(mm_sim *s, const char *domain, const char *identity, uint64_t at) {
  sim_node *n = mm_sim_node(s, domain);
  if (n && n->role != MM_ROLE_CLIENT) add_action(s, ACT_DENY, (size_t)(n - s->nodes), identity, at);
}

void mm_sim_target_create_group(mm_sim *s, uint64_t at) {
  add_action(s, ACT_CREATE_GROUP, 1, NULL, at);
}

void mm_sim_third_ds_push(mm_sim *s, uint64_t at) {
  if (s->cfg.third_ds) add_action(s, ACT_THIRD_PUSH, 0, NULL, at);
}

void mm_sim_replay_all(mm_sim *s, uint64_t at) { add_action(s, ACT_REPLAY_ALL, 0, NULL, at); }

void mm_sim_member_rogue_init(mm_sim *s, unsigned member, bool forge, uint64_t at) {
  if (member < s->cfg.members)
    add_action(s, ACT_ROGUE_INIT, 2 + member, forge ? "forge" : "reuse", at);
}

void mm_sim_target_wrong_ack(mm_sim *s, uint64_t at) { add_action(s, ACT_WRONG_ACK, 1, NULL, at); }

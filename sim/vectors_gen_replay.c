/* Replays one negative case against a fresh reference actor (see
 * mm_vg_replay in vectors_gen.h). The actors are the simulator's own,
 * built by mm_sim_new from the recorded seed and config, so they hold the
 * same keys, group and random streams as in the recorded run; they are then
 * driven directly, one envelope at a time, without the event loop. */
#include <string.h>

#include "json_codec.h"
#include "sim_internal.h"
#include "vectors_gen.h"

static mm_err actor_handle(sim_node *n, mm_view env, uint64_t now, mm_outbox *out) {
  switch (n->role) {
  case MM_ROLE_SOURCE: return mm_source_handle(n->a.src, env.data, env.len, now, out);
  case MM_ROLE_TARGET: return mm_target_handle(n->a.tgt, env.data, env.len, now, out);
  case MM_ROLE_CLIENT: return mm_client_handle(n->a.cli, env.data, env.len, now, out);
  }
  return MM_E_INTERNAL;
}

static uint64_t actor_timer(const sim_node *n) {
  switch (n->role) {
  case MM_ROLE_SOURCE: return mm_source_next_timer(n->a.src);
  case MM_ROLE_TARGET: return mm_target_next_timer(n->a.tgt);
  case MM_ROLE_CLIENT: return mm_client_next_timer(n->a.cli);
  }
  return MM_NO_TIMER;
}

/* Timers due strictly before `until` (at equal times the simulator
 * delivers messages first). */
static void run_timers(sim_node *n, uint64_t until, mm_outbox *out) {
  for (int guard = 0; guard < 10000; guard++) {
    uint64_t t = actor_timer(n);
    if (t == MM_NO_TIMER || t >= until) return;
    if (n->role == MM_ROLE_SOURCE)
      mm_source_tick(n->a.src, t, out);
    else if (n->role == MM_ROLE_TARGET)
      mm_target_tick(n->a.tgt, t, out);
    else
      mm_client_tick(n->a.cli, t, out);
    mm_outbox_clear(out);
  }
}

static bool sent_error(const mm_outbox *out, mm_err code) {
  for (size_t i = 0; i < out->n; i++) {
    mm_envelope env;
    mm_migration_error me;
    mm_derr err;
    if (mm_decode(MM_T_ENVELOPE, out->v[i].env, out->v[i].len, NULL, &env, &err) == MM_OK &&
        env.msg_type == MM_MSG_MIGRATION_ERROR &&
        mm_decode(MM_T_MIGRATION_ERROR, env.body.data, env.body.len, NULL, &me, &err) == MM_OK &&
        me.code == (uint16_t)code)
      return true;
  }
  return false;
}

static mm_err replay_prefix(const mm_vg_case *k, sim_node *n, mm_arena *a, mm_outbox *out) {
  if (n->role == MM_ROLE_CLIENT && n->member == 0) {
    mm_client_migrate(n->a.cli, MM_SIM_TARGET, 0, out);
    mm_outbox_clear(out);
  }
  for (size_t i = 0; i < k->prefix; i++) {
    const json_t *m = json_array_get(k->messages, i);
    const char *to = json_string_value(json_object_get(m, "to"));
    json_t *at = json_object_get(m, "at_ms");
    mm_view env;
    if (!to || !json_is_integer(at) || json_integer_value(at) < 0 ||
        !mm_json_unhex(json_object_get(m, "envelope"), a, &env))
      return MM_E_MALFORMED;
    if (strcmp(to, n->name) != 0) continue;
    run_timers(n, (uint64_t)json_integer_value(at), out);
    actor_handle(n, env, (uint64_t)json_integer_value(at), out);
    mm_outbox_clear(out);
  }
  return MM_OK;
}

mm_err mm_vg_replay(const mm_vg_case *k, mm_err *verdict, bool *error_sent) {
  if (k->prefix > json_array_size(k->messages)) return MM_E_MALFORMED;
  mm_sim *s;
  mm_err e = mm_sim_new(k->cfg, &s);
  if (e != MM_OK) return e;
  sim_node *n = mm_sim_node(s, k->receiver);
  mm_outbox out;
  mm_outbox_init(&out);
  mm_arena a;
  mm_arena_init(&a);
  e = n ? replay_prefix(k, n, &a, &out) : MM_E_NOT_FOUND;
  if (e == MM_OK && k->policy_after) {
    if (n->role == MM_ROLE_CLIENT) {
      e = MM_E_USAGE;
    } else { /* an operator's policy change: restart on the same store */
      mm_sim_crash(s, n->role);
      n->ds_cfg.policy = *k->policy_after;
      e = mm_sim_restart(s, n->role);
    }
  }
  if (e == MM_OK) {
    run_timers(n, k->at, &out);
    mm_outbox_clear(&out);
    *verdict = actor_handle(n, k->env, k->at, &out);
    *error_sent = sent_error(&out, *verdict);
  }
  mm_outbox_free(&out);
  mm_arena_free(&a);
  mm_sim_free(s);
  return e;
}

const char *mm_vg_role_name(const char *receiver) {
  if (strcmp(receiver, MM_SIM_SOURCE) == 0) return "source";
  if (strcmp(receiver, MM_SIM_TARGET) == 0) return "target";
  return "client";
}

json_t *mm_vg_policy_json(const mm_policy *p) {
  if (p->kind == MM_POLICY_STRICT) return json_pack("{s:s}", "kind", "strict");
  json_t *deny = json_array();
  for (const char *const *d = p->deny; d && *d; d++) json_array_append_new(deny, json_string(*d));
  return json_pack("{s:s, s:o}", "kind", "default", "deny", deny);
}

bool mm_vg_policy_from_json(const json_t *j, mm_policy *p, const char *deny[8]) {
  const char *kind = json_string_value(json_object_get(j, "kind"));
  *p = (mm_policy){.kind = MM_POLICY_DEFAULT};
  if (kind && strcmp(kind, "strict") == 0 && json_object_size(j) == 1) {
    p->kind = MM_POLICY_STRICT;
    return true;
  }
  const json_t *list = json_object_get(j, "deny");
  if (!kind || strcmp(kind, "default") != 0 || !json_is_array(list) || json_array_size(list) > 7 ||
      json_object_size(j) != 2)
    return false;
  size_t i;
  const json_t *d;
  json_array_foreach(list, i, d) {
    if (!json_is_string(d)) return false;
    deny[i] = json_string_value(d);
  }
  deny[json_array_size(list)] = NULL;
  p->deny = deny;
  return true;
}

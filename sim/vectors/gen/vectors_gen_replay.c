/* Replays one negative case against a fresh reference actor (see
 * mm_vg_replay in vectors_gen.h). The actors are the simulator's own,
 * built by mm_sim_new from the recorded seed and config, so they hold the
 * same keys, group and random streams as in the recorded run; they are then
 * driven directly, one envelope at a time, without the event loop. */
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/sim.h"
#include "vectors/gen/vectors_gen.h"

/* Timers due strictly before `until` (at equal times the simulator
 * delivers messages first). A replayed prefix is not judged, but an actor
 * that failed in it (out of memory) is not the recorded one: MM_OK or that
 * local failure. */
static MM_MUST_USE mm_err run_timers(mm_actor a, uint64_t until, mm_outbox *out) {
  for (int guard = 0; guard < 10000; guard++) {
    uint64_t t = mm_actor_next_timer(a);
    if (t == MM_NO_TIMER || t >= until) return MM_OK;
    mm_err e = mm_actor_tick(a, t, out);
    mm_outbox_clear(out);
    if (mm_err_is_local(e)) return e;
  }
  return MM_OK;
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

typedef struct {
  const char *name;
  mm_actor a;
  mm_role role;
  unsigned member;
} replay_node;

static MM_MUST_USE mm_err replay_prefix(mm_sim *s, const mm_vg_case *k, const replay_node *n,
                                        mm_arena *a, mm_outbox *out) {
  if (n->role == MM_ROLE_CLIENT && n->member == 0) {
    /* The initiator's own request, as in the recorded run (what it sent is
     * in the prefix already). */
    mm_err e = mm_sim_client_start(s, 0, MM_SIM_TARGET, 0, out);
    mm_outbox_clear(out);
    if (e != MM_OK) return e;
  }
  for (size_t i = 0; i < k->prefix; i++) {
    const json_t *m = json_array_get(k->messages, i);
    const char *to = json_string_value(json_object_get(m, "to"));
    uint64_t at;
    mm_view env;
    if (!to || !mm_json_u64_get(m, "at_ms", UINT64_MAX, &at) ||
        !mm_json_unhex(json_object_get(m, "envelope"), a, &env))
      return MM_E_MALFORMED;
    if (strcmp(to, n->name) != 0) continue;
    mm_err e = run_timers(n->a, at, out);
    if (e != MM_OK) return e;
    /* A refusal in the prefix is part of the recorded run; a local failure
     * would make the case's verdict a wrong one. */
    e = mm_actor_handle(n->a, env.data, env.len, at, out);
    mm_outbox_clear(out);
    if (mm_err_is_local(e)) return e;
  }
  return MM_OK;
}

mm_err mm_vg_replay(const mm_vg_case *k, mm_err *verdict, bool *error_sent) {
  if (k->prefix > json_array_size(k->messages)) return MM_E_MALFORMED;
  mm_sim *s;
  mm_err e = mm_sim_new(k->cfg, &s);
  if (e != MM_OK) return e;
  replay_node n = {.name = k->receiver};
  n.a = mm_sim_actor(s, k->receiver, &n.role, &n.member);
  mm_outbox out;
  mm_outbox_init(&out);
  mm_arena a;
  mm_arena_init(&a);
  e = n.a.ops ? replay_prefix(s, k, &n, &a, &out) : MM_E_NOT_FOUND;
  if (e == MM_OK && k->policy_after) {
    if (n.role == MM_ROLE_CLIENT)
      e = MM_E_USAGE;
    else
      e = mm_sim_change_policy(s, n.role, k->policy_after);
    if (e == MM_OK) n.a = mm_sim_actor(s, k->receiver, NULL, NULL); /* the restarted actor */
  }
  if (e == MM_OK) e = run_timers(n.a, k->at, &out);
  if (e == MM_OK) {
    mm_outbox_clear(&out);
    *verdict = mm_actor_handle(n.a, k->env.data, k->env.len, k->at, &out);
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

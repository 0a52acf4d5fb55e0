/* The simulator's event loop: actors driven through one queue of envelopes
 * in simulated time, their timers, scheduled actions and restarts, and the
 * fault helpers (crash, restart, clock jump) that hooks call. */
#include <stdlib.h>
#include <string.h>

#include "simulator/sim_internal.h"

/* ---- actors ---- */

/* Nodes have the role of the actor they run: MM_ROLE_SOURCE, MM_ROLE_TARGET
 * (both targets) or MM_ROLE_CLIENT (members and the outsider). */
mm_err sim_start_node(mm_sim *s, sim_node *n) {
  mm_err e = MM_E_INTERNAL;
  if (n->external) {
    mm_sim_ds_start st = {n->role, &n->ds_cfg, s->keys, s->cfg.suite, &s->obs, s->now};
    return s->cfg.external->start(s->ext_run, &st, &n->actor);
  }
  switch (n->role) {
  case MM_ROLE_SOURCE:
    e = mm_source_new(&n->ds_cfg, &n->env, &n->a.src);
    if (e == MM_OK) n->actor = mm_source_actor(n->a.src);
    break;
  case MM_ROLE_TARGET:
    e = mm_target_new(&n->ds_cfg, &n->env, &n->a.tgt);
    if (e == MM_OK) n->actor = mm_target_actor(n->a.tgt);
    break;
  case MM_ROLE_CLIENT:
    e = mm_client_new(&n->cl_cfg, &n->env, &n->a.cli);
    if (e == MM_OK) n->actor = mm_client_actor(n->a.cli);
    break;
  }
  return e;
}

void sim_stop_node(sim_node *n) {
  mm_actor_free(n->actor);
  memset(&n->a, 0, sizeof n->a);
  n->actor = (mm_actor){0};
}

/* *env is handed over to an actor that may keep it (then NULL) when the
 * run does not keep the bodies it delivered. */
static MM_MUST_USE mm_err node_handle(const mm_sim *s, sim_node *n, uint8_t **env, size_t len,
                                      uint64_t now, mm_outbox *out) {
  if (!s->cfg.keep_bodies) return mm_actor_handle_owned(n->actor, env, len, now, out);
  return mm_actor_handle(n->actor, *env, len, now, out);
}

static MM_MUST_USE mm_err node_tick(sim_node *n, uint64_t now, mm_outbox *out) {
  return mm_actor_tick(n->actor, now, out);
}

static uint64_t node_timer(const sim_node *n) {
  return n->down ? MM_NO_TIMER : mm_actor_next_timer(n->actor);
}

/* ---- the queue ---- */

static void enqueue(mm_sim *s, const char *from, mm_out_msg *m) {
  uint8_t msg_type = 0;
  mm_envelope e;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* 14, 15 and 19 appear only under the feature */
  if (mm_envelope_decode_profile(s->cfg.profile, m->env, m->len, &lim, &e, &err) == MM_OK)
    msg_type = e.msg_type;
  mm_sim_watch_wire(s, from, m->env, m->len);
  uint64_t delay = s->cfg.latency_ms;
  unsigned copies = 1;
  if (s->cfg.hooks && s->cfg.hooks->on_send) {
    mm_sim_send snd = {s->send_seq, from, m->to, msg_type, &m->env, &m->len, &delay};
    copies = s->cfg.hooks->on_send(s->cfg.hooks->ctx, s, &snd);
    if (copies == 0 && !s->cfg.finite_faults) s->lost_messages = true;
  }
  s->send_seq++;
  for (unsigned c = 0; c < copies; c++) {
    if (s->n_flight == s->cap_flight) {
      size_t cap = s->cap_flight ? s->cap_flight * 2 : 32;
      sim_flight *nv = realloc(s->flight, cap * sizeof *nv);
      if (!nv) return;
      s->flight = nv;
      s->cap_flight = cap;
    }
    uint8_t *bytes = m->env;
    if (c + 1 < copies) { /* every copy but the last is a duplicate */
      bytes = malloc(m->len ? m->len : 1);
      if (!bytes) return;
      if (m->len) memcpy(bytes, m->env, m->len);
    }
    char *f = strdup(from), *t = strdup(m->to);
    if (!f || !t) { /* out of memory: this copy is lost (the outbox frees the last) */
      free(f);
      free(t);
      if (bytes != m->env) free(bytes);
      return;
    }
    if (bytes == m->env) m->env = NULL; /* the queue owns it now */
    s->flight[s->n_flight++] =
        (sim_flight){s->now + delay + c, s->send_seq * 8 + c, f, t, msg_type, bytes, m->len};
  }
}

mm_err mm_sim_enqueue_raw(mm_sim *s, const char *from, const char *to, uint8_t *env, size_t len,
                          uint64_t at) {
  if (s->n_flight == s->cap_flight) {
    size_t cap = s->cap_flight ? s->cap_flight * 2 : 32;
    sim_flight *nv = realloc(s->flight, cap * sizeof *nv);
    if (!nv) {
      free(env);
      return MM_E_NOMEM;
    }
    s->flight = nv;
    s->cap_flight = cap;
  }
  /* After every ordinary envelope of the same instant: injections never
   * reorder what the actors sent. */
  size_t seq = (SIZE_MAX / 2) + s->inject_seq++;
  char *f = strdup(from), *t = strdup(to);
  if (!f || !t) {
    free(f);
    free(t);
    free(env);
    return MM_E_NOMEM;
  }
  s->flight[s->n_flight++] = (sim_flight){at, seq, f, t, 0, env, len};
  mm_envelope e;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* 14, 15 and 19 appear only under the feature */
  if (mm_envelope_decode_profile(s->cfg.profile, env, len, &lim, &e, NULL) == MM_OK)
    s->flight[s->n_flight - 1].msg_type = e.msg_type;
  return MM_OK;
}

void sim_fail(mm_sim *s, mm_err e) {
  if (s->error == MM_OK) s->error = e;
}

mm_err mm_sim_inject(mm_sim *s, const char *from, const char *to, const uint8_t *env, size_t len,
                     uint64_t at) {
  uint8_t *copy = malloc(len ? len : 1);
  mm_err e = MM_E_NOMEM;
  if (copy) {
    if (len) memcpy(copy, env, len);
    e = mm_sim_enqueue_raw(s, from, to, copy, len, at < s->now ? s->now : at);
  }
  sim_fail(s, e); /* an envelope the run was to carry is not there */
  return e;
}

void sim_drain(mm_sim *s, const char *from, mm_outbox *out) {
  for (size_t i = 0; i < out->n; i++) enqueue(s, from, &out->v[i]);
  mm_outbox_clear(out);
}

static size_t earliest_flight(const mm_sim *s) {
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < s->n_flight; i++)
    if (best == SIZE_MAX || s->flight[i].at < s->flight[best].at ||
        (s->flight[i].at == s->flight[best].at && s->flight[i].seq < s->flight[best].seq))
      best = i;
  return best;
}

static void record(mm_sim *s, sim_flight *f, mm_err verdict) {
  if (s->n_rec == s->cap_rec) {
    size_t cap = s->cap_rec ? s->cap_rec * 2 : 64;
    mm_sim_record *nv = realloc(s->rec, cap * sizeof *nv);
    if (!nv) { /* out of memory: the record is lost, not what it owned */
      free(f->from);
      free(f->to);
      free(f->env);
      f->from = f->to = NULL;
      f->env = NULL;
      return;
    }
    s->rec = nv;
    s->cap_rec = cap;
  }
  mm_sim_record *r = &s->rec[s->n_rec++];
  *r = (mm_sim_record){s->step, s->now, f->from, f->to, f->msg_type, NULL, f->len, verdict};
  if (s->cfg.keep_bodies)
    r->env = f->env;
  else
    free(f->env);
  f->from = f->to = NULL;
  f->env = NULL;
}

static void deliver(mm_sim *s, size_t idx, mm_outbox *out) {
  sim_flight f = s->flight[idx];
  s->flight[idx] = s->flight[--s->n_flight];
  sim_node *n = mm_sim_node(s, f.to);
  mm_err verdict = MM_E_NOT_FOUND; /* nobody there, or down: the envelope is lost */
  /* Readable until the next call on the node, even when the target kept it
   * (f.env NULL then: its store frees it). */
  const uint8_t *bytes = f.env;
  if (n && !n->down) verdict = node_handle(s, n, &f.env, f.len, s->now, out);
  /* An external DS that broke (its process hung, died, or broke the shim
   * protocol) ends the run: what follows would not be its doing. */
  if (n && n->external && verdict == MM_E_IO) sim_fail(s, verdict);
  s->step++;
  /* A content answered with a MigrationRefusal is refused, not accepted (AMD-2) */
  bool refused = n && verdict == MM_OK && mm_sim_note_refusals(s, n, bytes, f.len, out);
  if (n && verdict == MM_OK && !refused && n->role != MM_ROLE_CLIENT)
    mm_sim_judge_delivery(s, n, bytes, f.len);
  record(s, &f, verdict);
  if (n) sim_drain(s, n->name, out);
}

static uint64_t earliest_restart(const mm_sim *s, size_t *which) {
  uint64_t t = MM_NO_TIMER;
  for (size_t i = 0; i < s->n_nodes; i++)
    if (s->nodes[i].down && s->nodes[i].restart_pending && s->nodes[i].restart_at < t) {
      t = s->nodes[i].restart_at;
      *which = i;
    }
  return t;
}

static void resim_start_node(mm_sim *s, sim_node *n) {
  n->restart_pending = false;
  mm_err e = sim_start_node(s, n);
  if (e == MM_OK) n->down = false;
  if (e != MM_OK && n->external) sim_fail(s, e); /* an external DS that does not start */
  /* Out of memory: tried again a little later, as an operator would; a
   * node left down for good would stall the run for a passing failure. */
  if (e == MM_E_NOMEM) {
    n->restart_pending = true;
    n->restart_at = s->now + MM_RETRANSMIT_MS;
  }
  if (s->last_disturbance < s->now) s->last_disturbance = s->now;
}

mm_err mm_sim_run(mm_sim *s) {
  mm_outbox out;
  mm_outbox_init(&out);
  while (s->error == MM_OK) {
    size_t fi = earliest_flight(s), ai = 0, ni = 0, ri = 0;
    uint64_t t_msg = fi == SIZE_MAX ? MM_NO_TIMER : s->flight[fi].at;
    uint64_t t_act = sim_earliest_action(s, &ai);
    uint64_t t_restart = earliest_restart(s, &ri);
    uint64_t t_timer = MM_NO_TIMER;
    for (size_t i = 0; i < s->n_nodes; i++) {
      uint64_t t = node_timer(&s->nodes[i]);
      if (t < t_timer) {
        t_timer = t;
        ni = i;
      }
    }
    uint64_t t = t_msg < t_act ? t_msg : t_act;
    if (t_timer < t) t = t_timer;
    if (t_restart < t) t = t_restart;
    if (t == MM_NO_TIMER || t > s->cfg.max_time_ms) break;
    if (s->cfg.stop_after_bound &&
        t > s->last_disturbance + MM_SIM_PROGRESS_BOUND_MS + 2u * MM_RETRANSMIT_MAX_MS)
      break;
    if (t > s->now) s->now = t;
    /* A restart due now comes first, so the node can take this instant's
     * envelopes; it is not a step the hook sees. */
    if (t_restart <= t) {
      resim_start_node(s, &s->nodes[ri]);
      continue;
    }
    if (s->cfg.hooks && s->cfg.hooks->before_step)
      s->cfg.hooks->before_step(s->cfg.hooks->ctx, s, s->now);
    /* Messages first, then scheduled actions, then timers: a fixed order
     * keeps runs reproducible. */
    if (t_msg <= t_act && t_msg <= t_timer) {
      deliver(s, fi, &out);
    } else if (t_act <= t_timer) {
      sim_run_action(s, &s->actions[ai], &out);
    } else {
      sim_node *n = &s->nodes[ni];
      if (n->down) continue; /* the hook crashed it just now */
      /* A tick that failed (out of memory) is the simulated actor's: it
       * keeps its timer and tries again, and the checks judge the run. */
      mm_err te = node_tick(n, s->now, &out);
      if (n->external && te == MM_E_IO) sim_fail(s, te);
      sim_drain(s, n->name, &out);
    }
  }
  mm_outbox_free(&out);
  return s->error;
}

/* ---- faults ---- */

void mm_sim_crash(mm_sim *s, mm_role role) {
  sim_node *n = mm_sim_role_node(s, role);
  if (!n || n->down) return;
  sim_stop_node(n);
  n->down = true;
}

mm_err mm_sim_restart(mm_sim *s, mm_role role) {
  sim_node *n = mm_sim_role_node(s, role);
  if (!n || !n->down) return MM_OK;
  n->restart_pending = false;
  mm_err e = sim_start_node(s, n);
  if (e == MM_OK) n->down = false;
  return e;
}

void mm_sim_crash_until(mm_sim *s, mm_role role, uint64_t restart_at) {
  sim_node *n = mm_sim_role_node(s, role);
  if (!n || n->down) return;
  mm_sim_crash(s, role);
  n->restart_pending = restart_at != MM_NO_TIMER;
  n->restart_at = restart_at;
  mm_sim_note_disturbance(s, restart_at == MM_NO_TIMER ? s->now : restart_at);
}

bool mm_sim_is_down(const mm_sim *s, mm_role role) {
  const sim_node *n = mm_sim_role_node((mm_sim *)s, role);
  return n && n->down;
}

void mm_sim_advance_clock(mm_sim *s, uint64_t ms) {
  s->now += ms;
  mm_sim_note_disturbance(s, s->now);
}
uint64_t mm_sim_now(const mm_sim *s) { return s->now; }
size_t mm_sim_step(const mm_sim *s) { return s->step; }

void mm_sim_note_disturbance(mm_sim *s, uint64_t at) {
  if (at > s->last_disturbance) s->last_disturbance = at;
}

/* The simulator's setup and event loop (sim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static const char *member_names[] = {"alice", "bob", "carol", "dave", "erin", "frank",
                                     "grace", "heidi"};

mm_sim_config mm_sim_config_default(uint16_t suite, uint64_t seed) {
  mm_sim_config c = {0};
  c.suite = suite;
  c.seed = seed;
  c.state_bytes = 1024;
  c.members = 3;
  c.latency_ms = 5;
  c.max_time_ms = 3600u * 1000u;
  c.source_policy.kind = MM_POLICY_DEFAULT;
  c.target_policy.kind = MM_POLICY_DEFAULT;
  c.commit_wire_format = MM_WIRE_PRIVATE;
  return c;
}

sim_node *mm_sim_node(mm_sim *s, const char *name) {
  for (size_t i = 0; i < s->n_nodes; i++)
    if (strcmp(s->nodes[i].name, name) == 0) return &s->nodes[i];
  return NULL;
}

static sim_node *role_node(mm_sim *s, mm_role role) {
  return role == MM_ROLE_SOURCE ? &s->nodes[0] : role == MM_ROLE_TARGET ? &s->nodes[1] : NULL;
}

/* ---- events ---- */

static void on_event(void *ctx, const mm_event *ev) {
  mm_sim *s = ctx;
  if (s->n_events == s->cap_events) {
    size_t cap = s->cap_events ? s->cap_events * 2 : 32;
    sim_event *nv = realloc(s->events, cap * sizeof *nv);
    if (!nv) return; /* losing an observation only weakens the checks */
    s->events = nv;
    s->cap_events = cap;
  }
  sim_event *e = &s->events[s->n_events++];
  memset(e, 0, sizeof *e);
  e->kind = ev->kind;
  snprintf(e->actor, sizeof e->actor, "%s", ev->actor ? ev->actor : "");
  e->group_len = ev->group_id.len <= MM_GROUP_ID_MAX ? ev->group_id.len : 0;
  if (e->group_len) memcpy(e->group, ev->group_id.data, e->group_len);
  e->epoch = ev->epoch;
  size_t hl;
  if (ev->detail.len) mm_hash(s->cfg.suite, ev->detail.data, ev->detail.len, e->detail_hash, &hl);
  size_t pl = ev->peer.len < MM_SENDER_MAX ? ev->peer.len : MM_SENDER_MAX;
  if (pl) memcpy(e->peer, ev->peer.data, pl);
}

/* ---- actors ---- */

static mm_err start_node(mm_sim *s, sim_node *n) {
  switch (n->role) {
  case MM_ROLE_SOURCE:
    return mm_source_new(&n->ds_cfg, &n->env, &n->a.src);
  case MM_ROLE_TARGET:
    return mm_target_new(&n->ds_cfg, &n->env, &n->a.tgt);
  case MM_ROLE_CLIENT:
    (void)s;
    return mm_client_new(&n->cl_cfg, &n->env, &n->a.cli);
  }
  return MM_E_INTERNAL;
}

static void stop_node(sim_node *n) {
  switch (n->role) {
  case MM_ROLE_SOURCE:
    mm_source_free(n->a.src);
    break;
  case MM_ROLE_TARGET:
    mm_target_free(n->a.tgt);
    break;
  case MM_ROLE_CLIENT:
    mm_client_free(n->a.cli);
    break;
  }
  memset(&n->a, 0, sizeof n->a);
}

static mm_err node_handle(sim_node *n, const uint8_t *env, size_t len, uint64_t now,
                          mm_outbox *out) {
  switch (n->role) {
  case MM_ROLE_SOURCE:
    return mm_source_handle(n->a.src, env, len, now, out);
  case MM_ROLE_TARGET:
    return mm_target_handle(n->a.tgt, env, len, now, out);
  case MM_ROLE_CLIENT:
    return mm_client_handle(n->a.cli, env, len, now, out);
  }
  return MM_E_INTERNAL;
}

static mm_err node_tick(sim_node *n, uint64_t now, mm_outbox *out) {
  switch (n->role) {
  case MM_ROLE_SOURCE:
    return mm_source_tick(n->a.src, now, out);
  case MM_ROLE_TARGET:
    return mm_target_tick(n->a.tgt, now, out);
  case MM_ROLE_CLIENT:
    return mm_client_tick(n->a.cli, now, out);
  }
  return MM_E_INTERNAL;
}

static uint64_t node_timer(const sim_node *n) {
  if (n->down) return MM_NO_TIMER;
  switch (n->role) {
  case MM_ROLE_SOURCE:
    return mm_source_next_timer(n->a.src);
  case MM_ROLE_TARGET:
    return mm_target_next_timer(n->a.tgt);
  case MM_ROLE_CLIENT:
    return mm_client_next_timer(n->a.cli);
  }
  return MM_NO_TIMER;
}

/* ---- setup ---- */

static mm_err make_keys(mm_sim *s) {
  s->keys = mm_keydir_new();
  if (!s->keys) return MM_E_NOMEM;
  static const char *domains[2] = {MM_SIM_SOURCE, MM_SIM_TARGET};
  for (int d = 0; d < 2; d++)
    for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
      char label[64];
      snprintf(label, sizeof label, "key %s %u", domains[d], suite);
      mm_rng rng;
      mm_rng_init_seeded(&rng, s->cfg.seed, label);
      mm_key *pub;
      mm_err e = mm_key_generate(suite, &rng, &s->ds_keys[d][suite]);
      mm_rng_wipe(&rng);
      if (e == MM_OK) e = mm_key_public_copy(s->ds_keys[d][suite], &pub);
      if (e == MM_OK) e = mm_keydir_add(s->keys, domains[d], pub);
      if (e != MM_OK) return e;
    }
  for (unsigned i = 0; i < s->cfg.members; i++) {
    char label[64];
    snprintf(label, sizeof label, "leaf %u", i);
    mm_rng rng;
    mm_rng_init_seeded(&rng, s->cfg.seed, label);
    mm_err e = mm_key_generate(s->cfg.suite, &rng, &s->leaf_keys[i]);
    mm_rng_wipe(&rng);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

static void member_name(unsigned i, char *out, size_t n) {
  size_t k = sizeof member_names / sizeof member_names[0];
  if (i < k) snprintf(out, n, "%s@%s", member_names[i], MM_SIM_SOURCE);
  else snprintf(out, n, "member%u@%s", i, MM_SIM_SOURCE);
}

static void init_node_env(mm_sim *s, sim_node *n, const char *rng_label) {
  mm_rng_init_seeded(&n->rng, s->cfg.seed, rng_label);
  n->env = (mm_env){&n->rng, s->keys, n->store, &s->obs, 0};
}

static mm_err install_group(mm_sim *s) {
  mm_member members[MM_SIM_MAX_MEMBERS];
  for (unsigned i = 0; i < s->cfg.members; i++) {
    sim_node *c = &s->nodes[2 + i];
    members[i] = (mm_member){mm_view_str(c->name), i, mm_key_public(s->leaf_keys[i])};
  }
  mm_group_state g = {MM_GROUP_STATE_VERSION, s->cfg.suite,
                      mm_view_of(s->group_id, sizeof s->group_id), s->epoch0,
                      mm_view_of(NULL, 0), s->cfg.members,
                      mm_view_of(s->payload, s->cfg.state_bytes)};
  return mm_source_add_group(s->nodes[0].a.src, &g, members, s->cfg.members);
}

mm_err mm_sim_new(const mm_sim_config *cfg, mm_sim **out) {
  if (!mm_suite_get(cfg->suite) || cfg->members < 1 || cfg->members > MM_SIM_MAX_MEMBERS)
    return MM_E_USAGE;
  mm_sim *s = calloc(1, sizeof *s);
  if (!s) return MM_E_NOMEM;
  s->cfg = *cfg;
  s->hash_len = mm_suite_get(cfg->suite)->hash_len;
  s->obs = (mm_observer){on_event, s};
  mm_err e = make_keys(s);
  if (e != MM_OK) goto fail;

  mm_rng grng;
  mm_rng_init_seeded(&grng, cfg->seed, "group");
  mm_rng_fill(&grng, s->group_id, sizeof s->group_id);
  s->epoch0 = 1 + mm_rng_uniform(&grng, 1000);
  s->payload = malloc(cfg->state_bytes ? cfg->state_bytes : 1);
  if (!s->payload) {
    e = MM_E_NOMEM;
    goto fail;
  }
  mm_rng prng;
  mm_rng_init_seeded(&prng, cfg->seed, "payload");
  mm_rng_fill(&prng, s->payload, cfg->state_bytes);

  /* The two DSes. */
  static const char *ds_names[2] = {MM_SIM_SOURCE, MM_SIM_TARGET};
  for (int d = 0; d < 2; d++) {
    sim_node *n = &s->nodes[s->n_nodes++];
    snprintf(n->name, sizeof n->name, "%s", ds_names[d]);
    n->role = d == 0 ? MM_ROLE_SOURCE : MM_ROLE_TARGET;
    n->store = mm_store_new();
    if (!n->store) {
      e = MM_E_NOMEM;
      goto fail;
    }
    init_node_env(s, n, ds_names[d]);
    n->ds_cfg.domain = n->name;
    for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++)
      n->ds_cfg.sign_keys[suite] = s->ds_keys[d][suite];
    n->ds_cfg.policy = d == 0 ? cfg->source_policy : cfg->target_policy;
    n->ds_cfg.mutants = cfg->mutants;
  }
  /* The members: clients of the source's group. */
  for (unsigned i = 0; i < cfg->members; i++) {
    sim_node *n = &s->nodes[s->n_nodes++];
    member_name(i, n->name, sizeof n->name);
    n->role = MM_ROLE_CLIENT;
    n->member = i;
    init_node_env(s, n, n->name);
    n->cl_cfg = (mm_client_config){n->name, s->leaf_keys[i], cfg->suite,
                                   mm_view_of(s->group_id, sizeof s->group_id), s->epoch0, i,
                                   MM_SIM_SOURCE, cfg->commit_wire_format};
  }
  for (size_t i = 0; i < s->n_nodes; i++)
    if ((e = start_node(s, &s->nodes[i])) != MM_OK) goto fail;
  if ((e = install_group(s)) != MM_OK) goto fail;
  *out = s;
  return MM_OK;
fail:
  mm_sim_free(s);
  return e;
}

void mm_sim_free(mm_sim *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_nodes; i++) {
    stop_node(&s->nodes[i]);
    mm_store_free(s->nodes[i].store);
    mm_rng_wipe(&s->nodes[i].rng);
  }
  for (size_t i = 0; i < s->n_flight; i++) {
    free(s->flight[i].from);
    free(s->flight[i].to);
    free(s->flight[i].env);
  }
  for (size_t i = 0; i < s->n_rec; i++) {
    free(s->rec[i].from);
    free(s->rec[i].to);
    free(s->rec[i].env);
  }
  for (int d = 0; d < 2; d++)
    for (int k = 0; k <= MM_SUITE_COUNT; k++) mm_key_free(s->ds_keys[d][k]);
  for (unsigned i = 0; i < MM_SIM_MAX_MEMBERS; i++) mm_key_free(s->leaf_keys[i]);
  mm_keydir_free(s->keys);
  free(s->flight);
  free(s->rec);
  free(s->events);
  free(s->payload);
  free(s);
}

/* ---- what the wire shows (for INV-2) ---- */

static void watch_wire(mm_sim *s, const char *from, const uint8_t *env, size_t len) {
  mm_envelope e;
  mm_derr err;
  mm_limits lim = mm_limits_default(s->cfg.suite);
  lim.max_group_state = UINT64_MAX;
  if (mm_decode(MM_T_ENVELOPE, env, len, &lim, &e, &err) != MM_OK) return;
  if (e.msg_type == MM_MSG_MIGRATION_CONTENT && strcmp(from, MM_SIM_SOURCE) == 0) {
    mm_migration_content c;
    if (mm_decode(MM_T_MIGRATION_CONTENT, e.body.data, e.body.len, &lim, &c, &err) != MM_OK)
      return;
    uint8_t h[MM_MAX_HASH_LEN];
    size_t hl;
    if (mm_hash(s->cfg.suite, c.group_state.data, c.group_state.len, h, &hl) != MM_OK) return;
    if (s->have_export && memcmp(h, s->exported_state_hash, hl) != 0) s->export_mismatch = true;
    memcpy(s->exported_state_hash, h, hl);
    s->have_export = true;
  } else if (e.msg_type == MM_MSG_MIGRATION_COMMIT && !s->have_migration_commit) {
    size_t hl;
    if (mm_hash(s->cfg.suite, e.body.data, e.body.len, s->migration_commit_hash, &hl) == MM_OK)
      s->have_migration_commit = true;
  }
}

/* ---- the queue ---- */

static void enqueue(mm_sim *s, const char *from, mm_out_msg *m) {
  uint8_t msg_type = 0;
  mm_envelope e;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  if (mm_decode(MM_T_ENVELOPE, m->env, m->len, &lim, &e, &err) == MM_OK) msg_type = e.msg_type;
  watch_wire(s, from, m->env, m->len);
  uint64_t delay = s->cfg.latency_ms;
  unsigned copies = 1;
  if (s->cfg.hooks && s->cfg.hooks->on_send) {
    mm_sim_send snd = {s->send_seq, from, m->to, msg_type, &m->env, &m->len, &delay};
    copies = s->cfg.hooks->on_send(s->cfg.hooks->ctx, s, &snd);
    if (copies == 0) s->lost_messages = true;
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
    } else {
      m->env = NULL; /* the queue owns it now */
    }
    s->flight[s->n_flight++] = (sim_flight){s->now + delay + c, s->send_seq * 8 + c,
                                            strdup(from), strdup(m->to), msg_type, bytes,
                                            m->len};
  }
}

static void drain(mm_sim *s, const char *from, mm_outbox *out) {
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
    if (!nv) return;
    s->rec = nv;
    s->cap_rec = cap;
  }
  mm_sim_record *r = &s->rec[s->n_rec++];
  *r = (mm_sim_record){s->step, s->now, f->from, f->to, f->msg_type, NULL, f->len, verdict};
  if (s->cfg.keep_bodies) r->env = f->env;
  else free(f->env);
  f->from = f->to = NULL;
  f->env = NULL;
}

static void deliver(mm_sim *s, size_t idx, mm_outbox *out) {
  sim_flight f = s->flight[idx];
  s->flight[idx] = s->flight[--s->n_flight];
  sim_node *n = mm_sim_node(s, f.to);
  mm_err verdict = MM_E_NOT_FOUND; /* nobody there, or down: the envelope is lost */
  if (n && !n->down) verdict = node_handle(n, f.env, f.len, s->now, out);
  s->step++;
  record(s, &f, verdict);
  if (n) drain(s, n->name, out);
}

static uint64_t earliest_action(const mm_sim *s, size_t *which) {
  uint64_t t = MM_NO_TIMER;
  for (size_t i = 0; i < s->n_actions; i++)
    if (!s->actions[i].done && s->actions[i].at < t) {
      t = s->actions[i].at;
      *which = i;
    }
  return t;
}

static void run_action(mm_sim *s, sim_action *a, mm_outbox *out) {
  a->done = true;
  sim_node *n = &s->nodes[2 + a->member];
  if (n->down) return;
  if (a->kind == ACT_MIGRATE) mm_client_migrate(n->a.cli, MM_SIM_TARGET, s->now, out);
  else mm_client_commit(n->a.cli, s->now, out);
  drain(s, n->name, out);
}

static void add_action(mm_sim *s, sim_action_kind kind, unsigned member, uint64_t at) {
  if (s->n_actions < sizeof s->actions / sizeof s->actions[0] && member < s->cfg.members)
    s->actions[s->n_actions++] = (sim_action){at, kind, member, false};
}

void mm_sim_start_migration(mm_sim *s, uint64_t at) { add_action(s, ACT_MIGRATE, 0, at); }

void mm_sim_member_commit(mm_sim *s, unsigned member, uint64_t at) {
  add_action(s, ACT_COMMIT, member, at);
}

mm_err mm_sim_run(mm_sim *s) {
  mm_outbox out;
  mm_outbox_init(&out);
  for (;;) {
    size_t fi = earliest_flight(s), ai = 0, ni = 0;
    uint64_t t_msg = fi == SIZE_MAX ? MM_NO_TIMER : s->flight[fi].at;
    uint64_t t_act = earliest_action(s, &ai);
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
    if (t == MM_NO_TIMER || t > s->cfg.max_time_ms) break;
    if (t > s->now) s->now = t;
    if (s->cfg.hooks && s->cfg.hooks->before_step)
      s->cfg.hooks->before_step(s->cfg.hooks->ctx, s, s->now);
    /* Messages first, then scheduled actions, then timers: a fixed order
     * keeps runs reproducible. */
    if (t_msg <= t_act && t_msg <= t_timer) {
      deliver(s, fi, &out);
    } else if (t_act <= t_timer) {
      run_action(s, &s->actions[ai], &out);
    } else {
      sim_node *n = &s->nodes[ni];
      node_tick(n, s->now, &out);
      drain(s, n->name, &out);
    }
  }
  mm_outbox_free(&out);
  return MM_OK;
}

/* ---- faults ---- */

void mm_sim_crash(mm_sim *s, mm_role role) {
  sim_node *n = role_node(s, role);
  if (!n || n->down) return;
  stop_node(n);
  n->down = true;
}

mm_err mm_sim_restart(mm_sim *s, mm_role role) {
  sim_node *n = role_node(s, role);
  if (!n || !n->down) return MM_OK;
  mm_err e = start_node(s, n);
  if (e == MM_OK) n->down = false;
  return e;
}

bool mm_sim_is_down(const mm_sim *s, mm_role role) {
  return role == MM_ROLE_CLIENT ? false : s->nodes[role == MM_ROLE_SOURCE ? 0 : 1].down;
}

void mm_sim_advance_clock(mm_sim *s, uint64_t ms) { s->now += ms; }
uint64_t mm_sim_now(const mm_sim *s) { return s->now; }

/* ---- accessors ---- */

size_t mm_sim_record_count(const mm_sim *s) { return s->n_rec; }
const mm_sim_record *mm_sim_record_at(const mm_sim *s, size_t i) {
  return i < s->n_rec ? &s->rec[i] : NULL;
}
const mm_source *mm_sim_source(const mm_sim *s) { return s->nodes[0].a.src; }
const mm_target *mm_sim_target(const mm_sim *s) { return s->nodes[1].a.tgt; }
const mm_client *mm_sim_client(const mm_sim *s, unsigned m) {
  return m < s->cfg.members ? s->nodes[2 + m].a.cli : NULL;
}
const char *mm_sim_member_name(const mm_sim *s, unsigned m) {
  return m < s->cfg.members ? s->nodes[2 + m].name : NULL;
}
unsigned mm_sim_member_count(const mm_sim *s) { return s->cfg.members; }
mm_view mm_sim_group_id(const mm_sim *s) { return mm_view_of(s->group_id, sizeof s->group_id); }
uint64_t mm_sim_initial_epoch(const mm_sim *s) { return s->epoch0; }
const mm_keydir *mm_sim_keys(const mm_sim *s) { return s->keys; }
const mm_sim_config *mm_sim_get_config(const mm_sim *s) { return &s->cfg; }

const mm_key *mm_sim_private_key(const mm_sim *s, const char *who) {
  if (strcmp(who, MM_SIM_SOURCE) == 0) return s->ds_keys[0][s->cfg.suite];
  if (strcmp(who, MM_SIM_TARGET) == 0) return s->ds_keys[1][s->cfg.suite];
  for (unsigned i = 0; i < s->cfg.members; i++)
    if (strcmp(who, s->nodes[2 + i].name) == 0) return s->leaf_keys[i];
  return NULL;
}

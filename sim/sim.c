/* The simulator's setup and event loop (sim.h). */
#include <stdarg.h>
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

sim_node *mm_sim_role_node(mm_sim *s, mm_role role) {
  switch (role) {
  case MM_ROLE_SOURCE:
    return &s->nodes[0];
  case MM_ROLE_TARGET:
    return &s->nodes[1];
  case MM_ROLE_CLIENT:
    return &s->nodes[2];
  }
  return NULL;
}

bool mm_sim_is_ds_name(const mm_sim *s, const char *name) {
  for (size_t i = 0; i < s->n_nodes; i++)
    if (s->nodes[i].role != MM_ROLE_CLIENT && strcmp(s->nodes[i].name, name) == 0) return true;
  return false;
}

void mm_sim_oracle_fail(mm_sim *s, const char *fmt, ...) {
  if (s->oracle[0]) return; /* keep the first */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->oracle, sizeof s->oracle, fmt, ap);
  va_end(ap);
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
  e->at = s->now;
  if (ev->kind != MM_EV_COMMIT_ACCEPTED) s->last_change = s->now;
  if (ev->kind == MM_EV_GROUP_IMPORTED) mm_sim_judge_import(s, ev);
}

/* ---- actors ---- */

/* Nodes have the role of the actor they run: MM_ROLE_SOURCE, MM_ROLE_TARGET
 * (both targets) or MM_ROLE_CLIENT (members and the outsider). */
static mm_err start_node(mm_sim *s, sim_node *n) {
  (void)s;
  switch (n->role) {
  case MM_ROLE_SOURCE:
    return mm_source_new(&n->ds_cfg, &n->env, &n->a.src);
  case MM_ROLE_TARGET:
    return mm_target_new(&n->ds_cfg, &n->env, &n->a.tgt);
  case MM_ROLE_CLIENT:
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

static const char *ds_domains[SIM_N_DS_KEYS] = {MM_SIM_SOURCE, MM_SIM_TARGET, MM_SIM_TARGET2,
                                                MM_SIM_THIRD};

static bool wants_ds_keys(const mm_sim_config *c, int d) {
  return d < 2 || (d == 2 && c->second_target) || (d == 3 && c->third_ds);
}

/* Same seed, suite, members and extra actors: the same keys. */
static mm_err borrow_keys(mm_sim *s, const mm_sim *d) {
  const mm_sim_config *a = &s->cfg, *b = &d->cfg;
  if (a->seed != b->seed || a->suite != b->suite || a->members != b->members ||
      a->second_target != b->second_target || a->third_ds != b->third_ds ||
      a->outsider != b->outsider)
    return MM_E_USAGE;
  s->keys = d->keys;
  memcpy(s->ds_keys, d->ds_keys, sizeof s->ds_keys);
  memcpy(s->leaf_keys, d->leaf_keys, sizeof s->leaf_keys);
  s->outsider_key = d->outsider_key;
  s->borrowed_keys = true;
  return MM_OK;
}

static mm_err make_keys(mm_sim *s) {
  if (s->cfg.key_donor) return borrow_keys(s, s->cfg.key_donor);
  s->keys = mm_keydir_new();
  if (!s->keys) return MM_E_NOMEM;
  const char **domains = ds_domains;
  for (int d = 0; d < SIM_N_DS_KEYS; d++)
    for (uint16_t suite = 1; suite <= MM_SUITE_COUNT && wants_ds_keys(&s->cfg, d); suite++) {
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
  if (s->cfg.outsider) {
    mm_rng rng;
    mm_rng_init_seeded(&rng, s->cfg.seed, "leaf outsider");
    mm_err e = mm_key_generate(s->cfg.suite, &rng, &s->outsider_key);
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

/* The group as installed at the source (to_target: the same group ID
 * created at the target instead, for GROUP-1 collisions). */
static mm_err install_group(mm_sim *s, bool to_target) {
  mm_member members[MM_SIM_MAX_MEMBERS];
  for (unsigned i = 0; i < s->cfg.members; i++) {
    sim_node *c = &s->nodes[2 + i];
    members[i] = (mm_member){mm_view_str(c->name), i, mm_key_public(s->leaf_keys[i])};
  }
  mm_group_state g = {MM_GROUP_STATE_VERSION, s->cfg.suite,
                      mm_view_of(s->group_id, sizeof s->group_id), s->epoch0,
                      mm_view_of(NULL, 0), s->cfg.members,
                      mm_view_of(s->payload, s->cfg.state_bytes)};
  if (!to_target) return mm_source_add_group(s->nodes[0].a.src, &g, members, s->cfg.members);
  if (s->nodes[1].down) return MM_E_IO;
  s->target_created_group = true;
  return mm_target_add_group(s->nodes[1].a.tgt, &g, members, s->cfg.members);
}

static mm_err add_ds_node(mm_sim *s, const char *name, mm_role role, int key_index,
                          mm_policy policy) {
  sim_node *n = &s->nodes[s->n_nodes++];
  snprintf(n->name, sizeof n->name, "%s", name);
  n->role = role;
  n->store = mm_store_new();
  if (!n->store) return MM_E_NOMEM;
  init_node_env(s, n, name);
  n->ds_cfg.domain = n->name;
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++)
    n->ds_cfg.sign_keys[suite] = s->ds_keys[key_index][suite];
  n->ds_cfg.policy = policy;
  n->ds_cfg.mutants = s->cfg.mutants;
  return MM_OK;
}

static void add_client_node(mm_sim *s, const char *name, mm_role role, unsigned index,
                            const mm_key *leaf) {
  sim_node *n = &s->nodes[s->n_nodes++];
  snprintf(n->name, sizeof n->name, "%s", name);
  n->role = role;
  n->member = index;
  init_node_env(s, n, n->name);
  n->cl_cfg = (mm_client_config){n->name, leaf, s->cfg.suite,
                                 mm_view_of(s->group_id, sizeof s->group_id), s->epoch0, index,
                                 MM_SIM_SOURCE, s->cfg.commit_wire_format};
}

mm_err mm_sim_new(const mm_sim_config *cfg, mm_sim **out) {
  if (!mm_suite_get(cfg->suite) || cfg->members < 1 || cfg->members > MM_SIM_MAX_MEMBERS)
    return MM_E_USAGE;
  mm_sim *s = calloc(1, sizeof *s);
  if (!s) return MM_E_NOMEM;
  s->cfg = *cfg;
  s->target2_node = s->outsider_node = SIZE_MAX;
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
  if ((e = add_ds_node(s, MM_SIM_SOURCE, MM_ROLE_SOURCE, 0, cfg->source_policy)) != MM_OK ||
      (e = add_ds_node(s, MM_SIM_TARGET, MM_ROLE_TARGET, 1, cfg->target_policy)) != MM_OK)
    goto fail;
  /* The members: clients of the source's group. */
  for (unsigned i = 0; i < cfg->members; i++) {
    char name[MM_SENDER_MAX + 1];
    member_name(i, name, sizeof name);
    add_client_node(s, name, MM_ROLE_CLIENT, i, s->leaf_keys[i]);
  }
  /* Extra actors go last: the others keep their places and streams. */
  if (cfg->second_target) {
    s->target2_node = s->n_nodes;
    if ((e = add_ds_node(s, MM_SIM_TARGET2, MM_ROLE_TARGET, 2, cfg->target_policy)) != MM_OK)
      goto fail;
  }
  if (cfg->outsider) {
    s->outsider_node = s->n_nodes;
    add_client_node(s, MM_SIM_OUTSIDER, MM_ROLE_CLIENT, 0, s->outsider_key);
  }
  for (size_t i = 0; i < s->n_nodes; i++)
    if ((e = start_node(s, &s->nodes[i])) != MM_OK) goto fail;
  if ((e = install_group(s, false)) != MM_OK) goto fail;
  if (cfg->target_hosts_group && (e = install_group(s, true)) != MM_OK) goto fail;
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
  if (!s->borrowed_keys) {
    for (int d = 0; d < SIM_N_DS_KEYS; d++)
      for (int k = 0; k <= MM_SUITE_COUNT; k++) mm_key_free(s->ds_keys[d][k]);
    for (unsigned i = 0; i < MM_SIM_MAX_MEMBERS; i++) mm_key_free(s->leaf_keys[i]);
    mm_key_free(s->outsider_key);
    mm_keydir_free(s->keys);
  }
  free(s->last_response);
  free(s->flight);
  free(s->rec);
  free(s->events);
  free(s->payload);
  free(s);
}

/* ---- the queue ---- */

static void enqueue(mm_sim *s, const char *from, mm_out_msg *m) {
  uint8_t msg_type = 0;
  mm_envelope e;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  if (mm_decode(MM_T_ENVELOPE, m->env, m->len, &lim, &e, &err) == MM_OK) msg_type = e.msg_type;
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
    } else {
      m->env = NULL; /* the queue owns it now */
    }
    s->flight[s->n_flight++] = (sim_flight){s->now + delay + c, s->send_seq * 8 + c,
                                            strdup(from), strdup(m->to), msg_type, bytes,
                                            m->len};
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
  if (mm_decode(MM_T_ENVELOPE, env, len, &lim, &e, NULL) == MM_OK)
    s->flight[s->n_flight - 1].msg_type = e.msg_type;
  return MM_OK;
}

mm_err mm_sim_inject(mm_sim *s, const char *from, const char *to, const uint8_t *env,
                     size_t len, uint64_t at) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return MM_E_NOMEM;
  if (len) memcpy(copy, env, len);
  return mm_sim_enqueue_raw(s, from, to, copy, len, at < s->now ? s->now : at);
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
  if (n && verdict == MM_OK && n->role != MM_ROLE_CLIENT)
    mm_sim_judge_delivery(s, n, f.env, f.len);
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

static void run_action(mm_sim *s, sim_action *a, mm_outbox *out) {
  a->done = true;
  if (s->last_disturbance < s->now) s->last_disturbance = s->now;
  sim_node *n = &s->nodes[a->node];
  switch (a->kind) {
  case ACT_MIGRATE:
  case ACT_COMMIT:
    if (n->down) return;
    if (a->kind == ACT_MIGRATE) mm_client_migrate(n->a.cli, a->arg, s->now, out);
    else mm_client_commit(n->a.cli, s->now, out);
    drain(s, n->name, out);
    return;
  case ACT_DENY:
    deny(n, a->arg);
    return;
  case ACT_CREATE_GROUP:
    install_group(s, true);
    return;
  case ACT_THIRD_PUSH:
    mm_sim_do_third_push(s);
    return;
  case ACT_REPLAY_ALL:
    mm_sim_do_replay_all(s);
    return;
  case ACT_ROGUE_INIT:
    mm_sim_do_rogue_init(s, n, strcmp(a->arg, "forge") == 0);
    return;
  case ACT_WRONG_ACK:
    mm_sim_do_wrong_ack(s);
    return;
  }
}

static void add_action(mm_sim *s, sim_action_kind kind, size_t node, const char *arg,
                       uint64_t at) {
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

static uint64_t earliest_restart(const mm_sim *s, size_t *which) {
  uint64_t t = MM_NO_TIMER;
  for (size_t i = 0; i < s->n_nodes; i++)
    if (s->nodes[i].down && s->nodes[i].restart_pending && s->nodes[i].restart_at < t) {
      t = s->nodes[i].restart_at;
      *which = i;
    }
  return t;
}

static void restart_node(mm_sim *s, sim_node *n) {
  n->restart_pending = false;
  if (start_node(s, n) == MM_OK) n->down = false;
  if (s->last_disturbance < s->now) s->last_disturbance = s->now;
}

mm_err mm_sim_run(mm_sim *s) {
  mm_outbox out;
  mm_outbox_init(&out);
  for (;;) {
    size_t fi = earliest_flight(s), ai = 0, ni = 0, ri = 0;
    uint64_t t_msg = fi == SIZE_MAX ? MM_NO_TIMER : s->flight[fi].at;
    uint64_t t_act = earliest_action(s, &ai);
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
      restart_node(s, &s->nodes[ri]);
      continue;
    }
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
      if (n->down) continue; /* the hook crashed it just now */
      node_tick(n, s->now, &out);
      drain(s, n->name, &out);
    }
  }
  mm_outbox_free(&out);
  return MM_OK;
}

/* ---- faults ---- */

void mm_sim_crash(mm_sim *s, mm_role role) {
  sim_node *n = mm_sim_role_node(s, role);
  if (!n || n->down) return;
  stop_node(n);
  n->down = true;
}

mm_err mm_sim_restart(mm_sim *s, mm_role role) {
  sim_node *n = mm_sim_role_node(s, role);
  if (!n || !n->down) return MM_OK;
  n->restart_pending = false;
  mm_err e = start_node(s, n);
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
  for (int d = 0; d < SIM_N_DS_KEYS; d++)
    if (strcmp(who, ds_domains[d]) == 0) return s->ds_keys[d][s->cfg.suite];
  if (s->outsider_key && strcmp(who, MM_SIM_OUTSIDER) == 0) return s->outsider_key;
  for (unsigned i = 0; i < s->cfg.members; i++)
    if (strcmp(who, s->nodes[2 + i].name) == 0) return s->leaf_keys[i];
  return NULL;
}

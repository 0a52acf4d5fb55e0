/* The simulator (sim.h): configuration, setup of the actors and their
 * keys, observations, and accessors. The event loop is in sim_loop.c, the
 * scheduled actions in sim_actions.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/mls_build.h"
#include "simulator/sim_internal.h"

static const char *member_names[] = {"alice", "bob",   "carol", "dave",
                                     "erin",  "frank", "grace", "heidi"};

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
  case MM_ROLE_SOURCE: return &s->nodes[0];
  case MM_ROLE_TARGET: return &s->nodes[1];
  case MM_ROLE_CLIENT: return &s->nodes[2];
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
  if (ev->detail.len &&
      mm_hash(s->cfg.suite, ev->detail.data, ev->detail.len, e->detail_hash, &hl) != MM_OK) {
    s->n_events--; /* a detail not hashed would look like another one: lost instead */
    return;
  }
  size_t pl = ev->peer.len < MM_SENDER_MAX ? ev->peer.len : MM_SENDER_MAX;
  if (pl) memcpy(e->peer, ev->peer.data, pl);
  e->at = s->now;
  if (ev->kind != MM_EV_COMMIT_ACCEPTED) s->last_change = s->now;
  if (ev->kind == MM_EV_GROUP_IMPORTED) mm_sim_judge_import(s, ev);
}

/* ---- setup ---- */

static const char *ds_domains[SIM_N_DS_KEYS] = {MM_SIM_SOURCE, MM_SIM_TARGET, MM_SIM_TARGET2,
                                                MM_SIM_THIRD};

static bool wants_ds_keys(const mm_sim_config *c, int d) {
  return d < 2 || (d == 2 && c->second_target) || (d == 3 && c->third_ds);
}

/* Same seed, suite, members and extra actors: the same keys. */
static MM_MUST_USE mm_err borrow_keys(mm_sim *s, const mm_sim *d) {
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

static MM_MUST_USE mm_err make_keys(mm_sim *s) {
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
  if (i < k)
    snprintf(out, n, "%s@%s", member_names[i], MM_SIM_SOURCE);
  else
    snprintf(out, n, "member%u@%s", i, MM_SIM_SOURCE);
}

static void init_node_env(mm_sim *s, sim_node *n, const char *rng_label) {
  mm_rng_init_seeded(&n->rng, s->cfg.seed, rng_label);
  n->env = (mm_env){&n->rng, s->keys, n->store, &s->obs, 0};
}

/* The group as installed at the source (to_target: the same group ID
 * created at the target instead, for GROUP-1 collisions). */
/* Profile v2: the group's genuine public state at epoch0 (mls_build: the members' leaves with
 * their leaf keys, tree hashes, GroupInfo signed by leaf 0): the PublicGroupState the members
 * start from, and the MigrationGroupState (with the payload) the DS hosts. */
static MM_MUST_USE mm_err make_mls_group(mm_sim *s) {
  char names[MM_SIM_MAX_MEMBERS][MM_SENDER_MAX + 1];
  mm_view ids[MM_SIM_MAX_MEMBERS];
  for (unsigned i = 0; i < s->cfg.members; i++) {
    member_name(i, names[i], sizeof names[i]);
    ids[i] = mm_view_str(names[i]);
  }
  mm_rng rng;
  mm_rng_init_seeded(&rng, s->cfg.seed, "mls group");
  mm_writer pgs, mgs;
  mm_writer_init(&pgs);
  mm_writer_init(&mgs);
  mm_view gid = mm_view_of(s->group_id, sizeof s->group_id);
  mm_err e = mm_mls_build_group(s->cfg.suite, gid, s->epoch0, ids, s->leaf_keys, s->cfg.members,
                                &rng, &pgs, NULL);
  mm_mls_expect exp = {
      .suite = s->cfg.suite, .group_id = gid, .check_epoch = true, .epoch = s->epoch0};
  mm_mls_state *st = NULL;
  mm_mls_why why;
  if (e == MM_OK) e = mm_mls_state_from_public(pgs.buf, pgs.len, &exp, &st, &why);
  if (e == MM_OK) e = mm_mls_state_encode(st, mm_view_of(s->payload, s->cfg.state_bytes), &mgs);
  mm_mls_state_free(st);
  if (e == MM_OK) e = mm_writer_finish(&pgs, &s->mls_pgs, &s->mls_pgs_len);
  if (e == MM_OK) e = mm_writer_finish(&mgs, &s->mls_mgs, &s->mls_mgs_len);
  mm_writer_free(&pgs);
  mm_writer_free(&mgs);
  return e;
}

mm_err sim_install_group(mm_sim *s, bool to_target) {
  if (s->cfg.profile == MM_PROFILE_V2) {
    if (!to_target)
      return mm_source_add_mls_group(s->nodes[0].a.src, s->cfg.suite, s->mls_mgs, s->mls_mgs_len);
    if (s->nodes[1].down) return MM_E_IO;
    s->target_created_group = true;
    return mm_target_add_mls_group(s->nodes[1].a.tgt, s->cfg.suite, s->mls_mgs, s->mls_mgs_len);
  }
  mm_member members[MM_SIM_MAX_MEMBERS];
  for (unsigned i = 0; i < s->cfg.members; i++) {
    sim_node *c = &s->nodes[2 + i];
    members[i] = (mm_member){mm_view_str(c->name), i, mm_key_public(s->leaf_keys[i])};
  }
  mm_group_state g = {MM_GROUP_STATE_VERSION,
                      s->cfg.suite,
                      mm_view_of(s->group_id, sizeof s->group_id),
                      s->epoch0,
                      mm_view_of(NULL, 0),
                      s->cfg.members,
                      mm_view_of(s->payload, s->cfg.state_bytes)};
  sim_node *n = &s->nodes[to_target ? 1 : 0];
  if (n->down) return MM_E_IO;
  if (to_target) s->target_created_group = true;
  if (n->external) return s->cfg.external->install(s->ext_run, &g, members, s->cfg.members);
  if (!to_target) return mm_source_add_group(n->a.src, &g, members, s->cfg.members);
  return mm_target_add_group(n->a.tgt, &g, members, s->cfg.members);
}

static MM_MUST_USE mm_err add_ds_node(mm_sim *s, const char *name, mm_role role, int key_index,
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
  n->ds_cfg.profile = s->cfg.profile;
  return MM_OK;
}

static void add_client_node(mm_sim *s, const char *name, mm_role role, unsigned index,
                            const mm_key *leaf) {
  sim_node *n = &s->nodes[s->n_nodes++];
  snprintf(n->name, sizeof n->name, "%s", name);
  n->role = role;
  n->member = index;
  init_node_env(s, n, n->name);
  n->cl_cfg = (mm_client_config){n->name,        leaf,
                                 s->cfg.suite,   mm_view_of(s->group_id, sizeof s->group_id),
                                 s->epoch0,      index,
                                 MM_SIM_SOURCE,  s->cfg.commit_wire_format,
                                 s->cfg.profile, mm_view_of(s->mls_pgs, s->mls_pgs_len)};
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
  const mm_sim_external *x = cfg->external;
  if (e == MM_OK && x && x->role != MM_ROLE_SOURCE && x->role != MM_ROLE_TARGET) e = MM_E_USAGE;
  if (e == MM_OK && x) e = x->open(x->ctx, &s->ext_run);
  if (e != MM_OK) goto fail;

  mm_rng grng;
  mm_rng_init_seeded(&grng, cfg->seed, "group");
  if ((e = mm_rng_fill(&grng, s->group_id, sizeof s->group_id)) != MM_OK) goto fail;
  s->epoch0 = 1 + mm_rng_uniform(&grng, 1000);
  s->payload = malloc(cfg->state_bytes ? cfg->state_bytes : 1);
  if (!s->payload) {
    e = MM_E_NOMEM;
    goto fail;
  }
  mm_rng prng;
  mm_rng_init_seeded(&prng, cfg->seed, "payload");
  if ((e = mm_rng_fill(&prng, s->payload, cfg->state_bytes)) != MM_OK) goto fail;

  if (cfg->profile == MM_PROFILE_V2 && (e = make_mls_group(s)) != MM_OK) goto fail;
  /* The two DSes. */
  if ((e = add_ds_node(s, MM_SIM_SOURCE, MM_ROLE_SOURCE, 0, cfg->source_policy)) != MM_OK ||
      (e = add_ds_node(s, MM_SIM_TARGET, MM_ROLE_TARGET, 1, cfg->target_policy)) != MM_OK)
    goto fail;
  if (x) s->nodes[x->role == MM_ROLE_SOURCE ? 0 : 1].external = true;
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
    if ((e = sim_start_node(s, &s->nodes[i])) != MM_OK) goto fail;
  if ((e = sim_install_group(s, false)) != MM_OK) goto fail;
  if (cfg->target_hosts_group && (e = sim_install_group(s, true)) != MM_OK) goto fail;
  *out = s;
  return MM_OK;
fail:
  mm_sim_free(s);
  return e;
}

void mm_sim_free(mm_sim *s) {
  if (!s) return;
  if (s->ext_run) { /* the external DS's actor ends with its run (not as a crash) */
    for (size_t i = 0; i < s->n_nodes; i++)
      if (s->nodes[i].external) s->nodes[i].actor = (mm_actor){0};
    s->cfg.external->close(s->ext_run);
  }
  for (size_t i = 0; i < s->n_nodes; i++) {
    sim_stop_node(&s->nodes[i]);
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
  free(s->mls_pgs);
  free(s->mls_mgs);
  free(s);
}

bool sim_node_group(const mm_sim *s, const sim_node *n, mm_view gid, mm_group_info *out) {
  if (n->down) return false;
  if (n->external) return s->cfg.external->group(s->ext_run, gid, out);
  if (n->role == MM_ROLE_SOURCE) return n->a.src && mm_source_group(n->a.src, gid, out);
  return n->a.tgt && mm_target_group(n->a.tgt, gid, out);
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

mm_actor mm_sim_actor(mm_sim *s, const char *name, mm_role *role, unsigned *member) {
  sim_node *n = mm_sim_node(s, name);
  if (!n) return (mm_actor){0};
  if (role) *role = n->role;
  if (member) *member = n->member;
  return n->actor;
}

mm_err mm_sim_client_start(mm_sim *s, unsigned member, const char *target, uint64_t now,
                           mm_outbox *out) {
  if (member >= s->cfg.members) return MM_E_USAGE;
  return mm_client_migrate(s->nodes[2 + member].a.cli, target, now, out);
}

mm_err mm_sim_change_policy(mm_sim *s, mm_role role, const mm_policy *p) {
  if (role == MM_ROLE_CLIENT) return MM_E_USAGE;
  sim_node *n = mm_sim_role_node(s, role);
  mm_sim_crash(s, role);
  n->ds_cfg.policy = *p;
  return mm_sim_restart(s, role);
}

/* The safety and liveness properties of profile section 9, checked over one
 * simulated run from the actors' observations and their final state. Every
 * DS of the run counts (the source, the target and, when configured, the
 * second target). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "simulator/sim_internal.h"

/* The checker of invariant `rule` ("INV-1".."INV-5") found it broken: these
 * calls are the invariants' enforcement sites (suites/rule_sites.py). */
static void fail(mm_sim_outcome *o, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(mm_sim_outcome *o, const char *rule, const char *fmt, ...) {
  int inv = rule[4] - '0';
  if (o->inv[inv] == MM_INV_FAIL) return; /* keep the first reason */
  o->inv[inv] = MM_INV_FAIL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->inv_detail[inv], sizeof o->inv_detail[inv], fmt, ap);
  va_end(ap);
}

static bool is_target_node(const sim_node *n) { return n->role == MM_ROLE_TARGET; }

static bool is_client_node(const sim_node *n) { return n->role == MM_ROLE_CLIENT; }

/* Does this target serve the migrated group (imported, not a group of its
 * own that shares the ID)? */
static bool target_serves(const mm_sim *s, const sim_node *n, mm_view gid, mm_group_info *ti) {
  return sim_node_group(s, n, gid, ti) && ti->status == MM_GS_ACTIVE && ti->peer.len > 0;
}

static bool same_group(const sim_event *a, const sim_event *b) {
  return a->group_len == b->group_len && memcmp(a->group, b->group, a->group_len) == 0;
}

/* Is hash h a migration Commit that names `target`? With none seen for it,
 * the first migration Commit stands in (as before extra targets existed). */
static bool commit_for(const mm_sim *s, const char *target, const uint8_t *h) {
  bool any = false;
  for (size_t i = 0; i < s->n_mig_commits; i++) {
    if (strcmp(s->mig_commits[i].target, target) != 0) continue;
    any = true;
    if (memcmp(s->mig_commits[i].hash, h, s->hash_len) == 0) return true;
  }
  return !any && s->have_migration_commit && memcmp(s->migration_commit_hash, h, s->hash_len) == 0;
}

/* INV-1: every DS that accepts a Commit for (group, epoch) accepts the same
 * Commit. A target's import at epoch E counts as accepting, for E - 1, the
 * migration Commit that names that target. */
static void check_no_fork(mm_sim *s, mm_sim_outcome *o) {
  for (size_t i = 0; i < s->n_events; i++) {
    const sim_event *a = &s->events[i];
    bool a_import = a->kind == MM_EV_GROUP_IMPORTED;
    if (a_import ? a->epoch == 0
                 : a->kind != MM_EV_COMMIT_ACCEPTED || !mm_sim_is_ds_name(s, a->actor))
      continue;
    uint64_t ea = a_import ? a->epoch - 1 : a->epoch;
    for (size_t j = i + 1; j < s->n_events; j++) {
      const sim_event *b = &s->events[j];
      bool b_import = b->kind == MM_EV_GROUP_IMPORTED;
      if (b_import ? b->epoch == 0
                   : b->kind != MM_EV_COMMIT_ACCEPTED || !mm_sim_is_ds_name(s, b->actor))
        continue;
      uint64_t eb = b_import ? b->epoch - 1 : b->epoch;
      if (ea != eb || !same_group(a, b)) continue;
      bool forked;
      if (a_import && b_import)
        forked = strcmp(a->actor, b->actor) != 0;
      else if (a_import)
        forked = !commit_for(s, a->actor, b->detail_hash);
      else if (b_import)
        forked = !commit_for(s, b->actor, a->detail_hash);
      else
        forked = memcmp(a->detail_hash, b->detail_hash, s->hash_len) != 0;
      if (forked)
        fail(o, "INV-1", "two different Commits accepted for epoch %llu (%.40s, %.40s)",
             (unsigned long long)ea, a->actor, b->actor);
    }
  }
}

/* INV-2: some DS holds the group; the imported state is the exported one. */
static void check_no_loss(mm_sim *s, mm_sim_outcome *o) {
  mm_view gid = mm_sim_group_id(s);
  mm_group_info si = {0}, ti = {0};
  bool held = sim_node_group(s, &s->nodes[0], gid, &si) &&
              (si.status == MM_GS_ACTIVE || si.status == MM_GS_MIGRATING);
  bool any_down = false;
  for (size_t i = 0; i < s->n_nodes; i++) {
    const sim_node *n = &s->nodes[i];
    if (!is_client_node(n)) any_down = any_down || n->down;
    if (is_target_node(n) && target_serves(s, n, gid, &ti)) held = true;
  }
  if (!held && !any_down)
    fail(o, "INV-2", "no DS holds the group at the end (t=%llu ms)", (unsigned long long)s->now);
  if (s->export_mismatch) fail(o, "INV-2", "the source exported two different states");
  for (size_t i = 0; i < s->n_events; i++) {
    const sim_event *e = &s->events[i];
    if (e->kind != MM_EV_GROUP_IMPORTED) continue;
    if (!s->have_export || memcmp(e->detail_hash, s->exported_state_hash, s->hash_len) != 0)
      fail(o, "INV-2", "%.40s imported a state the source did not export", e->actor);
  }
}

/* INV-3: an import is for a member the importer's policy allowed at that
 * moment (judged at the import, sim_wire.c), from the DS the request names
 * as source, through content that DS sent. */
static void check_authorized(mm_sim *s, mm_sim_outcome *o) {
  if (s->inv3[0]) fail(o, "INV-3", "%s", s->inv3);
  mm_view gid = mm_sim_group_id(s);
  for (size_t i = 0; i < s->n_nodes; i++) {
    mm_group_info ti;
    if (is_target_node(&s->nodes[i]) && target_serves(s, &s->nodes[i], gid, &ti) &&
        !mm_view_eq_str(ti.peer, MM_SIM_SOURCE))
      fail(o, "INV-3", "%.40s imported the group from another DS than the source",
           s->nodes[i].name);
  }
  for (size_t i = 0; i < s->n_rec; i++) {
    const mm_sim_record *r = &s->rec[i];
    if (r->msg_type == MM_MSG_MIGRATION_CONTENT && r->verdict == MM_OK &&
        mm_sim_is_ds_name(s, r->to) && strcmp(r->to, MM_SIM_SOURCE) != 0 &&
        strcmp(r->from, MM_SIM_SOURCE) != 0)
      fail(o, "INV-3", "%.40s accepted MigrationContent from %.40s", r->to, r->from);
  }
}

/* INV-4: exactly one DS serves the group; members that moved point to it. */
static void check_single_home(mm_sim *s, mm_sim_outcome *o) {
  mm_view gid = mm_sim_group_id(s);
  mm_group_info si = {0}, ti = {0};
  bool have_source = sim_node_group(s, &s->nodes[0], gid, &si);
  size_t homes = 0;
  bool any_down = false;
  o->home = NULL;
  if (have_source && si.status == MM_GS_ACTIVE) {
    homes++;
    o->home = MM_SIM_SOURCE;
    o->epoch = si.epoch;
  }
  for (size_t i = 0; i < s->n_nodes; i++) {
    const sim_node *n = &s->nodes[i];
    if (!is_client_node(n)) any_down = any_down || n->down;
    if (!is_target_node(n) || !target_serves(s, n, gid, &ti)) continue;
    homes++;
    o->home = strcmp(n->name, MM_SIM_TARGET2) == 0 ? MM_SIM_TARGET2 : MM_SIM_TARGET;
    o->epoch = ti.epoch;
  }
  if (homes == 0) o->epoch = si.epoch;
  if (homes > 1) o->home = NULL;
  /* A run that ends mid-migration, or with a DS down, has no final home to
   * judge; INV-5 speaks for it. */
  if (any_down || (have_source && si.status == MM_GS_MIGRATING)) {
    o->inv[4] = MM_INV_NOT_CHECKED;
    return;
  }
  if (homes > 1) fail(o, "INV-4", "%zu DSes serve the group", homes);
  if (homes == 0) fail(o, "INV-4", "no DS serves the group");
  if (!o->home) return;
  for (unsigned m = 0; m < s->cfg.members; m++) {
    const sim_node *n = &s->nodes[2 + m];
    if (n->down) continue;
    mm_client_status st = mm_client_get_status(n->a.cli);
    if (!mm_view_eq_str(st.ds, MM_SIM_SOURCE) && !mm_view_eq_str(st.ds, o->home))
      fail(o, "INV-4", "%.60s points to a DS that does not serve the group", n->name);
  }
}

static bool waiting(const sim_node *n) {
  if (n->down || !n->a.cli) return false;
  mm_client_phase p = mm_client_get_status(n->a.cli).phase;
  return p == MM_CP_REQUESTED || p == MM_CP_INIT_SENT;
}

/* INV-5: with every message eventually delivered and every crashed actor
 * back, every migration ended, and within MM_SIM_PROGRESS_BOUND_MS of the
 * last fault. */
static void check_progress(mm_sim *s, mm_sim_outcome *o) {
  bool any_down = false;
  for (size_t i = 0; i < s->n_nodes; i++) any_down = any_down || s->nodes[i].down;
  if (s->lost_messages || any_down) {
    o->inv[5] = MM_INV_NOT_CHECKED;
    return;
  }
  mm_group_info si = {0};
  if (sim_node_group(s, &s->nodes[0], mm_sim_group_id(s), &si) && si.status == MM_GS_MIGRATING)
    fail(o, "INV-5", "the source is still migrating the group at t=%llu ms",
         (unsigned long long)s->now);
  for (size_t i = 0; i < s->n_nodes; i++)
    if (is_client_node(&s->nodes[i]) && waiting(&s->nodes[i]))
      fail(o, "INV-5", "%.60s is still waiting at t=%llu ms", s->nodes[i].name,
           (unsigned long long)s->now);
  uint64_t bound = s->last_disturbance + MM_SIM_PROGRESS_BOUND_MS;
  if (s->last_change > bound)
    fail(o, "INV-5", "a migration ended at t=%llu ms, after the bound of %llu ms",
         (unsigned long long)s->last_change, (unsigned long long)bound);
}

/* GAP-1: the draft has no abort after MigrationContent. A target that
 * refuses the content for a reason the profile makes final (the nonce
 * expired, the policy changed, the group ID got taken) leaves the source
 * retransmitting forever, even with every message delivered. */
static void classify_gap(const mm_sim *s, mm_sim_outcome *o) {
  if (o->inv[5] != MM_INV_FAIL || o->inv[1] == MM_INV_FAIL || o->inv[2] == MM_INV_FAIL ||
      o->inv[3] == MM_INV_FAIL || o->inv[4] == MM_INV_FAIL || o->rule_violation[0])
    return;
  mm_err why = MM_OK;
  for (size_t i = 0; i < s->n_rec; i++) {
    const mm_sim_record *r = &s->rec[i];
    if (r->msg_type != MM_MSG_MIGRATION_CONTENT || strcmp(r->from, MM_SIM_SOURCE) != 0) continue;
    if (r->verdict == MM_OK) return; /* an import happened: not this gap */
    if (r->verdict == MM_E_NONCE_EXPIRED || r->verdict == MM_E_UNAUTHORIZED ||
        r->verdict == MM_E_GROUP_EXISTS)
      why = r->verdict;
  }
  if (why != MM_OK)
    snprintf(o->known_gap, sizeof o->known_gap,
             "GAP-1: the target refused MigrationContent (%s) and the source cannot abort after "
             "sending it",
             mm_err_name(why));
}

void mm_sim_check(mm_sim *s, mm_sim_outcome *o) {
  memset(o, 0, sizeof *o);
  o->end_time_ms = s->now;
  const sim_node *init = &s->nodes[2];
  mm_client_status st = {MM_CP_IDLE, mm_view_str(MM_SIM_SOURCE), 0, MM_OK};
  if (!init->down && init->a.cli) st = mm_client_get_status(init->a.cli);
  o->initiator_phase = st.phase;
  o->initiator_error = st.last_error;
  check_no_fork(s, o);
  check_no_loss(s, o);
  check_authorized(s, o);
  check_single_home(s, o);
  check_progress(s, o);
  mm_sim_check_trace(s, o);
  classify_gap(s, o);
  mm_group_info si = {0};
  bool migrating =
      sim_node_group(s, &s->nodes[0], mm_sim_group_id(s), &si) && si.status == MM_GS_MIGRATING;
  if (migrating)
    o->result = "stuck";
  else if (o->home && strcmp(o->home, MM_SIM_SOURCE) != 0)
    o->result = "completed";
  else if (st.phase == MM_CP_FAILED && st.last_error != MM_OK)
    o->result = "refused";
  else
    o->result = "aborted";
}

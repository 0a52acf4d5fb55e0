/* The safety and liveness properties of profile section 9, checked over one
 * simulated run from the actors' observations and their final state. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

static void fail(mm_sim_outcome *o, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(mm_sim_outcome *o, int inv, const char *fmt, ...) {
  if (o->inv[inv] == MM_INV_FAIL) return; /* keep the first reason */
  o->inv[inv] = MM_INV_FAIL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->inv_detail[inv], sizeof o->inv_detail[inv], fmt, ap);
  va_end(ap);
}

static bool is_ds(const char *name) {
  return strcmp(name, MM_SIM_SOURCE) == 0 || strcmp(name, MM_SIM_TARGET) == 0;
}

/* INV-1: every DS that accepts a Commit for (group, epoch) accepts the same
 * Commit. The target's import counts as accepting the migration Commit of
 * the epoch before the imported one. */
static void check_no_fork(mm_sim *s, mm_sim_outcome *o) {
  for (size_t i = 0; i < s->n_events; i++) {
    const sim_event *a = &s->events[i];
    const uint8_t *ha = a->detail_hash;
    uint64_t ea = a->epoch;
    if (a->kind == MM_EV_GROUP_IMPORTED) {
      if (!s->have_migration_commit || ea == 0) continue;
      ha = s->migration_commit_hash;
      ea -= 1;
    } else if (a->kind != MM_EV_COMMIT_ACCEPTED || !is_ds(a->actor)) {
      continue;
    }
    for (size_t j = i + 1; j < s->n_events; j++) {
      const sim_event *b = &s->events[j];
      const uint8_t *hb = b->detail_hash;
      uint64_t eb = b->epoch;
      if (b->kind == MM_EV_GROUP_IMPORTED) {
        if (!s->have_migration_commit || eb == 0) continue;
        hb = s->migration_commit_hash;
        eb -= 1;
      } else if (b->kind != MM_EV_COMMIT_ACCEPTED || !is_ds(b->actor)) {
        continue;
      }
      if (ea == eb && a->group_len == b->group_len &&
          memcmp(a->group, b->group, a->group_len) == 0 && memcmp(ha, hb, s->hash_len) != 0)
        fail(o, 1, "two different Commits accepted for epoch %llu", (unsigned long long)ea);
    }
  }
}

/* INV-2: some DS holds the group; the imported state is the exported one. */
static void check_no_loss(mm_sim *s, mm_sim_outcome *o) {
  mm_view gid = mm_sim_group_id(s);
  mm_group_info si = {0}, ti = {0};
  bool at_source = s->nodes[0].a.src && mm_source_group(s->nodes[0].a.src, gid, &si) &&
                   (si.status == MM_GS_ACTIVE || si.status == MM_GS_MIGRATING);
  bool at_target = s->nodes[1].a.tgt && mm_target_group(s->nodes[1].a.tgt, gid, &ti) &&
                   ti.status == MM_GS_ACTIVE;
  if (!at_source && !at_target && !s->nodes[0].down && !s->nodes[1].down)
    fail(o, 2, "no DS holds the group at the end (t=%llu ms)", (unsigned long long)s->now);
  if (s->export_mismatch) fail(o, 2, "the source exported two different states");
  for (size_t i = 0; i < s->n_events; i++) {
    const sim_event *e = &s->events[i];
    if (e->kind != MM_EV_GROUP_IMPORTED) continue;
    if (!s->have_export || memcmp(e->detail_hash, s->exported_state_hash, s->hash_len) != 0)
      fail(o, 2, "%s imported a state the source did not export", e->actor);
  }
}

/* INV-3: an import is for a client the target's policy allows, from the DS
 * that the request names as source, through content that DS sent. */
static void check_authorized(mm_sim *s, mm_sim_outcome *o) {
  mm_view gid = mm_sim_group_id(s);
  mm_group_info ti;
  if (!s->nodes[1].a.tgt || !mm_target_group(s->nodes[1].a.tgt, gid, &ti) ||
      ti.status != MM_GS_ACTIVE || ti.client.len == 0)
    return;
  if (!mm_policy_allows(&s->cfg.target_policy, MM_SIM_TARGET, ti.client, gid, ti.peer))
    fail(o, 3, "target imported the group for a client its policy refuses");
  if (!mm_view_eq_str(ti.peer, MM_SIM_SOURCE))
    fail(o, 3, "target imported the group from another DS than the source");
  for (size_t i = 0; i < s->n_rec; i++) {
    const mm_sim_record *r = &s->rec[i];
    if (r->msg_type == MM_MSG_MIGRATION_CONTENT && r->verdict == MM_OK &&
        strcmp(r->to, MM_SIM_TARGET) == 0 && strcmp(r->from, MM_SIM_SOURCE) != 0)
      fail(o, 3, "target accepted MigrationContent from %s", r->from);
  }
}

/* INV-4: exactly one DS serves the group; members that moved point to it. */
static void check_single_home(mm_sim *s, mm_sim_outcome *o) {
  mm_view gid = mm_sim_group_id(s);
  mm_group_info si = {0}, ti = {0};
  bool have_source = s->nodes[0].a.src && mm_source_group(s->nodes[0].a.src, gid, &si);
  bool at_source = have_source && si.status == MM_GS_ACTIVE;
  bool at_target = s->nodes[1].a.tgt && mm_target_group(s->nodes[1].a.tgt, gid, &ti) &&
                   ti.status == MM_GS_ACTIVE;
  o->home = at_source && !at_target ? MM_SIM_SOURCE : at_target && !at_source ? MM_SIM_TARGET : NULL;
  o->epoch = at_target ? ti.epoch : si.epoch;
  /* A run that ends mid-migration, or with a DS down, has no final home to
   * judge; INV-5 speaks for it. */
  if (s->nodes[0].down || s->nodes[1].down || (have_source && si.status == MM_GS_MIGRATING)) {
    o->inv[4] = MM_INV_NOT_CHECKED;
    return;
  }
  if (at_source && at_target) fail(o, 4, "both DSes serve the group");
  if (!at_source && !at_target) fail(o, 4, "no DS serves the group");
  if (!o->home) return;
  for (unsigned m = 0; m < s->cfg.members; m++) {
    mm_client_status st = mm_client_get_status(s->nodes[2 + m].a.cli);
    if (!mm_view_eq_str(st.ds, MM_SIM_SOURCE) && !mm_view_eq_str(st.ds, o->home))
      fail(o, 4, "%s points to a DS that does not serve the group", s->nodes[2 + m].name);
  }
}

/* INV-5: with every message delivered, the migration ended: the source is
 * not left migrating and the initiator is done or failed. */
static void check_progress(mm_sim *s, mm_sim_outcome *o) {
  if (s->lost_messages || s->nodes[0].down || s->nodes[1].down) {
    o->inv[5] = MM_INV_NOT_CHECKED;
    return;
  }
  mm_group_info si = {0};
  if (s->nodes[0].a.src && mm_source_group(s->nodes[0].a.src, mm_sim_group_id(s), &si) &&
      si.status == MM_GS_MIGRATING)
    fail(o, 5, "the source is still migrating the group at t=%llu ms", (unsigned long long)s->now);
  if (o->initiator_phase == MM_CP_REQUESTED || o->initiator_phase == MM_CP_INIT_SENT)
    fail(o, 5, "the initiator is still waiting at t=%llu ms", (unsigned long long)s->now);
}

/* LIFE-1, LIFE-2: the source fans out the migration Commit and confirms
 * only after it accepted a TargetMigrationComplete. The invariants cannot
 * see an early fan-out when everything is delivered; the trace can. */
static void check_order(mm_sim *s, mm_sim_outcome *o) {
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
}

void mm_sim_check(mm_sim *s, mm_sim_outcome *o) {
  memset(o, 0, sizeof *o);
  o->end_time_ms = s->now;
  mm_client_status st = mm_client_get_status(s->nodes[2].a.cli);
  o->initiator_phase = st.phase;
  o->initiator_error = st.last_error;
  check_no_fork(s, o);
  check_no_loss(s, o);
  check_authorized(s, o);
  check_single_home(s, o);
  check_progress(s, o);
  check_order(s, o);
  mm_group_info si = {0};
  bool migrating = s->nodes[0].a.src &&
                   mm_source_group(s->nodes[0].a.src, mm_sim_group_id(s), &si) &&
                   si.status == MM_GS_MIGRATING;
  if (migrating) o->result = "stuck";
  else if (o->home && strcmp(o->home, MM_SIM_TARGET) == 0) o->result = "completed";
  else if (st.phase == MM_CP_FAILED && st.last_error != MM_OK) o->result = "refused";
  else o->result = "aborted";
}

/* Running a scenario: the simulator set up as it says, its faults applied
 * through the fault layer, then its expectations judged against the
 * outcome and the trace. */
#include <stdio.h>
#include <string.h>

#include "explore/scenario.h"

mm_sim_config mm_scenario_sim_config(const mm_scenario *sc, mm_mutants extra) {
  mm_sim_config cfg = mm_sim_config_default(sc->suite, sc->seed);
  cfg.state_bytes = sc->state_bytes;
  cfg.members = sc->members;
  cfg.mutants = sc->mutants | extra;
  cfg.max_time_ms = sc->max_time_ms;
  cfg.source_policy.kind = sc->source_policy;
  cfg.target_policy.kind = sc->target_policy;
  cfg.second_target = sc->second_target;
  cfg.third_ds = sc->third_ds;
  cfg.outsider = sc->outsider;
  cfg.target_hosts_group = sc->target_hosts_group;
  cfg.profile = sc->profile;
  cfg.finite_faults = mm_schedule_finite(&sc->faults);
  cfg.stop_after_bound = true;
  cfg.external = sc->external;
  return cfg;
}

static void schedule(const mm_scenario *sc, mm_sim *s) {
  for (size_t i = 0; i < sc->n_actions; i++) {
    const mm_sc_action *a = &sc->actions[i];
    switch (a->kind) {
    case MM_SC_MIGRATE: mm_sim_start_migration_to(s, a->member, a->domain, a->at); break;
    case MM_SC_OUTSIDER_MIGRATE: mm_sim_outsider_migrate(s, a->at); break;
    case MM_SC_COMMIT: mm_sim_member_commit(s, a->member, a->at); break;
    case MM_SC_DENY: mm_sim_deny(s, a->domain, a->identity, a->at); break;
    case MM_SC_CREATE_GROUP: mm_sim_target_create_group(s, a->at); break;
    case MM_SC_THIRD_PUSH: mm_sim_third_ds_push(s, a->at); break;
    case MM_SC_REPLAY_ALL: mm_sim_replay_all(s, a->at); break;
    case MM_SC_ROGUE_INIT: mm_sim_member_rogue_init(s, a->member, a->forge, a->at); break;
    case MM_SC_WRONG_ACK: mm_sim_target_wrong_ack(s, a->at); break;
    }
  }
}

/* ---- expectations ---- */

static bool saw(const mm_sim *s, const mm_sc_seen *e) {
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    if (r->verdict == e->verdict && (!e->msg_type || r->msg_type == e->msg_type) &&
        (!e->at[0] || strcmp(r->to, e->at) == 0))
      return true;
  }
  return false;
}

static bool inv_ok(mm_inv_expect want, mm_inv_result got) {
  switch (want) {
  case MM_INV_EXPECT_OK: return got != MM_INV_FAIL;
  case MM_INV_EXPECT_PASS: return got == MM_INV_PASS;
  case MM_INV_EXPECT_FAIL: return got == MM_INV_FAIL;
  case MM_INV_EXPECT_NOT_CHECKED: return got == MM_INV_NOT_CHECKED;
  }
  return false;
}

static const char *inv_word(mm_inv_result r) {
  return r == MM_INV_PASS ? "pass" : r == MM_INV_FAIL ? "fail" : "not_checked";
}

static const char *home_word(const char *home) {
  if (!home) return "none";
  if (strcmp(home, MM_SIM_SOURCE) == 0) return "source";
  if (strcmp(home, MM_SIM_TARGET2) == 0) return "target2";
  return "target";
}

static void judge(const mm_scenario *sc, const mm_sim *s, mm_sc_result *r) {
  const mm_sim_outcome *o = &r->outcome;
  r->met = true;
  r->violation = false;
  /* Violations first: an invariant or a rule broken beyond expectation. */
  for (int i = 1; i <= 5; i++) {
    if (inv_ok(sc->expect_inv[i], o->inv[i])) continue;
    bool broke = o->inv[i] == MM_INV_FAIL;
    /* INV-5 explained by a known gap the scenario expects is no news */
    if (broke && i == 5 && o->known_gap[0] && sc->expect_gap[0] &&
        strncmp(o->known_gap, sc->expect_gap, strlen(sc->expect_gap)) == 0)
      broke = false;
    r->violation = r->violation || broke;
    if (r->met)
      snprintf(r->why, sizeof r->why, "INV-%d is %s: %s", i, inv_word(o->inv[i]), o->inv_detail[i]);
    r->met = false;
  }
  bool rule_expected = sc->expect_rule[0] &&
                       strncmp(o->rule_violation, sc->expect_rule, strlen(sc->expect_rule)) == 0;
  if (o->rule_violation[0] && !rule_expected) {
    r->violation = true;
    if (r->met) snprintf(r->why, sizeof r->why, "rule broken: %s", o->rule_violation);
    r->met = false;
  } else if (sc->expect_rule[0] && !rule_expected && r->met) {
    snprintf(r->why, sizeof r->why, "expected a %s violation, saw none", sc->expect_rule);
    r->met = false;
  }
  bool gap_match = sc->expect_gap[0]
                       ? strncmp(o->known_gap, sc->expect_gap, strlen(sc->expect_gap)) == 0
                       : o->known_gap[0] == '\0';
  if (!gap_match && r->met) {
    snprintf(r->why, sizeof r->why, "known gap: expected '%s', saw '%s'", sc->expect_gap,
             o->known_gap);
    r->met = false;
  }
  if (sc->expect_result[0] && strcmp(sc->expect_result, o->result) != 0 && r->met) {
    snprintf(r->why, sizeof r->why, "result %s, expected %s", o->result, sc->expect_result);
    r->met = false;
  }
  if (sc->expect_home[0] && strcmp(sc->expect_home, home_word(o->home)) != 0 && r->met) {
    snprintf(r->why, sizeof r->why, "home %s, expected %s", home_word(o->home), sc->expect_home);
    r->met = false;
  }
  for (size_t i = 0; i < sc->n_seen && r->met; i++) {
    const mm_sc_seen *e = &sc->seen[i];
    if (saw(s, e) == e->present) continue;
    snprintf(r->why, sizeof r->why, "%s %s%s%s%s%s", e->present ? "never saw" : "saw",
             e->verdict == MM_OK ? "accepted" : mm_err_name(e->verdict), e->msg_type ? " on " : "",
             e->msg_type ? mm_msg_type_name(e->msg_type) : "", e->at[0] ? " at " : "", e->at);
    r->met = false;
  }
}

mm_err mm_scenario_run(const mm_scenario *sc, const mm_sc_run_opts *opts, mm_sc_result *res) {
  static const mm_sc_run_opts none = {0};
  if (!opts) opts = &none;
  memset(res, 0, sizeof *res);
  mm_fault_run local, *fr = opts->trace && opts->fault_run ? opts->fault_run : &local;
  mm_fault_run_init(fr, &sc->faults, opts->trace);
  mm_sim_config cfg = mm_scenario_sim_config(sc, opts->extra_mutants);
  cfg.keep_bodies = opts->keep_bodies;
  for (size_t i = 0; i < sc->n_actions; i++)
    if (sc->actions[i].kind == MM_SC_REPLAY_ALL) cfg.keep_bodies = true;
  cfg.hooks = &fr->hooks;
  cfg.key_donor = opts->key_donor;
  mm_sim *s;
  mm_err e = mm_sim_new(&cfg, &s);
  if (e != MM_OK) {
    if (fr == &local) mm_fault_run_free(fr);
    return e;
  }
  schedule(sc, s);
  for (size_t i = 0; i < sc->faults.n; i++) /* faults due at a time, not a step */
    if (sc->faults.f[i].at_set) mm_sim_note_disturbance(s, sc->faults.f[i].at);
  if ((e = mm_sim_run(s)) != MM_OK) { /* broke off: no outcome to judge */
    if (fr == &local) mm_fault_run_free(fr);
    mm_sim_free(s);
    return e;
  }
  mm_sim_check(s, &res->outcome);
  res->steps = mm_sim_step(s);
  judge(sc, s, res);
  if (fr == &local) mm_fault_run_free(fr);
  if (opts->sim_out)
    *opts->sim_out = s;
  else
    mm_sim_free(s);
  return MM_OK;
}

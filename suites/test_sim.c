/* The simulator: the happy path in every suite, determinism, transcripts
 * that carry everything needed to re-verify them, and invariants that fail
 * when a mutant breaks the rule behind them. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/ds.h"
#include "mlsmig/mls_state.h"
#include "mlsmig/sim.h"
#include "sim_fixture.h"
#include "simulator/transcript.h"
#include "testlib.h"

static mm_sim *run(mm_sim_config *cfg, mm_sim_outcome *o) {
  mm_sim *s;
  ck_assert_int_eq(mm_sim_new(cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  mm_sim_check(s, o);
  return s;
}

static void assert_all_pass(const mm_sim_outcome *o) {
  for (int i = 1; i <= 5; i++)
    ck_assert_msg(o->inv[i] == MM_INV_PASS, "INV-%d: %s", i, o->inv_detail[i]);
}

START_TEST(test_happy_path_every_suite) {
  uint16_t suite = (uint16_t)(_i + 1);
  mm_sim_config cfg = mm_sim_config_default(suite, 42);
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  ck_assert_str_eq(o.result, "completed");
  ck_assert_str_eq(o.home, MM_SIM_TARGET);
  ck_assert_uint_eq(o.epoch, mm_sim_initial_epoch(s) + 1);
  assert_all_pass(&o);
  /* Every member follows the group to the target. */
  for (unsigned m = 0; m < mm_sim_member_count(s); m++) {
    mm_client_status st = mm_client_get_status(mm_sim_client(s, m));
    ck_assert(mm_view_eq_str(st.ds, MM_SIM_TARGET));
  }
  mm_sim_free(s);
}
END_TEST

/* Profile v2 (issue 17): the same happy path with the group on its genuine public state; the
 * migration Commit is a CommitBundle, MigrationContent carries the MigrationGroupState of the
 * epoch it creates (MLS-1), which the target checks (MLS-2) and imports; the commit is fanned
 * out as mls_message(9) after completion (LIFE-1, MLS-4); INV-1..5 hold. */
START_TEST(test_happy_path_v2_every_suite) {
  uint16_t suite = (uint16_t)(_i + 1);
  mm_sim_config cfg = mm_sim_config_default(suite, 42);
  cfg.profile = MM_PROFILE_V2;
  cfg.members = 4;
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  ck_assert_msg(strcmp(o.result, "completed") == 0, "suite %u: %s", suite, o.result);
  ck_assert_str_eq(o.home, MM_SIM_TARGET);
  ck_assert_uint_eq(o.epoch, mm_sim_initial_epoch(s) + 1);
  assert_all_pass(&o);
  size_t fanned = 0, contents = 0;
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    ck_assert_msg(r->verdict == MM_OK, "step %zu: %s", i, mm_err_name(r->verdict));
    fanned += r->msg_type == MM_MSG_MLS_MESSAGE && strcmp(r->from, MM_SIM_SOURCE) == 0;
    contents += r->msg_type == MM_MSG_MIGRATION_CONTENT;
  }
  ck_assert_uint_eq(fanned, 4);
  ck_assert_uint_ge(contents, 1);
  mm_group_info gi;
  ck_assert(mm_target_group(mm_sim_target(s), mm_sim_group_id(s), &gi));
  ck_assert_uint_eq(gi.epoch, mm_sim_initial_epoch(s) + 1);
  /* what the target holds is a MigrationGroupState of that epoch, valid */
  mm_mls_expect exp = {
      .suite = suite, .group_id = mm_sim_group_id(s), .check_epoch = true, .epoch = gi.epoch};
  mm_mls_state *st;
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_group_state(gi.state.data, gi.state.len, &exp, &st, &why),
                   MM_OK);
  ck_assert_uint_eq(mm_mls_member_count(mm_mls_state_tree(st)), 4);
  mm_mls_state_free(st);
  for (unsigned m = 0; m < mm_sim_member_count(s); m++) {
    mm_client_status cs = mm_client_get_status(mm_sim_client(s, m));
    ck_assert(mm_view_eq_str(cs.ds, MM_SIM_TARGET));
  }
  mm_sim_free(s);
}
END_TEST

/* INV-6 (profile v2, as far as the reference members go): after the migration, member 0 commits
 * (a CommitBundle on the state its migration Commit created) and sends an application message;
 * the target takes both and fans them out to every member. Without them the check fails. */
START_TEST(test_group_continues_v2) {
  uint16_t suite = (uint16_t)(_i + 1);
  mm_sim_config cfg = mm_sim_config_default(suite, 7);
  cfg.profile = MM_PROFILE_V2;
  cfg.keep_bodies = true;
  char why[200];
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  ck_assert_str_eq(o.result, "completed");
  ck_assert(!mm_sim_check_continues(s, why, sizeof why)); /* nothing sent after: no verdict */
  ck_assert_msg(strstr(why, "INV-6: no CommitBundle") != NULL, "%s", why);
  mm_sim_free(s);
  ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  mm_sim_member_commit(s, 0, 5000);
  mm_sim_member_message(s, 0, 10000);
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  mm_sim_check(s, &o);
  assert_all_pass(&o);
  ck_assert_msg(mm_sim_check_continues(s, why, sizeof why), "suite %u: %s", suite, why);
  mm_group_info gi;
  ck_assert(mm_target_group(mm_sim_target(s), mm_sim_group_id(s), &gi));
  ck_assert_uint_eq(gi.epoch, mm_sim_initial_epoch(s) + 2);
  mm_sim_free(s);
  /* another member commits: it does not know the state after the migration, so it builds none
   * (the reference members process no Commit), and INV-6's check says so */
  ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  mm_sim_member_commit(s, 1, 5000);
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  ck_assert(!mm_sim_check_continues(s, why, sizeof why));
  mm_sim_free(s);
}
END_TEST

/* Profile v2, Commits around the migration: member 0 commits (a CommitBundle with an UpdatePath,
 * an Update of its own leaf) before migrating, and the migration then builds on the state that
 * Commit created (the target ends two epochs on); in another run member 1 commits while the
 * migration owns the epoch and is refused busy (LIFE-3). INV-1..5 hold in both. */
START_TEST(test_commits_around_migration_v2) {
  mm_sim_config cfg = mm_sim_config_default((uint16_t)(_i + 1), 11);
  cfg.profile = MM_PROFILE_V2;
  cfg.keep_bodies = true;
  for (int during = 0; during <= 1; during++) {
    mm_sim *s;
    ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
    if (during) {
      mm_sim_start_migration(s, 0);
      mm_sim_member_commit(s, 1, 12); /* arrives after the MigrationInit, before completion */
    } else {
      mm_sim_member_commit(s, 0, 0);
      mm_sim_start_migration(s, 1000);
    }
    ck_assert_int_eq(mm_sim_run(s), MM_OK);
    mm_sim_outcome o;
    mm_sim_check(s, &o);
    ck_assert_str_eq(o.result, "completed");
    assert_all_pass(&o);
    ck_assert_uint_eq(o.epoch, mm_sim_initial_epoch(s) + (during ? 1 : 2));
    size_t accepted = 0, busy = 0;
    for (size_t i = 0; i < mm_sim_record_count(s); i++) {
      const mm_sim_record *r = mm_sim_record_at(s, i);
      if (r->msg_type != MM_MSG_COMMIT_BUNDLE) continue;
      accepted += r->verdict == MM_OK;
      busy += r->verdict == MM_E_BUSY;
    }
    ck_assert_uint_eq(accepted, during ? 0 : 1);
    ck_assert_uint_eq(busy, during ? 1 : 0);
    mm_sim_free(s);
  }
}
END_TEST

/* The seven message types of the flow appear in order. */
START_TEST(test_happy_path_message_order) {
  mm_sim_config cfg = mm_sim_config_default(1, 3);
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  static const uint8_t want[] = {MM_MSG_MIGRATION_REQUEST, MM_MSG_MIGRATION_RESPONSE,
                                 MM_MSG_MIGRATION_CONTENT, MM_MSG_TARGET_MIGRATION_COMPLETE,
                                 MM_MSG_MIGRATION_CONFIRMATION};
  size_t k = 0;
  bool fanout_before_complete = false, seen_complete = false;
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    ck_assert_int_eq(r->verdict, MM_OK);
    if (k < sizeof want && r->msg_type == want[k]) k++;
    if (r->msg_type == MM_MSG_TARGET_MIGRATION_COMPLETE) seen_complete = true;
    if (r->msg_type == MM_MSG_MIGRATION_COMMIT && strcmp(r->from, MM_SIM_SOURCE) == 0 &&
        !seen_complete)
      fanout_before_complete = true;
  }
  ck_assert_uint_eq(k, sizeof want);
  ck_assert(!fanout_before_complete);
  mm_sim_free(s);
}
END_TEST

static json_t *transcript_of(uint16_t suite, uint64_t seed, uint64_t state_bytes) {
  mm_sim_config cfg = mm_sim_config_default(suite, seed);
  cfg.state_bytes = state_bytes;
  return mm_test_transcript(&cfg);
}

START_TEST(test_same_seed_same_bytes) {
  uint16_t suite = (uint16_t)(_i + 1);
  json_t *a = transcript_of(suite, 9, 4096), *b = transcript_of(suite, 9, 4096);
  json_t *c = transcript_of(suite, 10, 4096);
  char *sa = json_dumps(a, JSON_COMPACT), *sb = json_dumps(b, JSON_COMPACT),
       *sc = json_dumps(c, JSON_COMPACT);
  ck_assert_str_eq(sa, sb);
  ck_assert_str_ne(sa, sc);
  free(sa);
  free(sb);
  free(sc);
  json_decref(a);
  json_decref(b);
  json_decref(c);
}
END_TEST

/* ---- fault hooks used to make invariants fail ---- */

typedef struct {
  const char *drop_from; /* drop envelopes from this sender */
  uint8_t drop_type;     /* ... of this msg_type (0: all) */
  bool *flag;            /* set at flip_at ms */
  uint64_t flip_at;
} hook_ctx;

static unsigned drop_hook(void *ctx, mm_sim *s, mm_sim_send *snd) {
  (void)s;
  hook_ctx *h = ctx;
  bool drop = h->drop_from && strcmp(snd->from, h->drop_from) == 0 &&
              (h->drop_type == 0 || h->drop_type == snd->msg_type);
  return drop ? 0 : 1;
}

static void flip_hook(void *ctx, mm_sim *s, uint64_t now) {
  (void)s;
  hook_ctx *h = ctx;
  if (h->flag && now >= h->flip_at) *h->flag = true;
}

/* INV-1: a Commit accepted during the migration forks the group. */
static mm_sim_outcome race_commit(mm_mutants mutants) {
  mm_sim_config cfg = mm_sim_config_default(1, 5);
  cfg.mutants = mutants;
  mm_sim *s;
  ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  mm_sim_member_commit(s, 1, 16); /* reaches the source while it migrates */
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  mm_sim_free(s);
  return o;
}

START_TEST(test_inv1_holds_and_fails_with_mutant) {
  mm_sim_outcome o = race_commit(0);
  assert_all_pass(&o);
  ck_assert_str_eq(o.result, "completed");
  o = race_commit(1u << MM_MUT_COMMITS_DURING_MIGRATION);
  ck_assert_int_eq(o.inv[1], MM_INV_FAIL);
}
END_TEST

/* INV-4: a source that gives up after MigrationContent serves on while the
 * target has imported: two homes. */
START_TEST(test_inv4_fails_when_source_gives_up) {
  hook_ctx h = {MM_SIM_TARGET, MM_MSG_TARGET_MIGRATION_COMPLETE, NULL, 0};
  mm_sim_hooks hooks = {drop_hook, NULL, &h};
  mm_sim_config cfg = mm_sim_config_default(1, 6);
  cfg.hooks = &hooks;
  cfg.max_time_ms = 120000;
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  /* Reference: stuck in migration (GAP-1), but never two homes. */
  ck_assert_str_eq(o.result, "stuck");
  ck_assert_int_ne(o.inv[4], MM_INV_FAIL);
  ck_assert_int_ne(o.inv[1], MM_INV_FAIL);
  mm_sim_free(s);

  cfg.mutants = 1u << MM_MUT_ABORT_AFTER_CONTENT;
  s = run(&cfg, &o);
  ck_assert_int_eq(o.inv[4], MM_INV_FAIL);
  mm_sim_free(s);
}
END_TEST

/* INV-3: a target that does not re-check its policy at import imports for a
 * client the policy now refuses. */
static bool refuse_after_flag(void *ctx, mm_view client, mm_view group, mm_view peer) {
  (void)client, (void)group, (void)peer;
  return !*(bool *)ctx;
}

START_TEST(test_inv3_fails_without_reauth) {
  for (int mutant = 0; mutant < 2; mutant++) {
    bool refused = false;
    hook_ctx h = {NULL, 0, &refused, 12}; /* after the response, before the content */
    mm_sim_hooks hooks = {NULL, flip_hook, &h};
    mm_sim_config cfg = mm_sim_config_default(2, 8);
    cfg.hooks = &hooks;
    cfg.max_time_ms = 60000;
    cfg.target_policy = (mm_policy){MM_POLICY_CUSTOM, NULL, refuse_after_flag, &refused};
    cfg.mutants = mutant ? 1u << MM_MUT_SKIP_TARGET_REAUTH : 0;
    mm_sim_outcome o;
    mm_sim *s = run(&cfg, &o);
    if (mutant)
      ck_assert_int_eq(o.inv[3], MM_INV_FAIL);
    else
      ck_assert_int_ne(o.inv[3], MM_INV_FAIL);
    mm_sim_free(s);
  }
}
END_TEST

/* INV-2: losing durable state on a crash loses the migration. */
typedef struct {
  uint64_t crash_at, restart_at;
  mm_role role;
} crash_ctx;

static void crash_hook(void *ctx, mm_sim *s, uint64_t now) {
  crash_ctx *c = ctx;
  if (now >= c->crash_at && now < c->restart_at) mm_sim_crash(s, c->role);
  if (now >= c->restart_at) ck_assert_int_eq(mm_sim_restart(s, c->role), MM_OK);
}

START_TEST(test_crash_restart_source_completes) {
  /* Crash the source right after it sent MigrationContent; restart later. */
  crash_ctx c = {16, 3000, MM_ROLE_SOURCE};
  mm_sim_hooks hooks = {NULL, crash_hook, &c};
  mm_sim_config cfg = mm_sim_config_default(3, 11);
  cfg.hooks = &hooks;
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  ck_assert_str_eq(o.result, "completed");
  for (int i = 1; i <= 4; i++)
    ck_assert_msg(o.inv[i] != MM_INV_FAIL, "INV-%d: %s", i, o.inv_detail[i]);
  mm_sim_free(s);
}
END_TEST

/* LIFE-1, LIFE-2: fanning out or confirming before completion is caught
 * from the trace even when every message is delivered. */
START_TEST(test_order_rules_caught) {
  mm_sim_config cfg = mm_sim_config_default(2, 3);
  mm_sim_outcome o;
  mm_sim *s = run(&cfg, &o);
  ck_assert_str_eq(o.rule_violation, "");
  mm_sim_free(s);
  cfg.mutants = 1u << MM_MUT_EARLY_FANOUT;
  s = run(&cfg, &o);
  ck_assert_msg(strncmp(o.rule_violation, "LIFE-1", 6) == 0, "%s", o.rule_violation);
  mm_sim_free(s);
  cfg.mutants = 1u << MM_MUT_EARLY_CONFIRM;
  s = run(&cfg, &o);
  ck_assert_msg(strncmp(o.rule_violation, "LIFE-2", 6) == 0, "%s", o.rule_violation);
  mm_sim_free(s);
}
END_TEST

START_TEST(test_transcript_has_keys_and_envelopes) {
  json_t *t = transcript_of(7, 1, 300);
  ck_assert_int_eq(json_integer_value(json_object_get(t, "cipher_suite")), 7);
  json_t *keys = json_object_get(t, "keys");
  ck_assert_ptr_nonnull(json_object_get(keys, MM_SIM_SOURCE));
  ck_assert_ptr_nonnull(json_object_get(keys, MM_SIM_TARGET));
  ck_assert_ptr_nonnull(json_object_get(keys, "alice@" MM_SIM_SOURCE));
  json_t *msgs = json_object_get(t, "messages");
  ck_assert_uint_ge(json_array_size(msgs), 7);
  size_t i;
  json_t *m;
  json_array_foreach(msgs, i, m) ck_assert(json_is_string(json_object_get(m, "envelope")));
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(t, "outcome"), "result")),
                   "completed");
  json_decref(t);
}
END_TEST

Suite *suite_sim(void) {
  Suite *s = suite_create("sim");
  TCase *tc = tcase_create("sim");
  tcase_set_timeout(tc, 60);
  MM_ADD_LOOP_TEST(tc, test_commits_around_migration_v2, "MLS-4 LIFE-3 INV-1 INV-2 INV-4 INV-5", 0,
                   MM_SUITE_COUNT);
  MM_ADD_LOOP_TEST(tc, test_group_continues_v2, "INV-6 LIFE-6 MLS-4 MLS-5", 0, MM_SUITE_COUNT);
  MM_ADD_LOOP_TEST(tc, test_happy_path_v2_every_suite,
                   "MLS-1 MLS-2 MLS-4 LIFE-1 LIFE-6 INV-1 INV-2 INV-3 INV-4 INV-5", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_happy_path_every_suite, "SUITE-1 INV-1 INV-2 INV-3 INV-4 INV-5 LIFE-6",
                   0, MM_SUITE_COUNT);
  MM_ADD_TEST(tc, test_happy_path_message_order, "LIFE-1 LIFE-2");
  MM_ADD_LOOP_TEST(tc, test_same_seed_same_bytes, "-", 0, MM_SUITE_COUNT);
  MM_ADD_TEST(tc, test_inv1_holds_and_fails_with_mutant, "INV-1 LIFE-3");
  MM_ADD_TEST(tc, test_inv4_fails_when_source_gives_up, "INV-4 LIFE-5");
  MM_ADD_TEST(tc, test_inv3_fails_without_reauth, "INV-3 AUTHZ-4");
  MM_ADD_TEST(tc, test_crash_restart_source_completes, "DUR-1 INV-2");
  MM_ADD_TEST(tc, test_order_rules_caught, "LIFE-1 LIFE-2");
  MM_ADD_TEST(tc, test_transcript_has_keys_and_envelopes, "-");
  suite_add_tcase(s, tc);
  return s;
}

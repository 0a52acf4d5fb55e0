/* The fault model (faults.h): the text form of every fault, strict
 * parsing, each fault kind's effect on a run, crash and restart, the
 * extra actors, and that none of it moves a byte of the default run. */
#include <stdlib.h>
#include <string.h>

#include "explore/scenario.h"
#include "mlsmig/faults.h"
#include "sim_fixture.h"
#include "simulator/transcript.h"
#include "testlib.h"

/* ---- text form ---- */

static const char *const good_faults[] = {
    "drop seq=3",
    "drop type=migration_content nth=2",
    "drop type=target_migration_complete every",
    "drop type=target_migration_complete every until=60000",
    "duplicate type=migration_init from=alice@source.example to=source.example",
    "delay type=migration_request by=2500",
    "corrupt seq=4",
    "corrupt type=migration_init bit=end",
    "corrupt type=migration_content bit=77",
    "corrupt type=migration_content suite=3",
    "truncate type=migration_response keep=10",
    "truncate seq=1",
    "replay type=migration_content after=400000",
    "misroute type=migration_request",
    "misroute seq=2 dest=target.example",
    "crash source step=5 restart=2000",
    "crash target at=100 restart=never",
    "crash client step=1 restart=0",
    "clock-jump step=3 by=301000",
    "clock-jump at=20 by=1",
};

START_TEST(test_fault_text_round_trip) {
  for (size_t i = 0; i < sizeof good_faults / sizeof good_faults[0]; i++) {
    mm_fault f, g;
    char err[200], text[320], again[320];
    ck_assert_msg(mm_fault_parse(good_faults[i], &f, err, sizeof err), "%s: %s", good_faults[i],
                  err);
    mm_fault_format(&f, text, sizeof text);
    ck_assert_msg(mm_fault_parse(text, &g, err, sizeof err), "%s: %s", text, err);
    mm_fault_format(&g, again, sizeof again);
    ck_assert_str_eq(text, again);
    ck_assert_int_eq(f.kind, g.kind);
  }
}
END_TEST

static const struct {
  const char *text, *why; /* a word the error must contain */
} bad_faults[] = {
    {"", "empty"},
    {"explode seq=1", "unknown fault"},
    {"drop", "needs seq"},
    {"drop seq=", "seq wants"},
    {"drop seq=-1", "seq wants"},
    {"drop seq=12x", "seq wants"},
    {"drop seq=99999999999999999999", "seq wants"},
    {"drop type=nonsense", "unknown message type"},
    {"drop type=migration_init nth=0", "nth"},
    {"drop seq=1 type=migration_init", "one envelope"},
    {"drop type=migration_init until=5", "until goes with every"},
    {"delay type=migration_init by=x", "by wants"},
    {"drop type=migration_init by=5", "not an argument"},
    {"corrupt seq=1 suite=70000", "suite wants"},
    {"crash step=1", "source, target or client"},
    {"crash source", "step=N or at=MS"},
    {"crash server step=1", "not an argument"},
    {"crash source step=0", "step wants"},
    {"crash source step=2 restart=soon", "restart wants"},
    {"clock-jump step=2 by=0", "by wants"},
    {"clock-jump by=5", "step=N or at=MS"},
};

START_TEST(test_fault_bad_text_refused) {
  for (size_t i = 0; i < sizeof bad_faults / sizeof bad_faults[0]; i++) {
    mm_fault f;
    char err[200] = "";
    ck_assert_msg(!mm_fault_parse(bad_faults[i].text, &f, err, sizeof err), "accepted '%s'",
                  bad_faults[i].text);
    ck_assert_msg(strstr(err, bad_faults[i].why) != NULL, "'%s': error '%s' lacks '%s'",
                  bad_faults[i].text, err, bad_faults[i].why);
  }
}
END_TEST

START_TEST(test_schedule_finite) {
  mm_schedule s = {.n = 1};
  char err[100];
  ck_assert(mm_fault_parse("drop type=migration_init every", &s.f[0], err, sizeof err));
  ck_assert(!mm_schedule_finite(&s));
  ck_assert(mm_fault_parse("drop type=migration_init every until=100", &s.f[0], err, sizeof err));
  ck_assert(mm_schedule_finite(&s));
  ck_assert(mm_fault_parse("duplicate type=migration_init every", &s.f[0], err, sizeof err));
  ck_assert(mm_schedule_finite(&s));
}
END_TEST

/* ---- effects ---- */

/* The happy path of suite 1, seed 1, with one fault; returns the result. */
static mm_sc_result run_one_fault(const char *fault, mm_sim **sim) {
  mm_scenario sc;
  mm_scenario_happy(&sc, 1, 1);
  sc.expect_result[0] = sc.expect_home[0] = '\0';
  char err[200];
  ck_assert_msg(mm_fault_parse(fault, &sc.faults.f[0], err, sizeof err), "%s", err);
  sc.faults.n = 1;
  mm_sc_result r;
  mm_sc_run_opts ro = {.sim_out = sim};
  ck_assert_int_eq(mm_scenario_run(&sc, &ro, &r), MM_OK);
  return r;
}

static size_t count(const mm_sim *s, uint8_t type, const char *to, mm_err verdict) {
  size_t n = 0;
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    n += r->msg_type == type && (!to || strcmp(r->to, to) == 0) && r->verdict == verdict;
  }
  return n;
}

static void assert_clean(const mm_sc_result *r) {
  for (int i = 1; i <= 5; i++)
    ck_assert_msg(r->outcome.inv[i] != MM_INV_FAIL, "INV-%d: %s", i, r->outcome.inv_detail[i]);
  ck_assert_str_eq(r->outcome.rule_violation, "");
}

START_TEST(test_each_network_fault_has_its_effect) {
  mm_sim *s;
  /* drop: the first content never arrives, a retransmission does */
  mm_sc_result r = run_one_fault("drop type=migration_content", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_CONTENT, NULL, MM_OK), 1);
  ck_assert_uint_ge(mm_sim_record_at(s, 4)->at, 1000);
  assert_clean(&r);
  ck_assert_int_eq(r.outcome.inv[5], MM_INV_PASS); /* a finite fault keeps INV-5 */
  mm_sim_free(s);
  /* duplicate: two contents, the second acknowledged again (LIFE-5) */
  r = run_one_fault("duplicate type=migration_content", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_CONTENT, NULL, MM_OK), 2);
  ck_assert_uint_eq(count(s, MM_MSG_TARGET_MIGRATION_COMPLETE, NULL, MM_OK), 2);
  mm_sim_free(s);
  /* delay: the request arrives 2.5 s late, after its retransmission */
  r = run_one_fault("delay type=migration_request by=2500", &s);
  ck_assert_uint_eq(mm_sim_record_at(s, 0)->at, 1005);
  mm_sim_free(s);
  /* corrupt (suite restated): the target refuses the content */
  r = run_one_fault("corrupt type=migration_content suite=3", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_CONTENT, MM_SIM_TARGET, MM_E_BAD_SIGNATURE), 1);
  ck_assert_str_eq(r.outcome.result, "completed");
  mm_sim_free(s);
  /* truncate: the body no longer decodes */
  r = run_one_fault("truncate type=migration_content", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_CONTENT, MM_SIM_TARGET, MM_E_MALFORMED), 1);
  mm_sim_free(s);
  /* replay: the request comes again 400 s later, the group is there */
  r = run_one_fault("replay type=migration_request", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_REQUEST, MM_SIM_TARGET, MM_E_GROUP_EXISTS), 1);
  mm_sim_free(s);
  /* misroute: the request goes to the source, which refuses it */
  r = run_one_fault("misroute type=migration_request", &s);
  ck_assert_uint_eq(count(s, MM_MSG_MIGRATION_REQUEST, MM_SIM_SOURCE, MM_E_MALFORMED), 1);
  assert_clean(&r);
  mm_sim_free(s);
}
END_TEST

START_TEST(test_crash_and_clock_faults) {
  mm_sim *s;
  /* the target is down when the content comes; back 2 s later */
  mm_sc_result r = run_one_fault("crash target step=5 restart=2000", &s);
  ck_assert_uint_ge(count(s, MM_MSG_MIGRATION_CONTENT, MM_SIM_TARGET, MM_E_NOT_FOUND), 1);
  ck_assert_str_eq(r.outcome.result, "completed");
  ck_assert_int_eq(r.outcome.inv[5], MM_INV_PASS);
  mm_sim_free(s);
  /* never restarted: no claim on progress */
  r = run_one_fault("crash target step=5 restart=never", &s);
  ck_assert_int_eq(r.outcome.inv[5], MM_INV_NOT_CHECKED);
  ck_assert(mm_sim_is_down(s, MM_ROLE_TARGET));
  mm_sim_free(s);
  /* the client forgets everything: the migration never starts at the source */
  r = run_one_fault("crash client step=2 restart=100", &s);
  ck_assert_str_eq(r.outcome.result, "aborted");
  assert_clean(&r);
  mm_sim_free(s);
  /* a jump past the nonce lifetime between response and content: GAP-1 */
  r = run_one_fault("clock-jump step=3 by=301000", &s);
  ck_assert_str_eq(r.outcome.result, "stuck");
  ck_assert_int_eq(r.outcome.inv[5], MM_INV_FAIL);
  ck_assert(strncmp(r.outcome.known_gap, "GAP-1", 5) == 0);
  mm_sim_free(s);
}
END_TEST

/* INV-5's bound: a migration that ends long after the last fault fails it. */
START_TEST(test_progress_bound) {
  mm_sim_config cfg = mm_sim_config_default(1, 2);
  mm_sim *s;
  ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  ck_assert_int_eq(o.inv[5], MM_INV_PASS);
  mm_sim_free(s);
  ck_assert_uint_eq(MM_SIM_PROGRESS_BOUND_MS, 162000u);
}
END_TEST

/* Extra actors, hooks and the finite flag leave the default run's bytes
 * alone: published vectors pin them. */
START_TEST(test_default_run_unchanged_by_fault_layer) {
  uint16_t suite = (uint16_t)(_i + 1);
  char *text[2];
  for (int k = 0; k < 2; k++) {
    mm_schedule none = {.n = 0};
    mm_fault_run fr;
    mm_fault_run_init(&fr, &none, true);
    mm_sim_config cfg = mm_sim_config_default(suite, 21);
    if (k) cfg.hooks = &fr.hooks, cfg.finite_faults = true, cfg.stop_after_bound = true;
    json_t *t = mm_test_transcript(&cfg);
    text[k] = json_dumps(t, JSON_COMPACT);
    json_decref(t);
    mm_fault_run_free(&fr);
  }
  ck_assert_str_eq(text[0], text[1]);
  free(text[0]);
  free(text[1]);
}
END_TEST

/* Borrowed keys give the same run as generated ones. */
START_TEST(test_key_donor_same_run) {
  mm_sim_config cfg = mm_sim_config_default(2, 5);
  cfg.keep_bodies = true;
  mm_sim *donor, *a, *b;
  ck_assert_int_eq(mm_sim_new(&cfg, &donor), MM_OK);
  ck_assert_int_eq(mm_sim_new(&cfg, &a), MM_OK);
  cfg.key_donor = donor;
  ck_assert_int_eq(mm_sim_new(&cfg, &b), MM_OK);
  mm_sim *both[2] = {a, b};
  char *text[2];
  for (int k = 0; k < 2; k++) {
    mm_sim_start_migration(both[k], 0);
    ck_assert_int_eq(mm_sim_run(both[k]), MM_OK);
    mm_sim_outcome o;
    mm_sim_check(both[k], &o);
    json_t *t = mm_sim_transcript(both[k], &o);
    text[k] = json_dumps(t, JSON_COMPACT);
    json_decref(t);
  }
  ck_assert_str_eq(text[0], text[1]);
  free(text[0]);
  free(text[1]);
  mm_sim_free(b);
  mm_sim_free(a);
  /* a donor of another seed is refused */
  cfg.seed = 6;
  ck_assert_int_eq(mm_sim_new(&cfg, &a), MM_E_USAGE);
  mm_sim_free(donor);
}
END_TEST

/* The oracle judges what DSes accept: a source that takes a MigrationInit
 * its member did not sign breaks SIG-2 although the run completes. */
START_TEST(test_oracle_sees_accepted_forgery) {
  mm_scenario sc;
  mm_scenario_happy(&sc, 1, 1);
  char err[100];
  ck_assert(
      mm_fault_parse("corrupt type=migration_init bit=end", &sc.faults.f[0], err, sizeof err));
  sc.faults.n = 1;
  sc.expect_result[0] = sc.expect_home[0] = '\0';
  mm_sc_result r;
  mm_sc_run_opts ro = {.extra_mutants = 1u << MM_MUT_SKIP_INIT_SIG};
  ck_assert_int_eq(mm_scenario_run(&sc, &ro, &r), MM_OK);
  ck_assert_msg(strncmp(r.outcome.rule_violation, "SIG-2", 5) == 0, "%s", r.outcome.rule_violation);
  ck_assert(!r.met && r.violation);
  ro.extra_mutants = 0;
  ck_assert_int_eq(mm_scenario_run(&sc, &ro, &r), MM_OK);
  ck_assert_str_eq(r.outcome.rule_violation, "");
}
END_TEST

Suite *suite_faults(void) {
  Suite *s = suite_create("faults");
  TCase *tc = tcase_create("faults");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_fault_text_round_trip, "-");
  MM_ADD_TEST(tc, test_fault_bad_text_refused, "-");
  MM_ADD_TEST(tc, test_schedule_finite, "INV-5");
  MM_ADD_TEST(tc, test_each_network_fault_has_its_effect, "LIFE-5 SUITE-2 ENC-2 GROUP-1 INV-5");
  MM_ADD_TEST(tc, test_crash_and_clock_faults, "DUR-1 NONCE-2 INV-5");
  MM_ADD_TEST(tc, test_progress_bound, "INV-5");
  MM_ADD_LOOP_TEST(tc, test_default_run_unchanged_by_fault_layer, "-", 0, MM_SUITE_COUNT);
  MM_ADD_TEST(tc, test_key_donor_same_run, "-");
  MM_ADD_TEST(tc, test_oracle_sees_accepted_forgery, "SIG-2");
  suite_add_tcase(s, tc);
  return s;
}

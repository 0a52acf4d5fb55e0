/* The runner's verdicts on DS bugs written apart from the mutants (issue
 * 14, items 1, 5 and 7): every test runs in every declared suite, framing
 * and policy; a MUST broken is a failure, never a warning; the message
 * points at the bug. Each DS is the reference DS behind a relay of
 * suites/shims/bad_shim.py that bends one thing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_exec.h"
#include "report/report.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* The reference DS next to the CLI `make check` names. */
static const char *ref_ds(void) {
  static char path[1024];
  const char *cli = getenv("MLSMIG_CLI");
  if (!cli || !*cli) cli = "build/mlsmig";
  snprintf(path, sizeof path, "%s", cli);
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
           "mlsmig-ref-ds");
  return path;
}

/* Runs `tests` (NULL-ended, suite 1) against cmd. */
static void run(const char *cmd, const char *const *tests, mm_run_result *r) {
  mm_run_opts o = {.iut_cmd = cmd,
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .tests = tests,
                   .timeout_ms = 30000,
                   .jobs = 2};
  o.suites[1] = true;
  char why[512] = "";
  ck_assert_msg(mm_run(&o, r, why, sizeof why) == MM_OK, "%s", why);
}

static const mm_test_result *find(const mm_run_result *r, const char *prefix) {
  for (size_t i = 0; i < r->n; i++)
    if (strncmp(r->tests[i].name, prefix, strlen(prefix)) == 0) return &r->tests[i];
  ck_abort_msg("no test %s in the run", prefix);
  return NULL;
}

static void relay(char *cmd, size_t cap, const char *mode) {
  snprintf(cmd, cap, "suites/shims/bad_shim.py %s '%s'", mode, ref_ds());
}

/* After an early fan-out (LIFE-1) the runner still answers and compares
 * against the MigrationContent, not the fanned-out Commit: the early
 * fan-out is the one failure, with no false follow-ups (a hash mismatch,
 * "differs from the first" for byte-identical retransmissions, a missing
 * confirmation). */
START_TEST(test_verdict_early_fanout_judged_right) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "'%s' --mutant early-fanout", ref_ds());
  const char *tests[] = {"source.happy", "source.content_retransmitted", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const char *names[] = {"source.happy", "source.content_retransmitted"};
  for (int i = 0; i < 2; i++) {
    const mm_test_result *t = find(&r, names[i]);
    ck_assert_msg(t->verdict == MM_V_FAIL, "%s: %s", t->name, mm_verdict_name(t->verdict));
    ck_assert_msg(strstr(t->message,
                         "fanned out to alice@source.example before "
                         "TargetMigrationComplete (LIFE-1)"),
                  "%s: %s", t->name, t->message);
    const char *false_followups[] = {"differs", "hash", "not fanned out", "MigrationConfirmation",
                                     "still serves"};
    for (int k = 0; k < 5; k++)
      ck_assert_msg(!strstr(t->message, false_followups[k]), "%s: %s", t->name, t->message);
  }
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "LIFE-1", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

/* LIFE-4: a source whose clock never moves holds the Init forever, the
 * group frozen: a failure naming the bound, not a warning. */
START_TEST(test_verdict_hold_forever_fails) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "frozen-clock");
  const char *tests[] = {"source.init_without_commit", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const mm_test_result *t = find(&r, "source.init_without_commit");
  ck_assert_msg(t->verdict == MM_V_FAIL, "%s: %s", mm_verdict_name(t->verdict), t->message);
  ck_assert_msg(strstr(t->message, "LIFE-4's bound of 60 s"), "%s", t->message);
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "LIFE-4", &n), MM_V_FAIL);
  ck_assert(!mm_run_passed(&r));
  mm_run_result_free(&r);
}
END_TEST

/* NONCE-2's boundary from both sides: a DS whose clock runs 1 ms behind
 * (a lifetime of 300 001 ms) fails the just-outside test and only it; one
 * 1 ms ahead (299 999 ms) fails the just-inside test and only it. */
START_TEST(test_verdict_nonce_lifetime_off_by_one_fails) {
  const char *modes[] = {"clock-behind-1ms", "clock-ahead-1ms"};
  const char *failing[] = {"target.content_nonce_expired_by_1ms",
                           "target.content_at_nonce_lifetime"};
  const char *passing[] = {"target.content_at_nonce_lifetime",
                           "target.content_nonce_expired_by_1ms"};
  const char *why[] = {"1 ms past the nonce lifetime (NONCE-2) was accepted",
                       "the last ms of the nonce lifetime (NONCE-2): no TargetMigrationComplete"};
  for (int i = 0; i < 2; i++) {
    char cmd[1200];
    relay(cmd, sizeof cmd, modes[i]);
    const char *tests[] = {failing[i], passing[i], NULL};
    mm_run_result r;
    run(cmd, tests, &r);
    const mm_test_result *t = find(&r, failing[i]);
    ck_assert_msg(t->verdict == MM_V_FAIL, "%s %s: %s: %s", modes[i], t->name,
                  mm_verdict_name(t->verdict), t->message);
    ck_assert_msg(strstr(t->message, why[i]), "%s %s: %s", modes[i], t->name, t->message);
    t = find(&r, passing[i]);
    ck_assert_msg(t->verdict == MM_V_PASS, "%s %s: %s: %s", modes[i], t->name,
                  mm_verdict_name(t->verdict), t->message);
    size_t n;
    ck_assert_int_eq(mm_run_rule_verdict(&r, "NONCE-2", &n), MM_V_FAIL);
    ck_assert(!mm_run_passed(&r));
    mm_run_result_free(&r);
  }
}
END_TEST

/* ENC-4's field lengths from both sides: a DS whose limits are one byte
 * short (255-byte group IDs, 253-byte domains refused) fails the
 * just-inside tests; one whose limits are one byte long fails the
 * just-outside tests; each passes the tests on the other side. */
START_TEST(test_verdict_field_lengths_off_by_one_fail) {
  const char *modes[] = {"fields-one-short", "fields-one-long"};
  const char *inside[] = {"target.request_max_group_id", "target.request_max_domain"};
  const char *outside[] = {"target.request_group_id_too_long", "target.request_domain_too_long"};
  const char *why[] = {"no MigrationResponse to alice@source.example for a valid request",
                       "(ENC-4) was accepted: the IUT sent a migration_response"};
  for (int i = 0; i < 2; i++) {
    char cmd[1200];
    relay(cmd, sizeof cmd, modes[i]);
    const char *tests[] = {inside[0], inside[1], outside[0], outside[1], NULL};
    mm_run_result r;
    run(cmd, tests, &r);
    for (int k = 0; k < 2; k++) {
      const mm_test_result *bad = find(&r, i == 0 ? inside[k] : outside[k]);
      const mm_test_result *good = find(&r, i == 0 ? outside[k] : inside[k]);
      ck_assert_msg(bad->verdict == MM_V_FAIL && strstr(bad->message, why[i]), "%s %s: %s: %s",
                    modes[i], bad->name, mm_verdict_name(bad->verdict), bad->message);
      ck_assert_msg(good->verdict == MM_V_PASS, "%s %s: %s: %s", modes[i], good->name,
                    mm_verdict_name(good->verdict), good->message);
    }
    size_t n;
    ck_assert_int_eq(mm_run_rule_verdict(&r, "ENC-4", &n), MM_V_FAIL);
    mm_run_result_free(&r);
  }
}
END_TEST

/* EPOCH-3 from both sides: a DS that serves a request at epoch 2^64-1
 * fails target.request_epoch_last and passes the one at 2^64-2. */
START_TEST(test_verdict_last_epoch_served_fails) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "epoch-last-served");
  const char *tests[] = {"target.request_epoch_last", "target.request_epoch_last_but_one", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const mm_test_result *t = find(&r, "target.request_epoch_last/");
  ck_assert_msg(t->verdict == MM_V_FAIL &&
                    strstr(t->message, "request at epoch 2^64-1 (EPOCH-3) was accepted"),
                "%s: %s: %s", t->name, mm_verdict_name(t->verdict), t->message);
  t = find(&r, "target.request_epoch_last_but_one");
  ck_assert_msg(t->verdict == MM_V_PASS, "%s: %s: %s", t->name, mm_verdict_name(t->verdict),
                t->message);
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "EPOCH-3", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

/* DUR-1: after SIGKILL + restart, a refusal with another code than the
 * one the acknowledged state implies (unknown_nonce for a consumed nonce)
 * says the state was lost: a failure, not a warning. */
START_TEST(test_verdict_durable_other_code_fails) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "durable-other-code");
  const char *tests[] = {"target.durable_import", "source.durable_nonce", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const char *names[] = {"target.durable_import", "source.durable_nonce"};
  for (int i = 0; i < 2; i++) {
    const mm_test_result *t = find(&r, names[i]);
    ck_assert_msg(t->verdict == MM_V_FAIL, "%s: %s: %s", t->name, mm_verdict_name(t->verdict),
                  t->message);
    ck_assert_msg(strstr(t->message, "refused with unknown_nonce, expected nonce_reused") &&
                      strstr(t->message, "(DUR-1)"),
                  "%s: %s", t->name, t->message);
  }
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "DUR-1", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

/* A target that imports forged content and says nothing: "accepted",
 * with the state that shows it, never "refused silently" (SIG-3). */
START_TEST(test_verdict_silent_acceptance_is_accepted) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "mute-complete");
  const char *tests[] = {"target.content_wrong_key", "target.content_wrong_label", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const char *names[] = {"target.content_wrong_key", "target.content_wrong_label"};
  for (int i = 0; i < 2; i++) {
    const mm_test_result *t = find(&r, names[i]);
    ck_assert_msg(t->verdict == MM_V_FAIL, "%s: %s", t->name, mm_verdict_name(t->verdict));
    ck_assert_msg(strstr(t->message,
                         "was accepted: no MigrationError, and the group is now "
                         "active at epoch 8 at the IUT, not none"),
                  "%s: %s", t->name, t->message);
    ck_assert_msg(!strstr(t->message, "silently"), "%s: %s", t->name, t->message);
  }
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "SIG-3", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

/* An envelope of the IUT that does not decode: the decoder's own reason
 * (rule, reason, offset, field), exactly as `mlsmig decode --type
 * envelope` prints it for the bytes the IUT sent (ENC-2). */
START_TEST(test_verdict_undecodable_names_reason) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "trailing-byte");
  const char *tests[] = {"target.happy", NULL};
  mm_run_result r;
  run(cmd, tests, &r);
  const mm_test_result *t = find(&r, "target.happy");
  ck_assert_int_eq(t->verdict, MM_V_FAIL);
  const char *at = strstr(t->message, "does not decode: malformed (ENC-2): ");
  ck_assert_msg(at, "%s", t->message);
  char reason[256];
  snprintf(reason, sizeof reason, "%s", strstr(at, "malformed"));
  char *end = strchr(reason, ';');
  if (end) *end = '\0';
  /* the envelope the IUT sent to the source: the TargetMigrationComplete */
  const mm_wire_event *e = NULL;
  for (size_t i = 0; i < t->nwire; i++)
    if (t->wire[i].kind == MM_WIRE_OUTPUT && strcmp(t->wire[i].to, "source.example") == 0 &&
        t->wire[i].len && t->wire[i].bytes[0] == 5)
      e = &t->wire[i];
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_le(e->full_len, e->len); /* kept whole */
  char *hex = malloc(2 * e->len + 1), args[128];
  ck_assert_ptr_nonnull(hex);
  for (size_t i = 0; i < e->len; i++) snprintf(hex + 2 * i, 3, "%02x", e->bytes[i]);
  char path[] = "/tmp/mlsmig-verdict-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *f = fdopen(fd, "w");
  fputs(hex, f);
  fclose(f);
  free(hex);
  snprintf(args, sizeof args, "decode --type envelope - < %s", path);
  cli_out o = cli_exec(args);
  unlink(path);
  ck_assert_int_eq(o.rc, 1);
  char want[300];
  snprintf(want, sizeof want, "error: %s\n", reason);
  ck_assert_msg(strcmp(o.err, want) == 0, "decode says '%s', the runner '%s'", o.err, reason);
  mm_run_result_free(&r);
}
END_TEST

/* Every test in every declared suite (issue 14, item 1): a DS that checks
 * no signature in the ECDSA suites (2, 5, 7) fails the hostile signature
 * tests there, and only there; the lowest suite alone would pass it. */
START_TEST(test_matrix_ecdsa_only_bug_fails) {
  char cmd[1200];
  relay(cmd, sizeof cmd, "ecdsa-no-sig");
  const char *tests[] = {"target.content_wrong_key", "source.init_wrong_key", NULL};
  mm_run_opts o = {.iut_cmd = cmd,
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .tests = tests,
                   .timeout_ms = 30000,
                   .jobs = 2};
  mm_run_result r;
  char why[512] = "";
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  ck_assert_uint_eq(r.n, 7 + 7 * 2); /* target: 7 suites; source: 7 suites x 2 framings */
  size_t failed = 0;
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    bool ecdsa = t->suite == 2 || t->suite == 5 || t->suite == 7;
    ck_assert_msg(t->verdict == (ecdsa ? MM_V_FAIL : MM_V_PASS), "%s: %s: %s", t->name,
                  mm_verdict_name(t->verdict), t->message);
    ck_assert_msg(!ecdsa || strstr(t->message, "was accepted"), "%s: %s", t->name, t->message);
    failed += t->verdict == MM_V_FAIL;
  }
  ck_assert_uint_eq(failed, 3 + 3 * 2);
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "SIG-2", &n), MM_V_FAIL);
  ck_assert_int_eq(mm_run_rule_verdict(&r, "SIG-3", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

static size_t count_prefix(const mm_run_result *r, const char *prefix) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += strncmp(r->tests[i].name, prefix, strlen(prefix)) == 0 && r->tests[i].verdict == MM_V_PASS;
  return n;
}

/* The instances of the reference DS's tests: every suite, both framings of
 * a source test, every declared policy of a test on the policy axis,
 * pairwise where suite, framing and policy all vary (every suite with
 * every policy; each suite and each policy with both framings); --suite
 * narrows; --test takes an instance or its start up to a "/". */
START_TEST(test_matrix_instances) {
  const char *tests[] = {"source.happy", "target.happy", "target.request_wrong_target",
                         "source.init_stale_epoch", NULL};
  mm_run_opts o = {.iut_cmd = ref_ds(),
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .tests = tests,
                   .timeout_ms = 30000,
                   .jobs = 2};
  mm_run_result r;
  char why[512] = "";
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  ck_assert_uint_eq(count_prefix(&r, "target.request_wrong_target/suite-"), 7);
  ck_assert_uint_eq(count_prefix(&r, "source.init_stale_epoch/suite-"), 14);
  ck_assert_uint_eq(count_prefix(&r, "source.init_stale_epoch/suite-5/public"), 1);
  ck_assert_uint_eq(count_prefix(&r, "target.happy/suite-"), 14); /* open, deny-list */
  ck_assert_uint_eq(count_prefix(&r, "target.happy/suite-7/deny-list"), 1);
  ck_assert_uint_eq(count_prefix(&r, "source.happy/suite-"), 21); /* 7 suites x 3 policies */
  const char *pol[] = {"open", "deny-list", "strict"};
  for (int p = 0; p < 3; p++) {
    char a[96], b[96];
    size_t pub = 0, priv = 0;
    for (int s = 1; s <= 7; s++) {
      snprintf(a, sizeof a, "source.happy/suite-%d/public/%s", s, pol[p]);
      snprintf(b, sizeof b, "source.happy/suite-%d/private/%s", s, pol[p]);
      pub += count_prefix(&r, a);
      priv += count_prefix(&r, b);
      snprintf(a, sizeof a, "source.happy/suite-%d/", s);
      ck_assert_uint_eq(count_prefix(&r, a), 3); /* each suite: every policy */
    }
    ck_assert_msg(pub > 0 && priv > 0 && pub + priv == 7, "%s: %zu public, %zu private", pol[p],
                  pub, priv);
  }
  for (int s = 1; s <= 7; s++) {
    char a[96], b[96];
    snprintf(a, sizeof a, "source.happy/suite-%d/public/", s);
    snprintf(b, sizeof b, "source.happy/suite-%d/private/", s);
    ck_assert(count_prefix(&r, a) > 0 && count_prefix(&r, b) > 0);
  }
  ck_assert(mm_run_passed(&r));
  mm_run_result_free(&r);
  /* the CLI: one instance; names that name none are usage errors */
  cli_out c =
      cli_exec("run --test source.happy/suite-2/public/strict source.happy/suite-3 --suite 2");
  ck_assert_msg(c.rc == 0 && strstr(c.out, "\n1 tests: 1 pass"), "rc %d: %s", c.rc, c.out);
  const char *bad[] = {"target.happy/suite-1/public", "source.happy/suite-1/open/private",
                       "source.happy/suite-8", "source.happy/suite-1/priv"};
  for (int i = 0; i < 4; i++) {
    char args[128];
    snprintf(args, sizeof args, "run --test %s", bad[i]);
    c = cli_exec(args);
    ck_assert_msg(c.rc == 2 && strstr(c.err, "unknown test"), "%s: rc %d", bad[i], c.rc);
  }
}
END_TEST

static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  static char buf[1 << 18];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

/* Nothing tested is no pass (issue 14, item 6): a run in which only tests
 * of SHOULD rules ran (AUTHZ-5 here, a warning) tested nothing mandatory:
 * it fails, and every report says "nothing was tested". With one test of
 * a MUST rule next to it, it passes. */
START_TEST(test_nothing_mandatory_tested) {
  for (int with_must = 0; with_must < 2; with_must++) {
    mm_run_result r = {0};
    r.n = 1 + (size_t)with_must;
    r.tests = calloc(r.n, sizeof *r.tests);
    ck_assert_ptr_nonnull(r.tests);
    r.pics.roles = MM_SHIM_ROLE_TARGET;
    r.pics.suites[1] = true;
    r.iut_cmd = strdup("./ds");
    r.mlsmig_cmd = strdup("mlsmig");
    const char *names[] = {"target.should_only/suite-1", "target.nonce_fresh/suite-1"};
    const char *rules[] = {"AUTHZ-5", "NONCE-1"};
    for (size_t i = 0; i < r.n; i++) {
      mm_test_result *t = &r.tests[i];
      snprintf(t->name, sizeof t->name, "%s", names[i]);
      t->rules = rules[i];
      t->summary = "";
      t->role = MM_SHIM_ROLE_TARGET;
      t->suite = 1;
      t->verdict = i == 0 ? MM_V_WARNING : MM_V_PASS;
      t->message = strdup(i == 0 ? "a SHOULD missed" : "");
    }
    ck_assert_uint_eq(mm_run_tested(&r), (size_t)with_must);
    ck_assert(mm_run_passed(&r) == (with_must == 1));
    json_t *doc = mm_run_to_json(&r);
    ck_assert_ptr_nonnull(doc);
    char dir[] = "/tmp/mlsmig-nothing-XXXXXX", json[64], junit[64], tap[64], html[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(json, sizeof json, "%s/r.json", dir);
    snprintf(junit, sizeof junit, "%s/r.xml", dir);
    snprintf(tap, sizeof tap, "%s/r.tap", dir);
    snprintf(html, sizeof html, "%s/index.html", dir);
    ck_assert_int_eq(mm_report_json_doc(doc, json), MM_OK);
    ck_assert_int_eq(mm_report_junit_doc(doc, junit), MM_OK);
    ck_assert_int_eq(mm_report_tap_doc(doc, tap), MM_OK);
    ck_assert_int_eq(mm_report_html_doc(doc, dir), MM_OK);
    const char *files[] = {json, junit, tap, html};
    for (int i = 0; i < 4; i++) {
      bool says = strstr(slurp(files[i]), MM_NOTHING_TESTED) != NULL;
      ck_assert_msg(says == !with_must, "%s: %s", files[i], says ? "says it" : "does not say it");
    }
    json_decref(doc);
    mm_run_result_free(&r);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
  }
}
END_TEST

Suite *suite_runner_verdicts(void) {
  Suite *s = suite_create("runner_verdicts");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_verdict_early_fanout_judged_right, "LIFE-1 LIFE-5 HASH-2");
  MM_ADD_TEST(tc, test_verdict_hold_forever_fails, "LIFE-4");
  MM_ADD_TEST(tc, test_verdict_nonce_lifetime_off_by_one_fails, "NONCE-2");
  MM_ADD_TEST(tc, test_verdict_field_lengths_off_by_one_fail, "ENC-4");
  MM_ADD_TEST(tc, test_verdict_last_epoch_served_fails, "EPOCH-3");
  MM_ADD_TEST(tc, test_verdict_durable_other_code_fails, "DUR-1 NONCE-2 NONCE-3");
  MM_ADD_TEST(tc, test_verdict_silent_acceptance_is_accepted, "SIG-3");
  MM_ADD_TEST(tc, test_verdict_undecodable_names_reason, "ENC-2");
  MM_ADD_TEST(tc, test_matrix_ecdsa_only_bug_fails, "SIG-2 SIG-3 KEY-2 SUITE-1");
  MM_ADD_TEST(tc, test_matrix_instances, "SUITE-1 AUTHZ-2 AUTHZ-3");
  MM_ADD_TEST(tc, test_nothing_mandatory_tested, "AUTHZ-5");
  suite_add_tcase(s, tc);
  return s;
}

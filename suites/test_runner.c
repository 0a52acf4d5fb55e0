/* The conformance runner (sim/runner*.c, sim/iut.c) against the reference
 * DS shim (build/mlsmig-ref-ds), against every mutant of it, and against
 * the broken shims of suites/shims/: the reference passes everything, every
 * mutant fails a test tagged with a rule it breaks, and a DS that accepts
 * everything, hangs, crashes or writes garbage gets a clear verdict in
 * bounded time. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "runner_mutants.h"
#include "shim_proto.h"
#include "testlib.h"

/* The shim next to the CLI `make check` names (build/ or build/asan/). */
static const char *ref_ds(void) {
  static char path[1024];
  const char *cli = getenv("MLSMIG_CLI");
  if (!cli || !*cli) cli = "build/mlsmig";
  snprintf(path, sizeof path, "%s", cli);
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "mlsmig-ref-ds");
  return path;
}

static mm_run_opts opts(const char *cmd) {
  mm_run_opts o = {.iut_cmd = cmd, .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .timeout_ms = 30000, .jobs = 2};
  return o;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t count(const mm_run_result *r, mm_verdict v) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) n += r->tests[i].verdict == v;
  return n;
}

#define TARGET_RULES "ENC-1 ENC-2 ENC-3 ENC-4 SUITE-1 SUITE-2 KEY-1 SIG-1 SIG-3 SIG-4 HASH-1 NONCE-1 NONCE-2 DOM-1 DOM-3 GROUP-1 AUTHZ-3 AUTHZ-4 AUTHZ-5 LIFE-5 LIFE-6 DUR-1"
#define SOURCE_RULES "ENC-2 ENC-3 SUITE-1 SUITE-2 KEY-1 KEY-2 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-2 NONCE-3 NONCE-4 DOM-2 DOM-4 GROUP-1 EPOCH-1 EPOCH-2 AUTHZ-1 AUTHZ-2 LIFE-1 LIFE-2 LIFE-3 LIFE-4 LIFE-5 DUR-1"

/* The reference DS in one role passes every test, and every rule listed
 * has a test that ran. */
static void reference_passes(uint8_t role, const char *rules) {
  mm_run_opts o = opts(ref_ds());
  o.roles = role;
  mm_run_result r;
  char why[512] = "";
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  printf("runner: reference DS as %s, %zu tests in %.2f s\n",
         role == MM_SHIM_ROLE_SOURCE ? "source" : "target", r.n, r.wall_ms / 1000.0);
  ck_assert_uint_ge(r.n, 25);
  for (size_t i = 0; i < r.n; i++)
    ck_assert_msg(r.tests[i].verdict == MM_V_PASS, "%s: %s: %s; IUT stderr: %s", r.tests[i].name,
                  mm_verdict_name(r.tests[i].verdict), r.tests[i].message,
                  r.tests[i].iut_stderr ? r.tests[i].iut_stderr : "");
  ck_assert(mm_run_passed(&r));
  char buf[512];
  snprintf(buf, sizeof buf, "%s", rules);
  for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
    size_t n;
    ck_assert_msg(mm_run_rule_verdict(&r, id, &n) == MM_V_PASS && n > 0, "%s", id);
  }
  mm_run_result_free(&r);
}

START_TEST(test_runner_reference_target) { reference_passes(MM_SHIM_ROLE_TARGET, TARGET_RULES); }
END_TEST

START_TEST(test_runner_reference_source) { reference_passes(MM_SHIM_ROLE_SOURCE, SOURCE_RULES); }
END_TEST

/* The mutation score over the tests tagged with each mutant's rules (the
 * full sweep is `mlsmig run --mutation-score`). */
START_TEST(test_runner_every_mutant_fails) {
  mm_run_opts o = opts("");
  mm_mutant_score s[MM_MUT_COUNT];
  char why[512] = "";
  double t0 = now_s();
  ck_assert_msg(mm_mutation_score(&o, ref_ds(), true, s, why, sizeof why) == MM_OK, "%s", why);
  size_t killed = 0;
  printf("%-26s %-20s %4s %7s  %s\n", "mutant", "rules", "ran", "killing", "first");
  for (int i = 0; i < MM_MUT_COUNT - 1; i++) {
    printf("%-26s %-20s %4zu %7zu  %s\n", mm_mutant_name(s[i].mutant), mm_mutant_rules(s[i].mutant),
           s[i].ran, s[i].killing, s[i].killing ? s[i].first : "SURVIVED");
    killed += s[i].killing > 0;
  }
  printf("mutation score: %zu/%d (%.2f s)\n", killed, MM_MUT_COUNT - 1, now_s() - t0);
  for (int i = 0; i < MM_MUT_COUNT - 1; i++)
    ck_assert_msg(s[i].killing > 0, "mutant %s survives", mm_mutant_name(s[i].mutant));
}
END_TEST

START_TEST(test_runner_accept_all_fails) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "suites/shims/accept_all.sh '%s'", ref_ds());
  mm_run_opts o = opts(cmd);
  mm_run_result r;
  char why[512] = "";
  double t0 = now_s();
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  ck_assert(!mm_run_passed(&r));
  ck_assert_uint_ge(count(&r, MM_V_FAIL), 20);
  ck_assert(now_s() - t0 < 60);
  size_t n;
  ck_assert_int_eq(mm_run_rule_verdict(&r, "NONCE-2", &n), MM_V_FAIL);
  ck_assert_int_eq(mm_run_rule_verdict(&r, "SIG-3", &n), MM_V_FAIL);
  mm_run_result_free(&r);
}
END_TEST

/* Runs a broken shim on the DOM-1 tests with a short budget: every test
 * errs with `expect` in its message, in bounded time. */
static void broken(const char *mode, const char *expect, const char *expect_stderr) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "suites/shims/bad_shim.py %s", mode);
  mm_run_opts o = opts(cmd);
  const char *rules[] = {"DOM-1", NULL};
  o.rules = rules;
  o.timeout_ms = 1500; /* a loaded CI machine starts Python slowly */
  mm_run_result r;
  char why[512] = "";
  double t0 = now_s();
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s: %s", mode, why);
  double took = now_s() - t0;
  printf("runner: bad shim '%s': %zu tests, all error, %.2f s\n", mode, r.n, took);
  ck_assert_msg(took < 10, "%s took %.1f s", mode, took);
  ck_assert_uint_eq(r.n, 2);
  ck_assert(!mm_run_passed(&r));
  for (size_t i = 0; i < r.n; i++) {
    ck_assert_int_eq(r.tests[i].verdict, MM_V_ERROR);
    ck_assert_msg(strstr(r.tests[i].message, expect), "%s: %s", mode, r.tests[i].message);
    if (expect_stderr)
      ck_assert(r.tests[i].iut_stderr && strstr(r.tests[i].iut_stderr, expect_stderr));
  }
  mm_run_result_free(&r);
}

START_TEST(test_runner_hung_iut) { broken("hang", "timeout", NULL); }
END_TEST

START_TEST(test_runner_garbage_iut) {
  broken("garbage", "refused", NULL);
  broken("junk", "does not decode", NULL);
}
END_TEST

START_TEST(test_runner_crashing_iut) { broken("crash", "exited with status 3", "on purpose"); }
END_TEST

START_TEST(test_runner_iut_does_not_start) {
  const char *cmds[] = {"suites/shims/bad_shim.py hang-at-hello", "/nonexistent/shim"};
  for (int i = 0; i < 2; i++) {
    mm_run_opts o = opts(cmds[i]);
    o.timeout_ms = 300;
    mm_run_result r;
    char why[512] = "";
    double t0 = now_s();
    ck_assert_int_eq(mm_run(&o, &r, why, sizeof why), MM_E_IO);
    ck_assert(now_s() - t0 < 5);
    ck_assert(why[0]);
  }
}
END_TEST

/* PICS: what the IUT does not declare is not applicable; silence where a
 * refusal code is due is a warning, not a pass. */
START_TEST(test_runner_pics_and_warnings) {
  mm_run_opts o = opts("suites/shims/bad_shim.py silent");
  const char *rules[] = {"DUR-1", "GROUP-1", NULL};
  o.rules = rules;
  mm_run_result r;
  char why[512] = "";
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  bool saw_warning = false;
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    if (strstr(t->rules, "DUR-1") || strstr(t->name, "hosted_group") || strstr(t->name, "group_exists"))
      ck_assert_msg(t->verdict == MM_V_NA, "%s", t->name);
    if (strcmp(t->name, "source.init_unknown_group") == 0) {
      ck_assert_int_eq(t->verdict, MM_V_WARNING);
      saw_warning = true;
    }
  }
  ck_assert(saw_warning);
  mm_run_result_free(&r);
}
END_TEST

/* The example shim of examples/python-shim/ passes everything it declares
 * (the target role, suites 1 and 3). */
START_TEST(test_runner_python_example_passes) {
  mm_run_opts o = opts("python3 examples/python-shim/shim.py");
  o.roles = MM_SHIM_ROLE_TARGET;
  mm_run_result r;
  char why[512] = "";
  double t0 = now_s();
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  printf("runner: python example shim, %zu pass, %zu n/a, %.2f s\n", count(&r, MM_V_PASS),
         count(&r, MM_V_NA), now_s() - t0);
  for (size_t i = 0; i < r.n; i++)
    ck_assert_msg(r.tests[i].verdict == MM_V_PASS || r.tests[i].verdict == MM_V_NA, "%s: %s",
                  r.tests[i].name, r.tests[i].message);
  ck_assert_uint_ge(count(&r, MM_V_PASS), 25);
  mm_run_result_free(&r);
}
END_TEST

static int cli(const char *args) {
  const char *bin = getenv("MLSMIG_CLI");
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s run %s > /dev/null 2>&1", bin && *bin ? bin : "build/mlsmig", args);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_runner_cli_exit_codes_and_reports) {
  char dir[] = "/tmp/mlsmig-runner-XXXXXX", args[512], junit[128], json[128];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(junit, sizeof junit, "%s/junit.xml", dir);
  snprintf(json, sizeof json, "%s/results.json", dir);
  snprintf(args, sizeof args, "--rules DOM --suite 2 --junit %s --json %s", junit, json);
  ck_assert_int_eq(cli(args), 0);
  json_error_t jerr;
  json_t *root = json_load_file(json, 0, &jerr);
  ck_assert_ptr_nonnull(root);
  ck_assert_str_eq(json_string_value(json_object_get(root, "format")), "mlsmig-run-results/1");
  ck_assert(json_is_true(json_object_get(json_object_get(root, "summary"), "passed")));
  json_t *t0 = json_array_get(json_object_get(root, "tests"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(t0, "cipher_suite")), 2);
  json_decref(root);
  FILE *f = fopen(junit, "r");
  ck_assert_ptr_nonnull(f);
  char xml[8192];
  size_t n = fread(xml, 1, sizeof xml - 1, f);
  xml[n] = '\0';
  fclose(f);
  ck_assert_ptr_nonnull(strstr(xml, "<property name=\"rule\" value=\"DOM-1\"/>"));
  unlink(junit);
  unlink(json);
  rmdir(dir);
  ck_assert_int_eq(cli("--mutant skip-domain-check --rules DOM-1"), 1);
  ck_assert_int_eq(cli("--iut /nonexistent/shim --timeout 500"), 2);
  ck_assert_int_eq(cli("--role sideways"), 2);
  ck_assert_int_eq(cli("--suite 9"), 2);
  ck_assert_int_eq(cli("--list"), 0);
}
END_TEST

Suite *suite_runner(void) {
  Suite *s = suite_create("runner");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300); /* many IUT processes, also under ASan */
  /* The rules are repeated as literals: the build reads them from here. */
  MM_ADD_TEST(tc, test_runner_reference_target, "ENC-1 ENC-2 ENC-3 ENC-4 SUITE-1 SUITE-2 KEY-1 SIG-1 SIG-3 SIG-4 HASH-1 NONCE-1 NONCE-2 DOM-1 DOM-3 GROUP-1 AUTHZ-3 AUTHZ-4 AUTHZ-5 LIFE-5 LIFE-6 DUR-1");
  MM_ADD_TEST(tc, test_runner_reference_source, "ENC-2 ENC-3 SUITE-1 SUITE-2 KEY-1 KEY-2 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-2 NONCE-3 NONCE-4 DOM-2 DOM-4 GROUP-1 EPOCH-1 EPOCH-2 AUTHZ-1 AUTHZ-2 LIFE-1 LIFE-2 LIFE-3 LIFE-4 LIFE-5 DUR-1");
  MM_ADD_TEST(tc, test_runner_every_mutant_fails, "-");
  MM_ADD_TEST(tc, test_runner_accept_all_fails, "-");
  MM_ADD_TEST(tc, test_runner_hung_iut, "-");
  MM_ADD_TEST(tc, test_runner_garbage_iut, "-");
  MM_ADD_TEST(tc, test_runner_crashing_iut, "-");
  MM_ADD_TEST(tc, test_runner_iut_does_not_start, "-");
  MM_ADD_TEST(tc, test_runner_pics_and_warnings, "-");
  MM_ADD_TEST(tc, test_runner_python_example_passes, "-");
  MM_ADD_TEST(tc, test_runner_cli_exit_codes_and_reports, "-");
  suite_add_tcase(s, tc);
  return s;
}

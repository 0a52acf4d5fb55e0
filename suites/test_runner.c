/* The conformance runner (sim/runner/) against the reference
 * DS shim (build/mlsmig-ref-ds), against every mutant of it, and against
 * the broken shims of suites/shims/: the reference passes everything, every
 * mutant fails a test tagged with a rule it breaks, and a DS that accepts
 * everything, hangs, crashes or writes garbage gets a clear verdict in
 * bounded time. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alloc_count.h"
#include "report/report.h"
#include "runner/iut.h"
#include "runner/runner.h"
#include "runner/runner_mutants.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* The shim next to the CLI `make check` names (build/ or build/asan/). */
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

static mm_run_opts opts(const char *cmd) {
  mm_run_opts o = {.iut_cmd = cmd,
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .timeout_ms = 30000,
                   .jobs = 2};
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

#define TARGET_RULES                                                                              \
  "ENC-1 ENC-2 ENC-3 ENC-4 SUITE-1 SUITE-2 KEY-1 SIG-1 SIG-3 SIG-4 HASH-1 NONCE-1 NONCE-2 DOM-1 " \
  "DOM-3 GROUP-1 AUTHZ-3 AUTHZ-4 AUTHZ-5 LIFE-5 LIFE-6 DUR-1"
#define SOURCE_RULES                                                                              \
  "ENC-2 ENC-3 SUITE-1 SUITE-2 KEY-1 KEY-2 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-2 NONCE-3 NONCE-4 " \
  "DOM-2 DOM-4 GROUP-1 EPOCH-1 EPOCH-2 AUTHZ-1 AUTHZ-2 LIFE-1 LIFE-2 LIFE-3 LIFE-4 LIFE-5 DUR-1"

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
  o.suites[1] = true; /* one suite, both framings: the mutants break no suite alone */
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

/* What a hostile run cost the runner. */
typedef struct cost {
  double took;          /* s */
  size_t heap, largest; /* bytes requested from the heap in all, the largest one */
  long rss_growth;      /* KiB of peak resident size gained */
  uint64_t stderr_read; /* bytes of the IUT's stderr the runner read, over all tests */
  bool counted;         /* heap and largest were counted (one job) */
} cost;

/* The bytes of stderr one test read: what was kept plus the dropped note. */
static uint64_t stderr_read(const char *err) {
  const char *note = err ? strstr(err, "\n[... ") : NULL;
  if (!note) return err ? strlen(err) : 0;
  return strtoull(note + 6, NULL, 10) + MM_IUT_STDERR_CAP;
}

static long max_rss_kib(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/* The budget of a test whose shim is meant to time out: a loaded CI
 * machine starts Python slowly. */
#define SHORT_BUDGET 1500
/* The budget of a test that should finish (a relay around the reference
 * DS: two processes to start): twice the margin, costing nothing unless
 * something hangs. */
#define RELAY_BUDGET 3000

/* Runs cmd on the tests that `rules` or `tests` select with budget ms per
 * test. jobs 1 also counts the runner's heap requests (the counters of
 * alloc_count.c are not thread-safe). */
static void hostile(const char *cmd, const char *const *rules, const char *const *tests, int jobs,
                    int budget, mm_run_result *r, cost *k) {
  mm_run_opts o = opts(cmd);
  o.rules = rules;
  o.tests = tests;
  o.suites[1] = true;
  o.jobs = jobs;
  o.timeout_ms = budget;
  char why[512] = "";
  long rss0 = max_rss_kib();
  double t0 = now_s();
  if (jobs == 1) mm_alloc_count_start();
  mm_err e = mm_run(&o, r, why, sizeof why);
  *k = (cost){.took = now_s() - t0, .counted = jobs == 1};
  if (jobs == 1) {
    k->heap = mm_alloc_count_stop();
    k->largest = mm_alloc_count_largest();
  }
  k->rss_growth = max_rss_kib() - rss0;
  ck_assert_msg(e == MM_OK, "%s: %s", cmd, why);
  /* Whatever bytes the IUT wrote, the JSON results (and so the reports made
   * from them) keep every test. */
  json_t *doc = mm_run_to_json(r);
  ck_assert_ptr_nonnull(doc);
  ck_assert_uint_eq(json_array_size(json_object_get(doc, "tests")), r->n);
  json_decref(doc);
  for (size_t i = 0; i < r->n; i++) {
    k->stderr_read += stderr_read(r->tests[i].iut_stderr);
    /* Whatever the IUT wrote, what the result keeps is bounded. */
    ck_assert(!r->tests[i].iut_stderr || strlen(r->tests[i].iut_stderr) < MM_IUT_STDERR_CAP + 64);
  }
}

static void print_cost(const char *mode, const mm_run_result *r, const cost *k) {
  printf("runner: bad shim '%s': %zu tests in %.2f s; IUT stderr read: %.1f MiB; peak RSS +%ld KiB",
         mode, r->n, k->took, (double)k->stderr_read / (1 << 20), k->rss_growth);
  if (k->counted)
    printf("; heap requests %.1f KiB in all, largest %.1f KiB", (double)k->heap / 1024,
           (double)k->largest / 1024);
  printf("\n");
}

/* Runs a broken shim on the DOM-1 tests with a short budget: every test
 * errs with `expect` in its message, in bounded time (each one: a test
 * after a broken one still runs and gets its own verdict). */
static void broken_cost(const char *mode, const char *expect, const char *expect_stderr, int jobs,
                        cost *k) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "suites/shims/bad_shim.py %s", mode);
  const char *rules[] = {"DOM-1", NULL};
  mm_run_result r;
  hostile(cmd, rules, NULL, jobs, SHORT_BUDGET, &r, k);
  print_cost(mode, &r, k);
  ck_assert_msg(k->took < 10, "%s took %.1f s", mode, k->took);
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

static void broken(const char *mode, const char *expect, const char *expect_stderr) {
  cost k;
  broken_cost(mode, expect, expect_stderr, 2, &k);
}

START_TEST(test_runner_hung_iut) { broken("hang", "timeout", NULL); }
END_TEST

START_TEST(test_runner_garbage_iut) {
  broken("garbage", "refused", NULL);
  broken("junk", "does not decode", NULL);
  /* A frame claiming 1 GiB, its bytes streaming behind: refused from the
   * header, nothing of its size ever allocated. */
  cost k;
  broken_cost("huge", "claims 1073741824 bytes (limit 67108864): refused", NULL, 1, &k);
  ck_assert_uint_lt(k.largest, 1u << 20);
  ck_assert_uint_lt(k.heap, 16u << 20);
}
END_TEST

/* An IUT that floods stderr instead of answering: a timeout verdict per
 * test, the first and last bytes of its stderr in the result, and the
 * runner's memory flat while it reads hundreds of MiB. */
START_TEST(test_runner_stderr_flood) {
  cost k;
  broken_cost("flood-stderr", "timeout", "bad_shim: flooding stderr", 1, &k);
  ck_assert_msg(k.stderr_read > (256u << 20), "only %llu bytes of stderr read",
                (unsigned long long)k.stderr_read);
  ck_assert_uint_lt(k.largest, 1u << 20);   /* no buffer sized by the flood */
  ck_assert_uint_lt(k.heap, 16u << 20);     /* all requests of the run together */
  ck_assert_int_lt(k.rss_growth, 64 << 10); /* KiB */
}
END_TEST

/* An IUT that floods stderr all along while answering right (the reference
 * DS behind a chatty relay): the runner keeps draining, so the IUT never
 * blocks on its stderr, and the verdicts are the reference DS's. */
START_TEST(test_runner_stderr_flood_answering) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "suites/shims/bad_shim.py flood-stderr-answering '%s'", ref_ds());
  const char *tests[] = {"target.happy/suite-1/open", "target.request_wrong_target",
                         "source.happy/suite-1/private/open",
                         "source.init_wrong_source/suite-1/private", NULL};
  mm_run_result r;
  cost k;
  hostile(cmd, NULL, tests, 2, RELAY_BUDGET, &r, &k);
  print_cost("flood-stderr-answering", &r, &k);
  ck_assert(k.took < 10);
  ck_assert_uint_eq(r.n, 4);
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    ck_assert_msg(t->verdict == MM_V_PASS, "%s: %s: %s", t->name, mm_verdict_name(t->verdict),
                  t->message);
    ck_assert(t->iut_stderr && strstr(t->iut_stderr, "bytes dropped"));
  }
  mm_run_result_free(&r);
}
END_TEST

/* A relay around the reference DS that answers for another group (or as
 * another DS): well-formed, correctly signed, and wrong. The runner fails
 * the tests that see it, naming what is wrong, under the tests' rules; the
 * tests where it does not show still pass. */
static void misdirected(const char *mode, const char *const *tests, size_t fails,
                        const char *const *expect, const char *const *rules) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "suites/shims/bad_shim.py %s '%s'", mode, ref_ds());
  mm_run_result r;
  cost k;
  hostile(cmd, NULL, tests, 2, RELAY_BUDGET, &r, &k);
  print_cost(mode, &r, &k);
  ck_assert(k.took < 10);
  size_t failed = 0;
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    ck_assert_msg(t->verdict == MM_V_FAIL || t->verdict == MM_V_PASS, "%s: %s: %s", t->name,
                  mm_verdict_name(t->verdict), t->message);
    if (t->verdict != MM_V_FAIL) continue;
    bool named = false;
    for (const char *const *e = expect; *e; e++) named |= strstr(t->message, *e) != NULL;
    ck_assert_msg(named, "%s: %s", t->name, t->message);
    failed++;
  }
  ck_assert_uint_eq(failed, fails);
  for (const char *const *id = rules; *id; id++)
    ck_assert_int_eq(mm_run_rule_verdict(&r, *id, NULL), MM_V_FAIL);
  mm_run_result_free(&r);
}

START_TEST(test_runner_other_group_fails) {
  /* The DOM-1 refusals carry no group: they pass, after and between the
   * failing tests. */
  const char *tests[] = {"target.happy/suite-1/open",
                         "target.nonce_fresh",
                         "target.request_wrong_target",
                         "source.happy/suite-1/private/open",
                         "source.init_wrong_source/suite-1/private",
                         NULL};
  const char *expect[] = {
      "MigrationResponse is for group 'mlsmig-runner-group-x', not for the "
      "group requested, 'mlsmig-runner-group-1'",
      "MigrationContent carries the state of group 'mlsmig-runner-group-x', "
      "not of the group migrated, 'mlsmig-runner-group-1'",
      NULL};
  const char *rules[] = {"SIG-1", "NONCE-1", "SIG-3", "HASH-2", NULL};
  misdirected("other-group", tests, 3, expect, rules);
}
END_TEST

START_TEST(test_runner_other_sender_fails) {
  const char *tests[] = {"target.happy/suite-1/open", "target.request_wrong_target",
                         "source.happy/suite-1/private/open",
                         "source.init_wrong_source/suite-1/private", NULL};
  const char *expect[] = {"as 'third.example', not as its own domain", NULL};
  const char *rules[] = {"SIG-1", "DOM-1", "SIG-3", "DOM-2", NULL};
  misdirected("other-sender", tests, 4, expect, rules);
}
END_TEST

/* Refusals sent to a third party instead of the refused message's sender:
 * a warning naming both (the refusal itself happened; its code is a
 * SHOULD), while the tests without a refusal pass. */
START_TEST(test_runner_misdirected_errors_warn) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "suites/shims/bad_shim.py misdirect-errors '%s'", ref_ds());
  const char *tests[] = {"target.happy/suite-1/open", "target.request_wrong_target",
                         "source.init_wrong_source/suite-1/private", NULL};
  mm_run_result r;
  cost k;
  hostile(cmd, NULL, tests, 2, RELAY_BUDGET, &r, &k);
  ck_assert_uint_eq(r.n, 3);
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    bool refusal = strstr(t->name, "target.happy") == NULL;
    ck_assert_msg(t->verdict == (refusal ? MM_V_WARNING : MM_V_PASS), "%s: %s: %s", t->name,
                  mm_verdict_name(t->verdict), t->message);
    if (refusal)
      ck_assert_msg(strstr(t->message, "went to third.example, not to the sender"), "%s: %s",
                    t->name, t->message);
  }
  mm_run_result_free(&r);
}
END_TEST

/* The crash message is Latin-1: it reaches the result as UTF-8 (\xe9). */
START_TEST(test_runner_crashing_iut) {
  broken("crash", "exited with status 3", "crashing on purpose (caf\\xe9)");
}
END_TEST

START_TEST(test_runner_iut_does_not_start) {
  const char *cmds[] = {"suites/shims/bad_shim.py hang-at-hello", "/nonexistent/shim",
                        "suites/shims/bad_shim.py flood-stderr-at-hello"};
  for (int i = 0; i < 3; i++) {
    mm_run_opts o = opts(cmds[i]);
    o.timeout_ms = 300;
    mm_run_result r;
    char why[512] = "";
    double t0 = now_s();
    ck_assert_int_eq(mm_run(&o, &r, why, sizeof why), MM_E_IO);
    ck_assert(now_s() - t0 < 5);
    ck_assert(why[0]);
    if (i != 1) ck_assert_msg(strstr(why, "timeout"), "%s", why);
  }
}
END_TEST

/* The stderr capture keeps the first and the last bytes around a note of
 * how much was dropped, as text the reports can carry (valid UTF-8, no
 * NUL), and mm_iut_text never cuts a character in half. */
START_TEST(test_runner_stderr_kept) {
  mm_iut *p;
  char why[256];
  const char *cmd =
      "{ printf FIRST; head -c 100000 /dev/zero | tr '\\000' x; "
      "printf '\\377\\000LAST'; } >&2";
  ck_assert_int_eq(mm_iut_start(cmd, MM_SHIM_MAX_FRAME, &p, why, sizeof why), MM_OK);
  mm_iut_stop(p, 5000);
  const char *err = mm_iut_stderr(p);
  size_t n = strlen(err);
  ck_assert_uint_lt(n, MM_IUT_STDERR_CAP + 64);
  ck_assert_msg(strncmp(err, "FIRSTxxx", 8) == 0, "%.40s", err);
  ck_assert_ptr_nonnull(strstr(err, "x\n[... 91819 bytes dropped ...]\nx")); /* 100011 - 8192 */
  ck_assert_str_eq(err + n - 15, "xxx\\xff\\x00LAST");
  mm_iut_free(p);

  char out[32];
  ck_assert_uint_eq(mm_iut_text(out, sizeof out, 0, "a\xc3\xa9\xff\xe2\x82", 6), 15);
  ck_assert_str_eq(out, "a\xc3\xa9\\xff\\xe2\\x82");
  ck_assert_uint_eq(mm_iut_text(out, 3, 0, "a\xc3\xa9", 3), 1); /* not half an e-acute */
  ck_assert_str_eq(out, "a");
  ck_assert_uint_eq(mm_iut_text(out, 8, 0, "a\xff\xff", 3), 5); /* not half an escape */
  ck_assert_str_eq(out, "a\\xff");
  ck_assert_uint_eq(mm_iut_text(out, sizeof out, 0, "\xed\xa0\x80\xc0\xaf", 5), 20);
  ck_assert_str_eq(out, "\\xed\\xa0\\x80\\xc0\\xaf"); /* a surrogate, an overlong '/' */
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
    if (strstr(t->rules, "DUR-1") || strstr(t->name, "hosted_group") ||
        strstr(t->name, "group_exists"))
      ck_assert_msg(t->verdict == MM_V_NA, "%s", t->name);
    if (strcmp(t->name, "source.init_unknown_group/suite-1/private") == 0) {
      ck_assert_int_eq(t->verdict, MM_V_WARNING);
      saw_warning = true;
    }
  }
  ck_assert(saw_warning);
  mm_run_result_free(&r);
}
END_TEST

/* The example shim of examples/python-shim/ passes everything it declares
 * (both roles, suites 1 and 3). In persistent mode (it declares reset): a
 * Python process per test would cost most of the run in start-up. */
START_TEST(test_runner_python_example_passes) {
  mm_run_opts o = opts("python3 examples/python-shim/shim.py");
  o.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET;
  o.persistent = true;
  mm_run_result r;
  char why[512] = "";
  double t0 = now_s();
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  printf("runner: python example shim, %zu pass, %zu n/a, %.2f s\n", count(&r, MM_V_PASS),
         count(&r, MM_V_NA), now_s() - t0);
  for (size_t i = 0; i < r.n; i++)
    ck_assert_msg(r.tests[i].verdict == MM_V_PASS || r.tests[i].verdict == MM_V_NA, "%s: %s",
                  r.tests[i].name, r.tests[i].message);
  ck_assert_uint_ge(count(&r, MM_V_PASS), 55);
  /* only the suites it lacks, and the feature migration_refusal (AMD-1) it does not declare:
   * every other feature declared */
  for (size_t i = 0; i < r.n; i++)
    if (r.tests[i].verdict == MM_V_NA)
      ck_assert_msg(
          strcmp(r.tests[i].message, "suite not declared") == 0 ||
              (strcmp(r.tests[i].message, "optional feature not declared") == 0 &&
               (strstr(r.tests[i].name, ".refusal_") || strstr(r.tests[i].name, ".withdraw_"))),
          "%s: %s", r.tests[i].name, r.tests[i].message);
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
  MM_ADD_TEST(tc, test_runner_reference_target,
              "ENC-1 ENC-2 ENC-3 ENC-4 SUITE-1 SUITE-2 KEY-1 SIG-1 SIG-3 SIG-4 HASH-1 NONCE-1 "
              "NONCE-2 DOM-1 DOM-3 GROUP-1 AUTHZ-3 AUTHZ-4 AUTHZ-5 LIFE-5 LIFE-6 DUR-1");
  MM_ADD_TEST(tc, test_runner_reference_source,
              "ENC-2 ENC-3 SUITE-1 SUITE-2 KEY-1 KEY-2 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-2 "
              "NONCE-3 NONCE-4 DOM-2 DOM-4 GROUP-1 EPOCH-1 EPOCH-2 AUTHZ-1 AUTHZ-2 LIFE-1 LIFE-2 "
              "LIFE-3 LIFE-4 LIFE-5 DUR-1");
  MM_ADD_TEST(tc, test_runner_every_mutant_fails, "-");
  MM_ADD_TEST(tc, test_runner_accept_all_fails, "-");
  MM_ADD_TEST(tc, test_runner_hung_iut, "-");
  MM_ADD_TEST(tc, test_runner_garbage_iut, "-");
  MM_ADD_TEST(tc, test_runner_crashing_iut, "-");
  MM_ADD_TEST(tc, test_runner_stderr_flood, "-");
  MM_ADD_TEST(tc, test_runner_stderr_flood_answering, "-");
  MM_ADD_TEST(tc, test_runner_other_group_fails, "-");
  MM_ADD_TEST(tc, test_runner_other_sender_fails, "-");
  MM_ADD_TEST(tc, test_runner_misdirected_errors_warn, "-");
  MM_ADD_TEST(tc, test_runner_stderr_kept, "-");
  MM_ADD_TEST(tc, test_runner_iut_does_not_start, "-");
  MM_ADD_TEST(tc, test_runner_pics_and_warnings, "-");
  MM_ADD_TEST(tc, test_runner_python_example_passes, "-");
  MM_ADD_TEST(tc, test_runner_cli_exit_codes_and_reports, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* The runner under allocation failure (alloc_count.h), in the style of
 * test_alloc_fail.c: one test of `mlsmig run` against the reference DS (a
 * pass) and against a mutant of it (a fail) is run once to count the heap
 * requests the runner makes (K), then again failing each of them in turn,
 * and failing every request from some N on.
 *
 * The oracle: a failure of the runner is never a verdict on the IUT. Every
 * run ends (no crash, no hang; leaks: `make check SANITIZE=1`) with mm_run
 * refusing cleanly, nothing left in TMPDIR, and each test's verdict the one of the
 * unfailed run or `error` saying "runner failure": never a pass where the
 * IUT fails, never a fail or a warning where it passes (an output the
 * runner could not store is not "no output").
 *
 * One job: the counters are not thread-safe. The IUT processes are not
 * counted (the wrappers are the runner's). Nothing may ck_assert while
 * armed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_count.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"
#include "testlib.h"

typedef struct run_case {
  char iut[1200];
  const char *test;
  mm_verdict clean; /* the verdict of the unfailed run */
  size_t runs, errors, refused;
} run_case;

static const char *ref_ds(void) {
  static char path[1024];
  const char *cli = getenv("MLSMIG_CLI");
  snprintf(path, sizeof path, "%s", cli && *cli ? cli : "build/mlsmig");
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
           "mlsmig-ref-ds");
  return path;
}

/* The runner's TMPDIR for the sweep: empty after every run. */
static char tmpdir[64];

static size_t entries(const char *path) {
  DIR *d = opendir(path);
  size_t n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  if (d) closedir(d);
  return n;
}

static void run_op(run_case *c, size_t nth, bool sticky) {
  char inst[128];
  /* one instance: suite 1, the first framing and policy of its axes */
  snprintf(inst, sizeof inst, "%s/suite-1%s", c->test,
           strcmp(c->test, "source.happy") == 0   ? "/private/open"
           : strcmp(c->test, "target.happy") == 0 ? "/open"
                                                  : "");
  const char *tests[] = {inst, NULL};
  mm_run_opts o = {.iut_cmd = c->iut,
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .tests = tests,
                   .timeout_ms = 20000,
                   .jobs = 1};
  o.suites[1] = true;
  mm_run_result r;
  char why[512] = "";
  mm_alloc_fail_arm(nth, sticky);
  mm_err e = mm_run(&o, &r, why, sizeof why);
  size_t failed = mm_alloc_fail_disarm();
  c->runs++;
  ck_assert_msg(entries(tmpdir) == 0, "%s, request %zu failed%s: state left in %s", c->test, nth,
                sticky ? " on" : "", tmpdir);
  if (e != MM_OK) {
    ck_assert_msg(failed > 0, "%s: request %zu: mm_run failed unfailed: %s", c->test, nth, why);
    c->refused++;
    return;
  }
  ck_assert_uint_eq(r.n, 1);
  const mm_test_result *t = &r.tests[0];
  bool same = t->verdict == c->clean;
  bool local = t->verdict == MM_V_ERROR && t->message && strstr(t->message, "runner failure");
  ck_assert_msg(same || (failed > 0 && local), "%s, request %zu failed%s: %s (%s), unfailed: %s",
                c->test, nth, sticky ? " on" : "", mm_verdict_name(t->verdict),
                t->message ? t->message : "", mm_verdict_name(c->clean));
  c->errors += !same;
  mm_run_result_free(&r);
}

/* K, then every request failed alone, and every eighth one on. */
static void sweep(run_case *c) {
  run_op(c, 0, false);
  size_t k = mm_alloc_calls();
  ck_assert_uint_gt(k, 0);
  for (size_t n = 1; n <= k + 1; n++) {
    run_op(c, n, false);
    if (n % 8 == 1) run_op(c, n, true);
  }
  printf(
      "runner under allocation failure: %s (%s): %zu requests, %zu runs, %zu runner-failure "
      "errors, %zu refused runs\n",
      c->test, mm_verdict_name(c->clean), k, c->runs, c->errors, c->refused);
}

START_TEST(test_runner_alloc_failure_is_no_verdict) {
  static run_case pass, fail, target, source;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/mlsmig-alloc-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
  setenv("TMPDIR", tmpdir, 1); /* this test's process only (Check forks it) */
  /* the reference DS refuses a request for another target: a pass */
  snprintf(pass.iut, sizeof pass.iut, "%s", ref_ds());
  pass.test = "target.request_wrong_target";
  pass.clean = MM_V_PASS;
  sweep(&pass);
  /* a mutant that does not check domains answers it: a fail */
  snprintf(fail.iut, sizeof fail.iut, "%s --mutant skip-domain-check", ref_ds());
  fail.test = "target.request_wrong_target";
  fail.clean = MM_V_FAIL;
  sweep(&fail);
  /* both happy paths: group states, contents, hashes, fan-out */
  snprintf(target.iut, sizeof target.iut, "%s", ref_ds());
  target.test = "target.happy";
  target.clean = MM_V_PASS;
  sweep(&target);
  snprintf(source.iut, sizeof source.iut, "%s", ref_ds());
  source.test = "source.happy";
  source.clean = MM_V_PASS;
  sweep(&source);
  ck_assert_uint_gt(pass.errors + fail.errors, 0); /* the failures did reach the runner */
  rmdir(tmpdir);
}
END_TEST

Suite *suite_runner_alloc(void) {
  Suite *s = suite_create("runner_alloc");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  MM_ADD_TEST(tc, test_runner_alloc_failure_is_no_verdict, "-");
  suite_add_tcase(s, tc);
  return s;
}

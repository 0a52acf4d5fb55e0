/* The run reports (sim/report/): the results JSON validates against the
 * shipped docs/run-results.schema.json (checked with suites/schema_lite.c),
 * the JUnit XML against suites/junit.xsd (with xmllint), TAP parses, a
 * merge adds up, and the HTML page holds what a reader needs and nothing
 * that fetches or runs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report_fixture.h"
#include "schema_lite.h"
#include "shim/shim_proto.h"
#include "testlib.h"

static json_t *schema(void) {
  json_error_t err;
  json_t *s = mm_json_load_file(mm_test_path("docs/run-results.schema.json"), 0, &err);
  ck_assert_msg(s != NULL, "schema: %s", err.text);
  return s;
}

static void assert_valid(const json_t *doc) {
  json_t *s = schema();
  char why[512];
  ck_assert_msg(schema_lite_validate(s, doc, why, sizeof why), "%s", why);
  json_decref(s);
}

static bool valid(const json_t *doc) {
  json_t *s = schema();
  char why[512];
  bool ok = schema_lite_validate(s, doc, why, sizeof why);
  json_decref(s);
  return ok;
}

START_TEST(test_report_json_schema) {
  const char *dir = fixture_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/results.json", dir);
  mm_run_result r;
  fixture_run(&r, MM_SHIM_ROLE_TARGET, "target.");
  ck_assert_int_eq(mm_report_json(&r, path), MM_OK);
  mm_run_result_free(&r);
  json_error_t err;
  json_t *doc = mm_json_load_file(path, 0, &err);
  ck_assert_ptr_nonnull(doc);
  assert_valid(doc);
  /* what the HTML relies on */
  const json_t *s = json_object_get(doc, "summary");
  ck_assert_int_eq(json_integer_value(json_object_get(s, "fail")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(s, "pass")), 2);
  ck_assert(json_is_false(json_object_get(s, "passed")));
  const json_t *t = json_array_get(json_object_get(doc, "tests"), 1);
  ck_assert_uint_eq(json_array_size(json_object_get(t, "wire")), 10);
  ck_assert_str_eq(json_string_value(json_object_get(t, "rerun")),
                   "build/mlsmig run --iut './my ds '\\''shim'\\''' --role target --suite 1 "
                   "--test target.nonce_expired --seed 6");
  const json_t *t0 = json_array_get(json_object_get(doc, "tests"), 0);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(t0, "rerun")),
                               "--test target.happy/suite-1 --seed"));
  json_decref(doc);
  fixture_rmdir(dir);
}
END_TEST

/* The validator is strict where the schema is: each broken copy fails. */
START_TEST(test_report_schema_rejects) {
  json_t *doc = fixture_doc(MM_SHIM_ROLE_SOURCE, "source.");
  assert_valid(doc);
  static const char *const breaks[] = {
      "{\"summary\": 3}",          "{\"format\": \"mlsmig-run-results/2\"}",
      "{\"surprise\": 1}",         "{\"seed\": 0}",
      "{\"date\": \"yesterday\"}", "{\"wall_ms\": \"1\"}",
  };
  for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
    json_t *copy = json_deep_copy(doc), *patch = mm_json_loads(breaks[i], 0, NULL);
    json_object_update(copy, patch);
    ck_assert_msg(!valid(copy), "accepted %s", breaks[i]);
    json_decref(patch);
    json_decref(copy);
  }
  json_t *copy = json_deep_copy(doc);
  json_t *t = json_array_get(json_object_get(copy, "tests"), 0);
  json_object_set_new(t, "verdict", json_string("passed"));
  ck_assert(!valid(copy));
  json_object_set_new(t, "verdict", json_string("pass"));
  json_object_set_new(t, "rules", json_array());
  ck_assert(!valid(copy)); /* minItems */
  json_object_set_new(t, "rules", json_pack("[s]", "nonce-2"));
  ck_assert(!valid(copy)); /* pattern */
  json_object_set_new(t, "rules", json_pack("[s]", "NONCE-2"));
  json_object_del(t, "rerun");
  ck_assert(!valid(copy)); /* required */
  json_decref(copy);
  copy = json_deep_copy(doc);
  json_object_set_new(json_array_get(json_object_get(copy, "rules"), 0), "verdict",
                      json_string("maybe"));
  ck_assert(!valid(copy)); /* oneOf */
  json_object_set_new(copy, "iut",
                      json_pack("{s:s, s:[], s:[i], s:[]}", "implementation", "x", "roles",
                                "suites", 8, "features"));
  ck_assert(!valid(copy)); /* maximum */
  json_decref(copy);
  /* a keyword the validator does not know is an error, not a pass */
  json_t *s = json_pack("{s:s}", "format", "date-time");
  char why[256];
  ck_assert(!schema_lite_validate(s, doc, why, sizeof why));
  ck_assert_ptr_nonnull(strstr(why, "not supported"));
  json_decref(s);
  json_decref(doc);
}
END_TEST

/* ENC-1: a seed and a clock step of 2^64-1 are valid results, written and
 * read back exactly; the schema's bounds hold at both ends. */
START_TEST(test_report_schema_u64) {
  mm_run_result r;
  fixture_run(&r, MM_SHIM_ROLE_TARGET, "target.");
  r.seed = UINT64_MAX;
  r.tests[1].wire[3].ms = UINT64_MAX;
  const char *dir = fixture_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/results.json", dir);
  ck_assert_int_eq(mm_report_json(&r, path), MM_OK);
  mm_run_result_free(&r);
  json_error_t err;
  json_t *doc = mm_json_load_file(path, 0, &err);
  ck_assert_ptr_nonnull(doc);
  assert_valid(doc);
  uint64_t v = 0;
  ck_assert(mm_json_u64_value(json_object_get(doc, "seed"), &v) && v == UINT64_MAX);
  const json_t *t = json_array_get(json_object_get(doc, "tests"), 1);
  const json_t *clock = json_array_get(json_object_get(t, "wire"), 3);
  ck_assert(mm_json_u64_value(json_object_get(clock, "ms"), &v) && v == UINT64_MAX);
  /* the seed is an integer, not a string that looks like one */
  json_object_set_new(doc, "seed", json_string("18446744073709551615"));
  ck_assert(!valid(doc));
  json_object_set_new(doc, "seed", mm_json_u64((uint64_t)INT64_MAX + 1));
  assert_valid(doc);
  json_decref(doc);
  /* a schema maximum below a big value is enforced exactly */
  json_t *s = mm_json_loads("{\"type\":\"integer\",\"maximum\":18446744073709551614}", 0, &err);
  json_t *big = mm_json_u64(UINT64_MAX), *less = mm_json_u64(UINT64_MAX - 1);
  char why[256];
  ck_assert(!schema_lite_validate(s, big, why, sizeof why));
  ck_assert(schema_lite_validate(s, less, why, sizeof why));
  json_decref(big);
  json_decref(less);
  json_decref(s);
  fixture_rmdir(dir);
}
END_TEST

static int run(const char *cmd) {
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long xpath_count(const char *file, const char *expr) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "xmllint --xpath '%s' %s", expr, file);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  long n = -1;
  if (fscanf(p, "%ld", &n) != 1) n = -1;
  pclose(p);
  return n;
}

START_TEST(test_report_junit_xsd) {
  ck_assert_msg(run("command -v xmllint >/dev/null") == 0,
                "xmllint missing: apt-get install libxml2-utils (make deps)");
  const char *dir = fixture_tmpdir();
  char path[512], cmd[1024];
  snprintf(path, sizeof path, "%s/junit.xml", dir);
  json_t *a = fixture_doc(MM_SHIM_ROLE_TARGET, "target."),
         *b = fixture_doc(MM_SHIM_ROLE_SOURCE, "source.");
  json_t *docs[] = {a, b};
  const char *names[] = {"a.json", "b.json"};
  char why[256];
  json_t *m = mm_report_merge(docs, names, 2, why, sizeof why);
  ck_assert_msg(m != NULL, "%s", why);
  ck_assert_int_eq(mm_report_junit_doc(m, path), MM_OK);
  snprintf(cmd, sizeof cmd, "xmllint --noout --schema %s %s 2>/dev/null",
           mm_test_path("suites/junit.xsd"), path);
  ck_assert_msg(run(cmd) == 0, "%s does not validate against suites/junit.xsd", path);
  ck_assert_int_eq(xpath_count(path, "count(//testsuite)"), 2);
  ck_assert_int_eq(xpath_count(path, "count(//testcase)"), 12);
  ck_assert_int_eq(xpath_count(path, "count(//testcase/failure)"), 2);
  ck_assert_int_eq(xpath_count(path, "count(//testcase/error)"), 2);
  ck_assert_int_eq(xpath_count(path, "count(//testcase/skipped)"), 2);
  ck_assert_int_eq(xpath_count(path, "count(//property[@name=\"rule\" and @value=\"NONCE-2\"])"),
                   2);
  ck_assert_int_eq(xpath_count(path, "string(/testsuites/@failures)"), 2);
  /* the single-run entry point writes the same structure */
  mm_run_result r;
  fixture_run(&r, MM_SHIM_ROLE_SOURCE, "s.");
  ck_assert_int_eq(mm_report_junit(&r, path), MM_OK);
  mm_run_result_free(&r);
  ck_assert_msg(run(cmd) == 0, "single run: %s does not validate", path);
  ck_assert_int_eq(mm_report_junit_doc(m, "/nonexistent/dir/junit.xml"), MM_E_IO);
  json_decref(m);
  json_decref(a);
  json_decref(b);
  fixture_rmdir(dir);
}
END_TEST

START_TEST(test_report_tap) {
  const char *dir = fixture_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/r.tap", dir);
  json_t *doc = fixture_doc(MM_SHIM_ROLE_TARGET, "target.");
  ck_assert_int_eq(mm_report_tap_doc(doc, path), MM_OK);
  char *tap = fixture_slurp(path);
  ck_assert_ptr_nonnull(tap);
  ck_assert(strncmp(tap, "TAP version 13\n1..6\n", 20) == 0);
  size_t ok = 0, not_ok = 0, skip = 0;
  for (char *line = strtok(tap, "\n"); line; line = strtok(NULL, "\n")) {
    ok += strncmp(line, "ok ", 3) == 0;
    not_ok += strncmp(line, "not ok ", 7) == 0;
    skip += strstr(line, " # SKIP ") != NULL;
  }
  ck_assert_uint_eq(ok, 4);
  ck_assert_uint_eq(not_ok, 2);
  ck_assert_uint_eq(skip, 1);
  free(tap);
  /* YAML strings stay one valid line whatever the message holds */
  tap = fixture_slurp(path);
  ck_assert_ptr_nonnull(strstr(tap, "& \\\"quoted\\\" \\\\ here\\nnext\\x01 line"));
  ck_assert_ptr_nonnull(strstr(tap, "# warning: refused with bad_signature"));
  free(tap);
  ck_assert_int_eq(mm_report_tap_doc(doc, "/nonexistent/dir/r.tap"), MM_E_IO);
  json_decref(doc);
  fixture_rmdir(dir);
}
END_TEST

START_TEST(test_report_merge) {
  json_t *a = fixture_doc(MM_SHIM_ROLE_TARGET, "target."),
         *b = fixture_doc(MM_SHIM_ROLE_SOURCE, "source.");
  json_t *sim = json_pack("{s:s, s:i, s:[]}", "mode", "campaign", "seed", 1, "violating_runs");
  json_t *docs[] = {a, b, sim, a};
  const char *names[] = {"a.json", "b.json", "sim.json", "a-again.json"};
  char why[256] = "";
  json_t *m = mm_report_merge(docs, names, 4, why, sizeof why);
  ck_assert_msg(m != NULL, "%s", why);
  assert_valid(m);
  const json_t *s = json_object_get(m, "summary");
  ck_assert_int_eq(json_integer_value(json_object_get(s, "tests")), 12); /* a twice: once */
  ck_assert_int_eq(json_integer_value(json_object_get(s, "error")), 2);
  ck_assert_uint_eq(json_array_size(json_object_get(m, "simulator")), 1);
  ck_assert_uint_eq(json_array_size(json_object_get(m, "merged_from")), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "iut"), "implementation")),
                   "fixture DS <1.0>");
  /* a merged document merges again, listing the original inputs */
  json_t *c = json_deep_copy(a);
  json_object_set_new(json_object_get(c, "iut"), "implementation", json_string("other DS"));
  json_object_set_new(c, "date", json_string("2025-01-01T00:00:00Z"));
  json_object_set_new(c, "iut_command", json_string("./other"));
  json_t *t1 = json_array_get(json_object_get(c, "tests"), 0);
  json_object_set_new(t1, "verdict", json_string("fail")); /* the worse result wins */
  json_t *docs2[] = {m, c};
  const char *names2[] = {"m.json", "c.json"};
  json_t *m2 = mm_report_merge(docs2, names2, 2, why, sizeof why);
  ck_assert_msg(m2 != NULL, "%s", why);
  ck_assert_uint_eq(json_array_size(json_object_get(m2, "merged_from")), 4);
  ck_assert_str_eq(json_string_value(json_object_get(m2, "date")), "2025-01-01T00:00:00Z");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m2, "iut"), "implementation")),
                   "fixture DS <1.0> + other DS");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(m2, "summary"), "fail")), 3);
  assert_valid(m2);
  json_decref(m2);
  json_decref(m);
  /* inputs that cannot merge */
  json_t *other = json_deep_copy(a);
  json_object_set_new(other, "profile", json_string("2"));
  json_t *bad1[] = {a, other};
  ck_assert_ptr_null(mm_report_merge(bad1, names, 2, why, sizeof why));
  ck_assert_ptr_nonnull(strstr(why, "profile"));
  json_t *junk = json_pack("{s:i}", "x", 1);
  json_t *bad2[] = {junk};
  ck_assert_ptr_null(mm_report_merge(bad2, names, 1, why, sizeof why));
  ck_assert_ptr_nonnull(strstr(why, "not a results document"));
  json_t *bad3[] = {sim};
  ck_assert_ptr_null(mm_report_merge(bad3, names, 1, why, sizeof why));
  ck_assert_ptr_nonnull(strstr(why, "only simulator"));
  json_t *odd = json_pack("{s:s}", "mode", "happy");
  json_t *bad4[] = {a, odd};
  ck_assert_ptr_null(mm_report_merge(bad4, names, 2, why, sizeof why));
  ck_assert_int_eq(mm_report_add_sim(a, odd), MM_E_MALFORMED);
  json_object_del(c, "tests");
  ck_assert_int_eq(mm_report_recount(c), MM_E_MALFORMED);
  json_decref(odd);
  json_decref(junk);
  json_decref(other);
  json_decref(c);
  json_decref(sim);
  json_decref(a);
  json_decref(b);
}
END_TEST

static char *render(json_t *doc) {
  const char *dir = fixture_tmpdir();
  char sub[512], path[600];
  snprintf(sub, sizeof sub, "%s/html", dir); /* made by the writer */
  ck_assert_int_eq(mm_report_html_doc(doc, sub), MM_OK);
  snprintf(path, sizeof path, "%s/index.html", sub);
  char *html = fixture_slurp(path);
  ck_assert_ptr_nonnull(html);
  fixture_rmdir(dir);
  return html;
}

START_TEST(test_report_html_failures) {
  json_t *doc = fixture_doc(MM_SHIM_ROLE_TARGET, "target.");
  json_t *cov =
      json_pack("{s:[s, s], s:[s, s, s], s:[[i, i, i], [i, i, i]]}", "kinds", "drop", "crash",
                "steps", "request", "content", "complete", "counts", 3, 0, 1, 5, 2, 0);
  json_t *camp = json_pack(
      "{s:s, s:i, s:i, s:i, s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:[i, i], "
      "s:[{s:s, s:i, s:i, s:s}], s:o}",
      "mode", "campaign", "seed", 1, "planned", 10, "faults", 3, "runs", 10, "violations", 1,
      "results", "completed", 7, "aborted", 1, "refused", 1, "stuck", 1, "shard", 1, 4,
      "violating_runs", "violation", "INV-1", "seed", 9, "suite", 2, "replay",
      "mlsmig sim --schedule x", "fault_coverage", cov);
  json_t *expl =
      json_pack("{s:s, s:i, s:i, s:[i, i], s:[{s:i, s:i, s:i, s:i}], s:i, s:[]}", "mode", "explore",
                "max_faults", 1, "seed", 1, "shard", 0, 1, "suites", "runs", 5, "violations", 0,
                "known_gaps", 2, "suite", 1, "violations", 0, "violating_runs");
  ck_assert_int_eq(mm_report_add_sim(doc, camp), MM_OK);
  ck_assert_int_eq(mm_report_add_sim(doc, expl), MM_OK);
  assert_valid(doc);
  char *html = render(doc);
  static const char *const want[] = {
      "<p id=\"totals\" class=\"dim\">6 tests: 2 pass, 1 fail, 1 warning, 1 not applicable, 1 "
      "error</p>",
      "FAILED: 2 tests did not pass",
      "id=\"t-target.nonce_expired\"",
      "href=\"#t-target.nonce_expired\"", /* the matrix links to the failure */
      "a MigrationError nonce_expired and no TargetMigrationComplete", /* expected */
      "content after the lifetime was accepted",                       /* actual */
      "--test target.nonce_expired --seed 6",                          /* rerun */
      "&lt;script&gt;alert(1)&lt;/script&gt;",                         /* stderr, escaped */
      "&ldquo;alice@source.example&rdquo;",                            /* decoded sender */
      "migration_request",
      "undecodable envelope",
      "does not decode",
      "unknown msg_type",
      "the IUT's clock advances 301000 ms",
      "SIGKILL",
      "a group state of 3 bytes",
      "2 later steps not recorded",
      "<svg class=\"chart\"",
      "fault kinds by migration step",
      "INV-1",
      "shard 2 of 4",
      "every placement of up to 1 fault<",
      "Warnings",
      "accepted &amp; &quot;quoted&quot;",
      "stderr line 59",
      "(last lines)",
      "nonce_expired</td>", /* a MigrationError's code, by name */
      "refused with bad_signature, expected wrong_domain",
      "4. Nonces",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    ck_assert_msg(strstr(html, want[i]) != NULL, "missing: %s", want[i]);
  /* self-contained and inert: nothing fetched, no script */
  ck_assert_ptr_null(strstr(html, "<script"));
  ck_assert_ptr_null(strstr(html, "http://"));
  ck_assert_ptr_null(strstr(html, "https://"));
  ck_assert_ptr_null(strstr(html, " src="));
  ck_assert_ptr_null(strstr(html, "stderr line 10")); /* only the tail */
  /* failures first: the failing rule's section comes before section 1 */
  const char *s4 = strstr(html, "id=\"s-4\""), *s1 = strstr(html, "id=\"s-1\"");
  ck_assert(s4 && s1 && s4 < s1);
  free(html);
  json_decref(camp);
  json_decref(expl);
  json_decref(cov);
  json_decref(doc);
}
END_TEST

START_TEST(test_report_html_passed) {
  mm_run_result r;
  fixture_run(&r, MM_SHIM_ROLE_SOURCE, "source.");
  for (size_t i = 0; i < r.n; i++)
    if (r.tests[i].verdict != MM_V_NA) r.tests[i].verdict = MM_V_PASS;
  r.pics.implementation[0] = '\0';
  json_t *doc = mm_run_to_json(&r);
  mm_run_result_free(&r);
  char *html = render(doc);
  ck_assert_ptr_nonnull(strstr(html, "PASSED: every mandatory test passed"));
  ck_assert_ptr_nonnull(strstr(html, "No test failed or erred."));
  ck_assert_ptr_nonnull(strstr(html, "No campaign or exploration in this report"));
  ck_assert_ptr_nonnull(strstr(html, "unnamed IUT"));
  ck_assert_ptr_nonnull(strstr(html, "not tested by the runner"));
  free(html);
  ck_assert_int_eq(mm_report_html_doc(doc, "/nonexistent/dir/html"), MM_E_IO);
  json_decref(doc);
}
END_TEST

START_TEST(test_report_shell_quote) {
  char out[16];
  ck_assert(mm_shell_quote("a b", out, sizeof out));
  ck_assert_str_eq(out, "'a b'");
  ck_assert(mm_shell_quote("it's", out, sizeof out));
  ck_assert_str_eq(out, "'it'\\''s'");
  ck_assert(!mm_shell_quote("a very long string indeed", out, sizeof out));
  ck_assert(!mm_shell_quote("", out, 2));
}
END_TEST

Suite *suite_report(void) {
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("report");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_report_json_schema, "-");
  MM_ADD_TEST(tc, test_report_schema_rejects, "-");
  MM_ADD_TEST(tc, test_report_schema_u64, "ENC-1");
  MM_ADD_TEST(tc, test_report_junit_xsd, "-");
  MM_ADD_TEST(tc, test_report_tap, "-");
  MM_ADD_TEST(tc, test_report_merge, "-");
  MM_ADD_TEST(tc, test_report_html_failures, "-");
  MM_ADD_TEST(tc, test_report_html_passed, "-");
  MM_ADD_TEST(tc, test_report_shell_quote, "-");
  suite_add_tcase(s, tc);
  return s;
}

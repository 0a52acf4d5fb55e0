/* `mlsmig report merge` and the report options of `mlsmig run` (--test,
 * --seed, --tap, --html, --sim) as a user meets them: exit codes, files
 * written, error lines. Runs the binary named by MLSMIG_CLI. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_exec.h"
#include "report_fixture.h"
#include "shim/shim_proto.h"
#include "testlib.h"

static void write_doc(const char *dir, const char *name, json_t *doc) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ck_assert_int_eq(json_dump_file(doc, path, 0), 0);
  json_decref(doc);
}

static bool exists(const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (f) fclose(f);
  return f != NULL;
}

START_TEST(test_cmd_report_merge) {
  const char *d = fixture_tmpdir();
  write_doc(d, "a.json", fixture_doc(MM_SHIM_ROLE_TARGET, "target."));
  write_doc(d, "b.json", fixture_doc(MM_SHIM_ROLE_SOURCE, "source."));
  write_doc(d, "sim.json",
            json_pack("{s:s, s:i, s:[]}", "mode", "explore", "seed", 1, "violating_runs"));
  char args[2048];
  snprintf(args, sizeof args,
           "report merge %s/a.json %s/b.json %s/sim.json --html %s/html --junit %s/j.xml "
           "--json %s/m.json --tap %s/m.tap",
           d, d, d, d, d, d, d);
  cli_out r = cli_exec(args);
  ck_assert_int_eq(r.rc, 1); /* the fixture has failures */
  ck_assert_ptr_nonnull(strstr(r.out, "merged 3 inputs: 12 tests: 4 pass"));
  ck_assert(exists(d, "html/index.html") && exists(d, "j.xml") && exists(d, "m.json") &&
            exists(d, "m.tap"));
  fixture_rmdir(d);
}
END_TEST

START_TEST(test_cmd_report_usage) {
  const char *d = fixture_tmpdir();
  static const struct {
    const char *args, *err;
    int rc;
  } cases[] = {
      {"report", "usage", 2},
      {"report frob", "unknown action", 2},
      {"report merge", "at least one", 2},
      {"report merge x.json", "nothing to write", 2},
      {"report merge x.json --bogus", "unexpected option", 2},
      {"report merge x.json --html", "", 2},
      {"report merge /nonexistent.json --json /dev/null", "/nonexistent.json", 1},
      {"run --test", "--test needs a value", 2},
      {"run --seed 0", "--seed", 2},
      {"run --test no.such.test", "unknown test 'no.such.test'", 2},
      {"run --rules SIG-1 --sim /nonexistent.json", "/nonexistent.json", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == cases[i].rc, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  cli_out r = cli_exec("report --help");
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "usage: mlsmig report merge"));
  r = cli_exec("report merge --help");
  ck_assert_int_eq(r.rc, 0);
  write_doc(d, "junk.json", json_pack("{s:i}", "x", 1));
  char args[1024];
  snprintf(args, sizeof args, "report merge %s/junk.json --json %s/o.json", d, d);
  r = cli_exec(args);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.err, "not a results document"));
  write_doc(d, "a.json", fixture_doc(MM_SHIM_ROLE_TARGET, "target."));
  snprintf(args, sizeof args, "report merge %s/a.json --json /nonexistent/dir/o.json", d);
  r = cli_exec(args);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.err, "cannot write"));
  fixture_rmdir(d);
}
END_TEST

/* One real test against the reference DS, every report option. */
START_TEST(test_cmd_run_one_test_reports) {
  const char *d = fixture_tmpdir();
  char args[2048];
  write_doc(d, "camp.json",
            json_pack("{s:s, s:i, s:[]}", "mode", "campaign", "seed", 3, "violating_runs"));
  snprintf(
      args, sizeof args,
      "run --role target --suite 2 --test target.happy/suite-2/open target.nonce_fresh --seed 9 "
      "--json %s/r.json --tap %s/r.tap --html %s/html --junit %s/r.xml --sim %s/camp.json",
      d, d, d, d, d);
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == 0, "rc %d: %s%s", r.rc, r.out, r.err);
  json_error_t jerr;
  char path[512];
  snprintf(path, sizeof path, "%s/r.json", d);
  json_t *doc = mm_json_load_file(path, 0, &jerr);
  ck_assert_ptr_nonnull(doc);
  const json_t *tests = json_object_get(doc, "tests");
  ck_assert_uint_eq(json_array_size(tests), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tests, 0), "name")),
                   "target.happy/suite-2/open");
  ck_assert_int_eq(json_integer_value(json_object_get(doc, "seed")), 9);
  ck_assert_uint_eq(json_array_size(json_object_get(doc, "simulator")), 1);
  const json_t *wire = json_object_get(json_array_get(tests, 0), "wire");
  ck_assert_uint_ge(json_array_size(wire), 4);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(wire, 0), "kind")), "deliver");
  /* the rerun command runs exactly that test again */
  const char *rerun = json_string_value(json_object_get(json_array_get(tests, 0), "rerun"));
  ck_assert_ptr_nonnull(strstr(rerun, "--suite 2 --test target.happy/suite-2/open --seed 9"));
  const char *verb = strstr(rerun, " run ");
  ck_assert_ptr_nonnull(verb);
  snprintf(args, sizeof args, "%s --json %s/again.json", verb + 1, d);
  r = cli_exec(args);
  ck_assert_msg(r.rc == 0, "rerun rc %d: %s", r.rc, r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "1 tests: 1 pass"));
  json_decref(doc);
  fixture_rmdir(d);
}
END_TEST

/* What the simulator really writes (`sim --campaign/--explore --json`)
 * goes into a run's report and merges, and the result still validates as
 * far as the report needs: its summaries appear in the HTML. */
START_TEST(test_cmd_report_real_simulator_summaries) {
  const char *d = fixture_tmpdir();
  char args[2048];
  static const char *const runs[][2] = {
      {"sim --campaign 20 --shard 1/2 --json", "camp.json"},
      {"sim --explore --max-faults 1 --suite 1 --json", "expl.json"}};
  cli_out r;
  for (size_t i = 0; i < 2; i++) {
    r = cli_exec(runs[i][0]);
    ck_assert_msg(r.rc == 0, "%s: rc %d: %s", runs[i][0], r.rc, r.err);
    json_error_t jerr;
    json_t *sum = mm_json_loads(r.out, 0, &jerr);
    ck_assert_msg(sum != NULL, "%s: %s", runs[i][0], jerr.text);
    write_doc(d, runs[i][1], sum);
  }
  write_doc(d, "a.json", fixture_doc(MM_SHIM_ROLE_TARGET, "target."));
  snprintf(args, sizeof args, "report merge %s/a.json %s/camp.json %s/expl.json --html %s/h", d, d,
           d, d);
  r = cli_exec(args);
  ck_assert_int_eq(r.rc, 1); /* the fixture's failures */
  snprintf(args, sizeof args, "%s/h/index.html", d);
  char *html = fixture_slurp(args);
  ck_assert_ptr_nonnull(html);
  ck_assert_ptr_nonnull(strstr(html, "Campaign, seed 1, shard 2 of 2"));
  ck_assert_ptr_nonnull(strstr(html, "Exploration, seed 1: every placement of up to 1 fault"));
  free(html);
  fixture_rmdir(d);
}
END_TEST

/* The simulator's usage errors that the report's users meet first. */
START_TEST(test_cmd_report_sim_usage) {
  static const struct {
    const char *args, *err;
  } cases[] = {
      {"sim --scenario happy --shard 1/2", "--shard goes with --campaign or --explore"},
      {"sim --scenario happy --state-bytes x", "--state-bytes wants"},
      {"sim --scenario happy --frob", "unexpected argument"},
      {"sim --scenario clock-jump-step1 --suite 1 --suite 2", "a scenario takes one --suite"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == 2, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  cli_out r = cli_exec("sim --scenario all");
  ck_assert_int_eq(r.rc, 0);
}
END_TEST

/* ENC-1: a seed, a clock step and an epoch of 2^64-1 stay exact through
 * results.json, `report merge` (with a campaign summary of that seed) and
 * every report it writes; `run --seed` takes 2^64-1 and refuses 2^64. */
START_TEST(test_cmd_report_u64_values) {
  const char *d = fixture_tmpdir();
  char path[600], args[2048];
  mm_run_result r;
  fixture_run(&r, MM_SHIM_ROLE_TARGET, "target.");
  r.seed = UINT64_MAX;
  mm_test_result *t = &r.tests[1];
  ck_assert_int_eq(t->wire[3].kind, MM_WIRE_CLOCK);
  t->wire[3].ms = UINT64_MAX;
  free(t->offending);
  t->offending = strdup(
      "{\"body\":\"00\",\"cipher_suite\":1,\"msg_type\":1,"
      "\"msg_type_name\":\"migration_request\",\"sender\":\"616c696365\","
      "\"body_decoded\":{\"epoch\":18446744073709551615,\"group_id\":\"6731\"}}");
  json_t *doc = mm_run_to_json(&r);
  mm_run_result_free(&r);
  ck_assert_ptr_nonnull(doc);
  snprintf(path, sizeof path, "%s/a.json", d);
  ck_assert_int_eq(mm_report_json_doc(doc, path), MM_OK);
  json_decref(doc);
  cli_out c = cli_exec("sim --campaign 2 --suite 1 --seed 18446744073709551615 --json");
  ck_assert_int_eq(c.rc, 0);
  snprintf(path, sizeof path, "%s/camp.json", d);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(c.out, f);
  fclose(f);
  snprintf(args, sizeof args,
           "report merge %s/a.json %s/camp.json --json %s/m.json --junit %s/j.xml --html %s/h", d,
           d, d, d, d);
  c = cli_exec(args);
  ck_assert_msg(c.rc == 1, "rc %d: %s", c.rc, c.err); /* the fixture's failures */
  static const struct {
    const char *file, *text;
  } want[] = {
      {"a.json", "\"seed\": 18446744073709551615,"},
      {"a.json", "\"ms\": 18446744073709551615"},
      {"a.json", "\"epoch\": 18446744073709551615"},
      {"m.json", "\"seed\": 18446744073709551615,"},
      {"m.json", "\"ms\": 18446744073709551615"},
      {"m.json", "\"epoch\": 18446744073709551615"},
      {"j.xml", "<property name=\"seed\" value=\"18446744073709551615\"/>"},
      {"j.xml", "&quot;epoch&quot;:18446744073709551615"},
      {"h/index.html", "<dt>seed</dt><dd>18446744073709551615</dd>"},
      {"h/index.html", "Campaign, seed 18446744073709551615"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", d, want[i].file);
    char *text = fixture_slurp(path);
    ck_assert_msg(text && strstr(text, want[i].text), "%s has no %s", want[i].file, want[i].text);
    free(text);
  }
  /* the test's own page: the clock step and the decoded epoch */
  snprintf(args, sizeof args, "grep -q 'advances 18446744073709551615 ms' %s/h/*.html", d);
  ck_assert_int_eq(system(args), 0);
  snprintf(args, sizeof args, "grep -q '18446744073709551615 <span' %s/h/*.html", d);
  ck_assert_int_eq(system(args), 0);
  /* a real run with that seed, and its rerun command */
  snprintf(args, sizeof args,
           "run --role target --suite 2 --test target.happy --seed 18446744073709551615 "
           "--json %s/r.json",
           d);
  c = cli_exec(args);
  ck_assert_msg(c.rc == 0, "rc %d: %s", c.rc, c.err);
  snprintf(path, sizeof path, "%s/r.json", d);
  char *text = fixture_slurp(path);
  ck_assert_ptr_nonnull(strstr(text, "\"seed\": 18446744073709551615,"));
  ck_assert_ptr_nonnull(strstr(text, "--seed 18446744073709551615\""));
  free(text);
  c = cli_exec("run --seed 18446744073709551616");
  ck_assert_int_eq(c.rc, 2);
  ck_assert_ptr_nonnull(strstr(c.err, "1..2^64-1"));
  fixture_rmdir(d);
}
END_TEST

Suite *suite_cmd_report(void) {
  Suite *s = suite_create("cmd_report");
  TCase *tc = tcase_create("cmd_report");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_cmd_report_merge, "-");
  MM_ADD_TEST(tc, test_cmd_report_usage, "-");
  MM_ADD_TEST(tc, test_cmd_run_one_test_reports, "-");
  MM_ADD_TEST(tc, test_cmd_report_real_simulator_summaries, "-");
  MM_ADD_TEST(tc, test_cmd_report_sim_usage, "-");
  MM_ADD_TEST(tc, test_cmd_report_u64_values, "ENC-1");
  suite_add_tcase(s, tc);
  return s;
}

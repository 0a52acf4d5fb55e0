/* `mlsmig sim --iut CMD --role source|target` (issue 16, sim/runner/sim/iut_ds.c): the user's DS
 * behind the shim in the simulated world. Against the reference DS shim the one-fault exploration
 * gives the in-process figures in both roles; against a mutant of it the search reports the
 * violation, with a replay command that carries --iut. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_exec.h"
#include "testlib.h"

/* The shim next to the CLI `make check` names (build/ or build/asan/). */
static const char *ref_ds(void) {
  static char path[1024];
  snprintf(path, sizeof path, "%s", cli_bin());
  char *slash = strrchr(path, '/');
  snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0),
           "mlsmig-ref-ds");
  return path;
}

/* The first suite's summary of an exploration's --json. */
static json_t *explore_json(const char *args, int want_rc) {
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == want_rc, "%s: rc %d: %s", args, r.rc, r.err);
  json_error_t err;
  json_t *j = json_loads(r.out, 0, &err);
  ck_assert_msg(j != NULL, "%s: not JSON: %s", args, err.text);
  return j;
}

static long long suite_field(const json_t *j, const char *key) {
  return json_integer_value(json_object_get(json_array_get(json_object_get(j, "suites"), 0), key));
}

/* K=1 over suite 1: the same schedule count, no violation, the same known gaps (GAP-1) and the
 * same outcomes as the in-process reference actors, with the IUT as source and as target. */
START_TEST(test_sim_iut_ref_equals_in_process) {
  json_t *ref = explore_json("sim --explore --max-faults 1 --suite 1 --json", 0);
  ck_assert_int_gt(suite_field(ref, "runs"), 100);
  ck_assert_int_gt(suite_field(ref, "known_gaps"), 0);
  static const char *roles[] = {"source", "target"};
  for (size_t i = 0; i < 2; i++) {
    char args[1400];
    snprintf(args, sizeof args,
             "sim --iut '%s' --role %s --explore --max-faults 1 --suite 1 --json", ref_ds(),
             roles[i]);
    json_t *iut = explore_json(args, 0);
    static const char *keys[] = {"runs", "violations", "known_gaps", "nondeterministic"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
      ck_assert_msg(suite_field(iut, keys[k]) == suite_field(ref, keys[k]), "%s: %s %lld vs %lld",
                    roles[i], keys[k], suite_field(iut, keys[k]), suite_field(ref, keys[k]));
    const json_t *a = json_object_get(json_array_get(json_object_get(iut, "suites"), 0), "results");
    const json_t *b = json_object_get(json_array_get(json_object_get(ref, "suites"), 0), "results");
    ck_assert_msg(json_equal(a, b), "%s: the outcomes differ", roles[i]);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(iut, "iut"), "role")),
                     roles[i]);
    json_decref(iut);
  }
  /* Persistent mode (PICS feature reset): the same figures from a process per crash, not per
   * run. */
  char args[1400];
  snprintf(args, sizeof args,
           "sim --iut '%s' --role target --persistent --explore --max-faults 1 --suite 1",
           ref_ds());
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc, r.err);
  char want[160];
  snprintf(want, sizeof want, ": %lld runs, 0 violations, %lld known gaps",
           suite_field(ref, "runs"), suite_field(ref, "known_gaps"));
  ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
  ck_assert_ptr_nonnull(strstr(r.out, "(persistent)"));
  unsigned long long runs = 0, procs = 0;
  const char *line = strstr(r.out, "(persistent): ");
  ck_assert_ptr_nonnull(line);
  ck_assert_int_eq(sscanf(line, "(persistent): %llu runs, %llu processes", &runs, &procs), 2);
  ck_assert_msg(procs * 4 < runs, "%llu processes for %llu runs", procs, runs);
  json_decref(ref);
}
END_TEST

/* An IUT that answers the same schedule otherwise on a replay (here: every other process is the
 * SIG-2 mutant) is reported as nondeterministic, with the first difference, not as a violation. */
START_TEST(test_sim_iut_nondeterministic) {
  char dir[] = "/tmp/mlsmig-simiut-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char script[256], flag[256];
  snprintf(script, sizeof script, "%s/flaky.sh", dir);
  snprintf(flag, sizeof flag, "%s/flag", dir);
  FILE *f = fopen(script, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f,
          "#!/bin/sh\nif [ -e %s ]; then rm -f %s; exec %s; else : > %s; exec %s --mutant "
          "skip-init-sig; fi\n",
          flag, flag, ref_ds(), flag, ref_ds());
  fclose(f);
  ck_assert_int_eq(chmod(script, 0700), 0);
  char args[1400];
  snprintf(args, sizeof args, "sim --iut %s --role source --explore --max-faults 1 --suite 1",
           script);
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == 1, "rc %d: %s", r.rc, r.err);
  ck_assert_msg(strstr(r.out, "nondeterministic IUT (not a protocol violation)") != NULL, "%s",
                r.out);
  ck_assert_ptr_nonnull(strstr(r.out, "first run sent"));
  ck_assert_ptr_nonnull(strstr(r.out, "not reproduced by the IUT"));
  ck_assert_ptr_null(strstr(r.out, "violation: SIG-2"));
  remove(flag);
  remove(script);
  rmdir(dir);
}
END_TEST

/* A source that does not verify the MigrationInit signature (mutant skip-init-sig, SIG-2) behind
 * the shim: the exploration reports the violation, and its replay command, with --iut, shows it
 * again. */
START_TEST(test_sim_iut_finds_mutant) {
  char args[1400];
  snprintf(args, sizeof args,
           "sim --iut '%s --mutant skip-init-sig' --role source --explore --max-faults 1 --suite 1 "
           "--json",
           ref_ds());
  json_t *j = explore_json(args, 1);
  ck_assert_int_ge(json_integer_value(json_object_get(j, "violations")), 1);
  const json_t *v = json_array_get(json_object_get(j, "violating_runs"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(v, "violation")), "SIG-2");
  const char *replay = json_string_value(json_object_get(v, "replay"));
  ck_assert_ptr_nonnull(strstr(replay, "--iut '"));
  ck_assert_ptr_nonnull(strstr(replay, "--role source"));
  ck_assert(strncmp(replay, "mlsmig ", 7) == 0);
  cli_out r = cli_exec(replay + 7);
  ck_assert_msg(r.rc == 1, "%s: rc %d: %s", replay, r.rc, r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "rule broken: SIG-2"));
  json_decref(j);
  /* The text form: the violation, its replay, the shrunk schedule and its trace. */
  snprintf(args, sizeof args,
           "sim --iut '%s --mutant skip-init-sig' --role source --explore --max-faults 1 --suite 1",
           ref_ds());
  r = cli_exec(args);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.out, "violation: SIG-2"));
  ck_assert_ptr_nonnull(strstr(r.out, "shrunk to"));
  ck_assert_ptr_nonnull(strstr(r.out, "trace of the shrunk run"));
  ck_assert_ptr_nonnull(strstr(r.out, "runs/s; start-up"));
}
END_TEST

/* Usage errors name the option; an IUT that does not start or lacks the role stops the run. */
START_TEST(test_sim_iut_usage) {
  static const struct {
    const char *args, *err;
    int rc;
  } cases[] = {
      {"sim --iut x --explore --max-faults 1", "--iut needs --role", 2},
      {"sim --role source --explore --max-faults 1", "--role goes with --iut", 2},
      {"sim --iut x --role sideways --explore --max-faults 1", "--role is source or target", 2},
      {"sim --iut x --role source --mutant early-fanout --explore --max-faults 1",
       "--mutant breaks the reference actors", 2},
      {"sim --iut /nonexistent/shim --role source --explore --max-faults 1", "--iut:", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == cases[i].rc, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  /* A scenario that breaks the reference on purpose does not apply to an IUT. */
  char args[1400];
  snprintf(args, sizeof args, "sim --iut '%s' --role target --scenario all", ref_ds());
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc,
                r.out + (strlen(r.out) > 3000 ? strlen(r.out) - 3000 : 0));
  ck_assert_ptr_nonnull(strstr(r.out, "not applicable to the IUT"));
}
END_TEST

Suite *suite_sim_iut(void) {
  Suite *s = suite_create("sim_iut");
  TCase *tc = tcase_create("sim_iut");
  tcase_set_timeout(tc, 600);
  MM_ADD_TEST(tc, test_sim_iut_ref_equals_in_process, "INV-1 INV-2 INV-3 INV-4 INV-5");
  MM_ADD_TEST(tc, test_sim_iut_finds_mutant, "SIG-2");
  MM_ADD_TEST(tc, test_sim_iut_nondeterministic, "-");
  MM_ADD_TEST(tc, test_sim_iut_usage, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* `mlsmig run` as a user meets it (sim/cli/cmd_run.c, cmd_run_print.c):
 * every usage error names the option, the summary lists what did not pass
 * with the IUT's stderr, and the exit code follows the verdicts. The runner
 * itself is suites/test_runner.c. */
#include <stdio.h>
#include <string.h>

#include "cli_exec.h"
#include "testlib.h"

START_TEST(test_cmd_run_usage) {
  static const struct {
    const char *args, *err;
  } cases[] = {
      {"run --mutant no-such-mutant", "unknown mutant"},
      {"run --role sideways", "--role is source, target or both"},
      {"run --role", "--role"},
      {"run --timeout 5", "--timeout takes milliseconds"},
      {"run --jobs 0", "--jobs takes 1..64"},
      {"run --suite", "--suite needs a value"},
      {"run --suite 42", "unknown suite '42'"},
      {"run --rules", "--rules needs a value"},
      {"run --frobnicate", "unexpected argument"},
      {"run --iut ./x --mutant skip-hash-check", "--mutant applies to the reference DS"},
      {"run --iut ./x --mutation-score", "--mutation-score runs the reference DS"},
      {"run --seed 99999999999999999999", "--seed takes"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == 2, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  cli_out r = cli_exec("run --help");
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "--test NAME"));
  r = cli_exec("run --list");
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "target.content_nonce_expired"));
  r = cli_exec("run --iut /nonexistent/shim");
  ck_assert_int_eq(r.rc, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "the IUT does not start"));
}
END_TEST

/* --verbose lists passing tests too; every option that takes a value. */
START_TEST(test_cmd_run_verbose) {
  cli_out r = cli_exec(
      "run --rules NONCE-1 --role target --suite all --jobs 1 --timeout 20000 "
      "--verbose");
  ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc, r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "target.nonce_fresh"));
  ck_assert_ptr_nonnull(strstr(r.out, "7 tests: 7 pass")); /* one per suite */
  r = cli_exec("run --rules NONCE-1 --role source");
  ck_assert_int_eq(r.rc, 1); /* NONCE-1 is checked on the target only: nothing tested */
  ck_assert_ptr_nonnull(strstr(r.out, "0 tests"));
  ck_assert_ptr_nonnull(strstr(r.out, "nothing was tested"));
}
END_TEST

/* A crashing IUT: error verdicts, its stderr in the summary, exit 1, and a
 * report that cannot be written is an error too. */
START_TEST(test_cmd_run_crashing_iut) {
  cli_out r = cli_exec(
      "run --iut 'python3 suites/shims/bad_shim.py crash' --rules NONCE-1 "
      "--role target --json /nonexistent/dir/r.json");
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.out, "error"));
  ck_assert_ptr_nonnull(strstr(r.out, "IUT stderr"));
  ck_assert_ptr_nonnull(strstr(r.err, "cannot write /nonexistent/dir/r.json"));
}
END_TEST

/* On a terminal the runner shows a progress line (util-linux `script`
 * provides the terminal). */
START_TEST(test_cmd_run_progress_on_a_tty) {
  char cmd[1024], out[4096] = "";
  snprintf(cmd, sizeof cmd,
           "script -qec '%s run --rules NONCE-1 --role target --suite 1' /dev/null 2>&1",
           cli_bin());
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  ck_assert_int_eq(pclose(p), 0);
  ck_assert_msg(strstr(out, "[  1/1] target.nonce_fresh/suite-1") != NULL, "%s", out);
}
END_TEST

/* The mutation score, on the tests of one rule: the mutants breaking it
 * are killed, the others survive (so the exit code is 1). */
START_TEST(test_cmd_run_mutation_score) {
  cli_out r = cli_exec("run --mutation-score --rules HASH-2 --jobs 2");
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.out, "skip-hash-check"));
  ck_assert_ptr_nonnull(strstr(r.out, "SURVIVED"));
  ck_assert_ptr_nonnull(strstr(r.out, "mutation score:"));
}
END_TEST

/* Options that collect values stop at a bound instead of overflowing. */
START_TEST(test_cmd_run_too_many_values) {
  static const char *const opts[] = {"--rules", "--test"};
  for (size_t k = 0; k < 2; k++) {
    char args[2048];
    int n = snprintf(args, sizeof args, "run %s", opts[k]);
    for (int i = 0; i < 70; i++) n += snprintf(args + n, sizeof args - (size_t)n, " X-%d", i);
    cli_out r = cli_exec(args);
    ck_assert_int_eq(r.rc, 2);
    ck_assert_msg(strstr(r.err, "too many") != NULL, "%s", r.err);
  }
  char args[2048];
  int n = snprintf(args, sizeof args, "run");
  for (int i = 0; i < 20; i++) n += snprintf(args + n, sizeof args - (size_t)n, " --sim s%d", i);
  cli_out r = cli_exec(args);
  ck_assert_int_eq(r.rc, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "too many --sim"));
}
END_TEST

Suite *suite_cmd_run(void) {
  Suite *s = suite_create("cmd_run");
  TCase *tc = tcase_create("cmd_run");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_cmd_run_usage, "-");
  MM_ADD_TEST(tc, test_cmd_run_verbose, "-");
  MM_ADD_TEST(tc, test_cmd_run_crashing_iut, "-");
  MM_ADD_TEST(tc, test_cmd_run_progress_on_a_tty, "-");
  MM_ADD_TEST(tc, test_cmd_run_mutation_score, "-");
  MM_ADD_TEST(tc, test_cmd_run_too_many_values, "-");
  suite_add_tcase(s, tc);
  return s;
}

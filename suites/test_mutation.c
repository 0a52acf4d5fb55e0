/* The mutation harness of `make mutation` (suites/mutation.py,
 * docs/mutation.md): against the build it runs in, it must kill a known-bad
 * mutant of the reference DS (the target's MigrationContent signature check
 * forced to succeed, SIG-3), count a mutant that does not compile as
 * stillborn, let the unmutated build live, generate mutants of every
 * operator with unique IDs, and find docs/mutation-triage.md well formed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_exec.h"
#include "testlib.h"

/* Runs a shell command; its exit status and output (stdout and stderr). */
static int sh(const char *cmd, char *out, size_t cap) {
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The build folder of the CLI under test (build, build/asan, ...). */
static void build_dir(char *out, size_t cap) {
  snprintf(out, cap, "%s", cli_bin());
  char *slash = strrchr(out, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(out, cap, ".");
}

START_TEST(test_mutation_harness_kills_and_counts_stillborn) {
  static char out[16384];
  char dir[512], cmd[1200];
  build_dir(dir, sizeof dir);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --build '%s' --self-test 2>&1",
           mm_test_path("suites/mutation.py"), dir);
  int rc = sh(cmd, out, sizeof out);
  ck_assert_msg(rc == 0, "mutation.py --self-test: exit %d:\n%s", rc, out);
  ck_assert_msg(strstr(out, "killed") && strstr(out, "stillborn counted"), "%s", out);
}
END_TEST

START_TEST(test_mutation_rejects_bad_usage) {
  static char out[4096];
  char cmd[700];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --files sim/no-such-dir --list 2>&1",
           mm_test_path("suites/mutation.py"));
  int rc = sh(cmd, out, sizeof out);
  ck_assert_msg(rc != 0 && strstr(out, "no-such-dir"), "exit %d:\n%s", rc, out);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --only no:such:mutant:1 --no-sim 2>&1",
           mm_test_path("suites/mutation.py"));
  rc = sh(cmd, out, sizeof out);
  ck_assert_msg(rc == 2 && strstr(out, "no such mutant"), "exit %d:\n%s", rc, out);
}
END_TEST

Suite *suite_mutation(void) {
  Suite *s = suite_create("mutation");
  TCase *tc = tcase_create("mutation");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_mutation_harness_kills_and_counts_stillborn, "SIG-3");
  MM_ADD_TEST(tc, test_mutation_rejects_bad_usage, "-");
  suite_add_tcase(s, tc);
  return s;
}

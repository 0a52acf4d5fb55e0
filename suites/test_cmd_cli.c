/* The shared option handling of every verb (sim/cli/cli.c, main.c) and the
 * codec verbs' options (cmd_codec.c), through the binary: --name=value as
 * well as --name value, -h and help, numbers that overflow or carry signs,
 * suites out of range. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_exec.h"
#include "testlib.h"

START_TEST(test_cmd_cli_options) {
  static const struct {
    const char *args, *err;
    int rc;
  } cases[] = {
      {"decode --type=envelope --suite=0x0001 --max-state=lots 00", "--max-state wants", 2},
      {"decode --type envelope --max-state -1 00", "--max-state wants", 2},
      {"decode --type envelope --max-state +1 00", "--max-state wants", 2},
      {"decode --type envelope --max-state 99999999999999999999999 00", "--max-state", 2},
      {"decode --type envelope --max-state 12x 00", "--max-state wants", 2},
      {"decode --type envelope --suite 0x10001 00", "unknown ciphersuite", 2},
      {"decode --type envelope --suite 9 00", "unknown ciphersuite", 2},
      {"decode --type envelope 00 11", "unexpected argument '11'", 2},
      {"decode --type envelope", "missing HEX", 2},
      {"decode --type envelope --suite", "--suite", 2},
      {"decode --type migration_request 0f", "malformed", 1},
      {"encode --type migration_request", "stdin is not JSON", 1},
      {"list", "usage", 2},
      {"list rules extra", "unexpected argument", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == cases[i].rc, "%s: rc %d (%s)", cases[i].args, r.rc, r.err);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  static const char *const ok[] = {"--version", "decode -h", "encode help", "list help"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    cli_out r = cli_exec(ok[i]);
    ck_assert_msg(r.rc == 0, "%s: rc %d", ok[i], r.rc);
  }
}
END_TEST

/* Hex on stdin larger than the first read buffer (4 KiB) grows it. */
START_TEST(test_cmd_cli_large_stdin) {
  char path[] = "/tmp/mlsmig-stdin-XXXXXX";
  int fd = mkstemp(path);
  ck_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < 6000; i++) fputs("00", f); /* 12000 hex digits */
  fclose(f);
  char args[256];
  snprintf(args, sizeof args, "decode --type migration_request - < %s", path);
  cli_out r = cli_exec(args);
  unlink(path);
  ck_assert_int_eq(r.rc, 1); /* read in full, then refused as a request */
  ck_assert_ptr_nonnull(strstr(r.err, "malformed"));
}
END_TEST

/* bench's options (the benchmark itself runs in `make bench`: too slow for
 * the suites). */
START_TEST(test_cmd_cli_bench_usage) {
  static const struct {
    const char *args, *err;
  } cases[] = {
      {"bench --suite 9", "unknown ciphersuite '9'"},
      {"bench --suite", "--suite"},
      {"bench --json", "--json"},
      {"bench --slow", "unexpected argument"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == 2, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  cli_out r = cli_exec("bench --help");
  ck_assert_int_eq(r.rc, 0);
}
END_TEST

Suite *suite_cmd_cli(void) {
  Suite *s = suite_create("cmd_cli");
  TCase *tc = tcase_create("cmd_cli");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_cmd_cli_options, "-");
  MM_ADD_TEST(tc, test_cmd_cli_bench_usage, "-");
  MM_ADD_TEST(tc, test_cmd_cli_large_stdin, "-");
  suite_add_tcase(s, tc);
  return s;
}

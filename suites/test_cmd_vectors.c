/* `mlsmig vectors` (sim/cli/cmd_vectors.c): generate writes the published
 * files byte for byte from seed 1 (what `make vectors-check` relies on),
 * and every usage error says what is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_exec.h"
#include "testlib.h"

START_TEST(test_cmd_vectors_generate) {
  char dir[] = "/tmp/mlsmig-vgen-XXXXXX", args[512];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(args, sizeof args, "vectors generate --out %s --seed 1", dir);
  cli_out r = cli_exec(args);
  ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc, r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "(seed 1)"));
  /* the committed file is what seed 1 gives */
  snprintf(args, sizeof args, "cmp -s %s/codec.json %s && cmp -s %s/crypto.json %s", dir,
           mm_test_path("vectors/codec.json"), dir, mm_test_path("vectors/crypto.json"));
  ck_assert_msg(system(args) == 0, "regenerated vectors differ from vectors/");
  snprintf(args, sizeof args, "vectors verify %s/codec.json", dir);
  r = cli_exec(args);
  ck_assert_int_eq(r.rc, 0);
  snprintf(args, sizeof args, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(args), 0);
}
END_TEST

START_TEST(test_cmd_vectors_usage) {
  static const struct {
    const char *args, *err;
    int rc;
  } cases[] = {
      {"vectors", "usage", 2},
      {"vectors frob", "unknown subcommand 'frob'", 2},
      {"vectors verify", "at least one FILE", 2},
      {"vectors generate --out /nonexistent/dir", "is not a directory", 2},
      {"vectors generate --seed x", "--seed wants an integer", 2},
      {"vectors generate --seed", "--seed", 2},
      {"vectors generate --out", "--out", 2},
      {"vectors generate --bogus", "unexpected argument", 2},
      {"vectors verify /nonexistent.json", "", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_out r = cli_exec(cases[i].args);
    ck_assert_msg(r.rc == cases[i].rc, "%s: rc %d", cases[i].args, r.rc);
    ck_assert_msg(strstr(r.err, cases[i].err) != NULL, "%s: %s", cases[i].args, r.err);
  }
  static const char *const help[] = {"vectors --help", "vectors verify x --help",
                                     "vectors generate -h"};
  for (size_t i = 0; i < sizeof help / sizeof help[0]; i++) {
    cli_out r = cli_exec(help[i]);
    ck_assert_msg(r.rc == 0 && strstr(r.out, "usage"), "%s: rc %d", help[i], r.rc);
  }
}
END_TEST

Suite *suite_cmd_vectors(void) {
  Suite *s = suite_create("cmd_vectors");
  TCase *tc = tcase_create("cmd_vectors");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_cmd_vectors_generate, "-");
  MM_ADD_TEST(tc, test_cmd_vectors_usage, "-");
  suite_add_tcase(s, tc);
  return s;
}

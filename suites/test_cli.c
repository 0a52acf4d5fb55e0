/* The mlsmig command as a user meets it: exit codes (0 success, 1 rejected
 * input or failed check, 2 usage), exact error lines, --help on every verb.
 * Runs the binary named by MLSMIG_CLI (set by `make check`). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_io.h"
#include "testlib.h"

typedef struct {
  int rc;
  char out[65536], err[2048];
} cli_result;

static void slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
  buf[n] = '\0';
  if (f) fclose(f);
  unlink(path);
}

/* Runs `mlsmig ARGS` with `input` on stdin (NULL: empty). */
static cli_result cli(const char *args, const char *input) {
  const char *bin = getenv("MLSMIG_CLI");
  if (!bin || !*bin) bin = "build/mlsmig";
  char in[] = "/tmp/mlsmig-cli-in-XXXXXX", out[] = "/tmp/mlsmig-cli-out-XXXXXX",
       err[] = "/tmp/mlsmig-cli-err-XXXXXX";
  int fi = mkstemp(in), fo = mkstemp(out), fe = mkstemp(err);
  ck_assert(fi >= 0 && fo >= 0 && fe >= 0);
  if (input) ck_assert(write(fi, input, strlen(input)) == (ssize_t)strlen(input));
  close(fi), close(fo), close(fe);
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s < %s > %s 2> %s", bin, args, in, out, err);
  int st = system(cmd);
  cli_result r;
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  slurp(out, r.out, sizeof r.out);
  slurp(err, r.err, sizeof r.err);
  unlink(in);
  return r;
}

START_TEST(test_cli_help_everywhere) {
  static const char *verbs[] = {"", "decode", "encode", "vectors", "sim", "list"};
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
    char args[64];
    snprintf(args, sizeof args, "%s --help", verbs[i]);
    cli_result r = cli(args, NULL);
    ck_assert_msg(r.rc == 0 && strstr(r.out, "usage") != NULL, "%s: rc %d", args, r.rc);
  }
  cli_result r = cli("", NULL);
  ck_assert_int_eq(r.rc, 2);
  r = cli("frobnicate", NULL);
  ck_assert_int_eq(r.rc, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "unknown verb"));
  r = cli("version", NULL);
  ck_assert_int_eq(r.rc, 0);
}
END_TEST

START_TEST(test_cli_decode_errors_name_rule_and_offset) {
  /* group_id's length 0x4004 is the 2-byte form of 4: non-minimal. */
  cli_result r = cli("decode --type migration_commit_aad 4004616263", NULL);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_str_eq(r.err,
                   "error: malformed (ENC-1): non-minimal length at offset 0, field "
                   "target_ds_domain\n");
  r = cli("decode --type migration_commit_aad 03616263ff", NULL);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_str_eq(r.err, "error: malformed (ENC-2): trailing bytes at offset 4\n");
  r = cli("decode --type migration_commit_aad 03414243", NULL);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.err, "(ENC-4)"));
  r = cli("decode --type migration_commit_aad xyz", NULL);
  ck_assert_int_eq(r.rc, 1);
  r = cli("decode --type nosuchtype 00", NULL);
  ck_assert_int_eq(r.rc, 2);
  r = cli("decode 00", NULL);
  ck_assert_int_eq(r.rc, 2);
  r = cli("decode --type envelope --suite 99 00", NULL);
  ck_assert_int_eq(r.rc, 2);
}
END_TEST

START_TEST(test_cli_decode_encode_round_trip) {
  cli_result r = cli("decode --type migration_commit_aad -", " 03 61 62 63\n");
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "\"target_ds_domain\": \"616263\""));
  cli_result e = cli("encode --type migration_commit_aad", r.out);
  ck_assert_int_eq(e.rc, 0);
  ck_assert_str_eq(e.out, "03616263\n");
  e = cli("encode --type migration_commit_aad", "{\"target_ds_domain\": \"41\"}");
  ck_assert_int_eq(e.rc, 1);
  ck_assert_ptr_nonnull(strstr(e.err, "(ENC-4)"));
  e = cli("encode --type migration_commit_aad", "{\"target_ds_domain\": \"61\", \"x\": 1}");
  ck_assert_int_eq(e.rc, 1);
  e = cli("encode --type migration_commit_aad", "not json");
  ck_assert_int_eq(e.rc, 1);
}
END_TEST

START_TEST(test_cli_vectors_verify) {
  cli_result r = cli("vectors verify vectors/external/mlswg/crypto-basics.json", NULL);
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "suites 1 2 3 4 5 6 7"));
  ck_assert_ptr_nonnull(strstr(r.out, " passed, 0 failed"));
  r = cli("vectors verify /nonexistent.json", NULL);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(r.out, "FAIL"));
  r = cli("vectors verify", NULL);
  ck_assert_int_eq(r.rc, 2);
  r = cli("vectors frob", NULL);
  ck_assert_int_eq(r.rc, 2);
}
END_TEST

START_TEST(test_cli_sim_and_list) {
  cli_result r = cli("sim --scenario happy --suite 1", NULL);
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "outcome: completed"));
  r = cli("sim --scenario happy --suite 3 --json", NULL);
  ck_assert_int_eq(r.rc, 0);
  json_error_t je;
  json_t *j = json_loads(r.out, 0, &je);
  ck_assert_msg(j != NULL, "sim --json is not JSON: %s", je.text);
  json_decref(j);
  r = cli("sim --scenario happy --suite 1 --mutant early-confirm", NULL);
  ck_assert_int_eq(r.rc, 1);
  static const char *bad[] = {"sim",
                              "sim --scenario happy --suite 8",
                              "sim --scenario happy --seed -1",
                              "sim --scenario happy --members 0",
                              "sim --scenario happy --mutant nope",
                              "sim --scenario happy --seed"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = cli(bad[i], NULL);
    ck_assert_msg(r.rc == 2, "'%s' gave %d", bad[i], r.rc);
  }
  static const char *lists[] = {"list rules", "list mutants", "list tests"};
  for (size_t i = 0; i < 3; i++) {
    r = cli(lists[i], NULL);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_gt(strlen(r.out), 100);
  }
  ck_assert_int_eq(cli("list nope", NULL).rc, 2);
}
END_TEST

/* ENC-1: decode prints, and encode reads, every epoch exactly, up to 2^64-1;
 * 2^64, negatives, fractions and exponents are refused with a reason. */
START_TEST(test_cli_decode_encode_u64_edges) {
  static const struct {
    const char *dec, *hex;
  } edges[] = {
      {"0", "0000000000000000"},
      {"9223372036854775807", "7fffffffffffffff"},
      {"9223372036854775808", "8000000000000000"},
      {"18446744073709551615", "ffffffffffffffff"},
  };
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    char args[200], want[128], hex[120];
    snprintf(hex, sizeof hex, "06612e7465737406622e74657374026731%s", edges[i].hex);
    snprintf(args, sizeof args, "decode --type migration_request %s", hex);
    cli_result r = cli(args, NULL);
    ck_assert_msg(r.rc == 0, "%s: %s", edges[i].dec, r.err);
    snprintf(want, sizeof want, "\"epoch\": %s\n", edges[i].dec);
    ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
    cli_result e = cli("encode --type migration_request", r.out);
    ck_assert_int_eq(e.rc, 0);
    snprintf(want, sizeof want, "%s\n", hex);
    ck_assert_str_eq(e.out, want);
  }
  static const struct {
    const char *epoch, *err;
  } bad[] = {
      {"18446744073709551616", "error: stdin is not JSON: integer above 2^64-1"},
      {"-1", "error: bad JSON for migration_request: \"epoch\" out of range"},
      {"-0", "error: stdin is not JSON: negative zero is not an integer"},
      {"1.5", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
      {"1e3", "\"epoch\" must be an integer (digits, no fraction or exponent)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char in[300];
    snprintf(in, sizeof in,
             "{\"source_domain_name\": \"61\", \"target_domain_name\": \"62\", "
             "\"group_id\": \"67\", \"epoch\": %s}",
             bad[i].epoch);
    cli_result e = cli("encode --type migration_request", in);
    ck_assert_msg(e.rc == 1 && strstr(e.err, bad[i].err) != NULL, "%s: rc %d, %s", bad[i].epoch,
                  e.rc, e.err);
  }
}
END_TEST

/* ENC-1: a transcript and a campaign summary print a seed of 2^64-1
 * exactly; 2^64 is a usage error. */
START_TEST(test_cli_sim_json_u64_seed) {
  cli_result r = cli("sim --scenario happy --suite 1 --seed 18446744073709551615 --json", NULL);
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "\"seed\": 18446744073709551615,"));
  json_error_t je;
  json_t *j = mm_json_loads(r.out, 0, &je);
  ck_assert_msg(j != NULL, "%s", je.text);
  uint64_t seed = 0;
  ck_assert(mm_json_u64_value(json_object_get(j, "seed"), &seed) && seed == UINT64_MAX);
  json_decref(j);
  r = cli("sim --campaign 2 --suite 1 --seed 18446744073709551615 --json", NULL);
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "\"seed\": 18446744073709551615,"));
  r = cli("sim --scenario happy --seed 18446744073709551616", NULL);
  ck_assert_int_eq(r.rc, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "0..2^64-1"));
  /* a scenario file's seed has the same range */
  char path[] = "/tmp/mlsmig-cli-scn-XXXXXX";
  int fd = mkstemp(path);
  ck_assert(fd >= 0);
  static const char scn[] =
      "name big-seed\nseed 18446744073709551615\nmigrate\n"
      "expect result completed\n";
  ck_assert(write(fd, scn, sizeof scn - 1) == (ssize_t)(sizeof scn - 1));
  close(fd);
  char args[200];
  snprintf(args, sizeof args, "sim --scenario %s --json", path);
  r = cli(args, NULL);
  unlink(path);
  ck_assert_msg(r.rc == 0, "%s", r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "\"seed\": 18446744073709551615,"));
}
END_TEST

Suite *suite_cli(void) {
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_cli_help_everywhere, "-");
  MM_ADD_TEST(tc, test_cli_decode_errors_name_rule_and_offset, "ENC-1 ENC-2 ENC-4");
  MM_ADD_TEST(tc, test_cli_decode_encode_round_trip, "ENC-3 ENC-4");
  MM_ADD_TEST(tc, test_cli_decode_encode_u64_edges, "ENC-1");
  MM_ADD_TEST(tc, test_cli_sim_json_u64_seed, "ENC-1");
  MM_ADD_TEST(tc, test_cli_vectors_verify, "-");
  MM_ADD_TEST(tc, test_cli_sim_and_list, "LIFE-2");
  suite_add_tcase(s, tc);
  return s;
}

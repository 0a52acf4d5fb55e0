/* The published vectors (vectors/NAME.json): the committed files verify, they
 * are exactly what the generator writes, and changing any one value in them
 * makes verification fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors.h"

static const struct {
  const char *path, *format;
  json_t *(*gen)(uint64_t);
} files[] = {
    {"vectors/crypto.json", "mlsmig crypto", mm_vg_crypto},
    {"vectors/codec.json", "mlsmig codec", mm_vg_codec},
    {"vectors/migration.json", "mlsmig migration", mm_vg_migration},
    {"vectors/negative.json", "mlsmig negative", mm_vg_negative},
};
#define NFILES ((int)(sizeof files / sizeof files[0]))

static json_t *load(const char *path) {
  json_error_t jerr;
  json_t *root = mm_json_load_file(mm_test_path(path), JSON_REJECT_DUPLICATES, &jerr);
  ck_assert_msg(root != NULL, "%s: %s", path, jerr.text);
  return root;
}

START_TEST(test_committed_file_verifies) {
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_file(mm_test_path(files[_i].path), &r), MM_OK);
  ck_assert_str_eq(r.format, files[_i].format);
  ck_assert_msg(r.failed == 0, "%s: %s", files[_i].path, r.first_failure);
  ck_assert_uint_gt(r.passed, 0);
  ck_assert_uint_eq(r.suites_seen, 0x7f); /* all seven suites */
}
END_TEST

START_TEST(test_committed_file_is_generated) {
  json_t *root = load(files[_i].path);
  json_t *want = files[_i].gen(MM_VG_DEFAULT_SEED);
  ck_assert_ptr_nonnull(want);
  ck_assert_msg(json_equal(root, want),
                "%s differs from the generator's output: "
                "run make vectors",
                files[_i].path);
  json_decref(want);
  json_decref(root);
}
END_TEST

/* ---- tampering ---- */

/* Every string and integer leaf of a JSON value, in document order. */
typedef struct leaves {
  json_t **v;
  size_t n, cap;
} leaves;

static void collect(json_t *j, leaves *l) {
  if (json_is_string(j) || json_is_integer(j)) {
    if (l->n == l->cap) {
      l->cap = l->cap ? 2 * l->cap : 1024;
      l->v = realloc(l->v, l->cap * sizeof *l->v);
      ck_assert_ptr_nonnull(l->v);
    }
    l->v[l->n++] = j;
  } else if (json_is_array(j)) {
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e) collect(e, l);
  } else if (json_is_object(j)) {
    const char *k;
    json_t *e;
    json_object_foreach(j, k, e) collect(e, l);
  }
}

/* Changes one leaf in place (one hex digit, one character or +1); returns
 * an undo copy. */
static json_t *tamper(json_t *leaf) {
  json_t *undo = json_copy(leaf);
  if (json_is_integer(leaf)) {
    json_integer_set(leaf, json_integer_value(leaf) + 1);
    return undo;
  }
  size_t n = json_string_length(leaf);
  char *s = malloc(n + 2);
  ck_assert_ptr_nonnull(s);
  memcpy(s, json_string_value(leaf), n + 1);
  if (n == 0) {
    s[0] = '0', s[1] = '0', s[2] = 0; /* one more byte */
  } else {
    char *c = &s[n / 2]; /* a byte in the middle */
    *c = *c == '0' ? '1' : '0';
  }
  json_string_set(leaf, s);
  free(s);
  return undo;
}

static void restore(json_t *leaf, json_t *undo) {
  if (json_is_integer(leaf))
    json_integer_set(leaf, json_integer_value(undo));
  else
    json_string_set(leaf, json_string_value(undo));
  json_decref(undo);
}

START_TEST(test_tampered_value_fails) {
  json_t *root = load(files[_i].path);
  leaves l = {0};
  collect(root, &l);
  ck_assert_uint_gt(l.n, 8);
  /* Eight leaves spread over the file, first and last included (each
   * verification replays every run, so more would only slow the suite). */
  for (size_t k = 0; k < 8; k++) {
    size_t at = k * (l.n - 1) / 7;
    json_t *undo = tamper(l.v[at]);
    mm_vresult r;
    mm_err e = mm_vectors_verify_json(root, &r);
    ck_assert_msg(e != MM_OK || r.failed > 0, "%s: changing leaf %zu went unnoticed",
                  files[_i].path, at);
    restore(l.v[at], undo);
  }
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_json(root, &r), MM_OK);
  ck_assert_msg(r.failed == 0, "after undoing: %s", r.first_failure);
  free(l.v);
  json_decref(root);
}
END_TEST

/* ---- each verifier's own checks (they run before the comparison with a
 * regeneration, so the first failure reported is theirs) ---- */

static json_t *at_path(json_t *root, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *j = root;
  for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok && j;
       tok = strtok_r(NULL, "/", &save))
    j = json_is_array(j) ? json_array_get(j, strtoul(tok, NULL, 10)) : json_object_get(j, tok);
  ck_assert_msg(j != NULL, "no %s", path);
  return j;
}

/* Replaces the value at path, verifies, and expects `why` in the first failure. */
static void expect_failure(const char *file, const char *path, json_t *value, const char *why) {
  json_t *root = load(file);
  char parent[256];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  ck_assert_ptr_nonnull(slash);
  *slash = 0;
  json_t *p = at_path(root, parent);
  if (json_is_array(p))
    json_array_set_new(p, strtoul(slash + 1, NULL, 10), value);
  else
    json_object_set_new(p, slash + 1, value);
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_json(root, &r), MM_OK);
  ck_assert_uint_gt(r.failed, 0);
  ck_assert_msg(strstr(r.first_failure, why) != NULL, "%s %s: first failure '%s', want '%s'", file,
                path, r.first_failure, why);
  json_decref(root);
}

/* A signature of another content: verifies nowhere. */
START_TEST(test_crypto_signature_rederived) {
  json_t *root = load("vectors/crypto.json");
  json_t *other = json_copy(at_path(root, "0/sign_with_label/1/signature"));
  json_decref(root);
  expect_failure("vectors/crypto.json", "0/sign_with_label/0/signature", other, "does not verify");
  expect_failure("vectors/crypto.json", "3/ref_hash/out",
                 json_string("00000000000000000000000000000000000000000000000000000000000000000000"
                             "000000000000000000000000000000000000000000000000000000000000"),
                 "ref_hash: output differs");
}
END_TEST

START_TEST(test_codec_rule_rederived) {
  /* tcId 2 is an ENC-1 case (non-minimal length of migration_request). */
  expect_failure("vectors/codec.json", "0/tests/1/rule", json_string("ENC-2"),
                 "want rejection under ENC-2");
  expect_failure("vectors/codec.json", "0/tests/0/fields/epoch", json_integer(1),
                 "decoded fields differ");
}
END_TEST

START_TEST(test_migration_replayed) {
  json_t *root = load("vectors/migration.json");
  /* message 2 of suite 1 is the MigrationInit: one bit of its signature. */
  const char *hex = json_string_value(at_path(root, "0/messages/2/envelope"));
  char *bad = strdup(hex);
  size_t n = strlen(bad);
  bad[n - 1] = bad[n - 1] == '0' ? '1' : '0';
  json_decref(root);
  expect_failure("vectors/migration.json", "0/messages/2/envelope", json_string(bad),
                 "message 2 (migration_init): bad signature");
  free(bad);
  expect_failure("vectors/migration.json", "0/final_state/target.example/epoch", json_integer(1),
                 "final_state differs from the replay");
}
END_TEST

START_TEST(test_negative_verdict_replayed) {
  expect_failure("vectors/negative.json", "0/tests/0/code", json_string("busy"), "want busy");
  expect_failure("vectors/negative.json", "0/tests/0/prefix", json_integer(99), "cannot replay");
}
END_TEST

/* ENC-1: the vector readers take uint64 fields over the whole range: a
 * migration entry's seed, and a valid codec vector whose epoch is 2^64-1
 * (its fields decode to equal JSON and encode back to the same bytes). */
START_TEST(test_vectors_u64_fields) {
  static const struct {
    const char *seed;
    uint64_t want;
  } seeds[] = {{"0", 0},
               {"9223372036854775807", INT64_MAX},
               {"9223372036854775808", (uint64_t)INT64_MAX + 1},
               {"18446744073709551615", UINT64_MAX}};
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    char text[300];
    snprintf(text, sizeof text,
             "[{\"cipher_suite\":1,\"seed\":%s,\"config\":{\"state_bytes\":1024,"
             "\"members\":3,\"latency_ms\":5,\"commit_wire_format\":1}}]",
             seeds[i].seed);
    json_error_t jerr;
    json_t *root = mm_json_loads(text, 0, &jerr);
    ck_assert_msg(root != NULL, "%s", jerr.text);
    mm_sim_config cfg;
    uint64_t seed = 1;
    ck_assert(mm_vg_config_from_json(json_array_get(root, 0), &cfg) && cfg.seed == seeds[i].want);
    ck_assert(mm_vg_seed_of(root, &seed) && seed == seeds[i].want);
    /* and the config prints back with the same numbers */
    json_t *back = mm_vg_config_json(&cfg);
    char *out = mm_json_dumps(back, JSON_COMPACT);
    ck_assert_str_eq(out,
                     "{\"state_bytes\":1024,\"members\":3,\"latency_ms\":5,"
                     "\"commit_wire_format\":1}");
    free(out);
    json_decref(back);
    json_decref(root);
  }
  json_error_t jerr;
  json_t *neg = mm_json_loads("[{\"seed\":-1}]", 0, &jerr);
  uint64_t seed;
  ck_assert(!mm_vg_seed_of(neg, &seed));
  json_decref(neg);
  json_t *root = mm_json_loads(
      "[{\"type\":\"migration_request\",\"seed\":\"none\",\"state_bytes\":1024,\"tests\":["
      "{\"tcId\":1,\"comment\":\"epoch 2^64-1\",\"cipher_suite\":1,"
      "\"encoding\":\"06612e7465737406622e74657374026731ffffffffffffffff\",\"result\":\"valid\","
      "\"flags\":[],\"fields\":{\"source_domain_name\":\"612e74657374\","
      "\"target_domain_name\":\"622e74657374\",\"group_id\":\"6731\","
      "\"epoch\":18446744073709551615}}]}]",
      JSON_REJECT_DUPLICATES, &jerr);
  ck_assert_msg(root != NULL, "%s", jerr.text);
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_json(root, &r), MM_OK);
  ck_assert_str_eq(r.format, "mlsmig codec");
  /* every check of the vector passes; only the made-up file's seed fails */
  ck_assert_uint_eq(r.failed, 1);
  ck_assert_uint_ge(r.passed, 3);
  ck_assert_msg(strstr(r.first_failure, "no seed") != NULL, "%s", r.first_failure);
  json_decref(root);
}
END_TEST

Suite *suite_vectors(void) {
  Suite *s = suite_create("vectors");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  MM_ADD_LOOP_TEST(tc, test_committed_file_verifies,
                   "ENC-1 ENC-2 ENC-3 ENC-4 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-1", 0, NFILES);
  MM_ADD_LOOP_TEST(tc, test_committed_file_is_generated, "-", 0, NFILES);
  MM_ADD_LOOP_TEST(tc, test_tampered_value_fails, "-", 0, NFILES);
  MM_ADD_TEST(tc, test_crypto_signature_rederived, "SIG-1 SIG-2 HASH-1");
  MM_ADD_TEST(tc, test_codec_rule_rederived, "ENC-1 ENC-3");
  MM_ADD_TEST(tc, test_migration_replayed, "SIG-2 LIFE-6");
  MM_ADD_TEST(tc, test_negative_verdict_replayed, "DOM-1");
  MM_ADD_TEST(tc, test_vectors_u64_fields, "ENC-1");
  suite_add_tcase(s, tc);
  return s;
}

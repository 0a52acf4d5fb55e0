/* The MLS working group's vectors verify, in every suite, and any tampered
 * vector fails (sim/vectors/vectors_mlswg.c). */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "vectors/vectors.h"

#define DIR "vectors/external/mlswg/"

static json_t *load(const char *name) {
  json_error_t e;
  json_t *j = json_load_file(name, 0, &e);
  ck_assert_msg(j != NULL, "%s: %s", name, e.text);
  return j;
}

static mm_vresult verify(const json_t *j) {
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_json(j, &r), MM_OK);
  return r;
}

START_TEST(test_mlswg_files_pass) {
  static const struct {
    const char *file, *format;
    unsigned suites;
  } files[] = {
      {DIR "crypto-basics.json", "mlswg crypto-basics", 0x7f},
      {DIR "deserialization.json", "mlswg deserialization", 0},
      {DIR "messages-framing.json", "mlswg messages", 0},
      {DIR "message-protection.json", "mlswg message-protection", 0x7f},
      {DIR "messages.json", "mlswg messages (all structures)", 0x07},
      {DIR "tree-validation.json", "mlswg tree-validation", 0x7f},
      {DIR "tree-operations.json", "mlswg tree-operations", 0x01},
      {DIR "welcome.json", "mlswg welcome", 0x7f},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    mm_vresult r;
    ck_assert_int_eq(mm_vectors_verify_file(files[i].file, &r), MM_OK);
    ck_assert_str_eq(r.format, files[i].format);
    ck_assert_msg(r.failed == 0, "%s: %s", files[i].file, r.first_failure);
    ck_assert_uint_gt(r.passed, 0);
    ck_assert_uint_eq(r.suites_seen & files[i].suites, files[i].suites);
  }
}
END_TEST

/* Flip the last hex digit of a string field of entry `idx`, section `sec`
 * (NULL: the entry itself). */
static void tamper(json_t *root, size_t idx, const char *sec, const char *key) {
  json_t *o = json_array_get(root, idx);
  if (sec) o = json_object_get(o, sec);
  const char *s = json_string_value(json_object_get(o, key));
  ck_assert_ptr_nonnull(s);
  char *t = strdup(s);
  size_t n = strlen(t);
  t[n - 1] = t[n - 1] == '0' ? '1' : '0';
  json_object_set_new(o, key, json_string(t));
  free(t);
}

START_TEST(test_tampered_crypto_basics_fail) {
  static const struct {
    const char *sec, *key;
  } fields[] = {{"sign_with_label", "signature"},
                {"sign_with_label", "content"},
                {"sign_with_label", "pub"},
                {"sign_with_label", "priv"},
                {"ref_hash", "out"},
                {"ref_hash", "value"}};
  for (size_t suite = 0; suite < 7; suite++)
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
      json_t *j = load(DIR "crypto-basics.json");
      tamper(j, suite, fields[f].sec, fields[f].key);
      mm_vresult r = verify(j);
      ck_assert_msg(r.failed > 0, "suite %zu %s.%s tampered but passed", suite + 1, fields[f].sec,
                    fields[f].key);
      json_decref(j);
    }
  json_t *j = load(DIR "crypto-basics.json");
  json_object_set_new(json_object_get(json_array_get(j, 0), "sign_with_label"), "label",
                      json_string("SignWithLabeL"));
  ck_assert_uint_gt(verify(j).failed, 0);
  json_decref(j);
}
END_TEST

START_TEST(test_tampered_framing_fails) {
  json_t *j = load(DIR "deserialization.json");
  json_object_set_new(json_array_get(j, 5), "length", json_integer(256));
  ck_assert_uint_gt(verify(j).failed, 0);
  json_decref(j);

  j = load(DIR "messages-framing.json");
  tamper(j, 3, NULL, "public_message_commit"); /* in the unparsed rest: still decodes */
  json_t *e = json_array_get(j, 3);
  const char *s = json_string_value(json_object_get(e, "private_message"));
  char *t = malloc(strlen(s) + 3);
  strcpy(t, s);
  strcat(t, "00"); /* a trailing byte */
  json_object_set_new(e, "private_message", json_string(t));
  free(t);
  ck_assert_uint_gt(verify(j).failed, 0);
  json_decref(j);

  j = load(DIR "message-protection.json");
  json_object_set_new(json_array_get(j, 2), "epoch", json_integer(1));
  ck_assert_uint_gt(verify(j).failed, 0);
  json_decref(j);
}
END_TEST

/* The file as a one-entry file of entry i (verifying the rest again would
 * only cost time). */
static json_t *only(json_t *root, size_t i) {
  json_t *a = json_array();
  json_array_append(a, json_array_get(root, i));
  json_decref(root);
  return a;
}

/* Appends hex digits to a string field of entry idx (section sec). */
static void append(json_t *root, size_t idx, const char *sec, const char *key, const char *hex) {
  json_t *o = json_array_get(root, idx);
  if (sec) o = json_object_get(o, sec);
  const char *s = json_string_value(json_object_get(o, key));
  ck_assert_ptr_nonnull(s);
  char *t = malloc(strlen(s) + strlen(hex) + 1);
  strcpy(t, s);
  strcat(t, hex);
  json_object_set_new(o, key, json_string(t));
  free(t);
}

/* messages.json: every field of an entry, with one byte more (ENC-2), or
 * its first length made non-minimal where it starts with one (ENC-1). */
START_TEST(test_tampered_messages_fail) {
  json_t *j = only(load(DIR "messages.json"), 9);
  ck_assert_uint_eq(verify(j).failed, 0);
  const char *key;
  json_t *val;
  json_t *e = json_array_get(j, 0);
  size_t n = 0;
  json_object_foreach(e, key, val) {
    json_t *c = json_deep_copy(j);
    append(c, 0, NULL, key, "00");
    mm_vresult r = verify(c);
    ck_assert_msg(r.failed == 1, "messages.json entry 9 %s with a trailing byte: %zu failures", key,
                  r.failed);
    json_decref(c);
    n++;
  }
  ck_assert_uint_eq(n, 17);
  json_decref(j);
}
END_TEST

START_TEST(test_tampered_trees_fail) {
  for (size_t i = 0; i < 98; i += 13) { /* entries of every suite */
    json_t *j = only(load(DIR "tree-validation.json"), i);
    ck_assert_uint_eq(verify(j).failed, 0);
    json_decref(j);
    j = only(load(DIR "tree-validation.json"), i);
    tamper(j, 0, NULL, "tree"); /* the last leaf's signature */
    ck_assert_msg(verify(j).failed > 0, "tree-validation %zu: tampered tree passed", i);
    json_decref(j);
    j = only(load(DIR "tree-validation.json"), i);
    json_t *h = json_object_get(json_array_get(j, 0), "tree_hashes");
    char *t = strdup(json_string_value(json_array_get(h, 0)));
    t[0] = t[0] == '0' ? '1' : '0';
    json_array_set_new(h, 0, json_string(t));
    free(t);
    ck_assert_uint_gt(verify(j).failed, 0);
    json_decref(j);
    j = only(load(DIR "tree-validation.json"), i);
    json_t *res = json_object_get(json_array_get(j, 0), "resolutions");
    json_array_set_new(res, 0, json_pack("[i]", 1));
    ck_assert_uint_gt(verify(j).failed, 0);
    json_decref(j);
  }
  for (size_t i = 0; i < 5; i++) {
    json_t *j = load(DIR "tree-operations.json");
    tamper(j, i, NULL, "tree_hash_after");
    ck_assert_uint_gt(verify(j).failed, 0);
    json_decref(j);
    j = load(DIR "tree-operations.json");
    tamper(j, i, NULL, "tree_after");
    ck_assert_uint_gt(verify(j).failed, 0);
    json_decref(j);
  }
  /* the Update applied for another sender */
  json_t *j = load(DIR "tree-operations.json");
  json_object_set_new(json_array_get(j, 2), "proposal_sender", json_integer(1));
  ck_assert_uint_gt(verify(j).failed, 0);
  json_decref(j);
}
END_TEST

START_TEST(test_tampered_welcome_fails) {
  /* signer_pub is only checked to be a key of the suite: the GroupInfo it
   * signs is encrypted (so a tampered one may still be a valid key) */
  static const char *const keys[] = {"init_priv", "key_package"};
  for (size_t i = 0; i < 7; i++) {
    for (size_t k = 0; k < 2; k++) {
      json_t *j = load(DIR "welcome.json");
      tamper(j, i, NULL, keys[k]);
      ck_assert_msg(verify(j).failed > 0, "welcome suite %zu %s tampered but passed", i + 1,
                    keys[k]);
      json_decref(j);
    }
    /* the Welcome's KeyPackageRef (after version, wire format, suite and
     * two length headers); the rest of a Welcome is ciphertext */
    json_t *j = load(DIR "welcome.json");
    json_t *e = json_array_get(j, i);
    char *t = strdup(json_string_value(json_object_get(e, "welcome")));
    t[20] = t[20] == '0' ? '1' : '0';
    json_object_set_new(e, "welcome", json_string(t));
    free(t);
    ck_assert_msg(verify(j).failed > 0, "welcome suite %zu: a changed KeyPackageRef passed", i + 1);
    json_decref(j);
  }
}
END_TEST

START_TEST(test_unknown_format_rejected) {
  json_t *j = json_pack("[{s:i}]", "what", 1);
  mm_vresult r;
  ck_assert_int_eq(mm_vectors_verify_json(j, &r), MM_E_MALFORMED);
  json_decref(j);
  ck_assert_int_eq(mm_vectors_verify_file("/nonexistent/file.json", &r), MM_E_IO);
}
END_TEST

Suite *suite_vectors_mlswg(void) {
  Suite *s = suite_create("vectors_mlswg");
  TCase *tc = tcase_create("mlswg");
  tcase_set_timeout(tc, 240);
  MM_ADD_TEST(tc, test_mlswg_files_pass, "SUITE-1 ENC-1 ENC-3 HASH-1 MLS-2");
  MM_ADD_TEST(tc, test_tampered_crypto_basics_fail, "SUITE-1 SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-1");
  MM_ADD_TEST(tc, test_tampered_framing_fails, "ENC-1 ENC-2");
  MM_ADD_TEST(tc, test_tampered_messages_fail, "ENC-1 ENC-2 ENC-3");
  MM_ADD_TEST(tc, test_tampered_trees_fail, "MLS-2");
  MM_ADD_TEST(tc, test_tampered_welcome_fails, "ENC-4 MLS-2");
  MM_ADD_TEST(tc, test_unknown_format_rejected, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* Verifier of vectors/codec.json: every valid encoding decodes to the stated
 * fields and re-encodes byte for byte (ENC-3), both from the decoded struct
 * and from the JSON fields; every invalid one is rejected with the stated
 * rule; and the file is what its seed generates. */
#include <string.h>

#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors_mlsmig.h"

bool mm_mlsmig_is_codec(const json_t *root) {
  static const char *const keys[] = {"type", "seed", "tests", NULL};
  return mm_vj_first_has(root, keys);
}

static bool reencodes(mm_type t, const void *msg, const mm_limits *lim, mm_view enc) {
  mm_writer w;
  mm_writer_init(&w);
  bool same = mm_encode(t, msg, lim, &w, NULL) == MM_OK && mm_view_eq(mm_writer_view(&w), enc);
  mm_writer_free(&w);
  return same;
}

static void check_valid(mm_type t, const json_t *tc, int id, mm_view enc, const mm_limits *lim,
                        mm_vresult *r) {
  mm_any_msg m, from_json;
  mm_derr err = {0};
  bool dec = mm_decode(t, enc.data, enc.len, lim, &m, &err) == MM_OK;
  mm_vresult_check(r, dec, "tcId %d: valid encoding rejected (%s)", id, err.rule ? err.rule : "?");
  if (!dec) return;
  json_t *fields = mm_msg_to_json(t, &m);
  mm_vresult_check(r, fields && json_equal(fields, json_object_get(tc, "fields")),
                   "tcId %d: decoded fields differ", id);
  json_decref(fields);
  mm_vresult_check(r, reencodes(t, &m, lim, enc), "tcId %d: re-encoding differs (ENC-3)", id);
  mm_arena a;
  mm_arena_init(&a);
  const char *why = NULL;
  bool ok = mm_msg_from_json(t, json_object_get(tc, "fields"), &a, &from_json, &why) == MM_OK &&
            reencodes(t, &from_json, lim, enc);
  mm_vresult_check(r, ok, "tcId %d: encoding the JSON fields differs", id);
  mm_arena_free(&a);
}

static void check_case(mm_type t, const json_t *tc, mm_vresult *r) {
  int id = (int)json_integer_value(json_object_get(tc, "tcId"));
  uint16_t suite = mm_vj_suite(tc, "cipher_suite");
  const char *result = mm_vj_str(tc, "result"), *rule = mm_vj_str(tc, "rule");
  mm_arena a;
  mm_arena_init(&a);
  mm_view enc;
  bool fields = suite && result && json_is_array(json_object_get(tc, "flags")) &&
                mm_vj_hex(tc, "encoding", &a, &enc);
  mm_vresult_check(r, fields, "tcId %d: missing or bad field", id);
  if (!fields) goto done;
  r->suites_seen |= 1u << (suite - 1);
  mm_limits lim = mm_limits_default(suite);
  uint64_t bound;
  if (mm_json_u64_get(tc, "max_group_state", UINT64_MAX, &bound)) lim.max_group_state = bound;
  if (strcmp(result, "valid") == 0) {
    check_valid(t, tc, id, enc, &lim, r);
  } else {
    mm_any_msg m;
    mm_derr err = {0};
    mm_err e = mm_decode(t, enc.data, enc.len, &lim, &m, &err);
    mm_vresult_check(r,
                     strcmp(result, "invalid") == 0 && rule && e == MM_E_MALFORMED &&
                         strcmp(err.rule, rule) == 0,
                     "tcId %d: want rejection under %s, got %s", id, rule ? rule : "?",
                     e == MM_OK ? "acceptance" : err.rule);
  }
done:
  mm_arena_free(&a);
}

void mm_mlsmig_verify_codec(const json_t *root, mm_vresult *r) {
  size_t i, j;
  const json_t *group, *tc;
  json_array_foreach(root, i, group) {
    mm_type t;
    bool known = mm_type_by_name(mm_vj_str(group, "type"), &t);
    mm_vresult_check(r, known, "group %zu: unknown type", i);
    if (!known) continue;
    json_array_foreach(json_object_get(group, "tests"), j, tc) check_case(t, tc, r);
  }
  mm_vg_check_regenerates(root, mm_vg_codec, r);
}

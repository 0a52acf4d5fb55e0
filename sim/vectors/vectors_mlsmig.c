/* Helpers shared by the verifiers of mlsmig's own vector files. */
#include "vectors/vectors_mlsmig.h"

#include <string.h>

bool mm_vj_hex(const json_t *obj, const char *key, mm_arena *a, mm_view *out) {
  return mm_json_unhex(json_object_get(obj, key), a, out);
}

const char *mm_vj_str(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

uint16_t mm_vj_suite(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_integer(v)) return 0;
  json_int_t s = json_integer_value(v);
  return s >= 1 && s <= MM_SUITE_COUNT ? (uint16_t)s : 0;
}

bool mm_vj_first_has(const json_t *root, const char *const *keys) {
  const json_t *e = json_array_get(root, 0);
  if (!json_is_object(e)) return false;
  for (; *keys; keys++)
    if (!json_object_get(e, *keys)) return false;
  return true;
}

mm_err mm_vj_key_pair(const json_t *obj, uint16_t suite, mm_key **out) {
  mm_arena a;
  mm_arena_init(&a);
  mm_view priv, pub;
  mm_err e = MM_E_MALFORMED;
  if (mm_vj_hex(obj, "priv", &a, &priv) && mm_vj_hex(obj, "pub", &a, &pub)) {
    e = mm_key_from_private(suite, priv.data, priv.len, out);
    if (e == MM_OK && !mm_view_eq(mm_key_public(*out), pub)) {
      mm_key_free(*out);
      *out = NULL;
      e = MM_E_BAD_SIGNATURE;
    }
  }
  mm_arena_free(&a);
  return e;
}

void mm_vg_check_regenerates(const json_t *root, json_t *(*gen)(uint64_t), mm_vresult *r) {
  /* A file with a failed vector is already judged, and its first failure
   * named; regenerating (megabytes, seconds for migration.json) could only
   * add one more. */
  if (r->failed) return;
  uint64_t seed;
  if (!mm_vg_seed_of(root, &seed)) {
    mm_vresult_check(r, false, "element 0 has no seed");
    return;
  }
  json_t *want = gen(seed);
  mm_vresult_check(r, want && json_array_size(want) == json_array_size(root),
                   "the file does not have the %zu elements seed %llu generates",
                   json_array_size(want), (unsigned long long)seed);
  for (size_t i = 0; want && i < json_array_size(root) && i < json_array_size(want); i++)
    mm_vresult_check(r, json_equal(json_array_get(root, i), json_array_get(want, i)),
                     "element %zu differs from what seed %llu generates", i,
                     (unsigned long long)seed);
  json_decref(want);
}

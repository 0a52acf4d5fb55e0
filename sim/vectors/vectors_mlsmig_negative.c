/* Verifier of vectors/negative.json: each case is fed to a fresh reference
 * actor of the receiving role after replaying its transcript prefix
 * (mm_vg_replay), and the actor's verdict must be the stated one: the error
 * code for `reject` (and a DS must also answer with a MigrationError
 * carrying it), acceptance for `accept`. Then the file is compared with what
 * its seed generates. */
#include <string.h>

#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors_mlsmig.h"

bool mm_mlsmig_is_negative(const json_t *root) {
  static const char *const keys[] = {"cipher_suite", "seed", "messages", "tests", NULL};
  return mm_vj_first_has(root, keys);
}

static bool err_by_name(const char *name, mm_err *out) {
  for (int c = 1; c <= MM_E_WIRE_LAST; c++)
    if (name && strcmp(name, mm_err_name((mm_err)c)) == 0) {
      *out = (mm_err)c;
      return true;
    }
  return false;
}

/* The expected verdict: MM_OK for accept. */
static bool expected(const json_t *tc, mm_err *want) {
  const char *verdict = mm_vj_str(tc, "verdict"), *result = mm_vj_str(tc, "result");
  if (!verdict || !result) return false;
  if (strcmp(verdict, "accept") == 0) {
    *want = MM_OK;
    return strcmp(result, "valid") == 0 && json_is_null(json_object_get(tc, "code"));
  }
  return strcmp(verdict, "reject") == 0 && strcmp(result, "invalid") == 0 &&
         err_by_name(mm_vj_str(tc, "code"), want);
}

/* An optional policy field; false only when present and unusable. */
static bool policy(const json_t *tc, const char *key, mm_policy *p, const char *deny[8],
                   bool *present) {
  const json_t *j = json_object_get(tc, key);
  *present = j != NULL;
  return !j || mm_vg_policy_from_json(j, p, deny);
}

static void check_case(const json_t *group, const mm_sim_config *base, const json_t *tc,
                       mm_vresult *r) {
  int id = (int)json_integer_value(json_object_get(tc, "tcId"));
  mm_sim_config cfg = *base;
  mm_policy after;
  const char *deny[3][8];
  bool has_src, has_tgt, has_after;
  mm_err want = MM_E_INTERNAL;
  mm_arena a;
  mm_arena_init(&a);
  mm_view env;
  uint64_t prefix = 0, at = 0;
  const char *receiver = mm_vj_str(tc, "receiver"), *from = mm_vj_str(tc, "from");
  const char *role = mm_vj_str(tc, "role");
  bool ok = expected(tc, &want) && receiver && from && role &&
            strcmp(role, mm_vg_role_name(receiver)) == 0 &&
            mm_json_u64_get(tc, "prefix", SIZE_MAX, &prefix) &&
            mm_json_u64_get(tc, "at_ms", UINT64_MAX, &at) && mm_vj_str(tc, "rule") &&
            json_is_array(json_object_get(tc, "flags")) && mm_vj_hex(tc, "envelope", &a, &env) &&
            policy(tc, "source_policy", &cfg.source_policy, deny[0], &has_src) &&
            policy(tc, "target_policy", &cfg.target_policy, deny[1], &has_tgt) &&
            policy(tc, "policy_after_prefix", &after, deny[2], &has_after);
  mm_vresult_check(r, ok, "tcId %d: missing or bad field", id);
  if (!ok) goto done;
  mm_envelope e;
  mm_derr err;
  mm_vresult_check(r,
                   mm_decode(MM_T_ENVELOPE, env.data, env.len, NULL, &e, &err) == MM_OK &&
                       mm_view_eq_str(e.sender, from),
                   "tcId %d: envelope does not decode or is not from %s", id, from);
  mm_vg_case k = {&cfg,     json_object_get(group, "messages"), (size_t)prefix,
                  receiver, has_after ? &after : NULL,          at,
                  env};
  mm_err verdict = MM_E_INTERNAL;
  bool error_sent = false;
  mm_err rc = mm_vg_replay(&k, &verdict, &error_sent);
  mm_vresult_check(r, rc == MM_OK && verdict == want, "tcId %d (%s): want %s, %s says %s", id,
                   mm_vj_str(tc, "rule"), want == MM_OK ? "accept" : mm_err_name(want), receiver,
                   rc != MM_OK ? "cannot replay" : mm_err_name(verdict));
  /* A DS that refuses says so on the wire (docs/actors.md, "Common"). */
  if (want != MM_OK && strchr(receiver, '@') == NULL)
    mm_vresult_check(r, error_sent, "tcId %d: %s sent no MigrationError %s", id, receiver,
                     mm_err_name(want));
done:
  mm_arena_free(&a);
}

void mm_mlsmig_verify_negative(const json_t *root, mm_vresult *r) {
  size_t i, j;
  const json_t *g, *tc;
  if (json_array_size(root) > MM_VG_MAX_REPLAY_ENTRIES) {
    mm_vresult_check(r, false, "%zu groups: more than the %u a file may ask to replay",
                     json_array_size(root), (unsigned)MM_VG_MAX_REPLAY_ENTRIES);
    return;
  }
  json_array_foreach(root, i, g) {
    mm_sim_config cfg;
    bool ok = mm_vg_config_from_json(g, &cfg) &&
              json_array_size(json_object_get(g, "tests")) <= MM_VG_MAX_REPLAY_ENTRIES;
    mm_vresult_check(r, ok, "group %zu: bad cipher_suite, seed or config, or too many tests", i);
    if (!ok) continue;
    r->suites_seen |= 1u << (cfg.suite - 1);
    json_array_foreach(json_object_get(g, "tests"), j, tc) check_case(g, &cfg, tc, r);
  }
  mm_vg_check_regenerates(root, mm_vg_negative_unchecked, r);
}

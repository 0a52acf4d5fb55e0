/* Verifier of vectors/migration.json. From the file alone: private keys give
 * the published public keys, every envelope decodes strictly, every
 * signature (also the MigrationResponse embedded in MigrationInit and
 * MigrationContent) verifies under its signer's key, the
 * TargetMigrationComplete hash is RefHash of the MigrationContent sent, and
 * the confirmation carries the response's nonce. Then the run is replayed:
 * the simulator's fresh reference actors, with the recorded seed and config,
 * must produce every envelope byte for byte, the same outcome and the same
 * final states. */
#include <string.h>

#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors_mlsmig.h"

bool mm_mlsmig_is_migration(const json_t *root) {
  static const char *const keys[] = {"cipher_suite", "seed",        "config",
                                     "messages",     "final_state", NULL};
  return mm_vj_first_has(root, keys);
}

typedef struct run_ctx {
  uint16_t suite;
  const json_t *entry;
  const char *name; /* for messages */
  mm_arena a;
  mm_view content; /* last MigrationContent body seen */
  mm_view nonce;   /* nonce of the last MigrationResponse seen */
} run_ctx;

static mm_key *public_key(run_ctx *c, mm_view who) {
  char id[MM_SENDER_MAX + 1];
  if (who.len > MM_SENDER_MAX) return NULL;
  memcpy(id, who.data, who.len);
  id[who.len] = 0;
  mm_view pub;
  mm_key *k = NULL;
  if (mm_vj_hex(json_object_get(c->entry, "keys"), id, &c->a, &pub) &&
      mm_key_from_public(c->suite, pub.data, pub.len, &k) != MM_OK)
    k = NULL; /* a key that does not load: no signature verifies */
  return k;
}

static bool verify_tbs(run_ctx *c, mm_type t, const void *msg, mm_view signer, const char *label,
                       mm_view sig) {
  mm_key *k = public_key(c, signer);
  mm_writer w;
  mm_writer_init(&w);
  mm_limits lim = mm_limits_default(c->suite);
  bool ok = k && mm_encode_tbs(t, msg, &lim, &w) == MM_OK &&
            mm_verify_with_label(k, label, w.buf, w.len, sig.data, sig.len) == MM_OK;
  mm_writer_free(&w);
  mm_key_free(k);
  return ok;
}

static bool check_response(run_ctx *c, const mm_migration_response *r) {
  c->nonce = r->nonce;
  return verify_tbs(c, MM_T_MIGRATION_RESPONSE, r, mm_view_str(MM_SIM_TARGET),
                    mm_tbs_label(MM_T_MIGRATION_RESPONSE), r->signature);
}

/* The signature checks of one envelope (true when it carries none). */
static bool check_signatures(run_ctx *c, const mm_envelope *env) {
  mm_any_msg m;
  mm_derr err;
  mm_limits lim = mm_limits_default(c->suite);
  mm_type t;
  if (!mm_msg_type_body(env->msg_type, &t) ||
      mm_decode(t, env->body.data, env->body.len, &lim, &m, &err) != MM_OK)
    return false;
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl = 0;
  switch (env->msg_type) {
  case MM_MSG_MIGRATION_RESPONSE: return check_response(c, &m.migration_response);
  case MM_MSG_MIGRATION_INIT:
    return check_response(c, &m.migration_init.migration_response) &&
           verify_tbs(c, t, &m, env->sender, mm_tbs_label(MM_T_MIGRATION_INIT),
                      m.migration_init.signature);
  case MM_MSG_MIGRATION_CONTENT:
    c->content = env->body;
    return check_response(c, &m.migration_content.migration_response) &&
           verify_tbs(c, t, &m, env->sender, mm_tbs_label(MM_T_MIGRATION_CONTENT),
                      m.migration_content.signature);
  case MM_MSG_TARGET_MIGRATION_COMPLETE:
    return c->content.data &&
           mm_ref_hash(c->suite, mm_content_ref_label, c->content.data, c->content.len, h, &hl) ==
               MM_OK &&
           mm_view_eq(mm_view_of(h, hl), m.target_migration_complete.migration_content_hash) &&
           verify_tbs(c, t, &m, env->sender, mm_tbs_label(MM_T_TARGET_MIGRATION_COMPLETE),
                      m.target_migration_complete.signature);
  case MM_MSG_MIGRATION_CONFIRMATION:
    return mm_view_eq(m.migration_confirmation.nonce, c->nonce) &&
           verify_tbs(c, t, &m, env->sender, mm_tbs_label(MM_T_MIGRATION_CONFIRMATION),
                      m.migration_confirmation.signature);
  default: return true;
  }
}

static void check_message(run_ctx *c, const json_t *msg, size_t i, mm_vresult *r) {
  mm_view bytes;
  mm_envelope env;
  mm_derr err = {0};
  mm_limits lim = mm_limits_default(c->suite);
  const char *type = mm_vj_str(msg, "type"), *from = mm_vj_str(msg, "from");
  bool ok = mm_vj_hex(msg, "envelope", &c->a, &bytes) &&
            mm_decode(MM_T_ENVELOPE, bytes.data, bytes.len, &lim, &env, &err) == MM_OK &&
            env.cipher_suite == c->suite && type && from &&
            strcmp(type, mm_msg_type_name(env.msg_type)) == 0 && mm_view_eq_str(env.sender, from);
  mm_vresult_check(r, ok, "%s message %zu: envelope does not decode or disagrees with its fields",
                   c->name, i);
  if (ok)
    mm_vresult_check(r, check_signatures(c, &env), "%s message %zu (%s): bad signature or hash",
                     c->name, i, type);
}

static void check_keys(run_ctx *c, mm_vresult *r) {
  const char *who;
  json_t *priv;
  json_object_foreach(json_object_get(c->entry, "private_keys"), who, priv) {
    json_t *pair = json_pack("{s:O, s:O}", "priv", priv, "pub",
                             json_object_get(json_object_get(c->entry, "keys"), who));
    mm_key *k = NULL;
    mm_vresult_check(r, pair && mm_vj_key_pair(pair, c->suite, &k) == MM_OK,
                     "%s: private key of %s does not give its public key", c->name, who);
    mm_key_free(k);
    json_decref(pair);
  }
}

/* Re-runs the simulator with the entry's seed and config. */
static void check_replay(run_ctx *c, mm_vresult *r) {
  mm_sim_config cfg;
  json_t *want = NULL;
  if (mm_vg_config_from_json(c->entry, &cfg))
    want = mm_vg_migration_entry(
        &cfg, mm_vj_str(c->entry, "comment") ? mm_vj_str(c->entry, "comment") : "");
  mm_vresult_check(r, want != NULL, "%s: cannot replay (bad config)", c->name);
  if (!want) return;
  const json_t *got_msgs = json_object_get(c->entry, "messages");
  const json_t *want_msgs = json_object_get(want, "messages");
  mm_vresult_check(r, json_array_size(got_msgs) == json_array_size(want_msgs),
                   "%s: replay delivers %zu messages, the file has %zu", c->name,
                   json_array_size(want_msgs), json_array_size(got_msgs));
  for (size_t i = 0; i < json_array_size(got_msgs) && i < json_array_size(want_msgs); i++)
    mm_vresult_check(r, json_equal(json_array_get(got_msgs, i), json_array_get(want_msgs, i)),
                     "%s: message %zu differs from the replay", c->name, i);
  static const char *const parts[] = {"keys",  "private_keys", "group_id",
                                      "epoch", "outcome",      "final_state"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    mm_vresult_check(
        r, json_equal(json_object_get(c->entry, parts[i]), json_object_get(want, parts[i])),
        "%s: %s differs from the replay", c->name, parts[i]);
  json_decref(want);
}

void mm_mlsmig_verify_migration(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  if (json_array_size(root) > MM_VG_MAX_REPLAY_ENTRIES) {
    mm_vresult_check(r, false, "%zu entries: more than the %u a file may ask to replay",
                     json_array_size(root), (unsigned)MM_VG_MAX_REPLAY_ENTRIES);
    return;
  }
  json_array_foreach(root, i, e) {
    char name[64];
    run_ctx c = {mm_vj_suite(e, "cipher_suite"), e, name, {0}, {0}, {0}};
    snprintf(name, sizeof name, "entry %zu (suite %u)", i, c.suite);
    mm_vresult_check(r, c.suite != 0, "%s: unknown cipher_suite", name);
    if (!c.suite) continue;
    r->suites_seen |= 1u << (c.suite - 1);
    mm_arena_init(&c.a);
    check_keys(&c, r);
    size_t j;
    const json_t *msg;
    json_array_foreach(json_object_get(e, "messages"), j, msg) check_message(&c, msg, j, r);
    check_replay(&c, r);
    mm_arena_free(&c.a);
  }
  mm_vg_check_regenerates(root, mm_vg_migration, r);
}

/* vectors/crypto.json: per suite, the keys the simulator derives from the
 * seed (source DS, target DS, the initiating client's leaf), one
 * SignWithLabel example per migration label taken from a real run (content =
 * the message's TBS, signature = the one on the wire), and RefHash of that
 * run's MigrationContent. */
#include <string.h>

#include "codec/json_codec.h"
#include "vectors/gen/vectors_gen.h"

typedef struct {
  uint8_t msg_type;
  mm_type type;
  const char *signer; /* NULL: the initiating client */
} signed_msg;

static const signed_msg signed_msgs[] = {
    {MM_MSG_MIGRATION_RESPONSE, MM_T_MIGRATION_RESPONSE, MM_SIM_TARGET},
    {MM_MSG_MIGRATION_INIT, MM_T_MIGRATION_INIT, NULL},
    {MM_MSG_MIGRATION_CONTENT, MM_T_MIGRATION_CONTENT, MM_SIM_SOURCE},
    {MM_MSG_TARGET_MIGRATION_COMPLETE, MM_T_TARGET_MIGRATION_COMPLETE, MM_SIM_TARGET},
    {MM_MSG_MIGRATION_CONFIRMATION, MM_T_MIGRATION_CONFIRMATION, MM_SIM_SOURCE},
};

/* The signature is the last field of every signed message. */
static mm_view last_signature(mm_type t, const mm_any_msg *m) {
  switch (t) {
  case MM_T_MIGRATION_RESPONSE: return m->migration_response.signature;
  case MM_T_MIGRATION_INIT: return m->migration_init.signature;
  case MM_T_MIGRATION_CONTENT: return m->migration_content.signature;
  case MM_T_TARGET_MIGRATION_COMPLETE: return m->target_migration_complete.signature;
  case MM_T_MIGRATION_CONFIRMATION: return m->migration_confirmation.signature;
  default: return mm_view_of(NULL, 0);
  }
}

static json_t *swl_example(const mm_sim *s, uint16_t suite, const signed_msg *sm) {
  mm_view body;
  if (!mm_vg_first_body(s, sm->msg_type, NULL, &body, NULL)) return NULL;
  mm_any_msg m;
  mm_derr err;
  mm_limits lim = mm_limits_default(suite);
  if (mm_decode(sm->type, body.data, body.len, &lim, &m, &err) != MM_OK) return NULL;
  mm_writer w;
  mm_writer_init(&w);
  json_t *out = NULL;
  if (mm_encode_tbs(sm->type, &m, &lim, &w) == MM_OK) {
    mm_view sig = last_signature(sm->type, &m);
    const char *signer = sm->signer ? sm->signer : mm_sim_member_name(s, 0);
    out = json_pack("{s:s, s:s, s:o, s:o}", "label", mm_tbs_label(sm->type), "signer", signer,
                    "content", mm_json_hex(w.buf, w.len), "signature",
                    mm_json_hex(sig.data, sig.len));
  }
  mm_writer_free(&w);
  return out;
}

static json_t *ref_hash_example(const mm_sim *s, uint16_t suite) {
  mm_view body;
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  if (!mm_vg_first_body(s, MM_MSG_MIGRATION_CONTENT, NULL, &body, NULL) ||
      mm_ref_hash(suite, mm_content_ref_label, body.data, body.len, h, &hl) != MM_OK)
    return NULL;
  return json_pack("{s:s, s:o, s:o}", "label", mm_content_ref_label, "value",
                   mm_json_hex(body.data, body.len), "out", mm_json_hex(h, hl));
}

static json_t *suite_entry(uint16_t suite, uint64_t seed) {
  mm_sim_config cfg = mm_vg_config(suite, seed, MM_VG_SMALL_STATE);
  mm_sim *s;
  mm_sim_outcome o;
  if (mm_vg_run(&cfg, &s, &o) != MM_OK) return NULL;
  json_t *keys = json_object();
  const char *who[3] = {MM_SIM_SOURCE, MM_SIM_TARGET, mm_sim_member_name(s, 0)};
  for (int i = 0; i < 3; i++)
    json_object_set_new(keys, who[i], mm_vg_key_json(mm_sim_private_key(s, who[i])));
  json_t *swl = json_array();
  bool ok = true;
  for (size_t i = 0; i < sizeof signed_msgs / sizeof signed_msgs[0]; i++) {
    json_t *ex = swl_example(s, suite, &signed_msgs[i]);
    ok = ok && ex;
    json_array_append_new(swl, ex ? ex : json_null());
  }
  json_t *rh = ref_hash_example(s, suite);
  mm_sim_free(s);
  json_t *entry =
      json_pack("{s:i, s:o, s:o, s:o, s:o*}", "cipher_suite", suite, "seed", mm_json_u64(seed),
                "keys", keys, "sign_with_label", swl, "ref_hash", rh);
  if (!ok || !rh) {
    json_decref(entry);
    return NULL;
  }
  return entry;
}

json_t *mm_vg_crypto(uint64_t seed) {
  json_t *root = json_array();
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
    json_t *e = suite_entry(suite, seed);
    if (!e) {
      json_decref(root);
      return NULL;
    }
    json_array_append_new(root, e);
  }
  return root;
}

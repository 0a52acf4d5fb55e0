#include "simulator/transcript.h"
#include "simulator/sim_internal.h"

#include <stdio.h>

#include "codec/json_codec.h"

const char *mm_inv_result_name(mm_inv_result r) {
  switch (r) {
  case MM_INV_PASS: return "pass";
  case MM_INV_FAIL: return "fail";
  case MM_INV_NOT_CHECKED: return "not_checked";
  }
  return "unknown";
}

static json_t *keys_json(const mm_sim *s) {
  json_t *k = json_object();
  uint16_t suite = mm_sim_get_config(s)->suite;
  const char *ds[2] = {MM_SIM_SOURCE, MM_SIM_TARGET};
  for (int i = 0; i < 2; i++) {
    mm_view pub = mm_key_public(mm_keydir_get(mm_sim_keys(s), mm_view_str(ds[i]), suite));
    json_object_set_new(k, ds[i], mm_json_hex(pub.data, pub.len));
  }
  for (unsigned m = 0; m < mm_sim_member_count(s); m++) {
    const char *name = mm_sim_member_name(s, m);
    mm_view pub = mm_key_public(mm_sim_private_key(s, name));
    json_object_set_new(k, name, mm_json_hex(pub.data, pub.len));
  }
  return k;
}

static json_t *outcome_json(const mm_sim_outcome *o) {
  json_t *inv = json_object();
  for (int i = 1; i <= 5; i++) {
    char id[16];
    snprintf(id, sizeof id, "INV-%d", i);
    json_object_set_new(inv, id, json_string(mm_inv_result_name(o->inv[i])));
  }
  json_t *out =
      json_pack("{s:s, s:s?, s:o, s:o, s:o}", "result", o->result, "home", o->home, "epoch",
                mm_json_u64(o->epoch), "end_ms", mm_json_u64(o->end_time_ms), "invariants", inv);
  if (out && o->rule_violation[0])
    json_object_set_new(out, "rule_violation", json_string(o->rule_violation));
  return out;
}

json_t *mm_sim_transcript(const mm_sim *s, const mm_sim_outcome *o) {
  const mm_sim_config *cfg = mm_sim_get_config(s);
  json_t *msgs = json_array();
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    const char *type = mm_msg_type_name(r->msg_type);
    json_array_append_new(
        msgs,
        json_pack("{s:o, s:o, s:s, s:s, s:s, s:o, s:s}", "step", mm_json_u64(r->step), "at_ms",
                  mm_json_u64(r->at), "from", r->from, "to", r->to, "type", type ? type : "unknown",
                  "envelope", r->env ? mm_json_hex(r->env, r->len) : json_null(), "verdict",
                  r->verdict == MM_OK ? "accepted" : mm_err_name(r->verdict)));
  }
  mm_view gid = mm_sim_group_id(s);
  json_t *t = json_pack(
      "{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "cipher_suite", cfg->suite, "seed",
      mm_json_u64(cfg->seed), "keys", keys_json(s), "group_id", mm_json_hex(gid.data, gid.len),
      "epoch", mm_json_u64(mm_sim_initial_epoch(s)), "messages", msgs, "outcome", outcome_json(o));
  /* Profile v2: the MigrationGroupState the source starts from (suites/independent/README.md). */
  if (t && cfg->profile == MM_PROFILE_V2 && s->mls_mgs)
    json_object_set_new(t, "initial_state", mm_json_hex(s->mls_mgs, s->mls_mgs_len));
  return t;
}

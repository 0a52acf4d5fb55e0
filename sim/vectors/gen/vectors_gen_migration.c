/* vectors/migration.json: per suite, the happy path as a transcript of
 * `mlsmig sim --json` plus what an implementer needs to replay it against
 * their own code: the run's config, every private key, and the final state
 * of each actor. Two entries per suite: the default group, and a large one
 * (64 members, a group_state of about 300 KB). */
#include <string.h>

#include "codec/json_codec.h"
#include "simulator/transcript.h"
#include "vectors/gen/vectors_gen.h"

json_t *mm_vg_config_json(const mm_sim_config *cfg) {
  return json_pack("{s:o, s:i, s:o, s:i}", "state_bytes", mm_json_u64(cfg->state_bytes), "members",
                   (int)cfg->members, "latency_ms", mm_json_u64(cfg->latency_ms),
                   "commit_wire_format", (int)cfg->commit_wire_format);
}

bool mm_vg_config_from_json(const json_t *entry, mm_sim_config *cfg) {
  uint64_t suite, seed, state, members, latency, wire;
  const json_t *c = json_object_get(entry, "config");
  if (!mm_json_u64_get(entry, "cipher_suite", MM_SUITE_COUNT, &suite) || suite == 0 ||
      !mm_json_u64_get(entry, "seed", UINT64_MAX, &seed) ||
      !mm_json_u64_get(c, "state_bytes", MM_VG_MAX_REPLAY_STATE, &state) ||
      !mm_json_u64_get(c, "members", MM_SIM_MAX_MEMBERS, &members) || members == 0 ||
      !mm_json_u64_get(c, "latency_ms", 60000, &latency) ||
      !mm_json_u64_get(c, "commit_wire_format", MM_WIRE_PRIVATE, &wire) || wire == 0)
    return false;
  *cfg = mm_vg_config((uint16_t)suite, seed, state);
  cfg->members = (unsigned)members;
  cfg->latency_ms = latency;
  cfg->commit_wire_format = (uint16_t)wire;
  return true;
}

static const char *status_name(mm_group_status st) {
  static const char *names[] = {"none", "active", "migrating", "migrated"};
  return (unsigned)st < 4 ? names[st] : "unknown";
}

static const char *phase_name(mm_client_phase p) {
  static const char *names[] = {"idle", "requested", "init_sent", "done", "failed"};
  return (unsigned)p < 5 ? names[p] : "unknown";
}

static json_t *view_str(mm_view v) {
  return json_stringn(v.len ? (const char *)v.data : "", v.len);
}

static json_t *ds_state(uint16_t suite, bool found, const mm_group_info *g) {
  json_t *o = json_pack("{s:s}", "status", found ? status_name(g->status) : "none");
  if (!found) return o;
  json_object_set_new(o, "epoch", mm_json_u64(g->epoch));
  if (g->peer.len) json_object_set_new(o, "peer", view_str(g->peer));
  if (g->client.len) json_object_set_new(o, "client", view_str(g->client));
  if (g->state.len) {
    uint8_t h[MM_MAX_HASH_LEN];
    size_t hl = 0;
    if (mm_hash(suite, g->state.data, g->state.len, h, &hl) != MM_OK) {
      json_decref(o);
      return NULL; /* no entry rather than a wrong hash */
    }
    json_object_set_new(o, "group_state_len", mm_json_u64(g->state.len));
    json_object_set_new(o, "group_state_hash", mm_json_hex(h, hl));
  }
  return o;
}

static json_t *final_state(const mm_sim *s) {
  uint16_t suite = mm_sim_get_config(s)->suite;
  mm_view gid = mm_sim_group_id(s);
  mm_group_info g;
  json_t *o = json_object();
  bool found = mm_source_group(mm_sim_source(s), gid, &g);
  json_t *src = ds_state(suite, found, &g);
  found = mm_target_group(mm_sim_target(s), gid, &g);
  json_t *tgt = ds_state(suite, found, &g);
  if (!src || !tgt) {
    json_decref(src);
    json_decref(tgt);
    json_decref(o);
    return NULL;
  }
  json_object_set_new(o, MM_SIM_SOURCE, src);
  json_object_set_new(o, MM_SIM_TARGET, tgt);
  for (unsigned m = 0; m < mm_sim_member_count(s); m++) {
    mm_client_status st = mm_client_get_status(mm_sim_client(s, m));
    json_t *c = json_pack("{s:s, s:o, s:o}", "phase", phase_name(st.phase), "ds", view_str(st.ds),
                          "epoch", mm_json_u64(st.epoch));
    json_object_set_new(
        c, "last_error",
        st.last_error == MM_OK ? json_null() : json_string(mm_err_name(st.last_error)));
    json_object_set_new(o, mm_sim_member_name(s, m), c);
  }
  return o;
}

static json_t *private_keys(const mm_sim *s) {
  json_t *o = json_object();
  const char *ds[2] = {MM_SIM_SOURCE, MM_SIM_TARGET};
  for (int i = 0; i < 2; i++) {
    mm_view p = mm_key_private(mm_sim_private_key(s, ds[i]));
    json_object_set_new(o, ds[i], mm_json_hex(p.data, p.len));
  }
  for (unsigned m = 0; m < mm_sim_member_count(s); m++) {
    const char *name = mm_sim_member_name(s, m);
    mm_view p = mm_key_private(mm_sim_private_key(s, name));
    json_object_set_new(o, name, mm_json_hex(p.data, p.len));
  }
  return o;
}

json_t *mm_vg_migration_entry(const mm_sim_config *cfg, const char *comment) {
  mm_sim *s;
  mm_sim_outcome o;
  if (mm_vg_run(cfg, &s, &o) != MM_OK) return NULL;
  json_t *t = mm_sim_transcript(s, &o);
  json_t *e = json_pack("{s:s, s:O, s:O, s:o}", "comment", comment, "cipher_suite",
                        json_object_get(t, "cipher_suite"), "seed", json_object_get(t, "seed"),
                        "config", mm_vg_config_json(cfg));
  /* The transcript's own fields, in its order, then the additions. */
  const char *k;
  json_t *v;
  json_object_foreach(t, k, v) {
    if (strcmp(k, "keys") == 0) {
      json_object_set(e, k, v);
      json_object_set_new(e, "private_keys", private_keys(s));
    } else if (!json_object_get(e, k)) {
      json_object_set(e, k, v);
    }
  }
  json_t *fin = final_state(s);
  if (!fin) {
    json_decref(e);
    e = NULL;
  } else {
    json_object_set_new(e, "final_state", fin);
  }
  json_decref(t);
  mm_sim_free(s);
  return e;
}

json_t *mm_vg_migration(uint64_t seed) {
  json_t *root = json_array();
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
    mm_sim_config cfg = mm_vg_config(suite, seed, 1024);
    json_t *small = mm_vg_migration_entry(&cfg, "happy path, 3 members");
    cfg.state_bytes = MM_VG_LARGE_STATE;
    cfg.members = MM_VG_LARGE_MEMBERS;
    json_t *large = mm_vg_migration_entry(&cfg, "happy path, large group: 64 members");
    if (!small || !large) {
      json_decref(small);
      json_decref(large);
      json_decref(root);
      return NULL;
    }
    json_array_append_new(root, small);
    json_array_append_new(root, large);
  }
  return root;
}

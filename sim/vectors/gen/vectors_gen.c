/* Shared pieces of the vector generators and the writer of the four files. */
#include "vectors/gen/vectors_gen.h"

#include <stdio.h>
#include <string.h>

#include "codec/json_codec.h"

mm_sim_config mm_vg_config(uint16_t suite, uint64_t seed, uint64_t state_bytes) {
  mm_sim_config cfg = mm_sim_config_default(suite, seed);
  cfg.state_bytes = state_bytes;
  cfg.keep_bodies = true;
  return cfg;
}

mm_err mm_vg_run(const mm_sim_config *cfg, mm_sim **out, mm_sim_outcome *o) {
  mm_sim *s;
  mm_err e = mm_sim_new(cfg, &s);
  if (e != MM_OK) return e;
  mm_sim_start_migration(s, 0);
  if ((e = mm_sim_run(s)) != MM_OK) {
    mm_sim_free(s);
    return e;
  }
  mm_sim_check(s, o);
  /* Vectors are only published from runs that hold every invariant. */
  bool ok = strcmp(o->result, "completed") == 0;
  for (int i = 1; i <= 5; i++) ok = ok && o->inv[i] != MM_INV_FAIL;
  if (!ok) {
    mm_sim_free(s);
    return MM_E_INTERNAL;
  }
  *out = s;
  return MM_OK;
}

bool mm_vg_first_body(const mm_sim *s, uint8_t msg_type, const char *from, mm_view *body,
                      const mm_sim_record **rec) {
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    if (r->msg_type != msg_type || !r->env || (from && strcmp(r->from, from) != 0)) continue;
    mm_envelope env;
    mm_derr err;
    mm_limits lim = mm_limits_default(0);
    lim.max_group_state = UINT64_MAX;
    if (mm_decode(MM_T_ENVELOPE, r->env, r->len, &lim, &env, &err) != MM_OK) return false;
    *body = env.body;
    if (rec) *rec = r;
    return true;
  }
  return false;
}

json_t *mm_vg_key_json(const mm_key *k) {
  mm_view priv = mm_key_private(k), pub = mm_key_public(k);
  return json_pack("{s:o, s:o}", "priv", mm_json_hex(priv.data, priv.len), "pub",
                   mm_json_hex(pub.data, pub.len));
}

mm_err mm_vg_write(const json_t *root, const char *path) {
  char *text = mm_json_dumps(root, JSON_INDENT(2));
  if (!text) return MM_E_NOMEM;
  FILE *f = fopen(path, "w");
  bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  if (f && fclose(f) != 0) ok = false;
  free(text);
  return ok ? MM_OK : MM_E_IO;
}

bool mm_vg_seed_of(const json_t *root, uint64_t *seed) {
  return mm_json_u64_get(json_array_get(root, 0), "seed", UINT64_MAX, seed);
}

typedef struct {
  const char *file;
  json_t *(*gen)(uint64_t);
} vg_file;

static const vg_file files[] = {
    {"crypto.json", mm_vg_crypto},
    {"codec.json", mm_vg_codec},
    {"migration.json", mm_vg_migration},
    {"negative.json", mm_vg_negative},
};

mm_err mm_vectors_generate(const char *dir, uint64_t seed, char *why, size_t why_len) {
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
    json_t *root = files[i].gen(seed);
    if (!root) {
      snprintf(why, why_len, "%s: generation failed", files[i].file);
      return MM_E_INTERNAL;
    }
    mm_err e = mm_vg_write(root, path);
    json_decref(root);
    if (e != MM_OK) {
      snprintf(why, why_len, "%s: cannot write", path);
      return e;
    }
  }
  return MM_OK;
}

/* Verifier of vectors/crypto.json: keys re-derived, every SignWithLabel
 * example verified and re-signed (RFC 6979 and EdDSA are deterministic, so
 * the bytes must match), RefHash recomputed, and the whole file compared
 * with what its seed generates. */
#include <string.h>

#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors_mlsmig.h"

bool mm_mlsmig_is_crypto(const json_t *root) {
  static const char *const keys[] = {"cipher_suite", "seed", "keys", "sign_with_label", NULL};
  return mm_vj_first_has(root, keys) &&
         json_is_array(json_object_get(json_array_get(root, 0), "sign_with_label"));
}

/* Which message each label signs: content || signature<V> must decode as it. */
static const struct {
  mm_type type;
} labels[] = {
    {MM_T_MIGRATION_RESPONSE},        {MM_T_MIGRATION_INIT},         {MM_T_MIGRATION_CONTENT},
    {MM_T_TARGET_MIGRATION_COMPLETE}, {MM_T_MIGRATION_CONFIRMATION},
};
#define NLABELS (sizeof labels / sizeof labels[0])

static bool decodes_as_signed(mm_type t, uint16_t suite, mm_view content, mm_view sig) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_bytes(&w, content.data, content.len);
  mm_put_vec(&w, sig.data, sig.len);
  mm_any_msg m;
  mm_derr err;
  mm_limits lim = mm_limits_default(suite);
  bool ok = mm_writer_ok(&w) && mm_decode(t, w.buf, w.len, &lim, &m, &err) == MM_OK;
  mm_writer_free(&w);
  return ok;
}

static void check_example(uint16_t suite, const json_t *keys, const json_t *ex, size_t i,
                          mm_vresult *r) {
  mm_arena a;
  mm_arena_init(&a);
  mm_view content, sig;
  const char *label = mm_vj_str(ex, "label"), *signer = mm_vj_str(ex, "signer");
  mm_key *k = NULL;
  bool fields = i < NLABELS && label && strcmp(label, mm_tbs_label(labels[i].type)) == 0 &&
                signer && mm_vj_hex(ex, "content", &a, &content) &&
                mm_vj_hex(ex, "signature", &a, &sig);
  mm_vresult_check(r, fields, "suite %u sign_with_label[%zu]: missing or bad field", suite, i);
  if (!fields) goto done;
  mm_vresult_check(r, mm_vj_key_pair(json_object_get(keys, signer), suite, &k) == MM_OK,
                   "suite %u %s: signer %s has no valid key pair", suite, label, signer);
  if (!k) goto done;
  mm_vresult_check(
      r, mm_verify_with_label(k, label, content.data, content.len, sig.data, sig.len) == MM_OK,
      "suite %u %s: signature does not verify", suite, label);
  /* Another label must not verify (the label is part of what is signed). */
  const char *other = mm_tbs_label(labels[(i + 1) % NLABELS].type);
  mm_vresult_check(r,
                   mm_verify_with_label(k, other, content.data, content.len, sig.data, sig.len) ==
                       MM_E_BAD_SIGNATURE,
                   "suite %u %s: signature also verifies under %s", suite, label, other);
  mm_writer w;
  mm_writer_init(&w);
  bool same = mm_sign_with_label(k, label, content.data, content.len, &w) == MM_OK &&
              mm_view_eq(mm_writer_view(&w), sig);
  mm_writer_free(&w);
  mm_vresult_check(r, same, "suite %u %s: re-signing gives other bytes", suite, label);
  mm_vresult_check(r, decodes_as_signed(labels[i].type, suite, content, sig),
                   "suite %u %s: content || signature is not a %s", suite, label,
                   mm_type_name(labels[i].type));
done:
  mm_key_free(k);
  mm_arena_free(&a);
}

static void check_ref_hash(uint16_t suite, const json_t *rh, mm_vresult *r) {
  mm_arena a;
  mm_arena_init(&a);
  mm_view value, out;
  const char *label = mm_vj_str(rh, "label");
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl = 0;
  bool ok = label && strcmp(label, mm_content_ref_label) == 0 &&
            mm_vj_hex(rh, "value", &a, &value) && mm_vj_hex(rh, "out", &a, &out) &&
            mm_ref_hash(suite, label, value.data, value.len, h, &hl) == MM_OK &&
            mm_view_eq(mm_view_of(h, hl), out);
  mm_vresult_check(r, ok, "suite %u ref_hash: output differs", suite);
  mm_any_msg m;
  mm_derr err;
  mm_limits lim = mm_limits_default(suite);
  mm_vresult_check(
      r, ok && mm_decode(MM_T_MIGRATION_CONTENT, value.data, value.len, &lim, &m, &err) == MM_OK,
      "suite %u ref_hash: value is not a MigrationContent", suite);
  mm_arena_free(&a);
}

void mm_mlsmig_verify_crypto(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    uint16_t suite = mm_vj_suite(e, "cipher_suite");
    if (!suite) {
      mm_vresult_check(r, false, "element %zu: unknown cipher_suite", i);
      continue;
    }
    r->suites_seen |= 1u << (suite - 1);
    const json_t *keys = json_object_get(e, "keys"), *swl = json_object_get(e, "sign_with_label");
    const char *who;
    json_t *kp;
    json_object_foreach((json_t *)keys, who, kp) {
      mm_key *k = NULL;
      mm_vresult_check(r, mm_vj_key_pair(kp, suite, &k) == MM_OK,
                       "suite %u: key of %s: priv does not give pub", suite, who);
      mm_key_free(k);
    }
    mm_vresult_check(r, json_array_size(swl) == NLABELS,
                     "suite %u: want one sign_with_label example per label", suite);
    size_t j;
    const json_t *ex;
    json_array_foreach(swl, j, ex) check_example(suite, keys, ex, j, r);
    check_ref_hash(suite, json_object_get(e, "ref_hash"), r);
  }
  /* Keys as the simulator derives them, and not one byte changed. */
  mm_vg_check_regenerates(root, mm_vg_crypto, r);
}

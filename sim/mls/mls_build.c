/* Builders of signed RFC 9420 structures for mlsmig's members: LeafNode,
 * KeyPackage, GroupInfo, a PublicMessage Commit and a Welcome (mls_build.h
 * says what is synthetic). CommitBundles are in mls_bundle.c. */
#include <string.h>

#include "mlsmig/mls_build.h"

/* Random bytes of a MAC or ciphertext (at most 256 bytes). */
static mm_err put_random_vec(mm_writer *w, mm_rng *rng, size_t len) {
  uint8_t buf[256];
  if (len > sizeof buf) return MM_E_USAGE;
  mm_err e = mm_rng_fill(rng, buf, len);
  if (e == MM_OK && !mm_put_vec(w, buf, len)) e = w->error;
  return e;
}

mm_view mm_mls_random_hpke_key(uint16_t suite, mm_rng *rng, uint8_t *buf) {
  size_t len = 0;
  if (mm_hpke_keypair(suite, rng, buf, &len, NULL, NULL) != MM_OK) len = 0;
  return mm_view_of(buf, len);
}

mm_err mm_mls_wrap(uint16_t wire_format, mm_view body, mm_writer *out) {
  mm_put_u16(out, MM_MLS10);
  mm_put_u16(out, wire_format);
  mm_put_bytes(out, body.data, body.len);
  return out->error;
}

/* ---- LeafNode ---- */

mm_err mm_mls_build_leaf_node(const mm_key *k, const mm_mls_leaf_spec *spec, mm_view group_id,
                              uint32_t leaf, mm_writer *out) {
  if (!k || !spec) return MM_E_USAGE;
  uint16_t suite = mm_key_suite(k);
  const uint8_t version[2] = {0, MM_MLS10}, basic[2] = {0, MM_MLS_CRED_BASIC};
  const uint8_t suites[2] = {(uint8_t)(suite >> 8), (uint8_t)suite};
  mm_list none = {mm_view_of(NULL, 0), 0};
  mm_mls_leaf_node ln = {
      .encryption_key = spec->encryption_key,
      .signature_key = mm_key_public(k),
      .credential = {.credential_type = MM_MLS_CRED_BASIC, .identity = spec->identity},
      .capabilities = {.versions = {mm_view_of(version, 2), 1},
                       .cipher_suites = {mm_view_of(suites, 2), 1},
                       .extensions = none,
                       .proposals = none,
                       .credentials = {mm_view_of(basic, 2), 1}},
      .leaf_node_source = spec->source,
      .lifetime = spec->lifetime,
      .parent_hash = spec->parent_hash,
      .extensions = none,
  };
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_mls_leaf_node_sign(k, &ln, group_id, leaf, &sig);
  ln.signature = mm_writer_view(&sig);
  mm_limits lim = mm_limits_default(suite);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_LEAF_NODE, &ln, &lim, out, NULL);
  mm_writer_free(&sig);
  return e;
}

/* ---- KeyPackage ---- */

mm_err mm_mls_build_key_package(const mm_key *k, mm_view init_key, const mm_mls_leaf_spec *spec,
                                mm_writer *out) {
  if (!k || !spec) return MM_E_USAGE;
  uint16_t suite = mm_key_suite(k);
  mm_mls_leaf_spec ls = *spec;
  ls.source = MM_MLS_SRC_KEY_PACKAGE;
  mm_writer leaf, sig;
  mm_writer_init(&leaf);
  mm_writer_init(&sig);
  mm_limits lim = mm_limits_default(suite);
  mm_mls_key_package kp = {.version = MM_MLS10, .cipher_suite = suite, .init_key = init_key};
  mm_derr err;
  mm_err e = mm_mls_build_leaf_node(k, &ls, mm_view_of(NULL, 0), 0, &leaf);
  if (e == MM_OK)
    e = mm_mls_decode(MM_MLS_T_LEAF_NODE, leaf.buf, leaf.len, &lim, &kp.leaf_node, &err);
  if (e == MM_OK) e = mm_mls_key_package_sign(k, &kp, &sig);
  kp.signature = mm_writer_view(&sig);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_KEY_PACKAGE, &kp, &lim, out, NULL);
  mm_writer_free(&leaf);
  mm_writer_free(&sig);
  return e;
}

/* ---- GroupInfo ---- */

mm_err mm_mls_build_group_info(const mm_key *k, const mm_mls_group_context *ctx, uint32_t signer,
                               mm_rng *rng, mm_writer *out) {
  if (!k || !ctx || !rng) return MM_E_USAGE;
  const mm_suite *s = mm_suite_get(mm_key_suite(k));
  uint8_t tag[MM_MAX_HASH_LEN];
  mm_err e = mm_rng_fill(rng, tag, s->hash_len);
  mm_mls_group_info gi = {.group_context = *ctx,
                          .extensions = {mm_view_of(NULL, 0), 0},
                          .confirmation_tag = mm_view_of(tag, s->hash_len),
                          .signer = signer};
  mm_writer sig;
  mm_writer_init(&sig);
  if (e == MM_OK) e = mm_mls_group_info_sign(k, &gi, &sig);
  gi.signature = mm_writer_view(&sig);
  mm_limits lim = mm_limits_default(s->id);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_GROUP_INFO, &gi, &lim, out, NULL);
  mm_writer_free(&sig);
  return e;
}

/* ---- PublicMessage(Commit) ---- */

mm_err mm_mls_build_public_commit(const mm_key *k, const mm_mls_group_context *ctx, bool external,
                                  uint32_t sender, mm_view aad, mm_view commit, mm_rng *rng,
                                  mm_writer *out) {
  if (!k || !ctx || !rng) return MM_E_USAGE;
  const mm_suite *s = mm_suite_get(mm_key_suite(k));
  mm_limits lim = mm_limits_default(s->id);
  mm_mls_msg m = {.version = MM_MLS10, .wire_format = MM_WIRE_PUBLIC};
  mm_mls_public_message *pm = &m.public_message;
  pm->content.group_id = ctx->group_id;
  pm->content.epoch = ctx->epoch;
  pm->content.sender.sender_type = external ? MM_SENDER_NEW_MEMBER_COMMIT : MM_SENDER_MEMBER;
  pm->content.sender.index = external ? 0 : sender;
  pm->content.authenticated_data = aad;
  pm->content.content_type = MM_CONTENT_COMMIT;
  mm_derr err;
  mm_err e =
      mm_mls_decode(MM_MLS_T_COMMIT, commit.data, commit.len, &lim, &pm->content.commit, &err);
  uint8_t tags[2 * MM_MAX_HASH_LEN];
  if (e == MM_OK) e = mm_rng_fill(rng, tags, 2 * s->hash_len);
  pm->auth.confirmation_tag = mm_view_of(tags, s->hash_len);
  if (!external) pm->membership_tag = mm_view_of(tags + s->hash_len, s->hash_len);
  mm_writer sig;
  mm_writer_init(&sig);
  if (e == MM_OK) e = mm_mls_public_message_sign(k, pm, ctx, &sig);
  pm->auth.signature = mm_writer_view(&sig);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &m, &lim, out, NULL);
  mm_writer_free(&sig);
  return e;
}

/* ---- Welcome ---- */

mm_err mm_mls_build_welcome(uint16_t suite, const mm_view *kps, size_t n, mm_rng *rng,
                            mm_writer *out) {
  const mm_suite *s = mm_suite_get(suite);
  if (!s || !rng || (n && !kps)) return MM_E_USAGE;
  mm_put_u16(out, MM_MLS10);
  mm_put_u16(out, MM_MLS_WIRE_WELCOME);
  mm_put_u16(out, suite);
  size_t mark = mm_vec_begin(out);
  mm_err e = MM_OK;
  for (size_t i = 0; e == MM_OK && i < n; i++) {
    uint8_t ref[MM_MAX_HASH_LEN];
    size_t ref_len;
    e = mm_mls_key_package_ref(suite, kps[i], ref, &ref_len);
    if (e == MM_OK && !mm_put_vec(out, ref, ref_len)) e = out->error;
    /* HPKECiphertext of GroupSecrets: kem_output, then at least a joiner
     * secret and the empty optional and list, sealed with a 16-byte tag. */
    if (e == MM_OK) e = put_random_vec(out, rng, s->kem_pub_len);
    if (e == MM_OK) e = put_random_vec(out, rng, 1 + s->hash_len + 2 + 16);
  }
  mm_vec_end(out, mark);
  if (e == MM_OK) e = put_random_vec(out, rng, 128);
  return e == MM_OK ? out->error : e;
}

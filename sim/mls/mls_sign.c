/* The to-be-signed forms of RFC 9420 and their SignWithLabel /
 * VerifyWithLabel (section 5.1.2): LeafNodeTBS (7.2), GroupInfoTBS
 * (12.4.3), KeyPackageTBS (10) and FramedContentTBS (6.1), and
 * KeyPackageRef (5.2). Each TBS is the structure's encoding without its
 * final signature, plus the context RFC 9420 adds. */
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"

static const char leaf_label[] = "LeafNodeTBS";
static const char group_info_label[] = "GroupInfoTBS";
static const char key_package_label[] = "KeyPackageTBS";
static const char content_label[] = "FramedContentTBS";

/* ---- TBS encodings ---- */

static mm_err leaf_tbs(uint16_t suite, const mm_mls_leaf_node *ln, mm_view group_id, uint32_t leaf,
                       mm_writer *w) {
  mm_limits lim = mm_limits_default(suite);
  mm_err e =
      mm_mls_encode_prefix(MM_MLS_T_LEAF_NODE, ln, mm_mls_nfields(MM_MLS_T_LEAF_NODE) - 1, &lim, w);
  if (e == MM_OK &&
      (ln->leaf_node_source == MM_MLS_SRC_UPDATE || ln->leaf_node_source == MM_MLS_SRC_COMMIT)) {
    mm_put_vec(w, group_id.data, group_id.len);
    mm_put_u32(w, leaf);
    e = w->error;
  }
  return e;
}

static mm_err prefix_tbs(mm_mls_type t, uint16_t suite, const void *msg, mm_writer *w) {
  mm_limits lim = mm_limits_default(suite);
  return mm_mls_encode_prefix(t, msg, mm_mls_nfields(t) - 1, &lim, w);
}

static mm_err content_tbs(uint16_t suite, const mm_mls_public_message *pm,
                          const mm_mls_group_context *ctx, mm_writer *w) {
  mm_limits lim = mm_limits_default(suite);
  mm_put_u16(w, MM_MLS10);
  mm_put_u16(w, MM_WIRE_PUBLIC);
  mm_err e = mm_mls_encode(MM_MLS_T_FRAMED_CONTENT, &pm->content, &lim, w, NULL);
  uint8_t st = pm->content.sender.sender_type;
  if (e == MM_OK && (st == MM_SENDER_MEMBER || st == MM_SENDER_NEW_MEMBER_COMMIT)) {
    if (!ctx) return MM_E_USAGE;
    e = mm_mls_encode(MM_MLS_T_GROUP_CONTEXT, ctx, &lim, w, NULL);
  }
  return e;
}

/* ---- sign and verify over a TBS in w ---- */

static mm_err verify_tbs(uint16_t suite, mm_view key, const char *label, mm_writer *tbs, mm_err e,
                         mm_view sig) {
  mm_key *k = NULL;
  if (e == MM_OK) e = mm_key_from_public(suite, key.data, key.len, &k);
  if (e == MM_OK) e = mm_verify_with_label(k, label, tbs->buf, tbs->len, sig.data, sig.len);
  mm_key_free(k);
  mm_writer_free(tbs);
  return e;
}

static mm_err sign_tbs(const mm_key *k, const char *label, mm_writer *tbs, mm_err e,
                       mm_writer *sig) {
  if (e == MM_OK) e = mm_sign_with_label(k, label, tbs->buf, tbs->len, sig);
  mm_writer_free(tbs);
  return e;
}

mm_err mm_mls_leaf_node_verify(uint16_t suite, const mm_mls_leaf_node *ln, mm_view group_id,
                               uint32_t leaf) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = leaf_tbs(suite, ln, group_id, leaf, &w);
  return verify_tbs(suite, ln->signature_key, leaf_label, &w, e, ln->signature);
}

mm_err mm_mls_leaf_node_sign(const mm_key *k, const mm_mls_leaf_node *ln, mm_view group_id,
                             uint32_t leaf, mm_writer *sig) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = leaf_tbs(mm_key_suite(k), ln, group_id, leaf, &w);
  return sign_tbs(k, leaf_label, &w, e, sig);
}

mm_err mm_mls_group_info_verify(uint16_t suite, const mm_mls_group_info *gi, mm_view key) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = prefix_tbs(MM_MLS_T_GROUP_INFO, suite, gi, &w);
  return verify_tbs(suite, key, group_info_label, &w, e, gi->signature);
}

mm_err mm_mls_group_info_sign(const mm_key *k, const mm_mls_group_info *gi, mm_writer *sig) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = prefix_tbs(MM_MLS_T_GROUP_INFO, mm_key_suite(k), gi, &w);
  return sign_tbs(k, group_info_label, &w, e, sig);
}

mm_err mm_mls_key_package_verify(const mm_mls_key_package *kp) {
  if (!mm_suite_get(kp->cipher_suite)) return MM_E_UNSUPPORTED_CIPHERSUITE;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = prefix_tbs(MM_MLS_T_KEY_PACKAGE, kp->cipher_suite, kp, &w);
  e = verify_tbs(kp->cipher_suite, kp->leaf_node.signature_key, key_package_label, &w, e,
                 kp->signature);
  if (e == MM_OK)
    e = mm_mls_leaf_node_verify(kp->cipher_suite, &kp->leaf_node, mm_view_of(NULL, 0), 0);
  return e;
}

mm_err mm_mls_key_package_sign(const mm_key *k, const mm_mls_key_package *kp, mm_writer *sig) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = prefix_tbs(MM_MLS_T_KEY_PACKAGE, mm_key_suite(k), kp, &w);
  return sign_tbs(k, key_package_label, &w, e, sig);
}

mm_err mm_mls_public_message_verify(uint16_t suite, const mm_mls_public_message *pm,
                                    const mm_mls_group_context *ctx, mm_view key) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = content_tbs(suite, pm, ctx, &w);
  return verify_tbs(suite, key, content_label, &w, e, pm->auth.signature);
}

mm_err mm_mls_public_message_sign(const mm_key *k, const mm_mls_public_message *pm,
                                  const mm_mls_group_context *ctx, mm_writer *sig) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = content_tbs(mm_key_suite(k), pm, ctx, &w);
  return sign_tbs(k, content_label, &w, e, sig);
}

mm_err mm_mls_key_package_ref(uint16_t suite, mm_view key_package, uint8_t *out, size_t *out_len) {
  return mm_ref_hash(suite, "MLS 1.0 KeyPackage Reference", key_package.data, key_package.len, out,
                     out_len);
}

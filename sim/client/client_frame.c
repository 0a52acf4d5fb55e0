/* The messages the client builds: its Commits' MLSMessage framing and its
 * MigrationInit. */
#include <stdlib.h>

#include "client/client_internal.h"

/* Sizes of the random stand-ins for what a DS never reads. */
#define SENDER_DATA_LEN 16
#define CIPHERTEXT_LEN 64

/* The client's only randomness: env->rng, so a seed fixes every byte. */
static MM_MUST_USE mm_err random_bytes(mm_client *c, uint8_t *buf, size_t n) {
  return mm_rng_fill(c->env->rng, buf, n);
}

mm_err mm_cl_build_commit(mm_client *c, uint64_t epoch, mm_view aad, mm_writer *w) {
  uint8_t sender_data[SENDER_DATA_LEN], content[CIPHERTEXT_LEN];
  bool public_msg = c->wire_format == MM_WIRE_PUBLIC;
  mm_err e = public_msg ? MM_OK : random_bytes(c, sender_data, sizeof sender_data);
  if (e == MM_OK) e = random_bytes(c, content, sizeof content);
  if (e != MM_OK) return e;
  mm_mls_message m = {.version = MM_MLS10,
                      .wire_format = public_msg ? MM_WIRE_PUBLIC : MM_WIRE_PRIVATE,
                      .group_id = mm_cl_group(c),
                      .epoch = epoch,
                      .authenticated_data = aad,
                      .content_type = MM_CONTENT_COMMIT};
  if (public_msg) {
    m.sender_type = MM_SENDER_MEMBER;
    m.sender_index = c->leaf_index;
    m.rest = mm_view_of(content, sizeof content); /* Commit, auth data, tag */
  } else {
    m.encrypted_sender_data = mm_view_of(sender_data, sizeof sender_data);
    m.ciphertext = mm_view_of(content, sizeof content);
  }
  mm_limits lim = mm_limits_default(c->suite);
  return mm_encode(MM_T_MLS_MESSAGE, &m, &lim, w, NULL);
}

/* The bundle's outcome as pending: the PublicGroupState it carries and its commit. */
static MM_MUST_USE mm_err keep_pending(mm_client *c, mm_view bundle) {
  mm_limits lim = mm_limits_default(c->suite);
  mm_mls_commit_bundle cb;
  mm_err e = mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, bundle.data, bundle.len, &lim, &cb, NULL);
  mm_mls_public_group_state pgs = {cb.group_info, cb.ratchet_tree};
  mm_writer st, cm;
  mm_writer_init(&st);
  mm_writer_init(&cm);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_PUBLIC_GROUP_STATE, &pgs, &lim, &st, NULL);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &cb.commit, &lim, &cm, NULL);
  free(c->next_state);
  free(c->pending_commit);
  c->next_state = c->pending_commit = NULL;
  if (e == MM_OK) e = mm_writer_finish(&st, &c->next_state, &c->next_state_len);
  if (e == MM_OK) e = mm_writer_finish(&cm, &c->pending_commit, &c->pending_commit_len);
  mm_writer_free(&st);
  mm_writer_free(&cm);
  return e;
}

mm_err mm_cl_build_bundle(mm_client *c, mm_view aad, mm_writer *w) {
  if (!c->mls_state) return MM_E_USAGE; /* the group's state of this epoch is not known */
  mm_mls_expect exp = {
      .suite = c->suite, .group_id = mm_cl_group(c), .check_epoch = true, .epoch = c->epoch};
  mm_mls_state *st;
  mm_mls_why why;
  mm_err e = mm_mls_state_from_public(c->mls_state, c->mls_state_len, &exp, &st, &why);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_E_USAGE; /* not the state of this epoch */
  mm_mls_commit_spec spec = {.ctx = &mm_mls_state_group_info(st)->group_context,
                             .cur_tree = mm_mls_state_tree(st),
                             .committer = c->leaf_index,
                             .key = c->leaf_key,
                             .identity = mm_view_str(c->identity),
                             .path = true,
                             .aad = aad};
  size_t at = w->len;
  e = mm_mls_build_commit_bundle(&spec, c->env->rng, w, NULL);
  mm_mls_state_free(st);
  if (e == MM_OK) e = keep_pending(c, mm_view_of(w->buf + at, w->len - at));
  return e;
}

mm_err mm_cl_build_migration_commit(mm_client *c, mm_writer *w) {
  mm_migration_commit_aad aad = {mm_view_str(c->mig.target)};
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer aw;
  mm_writer_init(&aw);
  mm_err e = mm_encode(MM_T_MIGRATION_COMMIT_AAD, &aad, &lim, &aw, NULL);
  if (e == MM_OK && c->profile == MM_PROFILE_V2)
    e = mm_cl_build_bundle(c, mm_writer_view(&aw), w);
  else if (e == MM_OK)
    e = mm_cl_build_commit(c, c->mig.epoch, mm_writer_view(&aw), w);
  mm_writer_free(&aw);
  return e;
}

mm_err mm_cl_build_init(mm_client *c, const mm_migration_response *resp, mm_writer *w) {
  mm_migration_init init = {*resp, {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e = mm_sign_tbs(c->leaf_key, MM_T_MIGRATION_INIT, &init, &sig);
  init.signature = mm_writer_view(&sig);
  mm_limits lim = mm_limits_default(c->suite);
  if (e == MM_OK) e = mm_encode(MM_T_MIGRATION_INIT, &init, &lim, w, NULL);
  mm_writer_free(&sig);
  return e;
}

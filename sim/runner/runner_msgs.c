/* The messages the runner sends as client and peer DS, built with the codec
 * and signed with the crypto layer (never with the reference actors, so a
 * test can break exactly one thing). */
#include <stdlib.h>
#include <string.h>

#include "runner/runner_internal.h"

void rbuf_free(rbuf *b) {
  free(b->p);
  *b = (rbuf){0};
}

mm_view rbuf_view(const rbuf *b) { return mm_view_of(b->p, b->n); }

rreq r_default_request(void) { return (rreq){R_SRC, R_TGT, R_GID, R_EPOCH}; }

/* Encodes msg (type t) into out; on failure an error verdict. */
static bool encode(rctx *c, mm_type t, const void *msg, rbuf *out) {
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_derr err = {0};
  mm_err e = mm_encode(t, msg, &lim, &w, &err);
  if (e == MM_OK)
    e = mm_writer_finish(&w, &out->p, &out->n);
  else
    mm_writer_free(&w);
  if (e != MM_OK) r_local(c, "cannot encode %s: %s", mm_type_name(t), mm_err_name(e));
  return e == MM_OK;
}

bool rm_random(rctx *c, uint8_t *out, size_t len) {
  if (mm_rng_fill(&c->rng, out, len) == MM_OK) return true;
  r_local(c, "the random number generator failed");
  return false;
}

bool rm_encodes_as(rctx *c, mm_type t, const void *msg, mm_view want, bool *same) {
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_encode(t, msg, &lim, &w, NULL);
  *same = e == MM_OK && mm_view_eq(mm_writer_view(&w), want);
  mm_writer_free(&w);
  if (e == MM_E_NOMEM)
    r_local(c, "cannot encode %s: %s", mm_type_name(t), mm_err_name(e));
  else if (e != MM_OK)
    r_error(c, "runner cannot encode %s: %s", mm_type_name(t), mm_err_name(e));
  return e == MM_OK;
}

static bool decode(rctx *c, mm_type t, mm_view b, void *msg) {
  mm_limits lim = mm_limits_default(c->suite);
  if (mm_decode(t, b.data, b.len, &lim, msg, NULL) == MM_OK) return true;
  r_local(c, "cannot decode its own %s", mm_type_name(t));
  return false;
}

/* Signs msg's TBS with k/label into sig (kept by the caller until encoded). */
static bool sign(rctx *c, const mm_key *k, const char *label, mm_type t, const void *msg,
                 mm_writer *sig) {
  mm_writer_init(sig);
  if (mm_sign_tbs_as(k, label, t, msg, sig) == MM_OK) return true;
  r_local(c, "cannot sign %s", mm_type_name(t));
  return false;
}

bool rm_request(rctx *c, const rreq *q, rbuf *out) {
  mm_migration_request rq = {mm_view_str(q->source), mm_view_str(q->target), mm_view_str(q->gid),
                             q->epoch};
  return encode(c, MM_T_MIGRATION_REQUEST, &rq, out);
}

bool rm_response(rctx *c, mm_view request, mm_view nonce, const mm_key *k, const char *label,
                 rbuf *out) {
  mm_migration_response r = {0};
  mm_writer sig;
  if (!decode(c, MM_T_MIGRATION_REQUEST, request, &r.migration_request)) return false;
  r.nonce = nonce;
  bool ok = sign(c, k, label, MM_T_MIGRATION_RESPONSE, &r, &sig);
  r.signature = mm_writer_view(&sig);
  ok = ok && encode(c, MM_T_MIGRATION_RESPONSE, &r, out);
  mm_writer_free(&sig);
  return ok;
}

bool rm_init(rctx *c, mm_view response, const mm_key *k, const char *label, rbuf *out) {
  mm_migration_init m = {0};
  mm_writer sig;
  if (!decode(c, MM_T_MIGRATION_RESPONSE, response, &m.migration_response)) return false;
  bool ok = sign(c, k, label, MM_T_MIGRATION_INIT, &m, &sig);
  m.signature = mm_writer_view(&sig);
  ok = ok && encode(c, MM_T_MIGRATION_INIT, &m, out);
  mm_writer_free(&sig);
  return ok;
}

bool rm_content(rctx *c, mm_view response, mm_view group_state, const mm_key *k, const char *label,
                rbuf *out) {
  mm_migration_content m = {0};
  mm_writer sig;
  if (!decode(c, MM_T_MIGRATION_RESPONSE, response, &m.migration_response)) return false;
  m.group_state = group_state;
  bool ok = sign(c, k, label, MM_T_MIGRATION_CONTENT, &m, &sig);
  m.signature = mm_writer_view(&sig);
  ok = ok && encode(c, MM_T_MIGRATION_CONTENT, &m, out);
  mm_writer_free(&sig);
  return ok;
}

bool rm_complete(rctx *c, mm_view hash, const mm_key *k, const char *label, rbuf *out) {
  mm_target_migration_complete m = {hash, {0}};
  mm_writer sig;
  bool ok = sign(c, k, label, MM_T_TARGET_MIGRATION_COMPLETE, &m, &sig);
  m.signature = mm_writer_view(&sig);
  ok = ok && encode(c, MM_T_TARGET_MIGRATION_COMPLETE, &m, out);
  mm_writer_free(&sig);
  return ok;
}

bool rm_group_state(rctx *c, const char *gid, uint64_t epoch, size_t payload, rbuf *out) {
  mm_member members[2] = {{mm_view_str(R_ALICE), 0, mm_key_public(c->alice)},
                          {mm_view_str(R_BOB), 1, mm_key_public(c->bob)}};
  uint8_t *pay = calloc(payload ? payload : 1, 1);
  if (!pay) {
    r_local(c, "out of memory for a group state of %zu bytes", payload);
    return false;
  }
  for (size_t i = 0; i < payload; i++) pay[i] = (uint8_t)(i * 7u + epoch);
  mm_group_state g = {.version = MM_GROUP_STATE_VERSION,
                      .cipher_suite = c->suite,
                      .group_id = mm_view_str(gid),
                      .epoch = epoch,
                      .ds_payload = mm_view_of(pay, payload)};
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_group_state_encode(&g, members, 2, &w);
  if (e == MM_OK)
    e = mm_writer_finish(&w, &out->p, &out->n);
  else
    mm_writer_free(&w);
  free(pay);
  if (e != MM_OK) r_local(c, "cannot encode a group state: %s", mm_err_name(e));
  return e == MM_OK;
}

bool rm_commit(rctx *c, const char *gid, uint64_t epoch, const char *aad_target,
               uint8_t content_type, rbuf *out) {
  uint8_t sender[16], ct[64];
  if (!rm_random(c, sender, sizeof sender) || !rm_random(c, ct, sizeof ct)) return false;
  rbuf aad = {0};
  if (aad_target) {
    mm_migration_commit_aad a = {mm_view_str(aad_target)};
    if (!encode(c, MM_T_MIGRATION_COMMIT_AAD, &a, &aad)) return false;
  }
  mm_mls_message m = {.version = MM_MLS10,
                      .wire_format = MM_WIRE_PRIVATE,
                      .group_id = mm_view_str(gid),
                      .epoch = epoch,
                      .authenticated_data = rbuf_view(&aad),
                      .content_type = content_type,
                      .encrypted_sender_data = mm_view_of(sender, sizeof sender),
                      .ciphertext = mm_view_of(ct, sizeof ct)};
  if (c->framing == MM_WIRE_PUBLIC) /* from leaf 0; content, signature and tag as bytes */
    m = (mm_mls_message){.version = MM_MLS10,
                         .wire_format = MM_WIRE_PUBLIC,
                         .group_id = mm_view_str(gid),
                         .epoch = epoch,
                         .sender_type = MM_SENDER_MEMBER,
                         .sender_index = 0,
                         .authenticated_data = rbuf_view(&aad),
                         .content_type = content_type,
                         .rest = mm_view_of(ct, sizeof ct)};
  bool ok = encode(c, MM_T_MLS_MESSAGE, &m, out);
  rbuf_free(&aad);
  return ok;
}

bool rm_envelope(rctx *c, uint8_t msg_type, uint16_t suite, const char *sender, mm_view body,
                 rbuf *out) {
  mm_envelope e = {msg_type, suite, mm_view_str(sender), body};
  mm_writer w;
  mm_writer_init(&w);
  /* Hostile bodies must travel as they are: the envelope is written by hand
   * here, not by mm_encode, which would check the body against msg_type. */
  bool ok = mm_put_u8(&w, e.msg_type) && mm_put_u16(&w, e.cipher_suite) &&
            mm_put_vec(&w, e.sender.data, e.sender.len) && mm_put_vec(&w, body.data, body.len);
  if (!ok || mm_writer_finish(&w, &out->p, &out->n) != MM_OK) {
    mm_writer_free(&w);
    r_local(c, "cannot encode an envelope");
    return false;
  }
  return true;
}

bool r_bad_sig(rctx *c, const mm_key *k, mm_type t, const void *msg, mm_view sig) {
  mm_err e = mm_verify_tbs(k, t, msg, sig);
  if (e == MM_OK || e == MM_E_BAD_SIGNATURE) return e == MM_E_BAD_SIGNATURE;
  r_local(c, "cannot verify a %s signature: %s", mm_type_name(t), mm_err_name(e));
  return false;
}

bool rm_content_hash(rctx *c, mm_view content, uint8_t *out, size_t *len) {
  if (mm_content_ref_hash(c->suite, content, out, len) == MM_OK) return true;
  r_local(c, "cannot hash");
  return false;
}

bool r_send(rctx *c, uint8_t msg_type, const char *sender, mm_view body) {
  rbuf env = {0};
  bool ok = rm_envelope(c, msg_type, c->suite, sender, body, &env) && r_deliver(c, rbuf_view(&env));
  rbuf_free(&env);
  return ok;
}

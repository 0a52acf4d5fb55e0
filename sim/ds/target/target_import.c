/* The target DS's MigrationContent handling (docs/actors.md, "Target DS",
 * checks 1-8 in that order), then the import and TargetMigrationComplete. */
#include <stdlib.h>
#include <string.h>

#include "ds/target/target_internal.h"

/* One MigrationContent on its way through the checks. */
typedef struct import {
  mm_target *t;
  const mm_intake *in;
  uint8_t **owned; /* the received buffer, when it may be kept */
  const mm_migration_content *mc;
  const mm_migration_request *rq;
  uint16_t suite;
  mm_view nonce;
  mm_tgt_nonce rec;              /* the nonce's record (views into the store) */
  mm_group_state state;          /* decoded group_state (views into the body; v1) */
  uint64_t epoch;                /* the imported state's epoch */
  uint8_t hash[MM_MAX_HASH_LEN]; /* HASH-1 over the content as received */
  size_t hash_len;
} import;

/* HASH-1: RefHash("MLS 1.0 MigrationContent Reference", content as received). */
static MM_MUST_USE mm_err content_hash(import *c) {
  return mm_content_ref_hash(c->suite, c->in->env.body, c->hash, &c->hash_len);
}

/* 1. The embedded response carries our own signature (SIG-1). */
static MM_MUST_USE mm_err check_response_sig(const import *c) {
  if (!MM_ENFORCED(c->t->cfg->mutants, "SIG-1", MM_MUT_SKIP_RESPONSE_SIG)) return MM_OK;
  const mm_migration_response *r = &c->mc->migration_response;
  return mm_verify_tbs(c->t->cfg->sign_keys[c->suite], MM_T_MIGRATION_RESPONSE, r, r->signature);
}

/* Is the embedded request byte for byte the one the nonce was issued for? */
static MM_MUST_USE mm_err same_request(const import *c, bool *same) {
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_encode(MM_T_MIGRATION_REQUEST, c->rq, &lim, &w, NULL);
  *same = e == MM_OK && mm_view_eq(mm_writer_view(&w), c->rec.request);
  mm_writer_free(&w);
  return e;
}

/* 2. NONCE-2. A consumed nonce whose content is byte-identical to the
 * imported one is a retransmission (*replay): it gets its
 * TargetMigrationComplete again (LIFE-5). That test runs before the expiry
 * test on purpose: the source retransmits until answered, however long that
 * takes (GAP-1), so an import must stay acknowledgeable after 300 s. */
static MM_MUST_USE mm_err check_nonce(import *c, uint64_t now, bool *replay) {
  mm_mutants mut = c->t->cfg->mutants;
  *replay = false;
  mm_err e = mm_tgt_nonce_get(c->t->nonces, c->nonce, &c->rec);
  if (e == MM_E_NOT_FOUND) return MM_RULE("NONCE-2", MM_E_UNKNOWN_NONCE); /* never issued */
  if (e != MM_OK) return e;
  bool same;
  e = same_request(c, &same);
  if (e == MM_E_NOMEM) return e; /* no verdict on the nonce */
  /* Issued for this very request, not another one. */
  e = MM_CHECK(mut, e == MM_OK && same, "NONCE-2", MM_MUT_NONE, MM_E_UNKNOWN_NONCE);
  if (e != MM_OK) return e;
  if (c->rec.consumed) {
    e = c->hash_len ? MM_OK : content_hash(c);
    if (e != MM_OK) return e;
    *replay = mm_view_eq(mm_view_of(c->hash, c->hash_len), c->rec.content_hash);
    /* Only the same content again; another one under a consumed nonce is
     * refused (LIFE-5 asks the same). */
    e = MM_CHECK(mut, *replay, "NONCE-2", MM_MUT_ACCEPT_REUSED_NONCE, MM_E_NONCE_REUSED);
    if (e != MM_OK || *replay) return e;
  }
  bool expired = now < c->rec.issued_at || now - c->rec.issued_at > MM_NONCE_LIFETIME_MS;
  return MM_CHECK(mut, !expired, "NONCE-2", MM_MUT_ACCEPT_EXPIRED_NONCE, MM_E_NONCE_EXPIRED);
}

/* SIG-3 over the body as received, up to its final signature<V>: the codec
 * is canonical (ENC-1..3), so those bytes are exactly what re-encoding the
 * decoded message would give, without copying a large group_state. */
static MM_MUST_USE mm_err verify_content_sig(const mm_key *k, const import *c) {
  mm_view body = c->in->env.body, sig = c->mc->signature;
  size_t head = mm_varint_size(sig.len);
  bool at_end = sig.data && sig.data + sig.len == body.data + body.len &&
                (size_t)(sig.data - body.data) >= head;
  if (!k || !at_end) /* not a layout the codec produces: the general path */
    return mm_verify_tbs(k, MM_T_MIGRATION_CONTENT, c->mc, sig);
  size_t tbs_len = (size_t)(sig.data - body.data) - head;
  mm_err e = mm_verify_with_label(k, mm_tbs_label(MM_T_MIGRATION_CONTENT), body.data, tbs_len,
                                  sig.data, sig.len);
  return e == MM_OK || e == MM_E_NOMEM ? e : MM_E_BAD_SIGNATURE; /* OOM: no verdict */
}

/* 3. Sent and signed by the request's source (DOM-3, SIG-3). */
static MM_MUST_USE mm_err check_source(const import *c) {
  mm_mutants mut = c->t->cfg->mutants;
  mm_view source = c->rq->source_domain_name;
  bool from_source = mm_view_eq(c->in->env.sender, source);
  mm_err e = MM_CHECK(mut, from_source, "DOM-3", MM_MUT_SKIP_DOMAIN_CHECK, MM_E_WRONG_DOMAIN);
  if (e != MM_OK) return e;
  if (!MM_ENFORCED(mut, "SIG-3 DOM-3", MM_MUT_SKIP_CONTENT_SIG)) return MM_OK;
  const mm_key *k = mm_keydir_get(c->t->env->keys, source, c->suite);
  return verify_content_sig(k, c);
}

/* 5. AUTHZ-4: the policy must still allow the client the nonce went to. */
static MM_MUST_USE mm_err check_still_allowed(const import *c) {
  return MM_CHECK(c->t->cfg->mutants,
                  mm_policy_allows(&c->t->cfg->policy, c->t->cfg->domain, c->rec.client,
                                   c->rq->group_id, c->rq->source_domain_name),
                  "AUTHZ-4", MM_MUT_SKIP_TARGET_REAUTH, MM_E_UNAUTHORIZED);
}

/* 7. LIFE-6: the reference group state of the request's group and suite,
 * at the epoch after the migration Commit. */
static MM_MUST_USE mm_err check_state(import *c) {
  mm_view gs = c->mc->group_state;
  if (mm_ds_profile(c->t->cfg) == MM_PROFILE_V2) {
    /* MLS-1, MLS-2: the MigrationGroupState of the epoch the migration Commit created, checked as
     * a joining member would, before anything is kept (LIFE-6). */
    if (c->rq->epoch == UINT64_MAX) return MM_RULE("EPOCH-3", MM_E_BAD_GROUP_STATE);
    mm_mls_expect exp = {.suite = c->suite,
                         .group_id = c->rq->group_id,
                         .check_epoch = true,
                         .epoch = c->rq->epoch + 1};
    mm_mls_state *st = NULL;
    mm_mls_why why;
    mm_err r = mm_mls_state_from_group_state(gs.data, gs.len, &exp, &st, &why);
    mm_mls_state_free(st);
    if (r == MM_E_NOMEM) return r;
    c->epoch = exp.epoch;
    return MM_CHECK(c->t->cfg->mutants, r == MM_OK, "MLS-1 MLS-2 LIFE-6", MM_MUT_NONE,
                    MM_E_BAD_GROUP_STATE);
  }
  mm_limits lim = mm_ds_limits(c->t->env, c->suite);
  bool fits = mm_group_state_decode(gs.data, gs.len, &lim, &c->state, NULL) == MM_OK &&
              mm_view_eq(c->state.group_id, c->rq->group_id) && c->state.cipher_suite == c->suite &&
              c->rq->epoch != UINT64_MAX && c->state.epoch == c->rq->epoch + 1;
  c->epoch = c->state.epoch;
  return MM_CHECK(c->t->cfg->mutants, fits, "LIFE-6", MM_MUT_NONE, MM_E_MALFORMED);
}

/* A byte-identical retransmission of a content already imported (its hash
 * is the consumed nonce's): every check passed on those very bytes, so it
 * is answered without verifying its two signatures again. Checks 1-7 would
 * reach the same verdict; this only makes a flood of retransmissions cost
 * a hash each instead of two verifications. */
static bool known_replay(import *c) {
  if (mm_tgt_nonce_get(c->t->nonces, c->nonce, &c->rec) != MM_OK || !c->rec.consumed) return false;
  if (!c->hash_len && content_hash(c) != MM_OK) return false;
  return mm_view_eq(mm_view_of(c->hash, c->hash_len), c->rec.content_hash);
}

/* Checks 1-7. *replay: a retransmission of the imported content. A
 * retransmission is answered only to the request's source: the same bytes
 * from a third DS (a copy it captured) get wrong_domain, as any content from
 * it does (DOM-3), and no TargetMigrationComplete. */
static MM_MUST_USE mm_err check_content(import *c, uint64_t now, bool *replay) {
  mm_mutants mut = c->t->cfg->mutants;
  mm_err e = MM_OK;
  if (known_replay(c))
    *replay = true;
  else if ((e = check_response_sig(c)) == MM_OK)
    e = check_nonce(c, now, replay);
  if (e == MM_OK && *replay)
    return MM_CHECK(mut, mm_view_eq(c->in->env.sender, c->rq->source_domain_name), "DOM-3",
                    MM_MUT_SKIP_DOMAIN_CHECK, MM_E_WRONG_DOMAIN);
  if (e != MM_OK) return e;
  e = check_source(c);
  /* 4: the suite the nonce was issued in. */
  if (e == MM_OK)
    e = MM_CHECK(mut, c->suite == c->rec.suite, "SUITE-2", MM_MUT_NONE,
                 MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e == MM_OK) e = check_still_allowed(c);
  /* 6: never over a group it hosts. */
  if (e == MM_OK)
    e = MM_CHECK(mut, !mm_tgt_hosts(c->t, c->rq->group_id), "GROUP-1", MM_MUT_IMPORT_EXISTING_GROUP,
                 MM_E_GROUP_EXISTS);
  return e == MM_OK ? check_state(c) : e;
}

/* TargetMigrationComplete for c->hash to the sender (SIG-4). */
static MM_MUST_USE mm_err send_complete(const import *c, mm_outbox *out) {
  mm_target_migration_complete tmc = {mm_view_of(c->hash, c->hash_len), {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  mm_err e =
      mm_sign_tbs(c->t->cfg->sign_keys[c->suite], MM_T_TARGET_MIGRATION_COMPLETE, &tmc, &sig);
  tmc.signature = mm_writer_view(&sig);
  if (e == MM_OK)
    e = mm_send_msg(out, c->in->sender, MM_MSG_TARGET_MIGRATION_COMPLETE, c->suite,
                    c->t->cfg->domain, MM_T_TARGET_MIGRATION_COMPLETE, &tmc);
  mm_writer_free(&sig);
  return e;
}

/* The group_state: where it arrived, when the caller handed the received
 * buffer over (the store keeps the whole envelope and a view of the state
 * in it); else copied once into a buffer the store takes over. */
static MM_MUST_USE mm_err store_state(const import *c) {
  mm_view gs = c->mc->group_state;
  if (c->owned && *c->owned) {
    uint8_t *block = *c->owned;
    *c->owned = NULL; /* the store's now, even if putting it fails */
    return mm_tgt_state_put_in(c->t->env->store, c->rq->group_id, block, gs);
  }
  uint8_t *copy = malloc(gs.len ? gs.len : 1);
  if (!copy) return MM_E_NOMEM;
  if (gs.len) memcpy(copy, gs.data, gs.len);
  return mm_tgt_state_put_owned(c->t->env->store, c->rq->group_id, copy, gs.len);
}

/* 8. State, group record, consumed nonce: in that order, so that a group
 * is never recorded without its state. */
static MM_MUST_USE mm_err store_import(import *c) {
  mm_store *s = c->t->env->store;
  /* A copy of the key: undoing a kept state frees the buffer it lies in. */
  uint8_t gid_buf[MM_GROUP_ID_MAX];
  if (c->rq->group_id.len > sizeof gid_buf) return MM_E_INTERNAL;
  if (c->rq->group_id.len) memcpy(gid_buf, c->rq->group_id.data, c->rq->group_id.len);
  mm_view gid = mm_view_of(gid_buf, c->rq->group_id.len);
  mm_err e = store_state(c);
  if (e != MM_OK) return e;
  mm_tgt_group grp = {.origin = MM_TGT_IMPORTED,
                      .suite = c->suite,
                      .epoch = c->epoch,
                      .source = c->rq->source_domain_name,
                      .client = c->rec.client,
                      .nonce = c->nonce};
  e = mm_tgt_group_put(s, gid, &grp);
  if (e != MM_OK) {
    mm_store_del(s, MM_TGT_NS_STATE, gid);
    return e;
  }
  mm_tgt_nonce used = c->rec;
  used.consumed = true;
  used.content_hash = mm_view_of(c->hash, c->hash_len);
  e = mm_tgt_nonce_put(c->t->nonces, c->nonce, &used);
  if (e != MM_OK) {
    mm_store_del(s, MM_TGT_NS_GROUP, gid);
    mm_store_del(s, MM_TGT_NS_STATE, gid);
  }
  return e;
}

static void report_import(const import *c) {
  mm_view state;
  if (!mm_tgt_state_get(c->t->env->store, c->rq->group_id, &state)) return;
  mm_event ev = {.kind = MM_EV_GROUP_IMPORTED,
                 .actor = c->t->cfg->domain,
                 .group_id = c->rq->group_id,
                 .epoch = c->epoch,
                 .detail = state,
                 .peer = c->rq->source_domain_name};
  mm_observe(c->t->env->obs, &ev);
}

static MM_MUST_USE mm_err import_group(import *c, mm_outbox *out) {
  mm_err e = c->hash_len ? MM_OK : content_hash(c);
  if (e == MM_OK) e = store_import(c);
  if (e != MM_OK) return e;
  report_import(c);
  return send_complete(c, out);
}

mm_err mm_tgt_handle_content(mm_target *t, const mm_intake *in, uint8_t **owned, uint64_t now,
                             mm_outbox *out) {
  const mm_migration_content *mc = &in->body.migration_content;
import c = {.t = t, .in = in, .owned = owned, .mc = mc, .rq = & mc->migration_response.migration_request, .suite = in->env.cipher_suite, .nonce = mc->migration_response.nonce };
  bool replay = false;
  mm_err e = check_content(&c, now, &replay);
  if (e != MM_OK) return e;
  return replay ? send_complete(&c, out) : import_group(&c, out);
}

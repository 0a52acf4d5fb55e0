/* The transfer half of a migration at the source DS: MigrationContent
 * (export, store, send, retransmit: SIG-3, HASH-1, LIFE-5),
 * TargetMigrationComplete (SIG-4, HASH-2), then fan-out, confirmation and
 * tombstone (LIFE-1, LIFE-2, SIG-5, NONCE-4, DOM-4), or an abort (LIFE-3). */
#include <stdlib.h>
#include <string.h>

#include "ds/source/source_internal.h"

#define ABORT_AFTER_CONTENT_TRIES 3 /* mutant: retransmissions before giving up */

/* The MigrationInit a migration record holds (views into the record). */
static MM_MUST_USE mm_err record_init(const src_mig *mig, uint16_t suite, mm_migration_init *mi) {
  mm_limits lim = mm_limits_default(suite);
  return mm_decode(MM_T_MIGRATION_INIT, mig->init.data, mig->init.len, &lim, mi, NULL) == MM_OK
             ? MM_OK
             : MM_E_INTERNAL;
}

static const mm_migration_request *request_of(const mm_migration_init *mi) {
  return &mi->migration_response.migration_request;
}

/* Retransmission backoff after k retransmissions: 1, 2, 4, 8, 16, 16 ... s. */
static uint64_t backoff_ms(uint32_t k) {
  uint64_t d = MM_RETRANSMIT_MS;
  for (uint32_t i = 0; i < k && d < MM_RETRANSMIT_MAX_MS; i++) d *= 2;
  return d < MM_RETRANSMIT_MAX_MS ? d : MM_RETRANSMIT_MAX_MS;
}

/* ---- MigrationContent ---- */

/* The members of the stored state, as the encoder wants them. */
static MM_MUST_USE mm_err members_of(const mm_group_state *g, mm_member **out, size_t *n) {
  *out = calloc(g->member_count ? g->member_count : 1, sizeof **out);
  if (!*out) return MM_E_NOMEM;
  size_t pos = 0;
  for (*n = 0; *n < g->member_count && mm_members_next(g, &pos, &(*out)[*n]);) (*n)++;
  return *n == g->member_count ? MM_OK : MM_E_INTERNAL;
}

/* group_state<V>: the stored state at `epoch`. The export is exactly as
 * long as the stored state (only the fixed-width epoch differs), so the
 * length header goes first and the state is encoded in place, once. */
static MM_MUST_USE mm_err put_state(mm_writer *w, const src_group *g, size_t stored_len,
                                    uint64_t epoch) {
  mm_member *members = NULL;
  size_t n = 0;
  mm_err e = members_of(&g->hosted.state, &members, &n);
  mm_group_state next = g->hosted.state;
  next.epoch = epoch;
  if (e == MM_OK && stored_len > MM_VARINT_MAX) e = MM_E_MALFORMED;
  if (e == MM_OK && !mm_put_varint(w, (uint32_t)stored_len)) e = w->error;
  size_t start = w->len;
  if (e == MM_OK) e = mm_group_state_encode(&next, members, n, w);
  if (e == MM_OK && w->len - start != stored_len) e = MM_E_INTERNAL;
  free(members);
  return e;
}

/* One MigrationContent envelope, built in the buffer that is sent. */
typedef struct content_env {
  uint8_t *buf; /* the whole Envelope (malloc'd) */
  size_t len;
  mm_view body;   /* the MigrationContent inside it */
  size_t sig_len; /* the signature: the last sig_len bytes of buf */
} content_env;

/* Writes the varint v in exactly n bytes at w->buf[at] (n is its minimal
 * size: the caller predicted it). MM_E_INTERNAL if it was not. */
static MM_MUST_USE mm_err put_varint_at(mm_writer *w, size_t at, size_t v, size_t n) {
  mm_writer t;
  mm_writer_init(&t);
  bool ok = v <= MM_VARINT_MAX && mm_put_varint(&t, (uint32_t)v) && t.len == n;
  if (ok) memcpy(w->buf + at, t.buf, n);
  mm_err e = ok ? MM_OK : t.error == MM_E_NOMEM ? MM_E_NOMEM : MM_E_INTERNAL;
  mm_writer_free(&t);
  return e;
}

/* Signs SignContent {head, body[body_at..]} where it lies: the head goes,
 * for the time of the signature, over the bytes just before the body. */
static MM_MUST_USE mm_err sign_in_place(const mm_key *key, mm_writer *w, size_t body_at,
                                        const mm_writer *head, mm_writer *sig) {
  uint8_t saved[64];
  if (head->len > sizeof saved || head->len > body_at) return MM_E_INTERNAL;
  uint8_t *at = w->buf + body_at - head->len;
  memcpy(saved, at, head->len);
  memcpy(at, head->buf, head->len);
  mm_err e = mm_sign_raw(key, at, head->len + (w->len - body_at), sig);
  memcpy(at, saved, head->len);
  return e;
}

/* The Envelope {migration_content, suite, source, MigrationContent
 * {response, GroupState at request epoch + 1, signature}} in one buffer:
 * the body is encoded and signed (SIG-3) in place, never copied. Its length
 * header goes first; when the signature's length cannot change that
 * header's size (every body but one within a few bytes of 64 or 16384) its
 * size is known up front, otherwise the body is shifted once to fit it.
 * Deterministic signatures (RFC 6979, EdDSA) make a rebuild byte-identical,
 * which is what retransmission relies on (LIFE-5); a rebuild is given the
 * signature first made (known_sig) and does not sign again, since signing
 * costs more than the rest of the rebuild for any state under ~1 MiB. */
static MM_MUST_USE mm_err build_content(const mm_source *s, const src_group *g,
                                        const mm_migration_init *mi, mm_view commit,
                                        mm_view known_sig, content_env *ce) {
  uint16_t suite = g->meta.suite;
  const mm_key *key = s->cfg->sign_keys[suite];
  mm_view stored;
  if (!key || !mm_store_get(s->env->store, SRC_NS_STATE, src_gid_view(&g->gid), &stored))
    return MM_E_INTERNAL;
  /* Profile v2 (MLS-1): the MigrationGroupState of the epoch the migration Commit creates. */
  bool v2 = mm_ds_profile(s->cfg) == MM_PROFILE_V2;
  mm_writer mgs;
  mm_writer_init(&mgs);
  if (v2) {
    mm_mls_state *next = NULL;
    mm_err r = src_v2_next_state(s, g, commit, &mgs, &next, NULL, NULL);
    mm_mls_state_free(next);
    if (r != MM_OK) {
      mm_writer_free(&mgs);
      return r;
    }
    stored = mm_writer_view(&mgs);
  }
  mm_limits lim = mm_ds_limits(s->env, suite);
  mm_writer w, resp, sig;
  mm_writer_init(&w);
  mm_writer_init(&resp);
  mm_writer_init(&sig);
  mm_err e = mm_encode(MM_T_MIGRATION_RESPONSE, &mi->migration_response, &lim, &resp, NULL);
  size_t max_sig = mm_suite_get(suite)->max_sig_len;
  size_t tbs_len = resp.len + mm_varint_size(stored.len) + stored.len;
  size_t head_lo = mm_varint_size(tbs_len + 1), head_hi = mm_varint_size(tbs_len + 2 + max_sig);
  size_t head = head_lo == head_hi ? head_hi : 0; /* 0: not known before signing */
  /* Room for the frame, the response, the state (with the encoder's own
   * slack) and the signature, so that a large state is never reallocated. */
  mm_writer_reserve(&w, 1024 + strlen(s->cfg->domain) + resp.len + stored.len + 32 +
                            16 * g->hosted.state.member_count + MM_MAX_SIG_LEN);
  /* Pure EdDSA signs one contiguous message, so SignContent's head must lie
   * right before the body: leave room for it in front of the frame when the
   * frame is shorter, and close the gap at the end (one move in place
   * rather than a fresh copy of the whole content to sign). */
  mm_writer lead_room;
  mm_writer_init(&lead_room);
  size_t dlen = strlen(s->cfg->domain), lead = 0;
  if (e == MM_OK && mm_suite_get(suite)->sig_len && head &&
      mm_sign_content_head(mm_tbs_label(MM_T_MIGRATION_CONTENT), tbs_len, &lead_room) == MM_OK) {
    size_t frame_len = 1 + 2 + mm_varint_size(dlen) + dlen + head;
    lead = lead_room.len > frame_len ? lead_room.len - frame_len : 0;
  }
  static const uint8_t gap[64] = {0};
  if (lead > sizeof gap)
    e = MM_E_INTERNAL; /* a domain name cannot be that short */
  else
    mm_put_bytes(&w, gap, lead);
  mm_put_u8(&w, MM_MSG_MIGRATION_CONTENT);
  mm_put_u16(&w, suite);
  mm_put_vec(&w, (const uint8_t *)s->cfg->domain, dlen);
  size_t len_at = w.len;
  static const uint8_t zeros[4] = {0};
  mm_put_bytes(&w, zeros, head);
  size_t body_at = w.len;
  mm_put_bytes(&w, resp.buf, resp.len);
  if (e == MM_OK && w.error != MM_OK) e = w.error;
  if (e == MM_OK && v2 && !mm_put_vec(&w, stored.data, stored.len)) e = w.error;
  if (e == MM_OK && !v2) e = put_state(&w, g, stored.len, request_of(mi)->epoch + 1);
  if (e == MM_OK && lead_room.len && w.len - body_at != tbs_len) e = MM_E_INTERNAL;
  if (e == MM_OK && known_sig.len)
    mm_put_bytes(&sig, known_sig.data, known_sig.len);
  else if (e == MM_OK && lead_room.len)
    e = sign_in_place(key, &w, body_at, &lead_room, &sig);
  else if (e == MM_OK)
    e = mm_sign_with_label(key, mm_tbs_label(MM_T_MIGRATION_CONTENT), w.buf + body_at,
                           w.len - body_at, &sig);
  if (e == MM_OK) e = sig.error;
  if (e == MM_OK) mm_put_vec(&w, sig.buf, sig.len);
  if (e == MM_OK) ce->sig_len = sig.len;
  if (e == MM_OK) e = w.error;
  size_t body_len = w.len - body_at;
  if (e == MM_OK && head) e = put_varint_at(&w, len_at, body_len, head);
  if (e == MM_OK && !head && !mm_vec_end(&w, len_at)) e = w.error;
  mm_writer_free(&resp);
  mm_writer_free(&sig);
  mm_writer_free(&lead_room);
  mm_writer_free(&mgs);
  if (e == MM_OK)
    e = mm_writer_finish(&w, &ce->buf, &ce->len);
  else
    mm_writer_free(&w);
  if (e != MM_OK) return e;
  if (lead) { /* the envelope starts at the buffer's start */
    memmove(ce->buf, ce->buf + lead, ce->len - lead);
    ce->len -= lead;
  }
  ce->body = mm_view_of(ce->buf + ce->len - body_len, body_len);
  return MM_OK;
}

static MM_MUST_USE mm_err content_hash(uint16_t suite, const content_env *ce, uint8_t *hash,
                                       size_t *hash_len) {
  return mm_content_ref_hash(suite, ce->body, hash, hash_len);
}

/* A retransmission: the content rebuilt from the stored state and
 * MigrationInit, checked against the hash of the one first sent. */
static MM_MUST_USE mm_err send_content(const mm_source *s, const src_group *g,
                                       const mm_migration_init *mi, mm_outbox *out) {
  char target[MM_DOMAIN_MAX + 1];
  if (!src_cstr(request_of(mi)->target_domain_name, target, sizeof target)) return MM_E_INTERNAL;
  content_env ce;
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t hash_len;
  mm_err e = build_content(s, g, mi, g->mig.commit, g->mig.content_sig, &ce);
  if (e != MM_OK) return e;
  e = content_hash(g->meta.suite, &ce, hash, &hash_len);
  if (e == MM_OK && !mm_view_eq(mm_view_of(hash, hash_len), g->mig.content_hash))
    e = MM_E_INTERNAL; /* never: the state and the Init are frozen while migrating */
  if (e != MM_OK) {
    free(ce.buf);
    return e;
  }
  return mm_outbox_push(out, target, ce.buf, ce.len);
}

/* ---- fan-out and confirmation ---- */

/* LIFE-1: the migration Commit, as received, to every member. */
static MM_MUST_USE mm_err fanout_commit(const mm_source *s, const src_group *g,
                                        const mm_migration_init *mi, mm_view commit,
                                        mm_outbox *out) {
  mm_report_commit(s->env, s->cfg->domain, src_gid_view(&g->gid), request_of(mi)->epoch,
                   g->mig.client, commit);
  if (mm_ds_profile(s->cfg) == MM_PROFILE_V2) {
    /* MLS-4: the commit to every member of the epoch it ends, the Welcome to new members. */
    mm_writer w;
    mm_writer_init(&w);
    mm_mls_state *next = NULL;
    mm_mls_commit_info info;
    const mm_mls_state *cur;
    mm_err e = src_v2_next_state(s, g, commit, &w, &next, &info, &cur);
    if (e == MM_OK) e = mm_hosted_mls_fanout(s->cfg, cur, next, &info, out);
    mm_mls_state_free(next);
    mm_writer_free(&w);
    return e;
  }
  size_t pos = 0;
  mm_member m;
  char to[MM_SENDER_MAX + 1];
  while (mm_members_next(&g->hosted.state, &pos, &m)) {
    if (!src_cstr(m.identity, to, sizeof to)) return MM_E_INTERNAL;
    mm_err e = mm_send(out, to, MM_MSG_MIGRATION_COMMIT, g->meta.suite, s->cfg->domain, commit.data,
                       commit.len);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

/* LIFE-2, SIG-5, NONCE-4, DOM-4: {target, nonce, group, signature}. */
static MM_MUST_USE mm_err send_confirmation(const mm_source *s, const src_group *g,
                                            const mm_migration_init *mi, mm_outbox *out) {
  uint16_t suite = g->meta.suite;
  const mm_key *key = s->cfg->sign_keys[suite];
  char to[MM_SENDER_MAX + 1];
  if (!key || !src_cstr(g->mig.client, to, sizeof to)) return MM_E_INTERNAL;
  const mm_migration_request *rq = request_of(mi);
  mm_migration_confirmation c = {rq->target_domain_name, mi->migration_response.nonce, rq->group_id,
                                 mm_view_of(NULL, 0)};
  mm_limits lim = mm_limits_default(suite);
  mm_writer tbs, sig;
  mm_writer_init(&tbs);
  mm_writer_init(&sig);
  mm_err e = mm_encode_tbs(MM_T_MIGRATION_CONFIRMATION, &c, &lim, &tbs);
  if (e == MM_OK)
    e = mm_sign_with_label(key, mm_tbs_label(MM_T_MIGRATION_CONFIRMATION), tbs.buf, tbs.len, &sig);
  if (e == MM_OK) {
    c.signature = mm_writer_view(&sig);
    e = mm_send_msg(out, to, MM_MSG_MIGRATION_CONFIRMATION, suite, s->cfg->domain,
                    MM_T_MIGRATION_CONFIRMATION, &c);
  }
  mm_writer_free(&tbs);
  mm_writer_free(&sig);
  return e;
}

/* ---- start ---- */

/* Stores the content's hash, then moves the record to phase SENT. The
 * content itself is not stored: it is rebuilt byte for byte when needed,
 * with the signature kept here. */
static MM_MUST_USE mm_err store_transfer(mm_source *s, const src_group *g, mm_view commit,
                                         mm_view hash, mm_view sig) {
  mm_store *ms = src_mig_store(s);
  mm_view gid = src_gid_view(&g->gid);
  mm_err e = mm_store_put(ms, SRC_NS_HASH, hash, gid);
  src_mig mig = g->mig;
  mig.phase = SRC_PHASE_CONTENT_SENT;
  mig.retransmits = 0;
  mig.commit = commit;
  mig.content_hash = hash;
  mig.content_sig = sig;
  if (e == MM_OK) e = src_mig_put(ms, gid, &mig);
  return e;
}

mm_err src_start_transfer(mm_source *s, const src_group *g, mm_view commit, uint64_t now,
                          mm_outbox *out) {
  mm_migration_init mi;
  content_env ce = {0};
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t hash_len;
  char target[MM_DOMAIN_MAX + 1];
  mm_err e = record_init(&g->mig, g->meta.suite, &mi);
  if (e == MM_OK && !src_cstr(request_of(&mi)->target_domain_name, target, sizeof target))
    e = MM_E_INTERNAL;
  if (e == MM_OK) e = build_content(s, g, &mi, commit, mm_view_of(NULL, 0), &ce);
  if (e == MM_OK) e = content_hash(g->meta.suite, &ce, hash, &hash_len);
  if (e == MM_OK)
    e = store_transfer(s, g, commit, mm_view_of(hash, hash_len),
                       mm_view_of(ce.buf + ce.len - ce.sig_len, ce.sig_len));
  if (e != MM_OK) {
    free(ce.buf);
    return e;
  }
  /* Stored first, then sent: the very buffer that was encoded and signed. */
  e = mm_outbox_push(out, target, ce.buf, ce.len);
  /* The record was rewritten: reload it (views) before using it again. */
  src_group now_g;
  if (e == MM_OK) e = src_group_load(s, src_gid_view(&g->gid), &now_g);
  if (e == MM_OK && !now_g.migrating) e = MM_E_INTERNAL;
  if (e == MM_OK) e = record_init(&now_g.mig, now_g.meta.suite, &mi);
  if (e == MM_OK) e = src_timer_set(s, src_gid_view(&g->gid), now + backoff_ms(0));
  /* The mutants break LIFE-1 and LIFE-2 here, before any answer. */
  if (e == MM_OK && !MM_ENFORCED(s->cfg->mutants, "LIFE-1", MM_MUT_EARLY_FANOUT))
    e = fanout_commit(s, &now_g, &mi, now_g.mig.commit, out);
  if (e == MM_OK && !MM_ENFORCED(s->cfg->mutants, "LIFE-2", MM_MUT_EARLY_CONFIRM))
    e = send_confirmation(s, &now_g, &mi, out);
  return e;
}

/* ---- end of a migration ---- */

/* Everything the migration kept, except the used nonce (NONCE-3). */
static void drop_migration(mm_source *s, const src_group *g) {
  mm_store *ms = src_mig_store(s);
  mm_view gid = src_gid_view(&g->gid);
  if (g->mig.content_hash.len) mm_store_del(ms, SRC_NS_HASH, g->mig.content_hash);
  mm_store_del(ms, SRC_NS_MIG, gid); /* last: the views above point into it */
  src_timer_clear(s, gid);
}

/* The group serves on at its old epoch (LIFE-3); the client hears
 * bad_commit, and a retransmission of its MigrationInit will too. */
static MM_MUST_USE mm_err abort_migration(mm_source *s, const src_group *g, const char *why,
                                          mm_outbox *out) {
  mm_migration_init mi;
  char to[MM_SENDER_MAX + 1];
  mm_err e = record_init(&g->mig, g->meta.suite, &mi);
  if (e == MM_OK && !src_cstr(g->mig.client, to, sizeof to)) e = MM_E_INTERNAL;
  if (e != MM_OK) return e;
  const mm_migration_request *rq = request_of(&mi);
  src_nonce used = {rq->group_id, g->mig.init, MM_E_BAD_COMMIT};
  e = src_nonce_put(src_mig_store(s), mi.migration_response.nonce, &used);
  if (e != MM_OK) return e;
  mm_event ev = {.kind = MM_EV_MIGRATION_ABORTED,
                 .actor = s->cfg->domain,
                 .group_id = src_gid_view(&g->gid),
                 .epoch = g->hosted.epoch,
                 .peer = rq->target_domain_name};
  mm_observe(s->env->obs, &ev);
  e = mm_send_error(out, to, g->meta.suite, s->cfg->domain, MM_E_BAD_COMMIT, why);
  drop_migration(s, g);
  return e;
}

/* LIFE-1, LIFE-2: fan-out, confirmation, then the group is a tombstone
 * naming the target; its state and the migration go. All or nothing: a
 * failure (out of memory) withdraws what was queued and leaves the
 * migration waiting, so the answer to the next retransmission of the
 * content completes it (a partial fan-out without the tombstone would be
 * sent again then, before completion as far as anyone can tell). */
static MM_MUST_USE mm_err complete(mm_source *s, const src_group *g, mm_outbox *out) {
  mm_migration_init mi;
  size_t queued = out->n;
  mm_err e = record_init(&g->mig, g->meta.suite, &mi);
  if (e == MM_OK && MM_ENFORCED(s->cfg->mutants, "LIFE-1", MM_MUT_EARLY_FANOUT))
    e = fanout_commit(s, g, &mi, g->mig.commit, out);
  if (e == MM_OK && MM_ENFORCED(s->cfg->mutants, "LIFE-2", MM_MUT_EARLY_CONFIRM))
    e = send_confirmation(s, g, &mi, out);
  const mm_migration_request *rq = request_of(&mi);
  mm_view gid = src_gid_view(&g->gid);
  if (e == MM_OK) {
    src_meta tomb = {MM_GS_MIGRATED, g->meta.suite, rq->epoch + 1, rq->target_domain_name};
    e = src_meta_put(s->env->store, gid, &tomb);
  }
  if (e != MM_OK) {
    mm_outbox_truncate(out, queued);
    return e;
  }
  mm_event ev = {.kind = MM_EV_GROUP_RELEASED,
                 .actor = s->cfg->domain,
                 .group_id = gid,
                 .epoch = rq->epoch + 1,
                 .peer = rq->target_domain_name};
  mm_observe(s->env->obs, &ev);
  mm_store_del(s->env->store, SRC_NS_STATE, gid);
  /* Keep the hash index: it recognises a duplicate answer later. */
  src_group kept = *g;
  kept.mig.content_hash = mm_view_of(NULL, 0);
  drop_migration(s, &kept);
  return MM_OK;
}

/* ---- TargetMigrationComplete ---- */

typedef struct by_target {
  const mm_source *s;
  mm_view target;
  src_gid found;
} by_target;

static bool match_target(void *ctx, mm_view gid, mm_view val) {
  (void)val;
  by_target *b = ctx;
  src_meta meta;
  src_mig mig;
  mm_migration_init mi;
  if (!src_meta_get(b->s->env->store, gid, &meta) || !src_mig_get(src_mig_store(b->s), gid, &mig) ||
      mig.phase != SRC_PHASE_CONTENT_SENT || record_init(&mig, meta.suite, &mi) != MM_OK ||
      !mm_view_eq(request_of(&mi)->target_domain_name, b->target))
    return true;
  src_gid_set(&b->found, gid);
  return false;
}

/* Which migration the answer is for: the one whose content has this hash.
 * The mutant, which compares no hash, takes any to this target. */
static MM_MUST_USE mm_err answered_group(const mm_source *s, const mm_intake *in, src_gid *gid) {
  mm_view v;
  const mm_target_migration_complete *c = &in->body.target_migration_complete;
  bool sent = mm_store_get(src_mig_store(s), SRC_NS_HASH, c->migration_content_hash, &v);
  mm_err e = MM_CHECK(s->cfg->mutants, sent, "HASH-2", MM_MUT_SKIP_HASH_CHECK, MM_E_HASH_MISMATCH);
  if (e != MM_OK) return e;
  if (sent) {
    src_gid_set(gid, v);
    return MM_OK;
  }
  by_target b = {s, in->env.sender, {{0}, 0}};
  mm_store_each(src_mig_store(s), SRC_NS_MIG, match_target, &b);
  *gid = b.found;
  return b.found.len ? MM_OK : MM_E_HASH_MISMATCH;
}

/* With the group and its migration loaded: is this the answer it waits for? */
static MM_MUST_USE mm_err check_answer(const mm_source *s, const mm_intake *in,
                                       const src_group *g) {
  const mm_target_migration_complete *c = &in->body.target_migration_complete;
  mm_migration_init mi;
  mm_mutants mut = s->cfg->mutants;
  /* No content waits for an answer: none has this hash. */
  if (!g->migrating || g->mig.phase != SRC_PHASE_CONTENT_SENT)
    return MM_RULE("HASH-2", MM_E_HASH_MISMATCH);
  if (record_init(&g->mig, g->meta.suite, &mi) != MM_OK) return MM_E_INTERNAL;
  mm_err e = MM_CHECK(mut, mm_view_eq(request_of(&mi)->target_domain_name, in->env.sender), "SIG-4",
                      MM_MUT_NONE, MM_E_WRONG_DOMAIN); /* from the request's target */
  if (e == MM_OK)
    e = MM_CHECK(mut, in->env.cipher_suite == g->meta.suite, "SUITE-2", MM_MUT_NONE,
                 MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e == MM_OK)
    e = MM_CHECK(mut, mm_view_eq(c->migration_content_hash, g->mig.content_hash), "HASH-2",
                 MM_MUT_SKIP_HASH_CHECK, MM_E_HASH_MISMATCH);
  return e;
}

mm_err src_handle_complete(mm_source *s, const mm_intake *in, mm_outbox *out) {
  const mm_target_migration_complete *c = &in->body.target_migration_complete;
  uint16_t suite = in->env.cipher_suite;
  /* Under the key of the DS that sends it. */
  const mm_key *key = mm_keydir_get(s->env->keys, in->env.sender, suite);
  mm_err e =
      MM_RULE("SIG-4", src_verify_tbs(key, MM_T_TARGET_MIGRATION_COMPLETE, c, c->signature, suite));
  src_gid gid = {{0}, 0};
  if (e == MM_OK) e = answered_group(s, in, &gid); /* HASH-2 */
  src_group g;
  if (e == MM_OK) e = src_group_load(s, src_gid_view(&gid), &g);
  if (e == MM_E_GROUP_MIGRATED && mm_view_eq(g.meta.peer, in->env.sender))
    return MM_OK; /* a duplicate answer (LIFE-5): done already */
  if (e == MM_E_GROUP_MIGRATED) e = MM_E_HASH_MISMATCH;
  if (e == MM_OK) e = check_answer(s, in, &g);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  return complete(s, &g, out);
}

/* ---- timers ---- */

static MM_MUST_USE mm_err retransmit(mm_source *s, const src_group *g, uint64_t now,
                                     mm_outbox *out) {
  mm_view gid = src_gid_view(&g->gid);
  uint32_t done = g->mig.retransmits;
  /* Until answered, however long that takes (GAP-1); the mutant gives up. */
  if (!MM_ENFORCED(s->cfg->mutants, "LIFE-5", MM_MUT_ABORT_AFTER_CONTENT) &&
      done >= ABORT_AFTER_CONTENT_TRIES)
    return abort_migration(s, g, "gave up waiting for TargetMigrationComplete", out);
  if (s->cfg->max_content_retransmits && done >= s->cfg->max_content_retransmits) {
    src_timer_clear(s, gid); /* stuck by configuration (GAP-1): a late answer still ends it */
    return MM_OK;
  }
  mm_migration_init mi;
  mm_err e = record_init(&g->mig, g->meta.suite, &mi);
  if (e == MM_OK) e = send_content(s, g, &mi, out);
  src_mig mig = g->mig;
  mig.retransmits = done + 1;
  if (e == MM_OK) e = src_mig_put(src_mig_store(s), gid, &mig);
  /* Re-armed even when this one failed (out of memory): tick clears a
   * timer it leaves due, and the content would never be sent again. The
   * entry exists, so this allocates nothing. */
  mm_err te = src_timer_set(s, gid, now + backoff_ms(done + 1));
  return e != MM_OK ? e : te;
}

mm_err src_migration_timer(mm_source *s, mm_view gid, uint64_t now, mm_outbox *out) {
  src_group g;
  mm_err e = src_group_load(s, gid, &g);
  if (e != MM_OK || !g.migrating) {
    src_timer_clear(s, gid); /* the migration is over */
    return e == MM_OK || e == MM_E_GROUP_MIGRATED || e == MM_E_UNKNOWN_GROUP ? MM_OK : e;
  }
  if (g.mig.phase == SRC_PHASE_CONTENT_SENT) return retransmit(s, &g, now, out);
  uint64_t deadline = g.mig.started + MM_HOLD_MS;
  if (now < deadline) return src_timer_set(s, gid, deadline);
  /* LIFE-3: no Commit in time, so nothing left the source: abort. */
  e = abort_migration(s, &g, "no migration Commit within the hold time", out);
  /* Failed (out of memory): again later, or the group stays busy for ever.
   * The timer entry exists (it fired), so re-arming it cannot fail. */
  if (e != MM_OK) mm_err_discard(src_timer_set(s, gid, now + MM_RETRANSMIT_MS));
  return e;
}

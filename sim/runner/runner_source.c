/* Tests of an IUT playing the source DS. The runner installs the group
 * (alice and bob, epoch R_EPOCH), plays the members and plays the target DS
 * (it holds the target's key, so it can issue responses with any nonce). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/runner_internal.h"

/* A migration the runner drives: request, response, init, Commit. */
typedef struct smig {
  rbuf req, resp, init, commit, content;
  uint8_t nonce[MM_NONCE_LEN];
  /* alice, bob already got the migration Commit (an early fan-out, failed
   * once as LIFE-1): completion does not fail them a second time. */
  bool fanned[2];
  bool commit_held; /* the Commit went first: the init alone must start the transfer */
} smig;

static void smig_free(smig *m) {
  rbuf_free(&m->req);
  rbuf_free(&m->resp);
  rbuf_free(&m->init);
  rbuf_free(&m->commit);
  rbuf_free(&m->content);
}

static bool setup(rctx *c) {
  rbuf gs = {0};
  bool ok =
      r_start(c) && rm_group_state(c, R_GID, R_EPOCH, 64, &gs) && r_install(c, rbuf_view(&gs));
  rbuf_free(&gs);
  return ok;
}

/* Builds the messages of a migration of q (a fresh nonce unless given),
 * the init signed by `signer` with `label`. */
static bool build(rctx *c, smig *m, const rreq *q, const uint8_t *nonce, const mm_key *signer,
                  const char *label) {
  if (nonce)
    memcpy(m->nonce, nonce, MM_NONCE_LEN);
  else if (!rm_random(c, m->nonce, MM_NONCE_LEN))
    return false;
  return rm_request(c, q, &m->req) &&
         rm_response(c, rbuf_view(&m->req), mm_view_of(m->nonce, MM_NONCE_LEN), c->tgt, L_RESPONSE,
                     &m->resp) &&
         rm_init(c, rbuf_view(&m->resp), signer, label, &m->init) &&
         rm_commit(c, q->gid, q->epoch, q->target, MM_CONTENT_COMMIT, &m->commit);
}

static bool build_default(rctx *c, smig *m) {
  rreq q = r_default_request();
  return build(c, m, &q, NULL, c->alice, L_INIT);
}

/* Nothing of `type` may have left the IUT (LIFE-1, LIFE-2 and refusals). */
static void forbid(rctx *c, uint8_t type, const char *what) {
  rgot g;
  if (!c->stop && r_find(c, type, NULL, 0, &g)) {
    r_offend(c, g.raw);
    r_fail(c, "%s: the IUT sent a %s to %s", what, mm_msg_type_name(type), g.to);
  }
}

/* Did the IUT send the migration Commit to anyone? (msg_type mls_message
 * or migration_commit, body = the Commit) */
static size_t commit_fanouts(rctx *c, const smig *m, const char *to, rgot *first) {
  size_t n = 0;
  const uint8_t types[2] = {MM_MSG_MLS_MESSAGE, MM_MSG_MIGRATION_COMMIT};
  for (int t = 0; t < 2; t++) {
    rgot g;
    for (size_t i = 0; r_find(c, types[t], to, i, &g); i++)
      if (mm_view_eq(g.env.body, rbuf_view(&m->commit))) {
        if (n++ == 0 && first) *first = g;
      }
  }
  return n;
}

/* The content must carry the migrated group's state, in the reference
 * GroupState format that docs/shim-protocol.md fixes for a source IUT: the
 * request's group ID and the group's suite, at the epoch after the
 * migration Commit (what a target checks before importing, LIFE-6). A
 * source that exports another group's state hands that group to a DS
 * nobody asked, under this migration's authorization. */
static void check_state(rctx *c, const smig *m, const rgot *g) {
  const mm_migration_content *mc = &g->body.migration_content;
  mm_migration_request q;
  mm_group_state gs;
  mm_limits lim = mm_limits_default(c->suite);
  char a[256], b[256];
  if (mm_decode(MM_T_MIGRATION_REQUEST, m->req.p, m->req.n, &lim, &q, NULL) != MM_OK) {
    r_error(c, "runner cannot decode its own MigrationRequest");
    return;
  }
  if (mm_group_state_decode(mc->group_state.data, mc->group_state.len, &lim, &gs, NULL) != MM_OK) {
    r_offend(c, g->raw);
    r_fail(c,
           "MigrationContent.group_state does not decode as the reference GroupState "
           "(docs/actors.md)");
  } else if (!mm_view_eq(gs.group_id, q.group_id)) {
    r_offend(c, g->raw);
    r_fail(c, "MigrationContent carries the state of group '%s', not of the group migrated, '%s'",
           r_text(a, sizeof a, gs.group_id), r_text(b, sizeof b, q.group_id));
  } else if (gs.cipher_suite != c->suite) {
    r_offend(c, g->raw);
    r_fail(c, "MigrationContent carries the group in suite %u, not in its suite %u (SUITE-1)",
           gs.cipher_suite, c->suite);
  } else if (gs.epoch != q.epoch + 1) {
    r_offend(c, g->raw);
    r_fail(c,
           "MigrationContent carries the group at epoch %llu, not at %llu, the epoch after "
           "the migration Commit (LIFE-6)",
           (unsigned long long)gs.epoch, (unsigned long long)q.epoch + 1);
  }
}

/* Sends init then Commit from alice; on success m->content holds the
 * MigrationContent the IUT sent to the target, checked (SIG-3, the group
 * state, LIFE-1, LIFE-2). */
static bool start_migration(rctx *c, smig *m, const char *sender) {
  rgot g;
  if (!r_send(c, MM_MSG_MIGRATION_INIT, sender, rbuf_view(&m->init))) return false;
  if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g)) {
    r_offend(c, g.raw);
    r_fail(c, "a valid MigrationInit was refused with %s",
           mm_err_name((mm_err)g.body.migration_error.code));
    return false;
  }
  bool early = r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g); /* Commit came first? */
  if (!early && m->commit_held) {
    r_fail(c,
           "no MigrationContent after the init: the migration Commit sent before it was not "
           "held (LIFE-4)");
    return false;
  }
  if (!early && !r_send(c, MM_MSG_MIGRATION_COMMIT, sender, rbuf_view(&m->commit))) return false;
  if (!r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g)) {
    rgot e;
    if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &e)) r_offend(c, e.raw);
    r_fail(c, "no MigrationContent to %s after MigrationInit and Commit", R_TGT);
    return false;
  }
  const mm_migration_content *mc = &g.body.migration_content;
  if (r_bad_sig(c, c->src, MM_T_MIGRATION_CONTENT, mc, mc->signature)) {
    r_offend(c, g.raw);
    r_fail(c, "MigrationContent signature does not verify under the source's key (SIG-3)");
  }
  check_state(c, m, &g);
  bool same;
  if (!rm_encodes_as(c, MM_T_MIGRATION_RESPONSE, &mc->migration_response, rbuf_view(&m->resp),
                     &same))
    return false;
  if (!same) {
    r_offend(c, g.raw);
    r_fail(c, "MigrationContent does not carry the target's MigrationResponse byte for byte");
  }
  /* The fan-out found goes to its own rgot: g stays the MigrationContent,
   * which is what the rest of the test answers and compares against. */
  rgot fan;
  if (commit_fanouts(c, m, NULL, &fan)) {
    r_offend(c, fan.raw);
    r_fail(c, "the migration Commit was fanned out to %s before TargetMigrationComplete (LIFE-1)",
           fan.to);
    m->fanned[0] = commit_fanouts(c, m, R_ALICE, NULL) > 0;
    m->fanned[1] = commit_fanouts(c, m, R_BOB, NULL) > 0;
  }
  forbid(c, MM_MSG_MIGRATION_CONFIRMATION, "before TargetMigrationComplete (LIFE-2)");
  m->content.n = g.env.body.len;
  m->content.p = malloc(m->content.n ? m->content.n : 1);
  if (!m->content.p) {
    r_local(c, "out of memory keeping a MigrationContent of %zu bytes", m->content.n);
    return false;
  }
  memcpy(m->content.p, g.env.body.data, m->content.n);
  return true;
}

/* Answers the content as the target: hash and signature as given. */
static bool answer_from(rctx *c, smig *m, bool good_hash, const mm_key *k, const char *label,
                        const char *sender) {
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  rbuf tmc = {0};
  if (!rm_content_hash(c, rbuf_view(&m->content), h, &hl)) return false;
  if (!good_hash) h[0] ^= 1;
  bool ok = rm_complete(c, mm_view_of(h, hl), k, label, &tmc) &&
            r_send(c, MM_MSG_TARGET_MIGRATION_COMPLETE, sender, rbuf_view(&tmc));
  rbuf_free(&tmc);
  return ok;
}

static bool answer(rctx *c, smig *m, bool good_hash, const mm_key *k, const char *label) {
  return answer_from(c, m, good_hash, k, label, R_TGT);
}

/* After a valid TargetMigrationComplete: the Commit to every member, the
 * confirmation to the initiator (SIG-5, NONCE-4, DOM-4), the group gone. */
static void expect_completion(rctx *c, smig *m) {
  rgot g;
  if (c->stop) return;
  const char *members[2] = {R_ALICE, R_BOB};
  for (int i = 0; i < 2; i++)
    if (!m->fanned[i] && !commit_fanouts(c, m, members[i], NULL))
      r_fail(c,
             "the migration Commit was not fanned out to the member %s after completion (LIFE-1)",
             members[i]);
  if (!r_find(c, MM_MSG_MIGRATION_CONFIRMATION, R_ALICE, 0, &g)) {
    r_fail(c, "no MigrationConfirmation to the initiator after completion (LIFE-2)");
  } else {
    const mm_migration_confirmation *mc = &g.body.migration_confirmation;
    if (r_bad_sig(c, c->src, MM_T_MIGRATION_CONFIRMATION, mc, mc->signature)) {
      r_offend(c, g.raw);
      r_fail(c, "MigrationConfirmation signature does not verify (SIG-5)");
    }
    if (!mm_view_eq(mc->nonce, mm_view_of(m->nonce, MM_NONCE_LEN))) {
      r_offend(c, g.raw);
      r_fail(c, "MigrationConfirmation.nonce is not the response's nonce (NONCE-4)");
    }
    if (!mm_view_eq_str(mc->domain_name, R_TGT) || !mm_view_eq_str(mc->group_id, R_GID)) {
      r_offend(c, g.raw);
      r_fail(c, "MigrationConfirmation names another domain or group (DOM-4)");
    }
  }
  uint8_t st;
  uint64_t ep;
  if (r_query(c, R_GID, &st, &ep) && st != MM_SHIM_GS_MIGRATED && st != MM_SHIM_GS_NONE)
    r_fail(c, "the source still serves the group after the migration (LIFE-2)");
}

R_TEST(s_happy) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      answer(c, &m, true, c->tgt, L_COMPLETE))
    expect_completion(c, &m);
  smig_free(&m);
}

/* The group an init's request names, as text (R_GID when it does not
 * decode: the runner built it). */
static const char *init_group(rctx *c, const smig *m, char *buf, size_t cap) {
  mm_migration_request q;
  mm_limits lim = mm_limits_default(c->suite);
  snprintf(buf, cap, "%s", R_GID);
  if (mm_decode(MM_T_MIGRATION_REQUEST, m->req.p, m->req.n, &lim, &q, NULL) == MM_OK &&
      q.group_id.len < cap) {
    memcpy(buf, q.group_id.data, q.group_id.len);
    buf[q.group_id.len] = '\0';
  }
  return buf;
}

/* An init the source must refuse; the Commit that follows must not start a
 * transfer either, and the group keeps serving at its epoch (a group that
 * is now migrating says the init was accepted). After SIGKILL + restart
 * (durable) another code than `code` is a DUR-1 failure. */
static void refuse_init_as(rctx *c, smig *m, const char *sender, uint16_t suite, mm_err code,
                           const char *what, bool durable) {
  rbuf env = {0};
  char gid[MM_GROUP_ID_MAX + 1];
  init_group(c, m, gid, sizeof gid);
  /* an init for a group the IUT does not host changes nothing to see */
  bool hosted = code != MM_E_UNKNOWN_GROUP;
  if (rm_envelope(c, MM_MSG_MIGRATION_INIT, suite, sender, rbuf_view(&m->init), &env) &&
      r_deliver(c, rbuf_view(&env))) {
    if (durable)
      r_expect_durable_refusal(c, code, MM_MSG_MIGRATION_CONTENT, what, hosted ? gid : NULL,
                               MM_SHIM_GS_ACTIVE, R_EPOCH);
    else if (hosted)
      r_expect_refused(c, code, MM_MSG_MIGRATION_CONTENT, what, gid, MM_SHIM_GS_ACTIVE, R_EPOCH);
    else
      r_expect_refusal(c, code, MM_MSG_MIGRATION_CONTENT, what);
    if (r_send(c, MM_MSG_MIGRATION_COMMIT, sender, rbuf_view(&m->commit)))
      forbid(c, MM_MSG_MIGRATION_CONTENT, what);
  }
  rbuf_free(&env);
}

static void refuse_init(rctx *c, smig *m, const char *sender, uint16_t suite, mm_err code,
                        const char *what) {
  refuse_init_as(c, m, sender, suite, code, what, false);
}

static void init_case(rctx *c, const rreq *q, const mm_key *signer, const char *label,
                      const char *sender, mm_err code, const char *what) {
  smig m = {0};
  if (setup(c) && build(c, &m, q, NULL, signer, label)) {
    refuse_init(c, &m, sender, c->suite, code, what);
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH, what);
  }
  smig_free(&m);
}

R_TEST(s_unknown_group) {
  rreq q = r_default_request();
  q.gid = R_GID2;
  init_case(c, &q, c->alice, L_INIT, R_ALICE, MM_E_UNKNOWN_GROUP, "init for a group not hosted");
}

R_TEST(s_suite_mismatch) {
  smig m = {0};
  if (setup(c) && build_default(c, &m))
    refuse_init(c, &m, R_ALICE, c->suite == 1 ? 3 : 1, MM_E_UNSUPPORTED_CIPHERSUITE,
                "init in another suite than the group's");
  smig_free(&m);
}

R_TEST(s_wrong_source_domain) {
  rreq q = r_default_request();
  q.source = R_THIRD;
  init_case(c, &q, c->alice, L_INIT, R_ALICE, MM_E_WRONG_DOMAIN, "init naming another source");
}

R_TEST(s_not_member) {
  rreq q = r_default_request();
  init_case(c, &q, c->carol, L_INIT, R_CAROL, MM_E_NOT_MEMBER, "init from a non-member");
}

R_TEST(s_init_wrong_key) {
  rreq q = r_default_request();
  init_case(c, &q, c->bob, L_INIT, R_ALICE, MM_E_BAD_SIGNATURE,
            "init signed with another member's key");
}

R_TEST(s_init_wrong_label) {
  rreq q = r_default_request();
  init_case(c, &q, c->alice, L_RESPONSE, R_ALICE, MM_E_BAD_SIGNATURE,
            "init signed with another label");
}

R_TEST(s_init_bad_response_sig) {
  smig m = {0};
  rreq q = r_default_request();
  if (setup(c) && build(c, &m, &q, NULL, c->alice, L_INIT)) {
    /* The response re-signed by a third DS, then the init over it. */
    rbuf_free(&m.resp);
    rbuf_free(&m.init);
    if (rm_response(c, rbuf_view(&m.req), mm_view_of(m.nonce, MM_NONCE_LEN), c->third, L_RESPONSE,
                    &m.resp) &&
        rm_init(c, rbuf_view(&m.resp), c->alice, L_INIT, &m.init))
      refuse_init(c, &m, R_ALICE, c->suite, MM_E_BAD_SIGNATURE,
                  "init whose response the target never signed");
  }
  smig_free(&m);
}

R_TEST(s_unauthorized) {
  rreq q = r_default_request();
  c->deny[0] = R_ALICE;
  init_case(c, &q, c->alice, L_INIT, R_ALICE, MM_E_UNAUTHORIZED,
            "init from a client the policy denies");
}

R_TEST(s_stale_epoch) {
  rreq q = r_default_request();
  q.epoch = R_EPOCH - 1;
  init_case(c, &q, c->alice, L_INIT, R_ALICE, MM_E_STALE_EPOCH, "init for an old epoch");
}

/* EPOCH-3 from both sides: with the group at epoch 2^64-2 an init for
 * it is served (no refusal); at 2^64-1, after which no epoch follows, it
 * gets stale_epoch and its Commit starts nothing. */
static void last_epoch_init(rctx *c, uint64_t epoch, bool refused) {
  rreq q = r_default_request();
  rbuf gs = {0};
  smig m = {0};
  q.epoch = epoch;
  const char *what = refused ? "init at epoch 2^64-1 (EPOCH-3)" : "init at epoch 2^64-2 (EPOCH-3)";
  if (r_start(c) && rm_group_state(c, R_GID, epoch, 64, &gs) && r_install(c, rbuf_view(&gs)) &&
      build(c, &m, &q, NULL, c->alice, L_INIT) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init))) {
    if (refused) {
      r_expect_refused(c, MM_E_STALE_EPOCH, MM_MSG_MIGRATION_CONTENT, what, R_GID,
                       MM_SHIM_GS_ACTIVE, epoch);
      if (r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&m.commit)))
        forbid(c, MM_MSG_MIGRATION_CONTENT, what);
    } else {
      rgot g;
      if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g)) {
        r_offend(c, g.raw);
        r_fail(c, "%s: a valid MigrationInit was refused with %s", what,
               mm_err_name((mm_err)g.body.migration_error.code));
      }
    }
  }
  rbuf_free(&gs);
  smig_free(&m);
}

R_TEST(s_init_epoch_last_but_one) { last_epoch_init(c, UINT64_MAX - 1, false); }
R_TEST(s_init_epoch_last) { last_epoch_init(c, UINT64_MAX, true); }

R_TEST(s_malformed_init) {
  smig m = {0};
  if (setup(c) && build_default(c, &m)) {
    uint8_t *p = realloc(m.init.p, m.init.n + 1);
    if (p) {
      m.init.p = p;
      m.init.p[m.init.n++] = 0; /* a trailing byte (ENC-2) */
      refuse_init(c, &m, R_ALICE, c->suite, MM_E_MALFORMED, "init with a trailing byte");
    }
  }
  smig_free(&m);
}

/* Both groups hosted; a migration of R_GID in flight with nonce N. */
static bool second_group(rctx *c) {
  rbuf gs = {0};
  bool ok = rm_group_state(c, R_GID2, R_EPOCH, 64, &gs) && r_install(c, rbuf_view(&gs));
  rbuf_free(&gs);
  return ok;
}

R_TEST(s_nonce_reused) {
  smig m = {0}, m2 = {0};
  rreq q2 = r_default_request();
  q2.gid = R_GID2;
  if (setup(c) && second_group(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      build(c, &m2, &q2, m.nonce, c->alice, L_INIT)) /* same nonce, other group */
    refuse_init(c, &m2, R_ALICE, c->suite, MM_E_NONCE_REUSED, "init reusing a used nonce");
  smig_free(&m);
  smig_free(&m2);
}

R_TEST(s_init_retransmit) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init)) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init))) {
    rgot g;
    if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g)) {
      r_offend(c, g.raw);
      r_fail(c, "a byte-identical retransmitted init was refused (NONCE-3: not a replay)");
    }
    if (r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&m.commit)) &&
        !r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g))
      r_fail(c, "no MigrationContent after a retransmitted init and the Commit");
  }
  smig_free(&m);
}

R_TEST(s_busy) {
  smig m = {0}, m2 = {0};
  rreq q = r_default_request();
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      build(c, &m2, &q, NULL, c->alice, L_INIT) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m2.init)))
    r_expect_refusal(c, MM_E_BUSY, MM_MSG_MIGRATION_CONTENT,
                     "a second migration while one is in flight");
  smig_free(&m);
  smig_free(&m2);
}

/* Init accepted, then an ordinary Commit by bob for the epoch. */
R_TEST(s_commit_during_migration) {
  smig m = {0};
  rbuf other = {0};
  if (setup(c) && build_default(c, &m) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init)) &&
      rm_commit(c, R_GID, R_EPOCH, NULL, MM_CONTENT_COMMIT, &other) &&
      r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&other))) {
    r_expect_refusal(c, MM_E_BUSY, MM_MSG_MLS_MESSAGE,
                     "another Commit while the migration owns the epoch");
    if (r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&m.commit))) {
      rgot g;
      if (!r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g))
        r_fail(c, "the migration did not go on after the refused Commit");
    }
  }
  rbuf_free(&other);
  smig_free(&m);
}

/* Init accepted, then a bad migration Commit in place of the good one. */
static void bad_commit(rctx *c, const char *gid, uint64_t epoch, const char *target, uint8_t type,
                       const char *what) {
  smig m = {0};
  rbuf commit = {0};
  if (setup(c) && build_default(c, &m) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init)) &&
      rm_commit(c, gid, epoch, target, type, &commit) &&
      r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&commit)))
    r_expect_refusal(c, MM_E_BAD_COMMIT, MM_MSG_MIGRATION_CONTENT, what);
  rbuf_free(&commit);
  smig_free(&m);
}

R_TEST(s_commit_wrong_epoch) {
  bad_commit(c, R_GID, R_EPOCH + 1, R_TGT, MM_CONTENT_COMMIT, "migration Commit for another epoch");
}
R_TEST(s_commit_wrong_target) {
  bad_commit(c, R_GID, R_EPOCH, R_THIRD, MM_CONTENT_COMMIT,
             "migration Commit naming another target");
}
R_TEST(s_commit_not_commit) {
  bad_commit(c, R_GID, R_EPOCH, R_TGT, MM_CONTENT_APPLICATION,
             "migration 'Commit' that is an application message");
}

/* LIFE-4: the Commit first, then the init. */
R_TEST(s_commit_first) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) &&
      r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&m.commit))) {
    forbid(c, MM_MSG_MIGRATION_ERROR, "a migration Commit before its init must be held (LIFE-4)");
    m.commit_held = true; /* not sent again after the init */
    if (start_migration(c, &m, R_ALICE) && answer(c, &m, true, c->tgt, L_COMPLETE))
      expect_completion(c, &m);
  }
  smig_free(&m);
}

/* LIFE-4: a MigrationCommitAAD Commit with no migration coming: never
 * fanned out; refused bad_commit, at once or after holding it for at most
 * 60 s. Silent past the bound, the group must serve an ordinary Commit
 * again (a silent drop warns); a group still frozen fails. */
R_TEST(s_foreign_aad) {
  rbuf commit = {0}, other = {0};
  rgot g;
  const char *what = "a migration Commit naming another domain, outside a migration";
  if (setup(c) && rm_commit(c, R_GID, R_EPOCH, R_THIRD, MM_CONTENT_COMMIT, &commit) &&
      r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&commit))) {
    bool refused_now = r_find(c, MM_MSG_MIGRATION_ERROR, R_ALICE, 0, &g);
    if (refused_now)
      r_expect_refusal(c, MM_E_BAD_COMMIT, MM_MSG_MLS_MESSAGE, what);
    else
      forbid(c, MM_MSG_MLS_MESSAGE, what);
    if (r_advance(c, R_HOLD_BOUND_MS + 1)) {
      bool refused_late = !refused_now && r_find(c, MM_MSG_MIGRATION_ERROR, R_ALICE, 0, &g);
      forbid(c, MM_MSG_MLS_MESSAGE, what);
      if (refused_late) r_expect_refusal(c, MM_E_BAD_COMMIT, MM_MSG_MLS_MESSAGE, what);
      r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH, "after a stray migration Commit");
      if (!refused_now && !refused_late && !c->stop &&
          rm_commit(c, R_GID, R_EPOCH, NULL, MM_CONTENT_COMMIT, &other) &&
          r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&other))) {
        if (commit_fanouts(c, &(smig){.commit = other}, R_BOB, NULL))
          r_warn(c, "%s: refused silently (no MigrationError; expected bad_commit)", what);
        else
          r_fail(c,
                 "%s: no refusal, and %u s later the group still does not serve an ordinary "
                 "Commit at its epoch: held past LIFE-4's bound of %u s",
                 what, (R_HOLD_BOUND_MS + 1) / 1000, R_HOLD_BOUND_MS / 1000);
      }
    }
  }
  rbuf_free(&commit);
  rbuf_free(&other);
}

/* LIFE-3, LIFE-4: init but no Commit: abort before content, and 60 s
 * (the profile's bound) after the init the group serves ordinary Commits
 * at its epoch again. Holding longer freezes the group: a MUST broken. */
R_TEST(s_no_commit_abort) {
  smig m = {0};
  rbuf other = {0};
  if (setup(c) && build_default(c, &m) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init)) &&
      r_advance(c, R_HOLD_BOUND_MS + 1)) {
    forbid(c, MM_MSG_MIGRATION_CONTENT, "no Commit arrived");
    if (rm_commit(c, R_GID, R_EPOCH, NULL, MM_CONTENT_COMMIT, &other) &&
        r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&other)) &&
        !commit_fanouts(c, &(smig){.commit = other}, R_BOB, NULL)) {
      rgot g;
      if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g)) r_offend(c, g.raw);
      r_fail(c,
             "%u s after a MigrationInit whose Commit never came, the group still does not serve "
             "an ordinary Commit at its epoch: the Init is held past LIFE-4's bound of %u s",
             (R_HOLD_BOUND_MS + 1) / 1000, R_HOLD_BOUND_MS / 1000);
    }
  }
  rbuf_free(&other);
  smig_free(&m);
}

/* A bad answer from the target: no fan-out, no confirmation. */
static void bad_answer_from(rctx *c, bool good_hash, const mm_key *k, const char *label,
                            const char *sender, mm_err code, const char *what) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      answer_from(c, &m, good_hash, k, label, sender)) {
    if (commit_fanouts(c, &m, NULL, NULL))
      r_fail(c, "%s: the migration Commit was fanned out (LIFE-1)", what);
    r_expect_refused(c, code, MM_MSG_MIGRATION_CONFIRMATION, what, R_GID, MM_SHIM_GS_MIGRATING,
                     UINT64_MAX);
  }
  smig_free(&m);
}

static void bad_answer(rctx *c, bool good_hash, const mm_key *k, const char *label, mm_err code,
                       const char *what) {
  bad_answer_from(c, good_hash, k, label, R_TGT, code, what);
}

R_TEST(s_complete_bad_hash) {
  bad_answer(c, false, c->tgt, L_COMPLETE, MM_E_HASH_MISMATCH,
             "TargetMigrationComplete with another hash");
}
R_TEST(s_complete_wrong_key) {
  bad_answer(c, true, c->third, L_COMPLETE, MM_E_BAD_SIGNATURE,
             "TargetMigrationComplete signed by a third DS");
}
/* SIG-4: the right hash, signed by a third DS with its own key and sent by
 * it, is not the request's target's answer (found by make mutation). */
R_TEST(s_complete_from_third_ds) {
  bad_answer_from(c, true, c->third, L_COMPLETE, R_THIRD, MM_E_WRONG_DOMAIN,
                  "TargetMigrationComplete that a third DS signs and sends");
}
R_TEST(s_complete_wrong_label) {
  bad_answer(c, true, c->tgt, L_CONTENT, MM_E_BAD_SIGNATURE,
             "TargetMigrationComplete signed with another label");
}

/* LIFE-5: unanswered, the content is retransmitted byte for byte, for as
 * long as it takes (the schedule is the DS's: any, as long as it keeps
 * going), and the group stays migrating. */
R_TEST(s_retransmit_content) {
  smig m = {0};
  size_t resent = 0, resent_late = 0;
  const int steps = 24; /* of 15 s: 6 simulated minutes */
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE)) {
    for (int i = 0; i < steps && !c->stop; i++) {
      if (!r_advance(c, 15000)) break;
      rgot g;
      for (size_t k = 0; r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, k, &g); k++) {
        resent++;
        resent_late += i >= steps - 12; /* in the last 3 minutes */
        if (!mm_view_eq(g.env.body, rbuf_view(&m.content))) {
          r_offend(c, g.raw);
          r_fail(c, "a retransmitted MigrationContent differs from the first");
        }
      }
      forbid(c, MM_MSG_MIGRATION_ERROR, "the source gave up after MigrationContent (LIFE-5)");
    }
    if (resent < 2 || !resent_late)
      r_fail(c, "MigrationContent retransmitted %zu times in 6 minutes, %zu in the last 3 (LIFE-5)",
             resent, resent_late);
    r_expect_group(c, R_GID, MM_SHIM_GS_MIGRATING, UINT64_MAX,
                   "unanswered migration after 6 minutes");
    /* Completion is only worth checking on a migration still in flight. */
    if (c->verdict == MM_V_PASS && answer(c, &m, true, c->tgt, L_COMPLETE))
      expect_completion(c, &m);
  }
  smig_free(&m);
}

R_TEST(s_tombstone) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      answer(c, &m, true, c->tgt, L_COMPLETE) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&m.init))) {
    rgot g;
    forbid(c, MM_MSG_MIGRATION_CONTENT, "init after the migration");
    if (!r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g) ||
        g.body.migration_error.code != MM_E_GROUP_MIGRATED)
      r_warn(c, "a migrated group declared with tombstones is not answered group_migrated");
    else if (!mm_view_eq_str(g.body.migration_error.detail, R_TGT))
      r_warn(c, "group_migrated does not name the target");
  }
  smig_free(&m);
}

R_TEST(s_dur_migration_survives) {
  smig m = {0};
  if (setup(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) && r_restart(c)) {
    r_expect_group(c, R_GID, MM_SHIM_GS_MIGRATING, UINT64_MAX,
                   "migration in flight after SIGKILL + restart");
    /* Within three minutes, whatever the DS's retransmission schedule. */
    bool resent = false;
    rgot g;
    for (int i = 0; i < 12 && !resent && r_advance(c, 15000); i++)
      resent = r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g);
    if (!resent && !c->stop)
      r_fail(c, "no MigrationContent retransmitted after SIGKILL + restart (DUR-1, LIFE-5)");
    if (c->verdict == MM_V_PASS && answer(c, &m, true, c->tgt, L_COMPLETE))
      expect_completion(c, &m);
  }
  smig_free(&m);
}

R_TEST(s_dur_nonce_survives) {
  smig m = {0}, m2 = {0};
  rreq q2 = r_default_request();
  q2.gid = R_GID2;
  if (setup(c) && second_group(c) && build_default(c, &m) && start_migration(c, &m, R_ALICE) &&
      answer(c, &m, true, c->tgt, L_COMPLETE) && r_restart(c) &&
      build(c, &m2, &q2, m.nonce, c->alice, L_INIT))
    refuse_init_as(c, &m2, R_ALICE, c->suite, MM_E_NONCE_REUSED,
                   "used nonce after SIGKILL + restart", true);
  smig_free(&m);
  smig_free(&m2);
}

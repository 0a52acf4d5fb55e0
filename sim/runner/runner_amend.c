/* The IUT as target with the profile feature migration_refusal (docs/amendment.md Part B): a
 * MigrationContent refused for good is answered with a MigrationRefusal signed by the target
 * (AMD-2, AMD-SIG-1), the refusal is durable and answered again the same way (AMD-3), a
 * MigrationWithdraw refuses a nonce not yet imported and leaves an import standing (AMD-4), and a
 * content that does not authenticate never gets a MigrationRefusal (AMD-2). The runner names the
 * test's source in Configure.refusal_peers (runner_session.c). */
#include <stdlib.h>
#include <string.h>

#include "runner/runner_amend.h"

/* A valid request and the IUT's MigrationResponse; *nonce views into resp. */
static bool response(rctx *c, rbuf *req, rbuf *resp, mm_view *nonce) {
  rreq q = r_default_request();
  rgot g;
  if (!rm_request(c, &q, req) || !r_send(c, MM_MSG_MIGRATION_REQUEST, R_ALICE, rbuf_view(req)))
    return false;
  if (!r_find(c, MM_MSG_MIGRATION_RESPONSE, R_ALICE, 0, &g)) {
    if (!c->stop) r_fail(c, "no MigrationResponse to %s for a valid request", R_ALICE);
    return false;
  }
  resp->n = g.env.body.len;
  resp->p = malloc(resp->n ? resp->n : 1);
  if (!resp->p) {
    r_local(c, "out of memory keeping a MigrationResponse of %zu bytes", resp->n);
    return false;
  }
  memcpy(resp->p, g.env.body.data, resp->n);
  mm_limits lim = mm_limits_default(c->suite);
  mm_migration_response r;
  if (mm_decode(MM_T_MIGRATION_RESPONSE, resp->p, resp->n, &lim, &r, NULL) != MM_OK) {
    r_fail(c, "the MigrationResponse does not decode");
    return false;
  }
  *nonce = r.nonce;
  return true;
}

/* The source's MigrationContent for resp, its group state at epoch + 1. */
static bool content_for(rctx *c, mm_view resp, const mm_key *k, rbuf *content) {
  rbuf gs = {0};
  bool ok = rm_group_state(c, R_GID, R_EPOCH + 1, 100, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), k, L_CONTENT, content);
  rbuf_free(&gs);
  return ok;
}

/* The last reply must be a MigrationRefusal to the source for nonce with reason, carrying RefHash
 * of `hashed` (the content or the withdrawal's hash as sent), signed with the target's key and
 * label MigrationRefusalTBS (AMD-SIG-1), and no TargetMigrationComplete; the group is not hosted. */
static void expect_refusal(rctx *c, mm_view nonce, mm_view hash, uint16_t reason,
                           const char *what) {
  rgot g;
  if (c->stop) return;
  if (r_count(c, MM_MSG_TARGET_MIGRATION_COMPLETE, NULL) > 0) {
    r_fail(c, "%s: a TargetMigrationComplete, the refused content was imported (AMD-3)", what);
    return;
  }
  if (!r_find(c, MM_MSG_MIGRATION_REFUSAL, R_SRC, 0, &g)) {
    rgot e;
    if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &e)) r_offend(c, e.raw);
    r_fail(c, "%s: no MigrationRefusal to %s (AMD-2)", what, R_SRC);
    return;
  }
  const mm_migration_refusal *m = &g.body.migration_refusal;
  if (m->reason != reason) {
    r_offend(c, g.raw);
    r_fail(c, "%s: MigrationRefusal with reason %u (%s), not %u (%s) (AMD-2)", what, m->reason,
           mm_refusal_reason_name(m->reason) ? mm_refusal_reason_name(m->reason) : "unknown",
           reason, mm_refusal_reason_name(reason));
  } else if (!mm_view_eq(m->nonce, nonce)) {
    r_offend(c, g.raw);
    r_fail(c, "%s: MigrationRefusal names another nonce than the response's (AMD-2)", what);
  } else if (!mm_view_eq(m->migration_content_hash, hash)) {
    r_offend(c, g.raw);
    r_fail(c, "%s: migration_content_hash is not RefHash of what was sent (AMD-3, HASH-1)", what);
  } else if (r_bad_sig(c, c->tgt, MM_T_MIGRATION_REFUSAL, m, m->signature)) {
    r_offend(c, g.raw);
    r_fail(c,
           "%s: MigrationRefusal signature does not verify under the target's key with label "
           "MigrationRefusalTBS (AMD-SIG-1)",
           what);
  }
  if (!c->stop && c->verdict == MM_V_PASS)
    r_expect_group(c, R_GID, MM_SHIM_GS_NONE, UINT64_MAX, what);
}

/* A refused content (by `prepare`, run after the response) and its refusal; *content and
 * *hash (hl bytes) keep what was refused. */
typedef bool (*prep_fn)(rctx *c);
static bool refused(rctx *c, prep_fn prepare, uint16_t reason, const char *what, rbuf *req,
                    rbuf *resp, rbuf *content, uint8_t *hash, size_t *hl, mm_view *nonce) {
  if (!(r_start(c) && response(c, req, resp, nonce) && prepare(c) &&
        content_for(c, rbuf_view(resp), c->src, content) &&
        rm_content_hash(c, rbuf_view(content), hash, hl) &&
        r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(content))))
    return false;
  expect_refusal(c, *nonce, mm_view_of(hash, *hl), reason, what);
  return !c->stop && c->verdict == MM_V_PASS;
}

static bool pr_expire(rctx *c) { return r_advance(c, MM_NONCE_LIFETIME_MS + 1000); }
static bool pr_deny(rctx *c) {
  c->deny[0] = R_ALICE; /* the policy changed after the response */
  return r_configure(c);
}
static bool pr_group(rctx *c) {
  rbuf gs = {0};
  bool ok = rm_group_state(c, R_GID, 2, 10, &gs) && r_install(c, rbuf_view(&gs));
  rbuf_free(&gs);
  return ok;
}

static void reason_case(rctx *c, prep_fn prepare, uint16_t reason, const char *what) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  (void)refused(c, prepare, reason, what, &req, &resp, &content, h, &hl, &nonce);
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

R_TEST(a_refusal_expired) {
  reason_case(c, pr_expire, MM_RR_NONCE_EXPIRED, "content after the nonce lifetime");
}
R_TEST(a_refusal_unauthorized) {
  reason_case(c, pr_deny, MM_RR_UNAUTHORIZED, "content for a client the policy no longer allows");
}

/* group_exists: the group is then hosted (installed), not absent. */
R_TEST(a_refusal_group_exists) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  if (r_start(c) && response(c, &req, &resp, &nonce) && pr_group(c) &&
      content_for(c, rbuf_view(&resp), c->src, &content) &&
      rm_content_hash(c, rbuf_view(&content), h, &hl) &&
      r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(&content))) {
    rgot g;
    if (!r_find(c, MM_MSG_MIGRATION_REFUSAL, R_SRC, 0, &g))
      r_fail(c, "content for a group the target hosts: no MigrationRefusal to %s (AMD-2)", R_SRC);
    else if (g.body.migration_refusal.reason != MM_RR_GROUP_EXISTS ||
             !mm_view_eq(g.body.migration_refusal.nonce, nonce) ||
             !mm_view_eq(g.body.migration_refusal.migration_content_hash, mm_view_of(h, hl)) ||
             r_bad_sig(c, c->tgt, MM_T_MIGRATION_REFUSAL, &g.body.migration_refusal,
                       g.body.migration_refusal.signature)) {
      r_offend(c, g.raw);
      r_fail(c,
             "content for a group the target hosts: the MigrationRefusal is not group_exists "
             "for the nonce and content sent, signed by the target (AMD-2, AMD-SIG-1)");
    }
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, 2, "after the refusal");
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* The same content again, then once more after the nonce lifetime is long past: the same refusal. */
R_TEST(a_refusal_retransmitted) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  if (refused(c, pr_expire, MM_RR_NONCE_EXPIRED, "first content", &req, &resp, &content, h, &hl,
              &nonce) &&
      r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(&content)))
    expect_refusal(c, nonce, mm_view_of(h, hl), MM_RR_NONCE_EXPIRED,
                   "the refused content retransmitted (AMD-3: the same refusal)");
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* A refusal survives SIGKILL + restart (AMD-3, DUR-1): the content again gets the same refusal. */
R_TEST(a_refusal_durable) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  if (refused(c, pr_deny, MM_RR_UNAUTHORIZED, "first content", &req, &resp, &content, h, &hl,
              &nonce) &&
      r_restart(c) && r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(&content)))
    expect_refusal(c, nonce, mm_view_of(h, hl), MM_RR_UNAUTHORIZED,
                   "the refused content after SIGKILL + restart (AMD-3, DUR-1)");
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* A content pushed by a third DS with its own key, for a client the policy no longer allows:
 * wrong_domain, never a refusal (AMD-2: only a content that authenticates is refused for good). */
R_TEST(a_refusal_third_ds) {
  rbuf req = {0}, resp = {0}, content = {0};
  mm_view nonce;
  if (r_start(c) && response(c, &req, &resp, &nonce) && pr_deny(c) &&
      content_for(c, rbuf_view(&resp), c->third, &content) &&
      r_send(c, MM_MSG_MIGRATION_CONTENT, R_THIRD, rbuf_view(&content))) {
    if (r_count(c, MM_MSG_MIGRATION_REFUSAL, NULL) > 0)
      r_fail(c,
             "a content from a third DS got a MigrationRefusal: refused for good without "
             "authenticating it (AMD-2)");
    else
      r_expect_refused(c, MM_E_WRONG_DOMAIN, MM_MSG_TARGET_MIGRATION_COMPLETE,
                       "content pushed by a third DS", R_GID, MM_SHIM_GS_NONE, UINT64_MAX);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* The source's MigrationWithdraw for nonce and hash, signed with its key (AMD-SIG-2). */
static bool withdraw(rctx *c, mm_view nonce, mm_view hash) {
  mm_migration_withdraw w = {nonce, hash, {0}};
  mm_writer sig, out;
  mm_writer_init(&sig);
  mm_writer_init(&out);
  mm_limits lim = mm_limits_default(c->suite);
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  bool ok = mm_sign_tbs_as(c->src, mm_tbs_label(MM_T_MIGRATION_WITHDRAW), MM_T_MIGRATION_WITHDRAW,
                           &w, &sig) == MM_OK;
  w.signature = mm_writer_view(&sig);
  ok =
      ok && mm_encode(MM_T_MIGRATION_WITHDRAW, &w, &lim, &out, NULL) == MM_OK && mm_writer_ok(&out);
  if (!ok) r_local(c, "cannot build a MigrationWithdraw");
  ok = ok && r_send(c, MM_MSG_MIGRATION_WITHDRAW, R_SRC, mm_writer_view(&out));
  mm_writer_free(&sig);
  mm_writer_free(&out);
  return ok;
}

/* Before import a withdrawal refuses the nonce (withdrawn, with the withdrawal's hash); the content
 * afterwards is refused again, never imported (AMD-4, AMD-3). */
R_TEST(a_withdraw_before_import) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  if (r_start(c) && response(c, &req, &resp, &nonce) &&
      content_for(c, rbuf_view(&resp), c->src, &content) &&
      rm_content_hash(c, rbuf_view(&content), h, &hl) && withdraw(c, nonce, mm_view_of(h, hl))) {
    expect_refusal(c, nonce, mm_view_of(h, hl), MM_RR_WITHDRAWN, "a withdrawal before import");
    if (!c->stop && c->verdict == MM_V_PASS &&
        r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(&content)))
      expect_refusal(c, nonce, mm_view_of(h, hl), MM_RR_WITHDRAWN,
                     "the content after its withdrawal (AMD-3: refused, never imported)");
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* After import a withdrawal is answered with the TargetMigrationComplete: the import stands. */
R_TEST(a_withdraw_after_import) {
  rbuf req = {0}, resp = {0}, content = {0};
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_view nonce;
  rgot g;
  if (r_start(c) && response(c, &req, &resp, &nonce) &&
      content_for(c, rbuf_view(&resp), c->src, &content) &&
      rm_content_hash(c, rbuf_view(&content), h, &hl) &&
      r_send(c, MM_MSG_MIGRATION_CONTENT, R_SRC, rbuf_view(&content))) {
    if (!r_find(c, MM_MSG_TARGET_MIGRATION_COMPLETE, R_SRC, 0, &g))
      r_fail(c, "a valid content: no TargetMigrationComplete to %s", R_SRC);
    else if (withdraw(c, nonce, mm_view_of(h, hl))) {
      if (r_count(c, MM_MSG_MIGRATION_REFUSAL, NULL) > 0)
        r_fail(c,
               "a withdrawal after import got a MigrationRefusal: the import must stand (AMD-4)");
      else if (!r_find(c, MM_MSG_TARGET_MIGRATION_COMPLETE, R_SRC, 0, &g) ||
               !mm_view_eq(g.body.target_migration_complete.migration_content_hash,
                           mm_view_of(h, hl)))
        r_fail(c,
               "a withdrawal after import: no TargetMigrationComplete for the imported content "
               "(AMD-4)");
      r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH + 1, "after the withdrawal");
    }
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* ---- the IUT as source: the runner plays the target and refuses ---- */

/* A migration up to the IUT's MigrationContent (kept in *content); *nonce is the response's. */
static bool src_content(rctx *c, uint8_t nonce[MM_NONCE_LEN], rbuf *content) {
  rreq q = r_default_request();
  rbuf gs = {0}, req = {0}, resp = {0}, init = {0}, commit = {0};
  rgot g;
  bool ok =
      r_start(c) && rm_group_state(c, R_GID, R_EPOCH, 64, &gs) && r_install(c, rbuf_view(&gs)) &&
      rm_random(c, nonce, MM_NONCE_LEN) && rm_request(c, &q, &req) &&
      rm_response(c, rbuf_view(&req), mm_view_of(nonce, MM_NONCE_LEN), c->tgt, L_RESPONSE, &resp) &&
      rm_init(c, rbuf_view(&resp), c->alice, L_INIT, &init) &&
      rm_commit(c, R_GID, R_EPOCH, R_TGT, MM_CONTENT_COMMIT, &commit) &&
      r_send(c, MM_MSG_MIGRATION_INIT, R_ALICE, rbuf_view(&init));
  if (ok && !r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g))
    ok = r_send(c, MM_MSG_MIGRATION_COMMIT, R_ALICE, rbuf_view(&commit));
  if (ok && !r_find(c, MM_MSG_MIGRATION_CONTENT, R_TGT, 0, &g)) {
    if (!c->stop) r_fail(c, "no MigrationContent to %s after MigrationInit and Commit", R_TGT);
    ok = false;
  }
  if (ok) {
    content->n = g.env.body.len;
    content->p = malloc(content->n ? content->n : 1);
    if (!content->p) {
      r_local(c, "out of memory keeping a MigrationContent");
      ok = false;
    } else {
      memcpy(content->p, g.env.body.data, content->n);
    }
  }
  rbuf_free(&gs);
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&init);
  rbuf_free(&commit);
  return ok;
}

/* How a refusal the runner sends is spoiled (AMD-6). */
typedef enum { RF_VALID, RF_WRONG_KEY, RF_WRONG_HASH, RF_WRONG_NONCE, RF_THIRD_DS } rf_kind;

static bool send_refusal(rctx *c, const uint8_t nonce[MM_NONCE_LEN], mm_view content,
                         rf_kind kind) {
  uint8_t h[MM_MAX_HASH_LEN], n[MM_NONCE_LEN];
  size_t hl;
  if (!rm_content_hash(c, content, h, &hl)) return false;
  memcpy(n, nonce, MM_NONCE_LEN);
  if (kind == RF_WRONG_HASH) h[0] ^= 1;
  if (kind == RF_WRONG_NONCE) n[0] ^= 1;
  const mm_key *k = kind == RF_WRONG_KEY || kind == RF_THIRD_DS ? c->third : c->tgt;
  mm_migration_refusal r = {
      mm_view_of(n, MM_NONCE_LEN), mm_view_of(h, hl), MM_RR_NONCE_EXPIRED, {0}};
  mm_writer sig, out;
  mm_writer_init(&sig);
  mm_writer_init(&out);
  mm_limits lim = mm_limits_default(c->suite);
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  bool ok = mm_sign_tbs_as(k, mm_tbs_label(MM_T_MIGRATION_REFUSAL), MM_T_MIGRATION_REFUSAL, &r,
                           &sig) == MM_OK;
  r.signature = mm_writer_view(&sig);
  ok = ok && mm_encode(MM_T_MIGRATION_REFUSAL, &r, &lim, &out, NULL) == MM_OK && mm_writer_ok(&out);
  if (!ok) r_local(c, "cannot build a MigrationRefusal");
  ok = ok && r_send(c, MM_MSG_MIGRATION_REFUSAL, kind == RF_THIRD_DS ? R_THIRD : R_TGT,
                    mm_writer_view(&out));
  mm_writer_free(&sig);
  mm_writer_free(&out);
  return ok;
}

/* A valid refusal: the client gets migration_refused (19), the migration Commit is never fanned
 * out, and the group serves an ordinary Commit at the old epoch again (AMD-6, AMD-7). */
R_TEST(a_source_resumes) {
  uint8_t nonce[MM_NONCE_LEN];
  rbuf content = {0}, other = {0};
  rgot g;
  if (src_content(c, nonce, &content) && send_refusal(c, nonce, rbuf_view(&content), RF_VALID)) {
    if (!r_find(c, MM_MSG_MIGRATION_ERROR, R_ALICE, 0, &g) ||
        g.body.migration_error.code != MM_E_MIGRATION_REFUSED) {
      if (r_find(c, MM_MSG_MIGRATION_ERROR, R_ALICE, 0, &g)) r_offend(c, g.raw);
      r_fail(c, "a valid MigrationRefusal: no MigrationError migration_refused (19) to %s (AMD-7)",
             R_ALICE);
    } else if (r_count(c, MM_MSG_MLS_MESSAGE, NULL) + r_count(c, MM_MSG_MIGRATION_COMMIT, NULL)) {
      r_fail(c, "a valid MigrationRefusal: the migration Commit was fanned out (AMD-7, LIFE-1)");
    } else {
      r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH, "after a valid MigrationRefusal");
      if (!c->stop && c->verdict == MM_V_PASS &&
          rm_commit(c, R_GID, R_EPOCH, NULL, MM_CONTENT_COMMIT, &other) &&
          r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&other)) &&
          !r_find(c, MM_MSG_MLS_MESSAGE, NULL, 0, &g))
        r_fail(c,
               "after a valid MigrationRefusal the group does not serve an ordinary Commit at "
               "epoch %u again (AMD-7)",
               (unsigned)R_EPOCH);
    }
  }
  rbuf_free(&content);
  rbuf_free(&other);
}

/* An invalid refusal is dropped and changes nothing: no answer to the client, still migrating. */
static void ignored(rctx *c, rf_kind kind, const char *what) {
  uint8_t nonce[MM_NONCE_LEN];
  rbuf content = {0};
  rgot g;
  if (src_content(c, nonce, &content) && send_refusal(c, nonce, rbuf_view(&content), kind)) {
    if (r_find(c, MM_MSG_MIGRATION_ERROR, R_ALICE, 0, &g) &&
        g.body.migration_error.code == MM_E_MIGRATION_REFUSED) {
      r_offend(c, g.raw);
      r_fail(c, "%s: the source resumed and told the client migration_refused (AMD-6)", what);
    } else {
      r_expect_group(c, R_GID, MM_SHIM_GS_MIGRATING, UINT64_MAX, what);
    }
  }
  rbuf_free(&content);
}

R_TEST(a_source_ignores_wrong_key) {
  ignored(c, RF_WRONG_KEY, "a MigrationRefusal signed with a third DS's key");
}
R_TEST(a_source_ignores_wrong_hash) {
  ignored(c, RF_WRONG_HASH, "a MigrationRefusal with another content hash");
}
R_TEST(a_source_ignores_wrong_nonce) {
  ignored(c, RF_WRONG_NONCE, "a MigrationRefusal with another nonce");
}
R_TEST(a_source_ignores_third_ds) { ignored(c, RF_THIRD_DS, "a MigrationRefusal from a third DS"); }

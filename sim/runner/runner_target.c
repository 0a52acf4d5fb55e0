/* Tests of an IUT playing the target DS. The runner is the client (alice,
 * homed at the source) and the source DS (it holds the source's key), and
 * a third DS that has no business pushing groups. */
#include <stdlib.h>
#include <string.h>

#include "runner/runner_internal.h"

/* A MigrationRequest from alice; on success *req and *resp hold the request
 * and the MigrationResponse body, checked against SIG-1 and the echo rule. */
static bool get_response(rctx *c, const rreq *q, rbuf *req, rbuf *resp) {
  rgot g;
  if (!rm_request(c, q, req) || !r_send(c, MM_MSG_MIGRATION_REQUEST, R_ALICE, rbuf_view(req)))
    return false;
  if (!r_find(c, MM_MSG_MIGRATION_RESPONSE, R_ALICE, 0, &g)) {
    if (!c->stop) r_fail(c, "no MigrationResponse to %s for a valid request", R_ALICE);
    return false;
  }
  const mm_migration_response *r = &g.body.migration_response;
  bool echo;
  if (!rm_encodes_as(c, MM_T_MIGRATION_REQUEST, &r->migration_request, rbuf_view(req), &echo))
    return false;
  if (!echo) {
    char a[256], b[256];
    r_offend(c, g.raw);
    /* The likeliest mix-up gets named: an answer about another group. */
    if (!mm_view_eq_str(r->migration_request.group_id, q->gid))
      r_fail(c,
             "MigrationResponse is for group '%s', not for the group requested, '%s' (SIG-1: "
             "it carries the request byte for byte)",
             r_text(a, sizeof a, r->migration_request.group_id),
             r_text(b, sizeof b, mm_view_str(q->gid)));
    else
      r_fail(c, "MigrationResponse does not carry the request byte for byte");
  }
  if (g.env.cipher_suite != c->suite)
    r_fail(c, "MigrationResponse in suite %u", g.env.cipher_suite);
  if (r_bad_sig(c, c->tgt, MM_T_MIGRATION_RESPONSE, r, r->signature)) {
    r_offend(c, g.raw);
    r_fail(c, "MigrationResponse signature does not verify under the target's key (SIG-1)");
  }
  resp->n = g.env.body.len;
  resp->p = malloc(resp->n ? resp->n : 1);
  if (!resp->p) {
    r_local(c, "out of memory keeping a MigrationResponse of %zu bytes", resp->n);
    return false;
  }
  memcpy(resp->p, g.env.body.data, resp->n);
  return true;
}

/* Sends a MigrationContent from sender. */
static bool push(rctx *c, const char *sender, mm_view content) {
  return r_send(c, MM_MSG_MIGRATION_CONTENT, sender, content);
}

/* A content for resp, signed by the source, with a fine group state. */
static bool good_content(rctx *c, mm_view resp, const char *gid, size_t payload, rbuf *content) {
  rbuf gs = {0};
  bool ok = rm_group_state(c, gid, R_EPOCH + 1, payload, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), c->src, L_CONTENT, content);
  rbuf_free(&gs);
  return ok;
}

/* The IUT must answer content with a valid TargetMigrationComplete to the
 * source (HASH-1, SIG-4). */
static void expect_complete(rctx *c, mm_view content, const char *what) {
  rgot g;
  if (c->stop) return;
  if (!r_find(c, MM_MSG_TARGET_MIGRATION_COMPLETE, R_SRC, 0, &g)) {
    rgot e;
    if (r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &e)) r_offend(c, e.raw);
    r_fail(c, "%s: no TargetMigrationComplete to %s", what, R_SRC);
    return;
  }
  const mm_target_migration_complete *t = &g.body.target_migration_complete;
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl;
  if (!rm_content_hash(c, content, h, &hl)) return;
  if (!mm_view_eq(t->migration_content_hash, mm_view_of(h, hl))) {
    r_offend(c, g.raw);
    r_fail(c, "%s: migration_content_hash is not RefHash of the content sent (HASH-1)", what);
  }
  if (r_bad_sig(c, c->tgt, MM_T_TARGET_MIGRATION_COMPLETE, t, t->signature)) {
    r_offend(c, g.raw);
    r_fail(c, "%s: TargetMigrationComplete signature does not verify (SIG-4)", what);
  }
}

R_TEST(t_happy) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0}, content = {0};
  if (r_start(c) && get_response(c, &q, &req, &resp)) {
    r_expect_group(c, R_GID, MM_SHIM_GS_NONE, UINT64_MAX, "before import (LIFE-6)");
    if (good_content(c, rbuf_view(&resp), R_GID, 1000, &content) &&
        push(c, R_SRC, rbuf_view(&content)))
      expect_complete(c, rbuf_view(&content), "valid MigrationContent");
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH + 1, "after import (LIFE-6)");
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* A request the target must refuse without a MigrationResponse. */
static void refuse_request(rctx *c, const rreq *q, const char *sender, mm_err code,
                           const char *what) {
  rbuf req = {0};
  if (rm_request(c, q, &req) && r_send(c, MM_MSG_MIGRATION_REQUEST, sender, rbuf_view(&req)))
    r_expect_refusal(c, code, MM_MSG_MIGRATION_RESPONSE, what);
  rbuf_free(&req);
}

R_TEST(t_wrong_target_domain) {
  rreq q = r_default_request();
  q.target = R_THIRD;
  if (r_start(c))
    refuse_request(c, &q, R_ALICE, MM_E_WRONG_DOMAIN, "request naming another target");
}

R_TEST(t_same_domains) {
  rreq q = r_default_request();
  q.source = R_TGT;
  if (r_start(c)) refuse_request(c, &q, R_ALICE, MM_E_WRONG_DOMAIN, "request with source = target");
}

R_TEST(t_request_hosted_group) {
  rreq q = r_default_request();
  rbuf gs = {0};
  if (r_start(c) && rm_group_state(c, R_GID, 3, 10, &gs) && r_install(c, rbuf_view(&gs)))
    refuse_request(c, &q, R_ALICE, MM_E_GROUP_EXISTS, "request for a group the target hosts");
  rbuf_free(&gs);
}

R_TEST(t_request_unauthorized) {
  rreq q = r_default_request();
  c->deny[0] = R_ALICE;
  if (r_start(c)) refuse_request(c, &q, R_ALICE, MM_E_UNAUTHORIZED, "request from a denied client");
}

R_TEST(t_request_strict) {
  rreq q = r_default_request();
  c->policy = MM_SHIM_POLICY_STRICT;
  if (r_start(c))
    refuse_request(c, &q, R_ALICE, MM_E_UNAUTHORIZED, "strict policy, client homed elsewhere");
}

R_TEST(t_unsupported_suite) {
  rreq q = r_default_request();
  rbuf req = {0}, env = {0};
  /* A suite the IUT holds no key for in this test (it was given one). */
  uint16_t other = c->suite == 1 ? 3 : 1;
  if (r_start(c) && rm_request(c, &q, &req) &&
      rm_envelope(c, MM_MSG_MIGRATION_REQUEST, other, R_ALICE, rbuf_view(&req), &env) &&
      r_deliver(c, rbuf_view(&env)))
    r_expect_refusal(c, MM_E_UNSUPPORTED_CIPHERSUITE, MM_MSG_MIGRATION_RESPONSE,
                     "request in a suite without a key");
  rbuf_free(&req);
  rbuf_free(&env);
}

/* The request with its bytes changed by fn. */
static void mangled_request(rctx *c, void (*fn)(rbuf *b), const char *what) {
  rreq q = r_default_request();
  rbuf req = {0};
  if (r_start(c) && rm_request(c, &q, &req)) {
    fn(&req);
    if (r_send(c, MM_MSG_MIGRATION_REQUEST, R_ALICE, rbuf_view(&req)))
      r_expect_refusal(c, MM_E_MALFORMED, MM_MSG_MIGRATION_RESPONSE, what);
  }
  rbuf_free(&req);
}

static void add_trailing(rbuf *b) {
  uint8_t *p = realloc(b->p, b->n + 1);
  if (!p) return;
  b->p = p;
  b->p[b->n++] = 0;
}

/* source_domain_name's 1-byte length rewritten as the 2-byte form 0x40 0x0e
 * (ENC-1: not the fewest bytes). */
static void noncanonical(rbuf *b) {
  uint8_t *p = realloc(b->p, b->n + 1);
  if (!p || b->n == 0) return;
  b->p = p;
  memmove(b->p + 2, b->p + 1, b->n - 1);
  b->p[1] = b->p[0];
  b->p[0] = 0x40;
  b->n++;
}

static void uppercase_domain(rbuf *b) {
  if (b->n > 1) b->p[1] = 'S'; /* "Source.example": not lowercase LDH */
}

R_TEST(t_malformed_request) { mangled_request(c, add_trailing, "request with a trailing byte"); }
R_TEST(t_noncanonical_request) {
  mangled_request(c, noncanonical, "request with a non-minimal length");
}
R_TEST(t_bad_domain_name) {
  mangled_request(c, uppercase_domain, "request with an uppercase domain");
}

/* ENC-4's field lengths from both sides. A group ID of 255 bytes (the
 * maximum) and a source domain of 253 bytes (labels of 63, 63, 63 and 61
 * bytes) must be answered; one byte more, appended to the field with its
 * 2-byte length raised by one (both lengths take 2 bytes), is malformed.
 * The domain's labels: 63, 63, 63, 53 and "example". */
static const char *max_gid(void) {
  static char g[MM_GROUP_ID_MAX + 1];
  memset(g, 'g', MM_GROUP_ID_MAX);
  return g;
}

static const char *max_domain(void) {
  static char d[254];
  memset(d, 'a', 253);
  d[63] = d[127] = d[191] = '.';
  memcpy(d + 253 - 8, ".example", 8); /* the last label "aa...a" then ".example" */
  d[253] = 0;
  return d;
}

/* Field k (0: source domain, 1: target domain, 2: group ID) of the
 * request one byte longer, the byte `fill` at its end. */
static bool grow_field(rctx *c, rbuf *b, int k, uint8_t fill) {
  size_t at = 0, len = 0, hdr = 0;
  for (int i = 0; i <= k; i++) {
    if (at >= b->n) return false;
    hdr = (size_t)1 << (b->p[at] >> 6);
    if (hdr > 2 || at + hdr > b->n) return false;
    len = hdr == 1 ? b->p[at] : (size_t)(b->p[at] & 0x3f) << 8 | b->p[at + 1];
    if (i < k) at += hdr + len;
  }
  if (hdr != 2 || len + 1 > 0x3fff) return false;
  uint8_t *p = realloc(b->p, b->n + 1);
  if (!p) {
    r_local(c, "out of memory growing a request");
    return false;
  }
  b->p = p;
  size_t end = at + hdr + len;
  memmove(b->p + end + 1, b->p + end, b->n - end);
  b->p[end] = fill;
  b->n++;
  len++;
  b->p[at] = (uint8_t)(0x40 | len >> 8);
  b->p[at + 1] = (uint8_t)(len & 0xff);
  return true;
}

static void long_field(rctx *c, const rreq *q, int k, bool over, const char *what) {
  rbuf req = {0}, resp = {0};
  if (!r_start(c)) return;
  if (!over) {
    if (get_response(c, q, &req, &resp)) { /* a response to alice: accepted */
    }
  } else if (rm_request(c, q, &req)) {
    if (!grow_field(c, &req, k, 'a'))
      r_local(c, "cannot lengthen field %d of the request", k);
    else if (r_send(c, MM_MSG_MIGRATION_REQUEST, R_ALICE, rbuf_view(&req)))
      r_expect_refusal(c, MM_E_MALFORMED, MM_MSG_MIGRATION_RESPONSE, what);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
}

R_TEST(t_request_max_group_id) {
  rreq q = r_default_request();
  q.gid = max_gid();
  long_field(c, &q, 2, false, "request with a 255-byte group ID (ENC-4)");
}
R_TEST(t_request_group_id_too_long) {
  rreq q = r_default_request();
  q.gid = max_gid();
  long_field(c, &q, 2, true, "request with a 256-byte group ID (ENC-4)");
}
R_TEST(t_request_max_domain) {
  rreq q = r_default_request();
  q.source = max_domain();
  long_field(c, &q, 0, false, "request with a 253-byte source domain (ENC-4)");
}
R_TEST(t_request_domain_too_long) {
  rreq q = r_default_request();
  q.source = max_domain();
  long_field(c, &q, 0, true, "request with a 254-byte source domain (ENC-4)");
}

/* EPOCH-3 from both sides: a request at epoch 2^64-2 is served (a
 * MigrationResponse); at 2^64-1, after which no epoch follows, it gets
 * stale_epoch and no response. */
R_TEST(t_request_epoch_last_but_one) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0};
  q.epoch = UINT64_MAX - 1;
  if (r_start(c)) (void)get_response(c, &q, &req, &resp);
  rbuf_free(&req);
  rbuf_free(&resp);
}
R_TEST(t_request_epoch_last) {
  rreq q = r_default_request();
  q.epoch = UINT64_MAX;
  if (r_start(c))
    refuse_request(c, &q, R_ALICE, MM_E_STALE_EPOCH, "request at epoch 2^64-1 (EPOCH-3)");
}

/* Gets a response, then pushes the content make() builds from it. */
static void content_case(rctx *c,
                         bool (*make)(rctx *c, mm_view req, mm_view resp, rbuf *content,
                                      const char **sender),
                         mm_err code, const char *what) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0}, content = {0};
  const char *sender = R_SRC;
  if (r_start(c) && get_response(c, &q, &req, &resp) &&
      make(c, rbuf_view(&req), rbuf_view(&resp), &content, &sender) &&
      push(c, sender, rbuf_view(&content))) {
    r_expect_refused(c, code, MM_MSG_TARGET_MIGRATION_COMPLETE, what, R_GID, MM_SHIM_GS_NONE,
                     UINT64_MAX);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* The response re-signed by the third DS: not the target's signature. */
static bool mk_bad_response_sig(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  mm_migration_response r;
  mm_limits lim = mm_limits_default(c->suite);
  rbuf forged = {0};
  (void)s;
  bool ok = mm_decode(MM_T_MIGRATION_RESPONSE, resp.data, resp.len, &lim, &r, NULL) == MM_OK &&
            rm_response(c, req, r.nonce, c->third, L_RESPONSE, &forged) &&
            good_content(c, rbuf_view(&forged), R_GID, 100, content);
  rbuf_free(&forged);
  return ok;
}

static bool mk_unknown_nonce(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  uint8_t nonce[MM_NONCE_LEN];
  rbuf forged = {0};
  (void)resp;
  (void)s;
  if (!rm_random(c, nonce, sizeof nonce)) return false;
  /* Signed with the target's own key: only the nonce is wrong. */
  bool ok = rm_response(c, req, mm_view_of(nonce, sizeof nonce), c->tgt, L_RESPONSE, &forged) &&
            good_content(c, rbuf_view(&forged), R_GID, 100, content);
  rbuf_free(&forged);
  return ok;
}

/* The nonce issued for R_GID, moved onto a request for R_GID2. */
static bool mk_other_request(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  mm_migration_response r;
  mm_limits lim = mm_limits_default(c->suite);
  rreq q = r_default_request();
  q.gid = R_GID2;
  rbuf req2 = {0}, forged = {0};
  (void)req;
  (void)s;
  bool ok = mm_decode(MM_T_MIGRATION_RESPONSE, resp.data, resp.len, &lim, &r, NULL) == MM_OK &&
            rm_request(c, &q, &req2) &&
            rm_response(c, rbuf_view(&req2), r.nonce, c->tgt, L_RESPONSE, &forged) &&
            good_content(c, rbuf_view(&forged), R_GID2, 100, content);
  rbuf_free(&req2);
  rbuf_free(&forged);
  return ok;
}

static bool mk_expired(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  (void)req;
  (void)s;
  return r_advance(c, MM_NONCE_LIFETIME_MS + 1000) && good_content(c, resp, R_GID, 100, content);
}

static bool mk_third_ds(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  rbuf gs = {0};
  (void)req;
  *s = R_THIRD; /* a DS that is not the request's source pushes, with its own key */
  bool ok = rm_group_state(c, R_GID, R_EPOCH + 1, 100, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), c->third, L_CONTENT, content);
  rbuf_free(&gs);
  return ok;
}

static bool mk_wrong_key(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  rbuf gs = {0};
  (void)req;
  (void)s;
  bool ok = rm_group_state(c, R_GID, R_EPOCH + 1, 100, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), c->third, L_CONTENT, content);
  rbuf_free(&gs);
  return ok;
}

static bool mk_wrong_label(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  rbuf gs = {0};
  (void)req;
  (void)s;
  bool ok = rm_group_state(c, R_GID, R_EPOCH + 1, 100, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), c->src, L_RESPONSE, content);
  rbuf_free(&gs);
  return ok;
}

static bool mk_reauth(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  (void)req;
  (void)s;
  c->deny[0] = R_ALICE; /* the policy changed after the response */
  return r_configure(c) && good_content(c, resp, R_GID, 100, content);
}

static bool mk_group_exists(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  rbuf gs = {0};
  (void)req;
  (void)s;
  /* The group ID got created at the target meanwhile. */
  bool ok = rm_group_state(c, R_GID, 2, 10, &gs) && r_install(c, rbuf_view(&gs)) &&
            good_content(c, resp, R_GID, 100, content);
  rbuf_free(&gs);
  return ok;
}

static bool mk_bad_state(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  rbuf gs = {0};
  (void)req;
  (void)s;
  /* The state is at the request's epoch, not the one after the Commit. */
  bool ok = rm_group_state(c, R_GID, R_EPOCH, 100, &gs) &&
            rm_content(c, resp, rbuf_view(&gs), c->src, L_CONTENT, content);
  rbuf_free(&gs);
  return ok;
}

R_TEST(t_content_bad_response_sig) {
  content_case(c, mk_bad_response_sig, MM_E_BAD_SIGNATURE,
               "content whose response the target never signed");
}
R_TEST(t_content_unknown_nonce) {
  content_case(c, mk_unknown_nonce, MM_E_UNKNOWN_NONCE, "content with a nonce never issued");
}
R_TEST(t_content_nonce_other_request) {
  content_case(c, mk_other_request, MM_E_UNKNOWN_NONCE,
               "content with a nonce issued for another request");
}
R_TEST(t_content_expired) {
  content_case(c, mk_expired, MM_E_NONCE_EXPIRED, "content after the nonce lifetime");
}
/* NONCE-2's boundary, just outside: the content arrives at issue time +
 * 300 001 ms, one ms past the lifetime (the response was issued at the
 * IUT's clock before the advance, in one step: no tolerance). */
static bool mk_expired_by_1ms(rctx *c, mm_view req, mm_view resp, rbuf *content, const char **s) {
  (void)req;
  (void)s;
  return r_advance(c, MM_NONCE_LIFETIME_MS + 1) && good_content(c, resp, R_GID, 100, content);
}

R_TEST(t_content_expired_by_1ms) {
  content_case(c, mk_expired_by_1ms, MM_E_NONCE_EXPIRED,
               "content at issue time + 300 001 ms, 1 ms past the nonce lifetime (NONCE-2)");
}

/* NONCE-2's boundary, just inside: at issue time + 300 000 ms the content
 * is still in time and must be imported. */
R_TEST(t_content_at_nonce_lifetime) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0}, content = {0};
  if (r_start(c) && get_response(c, &q, &req, &resp) && r_advance(c, MM_NONCE_LIFETIME_MS) &&
      good_content(c, rbuf_view(&resp), R_GID, 100, &content) &&
      push(c, R_SRC, rbuf_view(&content))) {
    expect_complete(c, rbuf_view(&content),
                    "content at issue time + 300 000 ms, the last ms of the nonce lifetime "
                    "(NONCE-2)");
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH + 1,
                   "after an import at the last ms of the nonce lifetime (NONCE-2)");
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

R_TEST(t_content_third_ds) {
  content_case(c, mk_third_ds, MM_E_WRONG_DOMAIN, "content pushed by a third DS");
}
R_TEST(t_content_wrong_key) {
  content_case(c, mk_wrong_key, MM_E_BAD_SIGNATURE, "content signed with another DS's key");
}
R_TEST(t_content_wrong_label) {
  content_case(c, mk_wrong_label, MM_E_BAD_SIGNATURE, "content signed with another label");
}
R_TEST(t_content_reauth) {
  content_case(c, mk_reauth, MM_E_UNAUTHORIZED, "content for a client the policy no longer allows");
}
R_TEST(t_content_bad_state) {
  content_case(c, mk_bad_state, MM_E_MALFORMED, "content whose state is not at the next epoch");
}

R_TEST(t_content_group_exists) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0}, content = {0};
  const char *s = R_SRC;
  if (r_start(c) && get_response(c, &q, &req, &resp) &&
      mk_group_exists(c, rbuf_view(&req), rbuf_view(&resp), &content, &s) &&
      push(c, R_SRC, rbuf_view(&content))) {
    r_expect_refused(c, MM_E_GROUP_EXISTS, MM_MSG_TARGET_MIGRATION_COMPLETE,
                     "content for a group the target hosts", R_GID, MM_SHIM_GS_ACTIVE, 2);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

/* Imports once; *content keeps what was imported. */
static bool import(rctx *c, rbuf *req, rbuf *resp, rbuf *content) {
  rreq q = r_default_request();
  if (!(r_start(c) && get_response(c, &q, req, resp) &&
        good_content(c, rbuf_view(resp), R_GID, 500, content) &&
        push(c, R_SRC, rbuf_view(content))))
    return false;
  expect_complete(c, rbuf_view(content), "first import");
  return !c->stop && c->verdict == MM_V_PASS;
}

R_TEST(t_content_retransmit) {
  rbuf req = {0}, resp = {0}, content = {0};
  if (import(c, &req, &resp, &content) && push(c, R_SRC, rbuf_view(&content))) {
    expect_complete(c, rbuf_view(&content), "byte-identical retransmission (LIFE-5)");
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH + 1, "after the retransmission");
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

R_TEST(t_content_nonce_reused) {
  rbuf req = {0}, resp = {0}, content = {0}, other = {0};
  if (import(c, &req, &resp, &content) && good_content(c, rbuf_view(&resp), R_GID, 501, &other) &&
      push(c, R_SRC, rbuf_view(&other)))
    r_expect_refusal(c, MM_E_NONCE_REUSED, MM_MSG_TARGET_MIGRATION_COMPLETE,
                     "another content under a consumed nonce");
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
  rbuf_free(&other);
}

/* The imported content again, byte for byte, from a third DS that captured
 * it: a retransmission is answered only to the request's source (DOM-3). */
R_TEST(t_content_replay_third_ds) {
  rbuf req = {0}, resp = {0}, content = {0};
  if (import(c, &req, &resp, &content) && push(c, R_THIRD, rbuf_view(&content)))
    r_expect_refusal(c, MM_E_WRONG_DOMAIN, MM_MSG_TARGET_MIGRATION_COMPLETE,
                     "the imported content again, sent by a third DS");
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

R_TEST(t_dur_nonce_survives) {
  rreq q = r_default_request();
  rbuf req = {0}, resp = {0}, content = {0};
  if (r_start(c) && get_response(c, &q, &req, &resp) && r_restart(c) &&
      good_content(c, rbuf_view(&resp), R_GID, 500, &content) &&
      push(c, R_SRC, rbuf_view(&content)))
    expect_complete(c, rbuf_view(&content), "content for a nonce issued before SIGKILL + restart");
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
}

R_TEST(t_dur_import_survives) {
  rbuf req = {0}, resp = {0}, content = {0}, other = {0};
  if (import(c, &req, &resp, &content) && r_restart(c)) {
    r_expect_group(c, R_GID, MM_SHIM_GS_ACTIVE, R_EPOCH + 1,
                   "imported group after SIGKILL + restart");
    if (good_content(c, rbuf_view(&resp), R_GID, 501, &other) && push(c, R_SRC, rbuf_view(&other)))
      r_expect_durable_refusal(c, MM_E_NONCE_REUSED, MM_MSG_TARGET_MIGRATION_COMPLETE,
                               "consumed nonce after SIGKILL + restart", R_GID, MM_SHIM_GS_ACTIVE,
                               R_EPOCH + 1);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
  rbuf_free(&other);
}

/* Each member of the imported state must get msg, the body as sent
 * (LIFE-6: from import on, the target is the group's DS with that state). */
static void expect_fanout(rctx *c, mm_view msg, const char *what) {
  const char *members[2] = {R_ALICE, R_BOB};
  for (int i = 0; i < 2 && !c->stop; i++) {
    rgot g;
    if (!r_find(c, MM_MSG_MLS_MESSAGE, members[i], 0, &g) || !mm_view_eq(g.env.body, msg)) {
      r_fail(c, "%s: %s, a member of the imported state, did not get it (LIFE-6)", what,
             members[i]);
      return;
    }
  }
}

/* After import the group is served at epoch + 1 with the imported members:
 * a member's message goes to every member; one at the migration Commit's
 * epoch, from a non-member or in another suite goes to nobody (found by make mutation:
 * docs/mutation-triage.md). */
R_TEST(t_serves_after_import) {
  rbuf req = {0}, resp = {0}, content = {0}, now = {0}, old = {0};
  if (import(c, &req, &resp, &content) &&
      rm_commit(c, R_GID, R_EPOCH + 1, NULL, MM_CONTENT_APPLICATION, &now) &&
      rm_commit(c, R_GID, R_EPOCH, NULL, MM_CONTENT_APPLICATION, &old)) {
    if (r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&now)))
      expect_fanout(c, rbuf_view(&now), "a member's message at the imported epoch");
    if (r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&old)))
      r_expect_refusal(c, MM_E_STALE_EPOCH, MM_MSG_MLS_MESSAGE,
                       "a member's message at the epoch before the import");
    if (r_send(c, MM_MSG_MLS_MESSAGE, R_CAROL, rbuf_view(&now)))
      r_expect_refusal(c, MM_E_NOT_MEMBER, MM_MSG_MLS_MESSAGE,
                       "a message from a client the imported state does not list");
    rbuf other = {0}, env = {0};
    if (rm_commit(c, R_GID2, R_EPOCH + 1, NULL, MM_CONTENT_APPLICATION, &other) &&
        r_send(c, MM_MSG_MLS_MESSAGE, R_BOB, rbuf_view(&other)))
      r_expect_refusal(c, MM_E_UNKNOWN_GROUP, MM_MSG_MLS_MESSAGE,
                       "a message for a group the target does not host");
    rbuf_free(&other);
    if (rm_envelope(c, MM_MSG_MLS_MESSAGE, c->suite == 1 ? 2 : 1, R_BOB, rbuf_view(&now), &env) &&
        r_deliver(c, rbuf_view(&env)))
      r_expect_refusal(c, MM_E_UNSUPPORTED_CIPHERSUITE, MM_MSG_MLS_MESSAGE,
                       "a member's message in another suite than the group's (SUITE-2)");
    rbuf_free(&env);
  }
  rbuf_free(&req);
  rbuf_free(&resp);
  rbuf_free(&content);
  rbuf_free(&now);
  rbuf_free(&old);
}

R_TEST(t_nonce_fresh) {
  rreq q = r_default_request();
  rbuf req1 = {0}, resp1 = {0}, req2 = {0}, resp2 = {0};
  mm_migration_response a, b;
  mm_limits lim = mm_limits_default(c->suite);
  if (r_start(c) && get_response(c, &q, &req1, &resp1) && get_response(c, &q, &req2, &resp2) &&
      mm_decode(MM_T_MIGRATION_RESPONSE, resp1.p, resp1.n, &lim, &a, NULL) == MM_OK &&
      mm_decode(MM_T_MIGRATION_RESPONSE, resp2.p, resp2.n, &lim, &b, NULL) == MM_OK &&
      mm_view_eq(a.nonce, b.nonce))
    r_fail(c, "two requests got the same nonce (NONCE-1)");
  rbuf_free(&req1);
  rbuf_free(&resp1);
  rbuf_free(&req2);
  rbuf_free(&resp2);
}

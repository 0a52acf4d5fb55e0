/* Tests of the reference target DS (sim/ds/target/), rule by rule.
 *
 * The harness plays every other party itself: it holds the private keys of
 * the target, the source and a third DS, and crafts requests, contents and
 * MLSMessages with the codec and crypto directly (never the source
 * implementation). For each target-side rule: the good case passes, and
 * every way to break it is refused with the rule's code, answered with a
 * MigrationError, and leaves the durable store exactly as it was. Tests
 * named *_mutant run the same scenario with one mutant switched on and
 * assert that the target now goes wrong: proof the test can fail. */
#include <stdlib.h>
#include <string.h>

#include "actor_harness.h"
#include "alloc_count.h"
#include "crypto/crypto_stats.h"
#include "ds/target/target_records.h" /* the documented durable record format */
#include "mlsmig/ds.h"
#include "mlsmig/group_state.h"
#include "testlib.h"

#define TGT "target.example"
#define SRC "source.example"
#define THIRD "third.example"
#define ALICE "alice@source.example" /* homed at the source */
#define BOB "bob@target.example"     /* homed at the target */
#define CAROL "carol@source.example" /* not a member */
#define GID "group-1"
#define SUITE 1       /* Ed25519 / SHA-256 */
#define OTHER_SUITE 3 /* Ed25519 too: same formats, other keys */
#define NO_KEY_SUITE 4
#define NSUITES 3   /* the DSes have keys for suites 1..3 */
#define T0 1000000u /* ms: an arbitrary start */
#define EPOCH 7u

#define L_RESPONSE "MigrationResponseTBS"
#define L_INIT "MigrationInitTBS"
#define L_CONTENT "MigrationContentTBS"
#define L_COMPLETE "TargetMigrationCompleteTBS"
#define REF_LABEL "MLS 1.0 MigrationContent Reference"

#define MUT(m) (1u << (m))

/* ==================== harness ==================== */

typedef struct events {
  size_t imported, commits;
  uint64_t epoch;
  uint8_t *detail;
  size_t detail_len;
  char peer[MM_SENDER_MAX + 1];
} events;

typedef struct h {
  mm_rng key_rng, rng;
  mm_keydir *kd;
  mm_key *tgt[NSUITES + 1], *src[NSUITES + 1], *third[NSUITES + 1];
  mm_key *alice[NSUITES + 1], *bob[NSUITES + 1]; /* members' leaf keys */
  mm_store *store;
  mm_ds_config cfg;
  mm_env env;
  mm_observer obs;
  events ev;
  bool allow; /* the custom policy's answer */
  mm_target *t;
  mm_outbox out;
  uint16_t last_suite; /* of the last envelope delivered */
} h;

static void on_event(void *ctx, const mm_event *e) {
  events *ev = ctx;
  if (e->kind == MM_EV_COMMIT_ACCEPTED) ev->commits++;
  if (e->kind != MM_EV_GROUP_IMPORTED) return;
  ev->imported++;
  ev->epoch = e->epoch;
  free(ev->detail);
  ev->detail = malloc(e->detail.len + 1);
  ck_assert_ptr_nonnull(ev->detail);
  memcpy(ev->detail, e->detail.data, e->detail.len);
  ev->detail_len = e->detail.len;
  ck_assert_uint_lt(e->peer.len, sizeof ev->peer);
  memcpy(ev->peer, e->peer.data, e->peer.len);
  ev->peer[e->peer.len] = '\0';
}

static bool allow_flag(void *ctx, mm_view client, mm_view group_id, mm_view peer) {
  (void)client, (void)group_id, (void)peer;
  return *(bool *)ctx;
}

static mm_key *gen_key(h *x, uint16_t suite) { return ah_gen_key(&x->key_rng, suite); }

static void publish(h *x, const char *domain, mm_key *k) { ah_publish(x->kd, domain, k); }

static void start_target(h *x) { ck_assert_int_eq(mm_target_new(&x->cfg, &x->env, &x->t), MM_OK); }

static void h_init(h *x, mm_mutants mutants) {
  memset(x, 0, sizeof *x);
  mm_rng_init_seeded(&x->key_rng, 42, "test_target keys");
  mm_rng_init_seeded(&x->rng, 42, "test_target actor");
  x->kd = mm_keydir_new();
  for (uint16_t s = 1; s <= NSUITES; s++) {
    x->tgt[s] = gen_key(x, s), x->src[s] = gen_key(x, s), x->third[s] = gen_key(x, s);
    publish(x, TGT, x->tgt[s]);
    publish(x, SRC, x->src[s]);
    publish(x, THIRD, x->third[s]);
    x->cfg.sign_keys[s] = x->tgt[s];
    x->alice[s] = gen_key(x, s);
    x->bob[s] = gen_key(x, s);
  }
  x->store = mm_store_new();
  x->cfg.domain = TGT;
  x->cfg.policy = (mm_policy){.kind = MM_POLICY_DEFAULT};
  x->cfg.mutants = mutants;
  x->obs = (mm_observer){on_event, &x->ev};
  x->env = (mm_env){.rng = &x->rng, .keys = x->kd, .store = x->store, .obs = &x->obs};
  x->allow = true;
  mm_outbox_init(&x->out);
  start_target(x);
}

static void h_free(h *x) {
  mm_target_free(x->t);
  mm_outbox_free(&x->out);
  mm_store_free(x->store);
  mm_keydir_free(x->kd);
  for (uint16_t s = 1; s <= NSUITES; s++) {
    mm_key_free(x->tgt[s]);
    mm_key_free(x->src[s]);
    mm_key_free(x->third[s]);
    mm_key_free(x->alice[s]);
    mm_key_free(x->bob[s]);
  }
  free(x->ev.detail);
}

/* A crash and a restart: all volatile state gone, the store kept. */
static void h_restart(h *x) {
  mm_target_free(x->t);
  x->t = NULL;
  start_target(x);
}

static void use_custom_policy(h *x) {
  x->cfg.policy = (mm_policy){.kind = MM_POLICY_CUSTOM, .allow = allow_flag, .ctx = &x->allow};
}

/* ==================== crafting messages ==================== */

static bool verifies(const mm_key *k, const char *label, mm_type t, const void *msg, mm_view sig) {
  mm_limits lim = mm_limits_default(mm_key_suite(k));
  mm_writer tbs;
  mm_writer_init(&tbs);
  ck_assert_int_eq(mm_encode_tbs(t, msg, &lim, &tbs), MM_OK);
  bool ok = mm_verify_with_label(k, label, tbs.buf, tbs.len, sig.data, sig.len) == MM_OK;
  mm_writer_free(&tbs);
  return ok;
}

static mm_migration_request request(const char *gid, uint64_t epoch) {
  return (mm_migration_request){mm_view_str(SRC), mm_view_str(TGT), mm_view_str(gid), epoch};
}

/* How deliver() hands envelopes over: lent (mm_target_handle), or given
 * (mm_target_handle_owned), for test_owned_envelope. */
static bool g_owned;

/* mm_target_handle_owned's promises: the bytes never change; the target
 * keeps the buffer only for an import, whose state then lies in it. */
static MM_MUST_USE mm_err deliver_owned(h *x, uint8_t *env, size_t len, uint64_t now,
                                        uint8_t type) {
  uint8_t *was = malloc(len ? len : 1);
  ck_assert_ptr_nonnull(was);
  memcpy(was, env, len);
  const uint8_t *at = env;
  mm_err e = mm_target_handle_owned(x->t, &env, len, now, &x->out);
  if (env) {
    ck_assert_ptr_eq(env, at);
    ck_assert_mem_eq(env, was, len);
  } else {
    ck_assert_uint_eq(type, MM_MSG_MIGRATION_CONTENT);
    ck_assert_int_eq(e, MM_OK);
    ck_assert_mem_eq(at, was, len); /* readable until the next call */
    mm_envelope ev;
    mm_migration_content mc;
    ck_assert_int_eq(mm_decode(MM_T_ENVELOPE, at, len, NULL, &ev, NULL), MM_OK);
    ck_assert_int_eq(mm_decode(MM_T_MIGRATION_CONTENT, ev.body.data, ev.body.len, NULL, &mc, NULL),
                     MM_OK);
    mm_group_info gi;
    ck_assert(mm_target_group(x->t, mc.migration_response.migration_request.group_id, &gi));
    ck_assert_ptr_eq(gi.state.data, mc.group_state.data); /* kept, not copied */
    ck_assert_uint_eq(gi.state.len, mc.group_state.len);
  }
  free(env);
  free(was);
  return e;
}

/* Hands an envelope to the target (taking it), with a fresh outbox. */
static MM_MUST_USE mm_err deliver(h *x, uint8_t *env, size_t len, uint64_t now) {
  mm_reader r;
  mm_derr err;
  uint8_t type = 0;
  mm_reader_init(&r, env, len, &err);
  if (mm_read_u8(&r, &type)) mm_read_u16(&r, &x->last_suite);
  mm_outbox_clear(&x->out);
  if (g_owned) return deliver_owned(x, env, len, now, type);
  mm_err e = mm_target_handle(x->t, env, len, now, &x->out);
  free(env);
  return e;
}

static MM_MUST_USE mm_err send_request(h *x, const char *sender, uint16_t suite,
                                       const mm_migration_request *rq, uint64_t now) {
  size_t len;
  uint8_t *env =
      ah_envelope(MM_MSG_MIGRATION_REQUEST, suite, sender, MM_T_MIGRATION_REQUEST, rq, &len);
  return deliver(x, env, len, now);
}

/* The i-th envelope the target queued, decoded (views into the outbox). */
static mm_envelope out_env(const h *x, size_t i) {
  mm_envelope e = ah_out_env(&x->out, i);
  ck_assert(mm_view_eq_str(e.sender, TGT));
  return e;
}

/* A MigrationResponse the target issued, copied out of the outbox. */
typedef struct resp {
  uint8_t *body;
  size_t len;
  mm_migration_response r;
} resp;

static void take_response(h *x, const char *to, resp *rc) {
  ck_assert_uint_eq(x->out.n, 1);
  ck_assert_str_eq(x->out.v[0].to, to);
  mm_envelope e = out_env(x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_RESPONSE);
  rc->len = e.body.len;
  rc->body = malloc(rc->len);
  ck_assert_ptr_nonnull(rc->body);
  memcpy(rc->body, e.body.data, rc->len);
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_RESPONSE, rc->body, rc->len, NULL, &rc->r, NULL),
                   MM_OK);
}

static void issue(h *x, const char *client, const char *gid, uint64_t now, resp *rc) {
  mm_migration_request rq = request(gid, EPOCH);
  ck_assert_int_eq(send_request(x, client, SUITE, &rq, now), MM_OK);
  take_response(x, client, rc);
}

/* A response the target never issued, signed with its key. */
static void forge_response(h *x, const mm_migration_request *rq, uint8_t fill, uint16_t suite,
                           mm_writer *sig, mm_migration_response *out) {
  static uint8_t nonce[MM_NONCE_LEN];
  memset(nonce, fill, sizeof nonce);
  *out = (mm_migration_response){*rq, mm_view_of(nonce, MM_NONCE_LEN), {0}};
  out->signature = ah_sign(x->tgt[suite], L_RESPONSE, MM_T_MIGRATION_RESPONSE, out, sig);
}

/* A reference GroupState (alice leaf 0, bob leaf 1), malloc'd. */
static mm_view group_state(h *x, const char *gid, uint16_t suite, uint64_t epoch,
                           const char *payload) {
  uint16_t ks = suite >= 1 && suite <= NSUITES ? suite : SUITE;
  mm_member m[2] = {{mm_view_str(ALICE), 0, mm_key_public(x->alice[ks])},
                    {mm_view_str(BOB), 1, mm_key_public(x->bob[ks])}};
  mm_group_state g = {MM_GROUP_STATE_VERSION, suite, mm_view_str(gid),    epoch,
                      mm_view_of(NULL, 0),    2,     mm_view_str(payload)};
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_group_state_encode(&g, m, 2, &w), MM_OK);
  uint8_t *bytes;
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&w, &bytes, &len), MM_OK);
  return mm_view_of(bytes, len);
}

/* How a MigrationContent is made: who signs it, with which label, in which
 * suite, who sends it. */
typedef struct how {
  const mm_key *signer;
  const char *label;
  uint16_t suite;
  const char *sender;
} how;

static how honest(h *x) { return (how){x->src[SUITE], L_CONTENT, SUITE, SRC}; }

static uint8_t *content(const mm_migration_response *r, mm_view state, how w, size_t *len) {
  mm_migration_content mc = {*r, state, {0}};
  mm_writer sig;
  mc.signature = ah_sign(w.signer, w.label, MM_T_MIGRATION_CONTENT, &mc, &sig);
  uint8_t *env =
      ah_envelope(MM_MSG_MIGRATION_CONTENT, w.suite, w.sender, MM_T_MIGRATION_CONTENT, &mc, len);
  mm_writer_free(&sig);
  return env;
}

/* The body of an envelope we built (a copy, malloc'd). */
static mm_view body_of(const uint8_t *env, size_t len) {
  mm_envelope e;
  ck_assert_int_eq(mm_decode(MM_T_ENVELOPE, env, len, NULL, &e, NULL), MM_OK);
  uint8_t *copy = malloc(e.body.len);
  memcpy(copy, e.body.data, e.body.len);
  return mm_view_of(copy, e.body.len);
}

/* Sends the honest content for a response; the state is the group's at
 * epoch + 1 with this payload. */
static MM_MUST_USE mm_err send_content(h *x, const resp *rc, const char *payload, how w,
                                       uint64_t now) {
  const mm_migration_request *rq = &rc->r.migration_request;
  char gid[MM_GROUP_ID_MAX + 1] = {0};
  memcpy(gid, rq->group_id.data, rq->group_id.len);
  mm_view st = group_state(x, gid, w.suite, rq->epoch + 1, payload);
  size_t len;
  uint8_t *env = content(&rc->r, st, w, &len);
  free((void *)st.data);
  return deliver(x, env, len, now);
}

/* An MLSMessage (PrivateMessage framing) from a member, as an envelope. */
static uint8_t *mls(const char *sender, const char *gid, uint64_t epoch, uint8_t ctype,
                    uint8_t type, size_t *len) {
  static const uint8_t junk[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  mm_mls_message m = {.version = MM_MLS10,
                      .wire_format = MM_WIRE_PRIVATE,
                      .group_id = mm_view_str(gid),
                      .epoch = epoch,
                      .content_type = ctype,
                      .encrypted_sender_data = mm_view_of(junk, 8),
                      .ciphertext = mm_view_of(junk, 16)};
  return ah_envelope(type, SUITE, sender, MM_T_MLS_MESSAGE, &m, len);
}

static MM_MUST_USE mm_err send_mls(h *x, const char *sender, const char *gid, uint64_t epoch,
                                   uint8_t ctype) {
  size_t len;
  uint8_t *env = mls(sender, gid, epoch, ctype, MM_MSG_MLS_MESSAGE, &len);
  return deliver(x, env, len, T0);
}

/* ==================== store snapshots and verdicts ==================== */

typedef struct snap {
  size_t nonces, groups, states, bytes;
  uint64_t digest;
} snap;

static bool fold(void *ctx, mm_view k, mm_view v) {
  uint64_t *d = ctx;
  const mm_view parts[2] = {k, v};
  for (int p = 0; p < 2; p++) {
    *d = (*d ^ parts[p].len) * 0x100000001b3ULL;
    for (size_t i = 0; i < parts[p].len; i++) *d = (*d ^ parts[p].data[i]) * 0x100000001b3ULL;
  }
  return true;
}

static snap snapshot(const h *x) {
  static const char *const ns[] = {"target.nonce", "target.group", "target.state"};
  snap s = {mm_store_count(x->store, ns[0]), mm_store_count(x->store, ns[1]),
            mm_store_count(x->store, ns[2]), mm_store_bytes(x->store), 0xcbf29ce484222325ULL};
  for (int i = 0; i < 3; i++) mm_store_each(x->store, ns[i], fold, &s.digest);
  return s;
}

static void assert_same_store(const h *x, const snap *before) {
  snap now = snapshot(x);
  ck_assert_uint_eq(now.nonces, before->nonces);
  ck_assert_uint_eq(now.groups, before->groups);
  ck_assert_uint_eq(now.states, before->states);
  ck_assert_uint_eq(now.bytes, before->bytes);
  ck_assert_uint_eq(now.digest, before->digest);
}

/* The verdict is `want`, the only thing queued is MigrationError{want} to
 * `to`, and the store is as it was. */
static void assert_refused(const h *x, mm_err got, mm_err want, const char *to,
                           const snap *before) {
  ck_assert_msg(got == want, "got %s, want %s", mm_err_name(got), mm_err_name(want));
  ck_assert_uint_eq(x->out.n, 1);
  ck_assert_str_eq(x->out.v[0].to, to);
  mm_envelope e = out_env(x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_ERROR);
  ck_assert_uint_eq(e.cipher_suite, x->last_suite); /* answered in the sender's suite */
  mm_migration_error me;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_ERROR, e.body.data, e.body.len, NULL, &me, NULL),
                   MM_OK);
  ck_assert_uint_eq(me.code, want);
  assert_same_store(x, before);
}

/* The target answered a content with a TargetMigrationComplete whose hash
 * is RefHash over the content bytes and whose signature verifies. */
static void assert_complete(const h *x, mm_view content_body, uint16_t suite) {
  ck_assert_uint_eq(x->out.n, 1);
  ck_assert_str_eq(x->out.v[0].to, SRC);
  mm_envelope e = out_env(x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_TARGET_MIGRATION_COMPLETE);
  mm_target_migration_complete tmc;
  mm_limits lim = mm_limits_default(suite);
  ck_assert_int_eq(
      mm_decode(MM_T_TARGET_MIGRATION_COMPLETE, e.body.data, e.body.len, &lim, &tmc, NULL), MM_OK);
  uint8_t want[MM_MAX_HASH_LEN];
  size_t n;
  ck_assert_int_eq(mm_ref_hash(suite, REF_LABEL, content_body.data, content_body.len, want, &n),
                   MM_OK);
  ck_assert(mm_view_eq(tmc.migration_content_hash, mm_view_of(want, n)));
  const mm_key *pub = mm_keydir_get(x->kd, mm_view_str(TGT), suite);
  ck_assert(verifies(pub, L_COMPLETE, MM_T_TARGET_MIGRATION_COMPLETE, &tmc, tmc.signature));
  ck_assert(!verifies(pub, L_RESPONSE, MM_T_TARGET_MIGRATION_COMPLETE, &tmc, tmc.signature));
}

/* A whole good migration up to the import, returning the content bytes. */
static mm_view import_group(h *x, resp *rc) {
  issue(x, ALICE, GID, T0, rc);
  mm_view st = group_state(x, GID, SUITE, EPOCH + 1, "payload");
  size_t len;
  uint8_t *env = content(&rc->r, st, honest(x), &len);
  mm_view body = body_of(env, len);
  ck_assert_int_eq(deliver(x, env, len, T0 + 10), MM_OK);
  assert_complete(x, body, SUITE);
  free((void *)st.data);
  return body;
}

static void free_view(mm_view v) { free((void *)v.data); }

/* ==================== MigrationRequest ==================== */

START_TEST(test_request_good) {
  h x;
  h_init(&x, 0);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  mm_migration_request rq = request(GID, EPOCH);
  mm_limits lim = mm_limits_default(SUITE);
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_REQUEST, &rq, &lim, &w, NULL), MM_OK);
  /* the request echoed byte for byte, signed by the target's key (SIG-1) */
  mm_writer echo;
  mm_writer_init(&echo);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_REQUEST, &rc.r.migration_request, &lim, &echo, NULL),
                   MM_OK);
  ck_assert(mm_view_eq(mm_writer_view(&w), mm_writer_view(&echo)));
  const mm_key *pub = mm_keydir_get(x.kd, mm_view_str(TGT), SUITE);
  ck_assert(verifies(pub, L_RESPONSE, MM_T_MIGRATION_RESPONSE, &rc.r, rc.r.signature));
  ck_assert(!verifies(pub, L_INIT, MM_T_MIGRATION_RESPONSE, &rc.r, rc.r.signature));
  /* one durable nonce record holding the exact request bytes (NONCE-2) */
  ck_assert_uint_eq(mm_store_count(x.store, "target.nonce"), 1);
  mm_tgt_nonce rec;
  ck_assert_int_eq(mm_tgt_nonce_get(x.store, rc.r.nonce, &rec), MM_OK);
  ck_assert(mm_view_eq(rec.request, mm_writer_view(&w)));
  ck_assert(mm_view_eq_str(rec.client, ALICE));
  ck_assert_uint_eq(rec.suite, SUITE);
  ck_assert_uint_eq(rec.issued_at, T0);
  ck_assert(!rec.consumed);
  ck_assert_uint_eq(rec.content_hash.len, 0);
  mm_writer_free(&w);
  mm_writer_free(&echo);
  free(rc.body);
  h_free(&x);
}
END_TEST

static void check_wrong_domain(mm_mutants mut, bool want_refused) {
  const mm_migration_request bad[] = {
      {mm_view_str(SRC), mm_view_str(THIRD), mm_view_str(GID), EPOCH}, /* not us */
      {mm_view_str(TGT), mm_view_str(TGT), mm_view_str(GID), EPOCH},   /* source == target */
  };
  for (size_t i = 0; i < 2; i++) {
    h x;
    h_init(&x, mut);
    snap before = snapshot(&x);
    mm_err e = send_request(&x, ALICE, SUITE, &bad[i], T0);
    if (want_refused)
      assert_refused(&x, e, MM_E_WRONG_DOMAIN, ALICE, &before);
    else
      ck_assert_int_eq(e, MM_OK); /* the mutant wrongly issues a response */
    h_free(&x);
  }
}

START_TEST(test_request_wrong_domain) { check_wrong_domain(0, true); }
END_TEST

START_TEST(test_request_wrong_domain_mutant) {
  check_wrong_domain(MUT(MM_MUT_SKIP_DOMAIN_CHECK), false);
}
END_TEST

static void add_local_group(h *x, const char *gid) {
  mm_member m = {mm_view_str(BOB), 0, mm_key_public(x->bob[SUITE])};
  mm_group_state g = {MM_GROUP_STATE_VERSION, SUITE, mm_view_str(gid),    3,
                      mm_view_of(NULL, 0),    1,     mm_view_str("local")};
  ck_assert_int_eq(mm_target_add_group(x->t, &g, &m, 1), MM_OK);
}

START_TEST(test_request_group_exists) {
  h x;
  h_init(&x, 0);
  add_local_group(&x, GID);
  snap before = snapshot(&x);
  mm_migration_request rq = request(GID, EPOCH);
  assert_refused(&x, send_request(&x, ALICE, SUITE, &rq, T0), MM_E_GROUP_EXISTS, ALICE, &before);
  /* another group ID is fine */
  rq = request("group-2", EPOCH);
  ck_assert_int_eq(send_request(&x, ALICE, SUITE, &rq, T0), MM_OK);
  h_free(&x);
}
END_TEST

static void check_content_collision(mm_mutants mut, bool want_refused) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  add_local_group(&x, GID); /* the ID got taken meanwhile */
  snap before = snapshot(&x);
  mm_err e = send_content(&x, &rc, "payload", honest(&x), T0 + 10);
  if (want_refused) {
    assert_refused(&x, e, MM_E_GROUP_EXISTS, SRC, &before);
  } else {
    ck_assert_int_eq(e, MM_OK); /* imported over the hosted group */
    ck_assert_uint_eq(x.ev.imported, 1);
  }
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_group_exists) { check_content_collision(0, true); }
END_TEST

START_TEST(test_content_group_exists_mutant) {
  check_content_collision(MUT(MM_MUT_IMPORT_EXISTING_GROUP), false);
}
END_TEST

static void check_unauthorized(mm_mutants mut, bool want_refused) {
  h x;
  h_init(&x, mut);
  static const char *const deny[] = {ALICE, NULL};
  x.cfg.policy.deny = deny;
  snap before = snapshot(&x);
  mm_migration_request rq = request(GID, EPOCH);
  mm_err e = send_request(&x, ALICE, SUITE, &rq, T0);
  if (want_refused) {
    /* no MigrationResponse at all, only the error (AUTHZ-3) */
    assert_refused(&x, e, MM_E_UNAUTHORIZED, ALICE, &before);
  } else {
    ck_assert_int_eq(e, MM_OK);
    ck_assert_uint_eq(out_env(&x, 0).msg_type, MM_MSG_MIGRATION_RESPONSE);
  }
  h_free(&x);
}

START_TEST(test_request_unauthorized) { check_unauthorized(0, true); }
END_TEST

START_TEST(test_request_unauthorized_mutant) {
  check_unauthorized(MUT(MM_MUT_SKIP_TARGET_AUTHZ), false);
}
END_TEST

START_TEST(test_policy_default_and_strict) {
  h x;
  h_init(&x, 0);
  mm_migration_request rq = request(GID, EPOCH);
  /* default: any client that may create groups here, whatever its home */
  ck_assert_int_eq(send_request(&x, ALICE, SUITE, &rq, T0), MM_OK);
  ck_assert_int_eq(send_request(&x, BOB, SUITE, &rq, T0), MM_OK);
  /* strict: only clients homed at the target */
  x.cfg.policy.kind = MM_POLICY_STRICT;
  snap before = snapshot(&x);
  assert_refused(&x, send_request(&x, ALICE, SUITE, &rq, T0), MM_E_UNAUTHORIZED, ALICE, &before);
  ck_assert_int_eq(send_request(&x, BOB, SUITE, &rq, T0), MM_OK);
  h_free(&x);
}
END_TEST

static void check_policy_changed(mm_mutants mut, bool want_refused) {
  h x;
  h_init(&x, mut);
  use_custom_policy(&x);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  x.allow = false; /* the operator revoked the client before the import */
  snap before = snapshot(&x);
  mm_err e = send_content(&x, &rc, "payload", honest(&x), T0 + 10);
  if (want_refused) {
    assert_refused(&x, e, MM_E_UNAUTHORIZED, SRC, &before);
    ck_assert(!mm_target_group(x.t, mm_view_str(GID), NULL));
  } else {
    ck_assert_int_eq(e, MM_OK);
    ck_assert(mm_target_group(x.t, mm_view_str(GID), NULL));
  }
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_policy_changed) { check_policy_changed(0, true); }
END_TEST

START_TEST(test_content_policy_changed_mutant) {
  check_policy_changed(MUT(MM_MUT_SKIP_TARGET_REAUTH), false);
}
END_TEST

START_TEST(test_request_unsupported_suite) {
  h x;
  h_init(&x, 0);
  snap before = snapshot(&x);
  mm_migration_request rq = request(GID, EPOCH);
  assert_refused(&x, send_request(&x, ALICE, NO_KEY_SUITE, &rq, T0), MM_E_UNSUPPORTED_CIPHERSUITE,
                 ALICE, &before);
  assert_refused(&x, send_request(&x, ALICE, 0x0042, &rq, T0), MM_E_UNSUPPORTED_CIPHERSUITE, ALICE,
                 &before);
  h_free(&x);
}
END_TEST

static int cmp_nonce(const void *a, const void *b) { return memcmp(a, b, MM_NONCE_LEN); }

START_TEST(test_nonces_distinct) {
  enum { N = 1000 };
  h x;
  h_init(&x, 0);
  static uint8_t seen[N][MM_NONCE_LEN];
  mm_migration_request rq = request(GID, EPOCH);
  for (size_t i = 0; i < N; i++) {
    ck_assert_int_eq(send_request(&x, ALICE, SUITE, &rq, T0 + i), MM_OK);
    mm_envelope e = out_env(&x, 0);
    mm_migration_response r;
    ck_assert_int_eq(mm_decode(MM_T_MIGRATION_RESPONSE, e.body.data, e.body.len, NULL, &r, NULL),
                     MM_OK);
    memcpy(seen[i], r.nonce.data, MM_NONCE_LEN);
  }
  qsort(seen, N, MM_NONCE_LEN, cmp_nonce);
  for (size_t i = 1; i < N; i++) ck_assert(memcmp(seen[i - 1], seen[i], MM_NONCE_LEN) != 0);
  ck_assert_uint_eq(mm_store_count(x.store, "target.nonce"), N);
  h_free(&x);
}
END_TEST

/* A generator that repeats itself: AA.., AA.., then BB.. forever. */
typedef struct stuck_rng {
  mm_rng base;
  int calls;
} stuck_rng;

static MM_MUST_USE mm_err stuck_fill(mm_rng *self, uint8_t *out, size_t len) {
  stuck_rng *s = (stuck_rng *)(void *)self;
  memset(out, s->calls++ < 2 ? 0xaa : 0xbb, len);
  return MM_OK;
}

START_TEST(test_nonce_collision_redrawn) {
  h x;
  h_init(&x, 0);
  stuck_rng r = {.base = {.fill = stuck_fill}};
  x.env.rng = &r.base;
  mm_migration_request rq = request(GID, EPOCH);
  resp a, b;
  ck_assert_int_eq(send_request(&x, ALICE, SUITE, &rq, T0), MM_OK);
  take_response(&x, ALICE, &a);
  ck_assert_int_eq(send_request(&x, ALICE, SUITE, &rq, T0), MM_OK); /* AA again: redrawn */
  take_response(&x, ALICE, &b);
  ck_assert(!mm_view_eq(a.r.nonce, b.r.nonce));
  ck_assert_uint_eq(b.r.nonce.data[0], 0xbb);
  /* a generator that only repeats issued nonces gets nothing issued */
  snap before = snapshot(&x);
  mm_err e = send_request(&x, ALICE, SUITE, &rq, T0);
  ck_assert_int_ne(e, MM_OK);
  ck_assert_uint_eq(out_env(&x, 0).msg_type, MM_MSG_MIGRATION_ERROR);
  assert_same_store(&x, &before);
  free(a.body);
  free(b.body);
  h_free(&x);
}
END_TEST

/* ==================== MigrationContent: signatures and domains ==================== */

START_TEST(test_content_good) {
  h x;
  h_init(&x, 0);
  resp rc;
  mm_view body = import_group(&x, &rc); /* asserts HASH-1 and SIG-4 on the answer */
  ck_assert_uint_eq(x.ev.imported, 1);
  free_view(body);
  free(rc.body);
  h_free(&x);
}
END_TEST

static void check_bad_response_sig(mm_mutants mut, bool want_refused) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  mm_migration_response tampered = rc.r;
  uint8_t sig[128];
  memcpy(sig, rc.r.signature.data, rc.r.signature.len);
  sig[0] ^= 1;
  tampered.signature = mm_view_of(sig, rc.r.signature.len);
  resp bad = {NULL, 0, tampered};
  snap before = snapshot(&x);
  mm_err e = send_content(&x, &bad, "payload", honest(&x), T0 + 10);
  if (want_refused)
    assert_refused(&x, e, MM_E_BAD_SIGNATURE, SRC, &before);
  else
    ck_assert_int_eq(e, MM_OK);
  /* a response signed by another DS's key is no better */
  if (want_refused) {
    mm_writer w;
    mm_migration_response forged = rc.r;
    forged.signature = ah_sign(x.third[SUITE], L_RESPONSE, MM_T_MIGRATION_RESPONSE, &forged, &w);
    resp f = {NULL, 0, forged};
    assert_refused(&x, send_content(&x, &f, "payload", honest(&x), T0 + 10), MM_E_BAD_SIGNATURE,
                   SRC, &before);
    mm_writer_free(&w);
  }
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_bad_response_sig) { check_bad_response_sig(0, true); }
END_TEST

START_TEST(test_content_bad_response_sig_mutant) {
  check_bad_response_sig(MUT(MM_MUT_SKIP_RESPONSE_SIG), false);
}
END_TEST

START_TEST(test_content_bad_signatures) {
  h x;
  h_init(&x, 0);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  snap before = snapshot(&x);
  /* right key, wrong label */
  how wrong_label = {x.src[SUITE], L_INIT, SUITE, SRC};
  assert_refused(&x, send_content(&x, &rc, "p", wrong_label, T0), MM_E_BAD_SIGNATURE, SRC, &before);
  /* the source's key of another suite (same signature scheme) */
  how other_suite = {x.src[OTHER_SUITE], L_CONTENT, SUITE, SRC};
  assert_refused(&x, send_content(&x, &rc, "p", other_suite, T0), MM_E_BAD_SIGNATURE, SRC, &before);
  /* a third DS's key, sent by the source */
  how third_key = {x.third[SUITE], L_CONTENT, SUITE, SRC};
  assert_refused(&x, send_content(&x, &rc, "p", third_key, T0), MM_E_BAD_SIGNATURE, SRC, &before);
  /* the target's own key */
  how own_key = {x.tgt[SUITE], L_CONTENT, SUITE, SRC};
  assert_refused(&x, send_content(&x, &rc, "p", own_key, T0), MM_E_BAD_SIGNATURE, SRC, &before);
  /* and the honest one still goes through afterwards */
  ck_assert_int_eq(send_content(&x, &rc, "p", honest(&x), T0), MM_OK);
  free(rc.body);
  h_free(&x);
}
END_TEST

START_TEST(test_content_bad_signature_mutant) {
  h x;
  h_init(&x, MUT(MM_MUT_SKIP_CONTENT_SIG));
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  how third_key = {x.third[SUITE], L_CONTENT, SUITE, SRC};
  ck_assert_int_eq(send_content(&x, &rc, "p", third_key, T0), MM_OK); /* wrongly imported */
  free(rc.body);
  h_free(&x);
}
END_TEST

static void check_third_ds(mm_mutants mut, bool want_refused) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  snap before = snapshot(&x);
  /* a third DS pushing its own content */
  how own = {x.third[SUITE], L_CONTENT, SUITE, THIRD};
  mm_err e = send_content(&x, &rc, "p", own, T0);
  if (want_refused)
    assert_refused(&x, e, MM_E_WRONG_DOMAIN, THIRD, &before);
  else
    ck_assert_int_eq(e, MM_E_BAD_SIGNATURE); /* the signature check still holds */
  /* a third DS relaying the source's genuine content */
  how relayed = {x.src[SUITE], L_CONTENT, SUITE, THIRD};
  e = send_content(&x, &rc, "p", relayed, T0);
  if (want_refused)
    assert_refused(&x, e, MM_E_WRONG_DOMAIN, THIRD, &before);
  else
    ck_assert_int_eq(e, MM_OK); /* wrongly imported from a DS that is not the source */
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_from_third_ds) { check_third_ds(0, true); }
END_TEST

START_TEST(test_content_from_third_ds_mutant) {
  check_third_ds(MUT(MM_MUT_SKIP_DOMAIN_CHECK), false);
}
END_TEST

START_TEST(test_content_suite_mismatch) {
  h x;
  h_init(&x, 0);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc); /* issued under suite 1 */
  /* the same response, re-signed by the target under suite 3, content in suite 3 */
  mm_writer w;
  mm_migration_response r3 = rc.r;
  r3.signature = ah_sign(x.tgt[OTHER_SUITE], L_RESPONSE, MM_T_MIGRATION_RESPONSE, &r3, &w);
  resp rc3 = {NULL, 0, r3};
  snap before = snapshot(&x);
  how in3 = {x.src[OTHER_SUITE], L_CONTENT, OTHER_SUITE, SRC};
  assert_refused(&x, send_content(&x, &rc3, "p", in3, T0), MM_E_UNSUPPORTED_CIPHERSUITE, SRC,
                 &before);
  /* a content in a suite the target has no key for */
  size_t len;
  mm_view st = group_state(&x, GID, SUITE, EPOCH + 1, "p");
  uint8_t *good = content(&rc.r, st, honest(&x), &len);
  mm_view body = body_of(good, len);
  free(good);
  uint8_t *env = ah_raw_envelope(MM_MSG_MIGRATION_CONTENT, NO_KEY_SUITE, SRC, body, &len);
  assert_refused(&x, deliver(&x, env, len, T0), MM_E_UNSUPPORTED_CIPHERSUITE, SRC, &before);
  free_view(body);
  free_view(st);
  mm_writer_free(&w);
  free(rc.body);
  h_free(&x);
}
END_TEST

/* ==================== MigrationContent: nonces ==================== */

START_TEST(test_content_unknown_nonce) {
  h x;
  h_init(&x, 0);
  resp issued;
  issue(&x, ALICE, GID, T0, &issued);
  snap before = snapshot(&x);
  /* a nonce never issued, in a response genuinely signed by the target */
  mm_migration_request rq = request(GID, EPOCH);
  mm_writer w1, w2;
  mm_migration_response never;
  forge_response(&x, &rq, 0x5a, SUITE, &w1, &never);
  resp r1 = {NULL, 0, never};
  assert_refused(&x, send_content(&x, &r1, "p", honest(&x), T0), MM_E_UNKNOWN_NONCE, SRC, &before);
  /* the issued nonce under another request (another epoch), re-signed */
  mm_migration_response other = issued.r;
  other.migration_request.epoch = EPOCH + 5;
  other.signature = ah_sign(x.tgt[SUITE], L_RESPONSE, MM_T_MIGRATION_RESPONSE, &other, &w2);
  resp r2 = {NULL, 0, other};
  assert_refused(&x, send_content(&x, &r2, "p", honest(&x), T0), MM_E_UNKNOWN_NONCE, SRC, &before);
  mm_writer_free(&w1);
  mm_writer_free(&w2);
  free(issued.body);
  h_free(&x);
}
END_TEST

START_TEST(test_content_nonce_other_group) {
  h x;
  h_init(&x, 0);
  resp a, b;
  issue(&x, ALICE, GID, T0, &a);
  issue(&x, ALICE, "group-2", T0, &b);
  /* group-2's nonce inside group-1's request */
  mm_writer w;
  mm_migration_response swapped = a.r;
  swapped.nonce = b.r.nonce;
  swapped.signature = ah_sign(x.tgt[SUITE], L_RESPONSE, MM_T_MIGRATION_RESPONSE, &swapped, &w);
  resp r = {NULL, 0, swapped};
  snap before = snapshot(&x);
  assert_refused(&x, send_content(&x, &r, "p", honest(&x), T0), MM_E_UNKNOWN_NONCE, SRC, &before);
  mm_writer_free(&w);
  free(a.body);
  free(b.body);
  h_free(&x);
}
END_TEST

static void check_reused(mm_mutants mut, mm_err want) {
  h x;
  h_init(&x, mut);
  resp rc;
  mm_view body = import_group(&x, &rc);
  snap before = snapshot(&x);
  /* a different content under the consumed nonce */
  mm_err e = send_content(&x, &rc, "another payload", honest(&x), T0 + 20);
  if (want == MM_E_NONCE_REUSED)
    assert_refused(&x, e, want, SRC, &before);
  else
    ck_assert_int_eq(e, want);
  free_view(body);
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_nonce_reused) { check_reused(0, MM_E_NONCE_REUSED); }
END_TEST

START_TEST(test_content_nonce_reused_mutant) {
  /* the nonce check gone, a later check answers: the verdict changes */
  check_reused(MUT(MM_MUT_ACCEPT_REUSED_NONCE), MM_E_GROUP_EXISTS);
  /* with GROUP-1 gone as well, the replay overwrites the imported group */
  check_reused(MUT(MM_MUT_ACCEPT_REUSED_NONCE) | MUT(MM_MUT_IMPORT_EXISTING_GROUP), MM_OK);
}
END_TEST

static void check_expiry(mm_mutants mut, uint64_t age, mm_err want) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  snap before = snapshot(&x);
  mm_err e = send_content(&x, &rc, "p", honest(&x), T0 + age);
  if (want == MM_OK)
    ck_assert_int_eq(e, MM_OK);
  else
    assert_refused(&x, e, want, SRC, &before);
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_nonce_expired) {
  check_expiry(0, MM_NONCE_LIFETIME_MS, MM_OK);                  /* 300 s: still fine */
  check_expiry(0, MM_NONCE_LIFETIME_MS + 1, MM_E_NONCE_EXPIRED); /* 300 s + 1 ms */
}
END_TEST

START_TEST(test_content_nonce_expired_mutant) {
  check_expiry(MUT(MM_MUT_ACCEPT_EXPIRED_NONCE), MM_NONCE_LIFETIME_MS + 1, MM_OK);
}
END_TEST

/* ==================== retransmission, hash, signature ==================== */

START_TEST(test_content_retransmission) {
  h x;
  h_init(&x, 0);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  mm_view st = group_state(&x, GID, SUITE, EPOCH + 1, "payload");
  size_t len;
  uint8_t *env = content(&rc.r, st, honest(&x), &len);
  mm_view body = body_of(env, len);
  uint8_t *again = malloc(len), *late = malloc(len);
  memcpy(again, env, len);
  memcpy(late, env, len);
  ck_assert_int_eq(deliver(&x, env, len, T0 + 10), MM_OK);
  assert_complete(&x, body, SUITE);
  snap before = snapshot(&x);
  /* byte-identical: the same hash again, nothing written, and nothing
   * verified again (those bytes were; a flood of them costs a hash each) */
  mm_crypto_stats c0, c1;
  mm_crypto_stats_get(&c0);
  ck_assert_int_eq(deliver(&x, again, len, T0 + 20), MM_OK);
  mm_crypto_stats_get(&c1);
  ck_assert_uint_eq(mm_crypto_stats_diff(&c1, &c0).verifies, 0);
  assert_complete(&x, body, SUITE);
  assert_same_store(&x, &before);
  /* even long after the nonce's lifetime (the source retransmits forever) */
  ck_assert_int_eq(deliver(&x, late, len, T0 + 10 * MM_NONCE_LIFETIME_MS), MM_OK);
  assert_complete(&x, body, SUITE);
  ck_assert_uint_eq(x.ev.imported, 1);
  free_view(st);
  free_view(body);
  free(rc.body);
  h_free(&x);
}
END_TEST

/* The imported content again, byte for byte, but from a third DS (a copy it
 * captured): wrong_domain to it and nothing else, the store as it was
 * (DOM-3 holds for retransmissions too); with the DOM-3 mutant the copy is
 * acknowledged to the third DS. */
static void third_ds_replay(mm_mutants mut, mm_err want) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  mm_view st = group_state(&x, GID, SUITE, EPOCH + 1, "payload");
  size_t len, len3;
  uint8_t *env = content(&rc.r, st, honest(&x), &len);
  how copy = {x.src[SUITE], L_CONTENT, SUITE, THIRD};
  uint8_t *env3 = content(&rc.r, st, copy, &len3);
  ck_assert_int_eq(deliver(&x, env, len, T0 + 10), MM_OK);
  snap before = snapshot(&x);
  mm_err e = deliver(&x, env3, len3, T0 + 20);
  if (want == MM_OK) {
    ck_assert_int_eq(e, MM_OK);
    ck_assert_uint_eq(x.out.n, 1);
    ck_assert_str_eq(x.out.v[0].to, THIRD);
    ck_assert_uint_eq(out_env(&x, 0).msg_type, MM_MSG_TARGET_MIGRATION_COMPLETE);
  } else {
    assert_refused(&x, e, want, THIRD, &before);
  }
  ck_assert_uint_eq(x.ev.imported, 1);
  free_view(st);
  free(rc.body);
  h_free(&x);
}

START_TEST(test_content_replay_from_third_ds) { third_ds_replay(0, MM_E_WRONG_DOMAIN); }
END_TEST

START_TEST(test_content_replay_from_third_ds_mutant) {
  third_ds_replay(MUT(MM_MUT_SKIP_DOMAIN_CHECK), MM_OK);
}
END_TEST

START_TEST(test_complete_hash_and_signature) {
  /* in every suite the target holds a key for */
  for (uint16_t s = 1; s <= NSUITES; s++) {
    h x;
    h_init(&x, 0);
    mm_migration_request rq = request(GID, EPOCH);
    ck_assert_int_eq(send_request(&x, ALICE, s, &rq, T0), MM_OK);
    resp rc;
    take_response(&x, ALICE, &rc);
    mm_view st = group_state(&x, GID, s, EPOCH + 1, "payload");
    how w = {x.src[s], L_CONTENT, s, SRC};
    size_t len;
    uint8_t *env = content(&rc.r, st, w, &len);
    mm_view body = body_of(env, len);
    ck_assert_int_eq(deliver(&x, env, len, T0), MM_OK);
    assert_complete(&x, body, s); /* HASH-1, SIG-4 */
    free_view(st);
    free_view(body);
    free(rc.body);
    h_free(&x);
  }
}
END_TEST

START_TEST(test_content_bad_group_state) {
  h x;
  h_init(&x, 0);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  snap before = snapshot(&x);
  const struct {
    const char *gid;
    uint16_t suite;
    uint64_t epoch;
  } bad[] = {
      {GID, SUITE, EPOCH}, /* the old epoch, not the one after the Commit */
      {GID, SUITE, EPOCH + 2},
      {"group-9", SUITE, EPOCH + 1}, /* another group */
      {GID, OTHER_SUITE, EPOCH + 1}, /* another suite */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mm_view st = group_state(&x, bad[i].gid, bad[i].suite, bad[i].epoch, "p");
    size_t len;
    uint8_t *env = content(&rc.r, st, honest(&x), &len);
    assert_refused(&x, deliver(&x, env, len, T0), MM_E_MALFORMED, SRC, &before);
    free_view(st);
  }
  /* not a reference group state at all */
  static const uint8_t junk[] = {0, 9, 9, 9};
  size_t len;
  uint8_t *env = content(&rc.r, mm_view_of(junk, sizeof junk), honest(&x), &len);
  assert_refused(&x, deliver(&x, env, len, T0), MM_E_MALFORMED, SRC, &before);
  free(rc.body);
  h_free(&x);
}
END_TEST

/* ==================== after the import ==================== */

START_TEST(test_imported_state_served) {
  h x;
  h_init(&x, 0);
  /* before the import nothing is served */
  snap before = snapshot(&x);
  assert_refused(&x, send_mls(&x, ALICE, GID, EPOCH + 1, MM_CONTENT_COMMIT), MM_E_UNKNOWN_GROUP,
                 ALICE, &before);
  resp rc;
  mm_view body = import_group(&x, &rc);
  mm_view sent = group_state(&x, GID, SUITE, EPOCH + 1, "payload");
  /* held byte for byte, at the epoch after the migration Commit */
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_int_eq(gi.status, MM_GS_ACTIVE);
  ck_assert_uint_eq(gi.epoch, EPOCH + 1);
  ck_assert_uint_eq(gi.suite, SUITE);
  ck_assert(mm_view_eq(gi.state, sent));
  ck_assert(mm_view_eq_str(gi.peer, SRC));
  ck_assert(mm_view_eq_str(gi.client, ALICE));
  ck_assert_uint_eq(x.ev.imported, 1);
  ck_assert_uint_eq(x.ev.epoch, EPOCH + 1);
  ck_assert(mm_view_eq(mm_view_of(x.ev.detail, x.ev.detail_len), sent));
  ck_assert_str_eq(x.ev.peer, SRC);
  /* one copy of the state in the store */
  ck_assert_uint_eq(mm_store_count(x.store, "target.state"), 1);
  free_view(sent);
  free_view(body);
  free(rc.body);
  h_free(&x);
}
END_TEST

START_TEST(test_hosted_traffic) {
  h x;
  h_init(&x, 0);
  resp rc;
  mm_view body = import_group(&x, &rc);
  snap before = snapshot(&x);
  /* the old epoch belongs to the source */
  assert_refused(&x, send_mls(&x, ALICE, GID, EPOCH, MM_CONTENT_COMMIT), MM_E_STALE_EPOCH, ALICE,
                 &before);
  assert_refused(&x, send_mls(&x, CAROL, GID, EPOCH + 1, MM_CONTENT_COMMIT), MM_E_NOT_MEMBER, CAROL,
                 &before);
  assert_refused(&x, send_mls(&x, ALICE, "nope", EPOCH + 1, MM_CONTENT_COMMIT), MM_E_UNKNOWN_GROUP,
                 ALICE, &before);
  /* an application message is fanned out, the epoch stays */
  ck_assert_int_eq(send_mls(&x, BOB, GID, EPOCH + 1, MM_CONTENT_APPLICATION), MM_OK);
  ck_assert_uint_eq(x.out.n, 2);
  assert_same_store(&x, &before);
  /* a Commit is fanned out to every member, sender included, and moves on */
  size_t len;
  uint8_t *env = mls(ALICE, GID, EPOCH + 1, MM_CONTENT_COMMIT, MM_MSG_MLS_MESSAGE, &len);
  mm_view sent = body_of(env, len);
  ck_assert_int_eq(deliver(&x, env, len, T0), MM_OK);
  ck_assert_uint_eq(x.out.n, 2);
  ck_assert_str_eq(x.out.v[0].to, ALICE);
  ck_assert_str_eq(x.out.v[1].to, BOB);
  for (size_t i = 0; i < 2; i++) {
    mm_envelope e = out_env(&x, i);
    ck_assert_uint_eq(e.msg_type, MM_MSG_MLS_MESSAGE);
    ck_assert(mm_view_eq(e.body, sent));
  }
  ck_assert_uint_eq(x.ev.commits, 1);
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_uint_eq(gi.epoch, EPOCH + 2);
  /* the epoch it committed is now stale; msg_type 8 is served alike */
  before = snapshot(&x);
  assert_refused(&x, send_mls(&x, BOB, GID, EPOCH + 1, MM_CONTENT_COMMIT), MM_E_STALE_EPOCH, BOB,
                 &before);
  env = mls(BOB, GID, EPOCH + 2, MM_CONTENT_COMMIT, MM_MSG_MIGRATION_COMMIT, &len);
  ck_assert_int_eq(deliver(&x, env, len, T0), MM_OK);
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_uint_eq(gi.epoch, EPOCH + 3);
  free_view(sent);
  free_view(body);
  free(rc.body);
  h_free(&x);
}
END_TEST

/* ==================== durability ==================== */

static void check_restart_keeps_nonce(mm_mutants mut, mm_err want) {
  h x;
  h_init(&x, mut);
  resp rc;
  issue(&x, ALICE, GID, T0, &rc);
  h_restart(&x);
  mm_err e = send_content(&x, &rc, "payload", honest(&x), T0 + 10);
  ck_assert_int_eq(e, want);
  free(rc.body);
  h_free(&x);
}

START_TEST(test_restart_keeps_issued_nonce) { check_restart_keeps_nonce(0, MM_OK); }
END_TEST

START_TEST(test_restart_keeps_issued_nonce_mutant) {
  /* the in-flight migration is lost: the import is refused */
  check_restart_keeps_nonce(MUT(MM_MUT_FORGET_ON_CRASH), MM_E_UNKNOWN_NONCE);
}
END_TEST

static void check_restart_after_import(mm_mutants mut, bool durable) {
  h x;
  h_init(&x, mut);
  resp rc;
  mm_view body = import_group(&x, &rc);
  h_restart(&x);
  /* the group, its state and its epoch survived */
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_uint_eq(gi.epoch, EPOCH + 1);
  mm_migration_request rq = request(GID, EPOCH);
  snap before = snapshot(&x);
  assert_refused(&x, send_request(&x, ALICE, SUITE, &rq, T0), MM_E_GROUP_EXISTS, ALICE, &before);
  /* the consumed nonce survived: a retransmission is acknowledged ... */
  size_t len;
  uint8_t *env = ah_wrap(MM_MSG_MIGRATION_CONTENT, SUITE, SRC, body, &len);
  mm_err e = deliver(&x, env, len, T0 + 30);
  if (durable) {
    ck_assert_int_eq(e, MM_OK);
    assert_complete(&x, body, SUITE);
    /* ... and another content under it is a replay */
    assert_refused(&x, send_content(&x, &rc, "other", honest(&x), T0 + 40), MM_E_NONCE_REUSED, SRC,
                   &before);
  } else {
    ck_assert_int_eq(e, MM_E_UNKNOWN_NONCE); /* the source would retransmit forever */
  }
  /* traffic is served at the imported epoch */
  ck_assert_int_eq(send_mls(&x, BOB, GID, EPOCH + 1, MM_CONTENT_COMMIT), MM_OK);
  free_view(body);
  free(rc.body);
  h_free(&x);
}

START_TEST(test_restart_after_import) { check_restart_after_import(0, true); }
END_TEST

START_TEST(test_restart_after_import_mutant) {
  check_restart_after_import(MUT(MM_MUT_FORGET_ON_CRASH), false);
}
END_TEST

START_TEST(test_restart_keeps_local_groups) {
  h x;
  h_init(&x, 0);
  add_local_group(&x, GID);
  h_restart(&x);
  mm_migration_request rq = request(GID, EPOCH);
  snap before = snapshot(&x);
  assert_refused(&x, send_request(&x, ALICE, SUITE, &rq, T0), MM_E_GROUP_EXISTS, ALICE, &before);
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_uint_eq(gi.epoch, 3);
  ck_assert_int_eq(send_mls(&x, BOB, GID, 3, MM_CONTENT_COMMIT), MM_OK);
  h_restart(&x);
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert_uint_eq(gi.epoch, 4);
  h_free(&x);
}
END_TEST

/* ==================== intake ==================== */

START_TEST(test_malformed_input) {
  h x;
  h_init(&x, 0);
  snap before = snapshot(&x);
  /* an envelope that does not decode: dropped, nobody to answer */
  static const uint8_t garbage[] = {1, 0, 1, 0xff};
  uint8_t *g = malloc(sizeof garbage);
  memcpy(g, garbage, sizeof garbage);
  ck_assert_int_eq(deliver(&x, g, sizeof garbage, T0), MM_E_MALFORMED);
  ck_assert_uint_eq(x.out.n, 0);
  /* a good frame around a body that does not decode: answered */
  static const uint8_t bad_body[] = {0x03, 'a', 'b', 'c'};
  size_t len;
  uint8_t *env = ah_raw_envelope(MM_MSG_MIGRATION_REQUEST, SUITE, ALICE,
                                 mm_view_of(bad_body, sizeof bad_body), &len);
  assert_refused(&x, deliver(&x, env, len, T0), MM_E_MALFORMED, ALICE, &before);
  h_free(&x);
}
END_TEST

/* ==================== an envelope handed over ==================== */

/* Every MigrationContent and hosted-traffic test again, with deliver()
 * handing each envelope over (mm_target_handle_owned) and checking that
 * call's promises: the same verdicts, answers and stores. */
START_TEST(test_owned_envelope) {
  const TTest *again[] = {test_content_good,
                          test_content_group_exists,
                          test_content_group_exists_mutant,
                          test_content_policy_changed,
                          test_content_policy_changed_mutant,
                          test_content_bad_response_sig,
                          test_content_bad_response_sig_mutant,
                          test_content_bad_signatures,
                          test_content_bad_signature_mutant,
                          test_content_from_third_ds,
                          test_content_from_third_ds_mutant,
                          test_content_suite_mismatch,
                          test_content_unknown_nonce,
                          test_content_nonce_other_group,
                          test_content_nonce_reused,
                          test_content_nonce_reused_mutant,
                          test_content_nonce_expired,
                          test_content_nonce_expired_mutant,
                          test_content_retransmission,
                          test_complete_hash_and_signature,
                          test_content_bad_group_state,
                          test_imported_state_served,
                          test_hosted_traffic,
                          test_malformed_input,
                          test_restart_after_import,
                          test_restart_after_import_mutant,
                          test_restart_keeps_local_groups};
  g_owned = true;
  for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) again[i]->fn(0);
  g_owned = false;
}
END_TEST

/* One import of a 1 MiB state, lent or handed over; the largest
 * allocation the target made and what it answered. P-256: ECDSA verifies
 * in place (pure EdDSA joins its message: a copy of its own). */
static size_t import_large(bool owned, mm_writer *answer, size_t *stored) {
  enum { P256 = 2, PAYLOAD = 1 << 20 };
  h x;
  h_init(&x, 0);
  x.env.obs = NULL; /* on_event keeps a copy of the state */
  mm_migration_request rq = request(GID, EPOCH);
  ck_assert_int_eq(send_request(&x, ALICE, P256, &rq, T0), MM_OK);
  resp rc;
  take_response(&x, ALICE, &rc);
  char *payload = malloc(PAYLOAD + 1);
  ck_assert_ptr_nonnull(payload);
  memset(payload, 'p', PAYLOAD);
  payload[PAYLOAD] = '\0';
  mm_view st = group_state(&x, GID, P256, EPOCH + 1, payload);
  how w = {x.src[P256], L_CONTENT, P256, SRC};
  size_t len;
  uint8_t *env = content(&rc.r, st, w, &len);
  mm_outbox_clear(&x.out);
  mm_alloc_count_start();
  mm_err e = owned ? mm_target_handle_owned(x.t, &env, len, T0, &x.out)
                   : mm_target_handle(x.t, env, len, T0, &x.out);
  mm_alloc_count_stop();
  size_t largest = mm_alloc_count_largest();
  ck_assert_int_eq(e, MM_OK);
  ck_assert(owned ? env == NULL : env != NULL);
  free(env);
  ck_assert_uint_eq(x.out.n, 1);
  mm_writer_init(answer);
  mm_put_bytes(answer, x.out.v[0].env, x.out.v[0].len);
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mm_view_str(GID), &gi));
  ck_assert(mm_view_eq(gi.state, st));
  *stored = mm_store_bytes(x.store);
  free_view(st);
  free(payload);
  free(rc.body);
  h_free(&x);
  return largest;
}

START_TEST(test_owned_envelope_not_copied) {
  mm_writer lent_answer, owned_answer;
  size_t lent_bytes, owned_bytes;
  size_t lent = import_large(false, &lent_answer, &lent_bytes);
  size_t owned = import_large(true, &owned_answer, &owned_bytes);
  ck_assert_uint_ge(lent, 1u << 20);   /* the state, copied into the store */
  ck_assert_uint_lt(owned, 64u << 10); /* kept where it arrived */
  ck_assert(mm_view_eq(mm_writer_view(&lent_answer), mm_writer_view(&owned_answer)));
  ck_assert_uint_eq(lent_bytes, owned_bytes);
  mm_writer_free(&lent_answer);
  mm_writer_free(&owned_answer);
}
END_TEST

Suite *suite_target(void) {
  Suite *s = suite_create("target");
  TCase *tc = tcase_create("request");
  MM_ADD_TEST(tc, test_request_good, "SIG-1 KEY-1 NONCE-2");
  MM_ADD_TEST(tc, test_request_wrong_domain, "DOM-1");
  MM_ADD_TEST(tc, test_request_wrong_domain_mutant, "DOM-1");
  MM_ADD_TEST(tc, test_request_group_exists, "GROUP-1");
  MM_ADD_TEST(tc, test_request_unauthorized, "AUTHZ-3");
  MM_ADD_TEST(tc, test_request_unauthorized_mutant, "AUTHZ-3");
  MM_ADD_TEST(tc, test_policy_default_and_strict, "AUTHZ-5");
  MM_ADD_TEST(tc, test_request_unsupported_suite, "SUITE-2");
  MM_ADD_TEST(tc, test_nonces_distinct, "NONCE-1");
  MM_ADD_TEST(tc, test_nonce_collision_redrawn, "NONCE-1");
  suite_add_tcase(s, tc);

  tc = tcase_create("content");
  MM_ADD_TEST(tc, test_content_good, "HASH-1 SIG-3 SIG-4 LIFE-6");
  MM_ADD_TEST(tc, test_content_group_exists, "GROUP-1");
  MM_ADD_TEST(tc, test_content_group_exists_mutant, "GROUP-1");
  MM_ADD_TEST(tc, test_content_policy_changed, "AUTHZ-4");
  MM_ADD_TEST(tc, test_content_policy_changed_mutant, "AUTHZ-4");
  MM_ADD_TEST(tc, test_content_bad_response_sig, "SIG-1");
  MM_ADD_TEST(tc, test_content_bad_response_sig_mutant, "SIG-1");
  MM_ADD_TEST(tc, test_content_bad_signatures, "SIG-3 SUITE-1 KEY-1");
  MM_ADD_TEST(tc, test_content_bad_signature_mutant, "SIG-3");
  MM_ADD_TEST(tc, test_content_from_third_ds, "DOM-3");
  MM_ADD_TEST(tc, test_content_from_third_ds_mutant, "DOM-3");
  MM_ADD_TEST(tc, test_content_suite_mismatch, "SUITE-2");
  MM_ADD_TEST(tc, test_content_unknown_nonce, "NONCE-2");
  MM_ADD_TEST(tc, test_content_nonce_other_group, "NONCE-2");
  MM_ADD_TEST(tc, test_content_nonce_reused, "NONCE-2 LIFE-5");
  MM_ADD_TEST(tc, test_content_nonce_reused_mutant, "NONCE-2");
  MM_ADD_TEST(tc, test_content_nonce_expired, "NONCE-2");
  MM_ADD_TEST(tc, test_content_nonce_expired_mutant, "NONCE-2");
  MM_ADD_TEST(tc, test_content_retransmission, "LIFE-5 HASH-1 SIG-4");
  MM_ADD_TEST(tc, test_content_replay_from_third_ds, "DOM-3 LIFE-5");
  MM_ADD_TEST(tc, test_content_replay_from_third_ds_mutant, "DOM-3");
  MM_ADD_TEST(tc, test_complete_hash_and_signature, "HASH-1 SIG-4 SUITE-1");
  MM_ADD_TEST(tc, test_content_bad_group_state, "LIFE-6");
  suite_add_tcase(s, tc);

  tc = tcase_create("hosted");
  MM_ADD_TEST(tc, test_imported_state_served, "LIFE-6 INV-2");
  MM_ADD_TEST(tc, test_hosted_traffic, "LIFE-6");
  MM_ADD_TEST(tc, test_malformed_input, "ENC-2");
  suite_add_tcase(s, tc);

  tc = tcase_create("durability");
  MM_ADD_TEST(tc, test_restart_keeps_issued_nonce, "DUR-1");
  MM_ADD_TEST(tc, test_restart_keeps_issued_nonce_mutant, "DUR-1");
  MM_ADD_TEST(tc, test_restart_after_import, "DUR-1 LIFE-5");
  MM_ADD_TEST(tc, test_restart_after_import_mutant, "DUR-1");
  MM_ADD_TEST(tc, test_restart_keeps_local_groups, "DUR-1 GROUP-1");
  suite_add_tcase(s, tc);

  tc = tcase_create("owned envelope");
  MM_ADD_TEST(tc, test_owned_envelope, "HASH-1 SIG-3 SIG-4 LIFE-5 LIFE-6 NONCE-2 DUR-1");
  MM_ADD_TEST(tc, test_owned_envelope_not_copied, "LIFE-6");
  suite_add_tcase(s, tc);
  return s;
}

/* Tests of the reference client (sim/client/).
 *
 * The harness plays the target and the source: it holds their private keys
 * and crafts MigrationResponses, MigrationConfirmations, MigrationErrors and
 * fanned-out MLSMessages with the codec and crypto directly. The client must
 * accept exactly the good ones (SIG-1, SIG-5, NONCE-4, DOM-4), frame its
 * migration Commit as EPOCH-2 says, retransmit byte for byte, and follow the
 * group when it moves. */
#include <stdlib.h>
#include <string.h>

#include "actor_harness.h"
#include "mlsmig/client.h"
#include "testlib.h"

#define TGT "target.example"
#define SRC "source.example"
#define THIRD "third.example"
#define ALICE "alice@source.example"
#define GID "group-1"
#define SUITE 1
#define T0 5000u
#define EPOCH 7u
#define LEAF 5u

#define L_RESPONSE "MigrationResponseTBS"
#define L_INIT "MigrationInitTBS"
#define L_CONFIRMATION "MigrationConfirmationTBS"

/* ==================== harness ==================== */

typedef struct events {
  size_t moved, failed;
  uint64_t epoch; /* of the last event: new epoch, or the failure code */
  char peer[MM_SENDER_MAX + 1];
} events;

typedef struct h {
  mm_rng key_rng, rng;
  mm_keydir *kd;
  mm_key *tgt, *src, *third, *leaf;
  mm_env env;
  mm_observer obs;
  events ev;
  mm_client_config cfg;
  mm_client *c;
  mm_outbox out;
} h;

static void on_event(void *ctx, const mm_event *e) {
  events *ev = ctx;
  if (e->kind == MM_EV_CLIENT_MOVED)
    ev->moved++;
  else if (e->kind == MM_EV_CLIENT_FAILED)
    ev->failed++;
  else
    return;
  ev->epoch = e->epoch;
  ck_assert_uint_lt(e->peer.len, sizeof ev->peer);
  memcpy(ev->peer, e->peer.data, e->peer.len);
  ev->peer[e->peer.len] = '\0';
}

static mm_key *gen_key(h *x) { return ah_gen_key(&x->key_rng, SUITE); }

static void publish(h *x, const char *domain, const mm_key *k) { ah_publish(x->kd, domain, k); }

static void h_init_seeded(h *x, uint16_t wire_format, uint64_t seed) {
  memset(x, 0, sizeof *x);
  mm_rng_init_seeded(&x->key_rng, 9, "test_client keys");
  mm_rng_init_seeded(&x->rng, seed, "test_client actor");
  x->kd = mm_keydir_new();
  x->tgt = gen_key(x), x->src = gen_key(x), x->third = gen_key(x), x->leaf = gen_key(x);
  publish(x, TGT, x->tgt);
  publish(x, SRC, x->src);
  publish(x, THIRD, x->third);
  x->obs = (mm_observer){on_event, &x->ev};
  x->env = (mm_env){.rng = &x->rng, .keys = x->kd, .obs = &x->obs};
  x->cfg = (mm_client_config){.identity = ALICE,
                              .leaf_key = x->leaf,
                              .suite = SUITE,
                              .group_id = mm_view_str(GID),
                              .epoch = EPOCH,
                              .leaf_index = LEAF,
                              .ds = SRC,
                              .commit_wire_format = wire_format};
  mm_outbox_init(&x->out);
  ck_assert_int_eq(mm_client_new(&x->cfg, &x->env, &x->c), MM_OK);
}

static void h_init(h *x, uint16_t wire_format) { h_init_seeded(x, wire_format, 1); }

static void h_free(h *x) {
  mm_client_free(x->c);
  mm_outbox_free(&x->out);
  mm_keydir_free(x->kd);
  mm_key_free(x->tgt);
  mm_key_free(x->src);
  mm_key_free(x->third);
  mm_key_free(x->leaf);
}

/* ==================== crafting messages ==================== */

static MM_MUST_USE mm_err deliver(h *x, uint8_t *env, size_t len, uint64_t now) {
  mm_outbox_clear(&x->out);
  mm_err e = mm_client_handle(x->c, env, len, now, &x->out);
  free(env);
  return e;
}

static MM_MUST_USE mm_err deliver_msg(h *x, uint8_t type, const char *sender, mm_type t,
                                      const void *msg, uint64_t now) {
  size_t len;
  uint8_t *env = ah_envelope(type, SUITE, sender, t, msg, &len);
  return deliver(x, env, len, now);
}

static mm_envelope out_env(const h *x, size_t i) {
  mm_envelope e = ah_out_env(&x->out, i);
  ck_assert(mm_view_eq_str(e.sender, ALICE));
  ck_assert_uint_eq(e.cipher_suite, SUITE);
  return e;
}

static mm_migration_request the_request(void) {
  return (mm_migration_request){mm_view_str(SRC), mm_view_str(TGT), mm_view_str(GID), EPOCH};
}

static const uint8_t NONCE[MM_NONCE_LEN] = {0x11, 0x22, 0x33};

/* A response to rq with NONCE, signed by k with label. */
static MM_MUST_USE mm_err respond(h *x, const mm_migration_request *rq, const mm_key *k,
                                  const char *label, const char *sender) {
  mm_migration_response r = {*rq, mm_view_of(NONCE, MM_NONCE_LEN), {0}};
  mm_writer sig;
  r.signature = ah_sign(k, label, MM_T_MIGRATION_RESPONSE, &r, &sig);
  mm_err e = deliver_msg(x, MM_MSG_MIGRATION_RESPONSE, sender, MM_T_MIGRATION_RESPONSE, &r, T0);
  mm_writer_free(&sig);
  return e;
}

static void start(h *x) { ck_assert_int_eq(mm_client_migrate(x->c, TGT, T0, &x->out), MM_OK); }

/* Migration started and the good response accepted: Init and Commit out. */
static void start_and_respond(h *x) {
  start(x);
  mm_migration_request rq = the_request();
  ck_assert_int_eq(respond(x, &rq, x->tgt, L_RESPONSE, TGT), MM_OK);
  ck_assert_uint_eq(x->out.n, 2);
}

typedef struct confirm {
  const char *domain;
  const uint8_t *nonce;
  const char *gid;
  const mm_key *signer;
  const char *label;
  const char *sender;
} confirm;

static confirm good_confirm(const h *x) {
  return (confirm){TGT, NONCE, GID, x->src, L_CONFIRMATION, SRC};
}

static MM_MUST_USE mm_err send_confirm(h *x, confirm c) {
  mm_migration_confirmation mc = {
      mm_view_str(c.domain), mm_view_of(c.nonce, MM_NONCE_LEN), mm_view_str(c.gid), {0}};
  mm_writer sig;
  mc.signature = ah_sign(c.signer, c.label, MM_T_MIGRATION_CONFIRMATION, &mc, &sig);
  mm_err e = deliver_msg(x, MM_MSG_MIGRATION_CONFIRMATION, c.sender, MM_T_MIGRATION_CONFIRMATION,
                         &mc, T0 + 100);
  mm_writer_free(&sig);
  return e;
}

/* A fanned-out Commit (PrivateMessage) with the given authenticated_data. */
static MM_MUST_USE mm_err fanout(h *x, const char *from, const char *gid, uint64_t epoch,
                                 uint8_t ctype, mm_view aad) {
  static const uint8_t junk[16] = {7};
  mm_mls_message m = {.version = MM_MLS10,
                      .wire_format = MM_WIRE_PRIVATE,
                      .group_id = mm_view_str(gid),
                      .epoch = epoch,
                      .content_type = ctype,
                      .authenticated_data = aad,
                      .encrypted_sender_data = mm_view_of(junk, 4),
                      .ciphertext = mm_view_of(junk, 16)};
  return deliver_msg(x, MM_MSG_MLS_MESSAGE, from, MM_T_MLS_MESSAGE, &m, T0 + 50);
}

/* Encoded MigrationCommitAAD{target} in w. */
static mm_view commit_aad(const char *target, mm_writer *w) {
  mm_migration_commit_aad aad = {mm_view_str(target)};
  mm_writer_init(w);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_COMMIT_AAD, &aad, NULL, w, NULL), MM_OK);
  return mm_writer_view(w);
}

static MM_MUST_USE mm_err send_error(h *x, const char *from, mm_err code) {
  mm_migration_error me = {(uint16_t)code, mm_view_str("no")};
  return deliver_msg(x, MM_MSG_MIGRATION_ERROR, from, MM_T_MIGRATION_ERROR, &me, T0 + 10);
}

static void assert_phase(const h *x, mm_client_phase p) {
  ck_assert_int_eq(mm_client_get_status(x->c).phase, p);
}

/* ==================== request and response ==================== */

START_TEST(test_client_sends_request) {
  h x;
  h_init(&x, 0);
  start(&x);
  assert_phase(&x, MM_CP_REQUESTED);
  ck_assert_uint_eq(x.out.n, 1);
  ck_assert_str_eq(x.out.v[0].to, TGT);
  mm_envelope e = out_env(&x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_REQUEST);
  mm_migration_request rq;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_REQUEST, e.body.data, e.body.len, NULL, &rq, NULL),
                   MM_OK);
  ck_assert(mm_view_eq_str(rq.source_domain_name, SRC));
  ck_assert(mm_view_eq_str(rq.target_domain_name, TGT));
  ck_assert(mm_view_eq_str(rq.group_id, GID));
  ck_assert_uint_eq(rq.epoch, EPOCH);
  /* one migration at a time */
  ck_assert_int_eq(mm_client_migrate(x.c, TGT, T0, &x.out), MM_E_BUSY);
  h_free(&x);
}
END_TEST

START_TEST(test_client_response_checks) {
  h x;
  h_init(&x, 0);
  start(&x);
  mm_migration_request rq = the_request();
  /* signed by the source, not the target */
  ck_assert_int_eq(respond(&x, &rq, x.src, L_RESPONSE, TGT), MM_E_BAD_SIGNATURE);
  /* the target's key, another label */
  ck_assert_int_eq(respond(&x, &rq, x.tgt, L_INIT, TGT), MM_E_BAD_SIGNATURE);
  /* from a third DS, with its own key */
  ck_assert_int_eq(respond(&x, &rq, x.third, L_RESPONSE, THIRD), MM_E_WRONG_DOMAIN);
  /* validly signed, but for another request */
  mm_migration_request other = rq;
  other.epoch = EPOCH + 1;
  ck_assert_int_eq(respond(&x, &other, x.tgt, L_RESPONSE, TGT), MM_E_UNKNOWN_NONCE);
  /* every one ignored: nothing sent, still waiting, the failure recorded */
  ck_assert_uint_eq(x.out.n, 0);
  assert_phase(&x, MM_CP_REQUESTED);
  ck_assert_int_eq(mm_client_get_status(x.c).last_error, MM_E_UNKNOWN_NONCE);
  ck_assert_uint_eq(x.ev.failed, 0);
  /* the good one goes through */
  ck_assert_int_eq(respond(&x, &rq, x.tgt, L_RESPONSE, TGT), MM_OK);
  assert_phase(&x, MM_CP_INIT_SENT);
  /* and a duplicate after it changes nothing */
  ck_assert_int_ne(respond(&x, &rq, x.tgt, L_RESPONSE, TGT), MM_OK);
  ck_assert_uint_eq(x.out.n, 0);
  h_free(&x);
}
END_TEST

START_TEST(test_client_init_and_commit) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  /* MigrationInit to the source, signed with the leaf key (SIG-2, KEY-2) */
  ck_assert_str_eq(x.out.v[0].to, SRC);
  mm_envelope e = out_env(&x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_INIT);
  mm_migration_init init;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_INIT, e.body.data, e.body.len, NULL, &init, NULL),
                   MM_OK);
  ck_assert(mm_view_eq(init.migration_response.nonce, mm_view_of(NONCE, MM_NONCE_LEN)));
  mm_limits lim = mm_limits_default(SUITE);
  mm_writer tbs;
  mm_writer_init(&tbs);
  ck_assert_int_eq(mm_encode_tbs(MM_T_MIGRATION_INIT, &init, &lim, &tbs), MM_OK);
  ck_assert_int_eq(mm_verify_with_label(x.leaf, L_INIT, tbs.buf, tbs.len, init.signature.data,
                                        init.signature.len),
                   MM_OK);
  mm_writer_free(&tbs);
  /* the migration Commit: a PrivateMessage for the group at the request's
   * epoch, content type commit, AAD exactly MigrationCommitAAD{target} */
  ck_assert_str_eq(x.out.v[1].to, SRC);
  e = out_env(&x, 1);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_COMMIT);
  mm_mls_message m;
  ck_assert_int_eq(mm_decode(MM_T_MLS_MESSAGE, e.body.data, e.body.len, NULL, &m, NULL), MM_OK);
  ck_assert_uint_eq(m.version, MM_MLS10);
  ck_assert_uint_eq(m.wire_format, MM_WIRE_PRIVATE);
  ck_assert(mm_view_eq_str(m.group_id, GID));
  ck_assert_uint_eq(m.epoch, EPOCH);
  ck_assert_uint_eq(m.content_type, MM_CONTENT_COMMIT);
  ck_assert_uint_eq(m.encrypted_sender_data.len, 16);
  ck_assert_uint_eq(m.ciphertext.len, 64);
  mm_writer aw;
  ck_assert(mm_view_eq(m.authenticated_data, commit_aad(TGT, &aw)));
  mm_writer_free(&aw);
  h_free(&x);
}
END_TEST

START_TEST(test_client_public_commit) {
  h x;
  h_init(&x, MM_WIRE_PUBLIC);
  start_and_respond(&x);
  mm_envelope e = out_env(&x, 1);
  mm_mls_message m;
  ck_assert_int_eq(mm_decode(MM_T_MLS_MESSAGE, e.body.data, e.body.len, NULL, &m, NULL), MM_OK);
  ck_assert_uint_eq(m.wire_format, MM_WIRE_PUBLIC);
  ck_assert_uint_eq(m.sender_type, MM_SENDER_MEMBER);
  ck_assert_uint_eq(m.sender_index, LEAF);
  ck_assert(mm_view_eq_str(m.group_id, GID));
  ck_assert_uint_eq(m.epoch, EPOCH);
  ck_assert_uint_eq(m.content_type, MM_CONTENT_COMMIT);
  ck_assert_uint_gt(m.rest.len, 0);
  mm_writer aw;
  ck_assert(mm_view_eq(m.authenticated_data, commit_aad(TGT, &aw)));
  mm_writer_free(&aw);
  h_free(&x);
}
END_TEST

/* ==================== retransmission ==================== */

/* Copies of the envelopes in the outbox. */
typedef struct sent {
  uint8_t *env[2];
  size_t len[2], n;
} sent;

static sent keep_out(const h *x) {
  sent s = {.n = x->out.n};
  ck_assert_uint_le(s.n, 2);
  for (size_t i = 0; i < s.n; i++) {
    s.len[i] = x->out.v[i].len;
    s.env[i] = malloc(s.len[i]);
    memcpy(s.env[i], x->out.v[i].env, s.len[i]);
  }
  return s;
}

static void assert_resent(h *x, const sent *s, uint64_t now) {
  mm_outbox_clear(&x->out);
  ck_assert_int_eq(mm_client_tick(x->c, now, &x->out), MM_OK);
  ck_assert_uint_eq(x->out.n, s->n);
  for (size_t i = 0; i < s->n; i++) {
    ck_assert_uint_eq(x->out.v[i].len, s->len[i]);
    ck_assert(memcmp(x->out.v[i].env, s->env[i], s->len[i]) == 0);
  }
}

static void free_sent(sent *s) {
  for (size_t i = 0; i < s->n; i++) free(s->env[i]);
}

START_TEST(test_client_retransmits_request) {
  h x;
  h_init(&x, 0);
  start(&x);
  sent req = keep_out(&x);
  ck_assert_uint_eq(mm_client_next_timer(x.c), T0 + 1000);
  mm_outbox_clear(&x.out);
  ck_assert_int_eq(mm_client_tick(x.c, T0 + 999, &x.out), MM_OK);
  ck_assert_uint_eq(x.out.n, 0);
  /* 1, 2, 4, 8, 16, 16 s apart, byte for byte */
  uint64_t at = T0, gap = 1000;
  for (int i = 0; i < 6; i++) {
    at += gap;
    ck_assert_uint_eq(mm_client_next_timer(x.c), at);
    assert_resent(&x, &req, at);
    gap = gap * 2 > 16000 ? 16000 : gap * 2;
  }
  /* gives up 120 s after it started */
  while (mm_client_next_timer(x.c) < T0 + MM_CLIENT_GIVE_UP_MS) {
    mm_outbox_clear(&x.out);
    ck_assert_int_eq(mm_client_tick(x.c, mm_client_next_timer(x.c), &x.out), MM_OK);
  }
  ck_assert_uint_eq(mm_client_next_timer(x.c), T0 + MM_CLIENT_GIVE_UP_MS);
  mm_outbox_clear(&x.out);
  ck_assert_int_eq(mm_client_tick(x.c, T0 + MM_CLIENT_GIVE_UP_MS, &x.out), MM_OK);
  ck_assert_uint_eq(x.out.n, 0);
  assert_phase(&x, MM_CP_FAILED);
  ck_assert_uint_eq(x.ev.failed, 1);
  ck_assert_str_eq(x.ev.peer, TGT);
  ck_assert_uint_eq(mm_client_next_timer(x.c), MM_NO_TIMER);
  free_sent(&req);
  h_free(&x);
}
END_TEST

START_TEST(test_client_retransmits_init_and_commit) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  sent both = keep_out(&x);
  assert_resent(&x, &both, T0 + 1000);
  assert_resent(&x, &both, T0 + 3000);
  /* a `busy` from the source is no refusal: still retransmitting */
  ck_assert_int_eq(send_error(&x, SRC, MM_E_BUSY), MM_OK);
  assert_phase(&x, MM_CP_INIT_SENT);
  assert_resent(&x, &both, T0 + 7000);
  free_sent(&both);
  h_free(&x);
}
END_TEST

/* ==================== confirmation ==================== */

START_TEST(test_client_confirmation_bad_signature) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  confirm c = good_confirm(&x);
  c.signer = x.tgt; /* the target's key, not the source's */
  ck_assert_int_eq(send_confirm(&x, c), MM_E_BAD_SIGNATURE);
  c = good_confirm(&x);
  c.label = L_RESPONSE;
  ck_assert_int_eq(send_confirm(&x, c), MM_E_BAD_SIGNATURE);
  c = good_confirm(&x);
  c.signer = x.third;
  c.sender = THIRD;
  ck_assert_int_eq(send_confirm(&x, c), MM_E_WRONG_DOMAIN);
  /* ignored and recorded: still waiting, still at the source */
  assert_phase(&x, MM_CP_INIT_SENT);
  mm_client_status st = mm_client_get_status(x.c);
  ck_assert(mm_view_eq_str(st.ds, SRC));
  ck_assert_uint_eq(st.epoch, EPOCH);
  ck_assert_int_eq(st.last_error, MM_E_WRONG_DOMAIN);
  ck_assert_uint_eq(x.ev.moved, 0);
  h_free(&x);
}
END_TEST

START_TEST(test_client_confirmation_wrong_nonce) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  static const uint8_t other[MM_NONCE_LEN] = {0x99};
  confirm c = good_confirm(&x);
  c.nonce = other;
  ck_assert_int_eq(send_confirm(&x, c), MM_E_UNKNOWN_NONCE);
  assert_phase(&x, MM_CP_INIT_SENT);
  ck_assert_uint_eq(x.ev.moved, 0);
  h_free(&x);
}
END_TEST

START_TEST(test_client_confirmation_wrong_domain_or_group) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  confirm c = good_confirm(&x);
  c.domain = THIRD;
  ck_assert_int_eq(send_confirm(&x, c), MM_E_WRONG_DOMAIN);
  c = good_confirm(&x);
  c.gid = "group-2";
  ck_assert_int_eq(send_confirm(&x, c), MM_E_UNKNOWN_GROUP);
  assert_phase(&x, MM_CP_INIT_SENT);
  ck_assert_uint_eq(x.ev.moved, 0);
  h_free(&x);
}
END_TEST

START_TEST(test_client_confirmed) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  ck_assert_int_eq(send_confirm(&x, good_confirm(&x)), MM_OK);
  assert_phase(&x, MM_CP_DONE);
  mm_client_status st = mm_client_get_status(x.c);
  ck_assert(mm_view_eq_str(st.ds, TGT));
  ck_assert_uint_eq(st.epoch, EPOCH + 1);
  ck_assert_uint_eq(x.ev.moved, 1);
  ck_assert_uint_eq(x.ev.epoch, EPOCH + 1);
  ck_assert_str_eq(x.ev.peer, TGT);
  ck_assert_uint_eq(mm_client_next_timer(x.c), MM_NO_TIMER);
  /* a duplicate confirmation, then the source's late fan-out: no second move */
  ck_assert_int_ne(send_confirm(&x, good_confirm(&x)), MM_OK);
  mm_writer aw;
  ck_assert_int_ne(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_COMMIT, commit_aad(TGT, &aw)), MM_OK);
  mm_writer_free(&aw);
  ck_assert_uint_eq(x.ev.moved, 1);
  /* later traffic goes to the target */
  mm_outbox_clear(&x.out);
  ck_assert_int_eq(mm_client_commit(x.c, T0 + 200, &x.out), MM_OK);
  ck_assert_str_eq(x.out.v[0].to, TGT);
  h_free(&x);
}
END_TEST

/* ==================== fanned-out traffic ==================== */

START_TEST(test_client_follows_migration_commit) {
  /* a member that did not start the migration */
  h x;
  h_init(&x, 0);
  mm_writer aw;
  mm_view aad = commit_aad(TGT, &aw);
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH + 1, MM_CONTENT_COMMIT, aad), MM_E_STALE_EPOCH);
  ck_assert_int_eq(fanout(&x, SRC, "group-2", EPOCH, MM_CONTENT_COMMIT, aad), MM_E_UNKNOWN_GROUP);
  ck_assert_int_eq(fanout(&x, THIRD, GID, EPOCH, MM_CONTENT_COMMIT, aad), MM_E_WRONG_DOMAIN);
  ck_assert_uint_eq(x.ev.moved, 0);
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_COMMIT, aad), MM_OK);
  mm_client_status st = mm_client_get_status(x.c);
  ck_assert(mm_view_eq_str(st.ds, TGT));
  ck_assert_uint_eq(st.epoch, EPOCH + 1);
  ck_assert_uint_eq(x.ev.moved, 1);
  ck_assert_str_eq(x.ev.peer, TGT);
  mm_writer_free(&aw);
  h_free(&x);
}
END_TEST

START_TEST(test_client_initiator_moved_by_fanout) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  mm_writer aw;
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_COMMIT, commit_aad(TGT, &aw)), MM_OK);
  mm_writer_free(&aw);
  assert_phase(&x, MM_CP_DONE);
  ck_assert_uint_eq(x.ev.moved, 1);
  ck_assert_uint_eq(mm_client_next_timer(x.c), MM_NO_TIMER);
  /* the confirmation arriving after it is still checked, and moves nothing */
  confirm bad = good_confirm(&x);
  bad.signer = x.tgt;
  ck_assert_int_eq(send_confirm(&x, bad), MM_E_BAD_SIGNATURE);
  ck_assert_int_eq(send_confirm(&x, good_confirm(&x)), MM_OK);
  ck_assert_uint_eq(x.ev.moved, 1);
  ck_assert_uint_eq(mm_client_get_status(x.c).epoch, EPOCH + 1);
  h_free(&x);
}
END_TEST

START_TEST(test_client_ordinary_commits) {
  h x;
  h_init(&x, 0);
  ck_assert_int_eq(mm_client_commit(x.c, T0, &x.out), MM_OK);
  ck_assert_uint_eq(x.out.n, 1);
  ck_assert_str_eq(x.out.v[0].to, SRC);
  mm_envelope e = out_env(&x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MLS_MESSAGE);
  mm_mls_message m;
  ck_assert_int_eq(mm_decode(MM_T_MLS_MESSAGE, e.body.data, e.body.len, NULL, &m, NULL), MM_OK);
  ck_assert_uint_eq(m.authenticated_data.len, 0);
  ck_assert_uint_eq(m.epoch, EPOCH);
  ck_assert_uint_eq(m.content_type, MM_CONTENT_COMMIT);
  /* the DS fans it (or any member's Commit) out: the epoch moves on */
  mm_view none = mm_view_of(NULL, 0);
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_APPLICATION, none), MM_OK);
  ck_assert_uint_eq(mm_client_get_status(x.c).epoch, EPOCH);
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_COMMIT, none), MM_OK);
  ck_assert_uint_eq(mm_client_get_status(x.c).epoch, EPOCH + 1);
  ck_assert_int_eq(fanout(&x, SRC, GID, EPOCH, MM_CONTENT_COMMIT, none), MM_E_STALE_EPOCH);
  ck_assert_uint_eq(x.ev.moved, 0);
  ck_assert(mm_view_eq_str(mm_client_get_status(x.c).ds, SRC));
  h_free(&x);
}
END_TEST

/* ==================== refusals ==================== */

START_TEST(test_client_refused) {
  h x;
  h_init(&x, 0);
  start(&x);
  /* an error from someone else is recorded, not obeyed */
  ck_assert_int_eq(send_error(&x, THIRD, MM_E_UNAUTHORIZED), MM_OK);
  assert_phase(&x, MM_CP_REQUESTED);
  ck_assert_int_eq(send_error(&x, TGT, MM_E_UNAUTHORIZED), MM_OK);
  assert_phase(&x, MM_CP_FAILED);
  ck_assert_uint_eq(x.ev.failed, 1);
  ck_assert_uint_eq(x.ev.epoch, MM_E_UNAUTHORIZED);
  ck_assert_int_eq(mm_client_get_status(x.c).last_error, MM_E_UNAUTHORIZED);
  ck_assert_uint_eq(mm_client_next_timer(x.c), MM_NO_TIMER);
  h_free(&x);

  h_init(&x, 0);
  start_and_respond(&x);
  ck_assert_int_eq(send_error(&x, SRC, MM_E_STALE_EPOCH), MM_OK);
  assert_phase(&x, MM_CP_FAILED);
  ck_assert_uint_eq(x.ev.epoch, MM_E_STALE_EPOCH);
  ck_assert_str_eq(x.ev.peer, SRC);
  h_free(&x);
}
END_TEST

/* AMD-10: the source's migration_refused (the target refused for good) ends the migration; the
 * client stops retransmitting its MigrationInit. */
START_TEST(test_client_migration_refused) {
  h x;
  h_init(&x, 0);
  start_and_respond(&x);
  assert_phase(&x, MM_CP_INIT_SENT);
  ck_assert_int_eq(send_error(&x, SRC, MM_E_MIGRATION_REFUSED), MM_OK);
  assert_phase(&x, MM_CP_FAILED);
  ck_assert_uint_eq(x.ev.failed, 1);
  ck_assert_uint_eq(x.ev.epoch, MM_E_MIGRATION_REFUSED);
  ck_assert_int_eq(mm_client_get_status(x.c).last_error, MM_E_MIGRATION_REFUSED);
  ck_assert_uint_eq(mm_client_next_timer(x.c), MM_NO_TIMER);
  h_free(&x);
}
END_TEST

START_TEST(test_client_deterministic) {
  h a, b, c;
  h_init_seeded(&a, 0, 1);
  h_init_seeded(&b, 0, 1);
  h_init_seeded(&c, 0, 2);
  start_and_respond(&a);
  start_and_respond(&b);
  start_and_respond(&c);
  for (size_t i = 0; i < 2; i++) {
    ck_assert_uint_eq(a.out.v[i].len, b.out.v[i].len);
    ck_assert(memcmp(a.out.v[i].env, b.out.v[i].env, a.out.v[i].len) == 0);
  }
  /* another seed: other random Commit content */
  ck_assert(a.out.v[1].len != c.out.v[1].len ||
            memcmp(a.out.v[1].env, c.out.v[1].env, a.out.v[1].len) != 0);
  h_free(&a);
  h_free(&b);
  h_free(&c);
}
END_TEST

START_TEST(test_client_malformed_input) {
  h x;
  h_init(&x, 0);
  static const uint8_t garbage[] = {2, 0, 1, 0xc0};
  uint8_t *g = malloc(sizeof garbage);
  memcpy(g, garbage, sizeof garbage);
  ck_assert_int_eq(deliver(&x, g, sizeof garbage, T0), MM_E_MALFORMED);
  ck_assert_uint_eq(x.out.n, 0);
  h_free(&x);
}
END_TEST

Suite *suite_client(void) {
  Suite *s = suite_create("client");
  TCase *tc = tcase_create("migration");
  MM_ADD_TEST(tc, test_client_sends_request, "-");
  MM_ADD_TEST(tc, test_client_response_checks, "SIG-1");
  MM_ADD_TEST(tc, test_client_migration_refused, "AMD-10");
  MM_ADD_TEST(tc, test_client_init_and_commit, "EPOCH-2 SIG-2 KEY-2");
  MM_ADD_TEST(tc, test_client_public_commit, "EPOCH-2");
  MM_ADD_TEST(tc, test_client_retransmits_request, "-");
  MM_ADD_TEST(tc, test_client_retransmits_init_and_commit, "NONCE-3");
  MM_ADD_TEST(tc, test_client_confirmation_bad_signature, "SIG-5");
  MM_ADD_TEST(tc, test_client_confirmation_wrong_nonce, "NONCE-4");
  MM_ADD_TEST(tc, test_client_confirmation_wrong_domain_or_group, "DOM-4");
  MM_ADD_TEST(tc, test_client_confirmed, "SIG-5 NONCE-4 DOM-4 INV-4");
  suite_add_tcase(s, tc);

  tc = tcase_create("traffic");
  MM_ADD_TEST(tc, test_client_follows_migration_commit, "INV-4");
  MM_ADD_TEST(tc, test_client_initiator_moved_by_fanout, "INV-4 SIG-5");
  MM_ADD_TEST(tc, test_client_ordinary_commits, "-");
  MM_ADD_TEST(tc, test_client_refused, "AUTHZ-3");
  MM_ADD_TEST(tc, test_client_deterministic, "-");
  MM_ADD_TEST(tc, test_client_malformed_input, "ENC-1");
  suite_add_tcase(s, tc);
  return s;
}

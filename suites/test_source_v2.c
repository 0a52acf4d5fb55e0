/* The reference source DS in profile v2 (issue 17, increment 2): the group
 * held as its MigrationGroupState (MLS-1), CommitBundles checked and their
 * new state durable before the fan-out (MLS-4), members from the tree
 * (MLS-3), application messages (MLS-5) and GroupInfo requests (MLS-6).
 * The members' messages are built with mls_build (genuine trees, leaf and
 * GroupInfo signatures), never with DS code; each refusal is checked by its
 * code, the MigrationError sent, and the state left as it was. */
#include <stdlib.h>
#include <string.h>

#include "actor_harness.h"
#include "codec/tbs.h"
#include "mls_fixture.h"
#include "mlsmig/ds.h"
#include "testlib.h"

#define SRC "source.example"
#define TGT "target.example"
#define T0 5000u

typedef struct h2 {
  mf_group g;
  mm_mls_state *cur; /* the state the members hold */
  mm_key *ds_key, *tgt_key;
  mm_keydir *kd;
  mm_store *store;
  mm_rng rng;
  mm_env env;
  mm_ds_config cfg;
  mm_source *src;
  mm_outbox out;
  const char *deny[2];
} h2;

static void start(h2 *h) { ck_assert_int_eq(mm_source_new(&h->cfg, &h->env, &h->src), MM_OK); }

/* A group of 3 (m0..m2@example.com) at epoch 2 in suite, hosted by a v2 source. */
static void h2_init(h2 *h, uint16_t suite) {
  memset(h, 0, sizeof *h);
  mf_group_init(&h->g, suite, 3, 2, 900 + suite);
  mm_mls_expect exp = mf_expect(&h->g, 2);
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(h->g.state, h->g.state_len, &exp, &h->cur, &why),
                   MM_OK);
  mm_rng_init_seeded(&h->rng, 31 + suite, "source_v2");
  h->ds_key = ah_gen_key(&h->rng, suite);
  h->kd = mm_keydir_new();
  ah_publish(h->kd, SRC, h->ds_key);
  h->tgt_key = ah_gen_key(&h->rng, suite);
  ah_publish(h->kd, TGT, h->tgt_key);
  h->store = mm_store_new();
  h->env = (mm_env){.rng = &h->rng, .keys = h->kd, .store = h->store};
  h->cfg = (mm_ds_config){.domain = SRC, .profile = MM_PROFILE_V2};
  h->cfg.sign_keys[suite] = h->ds_key;
  h->deny[0] = "m2@example.com";
  h->cfg.policy.deny = h->deny;
  mm_outbox_init(&h->out);
  start(h);
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_state_encode(h->cur, mm_view_str("payload"), &w), MM_OK);
  ck_assert_int_eq(mm_source_add_mls_group(h->src, suite, w.buf, w.len), MM_OK);
  ck_assert_int_eq(mm_source_add_mls_group(h->src, suite, w.buf, w.len), MM_E_GROUP_EXISTS);
  mm_writer_free(&w);
}

static void h2_free(h2 *h) {
  mm_source_free(h->src);
  mm_outbox_free(&h->out);
  mm_store_free(h->store);
  mm_keydir_free(h->kd);
  mm_key_free(h->ds_key);
  mm_key_free(h->tgt_key);
  mm_mls_state_free(h->cur);
  mf_group_free(&h->g);
}

static uint16_t suite_of(const h2 *h) { return h->g.suite; }

/* Delivers a v2 envelope; returns what handle returned. */
static mm_err deliver(h2 *h, uint8_t type, const char *sender, mm_view body) {
  size_t len;
  uint8_t *env = ah_raw_envelope(type, suite_of(h), sender, body, &len);
  mm_outbox_clear(&h->out);
  mm_err e = mm_source_handle(h->src, env, len, T0, &h->out);
  free(env);
  return e;
}

/* The i-th output, decoded as a v2 envelope. */
static mm_envelope out_env(const h2 *h, size_t i) {
  ck_assert_uint_lt(i, h->out.n);
  mm_envelope env;
  mm_limits lim = mm_limits_default(0);
  ck_assert_int_eq(
      mm_envelope_decode_profile(2, h->out.v[i].env, h->out.v[i].len, &lim, &env, NULL), MM_OK);
  return env;
}

/* The refusal sent for the last delivery: exactly one MigrationError of code to sender. */
static void expect_refusal(h2 *h, mm_err got, mm_err code, const char *sender) {
  ck_assert_msg(got == code, "got %s, want %s", mm_err_name(got), mm_err_name(code));
  ck_assert_uint_eq(h->out.n, 1);
  ck_assert_str_eq(h->out.v[0].to, sender);
  mm_envelope env = out_env(h, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_MIGRATION_ERROR);
  mm_migration_error me;
  mm_limits lim = mm_limits_default(0);
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_ERROR, env.body.data, env.body.len, &lim, &me, NULL),
                   MM_OK);
  ck_assert_uint_eq(me.code, code);
}

static uint64_t src_epoch(const h2 *h) {
  mm_group_info gi;
  ck_assert(mm_source_group(h->src, mf_gid(&h->g), &gi));
  return gi.epoch;
}

/* A KeyPackage and an Add proposal for identity id (the proposal's views
 * point into kp, which the caller frees). */
static mm_mls_proposal make_add(h2 *h, const char *id, mm_writer *kp) {
  mm_key *k = ah_gen_key(&h->rng, suite_of(h));
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = mm_view_str(id),
                           .encryption_key = mm_mls_random_hpke_key(suite_of(h), &h->rng, enc),
                           .lifetime = {0, 1000}};
  mm_writer_init(kp);
  ck_assert_int_eq(
      mm_mls_build_key_package(k, mm_mls_random_hpke_key(suite_of(h), &h->rng, init), &spec, kp),
      MM_OK);
  mm_key_free(k);
  mm_mls_proposal p = {.proposal_type = MM_MLS_PROP_ADD};
  mm_limits lim = mm_limits_default(suite_of(h));
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_KEY_PACKAGE, kp->buf, kp->len, &lim, &p.add.key_package, NULL), MM_OK);
  return p;
}

/* A CommitBundle by leaf `by` on the members' current state. */
static void bundle(h2 *h, uint32_t by, const mm_mls_proposal *props, size_t n, bool path,
                   mm_writer *out) {
  mm_mls_commit_spec spec = {.ctx = &mm_mls_state_group_info(h->cur)->group_context,
                             .cur_tree = mm_mls_state_tree(h->cur),
                             .committer = by,
                             .key = h->g.keys[by],
                             .identity = h->g.ids[by],
                             .proposals = props,
                             .n_proposals = n,
                             .path = path};
  mm_writer_init(out);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &h->g.rng, out, NULL), MM_OK);
}

/* A PrivateMessage of content type ct at epoch for the group. */
static void private_msg(h2 *h, uint64_t epoch, uint8_t ct, mm_writer *out) {
  mm_mls_msg m = {.version = MM_MLS10, .wire_format = MM_WIRE_PRIVATE};
  m.private_message = (mm_mls_private_message){.group_id = mf_gid(&h->g),
                                               .epoch = epoch,
                                               .content_type = ct,
                                               .encrypted_sender_data = mm_view_str("esd"),
                                               .ciphertext = mm_view_str("hello, group")};
  mm_writer_init(out);
  mm_limits lim = mm_limits_default(suite_of(h));
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &m, &lim, out, NULL), MM_OK);
}

/* ---- MLS-4, MLS-3: CommitBundles ---- */

START_TEST(test_v2_source_bundle_accepted_fanned_out) {
  h2 h;
  h2_init(&h, (uint16_t)(_i + 1));
  mm_writer kp, b;
  mm_mls_proposal add = make_add(&h, "new@example.org", &kp);
  bundle(&h, 1, &add, 1, _i % 2 == 0, &b);
  mm_err e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&b));
  ck_assert_msg(e == MM_OK, "suite %d: %s", _i + 1, mm_err_name(e));
  /* the commit to the three members of epoch 2, the Welcome to the new one */
  ck_assert_uint_eq(h.out.n, 4);
  mm_mls_commit_bundle cb;
  mm_limits lim = mm_limits_default(suite_of(&h));
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b.buf, b.len, &lim, &cb, NULL), MM_OK);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_str_eq(h.out.v[i].to, h.g.names[i]);
    mm_envelope env = out_env(&h, i);
    ck_assert_uint_eq(env.msg_type, MM_MSG_MLS_MESSAGE);
    ck_assert(mm_view_eq_str(env.sender, SRC));
    mm_mls_msg fanned;
    ck_assert_int_eq(
        mm_mls_decode(MM_MLS_T_MLS_MESSAGE, env.body.data, env.body.len, &lim, &fanned, NULL),
        MM_OK);
    ck_assert_uint_eq(fanned.wire_format, MM_WIRE_PUBLIC);
  }
  ck_assert_str_eq(h.out.v[3].to, "new@example.org");
  ck_assert_uint_eq(out_env(&h, 3).msg_type, MM_MSG_WELCOME);
  ck_assert_uint_eq(src_epoch(&h), 3);
  /* MLS-6: the GroupInfo of the new epoch, and durable (DUR-1): a restarted source serves it */
  mm_source_free(h.src);
  start(&h);
  uint8_t req[1 + MM_GROUP_ID_MAX];
  req[0] = 16;
  memcpy(req + 1, h.g.group_id, 16);
  ck_assert_int_eq(deliver(&h, MM_MSG_GROUP_INFO_REQUEST, "new@example.org", mm_view_of(req, 17)),
                   MM_OK);
  ck_assert_uint_eq(h.out.n, 1);
  ck_assert_str_eq(h.out.v[0].to, "new@example.org");
  mm_envelope env = out_env(&h, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_GROUP_INFO);
  mm_mls_public_group_state pgs;
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_PUBLIC_GROUP_STATE, env.body.data, env.body.len, &lim, &pgs, NULL),
      MM_OK);
  ck_assert_uint_eq(pgs.group_info.group_context.epoch, 3);
  ck_assert(mm_view_eq(pgs.group_info.signature, cb.group_info.signature));
  mm_writer_free(&kp);
  mm_writer_free(&b);
  h2_free(&h);
}
END_TEST

START_TEST(test_v2_source_one_commit_per_epoch) {
  h2 h;
  h2_init(&h, 1);
  mm_writer b1, b2;
  bundle(&h, 1, NULL, 0, true, &b1);
  bundle(&h, 0, NULL, 0, true, &b2); /* another Commit for epoch 2 */
  ck_assert_int_eq(deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&b1)), MM_OK);
  ck_assert_uint_eq(h.out.n, 3);
  /* the second for the same epoch loses (MLS-4), and so does a replay of the first */
  mm_err e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m0@example.com", mm_writer_view(&b2));
  expect_refusal(&h, e, MM_E_STALE_EPOCH, "m0@example.com");
  e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&b1));
  expect_refusal(&h, e, MM_E_STALE_EPOCH, "m1@example.com");
  ck_assert_uint_eq(src_epoch(&h), 3);
  mm_writer_free(&b1);
  mm_writer_free(&b2);
  h2_free(&h);
}
END_TEST

START_TEST(test_v2_source_bundle_sender_checks) {
  h2 h;
  h2_init(&h, 1);
  mm_writer b;
  bundle(&h, 1, NULL, 0, true, &b);
  /* the envelope's sender is a member, but not the committer (MLS-4) */
  mm_err e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m0@example.com", mm_writer_view(&b));
  expect_refusal(&h, e, MM_E_NOT_MEMBER, "m0@example.com");
  /* a non-member (MLS-3) */
  e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "eve@example.net", mm_writer_view(&b));
  expect_refusal(&h, e, MM_E_NOT_MEMBER, "eve@example.net");
  ck_assert_uint_eq(src_epoch(&h), 2);
  /* just inside: the committer itself */
  ck_assert_int_eq(deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&b)), MM_OK);
  mm_writer_free(&b);
  h2_free(&h);
}
END_TEST

/* The bundle b with its GroupInfo signature's last byte flipped. */
static void tamper_gi_sig(h2 *h, mm_writer *b) {
  mm_limits lim = mm_limits_default(suite_of(h));
  mm_mls_commit_bundle cb;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b->buf, b->len, &lim, &cb, NULL), MM_OK);
  uint8_t sig[256];
  ck_assert_uint_le(cb.group_info.signature.len, sizeof sig);
  memcpy(sig, cb.group_info.signature.data, cb.group_info.signature.len);
  sig[cb.group_info.signature.len - 1] ^= 1;
  cb.group_info.signature = mm_view_of(sig, cb.group_info.signature.len);
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &cb, &lim, &w, NULL), MM_OK);
  mm_writer_free(b);
  *b = w;
}

START_TEST(test_v2_source_bundle_bad_state) {
  h2 h;
  h2_init(&h, 1);
  mm_writer b;
  bundle(&h, 1, NULL, 0, true, &b);
  tamper_gi_sig(&h, &b);
  mm_err e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&b));
  expect_refusal(&h, e, MM_E_BAD_GROUP_STATE, "m1@example.com"); /* MLS-2 */
  ck_assert_uint_eq(src_epoch(&h), 2);
  /* a Commit without its bundle, as a bare mls_message: refused (MLS-4) */
  mm_writer pm;
  private_msg(&h, 2, MM_CONTENT_COMMIT, &pm);
  e = deliver(&h, MM_MSG_MLS_MESSAGE, "m1@example.com", mm_writer_view(&pm));
  expect_refusal(&h, e, MM_E_BAD_COMMIT, "m1@example.com");
  mm_writer_free(&pm);
  mm_writer_free(&b);
  h2_free(&h);
}
END_TEST

/* ---- MLS-5: application messages ---- */

START_TEST(test_v2_source_application_messages) {
  h2 h;
  h2_init(&h, 1);
  mm_writer m;
  private_msg(&h, 2, MM_CONTENT_APPLICATION, &m);
  ck_assert_int_eq(deliver(&h, MM_MSG_MLS_MESSAGE, "m2@example.com", mm_writer_view(&m)), MM_OK);
  ck_assert_uint_eq(h.out.n, 3); /* every member, the sender included */
  for (size_t i = 0; i < 3; i++) {
    ck_assert_str_eq(h.out.v[i].to, h.g.names[i]);
    ck_assert(mm_view_eq(out_env(&h, i).body, mm_writer_view(&m)));
  }
  mm_err e = deliver(&h, MM_MSG_MLS_MESSAGE, "eve@example.net", mm_writer_view(&m));
  expect_refusal(&h, e, MM_E_NOT_MEMBER, "eve@example.net");
  mm_writer_free(&m);
  private_msg(&h, 1, MM_CONTENT_APPLICATION, &m);
  e = deliver(&h, MM_MSG_MLS_MESSAGE, "m0@example.com", mm_writer_view(&m));
  expect_refusal(&h, e, MM_E_STALE_EPOCH, "m0@example.com");
  mm_writer_free(&m);
  h2_free(&h);
}
END_TEST

/* ---- MLS-6: GroupInfo requests ---- */

START_TEST(test_v2_source_group_info_request) {
  h2 h;
  h2_init(&h, 1);
  uint8_t req[17] = {16};
  memcpy(req + 1, h.g.group_id, 16);
  ck_assert_int_eq(
      deliver(&h, MM_MSG_GROUP_INFO_REQUEST, "joiner@example.org", mm_view_of(req, sizeof req)),
      MM_OK);
  ck_assert_uint_eq(h.out.n, 1);
  mm_envelope env = out_env(&h, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_GROUP_INFO);
  ck_assert(mm_view_eq(env.body, mm_view_of(h.g.state, h.g.state_len)));
  /* the policy's deny list refuses (MLS-6) */
  mm_err e = deliver(&h, MM_MSG_GROUP_INFO_REQUEST, "m2@example.com", mm_view_of(req, sizeof req));
  expect_refusal(&h, e, MM_E_UNAUTHORIZED, "m2@example.com");
  req[16] ^= 1; /* a group it does not host */
  e = deliver(&h, MM_MSG_GROUP_INFO_REQUEST, "joiner@example.org", mm_view_of(req, sizeof req));
  expect_refusal(&h, e, MM_E_UNKNOWN_GROUP, "joiner@example.org");
  h2_free(&h);
}
END_TEST

START_TEST(test_v2_source_profile_guards) {
  h2 h;
  h2_init(&h, 1);
  /* a v2 source takes no v1 GroupState, and refuses a state that fails MLS-2 */
  mm_group_state gs = {.version = 1, .cipher_suite = 1, .group_id = mm_view_str("g"), .epoch = 1};
  ck_assert_int_eq(mm_source_add_group(h.src, &gs, NULL, 0), MM_E_USAGE);
  uint8_t junk[] = {0, 2, 1, 2, 3};
  ck_assert_int_eq(mm_source_add_mls_group(h.src, 1, junk, sizeof junk), MM_E_BAD_GROUP_STATE);
  /* a v1 source takes no MigrationGroupState */
  mm_ds_config v1 = h.cfg;
  v1.profile = MM_PROFILE_V1;
  mm_source *s1;
  ck_assert_int_eq(mm_source_new(&v1, &h.env, &s1), MM_OK);
  ck_assert_int_eq(mm_source_add_mls_group(s1, 1, h.g.state, h.g.state_len), MM_E_USAGE);
  /* and to a v1 source a commit_bundle(10) is malformed */
  mm_writer b;
  bundle(&h, 1, NULL, 0, true, &b);
  size_t len;
  uint8_t *env =
      ah_raw_envelope(MM_MSG_COMMIT_BUNDLE, 1, "m1@example.com", mm_writer_view(&b), &len);
  mm_outbox_clear(&h.out);
  ck_assert_int_eq(mm_source_handle(s1, env, len, T0, &h.out), MM_E_MALFORMED);
  free(env);
  mm_writer_free(&b);
  mm_source_free(s1);
  h2_free(&h);
}
END_TEST

/* ---- the migration: MLS-1, KEY-2 and AUTHZ-1 from the tree (MLS-3) ---- */

/* A MigrationInit by leaf `by` (signed with key k) for epoch 2 to TGT, in *w. */
static void migration_init(h2 *h, const mm_key *k, mm_writer *w) {
  static uint8_t nonce[MM_NONCE_LEN] = {7};
  mm_migration_request rq = {mm_view_str(SRC), mm_view_str(TGT), mf_gid(&h->g), 2};
  mm_migration_response rsp = {rq, mm_view_of(nonce, MM_NONCE_LEN), {0}};
  mm_writer rs, is;
  rsp.signature = ah_sign(h->tgt_key, "MigrationResponseTBS", MM_T_MIGRATION_RESPONSE, &rsp, &rs);
  mm_migration_init mi = {rsp, {0}};
  mi.signature = ah_sign(k, "MigrationInitTBS", MM_T_MIGRATION_INIT, &mi, &is);
  mm_limits lim = mm_limits_default(suite_of(h));
  mm_writer_init(w);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_INIT, &mi, &lim, w, NULL), MM_OK);
  mm_writer_free(&rs);
  mm_writer_free(&is);
}

/* The migration Commit's CommitBundle by leaf `by`: an Add of "moved@target.example" with
 * MigrationCommitAAD naming TGT. */
static void migration_bundle(h2 *h, uint32_t by, mm_writer *kp, mm_writer *out) {
  static mm_mls_proposal add;
  add = make_add(h, "moved@target.example", kp);
  mm_migration_commit_aad aad = {mm_view_str(TGT)};
  mm_writer a;
  mm_writer_init(&a);
  mm_limits lim = mm_limits_default(suite_of(h));
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_COMMIT_AAD, &aad, &lim, &a, NULL), MM_OK);
  mm_mls_commit_spec spec = {.ctx = &mm_mls_state_group_info(h->cur)->group_context,
                             .cur_tree = mm_mls_state_tree(h->cur),
                             .committer = by,
                             .key = h->g.keys[by],
                             .identity = h->g.ids[by],
                             .proposals = &add,
                             .n_proposals = 1,
                             .path = true,
                             .aad = mm_writer_view(&a)};
  mm_writer_init(out);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &h->g.rng, out, NULL), MM_OK);
  mm_writer_free(&a);
}

/* The MigrationContent sent to TGT: its body, checked to carry epoch 3's state. */
static void expect_content(h2 *h, mm_view bundle, mm_writer *content) {
  ck_assert_uint_eq(h->out.n, 1);
  ck_assert_str_eq(h->out.v[0].to, TGT);
  mm_envelope env = out_env(h, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_MIGRATION_CONTENT);
  mm_writer_init(content);
  ck_assert(mm_put_bytes(content, env.body.data, env.body.len));
  mm_limits lim = mm_limits_default(suite_of(h));
  mm_migration_content mc;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_CONTENT, env.body.data, env.body.len, &lim, &mc, NULL),
                   MM_OK);
  /* MLS-1: the MigrationGroupState of the epoch the migration Commit creates, valid (MLS-2) */
  mm_mls_expect exp = {
      .suite = suite_of(h), .group_id = mf_gid(&h->g), .check_epoch = true, .epoch = 3};
  mm_mls_state *st;
  mm_mls_why why;
  mm_err e =
      mm_mls_state_from_group_state(mc.group_state.data, mc.group_state.len, &exp, &st, &why);
  ck_assert_msg(e == MM_OK, "%s", why.text);
  ck_assert(mm_view_eq_str(mm_mls_state_ds_payload(st), "payload"));
  ck_assert(mm_mls_is_member(mm_mls_state_tree(st), mm_view_str("moved@target.example")));
  mm_mls_commit_bundle cb;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, bundle.data, bundle.len, &lim, &cb, NULL),
                   MM_OK);
  ck_assert(mm_view_eq(mm_mls_state_group_info(st)->signature, cb.group_info.signature));
  mm_mls_state_free(st);
}

static void complete(h2 *h, mm_view content) {
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n;
  ck_assert_int_eq(mm_content_ref_hash(suite_of(h), content, hash, &n), MM_OK);
  mm_target_migration_complete tmc = {mm_view_of(hash, n), {0}};
  mm_writer sig;
  tmc.signature =
      ah_sign(h->tgt_key, "TargetMigrationCompleteTBS", MM_T_TARGET_MIGRATION_COMPLETE, &tmc, &sig);
  size_t len;
  uint8_t *env = ah_envelope(MM_MSG_TARGET_MIGRATION_COMPLETE, suite_of(h), TGT,
                             MM_T_TARGET_MIGRATION_COMPLETE, &tmc, &len);
  mm_outbox_clear(&h->out);
  ck_assert_int_eq(mm_source_handle(h->src, env, len, T0, &h->out), MM_OK);
  free(env);
  mm_writer_free(&sig);
}

START_TEST(test_v2_source_migration) {
  h2 h;
  h2_init(&h, (uint16_t)(_i + 1));
  mm_writer mi, kp, b, content;
  /* KEY-2 from the tree: signed by another member's leaf key, refused */
  migration_init(&h, h.g.keys[1], &mi);
  mm_err e = deliver(&h, MM_MSG_MIGRATION_INIT, "m0@example.com", mm_writer_view(&mi));
  expect_refusal(&h, e, MM_E_BAD_SIGNATURE, "m0@example.com");
  /* AUTHZ-1 from the tree: a non-member */
  e = deliver(&h, MM_MSG_MIGRATION_INIT, "eve@example.net", mm_writer_view(&mi));
  expect_refusal(&h, e, MM_E_NOT_MEMBER, "eve@example.net");
  mm_writer_free(&mi);
  /* m0 with its own leaf key: accepted */
  migration_init(&h, h.g.keys[0], &mi);
  ck_assert_int_eq(deliver(&h, MM_MSG_MIGRATION_INIT, "m0@example.com", mm_writer_view(&mi)),
                   MM_OK);
  /* LIFE-3: an ordinary CommitBundle now is busy */
  mm_writer other;
  bundle(&h, 1, NULL, 0, true, &other);
  e = deliver(&h, MM_MSG_COMMIT_BUNDLE, "m1@example.com", mm_writer_view(&other));
  expect_refusal(&h, e, MM_E_BUSY, "m1@example.com");
  mm_writer_free(&other);
  /* MLS-4 on the migration Commit: its new state broken, refused (MLS-2) */
  migration_bundle(&h, 0, &kp, &b);
  mm_writer bad;
  mm_writer_init(&bad);
  ck_assert(mm_put_bytes(&bad, b.buf, b.len));
  tamper_gi_sig(&h, &bad);
  e = deliver(&h, MM_MSG_MIGRATION_COMMIT, "m0@example.com", mm_writer_view(&bad));
  expect_refusal(&h, e, MM_E_BAD_GROUP_STATE, "m0@example.com");
  mm_writer_free(&bad);
  /* the genuine one: MigrationContent with epoch 3's MigrationGroupState (MLS-1) */
  ck_assert_int_eq(deliver(&h, MM_MSG_MIGRATION_COMMIT, "m0@example.com", mm_writer_view(&b)),
                   MM_OK);
  expect_content(&h, mm_writer_view(&b), &content);
  /* LIFE-5 across a restart: the retransmission is the same content, byte for byte */
  mm_source_free(h.src);
  start(&h);
  mm_outbox_clear(&h.out);
  ck_assert_int_eq(mm_source_tick(h.src, T0 + 600000, &h.out), MM_OK);
  ck_assert_uint_ge(h.out.n, 1);
  ck_assert(mm_view_eq(out_env(&h, 0).body, mm_writer_view(&content)));
  /* completion: the commit to the three members of epoch 2, the Welcome to the new one, the
   * confirmation to m0 (LIFE-1, LIFE-2, MLS-4) */
  complete(&h, mm_writer_view(&content));
  size_t commits = 0, welcomes = 0, confirmations = 0;
  for (size_t i = 0; i < h.out.n; i++) {
    uint8_t t = out_env(&h, i).msg_type;
    commits += t == MM_MSG_MLS_MESSAGE;
    welcomes += t == MM_MSG_WELCOME && strcmp(h.out.v[i].to, "moved@target.example") == 0;
    confirmations += t == MM_MSG_MIGRATION_CONFIRMATION;
  }
  ck_assert_uint_eq(commits, 3);
  ck_assert_uint_eq(welcomes, 1);
  ck_assert_uint_eq(confirmations, 1);
  mm_group_info gi;
  ck_assert(mm_source_group(h.src, mf_gid(&h.g), &gi));
  ck_assert_int_eq(gi.status, MM_GS_MIGRATED);
  mm_writer_free(&content);
  mm_writer_free(&b);
  mm_writer_free(&kp);
  mm_writer_free(&mi);
  h2_free(&h);
}
END_TEST

START_TEST(test_v2_source_migration_commit_held) {
  h2 h;
  h2_init(&h, 1);
  mm_writer mi, kp, b, content;
  /* LIFE-4: the migration Commit before its MigrationInit is held, then taken */
  migration_bundle(&h, 0, &kp, &b);
  ck_assert_int_eq(deliver(&h, MM_MSG_MIGRATION_COMMIT, "m0@example.com", mm_writer_view(&b)),
                   MM_OK);
  ck_assert_uint_eq(h.out.n, 0);
  migration_init(&h, h.g.keys[0], &mi);
  ck_assert_int_eq(deliver(&h, MM_MSG_MIGRATION_INIT, "m0@example.com", mm_writer_view(&mi)),
                   MM_OK);
  expect_content(&h, mm_writer_view(&b), &content);
  /* a migration_commit without MigrationCommitAAD: refused (EPOCH-2) */
  mm_writer plain;
  bundle(&h, 1, NULL, 0, true, &plain);
  mm_err e = deliver(&h, MM_MSG_MIGRATION_COMMIT, "m1@example.com", mm_writer_view(&plain));
  expect_refusal(&h, e, MM_E_BAD_COMMIT, "m1@example.com");
  mm_writer_free(&plain);
  mm_writer_free(&content);
  mm_writer_free(&b);
  mm_writer_free(&kp);
  mm_writer_free(&mi);
  h2_free(&h);
}
END_TEST

Suite *suite_source_v2(void) {
  Suite *s = suite_create("source_v2");
  TCase *tc = tcase_create("source_v2");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(tc, test_v2_source_bundle_accepted_fanned_out, "MLS-4 MLS-6 DUR-1", 0, 7);
  MM_ADD_TEST(tc, test_v2_source_one_commit_per_epoch, "MLS-4");
  MM_ADD_TEST(tc, test_v2_source_bundle_sender_checks, "MLS-3 MLS-4");
  MM_ADD_TEST(tc, test_v2_source_bundle_bad_state, "MLS-2 MLS-4");
  MM_ADD_TEST(tc, test_v2_source_application_messages, "MLS-5");
  MM_ADD_TEST(tc, test_v2_source_group_info_request, "MLS-6");
  MM_ADD_TEST(tc, test_v2_source_profile_guards, "MLS-1 MLS-2");
  MM_ADD_LOOP_TEST(tc, test_v2_source_migration,
                   "MLS-1 MLS-2 MLS-3 MLS-4 KEY-2 AUTHZ-1 LIFE-1 LIFE-3 LIFE-5", 0, 7);
  MM_ADD_TEST(tc, test_v2_source_migration_commit_held, "LIFE-4 EPOCH-2 MLS-1");
  suite_add_tcase(s, tc);
  return s;
}

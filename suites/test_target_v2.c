/* The reference target DS in profile v2 (issue 17, increment 2): the
 * imported group_state is a MigrationGroupState checked as a joining member
 * would before anything is kept (MLS-1, MLS-2: bad_group_state), and after
 * the import the target serves the group in full (LIFE-6): CommitBundles
 * (MLS-4), application messages (MLS-5), GroupInfo requests (MLS-6). The
 * source's and members' messages are built by hand and with mls_build. */
#include <stdlib.h>
#include <string.h>

#include "actor_harness.h"
#include "mls_fixture.h"
#include "mlsmig/ds.h"
#include "testlib.h"

#define TGT "target.example"
#define SRC "source.example"
#define T0 100000u
#define REQ_EPOCH 2u /* the request's epoch; the state imported is epoch 3's */

typedef struct ht {
  mf_group g; /* the group at epoch REQ_EPOCH + 1, as the migration Commit made it */
  mm_mls_state *cur;
  mm_rng rng;
  mm_key *tgt_key, *src_key;
  mm_keydir *kd;
  mm_store *store;
  mm_env env;
  mm_ds_config cfg;
  mm_target *t;
  mm_outbox out;
  uint8_t *resp; /* the MigrationResponse body issued */
  size_t resp_len;
  mm_migration_response r;
} ht;

static void ht_init(ht *x, uint16_t suite) {
  memset(x, 0, sizeof *x);
  mf_group_init(&x->g, suite, 3, REQ_EPOCH + 1, 4000 + suite);
  mm_mls_expect exp = mf_expect(&x->g, REQ_EPOCH + 1);
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(x->g.state, x->g.state_len, &exp, &x->cur, &why),
                   MM_OK);
  mm_rng_init_seeded(&x->rng, 5 + suite, "target_v2");
  x->tgt_key = ah_gen_key(&x->rng, suite);
  x->src_key = ah_gen_key(&x->rng, suite);
  x->kd = mm_keydir_new();
  ah_publish(x->kd, TGT, x->tgt_key);
  ah_publish(x->kd, SRC, x->src_key);
  x->store = mm_store_new();
  x->env = (mm_env){.rng = &x->rng, .keys = x->kd, .store = x->store};
  x->cfg = (mm_ds_config){.domain = TGT, .profile = MM_PROFILE_V2};
  x->cfg.sign_keys[suite] = x->tgt_key;
  mm_outbox_init(&x->out);
  ck_assert_int_eq(mm_target_new(&x->cfg, &x->env, &x->t), MM_OK);
}

static void ht_free(ht *x) {
  mm_target_free(x->t);
  mm_outbox_free(&x->out);
  mm_store_free(x->store);
  mm_keydir_free(x->kd);
  mm_key_free(x->tgt_key);
  mm_key_free(x->src_key);
  free(x->resp);
  mm_mls_state_free(x->cur);
  mf_group_free(&x->g);
}

static mm_err deliver_env(ht *x, uint8_t *env, size_t len) {
  mm_outbox_clear(&x->out);
  mm_err e = mm_target_handle(x->t, env, len, T0, &x->out);
  free(env);
  return e;
}

static mm_err deliver(ht *x, uint8_t type, const char *sender, mm_view body) {
  size_t len;
  uint8_t *env = ah_raw_envelope(type, x->g.suite, sender, body, &len);
  return deliver_env(x, env, len);
}

static mm_envelope out_env(const ht *x, size_t i) {
  ck_assert_uint_lt(i, x->out.n);
  mm_envelope env;
  mm_limits lim = mm_limits_default(0);
  ck_assert_int_eq(
      mm_envelope_decode_profile(2, x->out.v[i].env, x->out.v[i].len, &lim, &env, NULL), MM_OK);
  return env;
}

static void expect_refusal(ht *x, mm_err got, mm_err code, const char *to) {
  ck_assert_msg(got == code, "got %s, want %s", mm_err_name(got), mm_err_name(code));
  ck_assert_uint_eq(x->out.n, 1);
  ck_assert_str_eq(x->out.v[0].to, to);
  mm_envelope env = out_env(x, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_MIGRATION_ERROR);
}

/* m0 asks to migrate the group at REQ_EPOCH; the response is kept. */
static void request(ht *x) {
  mm_migration_request rq = {mm_view_str(SRC), mm_view_str(TGT), mf_gid(&x->g), REQ_EPOCH};
  size_t len;
  uint8_t *env = ah_envelope(MM_MSG_MIGRATION_REQUEST, x->g.suite, "m0@example.com",
                             MM_T_MIGRATION_REQUEST, &rq, &len);
  ck_assert_int_eq(deliver_env(x, env, len), MM_OK);
  ck_assert_uint_eq(x->out.n, 1);
  mm_envelope e = out_env(x, 0);
  ck_assert_uint_eq(e.msg_type, MM_MSG_MIGRATION_RESPONSE);
  x->resp = malloc(e.body.len);
  memcpy(x->resp, e.body.data, e.body.len);
  x->resp_len = e.body.len;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_RESPONSE, x->resp, x->resp_len, NULL, &x->r, NULL),
                   MM_OK);
}

/* The MigrationContent for the response with this group_state, from the source. */
static mm_err send_content(ht *x, mm_view state) {
  mm_migration_content mc = {x->r, state, {0}};
  mm_writer sig;
  mc.signature = ah_sign(x->src_key, "MigrationContentTBS", MM_T_MIGRATION_CONTENT, &mc, &sig);
  size_t len;
  uint8_t *env =
      ah_envelope(MM_MSG_MIGRATION_CONTENT, x->g.suite, SRC, MM_T_MIGRATION_CONTENT, &mc, &len);
  mm_writer_free(&sig);
  return deliver_env(x, env, len);
}

/* The group's MigrationGroupState (of the state s) with this payload, in *w. */
static mm_view mgs(const mm_mls_state *s, mm_writer *w) {
  mm_writer_init(w);
  ck_assert_int_eq(mm_mls_state_encode(s, mm_view_str("source's payload"), w), MM_OK);
  return mm_writer_view(w);
}

static bool hosts(const ht *x) {
  mm_group_info gi;
  return mm_target_group(x->t, mf_gid(&x->g), &gi);
}

/* ---- import: MLS-1, MLS-2 ---- */

START_TEST(test_v2_target_import_checks_state) {
  ht x;
  ht_init(&x, (uint16_t)(_i + 1));
  request(&x);
  mm_writer w;
  mm_view st = mgs(x.cur, &w);
  /* the GroupInfo signature broken: bad_group_state, nothing kept */
  mm_limits lim = mm_limits_default(x.g.suite);
  mm_mls_migration_group_state m;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_MIGRATION_GROUP_STATE, st.data, st.len, &lim, &m, NULL),
                   MM_OK);
  uint8_t sig[256];
  memcpy(sig, m.group_info.signature.data, m.group_info.signature.len);
  sig[m.group_info.signature.len - 1] ^= 1;
  m.group_info.signature = mm_view_of(sig, m.group_info.signature.len);
  mm_writer bad;
  mm_writer_init(&bad);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MIGRATION_GROUP_STATE, &m, &lim, &bad, NULL), MM_OK);
  mm_err e = send_content(&x, mm_writer_view(&bad));
  expect_refusal(&x, e, MM_E_BAD_GROUP_STATE, SRC);
  ck_assert(!hosts(&x));
  /* a v1 GroupState is no MigrationGroupState */
  uint8_t v1[] = {0, 1, 0, 1, 1, 'g', 0, 0, 0, 0, 0, 0, 0, 3, 0, 0};
  e = send_content(&x, mm_view_of(v1, sizeof v1));
  expect_refusal(&x, e, MM_E_BAD_GROUP_STATE, SRC);
  ck_assert(!hosts(&x));
  /* just inside: the genuine state of epoch REQ_EPOCH + 1 is imported */
  ck_assert_int_eq(send_content(&x, st), MM_OK);
  ck_assert_uint_eq(out_env(&x, 0).msg_type, MM_MSG_TARGET_MIGRATION_COMPLETE);
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mf_gid(&x.g), &gi));
  ck_assert_uint_eq(gi.epoch, REQ_EPOCH + 1);
  ck_assert(mm_view_eq(gi.state, st));
  mm_writer_free(&bad);
  mm_writer_free(&w);
  ht_free(&x);
}
END_TEST

START_TEST(test_v2_target_import_wrong_epoch) {
  ht x;
  ht_init(&x, 1);
  request(&x);
  /* the state of the request's own epoch (the v1 mistake of issue 17): refused */
  mf_group old;
  mf_group_init(&old, 1, 3, REQ_EPOCH, 4001); /* same seed: same group ID as x.g */
  mm_mls_expect exp = mf_expect(&old, REQ_EPOCH);
  mm_mls_state *s;
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(old.state, old.state_len, &exp, &s, &why), MM_OK);
  ck_assert(mm_view_eq(mm_mls_state_group_id(s), mf_gid(&x.g)));
  mm_writer w;
  mm_err e = send_content(&x, mgs(s, &w));
  expect_refusal(&x, e, MM_E_BAD_GROUP_STATE, SRC);
  ck_assert(!hosts(&x));
  mm_writer_free(&w);
  mm_mls_state_free(s);
  mf_group_free(&old);
  /* another group's state: refused too */
  mf_group other;
  mf_group_init(&other, 1, 3, REQ_EPOCH + 1, 77);
  exp = mf_expect(&other, REQ_EPOCH + 1);
  ck_assert_int_eq(mm_mls_state_from_public(other.state, other.state_len, &exp, &s, &why), MM_OK);
  e = send_content(&x, mgs(s, &w));
  expect_refusal(&x, e, MM_E_BAD_GROUP_STATE, SRC);
  ck_assert(!hosts(&x));
  mm_writer_free(&w);
  mm_mls_state_free(s);
  mf_group_free(&other);
  ht_free(&x);
}
END_TEST

/* ---- after import: LIFE-6 with MLS-4, MLS-5, MLS-6 ---- */

static void import(ht *x) {
  request(x);
  mm_writer w;
  ck_assert_int_eq(send_content(x, mgs(x->cur, &w)), MM_OK);
  mm_writer_free(&w);
}

START_TEST(test_v2_target_serves_after_import) {
  ht x;
  ht_init(&x, (uint16_t)(_i + 1));
  import(&x);
  uint16_t suite = x.g.suite;
  /* a member's Commit (an Add) as a CommitBundle: fanned out, Welcome routed */
  mm_key *k = ah_gen_key(&x.rng, suite);
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = mm_view_str("joiner@target.example"),
                           .encryption_key = mm_mls_random_hpke_key(suite, &x.rng, enc),
                           .lifetime = {0, 1000}};
  mm_writer kp;
  mm_writer_init(&kp);
  ck_assert_int_eq(
      mm_mls_build_key_package(k, mm_mls_random_hpke_key(suite, &x.rng, init), &spec, &kp), MM_OK);
  mm_mls_proposal add = {.proposal_type = MM_MLS_PROP_ADD};
  mm_limits lim = mm_limits_default(suite);
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_KEY_PACKAGE, kp.buf, kp.len, &lim, &add.add.key_package, NULL), MM_OK);
  mm_mls_commit_spec cs = {.ctx = &mm_mls_state_group_info(x.cur)->group_context,
                           .cur_tree = mm_mls_state_tree(x.cur),
                           .committer = 2,
                           .key = x.g.keys[2],
                           .identity = x.g.ids[2],
                           .proposals = &add,
                           .n_proposals = 1,
                           .path = true};
  mm_writer b;
  mm_writer_init(&b);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&cs, &x.g.rng, &b, NULL), MM_OK);
  /* from a non-member first: refused, nothing sent on */
  mm_err e = deliver(&x, MM_MSG_COMMIT_BUNDLE, "eve@example.net", mm_writer_view(&b));
  expect_refusal(&x, e, MM_E_NOT_MEMBER, "eve@example.net");
  ck_assert_int_eq(deliver(&x, MM_MSG_COMMIT_BUNDLE, "m2@example.com", mm_writer_view(&b)), MM_OK);
  ck_assert_uint_eq(x.out.n, 4);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_str_eq(x.out.v[i].to, x.g.names[i]);
    ck_assert_uint_eq(out_env(&x, i).msg_type, MM_MSG_MLS_MESSAGE);
  }
  ck_assert_str_eq(x.out.v[3].to, "joiner@target.example");
  ck_assert_uint_eq(out_env(&x, 3).msg_type, MM_MSG_WELCOME);
  mm_group_info gi;
  ck_assert(mm_target_group(x.t, mf_gid(&x.g), &gi));
  ck_assert_uint_eq(gi.epoch, REQ_EPOCH + 2);
  /* the same bundle again: the epoch is gone (MLS-4) */
  e = deliver(&x, MM_MSG_COMMIT_BUNDLE, "m2@example.com", mm_writer_view(&b));
  expect_refusal(&x, e, MM_E_STALE_EPOCH, "m2@example.com");
  /* the joiner asks for the GroupInfo (MLS-6), after a restart (DUR-1) */
  mm_target_free(x.t);
  ck_assert_int_eq(mm_target_new(&x.cfg, &x.env, &x.t), MM_OK);
  uint8_t req[17] = {16};
  memcpy(req + 1, x.g.group_id, 16);
  ck_assert_int_eq(
      deliver(&x, MM_MSG_GROUP_INFO_REQUEST, "joiner@target.example", mm_view_of(req, sizeof req)),
      MM_OK);
  mm_envelope env = out_env(&x, 0);
  ck_assert_uint_eq(env.msg_type, MM_MSG_GROUP_INFO);
  mm_mls_public_group_state pgs;
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_PUBLIC_GROUP_STATE, env.body.data, env.body.len, &lim, &pgs, NULL),
      MM_OK);
  ck_assert_uint_eq(pgs.group_info.group_context.epoch, REQ_EPOCH + 2);
  /* an application message of the new epoch from the new member (MLS-5) */
  mm_mls_msg am = {.version = MM_MLS10, .wire_format = MM_WIRE_PRIVATE};
  am.private_message = (mm_mls_private_message){.group_id = mf_gid(&x.g),
                                                .epoch = REQ_EPOCH + 2,
                                                .content_type = MM_CONTENT_APPLICATION,
                                                .encrypted_sender_data = mm_view_str("e"),
                                                .ciphertext = mm_view_str("hi")};
  mm_writer aw;
  mm_writer_init(&aw);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &am, &lim, &aw, NULL), MM_OK);
  ck_assert_int_eq(deliver(&x, MM_MSG_MLS_MESSAGE, "joiner@target.example", mm_writer_view(&aw)),
                   MM_OK);
  ck_assert_uint_eq(x.out.n, 4);
  e = deliver(&x, MM_MSG_MLS_MESSAGE, "eve@example.net", mm_writer_view(&aw));
  expect_refusal(&x, e, MM_E_NOT_MEMBER, "eve@example.net");
  /* a group it does not host */
  req[16] ^= 1;
  e = deliver(&x, MM_MSG_GROUP_INFO_REQUEST, "joiner@target.example", mm_view_of(req, 17));
  expect_refusal(&x, e, MM_E_UNKNOWN_GROUP, "joiner@target.example");
  mm_writer_free(&aw);
  mm_writer_free(&b);
  mm_writer_free(&kp);
  mm_key_free(k);
  ht_free(&x);
}
END_TEST

START_TEST(test_v2_target_local_group) {
  ht x;
  ht_init(&x, 1);
  mm_writer w;
  mm_view st = mgs(x.cur, &w);
  ck_assert_int_eq(mm_target_add_mls_group(x.t, 1, st.data, st.len), MM_OK);
  ck_assert_int_eq(mm_target_add_mls_group(x.t, 1, st.data, st.len), MM_E_GROUP_EXISTS);
  uint8_t junk[] = {0, 2, 0};
  ck_assert_int_eq(mm_target_add_mls_group(x.t, 1, junk, sizeof junk), MM_E_BAD_GROUP_STATE);
  mm_group_state gs = {.version = 1, .cipher_suite = 1, .group_id = mm_view_str("g"), .epoch = 1};
  ck_assert_int_eq(mm_target_add_group(x.t, &gs, NULL, 0), MM_E_USAGE);
  /* GROUP-1 still: a request for a group it hosts */
  mm_migration_request rq = {mm_view_str(SRC), mm_view_str(TGT), mf_gid(&x.g), REQ_EPOCH};
  size_t len;
  uint8_t *env =
      ah_envelope(MM_MSG_MIGRATION_REQUEST, 1, "m0@example.com", MM_T_MIGRATION_REQUEST, &rq, &len);
  ck_assert_int_eq(deliver_env(&x, env, len), MM_E_GROUP_EXISTS);
  mm_writer_free(&w);
  ht_free(&x);
}
END_TEST

Suite *suite_target_v2(void) {
  Suite *s = suite_create("target_v2");
  TCase *tc = tcase_create("target_v2");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(tc, test_v2_target_import_checks_state, "MLS-1 MLS-2 LIFE-6", 0, 7);
  MM_ADD_TEST(tc, test_v2_target_import_wrong_epoch, "MLS-1 MLS-2");
  MM_ADD_LOOP_TEST(tc, test_v2_target_serves_after_import, "LIFE-6 MLS-3 MLS-4 MLS-5 MLS-6 DUR-1",
                   0, 7);
  MM_ADD_TEST(tc, test_v2_target_local_group, "MLS-1 MLS-2 GROUP-1");
  suite_add_tcase(s, tc);
  return s;
}

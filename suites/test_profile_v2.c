/* Profile v2's envelope layer (issue 17, increment 1): message types 10..13
 * and migration_commit(8) carrying a CommitBundle decode under profile 2
 * only, their bodies checked by the MLS layer; profile 1 is unchanged (10..13
 * stay unknown, 8 an MLSMessage). The shim's Configure carries the profile
 * version as a trailing byte only when asked to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mls_fixture.h"
#include "mlsmig/actor.h"
#include "refds/ref_ds.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* A CommitBundle of an empty Commit with a path by leaf 1 of a group of 3. */
static void make_bundle(mf_group *g, mm_mls_state **cur, mm_writer *out) {
  mf_group_init(g, 1, 3, 2, 77);
  mm_mls_expect exp = mf_expect(g, 2);
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(g->state, g->state_len, &exp, cur, &why), MM_OK);
  mm_mls_commit_spec spec = {.ctx = &mm_mls_state_group_info(*cur)->group_context,
                             .cur_tree = mm_mls_state_tree(*cur),
                             .committer = 1,
                             .key = g->keys[1],
                             .identity = g->ids[1],
                             .path = true};
  mm_writer_init(out);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &g->rng, out, NULL), MM_OK);
}

/* An Envelope of profile p: msg_type, suite 1, sender, body. */
static mm_err envelope(int p, uint8_t type, const char *sender, mm_view body, mm_writer *w) {
  mm_envelope env = {type, 1, mm_view_str(sender), body};
  mm_limits lim = mm_limits_default(1);
  mm_writer_init(w);
  return mm_envelope_encode_profile(p, &env, &lim, w, NULL);
}

START_TEST(test_v2_message_types_named) {
  const char *names[] = {"commit_bundle", "welcome", "group_info_request", "group_info"};
  for (int t = MM_MSG_COMMIT_BUNDLE; t <= MM_MSG_V2_LAST; t++) {
    ck_assert_str_eq(mm_msg_type_name(t), names[t - MM_MSG_COMMIT_BUNDLE]);
    int back;
    ck_assert(mm_msg_type_by_name(names[t - MM_MSG_COMMIT_BUNDLE], &back) && back == t);
    mm_type bt;
    ck_assert(!mm_msg_type_body(t, &bt)); /* the MLS layer's */
    ck_assert(mm_msg_type_in_profile(t, MM_PROFILE_V2) && !mm_msg_type_in_profile(t, 1));
    ck_assert(mm_msg_body_is_mls(t, MM_PROFILE_V2) && !mm_msg_body_is_mls(t, MM_PROFILE_V1));
  }
  ck_assert_ptr_null(mm_msg_type_name(16)); /* 14, 15: the amendment's (test_amend_codec.c) */
  ck_assert(mm_msg_body_is_mls(MM_MSG_MIGRATION_COMMIT, MM_PROFILE_V2));
  ck_assert(!mm_msg_body_is_mls(MM_MSG_MLS_MESSAGE, MM_PROFILE_V2));
  ck_assert(!mm_msg_body_is_mls(MM_MSG_MIGRATION_COMMIT, 0));
}
END_TEST

START_TEST(test_v2_envelope_commit_bundle) {
  mf_group g;
  mm_mls_state *cur;
  mm_writer b, w;
  make_bundle(&g, &cur, &b);
  mm_limits lim = mm_limits_default(1);
  for (uint8_t type = MM_MSG_MIGRATION_COMMIT; type <= MM_MSG_COMMIT_BUNDLE; type++) {
    if (type == MM_MSG_MLS_MESSAGE) continue;
    ck_assert_int_eq(envelope(MM_PROFILE_V2, type, "m1@example.com", mm_writer_view(&b), &w),
                     MM_OK);
    mm_envelope env;
    mm_derr err;
    ck_assert_int_eq(mm_envelope_decode_profile(2, w.buf, w.len, &lim, &env, &err), MM_OK);
    ck_assert_uint_eq(env.msg_type, type);
    ck_assert(mm_view_eq(env.body, mm_writer_view(&b)));
    mm_mls_envelope_body body;
    ck_assert_int_eq(mm_mls_envelope_body_decode(type, env.body, &lim, &body, &err), MM_OK);
    ck_assert_uint_eq(body.commit_bundle.commit.wire_format, MM_WIRE_PUBLIC);
    if (type == MM_MSG_COMMIT_BUNDLE) {
      /* profile 1: 10 is unknown, to the decoder and the encoder */
      ck_assert_int_eq(mm_envelope_decode_profile(1, w.buf, w.len, &lim, &env, &err),
                       MM_E_MALFORMED);
      ck_assert_str_eq(err.rule, "ENC-4");
      ck_assert_int_eq(mm_decode(MM_T_ENVELOPE, w.buf, w.len, &lim, &env, NULL), MM_E_MALFORMED);
      mm_writer_free(&w);
      ck_assert_int_eq(envelope(MM_PROFILE_V1, type, "m1@example.com", mm_writer_view(&b), &w),
                       MM_E_MALFORMED);
    } else {
      /* profile 1 reads 8 as an MLSMessage's framing only: the bundle's leading commit */
      ck_assert_int_eq(mm_envelope_decode_profile(1, w.buf, w.len, &lim, &env, &err), MM_OK);
    }
    mm_writer_free(&w);
  }
  /* a bundle with a trailing byte is the MLS layer's to refuse (ENC-2) */
  ck_assert(mm_put_u8(&b, 0));
  mm_mls_envelope_body body;
  mm_derr err;
  ck_assert_int_eq(
      mm_mls_envelope_body_decode(MM_MSG_COMMIT_BUNDLE, mm_writer_view(&b), &lim, &body, &err),
      MM_E_MALFORMED);
  mm_writer_free(&b);
  mm_mls_state_free(cur);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_v2_envelope_frame_rules) {
  mm_limits lim = mm_limits_default(1);
  mm_envelope env;
  mm_derr err;
  mm_writer w;
  /* suite 0, a bad sender: refused by the v2 encoder and decoder (ENC-4) */
  mm_envelope bad = {MM_MSG_GROUP_INFO_REQUEST, 0, mm_view_str("a@b.example"), mm_view_str("x")};
  mm_writer_init(&w);
  ck_assert_int_eq(mm_envelope_encode_profile(2, &bad, &lim, &w, &err), MM_E_MALFORMED);
  bad.cipher_suite = 1;
  bad.sender = mm_view_str("no at sign or dot");
  ck_assert_int_eq(mm_envelope_encode_profile(2, &bad, &lim, &w, &err), MM_E_MALFORMED);
  mm_writer_free(&w);
  static const uint8_t zero_suite[] = {12, 0, 0, 1, 'a', 0};
  ck_assert_int_eq(mm_envelope_decode_profile(2, zero_suite, sizeof zero_suite, &lim, &env, &err),
                   MM_E_MALFORMED);
  ck_assert_str_eq(err.rule, "ENC-4");
  ck_assert_uint_eq(err.offset, 1);
  /* trailing byte after the body (ENC-2) */
  uint8_t gid_body[] = {3, 'g', 'i', 'd'};
  ck_assert_int_eq(envelope(2, MM_MSG_GROUP_INFO_REQUEST, "a@b.example",
                            mm_view_of(gid_body, sizeof gid_body), &w),
                   MM_OK);
  ck_assert_int_eq(mm_envelope_decode_profile(2, w.buf, w.len, &lim, &env, &err), MM_OK);
  mm_mls_envelope_body body;
  ck_assert_int_eq(
      mm_mls_envelope_body_decode(MM_MSG_GROUP_INFO_REQUEST, env.body, &lim, &body, &err), MM_OK);
  ck_assert(mm_view_eq_str(body.group_id, "gid"));
  ck_assert(mm_put_u8(&w, 0));
  ck_assert_int_eq(mm_envelope_decode_profile(2, w.buf, w.len, &lim, &env, &err), MM_E_MALFORMED);
  mm_writer_free(&w);
  /* group_info_request: empty group_id, trailing bytes */
  uint8_t empty[] = {0}, trailing[] = {1, 'g', 0};
  ck_assert_int_eq(mm_mls_envelope_body_decode(MM_MSG_GROUP_INFO_REQUEST, mm_view_of(empty, 1),
                                               &lim, &body, &err),
                   MM_E_MALFORMED);
  ck_assert_int_eq(mm_mls_envelope_body_decode(MM_MSG_GROUP_INFO_REQUEST, mm_view_of(trailing, 3),
                                               &lim, &body, &err),
                   MM_E_MALFORMED);
  /* a body bound: over max_group_state */
  mm_limits small = lim;
  small.max_group_state = 2;
  ck_assert_int_eq(envelope(2, MM_MSG_GROUP_INFO_REQUEST, "a@b.example",
                            mm_view_of(gid_body, sizeof gid_body), &w),
                   MM_OK);
  ck_assert_int_eq(mm_envelope_decode_profile(2, w.buf, w.len, &small, &env, &err), MM_E_MALFORMED);
  mm_writer_free(&w);
  /* types the codec decodes go through it unchanged in v2: a bad MigrationError */
  uint8_t me[] = {0, 99, 0};
  ck_assert_int_eq(
      envelope(2, MM_MSG_MIGRATION_ERROR, "a@b.example", mm_view_of(me, sizeof me), &w),
      MM_E_MALFORMED);
  mm_writer_free(&w);
  ck_assert_int_eq(
      mm_mls_envelope_body_decode(MM_MSG_MLS_MESSAGE, mm_view_of(me, 3), &lim, &body, &err),
      MM_E_USAGE);
}
END_TEST

START_TEST(test_v2_welcome_and_group_info_bodies) {
  mf_group g;
  mm_mls_state *cur;
  mm_writer b;
  make_bundle(&g, &cur, &b);
  mm_limits lim = mm_limits_default(1);
  mm_mls_envelope_body body;
  mm_derr err;
  /* group_info(13): the PublicGroupState */
  ck_assert_int_eq(mm_mls_envelope_body_decode(MM_MSG_GROUP_INFO, mm_view_of(g.state, g.state_len),
                                               &lim, &body, &err),
                   MM_OK);
  ck_assert_uint_eq(body.public_state.group_info.group_context.epoch, 2);
  /* welcome(11): an MLSMessage of wire format mls_welcome, nothing else */
  mm_writer kp, wel;
  mm_writer_init(&kp);
  mm_writer_init(&wel);
  mm_key *k;
  ck_assert_int_eq(mm_key_generate(1, &g.rng, &k), MM_OK);
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = mm_view_str("new@example.org"),
                           .encryption_key = mm_mls_random_hpke_key(1, &g.rng, enc),
                           .lifetime = {0, 1000}};
  ck_assert_int_eq(mm_mls_build_key_package(k, mm_mls_random_hpke_key(1, &g.rng, init), &spec, &kp),
                   MM_OK);
  mm_view kpv = mm_writer_view(&kp);
  ck_assert_int_eq(mm_mls_build_welcome(1, &kpv, 1, &g.rng, &wel), MM_OK);
  ck_assert_int_eq(
      mm_mls_envelope_body_decode(MM_MSG_WELCOME, mm_writer_view(&wel), &lim, &body, &err), MM_OK);
  mm_view gi_msg = mm_view_of(g.state, g.state_len); /* not an MLSMessage at all */
  ck_assert_int_eq(mm_mls_envelope_body_decode(MM_MSG_WELCOME, gi_msg, &lim, &body, &err),
                   MM_E_MALFORMED);
  /* the bundle's commit, a PublicMessage MLSMessage, is no Welcome */
  mm_mls_commit_bundle cb;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b.buf, b.len, &lim, &cb, &err), MM_OK);
  mm_writer pm;
  mm_writer_init(&pm);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &cb.commit, &lim, &pm, &err), MM_OK);
  ck_assert_int_eq(
      mm_mls_envelope_body_decode(MM_MSG_WELCOME, mm_writer_view(&pm), &lim, &body, &err),
      MM_E_MALFORMED);
  ck_assert_str_eq(err.reason, "welcome: not an mls_welcome");
  mm_writer_free(&pm);
  mm_writer_free(&kp);
  mm_writer_free(&wel);
  mm_key_free(k);
  mm_writer_free(&b);
  mm_mls_state_free(cur);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_v2_send_profile) {
  mm_outbox o;
  mm_outbox_init(&o);
  uint8_t gid_body[] = {1, 'g'};
  ck_assert_int_eq(mm_send_profile(&o, MM_PROFILE_V2, "a@b.example", MM_MSG_GROUP_INFO_REQUEST, 1,
                                   "b.example", gid_body, sizeof gid_body),
                   MM_OK);
  ck_assert_uint_eq(o.n, 1);
  ck_assert_int_eq(
      mm_send(&o, "a@b.example", MM_MSG_GROUP_INFO_REQUEST, 1, "b.example", gid_body, 2),
      MM_E_MALFORMED);
  ck_assert_uint_eq(o.n, 1);
  mm_outbox_free(&o);
}
END_TEST

/* Configure: the profile byte travels only when set, absent reads as 0. */
START_TEST(test_shim_configure_profile) {
  for (uint8_t p = 0; p <= 2; p++) {
    mm_shim_msg m = {.type = MM_SHIM_CONFIGURE,
                     .role = 1,
                     .domain = mm_view_str("s.example"),
                     .state_dir = mm_view_str("/tmp/x"),
                     .now = 5,
                     .profile = p};
    mm_writer w;
    mm_writer_init(&w);
    ck_assert_int_eq(mm_shim_encode(&m, &w), MM_OK);
    mm_shim_msg back;
    mm_view body = mm_view_of(w.buf + MM_SHIM_HEADER_LEN, w.len - MM_SHIM_HEADER_LEN);
    ck_assert_int_eq(mm_shim_decode(body.data, body.len, &back, NULL), MM_OK);
    ck_assert_uint_eq(back.profile, p);
    ck_assert_uint_eq(back.now, 5);
    if (p == 0) {
      /* the frame of a profile-1 runner, byte for byte: no trailing byte */
      ck_assert_uint_eq(body.data[body.len - 1], 5);
    } else {
      ck_assert_uint_eq(body.data[body.len - 1], p);
      w.buf[w.len - 1] = 3; /* an unknown profile */
      ck_assert_int_eq(mm_shim_decode(body.data, body.len, &back, NULL), MM_E_MALFORMED);
      ck_assert(mm_put_u8(&w, 2)); /* two trailing bytes */
      w.buf[w.len - 2] = p;
      body.len++;
      ck_assert_int_eq(mm_shim_decode(body.data, body.len, &back, NULL), MM_E_MALFORMED);
    }
    mm_writer_free(&w);
  }
}
END_TEST

/* One shim request to the reference DS; the reply decoded into *m (views into the returned
 * buffer, freed by the caller). */
static uint8_t *ask(mm_refds *d, const mm_shim_msg *req, mm_shim_msg *m) {
  mm_writer w, reply;
  mm_writer_init(&w);
  mm_writer_init(&reply);
  ck_assert_int_eq(mm_shim_encode(req, &w), MM_OK);
  bool quit;
  ck_assert_int_eq(
      mm_refds_handle(d, w.buf + MM_SHIM_HEADER_LEN, w.len - MM_SHIM_HEADER_LEN, &reply, &quit),
      MM_OK);
  mm_writer_free(&w);
  uint8_t *bytes;
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&reply, &bytes, &len), MM_OK);
  ck_assert_int_eq(mm_shim_decode(bytes + MM_SHIM_HEADER_LEN, len - MM_SHIM_HEADER_LEN, m, NULL),
                   MM_OK);
  return bytes;
}

/* The reference DS behind the shim in profile 2: it declares profile_v2, takes Configure.profile
 * and installs a MigrationGroupState (MLS-1), refusing one that fails MLS-2. */
START_TEST(test_ref_ds_profile_v2) {
  char dir[] = "/tmp/mlsmig-v2-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  mm_refds *d;
  ck_assert_int_eq(mm_refds_new(0, &d), MM_OK);
  mm_shim_msg m, hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION};
  free(ask(d, &hello, &m));
  ck_assert(m.features & MM_SHIM_F_PROFILE_V2);
  mm_rng rng;
  mm_rng_init_seeded(&rng, 3, "refds v2");
  mm_key *k;
  ck_assert_int_eq(mm_key_generate(1, &rng, &k), MM_OK);
  mm_writer keys;
  mm_writer_init(&keys);
  ck_assert(mm_shim_put_signing_key(&keys, 1, mm_key_private(k)));
  mm_shim_msg cfg = {.type = MM_SHIM_CONFIGURE,
                     .role = MM_SHIM_ROLE_SOURCE,
                     .domain = mm_view_str("source.example"),
                     .signing_keys = mm_writer_view(&keys),
                     .state_dir = mm_view_str(dir),
                     .profile = 2};
  free(ask(d, &cfg, &m));
  ck_assert_uint_eq(m.type, MM_SHIM_OK);
  mf_group g;
  mm_mls_state *cur;
  mm_writer b, st;
  make_bundle(&g, &cur, &b);
  mm_writer_init(&st);
  ck_assert_int_eq(mm_mls_state_encode(cur, mm_view_str("p"), &st), MM_OK);
  mm_shim_msg inst = {.type = MM_SHIM_INSTALL_GROUP, .bytes = mm_writer_view(&st)};
  free(ask(d, &inst, &m));
  ck_assert_uint_eq(m.type, MM_SHIM_OK);
  mm_shim_msg q = {.type = MM_SHIM_QUERY_GROUP, .bytes = mf_gid(&g)};
  uint8_t *r = ask(d, &q, &m);
  ck_assert_uint_eq(m.type, MM_SHIM_GROUP);
  ck_assert_uint_eq(m.status, MM_SHIM_GS_ACTIVE);
  ck_assert_uint_eq(m.epoch, 2);
  free(r);
  /* a v1 GroupState, and a MigrationGroupState whose GroupInfo signature is broken: refused */
  uint8_t v1[] = {0, 1, 0, 1, 1, 'g', 0, 0, 0, 0, 0, 0, 0, 3, 0, 0};
  inst.bytes = mm_view_of(v1, sizeof v1);
  free(ask(d, &inst, &m));
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR);
  mm_mls_migration_group_state bad;
  mm_limits lim = mm_limits_default(1);
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_MIGRATION_GROUP_STATE, st.buf, st.len, &lim, &bad, NULL),
                   MM_OK);
  uint8_t sig[64];
  memcpy(sig, bad.group_info.signature.data, 64);
  sig[63] ^= 1;
  bad.group_info.signature = mm_view_of(sig, 64);
  bad.group_info.group_context.group_id = mm_view_str("another");
  mm_writer bw;
  mm_writer_init(&bw);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MIGRATION_GROUP_STATE, &bad, &lim, &bw, NULL), MM_OK);
  inst.bytes = mm_writer_view(&bw);
  free(ask(d, &inst, &m));
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR);
  mm_shim_msg bye = {.type = MM_SHIM_SHUTDOWN};
  free(ask(d, &bye, &m));
  mm_refds_free(d);
  mm_writer_free(&st);
  mm_writer_free(&bw);
  mm_writer_free(&b);
  mm_writer_free(&keys);
  mm_key_free(k);
  mm_mls_state_free(cur);
  mf_group_free(&g);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_profile_v2(void) {
  Suite *s = suite_create("profile_v2");
  TCase *tc = tcase_create("envelope");
  MM_ADD_TEST(tc, test_v2_message_types_named, "-");
  MM_ADD_TEST(tc, test_v2_envelope_commit_bundle, "ENC-2 ENC-4");
  MM_ADD_TEST(tc, test_v2_envelope_frame_rules, "ENC-2 ENC-4");
  MM_ADD_TEST(tc, test_v2_welcome_and_group_info_bodies, "ENC-4");
  MM_ADD_TEST(tc, test_v2_send_profile, "-");
  MM_ADD_TEST(tc, test_shim_configure_profile, "-");
  MM_ADD_TEST(tc, test_ref_ds_profile_v2, "MLS-1 MLS-2");
  suite_add_tcase(s, tc);
  return s;
}

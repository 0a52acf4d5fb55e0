/* CommitBundles (sim/mls/mls_bundle.c, mls_state.c): what a member builds
 * (Add with and without a path, Remove, Update, external commit) is taken
 * by a DS's checks in every suite, and each defect is refused with its
 * code. These are the library side of MLS-4 and MLS-5, whose rule IDs the
 * actors will carry; here: the framing (EPOCH-2), the new state (MLS-2),
 * membership (MLS-3) and the last epoch (EPOCH-3). */
#include <stdlib.h>
#include <string.h>

#include "mls_fixture.h"
#include "testlib.h"

typedef struct fx {
  mf_group g;
  mm_mls_state *cur;
  mm_key *joiner;
  mm_writer kp;
  mm_mls_proposal add;
} fx;

/* A fresh joiner (key, KeyPackage, Add proposal) named id. */
static void make_add(fx *f, const char *id) {
  mm_key_free(f->joiner);
  mm_writer_free(&f->kp);
  ck_assert_int_eq(mm_key_generate(f->g.suite, &f->g.rng, &f->joiner), MM_OK);
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = mm_view_str(id),
                           .encryption_key = mm_mls_random_hpke_key(f->g.suite, &f->g.rng, enc),
                           .lifetime = {0, 1000}};
  mm_writer_init(&f->kp);
  ck_assert_int_eq(
      mm_mls_build_key_package(f->joiner, mm_mls_random_hpke_key(f->g.suite, &f->g.rng, init),
                               &spec, &f->kp),
      MM_OK);
  memset(&f->add, 0, sizeof f->add);
  f->add.proposal_type = MM_MLS_PROP_ADD;
  mm_limits lim = mm_limits_default(f->g.suite);
  mm_derr err;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_KEY_PACKAGE, f->kp.buf, f->kp.len, &lim,
                                 &f->add.add.key_package, &err),
                   MM_OK);
}

/* A group of 4 at epoch 4 (suite i + 1), its held state, and an Add
 * proposal for new@example.org. */
static void fx_init(fx *f, int i) {
  memset(f, 0, sizeof *f);
  mf_group_init(&f->g, (uint16_t)(i + 1), 4, 4, 200 + (uint64_t)i);
  mm_mls_expect exp = mf_expect(&f->g, 4);
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(f->g.state, f->g.state_len, &exp, &f->cur, &why),
                   MM_OK);
  mm_writer_init(&f->kp);
  make_add(f, "new@example.org");
}

static void fx_free(fx *f) {
  mm_mls_state_free(f->cur);
  mm_key_free(f->joiner);
  mm_writer_free(&f->kp);
  mf_group_free(&f->g);
}

static const mm_mls_group_context *ctx_of(const fx *f) {
  return &mm_mls_state_group_info(f->cur)->group_context;
}

/* A bundle committed by leaf `by` (its own key unless key is given). */
static void bundle(fx *f, uint32_t by, const mm_key *key, const mm_mls_group_context *ctx,
                   const mm_mls_proposal *props, size_t n, bool path, mm_writer *out) {
  mm_mls_commit_spec spec = {.ctx = ctx ? ctx : ctx_of(f),
                             .cur_tree = mm_mls_state_tree(f->cur),
                             .committer = by,
                             .key = key ? key : f->g.keys[by],
                             .identity = f->g.ids[by],
                             .proposals = props,
                             .n_proposals = n,
                             .path = path,
                             .aad = mm_view_str("aad")};
  mm_writer_init(out);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &f->g.rng, out, NULL), MM_OK);
}

/* Applies b as sent by sender: the result, with the next state in *next
 * (freed by the caller) on success. */
static mm_err apply(fx *f, mm_view b, mm_view sender, mm_mls_state **next, mm_mls_commit_info *info,
                    mm_mls_why *why) {
  mm_err e = mm_mls_state_apply_bundle(f->cur, b.data, b.len, sender, next, info, why);
  if (e != MM_OK) ck_assert_ptr_null(*next);
  return e;
}

static void expect(fx *f, mm_view b, mm_view sender, mm_err want, mm_mls_check c) {
  mm_mls_state *next = NULL;
  mm_mls_why why;
  mm_err e = apply(f, b, sender, &next, NULL, &why);
  ck_assert_msg(e == want && why.check == c, "suite %u: got %s/%s (%s), want %s/%s", f->g.suite,
                mm_err_name(e), mm_mls_check_name(why.check), why.text, mm_err_name(want),
                mm_mls_check_name(c));
  mm_mls_state_free(next);
}

static mm_view wv(const mm_writer *w) { return mm_writer_view(w); }

START_TEST(test_add_commit_accepted) {
  fx f;
  fx_init(&f, _i);
  for (int path = 0; path <= 1; path++) {
    const char *id = path ? "new2@example.org" : "new@example.org";
    if (path) make_add(&f, id);
    mm_writer b;
    bundle(&f, 1, NULL, NULL, &f.add, 1, path, &b);
    mm_mls_state *next = NULL;
    mm_mls_commit_info info;
    mm_mls_why why;
    mm_err e = apply(&f, wv(&b), f.g.ids[1], &next, &info, &why);
    ck_assert_msg(e == MM_OK, "suite %u: %s (%s)", f.g.suite, why.text, mm_err_name(e));
    ck_assert_uint_eq(mm_mls_state_epoch(next), 5 + (uint64_t)path);
    ck_assert(info.has_welcome && info.public_message && !info.external);
    ck_assert_uint_eq(info.sender_leaf, 1);
    ck_assert(info.commit.len > 0 && info.welcome.len > 0);
    /* the welcome goes to the new identity only, and names its KeyPackage */
    mm_view *ids;
    size_t n;
    ck_assert_int_eq(
        mm_mls_new_identities(mm_mls_state_tree(f.cur), mm_mls_state_tree(next), &ids, &n), MM_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(mm_view_eq_str(ids[0], id));
    free(ids);
    mm_mls_msg w;
    mm_derr err;
    ck_assert_int_eq(
        mm_mls_decode(MM_MLS_T_MLS_MESSAGE, info.welcome.data, info.welcome.len, NULL, &w, &err),
        MM_OK);
    mm_mls_encrypted_group_secrets gs;
    size_t pos = 0;
    uint8_t ref[MM_MAX_HASH_LEN];
    size_t ref_len;
    ck_assert_int_eq(mm_mls_key_package_ref(f.g.suite, wv(&f.kp), ref, &ref_len), MM_OK);
    ck_assert(mm_mls_secrets_next(w.welcome.secrets, &pos, &gs));
    ck_assert(mm_view_eq(gs.new_member, mm_view_of(ref, ref_len)));
    /* without a path the new leaf is unmerged: the next commit still passes */
    mm_mls_state_free(f.cur);
    f.cur = next;
    mm_writer_free(&b);
  }
  mm_writer b;
  bundle(&f, 2, NULL, NULL, NULL, 0, true, &b);
  mm_mls_state *next = NULL;
  mm_mls_why why;
  ck_assert_msg(apply(&f, wv(&b), f.g.ids[2], &next, NULL, &why) == MM_OK, "%s", why.text);
  ck_assert_uint_eq(mm_mls_member_count(mm_mls_state_tree(next)), 6);
  mm_mls_state_free(next);
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

START_TEST(test_remove_and_update_accepted) {
  fx f;
  fx_init(&f, _i);
  mm_mls_proposal rm = {.proposal_type = MM_MLS_PROP_REMOVE, .remove = {2}};
  mm_writer b;
  bundle(&f, 0, NULL, NULL, &rm, 1, true, &b);
  mm_mls_state *next = NULL;
  mm_mls_why why;
  ck_assert_msg(apply(&f, wv(&b), f.g.ids[0], &next, NULL, &why) == MM_OK, "%s", why.text);
  ck_assert(!mm_mls_is_member(mm_mls_state_tree(next), f.g.ids[2]));
  ck_assert_uint_eq(mm_mls_member_count(mm_mls_state_tree(next)), 3);
  mm_writer_free(&b);
  mm_mls_state_free(f.cur);
  f.cur = next;
  /* an empty commit with a path: the committer's leaf gets new keys */
  mm_mls_leaf_node before, after;
  ck_assert(mm_mls_tree_leaf(mm_mls_state_tree(f.cur), 3, &before));
  bundle(&f, 3, NULL, NULL, NULL, 0, true, &b);
  ck_assert_msg(apply(&f, wv(&b), f.g.ids[3], &next, NULL, &why) == MM_OK, "%s", why.text);
  ck_assert(mm_mls_tree_leaf(mm_mls_state_tree(next), 3, &after));
  ck_assert(!mm_view_eq(before.encryption_key, after.encryption_key));
  ck_assert_uint_eq(after.leaf_node_source, MM_MLS_SRC_COMMIT);
  ck_assert_uint_eq(mm_mls_state_epoch(next), 6);
  mm_writer_free(&b);
  mm_mls_state_free(next);
  fx_free(&f);
}
END_TEST

START_TEST(test_external_commit) {
  fx f;
  fx_init(&f, _i);
  mm_mls_commit_spec spec = {.ctx = ctx_of(&f),
                             .cur_tree = mm_mls_state_tree(f.cur),
                             .external = true,
                             .key = f.joiner,
                             .identity = mm_view_str("new@example.org")};
  mm_writer b;
  mm_writer_init(&b);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &f.g.rng, &b, NULL), MM_OK);
  mm_mls_state *next = NULL;
  mm_mls_commit_info info;
  mm_mls_why why;
  mm_err e = apply(&f, wv(&b), mm_view_str("new@example.org"), &next, &info, &why);
  ck_assert_msg(e == MM_OK, "suite %u: %s", f.g.suite, why.text);
  ck_assert(info.external && !info.has_welcome);
  ck_assert(mm_mls_is_member(mm_mls_state_tree(next), mm_view_str("new@example.org")));
  mm_mls_state_free(next);
  /* the same bundle said to come from someone else */
  expect(&f, wv(&b), f.g.ids[1], MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

/* The commit's framing: epoch, group, the last epoch (EPOCH-3). */
START_TEST(test_framing_checked) {
  fx f;
  fx_init(&f, _i);
  mm_mls_group_context ctx = *ctx_of(&f);
  mm_writer b;
  ctx.epoch = 3;
  bundle(&f, 1, NULL, &ctx, NULL, 0, true, &b);
  expect(&f, wv(&b), f.g.ids[1], MM_E_STALE_EPOCH, MM_MLS_C_COMMIT_EPOCH);
  mm_writer_free(&b);
  ctx = *ctx_of(&f);
  ctx.group_id = mm_view_str("another group");
  bundle(&f, 1, NULL, &ctx, NULL, 0, true, &b);
  expect(&f, wv(&b), f.g.ids[1], MM_E_BAD_COMMIT, MM_MLS_C_COMMIT_GROUP);
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

START_TEST(test_last_epoch_refused) {
  fx f;
  memset(&f, 0, sizeof f);
  mf_group_init(&f.g, (uint16_t)(_i + 1), 3, UINT64_MAX, 50 + (uint64_t)_i);
  mm_mls_expect exp = mf_expect(&f.g, UINT64_MAX);
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(f.g.state, f.g.state_len, &exp, &f.cur, &why), MM_OK);
  /* a member cannot build one either */
  mm_mls_commit_spec spec = {.ctx = ctx_of(&f),
                             .cur_tree = mm_mls_state_tree(f.cur),
                             .key = f.g.keys[0],
                             .identity = f.g.ids[0],
                             .path = true};
  mm_writer b;
  mm_writer_init(&b);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &f.g.rng, &b, NULL), MM_E_USAGE);
  mm_writer_free(&b);
  mm_mls_group_context ctx = *ctx_of(&f);
  ctx.epoch = UINT64_MAX - 1;
  bundle(&f, 0, NULL, &ctx, NULL, 0, true, &b);
  mm_mls_state *next = NULL;
  ck_assert_int_eq(apply(&f, wv(&b), f.g.ids[0], &next, NULL, &why), MM_E_STALE_EPOCH);
  ck_assert_int_eq(why.check, MM_MLS_C_LAST_EPOCH);
  ck_assert_str_eq(why.rule, "EPOCH-3");
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

START_TEST(test_sender_checked) {
  fx f;
  fx_init(&f, _i);
  mm_writer b;
  bundle(&f, 1, NULL, NULL, NULL, 0, true, &b);
  expect(&f, wv(&b), mm_view_str("stranger@example.com"), MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  expect(&f, wv(&b), f.g.ids[2], MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  mm_writer_free(&b);
  /* signed with another member's key */
  bundle(&f, 1, f.g.keys[2], NULL, NULL, 0, false, &b);
  expect(&f, wv(&b), f.g.ids[1], MM_E_BAD_SIGNATURE, MM_MLS_C_MESSAGE_SIG);
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

/* Bundles spliced from two valid ones, or with a part swapped. */
START_TEST(test_bundle_parts_checked) {
  fx f;
  fx_init(&f, _i);
  mm_writer b1, b2, out;
  bundle(&f, 1, NULL, NULL, &f.add, 1, true, &b1);
  bundle(&f, 2, NULL, NULL, NULL, 0, true, &b2);
  mm_limits lim = mm_limits_default(f.g.suite);
  mm_derr err;
  mm_mls_commit_bundle c1, c2, x;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b1.buf, b1.len, &lim, &c1, &err), MM_OK);
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b2.buf, b2.len, &lim, &c2, &err), MM_OK);
  /* leaf 1's commit with the state leaf 2 signed */
  x = c1;
  x.group_info = c2.group_info;
  x.ratchet_tree = c2.ratchet_tree;
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &x, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[1], MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  mm_writer_free(&out);
  /* a state whose tree is not the GroupInfo's */
  x = c1;
  x.ratchet_tree = c2.ratchet_tree;
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &x, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[1], MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_HASH);
  mm_writer_free(&out);
  /* the commit where the welcome goes, and a welcome that is a commit */
  x = c1;
  x.welcome = c1.commit;
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &x, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[1], MM_E_BAD_COMMIT, MM_MLS_C_WIRE_FORMAT);
  mm_writer_free(&out);
  x = c1;
  x.commit = c1.welcome;
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &x, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[1], MM_E_BAD_COMMIT, MM_MLS_C_WIRE_FORMAT);
  mm_writer_free(&out);
  /* a proposal where the commit goes */
  x = c2;
  mm_mls_framed_content *fc = &x.commit.public_message.content;
  fc->content_type = MM_CONTENT_PROPOSAL;
  fc->proposal = (mm_mls_proposal){.proposal_type = MM_MLS_PROP_REMOVE, .remove = {3}};
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &x, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[2], MM_E_BAD_COMMIT, MM_MLS_C_CONTENT_TYPE);
  mm_writer_free(&out);
  /* trailing bytes after a bundle: malformed */
  mm_put_u8(&b2, 0);
  expect(&f, wv(&b2), f.g.ids[2], MM_E_MALFORMED, MM_MLS_C_DECODE);
  mm_writer_free(&b1);
  mm_writer_free(&b2);
  fx_free(&f);
}
END_TEST

/* A PrivateMessage commit: the DS cannot read it and relies on the signed
 * GroupInfo and the envelope's sender. */
START_TEST(test_private_commit) {
  fx f;
  fx_init(&f, _i);
  mm_writer b, out;
  bundle(&f, 1, NULL, NULL, NULL, 0, true, &b);
  mm_limits lim = mm_limits_default(f.g.suite);
  mm_derr err;
  mm_mls_commit_bundle c;
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, b.buf, b.len, &lim, &c, &err), MM_OK);
  c.commit = (mm_mls_msg){.version = MM_MLS10, .wire_format = MM_WIRE_PRIVATE};
  c.commit.private_message = (mm_mls_private_message){.group_id = mf_gid(&f.g),
                                                      .epoch = 4,
                                                      .content_type = MM_CONTENT_COMMIT,
                                                      .encrypted_sender_data = mm_view_str("esd"),
                                                      .ciphertext = mm_view_str("ct")};
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &c, &lim, &out, &err), MM_OK);
  mm_mls_state *next = NULL;
  mm_mls_commit_info info;
  mm_mls_why why;
  ck_assert_msg(apply(&f, wv(&out), f.g.ids[1], &next, &info, &why) == MM_OK, "%s", why.text);
  ck_assert(!info.public_message);
  mm_mls_state_free(next);
  expect(&f, wv(&out), mm_view_str("stranger@example.com"), MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  /* a member who did not sign the new GroupInfo */
  expect(&f, wv(&out), f.g.ids[3], MM_E_NOT_MEMBER, MM_MLS_C_SENDER);
  c.commit.private_message.epoch = 5;
  out.len = 0;
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_COMMIT_BUNDLE, &c, &lim, &out, &err), MM_OK);
  expect(&f, wv(&out), f.g.ids[1], MM_E_STALE_EPOCH, MM_MLS_C_COMMIT_EPOCH);
  mm_writer_free(&out);
  mm_writer_free(&b);
  fx_free(&f);
}
END_TEST

/* Members' application messages (the library side of MLS-5). */
START_TEST(test_application_messages) {
  fx f;
  fx_init(&f, 0);
  mm_mls_msg m = {.version = MM_MLS10, .wire_format = MM_WIRE_PRIVATE};
  m.private_message = (mm_mls_private_message){.group_id = mf_gid(&f.g),
                                               .epoch = 4,
                                               .content_type = MM_CONTENT_APPLICATION,
                                               .encrypted_sender_data = mm_view_str("esd"),
                                               .ciphertext = mm_view_str("ct")};
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &m, NULL, &w, NULL), MM_OK);
  mm_mls_why why;
  ck_assert_int_eq(
      mm_mls_check_message(f.cur, w.buf, w.len, MM_CONTENT_APPLICATION, f.g.ids[2], &why), MM_OK);
  ck_assert_int_eq(mm_mls_check_message(f.cur, w.buf, w.len, MM_CONTENT_APPLICATION,
                                        mm_view_str("stranger@example.com"), &why),
                   MM_E_NOT_MEMBER);
  ck_assert_int_eq(mm_mls_check_message(f.cur, w.buf, w.len, MM_CONTENT_COMMIT, f.g.ids[2], &why),
                   MM_E_BAD_COMMIT);
  m.private_message.epoch = 3;
  w.len = 0;
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &m, NULL, &w, NULL), MM_OK);
  ck_assert_int_eq(
      mm_mls_check_message(f.cur, w.buf, w.len, MM_CONTENT_APPLICATION, f.g.ids[2], &why),
      MM_E_STALE_EPOCH);
  m.private_message.epoch = 4;
  m.private_message.group_id = mm_view_str("elsewhere");
  w.len = 0;
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &m, NULL, &w, NULL), MM_OK);
  ck_assert_int_eq(
      mm_mls_check_message(f.cur, w.buf, w.len, MM_CONTENT_APPLICATION, f.g.ids[2], &why),
      MM_E_UNKNOWN_GROUP);
  ck_assert_int_eq(
      mm_mls_check_message(f.cur, w.buf, w.len - 1, MM_CONTENT_APPLICATION, f.g.ids[2], &why),
      MM_E_MALFORMED);
  mm_writer_free(&w);
  fx_free(&f);
}
END_TEST

Suite *suite_mls_bundle(void) {
  Suite *s = suite_create("mls_bundle");
  TCase *tc = tcase_create("mls_bundle");
  tcase_set_timeout(tc, 300);
  MM_ADD_LOOP_TEST(tc, test_add_commit_accepted, "MLS-2 MLS-3", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_remove_and_update_accepted, "MLS-2 MLS-3", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_external_commit, "MLS-2 MLS-3", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_framing_checked, "EPOCH-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_last_epoch_refused, "EPOCH-3", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_sender_checked, "MLS-3", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_bundle_parts_checked, "MLS-2 MLS-3 EPOCH-2 ENC-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_private_commit, "MLS-3 EPOCH-2", 0, 7);
  MM_ADD_TEST(tc, test_application_messages, "MLS-3");
  suite_add_tcase(s, tc);
  return s;
}

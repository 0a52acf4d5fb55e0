/* Public-state validation (sim/mls/mls_validate.c, profile MLS-1, MLS-2,
 * MLS-3): a genuine state passes in every suite, and each single defect,
 * with everything else signed again so that it is the only one, is
 * refused with its own check. Loop tests run once per suite (_i + 1). */
#include <stdlib.h>
#include <string.h>

#include "mls_fixture.h"
#include "testlib.h"

/* A state of 5 members plus one added without a path (so the tree has
 * parent hashes and unmerged leaves), at epoch 8. */
static void rich_group(mf_group *g, int i) {
  mf_group_init(g, (uint16_t)(i + 1), 5, 7, 100 + (uint64_t)i);
  mf_group_add_unmerged(g);
}

/* Expects validation of state (freed here) to fail with e and check c. */
static void expect_refused(const mf_group *g, uint8_t *state, size_t len, mm_err e,
                           mm_mls_check c) {
  mm_mls_expect exp = mf_expect(g, 8);
  mm_mls_why why;
  mm_err got = mf_validate(state, len, &exp, &why);
  ck_assert_msg(got == e && why.check == c, "suite %u: got %s/%s (%s), want %s/%s", g->suite,
                mm_err_name(got), mm_mls_check_name(why.check), why.text, mm_err_name(e),
                mm_mls_check_name(c));
  ck_assert(strlen(why.text) > 10);
  ck_assert_ptr_nonnull(why.rule);
  free(state);
}

/* The state with node x replaced by n (NULL: blank), tree hash fixed and
 * the GroupInfo signed again by its signer (leaf 0). */
static void expect_node_refused(mf_group *g, uint32_t x, const mm_mls_node *n, mm_err e,
                                mm_mls_check c) {
  mm_mls_public_group_state p = mf_pgs(g);
  uint8_t *buf;
  mm_list l = mf_list_with(g->suite, p.ratchet_tree, x, n, &buf);
  size_t len;
  uint8_t *s = mf_state_of(g->suite, &p.group_info, l, g->keys[p.group_info.signer], true, &len);
  free(buf);
  expect_refused(g, s, len, e, c);
}

/* The key of the GroupInfo's signer. */
static const mm_key *signer_key(const mf_group *g) {
  mm_mls_public_group_state p = mf_pgs(g);
  return g->keys[p.group_info.signer];
}

static mm_mls_node node_at(const mf_group *g, uint32_t x) {
  mm_mls_node n;
  ck_assert(mm_mls_tree_node(g->tree, x, &n));
  return n;
}

START_TEST(test_valid_state_every_suite) {
  mf_group g;
  rich_group(&g, _i);
  mm_mls_expect exp = mf_expect(&g, 8);
  mm_mls_why why;
  mm_mls_state *s = NULL;
  mm_err e = mm_mls_state_from_public(g.state, g.state_len, &exp, &s, &why);
  ck_assert_msg(e == MM_OK, "suite %u: %s (%s)", g.suite, why.text, mm_err_name(e));
  ck_assert_uint_eq(mm_mls_state_epoch(s), 8);
  ck_assert_uint_eq(mm_mls_state_suite(s), g.suite);
  ck_assert(mm_view_eq(mm_mls_state_group_id(s), mf_gid(&g)));
  /* the tree really has unmerged leaves and parent hashes */
  mm_mls_node root = node_at(&g, mm_mls_tree_root(g.tree));
  ck_assert_uint_eq(root.parent_node.unmerged_leaves.count, 1);
  ck_assert_uint_gt(root.parent_node.encryption_key.len, 0);
  /* re-encoding gives the bytes back; as a MigrationGroupState too */
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_state_encode_public(s, &w), MM_OK);
  ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of(g.state, g.state_len)));
  mm_writer_free(&w);
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_state_encode(s, mm_view_str("payload"), &w), MM_OK);
  mm_mls_state *m = NULL;
  ck_assert_int_eq(mm_mls_state_from_group_state(w.buf, w.len, &exp, &m, &why), MM_OK);
  ck_assert(mm_view_eq_str(mm_mls_state_ds_payload(m), "payload"));
  ck_assert_uint_eq(mm_mls_member_count(mm_mls_state_tree(m)), 6);
  /* MLS-1: version 2 only */
  w.buf[1] = 1;
  mm_mls_state *bad = NULL;
  ck_assert_int_eq(mm_mls_state_from_group_state(w.buf, w.len, &exp, &bad, &why), MM_E_MALFORMED);
  ck_assert_str_eq(why.rule, "ENC-4");
  mm_writer_free(&w);
  mm_mls_state_free(m);
  mm_mls_state_free(s);
  mf_group_free(&g);
}
END_TEST

/* The GroupContext against what the DS expects. */
START_TEST(test_context_checks) {
  mf_group g;
  mf_group_init(&g, (uint16_t)(_i + 1), 3, 8, 300 + (uint64_t)_i);
  mm_mls_why why;
  mm_mls_expect exp = mf_expect(&g, 8);
  ck_assert_int_eq(mf_validate(g.state, g.state_len, &exp, &why), MM_OK);
  exp.suite = (uint16_t)(g.suite % 7 + 1);
  ck_assert_int_eq(mf_validate(g.state, g.state_len, &exp, &why), MM_E_BAD_GROUP_STATE);
  ck_assert_int_eq(why.check, MM_MLS_C_CIPHER_SUITE);
  exp = mf_expect(&g, 9);
  ck_assert_int_eq(mf_validate(g.state, g.state_len, &exp, &why), MM_E_BAD_GROUP_STATE);
  ck_assert_int_eq(why.check, MM_MLS_C_EPOCH);
  exp = mf_expect(&g, 8);
  exp.group_id = mm_view_str("another group");
  ck_assert_int_eq(mf_validate(g.state, g.state_len, &exp, &why), MM_E_BAD_GROUP_STATE);
  ck_assert_int_eq(why.check, MM_MLS_C_GROUP_ID);
  exp = mf_expect(&g, 8);
  exp.suite = 9;
  ck_assert_int_eq(mf_validate(g.state, g.state_len, &exp, &why), MM_E_UNSUPPORTED_CIPHERSUITE);
  /* version: unreachable through the codec (ENC-4), checked all the same */
  mm_mls_public_group_state p = mf_pgs(&g);
  exp = mf_expect(&g, 8);
  p.group_info.group_context.version = 2;
  ck_assert_int_eq(mm_mls_validate_public_state(&p.group_info, p.ratchet_tree, &exp, NULL, &why),
                   MM_E_BAD_GROUP_STATE);
  ck_assert_int_eq(why.check, MM_MLS_C_VERSION);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_tree_hash_checked) {
  mf_group g;
  rich_group(&g, _i);
  mm_mls_public_group_state p = mf_pgs(&g);
  uint8_t th[MM_MAX_HASH_LEN];
  memcpy(th, p.group_info.group_context.tree_hash.data, p.group_info.group_context.tree_hash.len);
  th[0] ^= 1;
  p.group_info.group_context.tree_hash.data = th;
  size_t len;
  uint8_t *s = mf_state_of(g.suite, &p.group_info, p.ratchet_tree, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_HASH);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_parent_hash_checked) {
  mf_group g;
  rich_group(&g, _i);
  /* node 3 is on leaf 0's path: its parent_hash changed, node 1 below it
   * no longer carries its ParentHash */
  mm_mls_node n = node_at(&g, 3);
  uint8_t ph[MM_MAX_HASH_LEN];
  memcpy(ph, n.parent_node.parent_hash.data, n.parent_node.parent_hash.len);
  ph[3] ^= 0x10;
  n.parent_node.parent_hash.data = ph;
  expect_node_refused(&g, 3, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_PARENT_HASH);
  /* and an encryption key changed: its ParentHash changes */
  n = node_at(&g, 1);
  mm_mls_node other = node_at(&g, 3);
  n.parent_node.encryption_key = other.parent_node.encryption_key;
  expect_node_refused(&g, 1, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_PARENT_HASH);
  /* a parent no commit set: blank node 9 (above leaves 4, 5) made
   * non-blank, listing leaf 5 as the root does */
  n = node_at(&g, mm_mls_tree_root(g.tree));
  expect_node_refused(&g, 9, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_PARENT_HASH);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_unmerged_leaves_checked) {
  mf_group g;
  rich_group(&g, _i);
  /* leaf 5 is unmerged at the root (7); listed twice, a leaf not below,
   * a blank leaf, and one the node below does not list */
  uint32_t root = mm_mls_tree_root(g.tree);
  mm_mls_node n = node_at(&g, root);
  uint8_t l[8] = {0, 0, 0, 5, 0, 0, 0, 5};
  n.parent_node.unmerged_leaves = (mm_list){mm_view_of(l, 8), 2};
  expect_node_refused(&g, root, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED);
  uint8_t blank[4] = {0, 0, 0, 6};
  n.parent_node.unmerged_leaves = (mm_list){mm_view_of(blank, 4), 1};
  expect_node_refused(&g, root, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED);
  n = node_at(&g, 3); /* leaves 0..3 */
  uint8_t far[4] = {0, 0, 0, 5};
  n.parent_node.unmerged_leaves = (mm_list){mm_view_of(far, 4), 1};
  expect_node_refused(&g, 3, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED);
  /* node 9 (leaves 4, 5) made non-blank without listing leaf 5, which the
   * root lists */
  n = node_at(&g, 3);
  n.parent_node.unmerged_leaves = (mm_list){mm_view_of(NULL, 0), 0};
  expect_node_refused(&g, 9, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED);
  mf_group_free(&g);
}
END_TEST

/* Leaf 5 (node 10) is unmerged at the root, so no parent hash covers it:
 * changing it leaves every other check as it was. */
#define FREE_LEAF 5
#define FREE_NODE 10

START_TEST(test_leaf_checks) {
  mf_group g;
  rich_group(&g, _i);
  uint8_t *buf;
  /* a leaf signature that does not verify */
  mm_mls_node n = node_at(&g, FREE_NODE);
  uint8_t sig[MM_MAX_SIG_LEN];
  memcpy(sig, n.leaf_node.signature.data, n.leaf_node.signature.len);
  sig[n.leaf_node.signature.len - 1] ^= 1;
  n.leaf_node.signature.data = sig;
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_LEAF_SIGNATURE);
  /* identity not name@domain */
  n = mf_leaf(&g, g.keys[FREE_LEAF], "Alice", mm_view_of(NULL, 0), &buf);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_IDENTITY);
  free(buf);
  n = mf_leaf(&g, g.keys[FREE_LEAF], "m5@Example.com", mm_view_of(NULL, 0), &buf);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_IDENTITY);
  free(buf);
  /* another member's signature key; another leaf's encryption key */
  n = mf_leaf(&g, g.keys[3], "m5@example.com", mm_view_of(NULL, 0), &buf);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_DUP_SIG_KEY);
  free(buf);
  mm_mls_node l3 = node_at(&g, 6);
  n = mf_leaf(&g, g.keys[FREE_LEAF], "m5@example.com", l3.leaf_node.encryption_key, &buf);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_DUP_ENC_KEY);
  free(buf);
  /* the control: a fresh leaf with valid keys, signed right, passes */
  n = mf_leaf(&g, g.keys[FREE_LEAF], "m5@example.com", mm_view_of(NULL, 0), &buf);
  mm_mls_public_group_state p = mf_pgs(&g);
  uint8_t *lb;
  mm_list l = mf_list_with(g.suite, p.ratchet_tree, FREE_NODE, &n, &lb);
  size_t len;
  uint8_t *s = mf_state_of(g.suite, &p.group_info, l, signer_key(&g), true, &len);
  mm_mls_expect exp = mf_expect(&g, 8);
  mm_mls_why why;
  ck_assert_msg(mf_validate(s, len, &exp, &why) == MM_OK, "suite %u: %s", g.suite, why.text);
  free(s);
  free(lb);
  free(buf);
  mf_group_free(&g);
}
END_TEST

/* An x509 credential, and capabilities without basic credentials. */
START_TEST(test_credential_checks) {
  mf_group g;
  rich_group(&g, _i);
  mm_mls_node n = node_at(&g, FREE_NODE);
  mm_mls_leaf_node *ln = &n.leaf_node;
  uint8_t cert[] = {3, 'a', 'b', 'c'};
  ln->credential = (mm_mls_credential){.credential_type = MM_MLS_CRED_X509,
                                       .certificates = {mm_view_of(cert, 4), 1}};
  mm_writer sig;
  mm_writer_init(&sig);
  ck_assert_int_eq(mm_mls_leaf_node_sign(g.keys[FREE_LEAF], ln, mf_gid(&g), FREE_LEAF, &sig),
                   MM_OK);
  ln->signature = mm_writer_view(&sig);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_CREDENTIAL);
  mm_writer_free(&sig);
  n = node_at(&g, FREE_NODE);
  ln->capabilities.credentials = (mm_list){mm_view_of(NULL, 0), 0};
  mm_writer_init(&sig);
  ck_assert_int_eq(mm_mls_leaf_node_sign(g.keys[FREE_LEAF], ln, mf_gid(&g), FREE_LEAF, &sig),
                   MM_OK);
  ln->signature = mm_writer_view(&sig);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_BAD_GROUP_STATE, MM_MLS_C_CAPABILITIES);
  mm_writer_free(&sig);
  mf_group_free(&g);
}
END_TEST

/* A signature key that is no point of the suite: malformed (ENC-4). */
START_TEST(test_invalid_point_malformed) {
  mf_group g;
  rich_group(&g, _i);
  const mm_suite *s = mm_suite_get(g.suite);
  mm_mls_node n = node_at(&g, FREE_NODE);
  uint8_t key[MM_MAX_PUB_LEN];
  memset(key, 0xff, sizeof key); /* EdDSA: y >= p; ECDSA: x, y >= p */
  if (s->sig_len == 0) key[0] = 0x04;
  n.leaf_node.signature_key = mm_view_of(key, s->pub_len);
  expect_node_refused(&g, FREE_NODE, &n, MM_E_MALFORMED, MM_MLS_C_KEY);
  mf_group_free(&g);
}
END_TEST

/* ENC-4 at the DS: a compressed P-256 signature key in a state of suite 2
 * does not decode. */
START_TEST(test_compressed_key_malformed) {
  mf_group g;
  mf_group_init(&g, 2, 3, 8, 77);
  mm_mls_public_group_state p = mf_pgs(&g);
  mm_mls_node n = node_at(&g, 2);
  uint8_t key[33];
  memcpy(key, n.leaf_node.signature_key.data, 33);
  key[0] = 0x02;
  n.leaf_node.signature_key = mm_view_of(key, 33);
  /* built by hand: the codec would not encode it under suite 2 */
  uint8_t *buf;
  mm_list l = mf_list_with(2, p.ratchet_tree, 2, &n, &buf);
  mm_writer w;
  mm_writer_init(&w);
  mm_limits lim = mm_limits_default(2);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_GROUP_INFO, &p.group_info, &lim, &w, NULL), MM_OK);
  mm_put_vec(&w, l.data.data, l.data.len);
  mm_mls_expect exp = mf_expect(&g, 8);
  mm_mls_why why;
  ck_assert_int_eq(mf_validate(w.buf, w.len, &exp, &why), MM_E_MALFORMED);
  ck_assert_str_eq(why.rule, "ENC-4");
  ck_assert_msg(strstr(why.text, "wrong length") != NULL, "%s", why.text);
  free(buf);
  mm_writer_free(&w);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_group_info_checks) {
  mf_group g;
  rich_group(&g, _i);
  mm_mls_public_group_state p = mf_pgs(&g);
  size_t len;
  /* signed by another member's key, by nobody's leaf, off the tree */
  uint8_t *s = mf_state_of(g.suite, &p.group_info, p.ratchet_tree, g.keys[p.group_info.signer ^ 1],
                           false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_GROUP_INFO_SIG);
  mm_mls_group_info gi = p.group_info;
  gi.signer = 6;
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_SIGNER);
  gi.signer = 1000;
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_SIGNER);
  /* signed by leaf 3 itself: fine */
  gi.signer = 3;
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, g.keys[3], false, &len);
  mm_mls_expect exp = mf_expect(&g, 8);
  mm_mls_why why;
  ck_assert_msg(mf_validate(s, len, &exp, &why) == MM_OK, "%s", why.text);
  free(s);
  /* MLS-1: a ratchet_tree extension equal to the tree passes, another not */
  mm_writer ext, tree;
  mm_writer_init(&ext);
  mm_writer_init(&tree);
  ck_assert_int_eq(mm_mls_tree_encode(g.tree, &tree), MM_OK);
  mm_mls_extension x = {MM_MLS_EXT_RATCHET_TREE, mm_writer_view(&tree)};
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &x, &ext), MM_OK);
  gi = p.group_info;
  gi.extensions = mm_mls_list_view(&ext, 1);
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, signer_key(&g), false, &len);
  ck_assert_msg(mf_validate(s, len, &exp, &why) == MM_OK, "%s", why.text);
  free(s);
  tree.buf[tree.len - 1] ^= 1;
  ext.len = 0;
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &x, &ext), MM_OK);
  gi.extensions = mm_mls_list_view(&ext, 1);
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_EXT);
  /* one extension type twice */
  mm_mls_extension y = {0x0a0a, mm_view_str("x")};
  ext.len = 0;
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &y, &ext), MM_OK);
  ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_EXTENSION, &y, &ext), MM_OK);
  gi.extensions = mm_mls_list_view(&ext, 2);
  s = mf_state_of(g.suite, &gi, p.ratchet_tree, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_EXTENSIONS);
  mm_writer_free(&ext);
  mm_writer_free(&tree);
  mf_group_free(&g);
}
END_TEST

START_TEST(test_tree_shape_checked) {
  mf_group g;
  rich_group(&g, _i);
  mm_mls_public_group_state p = mf_pgs(&g);
  size_t len;
  /* a blank after the last leaf */
  mm_writer w;
  mm_writer_init(&w);
  mm_put_bytes(&w, p.ratchet_tree.data.data, p.ratchet_tree.data.len);
  mm_put_u8(&w, 0);
  mm_list l = mm_mls_list_view(&w, p.ratchet_tree.count + 1);
  uint8_t *s = mf_state_of(g.suite, &p.group_info, l, signer_key(&g), false, &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE);
  mm_writer_free(&w);
  /* a leaf at a parent's position, a parent at a leaf's */
  mm_mls_node leaf = node_at(&g, 0), parent = node_at(&g, 1);
  expect_node_refused(&g, 1, &leaf, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE);
  expect_node_refused(&g, 2, &parent, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE);
  /* no tree at all */
  s = mf_state_of(g.suite, &p.group_info, (mm_list){mm_view_of(NULL, 0), 0}, signer_key(&g), false,
                  &len);
  expect_refused(&g, s, len, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE);
  mf_group_free(&g);
}
END_TEST

/* MLS-3: members are the non-blank leaves, by credential identity. */
START_TEST(test_members) {
  mf_group g;
  rich_group(&g, 0);
  ck_assert_uint_eq(mm_mls_member_count(g.tree), 6);
  uint32_t pos = 0, k = 0;
  mm_mls_member m;
  while (mm_mls_members_next(g.tree, &pos, &m)) {
    ck_assert_uint_eq(m.leaf_index, k);
    ck_assert(mm_view_eq(m.identity, g.ids[k]));
    ck_assert(mm_view_eq(m.signature_key, mm_key_public(g.keys[k])));
    k++;
  }
  ck_assert_uint_eq(k, 6);
  uint32_t leaf = 0;
  ck_assert(mm_mls_find_member(g.tree, g.ids[3], &leaf, &m));
  ck_assert_uint_eq(leaf, 3);
  leaf = 4;
  ck_assert(!mm_mls_find_member(g.tree, g.ids[3], &leaf, &m));
  ck_assert(mm_mls_is_member(g.tree, g.ids[5]));
  ck_assert(!mm_mls_is_member(g.tree, mm_view_str("stranger@example.com")));
  ck_assert(!mm_mls_is_member(g.tree, mm_view_of(NULL, 0)));
  /* two leaves of one identity (a user's devices): both found */
  mm_mls_tree *t;
  ck_assert_int_eq(mm_mls_tree_copy(g.tree, &t), MM_OK);
  uint8_t *buf;
  mm_mls_node dev = mf_leaf(&g, g.keys[0], "m3@example.com", mm_view_of(NULL, 0), &buf);
  mm_writer w;
  mm_writer_init(&w);
  mm_limits lim = mm_limits_default(g.suite);
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_LEAF_NODE, &dev.leaf_node, &lim, &w, NULL), MM_OK);
  ck_assert_int_eq(mm_mls_tree_add(t, mm_writer_view(&w), &leaf), MM_OK);
  ck_assert_uint_eq(leaf, 6);
  uint32_t at = 0;
  ck_assert(mm_mls_find_member(t, g.ids[3], &at, NULL));
  ck_assert_uint_eq(at, 3);
  at++;
  ck_assert(mm_mls_find_member(t, g.ids[3], &at, NULL));
  ck_assert_uint_eq(at, 6);
  /* new identities: none for a second device, one for a stranger */
  mm_view *ids;
  size_t n;
  ck_assert_int_eq(mm_mls_new_identities(g.tree, t, &ids, &n), MM_OK);
  ck_assert_uint_eq(n, 0);
  free(ids);
  ck_assert_int_eq(mm_mls_new_identities(NULL, t, &ids, &n), MM_OK);
  ck_assert_uint_eq(n, 6); /* every identity once */
  free(ids);
  ck_assert_int_eq(mm_mls_tree_remove(t, 2), MM_OK);
  ck_assert_int_eq(mm_mls_new_identities(t, g.tree, &ids, &n), MM_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert(mm_view_eq(ids[0], g.ids[2]));
  free(ids);
  mm_writer_free(&w);
  free(buf);
  mm_mls_tree_free(t);
  mf_group_free(&g);
}
END_TEST

Suite *suite_mls_state(void) {
  Suite *s = suite_create("mls_state");
  TCase *tc = tcase_create("mls_state");
  tcase_set_timeout(tc, 300);
  MM_ADD_LOOP_TEST(tc, test_valid_state_every_suite, "MLS-1 MLS-2 SUITE-1", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_context_checks, "MLS-2 SUITE-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_tree_hash_checked, "MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_parent_hash_checked, "MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_unmerged_leaves_checked, "MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_leaf_checks, "MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_credential_checks, "MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_invalid_point_malformed, "MLS-2 ENC-4", 0, 7);
  MM_ADD_TEST(tc, test_compressed_key_malformed, "ENC-4 MLS-2");
  MM_ADD_LOOP_TEST(tc, test_group_info_checks, "MLS-1 MLS-2", 0, 7);
  MM_ADD_LOOP_TEST(tc, test_tree_shape_checked, "MLS-2", 0, 7);
  MM_ADD_TEST(tc, test_members, "MLS-3");
  suite_add_tcase(s, tc);
  return s;
}

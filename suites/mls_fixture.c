/* Groups with genuine public state for the sim/mls suites (mls_fixture.h). */
#include "mls_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

void mf_group_init(mf_group *g, uint16_t suite, size_t n, uint64_t epoch, uint64_t seed) {
  ck_assert_uint_le(n, MF_MAX);
  memset(g, 0, sizeof *g);
  g->suite = suite;
  g->n = n;
  mm_rng_init_seeded(&g->rng, seed, "mls fixture");
  ck_assert_int_eq(mm_rng_fill(&g->rng, g->group_id, sizeof g->group_id), MM_OK);
  for (size_t i = 0; i < n; i++) {
    ck_assert_int_eq(mm_key_generate(suite, &g->rng, &g->keys[i]), MM_OK);
    snprintf(g->names[i], sizeof g->names[i], "m%zu@example.com", i);
    g->ids[i] = mm_view_str(g->names[i]);
  }
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(
      mm_mls_build_group(suite, mf_gid(g), epoch, g->ids, g->keys, n, &g->rng, &w, &g->tree),
      MM_OK);
  ck_assert_int_eq(mm_writer_finish(&w, &g->state, &g->state_len), MM_OK);
}

void mf_group_free(mf_group *g) {
  for (size_t i = 0; i < g->n; i++) mm_key_free(g->keys[i]);
  mm_mls_tree_free(g->tree);
  free(g->state);
  memset(g, 0, sizeof *g);
}

mm_view mf_gid(const mf_group *g) { return mm_view_of(g->group_id, sizeof g->group_id); }

mm_mls_expect mf_expect(const mf_group *g, uint64_t epoch) {
  return (mm_mls_expect){g->suite, mf_gid(g), true, epoch};
}

mm_mls_public_group_state mf_pgs(const mf_group *g) {
  mm_mls_public_group_state p;
  mm_derr err;
  mm_limits lim = mm_limits_default(g->suite);
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_PUBLIC_GROUP_STATE, g->state, g->state_len, &lim, &p, &err), MM_OK);
  return p;
}

uint8_t *mf_state_of(uint16_t suite, const mm_mls_group_info *gi, mm_list nodes, const mm_key *k,
                     bool fix_hash, size_t *len) {
  mm_mls_public_group_state p = {.group_info = *gi, .ratchet_tree = nodes};
  uint8_t th[MM_MAX_HASH_LEN];
  mm_writer sig;
  mm_writer_init(&sig);
  if (fix_hash) {
    /* a tree of the wrong shape keeps the old hash: it fails before */
    mm_mls_tree *t = NULL;
    mm_mls_why why;
    size_t hl;
    if (mm_mls_tree_from_list(suite, nodes, &t, &why) == MM_OK) {
      ck_assert_int_eq(mm_mls_tree_hash(t, mm_mls_tree_root(t), th, &hl), MM_OK);
      p.group_info.group_context.tree_hash = mm_view_of(th, hl);
    }
    mm_mls_tree_free(t);
  }
  if (k) {
    ck_assert_int_eq(mm_mls_group_info_sign(k, &p.group_info, &sig), MM_OK);
    p.group_info.signature = mm_writer_view(&sig);
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_limits lim = mm_limits_default(0); /* let the validator judge the suite */
  mm_derr err;
  ck_assert_int_eq(mm_mls_encode(MM_MLS_T_PUBLIC_GROUP_STATE, &p, &lim, &w, &err), MM_OK);
  mm_writer_free(&sig);
  uint8_t *out;
  ck_assert_int_eq(mm_writer_finish(&w, &out, len), MM_OK);
  return out;
}

mm_list mf_list_with(uint16_t suite, mm_list nodes, uint32_t x, const mm_mls_node *n,
                     uint8_t **buf) {
  (void)suite;
  mm_writer w;
  mm_writer_init(&w);
  size_t pos = 0;
  uint32_t i = 0;
  mm_mls_opt_node o;
  while (mm_mls_node_next(nodes, &pos, &o)) {
    if (i == x) {
      o.present = n != NULL;
      if (n) o.node = *n;
    }
    ck_assert_int_eq(mm_mls_elem_encode(MM_MLS_E_OPT_NODE, &o, &w), MM_OK);
    i++;
  }
  ck_assert_uint_eq(i, nodes.count);
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&w, buf, &len), MM_OK);
  return (mm_list){mm_view_of(*buf, len), nodes.count};
}

mm_err mf_validate(const uint8_t *state, size_t len, const mm_mls_expect *exp, mm_mls_why *why) {
  mm_mls_state *s = NULL;
  mm_err e = mm_mls_state_from_public(state, len, exp, &s, why);
  if (e == MM_OK) ck_assert_ptr_nonnull(s);
  mm_mls_state_free(s);
  return e;
}

void mf_group_add_unmerged(mf_group *g) {
  ck_assert_uint_lt(g->n, MF_MAX);
  size_t i = g->n;
  ck_assert_int_eq(mm_key_generate(g->suite, &g->rng, &g->keys[i]), MM_OK);
  snprintf(g->names[i], sizeof g->names[i], "m%zu@example.com", i);
  g->ids[i] = mm_view_str(g->names[i]);
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = g->ids[i],
                           .encryption_key = mm_mls_random_hpke_key(g->suite, &g->rng, enc),
                           .lifetime = {0, 1000}};
  mm_writer kp;
  mm_writer_init(&kp);
  ck_assert_int_eq(mm_mls_build_key_package(
                       g->keys[i], mm_mls_random_hpke_key(g->suite, &g->rng, init), &spec, &kp),
                   MM_OK);
  mm_mls_proposal p = {.proposal_type = MM_MLS_PROP_ADD};
  mm_derr err;
  mm_limits lim = mm_limits_default(g->suite);
  ck_assert_int_eq(
      mm_mls_decode(MM_MLS_T_KEY_PACKAGE, kp.buf, kp.len, &lim, &p.add.key_package, &err), MM_OK);
  mm_mls_public_group_state pgs = mf_pgs(g);
  mm_mls_commit_spec cs = {.ctx = &pgs.group_info.group_context,
                           .cur_tree = g->tree,
                           .committer = 1,
                           .key = g->keys[1],
                           .identity = g->ids[1],
                           .proposals = &p,
                           .n_proposals = 1};
  mm_writer b;
  mm_writer_init(&b);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&cs, &g->rng, &b, NULL), MM_OK);
  mm_mls_expect exp = mf_expect(g, pgs.group_info.group_context.epoch);
  mm_mls_state *cur, *next;
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(g->state, g->state_len, &exp, &cur, &why), MM_OK);
  mm_err e = mm_mls_state_apply_bundle(cur, b.buf, b.len, g->ids[1], &next, NULL, &why);
  ck_assert_msg(e == MM_OK, "%s", why.text);
  mm_writer out;
  mm_writer_init(&out);
  ck_assert_int_eq(mm_mls_state_encode_public(next, &out), MM_OK);
  free(g->state);
  ck_assert_int_eq(mm_writer_finish(&out, &g->state, &g->state_len), MM_OK);
  mm_mls_tree_free(g->tree);
  ck_assert_int_eq(mm_mls_tree_copy(mm_mls_state_tree(next), &g->tree), MM_OK);
  g->n++;
  mm_mls_state_free(cur);
  mm_mls_state_free(next);
  mm_writer_free(&b);
  mm_writer_free(&kp);
}

mm_mls_node mf_leaf(mf_group *g, const mm_key *k, const char *id, mm_view enc, uint8_t **buf) {
  uint8_t fresh[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {
      .identity = mm_view_str(id),
      .encryption_key = enc.len ? enc : mm_mls_random_hpke_key(g->suite, &g->rng, fresh),
      .source = MM_MLS_SRC_KEY_PACKAGE,
      .lifetime = {0, 1000}};
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_mls_build_leaf_node(k, &spec, mm_view_of(NULL, 0), 0, &w), MM_OK);
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&w, buf, &len), MM_OK);
  mm_mls_node n = {.node_type = MM_MLS_NODE_LEAF};
  mm_derr err;
  mm_limits lim = mm_limits_default(g->suite);
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_LEAF_NODE, *buf, len, &lim, &n.leaf_node, &err), MM_OK);
  return n;
}

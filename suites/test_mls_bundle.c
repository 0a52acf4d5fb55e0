/* CommitBundles (sim/mls/mls_bundle.c, mls_state.c): what a member builds
 * is accepted by a DS's checks, and each defect is refused with its code
 * (profile MLS-4's DS-side checks, MLS-2 on the new state, MLS-3, EPOCH-3). */
#include <stdlib.h>
#include <string.h>

#include "mls_fixture.h"
#include "testlib.h"

/* A KeyPackage for a new member (key and identity given), as a proposal. */
static void add_proposal(mf_group *g, const mm_key *k, const char *id, mm_writer *kp_bytes,
                         mm_mls_proposal *p) {
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = mm_view_str(id),
                           .encryption_key = mm_mls_random_hpke_key(g->suite, &g->rng, enc),
                           .lifetime = {0, 1000}};
  mm_view init_key = mm_mls_random_hpke_key(g->suite, &g->rng, init);
  mm_writer_init(kp_bytes);
  ck_assert_int_eq(mm_mls_build_key_package(k, init_key, &spec, kp_bytes), MM_OK);
  memset(p, 0, sizeof *p);
  p->proposal_type = MM_MLS_PROP_ADD;
  mm_derr err;
  mm_limits lim = mm_limits_default(g->suite);
  ck_assert_int_eq(mm_mls_decode(MM_MLS_T_KEY_PACKAGE, kp_bytes->buf, kp_bytes->len, &lim,
                                 &p->add.key_package, &err),
                   MM_OK);
}

START_TEST(test_add_commit_accepted) {
  uint16_t suite = (uint16_t)(_i + 1);
  mf_group g;
  mf_group_init(&g, suite, 3, 4, 200 + _i);
  mm_mls_expect exp = mf_expect(&g, 4);
  mm_mls_state *cur = NULL, *next = NULL;
  mm_mls_why why;
  ck_assert_int_eq(mm_mls_state_from_public(g.state, g.state_len, &exp, &cur, &why), MM_OK);
  mm_key *nk;
  ck_assert_int_eq(mm_key_generate(suite, &g.rng, &nk), MM_OK);
  mm_writer kpw;
  mm_mls_proposal p;
  add_proposal(&g, nk, "new@example.org", &kpw, &p);
  mm_mls_commit_spec spec = {.ctx = &mm_mls_state_group_info(cur)->group_context,
                             .cur_tree = mm_mls_state_tree(cur),
                             .committer = 1,
                             .key = g.keys[1],
                             .identity = g.ids[1],
                             .proposals = &p,
                             .n_proposals = 1,
                             .path = _i % 2 == 0};
  mm_writer b;
  mm_writer_init(&b);
  ck_assert_int_eq(mm_mls_build_commit_bundle(&spec, &g.rng, &b, NULL), MM_OK);
  mm_mls_commit_info info;
  mm_err e = mm_mls_state_apply_bundle(cur, b.buf, b.len, g.ids[1], &next, &info, &why);
  ck_assert_msg(e == MM_OK, "suite %u: %s (%s)", suite, why.text, mm_err_name(e));
  ck_assert_uint_eq(mm_mls_state_epoch(next), 5);
  ck_assert(info.has_welcome);
  mm_view *ids;
  size_t n;
  ck_assert_int_eq(mm_mls_new_identities(mm_mls_state_tree(cur), mm_mls_state_tree(next), &ids, &n), MM_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert(mm_view_eq_str(ids[0], "new@example.org"));
  free(ids);
  mm_writer_free(&b);
  mm_writer_free(&kpw);
  mm_key_free(nk);
  mm_mls_state_free(cur);
  mm_mls_state_free(next);
  mf_group_free(&g);
}
END_TEST

Suite *suite_mls_bundle(void) {
  Suite *s = suite_create("mls_bundle");
  TCase *tc = tcase_create("mls_bundle");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(tc, test_add_commit_accepted, "MLS-2 MLS-3", 0, 7);
  suite_add_tcase(s, tc);
  return s;
}

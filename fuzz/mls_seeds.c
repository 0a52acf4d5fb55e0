/* Seeds for fuzz_mls_state and fuzz_mls_bundle, which need genuine states
 * and CommitBundles (the WG's vectors have none): for each suite, a
 * PublicGroupState and a MigrationGroupState of fuzz_mls_bundle's group
 * (seed 1, three members at epoch 5), and bundles from its members (an
 * Add with and without a path, a Remove, an empty path commit). Writes
 * raw seed bodies as hex lines "TARGET HEX" on stdout; fuzz/seeds.py adds
 * the target's leading byte and names the files. Built by `make
 * build/mls_seeds`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/hex.h"
#include "mlsmig/mls_build.h"

static const char *const names[3] = {"alice@example.com", "bob@example.com", "carol@example.com"};

static void emit(const char *target, int lead, const uint8_t *b, size_t n) {
  char *h = mm_hex_alloc(b, n);
  printf("%s %02x%s\n", target, lead, h ? h : "");
  free(h);
}

static int suite_seeds(uint16_t suite) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "fuzz mls_bundle");
  mm_key *keys[3] = {0}, *joiner = NULL;
  mm_view ids[3];
  for (int i = 0; i < 3; i++) {
    if (mm_key_generate(suite, &rng, &keys[i]) != MM_OK) return 1;
    ids[i] = mm_view_str(names[i]);
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_mls_tree *tree = NULL;
  if (mm_mls_build_group(suite, mm_view_str("fuzz group"), 5, ids, keys, 3, &rng, &w, &tree) !=
      MM_OK)
    return 1;
  emit("mls_state", suite - 1, w.buf, w.len);
  mm_mls_expect exp = {suite, mm_view_str("fuzz group"), true, 5};
  mm_mls_state *s;
  mm_mls_why why;
  if (mm_mls_state_from_public(w.buf, w.len, &exp, &s, &why) != MM_OK) return 1;
  mm_writer m;
  mm_writer_init(&m);
  if (mm_mls_state_encode(s, mm_view_str("ds payload"), &m) != MM_OK) return 1;
  emit("mls_state", 0x80 | (suite - 1), m.buf, m.len);
  mm_writer_free(&m);
  /* bundles */
  uint8_t init[MM_MAX_PUB_LEN], enc[MM_MAX_PUB_LEN];
  if (mm_key_generate(suite, &rng, &joiner) != MM_OK) return 1;
  mm_mls_leaf_spec spec = {.identity = mm_view_str("dave@example.com"),
                           .encryption_key = mm_mls_random_hpke_key(suite, &rng, enc),
                           .lifetime = {0, 1000}};
  mm_writer kp;
  mm_writer_init(&kp);
  if (mm_mls_build_key_package(joiner, mm_mls_random_hpke_key(suite, &rng, init), &spec, &kp) !=
      MM_OK)
    return 1;
  mm_mls_proposal props[2] = {{.proposal_type = MM_MLS_PROP_ADD},
                              {.proposal_type = MM_MLS_PROP_REMOVE, .remove = {2}}};
  mm_limits lim = mm_limits_default(suite);
  mm_derr err;
  if (mm_mls_decode(MM_MLS_T_KEY_PACKAGE, kp.buf, kp.len, &lim, &props[0].add.key_package, &err) !=
      MM_OK)
    return 1;
  static const struct {
    uint32_t by;
    size_t first, n;
    bool path;
  } commits[] = {{0, 0, 1, false}, {1, 0, 1, true}, {0, 1, 1, true}, {2, 0, 0, true}};
  for (size_t i = 0; i < sizeof commits / sizeof commits[0]; i++) {
    mm_mls_commit_spec cs = {.ctx = &mm_mls_state_group_info(s)->group_context,
                             .cur_tree = mm_mls_state_tree(s),
                             .committer = commits[i].by,
                             .key = keys[commits[i].by],
                             .identity = ids[commits[i].by],
                             .proposals = props + commits[i].first,
                             .n_proposals = commits[i].n,
                             .path = commits[i].path};
    mm_writer b;
    mm_writer_init(&b);
    if (mm_mls_build_commit_bundle(&cs, &rng, &b, NULL) != MM_OK) return 1;
    /* the sender byte: suite - 1, member index in bits 3.. */
    emit("mls_bundle", (int)((suite - 1) | (commits[i].by << 3)), b.buf, b.len);
    mm_writer_free(&b);
  }
  mm_writer_free(&kp);
  mm_writer_free(&w);
  mm_mls_state_free(s);
  mm_mls_tree_free(tree);
  mm_key_free(joiner);
  for (int i = 0; i < 3; i++) mm_key_free(keys[i]);
  return 0;
}

int main(void) {
  for (uint16_t suite = 1; suite <= 7; suite++)
    if (suite_seeds(suite)) {
      fprintf(stderr, "mls_seeds: suite %u failed\n", suite);
      return 1;
    }
  return 0;
}

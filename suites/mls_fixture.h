/* Groups with genuine public state for the sim/mls suites (test_mls_*.c):
 * members with real keys, a tree built by mm_mls_build_group, and ways to
 * change one thing of a state and sign the rest again, so that exactly one
 * check of MLS-2 fails. Every helper asserts instead of returning errors. */
#ifndef MLSMIG_MLS_FIXTURE_H
#define MLSMIG_MLS_FIXTURE_H

#include "mlsmig/mls.h"
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"
#include "mlsmig/rng.h"

#define MF_MAX 16

typedef struct mf_group {
  uint16_t suite;
  size_t n;
  mm_key *keys[MF_MAX];
  char names[MF_MAX][32]; /* "m0@example.com" ... */
  mm_view ids[MF_MAX];
  mm_rng rng;
  uint8_t group_id[16];
  uint8_t *state; /* PublicGroupState */
  size_t state_len;
  mm_mls_tree *tree;
} mf_group;

/* A group of n members (leaf i: names[i], keys[i]) at epoch, seeded. */
void mf_group_init(mf_group *g, uint16_t suite, size_t n, uint64_t epoch, uint64_t seed);
void mf_group_free(mf_group *g);
mm_view mf_gid(const mf_group *g);
mm_mls_expect mf_expect(const mf_group *g, uint64_t epoch);

/* The decoded PublicGroupState of g (views into g->state). */
mm_mls_public_group_state mf_pgs(const mf_group *g);

/* A PublicGroupState from gi (re-signed with k when k is not NULL, its
 * tree_hash set to the tree hash of nodes when fix_hash) and nodes.
 * malloc'd; *len set. */
uint8_t *mf_state_of(uint16_t suite, const mm_mls_group_info *gi, mm_list nodes, const mm_key *k,
                     bool fix_hash, size_t *len);

/* A copy of the list nodes with node x replaced by n (NULL: blank); the
 * list lives in *buf (free it). */
mm_list mf_list_with(uint16_t suite, mm_list nodes, uint32_t x, const mm_mls_node *n,
                     uint8_t **buf);

/* Adds a member (key and identity next in g) by a Commit without a path
 * from leaf 1, so that its leaf is unmerged at the parents above it; g's
 * state becomes the next epoch's. */
void mf_group_add_unmerged(mf_group *g);

/* A LeafNode (key_package source) for leaf i signed with k, identity id
 * and encryption key enc (empty: a fresh one); *buf owns the bytes. */
mm_mls_node mf_leaf(mf_group *g, const mm_key *k, const char *id, mm_view enc, uint8_t **buf);

/* Validates a PublicGroupState: the result, and the check in *why. */
mm_err mf_validate(const uint8_t *state, size_t len, const mm_mls_expect *exp, mm_mls_why *why);

#endif

/* The ratchet tree's representation and tree math (internal to sim/mls).
 *
 * A tree of n_leaves (a power of two) leaves has 2 * n_leaves - 1 nodes in
 * the array order of RFC 9420 section 4 (leaves at even indices). Each node
 * is kept as the encoding of its Node (node_type, then the LeafNode or
 * ParentNode), empty for a blank; the encodings live in one copy of the
 * input or, once edited, in a buffer per node. Tree hashes are cached per
 * node and dropped on any change. */
#ifndef MLSMIG_MLS_TREE_INTERNAL_H
#define MLSMIG_MLS_TREE_INTERNAL_H

#include "mlsmig/mls_state.h"

struct mm_mls_tree {
  const mm_suite *suite;
  uint32_t n_leaves;
  uint32_t cap;     /* entries allocated below, >= 2 * n_leaves - 1 */
  mm_view *node;    /* Node encodings, len 0 = blank */
  uint8_t **owned;  /* per node: the malloc'd buffer node[x] lives in, or NULL */
  uint8_t *base;    /* the copy of the list the tree was made from */
  uint8_t *hash;    /* cap * suite->hash_len */
  uint8_t *hash_ok; /* cap flags */
};

/* RFC 9420 appendix C, for node indices below 2^31. */
uint32_t mm_tm_level(uint32_t x);
uint32_t mm_tm_left(uint32_t x);
uint32_t mm_tm_right(uint32_t x);
uint32_t mm_tm_parent(uint32_t x);
/* The other child of x's parent. */
uint32_t mm_tm_sibling(uint32_t x);
/* The leaves below node x: [*lo, *lo + *n). */
void mm_tm_leaf_range(uint32_t x, uint32_t *lo, uint32_t *n);

static inline bool mm_tree_blank(const mm_mls_tree *t, uint32_t x) { return t->node[x].len == 0; }

/* mm_tree_set sets node x to a copy of enc (a Node encoding; empty:
 * blank) and drops the hash cache. */
mm_err mm_tree_set(mm_mls_tree *t, uint32_t x, mm_view enc);
/* mm_tree_grow doubles the width (the old tree becomes the left half). */
mm_err mm_tree_grow(mm_mls_tree *t);
/* mm_tree_truncate halves the width while the right half is all blank. */
void mm_tree_truncate(mm_mls_tree *t);
/* mm_tree_hash_excl is the tree hash of x with the leaves excl[0..n) taken
 * as blank and dropped from every unmerged_leaves list (RFC 9420 7.9.2,
 * original_sibling_tree_hash). out holds the suite's hash length. */
mm_err mm_tree_hash_excl(mm_mls_tree *t, uint32_t x, const uint32_t *excl, size_t n, uint8_t *out);
/* mm_tree_parent_hash computes ParentHash of parent node p (decoded) with
 * original sibling tree hash sib (RFC 9420 7.9). */
mm_err mm_tree_parent_hash(const mm_suite *s, mm_view encryption_key, mm_view parent_hash,
                           const uint8_t *sib, uint8_t *out);
/* mm_tree_unmerged copies a parent's unmerged_leaves into a malloc'd array. */
mm_err mm_tree_unmerged(const mm_mls_parent_node *p, uint32_t **out, size_t *n);
/* mm_tree_why fills why (if not NULL) and returns e. */
mm_err mm_tree_why(mm_mls_why *why, mm_err e, mm_mls_check c, const char *rule, uint32_t index,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif

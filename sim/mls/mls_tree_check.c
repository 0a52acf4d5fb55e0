/* The checks of a ratchet tree a joining member makes (RFC 9420 7.9.2,
 * 12.4.3.1) that need no secret: unmerged leaves, parent hashes, leaf
 * signatures. Each failure names its node (profile MLS-2). */
#include <stdlib.h>
#include <string.h>

#include "mls/mls_tree_internal.h"

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static bool sorted_has(const uint32_t *a, size_t n, uint32_t v) {
  return n && bsearch(&v, a, n, sizeof *a, cmp_u32) != NULL;
}

/* ---- unmerged leaves ---- */

/* The sorted unmerged leaves of every parent node, one array for all. */
typedef struct unmerged_index {
  uint32_t *all;
  size_t *start; /* per parent node p (odd x): all[start[p/2] .. start[p/2 + 1]) */
} unmerged_index;

static void unmerged_free(unmerged_index *u) {
  free(u->all);
  free(u->start);
}

static const uint32_t *unmerged_of(const unmerged_index *u, uint32_t x, size_t *n) {
  *n = u->start[x / 2 + 1] - u->start[x / 2];
  return u->all + u->start[x / 2];
}

static mm_err unmerged_build(const mm_mls_tree *t, unmerged_index *u) {
  uint32_t parents = t->n_leaves - 1;
  *u = (unmerged_index){0};
  u->start = calloc((size_t)parents + 1, sizeof *u->start);
  if (!u->start) return MM_E_NOMEM;
  size_t total = 0;
  for (uint32_t i = 0; i < parents; i++) {
    mm_mls_node n;
    u->start[i] = total;
    if (mm_mls_tree_node(t, 2 * i + 1, &n)) total += n.parent_node.unmerged_leaves.count;
  }
  u->start[parents] = total;
  u->all = malloc((total ? total : 1) * sizeof *u->all);
  if (!u->all) return MM_E_NOMEM;
  for (uint32_t i = 0; i < parents; i++) {
    mm_mls_node n;
    if (!mm_mls_tree_node(t, 2 * i + 1, &n)) continue;
    size_t pos = 0, k = u->start[i];
    while (k < u->start[i + 1] && mm_mls_u32_next(n.parent_node.unmerged_leaves, &pos, &u->all[k]))
      k++;
    qsort(u->all + u->start[i], u->start[i + 1] - u->start[i], sizeof *u->all, cmp_u32);
  }
  return MM_OK;
}

/* The first non-blank parent strictly between node x and leaf node l
 * (walking down from x), or x itself if there is none. */
static uint32_t next_nonblank_below(const mm_mls_tree *t, uint32_t x, uint32_t l) {
  uint32_t c = x;
  for (;;) {
    c = l < c ? mm_tm_left(c) : mm_tm_right(c);
    if (c == l) return x;
    if (!mm_tree_blank(t, c)) return c;
  }
}

mm_err mm_mls_tree_check_unmerged(const mm_mls_tree *t, mm_mls_why *why) {
  unmerged_index u;
  mm_err e = unmerged_build(t, &u);
  for (uint32_t x = 1; e == MM_OK && x < mm_mls_tree_node_count(t); x += 2) {
    size_t n;
    const uint32_t *a = unmerged_of(&u, x, &n);
    uint32_t lo, width;
    mm_tm_leaf_range(x, &lo, &width);
    for (size_t i = 0; e == MM_OK && i < n; i++) {
      if (i && a[i] == a[i - 1])
        e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED, "MLS-2", x,
                        "node %u lists unmerged leaf %u twice", x, a[i]);
      else if (a[i] < lo || a[i] - lo >= width)
        e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED, "MLS-2", x,
                        "node %u lists unmerged leaf %u, which is not below it", x, a[i]);
      else if (mm_tree_blank(t, 2 * a[i]))
        e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED, "MLS-2", x,
                        "node %u lists unmerged leaf %u, which is blank", x, a[i]);
      else {
        /* A leaf added under non-blank nodes is unmerged at every one of
         * them, so the next non-blank node down must list it too. */
        uint32_t q = next_nonblank_below(t, x, 2 * a[i]);
        size_t qn;
        const uint32_t *qa = q == x ? NULL : unmerged_of(&u, q, &qn);
        if (qa && !sorted_has(qa, qn, a[i]))
          e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_UNMERGED, "MLS-2", x,
                          "node %u lists unmerged leaf %u but node %u below it does not", x, a[i],
                          q);
      }
    }
  }
  unmerged_free(&u);
  return e;
}

/* ---- parent hashes (RFC 9420 7.9.2) ---- */

/* The parent_hash a node carries: a parent's, or a commit-source leaf's. */
static bool carried_parent_hash(const mm_mls_tree *t, uint32_t x, mm_view *ph) {
  mm_mls_node n;
  if (!mm_mls_tree_node(t, x, &n)) return false;
  if (x % 2) {
    *ph = n.parent_node.parent_hash;
    return true;
  }
  if (n.leaf_node.leaf_node_source != MM_MLS_SRC_COMMIT) return false;
  *ph = n.leaf_node.parent_hash;
  return true;
}

/* Counts the first non-blank nodes below c (c itself if non-blank), less
 * the leaves in excl, whose parent hash is ph. */
static size_t count_carriers(const mm_mls_tree *t, uint32_t c, const uint32_t *excl, size_t n_excl,
                             const uint8_t *ph, size_t hl) {
  if (mm_tree_blank(t, c)) {
    if (c % 2 == 0) return 0;
    return count_carriers(t, mm_tm_left(c), excl, n_excl, ph, hl) +
           count_carriers(t, mm_tm_right(c), excl, n_excl, ph, hl);
  }
  if (c % 2 == 0 && sorted_has(excl, n_excl, c / 2)) return 0;
  mm_view have;
  return carried_parent_hash(t, c, &have) && mm_view_eq(have, mm_view_of(ph, hl)) ? 1 : 0;
}

/* How many descendants of parent x are parent-hash valid with respect to
 * it, through either child. */
static mm_err carriers_of(mm_mls_tree *t, uint32_t x, const mm_mls_parent_node *p, size_t *count) {
  uint32_t *excl;
  size_t n_excl;
  mm_err e = mm_tree_unmerged(p, &excl, &n_excl);
  if (e != MM_OK) return e;
  if (n_excl) qsort(excl, n_excl, sizeof *excl, cmp_u32);
  size_t hl = t->suite->hash_len;
  uint32_t child[2] = {mm_tm_left(x), mm_tm_right(x)};
  *count = 0;
  for (int side = 0; e == MM_OK && side < 2; side++) {
    uint8_t sib[MM_MAX_HASH_LEN], ph[MM_MAX_HASH_LEN];
    e = mm_tree_hash_excl(t, child[1 - side], excl, n_excl, sib);
    if (e == MM_OK) e = mm_tree_parent_hash(t->suite, p->encryption_key, p->parent_hash, sib, ph);
    if (e == MM_OK) *count += count_carriers(t, child[side], excl, n_excl, ph, hl);
  }
  free(excl);
  return e;
}

mm_err mm_mls_tree_check_parent_hashes(mm_mls_tree *t, mm_mls_why *why) {
  for (uint32_t x = 1; x < mm_mls_tree_node_count(t); x += 2) {
    mm_mls_node n;
    if (!mm_mls_tree_node(t, x, &n)) continue;
    size_t count;
    mm_err e = carriers_of(t, x, &n.parent_node, &count);
    if (e != MM_OK) return e;
    if (count == 0)
      return mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_PARENT_HASH, "MLS-2", x,
                         "parent hash of node %u does not match: no descendant carries it", x);
    if (count > 1)
      return mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_PARENT_HASH, "MLS-2", x,
                         "parent hash of node %u is carried by %zu descendants, not one", x, count);
  }
  return MM_OK;
}

/* ---- leaf signatures ---- */

mm_err mm_mls_tree_check_leaf_signatures(const mm_mls_tree *t, mm_view group_id, mm_mls_why *why) {
  for (uint32_t i = 0; i < t->n_leaves; i++) {
    mm_mls_leaf_node ln;
    if (!mm_mls_tree_leaf(t, i, &ln)) continue;
    mm_err e = mm_mls_leaf_node_verify(t->suite->id, &ln, group_id, i);
    if (e == MM_E_BAD_SIGNATURE)
      return mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_LEAF_SIGNATURE, "MLS-2", i,
                         "the LeafNode signature of leaf %u does not verify", i);
    if (e == MM_E_MALFORMED)
      return mm_tree_why(why, MM_E_MALFORMED, MM_MLS_C_KEY, "ENC-4", i,
                         "the signature key of leaf %u is not a valid public key of the suite", i);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

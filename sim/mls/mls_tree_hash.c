/* Tree hashes (RFC 9420 7.8) and parent hashes (7.9).
 *
 *   struct { uint8 node_type = leaf;   uint32 leaf_index; optional<LeafNode> leaf_node; }
 *   struct { uint8 node_type = parent; optional<ParentNode> parent_node;
 *            opaque left_hash<V>; opaque right_hash<V>; }           TreeHashInput
 *   struct { HPKEPublicKey encryption_key; opaque parent_hash<V>;
 *            opaque original_sibling_tree_hash<V>; }                 ParentHashInput
 *
 * A node's Node encoding is its node_type byte and then exactly the
 * LeafNode or ParentNode, so the hash inputs are built from the held bytes
 * without re-encoding, except for a parent whose unmerged leaves an
 * original sibling tree hash leaves out. */
#include <stdlib.h>
#include <string.h>

#include "mls/mls_tree_internal.h"

typedef struct excl_set {
  const uint32_t *leaf; /* sorted */
  size_t n;
} excl_set;

/* The first position whose leaf is >= v. */
static size_t lower_bound(const excl_set *ex, uint32_t v) {
  size_t lo = 0, hi = ex->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ex->leaf[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static bool excluded(const excl_set *ex, uint32_t leaf) {
  size_t i = lower_bound(ex, leaf);
  return i < ex->n && ex->leaf[i] == leaf;
}

static bool excl_below(const excl_set *ex, uint32_t x) {
  uint32_t lo, n;
  mm_tm_leaf_range(x, &lo, &n);
  size_t i = lower_bound(ex, lo);
  return i < ex->n && ex->leaf[i] - lo < n;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* ParentNode with the excluded leaves dropped from unmerged_leaves. */
static void put_filtered_parent(mm_writer *w, const mm_mls_tree *t, uint32_t x,
                                const excl_set *ex) {
  mm_mls_node n;
  if (!mm_mls_tree_node(t, x, &n)) {
    mm_writer_fail(w, MM_E_INTERNAL);
    return;
  }
  const mm_mls_parent_node *p = &n.parent_node;
  mm_put_vec(w, p->encryption_key.data, p->encryption_key.len);
  mm_put_vec(w, p->parent_hash.data, p->parent_hash.len);
  size_t mark = mm_vec_begin(w);
  size_t pos = 0;
  uint32_t leaf;
  while (mm_mls_u32_next(p->unmerged_leaves, &pos, &leaf))
    if (!excluded(ex, leaf)) mm_put_u32(w, leaf);
  mm_vec_end(w, mark);
}

static mm_err hash_input(const mm_suite *s, mm_writer *w, uint8_t *out) {
  if (!mm_writer_ok(w)) return w->error;
  size_t len;
  return mm_hash(s->id, w->buf, w->len, out, &len);
}

/* The tree hash of x into out; scratch is reused for each input. */
static mm_err tree_hash(mm_mls_tree *t, uint32_t x, const excl_set *ex, mm_writer *scratch,
                        uint8_t *out) {
  size_t hl = t->suite->hash_len;
  bool cacheable = ex->n == 0 || !excl_below(ex, x);
  if (cacheable && t->hash_ok[x]) {
    memcpy(out, t->hash + (size_t)x * hl, hl);
    return MM_OK;
  }
  mm_view node = t->node[x];
  mm_err e;
  if (x % 2 == 0) {
    scratch->len = 0;
    mm_put_u8(scratch, MM_MLS_NODE_LEAF);
    mm_put_u32(scratch, x / 2);
    bool present = node.len && !excluded(ex, x / 2);
    mm_put_u8(scratch, present);
    if (present) mm_put_bytes(scratch, node.data + 1, node.len - 1);
    e = hash_input(t->suite, scratch, out);
  } else {
    uint8_t lh[MM_MAX_HASH_LEN], rh[MM_MAX_HASH_LEN];
    e = tree_hash(t, mm_tm_left(x), ex, scratch, lh);
    if (e == MM_OK) e = tree_hash(t, mm_tm_right(x), ex, scratch, rh);
    if (e != MM_OK) return e;
    scratch->len = 0;
    mm_put_u8(scratch, MM_MLS_NODE_PARENT);
    mm_put_u8(scratch, node.len != 0);
    if (node.len && ex->n && !cacheable)
      put_filtered_parent(scratch, t, x, ex);
    else if (node.len)
      mm_put_bytes(scratch, node.data + 1, node.len - 1);
    mm_put_vec(scratch, lh, hl);
    mm_put_vec(scratch, rh, hl);
    e = hash_input(t->suite, scratch, out);
  }
  if (e == MM_OK && cacheable) {
    memcpy(t->hash + (size_t)x * hl, out, hl);
    t->hash_ok[x] = 1;
  }
  return e;
}

mm_err mm_tree_hash_excl(mm_mls_tree *t, uint32_t x, const uint32_t *excl, size_t n, uint8_t *out) {
  if (x >= mm_mls_tree_node_count(t)) return MM_E_USAGE;
  uint32_t *sorted = NULL;
  if (n) {
    sorted = malloc(n * sizeof *sorted);
    if (!sorted) return MM_E_NOMEM;
    memcpy(sorted, excl, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
  }
  excl_set ex = {sorted, n};
  mm_writer scratch;
  mm_writer_init(&scratch);
  mm_err e = tree_hash(t, x, &ex, &scratch, out);
  mm_writer_free(&scratch);
  free(sorted);
  return e;
}

mm_err mm_mls_tree_hash(mm_mls_tree *t, uint32_t x, uint8_t *out, size_t *out_len) {
  mm_err e = mm_tree_hash_excl(t, x, NULL, 0, out);
  if (e == MM_OK) *out_len = t->suite->hash_len;
  return e;
}

mm_err mm_tree_parent_hash(const mm_suite *s, mm_view encryption_key, mm_view parent_hash,
                           const uint8_t *sib, uint8_t *out) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_vec(&w, encryption_key.data, encryption_key.len);
  mm_put_vec(&w, parent_hash.data, parent_hash.len);
  mm_put_vec(&w, sib, s->hash_len);
  mm_err e = hash_input(s, &w, out);
  mm_writer_free(&w);
  return e;
}

mm_err mm_tree_unmerged(const mm_mls_parent_node *p, uint32_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (p->unmerged_leaves.count == 0) return MM_OK;
  uint32_t *a = malloc(p->unmerged_leaves.count * sizeof *a);
  if (!a) return MM_E_NOMEM;
  size_t pos = 0, k = 0;
  while (k < p->unmerged_leaves.count && mm_mls_u32_next(p->unmerged_leaves, &pos, &a[k])) k++;
  *out = a;
  *n = k;
  return MM_OK;
}

/* The ratchet tree: made from an optional<Node> list (RFC 9420 12.4.3.3),
 * tree math (appendix C), node access, editing and encoding. Hashes and
 * checks are in mls_tree_hash.c and mls_tree_check.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mls/mls_schema.h"
#include "mls/mls_tree_internal.h"

/* ---- tree math ---- */

uint32_t mm_tm_level(uint32_t x) {
  uint32_t k = 0;
  while (x & 1) {
    x >>= 1;
    k++;
  }
  return k;
}

uint32_t mm_tm_left(uint32_t x) {
  uint32_t k = mm_tm_level(x);
  return k ? x ^ (1u << (k - 1)) : x;
}

uint32_t mm_tm_right(uint32_t x) {
  uint32_t k = mm_tm_level(x);
  return k ? x ^ (3u << (k - 1)) : x;
}

uint32_t mm_tm_parent(uint32_t x) {
  uint32_t k = mm_tm_level(x);
  uint32_t b = (x >> (k + 1)) & 1;
  return (x | (1u << k)) ^ (b << (k + 1));
}

uint32_t mm_tm_sibling(uint32_t x) {
  uint32_t p = mm_tm_parent(x);
  return x < p ? mm_tm_right(p) : mm_tm_left(p);
}

void mm_tm_leaf_range(uint32_t x, uint32_t *lo, uint32_t *n) {
  uint32_t k = mm_tm_level(x);
  *n = 1u << k;
  *lo = (x - ((1u << k) - 1)) / 2;
}

/* ---- reasons ---- */

mm_err mm_tree_why(mm_mls_why *why, mm_err e, mm_mls_check c, const char *rule, uint32_t index,
                   const char *fmt, ...) {
  if (!why) return e;
  why->check = c;
  why->rule = rule;
  why->index = index;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->text, sizeof why->text, fmt, ap);
  va_end(ap);
  return e;
}

/* ---- allocation ---- */

static mm_err reserve(mm_mls_tree *t, uint32_t nodes) {
  if (nodes <= t->cap) return MM_OK;
  size_t hl = t->suite->hash_len;
  mm_view *node = realloc(t->node, nodes * sizeof *node);
  if (!node) return MM_E_NOMEM;
  t->node = node;
  uint8_t **owned = realloc(t->owned, nodes * sizeof *owned);
  if (!owned) return MM_E_NOMEM;
  t->owned = owned;
  uint8_t *hash = realloc(t->hash, nodes * hl);
  if (!hash) return MM_E_NOMEM;
  t->hash = hash;
  uint8_t *ok = realloc(t->hash_ok, nodes);
  if (!ok) return MM_E_NOMEM;
  t->hash_ok = ok;
  for (uint32_t i = t->cap; i < nodes; i++) {
    t->node[i] = mm_view_of(NULL, 0);
    t->owned[i] = NULL;
    t->hash_ok[i] = 0;
  }
  t->cap = nodes;
  return MM_OK;
}

static mm_err tree_alloc(uint16_t suite, uint32_t n_leaves, mm_mls_tree **out) {
  *out = NULL;
  const mm_suite *s = mm_suite_get(suite);
  if (!s) return MM_E_UNSUPPORTED_CIPHERSUITE;
  mm_mls_tree *t = calloc(1, sizeof *t);
  if (!t) return MM_E_NOMEM;
  t->suite = s;
  t->n_leaves = n_leaves;
  mm_err e = reserve(t, 2 * n_leaves - 1);
  if (e != MM_OK) {
    mm_mls_tree_free(t);
    return e;
  }
  *out = t;
  return MM_OK;
}

void mm_mls_tree_free(mm_mls_tree *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->cap; i++) free(t->owned[i]);
  free(t->owned);
  free(t->node);
  free(t->hash);
  free(t->hash_ok);
  free(t->base);
  free(t);
}

static void drop_hashes(mm_mls_tree *t) { memset(t->hash_ok, 0, t->cap); }

mm_err mm_tree_set(mm_mls_tree *t, uint32_t x, mm_view enc) {
  uint8_t *copy = NULL;
  if (enc.len) {
    copy = malloc(enc.len);
    if (!copy) return MM_E_NOMEM;
    memcpy(copy, enc.data, enc.len);
  }
  free(t->owned[x]);
  t->owned[x] = copy;
  t->node[x] = mm_view_of(copy, enc.len);
  drop_hashes(t);
  return MM_OK;
}

mm_err mm_tree_grow(mm_mls_tree *t) {
  if (t->n_leaves >= MM_MLS_MAX_LEAVES) return MM_E_USAGE;
  mm_err e = reserve(t, 4 * t->n_leaves - 1);
  if (e == MM_OK) {
    t->n_leaves *= 2;
    drop_hashes(t);
  }
  return e;
}

/* Is every node of [from, to) blank? */
static bool all_blank(const mm_mls_tree *t, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; i++)
    if (!mm_tree_blank(t, i)) return false;
  return true;
}

void mm_tree_truncate(mm_mls_tree *t) {
  /* The right half of a tree of n leaves is nodes [n, 2n - 1). */
  while (t->n_leaves > 1 && all_blank(t, t->n_leaves, 2 * t->n_leaves - 1)) {
    for (uint32_t i = t->n_leaves; i < 2 * t->n_leaves - 1; i++) {
      free(t->owned[i]);
      t->owned[i] = NULL;
      t->node[i] = mm_view_of(NULL, 0);
    }
    t->n_leaves /= 2;
  }
  drop_hashes(t);
}

/* ---- made from a list ---- */

/* Why node x of a decoded list does not fit its position. */
static const char *position_problem(uint32_t x, const mm_mls_opt_node *n) {
  if (!n->present) return NULL;
  if (x % 2 == 0 && n->node.node_type != MM_MLS_NODE_LEAF) return "a parent node at leaf position";
  if (x % 2 == 1 && n->node.node_type != MM_MLS_NODE_PARENT)
    return "a leaf node at parent position";
  return NULL;
}

mm_err mm_mls_tree_from_list(uint16_t suite, mm_list nodes, mm_mls_tree **out, mm_mls_why *why) {
  *out = NULL;
  if (!mm_suite_get(suite))
    return mm_tree_why(why, MM_E_UNSUPPORTED_CIPHERSUITE, MM_MLS_C_SUITE, "SUITE-1", UINT32_MAX,
                       "cipher suite %u is not one of the seven", suite);
  if (nodes.count == 0)
    return mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE, "MLS-2", UINT32_MAX,
                       "the ratchet tree is empty");
  if (nodes.count > 2 * MM_MLS_MAX_LEAVES - 1)
    return mm_tree_why(why, MM_E_MALFORMED, MM_MLS_C_DECODE, "ENC-4", UINT32_MAX,
                       "the ratchet tree has more than 2^17-1 nodes");
  uint32_t leaves = 1;
  while (2 * leaves - 1 < nodes.count) leaves *= 2;
  mm_mls_tree *t;
  mm_err e = tree_alloc(suite, leaves, &t);
  if (e != MM_OK) return e;
  if (nodes.data.len) {
    t->base = malloc(nodes.data.len);
    if (!t->base) {
      mm_mls_tree_free(t);
      return MM_E_NOMEM;
    }
    memcpy(t->base, nodes.data.data, nodes.data.len);
  }
  mm_list copy = {mm_view_of(t->base, nodes.data.len), nodes.count};
  mm_limits lim = mm_limits_default(suite);
  size_t pos = 0;
  uint32_t x = 0;
  bool last_present = false;
  e = MM_OK;
  while (e == MM_OK && pos < copy.data.len) {
    /* Each element again under the suite's limits: the list may have been
     * decoded without a known suite. */
    mm_derr derr;
    mm_reader r;
    mm_reader_init(&r, copy.data.data, copy.data.len, &derr);
    r.pos = pos;
    mm_mls_opt_node n;
    size_t start = pos;
    if (x >= nodes.count || !mm_schema_decode_reader(&mm_mls_opt_node_schema, &r, &lim, &n)) {
      e = mm_tree_why(why, MM_E_MALFORMED, MM_MLS_C_DECODE, derr.rule ? derr.rule : "ENC-2", x,
                      "node %u does not decode: %s", x, derr.reason ? derr.reason : "too many");
      break;
    }
    pos = r.pos;
    const char *bad = position_problem(x, &n);
    if (bad)
      e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE, "MLS-2", x, "node %u is %s",
                      x, bad);
    /* The Node's bytes, without the optional<> flag. */
    if (n.present) t->node[x] = mm_view_of(copy.data.data + start + 1, pos - start - 1);
    last_present = n.present;
    x++;
  }
  if (e == MM_OK && x != nodes.count)
    e = mm_tree_why(why, MM_E_MALFORMED, MM_MLS_C_DECODE, "ENC-3", UINT32_MAX,
                    "the list holds %u nodes, not %u", x, nodes.count);
  if (e == MM_OK && !last_present)
    e = mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_SHAPE, "MLS-2", x - 1,
                    "the last node (%u) is blank", x - 1);
  if (e != MM_OK) {
    mm_mls_tree_free(t);
    return e;
  }
  *out = t;
  return MM_OK;
}

mm_err mm_mls_tree_new(uint16_t suite, mm_view leaf_node, mm_mls_tree **out) {
  mm_mls_tree *t;
  mm_err e = tree_alloc(suite, 1, &t);
  if (e != MM_OK) return e;
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, MM_MLS_NODE_LEAF);
  mm_put_bytes(&w, leaf_node.data, leaf_node.len);
  e = w.error;
  if (e == MM_OK) e = mm_tree_set(t, 0, mm_writer_view(&w));
  mm_writer_free(&w);
  if (e != MM_OK) {
    mm_mls_tree_free(t);
    return e;
  }
  *out = t;
  return MM_OK;
}

mm_err mm_mls_tree_copy(const mm_mls_tree *t, mm_mls_tree **out) {
  mm_mls_tree *c;
  mm_err e = tree_alloc(t->suite->id, t->n_leaves, &c);
  for (uint32_t x = 0; e == MM_OK && x < 2 * t->n_leaves - 1; x++)
    if (!mm_tree_blank(t, x)) e = mm_tree_set(c, x, t->node[x]);
  if (e != MM_OK) {
    mm_mls_tree_free(c);
    return e;
  }
  *out = c;
  return MM_OK;
}

/* ---- access ---- */

uint16_t mm_mls_tree_suite(const mm_mls_tree *t) { return t->suite->id; }
uint32_t mm_mls_tree_leaf_count(const mm_mls_tree *t) { return t->n_leaves; }
uint32_t mm_mls_tree_node_count(const mm_mls_tree *t) { return 2 * t->n_leaves - 1; }
uint32_t mm_mls_tree_root(const mm_mls_tree *t) { return t->n_leaves - 1; }

bool mm_mls_tree_node(const mm_mls_tree *t, uint32_t x, mm_mls_node *out) {
  if (x >= mm_mls_tree_node_count(t) || mm_tree_blank(t, x)) return false;
  mm_limits lim = mm_limits_default(t->suite->id);
  mm_derr err;
  /* Every node was checked when it entered the tree. */
  return mm_mls_decode(MM_MLS_T_NODE, t->node[x].data, t->node[x].len, &lim, out, &err) == MM_OK;
}

bool mm_mls_tree_leaf(const mm_mls_tree *t, uint32_t leaf, mm_mls_leaf_node *out) {
  mm_mls_node n;
  if (leaf >= t->n_leaves || !mm_mls_tree_node(t, 2 * leaf, &n)) return false;
  *out = n.leaf_node;
  return true;
}

mm_view mm_mls_tree_leaf_bytes(const mm_mls_tree *t, uint32_t leaf) {
  if (leaf >= t->n_leaves || mm_tree_blank(t, 2 * leaf)) return mm_view_of(NULL, 0);
  mm_view n = t->node[2 * leaf];
  return mm_view_of(n.data + 1, n.len - 1); /* after node_type */
}

/* ---- encoding ---- */

mm_err mm_mls_tree_encode_list(const mm_mls_tree *t, mm_writer *w, uint32_t *count) {
  uint32_t n = mm_mls_tree_node_count(t);
  while (n > 0 && mm_tree_blank(t, n - 1)) n--;
  for (uint32_t x = 0; x < n; x++) {
    mm_put_u8(w, mm_tree_blank(t, x) ? 0 : 1);
    mm_put_bytes(w, t->node[x].data, t->node[x].len);
  }
  if (count) *count = n;
  return w->error;
}

mm_err mm_mls_tree_encode(const mm_mls_tree *t, mm_writer *w) {
  size_t mark = mm_vec_begin(w);
  mm_err e = mm_mls_tree_encode_list(t, w, NULL);
  if (e == MM_OK && !mm_vec_end(w, mark)) e = w->error;
  return e;
}

/* ---- resolution (RFC 9420 4.1.1) ---- */

typedef struct res_acc {
  uint32_t *out;
  size_t cap, n;
} res_acc;

static void res_add(res_acc *a, uint32_t x) {
  if (a->n < a->cap) a->out[a->n] = x;
  a->n++;
}

static void resolve(const mm_mls_tree *t, uint32_t x, res_acc *a) {
  if (!mm_tree_blank(t, x)) {
    res_add(a, x);
    if (x % 2 == 0) return;
    mm_mls_node n;
    if (!mm_mls_tree_node(t, x, &n)) return;
    size_t pos = 0;
    uint32_t leaf;
    while (mm_mls_u32_next(n.parent_node.unmerged_leaves, &pos, &leaf)) res_add(a, 2 * leaf);
    return;
  }
  if (x % 2 == 0) return;
  resolve(t, mm_tm_left(x), a);
  resolve(t, mm_tm_right(x), a);
}

mm_err mm_mls_tree_resolution(const mm_mls_tree *t, uint32_t x, uint32_t *out, size_t cap,
                              size_t *n) {
  if (x >= mm_mls_tree_node_count(t)) return MM_E_USAGE;
  res_acc a = {out, cap, 0};
  resolve(t, x, &a);
  *n = a.n;
  return a.n <= cap ? MM_OK : MM_E_USAGE;
}

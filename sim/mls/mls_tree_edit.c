/* Editing a ratchet tree as a member does (RFC 9420 7.5, 7.7, 7.9, 12.1):
 * Add, Remove, Update, and a committer's path with its parent hashes. */
#include <stdlib.h>
#include <string.h>

#include "mls/mls_tree_internal.h"
#include "mlsmig/mls_build.h"

/* Node = node_type || body. */
static mm_err set_typed(mm_mls_tree *t, uint32_t x, uint8_t type, mm_view body) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, type);
  mm_put_bytes(&w, body.data, body.len);
  mm_err e = w.error;
  if (e == MM_OK) e = mm_tree_set(t, x, mm_writer_view(&w));
  mm_writer_free(&w);
  return e;
}

/* A ParentNode's encoding; unmerged: the list's contents, plus extra when
 * has_extra. */
static mm_err set_parent(mm_mls_tree *t, uint32_t x, mm_view enc_key, mm_view parent_hash,
                         mm_view unmerged, bool has_extra, uint32_t extra) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, MM_MLS_NODE_PARENT);
  mm_put_vec(&w, enc_key.data, enc_key.len);
  mm_put_vec(&w, parent_hash.data, parent_hash.len);
  size_t mark = mm_vec_begin(&w);
  mm_put_bytes(&w, unmerged.data, unmerged.len);
  if (has_extra) mm_put_u32(&w, extra);
  mm_vec_end(&w, mark);
  mm_err e = w.error;
  if (e == MM_OK) e = mm_tree_set(t, x, mm_writer_view(&w));
  mm_writer_free(&w);
  return e;
}

static mm_err blank_direct_path(mm_mls_tree *t, uint32_t leaf) {
  uint32_t root = mm_mls_tree_root(t);
  mm_err e = MM_OK;
  for (uint32_t x = 2 * leaf; e == MM_OK && x != root;) {
    x = mm_tm_parent(x);
    e = mm_tree_set(t, x, mm_view_of(NULL, 0));
  }
  return e;
}

mm_err mm_mls_tree_add(mm_mls_tree *t, mm_view leaf_node, uint32_t *leaf) {
  uint32_t i = 0;
  while (i < t->n_leaves && !mm_tree_blank(t, 2 * i)) i++;
  mm_err e = i == t->n_leaves ? mm_tree_grow(t) : MM_OK;
  if (e == MM_OK) e = set_typed(t, 2 * i, MM_MLS_NODE_LEAF, leaf_node);
  uint32_t root = mm_mls_tree_root(t);
  for (uint32_t x = 2 * i; e == MM_OK && x != root;) {
    x = mm_tm_parent(x);
    mm_mls_node n;
    if (!mm_mls_tree_node(t, x, &n)) continue;
    mm_mls_parent_node p = n.parent_node;
    e = set_parent(t, x, p.encryption_key, p.parent_hash, p.unmerged_leaves.data, true, i);
  }
  if (e == MM_OK) *leaf = i;
  return e;
}

mm_err mm_mls_tree_remove(mm_mls_tree *t, uint32_t leaf) {
  if (leaf >= t->n_leaves || mm_tree_blank(t, 2 * leaf))
    return MM_E_BAD_GROUP_STATE; /* a Remove of no member */
  mm_err e = mm_tree_set(t, 2 * leaf, mm_view_of(NULL, 0));
  if (e == MM_OK) e = blank_direct_path(t, leaf);
  if (e == MM_OK) mm_tree_truncate(t);
  return e;
}

mm_err mm_mls_tree_update(mm_mls_tree *t, uint32_t leaf, mm_view leaf_node) {
  if (leaf >= t->n_leaves || mm_tree_blank(t, 2 * leaf)) return MM_E_BAD_GROUP_STATE;
  mm_err e = set_typed(t, 2 * leaf, MM_MLS_NODE_LEAF, leaf_node);
  if (e == MM_OK) e = blank_direct_path(t, leaf);
  return e;
}

/* The encoding of a decoded LeafNode (proposals hold views, not bytes). */
static mm_err leaf_bytes(const mm_mls_tree *t, const mm_mls_leaf_node *ln, mm_writer *w) {
  mm_limits lim = mm_limits_default(t->suite->id);
  return mm_mls_encode(MM_MLS_T_LEAF_NODE, ln, &lim, w, NULL);
}

mm_err mm_mls_tree_apply_proposal(mm_mls_tree *t, const mm_mls_proposal *p, uint32_t sender) {
  mm_writer w;
  mm_writer_init(&w);
  mm_err e;
  uint32_t ignored;
  switch (p->proposal_type) {
  case MM_MLS_PROP_ADD:
    e = leaf_bytes(t, &p->add.key_package.leaf_node, &w);
    if (e == MM_OK) e = mm_mls_tree_add(t, mm_writer_view(&w), &ignored);
    break;
  case MM_MLS_PROP_UPDATE:
    e = leaf_bytes(t, &p->update.leaf_node, &w);
    if (e == MM_OK) e = mm_mls_tree_update(t, sender, mm_writer_view(&w));
    break;
  case MM_MLS_PROP_REMOVE: e = mm_mls_tree_remove(t, p->remove.removed); break;
  default: e = MM_E_USAGE; break;
  }
  mm_writer_free(&w);
  return e;
}

/* Is the subtree of node c all blank (an empty resolution)? */
static bool subtree_blank(const mm_mls_tree *t, uint32_t c) {
  uint32_t half = (1u << mm_tm_level(c)) - 1;
  for (uint32_t x = c - half; x <= c + half; x++)
    if (!mm_tree_blank(t, x)) return false;
  return true;
}

mm_err mm_mls_tree_filtered_path(const mm_mls_tree *t, uint32_t leaf, uint32_t *out, size_t cap,
                                 size_t *n) {
  if (leaf >= t->n_leaves) return MM_E_USAGE;
  uint32_t root = mm_mls_tree_root(t);
  *n = 0;
  for (uint32_t x = 2 * leaf; x != root;) {
    uint32_t copath = mm_tm_sibling(x);
    x = mm_tm_parent(x);
    if (subtree_blank(t, copath)) continue;
    if (*n >= cap) return MM_E_USAGE;
    out[(*n)++] = x;
  }
  return MM_OK;
}

/* The child of p that is not an ancestor of (or equal to) leaf node l. */
static uint32_t copath_child(uint32_t p, uint32_t l) {
  return l < p ? mm_tm_right(p) : mm_tm_left(p);
}

/* ParentHash(P) with P's copath child relative to l as the sibling. */
static mm_err hash_of_parent(mm_mls_tree *t, uint32_t p, uint32_t l, uint8_t *out) {
  mm_mls_node n;
  if (!mm_mls_tree_node(t, p, &n)) return MM_E_INTERNAL;
  uint8_t sib[MM_MAX_HASH_LEN];
  mm_err e = mm_tree_hash_excl(t, copath_child(p, l), NULL, 0, sib);
  if (e == MM_OK)
    e = mm_tree_parent_hash(t->suite, n.parent_node.encryption_key, n.parent_node.parent_hash, sib,
                            out);
  return e;
}

mm_err mm_mls_tree_set_path(mm_mls_tree *t, uint32_t leaf, const mm_view *keys, size_t n_keys,
                            const mm_key *k, const mm_mls_leaf_spec *spec, mm_view group_id,
                            mm_writer *leaf_out) {
  if (leaf >= t->n_leaves || mm_tree_blank(t, 2 * leaf) || !k || mm_key_suite(k) != t->suite->id)
    return MM_E_USAGE;
  uint32_t fp[32];
  size_t n;
  mm_err e = mm_mls_tree_filtered_path(t, leaf, fp, 32, &n);
  if (e != MM_OK) return e;
  if (n != n_keys) return MM_E_USAGE;
  e = blank_direct_path(t, leaf);
  mm_view none = mm_view_of(NULL, 0);
  for (size_t i = 0; e == MM_OK && i < n; i++) e = set_parent(t, fp[i], keys[i], none, none, 0, 0);
  /* Top down: the root's parent_hash is empty, each lower node's is the
   * ParentHash of the one above it. */
  uint8_t ph[MM_MAX_HASH_LEN];
  size_t hl = t->suite->hash_len;
  for (size_t i = n; e == MM_OK && i-- > 1;) {
    e = hash_of_parent(t, fp[i], 2 * leaf, ph);
    if (e == MM_OK) e = set_parent(t, fp[i - 1], keys[i - 1], mm_view_of(ph, hl), none, 0, 0);
  }
  mm_mls_leaf_spec ls = *spec;
  ls.source = MM_MLS_SRC_COMMIT;
  ls.parent_hash = none;
  if (e == MM_OK && n) {
    e = hash_of_parent(t, fp[0], 2 * leaf, ph);
    ls.parent_hash = mm_view_of(ph, hl);
  }
  mm_writer w;
  mm_writer_init(&w);
  if (e == MM_OK) e = mm_mls_build_leaf_node(k, &ls, group_id, leaf, &w);
  if (e == MM_OK) e = set_typed(t, 2 * leaf, MM_MLS_NODE_LEAF, mm_writer_view(&w));
  if (e == MM_OK && leaf_out) e = mm_put_bytes(leaf_out, w.buf, w.len) ? MM_OK : leaf_out->error;
  mm_writer_free(&w);
  return e;
}

static bool skipped(const uint32_t *skip, size_t n, uint32_t leaf) {
  for (size_t i = 0; i < n; i++)
    if (skip[i] == leaf) return true;
  return false;
}

/* Random bytes as one opaque<V>. */
static mm_err put_random_vec(mm_writer *w, mm_rng *rng, size_t len) {
  uint8_t buf[MM_MAX_PUB_LEN + MM_MAX_HASH_LEN + 16];
  if (len > sizeof buf) return MM_E_USAGE;
  mm_err e = mm_rng_fill(rng, buf, len);
  if (e == MM_OK) e = mm_put_vec(w, buf, len) ? MM_OK : w->error;
  return e;
}

mm_err mm_mls_build_update_path(const mm_mls_tree *t, uint32_t leaf, const uint32_t *skip,
                                size_t n_skip, mm_rng *rng, mm_writer *out) {
  uint32_t fp[32];
  size_t n;
  mm_err e = mm_mls_tree_filtered_path(t, leaf, fp, 32, &n);
  mm_view ln = mm_mls_tree_leaf_bytes(t, leaf);
  if (e != MM_OK || !ln.len) return e != MM_OK ? e : MM_E_USAGE;
  uint32_t *res = malloc(t->n_leaves * sizeof *res);
  if (!res) return MM_E_NOMEM;
  mm_put_bytes(out, ln.data, ln.len);
  size_t mark = mm_vec_begin(out);
  for (size_t i = 0; e == MM_OK && i < n; i++) {
    mm_mls_node p;
    if (!mm_mls_tree_node(t, fp[i], &p)) {
      e = MM_E_USAGE; /* the path was not set */
      break;
    }
    mm_put_vec(out, p.parent_node.encryption_key.data, p.parent_node.encryption_key.len);
    size_t nres;
    e = mm_mls_tree_resolution(t, copath_child(fp[i], 2 * leaf), res, t->n_leaves, &nres);
    size_t cts = mm_vec_begin(out);
    for (size_t j = 0; e == MM_OK && j < nres; j++) {
      if (res[j] % 2 == 0 && skipped(skip, n_skip, res[j] / 2)) continue;
      /* HPKECiphertext of a path secret: kem_output, then the secret
       * (Nh bytes) sealed with a 16-byte tag. */
      e = put_random_vec(out, rng, t->suite->kem_pub_len);
      if (e == MM_OK) e = put_random_vec(out, rng, t->suite->hash_len + 16);
    }
    mm_vec_end(out, cts);
  }
  mm_vec_end(out, mark);
  free(res);
  return e == MM_OK ? out->error : e;
}

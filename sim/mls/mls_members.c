/* The members of a group at an epoch (profile MLS-3): the non-blank leaves
 * of its tree and their credential identities; who is new in a tree (the
 * Welcome's recipients, LIFE-1). */
#include <stdlib.h>
#include <string.h>

#include "mls/mls_tree_internal.h"
#include "profile/rule.h"

bool mm_mls_members_next(const mm_mls_tree *t, uint32_t *leaf, mm_mls_member *out) {
  for (uint32_t i = *leaf; i < t->n_leaves; i++) {
    mm_mls_leaf_node ln;
    if (!mm_mls_tree_leaf(t, i, &ln)) continue;
    *out = (mm_mls_member){i, ln.credential.identity, ln.signature_key, ln.encryption_key};
    *leaf = i + 1;
    return true;
  }
  *leaf = t->n_leaves;
  return false;
}

uint32_t mm_mls_member_count(const mm_mls_tree *t) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->n_leaves; i++) n += !mm_tree_blank(t, 2 * i);
  return n;
}

bool mm_mls_find_member(const mm_mls_tree *t, mm_view identity, uint32_t *leaf,
                        mm_mls_member *out) {
  uint32_t pos = *leaf;
  mm_mls_member m;
  while (mm_mls_members_next(t, &pos, &m))
    if (m.identity.len && mm_view_eq(m.identity, identity)) {
      *leaf = m.leaf_index;
      if (out) *out = m;
      return true;
    }
  return false;
}

bool mm_mls_is_member(const mm_mls_tree *t, mm_view identity) {
  uint32_t leaf = 0;
  /* A member is a client with a leaf of its identity in the epoch's tree. */
  return MM_RULE("MLS-3", identity.len && mm_mls_find_member(t, identity, &leaf, NULL));
}

typedef struct ident {
  mm_view id;
  uint32_t leaf;
} ident;

static int cmp_view(mm_view a, mm_view b) {
  size_t n = a.len < b.len ? a.len : b.len;
  int c = n ? memcmp(a.data, b.data, n) : 0;
  if (c) return c;
  return a.len < b.len ? -1 : a.len > b.len;
}

static int cmp_ident(const void *a, const void *b) {
  const ident *x = a, *y = b;
  int c = cmp_view(x->id, y->id);
  return c ? c : (x->leaf < y->leaf ? -1 : x->leaf > y->leaf);
}

static int cmp_leaf(const void *a, const void *b) {
  const ident *x = a, *y = b;
  return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

/* The identities of t's leaves, sorted by identity (then leaf). */
static mm_err identities(const mm_mls_tree *t, ident **out, size_t *n) {
  *out = malloc((t->n_leaves ? t->n_leaves : 1) * sizeof **out);
  if (!*out) return MM_E_NOMEM;
  *n = 0;
  uint32_t pos = 0;
  mm_mls_member m;
  while (mm_mls_members_next(t, &pos, &m)) (*out)[(*n)++] = (ident){m.identity, m.leaf_index};
  qsort(*out, *n, sizeof **out, cmp_ident);
  return MM_OK;
}

static bool has_identity(const ident *a, size_t n, mm_view id) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_view(a[mid].id, id);
    if (c == 0) return true;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

mm_err mm_mls_new_identities(const mm_mls_tree *old_tree, const mm_mls_tree *new_tree,
                             mm_view **out, size_t *n) {
  *out = NULL;
  *n = 0;
  ident *old_ids = NULL, *new_ids = NULL;
  size_t n_old = 0, n_new = 0;
  mm_err e = old_tree ? identities(old_tree, &old_ids, &n_old) : MM_OK;
  if (e == MM_OK) e = identities(new_tree, &new_ids, &n_new);
  /* Keep each identity once (its first leaf), if the old tree lacks it. */
  size_t k = 0;
  for (size_t i = 0; e == MM_OK && i < n_new; i++) {
    if (i && mm_view_eq(new_ids[i].id, new_ids[i - 1].id)) continue;
    if (has_identity(old_ids, n_old, new_ids[i].id)) continue;
    new_ids[k++] = new_ids[i];
  }
  mm_view *v = e == MM_OK ? malloc((k ? k : 1) * sizeof *v) : NULL;
  if (e == MM_OK && !v) e = MM_E_NOMEM;
  if (e == MM_OK) {
    qsort(new_ids, k, sizeof *new_ids, cmp_leaf);
    for (size_t i = 0; i < k; i++) v[i] = new_ids[i].id;
    *out = v;
    *n = k;
  }
  free(old_ids);
  free(new_ids);
  return e;
}

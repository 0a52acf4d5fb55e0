/* Members' leaf keys, parsed once per source. Every MigrationInit is checked
 * under one (SIG-2, KEY-2), and parsing a public key validates the point,
 * which costs a good part of a verification. The cache is volatile: after a
 * restart keys are parsed again on first use, with the same outcome. */
#include <stdlib.h>
#include <string.h>

#include "ds/source/source_internal.h"

/* Enough for every member of many groups; past it keys are parsed per use. */
#define SRC_MAX_LEAVES 4096

struct src_leaves {
  struct src_leaf {
    uint16_t suite;
    uint8_t pub[MM_MAX_PUB_LEN];
    size_t len;
    mm_key *key;
  } * v;
  size_t n, cap;
};

src_leaves *src_leaves_new(void) { return calloc(1, sizeof(src_leaves)); }

void src_leaves_free(src_leaves *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n; i++) mm_key_free(l->v[i].key);
  free(l->v);
  free(l);
}

static bool keep(src_leaves *l, uint16_t suite, mm_view pub, mm_key *key) {
  if (l->n == SRC_MAX_LEAVES || pub.len > MM_MAX_PUB_LEN) return false;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 8;
    struct src_leaf *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv) return false;
    l->v = nv;
    l->cap = cap;
  }
  struct src_leaf *e = &l->v[l->n++];
  e->suite = suite;
  memcpy(e->pub, pub.data, pub.len);
  e->len = pub.len;
  e->key = key;
  return true;
}

mm_err src_leaf_key(const mm_source *s, uint16_t suite, mm_view pub, const mm_key **key,
                    mm_key **owned) {
  *owned = NULL;
  src_leaves *l = s->leaves;
  for (size_t i = 0; l && i < l->n; i++)
    if (l->v[i].suite == suite && mm_view_eq(mm_view_of(l->v[i].pub, l->v[i].len), pub)) {
      *key = l->v[i].key;
      return MM_OK;
    }
  mm_key *k;
  mm_err e = mm_key_from_public(suite, pub.data, pub.len, &k);
  if (e != MM_OK) return e;                      /* not cached: a bad key is refused each time */
  if (!l || !keep(l, suite, pub, k)) *owned = k; /* the caller frees it */
  *key = k;
  return MM_OK;
}

/* The in-memory durable store. It is what survives a simulated crash: the
 * simulator frees an actor and makes a new one on the same store. Entries
 * are kept sorted by (namespace, key) so iteration order, and with it every
 * simulated run, is deterministic. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/actor.h"

typedef struct {
  char *ns;
  uint8_t *key;
  size_t key_len;
  uint8_t *block; /* the allocation the value lies in (freed with the entry) */
  const uint8_t *val;
  size_t val_len;
} st_entry;

struct mm_store {
  st_entry *v;
  size_t n, cap;
  size_t bytes;
};

mm_store *mm_store_new(void) { return calloc(1, sizeof(mm_store)); }

static void entry_free(st_entry *e) {
  free(e->ns);
  free(e->key);
  free(e->block);
}

void mm_store_free(mm_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) entry_free(&s->v[i]);
  free(s->v);
  free(s);
}

static int cmp(const char *ns, mm_view key, const st_entry *e) {
  int c = strcmp(ns, e->ns);
  if (c) return c;
  size_t m = key.len < e->key_len ? key.len : e->key_len;
  c = m ? memcmp(key.data, e->key, m) : 0;
  if (c) return c;
  return key.len < e->key_len ? -1 : key.len > e->key_len;
}

/* Index of the entry, or of where it would go (*found tells which). */
static size_t find(const mm_store *s, const char *ns, mm_view key, bool *found) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp(ns, key, &s->v[mid]);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  *found = false;
  return lo;
}

mm_err mm_store_put_owned_view(mm_store *s, const char *ns, mm_view key, uint8_t *block,
                               mm_view val) {
  bool found;
  size_t i = find(s, ns, key, &found);
  if (found) {
    s->bytes -= s->v[i].val_len;
    free(s->v[i].block);
    s->v[i].block = block;
    s->v[i].val = val.data;
    s->v[i].val_len = val.len;
    s->bytes += val.len;
    return MM_OK;
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    st_entry *nv = realloc(s->v, cap * sizeof *nv);
    if (!nv) goto nomem;
    s->v = nv;
    s->cap = cap;
  }
  st_entry e = {strdup(ns), malloc(key.len ? key.len : 1), key.len, block, val.data, val.len};
  if (!e.ns || !e.key) {
    free(e.ns);
    free(e.key);
    goto nomem;
  }
  if (key.len) memcpy(e.key, key.data, key.len);
  memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
  s->v[i] = e;
  s->n++;
  s->bytes += val.len + key.len;
  return MM_OK;
nomem:
  free(block);
  return MM_E_NOMEM;
}

mm_err mm_store_put_owned(mm_store *s, const char *ns, mm_view key, uint8_t *val, size_t len) {
  return mm_store_put_owned_view(s, ns, key, val, mm_view_of(val, len));
}

mm_err mm_store_put(mm_store *s, const char *ns, mm_view key, mm_view val) {
  uint8_t *copy = malloc(val.len ? val.len : 1);
  if (!copy) return MM_E_NOMEM;
  if (val.len) memcpy(copy, val.data, val.len);
  return mm_store_put_owned(s, ns, key, copy, val.len);
}

bool mm_store_get(const mm_store *s, const char *ns, mm_view key, mm_view *val) {
  bool found;
  size_t i = find(s, ns, key, &found);
  if (found && val) *val = mm_view_of(s->v[i].val, s->v[i].val_len);
  return found;
}

void mm_store_del(mm_store *s, const char *ns, mm_view key) {
  bool found;
  size_t i = find(s, ns, key, &found);
  if (!found) return;
  s->bytes -= s->v[i].val_len + s->v[i].key_len;
  entry_free(&s->v[i]);
  memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
  s->n--;
}

void mm_store_each(const mm_store *s, const char *ns,
                   bool (*fn)(void *ctx, mm_view key, mm_view val), void *ctx) {
  bool found;
  size_t i = find(s, ns, mm_view_of(NULL, 0), &found);
  for (; i < s->n && strcmp(s->v[i].ns, ns) == 0; i++)
    if (!fn(ctx, mm_view_of(s->v[i].key, s->v[i].key_len),
            mm_view_of(s->v[i].val, s->v[i].val_len)))
      return;
}

size_t mm_store_count(const mm_store *s, const char *ns) {
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++) n += strcmp(s->v[i].ns, ns) == 0;
  return n;
}

size_t mm_store_bytes(const mm_store *s) { return s->bytes; }

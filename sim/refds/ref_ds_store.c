/* The reference DS shim's durable store on disk (DUR-1): the whole mm_store
 * is written to STATE_DIR/store.bin after every request that may change it
 * (a temporary file renamed over the old one, so a SIGKILL at any instant
 * leaves either the old or the new snapshot, never half of one), and read
 * back when the shim is configured on that directory again.
 *
 * File format, in the codec's presentation language:
 *   struct { opaque ns<V>; opaque key<V>; opaque val<V>; } Entry;
 *   Entry entries[until end of file];
 * The page cache survives the death of a process, so no fsync is needed for
 * the runner's SIGKILL tests; a power loss is out of scope here. Rewriting
 * the whole store per request is fine for the runner's small groups, not
 * for a production DS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refds/ref_ds.h"

typedef struct {
  mm_writer *w;
  const char *ns;
  size_t bytes;
} dump_ctx;

static bool dump_one(void *ctx, mm_view key, mm_view val) {
  dump_ctx *d = ctx;
  d->bytes += key.len + val.len;
  return mm_put_vec(d->w, (const uint8_t *)d->ns, strlen(d->ns)) &&
         mm_put_vec(d->w, key.data, key.len) && mm_put_vec(d->w, val.data, val.len);
}

static MM_MUST_USE mm_err write_file(const char *path, mm_view bytes) {
  FILE *f = fopen(path, "wb");
  if (!f) return MM_E_IO;
  bool ok = bytes.len == 0 ||
            fwrite(bytes.data, 1, bytes.len, f) == bytes.len; /* an empty store: no data pointer */
  ok = (fclose(f) == 0) && ok;
  return ok ? MM_OK : MM_E_IO;
}

mm_err mm_refds_store_save(const mm_store *s, const char *dir) {
  mm_writer w;
  mm_writer_init(&w);
  size_t bytes = 0;
  const char *const *lists[] = {mm_source_store_namespaces(), mm_target_store_namespaces()};
  for (size_t l = 0; l < 2; l++)
    for (const char *const *ns = lists[l]; *ns; ns++) {
      dump_ctx d = {&w, *ns, 0};
      mm_store_each(s, *ns, dump_one, &d);
      bytes += d.bytes;
    }
  /* Every byte of the store must belong to a namespace the actors list: a new
   * namespace in the actors would otherwise be silently lost on restart. */
  mm_err e = !mm_writer_ok(&w) ? MM_E_NOMEM : bytes != mm_store_bytes(s) ? MM_E_INTERNAL : MM_OK;
  size_t n = strlen(dir) + 16;
  char *path = malloc(n), *tmp = malloc(n);
  if (!path || !tmp) e = MM_E_NOMEM;
  if (e == MM_OK) {
    snprintf(path, n, "%s/store.bin", dir);
    snprintf(tmp, n, "%s/store.tmp", dir);
    e = write_file(tmp, mm_writer_view(&w));
  }
  if (e == MM_OK && rename(tmp, path) != 0) e = MM_E_IO;
  free(path);
  free(tmp);
  mm_writer_free(&w);
  return e;
}

static MM_MUST_USE mm_err read_file(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  *out = NULL;
  *len = 0;
  if (!f) return MM_E_NOT_FOUND;
  size_t cap = 0;
  mm_err e = MM_OK;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 65536;
      uint8_t *nb = realloc(*out, cap);
      if (!nb) {
        e = MM_E_NOMEM;
        break;
      }
      *out = nb;
    }
    size_t got = fread(*out + *len, 1, cap - *len, f);
    *len += got;
    if (got == 0) break;
  }
  if (e == MM_OK && ferror(f)) e = MM_E_IO;
  fclose(f);
  return e;
}

mm_err mm_refds_store_load(mm_store *s, const char *dir) {
  size_t n = strlen(dir) + 16;
  char *path = malloc(n);
  if (!path) return MM_E_NOMEM;
  snprintf(path, n, "%s/store.bin", dir);
  uint8_t *buf;
  size_t len;
  mm_err e = read_file(path, &buf, &len);
  free(path);
  if (e == MM_E_NOT_FOUND) return MM_OK; /* a fresh directory */
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, buf, len, &err);
  char ns[64];
  while (e == MM_OK && mm_reader_remaining(&r) > 0) {
    mm_view vns, key, val;
    if (!mm_read_vec(&r, &vns) || !mm_read_vec(&r, &key) || !mm_read_vec(&r, &val) ||
        vns.len >= sizeof ns) {
      e = MM_E_MALFORMED;
      break;
    }
    memcpy(ns, vns.data, vns.len);
    ns[vns.len] = '\0';
    e = mm_store_put(s, ns, key, val);
  }
  free(buf);
  return e;
}

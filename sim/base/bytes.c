/* The bounds-checked reader and the growable writer (see bytes.h). */
#include "mlsmig/bytes.h"

#include <stdlib.h>
#include <string.h>

void mm_reader_init(mm_reader *r, const uint8_t *data, size_t len, mm_derr *err) {
  r->base = data;
  r->pos = 0;
  r->end = len;
  r->err = err;
  if (err) *err = (mm_derr){0};
}

size_t mm_reader_remaining(const mm_reader *r) { return r->end - r->pos; }

bool mm_reader_failed(const mm_reader *r) { return r->err && r->err->rule; }

bool mm_reader_fail_at(mm_reader *r, size_t offset, const char *rule, const char *reason) {
  if (r->err && !r->err->rule) {
    r->err->rule = rule;
    r->err->offset = offset;
    r->err->reason = reason;
  }
  /* A reader without an error record still stops: make it empty. */
  r->pos = r->end;
  return false;
}

bool mm_reader_fail(mm_reader *r, const char *rule, const char *reason) {
  return mm_reader_fail_at(r, r->pos, rule, reason);
}

/* Consume n bytes, returning where they start. */
static bool take(mm_reader *r, size_t n, const uint8_t **p) {
  if (mm_reader_failed(r)) return false;
  if (n > mm_reader_remaining(r))
    return mm_reader_fail(r, "ENC-2", "truncated: field runs past the end");
  *p = r->base + r->pos;
  r->pos += n;
  return true;
}

static bool read_be(mm_reader *r, size_t n, uint64_t *out) {
  const uint8_t *p;
  if (!take(r, n, &p)) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
  *out = v;
  return true;
}

bool mm_read_u8(mm_reader *r, uint8_t *out) {
  uint64_t v;
  if (!read_be(r, 1, &v)) return false;
  *out = (uint8_t)v;
  return true;
}

bool mm_read_u16(mm_reader *r, uint16_t *out) {
  uint64_t v;
  if (!read_be(r, 2, &v)) return false;
  *out = (uint16_t)v;
  return true;
}

bool mm_read_u32(mm_reader *r, uint32_t *out) {
  uint64_t v;
  if (!read_be(r, 4, &v)) return false;
  *out = (uint32_t)v;
  return true;
}

bool mm_read_u64(mm_reader *r, uint64_t *out) { return read_be(r, 8, out); }

bool mm_read_varint(mm_reader *r, uint32_t *out) {
  size_t start = r->pos;
  uint8_t first;
  if (!mm_read_u8(r, &first)) return false;
  size_t n = (size_t)1 << (first >> 6); /* 1, 2, 4 or 8 */
  if (n == 8) return mm_reader_fail_at(r, start, "ENC-1", "invalid length prefix 0b11");
  uint64_t rest = 0;
  if (n > 1 && !read_be(r, n - 1, &rest)) return false;
  uint64_t v = ((uint64_t)(first & 0x3f) << (8 * (n - 1))) | rest;
  if (mm_varint_size(v) != n) return mm_reader_fail_at(r, start, "ENC-1", "non-minimal length");
  *out = (uint32_t)v;
  return true;
}

bool mm_read_fixed(mm_reader *r, size_t n, mm_view *out) {
  const uint8_t *p;
  if (!take(r, n, &p)) return false;
  *out = (mm_view){p, n};
  return true;
}

bool mm_read_vec(mm_reader *r, mm_view *out) {
  size_t start = r->pos;
  uint32_t n;
  if (!mm_read_varint(r, &n)) return false;
  if (n > mm_reader_remaining(r))
    return mm_reader_fail_at(r, start, "ENC-2", "vector runs past its container");
  return mm_read_fixed(r, n, out);
}

bool mm_read_vec_reader(mm_reader *r, mm_reader *child) {
  mm_view v;
  if (!mm_read_vec(r, &v)) return false;
  /* The child shares base and error record, so offsets stay absolute. */
  child->base = r->base;
  child->end = r->pos;
  child->pos = r->pos - v.len;
  child->err = r->err;
  return true;
}

bool mm_read_rest(mm_reader *r, mm_view *out) {
  if (mm_reader_failed(r)) return false;
  *out = (mm_view){r->base + r->pos, mm_reader_remaining(r)};
  r->pos = r->end;
  return true;
}

bool mm_reader_expect_end(mm_reader *r) {
  if (mm_reader_failed(r)) return false;
  if (r->pos != r->end) return mm_reader_fail(r, "ENC-2", "trailing bytes");
  return true;
}

/* ---- writer ---- */

void mm_writer_init(mm_writer *w) { *w = (mm_writer){0}; }

bool mm_writer_fail(mm_writer *w, mm_err e) {
  if (w->error == MM_OK) w->error = e;
  return false;
}

bool mm_writer_ok(const mm_writer *w) { return w->error == MM_OK; }

bool mm_writer_reserve(mm_writer *w, size_t extra) {
  if (w->error != MM_OK) return false;
  if (extra <= w->cap - w->len) return true;
  if (extra > SIZE_MAX / 2 - w->len) return mm_writer_fail(w, MM_E_NOMEM);
  /* Double for amortized appends, but never past what is asked: a large
   * message reserved up front is exactly one allocation of its size. */
  size_t need = w->len + extra;
  size_t cap = w->cap ? w->cap * 2 : 64;
  if (cap < need || (w->len == 0 && extra > 4096)) cap = need;
  uint8_t *nb = realloc(w->buf, cap);
  if (!nb) return mm_writer_fail(w, MM_E_NOMEM);
  w->buf = nb;
  w->cap = cap;
  return true;
}

void mm_writer_free(mm_writer *w) {
  free(w->buf);
  *w = (mm_writer){0};
}

mm_err mm_writer_finish(mm_writer *w, uint8_t **out, size_t *out_len) {
  mm_err e = w->error;
  if (e != MM_OK) {
    mm_writer_free(w);
    return e;
  }
  /* An empty result still gets a real pointer, so callers can free() it. */
  if (!w->buf && !mm_writer_reserve(w, 1)) {
    e = w->error;
    mm_writer_free(w);
    return e;
  }
  *out = w->buf;
  *out_len = w->len;
  *w = (mm_writer){0};
  return MM_OK;
}

mm_view mm_writer_view(const mm_writer *w) { return (mm_view){w->buf, w->len}; }

bool mm_put_bytes(mm_writer *w, const uint8_t *data, size_t len) {
  if (!mm_writer_reserve(w, len)) return false;
  if (len) memcpy(w->buf + w->len, data, len);
  w->len += len;
  return true;
}

static bool put_be(mm_writer *w, uint64_t v, size_t n) {
  uint8_t b[8];
  for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
  return mm_put_bytes(w, b, n);
}

bool mm_put_u8(mm_writer *w, uint8_t v) { return put_be(w, v, 1); }
bool mm_put_u16(mm_writer *w, uint16_t v) { return put_be(w, v, 2); }
bool mm_put_u32(mm_writer *w, uint32_t v) { return put_be(w, v, 4); }
bool mm_put_u64(mm_writer *w, uint64_t v) { return put_be(w, v, 8); }

size_t mm_varint_size(size_t len) {
  if (len < 0x40) return 1;
  if (len < 0x4000) return 2;
  if (len <= MM_VARINT_MAX) return 4;
  return 0;
}

/* Encode v's minimal header into b; returns its size (0 if too large). */
static size_t varint_bytes(size_t v, uint8_t b[4]) {
  size_t n = mm_varint_size(v);
  static const uint8_t prefix[5] = {0, 0x00, 0x40, 0, 0x80};
  for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
  if (n) b[0] |= prefix[n];
  return n;
}

bool mm_put_varint(mm_writer *w, uint32_t v) {
  uint8_t b[4];
  size_t n = varint_bytes(v, b);
  if (!n) return mm_writer_fail(w, MM_E_MALFORMED);
  return mm_put_bytes(w, b, n);
}

bool mm_put_vec(mm_writer *w, const uint8_t *data, size_t len) {
  if (len > MM_VARINT_MAX) return mm_writer_fail(w, MM_E_MALFORMED);
  if (!mm_writer_reserve(w, mm_varint_size(len) + len)) return false;
  return mm_put_varint(w, (uint32_t)len) && mm_put_bytes(w, data, len);
}

size_t mm_vec_begin(mm_writer *w) { return w->len; }

bool mm_vec_end(mm_writer *w, size_t mark) {
  if (w->error != MM_OK) return false;
  size_t body = w->len - mark;
  uint8_t b[4];
  size_t n = varint_bytes(body, b);
  if (!n) return mm_writer_fail(w, MM_E_MALFORMED);
  if (!mm_writer_reserve(w, n)) return false;
  memmove(w->buf + mark + n, w->buf + mark, body);
  memcpy(w->buf + mark, b, n);
  w->len += n;
  return true;
}

/* ---- views ---- */

mm_view mm_view_of(const uint8_t *data, size_t len) { return (mm_view){data, len}; }

mm_view mm_view_str(const char *s) { return (mm_view){(const uint8_t *)s, s ? strlen(s) : 0}; }

bool mm_view_eq(mm_view a, mm_view b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

bool mm_view_eq_str(mm_view a, const char *s) { return mm_view_eq(a, mm_view_str(s)); }

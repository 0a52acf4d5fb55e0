/* json_io.h: the uint64 markers, the loaders' pre-scan of number tokens and
 * the dumpers' rewrite of markers, around jansson's own parser and printer.
 *
 * The pre-scan is a JSON lexer for strings and number tokens only: a token
 * of plain digits worth 2^63..2^64-1 becomes the marker's JSON string (so
 * jansson parses it, with JSON_ALLOW_NUL), one above 2^64-1 or "-0" is
 * refused, and anything else is left for jansson to accept or refuse. A
 * rewrite moves jansson's error positions; they are moved back. */
#include "base/json_io.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* In a tree: NUL "u64:" digits. In JSON text: "\u0000u64:digits". */
static const char MARK[] = "\0u64:";
#define MARK_LEN 5
static const char MARK_TEXT[] = "\"\\u0000u64:";
#define MARK_TEXT_LEN 11

/* Canonical decimal digits (no leading zero) of a value above 2^63-1?
 * *over is set when they are worth more than 2^64-1. */
static bool big_digits(const char *d, size_t n, uint64_t *out, bool *over) {
  *over = false;
  if (n < 19 || d[0] < '1' || d[0] > '9') return false;
  if (n > 20) {
    *over = true;
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (d[i] < '0' || d[i] > '9') return false;
    unsigned k = (unsigned)(d[i] - '0');
    if (v > (UINT64_MAX - k) / 10) {
      *over = true;
      return false;
    }
    v = v * 10 + k;
  }
  if (v <= (uint64_t)INT64_MAX) return false;
  *out = v;
  return true;
}

json_t *mm_json_u64(uint64_t v) {
  if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
  char buf[MARK_LEN + 21];
  memcpy(buf, MARK, MARK_LEN);
  int n = snprintf(buf + MARK_LEN, sizeof buf - MARK_LEN, "%" PRIu64, v);
  return json_stringn(buf, MARK_LEN + (size_t)n);
}

bool mm_json_u64_value(const json_t *v, uint64_t *out) {
  if (json_is_integer(v)) {
    if (json_integer_value(v) < 0) return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
  }
  if (!json_is_string(v)) return false;
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  uint64_t x;
  bool over;
  if (n <= MARK_LEN || memcmp(s, MARK, MARK_LEN) != 0 ||
      !big_digits(s + MARK_LEN, n - MARK_LEN, &x, &over))
    return false;
  *out = x;
  return true;
}

bool mm_json_u64_get(const json_t *obj, const char *key, uint64_t max, uint64_t *out) {
  uint64_t x;
  if (!mm_json_u64_value(json_object_get(obj, key), &x) || x > max) return false;
  *out = x;
  return true;
}

/* ---- loading ---- */

/* Where a rewrite ends in the rewritten text, how much longer it made it,
 * and on which line. */
typedef struct shift {
  size_t end, delta;
  int line;
} shift;

typedef struct scan {
  const char *in;
  size_t len;
  char *out; /* the rewritten text, once a rewrite is needed */
  size_t olen, ocap, copied;
  shift *sh;
  size_t nsh, capsh;
  int line;        /* line of in[pos] (1-based) */
  size_t pos, bol; /* how far lines were counted; where that line begins */
  bool nomem;
} scan;

static bool out_put(scan *s, const char *p, size_t n) {
  if (n == 0) return true; /* s->out may still be NULL: no NULL + 0 */
  if (s->olen + n > s->ocap) {
    size_t cap = s->ocap ? s->ocap : s->len + 64;
    while (cap < s->olen + n) cap *= 2;
    char *nb = realloc(s->out, cap);
    if (!nb) return false;
    s->out = nb;
    s->ocap = cap;
  }
  memcpy(s->out + s->olen, p, n);
  s->olen += n;
  return true;
}

/* Counts lines up to in[at], so s->line and s->bol describe at. */
static void lines_to(scan *s, size_t at) {
  for (; s->pos < at; s->pos++)
    if (s->in[s->pos] == '\n') {
      s->line++;
      s->bol = s->pos + 1;
    }
}

/* jansson's column: characters (UTF-8 lead bytes) of the line before at. */
static int column_of(const scan *s, size_t at) {
  int c = 0;
  for (size_t i = s->bol; i < at; i++)
    if (((unsigned char)s->in[i] & 0xc0) != 0x80) c++;
  return c;
}

/* Fails the load with a jansson-style error ending at in[at]. */
static void scan_error(scan *s, json_error_t *err, size_t at, const char *what, size_t from) {
  if (!err) return;
  lines_to(s, at);
  int n = (int)(at - from > 40 ? 40 : at - from);
  snprintf(err->text, sizeof err->text, "%s near '%.*s'", what, n, s->in + from);
  snprintf(err->source, sizeof err->source, "<buffer>");
  err->line = s->line;
  err->column = column_of(s, at);
  err->position = (int)at;
}

/* Rewrites the token in[at, at+n) (digits worth v) as a marker string. */
static bool rewrite(scan *s, size_t at, size_t n, uint64_t v) {
  char digits[24];
  int nd = snprintf(digits, sizeof digits, "%" PRIu64, v);
  if (!out_put(s, s->in + s->copied, at - s->copied) || !out_put(s, MARK_TEXT, MARK_TEXT_LEN) ||
      !out_put(s, digits, (size_t)nd) || !out_put(s, "\"", 1))
    return false;
  s->copied = at + n;
  if (s->nsh == s->capsh) {
    size_t cap = s->capsh ? s->capsh * 2 : 8;
    shift *nb = realloc(s->sh, cap * sizeof *nb);
    if (!nb) return false;
    s->sh = nb;
    s->capsh = cap;
  }
  lines_to(s, at);
  s->sh[s->nsh++] = (shift){s->olen, MARK_TEXT_LEN + 1, s->line};
  return true;
}

/* Index just past the string opening at in[i]; false at "\u0000". */
static bool skip_string(const char *in, size_t len, size_t *i) {
  size_t k = *i + 1;
  while (k < len && in[k] != '"') {
    if (in[k] == '\\') {
      if (k + 6 <= len && memcmp(in + k, "\\u0000", 6) == 0) {
        *i = k + 6;
        return false;
      }
      k++;
    }
    k++;
  }
  *i = k < len ? k + 1 : len;
  return true;
}

/* True when the n bytes at p are all decimal digits (the input need not be
 * NUL-terminated, so no strspn). */
static bool all_digits(const char *p, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (p[k] < '0' || p[k] > '9') return false;
  return true;
}

/* The pre-scan: false when the text is refused (err set) or on OOM. */
static bool prescan(scan *s, json_error_t *err) {
  static const char num_chars[] = "0123456789+-.eE";
  size_t i = 0;
  while (i < s->len) {
    char c = s->in[i];
    if (c == '"') {
      size_t start = i;
      if (!skip_string(s->in, s->len, &i)) {
        scan_error(s, err, i, "\\u0000 is not allowed in a string", start);
        return false;
      }
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < s->len && s->in[j] && strchr(num_chars, s->in[j])) j++;
    uint64_t v;
    bool over;
    if (j - i == 2 && c == '-' && s->in[i + 1] == '0') {
      scan_error(s, err, j, "negative zero is not an integer", i);
      return false;
    }
    if (big_digits(s->in + i, j - i, &v, &over)) {
      if (!rewrite(s, i, j - i, v)) {
        s->nomem = true;
        return false;
      }
    } else if (over && all_digits(s->in + i, j - i)) {
      scan_error(s, err, j, "integer above 2^64-1", i);
      return false;
    }
    i = j;
  }
  return s->out == NULL || out_put(s, s->in + s->copied, s->len - s->copied) ||
         (s->nomem = true, false);
}

/* Moves jansson's error position in the rewritten text back to the input. */
static void unshift(const scan *s, json_error_t *err) {
  size_t p = err->position > 0 ? (size_t)err->position : 0, back = 0;
  int col = 0;
  for (size_t k = 0; k < s->nsh && s->sh[k].end <= p; k++) {
    back += s->sh[k].delta;
    if (s->sh[k].line == err->line) col += (int)s->sh[k].delta;
  }
  err->position = (int)(p - back);
  if (err->column > col) err->column -= col;
}

json_t *mm_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err) {
  scan s = {.in = buf, .len = len, .line = 1};
  json_t *j = NULL;
  if (!buf) {
    if (err) snprintf(err->text, sizeof err->text, "no input");
    return NULL;
  }
  if (!prescan(&s, err)) {
    if (s.nomem && err) snprintf(err->text, sizeof err->text, "out of memory");
  } else if (!s.out) {
    j = json_loadb(buf, len, flags & ~(size_t)JSON_ALLOW_NUL, err);
  } else {
    j = json_loadb(s.out, s.olen, flags | JSON_ALLOW_NUL, err);
    if (!j && err) unshift(&s, err);
  }
  free(s.out);
  free(s.sh);
  return j;
}

json_t *mm_json_loads(const char *text, size_t flags, json_error_t *err) {
  return mm_json_loadb(text, text ? strlen(text) : 0, flags, err);
}

/* Reads f to its end: a malloc'd buffer, or NULL on a read error or OOM. */
static char *slurp(FILE *f, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  while (b) {
    n += fread(b + n, 1, cap - n, f);
    if (n < cap) break;
    char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
    if (!nb) {
      free(b);
      return NULL;
    }
    b = nb;
    cap *= 2;
  }
  if (b && ferror(f)) {
    free(b);
    return NULL;
  }
  *len = n;
  return b;
}

json_t *mm_json_loadf(FILE *f, size_t flags, json_error_t *err) {
  size_t len = 0;
  char *b = f ? slurp(f, &len) : NULL;
  if (!b) {
    if (err) snprintf(err->text, sizeof err->text, "cannot read the input");
    return NULL;
  }
  json_t *j = mm_json_loadb(b, len, flags, err);
  if (!j && err) snprintf(err->source, sizeof err->source, "<stream>");
  free(b);
  return j;
}

json_t *mm_json_load_file(const char *path, size_t flags, json_error_t *err) {
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) {
    if (err) {
      snprintf(err->text, sizeof err->text, "unable to open %s: %s", path ? path : "(null)",
               strerror(errno));
      err->line = err->column = -1;
      err->position = 0;
    }
    return NULL;
  }
  json_t *j = mm_json_loadf(f, flags, err);
  fclose(f);
  if (!j && err) snprintf(err->source, sizeof err->source, "%s", path);
  return j;
}

/* ---- dumping ---- */

/* Index just past the string opening at s[i] (a jansson dump: well formed). */
static size_t string_end(const char *s, size_t n, size_t i) {
  size_t k = i + 1;
  while (k < n && s[k] != '"') k += s[k] == '\\' ? 2 : 1;
  return k < n ? k + 1 : n;
}

/* jansson's printer writes into this, not into its own string buffer: 2.14
 * ignores a failed append of an object key (akheron/jansson#655), so a
 * failure here is sticky and fails the whole dump. */
typedef struct dumpbuf {
  char *s;
  size_t len, cap;
  bool failed;
} dumpbuf;

static int dump_append(const char *p, size_t n, void *ctx) {
  dumpbuf *b = ctx;
  if (b->failed) return -1;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *nb = realloc(b->s, cap);
    if (!nb) {
      b->failed = true;
      return -1;
    }
    b->s = nb;
    b->cap = cap;
  }
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = '\0';
  return 0;
}

char *mm_json_dumps(const json_t *j, size_t flags) {
  dumpbuf b = {0};
  if (json_dump_callback(j, dump_append, &b, flags) != 0 || b.failed || !b.s) {
    free(b.s);
    return NULL;
  }
  char *s = b.s;
  if (!strstr(s, MARK_TEXT + 1)) return s;
  /* In place: a marker's number is shorter than its string. */
  size_t n = strlen(s), r = 0, w = 0;
  while (r < n) {
    if (s[r] != '"') {
      s[w++] = s[r++];
      continue;
    }
    size_t e = string_end(s, n, r), nd = e - r - MARK_TEXT_LEN - 1;
    uint64_t v;
    bool over;
    if (e - r > MARK_TEXT_LEN + 1 && memcmp(s + r, MARK_TEXT, MARK_TEXT_LEN) == 0 &&
        big_digits(s + r + MARK_TEXT_LEN, nd, &v, &over)) {
      memmove(s + w, s + r + MARK_TEXT_LEN, nd);
      w += nd;
    } else {
      memmove(s + w, s + r, e - r);
      w += e - r;
    }
    r = e;
  }
  s[w] = '\0';
  return s;
}

int mm_json_dumpf(const json_t *j, FILE *f, size_t flags) {
  char *s = mm_json_dumps(j, flags);
  if (!s) return -1;
  size_t n = strlen(s);
  int rc = fwrite(s, 1, n, f) == n ? 0 : -1;
  free(s);
  return rc;
}

int mm_json_dump_file(const json_t *j, const char *path, size_t flags) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int rc = mm_json_dumpf(j, f, flags);
  if (fclose(f) != 0) rc = -1;
  return rc;
}

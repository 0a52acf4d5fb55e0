/* JSON form of every codec type, walking the same field tables as the binary
 * codec (schema.h): one JSON key per field, nested structs as objects, select
 * arms either under their own key (MLSMessage's public_message /
 * private_message) or inline (the Sender's leaf_index / sender_index), every
 * byte field as lowercase hex, integers as JSON numbers.
 *
 * Integers go through base/json_io.h, so an epoch of 2^63..2^64-1 is exact
 * both ways (jansson's own integers are signed 64-bit): the tree holds it
 * as json_io's marker, and mm_json_dumps prints it as a plain number. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "codec/schema.h"
#include "mlsmig/hex.h"

/* ---- arena ---- */

void mm_arena_init(mm_arena *a) { *a = (mm_arena){0}; }

void *mm_arena_alloc(mm_arena *a, size_t len) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 16;
    void **nb = realloc(a->blocks, cap * sizeof *nb);
    if (!nb) return NULL;
    a->blocks = nb;
    a->cap = cap;
  }
  void *p = malloc(len ? len : 1);
  if (p) a->blocks[a->n++] = p;
  return p;
}

void mm_arena_free(mm_arena *a) {
  for (size_t i = 0; i < a->n; i++) free(a->blocks[i]);
  free(a->blocks);
  *a = (mm_arena){0};
}

/* ---- hex ---- */

json_t *mm_json_hex(const uint8_t *data, size_t len) {
  char *s = mm_hex_alloc(data, len);
  if (!s) return NULL;
  json_t *j = json_stringn_nocheck(s, 2 * len);
  free(s);
  return j;
}

/* MM_OK, MM_E_MALFORMED (not a hex string) or MM_E_NOMEM. */
static MM_MUST_USE mm_err unhex(const json_t *s, mm_arena *a, mm_view *out) {
  static const uint8_t empty[1];
  if (!json_is_string(s)) return MM_E_MALFORMED;
  const char *hex = json_string_value(s);
  size_t n = json_string_length(s);
  if (n % 2) return MM_E_MALFORMED;
  if (n == 0) {
    *out = mm_view_of(empty, 0); /* a real pointer, no allocation */
    return MM_OK;
  }
  uint8_t *buf = mm_arena_alloc(a, n / 2);
  if (!buf) return MM_E_NOMEM;
  if (!mm_hex_decode(hex, n, buf)) return MM_E_MALFORMED;
  *out = mm_view_of(buf, n / 2);
  return MM_OK;
}

bool mm_json_unhex(const json_t *s, mm_arena *a, mm_view *out) { return unhex(s, a, out) == MM_OK; }

/* ======================= to JSON ======================= */

static bool fields_to_json(const mm_schema *s, const void *base, json_t *obj);
static json_t *elem_to_json(const mm_schema *s, const void *base);

static const void *at(const void *base, size_t off) { return (const unsigned char *)base + off; }

/* Adds a new reference under key; false (and no leak) if v is NULL. */
static bool set_new(json_t *obj, const char *key, json_t *v) {
  return v && json_object_set_new(obj, key, v) == 0;
}

static json_t *struct_to_json(const mm_schema *s, const void *base) {
  json_t *o = json_object();
  if (o && !fields_to_json(s, base, o)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Does schema s stand for its one unnamed field (schema.h)? */
static bool unwrapped(const mm_schema *s) {
  return s->nfields == 1 && !s->fields[0].name && s->fields[0].kind != MM_K_SELECT;
}

/* A list's elements, each decoded in turn into scratch. */
static json_t *list_to_json(const mm_field *f, const void *base) {
  const mm_list *l = at(base, f->offset);
  json_t *arr = json_array();
  unsigned char *e = arr ? malloc(f->sub->size) : NULL;
  size_t pos = 0;
  bool ok = e != NULL;
  while (ok && mm_schema_list_next(f->sub, *l, &pos, e))
    ok = json_array_append_new(arr, elem_to_json(f->sub, e)) == 0;
  free(e);
  if (!ok || pos != l->data.len) {
    json_decref(arr);
    return NULL;
  }
  return arr;
}

/* The JSON value of a field that is not a select. */
static json_t *value_to_json(const mm_field *f, const void *base) {
  switch (f->kind) {
  case MM_K_U8:
  case MM_K_U16:
  case MM_K_U32:
  case MM_K_U64: {
    return mm_json_u64(mm_field_get_int(base, f->kind, f->offset));
  }
  case MM_K_STRUCT: return struct_to_json(f->sub, at(base, f->offset));
  case MM_K_LIST: return list_to_json(f, base);
  case MM_K_OPTIONAL:
    return *((const uint8_t *)base + f->sel_off) ? struct_to_json(f->sub, at(base, f->offset))
                                                 : json_null();
  default: {
    const mm_view *v = at(base, f->offset);
    return mm_json_hex(v->data, v->len);
  }
  }
}

static json_t *elem_to_json(const mm_schema *s, const void *base) {
  return unwrapped(s) ? value_to_json(&s->fields[0], base) : struct_to_json(s, base);
}

static bool field_to_json(const mm_field *f, const void *base, json_t *obj) {
  if (f->kind != MM_K_SELECT) return set_new(obj, f->name, value_to_json(f, base));
  const mm_case *k = mm_select_case(f, base);
  if (!k) return false;
  if (!k->key) return fields_to_json(k->schema, base, obj);
  return set_new(obj, k->key, struct_to_json(k->schema, base));
}

static bool fields_to_json(const mm_schema *s, const void *base, json_t *obj) {
  for (size_t i = 0; i < s->nfields; i++)
    if (!field_to_json(&s->fields[i], base, obj)) return false;
  return true;
}

json_t *mm_schema_to_json(const mm_schema *s, const void *msg) {
  if (!s || !msg) return NULL;
  return elem_to_json(s, msg);
}

json_t *mm_msg_to_json(mm_type t, const void *msg) {
  return mm_schema_to_json(mm_schema_of(t), msg);
}

/* ======================= from JSON ======================= */

typedef struct jctx {
  mm_arena *a;
  const char **why;
  bool nomem; /* the failure was the arena's: no verdict on the input */
} jctx;

/* Sets *why (formatted into the arena when possible) and fails. */
static bool jfail(jctx *c, const char *fmt, const char *name) {
  size_t n = strlen(fmt) + (name ? strlen(name) : 0) + 1;
  char *s = mm_arena_alloc(c->a, n);
  if (s) snprintf(s, n, fmt, name ? name : "");
  *c->why = s ? s : "invalid JSON message";
  return false;
}

static bool fields_from_json(jctx *c, const mm_schema *s, const json_t *obj, void *base);

static void *mat(void *base, size_t off) { return (unsigned char *)base + off; }

static bool int_from_json(jctx *c, const mm_field *f, const json_t *v, void *base) {
  uint64_t x;
  if (json_is_integer(v) && json_integer_value(v) < 0)
    return jfail(c, "\"%s\" out of range", f->name);
  if (json_is_real(v))
    return jfail(c, "\"%s\" must be an integer (digits, no fraction or exponent)", f->name);
  if (!mm_json_u64_value(v, &x)) return jfail(c, "\"%s\" must be an integer", f->name);
  if (x > mm_kind_int_max(f->kind)) return jfail(c, "\"%s\" out of range", f->name);
  mm_field_set_int(base, f->kind, f->offset, x);
  return true;
}

/* Is key one of the JSON keys of schema s for the struct at base? */
static bool key_known(const mm_schema *s, const void *base, const char *key) {
  for (size_t i = 0; i < s->nfields; i++) {
    const mm_field *f = &s->fields[i];
    if (f->kind != MM_K_SELECT) {
      if (strcmp(f->name, key) == 0) return true;
      continue;
    }
    const mm_case *k = mm_select_case(f, base);
    if (k && (k->key ? strcmp(k->key, key) == 0 : key_known(k->schema, base, key))) return true;
  }
  return false;
}

static bool object_from_json(jctx *c, const mm_schema *s, const json_t *obj, const char *name,
                             void *base) {
  if (!json_is_object(obj)) return jfail(c, "\"%s\" must be a JSON object", name);
  if (!fields_from_json(c, s, obj, base)) return false;
  /* Every key must be one the schema (with its selected arms) names. */
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)obj, key, val) { /* jansson's iterator is not const */
    if (!key_known(s, base, key)) return jfail(c, "unknown key \"%s\"", key);
  }
  return true;
}

static bool elem_from_json(jctx *c, const mm_schema *s, const json_t *v, const char *name,
                           void *base);

static bool nomem(jctx *c) {
  c->nomem = true;
  *c->why = "out of memory";
  return false;
}

/* A JSON array: each element filled in scratch and encoded (under
 * suite-independent limits: mm_encode applies the suite's later) into the
 * list's bytes, which then live in the arena. */
static bool list_from_json(jctx *c, const mm_field *f, const json_t *v, void *base) {
  if (!json_is_array(v)) return jfail(c, "\"%s\" must be a JSON array", f->name);
  mm_list *l = mat(base, f->offset);
  void *e = mm_arena_alloc(c->a, f->sub->size);
  if (!e) return nomem(c);
  mm_writer w;
  mm_writer_init(&w);
  size_t i;
  const json_t *item;
  bool ok = true;
  json_array_foreach(v, i, item) {
    memset(e, 0, f->sub->size);
    mm_derr err = {0};
    if (!(ok = elem_from_json(c, f->sub, item, f->name, e))) break;
    mm_err enc = mm_schema_encode(f->sub, e, f->sub->nfields, NULL, &w, &err);
    if (enc == MM_E_NOMEM)
      ok = nomem(c);
    else if (enc != MM_OK)
      ok = jfail(c, "an element of \"%s\" does not encode", f->name);
    if (!ok) break;
  }
  if (ok && json_array_size(v) > UINT32_MAX) ok = jfail(c, "\"%s\" has too many elements", f->name);
  uint8_t *bytes = ok ? mm_arena_alloc(c->a, w.len) : NULL;
  if (ok && !bytes) ok = nomem(c);
  if (ok) {
    if (w.len) memcpy(bytes, w.buf, w.len);
    l->data = mm_view_of(bytes, w.len);
    l->count = (uint32_t)json_array_size(v);
  }
  mm_writer_free(&w);
  return ok;
}

/* The value of a field that is not a select, from v. */
static bool value_from_json(jctx *c, const mm_field *f, const json_t *v, void *base) {
  const char *name = f->name ? f->name : "value";
  switch (f->kind) {
  case MM_K_U8:
  case MM_K_U16:
  case MM_K_U32:
  case MM_K_U64: return int_from_json(c, f, v, base);
  case MM_K_STRUCT: return object_from_json(c, f->sub, v, name, mat(base, f->offset));
  case MM_K_LIST: return list_from_json(c, f, v, base);
  case MM_K_OPTIONAL: {
    uint8_t *present = (uint8_t *)base + f->sel_off;
    *present = !json_is_null(v);
    return !*present || object_from_json(c, f->sub, v, name, mat(base, f->offset));
  }
  default: {
    mm_err e = unhex(v, c->a, mat(base, f->offset));
    if (e == MM_E_NOMEM) return nomem(c);
    if (e != MM_OK) return jfail(c, "\"%s\" must be a string of hex digit pairs", name);
    return true;
  }
  }
}

static bool field_from_json(jctx *c, const mm_field *f, const json_t *obj, void *base) {
  if (f->kind == MM_K_SELECT) {
    const mm_case *k = mm_select_case(f, base);
    if (!k) return jfail(c, "%s", f->reason);
    if (!k->key) return fields_from_json(c, k->schema, obj, base);
    const json_t *v = json_object_get(obj, k->key);
    if (!v) return jfail(c, "missing key \"%s\"", k->key);
    return object_from_json(c, k->schema, v, k->key, base);
  }
  const json_t *v = json_object_get(obj, f->name);
  if (!v) return jfail(c, "missing key \"%s\"", f->name);
  return value_from_json(c, f, v, base);
}

static bool fields_from_json(jctx *c, const mm_schema *s, const json_t *obj, void *base) {
  for (size_t i = 0; i < s->nfields; i++)
    if (!field_from_json(c, &s->fields[i], obj, base)) return false;
  return true;
}

static bool elem_from_json(jctx *c, const mm_schema *s, const json_t *v, const char *name,
                           void *base) {
  if (unwrapped(s)) return value_from_json(c, &s->fields[0], v, base);
  return object_from_json(c, s, v, name, base);
}

mm_err mm_schema_from_json(const mm_schema *s, const json_t *obj, mm_arena *a, void *msg,
                           const char **why) {
  const char *ignored;
  jctx c = {a, why ? why : &ignored, false};
  *c.why = NULL;
  if (!s || !obj || !a || !msg) return MM_E_USAGE;
  memset(msg, 0, s->size); /* fields of unselected arms stay empty */
  if (elem_from_json(&c, s, obj, s->name, msg)) return MM_OK;
  return c.nomem ? MM_E_NOMEM : MM_E_MALFORMED;
}

mm_err mm_msg_from_json(mm_type t, const json_t *obj, mm_arena *a, void *msg, const char **why) {
  return mm_schema_from_json(mm_schema_of(t), obj, a, msg, why);
}

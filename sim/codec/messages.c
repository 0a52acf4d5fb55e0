/* The generic binary codec: one decoder, one encoder (and its to-be-signed
 * variant) and one size function, all walking the field tables of
 * schema.h. Reads go through mm_reader, writes through mm_writer; this file
 * only adds the ENC-4 field checks and the envelope body rule. */
#include <string.h>

#include "codec/schema.h"
#include "profile/rule.h"

/* Limits in force while walking one message: the caller's, with the suite
 * resolved once (NULL when unknown: suite-independent limits). */
typedef struct walk_limits {
  mm_limits lim;
  const mm_suite *suite;
} walk_limits;

static walk_limits walk_limits_of(mm_limits lim) {
  const mm_suite *s = mm_suite_get(lim.suite);
  if (!s) lim.suite = 0;
  return (walk_limits){lim, s};
}

/* The limits an Envelope body is checked under: the envelope's suite when it
 * is known, suite-independent limits otherwise. */
static walk_limits body_limits(const walk_limits *outer, const mm_field *f, const void *base) {
  mm_limits lim = outer->lim;
  lim.suite = (uint16_t)mm_field_get_int(base, MM_K_U16, f->suite_off);
  return walk_limits_of(lim);
}

static bool body_type(const mm_field *f, const void *base, mm_type *t) {
  return mm_msg_type_body((int)mm_field_get_int(base, f->sel_kind, f->sel_off), t);
}

static bool is_int(mm_kind k) { return k <= MM_K_U64; }

static size_t int_width(mm_kind k) {
  static const size_t w[] = {[MM_K_U8] = 1, [MM_K_U16] = 2, [MM_K_U32] = 4, [MM_K_U64] = 8};
  return w[k];
}

static mm_view *view_at(void *base, const mm_field *f) {
  return (mm_view *)(void *)((unsigned char *)base + f->offset);
}

static const mm_view *cview_at(const void *base, const mm_field *f) {
  return (const mm_view *)(const void *)((const unsigned char *)base + f->offset);
}

static void *sub_base(void *base, const mm_field *f) { return (unsigned char *)base + f->offset; }

static const void *csub_base(const void *base, const mm_field *f) {
  return (const unsigned char *)base + f->offset;
}

/* The range of f under the limits in force: feat_max when they name the feature. */
static bool int_in_range(const mm_field *f, uint64_t v, const mm_limits *lim) {
  uint64_t max =
      f->feat_max > f->max && (lim->features & MM_FEAT_MIGRATION_REFUSAL) ? f->feat_max : f->max;
  return !f->reason || (v >= f->min && v <= max);
}

static mm_list *list_at(void *base, const mm_field *f) {
  return (mm_list *)(void *)((unsigned char *)base + f->offset);
}

static const mm_list *clist_at(const void *base, const mm_field *f) {
  return (const mm_list *)(const void *)((const unsigned char *)base + f->offset);
}

/* The presence flag of an optional<T> field. */
static uint8_t *flag_at(void *base, const mm_field *f) { return (uint8_t *)base + f->sel_off; }

static uint8_t cflag_at(const void *base, const mm_field *f) {
  return *((const uint8_t *)base + f->sel_off);
}

/* One list element while a list is walked (MM_K_LIST). */
typedef union elem_scratch {
  max_align_t align;
  unsigned char b[MM_SCHEMA_ELEM_MAX];
} elem_scratch;

/* The limits from here on when field f, a CipherSuite, has value v. */
static void set_suite(walk_limits *wl, uint64_t v) {
  mm_limits lim = wl->lim;
  lim.suite = (uint16_t)v;
  *wl = walk_limits_of(lim);
}

/* ======================= decoding ======================= */

typedef struct dctx {
  mm_reader *r;
  walk_limits wl;
} dctx;

static bool decode_fields(dctx *c, const mm_schema *s, void *base);
static bool decode_as(mm_type t, mm_reader *r, walk_limits wl, void *msg);

/* A nested struct: its fields, and its own suite scope. */
static bool decode_struct(dctx *c, const mm_schema *s, void *base) {
  walk_limits saved = c->wl;
  bool ok = decode_fields(c, s, base);
  if (s->suite_scope) c->wl = saved;
  return ok;
}

/* T items<V>: every element decoded in turn into scratch (so nothing is
 * allocated, whatever the length claims), the view and the count kept. */
static bool decode_list(dctx *c, const mm_field *f, void *base) {
  mm_reader *r = c->r;
  size_t start = r->pos;
  mm_reader child;
  if (!mm_read_vec_reader(r, &child)) return false;
  mm_list *l = list_at(base, f);
  l->data = mm_view_of(child.base + child.pos, child.end - child.pos);
  l->count = 0;
  if (f->sub->size > sizeof(elem_scratch))
    return mm_reader_fail_at(r, start, "-", "list element too large for the codec");
  elem_scratch e;
  dctx cc = {&child, c->wl};
  while (mm_reader_remaining(&child) > 0) {
    size_t at = child.pos;
    memset(&e, 0, f->sub->size);
    if (!decode_struct(&cc, f->sub, &e)) return mm_reader_fail_at(r, r->pos, "-", "list element");
    if (child.pos == at) return mm_reader_fail_at(r, at, "ENC-2", "empty list element");
    l->count++;
  }
  if (!int_in_range(f, l->count, &c->wl.lim))
    return mm_reader_fail_at(r, start, "ENC-4", f->reason);
  return true;
}

/* optional<T>: presence byte 0 or 1 (ENC-4), then T. */
static bool decode_optional(dctx *c, const mm_field *f, void *base) {
  size_t start = c->r->pos;
  uint8_t present;
  if (!mm_read_u8(c->r, &present)) return false;
  if (present > 1) return mm_reader_fail_at(c->r, start, "ENC-4", "optional<> flag not 0 or 1");
  *flag_at(base, f) = present;
  return !present || decode_struct(c, f->sub, sub_base(base, f));
}

/* opaque body<V>: decoded in a child reader over its contents (so error
 * offsets stay absolute) as the type msg_type names, exactly to its end. */
static bool decode_body(dctx *c, const mm_field *f, void *base) {
  mm_reader child;
  if (!mm_read_vec_reader(c->r, &child)) return false;
  *view_at(base, f) = mm_view_of(child.base + child.pos, child.end - child.pos);
  mm_type t;
  if (!body_type(f, base, &t)) /* msg_type was range-checked already */
    return mm_reader_fail_at(&child, child.pos, "ENC-4", "unknown msg_type");
  mm_any_msg scratch;
  return decode_as(t, &child, body_limits(&c->wl, f, base), &scratch) &&
         mm_reader_expect_end(&child);
}

static bool decode_field_at(dctx *c, const mm_field *f, void *base);

/* A field, and its name on the failure it caused (the innermost wins). */
static bool decode_field(dctx *c, const mm_field *f, void *base) {
  if (decode_field_at(c, f, base)) return true;
  mm_derr *err = c->r->err;
  if (err && err->rule && !err->field && f->name) err->field = f->name;
  return false;
}

static bool decode_field_at(dctx *c, const mm_field *f, void *base) {
  mm_reader *r = c->r;
  size_t start = r->pos;
  if (is_int(f->kind)) {
    mm_view v;
    if (!mm_read_fixed(r, int_width(f->kind), &v)) return false;
    uint64_t x = 0; /* big-endian */
    for (size_t i = 0; i < v.len; i++) x = (x << 8) | v.data[i];
    if (!int_in_range(f, x, &c->wl.lim)) return mm_reader_fail_at(r, start, "ENC-4", f->reason);
    mm_field_set_int(base, f->kind, f->offset, x);
    if (f->sets_suite) set_suite(&c->wl, x);
    return true;
  }
  switch (f->kind) {
  case MM_K_NONCE: return mm_read_fixed(r, MM_NONCE_LEN, view_at(base, f));
  case MM_K_REST: return mm_read_rest(r, view_at(base, f));
  case MM_K_STRUCT: return decode_struct(c, f->sub, sub_base(base, f));
  case MM_K_LIST: return decode_list(c, f, base);
  case MM_K_OPTIONAL: return decode_optional(c, f, base);
  case MM_K_SELECT: {
    const mm_case *k = mm_select_case(f, base);
    if (!k) return mm_reader_fail_at(r, start, "ENC-4", f->reason);
    return decode_fields(c, k->schema, base);
  }
  case MM_K_BODY: return decode_body(c, f, base);
  default: {
    mm_view *v = view_at(base, f);
    if (!mm_read_vec(r, v)) return false;
    const char *why = mm_field_problem(f->kind, *v, &c->wl.lim, c->wl.suite);
    /* ENC-4 errors point at the field's length header. */
    if (why) return mm_reader_fail_at(r, start, "ENC-4", why);
    return true;
  }
  }
}

static bool decode_fields(dctx *c, const mm_schema *s, void *base) {
  for (size_t i = 0; i < s->nfields; i++)
    if (!decode_field(c, &s->fields[i], base)) return false;
  return true;
}

static bool decode_as(mm_type t, mm_reader *r, walk_limits wl, void *msg) {
  const mm_schema *s = mm_schema_of(t);
  if (!s || !msg) return mm_reader_fail(r, "-", "unknown message type");
  memset(msg, 0, s->size);
  dctx c = {r, wl};
  return decode_fields(&c, s, msg);
}

bool mm_decode_reader(mm_type t, mm_reader *r, const mm_limits *lim, void *msg) {
  return decode_as(t, r, walk_limits_of(mm_limits_or_default(lim)), msg);
}

bool mm_schema_decode_reader(const mm_schema *s, mm_reader *r, const mm_limits *lim, void *out) {
  if (!s || !out) return mm_reader_fail(r, "-", "unknown message type");
  memset(out, 0, s->size);
  dctx c = {r, walk_limits_of(mm_limits_or_default(lim))};
  return decode_struct(&c, s, out);
}

mm_err mm_schema_decode(const mm_schema *s, const uint8_t *data, size_t len, const mm_limits *lim,
                        void *out, mm_derr *err) {
  mm_derr local;
  if (!s || !out || (!data && len)) return MM_E_USAGE;
  mm_reader r;
  mm_reader_init(&r, data, len, err ? err : &local);
  if (!mm_schema_decode_reader(s, &r, lim, out) || !mm_reader_expect_end(&r)) return MM_E_MALFORMED;
  return MM_OK;
}

bool mm_schema_list_next(const mm_schema *elem, mm_list l, size_t *pos, void *out) {
  if (!elem || *pos >= l.data.len) return false;
  mm_derr err;
  mm_reader r;
  mm_reader_init(&r, l.data.data, l.data.len, &err);
  r.pos = *pos;
  if (!mm_schema_decode_reader(elem, &r, NULL, out) || r.pos == *pos) {
    *pos = l.data.len; /* a decoded list never gets here; stop anyway */
    return false;
  }
  *pos = r.pos;
  return true;
}

mm_err mm_decode(mm_type t, const uint8_t *data, size_t len, const mm_limits *lim, void *msg,
                 mm_derr *err) {
  mm_derr local;
  if (!mm_schema_of(t) || !msg || (!data && len)) return MM_E_USAGE;
  mm_reader r;
  /* Always keep an error record: failures are sticky only with one. */
  mm_reader_init(&r, data, len, err ? err : &local);
  if (!mm_decode_reader(t, &r, lim, msg) || !mm_reader_expect_end(&r)) return MM_E_MALFORMED;
  return MM_OK;
}

/* ======================= sizes ======================= */

#define SIZE_TOO_BIG SIZE_MAX

static size_t add_size(size_t a, size_t b) {
  return (a == SIZE_TOO_BIG || b > SIZE_TOO_BIG - 1 - a) ? SIZE_TOO_BIG : a + b;
}

static size_t vec_size(size_t len) {
  size_t h = mm_varint_size(len);
  return h ? add_size(h, len) : SIZE_TOO_BIG;
}

/* Encoded size of the first n fields, SIZE_TOO_BIG if some vector cannot be
 * encoded at all (the encoder then fails on it). */
static size_t fields_size(const mm_schema *s, const void *base, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    const mm_field *f = &s->fields[i];
    if (is_int(f->kind)) {
      total = add_size(total, int_width(f->kind));
      continue;
    }
    switch (f->kind) {
    case MM_K_NONCE:
    case MM_K_REST: total = add_size(total, cview_at(base, f)->len); break;
    case MM_K_STRUCT:
      total = add_size(total, fields_size(f->sub, csub_base(base, f), f->sub->nfields));
      break;
    case MM_K_LIST: total = add_size(total, vec_size(clist_at(base, f)->data.len)); break;
    case MM_K_OPTIONAL:
      total = add_size(total, 1);
      if (cflag_at(base, f))
        total = add_size(total, fields_size(f->sub, csub_base(base, f), f->sub->nfields));
      break;
    case MM_K_SELECT: {
      const mm_case *k = mm_select_case(f, base);
      if (k) total = add_size(total, fields_size(k->schema, base, k->schema->nfields));
      break;
    }
    default: total = add_size(total, vec_size(cview_at(base, f)->len)); break;
    }
  }
  return total;
}

/* ======================= encoding ======================= */

typedef struct ectx {
  mm_writer *w;
  walk_limits wl;
  mm_derr *err;
} ectx;

/* Record the first failure and poison the writer: a caller that chains
 * writes and checks once at mm_writer_finish still sees it. */
static bool efail(ectx *c, size_t offset, const char *rule, const char *why) {
  if (c->err && !c->err->rule) *c->err = (mm_derr){rule, offset, why, NULL};
  return mm_writer_fail(c->w, MM_E_MALFORMED);
}

static bool encode_fields(ectx *c, const mm_schema *s, const void *base, size_t n);

static bool encode_struct(ectx *c, const mm_schema *s, const void *base) {
  walk_limits saved = c->wl;
  bool ok = encode_fields(c, s, base, s->nfields);
  if (s->suite_scope) c->wl = saved;
  return ok;
}

/* T items<V>: each element is decoded from the list's bytes (strictly,
 * under the limits in force) and encoded again, so a list a caller built
 * is checked like any field and a decoded one re-encodes canonically. The
 * length header comes first: a canonical list re-encodes to its own size,
 * which is checked at the end. */
static bool encode_list(ectx *c, const mm_field *f, const void *base) {
  const mm_list *l = clist_at(base, f);
  size_t at = c->w->len;
  if (!int_in_range(f, l->count, &c->wl.lim)) return efail(c, at, "ENC-4", f->reason);
  if (l->data.len > MM_VARINT_MAX) return efail(c, at, "ENC-1", "vector longer than 2^30-1 bytes");
  if (f->sub->size > sizeof(elem_scratch))
    return efail(c, at, "-", "list element too large for the codec");
  if (!mm_put_varint(c->w, (uint32_t)l->data.len)) return false;
  size_t body = c->w->len;
  mm_derr derr;
  mm_reader r;
  mm_reader_init(&r, l->data.data, l->data.len, &derr);
  dctx dc = {&r, c->wl};
  elem_scratch e;
  uint32_t n = 0;
  while (mm_reader_remaining(&r) > 0) {
    size_t pos = r.pos;
    memset(&e, 0, f->sub->size);
    if (!decode_struct(&dc, f->sub, &e))
      return efail(c, body + derr.offset, derr.rule, derr.reason);
    if (r.pos == pos) return efail(c, body + pos, "ENC-2", "empty list element");
    if (!encode_struct(c, f->sub, &e)) return false;
    n++;
  }
  if (n != l->count) return efail(c, at, "ENC-3", "list count does not match its elements");
  if (c->w->len - body != l->data.len)
    return efail(c, at, "ENC-3", "list does not re-encode to its own bytes");
  return true;
}

static bool encode_optional(ectx *c, const mm_field *f, const void *base) {
  uint8_t present = cflag_at(base, f);
  if (present > 1) return efail(c, c->w->len, "ENC-4", "optional<> flag not 0 or 1");
  if (!mm_put_u8(c->w, present)) return false;
  return !present || encode_struct(c, f->sub, csub_base(base, f));
}

static bool put_checked_vec(ectx *c, mm_view v) {
  if (v.len > MM_VARINT_MAX) return efail(c, c->w->len, "ENC-1", "vector longer than 2^30-1 bytes");
  return mm_put_vec(c->w, v.data, v.len);
}

/* The body must decode as the type msg_type names, under the envelope's
 * suite; a failure is reported at its offset in the output. */
static bool encode_body(ectx *c, const mm_field *f, const void *base) {
  mm_view body = *cview_at(base, f);
  size_t at = c->w->len;
  mm_type t;
  if (!body_type(f, base, &t)) return efail(c, at, "ENC-4", "unknown msg_type");
  if (body.len > MM_VARINT_MAX) return put_checked_vec(c, body);
  mm_derr derr;
  mm_reader r;
  mm_any_msg scratch;
  mm_reader_init(&r, body.data, body.len, &derr);
  if (!decode_as(t, &r, body_limits(&c->wl, f, base), &scratch) || !mm_reader_expect_end(&r))
    return efail(c, at + mm_varint_size(body.len) + derr.offset, derr.rule, derr.reason);
  return put_checked_vec(c, body);
}

static bool encode_field_at(ectx *c, const mm_field *f, const void *base);

static bool encode_field(ectx *c, const mm_field *f, const void *base) {
  if (encode_field_at(c, f, base)) return true;
  if (c->err && c->err->rule && !c->err->field && f->name) c->err->field = f->name;
  return false;
}

static bool encode_field_at(ectx *c, const mm_field *f, const void *base) {
  mm_writer *w = c->w;
  size_t at = w->len;
  if (is_int(f->kind)) {
    uint64_t x = mm_field_get_int(base, f->kind, f->offset);
    if (!int_in_range(f, x, &c->wl.lim)) return efail(c, at, "ENC-4", f->reason);
    for (size_t i = int_width(f->kind); i-- > 0;)
      if (!mm_put_u8(w, (uint8_t)(x >> (8 * i)))) return false;
    if (f->sets_suite) set_suite(&c->wl, x);
    return true;
  }
  switch (f->kind) {
  case MM_K_STRUCT: return encode_struct(c, f->sub, csub_base(base, f));
  case MM_K_LIST: return encode_list(c, f, base);
  case MM_K_OPTIONAL: return encode_optional(c, f, base);
  case MM_K_SELECT: {
    const mm_case *k = mm_select_case(f, base);
    if (!k) return efail(c, at, "ENC-4", f->reason);
    return encode_fields(c, k->schema, base, k->schema->nfields);
  }
  case MM_K_BODY: return encode_body(c, f, base);
  case MM_K_REST: {
    mm_view v = *cview_at(base, f);
    return mm_put_bytes(w, v.data, v.len);
  }
  case MM_K_NONCE: {
    mm_view v = *cview_at(base, f);
    const char *why = mm_field_problem(f->kind, v, &c->wl.lim, c->wl.suite);
    if (why) return efail(c, at, "ENC-4", why);
    return mm_put_bytes(w, v.data, v.len);
  }
  default: {
    mm_view v = *cview_at(base, f);
    const char *why = mm_field_problem(f->kind, v, &c->wl.lim, c->wl.suite);
    if (why) return efail(c, at, "ENC-4", why);
    return put_checked_vec(c, v);
  }
  }
}

static bool encode_fields(ectx *c, const mm_schema *s, const void *base, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!encode_field(c, &s->fields[i], base)) return false;
  return true;
}

mm_err mm_schema_encode(const mm_schema *s, const void *msg, size_t n, const mm_limits *lim,
                        mm_writer *w, mm_derr *err) {
  if (err) *err = (mm_derr){0};
  if (!s || !msg || !w || n > s->nfields) return MM_E_USAGE;
  if (!mm_writer_ok(w)) return w->error;
  /* One allocation for the whole message, even a 256 MiB group_state. */
  size_t size = fields_size(s, msg, n);
  if (size != SIZE_TOO_BIG && !mm_writer_reserve(w, size)) return w->error;
  ectx c = {w, walk_limits_of(mm_limits_or_default(lim)), err};
  encode_fields(&c, s, msg, n);
  return w->error;
}

/* Encode the first n fields of t's schema (all of them, or all but the
 * final signature for the TBS form). */
static MM_MUST_USE mm_err encode_prefix(mm_type t, const void *msg, const mm_limits *lim,
                                        mm_writer *w, mm_derr *err, bool tbs) {
  if (err) *err = (mm_derr){0};
  const mm_schema *s = mm_schema_of(t);
  if (!s || !msg || !w) return MM_E_USAGE;
  if (tbs && !mm_type_has_signature(t)) return MM_E_USAGE;
  return mm_schema_encode(s, msg, tbs ? s->nfields - 1 : s->nfields, lim, w, err);
}

/* The canonical form, that the decoder reads back byte for byte: fields in
 * order, minimal lengths (mm_put_varint, mm_vec_end), nothing else. */
mm_err mm_encode(mm_type t, const void *msg, const mm_limits *lim, mm_writer *w, mm_derr *err) {
  return MM_RULE("ENC-3", encode_prefix(t, msg, lim, w, err, false));
}

mm_err mm_encode_tbs(mm_type t, const void *msg, const mm_limits *lim, mm_writer *w) {
  return encode_prefix(t, msg, lim, w, NULL, true);
}

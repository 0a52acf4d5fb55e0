/* vectors/codec.json: per message type, valid encodings taken from real runs
 * (every suite) with their decoded fields, and invalid encodings derived
 * from them, one per ENC rule and per field limit, each with the rule ID the
 * decoder must report. The invalid ones are found by walking the codec's
 * field tables (schema.h), so a new field gets its cases without new code. */
#include <stdio.h>
#include <string.h>

#include "codec/json_codec.h"
#include "codec/schema.h"
#include "vectors/gen/vectors_gen.h"

/* Where one field sits in a valid encoding. */
typedef struct slot {
  const mm_field *f;
  size_t hdr;  /* offset of the length header (vectors) or of the integer */
  size_t data; /* offset of the contents */
  size_t len;  /* contents length */
} slot;

typedef struct slots {
  slot v[32];
  size_t n;
  size_t pos;
  bool has_rest; /* a PublicMessage keeps its tail unparsed: ENC-2 cannot apply */
} slots;

static void add_slot(slots *s, const mm_field *f, size_t hdr, size_t data, size_t len) {
  if (s->n < sizeof s->v / sizeof s->v[0]) s->v[s->n++] = (slot){f, hdr, data, len};
}

static size_t int_width(mm_kind k) {
  return k == MM_K_U8 ? 1 : k == MM_K_U16 ? 2 : k == MM_K_U32 ? 4 : 8;
}

/* Walks the fields of a decoded struct in wire order, tracking offsets. */
static void walk(const mm_schema *sc, const void *base, const uint8_t *enc, slots *s) {
  for (size_t i = 0; i < sc->nfields; i++) {
    const mm_field *f = &sc->fields[i];
    const mm_view *v = (const mm_view *)(const void *)((const unsigned char *)base + f->offset);
    switch (f->kind) {
    case MM_K_U8:
    case MM_K_U16:
    case MM_K_U32:
    case MM_K_U64:
      add_slot(s, f, s->pos, s->pos, int_width(f->kind));
      s->pos += int_width(f->kind);
      break;
    case MM_K_STRUCT: walk(f->sub, (const unsigned char *)base + f->offset, enc, s); break;
    case MM_K_SELECT: {
      const mm_case *k = mm_select_case(f, base);
      if (k) walk(k->schema, base, enc, s);
      break;
    }
    case MM_K_REST:
      s->has_rest = true;
      s->pos += v->len;
      break;
    case MM_K_NONCE: s->pos += v->len; break;
    default: { /* a vector: header, then the view's bytes */
      size_t data = (size_t)(v->data - enc);
      add_slot(s, f, s->pos, data, v->len);
      s->pos = data + v->len;
      break;
    }
    }
  }
}

/* ---- building cases ---- */

typedef struct gen {
  json_t *tests;
  int *tc_id;
  uint16_t suite;
  mm_type type;
  bool ok;
} gen;

/* Bytes of enc with [from, to) replaced by repl. */
static void splice(mm_writer *w, mm_view enc, size_t from, size_t to, mm_view repl) {
  mm_put_bytes(w, enc.data, from);
  mm_put_bytes(w, repl.data, repl.len);
  mm_put_bytes(w, enc.data + to, enc.len - to);
}

static json_t *flags1(const char *flag) { return json_pack("[s]", flag); }

/* Adds an invalid case after checking that the decoder rejects it with
 * `rule`; a generator that disagrees with the decoder publishes nothing. */
static void add_invalid(gen *g, const mm_writer *w, const char *rule, const char *flag,
                        const char *comment, uint64_t max_group_state) {
  mm_limits lim = mm_limits_default(g->suite);
  if (max_group_state) lim.max_group_state = max_group_state;
  mm_any_msg m;
  mm_derr err = {0};
  if (!mm_writer_ok(w) || mm_decode(g->type, w->buf, w->len, &lim, &m, &err) != MM_E_MALFORMED ||
      strcmp(err.rule, rule) != 0) {
    fprintf(stderr, "codec vectors: %s suite %u '%s': want %s, decoder says %s\n",
            mm_type_name(g->type), g->suite, comment, rule, err.rule ? err.rule : "accept");
    g->ok = false;
    return;
  }
  json_t *t = json_pack("{s:i, s:s, s:i}", "tcId", ++*g->tc_id, "comment", comment, "cipher_suite",
                        g->suite);
  if (max_group_state) json_object_set_new(t, "max_group_state", mm_json_u64(max_group_state));
  json_object_set_new(t, "encoding", mm_json_hex(w->buf, w->len));
  json_object_set_new(t, "result", json_string("invalid"));
  json_object_set_new(t, "rule", json_string(rule));
  json_object_set_new(t, "flags", flags1(flag));
  json_array_append_new(g->tests, t);
}

static void replaced(gen *g, mm_view enc, const slot *s, mm_view value, const char *flag,
                     const char *what) {
  mm_writer w;
  mm_writer_init(&w);
  mm_writer hdr;
  mm_writer_init(&hdr);
  mm_put_vec(&hdr, value.data, value.len);
  splice(&w, enc, s->hdr, s->data + s->len, mm_writer_view(&hdr));
  char comment[160];
  snprintf(comment, sizeof comment, "%s: %s", s->f->name, what);
  add_invalid(g, &w, "ENC-4", flag, comment, 0);
  mm_writer_free(&hdr);
  mm_writer_free(&w);
}

static void fill(uint8_t *p, size_t n, const char *pattern) {
  size_t k = strlen(pattern);
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)pattern[i % k];
}

static void domain_cases(gen *g, mm_view enc, const slot *s) {
  uint8_t buf[300];
  mm_view orig = mm_view_of(enc.data + s->data, s->len);
  replaced(g, enc, s, mm_view_of(buf, 0), "DomainEmpty", "empty domain name");
  memcpy(buf, orig.data, orig.len);
  buf[0] = (uint8_t)(buf[0] - 'a' + 'A');
  replaced(g, enc, s, mm_view_of(buf, orig.len), "DomainUppercase", "upper-case letter");
  memcpy(buf, orig.data, orig.len);
  buf[orig.len] = '.';
  replaced(g, enc, s, mm_view_of(buf, orig.len + 1), "DomainTrailingDot", "trailing dot");
  fill(buf, 254, "abcdefghi.");
  replaced(g, enc, s, mm_view_of(buf, 254), "DomainTooLong", "254 bytes");
  memcpy(buf, "-x.example", 10);
  replaced(g, enc, s, mm_view_of(buf, 10), "DomainLabelHyphen", "label starts with a hyphen");
  fill(buf, 64, "a");
  memcpy(buf + 64, ".example", 8);
  replaced(g, enc, s, mm_view_of(buf, 72), "DomainLabelTooLong", "label of 64 bytes");
}

static void identity_cases(gen *g, mm_view enc, const slot *s) {
  uint8_t buf[MM_SENDER_MAX + 8];
  mm_view orig = mm_view_of(enc.data + s->data, s->len);
  memcpy(buf, orig.data, orig.len);
  buf[0] = (uint8_t)(buf[0] - 'a' + 'A');
  replaced(g, enc, s, mm_view_of(buf, orig.len), "IdentityUppercase", "upper-case letter");
  memcpy(buf, "@source.example", 15);
  replaced(g, enc, s, mm_view_of(buf, 15), "IdentityEmptyName", "empty name before '@'");
  memcpy(buf, "alice@", 6);
  replaced(g, enc, s, mm_view_of(buf, 6), "IdentityEmptyDomain", "empty domain after '@'");
}

static void field_limit_cases(gen *g, mm_view enc, const slot *s) {
  uint8_t buf[1100];
  mm_view orig = mm_view_of(enc.data + s->data, s->len);
  const mm_suite *su = mm_suite_get(g->suite);
  switch (s->f->kind) {
  case MM_K_DOMAIN: domain_cases(g, enc, s); break;
  case MM_K_IDENTITY: identity_cases(g, enc, s); break;
  case MM_K_GROUP_ID:
    replaced(g, enc, s, mm_view_of(buf, 0), "GroupIdEmpty", "empty group_id");
    fill(buf, 256, "\x5a");
    replaced(g, enc, s, mm_view_of(buf, 256), "GroupIdTooLong", "256 bytes");
    break;
  case MM_K_HASH:
    replaced(g, enc, s, mm_view_of(orig.data, orig.len - 1), "HashLength",
             "one byte short of the suite's hash length");
    break;
  case MM_K_SIGNATURE:
    if (su->sig_len) {
      replaced(g, enc, s, mm_view_of(orig.data, orig.len - 1), "SignatureLength",
               "one byte short of the suite's EdDSA signature length");
    } else {
      memcpy(buf, orig.data, orig.len);
      buf[0] = 0x31; /* a SET, not a SEQUENCE */
      replaced(g, enc, s, mm_view_of(buf, orig.len), "SignatureNotDer",
               "not a DER ECDSA-Sig-Value (outer tag 0x31)");
    }
    break;
  case MM_K_DETAIL:
    buf[0] = 0xff;
    replaced(g, enc, s, mm_view_of(buf, 1), "DetailNotUtf8", "byte 0xff is not UTF-8");
    fill(buf, 1025, "x");
    replaced(g, enc, s, mm_view_of(buf, 1025), "DetailTooLong", "1025 bytes");
    break;
  case MM_K_GROUP_STATE: {
    mm_writer w;
    mm_writer_init(&w);
    mm_put_bytes(&w, enc.data, enc.len);
    add_invalid(g, &w, "ENC-4", "GroupStateTooLarge",
                "group_state: one byte over the configured bound (max_group_state)", s->len - 1);
    mm_writer_free(&w);
    break;
  }
  default: break;
  }
}

static void int_range_cases(gen *g, mm_view enc, const slot *s) {
  const mm_field *f = s->f;
  uint64_t bad[2];
  int n = 0;
  if (f->min > 0) bad[n++] = f->min - 1;
  if (f->max < mm_kind_int_max(f->kind)) bad[n++] = f->max + 1;
  for (int i = 0; i < n; i++) {
    uint8_t b[8];
    for (size_t k = 0; k < s->len; k++) b[k] = (uint8_t)(bad[i] >> (8 * (s->len - 1 - k)));
    mm_writer w;
    mm_writer_init(&w);
    splice(&w, enc, s->hdr, s->hdr + s->len, mm_view_of(b, s->len));
    char comment[160];
    snprintf(comment, sizeof comment, "%s = %llu: %s", f->name, (unsigned long long)bad[i],
             f->reason);
    add_invalid(g, &w, "ENC-4", "IntegerOutOfRange", comment, 0);
    mm_writer_free(&w);
  }
}

static bool is_vector(mm_kind k) {
  return k > MM_K_U64 && k != MM_K_NONCE && k != MM_K_REST && k != MM_K_STRUCT && k != MM_K_SELECT;
}

/* ENC-1 (length headers) and ENC-2 (bounds) on the framing itself. */
static void framing_cases(gen *g, mm_view enc, const slots *ss) {
  const slot *first = NULL, *last = NULL;
  for (size_t i = 0; i < ss->n; i++)
    if (is_vector(ss->v[i].f->kind)) {
      if (!first) first = &ss->v[i];
      last = &ss->v[i];
    }
  mm_writer w;
  char comment[160];
  if (first && first->len < 16384) { /* the next longer header form */
    uint8_t h[4];
    size_t hl;
    if (first->len < 64) {
      h[0] = 0x40, h[1] = (uint8_t)first->len, hl = 2;
    } else {
      h[0] = 0x80, h[1] = 0, h[2] = (uint8_t)(first->len >> 8), h[3] = (uint8_t)first->len, hl = 4;
    }
    mm_writer_init(&w);
    splice(&w, enc, first->hdr, first->data, mm_view_of(h, hl));
    snprintf(comment, sizeof comment, "%s: length in %zu bytes where %zu suffice", first->f->name,
             hl, first->data - first->hdr);
    add_invalid(g, &w, "ENC-1", "NonMinimalLength", comment, 0);
    mm_writer_free(&w);
    mm_writer_init(&w);
    mm_put_bytes(&w, enc.data, enc.len);
    if (mm_writer_ok(&w)) w.buf[first->hdr] |= 0xc0;
    snprintf(comment, sizeof comment, "%s: length header with the reserved prefix 0b11",
             first->f->name);
    add_invalid(g, &w, "ENC-1", "ReservedLengthPrefix", comment, 0);
    mm_writer_free(&w);
  }
  if (ss->has_rest) return;
  if (last) { /* the last vector claims one byte more than there is */
    mm_writer hdr;
    mm_writer_init(&hdr);
    mm_put_varint(&hdr, (uint32_t)last->len + 1);
    mm_writer_init(&w);
    splice(&w, enc, last->hdr, last->data, mm_writer_view(&hdr));
    snprintf(comment, sizeof comment, "%s: length runs one byte past the message", last->f->name);
    add_invalid(g, &w, "ENC-2", "LengthPastEnd", comment, 0);
    mm_writer_free(&w);
    mm_writer_free(&hdr);
  }
  mm_writer_init(&w);
  mm_put_bytes(&w, enc.data, enc.len);
  mm_put_u8(&w, 0);
  add_invalid(g, &w, "ENC-2", "TrailingData", "one trailing zero byte", 0);
  mm_writer_free(&w);
  mm_writer_init(&w);
  mm_put_bytes(&w, enc.data, enc.len - 1);
  add_invalid(g, &w, "ENC-2", "Truncated", "last byte missing", 0);
  mm_writer_free(&w);
}

static void add_valid(gen *g, mm_view enc, const char *comment, bool with_invalid) {
  mm_limits lim = mm_limits_default(g->suite);
  mm_any_msg m;
  mm_derr err;
  json_t *fields = NULL;
  if (mm_decode(g->type, enc.data, enc.len, &lim, &m, &err) != MM_OK ||
      !(fields = mm_msg_to_json(g->type, &m))) {
    fprintf(stderr, "codec vectors: %s suite %u: valid case does not decode\n",
            mm_type_name(g->type), g->suite);
    g->ok = false;
    return;
  }
  json_array_append_new(
      g->tests,
      json_pack("{s:i, s:s, s:i, s:o, s:s, s:[s], s:o}", "tcId", ++*g->tc_id, "comment", comment,
                "cipher_suite", g->suite, "encoding", mm_json_hex(enc.data, enc.len), "result",
                "valid", "flags", "Canonical", "fields", fields));
  if (!with_invalid) return;
  slots ss = {0};
  walk(mm_schema_of(g->type), &m, enc.data, &ss);
  framing_cases(g, enc, &ss);
  for (size_t i = 0; i < ss.n; i++) {
    if (ss.v[i].f->reason)
      int_range_cases(g, enc, &ss.v[i]);
    else if (is_vector(ss.v[i].f->kind))
      field_limit_cases(g, enc, &ss.v[i]);
  }
}

/* ---- valid encodings from the runs of one suite ---- */

typedef struct runs {
  mm_sim *priv, *pub; /* migration Commit as PrivateMessage / PublicMessage */
} runs;

static const struct {
  mm_type type;
  uint8_t msg_type; /* the envelope it is taken from */
} from_run[] = {
    {MM_T_MIGRATION_REQUEST, MM_MSG_MIGRATION_REQUEST},
    {MM_T_MIGRATION_RESPONSE, MM_MSG_MIGRATION_RESPONSE},
    {MM_T_MIGRATION_INIT, MM_MSG_MIGRATION_INIT},
    {MM_T_MIGRATION_CONTENT, MM_MSG_MIGRATION_CONTENT},
    {MM_T_TARGET_MIGRATION_COMPLETE, MM_MSG_TARGET_MIGRATION_COMPLETE},
    {MM_T_MIGRATION_CONFIRMATION, MM_MSG_MIGRATION_CONFIRMATION},
};

static void valid_cases(gen *g, const runs *r) {
  mm_view body;
  const mm_sim_record *rec;
  char comment[160];
  for (size_t i = 0; i < sizeof from_run / sizeof from_run[0]; i++)
    if (from_run[i].type == g->type &&
        mm_vg_first_body(r->priv, from_run[i].msg_type, NULL, &body, NULL)) {
      snprintf(comment, sizeof comment, "%s of the happy path", mm_type_name(g->type));
      add_valid(g, body, comment, true);
      return;
    }
  mm_mls_message mls;
  mm_derr err;
  mm_limits lim = mm_limits_default(g->suite);
  switch (g->type) {
  case MM_T_ENVELOPE:
    if (mm_vg_first_body(r->priv, MM_MSG_TARGET_MIGRATION_COMPLETE, NULL, &body, &rec))
      add_valid(g, mm_view_of(rec->env, rec->len),
                "Envelope of the happy path's TargetMigrationComplete", true);
    break;
  case MM_T_MLS_MESSAGE:
    if (mm_vg_first_body(r->priv, MM_MSG_MIGRATION_COMMIT, NULL, &body, NULL))
      add_valid(g, body, "migration Commit as a PrivateMessage", true);
    if (mm_vg_first_body(r->pub, MM_MSG_MIGRATION_COMMIT, NULL, &body, NULL))
      add_valid(g, body, "migration Commit as a PublicMessage", true);
    break;
  case MM_T_MIGRATION_COMMIT_AAD:
    if (mm_vg_first_body(r->priv, MM_MSG_MIGRATION_COMMIT, NULL, &body, NULL) &&
        mm_decode(MM_T_MLS_MESSAGE, body.data, body.len, &lim, &mls, &err) == MM_OK)
      add_valid(g, mls.authenticated_data, "authenticated_data of the migration Commit", true);
    break;
  case MM_T_MIGRATION_ERROR: {
    static const char detail[] = "target_domain_name is not this DS";
    mm_migration_error me = {MM_E_WRONG_DOMAIN,
                             mm_view_of((const uint8_t *)detail, sizeof detail - 1)};
    mm_writer w;
    mm_writer_init(&w);
    if (mm_encode(MM_T_MIGRATION_ERROR, &me, &lim, &w, NULL) == MM_OK)
      add_valid(g, mm_writer_view(&w), "MigrationError wrong_domain", true);
    mm_writer_free(&w);
    break;
  }
  default: break;
  }
}

json_t *mm_vg_codec(uint64_t seed) {
  runs r[MM_SUITE_COUNT + 1] = {{0}};
  json_t *root = json_array();
  bool ok = true;
  for (uint16_t suite = 1; ok && suite <= MM_SUITE_COUNT; suite++) {
    mm_sim_config cfg = mm_vg_config(suite, seed, MM_VG_SMALL_STATE);
    mm_sim_outcome o;
    ok = mm_vg_run(&cfg, &r[suite].priv, &o) == MM_OK;
    cfg.commit_wire_format = MM_WIRE_PUBLIC;
    ok = ok && mm_vg_run(&cfg, &r[suite].pub, &o) == MM_OK;
  }
  int tc_id = 0;
  for (int t = 0; ok && t < MM_T_PROFILE_COUNT; t++) {
    json_t *tests = json_array();
    for (uint16_t suite = 1; ok && suite <= MM_SUITE_COUNT; suite++) {
      gen g = {tests, &tc_id, suite, (mm_type)t, true};
      valid_cases(&g, &r[suite]);
      ok = g.ok;
    }
    json_array_append_new(
        root, json_pack("{s:s, s:o, s:i, s:o}", "type", mm_type_name((mm_type)t), "seed",
                        mm_json_u64(seed), "state_bytes", MM_VG_SMALL_STATE, "tests", tests));
  }
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
    mm_sim_free(r[suite].priv);
    mm_sim_free(r[suite].pub);
  }
  if (!ok) {
    json_decref(root);
    return NULL;
  }
  return root;
}

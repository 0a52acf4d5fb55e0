/* Judging what the IUT did: verdict accumulation (worst wins), finding
 * envelopes among its outputs, and the usual expectations. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/crypto.h"
#include "runner/runner_internal.h"

/* A message cut to fit may end in part of a character that the IUT's
 * bytes brought in (a group ID, a destination): dropped, so the message
 * stays UTF-8, which the JSON report needs. */
static void trim_cut_char(char *s) {
  size_t n = strlen(s), k = n;
  while (k > 0 && n - k < 3 && ((unsigned char)s[k - 1] & 0xc0) == 0x80) k--;
  if (k == 0 || (unsigned char)s[k - 1] < 0xc0) return;
  unsigned char lead = (unsigned char)s[k - 1];
  size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (n - (k - 1) < need) s[k - 1] = '\0';
}

static void note(rctx *c, mm_verdict v, const char *fmt, va_list ap) {
  if (v > c->verdict) c->verdict = v;
  size_t n = strlen(c->msg);
  if (n + 4 >= sizeof c->msg) return;
  if (n) n += (size_t)snprintf(c->msg + n, sizeof c->msg - n, "; ");
  vsnprintf(c->msg + n, sizeof c->msg - n, fmt, ap);
  trim_cut_char(c->msg);
}

void r_fail(rctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  note(c, MM_V_FAIL, fmt, ap);
  va_end(ap);
}

void r_warn(rctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  note(c, MM_V_WARNING, fmt, ap);
  va_end(ap);
}

void r_error(rctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  note(c, MM_V_ERROR, fmt, ap);
  va_end(ap);
  c->stop = true;
}

void r_local(rctx *c, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  r_error(c, "runner failure (not the IUT's): %s", what);
}

/* Above this, the offending envelope is kept as its frame, its body's
 * length and SHA-256, and the body's first and last bytes: the report
 * stays small whatever the IUT sent. */
#define OFFEND_KEEP 4096

static json_t *offend_summary(mm_view raw) {
  mm_derr err = {0};
  mm_reader r;
  uint8_t type = 0;
  uint16_t suite = 0;
  mm_view sender = {0}, body = {0};
  mm_reader_init(&r, raw.data, raw.len, &err);
  bool framed = mm_read_u8(&r, &type) && mm_read_u16(&r, &suite) && mm_read_vec(&r, &sender) &&
                mm_read_vec(&r, &body);
  uint8_t hash[64];
  size_t hlen = 0;
  mm_view all = framed ? body : raw;
  if (mm_hash(1, all.data, all.len, hash, &hlen) != MM_OK) hlen = 0; /* suite 1: SHA-256 */
  size_t half = OFFEND_KEEP / 2;
  json_t *o = json_pack(
      "{s:b, s:I, s:o, s:o, s:o}", "elided", 1, "body_len", (json_int_t)all.len, "body_sha256",
      mm_json_hex(hash, hlen), "body_head", mm_json_hex(all.data, all.len < half ? all.len : half),
      "body_tail",
      mm_json_hex(all.data + (all.len > half ? all.len - half : 0), all.len < half ? 0 : half));
  if (o && framed) {
    json_object_set_new(o, "msg_type", json_integer(type));
    json_object_set_new(o, "cipher_suite", json_integer(suite));
    json_object_set_new(o, "sender", mm_json_hex(sender.data, sender.len));
    const char *name = mm_msg_type_name(type);
    json_object_set_new(o, "msg_type_name", json_string(name ? name : "unknown"));
  }
  return o;
}

/* The limits the runner decodes the IUT's envelopes with: in a test of the feature
 * migration_refusal msg_type 14, 15 and code 19 are known (AMD-1), else they are not. */
static mm_limits r_limits(const rctx *c, uint16_t suite) {
  mm_limits lim = mm_limits_default(suite);
  if (c->test && (c->test->needs & MM_SHIM_F_MIGRATION_REFUSAL))
    lim.features = MM_FEAT_MIGRATION_REFUSAL;
  return lim;
}

/* The envelope and its body as one JSON object, for failure messages. */
void r_offend(rctx *c, mm_view raw) {
  if (c->offending) return; /* the first one tells the story */
  mm_envelope env;
  mm_limits lim = r_limits(c, 0);
  json_t *o;
  if (raw.len > OFFEND_KEEP) {
    o = offend_summary(raw);
  } else if (mm_decode(MM_T_ENVELOPE, raw.data, raw.len, &lim, &env, NULL) == MM_OK) {
    o = mm_msg_to_json(MM_T_ENVELOPE, &env);
    mm_type bt;
    mm_any_msg body;
    mm_limits bl = r_limits(c, mm_suite_get(env.cipher_suite) ? env.cipher_suite : 0);
    if (o && mm_msg_type_body(env.msg_type, &bt) &&
        mm_decode(bt, env.body.data, env.body.len, &bl, &body, NULL) == MM_OK)
      json_object_set_new(o, "body_decoded", mm_msg_to_json(bt, &body));
    if (o)
      json_object_set_new(
          o, "msg_type_name",
          json_string(mm_msg_type_name(env.msg_type) ? mm_msg_type_name(env.msg_type) : "unknown"));
  } else {
    o = json_pack("{s:s, s:o}", "undecodable_envelope", "ENC", "hex",
                  mm_json_hex(raw.data, raw.len));
  }
  if (o) c->offending = mm_json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(o);
}

/* ENC-3: what the IUT sends must be canonical, so re-encoding what decoded
 * gives the same bytes. MM_E_NOMEM is the runner's failure, not the IUT's. */
static MM_MUST_USE mm_err canonical(const rctx *c, mm_type t, const void *msg, uint16_t suite,
                                    mm_view bytes) {
  mm_limits lim = r_limits(c, suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_writer_reserve(&w, bytes.len) ? mm_encode(t, msg, &lim, &w, NULL) : MM_E_NOMEM;
  if (e == MM_OK && !mm_view_eq(mm_writer_view(&w), bytes)) e = MM_E_MALFORMED;
  if (e != MM_OK && e != MM_E_NOMEM) e = MM_E_MALFORMED;
  mm_writer_free(&w);
  return e;
}

const char *r_text(char *buf, size_t cap, mm_view bytes) {
  mm_iut_text(buf, cap, 0, bytes.data, bytes.len);
  return buf;
}

/* Keeps the first expectation that was not met, for the report. */
static void expect(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect(rctx *c, const char *fmt, ...) {
  if (c->expected[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->expected, sizeof c->expected, fmt, ap);
  va_end(ap);
  trim_cut_char(c->expected);
}

/* Every envelope a DS sends is from its own domain (docs/actors.md): one
 * that names another party as its sender passes itself off as that party,
 * to peers that take the sender as authenticated. Reported once. */
static void check_sender(rctx *c, const rgot *g) {
  const char *own = c->test->role == MM_SHIM_ROLE_TARGET ? R_TGT : R_SRC;
  if (c->sender_reported || mm_view_eq_str(g->env.sender, own)) return;
  c->sender_reported = true;
  char who[MM_SENDER_MAX + 1];
  const char *type = mm_msg_type_name(g->env.msg_type);
  r_offend(c, g->raw);
  expect(c, "every envelope the IUT sends from its own domain, %s", own);
  r_fail(c, "the IUT sent a %s to %s as '%s', not as its own domain %s", type ? type : "message",
         g->to, r_text(who, sizeof who, g->env.sender), own);
}

/* The group an envelope's body is about, if its type names one. */
static bool body_group(const mm_envelope *env, const mm_any_msg *b, mm_view *gid) {
  switch (env->msg_type) {
  case MM_MSG_MIGRATION_REQUEST: *gid = b->migration_request.group_id; return true;
  case MM_MSG_MIGRATION_RESPONSE:
    *gid = b->migration_response.migration_request.group_id;
    return true;
  case MM_MSG_MIGRATION_INIT:
    *gid = b->migration_init.migration_response.migration_request.group_id;
    return true;
  case MM_MSG_MIGRATION_CONTENT:
    *gid = b->migration_content.migration_response.migration_request.group_id;
    return true;
  case MM_MSG_MIGRATION_CONFIRMATION: *gid = b->migration_confirmation.group_id; return true;
  case MM_MSG_MIGRATION_COMMIT:
  case MM_MSG_MLS_MESSAGE: *gid = b->mls_message.group_id; return true;
  default: return false;
  }
}

static bool named_group(const rctx *c, mm_view gid) {
  for (size_t i = 0; i < c->named.ngid; i++)
    if (mm_view_eq(gid, mm_view_of(c->named.gid[i], c->named.gid_len[i]))) return true;
  return false;
}

static bool named_suite(const rctx *c, uint16_t suite) {
  for (size_t i = 0; i < c->named.nsuite; i++)
    if (c->named.suite[i] == suite) return true;
  return false;
}

void r_named(rctx *c, mm_view env) {
  mm_envelope e;
  mm_limits lim = r_limits(c, 0);
  mm_type bt;
  mm_any_msg body;
  /* The suite from the frame: an envelope whose body does not fit the
   * suite it names (SUITE-2's init in another suite) still names it. */
  mm_derr err = {0};
  mm_reader r;
  uint8_t type;
  uint16_t suite;
  mm_reader_init(&r, env.data, env.len, &err);
  if (mm_read_u8(&r, &type) && mm_read_u16(&r, &suite) && !named_suite(c, suite) &&
      c->named.nsuite < R_MAX_NAMED)
    c->named.suite[c->named.nsuite++] = suite;
  if (mm_decode(MM_T_ENVELOPE, env.data, env.len, &lim, &e, NULL) != MM_OK) return;
  mm_limits bl = r_limits(c, mm_suite_get(e.cipher_suite) ? e.cipher_suite : 0);
  mm_view gid;
  if (mm_msg_type_body(e.msg_type, &bt) &&
      mm_decode(bt, e.body.data, e.body.len, &bl, &body, NULL) == MM_OK &&
      body_group(&e, &body, &gid))
    r_named_group(c, gid);
}

void r_named_group(rctx *c, mm_view gid) {
  if (gid.len > MM_GROUP_ID_MAX || named_group(c, gid) || c->named.ngid == R_MAX_NAMED) return;
  if (gid.len) memcpy(c->named.gid[c->named.ngid], gid.data, gid.len);
  c->named.gid_len[c->named.ngid++] = gid.len;
}

/* Every envelope the IUT sends is in the test's suite; a MigrationError
 * may instead be in the suite of an envelope the runner sent (the one it
 * refuses: SUITE-2 refusals answer in the suite asked for). Reported
 * once, naming the field and both values. */
static void check_suite(rctx *c, const rgot *g) {
  uint16_t s = g->env.cipher_suite;
  if (c->suite_reported || s == c->suite ||
      (g->env.msg_type == MM_MSG_MIGRATION_ERROR && named_suite(c, s)))
    return;
  c->suite_reported = true;
  const char *type = mm_msg_type_name(g->env.msg_type);
  r_offend(c, g->raw);
  expect(c, "every envelope the IUT sends in the test's suite, %u", c->suite);
  r_fail(c, "the IUT sent a %s to %s with cipher_suite %u (0x%04x), not the test's suite %u",
         type ? type : "message", g->to, s, s, c->suite);
}

/* Every group an envelope of the IUT names is one the runner named in this
 * test (a request, a group state, a Commit). Reported once. */
static void check_group(rctx *c, const rgot *g) {
  mm_view gid;
  if (c->group_reported || !body_group(&g->env, &g->body, &gid) || named_group(c, gid)) return;
  c->group_reported = true;
  char got[MM_GROUP_ID_MAX * 4 + 1], want[MM_GROUP_ID_MAX * 4 + 1] = "";
  if (c->named.ngid) r_text(want, sizeof want, mm_view_of(c->named.gid[0], c->named.gid_len[0]));
  const char *type = mm_msg_type_name(g->env.msg_type);
  r_offend(c, g->raw);
  expect(c, "every envelope the IUT sends about a group of the test");
  if (c->named.ngid)
    r_fail(c, "the IUT sent a %s to %s with group_id '%s', not a group of the test ('%s'%s)",
           type ? type : "message", g->to, r_text(got, sizeof got, gid), want,
           c->named.ngid > 1 ? ", ..." : "");
  else
    r_fail(c, "the IUT sent a %s to %s with group_id '%s', but the test named no group",
           type ? type : "message", g->to, r_text(got, sizeof got, gid));
}

/* Decodes envelope i of the last reply into g; the first time, also the
 * checks every envelope gets: canonical (ENC-3), sender, suite, group. */
static bool decode_got(rctx *c, size_t i, rgot *g, mm_derr *derr) {
  rout *m = &c->got.v[i];
  mm_limits lim = r_limits(c, 0);
  mm_type bt;
  g->to = m->to;
  g->raw = m->raw;
  if (!m->checked) { /* the suite first, from the frame: in a wrong suite the body may not decode */
    mm_derr err = {0};
    mm_reader r;
    mm_reader_init(&r, m->raw.data, m->raw.len, &err);
    if (mm_read_u8(&r, &g->env.msg_type) && mm_read_u16(&r, &g->env.cipher_suite))
      check_suite(c, g);
  }
  *derr = (mm_derr){0};
  if (mm_decode(MM_T_ENVELOPE, m->raw.data, m->raw.len, &lim, &g->env, derr) != MM_OK) {
    m->checked = true;
    return false;
  }
  uint16_t suite = mm_suite_get(g->env.cipher_suite) ? g->env.cipher_suite : 0;
  mm_limits bl = r_limits(c, suite);
  if (!mm_msg_type_body(g->env.msg_type, &bt)) {
    *derr = (mm_derr){.rule = "ENC-4", .reason = "unknown msg_type", .field = "msg_type"};
    return false;
  }
  if (mm_decode(bt, g->env.body.data, g->env.body.len, &bl, &g->body, derr) != MM_OK) {
    /* offsets in the envelope, as `mlsmig decode envelope` gives them */
    derr->offset += (size_t)(g->env.body.data - m->raw.data);
    return false;
  }
  if (m->checked) return true;
  m->checked = true;
  mm_err ce = canonical(c, MM_T_ENVELOPE, &g->env, 0, g->raw);
  if (ce == MM_OK) ce = canonical(c, bt, &g->body, suite, g->env.body);
  if (ce == MM_E_NOMEM) {
    r_local(c, "out of memory checking an envelope of %zu bytes", g->raw.len);
  } else if (ce != MM_OK && !c->enc_reported) {
    c->enc_reported = true;
    r_offend(c, g->raw);
    r_fail(c, "the IUT sent a non-canonical encoding (ENC-3)");
  }
  check_sender(c, g);
  check_group(c, g);
  return true;
}

/* Walks the last reply: the n-th match (from 0) in *out, or, with n ==
 * SIZE_MAX, the count of matches. */
static size_t find(rctx *c, uint8_t msg_type, const char *to, size_t n, rgot *out) {
  size_t matches = 0;
  for (size_t i = 0; i < c->got.n; i++) {
    rgot g;
    mm_derr derr;
    if (!decode_got(c, i, &g, &derr)) {
      /* A DS that sends what does not decode breaks ENC; reported once,
       * with the decoder's own reason, as `mlsmig decode envelope` has it. */
      if (!c->enc_reported) {
        c->enc_reported = true;
        r_offend(c, g.raw);
        if (derr.rule)
          r_fail(c,
                 "the IUT sent an envelope to %s that does not decode: malformed (%s): %s at "
                 "offset %zu%s%s",
                 g.to, derr.rule, derr.reason ? derr.reason : "?", derr.offset,
                 derr.field ? ", field " : "", derr.field ? derr.field : "");
        else
          r_fail(c, "the IUT sent an envelope that does not decode (ENC-1..4) to %s", g.to);
      }
      continue;
    }
    if (g.env.msg_type != msg_type || (to && strcmp(to, g.to) != 0)) continue;
    if (matches++ == n) {
      *out = g;
      return matches;
    }
  }
  return matches;
}

bool r_find(rctx *c, uint8_t msg_type, const char *to, size_t n, rgot *out) {
  return n != SIZE_MAX && find(c, msg_type, to, n, out) == n + 1;
}

size_t r_count(rctx *c, uint8_t msg_type, const char *to) {
  rgot g;
  return find(c, msg_type, to, SIZE_MAX, &g);
}

void r_got_clear(rctx *c) {
  free(c->got.frame);
  free(c->got.v);
  c->got = (routs){0};
}

static const char *status_name(uint8_t s);

/* The refusal checks of r_expect_refusal and r_expect_refused: `after`,
 * when given, is what the group must still be at the IUT (an input
 * accepted without a word shows there); `strict` fails another code. */
typedef struct refusal_state {
  const char *gid;
  uint8_t status;
  uint64_t epoch; /* UINT64_MAX: any */
} refusal_state;

static void refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what,
                    const refusal_state *after, bool strict) {
  if (c->stop) return;
  rgot g;
  char no[96] = "";
  if (forbidden) snprintf(no, sizeof no, " and no %s", mm_msg_type_name(forbidden));
  if (forbidden && r_find(c, forbidden, NULL, 0, &g)) {
    r_offend(c, g.raw);
    expect(c, "%s: a MigrationError %s%s", what, mm_err_name(code), no);
    r_fail(c, "%s was accepted: the IUT sent a %s to %s", what, mm_msg_type_name(forbidden), g.to);
    return;
  }
  bool answered = r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g);
  mm_err got = answered ? (mm_err)g.body.migration_error.code : MM_OK;
  if (after) {
    /* a query leaves c->got (and g, a view into it) as it is */
    uint8_t st;
    uint64_t ep;
    if (!r_query(c, after->gid, &st, &ep)) return;
    if (st != after->status || (after->epoch != UINT64_MAX && ep != after->epoch)) {
      expect(c, "%s: a MigrationError %s%s, the group %s still %s", what, mm_err_name(code), no,
             after->gid, status_name(after->status));
      if (!answered)
        r_fail(c,
               "%s was accepted: no MigrationError, and the group is now %s at epoch %llu at the "
               "IUT, not %s",
               what, status_name(st), (unsigned long long)ep, status_name(after->status));
      else
        r_fail(c, "%s: refused with %s, but the group is now %s at epoch %llu at the IUT, not %s",
               what, mm_err_name(got), status_name(st), (unsigned long long)ep,
               status_name(after->status));
      return;
    }
  }
  if (!answered) {
    expect(c, "%s: a MigrationError %s%s", what, mm_err_name(code), no);
    r_warn(c, "%s: refused silently (no MigrationError; expected %s)", what, mm_err_name(code));
    return;
  }
  if (got != code) {
    r_offend(c, g.raw);
    expect(c, "%s: a MigrationError %s%s", what, mm_err_name(code), no);
    if (strict)
      r_fail(c, "%s: refused with %s, expected %s: the IUT lost what it had acknowledged (DUR-1)",
             what, mm_err_name(got), mm_err_name(code));
    else
      r_warn(c, "%s: refused with %s, expected %s", what, mm_err_name(got), mm_err_name(code));
  } else if (c->last_sender[0] && strcmp(g.to, c->last_sender) != 0) {
    /* the sender never hears why (docs/actors.md: back to the sender) */
    r_offend(c, g.raw);
    expect(c, "%s: a MigrationError %s to %s", what, mm_err_name(code), c->last_sender);
    r_warn(c, "%s: refused with %s, but the MigrationError went to %s, not to the sender %s", what,
           mm_err_name(code), g.to, c->last_sender);
  }
}

void r_expect_refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what) {
  refusal(c, code, forbidden, what, NULL, false);
}

void r_expect_refused(rctx *c, mm_err code, uint8_t forbidden, const char *what, const char *gid,
                      uint8_t status, uint64_t epoch) {
  refusal_state after = {gid, status, epoch};
  refusal(c, code, forbidden, what, &after, false);
}

void r_expect_durable_refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what,
                              const char *gid, uint8_t status, uint64_t epoch) {
  refusal_state after = {gid, status, epoch};
  refusal(c, code, forbidden, what, gid ? &after : NULL, true);
}

static const char *status_name(uint8_t s) {
  static const char *names[] = {"none", "active", "migrating", "migrated"};
  return s < 4 ? names[s] : "unknown";
}

void r_expect_group(rctx *c, const char *gid, uint8_t status, uint64_t epoch, const char *what) {
  uint8_t st;
  uint64_t ep;
  if (!r_query(c, gid, &st, &ep)) return;
  if (st != status || (epoch != UINT64_MAX && ep != epoch)) {
    if (epoch != UINT64_MAX)
      expect(c, "%s: group %s %s at epoch %llu", what, gid, status_name(status),
             (unsigned long long)epoch);
    else
      expect(c, "%s: group %s %s", what, gid, status_name(status));
  }
  if (st != status)
    r_fail(c, "%s: group is %s at the IUT, expected %s", what, status_name(st),
           status_name(status));
  else if (epoch != UINT64_MAX && ep != epoch)
    r_fail(c, "%s: group at epoch %llu, expected %llu", what, (unsigned long long)ep,
           (unsigned long long)epoch);
}

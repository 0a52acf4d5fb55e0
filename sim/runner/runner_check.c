/* Judging what the IUT did: verdict accumulation (worst wins), finding
 * envelopes among its outputs, and the usual expectations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
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

/* The envelope and its body as one JSON object, for failure messages. */
void r_offend(rctx *c, mm_view raw) {
  if (c->offending) return; /* the first one tells the story */
  mm_envelope env;
  mm_limits lim = mm_limits_default(0);
  json_t *o;
  if (mm_decode(MM_T_ENVELOPE, raw.data, raw.len, &lim, &env, NULL) == MM_OK) {
    o = mm_msg_to_json(MM_T_ENVELOPE, &env);
    mm_type bt;
    mm_any_msg body;
    mm_limits bl = mm_limits_default(mm_suite_get(env.cipher_suite) ? env.cipher_suite : 0);
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
 * gives the same bytes. */
static bool canonical(mm_type t, const void *msg, uint16_t suite, mm_view bytes) {
  mm_limits lim = mm_limits_default(suite);
  mm_writer w;
  mm_writer_init(&w);
  bool same = mm_encode(t, msg, &lim, &w, NULL) == MM_OK && mm_view_eq(mm_writer_view(&w), bytes);
  mm_writer_free(&w);
  return same;
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

static bool decode_got(rctx *c, const mm_out_msg *m, rgot *g) {
  mm_limits lim = mm_limits_default(0);
  mm_type bt;
  g->to = m->to;
  g->raw = mm_view_of(m->env, m->len);
  if (mm_decode(MM_T_ENVELOPE, m->env, m->len, &lim, &g->env, NULL) != MM_OK) return false;
  uint16_t suite = mm_suite_get(g->env.cipher_suite) ? g->env.cipher_suite : 0;
  mm_limits bl = mm_limits_default(suite);
  if (!mm_msg_type_body(g->env.msg_type, &bt) ||
      mm_decode(bt, g->env.body.data, g->env.body.len, &bl, &g->body, NULL) != MM_OK)
    return false;
  if (!c->enc_reported && (!canonical(MM_T_ENVELOPE, &g->env, 0, g->raw) ||
                           !canonical(bt, &g->body, suite, g->env.body))) {
    c->enc_reported = true;
    r_offend(c, g->raw);
    r_fail(c, "the IUT sent a non-canonical encoding (ENC-3)");
  }
  check_sender(c, g);
  return true;
}

bool r_find(rctx *c, uint8_t msg_type, const char *to, size_t n, rgot *out) {
  for (size_t i = 0; i < c->got.n; i++) {
    rgot g;
    if (!decode_got(c, &c->got.v[i], &g)) {
      /* A DS that sends what does not decode breaks ENC; reported once. */
      if (!c->enc_reported) {
        c->enc_reported = true;
        r_offend(c, g.raw);
        r_fail(c, "the IUT sent an envelope that does not decode (ENC-1..4) to %s", g.to);
      }
      continue;
    }
    if (g.env.msg_type != msg_type || (to && strcmp(to, g.to) != 0)) continue;
    if (n-- == 0) {
      *out = g;
      return true;
    }
  }
  return false;
}

size_t r_count(rctx *c, uint8_t msg_type, const char *to) {
  size_t n = 0;
  rgot g;
  while (r_find(c, msg_type, to, n, &g)) n++;
  return n;
}

void r_expect_refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what) {
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
  if (!r_find(c, MM_MSG_MIGRATION_ERROR, NULL, 0, &g)) {
    expect(c, "%s: a MigrationError %s%s", what, mm_err_name(code), no);
    r_warn(c, "%s: refused silently (no MigrationError; expected %s)", what, mm_err_name(code));
    return;
  }
  if (g.body.migration_error.code != code) {
    r_offend(c, g.raw);
    expect(c, "%s: a MigrationError %s%s", what, mm_err_name(code), no);
    r_warn(c, "%s: refused with %s, expected %s", what,
           mm_err_name((mm_err)g.body.migration_error.code), mm_err_name(code));
  } else if (c->last_sender[0] && strcmp(g.to, c->last_sender) != 0) {
    /* the sender never hears why (docs/actors.md: back to the sender) */
    r_offend(c, g.raw);
    expect(c, "%s: a MigrationError %s to %s", what, mm_err_name(code), c->last_sender);
    r_warn(c, "%s: refused with %s, but the MigrationError went to %s, not to the sender %s", what,
           mm_err_name(code), g.to, c->last_sender);
  }
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

/* The report suites' fixture (report_fixture.h): the runner's result
 * structures filled by hand, so every branch of the writers is reachable
 * without an IUT that misbehaves in each way. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/messages.h"
#include "report_fixture.h"
#include "shim/shim_proto.h"

static uint8_t *dup_bytes(const uint8_t *b, size_t n, size_t *len) {
  uint8_t *p = malloc(n ? n : 1);
  ck_assert_ptr_nonnull(p);
  memcpy(p, b, n);
  *len = n;
  return p;
}

/* A real envelope: a MigrationRequest from alice. */
static uint8_t *request_envelope(size_t *len) {
  mm_migration_request rq = {mm_view_str("source.example"), mm_view_str("target.example"),
                             mm_view_str("group-1"), 7};
  mm_limits lim = mm_limits_default(1);
  mm_writer body, env;
  mm_writer_init(&body);
  mm_writer_init(&env);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_REQUEST, &rq, &lim, &body, NULL), MM_OK);
  mm_envelope e = {MM_MSG_MIGRATION_REQUEST, 1, mm_view_str("alice@source.example"),
                   mm_writer_view(&body)};
  ck_assert_int_eq(mm_encode(MM_T_ENVELOPE, &e, &lim, &env, NULL), MM_OK);
  uint8_t *p = dup_bytes(env.buf, env.len, len);
  mm_writer_free(&body);
  mm_writer_free(&env);
  return p;
}

/* An envelope of msg_type and suite around body (of codec type bt),
 * encoded with suite-0 limits: the body need not fit the envelope's suite. */
static uint8_t *wrap(uint8_t msg_type, uint16_t suite, mm_type bt, const void *body, size_t *len) {
  mm_limits lim = mm_limits_default(0);
  mm_writer b, env;
  mm_writer_init(&b);
  mm_writer_init(&env);
  ck_assert_int_eq(mm_encode(bt, body, &lim, &b, NULL), MM_OK);
  ck_assert(mm_put_u8(&env, msg_type) && mm_put_u16(&env, suite) &&
            mm_put_vec(&env, (const uint8_t *)"source.example", 14) &&
            mm_put_vec(&env, b.buf, b.len));
  uint8_t *p = dup_bytes(env.buf, env.len, len);
  mm_writer_free(&b);
  mm_writer_free(&env);
  return p;
}

static void step(mm_test_result *t, mm_wire_kind k, const char *to, uint64_t ms, const uint8_t *b,
                 size_t n) {
  mm_wire_event *e = &t->wire[t->nwire++];
  *e = (mm_wire_event){.kind = k, .ms = ms};
  if (to) snprintf(e->to, sizeof e->to, "%s", to);
  if (b) e->bytes = dup_bytes(b, n, &e->len);
}

static void set(mm_test_result *t, const char *prefix, const char *name, const char *rules,
                uint8_t role, mm_verdict v, const char *msg) {
  snprintf(t->name, sizeof t->name, "%s%s", prefix, name);
  t->rules = rules;
  t->summary = "what the test does";
  t->role = role;
  t->suite = 1;
  t->verdict = v;
  t->message = strdup(msg);
  t->ms = 12.5;
}

void fixture_run(mm_run_result *r, uint8_t role, const char *prefix) {
  *r = (mm_run_result){0};
  r->n = 6;
  r->tests = calloc(r->n, sizeof *r->tests);
  ck_assert_ptr_nonnull(r->tests);
  snprintf(r->pics.implementation, sizeof r->pics.implementation, "fixture DS <1.0>");
  r->pics.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET;
  r->pics.features = 0x3f;
  r->pics.suites[1] = r->pics.suites[2] = true;
  r->iut_cmd = strdup("./my ds 'shim'");
  r->mlsmig_cmd = strdup("build/mlsmig");
  r->seed = 6;
  snprintf(r->date, sizeof r->date, "2026-01-02T03:04:05Z");
  r->wall_ms = 100;
  set(&r->tests[0], prefix, "happy/suite-1", "SIG-1 HASH-1", role, MM_V_PASS, "");
  set(&r->tests[1], prefix, "nonce_expired", "NONCE-2", role, MM_V_FAIL,
      "content after the lifetime was accepted & \"quoted\" \\ here\nnext\x01 line "
      "# not a TAP comment");
  set(&r->tests[2], prefix, "hangs", "DUR-1", role, MM_V_ERROR, "deliver: timed out");
  /* more stderr than the report shows */
  size_t cap = 60 * 16, k = 0;
  char *err = malloc(cap);
  ck_assert_ptr_nonnull(err);
  for (int i = 0; i < 60; i++) k += (size_t)snprintf(err + k, cap - k, "stderr line %02d\n", i);
  r->tests[2].iut_stderr = err;
  set(&r->tests[3], prefix, "refusal_code", "DOM-1", role, MM_V_WARNING,
      "refused with bad_signature, expected wrong_domain");
  set(&r->tests[4], prefix, "tombstone", "LIFE-2", role, MM_V_NA, "optional feature not declared");
  set(&r->tests[5], prefix, "should_only", "AUTHZ-5", role, MM_V_PASS, "");
  mm_test_result *t = &r->tests[1];
  t->expected = strdup("a MigrationError nonce_expired and no TargetMigrationComplete");
  t->iut_stderr = strdup("line 1\n<script>alert(1)</script>\nlast line\n");
  t->offending = strdup(
      "{\"body\":\"00\",\"cipher_suite\":1,\"msg_type\":1,"
      "\"msg_type_name\":\"migration_request\",\"sender\":\"616c696365\","
      "\"body_decoded\":{\"epoch\":7,\"group_id\":\"6731\"}}");
  t->wire = calloc(MM_WIRE_MAX, sizeof *t->wire);
  ck_assert_ptr_nonnull(t->wire);
  size_t len;
  uint8_t *env = request_envelope(&len);
  static const uint8_t junk[] = {0xff, 0x00};
  static const uint8_t bad_body[] = {0x01, 0x00, 0x01, 0x01, 0x61, 0x01, 0x00};
  static const uint8_t unknown_type[] = {0x63, 0x00, 0x01, 0x01, 0x61, 0x00};
  static const uint8_t state[] = {1, 2, 3};
  step(t, MM_WIRE_INSTALL, NULL, 0, state, sizeof state);
  step(t, MM_WIRE_DELIVER, NULL, 0, env, len);
  step(t, MM_WIRE_OUTPUT, "alice@source.example", 0, env, len);
  step(t, MM_WIRE_CLOCK, NULL, 301000, NULL, 0);
  step(t, MM_WIRE_RESTART, NULL, 0, NULL, 0);
  step(t, MM_WIRE_OUTPUT, "target.example", 0, junk, sizeof junk);
  step(t, MM_WIRE_OUTPUT, "target.example", 0, bad_body, sizeof bad_body);
  step(t, MM_WIRE_OUTPUT, "target.example", 0, unknown_type, sizeof unknown_type);
  mm_migration_error me = {MM_E_NONCE_EXPIRED, mm_view_str("too late")};
  uint8_t *b = wrap(MM_MSG_MIGRATION_ERROR, 1, MM_T_MIGRATION_ERROR, &me, &len);
  step(t, MM_WIRE_OUTPUT, "alice@source.example", 0, b, len);
  free(b);
  /* an Ed25519-sized signature where suite 2 wants ECDSA DER: undecodable */
  static const uint8_t nonce[32], sig[64];
  mm_migration_confirmation mc = {mm_view_str("target.example"), mm_view_of(nonce, 32),
                                  mm_view_str("group-1"), mm_view_of(sig, sizeof sig)};
  b = wrap(MM_MSG_MIGRATION_CONFIRMATION, 2, MM_T_MIGRATION_CONFIRMATION, &mc, &len);
  step(t, MM_WIRE_OUTPUT, "alice@source.example", 0, b, len);
  free(b);
  t->wire_dropped = 2;
  free(env);
}

json_t *fixture_doc(uint8_t role, const char *prefix) {
  mm_run_result r;
  fixture_run(&r, role, prefix);
  json_t *doc = mm_run_to_json(&r);
  mm_run_result_free(&r);
  ck_assert_ptr_nonnull(doc);
  return doc;
}

const char *fixture_tmpdir(void) {
  static char dirs[8][256];
  static int next;
  char *d = dirs[next++ % 8];
  const char *tmp = getenv("TMPDIR");
  snprintf(d, 256, "%s/mlsmig-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(d));
  return d;
}

void fixture_rmdir(const char *dir) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

char *fixture_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = '\0';
  fclose(f);
  return s;
}

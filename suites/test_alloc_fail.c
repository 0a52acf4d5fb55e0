/* Allocation-failure injection (alloc_count.h). An operation is run once to
 * count the heap requests it makes (K), then again failing request 1, 2,
 * ..., K in turn ("single": the others succeed, so error paths that go on
 * allocating run too) and failing every request from N on ("sticky").
 *
 * The oracle, for every run: no crash, no assertion, no leak (leaks and
 * memory errors: `make check SANITIZE=1`, LSan; valgrind in CI), and either
 * MM_OK with exactly the output of the unfailed run or a clean error
 * (MM_E_NOMEM, or what the API documents) - never MM_OK with a wrong
 * output. A run that failed nothing (N > K) must match the unfailed run.
 *
 * Covered: the binary codec on every valid case of vectors/codec.json and
 * the group state inside it; the JSON codec (jansson's own allocations
 * routed through the wrappers); a client's MigrationRequest; a whole
 * simulated migration (client, source and target DS, their stores, the
 * simulator's bookkeeping); the report writers. Every request is failed
 * (no sampling): all of it runs in ~1 s plain, a few s under ASan.
 *
 * Nothing may ck_assert while armed: libcheck is linked statically, so its
 * own allocations (one per assertion) go through the wrappers too. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "codec/json_codec.h"
#include "mlsmig/group_state.h"
#include "mlsmig/messages.h"
#include "mlsmig/sim.h"
#include "report_fixture.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* One run of an operation with request nth failed (0: none), judged. */
typedef void (*op_fn)(void *ctx, size_t nth, bool sticky);

/* Counts the requests of op (K) and runs it failing each of 1..K, single
 * and sticky. Returns K. */
static size_t sweep(op_fn op, void *ctx) {
  op(ctx, 0, false);
  size_t k = mm_alloc_calls();
  for (size_t n = 1; n <= k; n++) {
    op(ctx, n, false);
    op(ctx, n, true);
  }
  return k;
}

/* The verdict of a run: MM_OK, or MM_E_NOMEM when a request was failed. */
static void expect_clean(const char *what, size_t nth, bool sticky, mm_err e, size_t failed) {
  ck_assert_msg(e == MM_OK || (failed > 0 && e == MM_E_NOMEM), "%s, request %zu failed%s: %s", what,
                nth, sticky ? " on" : "", mm_err_name(e));
}

/* ---- the injection itself ---- */

static void *volatile sink; /* keeps the compiler from eliding requests */

START_TEST(test_injection_fails_the_nth_request) {
  mm_alloc_fail_arm(0, false);
  sink = malloc(8);
  free(sink);
  ck_assert_uint_eq(mm_alloc_fail_disarm(), 0);
  ck_assert_uint_eq(mm_alloc_calls(), 1);

  mm_alloc_fail_arm(2, false);
  void *a = malloc(8), *b = calloc(2, 8), *c = malloc(8);
  ck_assert_uint_eq(mm_alloc_fail_disarm(), 1);
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_null(b);
  ck_assert_ptr_nonnull(c);
  /* Sticky; a failed realloc leaves the block as it was. */
  mm_alloc_fail_arm(1, true);
  void *d = realloc(a, 64), *e = malloc(1);
  ck_assert_uint_eq(mm_alloc_fail_disarm(), 2);
  ck_assert_uint_eq(mm_alloc_calls(), 2);
  ck_assert_ptr_null(d);
  ck_assert_ptr_null(e);
  free(a);
  free(c);
}
END_TEST

/* ---- the binary codec ---- */

typedef struct codec_case {
  mm_type t;
  uint16_t suite;
  const uint8_t *bytes;
  size_t len;
} codec_case;

/* decode, encode, and the TBS form for the types that have one */
static void codec_op(void *ctx, size_t nth, bool sticky) {
  const codec_case *c = ctx;
  mm_limits lim = mm_limits_default(c->suite);
  mm_any_msg m;
  mm_derr derr;
  mm_writer w, tbs;
  mm_writer_init(&w);
  mm_writer_init(&tbs);
  uint8_t *out = NULL;
  size_t len = 0;
  bool has_tbs = mm_type_has_signature(c->t);
  mm_alloc_fail_arm(nth, sticky);
  mm_err de = mm_decode(c->t, c->bytes, c->len, &lim, &m, &derr);
  mm_err e = de == MM_OK ? mm_encode(c->t, &m, &lim, &w, NULL) : de;
  if (e == MM_OK)
    e = mm_writer_finish(&w, &out, &len);
  else
    mm_writer_free(&w);
  mm_err te = has_tbs && de == MM_OK ? mm_encode_tbs(c->t, &m, &lim, &tbs) : MM_OK;
  size_t failed = mm_alloc_fail_disarm();
  ck_assert_int_eq(de, MM_OK); /* views only: decoding allocates nothing */
  expect_clean(mm_type_name(c->t), nth, sticky, e, failed);
  expect_clean(mm_type_name(c->t), nth, sticky, te, failed);
  if (e == MM_OK) {
    ck_assert_uint_eq(len, c->len);
    ck_assert_mem_eq(out, c->bytes, len);
  } else {
    ck_assert_ptr_null(out);
  }
  /* TBS: the encoding without its final signature<V> */
  if (has_tbs && te == MM_OK) {
    ck_assert_uint_lt(tbs.len, c->len);
    ck_assert_mem_eq(tbs.buf, c->bytes, tbs.len);
  }
  mm_writer_free(&tbs);
  free(out);
}

/* The group state of a MigrationContent: decode, walk, encode. */
#define GS_MAX_MEMBERS 16
static void group_state_op(void *ctx, size_t nth, bool sticky) {
  const codec_case *c = ctx;
  mm_limits lim = mm_limits_default(c->suite);
  mm_group_state g;
  mm_member members[GS_MAX_MEMBERS];
  size_t n = 0, pos = 0, len = 0;
  mm_writer w;
  mm_writer_init(&w);
  uint8_t *out = NULL;
  mm_alloc_fail_arm(nth, sticky);
  mm_err de = mm_group_state_decode(c->bytes, c->len, &lim, &g, NULL);
  while (de == MM_OK && n < GS_MAX_MEMBERS && mm_members_next(&g, &pos, &members[n])) n++;
  mm_err e = de == MM_OK ? mm_group_state_encode(&g, members, n, &w) : de;
  if (e == MM_OK)
    e = mm_writer_finish(&w, &out, &len);
  else
    mm_writer_free(&w);
  size_t failed = mm_alloc_fail_disarm();
  ck_assert_int_eq(de, MM_OK);
  ck_assert_uint_eq(n, g.member_count);
  expect_clean("group_state", nth, sticky, e, failed);
  if (e == MM_OK) {
    ck_assert_uint_eq(len, c->len);
    ck_assert_mem_eq(out, c->bytes, len);
  }
  free(out);
}

/* The JSON form: to JSON, JSON text, back from the text, encoded again.
 * jansson allocates through the wrappers here, so the values that
 * mm_msg_to_json builds fail too (it documents NULL on OOM), and
 * mm_msg_from_json's arena (MM_E_NOMEM). jansson's own dump and parse run
 * unfailed: in 2.14 they are not OOM-safe - json_dumps may leave out an
 * object key (akheron/jansson#655), json_loads a byte of a string, and
 * still succeed - which no caller can detect. */
static void json_op(void *ctx, size_t nth, bool sticky) {
  const codec_case *c = ctx;
  mm_limits lim = mm_limits_default(c->suite);
  mm_any_msg m, back;
  mm_arena a;
  mm_arena_init(&a);
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_decode(c->t, c->bytes, c->len, &lim, &m, NULL), MM_OK);
  char *text = NULL;
  json_t *parsed = NULL;
  const char *why = NULL;
  mm_err e = MM_E_NOMEM;
  mm_alloc_fail_arm(nth, sticky);
  json_t *j = mm_msg_to_json(c->t, &m);
  mm_alloc_fail_pause(true);
  if (j) text = json_dumps(j, JSON_COMPACT);
  if (text) parsed = json_loads(text, 0, NULL);
  mm_alloc_fail_pause(false);
  if (parsed) e = mm_msg_from_json(c->t, parsed, &a, &back, &why);
  if (e == MM_OK) e = mm_encode(c->t, &back, &lim, &w, NULL);
  size_t failed = mm_alloc_fail_disarm();
  if (!failed) ck_assert_int_eq(e, MM_OK);
  ck_assert_msg(e == MM_OK || e == MM_E_NOMEM, "%s, request %zu failed: %s (%s)",
                mm_type_name(c->t), nth, mm_err_name(e), why ? why : "");
  if (e == MM_OK) {
    ck_assert_uint_eq(w.len, c->len);
    ck_assert_mem_eq(w.buf, c->bytes, w.len);
  }
  mm_writer_free(&w);
  json_decref(parsed);
  free(text);
  json_decref(j);
  mm_arena_free(&a);
}

/* Every valid case of the published codec vectors. */
typedef struct codec_cases {
  codec_case v[128];
  uint8_t *owned[128];
  size_t n;
  json_t *doc;
} codec_cases;

static void load_codec_cases(codec_cases *cs) {
  json_error_t jerr;
  cs->n = 0;
  cs->doc = json_load_file(mm_test_path("vectors/codec.json"), 0, &jerr);
  ck_assert_msg(cs->doc != NULL, "vectors/codec.json: %s", jerr.text);
  size_t i, k;
  json_t *group, *tc;
  json_array_foreach(cs->doc, i, group) {
    mm_type t;
    ck_assert(mm_type_by_name(json_string_value(json_object_get(group, "type")), &t));
    json_array_foreach(json_object_get(group, "tests"), k, tc) {
      if (strcmp(json_string_value(json_object_get(tc, "result")), "valid") != 0) continue;
      ck_assert_uint_lt(cs->n, sizeof cs->v / sizeof cs->v[0]);
      codec_case *c = &cs->v[cs->n];
      size_t len;
      cs->owned[cs->n] = mm_test_unhex(json_string_value(json_object_get(tc, "encoding")), &len);
      *c = (codec_case){t, (uint16_t)json_integer_value(json_object_get(tc, "cipher_suite")),
                        cs->owned[cs->n], len};
      cs->n++;
    }
  }
}

static void free_codec_cases(codec_cases *cs) {
  for (size_t i = 0; i < cs->n; i++) free(cs->owned[i]);
  json_decref(cs->doc);
}

START_TEST(test_codec_under_alloc_failure) {
  codec_cases cs;
  load_codec_cases(&cs);
  bool seen[MM_T_COUNT] = {0};
  size_t states = 0;
  for (size_t i = 0; i < cs.n; i++) {
    codec_case *c = &cs.v[i];
    seen[c->t] = true;
    ck_assert_uint_gt(sweep(codec_op, c), 0);
    if (c->t != MM_T_MIGRATION_CONTENT) continue;
    mm_migration_content mc;
    mm_limits lim = mm_limits_default(c->suite);
    ck_assert_int_eq(mm_decode(c->t, c->bytes, c->len, &lim, &mc, NULL), MM_OK);
    codec_case gs = {MM_T_COUNT, c->suite, mc.group_state.data, mc.group_state.len};
    ck_assert_uint_gt(sweep(group_state_op, &gs), 0);
    states++;
  }
  /* the codec vectors cover the profile's types (the feature's: suites/test_amend_codec.c) */
  for (int t = 0; t < MM_T_PROFILE_COUNT; t++)
    ck_assert_msg(seen[t], "no %s case", mm_type_name(t));
  ck_assert_uint_gt(states, 0);
  free_codec_cases(&cs);
}
END_TEST

START_TEST(test_json_codec_under_alloc_failure) {
  codec_cases cs;
  load_codec_cases(&cs);
  json_malloc_t saved_malloc;
  json_free_t saved_free;
  json_get_alloc_funcs(&saved_malloc, &saved_free);
  json_set_alloc_funcs(malloc, free); /* through --wrap: counted and failed */
  /* One case per type: the JSON paths depend on the type, not the bytes. */
  bool done[MM_T_COUNT] = {0};
  for (size_t i = 0; i < cs.n; i++)
    if (!done[cs.v[i].t]) {
      done[cs.v[i].t] = true;
      ck_assert_uint_gt(sweep(json_op, &cs.v[i]), 0);
    }
  json_set_alloc_funcs(saved_malloc, saved_free);
  free_codec_cases(&cs);
}
END_TEST

/* ---- a client's MigrationRequest ---- */

/* A request that could not be sent leaves the client idle with nothing
 * queued, and the same call succeeds once memory is back. */
typedef struct client_ctx {
  mm_client *c;
} client_ctx;

static void client_migrate_op(void *ctx, size_t nth, bool sticky) {
  client_ctx *x = ctx;
  mm_outbox out;
  mm_outbox_init(&out);
  mm_alloc_fail_arm(nth, sticky);
  mm_err e = mm_client_migrate(x->c, MM_SIM_TARGET, 0, &out);
  size_t failed = mm_alloc_fail_disarm();
  expect_clean("mm_client_migrate", nth, sticky, e, failed);
  if (e != MM_OK) {
    ck_assert_uint_eq(out.n, 0);
    ck_assert_int_eq(mm_client_get_status(x->c).phase, MM_CP_IDLE);
    e = mm_client_migrate(x->c, MM_SIM_TARGET, 0, &out); /* the retry */
    ck_assert_int_eq(e, MM_OK);
  }
  ck_assert_uint_eq(out.n, 1);
  ck_assert_int_eq(mm_client_get_status(x->c).phase, MM_CP_REQUESTED);
  /* Back to idle for the next run: a refusal from the target ends it. */
  mm_migration_error me = {MM_E_UNAUTHORIZED, mm_view_str("no")};
  size_t len;
  uint8_t *env = NULL;
  mm_writer body, w;
  mm_writer_init(&body);
  mm_writer_init(&w);
  ck_assert_int_eq(mm_encode(MM_T_MIGRATION_ERROR, &me, NULL, &body, NULL), MM_OK);
  mm_envelope ev = {MM_MSG_MIGRATION_ERROR, 1, mm_view_str(MM_SIM_TARGET), mm_writer_view(&body)};
  ck_assert_int_eq(mm_encode(MM_T_ENVELOPE, &ev, NULL, &w, NULL), MM_OK);
  ck_assert_int_eq(mm_writer_finish(&w, &env, &len), MM_OK);
  ck_assert_int_eq(mm_client_handle(x->c, env, len, 1, &out), MM_OK);
  ck_assert_int_eq(mm_client_get_status(x->c).phase, MM_CP_FAILED);
  free(env);
  mm_writer_free(&body);
  mm_outbox_free(&out);
}

START_TEST(test_client_request_under_alloc_failure) {
  mm_sim_config cfg = mm_sim_config_default(1, 1);
  cfg.members = 1;
  cfg.state_bytes = 0;
  mm_sim *donor;
  ck_assert_int_eq(mm_sim_new(&cfg, &donor), MM_OK); /* keys, group ID */
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "client");
  mm_env env = {&rng, mm_sim_keys(donor), NULL, NULL, 0};
  mm_client_config cc = {mm_sim_member_name(donor, 0),
                         mm_sim_private_key(donor, mm_sim_member_name(donor, 0)),
                         1,
                         mm_sim_group_id(donor),
                         mm_sim_initial_epoch(donor),
                         0,
                         MM_SIM_SOURCE,
                         0,
                         0,
                         {0}};
  client_ctx x;
  ck_assert_int_eq(mm_client_new(&cc, &env, &x.c), MM_OK);
  ck_assert_uint_gt(sweep(client_migrate_op, &x), 0);
  mm_client_free(x.c);
  mm_rng_wipe(&rng);
  mm_sim_free(donor);
}
END_TEST

/* ---- a whole migration ---- */

/* The simulator's happy path (suite 1, two members, 64-byte state; keys
 * borrowed from a donor, as key generation is OpenSSL's and not injected),
 * and a rough variant of it: the first envelope of each migration message
 * is dropped (the client's Commit too, not the fan-out) and the source
 * crashes when it first sends MigrationContent, restarting 500 ms later,
 * so that retransmissions (client and source timers) and the restore from
 * the store (DUR-1) run under failure too.
 *
 * Single failures: every step that fails is one a peer retries, so the
 * migration must still complete, with INV-1..INV-5 and the trace rules
 * (LIFE-1, LIFE-2, signatures, HASH-2) intact, and every verdict of a DS
 * MM_OK or MM_E_NOMEM (all envelopes are valid: no refusal may stand in
 * for an allocation failure). That is what "the actor is still usable
 * after a failed step" means here: the DS or client that got MM_E_NOMEM
 * handles the retransmission that follows. Two documented exceptions end
 * the migration cleanly instead:
 *   - the initiator's own mm_client_migrate fails: the client stays idle
 *     and nothing was sent (the simulator does not call it again; the
 *     retry is test_client_request_under_alloc_failure), result "aborted";
 *   - the target fails on the MigrationRequest: it answers `internal`
 *     (target.c, answer()), which ends the client's request, "refused".
 * A failure in mm_sim_new gives MM_E_NOMEM and nothing else.
 * Sticky failures: no progress is owed (INV-5 and a GAP-1 explaining its
 * failure are not judged), but safety is: INV-1..INV-4, no rule broken,
 * and the same verdicts. */
typedef struct rough {
  bool dropped[MM_MSG_MLS_MESSAGE + 1];
  bool crash_due, crashed;
} rough;

static unsigned rough_send(void *ctx, mm_sim *s, mm_sim_send *snd) {
  (void)s;
  rough *r = ctx;
  uint8_t t = snd->msg_type;
  if (t == MM_MSG_MIGRATION_CONTENT && !r->crashed) r->crash_due = true;
  bool droppable = (t >= MM_MSG_MIGRATION_REQUEST && t <= MM_MSG_TARGET_MIGRATION_COMPLETE) ||
                   (t == MM_MSG_MIGRATION_COMMIT && strchr(snd->from, '@'));
  if (!droppable || r->dropped[t]) return 1;
  r->dropped[t] = true;
  return 0;
}

static void rough_step(void *ctx, mm_sim *s, uint64_t now) {
  rough *r = ctx;
  if (!r->crash_due) return;
  r->crash_due = false;
  r->crashed = true;
  mm_sim_crash_until(s, MM_ROLE_SOURCE, now + 500);
}

typedef struct sim_ctx {
  mm_sim_config cfg;
  rough rough; /* the hooks' state, afresh for each run */
  size_t completed, aborted, refused;
} sim_ctx;

static void sim_op(void *ctx, size_t nth, bool sticky) {
  sim_ctx *x = ctx;
  mm_sim *s = NULL;
  x->rough = (rough){{0}, false, false};
  mm_alloc_fail_arm(nth, sticky);
  mm_err e = mm_sim_new(&x->cfg, &s);
  if (e == MM_OK) {
    mm_sim_start_migration(s, 0);
    e = mm_sim_run(s);
  }
  size_t failed = mm_alloc_fail_disarm();
  if (!s) {
    ck_assert_msg(failed && e == MM_E_NOMEM, "mm_sim_new, request %zu failed: %s", nth,
                  mm_err_name(e));
    return;
  }
  ck_assert_int_eq(e, MM_OK);
  /* MM_E_NOT_FOUND: the DS was down (the crash) */
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    bool ds = strcmp(r->to, MM_SIM_SOURCE) == 0 || strcmp(r->to, MM_SIM_TARGET) == 0;
    ck_assert_msg(
        !ds || r->verdict == MM_OK || r->verdict == MM_E_NOMEM || r->verdict == MM_E_NOT_FOUND,
        "request %zu failed%s: %s answered step %zu with %s", nth, sticky ? " on" : "", r->to,
        r->step, mm_err_name(r->verdict));
  }
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  ck_assert_msg(!o.rule_violation[0], "request %zu failed%s: %s", nth, sticky ? " on" : "",
                o.rule_violation);
  ck_assert_msg(sticky || !o.known_gap[0], "request %zu failed: %s", nth, o.known_gap);
  for (int i = 1; i <= (sticky ? 4 : 5); i++)
    ck_assert_msg(o.inv[i] != MM_INV_FAIL, "request %zu failed%s: INV-%d: %s", nth,
                  sticky ? " on" : "", i, o.inv_detail[i]);
  if (!sticky) {
    bool done = strcmp(o.result, "completed") == 0;
    bool idle = strcmp(o.result, "aborted") == 0 && o.initiator_phase == MM_CP_IDLE;
    bool internal = strcmp(o.result, "refused") == 0 && o.initiator_error == MM_E_INTERNAL;
    ck_assert_msg(done || (failed && (idle || internal)), "request %zu failed: %s (%s)", nth,
                  o.result, mm_err_name(o.initiator_error));
    x->completed += done;
    x->aborted += idle;
    x->refused += internal;
  }
  mm_sim_free(s);
}

START_TEST(test_migration_under_alloc_failure) {
  sim_ctx x = {mm_sim_config_default(1, 1), {{0}, false, false}, 0, 0, 0};
  mm_sim_hooks hooks = {rough_send, rough_step, &x.rough};
  x.cfg.members = 2;
  x.cfg.state_bytes = 64;
  x.cfg.stop_after_bound = true;
  if (_i) {
    x.cfg.hooks = &hooks;
    x.cfg.finite_faults = true; /* INV-5 still owed */
  }
  mm_sim *donor;
  ck_assert_int_eq(mm_sim_new(&x.cfg, &donor), MM_OK);
  x.cfg.key_donor = donor;
  size_t k = sweep(sim_op, &x);
  ck_assert_uint_gt(k, 50);
  /* Most failures are retried to completion; the exceptions stay few. */
  ck_assert_uint_gt(x.completed, x.aborted + x.refused);
  mm_sim_free(donor);
}
END_TEST

/* ---- the simulator's own failure ---- */

/* An envelope the simulator was to inject (a replay, a misroute, an
 * adversary's message) that it could not queue: the run is not the one
 * asked for, so mm_sim_run stops and returns the failure instead of a run
 * the checks would judge; an actor's failure, by contrast, is part of the
 * run (test_migration_under_alloc_failure). */
typedef struct inject_ctx {
  size_t steps;
  mm_err injected;
} inject_ctx;

static void inject_once(void *ctx, mm_sim *s, uint64_t now) {
  inject_ctx *x = ctx;
  if (x->steps++ != 3) return;
  static const uint8_t junk[4] = {1, 2, 3, 4};
  mm_alloc_fail_arm(1, false);
  x->injected = mm_sim_inject(s, MM_SIM_SOURCE, MM_SIM_TARGET, junk, sizeof junk, now);
  ck_assert_uint_eq(mm_alloc_fail_disarm(), 1);
}

START_TEST(test_sim_injection_failure_ends_the_run) {
  inject_ctx x = {0, MM_OK};
  mm_sim_hooks hooks = {NULL, inject_once, &x};
  mm_sim_config cfg = mm_sim_config_default(1, 1);
  cfg.hooks = &hooks;
  mm_sim *s;
  ck_assert_int_eq(mm_sim_new(&cfg, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  ck_assert_int_eq(mm_sim_run(s), MM_E_NOMEM);
  ck_assert_int_eq(x.injected, MM_E_NOMEM);
  ck_assert_uint_eq(x.steps, 4); /* stopped at once: no step after the failure */
  mm_sim_free(s);
}
END_TEST

/* ---- the report writers ---- */

typedef MM_MUST_USE mm_err (*writer_fn)(const json_t *doc, const char *path);

typedef struct report_ctx {
  json_t *doc;
  writer_fn write;
  const char *dir; /* one fixture_tmpdir for the whole sweep */
  const char *name;
  char *want; /* the unfailed run's output */
} report_ctx;

static MM_MUST_USE mm_err write_html_index(const json_t *doc, const char *dir) {
  return mm_report_html_doc(doc, dir);
}

/* A written file is exactly the unfailed run's. The writers document
 * MM_E_NOMEM, and MM_E_IO for a file they could not write: that is all the
 * JSON writer learns when jansson's json_dump_file runs out of memory. */
static void report_op(void *ctx, size_t nth, bool sticky) {
  report_ctx *x = ctx;
  char path[600], file[700];
  snprintf(path, sizeof path, "%s/%s", x->dir, x->name);
  bool html = x->write == write_html_index;
  snprintf(file, sizeof file, html ? "%s/index.html" : "%s", path);
  mm_alloc_fail_arm(nth, sticky);
  mm_err e = x->write(x->doc, path);
  size_t failed = mm_alloc_fail_disarm();
  char *got = e == MM_OK ? fixture_slurp(file) : NULL;
  remove(file);
  if (html) remove(path); /* the directory the writer made */
  ck_assert_msg(e == MM_OK || (failed && (e == MM_E_NOMEM || e == MM_E_IO)),
                "%s, request %zu failed: %s", x->name, nth, mm_err_name(e));
  if (e != MM_OK) return;
  ck_assert_ptr_nonnull(got);
  if (!x->want) {
    x->want = got;
    return;
  }
  /* (not ck_assert_str_eq: a page is too long for Check's message) */
  bool same = strcmp(got, x->want) == 0;
  free(got);
  ck_assert_msg(same, "%s, request %zu failed%s: MM_OK with other output", x->name, nth,
                sticky ? " on" : "");
}

/* The writers of a results document, jansson's allocations failing too
 * (routed). jansson 2.14's json_dumps can return a string with an object
 * key left out when one of its own allocations fails (akheron/jansson#655):
 * mm_json_dumps prints through a buffer of its own that fails for good
 * instead, so JUnit's offending envelopes are swept as well. */
START_TEST(test_report_writers_under_alloc_failure) {
  static const struct {
    const char *name;
    writer_fn write;
    bool jansson;
  } writers[] = {{"results.json", mm_report_json_doc, true},
                 {"junit.xml", mm_report_junit_doc, true},
                 {"results.tap", mm_report_tap_doc, true},
                 {"html", write_html_index, true}};
  json_t *doc = fixture_doc(MM_SHIM_ROLE_TARGET, "target.");
  json_malloc_t saved_malloc;
  json_free_t saved_free;
  json_get_alloc_funcs(&saved_malloc, &saved_free);
  const char *dir = fixture_tmpdir();
  for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
    report_ctx x = {doc, writers[i].write, dir, writers[i].name, NULL};
    if (writers[i].jansson) json_set_alloc_funcs(malloc, free);
    sweep(report_op, &x);
    json_set_alloc_funcs(saved_malloc, saved_free);
    ck_assert_ptr_nonnull(x.want);
    free(x.want);
  }
  fixture_rmdir(dir);
  json_decref(doc);
}
END_TEST

Suite *suite_alloc_fail(void) {
  Suite *s = suite_create("alloc_fail");
  TCase *tc = tcase_create("alloc_fail");
  tcase_set_timeout(tc, 120); /* a few s under ASan */
  MM_ADD_TEST(tc, test_injection_fails_the_nth_request, "-");
  MM_ADD_TEST(tc, test_codec_under_alloc_failure, "ENC-1 ENC-2 ENC-3");
  MM_ADD_TEST(tc, test_json_codec_under_alloc_failure, "ENC-3");
  MM_ADD_TEST(tc, test_client_request_under_alloc_failure, "-");
  /* 0: the happy path; 1: with drops and a crash of the source */
  MM_ADD_LOOP_TEST(tc, test_migration_under_alloc_failure,
                   "INV-1 INV-2 INV-3 INV-4 INV-5 LIFE-1 LIFE-2 LIFE-5 HASH-2 DUR-1", 0, 2);
  MM_ADD_TEST(tc, test_sim_injection_failure_ends_the_run, "-");
  MM_ADD_TEST(tc, test_report_writers_under_alloc_failure, "-");
  suite_add_tcase(s, tc);
  return s;
}

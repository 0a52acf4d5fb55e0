/* The runner's driver (runner.h): probe the IUT's PICS, pick the tests that
 * apply, run them on worker threads (each on its own IUT process and state
 * directory), and judge per test and per rule. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "profile/catalogue.h"
#include "runner/iut_sup.h"
#include "runner/runner_internal.h"
#include "runner/state_dir.h"

const char *mm_wire_kind_name(mm_wire_kind k) {
  static const char *names[] = {"deliver", "output", "clock", "install", "restart"};
  return (unsigned)k <= MM_WIRE_RESTART ? names[k] : "unknown";
}

const char *mm_verdict_name(mm_verdict v) {
  static const char *names[] = {"pass", "warning", "fail", "error", "not_applicable"};
  return (unsigned)v <= MM_V_NA ? names[v] : "unknown";
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool mm_rules_match(const char *rules, const char *want) {
  size_t n = strlen(want);
  for (const char *p = rules; n && (p = strstr(p, want)) != NULL; p += n) {
    bool starts = p == rules || p[-1] == ' ';
    bool ends = p[n] == '\0' || p[n] == ' ' || (p[n] == '-' && strchr(want, '-') == NULL);
    if (starts && ends) return true;
  }
  return false;
}

/* ---- probing the IUT ---- */

static MM_MUST_USE mm_err probe(const mm_run_opts *o, mm_pics *pics, mm_run_cost *cost, char *why,
                                size_t why_len) {
  double t0 = wall_ms();
  mm_iut *p;
  mm_err se = r_iut_new(o, o->timeout_ms, &p, why, why_len);
  if (se != MM_OK) return se;
  mm_iut_set_cancel(p, o->cancel);
  cost->lifecycles++;
  cost->session_calls++; /* hello */
  mm_shim_msg hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION}, m;
  mm_writer w;
  mm_writer_init(&w);
  uint8_t *body = NULL;
  size_t len = 0;
  mm_err e = mm_shim_encode(&hello, &w);
  if (e == MM_OK) e = mm_iut_call(p, w.buf, w.len, o->timeout_ms, &body, &len);
  mm_writer_free(&w);
  if (e == MM_E_NOMEM) {
    snprintf(why, why_len, "runner failure: out of memory (hello): %s", mm_iut_why(p));
  } else if (e != MM_OK) {
    snprintf(why, why_len, "hello: %s%s%s", mm_iut_why(p), mm_iut_stderr(p)[0] ? "; stderr: " : "",
             mm_iut_stderr(p));
  } else if (mm_shim_decode(body, len, &m, NULL) != MM_OK || m.type != MM_SHIM_PICS) {
    snprintf(why, why_len, "hello: the reply is not a PICS frame (shim protocol v%d)",
             MM_SHIM_VERSION);
    e = MM_E_IO;
  } else if (m.version != MM_SHIM_VERSION) {
    snprintf(why, why_len, "the IUT speaks shim protocol v%u, the runner v%d", m.version,
             MM_SHIM_VERSION);
    e = MM_E_IO;
  } else {
    *pics = (mm_pics){.roles = m.roles, .features = m.features};
    /* Cut to fit, and valid UTF-8 whatever the IUT sent: the reports are JSON. */
    mm_iut_text(pics->implementation, sizeof pics->implementation, 0, m.implementation.data,
                m.implementation.len);
    mm_shim_iter it;
    mm_shim_item item;
    mm_shim_iter_init(&it, MM_SHIM_L_SUITES, m.suites);
    bool any = false;
    while (mm_shim_next(&it, &item))
      if (mm_suite_get(item.suite)) any = pics->suites[item.suite] = true;
    /* A PICS that declares no role or no suite is a broken shim, not an
     * IUT with nothing to test. */
    if (!(m.roles & (MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET))) {
      snprintf(why, why_len, "the PICS declares no role (roles = %u): shim protocol broken",
               m.roles);
      e = MM_E_IO;
    } else if (!any) {
      snprintf(why, why_len, "the PICS declares no ciphersuite of 1..%d: shim protocol broken",
               MM_SUITE_COUNT);
      e = MM_E_IO;
    }
  }
  free(body);
  body = NULL; /* the shutdown below may not get as far as a reply */
  if (e == MM_OK) {
    mm_shim_msg bye = {.type = MM_SHIM_SHUTDOWN};
    mm_writer_init(&w);
    int grace = o->timeout_ms < 500 ? o->timeout_ms : 500;
    /* The PICS is in; mm_iut_stop ends the process whatever it answers. */
    if (mm_shim_encode(&bye, &w) == MM_OK)
      mm_err_discard(mm_iut_call(p, w.buf, w.len, grace, &body, &len));
    cost->session_calls++;
    mm_writer_free(&w);
    free(body);
    mm_iut_stop(p, grace);
  }
  mm_iut_free(p);
  cost->session_ms += wall_ms() - t0;
  return e;
}

/* ---- choosing the test instances ---- */

/* Every test runs in every selected suite the IUT declares; a source test
 * also in both framings of the migration Commit (PrivateMessage,
 * PublicMessage), and a test on the policy axis (R_AX_POLICY) under every
 * policy the IUT declares (open; a deny list naming a client the test
 * never uses; strict, at a source, where the initiator is homed). Where
 * all three vary, the instances cover every pair of values (suite x
 * policy in full, each with a framing that alternates), not the product. */
typedef struct instance {
  const mm_rtest *t;
  uint16_t suite;
  bool bare;         /* named without the suite: not applicable in any (role, feature) */
  uint16_t framing;  /* MM_WIRE_PRIVATE or MM_WIRE_PUBLIC; 0: not on this axis */
  uint8_t policy;    /* R_POL_*; 0: not on this axis (open) */
  mm_verdict preset; /* MM_V_NA when the PICS rules it out, else MM_V_PASS */
  const char *na_why;
} instance;

static const char *framing_name(uint16_t f) {
  return f == MM_WIRE_PUBLIC ? "public" : f == MM_WIRE_PRIVATE ? "private" : NULL;
}

static const char *policy_name(uint8_t p) {
  return p == R_POL_OPEN     ? "open"
         : p == R_POL_DENY   ? "deny-list"
         : p == R_POL_STRICT ? "strict"
                             : NULL;
}

/* "target.happy/suite-2", "source.happy/suite-2/public/strict". */
static void instance_name(const mm_rtest *t, uint16_t suite, uint16_t framing, uint8_t policy,
                          char *out, size_t cap) {
  int n =
      suite ? snprintf(out, cap, "%s/suite-%u", t->name, suite) : snprintf(out, cap, "%s", t->name);
  if (n > 0 && (size_t)n < cap && framing_name(framing))
    n += snprintf(out + n, cap - (size_t)n, "/%s", framing_name(framing));
  if (n > 0 && (size_t)n < cap && policy_name(policy))
    snprintf(out + n, cap - (size_t)n, "/%s", policy_name(policy));
}

/* A --test entry names an instance when it is its name or the start of it
 * up to a "/" ("target.happy", "source.happy/suite-2"). */
static bool names_instance(const char *want, const char *inst) {
  size_t n = strlen(want);
  return strncmp(want, inst, n) == 0 && (inst[n] == '\0' || inst[n] == '/');
}

static bool wanted_test(const mm_run_opts *o, const char *inst) {
  if (!o->tests) return true;
  for (const char *const *w = o->tests; *w; w++)
    if (names_instance(*w, inst)) return true;
  return false;
}

static bool wanted_rules(const mm_run_opts *o, const char *rules) {
  if (!o->rules) return true;
  for (const char *const *r = o->rules; *r; r++)
    if (mm_rules_match(rules, *r)) return true;
  return false;
}

/* The values of each axis for test t; counts returned. */
static size_t framings(const mm_rtest *t, uint16_t *out) {
  if (t->role != MM_SHIM_ROLE_SOURCE) {
    out[0] = 0;
    return 1;
  }
  out[0] = MM_WIRE_PRIVATE;
  out[1] = MM_WIRE_PUBLIC;
  return 2;
}

static size_t policies(const mm_rtest *t, uint32_t features, uint8_t *out) {
  if (!(t->axes & R_AX_POLICY)) {
    out[0] = 0;
    return 1;
  }
  size_t n = 0;
  out[n++] = R_POL_OPEN;
  if (features & MM_SHIM_F_DENY_LIST) out[n++] = R_POL_DENY;
  /* strict refuses a client homed elsewhere: the runner's client is homed
   * at the source, so strict is an axis of the source's tests only */
  if ((features & MM_SHIM_F_STRICT_POLICY) && t->role == MM_SHIM_ROLE_SOURCE)
    out[n++] = R_POL_STRICT;
  return n;
}

static void add(const mm_run_opts *o, instance *out, size_t *n, instance in) {
  char name[160];
  instance_name(in.t, in.bare ? 0 : in.suite, in.framing, in.policy, name, sizeof name);
  if (wanted_test(o, name)) out[(*n)++] = in;
}

/* The instances of t in the declared suites S (ns of them). */
static void cover(const mm_run_opts *o, const mm_rtest *t, const uint16_t *S, size_t ns,
                  uint32_t features, instance *out, size_t *n) {
  uint16_t F[2];
  uint8_t P[3];
  size_t nf = framings(t, F), np = policies(t, features, P);
  bool pairwise = ns >= 2 && nf == 2 && np >= 2;
  for (size_t i = 0; i < ns; i++)
    for (size_t j = 0; j < np; j++)
      for (size_t k = 0; k < nf; k++) {
        if (pairwise && k != (i + j) % 2) continue;
        add(o, out, n, (instance){t, S[i], false, F[k], P[j], MM_V_PASS, NULL});
      }
}

/* At most this many instances per test. */
#define MAX_PER_TEST (MM_SUITE_COUNT * 2 * 3)

static size_t plan(const mm_run_opts *o, const mm_pics *pics, instance *out) {
  size_t n = 0;
  bool any = false;
  for (int s = 1; s <= MM_SUITE_COUNT; s++) any |= o->suites[s];
  uint16_t S[MM_SUITE_COUNT];
  size_t ns = 0;
  for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++)
    if ((!any || o->suites[s]) && pics->suites[s]) S[ns++] = s;
  for (size_t i = 0; i < mm_rtests_count; i++) {
    const mm_rtest *t = &mm_rtests[i];
    if (!(o->roles & t->role) || !wanted_rules(o, t->rules)) continue;
    bool unkillable = o->iut_connect && !o->iut_kill && (t->needs & MM_SHIM_F_RESTART);
    const char *na = !(pics->roles & t->role)       ? "role not declared"
                     : (t->needs & ~pics->features) ? "optional feature not declared"
                     : unkillable
                         ? "a restart test: --iut-connect needs --iut-kill (and --iut-start)"
                         : NULL;
    if (na) { /* one entry, under the test's bare name, says why it does not apply */
      uint16_t first = ns ? S[0] : 1;
      for (uint16_t s = 1; !ns && any && s <= MM_SUITE_COUNT && first == 1; s++)
        if (o->suites[s]) first = s;
      add(o, out, &n, (instance){t, first, true, 0, 0, MM_V_NA, na});
      continue;
    }
    cover(o, t, S, ns, pics->features, out, &n);
    /* A suite asked for with --suite that the IUT does not declare is
     * listed, so the report says what was not tested. */
    for (uint16_t s = 1; any && s <= MM_SUITE_COUNT; s++)
      if (o->suites[s] && !pics->suites[s])
        add(o, out, &n, (instance){t, s, false, 0, 0, MM_V_NA, "suite not declared"});
  }
  return n;
}

bool mm_runner_test_known(const char *want) {
  mm_pics all = {.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET, .features = UINT32_MAX};
  for (size_t i = 0; i < mm_rtests_count; i++) {
    const mm_rtest *t = &mm_rtests[i];
    if (strcmp(want, t->name) == 0) return true;
    uint16_t F[2];
    uint8_t P[3];
    size_t nf = framings(t, F), np = policies(t, all.features, P);
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++)
      for (size_t j = 0; j < np; j++)
        for (size_t k = 0; k < nf; k++) {
          char name[160];
          instance_name(t, s, F[k], P[j], name, sizeof name);
          if (names_instance(want, name)) return true;
        }
  }
  return false;
}

/* ---- running one test ---- */

static bool make_keys(rctx *c) {
  mm_key **k[6] = {&c->tgt, &c->src, &c->third, &c->alice, &c->bob, &c->carol};
  for (int i = 0; i < 6; i++)
    if (mm_key_generate(c->suite, &c->rng, k[i]) != MM_OK) return false;
  return true;
}

static void free_ctx(rctx *c) {
  mm_key *k[6] = {c->tgt, c->src, c->third, c->alice, c->bob, c->carol};
  for (int i = 0; i < 6; i++) mm_key_free(k[i]);
  r_got_clear(c);
}

/* What the run shares with its tests. */
typedef struct run_env {
  mm_state_root *root;
  int64_t deadline; /* ms, monotonic (the run's budget) */
  /* --iut-connect: a restart test kills the one service, so it runs alone
   * (write lock), the others together (read lock) */
  pthread_rwlock_t *service;
  bool persistent; /* asked for, and the PICS declares reset */
} run_env;

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The test's state directory, fresh in the run's root. */
static bool make_dir(rctx *c, const run_env *env, char *name, size_t cap) {
  if (mm_state_dir_make(env->root, c->dir, sizeof c->dir, name, cap) == MM_OK) return true;
  name[0] = '\0';
  r_local(c, "cannot make a state directory in %s", env->root->path);
  return false;
}

/* After the test, once every process of the IUT is gone: its state
 * directory goes, and what could not be cleaned up is noted. */
static void clean_up(rctx *c, const run_env *env, const char *name, mm_test_result *r) {
  char why[384] = "", note[512] = "";
  if (name[0] && mm_state_dir_remove(env->root, name, why, sizeof why) != MM_OK)
    snprintf(note, sizeof note, "state directory %.80s not removed: %s", name, why);
  r->escaped = c->escaped;
  if (note[0]) r->cleanup = strdup(note);
}

static void name_test(const instance *in, mm_test_result *r) {
  instance_name(in->t, in->bare ? 0 : in->suite, in->framing, in->policy, r->name, sizeof r->name);
  r->rules = in->t->rules;
  r->summary = in->t->summary;
  r->role = in->t->role;
  r->suite = in->suite;
}

static void run_one(const mm_run_opts *o, const mm_pics *pics, const mm_catalogue *cat,
                    const run_env *env, const instance *in, mm_test_result *r, mm_iut **keep) {
  double t0 = wall_ms();
  name_test(in, r);
  if (in->preset == MM_V_NA) {
    r->verdict = MM_V_NA;
    r->message = strdup(in->na_why);
    return;
  }
  rctx c = {.opts = o,
            .test = in->t,
            .pics = pics,
            .suite = in->suite,
            .framing = in->framing ? in->framing : MM_WIRE_PRIVATE,
            .now = R_T0,
            .run_deadline = env->deadline,
            .keep = env->persistent ? keep : NULL};
  /* the policy axis: a deny list names a client no test uses as a party */
  if (in->policy == R_POL_DENY) c.deny[0] = R_DENIED;
  if (in->policy == R_POL_STRICT) c.policy = MM_SHIM_POLICY_STRICT;
  bool alone = in->t->needs & MM_SHIM_F_RESTART;
  if (env->service) {
    if (alone)
      pthread_rwlock_wrlock(env->service);
    else
      pthread_rwlock_rdlock(env->service);
  }
  /* Keys and randomness are seeded by the test's name: a rerun repeats it. */
  mm_rng_init_seeded(&c.rng, o->seed ? o->seed : MM_RUN_DEFAULT_SEED, r->name);
  char name[64] = "";
  if (!make_dir(&c, env, name, sizeof name)) {
  } else if (!make_keys(&c)) {
    r_local(&c, "cannot make keys for suite %u", in->suite);
  } else {
    in->t->run(&c);
  }
  r_finish(&c); /* every process of the IUT is gone after this (or kept, reset) */
  if (env->service) pthread_rwlock_unlock(env->service);
  clean_up(&c, env, name, r);
  /* A test of SHOULD rules only cannot fail the run: it warns. */
  bool should_only = true;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", in->t->rules);
  for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
    const mm_rule *rule = mm_catalogue_find(cat, id);
    if (!rule || strcmp(rule->level, "SHOULD") != 0) should_only = false;
  }
  r->verdict = c.verdict == MM_V_FAIL && should_only ? MM_V_WARNING : c.verdict;
  r->message = strdup(c.msg);
  r->offending = c.offending;
  r->iut_stderr = c.iut_stderr;
  r->expected = c.expected[0] ? strdup(c.expected) : NULL;
  r->wire = c.wire;
  r->nwire = c.nwire;
  r->wire_dropped = c.wire_dropped;
  r->cost = c.cost;
  r->timed_out = c.timed_out;
  free_ctx(&c);
  r->ms = wall_ms() - t0;
}

/* The test a null session stands for (mm_run_null_session). */
static void run_nothing(rctx *c) { (void)c; }
static const mm_rtest null_test = {"null", MM_SHIM_ROLE_TARGET, "-", 0, 0, "", run_nothing};

mm_err mm_run_null_session(const mm_run_opts *o, unsigned queries, mm_run_null *out) {
  *out = (mm_run_null){0};
  mm_pics pics = {0};
  mm_state_root root;
  char why[256], name[64] = "";
  if (mm_state_root_open(&root, why, sizeof why) != MM_OK) return MM_E_IO;
  run_env env = {.root = &root};
  rctx c = {.opts = o,
            .test = &null_test,
            .pics = &pics,
            .suite = 1,
            .framing = MM_WIRE_PRIVATE,
            .now = R_T0};
  mm_rng_init_seeded(&c.rng, MM_RUN_DEFAULT_SEED, null_test.name);
  bool ok = make_dir(&c, &env, name, sizeof name) && make_keys(&c);
  /* r_start in its parts: the start up to the hello reply, then configure. */
  double t0 = wall_ms(), t1 = t0, t2 = t0;
  if (ok) ok = r_start_hello(&c);
  t1 = wall_ms();
  if (ok) ok = r_configure(&c);
  t2 = wall_ms();
  for (unsigned i = 0; ok && i < queries; i++) {
    uint8_t status;
    uint64_t epoch;
    ok = r_query(&c, "mlsmig-null-session", &status, &epoch);
  }
  double t3 = wall_ms();
  r_finish(&c);
  double t4 = wall_ms();
  ok = mm_state_root_close(&root, why, sizeof why) == MM_OK && ok && c.verdict == MM_V_PASS &&
       c.cost.lifecycles == 1;
  *out = (mm_run_null){t1 - t0, t2 - t1, t4 - t3, t3 - t2};
  free_ctx(&c);
  return ok ? MM_OK : MM_E_IO;
}

/* ---- workers ---- */

typedef struct pool {
  const mm_run_opts *o;
  const mm_pics *pics;
  const mm_catalogue *cat;
  const run_env *env;
  const instance *in;
  mm_test_result *res;
  size_t n, next, done, errors_in_a_row, timeouts;
  char *stopped; /* mm_run_result.stopped: set once, under lock */
  size_t stopped_cap;
  mtx_t lock;
} pool;

static void give_up(const instance *in, const char *stopped, mm_test_result *r) {
  name_test(in, r);
  char msg[320];
  snprintf(msg, sizeof msg, "not run: the run stopped (%s)", stopped);
  r->verdict = in->preset == MM_V_NA ? MM_V_NA : MM_V_ERROR;
  r->message = strdup(in->preset == MM_V_NA ? in->na_why : msg);
}

/* The run-wide cut-off (runner.h): why the run must stop now, or NULL.
 * Called under the pool's lock. */
static bool must_stop(pool *p) {
  if (p->stopped[0]) return true;
  const mm_run_opts *o = p->o;
  if (o->cancel && *o->cancel)
    snprintf(p->stopped, p->stopped_cap, "interrupted by signal %d", (int)*o->cancel);
  else if (p->errors_in_a_row >= MM_RUN_MAX_ERRORS_IN_A_ROW)
    snprintf(p->stopped, p->stopped_cap, "%d error verdicts in a row: the IUT is not usable",
             MM_RUN_MAX_ERRORS_IN_A_ROW);
  else if (p->timeouts >= MM_RUN_MAX_TIMEOUTS)
    snprintf(p->stopped, p->stopped_cap, "%d tests timed out: the IUT hangs", MM_RUN_MAX_TIMEOUTS);
  else if (mono_ms() >= p->env->deadline)
    snprintf(p->stopped, p->stopped_cap, "the run's time budget of %d s is spent",
             (o->max_run_ms > 0 ? o->max_run_ms : MM_RUN_MAX_MS) / 1000);
  return p->stopped[0] != '\0';
}

static int worker(void *arg) {
  pool *p = arg;
  mm_iut *kept = NULL; /* persistent mode: this worker's IUT between tests */
  for (;;) {
    mtx_lock(&p->lock);
    size_t i = p->next < p->n ? p->next++ : p->n;
    bool stop = i < p->n && must_stop(p);
    mtx_unlock(&p->lock);
    if (i == p->n) {
      r_iut_release(kept, p->o->timeout_ms < 500 ? p->o->timeout_ms : 500);
      return 0;
    }
    if (stop)
      give_up(&p->in[i], p->stopped, &p->res[i]);
    else
      run_one(p->o, p->pics, p->cat, p->env, &p->in[i], &p->res[i], &kept);
    mtx_lock(&p->lock);
    mm_test_result *r = &p->res[i];
    if (!stop) {
      if (r->verdict == MM_V_ERROR)
        p->errors_in_a_row++;
      else if (r->verdict != MM_V_NA)
        p->errors_in_a_row = 0;
      p->timeouts += r->timed_out;
    }
    p->done++;
    if (p->o->progress) p->o->progress(p->o->progress_ctx, p->done, p->n, r);
    mtx_unlock(&p->lock);
  }
}

/* What the reports need to say how the run was made. */
static MM_MUST_USE mm_err record_run(const mm_run_opts *o, mm_run_result *out) {
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm)) strftime(out->date, sizeof out->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  out->seed = o->seed ? o->seed : MM_RUN_DEFAULT_SEED;
  out->iut_cmd = strdup(o->iut_cmd ? o->iut_cmd : "");
  out->mlsmig_cmd = strdup(o->mlsmig_cmd ? o->mlsmig_cmd : "mlsmig");
  return out->iut_cmd && out->mlsmig_cmd ? MM_OK : MM_E_NOMEM;
}

mm_err mm_run(const mm_run_opts *o, mm_run_result *out, char *why, size_t why_len) {
  *out = (mm_run_result){0};
  double t0 = wall_ms();
  /* Whatever the IUT leaves behind comes to us, not to init (iut_sup.h);
   * not a service's: what its hooks start is none of ours. */
  if (!o->iut_connect) mm_reaper_begin();
  mm_err e = o->iut_connect ? r_iut_hook(o, "--iut-start", why, why_len) : MM_OK;
  if (e == MM_OK) e = probe(o, &out->pics, &out->cost, why, why_len);
  if (e == MM_OK) e = record_run(o, out);
  if (e != MM_OK) {
    char swhy[256];
    if (o->iut_connect && r_iut_hook(o, "--iut-stop", swhy, sizeof swhy) != MM_OK)
      fprintf(stderr, "mlsmig: %s\n", swhy);
    if (!o->iut_connect) out->escaped += mm_reaper_sweep();
    mm_run_result_free(out);
    return e;
  }
  mm_catalogue cat;
  if ((e = mm_catalogue_load(&cat)) != MM_OK) {
    snprintf(why, why_len, "the requirement catalogue does not load");
    mm_run_result_free(out);
    return e;
  }
  mm_state_root root;
  instance *in = calloc(mm_rtests_count * MAX_PER_TEST + 1, sizeof *in);
  size_t n = in ? plan(o, &out->pics, in) : 0;
  out->tests = calloc(n ? n : 1, sizeof *out->tests);
  if (!in || !out->tests) {
    snprintf(why, why_len, "runner failure: out of memory");
    e = MM_E_NOMEM;
  } else if ((e = mm_state_root_open(&root, why, why_len)) != MM_OK) {
  }
  if (e != MM_OK) {
    free(in);
    mm_catalogue_free(&cat);
    mm_run_result_free(out);
    return e;
  }
  out->n = n;
  int64_t budget = o->max_run_ms > 0 ? o->max_run_ms : MM_RUN_MAX_MS;
  pthread_rwlock_t service;
  bool locked = o->iut_connect && pthread_rwlock_init(&service, NULL) == 0;
  out->persistent = o->persistent && (out->pics.features & MM_SHIM_F_RESET);
  run_env env = {.root = &root,
                 .deadline = mono_ms() + budget,
                 .service = locked ? &service : NULL,
                 .persistent = out->persistent};
  pool p = {.o = o,
            .pics = &out->pics,
            .cat = &cat,
            .env = &env,
            .in = in,
            .res = out->tests,
            .n = n,
            .stopped = out->stopped,
            .stopped_cap = sizeof out->stopped};
  mtx_init(&p.lock, mtx_plain);
  int jobs = o->jobs < 1 ? 1 : o->jobs > 64 ? 64 : o->jobs;
  thrd_t th[64];
  int started = 0;
  for (int j = 1; j < jobs; j++)
    if (thrd_create(&th[started], worker, &p) == thrd_success) started++;
  worker(&p); /* this thread works too */
  for (int j = 0; j < started; j++) thrd_join(th[j], NULL);
  mtx_destroy(&p.lock);
  free(in);
  mm_catalogue_free(&cat);
  if (locked) pthread_rwlock_destroy(&service);
  /* Nothing of the IUT's may be left: processes, then files. */
  if (!o->iut_connect) out->escaped = mm_reaper_sweep();
  if (o->cancel && *o->cancel) {
    out->signal = (int)*o->cancel;
    if (!out->stopped[0])
      snprintf(out->stopped, sizeof out->stopped, "interrupted by signal %d", out->signal);
  }
  char cwhy[384] = "", hwhy[256] = "";
  /* the service stops before its state directories go */
  bool stopped = !o->iut_connect || r_iut_hook(o, "--iut-stop", hwhy, sizeof hwhy) == MM_OK;
  if (mm_state_root_close(&root, cwhy, sizeof cwhy) != MM_OK)
    snprintf(out->cleanup, sizeof out->cleanup, "state directories not removed: %s", cwhy);
  else if (!stopped)
    snprintf(out->cleanup, sizeof out->cleanup, "%s", hwhy);
  for (size_t i = 0; i < n; i++) {
    out->resets += out->tests[i].cost.resets;
    mm_run_cost_add(&out->cost, &out->tests[i].cost);
    out->escaped += out->tests[i].escaped;
  }
  out->wall_ms = wall_ms() - t0;
  return MM_OK;
}

void mm_run_result_free(mm_run_result *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->tests[i].message);
    free(r->tests[i].offending);
    free(r->tests[i].iut_stderr);
    free(r->tests[i].expected);
    for (size_t k = 0; k < r->tests[i].nwire; k++) free(r->tests[i].wire[k].bytes);
    free(r->tests[i].wire);
    free(r->tests[i].cleanup);
  }
  free(r->tests);
  free(r->iut_cmd);
  free(r->mlsmig_cmd);
  *r = (mm_run_result){0};
}

mm_verdict mm_run_rule_verdict(const mm_run_result *r, const char *rule, size_t *count) {
  mm_verdict v = MM_V_NA;
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    const mm_test_result *t = &r->tests[i];
    if (t->verdict == MM_V_NA || !mm_rules_match(t->rules, rule)) continue;
    n++;
    if (v == MM_V_NA || t->verdict > v) v = t->verdict;
  }
  if (count) *count = n;
  return v;
}

/* Does a test tagged `rules` check a MUST rule? (An ID the catalogue does
 * not know counts as one: nothing is let off.) */
static bool mandatory(const mm_catalogue *cat, const char *rules) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", rules ? rules : "");
  for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
    const mm_rule *rule = cat ? mm_catalogue_find(cat, id) : NULL;
    if (!rule || strcmp(rule->level, "SHOULD") != 0) return true;
  }
  return false;
}

size_t mm_run_tested(const mm_run_result *r) {
  mm_catalogue cat;
  bool loaded = mm_catalogue_load(&cat) == MM_OK;
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += r->tests[i].verdict != MM_V_NA && mandatory(loaded ? &cat : NULL, r->tests[i].rules);
  if (loaded) mm_catalogue_free(&cat);
  return n;
}

bool mm_run_passed(const mm_run_result *r) {
  if (r->stopped[0] || mm_run_tested(r) == 0) return false; /* nothing tested is no pass */
  for (size_t i = 0; i < r->n; i++)
    if (r->tests[i].verdict == MM_V_FAIL || r->tests[i].verdict == MM_V_ERROR) return false;
  return true;
}

size_t mm_runner_test_count(void) { return mm_rtests_count; }

bool mm_runner_test_at(size_t i, const char **name, const char **rules, uint8_t *role,
                       const char **summary) {
  if (i >= mm_rtests_count) return false;
  *name = mm_rtests[i].name;
  *rules = mm_rtests[i].rules;
  *role = mm_rtests[i].role;
  *summary = mm_rtests[i].summary;
  return true;
}

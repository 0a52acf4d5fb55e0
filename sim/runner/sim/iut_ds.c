/* The IUT behind the shim as a DS of the simulator (iut_ds.h). */
#include "runner/sim/iut_ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/iut.h"
#include "runner/state_dir.h"
#include "shim/shim_proto.h"

/* Instants after an IUT's activity when a timer of the profile may fall due
 * (retransmission backoff 1..16 s, the reference hold of 10 s, the hold
 * bound of 60 s). */
static const uint64_t probe_after[] = {1000, 2000, 4000, 8000, 10000, 16000, 32000, 60000};
#define N_PROBE (sizeof probe_after / sizeof probe_after[0])
#define MAX_PROBES 64
#define MAX_NONCES 16
#define MAX_COMMITS 32

struct mm_iut_ds {
  mm_iut_ds_opts o;
  mm_sim_external ext;
  mm_state_root root;
  bool root_open;
  char implementation[128];
  uint8_t roles;
  uint32_t features;
  bool suites[MM_SUITE_COUNT + 1];
  char why[1024];
  mm_iut_ds_stats st;
  mm_iut_ds_log last;
  mm_iut *idle; /* persistent mode: the process kept from the last run */
};

typedef struct iut_run {
  mm_iut_ds *d;
  char dir[MM_STATE_PATH_MAX], name[64];
  bool dir_made;
  mm_iut *p;
  bool started, broken;
  mm_sim_ds_start st;
  uint64_t clock;
  uint8_t gid[MM_GROUP_ID_MAX];
  size_t gid_len;
  uint8_t status;
  uint64_t epoch;
  bool imported;
  char peer[MM_DOMAIN_MAX + 1], client[MM_SENDER_MAX + 1];
  struct {
    uint8_t nonce[MM_NONCE_LEN];
    char client[MM_SENDER_MAX + 1];
  } nonces[MAX_NONCES];
  size_t n_nonces;
  uint8_t commits[MAX_COMMITS][MM_MAX_HASH_LEN];
  size_t n_commits;
  uint64_t probes[MAX_PROBES];
  size_t n_probes;
  mm_iut_ds_log log;
} iut_run;

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* cost accounting only, never in a result */
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *domains[] = {MM_SIM_SOURCE, MM_SIM_TARGET, MM_SIM_TARGET2, MM_SIM_THIRD};

static mm_limits lax(void) {
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  return lim;
}

/* ---- talking to the process ---- */

static void broke(iut_run *r, const char *fmt, const char *what) {
  r->broken = true;
  mm_iut_ds *d = r->d;
  if (d->why[0]) return;
  int n = snprintf(d->why, sizeof d->why, fmt, what);
  if (r->p && n > 0 && (size_t)n < sizeof d->why) {
    const char *err = mm_iut_stderr(r->p);
    if (err[0]) snprintf(d->why + n, sizeof d->why - (size_t)n, "; its stderr: %.600s", err);
  }
}

/* One request, one reply of type expect; *body holds the reply's bytes. */
static MM_MUST_USE mm_err call(iut_run *r, const mm_shim_msg *req, uint8_t expect, uint8_t **body,
                               mm_shim_msg *m, double *cost) {
  *body = NULL;
  if (r->broken || !r->p) return MM_E_IO;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_shim_encode(req, &w);
  if (e != MM_OK) {
    mm_writer_free(&w);
    return e;
  }
  double t0 = mono_ms();
  size_t len = 0;
  e = mm_iut_call(r->p, w.buf, w.len, r->d->o.timeout_ms, body, &len);
  *cost += mono_ms() - t0;
  mm_writer_free(&w);
  if (e == MM_E_NOMEM) return e;
  if (e != MM_OK) {
    char what[300];
    snprintf(what, sizeof what, "%s: %s", mm_shim_type_name(req->type), mm_iut_why(r->p));
    broke(r, "the IUT failed: %s", what);
    return MM_E_IO;
  }
  mm_derr derr = {0};
  if (mm_shim_decode(*body, len, m, &derr) != MM_OK) {
    broke(r, "%s: reply does not decode: shim protocol broken", mm_shim_type_name(req->type));
  } else if (m->type == MM_SHIM_ERROR) {
    char reason[400], what[512];
    mm_iut_text(reason, sizeof reason, 0, m->bytes.data, m->bytes.len);
    snprintf(what, sizeof what, "%s: %s", mm_shim_type_name(req->type), reason);
    broke(r, "the IUT answered with a shim error: %s", what);
  } else if (m->type != expect) {
    char what[128];
    snprintf(what, sizeof what, "%s: reply is %s, expected %s", mm_shim_type_name(req->type),
             mm_shim_type_name(m->type), mm_shim_type_name(expect));
    broke(r, "%s", what);
  } else {
    return MM_OK;
  }
  free(*body);
  *body = NULL;
  return MM_E_IO;
}

/* A request whose failure is no failure of the IUT (a reset to try). */
static MM_MUST_USE mm_err simple_quiet(iut_run *r, const mm_shim_msg *req, uint8_t expect,
                                       double *cost) {
  char saved[sizeof r->d->why];
  memcpy(saved, r->d->why, sizeof saved);
  uint8_t *body;
  mm_shim_msg m;
  mm_err e = call(r, req, expect, &body, &m, cost);
  free(body);
  if (e != MM_OK) {
    memcpy(r->d->why, saved, sizeof saved);
    r->broken = false;
  }
  return e;
}

static MM_MUST_USE mm_err simple(iut_run *r, const mm_shim_msg *req, uint8_t expect, double *cost) {
  uint8_t *body;
  mm_shim_msg m;
  mm_err e = call(r, req, expect, &body, &m, cost);
  free(body);
  return e;
}

static MM_MUST_USE mm_err configure(iut_run *r) {
  mm_writer keys, peers, deny;
  mm_writer_init(&keys);
  mm_writer_init(&peers);
  mm_writer_init(&deny);
  const mm_ds_config *cfg = r->st.cfg;
  bool ok = true;
  for (uint16_t s = 1; s <= MM_SUITE_COUNT && ok; s++)
    if (cfg->sign_keys[s] && r->d->suites[s])
      ok = mm_shim_put_signing_key(&keys, s, mm_key_private(cfg->sign_keys[s]));
  for (size_t i = 0; i < sizeof domains / sizeof domains[0] && ok; i++) {
    if (strcmp(domains[i], cfg->domain) == 0) continue;
    for (uint16_t s = 1; s <= MM_SUITE_COUNT && ok; s++) {
      const mm_key *k = mm_keydir_get(r->st.keys, mm_view_str(domains[i]), s);
      if (k && r->d->suites[s])
        ok = mm_shim_put_peer(&peers, mm_view_str(domains[i]), s, mm_key_public(k));
    }
  }
  for (size_t i = 0; ok && cfg->policy.deny && cfg->policy.deny[i]; i++)
    ok = mm_shim_put_identity(&deny, mm_view_str(cfg->policy.deny[i]));
  mm_err e = ok ? MM_OK : MM_E_NOMEM;
  if (e == MM_OK) {
    mm_shim_msg req = {
        .type = MM_SHIM_CONFIGURE,
        .role = r->st.role == MM_ROLE_SOURCE ? MM_SHIM_ROLE_SOURCE : MM_SHIM_ROLE_TARGET,
        .domain = mm_view_str(cfg->domain),
        .signing_keys = mm_writer_view(&keys),
        .peers = mm_writer_view(&peers),
        .policy =
            cfg->policy.kind == MM_POLICY_STRICT ? MM_SHIM_POLICY_STRICT : MM_SHIM_POLICY_DEFAULT,
        .deny = mm_writer_view(&deny),
        .state_dir = mm_view_str(r->dir),
        .now = r->clock};
    e = simple(r, &req, MM_SHIM_OK, &r->d->st.startup_ms);
  }
  mm_writer_free(&keys);
  mm_writer_free(&peers);
  mm_writer_free(&deny);
  return e;
}

/* Starts a process and says hello; *pics (if not NULL) holds the reply's bytes. */
static MM_MUST_USE mm_err spawn(iut_run *r, uint8_t **pics, mm_shim_msg *m) {
  char why[256];
  double t0 = mono_ms();
  mm_err e = mm_iut_start(r->d->o.cmd, MM_SHIM_MAX_FRAME, &r->p, why, sizeof why);
  r->d->st.startup_ms += mono_ms() - t0;
  if (e != MM_OK) {
    r->p = NULL;
    broke(r, "the IUT does not start: %s", why);
    return e == MM_E_NOMEM ? e : MM_E_IO;
  }
  r->d->st.processes++;
  mm_shim_msg hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION};
  if (!pics) return simple(r, &hello, MM_SHIM_PICS, &r->d->st.startup_ms);
  return call(r, &hello, MM_SHIM_PICS, pics, m, &r->d->st.startup_ms);
}

static void kill_process(iut_run *r) {
  if (!r->p) return;
  double t0 = mono_ms();
  mm_iut_free(r->p); /* SIGKILL to it and every descendant, reaped */
  r->p = NULL;
  r->d->st.kill_ms += mono_ms() - t0;
}

/* query_group of the run's group: its status and epoch. */
static MM_MUST_USE mm_err query(iut_run *r, mm_view gid, uint8_t *status, uint64_t *epoch) {
  mm_shim_msg req = {.type = MM_SHIM_QUERY_GROUP, .bytes = gid}, m;
  uint8_t *body;
  mm_err e = call(r, &req, MM_SHIM_GROUP, &body, &m, &r->d->st.request_ms);
  r->d->st.requests++;
  if (e == MM_OK) {
    *status = m.status;
    *epoch = m.epoch;
  }
  free(body);
  return e;
}

/* ---- what the IUT did ---- */

static void emit(iut_run *r, mm_event_kind kind, mm_view gid, uint64_t epoch, mm_view detail,
                 mm_view peer) {
  mm_event ev = {kind, r->st.cfg->domain, gid, epoch, detail, peer};
  mm_observe(r->st.obs, &ev);
}

static void add_probes(iut_run *r, uint64_t t) {
  if (r->st.role != MM_ROLE_SOURCE) return; /* the profile gives a target no timer */
  for (size_t k = 0; k < N_PROBE; k++) {
    uint64_t at = t + probe_after[k];
    bool have = false;
    for (size_t i = 0; i < r->n_probes && !have; i++) have = r->probes[i] == at;
    if (!have && r->n_probes < MAX_PROBES) r->probes[r->n_probes++] = at;
  }
}

static void drop_probes(iut_run *r, uint64_t upto) {
  size_t k = 0;
  for (size_t i = 0; i < r->n_probes; i++)
    if (r->probes[i] > upto) r->probes[k++] = r->probes[i];
  r->n_probes = k;
}

static void log_out(iut_run *r, const char *to, size_t to_len, const mm_envelope *e, bool ok) {
  mm_iut_ds_log *l = &r->log;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    mm_iut_ds_out *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv) return; /* a shorter log only weakens the determinism check */
    l->v = nv;
    l->cap = cap;
  }
  mm_iut_ds_out *o = &l->v[l->n++];
  memset(o, 0, sizeof *o);
  o->at = r->clock;
  snprintf(o->to, sizeof o->to, "%.*s", (int)(to_len < 63 ? to_len : 63), to);
  o->msg_type = ok ? e->msg_type : 0;
  if (ok && e->msg_type == MM_MSG_MIGRATION_ERROR) {
    mm_limits lim = lax();
    mm_migration_error me;
    if (mm_decode(MM_T_MIGRATION_ERROR, e->body.data, e->body.len, &lim, &me, NULL) == MM_OK)
      o->code = me.code;
  }
}

/* What one reply's outputs say, for the verdict and the events. */
typedef struct out_summary {
  uint16_t error; /* the first MigrationError's code, 0 if none */
  bool response, complete;
} out_summary;

static void note_commit(iut_run *r, const mm_envelope *e) {
  mm_limits lim = lax();
  mm_mls_message m;
  if (mm_decode(MM_T_MLS_MESSAGE, e->body.data, e->body.len, &lim, &m, NULL) != MM_OK ||
      m.content_type != MM_CONTENT_COMMIT)
    return;
  uint8_t h[MM_MAX_HASH_LEN] = {0};
  size_t hl;
  if (mm_hash(r->st.suite, e->body.data, e->body.len, h, &hl) != MM_OK) return;
  for (size_t i = 0; i < r->n_commits; i++)
    if (memcmp(r->commits[i], h, sizeof h) == 0) return; /* fanned out to the next member */
  if (r->n_commits < MAX_COMMITS) memcpy(r->commits[r->n_commits++], h, sizeof h);
  emit(r, MM_EV_COMMIT_ACCEPTED, m.group_id, m.epoch, e->body, mm_view_of(NULL, 0));
}

/* Pushes every Outgoing of an output reply to out and sums them up. */
static MM_MUST_USE mm_err take_outputs(iut_run *r, const mm_shim_msg *m, mm_outbox *out,
                                       out_summary *sum) {
  mm_shim_iter it;
  mm_shim_item item;
  mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, m->outputs);
  while (mm_shim_next(&it, &item)) {
    mm_limits lim = lax();
    mm_envelope e;
    bool ok =
        mm_decode(MM_T_ENVELOPE, item.envelope.data, item.envelope.len, &lim, &e, NULL) == MM_OK;
    log_out(r, (const char *)item.name.data, item.name.len, &e, ok);
    if (ok && e.msg_type == MM_MSG_MIGRATION_ERROR && !sum->error) {
      mm_migration_error me;
      if (mm_decode(MM_T_MIGRATION_ERROR, e.body.data, e.body.len, &lim, &me, NULL) == MM_OK)
        sum->error = me.code ? me.code : MM_E_INTERNAL;
    }
    if (ok && e.msg_type == MM_MSG_MIGRATION_RESPONSE) sum->response = true;
    if (ok && e.msg_type == MM_MSG_TARGET_MIGRATION_COMPLETE) sum->complete = true;
    if (ok && (e.msg_type == MM_MSG_MLS_MESSAGE || e.msg_type == MM_MSG_MIGRATION_COMMIT))
      note_commit(r, &e);
    char to[MM_SENDER_MAX + 1];
    size_t tl = item.name.len < MM_SENDER_MAX ? item.name.len : MM_SENDER_MAX;
    memcpy(to, item.name.data, tl);
    to[tl] = '\0';
    uint8_t *copy = malloc(item.envelope.len ? item.envelope.len : 1);
    if (!copy) return MM_E_NOMEM;
    if (item.envelope.len) memcpy(copy, item.envelope.data, item.envelope.len);
    mm_err err = mm_outbox_push(out, to, copy, item.envelope.len);
    if (err != MM_OK) return err;
  }
  if (it.err.reason) {
    broke(r, "%s", "an output reply's list does not decode: shim protocol broken");
    return MM_E_IO;
  }
  return MM_OK;
}

/* The group's status after a request, and the events its change means. */
static MM_MUST_USE mm_err refresh(iut_run *r) {
  if (!r->gid_len) return MM_OK;
  mm_view gid = mm_view_of(r->gid, r->gid_len);
  uint8_t st;
  uint64_t ep;
  mm_err e = query(r, gid, &st, &ep);
  if (e != MM_OK) return e;
  if (r->st.role == MM_ROLE_SOURCE && r->status == MM_SHIM_GS_MIGRATING) {
    if (st == MM_SHIM_GS_ACTIVE)
      emit(r, MM_EV_MIGRATION_ABORTED, gid, ep, mm_view_of(NULL, 0), mm_view_of(NULL, 0));
    else if (st == MM_SHIM_GS_MIGRATED)
      emit(r, MM_EV_GROUP_RELEASED, gid, ep, mm_view_of(NULL, 0), mm_view_of(NULL, 0));
  }
  r->status = st;
  r->epoch = ep;
  return MM_OK;
}

static void set_gid(iut_run *r, mm_view gid) {
  if (r->gid_len || gid.len == 0 || gid.len > MM_GROUP_ID_MAX) return;
  memcpy(r->gid, gid.data, gid.len);
  r->gid_len = gid.len;
}

static MM_MUST_USE mm_err advance(iut_run *r, uint64_t now, mm_outbox *out) {
  if (now < r->clock) now = r->clock;
  r->clock = now;
  mm_shim_msg req = {.type = MM_SHIM_ADVANCE_CLOCK, .now = now}, m;
  uint8_t *body;
  mm_err e = call(r, &req, MM_SHIM_OUTPUT, &body, &m, &r->d->st.request_ms);
  r->d->st.requests++;
  out_summary sum = {0};
  size_t before = out->n;
  if (e == MM_OK) e = take_outputs(r, &m, out, &sum);
  free(body);
  if (e == MM_OK && out->n > before) add_probes(r, now);
  return e;
}

/* ---- the actor ---- */

static MM_MUST_USE mm_err a_tick(void *self, uint64_t now, mm_outbox *out) {
  iut_run *r = self;
  drop_probes(r, now);
  size_t before = out->n;
  mm_err e = advance(r, now, out);
  /* A timer that sent nothing changed nothing the checks see (an abort
   * answers the client, a retransmission is an output). */
  if (e == MM_OK && out->n > before) e = refresh(r);
  return e;
}

static uint64_t a_next_timer(const void *self) {
  const iut_run *r = self;
  uint64_t t = MM_NO_TIMER;
  for (size_t i = 0; i < r->n_probes; i++)
    if (r->probes[i] < t) t = r->probes[i];
  return t;
}

/* What the delivered envelope tells before the IUT sees it. */
static void learn_in(iut_run *r, const mm_envelope *e) {
  mm_limits lim = lax();
  if (e->msg_type == MM_MSG_MIGRATION_REQUEST) {
    mm_migration_request rq;
    if (mm_decode(MM_T_MIGRATION_REQUEST, e->body.data, e->body.len, &lim, &rq, NULL) == MM_OK)
      set_gid(r, rq.group_id);
  }
}

static void note_nonce(iut_run *r, const mm_envelope *in, mm_outbox *out, size_t from) {
  for (size_t i = from; i < out->n && r->n_nonces < MAX_NONCES; i++) {
    mm_limits lim = lax();
    mm_envelope e;
    mm_migration_response rs;
    if (mm_decode(MM_T_ENVELOPE, out->v[i].env, out->v[i].len, &lim, &e, NULL) != MM_OK ||
        e.msg_type != MM_MSG_MIGRATION_RESPONSE ||
        mm_decode(MM_T_MIGRATION_RESPONSE, e.body.data, e.body.len, &lim, &rs, NULL) != MM_OK ||
        rs.nonce.len != MM_NONCE_LEN)
      continue;
    memcpy(r->nonces[r->n_nonces].nonce, rs.nonce.data, MM_NONCE_LEN);
    snprintf(r->nonces[r->n_nonces++].client, sizeof r->nonces[0].client, "%.*s",
             (int)in->sender.len, (const char *)in->sender.data);
  }
}

/* A MigrationContent answered with a TargetMigrationComplete (or that made
 * the group active): an import, reported once. */
static void note_import(iut_run *r, const mm_envelope *in) {
  mm_limits lim = lax();
  mm_migration_content mc;
  if (r->imported ||
      mm_decode(MM_T_MIGRATION_CONTENT, in->body.data, in->body.len, &lim, &mc, NULL) != MM_OK)
    return;
  const mm_migration_response *rs = &mc.migration_response;
  r->imported = true;
  snprintf(r->peer, sizeof r->peer, "%.*s", (int)rs->migration_request.source_domain_name.len,
           (const char *)rs->migration_request.source_domain_name.data);
  r->client[0] = '\0';
  for (size_t i = 0; i < r->n_nonces; i++)
    if (rs->nonce.len == MM_NONCE_LEN && memcmp(r->nonces[i].nonce, rs->nonce.data, 32) == 0)
      snprintf(r->client, sizeof r->client, "%s", r->nonces[i].client);
  set_gid(r, rs->migration_request.group_id);
  emit(r, MM_EV_GROUP_IMPORTED, rs->migration_request.group_id, r->epoch, mc.group_state,
       rs->migration_request.source_domain_name);
}

static MM_MUST_USE mm_err a_handle(void *self, const uint8_t *env, size_t len, uint64_t now,
                                   mm_outbox *out) {
  iut_run *r = self;
  if (r->broken || !r->p) return MM_E_IO;
  /* The simulator hands an envelope over before the timers due at the
   * same instant, overdue ones too (after a clock jump). The shim has one
   * clock for both: it goes to now, or to just before the first instant a
   * timer of the IUT may be due, and the next tick fires what is due. */
  mm_err e = MM_OK;
  uint64_t to = now, first = a_next_timer(r);
  if (first <= now) to = first > r->clock ? first - 1 : r->clock;
  if (to > r->clock) e = advance(r, to, out);
  if (e != MM_OK) return e;
  mm_limits lim = lax();
  mm_envelope in;
  bool decoded = mm_decode(MM_T_ENVELOPE, env, len, &lim, &in, NULL) == MM_OK;
  if (decoded) learn_in(r, &in);
  mm_shim_msg req = {.type = MM_SHIM_DELIVER, .bytes = mm_view_of(env, len)}, m;
  uint8_t *body;
  e = call(r, &req, MM_SHIM_OUTPUT, &body, &m, &r->d->st.request_ms);
  r->d->st.requests++;
  out_summary sum = {0};
  size_t before = out->n;
  uint8_t was = r->status;
  if (e == MM_OK) e = take_outputs(r, &m, out, &sum);
  free(body);
  if (e == MM_OK) e = refresh(r);
  if (e != MM_OK) return e;
  add_probes(r, r->clock);
  if (!decoded) return sum.error ? (mm_err)sum.error : MM_E_MALFORMED;
  bool target = r->st.role == MM_ROLE_TARGET;
  if (target && in.msg_type == MM_MSG_MIGRATION_REQUEST && sum.response)
    note_nonce(r, &in, out, before);
  if (target && in.msg_type == MM_MSG_MIGRATION_CONTENT &&
      (sum.complete || (was != MM_SHIM_GS_ACTIVE && r->status == MM_SHIM_GS_ACTIVE && !sum.error)))
    note_import(r, &in);
  if (sum.error) return (mm_err)sum.error;
  bool accepted = true;
  if (target && in.msg_type == MM_MSG_MIGRATION_REQUEST) accepted = sum.response;
  if (target && in.msg_type == MM_MSG_MIGRATION_CONTENT) accepted = sum.complete;
  if (!target && in.msg_type == MM_MSG_MIGRATION_INIT)
    accepted = r->status == MM_SHIM_GS_MIGRATING || r->status == MM_SHIM_GS_MIGRATED;
  if (!target && in.msg_type == MM_MSG_TARGET_MIGRATION_COMPLETE)
    accepted = r->status == MM_SHIM_GS_MIGRATED;
  return accepted ? MM_OK : MM_E_REFUSED;
}

/* A crash: SIGKILL; the state directory stays for the restart. */
static void a_free(void *self) { kill_process(self); }

static const mm_actor_ops iut_ops = {a_handle, NULL, a_tick, a_next_timer, a_free};

/* ---- the external DS ---- */

static MM_MUST_USE mm_err x_open(void *ctx, void **run) {
  mm_iut_ds *d = ctx;
  iut_run *r = calloc(1, sizeof *r);
  if (!r) return MM_E_NOMEM;
  r->d = d;
  double t0 = mono_ms();
  mm_err e = mm_state_dir_make(&d->root, r->dir, sizeof r->dir, r->name, sizeof r->name);
  d->st.startup_ms += mono_ms() - t0;
  if (e != MM_OK) {
    free(r);
    return e;
  }
  r->dir_made = true;
  d->st.runs++;
  *run = r;
  return MM_OK;
}

static void x_close(void *run) {
  iut_run *r = run;
  mm_iut_ds *d = r->d;
  char what[128];
  if (d->o.persistent && r->p && !r->broken && !d->idle &&
      !mm_iut_pending(r->p, what, sizeof what)) {
    d->idle = r->p; /* kept for the next run's reset */
    r->p = NULL;
  }
  kill_process(r);
  if (r->dir_made) {
    char why[256];
    double t0 = mono_ms();
    mm_err_discard(mm_state_dir_remove(&d->root, r->name, why, sizeof why));
    d->st.kill_ms += mono_ms() - t0;
  }
  mm_iut_ds_log_free(&d->last);
  d->last = r->log;
  free(r);
}

static MM_MUST_USE mm_err x_start(void *run, const mm_sim_ds_start *st, mm_actor *out) {
  iut_run *r = run;
  if (r->broken) return MM_E_IO;
  r->st = *st;
  if (st->now > r->clock) r->clock = st->now;
  bool restart = r->started;
  if (restart && !(r->d->features & MM_SHIM_F_RESTART)) {
    broke(r, "%s", "a crash needs the PICS feature restart (DUR-1)");
    return MM_E_IO;
  }
  mm_err e = MM_OK;
  if (!restart && r->d->idle) { /* persistent mode: reset the kept process */
    r->p = r->d->idle;
    r->d->idle = NULL;
    mm_shim_msg req = {.type = MM_SHIM_RESET};
    char what[128];
    if (mm_iut_pending(r->p, what, sizeof what) ||
        simple_quiet(r, &req, MM_SHIM_OK, &r->d->st.startup_ms) != MM_OK) {
      kill_process(r); /* replaced by a fresh process, without a verdict */
    }
  }
  if (!r->p) e = spawn(r, NULL, NULL);
  if (e == MM_OK) e = configure(r);
  if (e == MM_OK && restart) e = refresh(r);
  if (e != MM_OK) {
    kill_process(r);
    return e;
  }
  r->started = true;
  if (restart) add_probes(r, r->clock);
  *out = (mm_actor){&iut_ops, r};
  return MM_OK;
}

static MM_MUST_USE mm_err x_install(void *run, const mm_group_state *g, const mm_member *members,
                                    size_t n) {
  iut_run *r = run;
  if (r->st.role == MM_ROLE_TARGET && !(r->d->features & MM_SHIM_F_INSTALL_AT_TARGET)) {
    broke(r, "%s", "a group created at the target needs the PICS feature install_at_target");
    return MM_E_IO;
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_group_state_encode(g, members, n, &w);
  if (e == MM_OK) {
    mm_shim_msg req = {.type = MM_SHIM_INSTALL_GROUP, .bytes = mm_writer_view(&w)};
    e = simple(r, &req, MM_SHIM_OK, &r->d->st.request_ms);
    r->d->st.requests++;
  }
  mm_writer_free(&w);
  set_gid(r, g->group_id);
  if (e == MM_OK) e = refresh(r);
  return e;
}

static bool x_group(void *run, mm_view gid, mm_group_info *out) {
  iut_run *r = run;
  memset(out, 0, sizeof *out);
  uint8_t st;
  uint64_t ep;
  if (!r->p || r->broken || query(r, gid, &st, &ep) != MM_OK || st == MM_SHIM_GS_NONE ||
      st > MM_SHIM_GS_MIGRATED)
    return false;
  out->status = (mm_group_status)st;
  out->suite = r->st.suite;
  out->epoch = ep;
  if (r->st.role == MM_ROLE_TARGET && r->imported) {
    out->peer = mm_view_str(r->peer);
    out->client = mm_view_str(r->client);
  }
  return true;
}

/* ---- setup ---- */

mm_err mm_iut_ds_new(const mm_iut_ds_opts *o, mm_iut_ds **out, char *why, size_t why_len) {
  *out = NULL;
  if (!o->cmd || (o->role != MM_ROLE_SOURCE && o->role != MM_ROLE_TARGET)) {
    snprintf(why, why_len, "--iut wants a command and --role source or target");
    return MM_E_USAGE;
  }
  mm_iut_ds *d = calloc(1, sizeof *d);
  if (!d) return MM_E_NOMEM;
  d->o = *o;
  if (d->o.timeout_ms <= 0) d->o.timeout_ms = 10000;
  d->ext = (mm_sim_external){o->role, x_open, x_close, x_start, x_install, x_group, d};
  mm_err e = mm_state_root_open(&d->root, why, why_len);
  if (e != MM_OK) {
    free(d);
    return e;
  }
  d->root_open = true;
  /* One process to read the PICS. */
  iut_run probe = {.d = d};
  mm_shim_msg m;
  uint8_t *body = NULL;
  e = spawn(&probe, &body, &m);
  if (e == MM_OK) {
    snprintf(d->implementation, sizeof d->implementation, "%.*s", (int)m.implementation.len,
             (const char *)m.implementation.data);
    d->roles = m.roles;
    d->features = m.features;
    mm_shim_iter it;
    mm_shim_item item;
    mm_shim_iter_init(&it, MM_SHIM_L_SUITES, m.suites);
    while (mm_shim_next(&it, &item))
      if (item.suite >= 1 && item.suite <= MM_SUITE_COUNT) d->suites[item.suite] = true;
  }
  free(body);
  kill_process(&probe);
  if (e != MM_OK) {
    snprintf(why, why_len, "%s", d->why[0] ? d->why : mm_err_message(e));
    mm_iut_ds_free(d);
    return e == MM_E_NOMEM ? e : MM_E_IO;
  }
  unsigned bit = o->role == MM_ROLE_SOURCE ? MM_SHIM_ROLE_SOURCE : MM_SHIM_ROLE_TARGET;
  if (!(d->roles & bit)) {
    snprintf(why, why_len, "the IUT's PICS does not declare the role %s",
             o->role == MM_ROLE_SOURCE ? "source" : "target");
    mm_iut_ds_free(d);
    return MM_E_USAGE;
  }
  if (!(d->features & MM_SHIM_F_RESET)) d->o.persistent = false; /* the fallback */
  d->st = (mm_iut_ds_stats){0};
  *out = d;
  return MM_OK;
}

void mm_iut_ds_free(mm_iut_ds *d) {
  if (!d) return;
  if (d->root_open) {
    char why[256];
    mm_err_discard(mm_state_root_close(&d->root, why, sizeof why));
  }
  if (d->idle) mm_iut_free(d->idle);
  mm_iut_ds_log_free(&d->last);
  free(d);
}

bool mm_iut_ds_persistent(const mm_iut_ds *d) { return d->o.persistent; }
const mm_sim_external *mm_iut_ds_external(const mm_iut_ds *d) { return &d->ext; }
const char *mm_iut_ds_implementation(const mm_iut_ds *d) { return d->implementation; }
uint32_t mm_iut_ds_features(const mm_iut_ds *d) { return d->features; }
bool mm_iut_ds_has_suite(const mm_iut_ds *d, uint16_t suite) {
  return suite >= 1 && suite <= MM_SUITE_COUNT && d->suites[suite];
}
const char *mm_iut_ds_why(const mm_iut_ds *d) { return d->why; }
mm_iut_ds_stats mm_iut_ds_get_stats(const mm_iut_ds *d) { return d->st; }

void mm_iut_ds_last_log(mm_iut_ds *d, mm_iut_ds_log *log) {
  *log = d->last;
  d->last = (mm_iut_ds_log){0};
}

void mm_iut_ds_log_free(mm_iut_ds_log *log) {
  free(log->v);
  *log = (mm_iut_ds_log){0};
}

static void describe(const mm_iut_ds_out *o, char *buf, size_t len) {
  if (!o) {
    snprintf(buf, len, "nothing");
    return;
  }
  const char *t = mm_msg_type_name(o->msg_type);
  snprintf(buf, len, "%s to %s at t=%llu ms", t ? t : "an undecodable envelope", o->to,
           (unsigned long long)o->at);
  if (o->code) {
    size_t n = strlen(buf);
    snprintf(buf + n, len - n, " (%s)", mm_err_name((mm_err)o->code));
  }
}

bool mm_iut_ds_log_diff(const mm_iut_ds_log *a, const mm_iut_ds_log *b, char *diff, size_t len) {
  size_t n = a->n > b->n ? a->n : b->n;
  for (size_t i = 0; i < n; i++) {
    const mm_iut_ds_out *x = i < a->n ? &a->v[i] : NULL, *y = i < b->n ? &b->v[i] : NULL;
    if (x && y && x->at == y->at && x->msg_type == y->msg_type && x->code == y->code &&
        strcmp(x->to, y->to) == 0)
      continue;
    char dx[160], dy[160];
    describe(x, dx, sizeof dx);
    describe(y, dy, sizeof dy);
    snprintf(diff, len, "output #%zu: first run sent %s, the replay %s", i + 1, dx, dy);
    return true;
  }
  return false;
}

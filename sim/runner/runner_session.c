/* One test's session with the IUT: start, configure, the shim requests, a
 * SIGKILL and restart. Any failure of the IUT to answer well is an error
 * verdict and stops the test (c->stop). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/runner_internal.h"

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The same clock, finer: for c->cost. */
static double mono_ms_f(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void mm_run_cost_add(mm_run_cost *sum, const mm_run_cost *c) {
  sum->lifecycles += c->lifecycles;
  sum->session_calls += c->session_calls;
  sum->session_ms += c->session_ms;
  sum->round_trips += c->round_trips;
  sum->round_trip_ms += c->round_trip_ms;
}

/* One request and its reply, counted in c->cost: as part of starting or
 * stopping the IUT, or as one of the test's round trips. */
static MM_MUST_USE mm_err timed_call(rctx *c, const uint8_t *frame, size_t len, int timeout_ms,
                                     uint8_t **body, size_t *body_len) {
  double t0 = mono_ms_f();
  mm_err e = mm_iut_call(c->iut, frame, len, timeout_ms, body, body_len);
  if (c->in_session) {
    c->cost.session_calls++; /* timed with the session */
  } else {
    c->cost.round_trips++;
    c->cost.round_trip_ms += mono_ms_f() - t0;
  }
  return e;
}

/* Sends one request, returns its decoded reply in *m (views into *body). */
static bool call(rctx *c, const mm_shim_msg *req, uint8_t expect, uint8_t **body, mm_shim_msg *m) {
  *body = NULL;
  if (c->stop) return false;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_shim_encode(req, &w);
  if (e != MM_OK) {
    mm_writer_free(&w);
    r_error(c, "runner cannot encode %s: %s", mm_shim_type_name(req->type), mm_err_name(e));
    return false;
  }
  int64_t left = c->deadline - mono_ms();
  size_t len = 0;
  e = left > 0 ? timed_call(c, w.buf, w.len, (int)left, body, &len) : MM_E_IO;
  mm_writer_free(&w);
  if (e != MM_OK) {
    r_error(c, "%s: %s", mm_shim_type_name(req->type),
            left > 0 ? mm_iut_why(c->iut) : "test time budget spent");
    return false;
  }
  mm_derr derr = {0};
  if (mm_shim_decode(*body, len, m, &derr) != MM_OK) {
    r_error(c, "%s: reply does not decode (%s at offset %zu): shim protocol broken",
            mm_shim_type_name(req->type), derr.reason ? derr.reason : "?", derr.offset);
    return false;
  }
  if (m->type == MM_SHIM_ERROR) {
    char reason[512]; /* the IUT's words, made fit for the reports */
    mm_iut_text(reason, sizeof reason, 0, m->bytes.data, m->bytes.len);
    r_error(c, "%s: shim error: %s", mm_shim_type_name(req->type), reason);
    return false;
  }
  if (m->type != expect) {
    r_error(c, "%s: reply is %s, expected %s", mm_shim_type_name(req->type),
            mm_shim_type_name(m->type), mm_shim_type_name(expect));
    return false;
  }
  return true;
}

static bool simple(rctx *c, const mm_shim_msg *req, uint8_t expect, mm_shim_msg *m) {
  uint8_t *body;
  bool ok = call(c, req, expect, &body, m);
  free(body);
  return ok;
}

bool r_configure(rctx *c) {
  mm_writer keys, peers, deny;
  mm_writer_init(&keys);
  mm_writer_init(&peers);
  mm_writer_init(&deny);
  bool target = c->test->role == MM_SHIM_ROLE_TARGET;
  const mm_key *own = target ? c->tgt : c->src, *peer = target ? c->src : c->tgt;
  mm_shim_put_signing_key(&keys, c->suite, mm_key_private(own));
  mm_shim_put_peer(&peers, mm_view_str(target ? R_SRC : R_TGT), c->suite, mm_key_public(peer));
  mm_shim_put_peer(&peers, mm_view_str(R_THIRD), c->suite, mm_key_public(c->third));
  for (int i = 0; c->deny[i]; i++) mm_shim_put_identity(&deny, mm_view_str(c->deny[i]));
  mm_shim_msg req = {.type = MM_SHIM_CONFIGURE,
                     .role = c->test->role,
                     .domain = mm_view_str(target ? R_TGT : R_SRC),
                     .signing_keys = mm_writer_view(&keys),
                     .peers = mm_writer_view(&peers),
                     .policy = c->policy,
                     .deny = mm_writer_view(&deny),
                     .state_dir = mm_view_str(c->dir),
                     .now = c->now};
  mm_shim_msg m;
  bool ok = simple(c, &req, MM_SHIM_OK, &m);
  mm_writer_free(&keys);
  mm_writer_free(&peers);
  mm_writer_free(&deny);
  return ok;
}

/* Starts the IUT and says hello; with configure too when `configure`. */
static bool spawn_part(rctx *c, bool configure) {
  char why[256];
  double t0 = mono_ms_f();
  if (mm_iut_start(c->opts->iut_cmd, MM_SHIM_MAX_FRAME, &c->iut, why, sizeof why) != MM_OK) {
    c->iut = NULL;
    r_error(c, "IUT does not start: %s", why);
    return false;
  }
  c->cost.lifecycles++;
  c->in_session = true;
  mm_shim_msg hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION}, m;
  bool ok = simple(c, &hello, MM_SHIM_PICS, &m) && (!configure || r_configure(c));
  c->in_session = false;
  c->cost.session_ms += mono_ms_f() - t0;
  return ok;
}

static bool spawn(rctx *c) { return spawn_part(c, true); }

bool r_start(rctx *c) {
  c->deadline = mono_ms() + c->opts->timeout_ms;
  return spawn(c);
}

bool r_start_hello(rctx *c) {
  c->deadline = mono_ms() + c->opts->timeout_ms;
  return spawn_part(c, false);
}

bool r_restart(rctx *c) {
  if (c->stop) return false;
  double t0 = mono_ms_f();
  mm_iut_kill(c->iut); /* SIGKILL: no chance to flush anything */
  r_wire(c, MM_WIRE_RESTART, NULL, 0, (mm_view){0});
  const char *err = mm_iut_stderr(c->iut);
  if (err[0] && !c->iut_stderr) c->iut_stderr = strdup(err);
  mm_iut_free(c->iut);
  c->iut = NULL;
  c->cost.session_ms += mono_ms_f() - t0;
  return spawn(c);
}

void r_wire(rctx *c, mm_wire_kind kind, const char *to, uint64_t ms, mm_view bytes) {
  if (!c->wire) c->wire = calloc(MM_WIRE_MAX, sizeof *c->wire);
  if (!c->wire || c->nwire == MM_WIRE_MAX) {
    c->wire_dropped++;
    return;
  }
  mm_wire_event *e = &c->wire[c->nwire];
  *e = (mm_wire_event){.kind = kind, .ms = ms};
  if (to) mm_iut_text(e->to, sizeof e->to, 0, to, strlen(to)); /* cut, never mid-character */
  if (bytes.len) {
    e->bytes = malloc(bytes.len);
    if (!e->bytes) {
      c->wire_dropped++;
      return;
    }
    memcpy(e->bytes, bytes.data, bytes.len);
    e->len = bytes.len;
  }
  c->nwire++;
}

/* Copies the reply's envelopes into c->got. */
static bool collect(rctx *c, const mm_shim_msg *m) {
  mm_outbox_clear(&c->got);
  mm_shim_iter it;
  mm_shim_item item;
  mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, m->outputs);
  while (mm_shim_next(&it, &item)) {
    char to[MM_SENDER_MAX + 1];
    if (item.name.len > MM_SENDER_MAX) {
      r_error(c, "output destination longer than %d bytes", MM_SENDER_MAX);
      return false;
    }
    /* As text the reports can carry: a destination that is not valid
     * UTF-8 matches no party, and the test judges that. */
    mm_iut_text(to, sizeof to, 0, item.name.data, item.name.len);
    uint8_t *env = malloc(item.envelope.len ? item.envelope.len : 1);
    if (!env) return false;
    memcpy(env, item.envelope.data, item.envelope.len);
    if (mm_outbox_push(&c->got, to, env, item.envelope.len) != MM_OK) return false;
    r_wire(c, MM_WIRE_OUTPUT, to, 0, item.envelope);
  }
  return true;
}

static bool output_call(rctx *c, const mm_shim_msg *req) {
  uint8_t *body;
  mm_shim_msg m;
  bool ok = call(c, req, MM_SHIM_OUTPUT, &body, &m) && collect(c, &m);
  free(body);
  return ok;
}

/* The sender of an envelope, read as far as the bytes allow ("" if not):
 * whom a refusal of it should go back to. */
static void note_sender(rctx *c, mm_view env) {
  mm_derr err;
  mm_reader r;
  uint8_t type;
  uint16_t suite;
  mm_view sender;
  c->last_sender[0] = '\0';
  mm_reader_init(&r, env.data, env.len, &err);
  if (mm_read_u8(&r, &type) && mm_read_u16(&r, &suite) && mm_read_vec(&r, &sender) &&
      sender.len < sizeof c->last_sender) {
    if (sender.len) memcpy(c->last_sender, sender.data, sender.len);
    c->last_sender[sender.len] = '\0';
  }
}

bool r_deliver(rctx *c, mm_view env) {
  mm_shim_msg req = {.type = MM_SHIM_DELIVER, .bytes = env};
  note_sender(c, env);
  if (!c->stop) r_wire(c, MM_WIRE_DELIVER, NULL, 0, env);
  return output_call(c, &req);
}

bool r_advance(rctx *c, uint64_t ms) {
  c->now += ms;
  mm_shim_msg req = {.type = MM_SHIM_ADVANCE_CLOCK, .now = c->now};
  if (!c->stop) r_wire(c, MM_WIRE_CLOCK, NULL, ms, (mm_view){0});
  return output_call(c, &req);
}

bool r_install(rctx *c, mm_view group_state) {
  mm_shim_msg req = {.type = MM_SHIM_INSTALL_GROUP, .bytes = group_state}, m;
  if (!c->stop) r_wire(c, MM_WIRE_INSTALL, NULL, 0, group_state);
  return simple(c, &req, MM_SHIM_OK, &m);
}

bool r_query(rctx *c, const char *gid, uint8_t *status, uint64_t *epoch) {
  mm_shim_msg req = {.type = MM_SHIM_QUERY_GROUP, .bytes = mm_view_str(gid)}, m;
  if (!simple(c, &req, MM_SHIM_GROUP, &m)) return false;
  *status = m.status;
  *epoch = m.epoch;
  return true;
}

void r_finish(rctx *c) {
  if (!c->iut) return;
  double t0 = mono_ms_f();
  if (!c->stop) {
    mm_shim_msg req = {.type = MM_SHIM_SHUTDOWN};
    uint8_t *body = NULL;
    mm_writer w;
    mm_writer_init(&w);
    size_t len;
    /* A short, separate budget: the verdict is in already. */
    int grace = c->opts->timeout_ms < 500 ? c->opts->timeout_ms : 500;
    c->in_session = true;
    /* The verdict is in; mm_iut_stop ends the process whatever it answers. */
    if (mm_shim_encode(&req, &w) == MM_OK)
      mm_err_discard(timed_call(c, w.buf, w.len, grace, &body, &len));
    c->in_session = false;
    mm_writer_free(&w);
    free(body);
    mm_iut_stop(c->iut, grace);
  }
  const char *err = mm_iut_stderr(c->iut);
  if (err[0] && !c->iut_stderr) c->iut_stderr = strdup(err);
  mm_iut_free(c->iut);
  c->iut = NULL;
  c->cost.session_ms += mono_ms_f() - t0;
}

/* One test's session with the IUT: start, configure, the shim requests, a
 * SIGKILL and restart. Any failure of the IUT to answer well is an error
 * verdict and stops the test (c->stop). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlsmig/crypto.h"
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
  sum->resets += c->resets;
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
    r_local(c, "cannot encode %s: %s", mm_shim_type_name(req->type), mm_err_name(e));
    return false;
  }
  int64_t left = c->deadline - mono_ms();
  size_t len = 0;
  e = left > 0 ? timed_call(c, w.buf, w.len, (int)left, body, &len) : MM_E_IO;
  mm_writer_free(&w);
  if (e == MM_E_NOMEM) {
    r_local(c, "%s: %s", mm_shim_type_name(req->type), mm_iut_why(c->iut));
    return false;
  }
  if (e != MM_OK) {
    bool run_budget = c->run_deadline && c->deadline >= c->run_deadline;
    if (left <= 0 || mm_iut_timed_out(c->iut)) c->timed_out = true;
    r_error(c, "%s: %s", mm_shim_type_name(req->type),
            left > 0     ? mm_iut_why(c->iut)
            : run_budget ? "the run's time budget is spent"
                         : "test time budget spent");
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
    /* Another reply type: the answer to another request, or none. */
    bool reply = m->type == MM_SHIM_OK || m->type == MM_SHIM_OUTPUT || m->type == MM_SHIM_GROUP ||
                 m->type == MM_SHIM_PICS;
    r_error(c, "%s: reply is %s, expected %s%s", mm_shim_type_name(req->type),
            mm_shim_type_name(m->type), mm_shim_type_name(expect),
            reply ? ": not the reply to this request (a surplus reply to an earlier one?)" : "");
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
  mm_writer keys, peers, deny, rpeers;
  mm_writer_init(&keys);
  mm_writer_init(&peers);
  mm_writer_init(&deny);
  mm_writer_init(&rpeers);
  bool target = c->test->role == MM_SHIM_ROLE_TARGET;
  const mm_key *own = target ? c->tgt : c->src, *peer = target ? c->src : c->tgt;
  /* A list the runner failed to build would configure another DS: no keys
   * (every request refused), nobody denied. */
  bool built = mm_shim_put_signing_key(&keys, c->suite, mm_key_private(own)) &&
               mm_shim_put_peer(&peers, mm_view_str(target ? R_SRC : R_TGT), c->suite,
                                mm_key_public(peer)) &&
               mm_shim_put_peer(&peers, mm_view_str(R_THIRD), c->suite, mm_key_public(c->third));
  for (int i = 0; built && c->deny[i]; i++)
    built = mm_shim_put_identity(&deny, mm_view_str(c->deny[i]));
  /* AMD-1: in a test of the feature migration_refusal the test's peer declares it (the third DS
   * never does); other tests never send the field, so the IUT behaves as the profile. */
  bool refusal = (c->test->needs & MM_SHIM_F_MIGRATION_REFUSAL) != 0;
  if (built && refusal) built = mm_shim_put_identity(&rpeers, mm_view_str(target ? R_SRC : R_TGT));
  if (!built) {
    mm_writer_free(&keys);
    mm_writer_free(&peers);
    mm_writer_free(&deny);
    mm_writer_free(&rpeers);
    r_local(c, "out of memory building configure");
    return false;
  }
  mm_shim_msg req = {.type = MM_SHIM_CONFIGURE,
                     .role = c->test->role,
                     .domain = mm_view_str(target ? R_TGT : R_SRC),
                     .signing_keys = mm_writer_view(&keys),
                     .peers = mm_writer_view(&peers),
                     .policy = c->policy,
                     .deny = mm_writer_view(&deny),
                     .state_dir = mm_view_str(c->dir),
                     .now = c->now,
                     .has_refusal_peers = refusal,
                     .refusal_peers = mm_writer_view(&rpeers)};
  mm_shim_msg m;
  bool ok = simple(c, &req, MM_SHIM_OK, &m);
  mm_writer_free(&keys);
  mm_writer_free(&peers);
  mm_writer_free(&deny);
  mm_writer_free(&rpeers);
  return ok;
}

/* Starts the IUT and says hello; with configure too when `configure`. */
static bool spawn_part(rctx *c, bool configure) {
  char why[256];
  double t0 = mono_ms_f();
  /* persistent mode: the worker's IUT, reset; else a new process or connection */
  bool kept = r_iut_reuse(c);
  int64_t left = c->deadline - mono_ms();
  mm_err e = kept ? MM_OK : r_iut_new(c->opts, left > 0 ? (int)left : 1, &c->iut, why, sizeof why);
  if (e != MM_OK) {
    c->iut = NULL;
    if (strncmp(why, "runner failure: ", 16) == 0)
      r_local(c, "%s", why + 16);
    else if (e == MM_E_NOMEM)
      r_local(c, "%s", why);
    else
      r_error(c, "IUT does not start: %s", why);
    return false;
  }
  mm_iut_set_cancel(c->iut, c->opts->cancel);
  c->cost.lifecycles += !kept;
  c->in_session = true;
  mm_shim_msg hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION}, m;
  bool ok = (kept || simple(c, &hello, MM_SHIM_PICS, &m)) && (!configure || r_configure(c));
  c->in_session = false;
  c->cost.session_ms += mono_ms_f() - t0;
  return ok;
}

static bool spawn(rctx *c) { return spawn_part(c, true); }

/* The test's budget, within what is left of the run's. */
static void set_deadline(rctx *c) {
  c->deadline = mono_ms() + c->opts->timeout_ms;
  if (c->run_deadline && c->deadline > c->run_deadline) c->deadline = c->run_deadline;
}

bool r_start(rctx *c) {
  set_deadline(c);
  return spawn(c);
}

bool r_start_hello(rctx *c) {
  set_deadline(c);
  return spawn_part(c, false);
}

bool r_restart(rctx *c) {
  if (c->stop) return false;
  double t0 = mono_ms_f();
  bool killed = r_iut_kill(c); /* SIGKILL, or the service's --iut-kill and --iut-start */
  c->escaped += mm_iut_escaped(c->iut);
  r_wire(c, MM_WIRE_RESTART, NULL, 0, (mm_view){0});
  const char *err = mm_iut_stderr(c->iut);
  if (err[0] && !c->iut_stderr) c->iut_stderr = strdup(err);
  mm_iut_free(c->iut);
  c->iut = NULL;
  c->cost.session_ms += mono_ms_f() - t0;
  return killed && spawn(c);
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
    /* Large bytes as their head, tail, length and hash (MM_WIRE_KEEP). */
    bool cut = bytes.len > MM_WIRE_KEEP;
    size_t keep = cut ? MM_WIRE_KEEP : bytes.len, half = MM_WIRE_KEEP / 2;
    size_t hlen = 0;
    e->bytes = malloc(keep);
    if (!e->bytes ||
        (cut && mm_hash(1, bytes.data, bytes.len, e->sha256, &hlen) != MM_OK)) { /* SHA-256 */
      free(e->bytes);
      *e = (mm_wire_event){0};
      c->wire_dropped++;
      return;
    }
    if (cut) {
      memcpy(e->bytes, bytes.data, half);
      memcpy(e->bytes + half, bytes.data + bytes.len - half, half);
      e->full_len = bytes.len;
    } else {
      memcpy(e->bytes, bytes.data, bytes.len);
    }
    e->len = keep;
  }
  c->nwire++;
}

/* Takes the reply's envelopes into c->got: views into the frame, which
 * c->got keeps (nothing copied, whatever the envelopes weigh). */
static bool collect(rctx *c, uint8_t **body, const mm_shim_msg *m) {
  r_got_clear(c);
  mm_shim_iter it;
  mm_shim_item item;
  size_t n = 0; /* counted up to one past the bound: no more is needed */
  mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, m->outputs);
  while (n <= R_MAX_OUTPUTS && mm_shim_next(&it, &item)) n++;
  if (n > R_MAX_OUTPUTS) {
    r_error(c, "output lists more than the %d envelopes a reply may carry", R_MAX_OUTPUTS);
    return false;
  }
  c->got.frame = *body;
  *body = NULL;
  if (n && !(c->got.v = calloc(n, sizeof *c->got.v))) {
    r_local(c, "out of memory storing the IUT's output (%zu envelopes)", n);
    return false;
  }
  mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, m->outputs);
  while (c->got.n < n && mm_shim_next(&it, &item)) {
    rout *o = &c->got.v[c->got.n++];
    if (item.name.len > MM_SENDER_MAX) {
      r_error(c, "output destination longer than %d bytes", MM_SENDER_MAX);
      return false;
    }
    /* As text the reports can carry: a destination that is not valid
     * UTF-8 matches no party, and the test judges that. */
    mm_iut_text(o->to, sizeof o->to, 0, item.name.data, item.name.len);
    o->raw = item.envelope;
    r_wire(c, MM_WIRE_OUTPUT, o->to, 0, item.envelope);
  }
  return true;
}

static bool output_call(rctx *c, const mm_shim_msg *req) {
  uint8_t *body;
  mm_shim_msg m;
  r_got_clear(c); /* the last reply goes before the next comes */
  bool ok = call(c, req, MM_SHIM_OUTPUT, &body, &m) && collect(c, &body, &m);
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
  r_named(c, env);
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
  mm_group_state gs;
  mm_limits lim = mm_limits_default(0);
  if (mm_group_state_decode(group_state.data, group_state.len, &lim, &gs, NULL) == MM_OK)
    r_named_group(c, gs.group_id);
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

/* The end of a test: shutdown, which must be answered `ok` and be the last
 * thing the IUT writes (anything else is a reply to no request: one reply
 * per request, strictly, so a late reply cannot pass for the answer to a
 * later request), then a clean exit, else a kill of it and everything it
 * started. */
void r_finish(rctx *c) {
  if (!c->iut || r_iut_keep(c)) return; /* kept: the next test resets it */
  double t0 = mono_ms_f();
  if (!c->stop) {
    mm_shim_msg req = {.type = MM_SHIM_SHUTDOWN}, m;
    uint8_t *body = NULL;
    mm_writer w;
    mm_writer_init(&w);
    size_t len = 0;
    /* A short, separate budget: the verdict is in already. */
    int grace = c->opts->timeout_ms < 500 ? c->opts->timeout_ms : 500;
    c->in_session = true;
    mm_err e = mm_shim_encode(&req, &w);
    if (e == MM_OK) e = timed_call(c, w.buf, w.len, grace, &body, &len);
    c->in_session = false;
    mm_writer_free(&w);
    if (e == MM_E_NOMEM) /* then the reply may be half read */
      r_local(c, "shutdown: %s", mm_iut_why(c->iut)[0] ? mm_iut_why(c->iut) : "out of memory");
    else if (e == MM_OK && (mm_shim_decode(body, len, &m, NULL) != MM_OK || m.type != MM_SHIM_OK))
      r_error(c, "shutdown: the reply is %s, not ok: a surplus reply (to an earlier request)",
              mm_shim_decode(body, len, &m, NULL) == MM_OK ? mm_shim_type_name(m.type)
                                                           : "not a frame that decodes");
    else if (e != MM_OK && strncmp(mm_iut_why(c->iut), "unsolicited", 11) == 0)
      r_error(c, "shutdown: %s", mm_iut_why(c->iut));
    free(body);
    mm_iut_stop(c->iut, grace);
    char after[160];
    if (!c->stop && mm_iut_after_shutdown(c->iut, after, sizeof after))
      r_error(c, "the IUT wrote %s after its reply to shutdown: a reply nobody asked for", after);
  }
  mm_iut_kill(c->iut);
  c->escaped += mm_iut_escaped(c->iut);
  const char *err = mm_iut_stderr(c->iut);
  if (err[0] && !c->iut_stderr) c->iut_stderr = strdup(err);
  mm_iut_free(c->iut);
  c->iut = NULL;
  c->cost.session_ms += mono_ms_f() - t0;
}

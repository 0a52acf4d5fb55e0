/* How a test gets its IUT and gives it back (runner_internal.h): a new
 * child process (the default), a new connection to a running service
 * (--iut-connect), or, in persistent mode, the one its worker kept from
 * its last test, reset (shim `reset`, PICS feature reset). Restarts of a
 * service go through its hooks (--iut-kill, then --iut-start). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/runner_internal.h"

/* What a hook may take, whatever the test's budget: a service may start
 * slowly (docs/shim-protocol.md, "A DS service on a socket"). */
#define R_HOOK_MS 60000
/* How long a killed service may take to refuse connections: a kill(1) that
 * returns before the process is gone must not let the restart reconnect to
 * the dying one. */
#define R_GONE_MS 10000

int64_t r_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mm_err r_iut_new(const mm_run_opts *o, int timeout_ms, mm_iut **out, char *why, size_t why_len) {
  if (!o->iut_connect) return mm_iut_start(o->iut_cmd, MM_SHIM_MAX_FRAME, out, why, why_len);
  return mm_iut_connect(o->iut_connect, MM_SHIM_MAX_FRAME, timeout_ms, o->cancel, out, why,
                        why_len);
}

mm_err r_iut_hook(const mm_run_opts *o, const char *which, char *why, size_t why_len) {
  const char *cmd = strcmp(which, "--iut-start") == 0  ? o->iut_start
                    : strcmp(which, "--iut-stop") == 0 ? o->iut_stop
                                                       : o->iut_kill;
  if (!cmd) return MM_OK;
  return mm_iut_hook(which, cmd, R_HOOK_MS, o->cancel, why, why_len);
}

/* One request whose reply must be `ok`, with no verdict: false on any
 * trouble. */
static bool quiet_ok(mm_iut *p, uint8_t type, int timeout_ms) {
  mm_shim_msg req = {.type = type}, m;
  mm_writer w;
  mm_writer_init(&w);
  uint8_t *body = NULL;
  size_t len = 0;
  bool ok = mm_shim_encode(&req, &w) == MM_OK &&
            mm_iut_call(p, w.buf, w.len, timeout_ms, &body, &len) == MM_OK &&
            mm_shim_decode(body, len, &m, NULL) == MM_OK && m.type == MM_SHIM_OK;
  mm_writer_free(&w);
  free(body);
  return ok;
}

bool r_iut_reuse(rctx *c) {
  if (!c->keep || !*c->keep) return false;
  mm_iut *p = *c->keep;
  *c->keep = NULL;
  int64_t left = c->deadline - r_mono_ms();
  /* A kept IUT that does not take the reset (its service restarted, it
   * died meanwhile) is replaced by a fresh one: the fallback, no verdict. */
  if (left > 0 && mm_iut_running(p) && quiet_ok(p, MM_SHIM_RESET, (int)left)) {
    c->iut = p;
    c->cost.session_calls++;
    c->cost.resets++;
    return true;
  }
  r_iut_release(p, 0);
  return false;
}

bool r_iut_keep(rctx *c) {
  char what[96];
  if (!c->keep || *c->keep || !c->iut || c->stop || !mm_iut_running(c->iut) ||
      mm_iut_pending(c->iut, what, sizeof what))
    return false; /* then the test ends it, as without persistent mode */
  /* A test that did not pass keeps what the process wrote so far (since it
   * started: it served earlier tests too). */
  const char *err = c->verdict != MM_V_PASS ? mm_iut_stderr(c->iut) : "";
  if (err[0] && !c->iut_stderr) c->iut_stderr = strdup(err);
  *c->keep = c->iut;
  c->iut = NULL;
  return true;
}

void r_iut_release(mm_iut *p, int grace_ms) {
  if (!p) return;
  if (grace_ms > 0 && mm_iut_running(p)) {
    mm_err_discard(quiet_ok(p, MM_SHIM_SHUTDOWN, grace_ms) ? MM_OK : MM_E_IO);
    mm_iut_stop(p, grace_ms);
  }
  mm_iut_free(p);
}

bool r_iut_kill(rctx *c) {
  mm_iut_kill(c->iut); /* a process: SIGKILL, no chance to flush anything */
  if (!mm_iut_is_socket(c->iut)) return true;
  /* A service: the connection is closed; the service itself is killed and
   * started again by its hooks. */
  char why[512];
  if (r_iut_hook(c->opts, "--iut-kill", why, sizeof why) != MM_OK ||
      mm_iut_await_gone(c->opts->iut_connect, R_GONE_MS, why, sizeof why) != MM_OK ||
      r_iut_hook(c->opts, "--iut-start", why, sizeof why) != MM_OK) {
    r_error(c, "restart: %s", why);
    return false;
  }
  return true;
}

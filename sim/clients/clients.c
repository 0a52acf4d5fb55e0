/* The client-process driver (clients.h): frames through client_proto,
 * process handling through clients_proc. */
#include "clients/clients.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/clients_proc.h"
#include "shim/shim_proto.h"

#define MAX_SUITES 64

struct mm_clients {
  mm_proc *proc;
  int timeout_ms;
  bool broken;
  uint8_t *body; /* the last reply; the views of a reply point here */
  uint8_t error;
  char why[512];
  char implementation[256];
  uint16_t suites[MAX_SUITES];
  size_t nsuites;
  uint32_t features;
  mm_clients_stat stats[256];
};

static void set_why(mm_clients *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(mm_clients *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why, sizeof c->why, fmt, ap);
  va_end(ap);
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Text the process chose, for a reason: printable ASCII, the rest as '?'. */
static void copy_text(char *out, size_t cap, mm_view v) {
  size_t n = v.len < cap - 1 ? v.len : cap - 1;
  for (size_t i = 0; i < n; i++)
    out[i] = v.data[i] >= 0x20 && v.data[i] < 0x7f ? (char)v.data[i] : '?';
  out[n] = '\0';
}

static mm_err broken(mm_clients *c) {
  c->broken = true;
  return MM_E_IO;
}

mm_err mm_clients_call(mm_clients *c, const mm_client_msg *req, mm_client_msg *reply) {
  *reply = (mm_client_msg){0};
  c->error = 0;
  if (c->broken) return MM_E_IO; /* why stays the first reason */
  c->why[0] = '\0';
  free(c->body);
  c->body = NULL;
  uint8_t want = mm_client_reply_type(req->type);
  if (!want) {
    set_why(c, "%u is not a request type", req->type);
    return MM_E_USAGE;
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_client_encode(req, &w);
  if (e != MM_OK) {
    mm_writer_free(&w);
    set_why(c, "cannot encode %s: %s", mm_client_type_name(req->type), mm_err_name(e));
    return e;
  }
  uint64_t t0 = now_us();
  size_t len = 0;
  e = mm_proc_call(c->proc, w.buf, w.len, c->timeout_ms, &c->body, &len);
  mm_writer_free(&w);
  c->stats[req->type].calls++;
  c->stats[req->type].total_us += now_us() - t0;
  if (e == MM_E_NOMEM) return e;
  if (e != MM_OK) {
    set_why(c, "%s: %s", mm_client_type_name(req->type), mm_proc_why(c->proc));
    return broken(c);
  }
  mm_derr derr = {0};
  if (mm_client_decode(c->body, len, reply, &derr) != MM_OK) {
    set_why(c, "%s: the reply does not decode (%s at offset %zu)", mm_client_type_name(req->type),
            derr.reason ? derr.reason : "malformed", derr.offset);
    return broken(c);
  }
  if (reply->type == MM_CLIENT_ERROR) {
    c->error = reply->code;
    char reason[400];
    copy_text(reason, sizeof reason, reply->reason);
    set_why(c, "%s refused: %s: %s", mm_client_type_name(req->type),
            mm_client_error_name(reply->code), reason);
    return MM_E_REFUSED;
  }
  if (reply->type != want) {
    set_why(c, "%s: a %s reply instead of %s", mm_client_type_name(req->type),
            mm_client_type_name(reply->type), mm_client_type_name(want));
    *reply = (mm_client_msg){0};
    return broken(c);
  }
  return MM_OK;
}

static mm_err hello(mm_clients *c) {
  mm_client_msg rep;
  mm_err e = mm_clients_call(
      c, &(mm_client_msg){.type = MM_CLIENT_HELLO, .version = MM_CLIENT_VERSION}, &rep);
  if (e != MM_OK) return e == MM_E_REFUSED ? broken(c) : e;
  if (rep.version != MM_CLIENT_VERSION) {
    set_why(c, "the client process speaks client protocol version %u, not %u", rep.version,
            MM_CLIENT_VERSION);
    return broken(c);
  }
  copy_text(c->implementation, sizeof c->implementation, rep.implementation);
  c->features = rep.features;
  mm_client_iter it;
  mm_client_item item;
  mm_client_iter_init(&it, MM_CLIENT_L_SUITES, rep.suites);
  while (mm_client_next(&it, &item) && c->nsuites < MAX_SUITES)
    c->suites[c->nsuites++] = item.suite;
  return MM_OK;
}

mm_err mm_clients_start(const char *cmd, int timeout_ms, mm_clients **out, char *why,
                        size_t why_len) {
  *out = NULL;
  mm_clients *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(why, why_len, "out of memory");
    return MM_E_NOMEM;
  }
  c->timeout_ms = timeout_ms > 0 ? timeout_ms : MM_CLIENTS_TIMEOUT_MS;
  mm_err e = mm_proc_start(cmd, MM_SHIM_MAX_FRAME, &c->proc, why, why_len);
  if (e == MM_OK) e = hello(c);
  if (e != MM_OK) {
    if (c->proc) {
      const char *err = mm_proc_stderr(c->proc);
      size_t n = strlen(err);
      snprintf(why, why_len, "%s%s%s", c->why, n ? "; stderr: " : "",
               n > 300 ? err + n - 300 : err);
    }
    mm_clients_stop(c);
    return e;
  }
  *out = c;
  return MM_OK;
}

uint8_t mm_clients_error(const mm_clients *c) { return c->error; }
const char *mm_clients_why(const mm_clients *c) { return c->why; }
const char *mm_clients_implementation(const mm_clients *c) { return c->implementation; }
uint32_t mm_clients_features(const mm_clients *c) { return c->features; }
void mm_clients_set_timeout(mm_clients *c, int timeout_ms) { c->timeout_ms = timeout_ms; }
const char *mm_clients_stderr(mm_clients *c) { return mm_proc_stderr(c->proc); }

bool mm_clients_has_suite(const mm_clients *c, uint16_t suite) {
  for (size_t i = 0; i < c->nsuites; i++)
    if (c->suites[i] == suite) return true;
  return false;
}

mm_clients_stat mm_clients_stat_of(const mm_clients *c, uint8_t request) {
  return c->stats[request];
}

void mm_clients_stop(mm_clients *c) {
  if (!c) return;
  if (c->proc && !c->broken) {
    mm_client_msg rep;
    int t = c->timeout_ms;
    c->timeout_ms = 2000;
    /* Best effort: the process is killed below whatever it answers. */
    mm_err_discard(mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_SHUTDOWN}, &rep));
    c->timeout_ms = t;
  }
  if (c->proc) mm_proc_stop(c->proc, 2000);
  mm_proc_free(c->proc);
  free(c->body);
  free(c);
}

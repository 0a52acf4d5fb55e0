/* Outgoing envelopes of an actor step, and the event hook. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/actor.h"

void mm_outbox_init(mm_outbox *o) { *o = (mm_outbox){0}; }

void mm_outbox_clear(mm_outbox *o) { mm_outbox_truncate(o, 0); }

void mm_outbox_truncate(mm_outbox *o, size_t n) {
  for (size_t i = n; i < o->n; i++) {
    free(o->v[i].to);
    free(o->v[i].env);
  }
  if (n < o->n) o->n = n;
}

void mm_outbox_free(mm_outbox *o) {
  mm_outbox_clear(o);
  free(o->v);
  *o = (mm_outbox){0};
}

mm_err mm_outbox_push(mm_outbox *o, const char *to, uint8_t *env, size_t len) {
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 8;
    mm_out_msg *nv = realloc(o->v, cap * sizeof *nv);
    if (!nv) {
      free(env);
      return MM_E_NOMEM;
    }
    o->v = nv;
    o->cap = cap;
  }
  char *t = strdup(to);
  if (!t) {
    free(env);
    return MM_E_NOMEM;
  }
  o->v[o->n++] = (mm_out_msg){t, env, len};
  return MM_OK;
}

mm_err mm_send_profile(mm_outbox *o, int profile, const char *to, uint8_t msg_type, uint16_t suite,
                       const char *sender, const uint8_t *body, size_t body_len) {
  mm_envelope env = {msg_type, suite, mm_view_str(sender), mm_view_of(body, body_len)};
  mm_limits lim = mm_limits_default(suite);
  lim.max_group_state = UINT64_MAX; /* the sender already chose what to send */
  mm_writer w;
  mm_writer_init(&w);
  mm_writer_reserve(&w, body_len + strlen(sender) + 16);
  mm_err e = mm_envelope_encode_profile(profile, &env, &lim, &w, NULL);
  if (e != MM_OK) {
    mm_writer_free(&w);
    return e;
  }
  uint8_t *bytes;
  size_t len;
  e = mm_writer_finish(&w, &bytes, &len);
  return e == MM_OK ? mm_outbox_push(o, to, bytes, len) : e;
}

mm_err mm_send(mm_outbox *o, const char *to, uint8_t msg_type, uint16_t suite, const char *sender,
               const uint8_t *body, size_t body_len) {
  return mm_send_profile(o, MM_PROFILE_V1, to, msg_type, suite, sender, body, body_len);
}

mm_err mm_send_msg(mm_outbox *o, const char *to, uint8_t msg_type, uint16_t suite,
                   const char *sender, mm_type t, const void *msg) {
  mm_limits lim = mm_limits_default(suite);
  lim.max_group_state = UINT64_MAX;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_encode(t, msg, &lim, &w, NULL);
  if (e == MM_OK) e = mm_send(o, to, msg_type, suite, sender, w.buf, w.len);
  mm_writer_free(&w);
  return e;
}

mm_err mm_send_error(mm_outbox *o, const char *to, uint16_t suite, const char *sender, mm_err code,
                     const char *detail) {
  mm_migration_error me = {(uint16_t)code, mm_view_str(detail ? detail : mm_err_message(code))};
  return mm_send_msg(o, to, MM_MSG_MIGRATION_ERROR, suite, sender, MM_T_MIGRATION_ERROR, &me);
}

void mm_observe(const mm_observer *obs, const mm_event *ev) {
  if (obs && obs->on_event) obs->on_event(obs->ctx, ev);
}

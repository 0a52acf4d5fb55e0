/* The reference client (docs/actors.md, "Client"): lifecycle, what it
 * sends, and its retransmission timers. What it receives is in
 * client_recv.c, how its messages are built in client_frame.c. */
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"

/* ---- lifecycle ---- */

static bool copy_str(char *dst, size_t cap, const char *src) {
  size_t n = src ? strlen(src) : cap;
  if (n >= cap) return false;
  memcpy(dst, src, n + 1);
  return true;
}

static MM_MUST_USE mm_err check_config(const mm_client_config *cfg, const mm_env *env) {
  if (!cfg || !env || !env->rng || !cfg->leaf_key || !cfg->identity || !cfg->ds) return MM_E_USAGE;
  if (!mm_identity_valid(mm_view_str(cfg->identity)) || !mm_domain_valid(mm_view_str(cfg->ds)))
    return MM_E_USAGE;
  if (!mm_suite_get(cfg->suite) || cfg->group_id.len < 1 || cfg->group_id.len > MM_GROUP_ID_MAX)
    return MM_E_USAGE;
  uint16_t wf = cfg->commit_wire_format;
  if (wf != 0 && wf != MM_WIRE_PUBLIC && wf != MM_WIRE_PRIVATE) return MM_E_USAGE;
  return MM_OK;
}

mm_err mm_client_new(const mm_client_config *cfg, const mm_env *env, mm_client **out) {
  if (!out) return MM_E_USAGE;
  mm_err e = check_config(cfg, env);
  if (e != MM_OK) return e;
  mm_client *c = calloc(1, sizeof *c);
  if (!c) return MM_E_NOMEM;
  c->env = env;
  copy_str(c->identity, sizeof c->identity, cfg->identity);
  copy_str(c->ds, sizeof c->ds, cfg->ds);
  c->leaf_key = cfg->leaf_key;
  c->suite = cfg->suite;
  memcpy(c->group_id, cfg->group_id.data, cfg->group_id.len);
  c->group_id_len = cfg->group_id.len;
  c->leaf_index = cfg->leaf_index;
  c->wire_format = cfg->commit_wire_format ? cfg->commit_wire_format : MM_WIRE_PRIVATE;
  c->epoch = cfg->epoch;
  c->phase = MM_CP_IDLE;
  c->profile = cfg->profile == MM_PROFILE_V2 ? MM_PROFILE_V2 : MM_PROFILE_V1;
  if (c->profile == MM_PROFILE_V2) {
    c->mls_state = malloc(cfg->mls_state.len ? cfg->mls_state.len : 1);
    if (!c->mls_state) {
      free(c);
      return MM_E_NOMEM;
    }
    if (cfg->mls_state.len) memcpy(c->mls_state, cfg->mls_state.data, cfg->mls_state.len);
    c->mls_state_len = cfg->mls_state.len;
  }
  *out = c;
  return MM_OK;
}

static void forget_migration(mm_client *c) {
  mm_cl_stop_sending(c);
  free(c->mig.request);
  c->mig = (mm_cl_migration){0};
}

void mm_client_free(mm_client *c) {
  if (!c) return;
  forget_migration(c);
  free(c->mls_state);
  free(c->next_state);
  free(c->pending_commit);
  free(c);
}

mm_client_status mm_client_get_status(const mm_client *c) {
  return (mm_client_status){c->phase, mm_view_str(c->ds), c->epoch, c->last_error};
}

/* ---- sending ---- */

static MM_MUST_USE mm_err keep_copy(mm_client *c, const char *to, const uint8_t *env, size_t len) {
  if (c->mig.nkept == sizeof c->mig.kept / sizeof c->mig.kept[0]) return MM_E_INTERNAL;
  mm_cl_kept *k = &c->mig.kept[c->mig.nkept];
  if (!copy_str(k->to, sizeof k->to, to)) return MM_E_USAGE;
  k->env = malloc(len);
  if (!k->env) return MM_E_NOMEM;
  memcpy(k->env, env, len);
  k->len = len;
  c->mig.nkept++;
  return MM_OK;
}

mm_err mm_cl_send(mm_client *c, const char *to, uint8_t msg_type, mm_view body, bool keep,
                  mm_outbox *out) {
  mm_envelope env = {msg_type, c->suite, mm_view_str(c->identity), body};
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  uint8_t *bytes;
  size_t len;
  mm_err e = mm_envelope_encode_profile(c->profile, &env, &lim, &w, NULL);
  if (e != MM_OK) {
    mm_writer_free(&w);
    return e;
  }
  e = mm_writer_finish(&w, &bytes, &len);
  if (e == MM_OK && keep) e = keep_copy(c, to, bytes, len);
  if (e != MM_OK) {
    free(bytes);
    return e;
  }
  return mm_outbox_push(out, to, bytes, len);
}

void mm_cl_stop_sending(mm_client *c) {
  for (size_t i = 0; i < c->mig.nkept; i++) free(c->mig.kept[i].env);
  c->mig.nkept = 0;
  c->mig.next_send = MM_NO_TIMER;
}

void mm_cl_start_phase(mm_client *c, mm_client_phase phase, uint64_t now) {
  mm_cl_stop_sending(c);
  c->phase = phase;
  c->mig.phase_start = now;
  c->mig.backoff = MM_RETRANSMIT_MS;
  c->mig.next_send = now + MM_RETRANSMIT_MS;
}

/* ---- what happened ---- */

void mm_cl_epoch_moved(mm_client *c, bool ours) {
  if (c->profile != MM_PROFILE_V2) return;
  free(c->mls_state);
  c->mls_state = ours ? c->next_state : NULL;
  c->mls_state_len = ours ? c->next_state_len : 0;
  if (!ours) free(c->next_state);
  free(c->pending_commit);
  c->next_state = c->pending_commit = NULL;
  c->next_state_len = c->pending_commit_len = 0;
}

void mm_cl_move(mm_client *c, const char *ds) {
  copy_str(c->ds, sizeof c->ds, ds);
  c->epoch++;
  mm_event ev = {.kind = MM_EV_CLIENT_MOVED,
                 .actor = c->identity,
                 .group_id = mm_cl_group(c),
                 .epoch = c->epoch,
                 .peer = mm_view_str(c->ds)};
  mm_observe(c->env->obs, &ev);
}

void mm_cl_fail(mm_client *c, mm_err code, const char *peer) {
  mm_cl_stop_sending(c);
  c->phase = MM_CP_FAILED;
  c->last_error = code;
  mm_event ev = {.kind = MM_EV_CLIENT_FAILED,
                 .actor = c->identity,
                 .group_id = mm_cl_group(c),
                 .epoch = (uint64_t)code,
                 .peer = mm_view_str(peer)};
  mm_observe(c->env->obs, &ev);
}

/* ---- the API ---- */

static MM_MUST_USE mm_err encode_request(mm_client *c) {
  mm_migration_request rq = {mm_view_str(c->mig.source), mm_view_str(c->mig.target), mm_cl_group(c),
                             c->mig.epoch};
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_encode(MM_T_MIGRATION_REQUEST, &rq, &lim, &w, NULL);
  if (e == MM_OK) return mm_writer_finish(&w, &c->mig.request, &c->mig.request_len);
  mm_writer_free(&w);
  return e;
}

mm_err mm_client_migrate(mm_client *c, const char *target_domain, uint64_t now, mm_outbox *out) {
  if (!c || !out || !target_domain || !mm_domain_valid(mm_view_str(target_domain)))
    return MM_E_USAGE;
  if (c->phase == MM_CP_REQUESTED || c->phase == MM_CP_INIT_SENT) return MM_E_BUSY;
  forget_migration(c);
  copy_str(c->mig.source, sizeof c->mig.source, c->ds);
  copy_str(c->mig.target, sizeof c->mig.target, target_domain);
  c->mig.epoch = c->epoch;
  c->last_error = MM_OK;
  mm_err e = encode_request(c);
  if (e == MM_OK) {
    mm_cl_start_phase(c, MM_CP_REQUESTED, now);
    mm_view body = mm_view_of(c->mig.request, c->mig.request_len);
    e = mm_cl_send(c, c->mig.target, MM_MSG_MIGRATION_REQUEST, body, true, out);
  }
  if (e != MM_OK) { /* nothing sent, the last migration forgotten: idle */
    forget_migration(c);
    c->phase = MM_CP_IDLE;
  }
  return e;
}

mm_err mm_client_commit(mm_client *c, uint64_t now, mm_outbox *out) {
  (void)now;
  if (!c || !out) return MM_E_USAGE;
  mm_writer w;
  mm_writer_init(&w);
  bool v2 = c->profile == MM_PROFILE_V2;
  mm_err e = v2 ? mm_cl_build_bundle(c, mm_view_of(NULL, 0), &w)
                : mm_cl_build_commit(c, c->epoch, mm_view_of(NULL, 0), &w);
  if (e == MM_OK)
    e = mm_cl_send(c, c->ds, v2 ? MM_MSG_COMMIT_BUNDLE : MM_MSG_MLS_MESSAGE, mm_writer_view(&w),
                   false, out);
  mm_writer_free(&w);
  return e;
}

mm_err mm_client_send_message(mm_client *c, uint64_t now, mm_outbox *out) {
  (void)now;
  if (!c || !out) return MM_E_USAGE;
  static const uint8_t esd[16] = {0}, text[32] = {1};
  mm_mls_message m = {.version = MM_MLS10,
                      .wire_format = MM_WIRE_PRIVATE,
                      .group_id = mm_cl_group(c),
                      .epoch = c->epoch,
                      .content_type = MM_CONTENT_APPLICATION,
                      .encrypted_sender_data = mm_view_of(esd, sizeof esd),
                      .ciphertext = mm_view_of(text, sizeof text)};
  mm_limits lim = mm_limits_default(c->suite);
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_encode(MM_T_MLS_MESSAGE, &m, &lim, &w, NULL);
  if (e == MM_OK) e = mm_cl_send(c, c->ds, MM_MSG_MLS_MESSAGE, mm_writer_view(&w), false, out);
  mm_writer_free(&w);
  return e;
}

/* Strict decoding of the envelope and its body; the client answers no one,
 * so a message that does not decode is just refused. */
mm_err mm_client_handle(mm_client *c, const uint8_t *env, size_t len, uint64_t now,
                        mm_outbox *out) {
  if (!c || !out) return MM_E_USAGE;
  if (!env) return MM_E_MALFORMED;
  mm_envelope e;
  mm_any_msg body;
  mm_type t;
  mm_limits lim = mm_limits_default(c->suite);
  if (c->env->max_group_state) lim.max_group_state = c->env->max_group_state;
  /* AMD-10: code 19 (migration_refused) ends the migration as any refusal does; only a source
   * using the feature with its target sends it. */
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  if (mm_envelope_decode_profile(c->profile, env, len, &lim, &e, NULL) != MM_OK)
    return MM_RULE("ENC-1 ENC-2 ENC-4", MM_E_MALFORMED);
  /* v2: Welcomes and GroupInfos are for members that join, which this client does not yet. */
  if (mm_msg_body_is_mls(e.msg_type, c->profile)) return MM_OK;
  if (!mm_msg_type_body(e.msg_type, &t) ||
      mm_decode(t, e.body.data, e.body.len, &lim, &body, NULL) != MM_OK)
    return MM_RULE("ENC-1 ENC-2 ENC-4", MM_E_MALFORMED);
  if (e.cipher_suite != c->suite) return MM_RULE("SUITE-2", MM_E_UNSUPPORTED_CIPHERSUITE);
  return mm_cl_receive(c, &e, &body, now, out);
}

/* ---- timers ---- */

static uint64_t give_up_at(const mm_client *c) { return c->mig.phase_start + MM_CLIENT_GIVE_UP_MS; }

static bool waiting(const mm_client *c) {
  return (c->phase == MM_CP_REQUESTED || c->phase == MM_CP_INIT_SENT) && c->mig.nkept > 0;
}

/* Retransmits the kept envelopes byte for byte, backing off 1, 2, 4, 8,
 * 16, 16, ... s; gives up MM_CLIENT_GIVE_UP_MS after the phase began with
 * MM_E_IO (nobody answered: no wire code says that). */
mm_err mm_client_tick(mm_client *c, uint64_t now, mm_outbox *out) {
  if (!c || !out) return MM_E_USAGE;
  if (!waiting(c) || now < mm_client_next_timer(c)) return MM_OK;
  if (now >= give_up_at(c)) {
    mm_cl_fail(c, MM_E_IO, c->phase == MM_CP_REQUESTED ? c->mig.target : c->mig.source);
    return MM_OK;
  }
  mm_err e = MM_OK;
  for (size_t i = 0; e == MM_OK && i < c->mig.nkept; i++) {
    const mm_cl_kept *k = &c->mig.kept[i];
    uint8_t *copy = malloc(k->len);
    if (!copy)
      e = MM_E_NOMEM;
    else
      memcpy(copy, k->env, k->len);
    if (e == MM_OK) e = mm_outbox_push(out, k->to, copy, k->len);
  }
  /* On to the next backoff step even when a copy could not be queued (out
   * of memory): it is lost like a dropped envelope. A timer left due would
   * be fired again at once, for ever. */
  c->mig.backoff =
      c->mig.backoff * 2 > MM_RETRANSMIT_MAX_MS ? MM_RETRANSMIT_MAX_MS : c->mig.backoff * 2;
  c->mig.next_send = now + c->mig.backoff;
  return e;
}

uint64_t mm_client_next_timer(const mm_client *c) {
  if (!c || !waiting(c)) return MM_NO_TIMER;
  uint64_t deadline = give_up_at(c);
  return c->mig.next_send < deadline ? c->mig.next_send : deadline;
}

/* ---- the actor interface ---- */

static MM_MUST_USE mm_err op_handle(void *self, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out) {
  return mm_client_handle(self, env, len, now, out);
}
static MM_MUST_USE mm_err op_tick(void *self, uint64_t now, mm_outbox *out) {
  return mm_client_tick(self, now, out);
}
static uint64_t op_next_timer(const void *self) { return mm_client_next_timer(self); }
static void op_free(void *self) { mm_client_free(self); }

static const mm_actor_ops client_ops = {op_handle, NULL, op_tick, op_next_timer, op_free};

mm_actor mm_client_actor(mm_client *c) { return (mm_actor){c ? &client_ops : NULL, c}; }

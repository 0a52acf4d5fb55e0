/* The reference target DS (docs/actors.md, "Target DS"): lifecycle,
 * MigrationRequest, and the traffic of the groups it hosts. MigrationContent
 * is in target_import.c, the durable records in target_records.c.
 *
 * Every durable fact lives in env->store and is read from there on demand,
 * so a new target on the same store is the old one after a restart (DUR-1):
 * nothing needs restoring. Each handler checks first and writes last, so a
 * refusal leaves the store as it was. */
#include <stdlib.h>
#include <string.h>

#include "ds/target/target_internal.h"

/* Draws after which a CSPRNG that keeps repeating issued nonces is broken. */
#define NONCE_DRAWS 8

/* ---- lifecycle ---- */

mm_err mm_target_new(const mm_ds_config *cfg, const mm_env *env, mm_target **out) {
  if (!cfg || !cfg->domain || !env || !env->store || !env->rng || !out) return MM_E_USAGE;
  mm_target *t = calloc(1, sizeof *t);
  if (!t) return MM_E_NOMEM;
  t->cfg = cfg;
  t->env = env;
  t->nonces = env->store;
  if (!MM_ENFORCED(cfg->mutants, "DUR-1", MM_MUT_FORGET_ON_CRASH)) { /* nonces not durable */
    t->volatile_nonces = mm_store_new();
    if (!t->volatile_nonces) {
      free(t);
      return MM_E_NOMEM;
    }
    t->nonces = t->volatile_nonces;
  }
  *out = t;
  return MM_OK;
}

void mm_target_free(mm_target *t) {
  if (!t) return;
  mm_store_free(t->volatile_nonces);
  mm_mls_cache_free(t->mls);
  free(t);
}

bool mm_tgt_hosts(const mm_target *t, mm_view group_id) {
  return mm_store_get(t->env->store, MM_TGT_NS_GROUP, group_id, NULL);
}

mm_err mm_target_add_mls_group(mm_target *t, uint16_t suite, const uint8_t *state, size_t len) {
  if (!t || mm_ds_profile(t->cfg) != MM_PROFILE_V2 || !mm_suite_get(suite) || (!state && len))
    return MM_E_USAGE;
  mm_mls_expect exp = {.suite = suite};
  mm_mls_state *st;
  mm_mls_why why;
  mm_err e = mm_mls_state_from_group_state(state, len, &exp, &st, &why);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_RULE("MLS-1 MLS-2", MM_E_BAD_GROUP_STATE);
  uint8_t gid_buf[MM_GROUP_ID_MAX];
  mm_view g = mm_mls_state_group_id(st);
  memcpy(gid_buf, g.data, g.len);
  mm_view gid = mm_view_of(gid_buf, g.len);
  mm_tgt_group rec = {.origin = MM_TGT_CREATED, .suite = suite, .epoch = mm_mls_state_epoch(st)};
  mm_mls_state_free(st);
  if (mm_tgt_hosts(t, gid)) return MM_E_GROUP_EXISTS;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return MM_E_NOMEM;
  if (len) memcpy(copy, state, len);
  e = mm_tgt_state_put_owned(t->env->store, gid, copy, len);
  if (e == MM_OK) e = mm_tgt_group_put(t->env->store, gid, &rec);
  if (e != MM_OK) mm_store_del(t->env->store, MM_TGT_NS_STATE, gid);
  return e;
}

mm_err mm_target_add_group(mm_target *t, const mm_group_state *g, const mm_member *members,
                           size_t n) {
  if (!t || !g || (n && !members) || mm_ds_profile(t->cfg) != MM_PROFILE_V1) return MM_E_USAGE;
  if (g->group_id.len < 1 || g->group_id.len > MM_GROUP_ID_MAX) return MM_E_USAGE;
  if (mm_tgt_hosts(t, g->group_id)) return MM_E_GROUP_EXISTS;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_group_state_encode(g, members, n, &w);
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (e == MM_OK)
    e = mm_writer_finish(&w, &bytes, &len);
  else
    mm_writer_free(&w);
  if (e == MM_OK) e = mm_tgt_state_put_owned(t->env->store, g->group_id, bytes, len);
  if (e != MM_OK) return e;
  mm_tgt_group rec = {.origin = MM_TGT_CREATED, .suite = g->cipher_suite, .epoch = g->epoch};
  e = mm_tgt_group_put(t->env->store, g->group_id, &rec);
  if (e != MM_OK) mm_store_del(t->env->store, MM_TGT_NS_STATE, g->group_id);
  return e;
}

/* ---- MigrationRequest ---- */

/* Checks 1-3 of docs/actors.md, in that order. */
static MM_MUST_USE mm_err check_request(const mm_target *t, const mm_intake *in) {
  const mm_migration_request *rq = &in->body.migration_request;
  mm_mutants mut = t->cfg->mutants;
  bool own = mm_view_eq_str(rq->target_domain_name, t->cfg->domain) &&
             !mm_view_eq(rq->source_domain_name, rq->target_domain_name);
  mm_err e = MM_CHECK(mut, own, "DOM-1", MM_MUT_SKIP_DOMAIN_CHECK, MM_E_WRONG_DOMAIN);
  if (e == MM_OK) /* no epoch follows 2^64-1: nothing to migrate into */
    e = MM_CHECK(mut, rq->epoch != UINT64_MAX, "EPOCH-3", MM_MUT_NONE, MM_E_STALE_EPOCH);
  if (e == MM_OK)
    e = MM_CHECK(mut, !mm_tgt_hosts(t, rq->group_id), "GROUP-1", MM_MUT_NONE, MM_E_GROUP_EXISTS);
  if (e == MM_OK)
    e = MM_CHECK(mut,
                 mm_policy_allows(&t->cfg->policy, t->cfg->domain, in->env.sender, rq->group_id,
                                  rq->source_domain_name),
                 "AUTHZ-3", MM_MUT_SKIP_TARGET_AUTHZ, MM_E_UNAUTHORIZED);
  return e;
}

/* NONCE-1: 32 bytes from the injected CSPRNG, redrawn while they collide
 * with any nonce ever issued (consumed or not, expired or not). */
static MM_MUST_USE mm_err draw_nonce(const mm_target *t, uint8_t nonce[MM_NONCE_LEN]) {
  bool fresh = false;
  for (int i = 0; i < NONCE_DRAWS && !fresh; i++) {
    mm_err e = mm_rng_fill(t->env->rng, nonce, MM_NONCE_LEN);
    if (e != MM_OK) return e;
    fresh = !mm_store_get(t->nonces, MM_TGT_NS_NONCE, mm_view_of(nonce, MM_NONCE_LEN), NULL);
  }
  return MM_CHECK(t->cfg->mutants, fresh, "NONCE-1", MM_MUT_NONE, MM_E_INTERNAL);
}

/* Steps 4-5: record the nonce (NONCE-2), then answer with the signed
 * response (SIG-1). A retransmitted request simply gets a new nonce. */
static MM_MUST_USE mm_err issue_response(mm_target *t, const mm_intake *in, uint64_t now,
                                         mm_outbox *out) {
  uint16_t suite = in->env.cipher_suite;
  uint8_t nonce[MM_NONCE_LEN];
  mm_err e = draw_nonce(t, nonce);
  if (e != MM_OK) return e;
  mm_view nv = mm_view_of(nonce, MM_NONCE_LEN);
  mm_migration_response resp = {in->body.migration_request, nv, {0}};
  mm_writer sig;
  mm_writer_init(&sig);
  e = mm_sign_tbs(t->cfg->sign_keys[suite], MM_T_MIGRATION_RESPONSE, &resp, &sig);
  resp.signature = mm_writer_view(&sig);
  mm_tgt_nonce rec = {.consumed = false,
                      .suite = suite,
                      .issued_at = now,
                      .client = in->env.sender,
                      .request = in->env.body};
  if (e == MM_OK) e = mm_tgt_nonce_put(t->nonces, nv, &rec);
  if (e == MM_OK) {
    e = mm_send_msg(out, in->sender, MM_MSG_MIGRATION_RESPONSE, suite, t->cfg->domain,
                    MM_T_MIGRATION_RESPONSE, &resp);
    if (e != MM_OK) mm_store_del(t->nonces, MM_TGT_NS_NONCE, nv);
  }
  mm_writer_free(&sig);
  return e;
}

static MM_MUST_USE mm_err handle_request(mm_target *t, const mm_intake *in, uint64_t now,
                                         mm_outbox *out) {
  mm_err e = check_request(t, in);
  return e == MM_OK ? issue_response(t, in, now, out) : e;
}

/* ---- traffic of hosted groups ---- */

/* The group's record and its members, from the store. */
static MM_MUST_USE mm_err load_hosted(const mm_target *t, mm_view group_id, mm_tgt_group *rec,
                                      mm_hosted *g) {
  mm_err e = mm_tgt_group_get(t->env->store, group_id, rec);
  if (e != MM_OK) return e;
  mm_view state;
  if (!mm_tgt_state_get(t->env->store, group_id, &state)) return MM_E_INTERNAL;
  mm_limits lim = mm_limits_default(rec->suite);
  lim.max_group_state = UINT64_MAX; /* it was checked when it came in */
  if (mm_group_state_decode(state.data, state.len, &lim, &g->state, NULL) != MM_OK)
    return MM_E_INTERNAL;
  g->epoch = rec->epoch;
  return MM_OK;
}

/* After import (LIFE-6): members' MLSMessages at the current epoch are
 * fanned out; a Commit advances the epoch, durably, before the fan-out. */
static MM_MUST_USE mm_err handle_traffic(mm_target *t, const mm_intake *in, mm_outbox *out) {
  const mm_mls_message *m = &in->body.mls_message;
  mm_tgt_group rec;
  mm_hosted g;
  mm_err e = load_hosted(t, m->group_id, &rec, &g);
  /* It serves only a group it imported (or created). */
  if (e == MM_E_NOT_FOUND) e = MM_RULE("LIFE-6", MM_E_UNKNOWN_GROUP);
  if (e == MM_OK) e = mm_hosted_check(&g, in);
  if (e != MM_OK) return e;
  bool commit = mm_hosted_is_commit(m);
  if (commit && rec.epoch == UINT64_MAX) return MM_E_STALE_EPOCH; /* no epoch after the last */
  /* All or nothing: the fan-out is queued first and withdrawn if the new
   * epoch cannot be saved, so members never see a Commit the DS forgot. */
  size_t queued = out->n;
  e = mm_hosted_fanout(&g, t->cfg->domain, in->env.body, out);
  if (e == MM_OK && commit) {
    rec.epoch++;
    e = mm_tgt_group_put(t->env->store, m->group_id, &rec);
    if (e == MM_OK)
      mm_hosted_report_commit(t->env, t->cfg->domain, &g, in->env.sender, in->env.body);
  }
  if (e != MM_OK) mm_outbox_truncate(out, queued);
  return e;
}

/* ---- dispatch ---- */

/* Queues the refusal for a handler's verdict. Local failures (out of
 * memory, a broken CSPRNG) are answered `internal` and returned as they are. */
static MM_MUST_USE mm_err answer(const mm_target *t, const mm_intake *in, mm_err e,
                                 mm_outbox *out) {
  if (e == MM_OK) return MM_OK;
  if (mm_err_is_wire((int)e)) return mm_ds_refuse(t->cfg, in, e, NULL, out);
  /* The local failure e is what the caller learns; a refusal that could not
   * be sent either adds nothing to it. */
  mm_err_discard(mm_ds_refuse(t->cfg, in, MM_E_INTERNAL, NULL, out));
  return e;
}

/* owned: the caller's buffer, which an import may keep (NULL: borrowed). */
static MM_MUST_USE mm_err handle(mm_target *t, const uint8_t *env, size_t len, uint8_t **owned,
                                 uint64_t now, mm_outbox *out) {
  if (!t || !out) return MM_E_USAGE;
  mm_intake in;
  mm_err e = mm_ds_intake(t->cfg, t->env, env, len, out, &in);
  if (e != MM_OK) return e;
  if (mm_ds_profile(t->cfg) == MM_PROFILE_V2) switch (in.env.msg_type) {
    case MM_MSG_MLS_MESSAGE:
    case MM_MSG_COMMIT_BUNDLE:
    case MM_MSG_GROUP_INFO_REQUEST: return answer(t, &in, mm_tgt_handle_v2(t, &in, out), out);
    case MM_MSG_MIGRATION_COMMIT:
      return mm_ds_refuse(t->cfg, &in, MM_E_MALFORMED, "not a message for a target DS", out);
    default: break;
    }
  switch (in.env.msg_type) {
  case MM_MSG_MIGRATION_REQUEST: e = handle_request(t, &in, now, out); break;
  case MM_MSG_MIGRATION_CONTENT: e = mm_tgt_handle_content(t, &in, owned, now, out); break;
  case MM_MSG_MIGRATION_WITHDRAW: e = mm_tgt_handle_withdraw(t, &in, out); break; /* AMD-4 */
  case MM_MSG_MIGRATION_COMMIT:
  case MM_MSG_MLS_MESSAGE: e = handle_traffic(t, &in, out); break;
  /* Never answer an error with an error: two DSes would ping-pong. */
  case MM_MSG_MIGRATION_ERROR: return MM_E_MALFORMED;
  default: return mm_ds_refuse(t->cfg, &in, MM_E_MALFORMED, "not a message for a target DS", out);
  }
  return answer(t, &in, e, out);
}

mm_err mm_target_handle(mm_target *t, const uint8_t *env, size_t len, uint64_t now,
                        mm_outbox *out) {
  return handle(t, env, len, NULL, now, out);
}

mm_err mm_target_handle_owned(mm_target *t, uint8_t **env, size_t len, uint64_t now,
                              mm_outbox *out) {
  if (!env) return MM_E_USAGE;
  return handle(t, *env, len, *env ? env : NULL, now, out);
}

/* The target runs no timers: nonces expire by comparison at use. */
mm_err mm_target_tick(mm_target *t, uint64_t now, mm_outbox *out) {
  (void)now;
  (void)out;
  return t ? MM_OK : MM_E_USAGE;
}

uint64_t mm_target_next_timer(const mm_target *t) {
  (void)t;
  return MM_NO_TIMER;
}

bool mm_target_group(const mm_target *t, mm_view group_id, mm_group_info *out) {
  mm_tgt_group rec;
  if (!t || mm_tgt_group_get(t->env->store, group_id, &rec) != MM_OK) {
    if (out) *out = (mm_group_info){.status = MM_GS_NONE};
    return false;
  }
  if (out) {
    *out = (mm_group_info){.status = MM_GS_ACTIVE,
                           .suite = rec.suite,
                           .epoch = rec.epoch,
                           .peer = rec.source,
                           .client = rec.client};
    mm_tgt_state_get(t->env->store, group_id, &out->state);
  }
  return true;
}

/* ---- the actor interface ---- */

static MM_MUST_USE mm_err op_handle(void *self, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out) {
  return mm_target_handle(self, env, len, now, out);
}
static MM_MUST_USE mm_err op_handle_owned(void *self, uint8_t **env, size_t len, uint64_t now,
                                          mm_outbox *out) {
  return mm_target_handle_owned(self, env, len, now, out);
}
static MM_MUST_USE mm_err op_tick(void *self, uint64_t now, mm_outbox *out) {
  return mm_target_tick(self, now, out);
}
static uint64_t op_next_timer(const void *self) { return mm_target_next_timer(self); }
static void op_free(void *self) { mm_target_free(self); }

static const mm_actor_ops target_ops = {op_handle, op_handle_owned, op_tick, op_next_timer,
                                        op_free};

mm_actor mm_target_actor(mm_target *t) { return (mm_actor){t ? &target_ops : NULL, t}; }

const char *const *mm_target_store_namespaces(void) {
  static const char *const ns[] = {MM_TGT_NS_NONCE, MM_TGT_NS_GROUP, MM_TGT_NS_STATE,
                                   MM_TGT_NS_REFUSAL, NULL};
  return ns;
}

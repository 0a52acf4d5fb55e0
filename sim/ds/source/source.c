/* The reference source DS: lifecycle, restore after a crash, dispatch of
 * incoming envelopes, group lookup and the timer table. The behaviour is
 * docs/actors.md ("Source DS"); the pieces live in source_*.c. */
#include <stdlib.h>
#include <string.h>

#include "ds/source/source_internal.h"

/* ---- small helpers shared by the source files ---- */

mm_store *src_mig_store(const mm_source *s) { return s->vol ? s->vol : s->env->store; }

mm_view src_gid_view(const src_gid *g) { return mm_view_of(g->b, g->len); }

void src_gid_set(src_gid *g, mm_view v) {
  g->len = v.len <= sizeof g->b ? v.len : 0;
  if (g->len) memcpy(g->b, v.data, g->len);
}

bool src_cstr(mm_view v, char *buf, size_t cap) {
  if (v.len >= cap) return false;
  if (v.len) memcpy(buf, v.data, v.len);
  buf[v.len] = '\0';
  return true;
}

mm_err src_verify_tbs(const mm_key *key, mm_type t, const void *msg, mm_view sig, uint16_t suite) {
  /* No key in the directory, or a key of another suite: never verifies. */
  mm_err e = MM_CHECK(0, key && mm_key_suite(key) == suite, "SUITE-1 KEY-1", MM_MUT_NONE,
                      MM_E_BAD_SIGNATURE);
  return e == MM_OK ? mm_verify_tbs(key, t, msg, sig) : e;
}

/* ---- groups ---- */

mm_err src_group_load(const mm_source *s, mm_view gid, src_group *g) {
  /* Only a group it hosts; a tombstone serves nothing (its callers may
   * answer group_migrated). */
  if (gid.len == 0 || gid.len > MM_GROUP_ID_MAX) return MM_RULE("GROUP-1", MM_E_UNKNOWN_GROUP);
  src_gid_set(&g->gid, gid);
  g->migrating = false;
  if (!src_meta_get(s->env->store, gid, &g->meta)) return MM_RULE("GROUP-1", MM_E_UNKNOWN_GROUP);
  if (g->meta.status == MM_GS_MIGRATED) return MM_RULE("LIFE-2", MM_E_GROUP_MIGRATED);
  mm_view state;
  if (!mm_store_get(s->env->store, SRC_NS_STATE, gid, &state)) return MM_E_INTERNAL;
  g->hosted = (mm_hosted){.epoch = g->meta.epoch};
  g->migrating = src_mig_get(src_mig_store(s), gid, &g->mig);
  if (mm_ds_profile(s->cfg) == MM_PROFILE_V2) return MM_OK; /* the state: src_mls_state */
  mm_limits lim = mm_ds_limits(s->env, g->meta.suite);
  mm_derr err = {0};
  if (mm_group_state_decode(state.data, state.len, &lim, &g->hosted.state, &err) != MM_OK)
    return MM_E_INTERNAL;
  return MM_OK;
}

mm_err src_refuse_migrated(const mm_source *s, const mm_intake *in, const src_group *g,
                           mm_outbox *out) {
  char target[MM_DOMAIN_MAX + 1];
  const char *detail = src_cstr(g->meta.peer, target, sizeof target) ? target : NULL;
  return mm_ds_refuse(s->cfg, in, MM_E_GROUP_MIGRATED, detail, out);
}

mm_err mm_source_add_mls_group(mm_source *s, uint16_t suite, const uint8_t *state, size_t len) {
  if (!s || mm_ds_profile(s->cfg) != MM_PROFILE_V2 || !mm_suite_get(suite) || (!state && len))
    return MM_E_USAGE;
  mm_mls_expect exp = {.suite = suite};
  mm_mls_state *st;
  mm_mls_why why;
  mm_err e = mm_mls_state_from_group_state(state, len, &exp, &st, &why);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_RULE("MLS-1 MLS-2", MM_E_BAD_GROUP_STATE);
  mm_view gid = mm_mls_state_group_id(st);
  src_meta meta;
  if (src_meta_get(s->env->store, gid, &meta)) e = MM_E_GROUP_EXISTS;
  if (e == MM_OK) e = mm_store_put(s->env->store, SRC_NS_STATE, gid, mm_view_of(state, len));
  meta = (src_meta){MM_GS_ACTIVE, suite, mm_mls_state_epoch(st), mm_view_of(NULL, 0)};
  if (e == MM_OK) e = src_meta_put(s->env->store, gid, &meta);
  mm_mls_state_free(st);
  return e;
}

mm_err mm_source_add_group(mm_source *s, const mm_group_state *g, const mm_member *members,
                           size_t n) {
  if (!s || mm_ds_profile(s->cfg) != MM_PROFILE_V1 || !g || (n && !members) ||
      !mm_suite_get(g->cipher_suite) || g->group_id.len == 0 || g->group_id.len > MM_GROUP_ID_MAX)
    return MM_E_USAGE;
  src_meta meta;
  if (src_meta_get(s->env->store, g->group_id, &meta)) return MM_E_GROUP_EXISTS;
  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_group_state_encode(g, members, n, &w);
  /* Decode what was written: member fields and the size bound (ENC-4) are
   * checked once here, so an exported state always decodes at the target. */
  mm_group_state check;
  mm_limits lim = mm_ds_limits(s->env, g->cipher_suite);
  mm_derr err = {0};
  if (e == MM_OK && mm_group_state_decode(w.buf, w.len, &lim, &check, &err) != MM_OK)
    e = MM_E_MALFORMED;
  uint8_t *buf;
  size_t len;
  if (e != MM_OK || (e = mm_writer_finish(&w, &buf, &len)) != MM_OK) {
    mm_writer_free(&w);
    return e;
  }
  /* Parse the members' leaf keys now rather than on the MigrationInit; an
   * invalid one is simply not kept (it is refused when used). */
  for (size_t i = 0; i < n; i++) {
    const mm_key *k;
    mm_key *owned;
    if (src_leaf_key(s, g->cipher_suite, members[i].signature_key, &k, &owned) == MM_OK)
      mm_key_free(owned);
  }
  /* The state is stored once, as written; epochs advance in source.group. */
  e = mm_store_put_owned(s->env->store, SRC_NS_STATE, g->group_id, buf, len);
  if (e != MM_OK) return e;
  meta = (src_meta){MM_GS_ACTIVE, g->cipher_suite, g->epoch, mm_view_of(NULL, 0)};
  return src_meta_put(s->env->store, g->group_id, &meta);
}

bool mm_source_group(const mm_source *s, mm_view group_id, mm_group_info *out) {
  src_meta meta;
  if (!s || !src_meta_get(s->env->store, group_id, &meta)) return false;
  *out = (mm_group_info){.status = MM_GS_ACTIVE, .suite = meta.suite, .epoch = meta.epoch};
  src_mig mig;
  if (meta.status == MM_GS_MIGRATED) {
    out->status = MM_GS_MIGRATED;
    out->peer = meta.peer;
  } else if (src_mig_get(src_mig_store(s), group_id, &mig)) {
    out->status = MM_GS_MIGRATING;
    out->client = mig.client;
  }
  return true;
}

/* ---- timers (volatile: re-armed from the store on restore) ---- */

static src_timer *timer_find(mm_source *s, mm_view gid) {
  for (size_t i = 0; i < s->ntimers; i++)
    if (mm_view_eq(src_gid_view(&s->timers[i].gid), gid)) return &s->timers[i];
  return NULL;
}

mm_err src_timer_set(mm_source *s, mm_view gid, uint64_t due) {
  src_timer *t = timer_find(s, gid);
  if (t) {
    t->due = due;
    return MM_OK;
  }
  if (s->ntimers == s->cap_timers) {
    size_t cap = s->cap_timers ? 2 * s->cap_timers : 8;
    src_timer *nv = realloc(s->timers, cap * sizeof *nv);
    if (!nv) return MM_E_NOMEM;
    s->timers = nv;
    s->cap_timers = cap;
  }
  t = &s->timers[s->ntimers++];
  src_gid_set(&t->gid, gid);
  t->due = due;
  return MM_OK;
}

void src_timer_clear(mm_source *s, mm_view gid) {
  src_timer *t = timer_find(s, gid);
  if (t) *t = s->timers[--s->ntimers];
}

/* Restore: a migration waiting for its Commit keeps its deadline; one that
 * sent MigrationContent retransmits right away (LIFE-5, DUR-1). */
typedef struct rearm_ctx {
  mm_source *s;
  mm_err err;
} rearm_ctx;

static bool rearm_one(void *ctx, mm_view gid, mm_view val) {
  (void)val;
  rearm_ctx *c = ctx;
  src_mig mig;
  if (!src_mig_get(src_mig_store(c->s), gid, &mig)) {
    c->err = MM_E_INTERNAL; /* a record this code did not write */
    return false;
  }
  uint64_t due = mig.phase == SRC_PHASE_WAIT_COMMIT ? mig.started + MM_HOLD_MS : 0;
  c->err = src_timer_set(c->s, gid, due);
  return c->err == MM_OK;
}

static MM_MUST_USE mm_err rearm_timers(mm_source *s) {
  rearm_ctx c = {s, MM_OK};
  mm_store_each(src_mig_store(s), SRC_NS_MIG, rearm_one, &c);
  return c.err;
}

uint64_t mm_source_next_timer(const mm_source *s) {
  uint64_t next = src_held_next(s);
  for (size_t i = 0; i < s->ntimers; i++)
    if (s->timers[i].due < next) next = s->timers[i].due;
  return next;
}

mm_err mm_source_tick(mm_source *s, uint64_t now, mm_outbox *out) {
  mm_err e = src_expire_held(s, now, out);
  for (size_t i = 0; e == MM_OK && i < s->ntimers;) {
    if (s->timers[i].due > now) {
      i++;
      continue;
    }
    src_gid gid = s->timers[i].gid; /* the table may change under us */
    e = src_migration_timer(s, src_gid_view(&gid), now, out);
    src_timer *t = timer_find(s, src_gid_view(&gid));
    if (t && t->due <= now) src_timer_clear(s, src_gid_view(&gid)); /* never spin */
    i = 0; /* entries may have moved: rescan */
  }
  return e;
}

/* ---- lifecycle and dispatch ---- */

mm_err mm_source_new(const mm_ds_config *cfg, const mm_env *env, mm_source **out) {
  if (!cfg || !env || !env->store || !cfg->domain || !out) return MM_E_USAGE;
  mm_source *s = calloc(1, sizeof *s);
  if (!s) return MM_E_NOMEM;
  s->cfg = cfg;
  s->env = env;
  mm_err e = MM_OK;
  /* The mutant keeps migrations and nonces where a crash loses them. */
  if (!MM_ENFORCED(cfg->mutants, "DUR-1", MM_MUT_FORGET_ON_CRASH) && !(s->vol = mm_store_new()))
    e = MM_E_NOMEM;
  s->leaves = src_leaves_new(); /* a cache: without it keys are parsed per use */
  if (e == MM_OK) e = rearm_timers(s);
  if (e != MM_OK) {
    mm_source_free(s);
    return e;
  }
  *out = s;
  return MM_OK;
}

void mm_source_free(mm_source *s) {
  if (!s) return;
  src_held_free_all(s);
  src_leaves_free(s->leaves);
  mm_mls_cache_free(s->mls);
  free(s->timers);
  mm_store_free(s->vol);
  free(s);
}

mm_err mm_source_handle(mm_source *s, const uint8_t *env, size_t len, uint64_t now,
                        mm_outbox *out) {
  mm_intake in;
  mm_err e = mm_ds_intake(s->cfg, s->env, env, len, out, &in);
  if (e != MM_OK) return e;
  if (mm_ds_profile(s->cfg) == MM_PROFILE_V2) switch (in.env.msg_type) {
    case MM_MSG_MLS_MESSAGE:
    case MM_MSG_COMMIT_BUNDLE:
    case MM_MSG_GROUP_INFO_REQUEST: return src_handle_v2(s, &in, out);
    case MM_MSG_MIGRATION_COMMIT: return src_handle_v2_migration_commit(s, &in, now, out);
    default: break;
    }
  switch (in.env.msg_type) {
  case MM_MSG_MIGRATION_INIT: return src_handle_init(s, &in, now, out);
  case MM_MSG_TARGET_MIGRATION_COMPLETE: return src_handle_complete(s, &in, out);
  case MM_MSG_MIGRATION_COMMIT:
  case MM_MSG_MLS_MESSAGE: return src_handle_mls(s, &in, now, out);
  case MM_MSG_MIGRATION_ERROR:
    /* Never answered (no error loops). A refusal of MigrationContent does
       * not end the migration: the draft has no abort after it (GAP-1). */
    return MM_OK;
  default:
    return mm_ds_refuse(s->cfg, &in, MM_E_MALFORMED, "message type not handled by a source DS",
                        out);
  }
}

/* ---- the actor interface ---- */

static MM_MUST_USE mm_err op_handle(void *self, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out) {
  return mm_source_handle(self, env, len, now, out);
}
static MM_MUST_USE mm_err op_tick(void *self, uint64_t now, mm_outbox *out) {
  return mm_source_tick(self, now, out);
}
static uint64_t op_next_timer(const void *self) { return mm_source_next_timer(self); }
static void op_free(void *self) { mm_source_free(self); }

static const mm_actor_ops source_ops = {op_handle, NULL, op_tick, op_next_timer, op_free};

mm_actor mm_source_actor(mm_source *s) { return (mm_actor){s ? &source_ops : NULL, s}; }

const char *const *mm_source_store_namespaces(void) {
  static const char *const ns[] = {SRC_NS_GROUP, SRC_NS_STATE, SRC_NS_MIG, SRC_NS_CONTENT,
                                   SRC_NS_HASH,  SRC_NS_NONCE, NULL};
  return ns;
}

/* MLSMessages at the source DS: the migration Commit (EPOCH-2), Commits
 * held until their MigrationInit arrives (LIFE-4), and ordinary hosted
 * traffic, which a migration in flight blocks for Commits (LIFE-3). The
 * source reads only the framing, never the content. */
#include <stdlib.h>
#include <string.h>

#include "ds/source/source_internal.h"

/* An authenticated_data that decodes exactly as MigrationCommitAAD marks a
 * migration Commit. */
static bool migration_aad(const mm_mls_message *m, uint16_t suite, mm_migration_commit_aad *aad) {
  mm_limits lim = mm_limits_default(suite);
  return mm_decode(MM_T_MIGRATION_COMMIT_AAD, m->authenticated_data.data, m->authenticated_data.len,
                   &lim, aad, NULL) == MM_OK;
}

/* EPOCH-2: a Commit of the request's group and epoch whose AAD names the
 * request's target. */
static MM_MUST_USE mm_err commit_fits(const mm_source *s, const src_group *g,
                                      const mm_mls_message *m, mm_view aad_target) {
  if (!MM_ENFORCED(s->cfg->mutants, "EPOCH-2", MM_MUT_SKIP_COMMIT_CHECK)) return MM_OK;
  mm_migration_init mi;
  mm_limits lim = mm_limits_default(g->meta.suite);
  if (mm_decode(MM_T_MIGRATION_INIT, g->mig.init.data, g->mig.init.len, &lim, &mi, NULL) != MM_OK)
    return MM_E_INTERNAL;
  const mm_migration_request *rq = &mi.migration_response.migration_request;
  bool fits = m->content_type == MM_CONTENT_COMMIT && mm_view_eq(m->group_id, rq->group_id) &&
              m->epoch == rq->epoch && mm_view_eq(aad_target, rq->target_domain_name);
  return MM_CHECK(s->cfg->mutants, fits, "EPOCH-2", MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
}

/* ---- held Commits (volatile, LIFE-4) ---- */

static void held_remove(mm_source *s, size_t i) {
  free(s->held[i].bytes);
  memmove(&s->held[i], &s->held[i + 1], (s->nheld - i - 1) * sizeof *s->held);
  s->nheld--;
}

void src_held_free_all(mm_source *s) {
  while (s->nheld) held_remove(s, s->nheld - 1);
  free(s->held);
  s->held = NULL;
  s->cap_held = 0;
}

uint64_t src_held_next(const mm_source *s) {
  uint64_t next = MM_NO_TIMER;
  for (size_t i = 0; i < s->nheld; i++)
    if (s->held[i].due < next) next = s->held[i].due;
  return next;
}

static MM_MUST_USE mm_err held_refuse(const mm_source *s, const src_held *h, mm_err code,
                                      const char *detail, mm_outbox *out) {
  return mm_send_error(out, h->sender, h->suite, s->cfg->domain, code, detail);
}

static MM_MUST_USE mm_err held_add(mm_source *s, const mm_intake *in, mm_view gid, uint64_t now) {
  if (s->nheld == s->cap_held) {
    size_t cap = s->cap_held ? 2 * s->cap_held : 4;
    src_held *nv = realloc(s->held, cap * sizeof *nv);
    if (!nv) return MM_E_NOMEM;
    s->held = nv;
    s->cap_held = cap;
  }
  src_held *h = &s->held[s->nheld];
  h->bytes = malloc(in->env.body.len ? in->env.body.len : 1);
  if (!h->bytes) return MM_E_NOMEM;
  memcpy(h->bytes, in->env.body.data, in->env.body.len);
  h->len = in->env.body.len;
  src_gid_set(&h->gid, gid);
  memcpy(h->sender, in->sender, sizeof h->sender);
  h->suite = in->env.cipher_suite;
  h->due = now + MM_HOLD_MS;
  s->nheld++;
  return MM_OK;
}

/* A migration Commit with no MigrationInit yet: checks that need no Init
 * now (a Commit at the group's epoch), then held for MM_HOLD_MS. */
static MM_MUST_USE mm_err hold_commit(mm_source *s, const mm_intake *in, const mm_mls_message *m,
                                      const src_group *g, uint64_t now, mm_outbox *out) {
  bool plausible = m->content_type == MM_CONTENT_COMMIT && m->epoch == g->hosted.epoch;
  mm_err e =
      MM_CHECK(s->cfg->mutants, plausible, "EPOCH-2", MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  size_t same_group = 0;
  for (size_t i = 0; i < s->nheld; i++) {
    if (!mm_view_eq(src_gid_view(&s->held[i].gid), src_gid_view(&g->gid))) continue;
    if (mm_view_eq(mm_view_of(s->held[i].bytes, s->held[i].len), in->env.body))
      return MM_OK; /* a retransmission: already held */
    same_group++;
  }
  /* Held a bounded time, and only so many. */
  e = MM_CHECK(s->cfg->mutants, same_group < SRC_MAX_HELD_PER_GROUP, "LIFE-4", MM_MUT_NONE,
               MM_E_BUSY);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  return held_add(s, in, src_gid_view(&g->gid), now);
}

/* Does held Commit h fit the migration that g now has? */
static bool held_fits(const mm_source *s, const src_group *g, const src_held *h) {
  mm_mls_message m;
  mm_migration_commit_aad aad = {0};
  if (h->suite != g->meta.suite ||
      src_commit_framing(s, h->suite, mm_view_of(h->bytes, h->len), &m) != MM_OK)
    return false;
  if (!migration_aad(&m, h->suite, &aad) &&
      MM_ENFORCED(s->cfg->mutants, "EPOCH-2", MM_MUT_SKIP_COMMIT_CHECK))
    return false;
  return commit_fits(s, g, &m, aad.target_ds_domain) == MM_OK;
}

/* Profile v2: the held migration Commit's CommitBundle, checked as any (MLS-4); a refusal is sent
 * to its sender and returned. */
static MM_MUST_USE mm_err held_bundle_ok(mm_source *s, const src_group *g, const src_held *h,
                                         mm_outbox *out) {
  if (mm_ds_profile(s->cfg) != MM_PROFILE_V2) return MM_OK;
  mm_intake in;
  memset(&in, 0, sizeof in);
  in.env.msg_type = MM_MSG_MIGRATION_COMMIT;
  in.env.cipher_suite = h->suite;
  in.env.sender = mm_view_str(h->sender);
  in.env.body = mm_view_of(h->bytes, h->len);
  memcpy(in.sender, h->sender, sizeof in.sender);
  mm_err e = src_v2_check_migration(s, &in, g);
  if (e != MM_OK && mm_err_is_wire((int)e)) mm_err_discard(held_refuse(s, h, e, NULL, out));
  return e;
}

mm_err src_match_held(mm_source *s, mm_view gid, uint64_t now, mm_outbox *out) {
  src_group g;
  mm_err e = src_group_load(s, gid, &g);
  if (e != MM_OK || !g.migrating) return e;
  bool taken = false;
  for (size_t i = 0; i < s->nheld;) {
    src_held *h = &s->held[i];
    if (!mm_view_eq(src_gid_view(&h->gid), gid)) {
      i++;
      continue;
    }
    mm_err r;
    if (taken) {
      r = MM_RULE("LIFE-3", held_refuse(s, h, MM_E_BUSY,
                                        "the epoch belongs to another migration Commit", out));
    } else if (!held_fits(s, &g, h)) {
      r = MM_RULE("EPOCH-2", held_refuse(s, h, MM_E_BAD_COMMIT, NULL, out));
    } else if ((r = held_bundle_ok(s, &g, h, out)) == MM_OK) {
      taken = true;
      r = src_start_transfer(s, &g, mm_view_of(h->bytes, h->len), now, out);
    } else if (mm_err_is_wire((int)r)) {
      r = MM_OK; /* refused to its sender by held_bundle_ok */
    }
    held_remove(s, i);
    if (e == MM_OK) e = r;
  }
  return e;
}

mm_err src_expire_held(mm_source *s, uint64_t now, mm_outbox *out) {
  mm_err e = MM_OK;
  for (size_t i = 0; i < s->nheld;) {
    if (s->held[i].due > now) {
      i++;
      continue;
    }
    mm_err r = MM_RULE("LIFE-4", held_refuse(s, &s->held[i], MM_E_BAD_COMMIT,
                                             "no MigrationInit for this migration Commit", out));
    held_remove(s, i);
    if (e == MM_OK) e = r;
  }
  return e;
}

/* ---- the migration Commit ---- */

static MM_MUST_USE mm_err migration_commit(mm_source *s, const mm_intake *in,
                                           const mm_mls_message *m, const src_group *g,
                                           mm_view aad_target, uint64_t now, mm_outbox *out) {
  mm_err e = MM_CHECK(s->cfg->mutants, !mm_view_eq_str(aad_target, s->cfg->domain), "EPOCH-2",
                      MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, "the Commit names this DS as target", out);
  if (!g->migrating) return hold_commit(s, in, m, g, now, out);
  if (g->mig.phase == SRC_PHASE_CONTENT_SENT) {
    if (mm_view_eq(g->mig.commit, in->env.body)) return MM_OK;                /* retransmission */
    return mm_ds_refuse(s->cfg, in, MM_RULE("LIFE-3", MM_E_BUSY), NULL, out); /* epoch taken */
  }
  e = commit_fits(s, g, m, aad_target);
  if (e == MM_OK && mm_ds_profile(s->cfg) == MM_PROFILE_V2) e = src_v2_check_migration(s, in, g);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  return src_start_transfer(s, g, in->env.body, now, out);
}

mm_err src_commit_framing(const mm_source *s, uint16_t suite, mm_view body, mm_mls_message *m) {
  mm_limits lim = mm_limits_default(suite);
  if (mm_ds_profile(s->cfg) != MM_PROFILE_V2)
    return mm_decode(MM_T_MLS_MESSAGE, body.data, body.len, &lim, m, NULL);
  mm_mls_commit_bundle cb;
  mm_err e = mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, body.data, body.len, &lim, &cb, NULL);
  if (e != MM_OK) return e;
  src_framing_of(&cb.commit, m);
  return MM_OK;
}

void src_framing_of(const mm_mls_msg *c, mm_mls_message *m) {
  memset(m, 0, sizeof *m);
  m->version = c->version;
  m->wire_format = c->wire_format;
  if (c->wire_format == MM_WIRE_PUBLIC) {
    const mm_mls_framed_content *fc = &c->public_message.content;
    m->group_id = fc->group_id;
    m->epoch = fc->epoch;
    m->sender_type = fc->sender.sender_type;
    m->sender_index = fc->sender.index;
    m->authenticated_data = fc->authenticated_data;
    m->content_type = fc->content_type;
  } else if (c->wire_format == MM_WIRE_PRIVATE) {
    m->group_id = c->private_message.group_id;
    m->epoch = c->private_message.epoch;
    m->authenticated_data = c->private_message.authenticated_data;
    m->content_type = c->private_message.content_type;
  }
}

mm_err src_handle_v2_migration_commit(mm_source *s, const mm_intake *in, uint64_t now,
                                      mm_outbox *out) {
  mm_mls_message m;
  src_framing_of(&in->mls_body.commit_bundle.commit, &m);
  src_group g;
  mm_err e = src_group_load(s, m.group_id, &g);
  if (e == MM_E_GROUP_MIGRATED) return src_refuse_migrated(s, in, &g, out);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  const mm_mls_state *cur;
  if ((e = src_mls_state(s, &g, &cur)) != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  /* A member's Commit (MLS-3), in the group's suite. */
  e = MM_CHECK(s->cfg->mutants, in->env.cipher_suite == g.meta.suite, "SUITE-2", MM_MUT_NONE,
               MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e == MM_OK)
    e = MM_CHECK(s->cfg->mutants, mm_mls_is_member(mm_mls_state_tree(cur), in->env.sender),
                 "AUTHZ-1", MM_MUT_SKIP_MEMBER_CHECK, MM_E_NOT_MEMBER);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  mm_migration_commit_aad aad;
  e = MM_CHECK(s->cfg->mutants, migration_aad(&m, g.meta.suite, &aad), "EPOCH-2",
               MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  if (e != MM_OK)
    return mm_ds_refuse(s->cfg, in, e, "a migration_commit without MigrationCommitAAD", out);
  return migration_commit(s, in, &m, &g, aad.target_ds_domain, now, out);
}

/* ---- ordinary traffic ---- */

static MM_MUST_USE mm_err ordinary(mm_source *s, const mm_intake *in, src_group *g,
                                   mm_outbox *out) {
  const mm_mls_message *m = &in->body.mls_message;
  bool commit = mm_hosted_is_commit(m);
  /* The migration Commit owns the epoch. */
  mm_err e = MM_CHECK(s->cfg->mutants, !commit || !g->migrating, "LIFE-3",
                      MM_MUT_COMMITS_DURING_MIGRATION, MM_E_BUSY);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  if (m->epoch != g->hosted.epoch) return mm_ds_refuse(s->cfg, in, MM_E_STALE_EPOCH, NULL, out);
  /* All or nothing: the fan-out is queued first and withdrawn if the new
   * epoch cannot be saved, so members never see a Commit the DS forgot. */
  size_t queued = out->n;
  e = mm_hosted_fanout(&g->hosted, s->cfg->domain, in->env.body, out);
  if (e == MM_OK && commit) {
    src_meta next = g->meta;
    next.epoch++;
    e = src_meta_put(s->env->store, src_gid_view(&g->gid), &next);
    if (e == MM_OK)
      mm_report_commit(s->env, s->cfg->domain, src_gid_view(&g->gid), g->hosted.epoch,
                       in->env.sender, in->env.body);
  }
  if (e != MM_OK) mm_outbox_truncate(out, queued);
  return e;
}

mm_err src_handle_mls(mm_source *s, const mm_intake *in, uint64_t now, mm_outbox *out) {
  const mm_mls_message *m = &in->body.mls_message;
  src_group g;
  mm_err e = src_group_load(s, m->group_id, &g);
  if (e == MM_E_GROUP_MIGRATED) return src_refuse_migrated(s, in, &g, out);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  /* Suite and membership first; the epoch is judged per kind below. */
  e = mm_hosted_check(&g.hosted, in);
  /* A member's Commit, also the migration Commit. */
  if (e == MM_E_NOT_MEMBER && !MM_ENFORCED(s->cfg->mutants, "AUTHZ-1", MM_MUT_SKIP_MEMBER_CHECK))
    e = MM_OK;
  if (e != MM_OK && e != MM_E_STALE_EPOCH) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  mm_migration_commit_aad aad;
  if (migration_aad(m, g.meta.suite, &aad))
    return migration_commit(s, in, m, &g, aad.target_ds_domain, now, out);
  /* The mutant takes any message as the migration Commit it waits for. */
  bool waiting = g.migrating && g.mig.phase == SRC_PHASE_WAIT_COMMIT;
  if (waiting && !MM_ENFORCED(s->cfg->mutants, "EPOCH-2", MM_MUT_SKIP_COMMIT_CHECK))
    return src_start_transfer(s, &g, in->env.body, now, out);
  return ordinary(s, in, &g, out);
}

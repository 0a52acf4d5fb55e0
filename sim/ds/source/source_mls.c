/* Profile v2 traffic at the source DS (docs/actors.md, "Profile v2"): the
 * group is its MigrationGroupState in source.state, one per epoch; a
 * CommitBundle is checked (MLS-4), its new state made durable, then the
 * commit fanned out; a migration in flight owns the epoch (LIFE-3). */
#include <stdlib.h>

#include "ds/source/source_internal.h"

/* The group's current state, validated (cached). */
static MM_MUST_USE mm_err load_state(mm_source *s, const src_group *g, const mm_mls_state **out) {
  mm_view stored;
  if (!mm_store_get(s->env->store, SRC_NS_STATE, src_gid_view(&g->gid), &stored))
    return MM_E_INTERNAL;
  return mm_mls_cache_get(&s->mls, g->meta.suite, src_gid_view(&g->gid), stored, out);
}

static MM_MUST_USE mm_err commit_bundle(mm_source *s, const mm_intake *in, const src_group *g,
                                        const mm_mls_state *cur, mm_outbox *out) {
  /* The migration Commit owns the epoch. */
  mm_err e = MM_CHECK(s->cfg->mutants, !g->migrating, "LIFE-3", MM_MUT_COMMITS_DURING_MIGRATION,
                      MM_E_BUSY);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  mm_mls_state *next;
  mm_mls_commit_info info;
  e = mm_hosted_mls_bundle(s->cfg, in, cur, &next, &info);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  /* Durable before anything is sent (MLS-4, DUR-1); all or nothing. */
  size_t queued = out->n;
  mm_writer w;
  mm_writer_init(&w);
  e = mm_mls_state_encode(next, mm_view_of(NULL, 0), &w);
  if (e == MM_OK) e = mm_hosted_mls_fanout(s->cfg, cur, next, &info, out);
  uint64_t epoch = mm_mls_state_epoch(cur);
  mm_view gid = src_gid_view(&g->gid);
  if (e == MM_OK)
    e = MM_RULE("MLS-4 DUR-1", mm_store_put(s->env->store, SRC_NS_STATE, gid, mm_writer_view(&w)));
  if (e == MM_OK) {
    src_meta meta = g->meta;
    meta.epoch = mm_mls_state_epoch(next);
    e = src_meta_put(s->env->store, gid, &meta);
  }
  if (e == MM_OK) mm_report_commit(s->env, s->cfg->domain, gid, epoch, in->env.sender, info.commit);
  mm_writer_free(&w);
  mm_mls_state_free(next);
  if (e != MM_OK) mm_outbox_truncate(out, queued);
  return e;
}

mm_err src_handle_v2(mm_source *s, const mm_intake *in, mm_outbox *out) {
  mm_view gid;
  switch (in->env.msg_type) {
  case MM_MSG_COMMIT_BUNDLE: {
    const mm_mls_msg *c = &in->mls_body.commit_bundle.commit;
    gid = c->wire_format == MM_WIRE_PUBLIC ? c->public_message.content.group_id
                                           : c->private_message.group_id;
    break;
  }
  case MM_MSG_GROUP_INFO_REQUEST: gid = in->mls_body.group_id; break;
  default: gid = in->body.mls_message.group_id; break;
  }
  src_group g;
  mm_err e = src_group_load(s, gid, &g);
  if (e == MM_E_GROUP_MIGRATED) return src_refuse_migrated(s, in, &g, out);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  const mm_mls_state *cur;
  if ((e = load_state(s, &g, &cur)) != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  switch (in->env.msg_type) {
  case MM_MSG_COMMIT_BUNDLE: return commit_bundle(s, in, &g, cur, out);
  case MM_MSG_GROUP_INFO_REQUEST: e = mm_hosted_mls_group_info(s->cfg, in, cur, out); break;
  default:
    /* Commits travel as CommitBundles (MLS-4): a bare one is refused. */
    e = MM_CHECK(s->cfg->mutants, !mm_hosted_is_commit(&in->body.mls_message), "MLS-4", MM_MUT_NONE,
                 MM_E_BAD_COMMIT);
    if (e == MM_OK) e = mm_hosted_mls_app(s->cfg, in, cur, out);
    break;
  }
  return e == MM_OK ? e : mm_ds_refuse(s->cfg, in, e, NULL, out);
}

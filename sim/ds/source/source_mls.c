/* Profile v2 traffic at the source DS (docs/actors.md, "Profile v2"): the
 * group is its MigrationGroupState in source.state, one per epoch; a
 * CommitBundle is checked (MLS-4), its new state made durable, then the
 * commit fanned out; a migration in flight owns the epoch (LIFE-3). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds/source/source_internal.h"

mm_err src_mls_state(const mm_source *s, const src_group *g, const mm_mls_state **out) {
  mm_view stored;
  if (!mm_store_get(s->env->store, SRC_NS_STATE, src_gid_view(&g->gid), &stored))
    return MM_E_INTERNAL;
  /* The cache is volatile and changes nothing the source decides: a const source may fill it. */
  mm_source *mut = (mm_source *)(uintptr_t)s;
  return mm_mls_cache_get(&mut->mls, g->meta.suite, src_gid_view(&g->gid), stored, out);
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
  mm_view gid = mm_hosted_v2_group_id(in);
  src_group g;
  mm_err e = src_group_load(s, gid, &g);
  if (e == MM_E_GROUP_MIGRATED) return src_refuse_migrated(s, in, &g, out);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  const mm_mls_state *cur;
  if ((e = src_mls_state(s, &g, &cur)) != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
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

/* ---- the migration (MLS-1) ---- */

mm_err src_v2_check_migration(mm_source *s, const mm_intake *in, const src_group *g) {
  const mm_mls_state *cur;
  mm_err e = src_mls_state(s, g, &cur);
  if (e != MM_OK) return e;
  mm_mls_state *next;
  mm_mls_commit_info info;
  e = mm_hosted_mls_bundle(s->cfg, in, cur, &next, &info);
  mm_mls_state_free(next);
  return e;
}

/* The identity of the committer of a CommitBundle: its GroupInfo's signer leaf in its tree. */
static MM_MUST_USE mm_err committer_of(uint16_t suite, mm_view bundle, const mm_mls_tree **tree,
                                       mm_mls_tree **owned, mm_view *id) {
  mm_limits lim = mm_limits_default(suite);
  mm_mls_commit_bundle cb;
  mm_err e = mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, bundle.data, bundle.len, &lim, &cb, NULL);
  mm_mls_why why;
  if (e == MM_OK) e = mm_mls_tree_from_list(suite, cb.ratchet_tree, owned, &why);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_E_INTERNAL;
  *tree = *owned;
  mm_mls_leaf_node ln;
  if (!mm_mls_tree_leaf(*tree, cb.group_info.signer, &ln)) return MM_E_INTERNAL;
  *id = ln.credential.identity;
  return MM_OK;
}

mm_err src_v2_next_state(const mm_source *s, const src_group *g, mm_view bundle, mm_writer *w,
                         mm_mls_state **next, mm_mls_commit_info *info,
                         const mm_mls_state **cur_out) {
  const mm_mls_state *cur;
  mm_err e = src_mls_state(s, g, &cur);
  if (e != MM_OK) return e;
  /* Checked when it came (MLS-4): only the committer is needed to apply it again. */
  const mm_mls_tree *t;
  mm_mls_tree *owned = NULL;
  mm_view id;
  e = committer_of(g->meta.suite, bundle, &t, &owned, &id);
  mm_mls_commit_info local;
  mm_mls_why why;
  *next = NULL;
  if (e == MM_OK)
    e = mm_mls_state_apply_bundle(cur, bundle.data, bundle.len, id, next, info ? info : &local,
                                  &why);
  mm_mls_tree_free(owned);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_E_INTERNAL;
  mm_view stored;
  if (!mm_store_get(s->env->store, SRC_NS_STATE, src_gid_view(&g->gid), &stored))
    return MM_E_INTERNAL;
  /* MLS-1: the state of the epoch the migration Commit creates, with the source's ds_payload. */
  e = MM_RULE("MLS-1", mm_mls_state_encode(*next, mm_mls_state_ds_payload(cur), w));
  if (cur_out) *cur_out = cur;
  return e;
}

mm_err src_v2_check_init(mm_source *s, const src_group *g, mm_view id, const mm_migration_init *mi,
                         bool *member) {
  const mm_mls_state *cur;
  mm_err e = src_mls_state(s, g, &cur);
  if (e != MM_OK) return e;
  const mm_mls_tree *t = mm_mls_state_tree(cur);
  *member = mm_mls_is_member(t, id);
  if (!*member) return MM_E_BAD_SIGNATURE;
  /* KEY-2 from the tree: one of the identity's leaves signed it (a user's devices share it). */
  uint32_t leaf = 0;
  mm_mls_member m;
  while (mm_mls_find_member(t, id, &leaf, &m)) {
    const mm_key *k;
    mm_key *owned;
    e = src_leaf_key(s, g->meta.suite, m.signature_key, &k, &owned);
    if (e == MM_E_NOMEM) return e;
    if (e == MM_OK) {
      e = src_verify_tbs(k, MM_T_MIGRATION_INIT, mi, mi->signature, g->meta.suite);
      mm_key_free(owned);
      if (e == MM_OK || e == MM_E_NOMEM) return e;
    }
    leaf++;
  }
  return MM_E_BAD_SIGNATURE;
}

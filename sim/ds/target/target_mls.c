/* Profile v2 traffic at the target DS (docs/actors.md, "Profile v2"): a
 * group created here or imported is its MigrationGroupState in
 * target.state, rewritten by every accepted CommitBundle before the
 * fan-out; after an import the target is the group's DS in full (LIFE-6). */
#include <stdlib.h>
#include <string.h>

#include "ds/target/target_internal.h"

/* The group named by the message, its record, and its validated state. */
static MM_MUST_USE mm_err load(mm_target *t, mm_view gid, mm_tgt_group *rec,
                               const mm_mls_state **cur) {
  mm_err e = mm_tgt_group_get(t->env->store, gid, rec);
  /* It serves only a group it imported (or created). */
  if (e == MM_E_NOT_FOUND) return MM_RULE("LIFE-6", MM_E_UNKNOWN_GROUP);
  if (e != MM_OK) return e;
  mm_view stored;
  if (!mm_tgt_state_get(t->env->store, gid, &stored)) return MM_E_INTERNAL;
  return mm_mls_cache_get(&t->mls, rec->suite, gid, stored, cur);
}

static MM_MUST_USE mm_err commit_bundle(mm_target *t, const mm_intake *in, mm_view gid,
                                        mm_tgt_group *rec, const mm_mls_state *cur,
                                        mm_outbox *out) {
  mm_mls_state *next;
  mm_mls_commit_info info;
  mm_err e = mm_hosted_mls_bundle(t->cfg, in, cur, &next, &info);
  if (e != MM_OK) return e;
  /* Durable before anything is sent (MLS-4, DUR-1), the DS's ds_payload kept (MLS-1). */
  size_t queued = out->n;
  uint64_t epoch = mm_mls_state_epoch(cur);
  uint8_t gid_buf[MM_GROUP_ID_MAX];
  memcpy(gid_buf, gid.data, gid.len);
  gid = mm_view_of(gid_buf, gid.len); /* the store's views change below */
  mm_writer w;
  mm_writer_init(&w);
  e = mm_mls_state_encode(next, mm_mls_state_ds_payload(cur), &w);
  if (e == MM_OK) e = mm_hosted_mls_fanout(t->cfg, cur, next, &info, out);
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (e == MM_OK)
    e = mm_writer_finish(&w, &bytes, &len);
  else
    mm_writer_free(&w);
  mm_tgt_group upd = *rec;
  upd.epoch = mm_mls_state_epoch(next);
  mm_mls_state_free(next);
  if (e == MM_OK)
    e = MM_RULE("MLS-4 DUR-1", mm_tgt_state_put_owned(t->env->store, gid, bytes, len));
  if (e == MM_OK) e = mm_tgt_group_put(t->env->store, gid, &upd);
  if (e == MM_OK) mm_report_commit(t->env, t->cfg->domain, gid, epoch, in->env.sender, info.commit);
  if (e != MM_OK) mm_outbox_truncate(out, queued);
  return e;
}

mm_err mm_tgt_handle_v2(mm_target *t, const mm_intake *in, mm_outbox *out) {
  mm_view gid = mm_hosted_v2_group_id(in);
  if (gid.len == 0 || gid.len > MM_GROUP_ID_MAX) return MM_RULE("LIFE-6", MM_E_UNKNOWN_GROUP);
  mm_tgt_group rec;
  const mm_mls_state *cur;
  mm_err e = load(t, gid, &rec, &cur);
  if (e != MM_OK) return e;
  switch (in->env.msg_type) {
  case MM_MSG_COMMIT_BUNDLE: return commit_bundle(t, in, gid, &rec, cur, out);
  case MM_MSG_GROUP_INFO_REQUEST: return mm_hosted_mls_group_info(t->cfg, in, cur, out);
  default:
    /* Commits travel as CommitBundles (MLS-4): a bare one is refused. */
    e = MM_CHECK(t->cfg->mutants, !mm_hosted_is_commit(&in->body.mls_message), "MLS-4", MM_MUT_NONE,
                 MM_E_BAD_COMMIT);
    return e == MM_OK ? mm_hosted_mls_app(t->cfg, in, cur, out) : e;
  }
}

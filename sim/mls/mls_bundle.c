/* A member's Commit as a CommitBundle (profile MLS-4), and a new group's
 * first public state: RFC 9420 12.3 (proposals in the order Update,
 * Remove, Add), 12.4 (the path), 12.4.3 (GroupInfo, Welcome). */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/mls_build.h"

#define MAX_PATH 32

/* The committer's path: fresh HPKE keys for its filtered direct path, then
 * mm_mls_tree_set_path. */
static mm_err commit_path(mm_mls_tree *t, uint32_t leaf, const mm_key *k, mm_view identity,
                          mm_view group_id, mm_rng *rng) {
  uint16_t suite = mm_mls_tree_suite(t);
  uint32_t fp[MAX_PATH];
  size_t n;
  mm_err e = mm_mls_tree_filtered_path(t, leaf, fp, MAX_PATH, &n);
  if (e != MM_OK) return e;
  uint8_t(*bufs)[MM_MAX_PUB_LEN] = malloc((n + 1) * sizeof *bufs);
  if (!bufs) return MM_E_NOMEM;
  mm_view keys[MAX_PATH];
  for (size_t i = 0; e == MM_OK && i < n; i++) {
    keys[i] = mm_mls_random_hpke_key(suite, rng, bufs[i]);
    if (!keys[i].len) e = MM_E_CRYPTO;
  }
  mm_mls_leaf_spec spec = {.identity = identity};
  spec.encryption_key = mm_mls_random_hpke_key(suite, rng, bufs[n]);
  if (e == MM_OK && !spec.encryption_key.len) e = MM_E_CRYPTO;
  if (e == MM_OK) e = mm_mls_tree_set_path(t, leaf, keys, n, k, &spec, group_id, NULL);
  free(bufs);
  return e;
}

/* A LeafNode of key_package source for identity, with a fresh HPKE key. */
static mm_err plain_leaf(const mm_key *k, mm_view identity, mm_rng *rng, mm_writer *out) {
  uint8_t buf[MM_MAX_PUB_LEN];
  mm_mls_leaf_spec spec = {.identity = identity,
                           .encryption_key = mm_mls_random_hpke_key(mm_key_suite(k), rng, buf),
                           .source = MM_MLS_SRC_KEY_PACKAGE,
                           .lifetime = {0, UINT64_MAX / 2}};
  if (!spec.encryption_key.len) return MM_E_CRYPTO;
  return mm_mls_build_leaf_node(k, &spec, mm_view_of(NULL, 0), 0, out);
}

/* What applying the proposals produced. */
typedef struct applied {
  mm_writer plist; /* ProposalOrRef list contents */
  uint32_t plist_n;
  uint32_t *joiners; /* leaves the Adds filled */
  mm_writer kps;     /* their KeyPackages, back to back */
  size_t *kp_end;    /* end offset of each in kps */
  size_t n_join;
} applied;

static void applied_free(applied *a) {
  mm_writer_free(&a->plist);
  mm_writer_free(&a->kps);
  free(a->joiners);
  free(a->kp_end);
}

static mm_err apply_add(mm_mls_tree *t, const mm_mls_proposal *p, const mm_limits *lim,
                        applied *a) {
  mm_writer leaf;
  mm_writer_init(&leaf);
  mm_err e = mm_mls_encode(MM_MLS_T_LEAF_NODE, &p->add.key_package.leaf_node, lim, &leaf, NULL);
  if (e == MM_OK) e = mm_mls_tree_add(t, mm_writer_view(&leaf), &a->joiners[a->n_join]);
  mm_writer_free(&leaf);
  if (e == MM_OK) e = mm_mls_encode(MM_MLS_T_KEY_PACKAGE, &p->add.key_package, lim, &a->kps, NULL);
  if (e == MM_OK) a->kp_end[a->n_join++] = a->kps.len;
  return e;
}

/* The proposals of spec applied to t in RFC 9420's order, and listed by
 * value in that order. */
static mm_err apply_proposals(const mm_mls_commit_spec *spec, mm_mls_tree *t, applied *a) {
  static const uint16_t order[] = {MM_MLS_PROP_GROUP_CONTEXT_EXTENSIONS,
                                   MM_MLS_PROP_UPDATE,
                                   MM_MLS_PROP_REMOVE,
                                   MM_MLS_PROP_PSK,
                                   MM_MLS_PROP_ADD,
                                   MM_MLS_PROP_REINIT,
                                   MM_MLS_PROP_EXTERNAL_INIT};
  mm_limits lim = mm_limits_default(mm_mls_tree_suite(t));
  size_t n = spec->n_proposals ? spec->n_proposals : 1;
  a->joiners = malloc(n * sizeof *a->joiners);
  a->kp_end = malloc(n * sizeof *a->kp_end);
  if (!a->joiners || !a->kp_end) return MM_E_NOMEM;
  mm_err e = MM_OK;
  for (size_t o = 0; e == MM_OK && o < sizeof order / sizeof order[0]; o++)
    for (size_t i = 0; e == MM_OK && i < spec->n_proposals; i++) {
      const mm_mls_proposal *p = &spec->proposals[i];
      if (p->proposal_type != order[o]) continue;
      mm_mls_proposal_or_ref por = {.type = MM_MLS_POR_PROPOSAL, .proposal = *p};
      e = mm_mls_elem_encode(MM_MLS_E_PROPOSAL_OR_REF, &por, &a->plist);
      a->plist_n++;
      if (e != MM_OK) break;
      if (p->proposal_type == MM_MLS_PROP_ADD)
        e = apply_add(t, p, &lim, a);
      else if (p->proposal_type == MM_MLS_PROP_UPDATE || p->proposal_type == MM_MLS_PROP_REMOVE)
        e = mm_mls_tree_apply_proposal(t, p, spec->committer);
    }
  return e;
}

/* An ExternalInit proposal (random kem_output) for an external commit. */
static mm_err add_external_init(mm_rng *rng, uint16_t suite, applied *a, uint8_t *buf) {
  const mm_suite *s = mm_suite_get(suite);
  mm_err e = mm_rng_fill(rng, buf, s->kem_pub_len);
  mm_mls_proposal_or_ref por = {.type = MM_MLS_POR_PROPOSAL};
  por.proposal.proposal_type = MM_MLS_PROP_EXTERNAL_INIT;
  por.proposal.external_init.kem_output = mm_view_of(buf, s->kem_pub_len);
  if (e == MM_OK) e = mm_mls_elem_encode(MM_MLS_E_PROPOSAL_OR_REF, &por, &a->plist);
  if (e == MM_OK) a->plist_n++;
  return e;
}

static bool has_external_init(const mm_mls_commit_spec *spec) {
  for (size_t i = 0; i < spec->n_proposals; i++)
    if (spec->proposals[i].proposal_type == MM_MLS_PROP_EXTERNAL_INIT) return true;
  return false;
}

/* Commit { proposals, optional<UpdatePath> path }. */
static mm_err put_commit(const applied *a, const mm_mls_tree *t, uint32_t committer, bool path,
                         mm_rng *rng, mm_writer *out) {
  if (!mm_put_vec(out, a->plist.buf, a->plist.len)) return out->error;
  mm_put_u8(out, path ? 1 : 0);
  if (!path) return out->error;
  return mm_mls_build_update_path(t, committer, a->joiners, a->n_join, rng, out);
}

/* The Welcome for the joiners, into out. */
static mm_err put_welcome(const applied *a, uint16_t suite, mm_rng *rng, mm_writer *out) {
  mm_view kps[64];
  size_t n = a->n_join < 64 ? a->n_join : 64;
  if (a->n_join > 64) return MM_E_USAGE;
  for (size_t i = 0; i < n; i++) {
    size_t start = i ? a->kp_end[i - 1] : 0;
    kps[i] = mm_view_of(a->kps.buf + start, a->kp_end[i] - start);
  }
  return mm_mls_build_welcome(suite, kps, n, rng, out);
}

mm_err mm_mls_build_commit_bundle(const mm_mls_commit_spec *spec, mm_rng *rng, mm_writer *out,
                                  mm_mls_tree **new_tree) {
  if (!spec || !spec->ctx || !spec->cur_tree || !spec->key || !rng || !out) return MM_E_USAGE;
  const mm_mls_group_context *ctx = spec->ctx;
  uint16_t suite = mm_mls_tree_suite(spec->cur_tree);
  const mm_suite *s = mm_suite_get(suite);
  if (mm_key_suite(spec->key) != suite || ctx->epoch == UINT64_MAX) return MM_E_USAGE;
  mm_mls_tree *t = NULL;
  applied a = {0};
  mm_writer_init(&a.plist);
  mm_writer_init(&a.kps);
  mm_writer commit, msg, welcome, gi;
  mm_writer_init(&commit);
  mm_writer_init(&msg);
  mm_writer_init(&welcome);
  mm_writer_init(&gi);
  uint8_t kem[MM_MAX_PUB_LEN];
  uint32_t committer = spec->committer;
  mm_err e = mm_mls_tree_copy(spec->cur_tree, &t);
  if (e == MM_OK) e = apply_proposals(spec, t, &a);
  if (e == MM_OK && spec->external) {
    /* The joiner's own leaf goes in like an Add; its path replaces it. */
    mm_writer leaf;
    mm_writer_init(&leaf);
    e = plain_leaf(spec->key, spec->identity, rng, &leaf);
    if (e == MM_OK) e = mm_mls_tree_add(t, mm_writer_view(&leaf), &committer);
    mm_writer_free(&leaf);
    if (e == MM_OK && !has_external_init(spec)) e = add_external_init(rng, suite, &a, kem);
  }
  bool path = spec->path || spec->external;
  if (e == MM_OK && path)
    e = commit_path(t, committer, spec->key, spec->identity, ctx->group_id, rng);
  if (e == MM_OK) e = put_commit(&a, t, committer, path, rng, &commit);
  if (e == MM_OK)
    e = mm_mls_build_public_commit(spec->key, ctx, spec->external, spec->committer, spec->aad,
                                   mm_writer_view(&commit), rng, &msg);
  if (e == MM_OK && a.n_join) e = put_welcome(&a, suite, rng, &welcome);
  /* The new epoch's context: the tree hash is real; the confirmed
   * transcript hash stands in for RFC 9420's (a hash of the commit). */
  uint8_t th[MM_MAX_HASH_LEN], cth[MM_MAX_HASH_LEN];
  size_t th_len = 0, cth_len = 0;
  if (e == MM_OK) e = mm_mls_tree_hash(t, mm_mls_tree_root(t), th, &th_len);
  if (e == MM_OK) e = mm_hash(suite, msg.buf, msg.len, cth, &cth_len);
  mm_mls_group_context next = *ctx;
  next.epoch = ctx->epoch + 1;
  next.tree_hash = mm_view_of(th, th_len);
  next.confirmed_transcript_hash = mm_view_of(cth, cth_len);
  if (e == MM_OK) e = mm_mls_build_group_info(spec->key, &next, committer, rng, &gi);
  /* CommitBundle { commit, optional<MLSMessage> welcome, group_info, ratchet_tree } */
  if (e == MM_OK) {
    mm_put_bytes(out, msg.buf, msg.len);
    mm_put_u8(out, a.n_join ? 1 : 0);
    mm_put_bytes(out, welcome.buf, welcome.len);
    mm_put_bytes(out, gi.buf, gi.len);
    e = out->error;
  }
  if (e == MM_OK) e = mm_mls_tree_encode(t, out);
  (void)s;
  mm_writer_free(&commit);
  mm_writer_free(&msg);
  mm_writer_free(&welcome);
  mm_writer_free(&gi);
  applied_free(&a);
  if (e == MM_OK && new_tree)
    *new_tree = t;
  else
    mm_mls_tree_free(t);
  return e;
}

mm_err mm_mls_build_group(uint16_t suite, mm_view group_id, uint64_t epoch,
                          const mm_view *identities, mm_key *const *keys, size_t n, mm_rng *rng,
                          mm_writer *out, mm_mls_tree **tree_out) {
  if (n == 0 || n > MM_MLS_MAX_LEAVES || !identities || !keys || !rng) return MM_E_USAGE;
  mm_mls_tree *t = NULL;
  mm_writer leaf;
  mm_writer_init(&leaf);
  mm_err e = plain_leaf(keys[0], identities[0], rng, &leaf);
  if (e == MM_OK) e = mm_mls_tree_new(suite, mm_writer_view(&leaf), &t);
  for (size_t i = 1; e == MM_OK && i < n; i++) {
    leaf.len = 0;
    uint32_t at;
    e = plain_leaf(keys[i], identities[i], rng, &leaf);
    if (e == MM_OK) e = mm_mls_tree_add(t, mm_writer_view(&leaf), &at);
  }
  mm_writer_free(&leaf);
  /* Leaf 0 commits with a path: every parent on it is real. */
  if (e == MM_OK && n > 1) e = commit_path(t, 0, keys[0], identities[0], group_id, rng);
  uint8_t th[MM_MAX_HASH_LEN], cth[MM_MAX_HASH_LEN];
  size_t th_len = 0, cth_len = 0;
  if (e == MM_OK) e = mm_mls_tree_hash(t, mm_mls_tree_root(t), th, &th_len);
  if (e == MM_OK && epoch) { /* epoch 0's confirmed transcript hash is empty */
    cth_len = th_len;
    e = mm_rng_fill(rng, cth, cth_len);
  }
  mm_mls_group_context ctx = {.version = MM_MLS10,
                              .cipher_suite = suite,
                              .group_id = group_id,
                              .epoch = epoch,
                              .tree_hash = mm_view_of(th, th_len),
                              .confirmed_transcript_hash = mm_view_of(cth, cth_len),
                              .extensions = {mm_view_of(NULL, 0), 0}};
  if (e == MM_OK) e = mm_mls_build_group_info(keys[0], &ctx, 0, rng, out);
  if (e == MM_OK) e = mm_mls_tree_encode(t, out);
  if (e == MM_OK && tree_out)
    *tree_out = t;
  else
    mm_mls_tree_free(t);
  return e;
}

/* MigrationInit at the source DS, checked in the order of docs/actors.md
 * ("Source DS", steps 1-11). Every check runs before the first write, so a
 * refusal leaves the store as it was. Each mutant disables exactly one
 * check, at that check. */
#include "ds/source/source_internal.h"

typedef struct init_ctx {
  const mm_intake *in;
  const mm_migration_init *mi;
  const mm_migration_request *rq;
  uint16_t suite;
  src_group g;
  const mm_key *target_key;
  bool is_member;
  mm_member member;
  mm_err v2_sig; /* profile v2: the MigrationInit signature's verdict (KEY-2 from the tree) */
} init_ctx;

/* Step 3 (DOM-2): the request names this source, and a target that is
 * another DS with a published key for the suite (KEY-1). */
static MM_MUST_USE mm_err check_domains(const mm_source *s, init_ctx *c) {
  bool names_us = mm_view_eq_str(c->rq->source_domain_name, s->cfg->domain) &&
                  !mm_view_eq(c->rq->source_domain_name, c->rq->target_domain_name);
  mm_err e =
      MM_CHECK(s->cfg->mutants, names_us, "DOM-2", MM_MUT_SKIP_DOMAIN_CHECK, MM_E_WRONG_DOMAIN);
  if (e != MM_OK) return e;
  c->target_key = mm_keydir_get(s->env->keys, c->rq->target_domain_name, c->suite);
  return MM_CHECK(s->cfg->mutants, c->target_key, "KEY-1", MM_MUT_NONE, MM_E_WRONG_DOMAIN);
}

/* Step 4 (AUTHZ-1): the authenticated sender has a leaf in the group. */
static MM_MUST_USE mm_err check_member(mm_source *s, init_ctx *c) {
  if (mm_ds_profile(s->cfg) == MM_PROFILE_V2) { /* MLS-3: members from the tree */
    c->v2_sig = src_v2_check_init(s, &c->g, c->in->env.sender, c->mi, &c->is_member);
    if (c->v2_sig == MM_E_NOMEM || c->v2_sig == MM_E_INTERNAL) return c->v2_sig;
  } else {
    c->is_member = mm_group_state_find(&c->g.hosted.state, c->in->env.sender, &c->member);
  }
  return MM_CHECK(s->cfg->mutants, c->is_member, "AUTHZ-1", MM_MUT_SKIP_MEMBER_CHECK,
                  MM_E_NOT_MEMBER);
}

/* Step 5 (SIG-2, KEY-2): signed with that member's leaf key. */
static MM_MUST_USE mm_err check_init_signature(const mm_source *s, const init_ctx *c) {
  if (!MM_ENFORCED(s->cfg->mutants, "SIG-2 KEY-2", MM_MUT_SKIP_INIT_SIG)) return MM_OK;
  if (!c->is_member) return MM_OK; /* only under skip-member-check: no leaf key */
  if (mm_ds_profile(s->cfg) == MM_PROFILE_V2) return c->v2_sig; /* verified by src_v2_check_init */
  const mm_key *leaf;
  mm_key *owned;
  mm_err e = src_leaf_key(s, c->suite, c->member.signature_key, &leaf, &owned);
  if (e != MM_OK) return e == MM_E_NOMEM ? e : MM_E_BAD_SIGNATURE; /* no verdict on OOM */
  e = src_verify_tbs(leaf, MM_T_MIGRATION_INIT, c->mi, c->mi->signature, c->suite);
  mm_key_free(owned);
  return e;
}

/* Step 6 (SIG-1): the embedded MigrationResponse is the target's. */
static MM_MUST_USE mm_err check_response_signature(const mm_source *s, const init_ctx *c) {
  if (!MM_ENFORCED(s->cfg->mutants, "SIG-1", MM_MUT_SKIP_RESPONSE_SIG)) return MM_OK;
  const mm_migration_response *rsp = &c->mi->migration_response;
  return src_verify_tbs(c->target_key, MM_T_MIGRATION_RESPONSE, rsp, rsp->signature, c->suite);
}

/* Step 7 (AUTHZ-1, AUTHZ-2): the operator's policy. */
static MM_MUST_USE mm_err check_policy(const mm_source *s, const init_ctx *c) {
  bool ok = mm_policy_allows(&s->cfg->policy, s->cfg->domain, c->in->env.sender, c->rq->group_id,
                             c->rq->target_domain_name);
  return MM_CHECK(s->cfg->mutants, ok, "AUTHZ-1", MM_MUT_NONE, MM_E_UNAUTHORIZED);
}

/* Step 8 (EPOCH-1, EPOCH-3: no epoch follows 2^64-1, so no migration
 * Commit can leave it). */
static MM_MUST_USE mm_err check_epoch(const mm_source *s, const init_ctx *c) {
  mm_err e = MM_CHECK(s->cfg->mutants, c->rq->epoch == c->g.hosted.epoch, "EPOCH-1",
                      MM_MUT_SKIP_EPOCH_CHECK, MM_E_STALE_EPOCH);
  if (e == MM_OK)
    e = MM_CHECK(s->cfg->mutants, c->rq->epoch != UINT64_MAX, "EPOCH-3", MM_MUT_NONE,
                 MM_E_STALE_EPOCH);
  return e;
}

/* Steps 1-8, in order. */
static MM_MUST_USE mm_err check_init(mm_source *s, init_ctx *c) {
  mm_err e = MM_CHECK(s->cfg->mutants, c->in->env.cipher_suite == c->g.meta.suite, "SUITE-2",
                      MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e == MM_OK) e = check_domains(s, c);
  if (e == MM_OK) e = check_member(s, c);
  if (e == MM_OK) e = check_init_signature(s, c);
  if (e == MM_OK) e = check_response_signature(s, c);
  if (e == MM_OK) e = check_policy(s, c);
  if (e == MM_OK) e = check_epoch(s, c);
  return e;
}

/* Step 9 (NONCE-3). A byte-identical MigrationInit is a retransmission and
 * gets the first outcome again: *repeat is set, and the return value is
 * MM_OK (still in flight) or the code the migration ended with. */
static MM_MUST_USE mm_err check_nonce(const mm_source *s, const init_ctx *c, bool *repeat) {
  src_nonce used;
  *repeat = false;
  bool used_before = src_nonce_get(src_mig_store(s), c->mi->migration_response.nonce, &used);
  if (used_before && mm_view_eq(used.init, c->in->env.body)) {
    bool in_flight = c->g.migrating && mm_view_eq(c->g.mig.init, c->in->env.body);
    *repeat = used.outcome != 0 || in_flight;
    return (mm_err)used.outcome;
  }
  /* Not a nonce another MigrationInit used. */
  return MM_CHECK(s->cfg->mutants, !used_before, "NONCE-3", MM_MUT_ACCEPT_REUSED_NONCE,
                  MM_E_NONCE_REUSED);
}

/* Step 11: the migration and the used nonce become durable; the group is
 * migrating (LIFE-3) and waits MM_HOLD_MS for its Commit (LIFE-4). The
 * timer goes first (volatile: a stray one finds no migration and goes),
 * then both records or neither, so that a failure (out of memory) leaves
 * the store as it was and the retransmitted MigrationInit is taken afresh
 * (not `busy` behind a migration without its nonce). */
static MM_MUST_USE mm_err accept_init(mm_source *s, const init_ctx *c, uint64_t now,
                                      mm_outbox *out) {
  mm_view gid = src_gid_view(&c->g.gid);
  mm_view none = mm_view_of(NULL, 0);
  src_mig mig = {SRC_PHASE_WAIT_COMMIT, now,  0,    c->in->env.sender,
                 c->in->env.body,       none, none, none};
  src_nonce used = {gid, c->in->env.body, 0};
  mm_store *ms = src_mig_store(s);
  mm_err e = src_timer_set(s, gid, now + MM_HOLD_MS);
  if (e == MM_OK) e = src_mig_put(ms, gid, &mig);
  if (e == MM_OK && (e = src_nonce_put(ms, c->mi->migration_response.nonce, &used)) != MM_OK)
    mm_store_del(ms, SRC_NS_MIG, gid);
  if (e == MM_OK) e = src_match_held(s, gid, now, out);
  return e;
}

mm_err src_handle_init(mm_source *s, const mm_intake *in, uint64_t now, mm_outbox *out) {
  init_ctx c = {.in = in, .mi = &in->body.migration_init, .suite = in->env.cipher_suite};
  c.rq = &c.mi->migration_response.migration_request;
  /* Step 1 (GROUP-1, LIFE-2). */
  mm_err e = src_group_load(s, c.rq->group_id, &c.g);
  if (e == MM_E_GROUP_MIGRATED) return src_refuse_migrated(s, in, &c.g, out);
  if (e == MM_OK) e = check_init(s, &c);
  bool repeat = false;
  if (e == MM_OK) e = check_nonce(s, &c, &repeat);
  if (e == MM_OK && repeat) return MM_OK; /* nothing new to do */
  /* Step 10 (LIFE-3): one migration per group at a time. */
  if (e == MM_OK) e = MM_CHECK(s->cfg->mutants, !c.g.migrating, "LIFE-3", MM_MUT_NONE, MM_E_BUSY);
  if (e != MM_OK) return mm_ds_refuse(s->cfg, in, e, NULL, out);
  return accept_init(s, &c, now, out);
}

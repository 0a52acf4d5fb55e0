/* Internal: what both reference DSes do with incoming traffic.
 *
 * 1. Intake: strict decoding of an incoming Envelope and its body, with the
 *    refusals docs/actors.md ("Common") prescribes: a frame that does not
 *    decode is dropped (no trustworthy sender to answer), a suite without a
 *    signing key is answered unsupported_ciphersuite (SUITE-2), a body that
 *    does not decode is answered malformed (ENC-1..ENC-4).
 * 2. Hosted group traffic: an MLSMessage from a member at the group's
 *    current epoch is fanned out to every member; a Commit advances the
 *    epoch and is reported as MM_EV_COMMIT_ACCEPTED (INV-1).
 *
 * The caller owns the group's durable record: these helpers only check,
 * send and report. Owner: the target DS helper (shared with the source). */
#ifndef MLSMIG_HOSTED_H
#define MLSMIG_HOSTED_H

#include "codec/tbs.h"
#include "mlsmig/ds.h"
#include "mlsmig/mls_state.h"
#include "profile/rule.h"

/* ---- intake ---- */

/* An envelope a DS took in. Views point into the caller's input. */
typedef struct mm_intake {
  mm_envelope env;
  mm_any_msg body;                /* decoded as env.msg_type names (the codec's types) */
  bool mls;                       /* profile v2: the body is the MLS layer's, in mls_body */
  mm_mls_envelope_body mls_body;  /* profile v2: migration_commit(8), 10..13 */
  char sender[MM_SENDER_MAX + 1]; /* env.sender as a C string, for replies */
} mm_intake;

/* Decodes bytes into *in. MM_OK, or the refusal code; the refusal is queued
 * on out when there is a sender to answer. */
MM_MUST_USE mm_err mm_ds_intake(const mm_ds_config *cfg, const mm_env *env, const uint8_t *bytes,
                                size_t len, mm_outbox *out, mm_intake *in);

/* Queues MigrationError{code, detail (NULL: the code's sentence)} to the
 * intake's sender and returns code, so a check can `return mm_ds_refuse(...)`.
 * A failure to queue (out of memory) is returned instead. A code that is no
 * wire code (a local failure: out of memory) is returned unanswered: it says
 * nothing about the message, and the peer's retransmission gets a retry. */
MM_MUST_USE mm_err mm_ds_refuse(const mm_ds_config *cfg, const mm_intake *in, mm_err code,
                                const char *detail, mm_outbox *out);

/* The limits a DS decodes under: the suite, and env's group-state bound
 * (0 there means the default, 256 MiB). */
mm_limits mm_ds_limits(const mm_env *env, uint16_t suite);

/* The profile features used with peer (AMD-1): those this DS implements and the key directory says
 * peer declares. */
uint32_t mm_ds_features_with(const mm_ds_config *cfg, const mm_env *env, mm_view peer);

/* ---- hosted group traffic ---- */

/* A group as its DS serves it now. */
typedef struct mm_hosted {
  mm_group_state state; /* decoded: group_id, suite and members */
  uint64_t epoch;       /* current epoch (may be past state.epoch) */
} mm_hosted;

/* Checks an MLSMessage the intake decoded against the group it names
 * (the caller found the group by m->group_id, else unknown_group):
 * envelope suite is the group's (unsupported_ciphersuite), the sender is a
 * member (not_member), the message is for the current epoch (stale_epoch). */
MM_MUST_USE mm_err mm_hosted_check(const mm_hosted *g, const mm_intake *in);

/* Sends the MLSMessage body, unchanged, to every member (the sender too:
 * that is how it learns its Commit was accepted) as msg_type mls_message
 * from the DS's domain. */
MM_MUST_USE mm_err mm_hosted_fanout(const mm_hosted *g, const char *domain, mm_view body,
                                    mm_outbox *out);

/* MM_EV_COMMIT_ACCEPTED for a Commit that ends `epoch` of group gid: detail
 * is the Commit as received (observers hash it), peer the committer (INV-1).
 * One event for the source and the target alike. */
void mm_report_commit(const mm_env *env, const char *domain, mm_view gid, uint64_t epoch,
                      mm_view committer, mm_view commit);

/* mm_report_commit for a Commit at epoch g->epoch of g (call before
 * advancing). */
void mm_hosted_report_commit(const mm_env *env, const char *domain, const mm_hosted *g,
                             mm_view committer, mm_view body);

/* Is this MLSMessage a Commit? (its epoch then advances by one) */
bool mm_hosted_is_commit(const mm_mls_message *m);

/* mm_ds_profile is the profile version cfg implements (1 when unset). */
int mm_ds_profile(const mm_ds_config *cfg);

/* ---- profile v2: a group on its RFC 9420 public state (hosted_mls.c) ---- */

/* A volatile cache of validated states, one per group, keyed by the stored
 * MigrationGroupState's bytes: a state is validated (MLS-2) when first
 * loaded, again after a restart, and never per message. */
typedef struct mm_mls_cache mm_mls_cache;

/* mm_mls_cache_free frees c and the states it holds; NULL is a no-op. */
void mm_mls_cache_free(mm_mls_cache *c);
/* Sets *out to the validated state of group gid of suite whose stored
 * MigrationGroupState is stored (loaded and cached when the cache has other
 * bytes for it); MM_E_INTERNAL when the stored state does not validate. */
MM_MUST_USE mm_err mm_mls_cache_get(mm_mls_cache **c, uint16_t suite, mm_view gid, mm_view stored,
                                    const mm_mls_state **out);
/* Forgets gid's cached state. */
void mm_mls_cache_drop(mm_mls_cache *c, mm_view gid);

/* mm_hosted_v2_group_id returns the group a decoded profile-v2 envelope is for: the
 * CommitBundle's commit, a group_info_request's group ID, or the MLSMessage's. */
mm_view mm_hosted_v2_group_id(const mm_intake *in);

/* Checks a CommitBundle (commit_bundle(10), or the migration Commit's
 * migration_commit(8)) against the current state cur (MLS-4 with MLS-2 on
 * the new state, MLS-3 for the sender, EPOCH-3): MM_OK and the next state in
 * *next, or the refusal code. An external commit (new_member_commit) is
 * taken only from a client the policy lets join (AUTHZ-2 at the source). */
MM_MUST_USE mm_err mm_hosted_mls_bundle(const mm_ds_config *cfg, const mm_intake *in,
                                        const mm_mls_state *cur, mm_mls_state **next,
                                        mm_mls_commit_info *info);
/* Queues the accepted Commit to every member of cur's epoch (each identity
 * once) as mls_message(9), and the Welcome, if any, to every identity with a
 * leaf in next and none in cur as welcome(11) (MLS-4, LIFE-1). */
MM_MUST_USE mm_err mm_hosted_mls_fanout(const mm_ds_config *cfg, const mm_mls_state *cur,
                                        const mm_mls_state *next, const mm_mls_commit_info *info,
                                        mm_outbox *out);
/* Queues body, an MLSMessage, to every member of s (each identity once) as
 * msg_type from the DS. */
MM_MUST_USE mm_err mm_hosted_mls_send_members(const mm_ds_config *cfg, const mm_mls_state *s,
                                              uint8_t msg_type, mm_view body, mm_outbox *out);
/* MLS-5: an application message (mls_message(9), a PrivateMessage of
 * content type application) from a member at the current epoch goes to
 * every member; otherwise the refusal code (nothing queued). */
MM_MUST_USE mm_err mm_hosted_mls_app(const mm_ds_config *cfg, const mm_intake *in,
                                     const mm_mls_state *cur, mm_outbox *out);
/* MLS-6: answers a group_info_request from a client the policy allows with
 * group_info(13), cur's PublicGroupState; else the refusal code. */
MM_MUST_USE mm_err mm_hosted_mls_group_info(const mm_ds_config *cfg, const mm_intake *in,
                                            const mm_mls_state *cur, mm_outbox *out);

#endif

/* Internal to the runner: one test's context, the helpers tests use to drive
 * the IUT and judge what it sends, and the message builders. */
#ifndef MLSMIG_RUNNER_INTERNAL_H
#define MLSMIG_RUNNER_INTERNAL_H

#include "codec/tbs.h"
#include "mlsmig/actor.h"
#include "mlsmig/group_state.h"
#include "runner/iut.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"

/* The parties the runner plays, and the IUT's domain per role. */
#define R_SRC "source.example"
#define R_TGT "target.example"
#define R_THIRD "third.example"
#define R_ALICE "alice@source.example" /* member, the initiator */
#define R_BOB "bob@source.example"     /* member */
#define R_CAROL "carol@source.example" /* not a member */
#define R_GID "mlsmig-runner-group-1"
#define R_GID2 "mlsmig-runner-group-2"
#define R_EPOCH 7u
#define R_T0 1000000u /* ms: the IUT's clock at configure */
/* LIFE-4: a source holds an Init or a Commit waiting for the other for at
 * most 60 s (the profile's bound; the reference DS holds 10 s): one ms
 * past it, the hold must be over. */
#define R_HOLD_BOUND_MS 60000u
/* The labels, from the one table (codec/tbs.h); tests pass another
 * message's label to make a wrong-label signature. */
#define L_RESPONSE mm_tbs_label(MM_T_MIGRATION_RESPONSE)
#define L_INIT mm_tbs_label(MM_T_MIGRATION_INIT)
#define L_CONTENT mm_tbs_label(MM_T_MIGRATION_CONTENT)
#define L_COMPLETE mm_tbs_label(MM_T_TARGET_MIGRATION_COMPLETE)
#define L_CONFIRM mm_tbs_label(MM_T_MIGRATION_CONFIRMATION)

typedef struct rctx rctx;

/* mm_rtest.axes */
#define R_AX_POLICY 1u
/* The policies of the policy axis: open (the default); a deny list that
 * names R_DENIED, whom no test plays; strict (clients homed at the DS). */
enum { R_POL_OPEN = 1, R_POL_DENY = 2, R_POL_STRICT = 3 };
#define R_DENIED "mallory@source.example"

/* One entry of the test catalogue (runner_cases.c). */
typedef struct mm_rtest {
  const char *name;
  uint8_t role; /* the IUT's role */
  const char *rules;
  uint32_t needs; /* PICS features the test needs (else not applicable) */
  /* Axes the test varies on besides the suite (every test runs in every
   * declared suite, a source test in both Commit framings): R_AX_POLICY,
   * every policy the IUT declares (runner.c, plan). */
  uint8_t axes;
  const char *summary;
  void (*run)(rctx *c);
} mm_rtest;

extern const mm_rtest mm_rtests[];
extern const size_t mm_rtests_count;

/* Owned bytes. */
typedef struct rbuf {
  uint8_t *p;
  size_t n;
} rbuf;
void rbuf_free(rbuf *b);
mm_view rbuf_view(const rbuf *b);

/* An envelope of the IUT's last reply: a view into the reply frame (kept
 * until the next reply: nothing is copied), its destination as text. */
typedef struct rout {
  char to[MM_SENDER_MAX + 1];
  mm_view raw;
  bool checked; /* the checks every envelope gets (runner_check.c) are done */
} rout;

/* A reply lists at most this many envelopes (docs/shim-protocol.md): more
 * is an error verdict, and what a reply costs the runner stays bounded by
 * its real content. */
#define R_MAX_OUTPUTS 1024

typedef struct routs {
  uint8_t *frame; /* the reply frame, owned */
  rout *v;
  size_t n;
} routs;

/* Group IDs and suites the runner used in this test: an envelope of the
 * IUT may name only these. */
#define R_MAX_NAMED 8
typedef struct rnamed {
  uint8_t gid[R_MAX_NAMED][MM_GROUP_ID_MAX];
  size_t gid_len[R_MAX_NAMED], ngid;
  uint16_t suite[R_MAX_NAMED];
  size_t nsuite;
} rnamed;

struct rctx {
  const mm_run_opts *opts;
  const mm_rtest *test;
  const mm_pics *pics;
  uint16_t suite;
  uint16_t framing; /* of the Commits the runner sends: MM_WIRE_PRIVATE or _PUBLIC */
  char dir[4096];   /* the IUT's state directory */
  mm_iut *iut;
  int64_t deadline;     /* ms, monotonic */
  int64_t run_deadline; /* ms, monotonic: the run's own budget (0: none) */
  uint64_t now;         /* the IUT's clock */
  uint8_t policy;
  const char *deny[4]; /* NULL-ended */
  mm_key *tgt, *src, *third, *alice, *bob, *carol;
  mm_rng rng;
  routs got; /* envelopes of the last reply */
  mm_verdict verdict;
  char msg[2048];
  char *offending;
  char *iut_stderr;
  char expected[256];  /* the first expectation that failed */
  mm_wire_event *wire; /* the conversation so far (runner.h) */
  size_t nwire, wire_dropped;
  bool stop;                           /* an error: nothing more to do */
  bool timed_out;                      /* the IUT did not answer in time */
  unsigned escaped;                    /* descendants killed outside its group */
  char last_sender[MM_SENDER_MAX + 1]; /* of the last envelope delivered */
  rnamed named;                        /* groups and suites the runner used */
  bool in_session;                     /* starting or stopping the IUT (cost.session_*) */
  mm_run_cost cost;                    /* runner.h */
  bool enc_reported;                   /* an ENC failure of the IUT's output, reported once */
  bool sender_reported;                /* an envelope not from the IUT's domain, reported once */
  bool suite_reported;                 /* an envelope in another suite, reported once */
  bool group_reported;                 /* an envelope for another group, reported once */
  mm_iut **keep;                       /* persistent mode: the worker's kept IUT, else NULL */
};

/* ---- the IUT's lifecycle (runner_iut.c) ---- */

/* r_iut_new starts the IUT process, or connects to the service (iut_connect,
 * trying for timeout_ms). */
MM_MUST_USE mm_err r_iut_new(const mm_run_opts *o, int timeout_ms, mm_iut **out, char *why,
                             size_t why_len);
/* r_iut_hook runs the service's hook `which` ("--iut-start", "--iut-stop",
 * "--iut-kill"), if given: MM_E_IO with a reason in why when it fails. */
MM_MUST_USE mm_err r_iut_hook(const mm_run_opts *o, const char *which, char *why, size_t why_len);
/* r_iut_reuse takes the worker's kept IUT (persistent mode) into c->iut and
 * resets it; false (the kept one ended) when there is none or it does not
 * take the reset: then a new one is started. */
bool r_iut_reuse(rctx *c);
/* r_iut_keep hands c->iut to the worker for its next test (persistent
 * mode) when the test ended well; false: the test ends it. */
bool r_iut_keep(rctx *c);
/* r_iut_release ends a kept IUT: shutdown within grace_ms (0: none), then
 * as mm_iut_free. */
void r_iut_release(mm_iut *p, int grace_ms);
/* r_iut_kill is the SIGKILL of a restart: of the process, or of the service
 * through --iut-kill then --iut-start (an error verdict when they fail). */
bool r_iut_kill(rctx *c);
/* r_mono_ms is the monotonic clock the deadlines use, in ms. */
int64_t r_mono_ms(void);

/* ---- session (runner_session.c) ---- */

/* Starts the IUT in the test's role and configures it. */
bool r_start(rctx *c);
/* Only starts it and says hello (mm_run_null_session configures apart). */
bool r_start_hello(rctx *c);
/* Sends configure again (policy change, or after a restart). */
bool r_configure(rctx *c);
/* SIGKILL and a restart on the same state directory (DUR-1). */
bool r_restart(rctx *c);
/* Requests; each fills c->got with the envelopes the IUT sent back. */
bool r_deliver(rctx *c, mm_view env);
bool r_advance(rctx *c, uint64_t ms);
bool r_install(rctx *c, mm_view group_state);
bool r_query(rctx *c, const char *gid, uint8_t *status, uint64_t *epoch);
void r_finish(rctx *c);
/* Records one step of the conversation for the report (bytes copied). */
void r_wire(rctx *c, mm_wire_kind kind, const char *to, uint64_t ms, mm_view bytes);

/* ---- verdicts (runner_check.c) ---- */

void r_fail(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void r_warn(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void r_error(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* r_local reports a failure of the runner itself (memory, files, pipes):
 * an error verdict that says so, never a pass or a fail of the IUT. */
void r_local(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* r_got_clear frees the envelopes of the last reply. */
void r_got_clear(rctx *c);
/* Records the envelope as the offending one (decoded as JSON). */
void r_offend(rctx *c, mm_view env);
/* r_named notes the suite and the group an envelope the runner sends
 * names (r_named_group: a group it installs): the IUT's envelopes may name
 * only these. */
void r_named(rctx *c, mm_view env);
void r_named_group(rctx *c, mm_view gid);
/* Bytes the IUT chose (a group ID) as printable text for a message. */
const char *r_text(char *buf, size_t cap, mm_view bytes);

/* An envelope of c->got, decoded. */
typedef struct rgot {
  const char *to;
  mm_view raw;
  mm_envelope env;
  mm_any_msg body;
} rgot;
/* The n-th (from 0) envelope of msg_type sent to `to` (NULL: anyone). */
bool r_find(rctx *c, uint8_t msg_type, const char *to, size_t n, rgot *out);
size_t r_count(rctx *c, uint8_t msg_type, const char *to);
/* The IUT must refuse the last input: an envelope of `forbidden` type (0:
 * none) in c->got fails; a MigrationError with `code` passes, with another
 * code warns; silence warns (a drop is a refusal without its code). */
void r_expect_refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what);
/* r_expect_refused is r_expect_refusal where an accepted input shows in the
 * group's state: the group `gid` must still be `status` (and at `epoch`,
 * unless UINT64_MAX); when it is not, the input "was accepted" (a fail),
 * with or without a MigrationError, never "refused silently". */
void r_expect_refused(rctx *c, mm_err code, uint8_t forbidden, const char *what, const char *gid,
                      uint8_t status, uint64_t epoch);
/* r_expect_durable_refusal is r_expect_refused after SIGKILL + restart
 * (gid NULL: no state to check): another code than `code` says the IUT
 * lost state it had acknowledged, a DUR-1 failure, not a warning. */
void r_expect_durable_refusal(rctx *c, mm_err code, uint8_t forbidden, const char *what,
                              const char *gid, uint8_t status, uint64_t epoch);
/* The group's status at the IUT must be `status` (and the epoch, if not
 * UINT64_MAX). */
void r_expect_group(rctx *c, const char *gid, uint8_t status, uint64_t epoch, const char *what);

/* ---- message builders (runner_msgs.c) ---- */

typedef struct rreq {
  const char *source, *target, *gid;
  uint64_t epoch;
} rreq;
rreq r_default_request(void);

bool rm_request(rctx *c, const rreq *q, rbuf *out);
/* A MigrationResponse for the request bytes, signed by k with label. */
bool rm_response(rctx *c, mm_view request, mm_view nonce, const mm_key *k, const char *label,
                 rbuf *out);
bool rm_init(rctx *c, mm_view response, const mm_key *k, const char *label, rbuf *out);
bool rm_content(rctx *c, mm_view response, mm_view group_state, const mm_key *k, const char *label,
                rbuf *out);
bool rm_complete(rctx *c, mm_view hash, const mm_key *k, const char *label, rbuf *out);
/* The reference GroupState of the test group (alice, bob) at epoch. */
bool rm_group_state(rctx *c, const char *gid, uint64_t epoch, size_t payload, rbuf *out);
/* An MLSMessage in the test's framing (c->framing: a PrivateMessage, or a
 * PublicMessage from leaf 0): aad_target NULL for an ordinary Commit. */
bool rm_commit(rctx *c, const char *gid, uint64_t epoch, const char *aad_target,
               uint8_t content_type, rbuf *out);
bool rm_envelope(rctx *c, uint8_t msg_type, uint16_t suite, const char *sender, mm_view body,
                 rbuf *out);
/* r_bad_sig says whether sig is not k's signature of msg (type t): true
 * only when it does not verify; a failure of the runner to check it is an
 * error verdict, and false. */
bool r_bad_sig(rctx *c, const mm_key *k, mm_type t, const void *msg, mm_view sig);
/* RefHash of a MigrationContent (HASH-1). */
bool rm_content_hash(rctx *c, mm_view content, uint8_t *out, size_t *len);
/* rm_random fills out from the test's generator; on failure an error verdict. */
bool rm_random(rctx *c, uint8_t *out, size_t len);
/* rm_encodes_as sets *same to whether msg (type t, as the IUT sent it)
 * encodes to exactly want; false (an error verdict) when the runner cannot
 * encode it at all, which says nothing about the IUT. */
bool rm_encodes_as(rctx *c, mm_type t, const void *msg, mm_view want, bool *same);
/* Delivers body wrapped in an envelope of the test suite. */
bool r_send(rctx *c, uint8_t msg_type, const char *sender, mm_view body);

/* ---- the tests (runner_target.c, runner_source.c) ---- */

#define R_TEST(fn) void fn(rctx *c)
R_TEST(t_happy);
R_TEST(t_nonce_fresh);
R_TEST(t_wrong_target_domain);
R_TEST(t_same_domains);
R_TEST(t_request_hosted_group);
R_TEST(t_request_unauthorized);
R_TEST(t_request_strict);
R_TEST(t_unsupported_suite);
R_TEST(t_malformed_request);
R_TEST(t_noncanonical_request);
R_TEST(t_bad_domain_name);
R_TEST(t_request_max_group_id);
R_TEST(t_request_epoch_last_but_one);
R_TEST(t_request_epoch_last);
R_TEST(t_request_group_id_too_long);
R_TEST(t_request_max_domain);
R_TEST(t_request_domain_too_long);
R_TEST(t_content_bad_response_sig);
R_TEST(t_content_unknown_nonce);
R_TEST(t_content_nonce_other_request);
R_TEST(t_content_expired);
R_TEST(t_content_expired_by_1ms);
R_TEST(t_content_at_nonce_lifetime);
R_TEST(t_content_retransmit);
R_TEST(t_content_nonce_reused);
R_TEST(t_content_replay_third_ds);
R_TEST(t_content_third_ds);
R_TEST(t_content_wrong_key);
R_TEST(t_content_wrong_label);
R_TEST(t_content_reauth);
R_TEST(t_content_group_exists);
R_TEST(t_content_bad_state);
R_TEST(t_dur_nonce_survives);
R_TEST(t_dur_import_survives);
R_TEST(t_serves_after_import);
R_TEST(s_happy);
R_TEST(s_unknown_group);
R_TEST(s_suite_mismatch);
R_TEST(s_wrong_source_domain);
R_TEST(s_not_member);
R_TEST(s_init_wrong_key);
R_TEST(s_init_wrong_label);
R_TEST(s_init_bad_response_sig);
R_TEST(s_unauthorized);
R_TEST(s_stale_epoch);
R_TEST(s_init_epoch_last_but_one);
R_TEST(s_init_epoch_last);
R_TEST(s_nonce_reused);
R_TEST(s_init_retransmit);
R_TEST(s_busy);
R_TEST(s_commit_during_migration);
R_TEST(s_commit_wrong_epoch);
R_TEST(s_commit_wrong_target);
R_TEST(s_commit_not_commit);
R_TEST(s_commit_first);
R_TEST(s_foreign_aad);
R_TEST(s_no_commit_abort);
R_TEST(s_complete_bad_hash);
R_TEST(s_complete_wrong_key);
R_TEST(s_complete_wrong_label);
R_TEST(s_complete_from_third_ds);
R_TEST(s_retransmit_content);
R_TEST(s_tombstone);
R_TEST(s_malformed_init);
R_TEST(s_dur_migration_survives);
R_TEST(s_dur_nonce_survives);

#endif

/* Internal: the reference source DS (ds.h, mm_source_*), split by concern:
 *
 *   source.c            lifecycle, restore, dispatch, group lookup, timers
 *   source_records.c    the durable record encodings (namespaces below)
 *   source_init.c       MigrationInit, checked in docs/actors.md order
 *   source_traffic.c    MLSMessages: the migration Commit, held Commits
 *                       (LIFE-4) and ordinary hosted traffic (LIFE-3)
 *   source_migration.c  MigrationContent, retransmission, TargetMigration-
 *                       Complete, confirmation, tombstone, abort
 *
 * Every durable fact is a record in the actor's store, so that a source made
 * anew on the same store is the same source after a crash (DUR-1). Only
 * timers and Commits held before their MigrationInit are volatile. */
#ifndef MLSMIG_SOURCE_INTERNAL_H
#define MLSMIG_SOURCE_INTERNAL_H

#include "ds/hosted.h"
#include "mlsmig/ds.h"

/* ---- durable records (source_records.c) ----
 *
 * Namespaces and layouts (TLS presentation language, as the messages):
 *
 *   source.group    key group_id   struct { uint8 status; uint16 suite;
 *                                           uint64 epoch; opaque peer<V>; }
 *       status: MM_GS_ACTIVE or MM_GS_MIGRATED (a tombstone; peer = target).
 *       "migrating" is not stored: it is the presence of a migration record.
 *   source.state    key group_id   GroupState (group_state.h) as installed,
 *       written once; its epoch field is the install epoch (the current
 *       epoch is in source.group). Deleted when the group leaves.
 *       Profile v2: the MigrationGroupState (MLS-1) of the current epoch,
 *       rewritten by every accepted CommitBundle before its fan-out.
 *   source.mig      key group_id   struct { uint8 phase; uint64 started;
 *                                           uint32 retransmits;
 *                                           opaque client<V>; opaque init<V>;
 *                                           opaque commit<V>;
 *                                           opaque content_hash<V>;
 *                                           opaque content_sig<V>; }
 *       init: the MigrationInit body exactly as received; commit: the
 *       migration Commit MLSMessage exactly as received (phase SENT);
 *       content_sig: the MigrationContent's signature, so that a
 *       retransmission rebuilds the content without signing again.
 *   source.content  no longer written: the MigrationContent is rebuilt,
 *       byte for byte (deterministic signatures), from source.state and the
 *       MigrationInit for each retransmission and checked against
 *       content_hash, so the state is not held twice while a migration runs
 *   source.hash     key content_hash   group_id: which migration a
 *       TargetMigrationComplete answers (kept with the tombstone, so a
 *       duplicate answer is recognised)
 *   source.nonce    key nonce      struct { opaque group_id<V>;
 *                                           opaque init<V>; uint16 outcome; }
 *       outcome: 0 while accepted, else the code the migration ended with.
 *
 * With the FORGET_ON_CRASH mutant the last four live in a volatile store. */
#define SRC_NS_GROUP "source.group"
#define SRC_NS_STATE "source.state"
#define SRC_NS_MIG "source.mig"
#define SRC_NS_CONTENT "source.content"
#define SRC_NS_HASH "source.hash"
#define SRC_NS_NONCE "source.nonce"

enum { SRC_PHASE_WAIT_COMMIT = 1, SRC_PHASE_CONTENT_SENT = 2 };

typedef struct src_meta {
  uint8_t status; /* MM_GS_ACTIVE or MM_GS_MIGRATED */
  uint16_t suite;
  uint64_t epoch;
  mm_view peer;
} src_meta;

typedef struct src_mig {
  uint8_t phase;
  uint64_t started;     /* ms: when the MigrationInit was accepted */
  uint32_t retransmits; /* MigrationContent sends after the first */
  mm_view client;
  mm_view init;
  mm_view commit;
  mm_view content_hash;
  mm_view content_sig;
} src_mig;

typedef struct src_nonce {
  mm_view group_id;
  mm_view init;
  uint16_t outcome;
} src_nonce;

/* Getters hand back views into the store (valid until that key is written).
 * Putters encode into a fresh buffer first, so their views may point into
 * the record they replace. */
/* src_meta_get reads the group record of gid (status, suite, epoch, peer) into *out and says
 * whether there is one. */
bool src_meta_get(const mm_store *st, mm_view gid, src_meta *out);
/* src_meta_put writes the group record of gid. */
MM_MUST_USE mm_err src_meta_put(mm_store *st, mm_view gid, const src_meta *m);
/* src_mig_get reads the migration record of gid into *out and says whether a migration is in
 * flight. */
bool src_mig_get(const mm_store *st, mm_view gid, src_mig *out);
/* src_mig_put writes the migration record of gid. */
MM_MUST_USE mm_err src_mig_put(mm_store *st, mm_view gid, const src_mig *m);
/* src_nonce_get reads the record of a used nonce into *out and says whether the nonce was used
 * (NONCE-3). */
bool src_nonce_get(const mm_store *st, mm_view nonce, src_nonce *out);
/* src_nonce_put records nonce as used, with the MigrationInit it came in and, once known, the
 * migration's outcome. */
MM_MUST_USE mm_err src_nonce_put(mm_store *st, mm_view nonce, const src_nonce *n);

/* ---- volatile state ---- */

/* A group ID copied out of a record or message, to use as a stable key. */
typedef struct src_gid {
  uint8_t b[MM_GROUP_ID_MAX];
  size_t len;
} src_gid;

/* One per migration in flight: when tick must look at it next. */
typedef struct src_timer {
  src_gid gid;
  uint64_t due;
} src_timer;

/* A migration Commit that came before its MigrationInit (LIFE-4). */
typedef struct src_held {
  src_gid gid;
  char sender[MM_SENDER_MAX + 1];
  uint16_t suite;
  uint8_t *bytes; /* the MLSMessage as received */
  size_t len;
  uint64_t due;
} src_held;

#define SRC_MAX_HELD_PER_GROUP 4

typedef struct src_leaves src_leaves; /* parsed leaf keys (source_keys.c) */

struct mm_source {
  const mm_ds_config *cfg;
  const mm_env *env;
  mm_store *vol; /* FORGET_ON_CRASH: migrations and nonces, lost on free */
  src_timer *timers;
  size_t ntimers, cap_timers;
  src_held *held;
  size_t nheld, cap_held;
  src_leaves *leaves; /* volatile cache; NULL if it could not be made */
  mm_mls_cache *mls;  /* profile v2: validated states (volatile cache) */
};

/* A hosted group as loaded for one step (views into the store). */
typedef struct src_group {
  src_gid gid;
  src_meta meta;
  mm_hosted hosted; /* decoded state, current epoch */
  bool migrating;
  src_mig mig;
} src_group;

/* ---- source.c ---- */

/* src_mig_store returns the store that holds migrations, contents and nonces: the durable one, or
 * under the forget-on-crash mutant a volatile one. */
mm_store *src_mig_store(const mm_source *s);
/* src_gid_view returns a view of the group ID g holds. */
mm_view src_gid_view(const src_gid *g);
/* src_gid_set copies v into g (empty if v is longer than a group ID may be). */
void src_gid_set(src_gid *g, mm_view v);
/* MM_OK, MM_E_UNKNOWN_GROUP, or MM_E_GROUP_MIGRATED (g->meta.peer set). */
MM_MUST_USE mm_err src_group_load(const mm_source *s, mm_view gid, src_group *g);
/* Refuses with group_migrated naming the target. */
MM_MUST_USE mm_err src_refuse_migrated(const mm_source *s, const mm_intake *in, const src_group *g,
                                       mm_outbox *out);
/* src_timer_set arms gid's migration timer for due (one timer per group; re-arming one that exists
 * allocates nothing). */
MM_MUST_USE mm_err src_timer_set(mm_source *s, mm_view gid, uint64_t due);
/* src_timer_clear disarms gid's migration timer, if any. */
void src_timer_clear(mm_source *s, mm_view gid);
/* Copies a view into a C string buffer; false if it does not fit. */
bool src_cstr(mm_view v, char *buf, size_t cap);
/* Verifies sig over the TBS form of msg (type t) with key, which must be
 * of the given suite (SUITE-1). */
MM_MUST_USE mm_err src_verify_tbs(const mm_key *key, mm_type t, const void *msg, mm_view sig,
                                  uint16_t suite);

/* ---- source_keys.c ---- */

/* src_leaves_new returns an empty cache of parsed leaf keys, NULL when out of memory (the source
 * then parses keys per use). */
src_leaves *src_leaves_new(void);
/* src_leaves_free frees l and the keys it holds; NULL is a no-op. */
void src_leaves_free(src_leaves *l);
/* The leaf key with these public bytes, parsed once and kept; *owned is set
 * (and must be freed) when it could not be kept. */
MM_MUST_USE mm_err src_leaf_key(const mm_source *s, uint16_t suite, mm_view pub, const mm_key **key,
                                mm_key **owned);

/* ---- source_init.c ---- */

/* src_handle_init takes a MigrationInit (docs/actors.md, "Source DS", steps 1-11) and queues its
 * refusal or what accepting it sends. */
MM_MUST_USE mm_err src_handle_init(mm_source *s, const mm_intake *in, uint64_t now, mm_outbox *out);

/* ---- source_traffic.c ---- */

/* src_handle_mls takes an MLSMessage of a hosted group: the migration Commit (EPOCH-2, held while
 * its MigrationInit is missing, LIFE-4) or ordinary traffic (LIFE-3). */
MM_MUST_USE mm_err src_handle_mls(mm_source *s, const mm_intake *in, uint64_t now, mm_outbox *out);
/* src_commit_framing reads the framing of a migration Commit as the profile carries it (v1: the
 * MLSMessage; v2: the CommitBundle's commit) into *m. */
MM_MUST_USE mm_err src_commit_framing(const mm_source *s, uint16_t suite, mm_view body,
                                      mm_mls_message *m);
/* src_framing_of fills the framing fields of *m from an RFC 9420 MLSMessage. */
void src_framing_of(const mm_mls_msg *c, mm_mls_message *m);
/* src_handle_v2_migration_commit takes a profile v2 migration_commit(8): its CommitBundle's commit
 * is the migration Commit (EPOCH-2, LIFE-4), the bundle checked as any (MLS-4). */
MM_MUST_USE mm_err src_handle_v2_migration_commit(mm_source *s, const mm_intake *in, uint64_t now,
                                                  mm_outbox *out);
/* After a MigrationInit is accepted: the first held Commit for the group
 * that fits it becomes the migration Commit; the others are refused. */
MM_MUST_USE mm_err src_match_held(mm_source *s, mm_view gid, uint64_t now, mm_outbox *out);
/* Refuses held Commits whose hold ran out. */
MM_MUST_USE mm_err src_expire_held(mm_source *s, uint64_t now, mm_outbox *out);
/* src_held_next returns when the first held Commit's hold runs out, MM_NO_TIMER if none is held. */
uint64_t src_held_next(const mm_source *s);
/* src_held_free_all frees every held Commit (volatile: a restart loses them, and the client
 * retransmits). */
void src_held_free_all(mm_source *s);

/* ---- source_mls.c (profile v2) ---- */

/* src_mls_state sets *out to the validated state of g's current epoch (cached). */
MM_MUST_USE mm_err src_mls_state(const mm_source *s, const src_group *g, const mm_mls_state **out);
/* src_v2_check_migration checks the migration Commit's CommitBundle as any (MLS-4, MLS-2 on the
 * epoch it creates, whose state is what the migration exports: MLS-1); the refusal code. */
MM_MUST_USE mm_err src_v2_check_migration(mm_source *s, const mm_intake *in, const src_group *g);
/* src_v2_next_state encodes into w the MigrationGroupState that the migration Commit (the
 * CommitBundle bundle) creates from g's current state: what MigrationContent carries (MLS-1);
 * with info (may be NULL) and the current state in *cur for the fan-out. */
MM_MUST_USE mm_err src_v2_next_state(const mm_source *s, const src_group *g, mm_view bundle,
                                     mm_writer *w, mm_mls_state **next, mm_mls_commit_info *info,
                                     const mm_mls_state **cur);
/* src_v2_member_key_verifies says whether some leaf of g's tree with identity id has a signature
 * key under which the MigrationInit mi verifies (KEY-2 from the tree, MLS-3). */
MM_MUST_USE mm_err src_v2_check_init(mm_source *s, const src_group *g, mm_view id,
                                     const mm_migration_init *mi, bool *member);

/* src_handle_v2 takes what profile v2 adds at a hosted group: CommitBundles
 * (MLS-4), application messages (MLS-5) and GroupInfo requests (MLS-6). */
MM_MUST_USE mm_err src_handle_v2(mm_source *s, const mm_intake *in, mm_outbox *out);

/* ---- source_migration.c ---- */

/* Both halves are there: export, store and send MigrationContent. */
MM_MUST_USE mm_err src_start_transfer(mm_source *s, const src_group *g, mm_view commit,
                                      uint64_t now, mm_outbox *out);
/* src_handle_complete takes a TargetMigrationComplete (SIG-4, HASH-2) and, for the migration it
 * answers, completes it (LIFE-1, LIFE-2). */
MM_MUST_USE mm_err src_handle_complete(mm_source *s, const mm_intake *in, mm_outbox *out);
/* A migration timer fired: abort (no Commit in time) or retransmit. */
MM_MUST_USE mm_err src_migration_timer(mm_source *s, mm_view gid, uint64_t now, mm_outbox *out);

#endif

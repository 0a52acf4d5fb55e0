/* Internal: the reference client, shared by its files (client.c: lifecycle,
 * sending and timers; client_recv.c: what it receives; client_frame.c: the
 * MLSMessage framing of its Commits).
 *
 * The client is not a DS: its state lives in memory. It is deterministic
 * given env->rng (the only randomness: the Commits' random content). */
#ifndef MLSMIG_CLIENT_INTERNAL_H
#define MLSMIG_CLIENT_INTERNAL_H

#include "codec/tbs.h"
#include "mlsmig/client.h"
#include "mlsmig/mls_build.h"
#include "profile/rule.h"

/* An envelope kept for byte-identical retransmission. */
typedef struct mm_cl_kept {
  char to[MM_DOMAIN_MAX + 1];
  uint8_t *env;
  size_t len;
} mm_cl_kept;

/* The migration this client started, if any. */
typedef struct mm_cl_migration {
  char source[MM_DOMAIN_MAX + 1]; /* the DS the group lived on at the start */
  char target[MM_DOMAIN_MAX + 1];
  uint64_t epoch;   /* the request's epoch */
  uint8_t *request; /* the MigrationRequest body sent */
  size_t request_len;
  uint8_t nonce[MM_NONCE_LEN]; /* from the accepted MigrationResponse */
  bool have_nonce;
  bool confirmed;     /* a valid MigrationConfirmation came */
  bool moved;         /* the client follows the group there */
  mm_cl_kept kept[2]; /* request; or MigrationInit and Commit */
  size_t nkept;
  uint64_t phase_start; /* give up MM_CLIENT_GIVE_UP_MS after */
  uint64_t next_send;
  uint64_t backoff;
} mm_cl_migration;

struct mm_client {
  const mm_env *env;
  char identity[MM_SENDER_MAX + 1];
  const mm_key *leaf_key;
  uint16_t suite;
  uint8_t group_id[MM_GROUP_ID_MAX];
  size_t group_id_len;
  uint32_t leaf_index;
  uint16_t wire_format;
  char ds[MM_DOMAIN_MAX + 1]; /* where group traffic goes now */
  uint64_t epoch;
  mm_client_phase phase;
  mm_err last_error;
  mm_cl_migration mig;
  uint8_t profile;    /* MM_PROFILE_V1 or MM_PROFILE_V2 */
  uint8_t *mls_state; /* v2: the group's PublicGroupState at epoch (malloc'd; NULL: unknown) */
  size_t mls_state_len;
  /* v2: what the client's last CommitBundle makes of the group, adopted when that Commit is
   * fanned out (pending_commit: its MLSMessage, as the DS fans it out) */
  uint8_t *next_state, *pending_commit;
  size_t next_state_len, pending_commit_len;
};

/* mm_cl_group returns a view of c's group ID. */
static inline mm_view mm_cl_group(const mm_client *c) {
  return mm_view_of(c->group_id, c->group_id_len);
}

/* ---- client.c ---- */

/* Profile v2: the epoch moved on by a Commit; ours (the pending one) makes the state the pending
 * next state, another member's leaves the client without the group's state (it does not process
 * Commits). */
void mm_cl_epoch_moved(mm_client *c, bool ours);

/* Encodes an envelope from the client, queues it, and keeps a copy in the
 * migration's retransmission slots when keep is true. */
MM_MUST_USE mm_err mm_cl_send(mm_client *c, const char *to, uint8_t msg_type, mm_view body,
                              bool keep, mm_outbox *out);
/* Drops the kept envelopes and the timers: the migration is over. */
void mm_cl_stop_sending(mm_client *c);
/* (Re)starts the retransmission schedule of a phase at now. */
void mm_cl_start_phase(mm_client *c, mm_client_phase phase, uint64_t now);
/* The group now lives on `ds`, at the next epoch: MM_EV_CLIENT_MOVED. */
void mm_cl_move(mm_client *c, const char *ds);
/* The migration failed with code: MM_EV_CLIENT_FAILED. */
void mm_cl_fail(mm_client *c, mm_err code, const char *peer);

/* ---- client_frame.c ---- */

/* Appends an MLSMessage Commit for the client's group at epoch with this
 * authenticated_data, framed as configured (PrivateMessage by default,
 * PublicMessage from the member's leaf), its content random (EPOCH-2). */
MM_MUST_USE mm_err mm_cl_build_commit(mm_client *c, uint64_t epoch, mm_view aad, mm_writer *w);
/* Profile v2: a genuine CommitBundle on the client's state at its epoch (an empty Commit with an
 * UpdatePath by its leaf, authenticated_data aad), its outcome kept as pending. */
MM_MUST_USE mm_err mm_cl_build_bundle(mm_client *c, mm_view aad, mm_writer *w);
/* Appends the MigrationInit for an accepted response (SIG-2, KEY-2), or the
 * migration Commit: MigrationCommitAAD{target} at the request's epoch. */
MM_MUST_USE mm_err mm_cl_build_init(mm_client *c, const mm_migration_response *resp, mm_writer *w);
/* mm_cl_build_migration_commit appends the migration Commit: a Commit at the request's epoch whose
 * authenticated_data is MigrationCommitAAD{target} (EPOCH-2). */
MM_MUST_USE mm_err mm_cl_build_migration_commit(mm_client *c, mm_writer *w);

/* ---- client_recv.c ---- */

/* mm_cl_receive takes a decoded envelope of c's suite: MigrationResponse, MigrationConfirmation,
 * MigrationError or group traffic (docs/actors.md, "Client"). */
MM_MUST_USE mm_err mm_cl_receive(mm_client *c, const mm_envelope *env, const mm_any_msg *body,
                                 uint64_t now, mm_outbox *out);

#endif

/* The reference client: a member of one group. It can start a migration of
 * its group (MigrationRequest, then MigrationInit and the migration Commit),
 * send ordinary traffic, and follows the group when the fanned-out migration
 * Commit or a MigrationConfirmation tells it where the group went. */
#ifndef MLSMIG_CLIENT_H
#define MLSMIG_CLIENT_H

#include "mlsmig/actor.h"
#include "mlsmig/mutants.h"

typedef struct mm_client_config {
  const char *identity;   /* "name@home-domain" */
  const mm_key *leaf_key; /* the member's leaf signature key (KEY-2); not owned */
  uint16_t suite;
  mm_view group_id;
  uint64_t epoch; /* the group's current epoch */
  uint32_t leaf_index;
  const char *ds; /* the DS the group lives on now */
  /* WireFormat of the migration Commit: MM_WIRE_PRIVATE (default when 0)
   * or MM_WIRE_PUBLIC. Its content is random bytes: a DS never reads it. */
  uint16_t commit_wire_format;
  /* The profile version: MM_PROFILE_V1 (also 0) or MM_PROFILE_V2. In v2 the client's migration
   * Commit is a genuine CommitBundle (mls_build) built on mls_state, the group's PublicGroupState
   * at epoch (copied by mm_client_new); its ordinary Commits are CommitBundles too. The client
   * processes no Commit: after another member's it no longer knows the state and builds none. */
  uint8_t profile;
  mm_view mls_state;
} mm_client_config;

typedef enum mm_client_phase {
  MM_CP_IDLE,
  MM_CP_REQUESTED, /* MigrationRequest sent, waiting for MigrationResponse */
  MM_CP_INIT_SENT, /* MigrationInit and Commit sent, waiting for confirmation */
  MM_CP_DONE,      /* confirmed: the group lives on the target */
  MM_CP_FAILED,    /* refused, or gave up */
} mm_client_phase;

typedef struct mm_client_status {
  mm_client_phase phase;
  mm_view ds; /* where the client sends group traffic now */
  uint64_t epoch;
  mm_err last_error; /* MigrationError code received or local check failed */
} mm_client_status;

typedef struct mm_client mm_client;

/* mm_client_new makes a client of cfg's group in *out; cfg and env (and what they point to) must
 * outlive it. */
MM_MUST_USE mm_err mm_client_new(const mm_client_config *cfg, const mm_env *env, mm_client **out);
/* mm_client_free frees c; NULL is a no-op. */
void mm_client_free(mm_client *c);
/* mm_client_migrate starts a migration of c's group to target_domain: it queues the
 * MigrationRequest on out, or returns MM_E_BUSY while one is in flight; on failure nothing is sent
 * and c stays idle. */
MM_MUST_USE mm_err mm_client_migrate(mm_client *c, const char *target_domain, uint64_t now,
                                     mm_outbox *out);
/* mm_client_commit queues an ordinary Commit (random content) for the current epoch to the group's
 * DS. */
MM_MUST_USE mm_err mm_client_commit(mm_client *c, uint64_t now, mm_outbox *out);
/* mm_client_send_message queues an application message (a PrivateMessage of content type
 * application, random-free stand-in content) for the current epoch to the group's DS (MLS-5). */
MM_MUST_USE mm_err mm_client_send_message(mm_client *c, uint64_t now, mm_outbox *out);
/* mm_client_handle takes one serialized Envelope at time now: MM_OK, or the code of the check it
 * failed (the client then ignores it, keeps waiting and records the code in last_error). */
MM_MUST_USE mm_err mm_client_handle(mm_client *c, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out);
/* mm_client_tick retransmits the kept envelopes when due, or gives up MM_CLIENT_GIVE_UP_MS after
 * the phase began. */
MM_MUST_USE mm_err mm_client_tick(mm_client *c, uint64_t now, mm_outbox *out);
/* mm_client_next_timer returns when c next wants a tick, MM_NO_TIMER if never. */
uint64_t mm_client_next_timer(const mm_client *c);
/* mm_client_actor returns c behind the actor interface (mlsmig/actor.h). */
mm_actor mm_client_actor(mm_client *c);
/* mm_client_get_status returns c's phase, the DS it sends group traffic to, its epoch and its last
 * error. */
mm_client_status mm_client_get_status(const mm_client *c);

#endif

/* The reference Delivery Services: source (exports a group) and target
 * (imports it). Both are sans-I/O state machines (see actor.h) whose every
 * durable fact lives in env->store, so that freeing one and making a new one
 * on the same store is a crash and a restart (DUR-1). */
#ifndef MLSMIG_DS_H
#define MLSMIG_DS_H

#include "mlsmig/actor.h"
#include "mlsmig/group_state.h"
#include "mlsmig/mutants.h"

typedef struct mm_ds_config {
  const char *domain;
  /* Signing key per suite, indexed by suite id (1..7); NULL: the DS does not
   * support that suite (SUITE-2). Not owned; must outlive the DS. */
  const mm_key *sign_keys[MM_SUITE_COUNT + 1];
  mm_policy policy;
  mm_mutants mutants;
  /* LIFE-5: the source retransmits MigrationContent until answered. A bound
   * of 0 means forever (the profile); tests may set one. */
  uint32_t max_content_retransmits;
  /* The profile version the DS implements: MM_PROFILE_V1 (also 0, the default) or MM_PROFILE_V2
   * (section 11: the group's RFC 9420 public state, CommitBundles). */
  uint8_t profile;
} mm_ds_config;

/* How a DS stands with a group. */
typedef enum mm_group_status {
  MM_GS_NONE = 0,  /* not hosted, never was */
  MM_GS_ACTIVE,    /* hosted, serving traffic */
  MM_GS_MIGRATING, /* source: a migration owns the current epoch */
  MM_GS_MIGRATED,  /* source: moved away (tombstone) */
} mm_group_status;

typedef struct mm_group_info {
  mm_group_status status;
  uint16_t suite;
  uint64_t epoch;
  mm_view state;  /* target: the imported group_state; source: empty */
  mm_view peer;   /* source: the target after migration; target: the source */
  mm_view client; /* target: the client the group was imported for */
} mm_group_info;

/* ---- source DS ---- */

typedef struct mm_source mm_source;

/* mm_source_new makes a source DS in *out, restoring whatever env->store holds (its migrations
 * resume); cfg and env must outlive it. */
MM_MUST_USE mm_err mm_source_new(const mm_ds_config *cfg, const mm_env *env, mm_source **out);
/* mm_source_free frees s (volatile state only: its store survives); NULL is a no-op. */
void mm_source_free(mm_source *s);
/* mm_source_add_group installs a group for s to host: its state at the source, at the current
 * epoch, with its n members (profile v1; MM_E_USAGE at a source of profile v2). */
MM_MUST_USE mm_err mm_source_add_group(mm_source *s, const mm_group_state *g,
                                       const mm_member *members, size_t n);
/* mm_source_add_mls_group installs, at a source of profile v2, a group to host from its
 * MigrationGroupState (MLS-1) of the current epoch in suite, validated first (MLS-2:
 * MM_E_BAD_GROUP_STATE); MM_E_USAGE at a source of profile v1. */
MM_MUST_USE mm_err mm_source_add_mls_group(mm_source *s, uint16_t suite, const uint8_t *state,
                                           size_t len);
/* mm_source_handle takes one serialized Envelope at time now and queues what it sends on out:
 * MM_OK, the code of the refusal it sent, or a local failure (nothing is then taken, and a
 * retransmission is handled afresh). */
MM_MUST_USE mm_err mm_source_handle(mm_source *s, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out);
/* mm_source_tick fires the timers due at now: hold deadlines (LIFE-3, LIFE-4) and MigrationContent
 * retransmissions (LIFE-5). */
MM_MUST_USE mm_err mm_source_tick(mm_source *s, uint64_t now, mm_outbox *out);
/* mm_source_next_timer returns when s next wants a tick, MM_NO_TIMER if never. */
uint64_t mm_source_next_timer(const mm_source *s);
/* mm_source_actor returns s behind the actor interface (mlsmig/actor.h). */
mm_actor mm_source_actor(mm_source *s);
/* mm_source_store_namespaces lists, NULL-terminated, every namespace the
 * source keeps in its mm_store, for a driver that persists the store. */
const char *const *mm_source_store_namespaces(void);
/* mm_source_group fills *out with what s knows of group_id (active, migrating or migrated) and says
 * whether it knows the group. */
bool mm_source_group(const mm_source *s, mm_view group_id, mm_group_info *out);

/* ---- target DS ---- */

typedef struct mm_target mm_target;

/* mm_target_new makes a target DS in *out on env->store (a restarted target is the old one); cfg
 * and env must outlive it. */
MM_MUST_USE mm_err mm_target_new(const mm_ds_config *cfg, const mm_env *env, mm_target **out);
/* mm_target_free frees t (volatile state only: its store survives); NULL is a no-op. */
void mm_target_free(mm_target *t);
/* mm_target_add_group hosts a group created at the target itself (a group ID a request may then
 * collide with, GROUP-1); profile v1 (MM_E_USAGE at a target of profile v2). */
MM_MUST_USE mm_err mm_target_add_group(mm_target *t, const mm_group_state *g,
                                       const mm_member *members, size_t n);
/* mm_target_add_mls_group hosts, at a target of profile v2, a group created there from its
 * MigrationGroupState (MLS-1), validated first (MLS-2: MM_E_BAD_GROUP_STATE); MM_E_USAGE at a
 * target of profile v1. */
MM_MUST_USE mm_err mm_target_add_mls_group(mm_target *t, uint16_t suite, const uint8_t *state,
                                           size_t len);
/* mm_target_handle takes one serialized Envelope at time now and queues what it sends on out:
 * MM_OK, the code of the refusal it sent, or a local failure (answered `internal`). */
MM_MUST_USE mm_err mm_target_handle(mm_target *t, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out);
/* mm_target_handle_owned is mm_target_handle for an envelope in a malloc'd buffer that the caller
 * offers to hand over: where the target would store a copy of a part of it (the group_state of an
 * imported MigrationContent), it keeps the buffer itself instead, sets *env to NULL, and the bytes
 * belong to its store from then on. Otherwise *env is left as it was, still the caller's to free;
 * so `mm_target_handle_owned(t, &buf, len, now, out); free(buf);` is the usual call. Either way the
 * bytes are never changed, and after a call that returned MM_OK they stay readable through the
 * caller's old pointer until the next call on the target or on its store. Same outcome, same output
 * as mm_target_handle. */
MM_MUST_USE mm_err mm_target_handle_owned(mm_target *t, uint8_t **env, size_t len, uint64_t now,
                                          mm_outbox *out);
/* mm_target_tick does nothing (the target runs no timers: nonces expire by comparison at use) and
 * returns MM_OK. */
MM_MUST_USE mm_err mm_target_tick(mm_target *t, uint64_t now, mm_outbox *out);
/* mm_target_next_timer returns MM_NO_TIMER: the target never wants a tick. */
uint64_t mm_target_next_timer(const mm_target *t);
/* mm_target_actor returns t behind the actor interface (mlsmig/actor.h). */
mm_actor mm_target_actor(mm_target *t);
/* mm_target_store_namespaces lists, NULL-terminated, every namespace the
 * target keeps in its mm_store. */
const char *const *mm_target_store_namespaces(void);
/* mm_target_group fills *out with what t hosts under group_id (imported or created) and says
 * whether it hosts it. */
bool mm_target_group(const mm_target *t, mm_view group_id, mm_group_info *out);

#endif

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

/* Makes a source, restoring whatever env->store holds. Config and env must
 * outlive it. */
MM_MUST_USE mm_err mm_source_new(const mm_ds_config *cfg, const mm_env *env, mm_source **out);
void mm_source_free(mm_source *s);
/* Installs a group to host (the group's state at the source, current epoch). */
MM_MUST_USE mm_err mm_source_add_group(mm_source *s, const mm_group_state *g,
                                       const mm_member *members, size_t n);
MM_MUST_USE mm_err mm_source_handle(mm_source *s, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out);
MM_MUST_USE mm_err mm_source_tick(mm_source *s, uint64_t now, mm_outbox *out);
uint64_t mm_source_next_timer(const mm_source *s);
/* mm_source_actor returns s behind the actor interface (mlsmig/actor.h). */
mm_actor mm_source_actor(mm_source *s);
/* mm_source_store_namespaces lists, NULL-terminated, every namespace the
 * source keeps in its mm_store, for a driver that persists the store. */
const char *const *mm_source_store_namespaces(void);
bool mm_source_group(const mm_source *s, mm_view group_id, mm_group_info *out);

/* ---- target DS ---- */

typedef struct mm_target mm_target;

MM_MUST_USE mm_err mm_target_new(const mm_ds_config *cfg, const mm_env *env, mm_target **out);
void mm_target_free(mm_target *t);
/* Hosts a group created here (for GROUP-1 collisions). */
MM_MUST_USE mm_err mm_target_add_group(mm_target *t, const mm_group_state *g,
                                       const mm_member *members, size_t n);
MM_MUST_USE mm_err mm_target_handle(mm_target *t, const uint8_t *env, size_t len, uint64_t now,
                                    mm_outbox *out);
/* The same for an envelope in a malloc'd buffer that the caller offers to
 * hand over: where the target would store a copy of a part of it (the
 * group_state of an imported MigrationContent), it keeps the buffer itself
 * instead, sets *env to NULL, and the bytes belong to its store from then
 * on. Otherwise *env is left as it was, still the caller's to free; so
 * `mm_target_handle_owned(t, &buf, len, now, out); free(buf);` is the usual
 * call. Either way the bytes are never changed, and after a call that
 * returned MM_OK they stay readable through the caller's old pointer until
 * the next call on the target or on its store. Same outcome, same output
 * as mm_target_handle. */
MM_MUST_USE mm_err mm_target_handle_owned(mm_target *t, uint8_t **env, size_t len, uint64_t now,
                                          mm_outbox *out);
MM_MUST_USE mm_err mm_target_tick(mm_target *t, uint64_t now, mm_outbox *out);
uint64_t mm_target_next_timer(const mm_target *t);
/* mm_target_actor returns t behind the actor interface (mlsmig/actor.h). */
mm_actor mm_target_actor(mm_target *t);
/* mm_target_store_namespaces lists, NULL-terminated, every namespace the
 * target keeps in its mm_store. */
const char *const *mm_target_store_namespaces(void);
bool mm_target_group(const mm_target *t, mm_view group_id, mm_group_info *out);

#endif

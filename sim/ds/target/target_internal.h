/* Internal: the reference target DS, shared by its files (target.c:
 * lifecycle, MigrationRequest and group traffic; target_import.c:
 * MigrationContent). */
#ifndef MLSMIG_TARGET_INTERNAL_H
#define MLSMIG_TARGET_INTERNAL_H

#include "ds/hosted.h"
#include "ds/target/target_records.h"
#include "mlsmig/ds.h"

struct mm_target {
  const mm_ds_config *cfg;
  const mm_env *env;
  /* Where NonceRecords live: env->store, except under the FORGET_ON_CRASH
   * mutant, where they go to `volatile_nonces`, freed with the target (so a
   * restart forgets them). */
  mm_store *nonces;
  mm_store *volatile_nonces;
  mm_mls_cache *mls; /* profile v2: validated states (volatile cache) */
};

/* Does the target host this group (created here or imported)? */
bool mm_tgt_hosts(const mm_target *t, mm_view group_id);

/* MigrationContent from a DS (target_import.c). owned: the buffer `in`
 * was read from when the caller hands it over (mm_target_handle_owned), or
 * NULL; an import keeps it (and sets *owned to NULL) instead of copying the
 * group_state out of it. */
MM_MUST_USE mm_err mm_tgt_handle_content(mm_target *t, const mm_intake *in, uint8_t **owned,
                                         uint64_t now, mm_outbox *out);

/* Profile v2 traffic of a hosted group (target_mls.c): CommitBundles
 * (MLS-4), application messages (MLS-5), GroupInfo requests (MLS-6), also
 * right after an import (LIFE-6). Returns MM_OK or the refusal code. */
MM_MUST_USE mm_err mm_tgt_handle_v2(mm_target *t, const mm_intake *in, mm_outbox *out);

#endif

/* The reference DS behind the shim protocol (docs/shim-protocol.md): what
 * build/mlsmig-ref-ds runs. One process plays one role, source or target,
 * as Configure says; its durable store lives in the state directory so that
 * a SIGKILL and a restart on the same directory lose nothing (DUR-1). */
#ifndef MLSMIG_REF_DS_H
#define MLSMIG_REF_DS_H

#include <stdbool.h>

#include "mlsmig/ds.h"

typedef struct mm_refds mm_refds;

/* mm_refds_new makes a reference DS for the shim program in *out, not configured yet, with mutants
 * applied to the DS it runs (--mutant). */
MM_MUST_USE mm_err mm_refds_new(mm_mutants mutants, mm_refds **out);
/* mm_refds_free frees d and the DS it runs; NULL is a no-op. */
void mm_refds_free(mm_refds *d);
/* Handles one request (a frame body) and appends the reply frame to reply.
 * *quit is set on shutdown. A request the shim cannot serve gets an error
 * reply; only a failure to build any reply is returned. */
MM_MUST_USE mm_err mm_refds_handle(mm_refds *d, const uint8_t *body, size_t len, mm_writer *reply,
                                   bool *quit);

/* mm_refds_store_save writes a snapshot of the durable store s into dir, atomically (a SIGKILL
 * leaves the old snapshot or the new one). */
MM_MUST_USE mm_err mm_refds_store_save(const mm_store *s, const char *dir);
/* mm_refds_store_load reads the snapshot in dir into the empty store s (nothing to read is not an
 * error). */
MM_MUST_USE mm_err mm_refds_store_load(mm_store *s, const char *dir);

#endif

/* An implementation under test (IUT) behind the shim protocol
 * (docs/shim-protocol.md) as one DS of the simulated world (issue 16,
 * `mlsmig sim --iut CMD --role source|target`): an mm_sim_external whose
 * actor proxies handle (deliver), tick (advance_clock), crash (SIGKILL) and
 * restart (a new process configured on the same state directory) to a shim
 * process, one fresh process and state directory per run.
 *
 * The simulator's judgment needs what the reference actors report
 * (mm_event); the proxy infers it from what the IUT sends and from
 * query_group: a Commit it fans out was accepted (INV-1), an answer
 * TargetMigrationComplete to a MigrationContent is an import of that
 * content's group_state (INV-2, INV-3), a source going from migrating to
 * active aborted, to migrated released the group. A delivery's verdict is
 * the code of the MigrationError the IUT answered with, else accepted when
 * its effect shows (a MigrationResponse, a TargetMigrationComplete, the
 * group migrating or migrated), else MM_E_REFUSED (dropped silently).
 *
 * Simulated time stays in charge: the shim has no request for its next
 * timer, so the proxy polls with advance_clock at the instants a timer of
 * the profile could fall due after each thing the IUT did (1, 2, 4, 8, 10,
 * 16, 32 and 60 s later: retransmission backoff, hold bounds). */
#ifndef MLSMIG_IUT_DS_H
#define MLSMIG_IUT_DS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/sim.h"

typedef struct mm_iut_ds mm_iut_ds;

typedef struct mm_iut_ds_opts {
  const char *cmd; /* the shim's command line (/bin/sh -c) */
  mm_role role;    /* MM_ROLE_SOURCE or MM_ROLE_TARGET */
  int timeout_ms;  /* per request (default 10000) */
  /* Persistent mode (PICS feature reset): one process serves run after run,
   * `reset` then `configure` on a fresh state directory between them; a
   * crash still SIGKILLs it. Without the feature: one process per run. */
  bool persistent;
} mm_iut_ds_opts;

/* What the IUT cost, wall time (for the closing line and make bench). */
typedef struct mm_iut_ds_stats {
  uint64_t runs, processes, requests;
  double startup_ms; /* starting processes, hello, configure */
  double request_ms; /* every other request's round trip */
  double kill_ms;    /* SIGKILL, reaping, removing state directories */
} mm_iut_ds_stats;

/* One thing the IUT sent, as the determinism check compares runs: bytes
 * may differ (fresh nonces), what was sent to whom when may not. */
typedef struct mm_iut_ds_out {
  uint64_t at;
  char to[64];
  uint8_t msg_type;
  uint16_t code; /* MigrationError: its code */
} mm_iut_ds_out;

typedef struct mm_iut_ds_log {
  mm_iut_ds_out *v;
  size_t n, cap;
} mm_iut_ds_log;

/* mm_iut_ds_new starts the IUT once to read its PICS (hello) and checks that it plays o->role;
 * MM_E_USAGE or MM_E_IO with a reason in why when it does not. */
MM_MUST_USE mm_err mm_iut_ds_new(const mm_iut_ds_opts *o, mm_iut_ds **out, char *why,
                                 size_t why_len);
/* mm_iut_ds_free frees d and removes its state directories; NULL is a no-op. */
void mm_iut_ds_free(mm_iut_ds *d);
/* mm_iut_ds_external returns d as the simulator's external DS (mm_sim_config.external). */
const mm_sim_external *mm_iut_ds_external(const mm_iut_ds *d);
/* mm_iut_ds_persistent says whether d keeps its process from run to run (asked for, and the PICS
 * declares reset). */
bool mm_iut_ds_persistent(const mm_iut_ds *d);
/* mm_iut_ds_implementation returns the implementation name of the IUT's PICS. */
const char *mm_iut_ds_implementation(const mm_iut_ds *d);
/* mm_iut_ds_features returns the feature bits of the IUT's PICS (MM_SHIM_F_*). */
uint32_t mm_iut_ds_features(const mm_iut_ds *d);
/* mm_iut_ds_has_suite says whether the IUT's PICS lists suite. */
bool mm_iut_ds_has_suite(const mm_iut_ds *d, uint16_t suite);
/* mm_iut_ds_why returns the first failure of the IUT (a hang, an exit, a broken reply) with its
 * stderr, "" if none. */
const char *mm_iut_ds_why(const mm_iut_ds *d);
/* mm_iut_ds_get_stats returns what the IUT cost so far. */
mm_iut_ds_stats mm_iut_ds_get_stats(const mm_iut_ds *d);
/* mm_iut_ds_last_log moves the output log of the last finished run into *log (the caller frees it
 * with mm_iut_ds_log_free). */
void mm_iut_ds_last_log(mm_iut_ds *d, mm_iut_ds_log *log);
/* mm_iut_ds_log_free frees what log holds. */
void mm_iut_ds_log_free(mm_iut_ds_log *log);
/* mm_iut_ds_log_diff says whether two runs' logs differ and then describes the first difference
 * in diff. */
bool mm_iut_ds_log_diff(const mm_iut_ds_log *a, const mm_iut_ds_log *b, char *diff, size_t len);

#endif

/* Supervision of the IUT's processes (iut_sup.c). No process the IUT starts
 * outlives its test, whatever it does (double fork, setsid, setpgid):
 *
 * - Each IUT process runs under its own small supervisor, a child of the
 *   runner that is a child subreaper (PR_SET_CHILD_SUBREAPER): every
 *   descendant of the IUT that loses its parent is reparented to it, not
 *   to init. The supervisor forks `/bin/sh -c CMD` in a process group of
 *   its own and reports that process's exit status. When the runner closes
 *   the supervisor's control pipe (the test ends, a SIGKILL for a restart,
 *   or the runner dies), it kills the IUT's process group, then every child
 *   left to it (those are the descendants that left the group), until it
 *   has none, reaps them, reports how many it had to kill, and exits.
 * - The runner itself is a child subreaper too (mm_reaper_begin): if a
 *   supervisor is killed, what it supervised comes to the runner, which
 *   kills and reaps every child it did not start (mm_reaper_sweep).
 *
 * The supervisor runs between fork and _exit without exec: only
 * async-signal-safe calls (system calls), no allocation, no stdio. */
#ifndef MLSMIG_IUT_SUP_H
#define MLSMIG_IUT_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mlsmig/error.h"

typedef struct mm_sup {
  pid_t pid; /* the supervisor, a child of the runner */
  int ctl;   /* write end: closing it ends the IUT and all its descendants */
  int rep;   /* read end of the supervisor's reports (non-blocking) */
  bool exited, done, reaped;
  int status;       /* the IUT's wait status, once exited */
  uint32_t escaped; /* once done: descendants killed outside the IUT's group */
} mm_sup;

/* mm_sup_spawn starts a supervisor running cmd with in, out and err as its
 * stdin, stdout and stderr (the caller closes its copies). MM_E_IO with a
 * reason in why when it cannot (pipes, fork). */
MM_MUST_USE mm_err mm_sup_spawn(const char *cmd, int in, int out, int err, mm_sup *s, char *why,
                                size_t why_len);
/* mm_sup_poll reads the reports that have arrived (exit status, done). */
void mm_sup_poll(mm_sup *s);
/* mm_sup_end ends the IUT and its descendants, waits for the supervisor and
 * reaps it; s->escaped then says how many processes had left the IUT's
 * process group. Returns the number of processes the runner itself had to
 * kill because the supervisor was gone (mm_reaper_sweep). Idempotent. */
unsigned mm_sup_end(mm_sup *s);

/* mm_reaper_begin makes the calling process a child subreaper and notes its
 * present children (never touched by a sweep). False when the kernel
 * refuses (then escaped processes go to init). */
bool mm_reaper_begin(void);
/* mm_reaper_sweep kills and reaps every child of this process that is
 * neither a live supervisor nor one noted by mm_reaper_begin; returns how
 * many it killed. Bounded: gives up after about 10 s of a child that will
 * not die. */
unsigned mm_reaper_sweep(void);

#endif

/* The client process as a child (private to sim/clients/): its command runs
 * under /bin/sh -c in its own process group, with pipes on stdin, stdout
 * and stderr; every exchange has a deadline and every read is bounded.
 *
 * A minimal twin of the runner's IUT process handling (sim/runner/iut.c),
 * kept here so that the layers below the runner (the simulator) can drive a
 * client process too; the two are to be unified. Starting a process ignores
 * SIGPIPE for the whole program (a write to a dead child must be an error,
 * not our death). */
#ifndef MLSMIG_CLIENTS_PROC_H
#define MLSMIG_CLIENTS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

/* Bytes of the child's stderr kept: the last ones (a crash message comes
 * last, after however much logging). */
#define MM_PROC_STDERR_CAP 8192

typedef struct mm_proc mm_proc;

/* mm_proc_start starts cmd; MM_E_IO with a reason in why when no process
 * can be made (a command that does not exist shows at the first call). */
MM_MUST_USE mm_err mm_proc_start(const char *cmd, uint32_t max_frame, mm_proc **out, char *why,
                                 size_t why_len);
/* mm_proc_call writes one request frame and reads one reply frame within
 * timeout_ms: *body (malloc'd, without the length header) on MM_OK, else
 * MM_E_IO (timeout, exit, oversized or truncated frame, bytes nobody asked
 * for) explained by mm_proc_why, or MM_E_NOMEM. */
MM_MUST_USE mm_err mm_proc_call(mm_proc *p, const uint8_t *frame, size_t len, int timeout_ms,
                                uint8_t **body, size_t *body_len);
/* mm_proc_why says why the last call failed. */
const char *mm_proc_why(const mm_proc *p);
/* mm_proc_stderr is the last MM_PROC_STDERR_CAP bytes of the child's stderr,
 * NUL-terminated (NUL bytes shown as '?'). */
const char *mm_proc_stderr(mm_proc *p);
/* mm_proc_stop closes stdin, waits up to timeout_ms for an exit, then kills
 * the process group; safe to call twice. */
void mm_proc_stop(mm_proc *p, int timeout_ms);
/* mm_proc_free kills the process group if it still runs, reaps, frees. */
void mm_proc_free(mm_proc *p);

#endif

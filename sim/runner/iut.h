/* The implementation under test as a child process: its command runs under
 * /bin/sh -c in its own process group, below a supervisor that ends it and
 * every descendant it made (iut_sup.h), with pipes on stdin, stdout and
 * stderr. Every exchange has a deadline, every read is bounded, and stderr
 * is kept in a bounded buffer for the report, so that an IUT that hangs,
 * crashes, writes garbage or leaves processes behind costs a verdict and
 * never the runner.
 *
 * Starting an IUT ignores SIGPIPE for the whole process (a write to a dead
 * IUT must be an error, not the runner's death); the IUT gets the default. */
#ifndef MLSMIG_IUT_H
#define MLSMIG_IUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

/* Bytes of the IUT's stderr kept per process: the first half of it and the
 * last half (a crash message comes last, after however much logging). */
#define MM_IUT_STDERR_CAP 8192

typedef struct mm_iut mm_iut;

/* Starts cmd (a shell command line). MM_E_IO with a reason in why when the
 * process cannot be made (MM_E_NOMEM when the runner is out of memory); a
 * command that does not exist shows up at the first call (the shell exits
 * 127). */
MM_MUST_USE mm_err mm_iut_start(const char *cmd, uint32_t max_frame, mm_iut **out, char *why,
                                size_t why_len);
/* mm_iut_set_cancel makes every wait end early once *cancel is set
 * (a signal handler's flag; NULL: never). */
void mm_iut_set_cancel(mm_iut *p, const volatile sig_atomic_t *cancel);
/* Writes one request frame and reads one reply frame within timeout_ms.
 * *body (malloc'd, the frame without its length header) on MM_OK; otherwise
 * MM_E_IO (timeout, exit, closed pipe, oversized or truncated frame,
 * unsolicited bytes pending before the request) or MM_E_NOMEM (the runner's
 * own failure), explained by mm_iut_why. */
MM_MUST_USE mm_err mm_iut_call(mm_iut *p, const uint8_t *frame, size_t len, int timeout_ms,
                               uint8_t **body, size_t *body_len);
/* mm_iut_why returns one line on why p's last call failed. */
const char *mm_iut_why(const mm_iut *p);
/* mm_iut_timed_out says whether the last mm_iut_call failed for want of time. */
bool mm_iut_timed_out(const mm_iut *p);
/* mm_iut_pending says whether the IUT wrote something nobody asked for
 * (consuming it) and describes it in what. */
bool mm_iut_pending(mm_iut *p, char *what, size_t cap);
/* What the IUT wrote on stderr so far: all of it up to MM_IUT_STDERR_CAP
 * bytes, else its first and last MM_IUT_STDERR_CAP / 2 bytes around a note
 * of how much was dropped. As mm_iut_text makes it: valid UTF-8, no NUL,
 * under 2 * MM_IUT_STDERR_CAP + 64 bytes whatever the escapes take.
 * Reading stderr never allocates, however much the IUT writes. */
const char *mm_iut_stderr(mm_iut *p);
/* Writes bytes the IUT chose (stderr, an error reason, a destination) at
 * out + at as text the reports can carry: valid UTF-8 without NUL, every
 * other byte as the four characters \xNN; stops before a character or an
 * escape that would not fit in cap with the NUL. Returns the new length. */
size_t mm_iut_text(char *out, size_t cap, size_t at, const void *bytes, size_t n);
/* mm_iut_kill ends the IUT and every descendant (SIGKILL) and reaps them:
 * DUR-1 restarts, hung IUTs, the end of every test. */
void mm_iut_kill(mm_iut *p);
/* mm_iut_stop closes stdin and waits up to timeout_ms for a clean exit,
 * reading what stdout still brings (mm_iut_after_shutdown), then kills. */
void mm_iut_stop(mm_iut *p, int timeout_ms);
/* mm_iut_after_shutdown says, after mm_iut_stop, whether the IUT wrote
 * anything after its last reply, and describes it in what. */
bool mm_iut_after_shutdown(const mm_iut *p, char *what, size_t cap);
/* mm_iut_escaped returns, after mm_iut_kill, how many descendants had left
 * the IUT's process group and had to be killed one by one. */
unsigned mm_iut_escaped(const mm_iut *p);
/* mm_iut_running says whether p's process is still running. */
bool mm_iut_running(mm_iut *p);
/* mm_iut_connect makes p a connection to a running IUT (a service) at addr,
 * "unix:PATH" or "tcp:HOST:PORT" with a loopback HOST, trying again while it
 * is refused until timeout_ms (a service that is restarting), and the same
 * shim frames go over it. Such a p has no stderr and no process: mm_iut_kill
 * and mm_iut_stop close the connection (the service's --iut-kill hook is the
 * caller's). MM_E_IO with a reason in why when it cannot connect. */
MM_MUST_USE mm_err mm_iut_connect(const char *addr, uint32_t max_frame, int timeout_ms,
                                  const volatile sig_atomic_t *cancel, mm_iut **out, char *why,
                                  size_t why_len);
/* mm_iut_await_gone waits up to timeout_ms until addr refuses connections
 * (a killed service is gone, not dying); MM_E_IO with a reason in why when
 * it still accepts them. */
MM_MUST_USE mm_err mm_iut_await_gone(const char *addr, int timeout_ms, char *why, size_t why_len);
/* mm_iut_is_socket says whether p is a connection (mm_iut_connect). */
bool mm_iut_is_socket(const mm_iut *p);
/* mm_iut_hook runs a hook of the service (--iut-start, --iut-stop,
 * --iut-kill: `what`) under /bin/sh -c, stdin empty and stdout on the
 * runner's stderr, and waits up to timeout_ms for its exit; MM_E_IO with a
 * reason in why unless it exits 0 (in time: else its process group is
 * killed). */
MM_MUST_USE mm_err mm_iut_hook(const char *what, const char *cmd, int timeout_ms,
                               const volatile sig_atomic_t *cancel, char *why, size_t why_len);
/* Kills if still running, frees. */
void mm_iut_free(mm_iut *p);

#endif

/* A driver for an external process that plays MLS members over the client
 * protocol (docs/client-protocol.md): start it, check its hello, send
 * requests with a deadline each, read the replies. The simulator and the
 * runner both drive real members through it (`--clients CMD`).
 *
 * A broken process (timeout, exit, a reply that does not decode or is of
 * the wrong type) is an MM_E_IO and stays broken: every later call fails
 * at once with the same reason. An error reply is MM_E_REFUSED: the process
 * is fine, the request was refused (mm_clients_error says how). */
#ifndef MLSMIG_CLIENTS_H
#define MLSMIG_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/error.h"
#include "shim/client_proto.h"

/* Default deadline of one call: ts-mls with P-521 in JavaScript takes a
 * few hundred milliseconds for a large Commit on a busy machine. */
#define MM_CLIENTS_TIMEOUT_MS 30000

typedef struct mm_clients mm_clients;

/* mm_clients_start starts cmd (a shell command line), says hello and checks
 * that the process speaks client protocol version 1. MM_E_IO with a reason
 * in why when it does not start or answers wrong. */
MM_MUST_USE mm_err mm_clients_start(const char *cmd, int timeout_ms, mm_clients **out, char *why,
                                    size_t why_len);
/* mm_clients_call sends req and reads its reply into *reply (views valid
 * until the next call). MM_OK: the reply has the type req expects;
 * MM_E_REFUSED: an error reply; MM_E_IO: the process is broken;
 * MM_E_NOMEM. */
MM_MUST_USE mm_err mm_clients_call(mm_clients *c, const mm_client_msg *req, mm_client_msg *reply);
/* mm_clients_error is the code of the last error reply (0 if none). */
uint8_t mm_clients_error(const mm_clients *c);
/* mm_clients_why says why the last call failed ("" after a success). */
const char *mm_clients_why(const mm_clients *c);
/* mm_clients_implementation is the PICS implementation string. */
const char *mm_clients_implementation(const mm_clients *c);
/* mm_clients_features is the PICS feature bits (MM_CLIENT_F_*). */
uint32_t mm_clients_features(const mm_clients *c);
/* mm_clients_has_suite says whether the PICS lists the ciphersuite. */
bool mm_clients_has_suite(const mm_clients *c, uint16_t suite);
/* mm_clients_set_timeout sets the deadline of each later call. */
void mm_clients_set_timeout(mm_clients *c, int timeout_ms);
/* mm_clients_stderr is the tail of what the process wrote on stderr. */
const char *mm_clients_stderr(mm_clients *c);

/* Time spent per request type, for benchmarks and reports. */
typedef struct mm_clients_stat {
  uint64_t calls;
  uint64_t total_us;
} mm_clients_stat;
/* mm_clients_stat_of is the count and total wall time of the calls of one
 * request type so far. */
mm_clients_stat mm_clients_stat_of(const mm_clients *c, uint8_t request);

/* mm_clients_stop asks the process to shut down, waits briefly, kills what
 * is left, and frees c (NULL is fine). */
void mm_clients_stop(mm_clients *c);

#endif

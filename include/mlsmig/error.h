/* Error codes shared by the codec, the crypto layer and the actors.
 *
 * Codes 1..18 are exactly the MigrationError codes of profile section 8 (v2
 * added 18), so an actor can put an mm_err on the wire as is. Codes from 100
 * on are local failures that never travel. */
#ifndef MLSMIG_ERROR_H
#define MLSMIG_ERROR_H

#include <stddef.h>

/* MM_MUST_USE marks a function whose result must be looked at: every function
 * returning mm_err carries it (a typedef'd enum cannot), so an ignored refusal
 * or local failure is a compile error under -Werror. */
#if defined(__GNUC__) || defined(__clang__)
#define MM_MUST_USE __attribute__((warn_unused_result))
#else
#define MM_MUST_USE
#endif

typedef enum mm_err {
  MM_OK = 0,
  MM_E_MALFORMED = 1,
  MM_E_UNSUPPORTED_CIPHERSUITE = 2,
  MM_E_BAD_SIGNATURE = 3,
  MM_E_UNKNOWN_NONCE = 4,
  MM_E_NONCE_REUSED = 5,
  MM_E_NONCE_EXPIRED = 6,
  MM_E_WRONG_DOMAIN = 7,
  MM_E_UNKNOWN_GROUP = 8,
  MM_E_GROUP_EXISTS = 9,
  MM_E_STALE_EPOCH = 10,
  MM_E_BAD_COMMIT = 11,
  MM_E_NOT_MEMBER = 12,
  MM_E_UNAUTHORIZED = 13,
  MM_E_HASH_MISMATCH = 14,
  MM_E_BUSY = 15,
  MM_E_GROUP_MIGRATED = 16,
  MM_E_INTERNAL = 17,
  MM_E_BAD_GROUP_STATE = 18, /* a GroupInfo or ratchet tree fails MLS-2 */
  /* The feature migration_refusal (docs/amendment.md, B.1): the source to the client, the target
   * refused the migration for good (AMD-7, AMD-10). Not in 1..MM_E_WIRE_LAST: a MigrationError
   * carries it only under the feature (mm_limits.features). */
  MM_E_MIGRATION_REFUSED = 19,
  /* local only */
  MM_E_NOMEM = 100,
  MM_E_CRYPTO = 101, /* OpenSSL refused an operation that should work */
  MM_E_IO = 102,
  MM_E_USAGE = 103,
  MM_E_NOT_FOUND = 104,
  MM_E_REFUSED = 105, /* an external MLS client answered a request with an error */
} mm_err;

/* mm_err_name returns e's short name ("bad_signature", "nomem", ...), "unknown" for values outside
 * the enum. */
const char *mm_err_name(mm_err e);
/* mm_err_message returns one sentence for people on what e means. */
const char *mm_err_message(mm_err e);
/* MM_E_WIRE_LAST is the last wire code (18, bad_group_state, since profile v2). */
#define MM_E_WIRE_LAST MM_E_BAD_GROUP_STATE

/* mm_err_is_wire says whether code is one of the wire codes 1..MM_E_WIRE_LAST that a
 * MigrationError carries. */
int mm_err_is_wire(int code);
/* mm_err_is_local is true for MM_E_NOMEM, MM_E_CRYPTO and MM_E_IO: a failure
 * of this process, which is never a verdict on a message nor a pass. */
int mm_err_is_local(mm_err e);

/* mm_err_discard drops a result on purpose (GCC does not let a `(void)` cast
 * silence MM_MUST_USE); every call says in a comment why the result cannot
 * matter there. */
static inline void mm_err_discard(mm_err e) { (void)e; }

#endif

/* The JSON form of the structures of mls.h (used by `mlsmig decode` and
 * `encode`): RFC 9420's field names, nested structs as objects, lists as
 * arrays (of numbers for integer lists), optional<> as null or the value,
 * bytes as lowercase hex. The same walk as codec/json_codec.h. */
#ifndef MLSMIG_MLS_JSON_H
#define MLSMIG_MLS_JSON_H

#include "codec/json_codec.h"
#include "mlsmig/mls.h"

/* mm_mls_to_json gives a new reference, or NULL when out of memory (every
 * uint64 prints exactly: base/json_io.h). */
json_t *mm_mls_to_json(mm_mls_type t, const void *msg);
/* mm_mls_from_json fills msg from obj (views into the arena); a bad key,
 * value or list element fails with MM_E_MALFORMED and *why. Field limits
 * are mm_mls_encode's to check. */
mm_err mm_mls_from_json(mm_mls_type t, const json_t *obj, mm_arena *a, void *msg, const char **why);

#endif

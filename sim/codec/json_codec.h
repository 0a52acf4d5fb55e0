/* JSON form of every codec type (used by `mlsmig decode/encode`, the vector
 * files and transcripts). Field names are the draft's (snake_case); nested
 * structs are nested objects; opaque and fixed-size byte fields are lowercase
 * hex strings; integers are JSON numbers, exact up to 2^64-1 (base/json_io.h). */
#ifndef MLSMIG_JSON_CODEC_H
#define MLSMIG_JSON_CODEC_H

#include <jansson.h>

#include "base/json_io.h"
#include "mlsmig/messages.h"

/* Bytes decoded from JSON hex live here until mm_arena_free. */
typedef struct mm_arena {
  void **blocks;
  size_t n, cap;
} mm_arena;

void mm_arena_init(mm_arena *a);
void *mm_arena_alloc(mm_arena *a, size_t len); /* NULL on OOM */
void mm_arena_free(mm_arena *a);

/* mm_msg_to_json returns msg's JSON form as a new reference, or NULL on OOM.
 * A uint64 above 2^63-1 is a json_io.h marker: print the tree with
 * mm_json_dumps (base/json_io.h) and read numbers with mm_json_u64_value. */
json_t *mm_msg_to_json(mm_type t, const void *msg);
/* Fills msg (struct of type t) from obj. Unknown or missing keys, bad hex and
 * out-of-range integers fail with MM_E_MALFORMED and a one-line reason in
 * *why (static string or arena-owned); out of memory with MM_E_NOMEM. Views
 * point into the arena. Field limits (ENC-4) are NOT checked here: mm_encode
 * checks them. */
MM_MUST_USE mm_err mm_msg_from_json(mm_type t, const json_t *obj, mm_arena *a, void *msg,
                                    const char **why);

/* The same on any field table (codec/schema.h): how sim/mls/ gives the
 * RFC 9420 structures their JSON form. Lists are arrays. */
typedef struct mm_schema mm_schema;
json_t *mm_schema_to_json(const mm_schema *s, const void *msg);
mm_err mm_schema_from_json(const mm_schema *s, const json_t *obj, mm_arena *a, void *msg,
                           const char **why);

/* Lowercase hex of bytes: new JSON string. */
json_t *mm_json_hex(const uint8_t *data, size_t len);
/* Hex string -> arena bytes. false on bad hex. */
bool mm_json_unhex(const json_t *s, mm_arena *a, mm_view *out);

#endif

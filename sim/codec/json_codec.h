/* JSON form of every codec type (used by `mlsmig decode/encode`, the vector
 * files and transcripts). Field names are the draft's (snake_case); nested
 * structs are nested objects; opaque and fixed-size byte fields are lowercase
 * hex strings; integers are JSON numbers. */
#ifndef MLSMIG_JSON_CODEC_H
#define MLSMIG_JSON_CODEC_H

#include <jansson.h>

#include "mlsmig/messages.h"

/* Bytes decoded from JSON hex live here until mm_arena_free. */
typedef struct mm_arena {
  void **blocks;
  size_t n, cap;
} mm_arena;

void mm_arena_init(mm_arena *a);
void *mm_arena_alloc(mm_arena *a, size_t len); /* NULL on OOM */
void mm_arena_free(mm_arena *a);

/* New reference, or NULL on OOM or when a uint64 field (an epoch) is above
 * 2^63-1, which jansson's signed integers cannot hold. */
json_t *mm_msg_to_json(mm_type t, const void *msg);
/* Has msg a JSON form (no uint64 above 2^63-1)? Then a NULL from
 * mm_msg_to_json was out of memory. */
bool mm_msg_json_fits(mm_type t, const void *msg);
/* Fills msg (struct of type t) from obj. Unknown or missing keys, bad hex and
 * out-of-range integers fail with MM_E_MALFORMED and a one-line reason in
 * *why (static string or arena-owned); out of memory with MM_E_NOMEM. Views
 * point into the arena. Field limits (ENC-4) are NOT checked here: mm_encode
 * checks them. */
MM_MUST_USE mm_err mm_msg_from_json(mm_type t, const json_t *obj, mm_arena *a, void *msg,
                                    const char **why);

/* Lowercase hex of bytes: new JSON string. */
json_t *mm_json_hex(const uint8_t *data, size_t len);
/* Hex string -> arena bytes. false on bad hex. */
bool mm_json_unhex(const json_t *s, mm_arena *a, mm_view *out);

#endif

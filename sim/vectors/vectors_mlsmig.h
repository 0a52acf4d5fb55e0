/* Helpers shared by the verifiers of mlsmig's own vector files
 * (vectors_mlsmig_*.c). */
#ifndef MLSMIG_VECTORS_MLSMIG_H
#define MLSMIG_VECTORS_MLSMIG_H

#include <jansson.h>
#include <stdbool.h>

#include "codec/json_codec.h"
#include "codec/tbs.h"
#include "mlsmig/crypto.h"
#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors.h"

/* obj[key] as bytes (into the arena); false if absent or not hex. */
bool mm_vj_hex(const json_t *obj, const char *key, mm_arena *a, mm_view *out);
/* obj[key] as a string, NULL if absent. */
const char *mm_vj_str(const json_t *obj, const char *key);
/* obj[key] as a supported suite id, 0 if not. */
uint16_t mm_vj_suite(const json_t *obj, const char *key);
/* True when root is a non-empty array whose element 0 has every key. */
bool mm_vj_first_has(const json_t *root, const char *const *keys);
/* Key pair from a {"priv", "pub"} object: checks that priv gives pub. */
MM_MUST_USE mm_err mm_vj_key_pair(const json_t *obj, uint16_t suite, mm_key **out);

/* Compares a file's array with the regeneration from its seed, element by
 * element (one check each): any changed byte anywhere fails. */
void mm_vg_check_regenerates(const json_t *root, json_t *(*gen)(uint64_t), mm_vresult *r);

#endif

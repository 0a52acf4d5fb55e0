/* JSON form of the mls.h structures: the generic walk of json_codec.c on
 * the tables of mls_schema.c. */
#include "mls/mls_json.h"

#include "mls/mls_schema.h"

json_t *mm_mls_to_json(mm_mls_type t, const void *msg) {
  return mm_schema_to_json(mm_mls_schema_of(t), msg);
}

mm_err mm_mls_from_json(mm_mls_type t, const json_t *obj, mm_arena *a, void *msg,
                        const char **why) {
  if (!mm_mls_schema_of(t)) return MM_E_USAGE;
  return mm_schema_from_json(mm_mls_schema_of(t), obj, a, msg, why);
}

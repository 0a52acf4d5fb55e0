/* The JSON message decoder (mm_msg_from_json), as `mlsmig encode` and the
 * vector files use it: first byte picks the type and the limits, the rest
 * is JSON text. Oracles: whatever from_json accepts and mm_encode encodes
 * decodes again under the same limits, and re-encodes to the same bytes. */
#include <jansson.h>

#include "codec/json_codec.h"
#include "fuzz_common.h"

int mm_fuzz_msg_json(const uint8_t *data, size_t len);

int mm_fuzz_msg_json(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  mm_type t = (mm_type)(data[0] % MM_T_COUNT);
  mm_limits lim = mm_limits_default(mm_fuzz_suite((uint8_t)(data[0] / MM_T_COUNT)));
  json_error_t jerr;
  json_t *root = mm_json_loadb((const char *)data + 1, len - 1,
                               JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &jerr);
  if (!root) return 0;
  mm_arena a;
  mm_arena_init(&a);
  mm_any_msg m;
  const char *why = NULL;
  if (mm_msg_from_json(t, root, &a, &m, &why) != MM_OK) {
    MM_FUZZ_CHECK(why != NULL, "refusal has a reason");
    goto out;
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_derr err = {0};
  if (mm_encode(t, &m, &lim, &w, &err) == MM_OK) {
    mm_any_msg back;
    MM_FUZZ_CHECK(mm_decode(t, w.buf, w.len, &lim, &back, &err) == MM_OK,
                  "what encode emits, decode accepts");
    mm_writer w2;
    mm_writer_init(&w2);
    MM_FUZZ_CHECK(mm_encode(t, &back, &lim, &w2, &err) == MM_OK, "re-encode");
    MM_FUZZ_CHECK(w2.len == w.len && memcmp(w2.buf, w.buf, w.len) == 0, "stable encoding");
    mm_writer_free(&w2);
  }
  mm_writer_free(&w);
out:
  mm_arena_free(&a);
  json_decref(root);
  return 0;
}

MM_FUZZ_MAIN(msg_json)

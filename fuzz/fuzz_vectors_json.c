/* The JSON vector loader (mm_vectors_verify_json) on arbitrary JSON, as
 * `mlsmig vectors verify` reads a file anyone can edit. Verifying does
 * crypto per vector, so the input is capped (MAX_INPUT) to bound the number
 * of vectors per run; a larger file only repeats what a small one reaches.
 * The work of one vector is the loader's to bound (libFuzzer reports a slow
 * or huge one as a timeout or an out-of-memory crash). Oracle: a recognized
 * file reports a format name and consistent counts. */
#include <jansson.h>

#include "base/json_io.h"
#include "fuzz_common.h"
#include "vectors/vectors.h"

int mm_fuzz_vectors_json(const uint8_t *data, size_t len);

#define MAX_INPUT 8192

int mm_fuzz_vectors_json(const uint8_t *data, size_t len) {
  if (len > MAX_INPUT) return 0;
  json_error_t jerr;
  json_t *root = mm_json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) return 0;
  mm_vresult r;
  mm_err e = mm_vectors_verify_json(root, &r);
  MM_FUZZ_CHECK(e == MM_OK || e == MM_E_MALFORMED, "verdict is ok or malformed");
  MM_FUZZ_CHECK(r.format != NULL, "format named");
  MM_FUZZ_CHECK(memchr(r.first_failure, 0, sizeof r.first_failure) != NULL,
                "failure text terminated");
  if (e == MM_OK) MM_FUZZ_CHECK(r.failed == 0 || r.first_failure[0], "first failure recorded");
  json_decref(root);
  return 0;
}

MM_FUZZ_MAIN(vectors_json)

/* Every RFC 9420 structure of sim/mls (mls.h). Input: a type byte, a suite
 * byte (fuzz_common.h: 0, 1..7 or unknown), the structure. Oracles: a
 * refusal names a rule and an offset inside the input; an accepted input
 * re-encodes to itself (ENC-3), its JSON form gives it back, and its
 * prefix encodings (the TBS forms) are prefixes of it. */
#include <jansson.h>

#include "fuzz_common.h"
#include "mls/mls_json.h"
#include "mlsmig/mls.h"

int mm_fuzz_mls_codec(const uint8_t *data, size_t len);

static void expect_bytes(const mm_writer *w, const uint8_t *b, size_t n, const char *what) {
  MM_FUZZ_CHECK(w->len == n && (n == 0 || memcmp(w->buf, b, n) == 0), what);
}

int mm_fuzz_mls_codec(const uint8_t *data, size_t len) {
  if (len < 2) return 0;
  mm_mls_type t = (mm_mls_type)(data[0] % MM_MLS_T_COUNT);
  mm_limits lim = mm_limits_default(mm_fuzz_suite(data[1]));
  const uint8_t *b = data + 2;
  size_t n = len - 2;
  mm_mls_any m;
  mm_derr err = {0};
  if (mm_mls_decode(t, b, n, &lim, &m, &err) != MM_OK) {
    MM_FUZZ_CHECK(err.rule && err.reason && err.offset <= n, "a refusal names rule and offset");
    return 0;
  }
  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_mls_encode(t, &m, &lim, &w, &err) == MM_OK, "accepted input re-encodes");
  expect_bytes(&w, b, n, "encode(decode(b)) == b");
  mm_writer_free(&w);
  size_t nf = mm_mls_nfields(t);
  if (nf > 1) {
    mm_writer_init(&w);
    MM_FUZZ_CHECK(mm_mls_encode_prefix(t, &m, nf - 1, &lim, &w) == MM_OK, "prefix encodes");
    MM_FUZZ_CHECK(w.len <= n && memcmp(w.buf, b, w.len) == 0, "prefix is a prefix");
    mm_writer_free(&w);
  }
  json_t *j = mm_mls_to_json(t, &m);
  if (!j) return 0; /* out of memory only: every uint64 prints (base/json_io.h) */
  mm_arena a;
  mm_arena_init(&a);
  mm_mls_any m2;
  const char *why = NULL;
  MM_FUZZ_CHECK(mm_mls_from_json(t, j, &a, &m2, &why) == MM_OK, "own JSON parses back");
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_mls_encode(t, &m2, &lim, &w, &err) == MM_OK, "JSON form re-encodes");
  expect_bytes(&w, b, n, "encode(from_json(to_json(decode(b)))) == b");
  mm_writer_free(&w);
  mm_arena_free(&a);
  json_decref(j);
  return 0;
}

MM_FUZZ_MAIN(mls_codec)

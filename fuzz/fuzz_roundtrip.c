/* Differential: for every input the decoder accepts, encode(decode(b)) == b
 * (ENC-3), and the JSON form round-trips to the same bytes too
 * (mm_msg_to_json, mm_json_dumps, mm_json_loads, mm_msg_from_json,
 * mm_encode). Input as for fuzz_decode:
 * type byte, limits byte, message. */
#include <jansson.h>

#include "codec/json_codec.h"
#include "fuzz_common.h"

int mm_fuzz_roundtrip(const uint8_t *data, size_t len);

static void expect_bytes(const mm_writer *w, const uint8_t *b, size_t n, const char *what) {
  MM_FUZZ_CHECK(w->len == n && (n == 0 || memcmp(w->buf, b, n) == 0), what);
}

int mm_fuzz_roundtrip(const uint8_t *data, size_t len) {
  if (len < 2) return 0;
  mm_type t = (mm_type)(data[0] % MM_T_COUNT);
  mm_limits lim = mm_fuzz_limits(data[1]);
  const uint8_t *b = data + 2;
  size_t n = len - 2;
  mm_any_msg m;
  mm_derr err = {0};
  if (mm_decode(t, b, n, &lim, &m, &err) != MM_OK) return 0;

  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_encode(t, &m, &lim, &w, &err) == MM_OK, "accepted input re-encodes");
  expect_bytes(&w, b, n, "encode(decode(b)) == b");
  if (mm_type_has_signature(t)) { /* TBS is the encoding minus the signature */
    mm_writer tw;
    mm_writer_init(&tw);
    MM_FUZZ_CHECK(mm_encode_tbs(t, &m, &lim, &tw) == MM_OK, "tbs encodes");
    MM_FUZZ_CHECK(tw.len < n && memcmp(tw.buf, b, tw.len) == 0, "tbs is a prefix");
    mm_writer_free(&tw);
  }
  mm_writer_free(&w);

  json_t *tree = mm_msg_to_json(t, &m);
  if (!tree) return 0; /* out of memory */
  /* through JSON text too, where every uint64 must stay exact (ENC-1) */
  char *text = mm_json_dumps(tree, JSON_COMPACT);
  json_decref(tree);
  if (!text) return 0;
  json_error_t jerr;
  json_t *j = mm_json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  free(text);
  MM_FUZZ_CHECK(j != NULL, "own JSON text loads back");
  mm_arena a;
  mm_arena_init(&a);
  mm_any_msg m2;
  const char *why = NULL;
  MM_FUZZ_CHECK(mm_msg_from_json(t, j, &a, &m2, &why) == MM_OK, "own JSON parses back");
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_encode(t, &m2, &lim, &w, &err) == MM_OK, "JSON form re-encodes");
  expect_bytes(&w, b, n, "encode(from_json(to_json(decode(b)))) == b");
  mm_writer_free(&w);
  mm_arena_free(&a);
  json_decref(j);
  return 0;
}

MM_FUZZ_MAIN(roundtrip)

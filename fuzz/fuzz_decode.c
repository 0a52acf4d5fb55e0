/* Every codec type through mm_decode: the first byte picks the type, the
 * second the limits (suite, group_state bound); the rest is the message.
 * Oracles: mm_decode and mm_decode_reader agree, and a refusal names a
 * profile rule and an offset inside the input. */
#include "fuzz_common.h"

int mm_fuzz_decode(const uint8_t *data, size_t len);

int mm_fuzz_decode(const uint8_t *data, size_t len) {
  if (len < 2) return 0;
  mm_type t = (mm_type)(data[0] % MM_T_COUNT);
  mm_limits lim = mm_fuzz_limits(data[1]);
  const uint8_t *msg = data + 2;
  size_t n = len - 2;

  mm_any_msg a, b;
  memset(&a, 0, sizeof a); /* padding compares equal below */
  memset(&b, 0, sizeof b);
  mm_derr err = {0}, err2 = {0};
  mm_err e = mm_decode(t, msg, n, &lim, &a, &err);
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_MALFORMED, "decode fails only as malformed");
    MM_FUZZ_CHECK(err.rule && strncmp(err.rule, "ENC-", 4) == 0, "refusal names an ENC rule");
    MM_FUZZ_CHECK(err.offset <= n, "refusal offset inside the input");
    MM_FUZZ_CHECK(err.reason != NULL, "refusal has a reason");
  }
  /* The reader entry point plus an end check must give the same verdict. */
  mm_reader r;
  mm_reader_init(&r, msg, n, &err2);
  bool ok = mm_decode_reader(t, &r, &lim, &b) && mm_reader_expect_end(&r);
  MM_FUZZ_CHECK(ok == (e == MM_OK), "mm_decode and mm_decode_reader agree");
  if (ok)
    MM_FUZZ_CHECK(memcmp(&a, &b, mm_type_struct_size(t)) == 0,
                  "both entry points fill the same struct");
  return 0;
}

MM_FUZZ_MAIN(decode)

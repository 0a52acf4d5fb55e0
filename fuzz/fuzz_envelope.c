/* The profile's Envelope (section 8), as a DS receives it: the whole input
 * is one envelope, decoded under suite-independent limits (the envelope
 * names its own suite). Oracles: an accepted envelope has a valid sender,
 * a known msg_type, and a body that decodes on its own as that type under
 * the envelope's suite. */
#include "fuzz_common.h"

int mm_fuzz_envelope(const uint8_t *data, size_t len);

int mm_fuzz_envelope(const uint8_t *data, size_t len) {
  mm_limits lim = mm_limits_default(0);
  mm_envelope env;
  mm_derr err = {0};
  if (mm_decode(MM_T_ENVELOPE, data, len, &lim, &env, &err) != MM_OK) {
    MM_FUZZ_CHECK(err.rule && err.offset <= len, "refusal names a rule and an offset");
    return 0;
  }
  MM_FUZZ_CHECK(mm_identity_valid(env.sender), "accepted sender is an identity");
  mm_type bt;
  MM_FUZZ_CHECK(mm_msg_type_body(env.msg_type, &bt), "accepted msg_type is known");
  MM_FUZZ_CHECK(env.body.data >= data && env.body.data + env.body.len <= data + len,
                "body is a view into the input");
  mm_limits blim = mm_limits_default(env.cipher_suite);
  mm_any_msg body;
  MM_FUZZ_CHECK(mm_decode(bt, env.body.data, env.body.len, &blim, &body, &err) == MM_OK,
                "the body decodes on its own");
  return 0;
}

MM_FUZZ_MAIN(envelope)

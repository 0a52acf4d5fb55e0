/* The public state a DS validates (MLS-1, MLS-2). Input: a byte (suite
 * 1..7; the top bit: a MigrationGroupState, else a PublicGroupState), the
 * state. Oracles: the verdict is MM_OK, bad_group_state or malformed (with
 * a reason), never anything else; an accepted state re-encodes to the
 * input and walks its members consistently. */
#include "fuzz_common.h"
#include "mlsmig/mls_state.h"

int mm_fuzz_mls_state(const uint8_t *data, size_t len);

int mm_fuzz_mls_state(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  uint16_t suite = (uint16_t)((data[0] & 0x7f) % 7 + 1);
  bool mgs = data[0] & 0x80;
  mm_mls_expect exp = {.suite = suite};
  mm_mls_state *s = NULL;
  mm_mls_why why;
  mm_err e = mgs ? mm_mls_state_from_group_state(data + 1, len - 1, &exp, &s, &why)
                 : mm_mls_state_from_public(data + 1, len - 1, &exp, &s, &why);
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_BAD_GROUP_STATE || e == MM_E_MALFORMED || e == MM_E_NOMEM,
                  "verdict: bad_group_state or malformed");
    if (e != MM_E_NOMEM) MM_FUZZ_CHECK(why.rule && why.text[0], "a refusal says why");
    return 0;
  }
  mm_writer w;
  mm_writer_init(&w);
  e = mgs ? mm_mls_state_encode(s, mm_mls_state_ds_payload(s), &w)
          : mm_mls_state_encode_public(s, &w);
  MM_FUZZ_CHECK(e == MM_OK && w.len == len - 1 && memcmp(w.buf, data + 1, len - 1) == 0,
                "an accepted state re-encodes to itself");
  mm_writer_free(&w);
  const mm_mls_tree *t = mm_mls_state_tree(s);
  uint32_t pos = 0, n = 0;
  mm_mls_member m;
  while (mm_mls_members_next(t, &pos, &m)) {
    MM_FUZZ_CHECK(mm_mls_is_member(t, m.identity), "a member is found by identity");
    n++;
  }
  MM_FUZZ_CHECK(n == mm_mls_member_count(t) && n > 0, "members counted");
  mm_mls_state_free(s);
  return 0;
}

MM_FUZZ_MAIN(mls_state)

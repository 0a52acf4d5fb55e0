/* The reference group-state format (sim/codec/group_state.c): every field limit
 * a DS relies on when it imports a state is enforced by the decoder, with
 * the offset of the bad field, and members are found by identity. */
#include <stdio.h>
#include <string.h>

#include "mlsmig/crypto.h"
#include "mlsmig/group_state.h"
#include "testlib.h"

/* A state of suite 1 with the given members (identity, 32-byte key). */
static mm_writer state(uint16_t suite, const char *gid, const char *const *ids, size_t n,
                       size_t key_len, size_t payload) {
  static uint8_t key[200], pay[64];
  mm_member m[4];
  for (size_t i = 0; i < n; i++)
    m[i] = (mm_member){mm_view_str(ids[i]), (uint32_t)i, mm_view_of(key, key_len)};
  mm_group_state g = {.version = MM_GROUP_STATE_VERSION,
                      .cipher_suite = suite,
                      .group_id = mm_view_str(gid),
                      .epoch = 3,
                      .ds_payload = mm_view_of(pay, payload)};
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_group_state_encode(&g, m, n, &w), MM_OK);
  return w;
}

static const char *decode_reason(mm_writer *w, const mm_limits *lim) {
  static char why[128];
  mm_group_state g;
  mm_derr err = {0};
  mm_err e = mm_group_state_decode(w->buf, w->len, lim, &g, &err);
  snprintf(why, sizeof why, "%s", e == MM_OK ? "ok" : err.reason ? err.reason : "malformed");
  mm_writer_free(w);
  return why;
}

START_TEST(test_group_state_roundtrip_and_find) {
  const char *ids[] = {"alice@a.example", "bob@a.example"};
  mm_writer w = state(1, "g", ids, 2, mm_suite_get(1)->pub_len, 10);
  mm_group_state g;
  ck_assert_int_eq(mm_group_state_decode(w.buf, w.len, NULL, &g, NULL), MM_OK);
  ck_assert_uint_eq(g.member_count, 2);
  mm_member m;
  ck_assert(mm_group_state_find(&g, mm_view_str("bob@a.example"), &m));
  ck_assert_uint_eq(m.leaf_index, 1);
  ck_assert(mm_group_state_find(&g, mm_view_str("alice@a.example"), NULL));
  ck_assert(!mm_group_state_find(&g, mm_view_str("carol@a.example"), &m));
  /* a member vector cut short ends the walk instead of reading past it */
  g.members.len -= 3;
  size_t pos = 0;
  ck_assert(mm_members_next(&g, &pos, &m));
  ck_assert(!mm_members_next(&g, &pos, &m));
  mm_writer_free(&w);
}
END_TEST

START_TEST(test_group_state_limits) {
  const char *ok_id[] = {"alice@a.example"}, *bad_id[] = {"not an identity"};
  size_t pub = mm_suite_get(1)->pub_len;
  mm_writer w = state(1, "g", bad_id, 1, pub, 0);
  ck_assert_str_eq(decode_reason(&w, NULL), "member identity is not name@domain");
  w = state(1, "g", ok_id, 1, pub + 1, 0);
  ck_assert_str_eq(decode_reason(&w, NULL), "member signature_key has the wrong length");
  w = state(1, "", ok_id, 1, pub, 0);
  ck_assert_str_eq(decode_reason(&w, NULL), "group_id must be 1..255 bytes");
  w = state(1, "g", ok_id, 1, pub, 40);
  mm_limits lim = {.suite = 1, .max_group_state = 39};
  ck_assert_str_eq(decode_reason(&w, &lim), "ds_payload over the configured bound");
  w = state(1, "g", ok_id, 1, pub, 0);
  w.buf[3] = 0x99; /* cipher_suite 0x0199 */
  ck_assert_str_eq(decode_reason(&w, NULL), "unknown cipher_suite");
  w = state(1, "g", ok_id, 1, pub, 0);
  w.buf[1] = 2; /* version 2 */
  ck_assert_str_eq(decode_reason(&w, NULL), "unknown group-state version");
  /* every strict prefix is refused */
  w = state(1, "g", ok_id, 1, pub, 5);
  for (size_t n = 0; n < w.len; n++) {
    mm_group_state g;
    ck_assert_int_eq(mm_group_state_decode(w.buf, n, NULL, &g, NULL), MM_E_MALFORMED);
  }
  mm_writer_free(&w);
}
END_TEST

Suite *suite_group_state(void) {
  Suite *s = suite_create("group_state");
  TCase *tc = tcase_create("group_state");
  MM_ADD_TEST(tc, test_group_state_roundtrip_and_find, "-");
  MM_ADD_TEST(tc, test_group_state_limits, "ENC-4");
  suite_add_tcase(s, tc);
  return s;
}

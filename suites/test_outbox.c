/* The outbox actors send through (sim/outbox.c): what goes out is a
 * canonical envelope, and a message that does not encode (a body that is
 * not what msg_type says, a field over its limit) is refused and nothing is
 * queued. */
#include "mlsmig/actor.h"
#include "testlib.h"

START_TEST(test_outbox_refuses_what_does_not_encode) {
  mm_outbox o;
  mm_outbox_init(&o);
  static const uint8_t not_a_request[] = {0x00};
  ck_assert_int_eq(mm_send(&o, "t.example", MM_MSG_MIGRATION_REQUEST, 1, "s.example",
                           not_a_request, sizeof not_a_request),
                   MM_E_MALFORMED);
  mm_migration_request rq = {mm_view_str("Source.Example"), mm_view_str("t.example"),
                             mm_view_str("g"), 1};
  ck_assert_int_eq(mm_send_msg(&o, "t.example", MM_MSG_MIGRATION_REQUEST, 1, "alice@s.example",
                               MM_T_MIGRATION_REQUEST, &rq),
                   MM_E_MALFORMED);
  ck_assert_uint_eq(o.n, 0);
  rq.source_domain_name = mm_view_str("s.example");
  ck_assert_int_eq(mm_send_msg(&o, "t.example", MM_MSG_MIGRATION_REQUEST, 1, "alice@s.example",
                               MM_T_MIGRATION_REQUEST, &rq),
                   MM_OK);
  ck_assert_uint_eq(o.n, 1);
  ck_assert_str_eq(o.v[0].to, "t.example");
  mm_outbox_clear(&o);
  ck_assert_uint_eq(o.n, 0);
  mm_outbox_free(&o);
}
END_TEST

Suite *suite_outbox(void) {
  Suite *s = suite_create("outbox");
  TCase *tc = tcase_create("outbox");
  MM_ADD_TEST(tc, test_outbox_refuses_what_does_not_encode, "ENC-3 ENC-4");
  suite_add_tcase(s, tc);
  return s;
}

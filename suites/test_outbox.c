/* The outbox actors send through (sim/actor/outbox.c): what goes out is a
 * canonical envelope, and a message that does not encode (a body that is
 * not what msg_type says, a field over its limit) is refused and nothing is
 * queued. And the durable store's values kept inside a larger buffer
 * (sim/actor/store.c). */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/actor.h"
#include "testlib.h"

START_TEST(test_outbox_refuses_what_does_not_encode) {
  mm_outbox o;
  mm_outbox_init(&o);
  static const uint8_t not_a_request[] = {0x00};
  ck_assert_int_eq(mm_send(&o, "t.example", MM_MSG_MIGRATION_REQUEST, 1, "s.example", not_a_request,
                           sizeof not_a_request),
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

/* A value that is a part of a block the store took: served from the block,
 * counted at its own length, the block freed with the entry (a leak or a
 * double free shows under SANITIZE=1). */
START_TEST(test_store_value_inside_block) {
  mm_store *st = mm_store_new();
  ck_assert_ptr_nonnull(st);
  uint8_t *block = malloc(16);
  ck_assert_ptr_nonnull(block);
  memcpy(block, "head-VALUE-tail!", 16);
  ck_assert_int_eq(
      mm_store_put_owned_view(st, "ns", mm_view_str("k"), block, mm_view_of(block + 5, 5)), MM_OK);
  mm_view v;
  ck_assert(mm_store_get(st, "ns", mm_view_str("k"), &v));
  ck_assert_ptr_eq(v.data, block + 5);
  ck_assert(mm_view_eq_str(v, "VALUE"));
  ck_assert_uint_eq(mm_store_bytes(st), 1 + 5);
  /* replaced by a plain copy: the block goes */
  ck_assert_int_eq(mm_store_put(st, "ns", mm_view_str("k"), mm_view_str("other")), MM_OK);
  ck_assert(mm_store_get(st, "ns", mm_view_str("k"), &v));
  ck_assert(mm_view_eq_str(v, "other"));
  /* and a block deleted, or freed with the store */
  for (int i = 0; i < 2; i++) {
    uint8_t *b = malloc(8);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "xxabcxxx", 8);
    const char *key = i ? "k2" : "k3";
    ck_assert_int_eq(mm_store_put_owned_view(st, "ns", mm_view_str(key), b, mm_view_of(b + 2, 3)),
                     MM_OK);
  }
  ck_assert_uint_eq(mm_store_count(st, "ns"), 3);
  mm_store_del(st, "ns", mm_view_str("k3"));
  ck_assert_uint_eq(mm_store_bytes(st), (1 + 5) + (2 + 3));
  mm_store_free(st);
}
END_TEST

Suite *suite_outbox(void) {
  Suite *s = suite_create("outbox");
  TCase *tc = tcase_create("outbox");
  MM_ADD_TEST(tc, test_outbox_refuses_what_does_not_encode, "ENC-3 ENC-4");
  suite_add_tcase(s, tc);
  tc = tcase_create("store");
  MM_ADD_TEST(tc, test_store_value_inside_block, "DUR-1");
  suite_add_tcase(s, tc);
  return s;
}

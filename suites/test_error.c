/* Error codes (sim/base/error.c): every wire code has a name and a message,
 * local codes are not wire codes, an unknown code is named "unknown". */
#include <string.h>

#include "mlsmig/error.h"
#include "testlib.h"

START_TEST(test_error_names) {
  for (int c = MM_E_MALFORMED; c <= MM_E_WIRE_LAST; c++) {
    ck_assert(mm_err_is_wire(c));
    ck_assert_str_ne(mm_err_name((mm_err)c), "unknown");
    ck_assert_str_ne(mm_err_message((mm_err)c), "unknown error");
  }
  ck_assert_str_eq(mm_err_name(MM_E_NONCE_EXPIRED), "nonce_expired");
  ck_assert_int_eq(MM_E_BAD_GROUP_STATE, 18); /* profile v2, section 8 */
  ck_assert_str_eq(mm_err_name(MM_E_BAD_GROUP_STATE), "bad_group_state");
  ck_assert(!mm_err_is_wire(MM_E_WIRE_LAST + 1));
  ck_assert(!mm_err_is_wire(MM_OK));
  ck_assert(!mm_err_is_wire(MM_E_NOMEM));
  ck_assert_str_eq(mm_err_name((mm_err)99), "unknown");
  ck_assert_str_eq(mm_err_message((mm_err)99), "unknown error");
}
END_TEST

Suite *suite_error(void) {
  Suite *s = suite_create("error");
  TCase *tc = tcase_create("error");
  MM_ADD_TEST(tc, test_error_names, "-");
  suite_add_tcase(s, tc);
  return s;
}

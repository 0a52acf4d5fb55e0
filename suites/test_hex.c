/* Hex (sim/base/hex.c): lowercase out, either case in, odd lengths and stray
 * characters refused. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/hex.h"
#include "testlib.h"

START_TEST(test_hex_both_ways) {
  uint8_t b[3];
  ck_assert(mm_hex_decode("0aFf9C", 6, b));
  ck_assert(b[0] == 0x0a && b[1] == 0xff && b[2] == 0x9c);
  char *s = mm_hex_alloc(b, 3);
  ck_assert_str_eq(s, "0aff9c");
  free(s);
  s = mm_hex_alloc(NULL, 0);
  ck_assert_str_eq(s, "");
  free(s);
  ck_assert(!mm_hex_decode("abc", 3, b));
  ck_assert(!mm_hex_decode("0g", 2, b));
  ck_assert(!mm_hex_decode("g0", 2, b));
  uint8_t *p = NULL;
  size_t n = 9;
  ck_assert(!mm_hex_decode_alloc("zz", 2, &p, &n));
  ck_assert(!mm_hex_decode_alloc("abc", 3, &p, &n));
  ck_assert(mm_hex_decode_alloc("", 0, &p, &n));
  ck_assert(p != NULL && n == 0);
  free(p);
  ck_assert_ptr_null(mm_hex_alloc(b, SIZE_MAX / 2 + 1)); /* would overflow */
}
END_TEST

Suite *suite_hex(void) {
  Suite *s = suite_create("hex");
  TCase *tc = tcase_create("hex");
  MM_ADD_TEST(tc, test_hex_both_ways, "-");
  suite_add_tcase(s, tc);
  return s;
}

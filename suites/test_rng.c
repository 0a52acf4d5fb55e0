/* The random number generators (rng.h): the frozen seeded construction
 * documented at the top of sim/base/rng.c, uniform sampling, the system source. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/rng.h"
#include "testlib.h"

static void assert_hex(const uint8_t *got, size_t len, const char *hex) {
  size_t n = 0;
  uint8_t *want = mm_test_unhex(hex, &n);
  ck_assert_uint_eq(len, n);
  ck_assert_mem_eq(got, want, n);
  free(want);
}

/* Known answers computed independently with Python hashlib from the
 * construction in sim/base/rng.c. Changing them breaks published vectors. */
START_TEST(test_seeded_known_answer) {
  mm_rng r;
  uint8_t out[40];
  mm_rng_init_seeded(&r, 42, "test");
  ck_assert_int_eq(mm_rng_fill(&r, out, 40), MM_OK); /* block 0 + 8 of block 1 */
  assert_hex(out, 40,
             "ec85365a7e88006192f25256405ebd428dfa56470f5878d11f1b9d6caf3341dd"
             "a6b09d1882347509");
  ck_assert_int_eq(mm_rng_fill(&r, out, 4), MM_OK); /* block 2: rest of 1 dropped */
  assert_hex(out, 4, "b214a4c1");
  ck_assert_uint_eq(r.counter, 3);

  mm_rng_init_seeded(&r, 0, "");
  ck_assert_int_eq(mm_rng_fill(&r, out, 32), MM_OK);
  assert_hex(out, 32, "84e5179efbe417c07a716117e47bf07a3e6abfb875afb76a1d3549dd664906ad");
}
END_TEST

/* Every fill starts on a fresh block. */
START_TEST(test_seeded_partial_block_discarded) {
  mm_rng a, b;
  uint8_t whole[64], one[1];
  mm_rng_init_seeded(&a, 42, "test");
  mm_rng_init_seeded(&b, 42, "test");
  ck_assert_int_eq(mm_rng_fill(&a, whole, 64), MM_OK);
  ck_assert_int_eq(mm_rng_fill(&b, one, 1), MM_OK);
  ck_assert_uint_eq(one[0], whole[0]);
  ck_assert_int_eq(mm_rng_fill(&b, one, 1), MM_OK);
  ck_assert_uint_eq(one[0], whole[32]);
  ck_assert_int_eq(mm_rng_fill(&b, one, 0), MM_OK); /* takes no block */
  ck_assert_uint_eq(b.counter, 2);
}
END_TEST

START_TEST(test_seeded_determinism) {
  mm_rng a, b;
  uint8_t x[100], y[100];
  mm_rng_init_seeded(&a, 7, "ds keys");
  mm_rng_init_seeded(&b, 7, "ds keys");
  ck_assert_int_eq(mm_rng_fill(&a, x, sizeof x), MM_OK);
  ck_assert_int_eq(mm_rng_fill(&b, y, sizeof y), MM_OK);
  ck_assert_mem_eq(x, y, sizeof x);

  mm_rng_init_seeded(&b, 7, "ds keyz"); /* another label */
  ck_assert_int_eq(mm_rng_fill(&b, y, sizeof y), MM_OK);
  ck_assert(memcmp(x, y, sizeof x) != 0);

  mm_rng_init_seeded(&b, 8, "ds keys"); /* another seed */
  ck_assert_int_eq(mm_rng_fill(&b, y, sizeof y), MM_OK);
  ck_assert(memcmp(x, y, sizeof x) != 0);

  /* the length prefix separates label from seed; NULL is the empty label */
  mm_rng_init_seeded(&a, 1, NULL);
  mm_rng_init_seeded(&b, 1, "");
  ck_assert_int_eq(mm_rng_fill(&a, x, 32), MM_OK);
  ck_assert_int_eq(mm_rng_fill(&b, y, 32), MM_OK);
  ck_assert_mem_eq(x, y, 32);
}
END_TEST

START_TEST(test_uniform_known_answer) {
  mm_rng r;
  mm_rng_init_seeded(&r, 7, "uniform");
  static const uint64_t want[] = {805, 336, 200, 760, 425, 560, 59, 288};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    ck_assert_uint_eq(mm_rng_uniform(&r, 1000), want[i]);
}
END_TEST

START_TEST(test_uniform_bounds) {
  mm_rng r;
  mm_rng_init_seeded(&r, 3, "bounds");
  static const uint64_t bounds[] = {1, 2, 3, 7, 1000, (1ull << 63) + 1, UINT64_MAX};
  for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
    for (int j = 0; j < 200; j++) ck_assert_uint_lt(mm_rng_uniform(&r, bounds[i]), bounds[i]);
  /* every value of a small range shows up, roughly evenly */
  unsigned counts[6] = {0};
  for (int j = 0; j < 6000; j++) counts[mm_rng_uniform(&r, 6)]++;
  for (int v = 0; v < 6; v++) {
    ck_assert_uint_gt(counts[v], 850);
    ck_assert_uint_lt(counts[v], 1150);
  }
  /* bound 2^63 + 1 rejects almost half the draws: the top half still appears */
  int high = 0;
  for (int j = 0; j < 200; j++) high += mm_rng_uniform(&r, (1ull << 63) + 1) >= (1ull << 62);
  ck_assert_int_gt(high, 50);
}
END_TEST

START_TEST(test_system) {
  mm_rng r;
  uint8_t a[32], b[32];
  mm_rng_init_system(&r);
  ck_assert_int_eq(mm_rng_fill(&r, a, sizeof a), MM_OK);
  ck_assert_int_eq(mm_rng_fill(&r, b, sizeof b), MM_OK);
  ck_assert(memcmp(a, b, sizeof a) != 0);
  for (int j = 0; j < 100; j++) ck_assert_uint_lt(mm_rng_uniform(&r, 10), 10);
}
END_TEST

START_TEST(test_wipe) {
  mm_rng r;
  uint8_t out[8];
  static const uint8_t zero[32];
  mm_rng_init_seeded(&r, 5, "wipe");
  ck_assert_int_eq(mm_rng_fill(&r, out, sizeof out), MM_OK);
  mm_rng_wipe(&r);
  ck_assert_mem_eq(r.key, zero, sizeof zero);
  ck_assert_uint_eq(r.counter, 0);
  /* a wiped generator refuses to produce */
  ck_assert_int_eq(mm_rng_fill(&r, out, sizeof out), MM_E_USAGE);
  mm_rng_wipe(NULL);
}
END_TEST

Suite *suite_rng(void) {
  Suite *s = suite_create("rng");
  TCase *tc = tcase_create("rng");
  MM_ADD_TEST(tc, test_seeded_known_answer, "-");
  MM_ADD_TEST(tc, test_seeded_partial_block_discarded, "-");
  MM_ADD_TEST(tc, test_seeded_determinism, "-");
  MM_ADD_TEST(tc, test_uniform_known_answer, "-");
  MM_ADD_TEST(tc, test_uniform_bounds, "-");
  MM_ADD_TEST(tc, test_system, "-");
  MM_ADD_TEST(tc, test_wipe, "-");
  suite_add_tcase(s, tc);
  return s;
}

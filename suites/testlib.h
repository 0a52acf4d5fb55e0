/* Shared test conventions.
 *
 * Every test names the profile rule IDs it checks: register it with
 * MM_ADD_TEST(tc, fn, "ENC-1 ENC-2") instead of tcase_add_test. The runner
 * keeps the list, so `check_all --list` prints every test with its IDs and a
 * suite can assert that the catalogue and the tests agree. Use "-" for a test
 * of plumbing that checks no profile rule. The rules argument must be one
 * string literal: the build reads it from the source (build/gen/tests.inc). */
#ifndef MLSMIG_TESTLIB_H
#define MLSMIG_TESTLIB_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/bytes.h"

void mm_test_register(TCase *tc, const TTest *fn, const char *suite, const char *name,
                      const char *rules);
void mm_test_register_loop(TCase *tc, const TTest *fn, const char *suite, const char *name,
                           const char *rules, int start, int end);
#define MM_ADD_TEST(tc, fn, rules) mm_test_register((tc), (fn), mm_current_suite, #fn, (rules))
/* A loop test (Check's _i runs from start to end-1). */
#define MM_ADD_LOOP_TEST(tc, fn, rules, start, end) \
  mm_test_register_loop((tc), (fn), mm_current_suite, #fn, (rules), (start), (end))

/* Set by the runner before each suite_NAME() is called. */
extern const char *mm_current_suite;

/* Registered tests, for --list and for the catalogue cross-check. */
typedef struct mm_test_info {
  const char *suite;
  const char *name;
  const char *rules;
} mm_test_info;
size_t mm_test_count(void);
const mm_test_info *mm_test_at(size_t i);

/* Hex helpers for tests: returns a malloc'd buffer (abort on bad hex). */
uint8_t *mm_test_unhex(const char *hex, size_t *len);
/* Path of a file in the repo (tests run from the repo root). */
const char *mm_test_path(const char *rel);

#endif

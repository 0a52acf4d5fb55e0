/* Shared by every fuzz target (fuzz/fuzz_NAME.c).
 *
 * A target defines `int mm_fuzz_NAME(const uint8_t *data, size_t len)` and
 * ends with MM_FUZZ_MAIN(NAME). Under libFuzzer (make fuzz) that becomes
 * LLVMFuzzerTestOneInput; compiled with -DMM_FUZZ_NO_MAIN (the Check build)
 * it is only the function, so suites/test_regressions.c can replay every
 * corpus and regression file through the very same code with plain gcc.
 *
 * A target reports a bug by aborting (MM_FUZZ_CHECK): libFuzzer saves the
 * input, and under Check the replay test dies with SIGABRT. */
#ifndef MLSMIG_FUZZ_COMMON_H
#define MLSMIG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/messages.h"

#ifdef MM_FUZZ_NO_MAIN
#define MM_FUZZ_MAIN(name)
#else
#define MM_FUZZ_MAIN(name)                                     \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len); \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len) { return mm_fuzz_##name(data, len); }
#endif

/* Abort with a reason when an oracle breaks (not assert: stays on in -O2). */
#define MM_FUZZ_CHECK(cond, what)                                                      \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "fuzz oracle failed: %s (%s:%d)\n", (what), __FILE__, __LINE__); \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* A ciphersuite for the limits from one input byte: 0 (suite-independent
 * limits), 1..7, or an unknown suite (8) that must behave like 0. */
static inline uint16_t mm_fuzz_suite(uint8_t b) { return (uint16_t)(b % 9); }

/* Limits small enough that the fuzzer can reach the group_state bound. */
static inline mm_limits mm_fuzz_limits(uint8_t b) {
  mm_limits lim = mm_limits_default(mm_fuzz_suite(b));
  if (b & 0x80) lim.max_group_state = 64;
  return lim;
}

#endif

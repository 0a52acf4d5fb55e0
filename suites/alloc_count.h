/* Counting the heap requests of the code under test (for the allocation
 * bound of issue 8: a length field must not cause an allocation before its
 * bytes are present), and failing chosen ones (allocation-failure
 * injection, test_alloc_fail.c). check_all is linked with -Wl,--wrap=malloc,
 * calloc,realloc, so every call from mlsmig's own objects (and from the
 * suites, and libcheck, which is linked statically: no ck_assert while
 * failing) goes through here; shared libraries (OpenSSL, jansson, libc's
 * strdup) are neither counted nor failed, unless a test routes them here
 * (jansson: json_set_alloc_funcs). */
#ifndef MLSMIG_ALLOC_COUNT_H
#define MLSMIG_ALLOC_COUNT_H

#include <stdbool.h>
#include <stddef.h>

/* Starts counting from zero. */
void mm_alloc_count_start(void);
/* Stops; returns the bytes requested since the start (allocations and
 * reallocations, frees not subtracted: an upper bound of the peak). */
size_t mm_alloc_count_stop(void);
/* The largest single request since the start. */
size_t mm_alloc_count_largest(void);

/* ---- failure injection ----
 * Requests are numbered from 1 after each mm_alloc_fail_arm. Request nth
 * returns NULL (realloc leaves its block alone, as a real failure does);
 * with sticky, every later one too. nth == 0 fails nothing: a run armed
 * with 0 only counts, which gives K, the number of requests an operation
 * makes, to re-run it failing 1..K. */
void mm_alloc_fail_arm(size_t nth, bool sticky);
/* Stops failing; returns how many requests were failed since the arm. */
size_t mm_alloc_fail_disarm(void);
/* While paused, requests are neither numbered nor failed: for a step of
 * the test that is not under test (a library call known not to be
 * OOM-safe). */
void mm_alloc_fail_pause(bool paused);
/* Requests (malloc, calloc, realloc) made while armed, since the last
 * arm: after the disarm, what the armed operation made. */
size_t mm_alloc_calls(void);

#endif

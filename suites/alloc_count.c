/* The --wrap counters and failure injection of alloc_count.h. Plain
 * counters: the tests are single-threaded. */
#include "alloc_count.h"

#include <stdint.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static bool counting;
static size_t total, largest;

/* injection: requests since the arm, which one fails, failures so far */
static size_t calls, fail_nth, failed;
static bool fail_sticky, armed, paused;

static void count(size_t n) {
  if (!counting) return;
  total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
  if (n > largest) largest = n;
}

/* Numbers this request; true if it is to fail. */
static bool inject(void) {
  if (!armed || paused) return false;
  calls++;
  if (fail_nth == 0) return false;
  if (calls == fail_nth || (fail_sticky && calls > fail_nth)) {
    failed++;
    return true;
  }
  return false;
}

void *__wrap_malloc(size_t n) {
  count(n);
  return inject() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n) {
  count(n && k > SIZE_MAX / n ? SIZE_MAX : k * n);
  return inject() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n) {
  count(n);
  return inject() ? NULL : __real_realloc(p, n);
}

void mm_alloc_count_start(void) {
  total = largest = 0;
  counting = true;
}

size_t mm_alloc_count_stop(void) {
  counting = false;
  return total;
}

size_t mm_alloc_count_largest(void) { return largest; }

void mm_alloc_fail_arm(size_t nth, bool sticky) {
  calls = failed = 0;
  fail_nth = nth;
  fail_sticky = sticky;
  armed = true;
}

size_t mm_alloc_fail_disarm(void) {
  armed = paused = false;
  return failed;
}

void mm_alloc_fail_pause(bool on) { paused = on; }

size_t mm_alloc_calls(void) { return calls; }

/* The --wrap counters of alloc_count.h. Plain counters: the tests are
 * single-threaded. */
#include "alloc_count.h"

#include <stdbool.h>
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

static void count(size_t n) {
  if (!counting) return;
  total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
  if (n > largest) largest = n;
}

void *__wrap_malloc(size_t n) {
  count(n);
  return __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n) {
  count(n && k > SIZE_MAX / n ? SIZE_MAX : k * n);
  return __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n) {
  count(n);
  return __real_realloc(p, n);
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

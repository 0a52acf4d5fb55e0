/* Counting the heap requests of the code under test (for the allocation
 * bound of issue 8: a length field must not cause an allocation before its
 * bytes are present). check_all is linked with -Wl,--wrap=malloc,calloc,
 * realloc, so every call from mlsmig's own objects goes through a counter;
 * shared libraries (OpenSSL, jansson, libc's strdup) are not counted. */
#ifndef MLSMIG_ALLOC_COUNT_H
#define MLSMIG_ALLOC_COUNT_H

#include <stddef.h>

/* Starts counting from zero. */
void mm_alloc_count_start(void);
/* Stops; returns the bytes requested since the start (allocations and
 * reallocations, frees not subtracted: an upper bound of the peak). */
size_t mm_alloc_count_stop(void);
/* The largest single request since the start. */
size_t mm_alloc_count_largest(void);

#endif

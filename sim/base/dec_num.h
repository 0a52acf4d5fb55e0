/* Strict decimal numbers for the text formats (faults.c's one-line faults,
 * scenario_parse.c's scenario files): both must refuse the same inputs. */
#ifndef MLSMIG_DEC_NUM_H
#define MLSMIG_DEC_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal only, no sign, no junk, at most max; false (out untouched) if not,
 * or if v is NULL. */
bool mm_parse_dec(const char *v, uint64_t max, uint64_t *out);

#endif

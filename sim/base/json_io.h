/* JSON text in and out with every uint64 exact (profile ENC-1: epochs and
 * times are uint64). Every JSON the project reads or writes goes through
 * these functions instead of jansson's json_load* and json_dump*.
 *
 * jansson's integers are signed 64-bit: its parser refuses 2^63..2^64-1
 * ("too big integer") and its trees cannot hold them. Here such a value lives
 * in a tree as a marker string (a NUL byte, "u64:", the decimal digits) that
 * mm_json_u64 makes and mm_json_u64_value reads; the loaders turn a plain
 * JSON number 2^63..2^64-1 into one, and the dumpers print one as a plain
 * JSON number again. No parsed string can equal a marker: the loaders refuse
 * "\u0000" in strings. Values up to 2^63-1 stay jansson integers, so their
 * text and every reader of small values are unchanged.
 *
 * The loaders refuse, with a jansson-style error (text, line, column,
 * position), an integer above 2^64-1 and the integer "-0"; fractions and
 * exponents load as reals, which mm_json_u64_value refuses. */
#ifndef MLSMIG_JSON_IO_H
#define MLSMIG_JSON_IO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* mm_json_u64 returns a new reference holding v exactly (NULL on OOM). */
json_t *mm_json_u64(uint64_t v);
/* mm_json_u64_value reads a non-negative JSON integer of 0..2^64-1 into
 * *out; false (out untouched) for anything else: reals, negatives, strings. */
bool mm_json_u64_value(const json_t *v, uint64_t *out);
/* mm_json_u64_get reads obj[key] as by mm_json_u64_value, false also when
 * the key is missing or the value is above max. */
bool mm_json_u64_get(const json_t *obj, const char *key, uint64_t max, uint64_t *out);

/* mm_json_loadb parses len bytes of JSON text as json_loadb does (flags
 * are jansson's), with the uint64 range above. */
json_t *mm_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
/* mm_json_loads parses a NUL-terminated JSON text, as mm_json_loadb. */
json_t *mm_json_loads(const char *text, size_t flags, json_error_t *err);
/* mm_json_loadf reads f to its end and parses it, as mm_json_loadb. */
json_t *mm_json_loadf(FILE *f, size_t flags, json_error_t *err);
/* mm_json_load_file reads the file at path and parses it, as mm_json_loadb. */
json_t *mm_json_load_file(const char *path, size_t flags, json_error_t *err);

/* mm_json_dumps returns the JSON text of j as json_dumps does (malloc'd,
 * NULL on failure), with every marker printed as a plain number. */
char *mm_json_dumps(const json_t *j, size_t flags);
/* mm_json_dumpf writes the text of mm_json_dumps to f: 0, or -1 on failure. */
int mm_json_dumpf(const json_t *j, FILE *f, size_t flags);
/* mm_json_dump_file writes the text of mm_json_dumps to path: 0, or -1. */
int mm_json_dump_file(const json_t *j, const char *path, size_t flags);

#endif

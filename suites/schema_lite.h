/* A JSON Schema validator for the subset of draft 2020-12 that
 * docs/run-results.schema.json uses, so the suites can check the runner's
 * output against the shipped schema without a dependency. A keyword it
 * does not know is an error, so a schema change cannot be silently
 * half-checked. */
#ifndef MLSMIG_SCHEMA_LITE_H
#define MLSMIG_SCHEMA_LITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* true when doc is valid; else false with the path of the first problem
 * and what is wrong in why ("/tests/3/verdict: not in enum"). */
bool schema_lite_validate(const json_t *schema, const json_t *doc, char *why, size_t why_len);

#endif

/* Writing the report files of `mlsmig run` and `mlsmig report merge`
 * (report_out.c): both render one results document to the formats asked
 * for, the same way. */
#ifndef MLSMIG_CLI_REPORT_OUT_H
#define MLSMIG_CLI_REPORT_OUT_H

#include <jansson.h>

/* Writes doc to each path given (NULL = not asked for), in the order JUnit,
 * JSON, TAP, HTML; a failure is reported on stderr as "mlsmig VERB: cannot
 * write PATH" and the others are still written. EXIT_OK or EXIT_REJECTED. */
int report_write_all(const char *verb, const json_t *doc, const char *junit, const char *json,
                     const char *tap, const char *html);

#endif

/* A small run result with one test of every verdict and every kind of
 * conversation step, for the report suites (report_fixture.c). */
#ifndef MLSMIG_REPORT_FIXTURE_H
#define MLSMIG_REPORT_FIXTURE_H

#include "report/report.h"

/* Fills r (free with mm_run_result_free). role: MM_SHIM_ROLE_* of every
 * test; names get `prefix`. */
void fixture_run(mm_run_result *r, uint8_t role, const char *prefix);
/* The document of fixture_run (new reference). */
json_t *fixture_doc(uint8_t role, const char *prefix);
/* A fresh directory under TMPDIR or /tmp (static buffer per call slot). */
const char *fixture_tmpdir(void);
/* Removes a fixture_tmpdir() and what is in it. */
void fixture_rmdir(const char *dir);
/* A file's whole text (malloc'd), NULL if unreadable. */
char *fixture_slurp(const char *path);

#endif

/* The run reports. The results JSON (docs/run-results.schema.json) is the
 * one model: `mlsmig run` builds it from a run, `mlsmig report merge` builds
 * it from several result files, and the JUnit, TAP and HTML writers render
 * it, so a merged report reads like a single run's. */
#ifndef MLSMIG_REPORT_H
#define MLSMIG_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "base/json_io.h"
#include "mlsmig/error.h"
#include "runner/runner.h"

#define MM_RESULTS_FORMAT "mlsmig-run-results/1"

/* What every report says of a run in which no test ran. */
#define MM_NOTHING_TESTED "nothing was tested"

/* The results document of a run (new reference, NULL on OOM). */
json_t *mm_run_to_json(const mm_run_result *r);

/* Writers; each takes a results document. */
MM_MUST_USE mm_err mm_report_json_doc(const json_t *doc, const char *path);
MM_MUST_USE mm_err mm_report_junit_doc(const json_t *doc, const char *path);
MM_MUST_USE mm_err mm_report_tap_doc(const json_t *doc, const char *path);
/* DIR/index.html, one self-contained page (made with the directory). */
MM_MUST_USE mm_err mm_report_html_doc(const json_t *doc, const char *dir);

/* Adds a simulator summary (`mlsmig sim --campaign/--explore --json`) to
 * doc's "simulator" array. MM_E_MALFORMED when it is not one. */
MM_MUST_USE mm_err mm_report_add_sim(json_t *doc, json_t *summary);

/* Merges result documents (shards, per-role runs) into a new one: tests
 * concatenated (a test in several inputs keeps its worst verdict), summary
 * and rule verdicts recomputed, simulator summaries kept. Inputs that are
 * simulator summaries are added as such. NULL with a reason in why when
 * inputs disagree on the profile or one is not a results document. */
json_t *mm_report_merge(json_t *const *docs, const char *const *names, size_t n, char *why,
                        size_t why_len);

/* Recomputes "summary" and "rules" from "tests" (used by the merge). */
MM_MUST_USE mm_err mm_report_recount(json_t *doc);

/* Shell-quotes s into out ('...' with '\'' for quotes); false if it does
 * not fit. */
bool mm_shell_quote(const char *s, char *out, size_t cap);

#endif

/* Terminal output of `mlsmig run` (cmd_run_print.c). */
#ifndef MLSMIG_CLI_RUN_PRINT_H
#define MLSMIG_CLI_RUN_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "runner/runner.h"
#include "runner/runner_mutants.h"

/* The progress callback: one rewritten line on a terminal. */
void run_progress(void *ctx, size_t done, size_t total, const mm_test_result *r);
/* run_print_text prints text the IUT controls for a terminal: printable
 * ASCII and UTF-8 as they are; control bytes, DEL, C1 controls, bidi and
 * line-separator characters, and bytes that are not UTF-8 as \xNN. With
 * indent, a newline is printed and the next line starts with indent (so
 * the IUT's lines stay marked as its); without, it is \x0a too. */
void run_print_text(FILE *f, const char *text, const char *indent);
/* Every test that did not pass, the verdict per rule, the totals. */
void run_print_summary(FILE *f, const mm_run_result *r, const char *iut, bool verbose);
void run_print_scores(FILE *f, const mm_mutant_score *s, size_t n);

#endif

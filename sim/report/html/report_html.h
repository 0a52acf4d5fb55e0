/* Internal to the HTML report (report_html*.c): one page in parts, each
 * writing plain HTML to f from the results document. */
#ifndef MLSMIG_REPORT_HTML_H
#define MLSMIG_REPORT_HTML_H

#include <stdio.h>

#include "report/report.h"

/* Parts write as they go and have no error channel: one that runs out of
 * memory calls h_out_of_memory, and mm_report_html_doc then fails with
 * MM_E_NOMEM rather than leave a page with a hole or a wrong number in it.
 * One page at a time (as the CLI writes them): the flag is global. */
void h_out_of_memory(void);
bool h_take_out_of_memory(void); /* was it called since the last take? */

/* Escaped text and attribute values. */
void h_esc(FILE *f, const char *s);
/* The id of a test's section: "t-" and the name, '/' and the like as '-'. */
void h_anchor(FILE *f, const char *test_name);
const char *h_str(const json_t *o, const char *key); /* "" when absent */
long long h_int(const json_t *o, const char *key);
/* h_u64 is o[key] as an unsigned integer, exact up to 2^64-1 (0 when absent). */
unsigned long long h_u64(const json_t *o, const char *key);

/* Verdicts: CSS class, label, and an order where worse is larger (error 5,
 * fail 4, warning 3, pass 2, not_applicable 1, not_tested 0). */
const char *h_verdict_label(const char *verdict);
int h_verdict_rank(const char *verdict);
void h_badge(FILE *f, const char *verdict);

/* "Encoding", ... for profile section numbers (README, "The profile"). */
const char *h_section_title(int section);

extern const char h_css[]; /* report_html_style.c */

/* Parts of the page. */
void h_chart_sections(FILE *f, const json_t *doc);    /* report_html_svg.c */
void h_chart_fault_steps(FILE *f, const json_t *cov); /* report_html_svg.c */
void h_matrix(FILE *f, const json_t *doc);            /* report_html_matrix.c */
void h_failures(FILE *f, const json_t *doc);          /* report_html_test.c */
void h_simulator(FILE *f, const json_t *doc);         /* report_html_sim.c */
/* An envelope decoded field by field, or why it does not decode
 * (report_html_wire.c). */
void h_envelope(FILE *f, const uint8_t *b, size_t len);
/* An already decoded envelope (the runner's offending_envelope). */
void h_decoded(FILE *f, const json_t *decoded);

#endif

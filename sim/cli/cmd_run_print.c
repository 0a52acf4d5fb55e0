/* What `mlsmig run` prints: a progress line while it runs (only on a
 * terminal), then the tests that did not pass with why, a verdict per rule
 * of the catalogue, and the totals. */
#include <stdlib.h>
#include <string.h>

#include "cli/run_print.h"
#include "profile/catalogue.h"
#include "shim/shim_proto.h"

void run_progress(void *ctx, size_t done, size_t total, const mm_test_result *r) {
  FILE *f = ctx;
  fprintf(f, "\r\033[K[%3zu/%zu] %-48s %s", done, total, r->name, mm_verdict_name(r->verdict));
  if (done == total) fputs("\r\033[K", f);
  fflush(f);
}

static const char *role_name(uint8_t role) {
  return role == MM_SHIM_ROLE_SOURCE ? "source" : role == MM_SHIM_ROLE_TARGET ? "target" : "-";
}

static void print_test(FILE *f, const mm_test_result *t) {
  fprintf(f, "%-8s %s [%s] (%s)\n", mm_verdict_name(t->verdict), t->name, t->rules,
          role_name(t->role));
  if (t->message && t->message[0]) fprintf(f, "         %s\n", t->message);
  if (t->offending) fprintf(f, "         offending envelope: %s\n", t->offending);
  if (t->iut_stderr && t->verdict == MM_V_ERROR) {
    char head[400];
    snprintf(head, sizeof head, "%s", t->iut_stderr);
    fprintf(f, "         IUT stderr: %s\n", head);
  }
}

void run_print_summary(FILE *f, const mm_run_result *r, const char *iut, bool verbose) {
  size_t count[MM_V_NA + 1] = {0};
  fprintf(f, "IUT: %s (%s)\n", r->pics.implementation[0] ? r->pics.implementation : "?", iut);
  for (size_t i = 0; i < r->n; i++) {
    const mm_test_result *t = &r->tests[i];
    count[t->verdict]++;
    if (verbose || (t->verdict != MM_V_PASS && t->verdict != MM_V_NA)) print_test(f, t);
  }
  mm_catalogue cat;
  if (mm_catalogue_load(&cat) == MM_OK) {
    fprintf(f, "\nper rule:\n");
    size_t col = 0;
    for (size_t i = 0; i < cat.n; i++) {
      size_t n;
      mm_verdict v = mm_run_rule_verdict(r, cat.rules[i].id, &n);
      if (v == MM_V_NA && strncmp(cat.rules[i].id, "INV-", 4) == 0) continue; /* simulator's */
      const char *name = n ? mm_verdict_name(v) : "not_tested";
      if (++col % 4)
        fprintf(f, "  %-8s %-14s", cat.rules[i].id, name);
      else
        fprintf(f, "  %-8s %s\n", cat.rules[i].id, name);
    }
    if (col % 4) fputc('\n', f);
    mm_catalogue_free(&cat);
  }
  fprintf(f,
          "\n%zu tests: %zu pass, %zu warning, %zu fail, %zu error, %zu not applicable (%.2f s)\n",
          r->n, count[MM_V_PASS], count[MM_V_WARNING], count[MM_V_FAIL], count[MM_V_ERROR],
          count[MM_V_NA], r->wall_ms / 1000.0);
}

void run_print_scores(FILE *f, const mm_mutant_score *s, size_t n) {
  size_t killed = 0;
  fprintf(f, "%-26s %-20s %6s %7s  %s\n", "mutant", "rules", "failed", "tagged",
          "first failing tagged test");
  for (size_t i = 0; i < n; i++) {
    killed += s[i].killing > 0;
    fprintf(f, "%-26s %-20s %6zu %7zu  %s\n", mm_mutant_name(s[i].mutant),
            mm_mutant_rules(s[i].mutant), s[i].failing, s[i].killing,
            s[i].killing ? s[i].first : "SURVIVED");
  }
  fprintf(f, "mutation score: %zu/%zu mutants killed\n", killed, n);
}

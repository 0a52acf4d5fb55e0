/* What `mlsmig run` prints: a progress line while it runs (only on a
 * terminal), then the tests that did not pass with why, a verdict per rule
 * of the catalogue, and the totals. Every string the IUT controls (its
 * name, error reasons, destinations, stderr) is escaped on the way out, so
 * that nothing it writes can move the cursor, clear the screen or pass for
 * a line of the runner's own. */
#include <stdlib.h>
#include <string.h>

#include "cli/run_print.h"
#include "profile/catalogue.h"
#include "report/report.h"
#include "shim/shim_proto.h"

void run_progress(void *ctx, size_t done, size_t total, const mm_test_result *r) {
  FILE *f = ctx;
  fprintf(f, "\r\033[K[%3zu/%zu] %-48s %s", done, total, r->name, mm_verdict_name(r->verdict));
  if (done == total) fputs("\r\033[K", f);
  fflush(f);
}

/* The length of the valid UTF-8 character at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  size_t len = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
  if (!len || len > n || s[0] == 0xc0 || s[0] == 0xc1 || s[0] >= 0xf5) return 0;
  for (size_t k = 1; k < len; k++)
    if ((s[k] & 0xc0) != 0x80) return 0;
  if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) return 0;
  if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))) return 0;
  return len;
}

/* Characters a terminal acts on or that reorder a line: C1 controls
 * (U+0080..U+009F), the line and paragraph separators, the bidirectional
 * marks, embeddings, overrides and isolates. */
static bool active_char(const unsigned char *s, size_t len) {
  if (len == 2) return s[0] == 0xc2 && s[1] < 0xa0;
  if (len != 3 || s[0] != 0xe2) return false;
  if (s[1] == 0x80) return s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xa8 && s[2] <= 0xae);
  return s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
}

void run_print_text(FILE *f, const char *text, const char *indent) {
  const unsigned char *s = (const unsigned char *)(text ? text : "");
  size_t n = strlen((const char *)s);
  for (size_t i = 0; i < n;) {
    if (s[i] == '\n' && indent) {
      fputc('\n', f);
      fputs(indent, f);
      i++;
      continue;
    }
    size_t len = utf8_len(s + i, n - i);
    bool plain = len == 1 ? s[i] >= 0x20 && s[i] != 0x7f : len > 1 && !active_char(s + i, len);
    if (plain) {
      fwrite(s + i, 1, len, f);
    } else {
      for (size_t k = 0; k < (len ? len : 1); k++) fprintf(f, "\\x%02x", s[i + k]);
    }
    i += len ? len : 1;
  }
}

static const char *role_name(uint8_t role) {
  return role == MM_SHIM_ROLE_SOURCE ? "source" : role == MM_SHIM_ROLE_TARGET ? "target" : "-";
}

/* At most this much of an IUT's stderr on the terminal (the reports have
 * all that was kept). */
#define STDERR_SHOWN 400

static void print_test(FILE *f, const mm_test_result *t) {
  fprintf(f, "%-8s %s [%s] (%s)\n", mm_verdict_name(t->verdict), t->name, t->rules,
          role_name(t->role));
  if (t->message && t->message[0]) {
    fputs("         ", f);
    run_print_text(f, t->message, NULL);
    fputc('\n', f);
  }
  if (t->offending) {
    fputs("         offending envelope: ", f);
    run_print_text(f, t->offending, NULL);
    fputc('\n', f);
  }
  if (t->iut_stderr && t->verdict == MM_V_ERROR) {
    char head[STDERR_SHOWN + 1];
    snprintf(head, sizeof head, "%s", t->iut_stderr);
    /* each line of it marked as the IUT's */
    fputs("         IUT stderr | ", f);
    run_print_text(f, head, "         IUT stderr | ");
    fputc('\n', f);
  }
}

/* Notes of a test that are not its verdict: files left (always), processes
 * killed (with verbose; the total is printed anyway). */
static void print_notes(FILE *f, const mm_test_result *t, bool verbose) {
  unsigned escaped = verbose ? t->escaped : 0;
  if (!escaped && !t->cleanup) return;
  fprintf(f, "note     %s:", t->name);
  if (escaped)
    fprintf(f, " killed %u IUT process%s that had left its process group", escaped,
            escaped == 1 ? "" : "es");
  if (t->cleanup) {
    fputs(escaped ? "; " : " ", f);
    run_print_text(f, t->cleanup, NULL);
  }
  fputc('\n', f);
}

void run_print_summary(FILE *f, const mm_run_result *r, const char *iut, bool verbose) {
  size_t count[MM_V_NA + 1] = {0};
  fputs("IUT: ", f);
  run_print_text(f, r->pics.implementation[0] ? r->pics.implementation : "?", NULL);
  fputs(" (", f);
  run_print_text(f, iut, NULL);
  fputs(")\n", f);
  size_t not_run = 0; /* after a cut-off: one line for all of them */
  for (size_t i = 0; i < r->n; i++) {
    const mm_test_result *t = &r->tests[i];
    count[t->verdict]++;
    bool skipped = t->verdict == MM_V_ERROR && t->message && !strncmp(t->message, "not run: ", 9);
    not_run += skipped;
    if (!skipped && (verbose || (t->verdict != MM_V_PASS && t->verdict != MM_V_NA)))
      print_test(f, t);
  }
  if (not_run)
    fprintf(f, "error    %zu test%s not run: the run stopped (%s)\n", not_run,
            not_run == 1 ? "" : "s", r->stopped);
  for (size_t i = 0; i < r->n; i++) print_notes(f, &r->tests[i], verbose);
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
  fputc('\n', f);
  if (r->stopped[0]) fprintf(f, "run stopped: %s\n", r->stopped);
  if (r->escaped)
    fprintf(f,
            "killed %u IUT process%s that had left the IUT's process group (per test: "
            "--verbose, the reports)\n",
            r->escaped, r->escaped == 1 ? "" : "es");
  if (r->cleanup[0]) {
    fputs("not cleaned up: ", f);
    run_print_text(f, r->cleanup, NULL);
    fputc('\n', f);
  }
  if (mm_run_tested(r) == 0) fputs(MM_NOTHING_TESTED ": every test was not applicable\n", f);
  fprintf(f, "%zu tests: %zu pass, %zu warning, %zu fail, %zu error, %zu not applicable (%.2f s)\n",
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

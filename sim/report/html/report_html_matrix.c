/* The requirement matrix: one row per rule ID (level, text, the tests that
 * check it, verdict), grouped by profile section; sections with failures
 * come first, and inside a section the worst rules first. */
#include <stdlib.h>
#include <string.h>

#include "report/html/report_html.h"

typedef struct row {
  const json_t *rule;
  size_t order; /* catalogue order, the tie-break */
  int section, rank;
} row;

typedef struct sect {
  int number, worst;
} sect;

static int by_rank(const void *a, const void *b) {
  const row *x = a, *y = b;
  if (x->rank != y->rank) return y->rank - x->rank;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int by_worst(const void *a, const void *b) {
  const sect *x = a, *y = b;
  if (x->worst != y->worst) return y->worst - x->worst;
  return x->number - y->number;
}

static bool tagged(const json_t *t, const char *id) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(t, "rules"), i, v) {
    if (strcmp(json_string_value(v), id) == 0) return true;
  }
  return false;
}

static size_t base_len(const char *name) {
  const char *slash = strchr(name, '/');
  return slash ? (size_t)(slash - name) : strlen(name);
}

/* The tests of a rule, per-suite instances folded into one entry ("×7")
 * showing their worst verdict; failing ones link to their section. */
static void tests_cell(FILE *f, const json_t *tests, const char *id) {
  size_t n = json_array_size(tests), shown = 0;
  for (size_t i = 0; i < n; i++) {
    const json_t *t = json_array_get(tests, i);
    const char *name = h_str(t, "name");
    size_t bl = base_len(name);
    if (!tagged(t, id)) continue;
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) {
      const char *other = h_str(json_array_get(tests, k), "name");
      seen = tagged(json_array_get(tests, k), id) && base_len(other) == bl &&
             strncmp(other, name, bl) == 0;
    }
    if (seen) continue;
    int worst = 0, count = 0;
    const json_t *worst_t = t;
    for (size_t k = i; k < n; k++) {
      const json_t *u = json_array_get(tests, k);
      const char *other = h_str(u, "name");
      if (!tagged(u, id) || base_len(other) != bl || strncmp(other, name, bl) != 0) continue;
      count++;
      int r = h_verdict_rank(h_str(u, "verdict"));
      if (r > worst) {
        worst = r;
        worst_t = u;
      }
    }
    const char *v = h_str(worst_t, "verdict");
    fprintf(f, "<span class=\"tn\"><i class=\"dot v-%s\" title=\"%s\"></i>",
            worst >= 4   ? v
            : worst == 3 ? "warning"
            : worst == 2 ? "pass"
                         : "not_applicable",
            h_verdict_label(v));
    if (worst >= 4) {
      fputs("<a href=\"#", f);
      h_anchor(f, h_str(worst_t, "name"));
      fputs("\">", f);
    }
    fprintf(f, "%.*s", (int)bl, name);
    if (worst >= 4) fputs("</a>", f);
    if (count > 1) fprintf(f, " <span class=\"dim\">&times;%d</span>", count);
    fputs("</span> ", f);
    shown++;
  }
  if (!shown) fputs("<span class=\"dim\">no runner test</span>", f);
}

static void section_table(FILE *f, const json_t *doc, const row *rows, size_t n, int number) {
  const json_t *tests = json_object_get(doc, "tests");
  fprintf(f, "<h3 id=\"s-%d\">%d. %s</h3>\n", number, number, h_section_title(number));
  fputs(
      "<table class=\"matrix\"><thead><tr><th>rule</th><th>level</th><th>requirement</th>"
      "<th>tests</th><th>verdict</th></tr></thead><tbody>\n",
      f);
  for (size_t i = 0; i < n; i++) {
    if (rows[i].section != number) continue;
    const json_t *r = rows[i].rule;
    const char *id = h_str(r, "id"), *v = h_str(r, "verdict");
    fputs("<tr class=\"r-", f);
    h_esc(f, v);
    fputs("\" id=\"r-", f);
    h_esc(f, id);
    fputs("\"><td class=\"id\">", f);
    h_esc(f, id);
    fputs("</td><td class=\"lvl\">", f);
    h_esc(f, h_str(r, "level"));
    fputs("</td><td>", f);
    h_esc(f, h_str(r, "text"));
    fputs("</td><td class=\"tests\">", f);
    tests_cell(f, tests, id);
    fputs("</td><td>", f);
    h_badge(f, v);
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

void h_matrix(FILE *f, const json_t *doc) {
  const json_t *rules = json_object_get(doc, "rules");
  size_t n = json_array_size(rules), ns = 0;
  row *rows = calloc(n ? n : 1, sizeof *rows);
  sect *sects = calloc(n ? n : 1, sizeof *sects);
  fputs(
      "<section id=\"matrix\">\n<h2>Requirement matrix</h2>\n"
      "<p class=\"dim\">One row per profile rule; a rule's verdict is the worst of the tests "
      "that check it. Sections with failures first.</p>\n",
      f);
  if (!rows || !sects) {
    h_out_of_memory();
    free(rows);
    free(sects);
    fputs("<p class=\"bad\">out of memory</p></section>\n", f);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const json_t *r = json_array_get(rules, i);
    rows[i] = (row){r, i, (int)h_int(r, "section"), h_verdict_rank(h_str(r, "verdict"))};
    size_t s = 0;
    while (s < ns && sects[s].number != rows[i].section) s++;
    if (s == ns) sects[ns++] = (sect){rows[i].section, 0};
    if (rows[i].rank > sects[s].worst) sects[s].worst = rows[i].rank;
  }
  qsort(rows, n, sizeof *rows, by_rank);
  qsort(sects, ns, sizeof *sects, by_worst);
  for (size_t s = 0; s < ns; s++) section_table(f, doc, rows, n, sects[s].number);
  free(rows);
  free(sects);
  fputs("</section>\n", f);
}

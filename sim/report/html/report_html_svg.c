/* The report's charts, as inline SVG written here (no script, no network):
 * rule verdicts per profile section, and, when a simulator summary carries
 * it, how often each fault kind hit each migration step. */
#include <string.h>

#include "report/html/report_html.h"

static const char *const order[] = {"error", "fail", "warning", "pass", "not_tested"};
static const char *const colour[] = {"#8250df", "#cf222e", "#bf8700", "#2da44e", "#d0d7de"};

#define LABEL_W 230
#define BAR_W 380
#define ROW_H 26

void h_chart_sections(FILE *f, const json_t *doc) {
  const json_t *rules = json_object_get(doc, "rules");
  int count[10][5] = {{0}}, max = 1;
  size_t i;
  json_t *r;
  json_array_foreach(rules, i, r) {
    int s = (int)h_int(r, "section");
    if (s < 1 || s > 9) s = 8;
    const char *v = h_str(r, "verdict");
    int k = 4;
    for (int j = 0; j < 4; j++)
      if (strcmp(v, order[j]) == 0) k = j;
    count[s][k]++;
  }
  int rows = 0;
  for (int s = 1; s <= 9; s++) {
    int total = 0;
    for (int k = 0; k < 5; k++) total += count[s][k];
    if (total > max) max = total;
    rows += total > 0;
  }
  int h = rows * ROW_H + 40, y = 6;
  fprintf(f,
          "<svg class=\"chart\" role=\"img\" aria-label=\"rule verdicts per profile section\" "
          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
          LABEL_W + BAR_W + 170, h, LABEL_W + BAR_W + 170, h);
  for (int s = 1; s <= 9; s++) {
    int total = 0, x = LABEL_W;
    for (int k = 0; k < 5; k++) total += count[s][k];
    if (!total) continue;
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">%d. %s</text>\n",
            LABEL_W - 10, y + 14, s, h_section_title(s));
    for (int k = 0; k < 5; k++) {
      int w = count[s][k] * BAR_W / max;
      if (!w) continue;
      fprintf(f,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"><title>%d %s</title>"
              "</rect>\n",
              x, y, w - 1, colour[k], count[s][k], h_verdict_label(order[k]));
      x += w;
    }
    if (count[s][4] == total)
      fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"num\">not tested by the runner</text>\n", x + 8,
              y + 14);
    else
      fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"num\">%d/%d pass</text>\n", x + 8, y + 14,
              count[s][3], total);
    y += ROW_H;
  }
  int x = LABEL_W;
  for (int k = 0; k < 5; k++) {
    fprintf(f,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
            "<text x=\"%d\" y=\"%d\" class=\"lgd\">%s</text>\n",
            x, y + 8, colour[k], x + 16, y + 18, h_verdict_label(order[k]));
    x += 82;
  }
  fputs("</svg>\n", f);
}

/* cov: {"kinds": [names], "steps": [names], "counts": [[per step] per kind]}
 * (the shape report_html_sim.c looks for in a campaign summary). */
void h_chart_fault_steps(FILE *f, const json_t *cov) {
  const json_t *kinds = json_object_get(cov, "kinds"), *steps = json_object_get(cov, "steps");
  const json_t *counts = json_object_get(cov, "counts");
  size_t nk = json_array_size(kinds), ns = json_array_size(steps);
  long long max = 1;
  for (size_t k = 0; k < nk; k++)
    for (size_t s = 0; s < ns; s++) {
      long long c = (long long)json_integer_value(json_array_get(json_array_get(counts, k), s));
      if (c > max) max = c;
    }
  const int cw = 34, ch = 22, lw = 170, th = 110;
  int w = lw + (int)ns * cw + 10, h = th + (int)nk * ch + 10;
  fprintf(f,
          "<svg class=\"chart\" role=\"img\" aria-label=\"fault kinds by migration step\" "
          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
          w, h, w, h);
  for (size_t s = 0; s < ns; s++) {
    fprintf(f, "<text class=\"lbl\" transform=\"translate(%d,%d) rotate(-50)\">",
            lw + (int)s * cw + 16, th - 6);
    h_esc(f, json_string_value(json_array_get(steps, s)));
    fputs("</text>\n", f);
  }
  for (size_t k = 0; k < nk; k++) {
    int y = th + (int)k * ch;
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", lw - 8, y + 15);
    h_esc(f, json_string_value(json_array_get(kinds, k)));
    fputs("</text>\n", f);
    for (size_t s = 0; s < ns; s++) {
      long long c = (long long)json_integer_value(json_array_get(json_array_get(counts, k), s));
      /* zero is a gap worth seeing: outlined, not filled */
      double a = c ? 0.15 + 0.85 * (double)c / (double)max : 0;
      fprintf(f,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#0969da\" "
              "fill-opacity=\"%.2f\" stroke=\"%s\"><title>%lld</title></rect>\n",
              lw + (int)s * cw, y, cw - 3, ch - 3, a, c ? "none" : "#cf222e", c);
    }
  }
  fputs("</svg>\n", f);
}

/* Simulator results in the HTML report: each campaign or exploration
 * summary (`mlsmig sim --campaign/--explore --json`) with its runs, how
 * they ended, the violations with the command that replays each shrunk
 * schedule, and the known gaps of the draft it hit (docs/findings.md).
 *
 * Hook: a summary with a "fault_coverage" object ({"kinds", "steps",
 * "counts"}, report_html_svg.c) gets the fault-kind-by-step chart; the
 * simulator does not write one yet. */
#include <string.h>

#include "report/html/report_html.h"

static void results_row(FILE *f, const char *label, const json_t *s) {
  const json_t *res = json_object_get(s, "results");
  fputs("<tr><td>", f);
  h_esc(f, label);
  fprintf(f,
          "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
          "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n%s\">%lld</td>"
          "<td class=\"n\">%lld</td></tr>\n",
          h_int(s, "runs"), h_int(res, "completed"), h_int(res, "aborted"), h_int(res, "refused"),
          h_int(res, "stuck"), h_int(s, "violations") ? " bad" : "", h_int(s, "violations"),
          h_int(s, "known_gaps"));
}

static void violations(FILE *f, const json_t *list) {
  if (!json_array_size(list)) return;
  fputs(
      "<h4>Violations (shrunk schedules)</h4>\n<table class=\"list\"><thead><tr><th>invariant"
      "</th><th>seed</th><th>suite</th><th>replay</th></tr></thead><tbody>\n",
      f);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    fputs("<tr><td class=\"bad\">", f);
    h_esc(f, h_str(v, "violation"));
    fprintf(f, "</td><td>%llu</td><td>%lld</td><td><code class=\"small\">", h_u64(v, "seed"),
            h_int(v, "suite"));
    h_esc(f, h_str(v, "replay"));
    fputs("</code></td></tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

static void summary(FILE *f, const json_t *s) {
  const char *mode = h_str(s, "mode");
  const json_t *shard = json_object_get(s, "shard");
  fprintf(f, "<h3>%s, seed %llu", strcmp(mode, "explore") == 0 ? "Exploration" : "Campaign",
          h_u64(s, "seed"));
  if (json_integer_value(json_array_get(shard, 1)) > 1)
    fprintf(f, ", shard %lld of %lld", (long long)json_integer_value(json_array_get(shard, 0)) + 1,
            (long long)json_integer_value(json_array_get(shard, 1)));
  if (strcmp(mode, "explore") == 0)
    fprintf(f, ": every placement of up to %lld fault%s", h_int(s, "max_faults"),
            h_int(s, "max_faults") == 1 ? "" : "s");
  else
    fprintf(f, ": %llu random schedules of 1..%lld faults", h_u64(s, "planned"),
            h_int(s, "faults"));
  const json_t *iut = json_object_get(s, "iut"); /* mlsmig sim --iut: the user's DS */
  if (json_is_object(iut)) {
    fputs(", the IUT as ", f);
    h_esc(f, h_str(iut, "role"));
    fputs(" DS through the shim (<code>", f);
    h_esc(f, h_str(iut, "command"));
    fputs("</code>)", f);
  }
  fputs(
      "</h3>\n<table class=\"list sim\"><thead><tr><th></th><th class=\"n\">runs</th>"
      "<th class=\"n\">completed</th><th class=\"n\">aborted</th><th class=\"n\">refused</th>"
      "<th class=\"n\">stuck</th><th class=\"n\">violations</th><th class=\"n\">known gaps</th>"
      "</tr></thead><tbody>\n",
      f);
  const json_t *suites = json_object_get(s, "suites");
  if (json_is_array(suites)) {
    size_t i;
    json_t *one;
    json_array_foreach(suites, i, one) {
      char label[32];
      snprintf(label, sizeof label, "suite %lld", h_int(one, "suite"));
      results_row(f, label, one);
    }
  } else {
    results_row(f, "all runs", s);
  }
  fputs("</tbody></table>\n", f);
  violations(f, json_object_get(s, "violating_runs"));
  const json_t *cov = json_object_get(s, "fault_coverage");
  if (json_is_object(cov)) {
    fputs(
        "<h4>Fault kinds by migration step</h4>\n<p class=\"dim\">Runs in which a fault of "
        "each kind hit each step; an outlined cell is a combination never tried.</p>\n",
        f);
    h_chart_fault_steps(f, cov);
  }
}

void h_simulator(FILE *f, const json_t *doc) {
  const json_t *sims = json_object_get(doc, "simulator");
  fputs("<section id=\"simulator\">\n<h2>Simulator results</h2>\n", f);
  if (!json_array_size(sims)) {
    fputs(
        "<p class=\"dim\">No campaign or exploration in this report. Add one with "
        "<code>mlsmig run --sim FILE</code> or <code>mlsmig report merge</code> "
        "(FILE from <code>mlsmig sim --campaign N --json</code>).</p>\n</section>\n",
        f);
    return;
  }
  long long gaps = 0;
  size_t i;
  json_t *s;
  json_array_foreach(sims, i, s) {
    summary(f, s);
    gaps += h_int(s, "known_gaps");
    const json_t *per = json_object_get(s, "suites");
    size_t k;
    json_t *one;
    json_array_foreach(per, k, one) gaps += h_int(one, "known_gaps");
  }
  fprintf(f,
          "<p>Runs that ended on a <b>known gap</b> of the draft (%lld) are not violations: "
          "the profile documents them, with the draft text they come from, in "
          "<code>docs/findings.md</code>.</p>\n",
          gaps);
  fputs("</section>\n", f);
}

/* The HTML report (`mlsmig run --html DIR`, `mlsmig report merge --html`):
 * DIR/index.html, one self-contained page (inline CSS and SVG, no script,
 * nothing fetched) that a DS implementer reads top to bottom: did it pass,
 * against what, what failed and why with the bytes on the wire, which rules
 * that leaves unmet, and what the simulator found. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mlsmig/crypto.h"
#include "report/html/report_html.h"

static const char *const kinds[] = {"pass", "fail", "warning", "not_applicable", "error"};

static void tiles(FILE *f, const json_t *sum) {
  fprintf(f, "<div class=\"tiles\"><div class=\"tile\"><b>%lld</b><span>tests</span></div>",
          h_int(sum, "tests"));
  for (int k = 0; k < 5; k++) {
    long long n = h_int(sum, kinds[k]);
    fprintf(f, "<div class=\"tile v-%s%s\"><b>%lld</b><span>%s</span></div>", kinds[k],
            n ? "" : " zero", n, h_verdict_label(kinds[k]));
  }
  fputs("</div>\n", f);
  /* One sentence with every number: what the browser check reads. */
  fprintf(f,
          "<p id=\"totals\" class=\"dim\">%lld tests: %lld pass, %lld fail, %lld warning, %lld not "
          "applicable, %lld error</p>\n",
          h_int(sum, "tests"), h_int(sum, "pass"), h_int(sum, "fail"), h_int(sum, "warning"),
          h_int(sum, "not_applicable"), h_int(sum, "error"));
}

static void list(FILE *f, const json_t *a, bool suites) {
  size_t i;
  json_t *v;
  if (!json_array_size(a)) fputs("<span class=\"dim\">none</span>", f);
  json_array_foreach(a, i, v) {
    if (i) fputs(", ", f);
    if (suites) {
      /* the number, with the suite's name on hover: seven names would bury the rest */
      const mm_suite *s = mm_suite_get((uint16_t)json_integer_value(v));
      fprintf(f, "<abbr title=\"%s\">%lld</abbr>", s ? s->name : "unknown",
              (long long)json_integer_value(v));
    } else {
      h_esc(f, json_string_value(v));
    }
  }
}

static void fact(FILE *f, const char *name, const char *value, bool code) {
  fprintf(f, "<dt>%s</dt><dd>%s", name, code ? "<code>" : "");
  h_esc(f, value);
  fprintf(f, "%s</dd>\n", code ? "</code>" : "");
}

static void header(FILE *f, const json_t *doc) {
  const json_t *iut = json_object_get(doc, "iut"), *sum = json_object_get(doc, "summary");
  fputs("<header>\n<h1>MLS migration conformance: ", f);
  h_esc(f, h_str(iut, "implementation")[0] ? h_str(iut, "implementation") : "unnamed IUT");
  fputs("</h1>\n", f);
  bool passed = json_is_true(json_object_get(sum, "passed"));
  long long bad = h_int(sum, "fail") + h_int(sum, "error");
  if (h_str(doc, "stopped")[0]) {
    fputs("<div class=\"banner failed\">STOPPED: the run stopped before its end: ", f);
    h_esc(f, h_str(doc, "stopped"));
    fputs("</div>\n", f);
  }
  if (json_is_true(json_object_get(sum, "nothing_tested")))
    fputs("<div class=\"banner failed\">FAILED: " MM_NOTHING_TESTED
          " (every test was not applicable)</div>\n",
          f);
  else if (passed)
    fputs("<div class=\"banner passed\">PASSED: every mandatory test passed</div>\n", f);
  else
    fprintf(f,
            "<div class=\"banner failed\">FAILED: %lld test%s did not pass (details "
            "below)</div>\n",
            bad, bad == 1 ? "" : "s");
  tiles(f, sum);
  fputs("<dl class=\"facts\">\n", f);
  fact(f, "IUT command", h_str(doc, "iut_command"), true);
  fputs("<dt>declared roles</dt><dd>", f);
  list(f, json_object_get(iut, "roles"), false);
  fputs("</dd>\n<dt>declared suites</dt><dd>", f);
  list(f, json_object_get(iut, "suites"), true);
  fputs("</dd>\n<dt>declared features</dt><dd>", f);
  list(f, json_object_get(iut, "features"), false);
  fputs("</dd>\n", f);
  fprintf(f, "<dt>mlsmig / profile</dt><dd>mlsmig %s, profile v%s, shim protocol v%lld</dd>\n",
          h_str(doc, "mlsmig_version"), h_str(doc, "profile"), h_int(doc, "shim_protocol"));
  fact(f, "date (UTC)", h_str(doc, "date"), false);
  if (h_int(doc, "escaped_processes"))
    fprintf(f,
            "<dt>escaped processes</dt><dd>%lld IUT processes had left its process group and "
            "were killed</dd>\n",
            h_int(doc, "escaped_processes"));
  if (h_str(doc, "cleanup")[0]) fact(f, "not cleaned up", h_str(doc, "cleanup"), false);
  fprintf(f, "<dt>seed</dt><dd>%llu</dd>\n<dt>wall time</dt><dd>%.1f s</dd>\n", h_u64(doc, "seed"),
          json_number_value(json_object_get(doc, "wall_ms")) / 1000.0);
  const json_t *from = json_object_get(doc, "merged_from");
  if (json_array_size(from)) {
    fputs("<dt>merged from</dt><dd>", f);
    list(f, from, false);
    fputs("</dd>\n", f);
  }
  fputs("</dl>\n</header>\n", f);
}

static void all_tests(FILE *f, const json_t *doc) {
  const json_t *tests = json_object_get(doc, "tests");
  fprintf(f,
          "<section id=\"tests\">\n<h2>All tests</h2>\n<details><summary>%zu tests, in run "
          "order</summary>\n<table class=\"list\"><thead><tr><th>test</th><th>role</th>"
          "<th>suite</th><th>rules</th><th>verdict</th><th>ms</th></tr></thead><tbody>\n",
          json_array_size(tests));
  size_t i;
  json_t *t;
  json_array_foreach(tests, i, t) {
    fputs("<tr><td>", f);
    h_esc(f, h_str(t, "name"));
    fputs("</td><td>", f);
    h_esc(f, h_str(t, "role"));
    fprintf(f, "</td><td>%lld</td><td class=\"small\">", h_int(t, "cipher_suite"));
    size_t k;
    json_t *id;
    json_array_foreach(json_object_get(t, "rules"), k, id) {
      h_esc(f, json_string_value(id));
      fputc(' ', f);
    }
    fputs("</td><td>", f);
    h_badge(f, h_str(t, "verdict"));
    fprintf(f, "</td><td class=\"n\">%.0f</td></tr>\n",
            json_number_value(json_object_get(t, "ms")));
  }
  fputs("</tbody></table>\n</details>\n</section>\n", f);
}

mm_err mm_report_html_doc(const json_t *doc, const char *dir) {
  char path[4096];
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) return MM_E_IO;
  if (snprintf(path, sizeof path, "%s/index.html", dir) >= (int)sizeof path) return MM_E_IO;
  FILE *f = fopen(path, "w");
  if (!f) return MM_E_IO;
  h_take_out_of_memory(); /* clear */
  fputs(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>mlsmig report: ",
      f);
  h_esc(f, h_str(json_object_get(doc, "iut"), "implementation"));
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", h_css);
  header(f, doc);
  fputs(
      "<nav><a href=\"#failures\">Failing tests</a><a href=\"#chart\">Verdicts per "
      "section</a><a href=\"#matrix\">Requirement matrix</a><a href=\"#simulator\">Simulator"
      "</a><a href=\"#tests\">All tests</a></nav>\n",
      f);
  h_failures(f, doc);
  fputs(
      "<section id=\"chart\">\n<h2>Verdicts per section</h2>\n"
      "<p class=\"dim\">Rules of each profile section by verdict.</p>\n",
      f);
  h_chart_sections(f, doc);
  fputs("</section>\n", f);
  h_matrix(f, doc);
  h_simulator(f, doc);
  all_tests(f, doc);
  fprintf(f,
          "<footer>Written by mlsmig %s. Every test reruns alone with the command shown; the "
          "machine-readable results are in the JSON this page was made from "
          "(docs/run-results.schema.json).</footer>\n</main>\n</body>\n</html>\n",
          h_str(doc, "mlsmig_version"));
  bool oom = h_take_out_of_memory();
  if (fclose(f) != 0) return MM_E_IO;
  if (oom) remove(path); /* incomplete: no page rather than a wrong one */
  return oom ? MM_E_NOMEM : MM_OK;
}

/* mlsmig report merge: several results files (shards of a run, one run per
 * role, simulator summaries) into one report. Exit 0 when the merged run
 * passed, 1 when a test failed or an input is unusable, 2 on a usage
 * error. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report_out.h"
#include "report/report.h"

static const char report_help[] =
    "usage: mlsmig report merge A.json B.json ... [--html DIR] [--junit FILE]\n"
    "                           [--json FILE] [--tap FILE]\n\n"
    "Merges results files of `mlsmig run --json` (shards, per-role runs) and\n"
    "simulator summaries of `mlsmig sim --campaign/--explore --json` into one\n"
    "report: tests concatenated (a test in several inputs keeps its worst\n"
    "verdict), totals and rule verdicts recomputed.\n\n"
    "  --html DIR    DIR/index.html\n"
    "  --junit FILE  JUnit XML\n"
    "  --json FILE   merged results (docs/run-results.schema.json)\n"
    "  --tap FILE    TAP version 13\n\n"
    "exit status: 0 the merged run passed, 1 a test failed or an input is unusable,\n"
    "2 usage error\n";

#define MAX_INPUTS 256

typedef struct merge_args {
  const char *html, *junit, *json, *tap;
  const char *in[MAX_INPUTS];
  size_t n;
} merge_args;

static int parse(int argc, char **argv, merge_args *a) {
  for (int i = 2; i < argc; i++) {
    bool bad = false;
    if (cli_is_help(argv[i])) {
      fputs(report_help, stdout);
      return -1;
    } else if (cli_opt(argc, argv, &i, "--html", &a->html, &bad) ||
               cli_opt(argc, argv, &i, "--junit", &a->junit, &bad) ||
               cli_opt(argc, argv, &i, "--json", &a->json, &bad) ||
               cli_opt(argc, argv, &i, "--tap", &a->tap, &bad)) {
      if (bad) return EXIT_USAGE;
    } else if (strncmp(argv[i], "--", 2) == 0) {
      return cli_usage_error("report", "unexpected option '%s'", argv[i]);
    } else if (a->n == MAX_INPUTS) {
      return cli_usage_error("report", "more than %d inputs", MAX_INPUTS);
    } else {
      a->in[a->n++] = argv[i];
    }
  }
  if (!a->n) return cli_usage_error("report", "merge needs at least one results file");
  if (!a->html && !a->junit && !a->json && !a->tap)
    return cli_usage_error("report", "nothing to write: give --html, --junit, --json or --tap");
  return EXIT_OK;
}

static int merge(const merge_args *a) {
  json_t *docs[MAX_INPUTS];
  size_t n = 0;
  int rc = EXIT_OK;
  for (; n < a->n; n++) {
    json_error_t err;
    docs[n] = mm_json_load_file(a->in[n], 0, &err);
    if (!docs[n]) {
      fprintf(stderr, "mlsmig report: %s: %s (line %d)\n", a->in[n], err.text, err.line);
      rc = EXIT_REJECTED;
      break;
    }
  }
  json_t *out = NULL;
  char why[512] = "";
  if (rc == EXIT_OK && !(out = mm_report_merge(docs, a->in, n, why, sizeof why))) {
    fprintf(stderr, "mlsmig report: %s\n", why);
    rc = EXIT_REJECTED;
  }
  for (size_t i = 0; i < n; i++) json_decref(docs[i]);
  if (!out) return rc;
  const json_t *s = json_object_get(out, "summary");
  printf(
      "merged %zu inputs: %lld tests: %lld pass, %lld warning, %lld fail, %lld error, "
      "%lld not applicable\n",
      a->n, (long long)json_integer_value(json_object_get(s, "tests")),
      (long long)json_integer_value(json_object_get(s, "pass")),
      (long long)json_integer_value(json_object_get(s, "warning")),
      (long long)json_integer_value(json_object_get(s, "fail")),
      (long long)json_integer_value(json_object_get(s, "error")),
      (long long)json_integer_value(json_object_get(s, "not_applicable")));
  rc = report_write_all("report", out, a->junit, a->json, a->tap, a->html);
  if (rc == EXIT_OK && !json_is_true(json_object_get(s, "passed"))) rc = EXIT_REJECTED;
  json_decref(out);
  return rc;
}

int cmd_report(int argc, char **argv) {
  if (argc < 2 || cli_is_help(argv[1])) {
    fputs(report_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (strcmp(argv[1], "merge") != 0)
    return cli_usage_error("report", "unknown action '%s' (only merge)", argv[1]);
  merge_args a = {0};
  int rc = parse(argc, argv, &a);
  if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
  return merge(&a);
}

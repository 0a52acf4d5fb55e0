/* report_out.h: one table of writers, so both commands stay in step. */
#include "cli/report_out.h"

#include <stdio.h>

#include "cli/cli.h"
#include "report/report.h"

int report_write_all(const char *verb, const json_t *doc, const char *junit, const char *json,
                     const char *tap, const char *html) {
  struct {
    const char *path;
    MM_MUST_USE mm_err (*write)(const json_t *, const char *);
  } out[] = {{junit, mm_report_junit_doc},
             {json, mm_report_json_doc},
             {tap, mm_report_tap_doc},
             {html, mm_report_html_doc}};
  int rc = EXIT_OK;
  for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
    if (out[i].path && out[i].write(doc, out[i].path) != MM_OK) {
      fprintf(stderr, "mlsmig %s: cannot write %s\n", verb, out[i].path);
      rc = EXIT_REJECTED;
    }
  return rc;
}

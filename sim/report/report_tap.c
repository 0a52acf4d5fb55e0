/* TAP (version 13) of a results document, for harnesses that read TAP
 * (prove, tappy): one line per test; fail and error are `not ok` with a
 * YAML block saying why and how to rerun; not applicable is `# SKIP`; a
 * warning is `ok` with the reason as a comment (TAP has no warning). */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch == '\n')
      fputs("\\n", f);
    else if (ch < 0x20)
      fprintf(f, "\\x%02x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

/* A line of TAP must not break on a newline or look like a directive, nor
 * carry a control byte to the terminal that shows it. */
static void one_line(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '\n' || ch == '#')
      fputc(' ', f);
    else if (ch < 0x20 || ch == 0x7f)
      fprintf(f, "\\x%02x", ch);
    else
      fputc(ch, f);
  }
}

static void test_line(FILE *f, size_t num, const json_t *t) {
  const char *v = str(t, "verdict");
  bool bad = strcmp(v, "fail") == 0 || strcmp(v, "error") == 0;
  fprintf(f, "%sok %zu - ", bad ? "not " : "", num);
  one_line(f, str(t, "name"));
  if (strcmp(v, "not_applicable") == 0) {
    fputs(" # SKIP not applicable: ", f);
    one_line(f, str(t, "message"));
  }
  fputc('\n', f);
  if (strcmp(v, "warning") == 0) {
    fputs("# warning: ", f);
    one_line(f, str(t, "message"));
    fputc('\n', f);
  }
  if (!bad) return;
  fprintf(f, "  ---\n  verdict: %s\n  message: ", v);
  yaml_str(f, str(t, "message"));
  fputs("\n  expected: ", f);
  yaml_str(f, str(t, "expected"));
  fputs("\n  rules: [", f);
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(t, "rules"), i, id) {
    fprintf(f, "%s%s", i ? ", " : "", json_string_value(id));
  }
  fprintf(f, "]\n  cipher_suite: %lld\n  rerun: ",
          (long long)json_integer_value(json_object_get(t, "cipher_suite")));
  yaml_str(f, str(t, "rerun"));
  fputs("\n  ...\n", f);
}

mm_err mm_report_tap_doc(const json_t *doc, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return MM_E_IO;
  const json_t *tests = json_object_get(doc, "tests");
  fprintf(f, "TAP version 13\n1..%zu\n", json_array_size(tests));
  fputs("# mlsmig ", f);
  one_line(f, str(doc, "mlsmig_version"));
  fputs(" against ", f);
  one_line(f, str(doc, "iut_command"));
  fputc('\n', f);
  size_t i;
  json_t *t;
  json_array_foreach(tests, i, t) test_line(f, i + 1, t);
  /* A harness reads "Bail out!" as a failed run: a run of skips alone, or
   * a run cut short, must not pass. */
  const json_t *sum = json_object_get(doc, "summary");
  if (str(doc, "stopped")[0]) {
    fputs("Bail out! the run stopped: ", f);
    one_line(f, str(doc, "stopped"));
    fputc('\n', f);
  } else if (json_is_true(json_object_get(sum, "nothing_tested"))) {
    fputs("Bail out! " MM_NOTHING_TESTED "\n", f);
  }
  return fclose(f) == 0 ? MM_OK : MM_E_IO;
}

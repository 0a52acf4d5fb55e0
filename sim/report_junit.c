/* JUnit XML of a run (what CI systems read): one testsuite per IUT role,
 * one testcase per test with its rule IDs, suite and verdict as properties;
 * a fail is a <failure>, an error an <error>, not applicable <skipped>, and
 * a warning passes with the reason in <system-out>. The failure text holds
 * the decoded offending envelope. */
#include <stdio.h>
#include <string.h>

#include "runner.h"
#include "shim_proto.h"

static void esc(FILE *f, const char *s) {
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    switch (ch) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default:
      /* XML 1.0 has no place for other control characters. */
      if (ch < 0x20 && ch != '\n' && ch != '\t') fputc('?', f);
      else fputc(ch, f);
    }
  }
}

static void testcase(FILE *f, const mm_test_result *t, const char *role) {
  fprintf(f, "    <testcase classname=\"mlsmig.%s\" name=\"", role);
  esc(f, t->name);
  fprintf(f, "\" time=\"%.3f\">\n      <properties>\n", t->ms / 1000.0);
  char buf[128];
  snprintf(buf, sizeof buf, "%s", t->rules);
  for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save))
    fprintf(f, "        <property name=\"rule\" value=\"%s\"/>\n", id);
  fprintf(f, "        <property name=\"cipher_suite\" value=\"%u\"/>\n", t->suite);
  fprintf(f, "        <property name=\"verdict\" value=\"%s\"/>\n", mm_verdict_name(t->verdict));
  fputs("      </properties>\n", f);
  const char *tag = t->verdict == MM_V_FAIL ? "failure" : t->verdict == MM_V_ERROR ? "error" : NULL;
  if (tag) {
    fprintf(f, "      <%s type=\"%s\" message=\"", tag, mm_verdict_name(t->verdict));
    esc(f, t->message);
    fputs("\">", f);
    esc(f, t->summary);
    if (t->offending) {
      fputs("\noffending envelope: ", f);
      esc(f, t->offending);
    }
    fprintf(f, "</%s>\n", tag);
  } else if (t->verdict == MM_V_NA) {
    fputs("      <skipped message=\"not applicable: ", f);
    esc(f, t->message);
    fputs("\"/>\n", f);
  } else if (t->verdict == MM_V_WARNING) {
    fputs("      <system-out>warning: ", f);
    esc(f, t->message);
    fputs("</system-out>\n", f);
  }
  if (t->iut_stderr && t->iut_stderr[0]) {
    fputs("      <system-err>", f);
    esc(f, t->iut_stderr);
    fputs("</system-err>\n", f);
  }
  fputs("    </testcase>\n", f);
}

static void suite(FILE *f, const mm_run_result *r, uint8_t role, const char *name) {
  size_t n = 0, fail = 0, err = 0, skip = 0;
  double ms = 0;
  for (size_t i = 0; i < r->n; i++) {
    const mm_test_result *t = &r->tests[i];
    if (t->role != role) continue;
    n++;
    fail += t->verdict == MM_V_FAIL;
    err += t->verdict == MM_V_ERROR;
    skip += t->verdict == MM_V_NA;
    ms += t->ms;
  }
  if (!n) return;
  fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", name, n,
          fail, err);
  fprintf(f, " skipped=\"%zu\" time=\"%.3f\">\n", skip, ms / 1000.0);
  for (size_t i = 0; i < r->n; i++)
    if (r->tests[i].role == role) testcase(f, &r->tests[i], name);
  fputs("  </testsuite>\n", f);
}

mm_err mm_report_junit(const mm_run_result *r, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return MM_E_IO;
  size_t fail = 0, err = 0, skip = 0;
  for (size_t i = 0; i < r->n; i++) {
    fail += r->tests[i].verdict == MM_V_FAIL;
    err += r->tests[i].verdict == MM_V_ERROR;
    skip += r->tests[i].verdict == MM_V_NA;
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fputs("<testsuites name=\"mlsmig run: ", f);
  esc(f, r->pics.implementation);
  fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
          r->n, fail, err, skip, r->wall_ms / 1000.0);
  suite(f, r, MM_SHIM_ROLE_TARGET, "target");
  suite(f, r, MM_SHIM_ROLE_SOURCE, "source");
  fputs("</testsuites>\n", f);
  return fclose(f) == 0 ? MM_OK : MM_E_IO;
}

/* JUnit XML of a results document (what CI systems read): one testsuite
 * per IUT role, one testcase per test with its rule IDs, suite and verdict
 * as properties; a fail is a <failure>, an error an <error>, not applicable
 * <skipped>, and a warning passes with the reason in <system-out>. The
 * failure text holds what was expected, the decoded offending envelope and
 * the command that reruns the test. suites/junit.xsd is the structure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

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
      if (ch < 0x20 && ch != '\n' && ch != '\t')
        fputc('?', f);
      else
        fputc(ch, f);
    }
  }
}

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void property(FILE *f, const char *indent, const char *name, const char *value) {
  fprintf(f, "%s<property name=\"%s\" value=\"", indent, name);
  esc(f, value);
  fputs("\"/>\n", f);
}

/* Sets *oom when the offending envelope could not be printed. */
static void failure_text(FILE *f, const json_t *t, bool *oom) {
  esc(f, str(t, "summary"));
  fputs("\nexpected: ", f);
  esc(f, str(t, "expected"));
  json_t *off = json_object_get(t, "offending_envelope");
  if (json_is_object(off)) {
    char *s = mm_json_dumps(off, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s) *oom = true;
    fputs("\noffending envelope: ", f);
    esc(f, s);
    free(s);
  }
  fputs("\nrerun: ", f);
  esc(f, str(t, "rerun"));
}

static void testcase(FILE *f, const json_t *t, const char *role, bool *oom) {
  const char *verdict = str(t, "verdict");
  fprintf(f, "    <testcase classname=\"mlsmig.%s\" name=\"", role);
  esc(f, str(t, "name"));
  fprintf(f, "\" time=\"%.3f\">\n      <properties>\n",
          json_number_value(json_object_get(t, "ms")) / 1000.0);
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(t, "rules"), i, id) {
    property(f, "        ", "rule", json_string_value(id));
  }
  fprintf(f, "        <property name=\"cipher_suite\" value=\"%lld\"/>\n",
          (long long)json_integer_value(json_object_get(t, "cipher_suite")));
  property(f, "        ", "verdict", verdict);
  fputs("      </properties>\n", f);
  const char *tag = strcmp(verdict, "fail") == 0    ? "failure"
                    : strcmp(verdict, "error") == 0 ? "error"
                                                    : NULL;
  if (tag) {
    fprintf(f, "      <%s type=\"%s\" message=\"", tag, verdict);
    esc(f, str(t, "message"));
    fputs("\">", f);
    failure_text(f, t, oom);
    fprintf(f, "</%s>\n", tag);
  } else if (strcmp(verdict, "not_applicable") == 0) {
    fputs("      <skipped message=\"not applicable: ", f);
    esc(f, str(t, "message"));
    fputs("\"/>\n", f);
  } else if (strcmp(verdict, "warning") == 0) {
    fputs("      <system-out>warning: ", f);
    esc(f, str(t, "message"));
    fputs("</system-out>\n", f);
  }
  const char *err = str(t, "iut_stderr");
  if (err[0]) {
    fputs("      <system-err>", f);
    esc(f, err);
    fputs("</system-err>\n", f);
  }
  fputs("    </testcase>\n", f);
}

typedef struct counts {
  size_t n, fail, err, skip;
  double ms;
} counts;

static counts count(const json_t *tests, const char *role) {
  counts c = {0};
  size_t i;
  json_t *t;
  json_array_foreach(tests, i, t) {
    if (role && strcmp(str(t, "role"), role) != 0) continue;
    const char *v = str(t, "verdict");
    c.n++;
    c.fail += strcmp(v, "fail") == 0;
    c.err += strcmp(v, "error") == 0;
    c.skip += strcmp(v, "not_applicable") == 0;
    c.ms += json_number_value(json_object_get(t, "ms"));
  }
  return c;
}

static void suite(FILE *f, const json_t *doc, const char *role, bool *oom) {
  const json_t *tests = json_object_get(doc, "tests");
  counts c = count(tests, role);
  if (!c.n) return;
  fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", role, c.n,
          c.fail, c.err);
  fprintf(f, " skipped=\"%zu\" time=\"%.3f\" timestamp=\"", c.skip, c.ms / 1000.0);
  /* xs:dateTime without the zone letter, as Ant writes it */
  char ts[32];
  snprintf(ts, sizeof ts, "%s", str(doc, "date"));
  if (ts[0] && ts[strlen(ts) - 1] == 'Z') ts[strlen(ts) - 1] = '\0';
  esc(f, ts[0] ? ts : "1970-01-01T00:00:00");
  fputs("\">\n    <properties>\n", f);
  property(f, "      ", "iut_command", str(doc, "iut_command"));
  property(f, "      ", "implementation", str(json_object_get(doc, "iut"), "implementation"));
  property(f, "      ", "mlsmig_version", str(doc, "mlsmig_version"));
  property(f, "      ", "profile", str(doc, "profile"));
  char seed[32];
  uint64_t seed_v = 0;
  (void)mm_json_u64_value(json_object_get(doc, "seed"), &seed_v);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)seed_v);
  property(f, "      ", "seed", seed);
  fputs("    </properties>\n", f);
  size_t i;
  json_t *t;
  json_array_foreach(tests, i, t) {
    if (strcmp(str(t, "role"), role) == 0) testcase(f, t, role, oom);
  }
  fputs("  </testsuite>\n", f);
}

/* A run in which nothing was tested, or that was stopped, is one more
 * erring test case: CI must not read a run of skipped tests as a pass. */
static bool run_outcome(FILE *f, const json_t *doc, bool write) {
  const json_t *sum = json_object_get(doc, "summary");
  const char *stopped = str(doc, "stopped");
  bool nothing = json_is_true(json_object_get(sum, "nothing_tested"));
  if (!stopped[0] && !nothing) return false;
  if (!write) return true;
  fputs("  <testsuite name=\"run\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\"", f);
  fputs(" time=\"0.000\" timestamp=\"1970-01-01T00:00:00\">\n", f);
  fputs("    <testcase classname=\"mlsmig.run\" name=\"run\" time=\"0.000\">\n", f);
  fputs("      <error type=\"error\" message=\"", f);
  esc(f, str(sum, "outcome")[0] ? str(sum, "outcome") : nothing ? MM_NOTHING_TESTED : stopped);
  fputs("\">", f);
  if (nothing) fputs(MM_NOTHING_TESTED ": no test ran (see the skipped tests for why)", f);
  if (stopped[0]) {
    fputs("the run stopped: ", f);
    esc(f, stopped);
  }
  fputs("</error>\n    </testcase>\n  </testsuite>\n", f);
  return true;
}

mm_err mm_report_junit_doc(const json_t *doc, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return MM_E_IO;
  counts c = count(json_object_get(doc, "tests"), NULL);
  size_t extra = run_outcome(f, doc, false);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fputs("<testsuites name=\"mlsmig run: ", f);
  esc(f, str(json_object_get(doc, "iut"), "implementation"));
  fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
          c.n + extra, c.fail, c.err + extra, c.skip,
          json_number_value(json_object_get(doc, "wall_ms")) / 1000.0);
  run_outcome(f, doc, true);
  bool oom = false;
  suite(f, doc, "target", &oom);
  suite(f, doc, "source", &oom);
  fputs("</testsuites>\n", f);
  if (fclose(f) != 0) return MM_E_IO;
  return oom ? MM_E_NOMEM : MM_OK;
}

mm_err mm_report_junit(const mm_run_result *r, const char *path) {
  json_t *doc = mm_run_to_json(r);
  if (!doc) return MM_E_NOMEM;
  mm_err e = mm_report_junit_doc(doc, path);
  json_decref(doc);
  return e;
}

/* What a DS team installs and reads around the binary: the man pages render
 * without a warning (groff -man -ww) and document every verb and option the
 * CLI's --help shows, every version string agrees (Makefile, man pages,
 * debian/changelog), and the CI templates of examples/ci/ parse and run
 * (suites/check_ci.py). The Debian package itself is built and checked by
 * lintian in `make deb` (.ci/run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_exec.h"
#include "report_fixture.h"
#include "testlib.h"

static const char *const man_pages[] = {"man/mlsmig.1", "man/mlsmig-ref-ds.1", "man/mlsmig-shim.7"};
#define NPAGES (sizeof man_pages / sizeof man_pages[0])

/* Runs a shell command; its exit status and output (stdout and stderr). */
static int sh(const char *cmd, char *out, size_t cap) {
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *page(const char *path) {
  char *text = fixture_slurp(mm_test_path(path));
  ck_assert_msg(text != NULL, "%s is missing", path);
  return text;
}

START_TEST(test_man_pages_render_without_warnings) {
  static char out[65536];
  ck_assert_msg(sh("command -v groff", out, sizeof out) == 0,
                "groff is missing: install groff-base (make deps does)");
  for (size_t i = 0; i < NPAGES; i++) {
    char cmd[512];
    /* -z: format, print nothing but the diagnostics */
    snprintf(cmd, sizeof cmd, "LC_ALL=C.UTF-8 groff -man -ww -Tutf8 -z %s 2>&1",
             mm_test_path(man_pages[i]));
    int rc = sh(cmd, out, sizeof out);
    ck_assert_msg(rc == 0 && out[0] == '\0', "%s: groff -ww exit %d: %s", man_pages[i], rc, out);
    /* and it renders to the text a reader sees */
    snprintf(cmd, sizeof cmd, "LC_ALL=C.UTF-8 groff -man -Tutf8 -P-cbou %s 2>&1",
             mm_test_path(man_pages[i]));
    ck_assert_int_eq(sh(cmd, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "NAME") && strstr(out, "DESCRIPTION") && strstr(out, "SEE ALSO"),
                  "%s: no NAME, DESCRIPTION or SEE ALSO", man_pages[i]);
  }
}
END_TEST

/* Does the man page (roff source) mention --opt, written \-\-opt? */
static bool documents(const char *man, const char *opt, size_t len) {
  char want[96] = "";
  size_t k = 0;
  for (size_t i = 0; i < len && k + 3 < sizeof want; i++) {
    if (opt[i] == '-') want[k++] = '\\';
    want[k++] = opt[i];
  }
  want[k] = '\0';
  return strstr(man, want) != NULL;
}

/* Every --option of `mlsmig ARGS --help` is in the man page; returns how
 * many it checked. */
static size_t check_options(const char *man, const char *args) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "%s --help", args);
  cli_out r = cli_exec(cmd);
  ck_assert_msg(r.rc == 0, "mlsmig %s --help: exit %d", args, r.rc);
  size_t n = 0;
  for (const char *p = r.out; (p = strstr(p, "--")) != NULL;) {
    size_t len = 2;
    while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= '0' && p[len] <= '9') ||
           (p[len] == '-' && p[len + 1] != '-'))
      len++;
    if (len > 2) {
      ck_assert_msg(documents(man, p, len), "mlsmig.1 does not document %.*s of 'mlsmig %s'",
                    (int)len, p, args);
      n++;
    }
    p += len;
  }
  return n;
}

START_TEST(test_man_page_documents_every_verb_and_option) {
  char *man = page("man/mlsmig.1");
  /* the verbs of `mlsmig --help`: two spaces, the name, spaces, a summary */
  cli_out r = cli_exec("--help");
  ck_assert_int_eq(r.rc, 0);
  size_t verbs = 0;
  for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
    char verb[32];
    if (strncmp(line, "  ", 2) != 0 || sscanf(line, " %31s", verb) != 1) continue;
    char want[48];
    snprintf(want, sizeof want, "\n.SS %s\n", verb);
    ck_assert_msg(strstr(man, want) != NULL, "mlsmig.1 has no section for the verb %s", verb);
    verbs++;
  }
  ck_assert_uint_ge(verbs, 9);
  static const char *const helps[] = {"decode", "encode", "vectors",      "sim", "list",
                                      "bench",  "run",    "report merge", ""};
  size_t opts = 0;
  for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) opts += check_options(man, helps[i]);
  ck_assert_uint_ge(opts, 40);
  ck_assert_ptr_nonnull(strstr(man, "\n.SH EXIT STATUS\n"));
  ck_assert_ptr_nonnull(strstr(man, "\n.SH EXAMPLES\n"));
  free(man);
  /* the reference DS's page has its options too */
  man = page("man/mlsmig-ref-ds.1");
  const char *bin = cli_bin();
  char cmd[600], out[4096];
  snprintf(cmd, sizeof cmd, "\"$(dirname '%s')/mlsmig-ref-ds\" --help", bin);
  ck_assert_int_eq(sh(cmd, out, sizeof out), 0);
  ck_assert(strstr(out, "--mutant") && documents(man, "--mutant", 8));
  free(man);
}
END_TEST

/* mlsmig-shim(7) follows docs/shim-protocol.md: every enumerated value of
 * the protocol (message types, roles, policies, group states: `name(N)`)
 * and every PICS feature of its table is in the page. */
START_TEST(test_shim_page_follows_protocol_doc) {
  char *doc = page("docs/shim-protocol.md"), *man = page("man/mlsmig-shim.7");
  size_t values = 0, features = 0;
  for (const char *p = doc; *p; p++) {
    /* name(N) with name in [a-z_] */
    if (*p != '(' || p == doc || !(p[-1] >= 'a' && p[-1] <= 'z') || p[1] < '0' || p[1] > '9')
      continue;
    const char *b = p;
    while (b > doc && ((b[-1] >= 'a' && b[-1] <= 'z') || b[-1] == '_')) b--;
    const char *e = p + 1;
    while (*e >= '0' && *e <= '9') e++;
    if (*e != ')') continue;
    char want[64];
    snprintf(want, sizeof want, "%.*s", (int)(e + 1 - b), b);
    ck_assert_msg(strstr(man, want) != NULL, "mlsmig-shim.7 lacks %s (docs/shim-protocol.md)",
                  want);
    values++;
  }
  /* feature rows: | 0 (1) | `tombstone`: ... */
  for (const char *p = doc; (p = strstr(p, "\n| ")) != NULL; p++) {
    int bit, mask, n = 0;
    if (sscanf(p, "\n| %d (%d) | `%n", &bit, &mask, &n) != 2 || n == 0) continue;
    const char *e = strchr(p + n, '`');
    ck_assert_ptr_nonnull(e);
    char alt[64];
    snprintf(alt, sizeof alt, ".BR \"%d (%d) \" %.*s\n", bit, mask, (int)(e - (p + n)), p + n);
    ck_assert_msg(strstr(man, alt) != NULL, "mlsmig-shim.7 lacks the feature line %s", alt);
    features++;
  }
  ck_assert_uint_ge(values, 20);
  ck_assert_uint_ge(features, 6);
  free(doc);
  free(man);
}
END_TEST

/* The version in `mlsmig version`, every man page's title line and the
 * top of debian/changelog is one. */
START_TEST(test_versions_agree) {
  cli_out r = cli_exec("version");
  ck_assert_int_eq(r.rc, 0);
  char version[32];
  ck_assert_int_eq(sscanf(r.out, "mlsmig %31s", version), 1);
  for (size_t i = 0; i < NPAGES; i++) {
    char *text = page(man_pages[i]);
    char want[64];
    snprintf(want, sizeof want, "\"mlsmig %s\"", version);
    const char *th = strstr(text, "\n.TH ");
    const char *eol = th ? strchr(th + 1, '\n') : NULL;
    const char *at = th ? strstr(th, want) : NULL;
    ck_assert_msg(at && at < eol, "%s: .TH does not name mlsmig %s", man_pages[i], version);
    free(text);
  }
  char *log = page("debian/changelog");
  char want[64];
  snprintf(want, sizeof want, "mlsmig (%s) ", version);
  ck_assert_msg(strncmp(log, want, strlen(want)) == 0, "debian/changelog does not start with %s",
                want);
  free(log);
}
END_TEST

START_TEST(test_ci_templates_parse_and_run) {
  static char out[16384];
  char cmd[700];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --cli '%s' 2>&1",
           mm_test_path("suites/check_ci.py"), cli_bin());
  int rc = sh(cmd, out, sizeof out);
  ck_assert_msg(rc == 0, "check_ci.py: exit %d:\n%s", rc, out);
  /* and the check fails on templates broken one way at a time */
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --cli '%s' --self-test 2>&1",
           mm_test_path("suites/check_ci.py"), cli_bin());
  rc = sh(cmd, out, sizeof out);
  ck_assert_msg(rc == 0, "check_ci.py --self-test: exit %d:\n%s", rc, out);
}
END_TEST

Suite *suite_packaging(void) {
  Suite *s = suite_create("packaging");
  TCase *tc = tcase_create("packaging");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_man_pages_render_without_warnings, "-");
  MM_ADD_TEST(tc, test_man_page_documents_every_verb_and_option, "-");
  MM_ADD_TEST(tc, test_shim_page_follows_protocol_doc, "-");
  MM_ADD_TEST(tc, test_versions_agree, "-");
  MM_ADD_TEST(tc, test_ci_templates_parse_and_run, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* One runner for every Check suite. The list of suites is generated from the
 * file names suites/test_NAME.c (build/gen/suites.h).
 *
 *   check_all                 run everything, print Check's summary line
 *   check_all --list          print "suite<TAB>test<TAB>rule IDs" for every test
 *   check_all --rules ID...   run only the tests that check these rules; an
 *                             area prefix selects the area ("SIG" = SIG-1..5)
 *   check_all SUITE...        run only these suites
 *
 * Opt-in suites (interop: it needs node and the ts-mls adapter's packages)
 * run only when named; a full run still registers their tests, so that the
 * list and the catalogue cross-check see them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define MM_SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef MM_SUITE

typedef struct {
  const char *name;
  Suite *(*make)(void);
} suite_entry;

static const suite_entry all_suites[] = {
#define MM_SUITE(name) {#name, suite_##name},
#include "suites.h"
#undef MM_SUITE
};

const char *mm_current_suite = "";

/* --rules filter: NULL-ended list of IDs or area prefixes. */
static char **rule_filter;

static bool rule_matches(const char *rules, const char *want) {
  size_t n = strlen(want);
  for (const char *p = rules; (p = strstr(p, want)) != NULL; p += n) {
    bool starts = p == rules || p[-1] == ' ';
    bool ends = p[n] == '\0' || p[n] == ' ' || (p[n] == '-' && strchr(want, '-') == NULL);
    if (starts && ends) return true;
  }
  return false;
}

static bool selected(const char *rules) {
  if (!rule_filter) return true;
  for (char **f = rule_filter; *f; f++)
    if (rule_matches(rules, *f)) return true;
  return false;
}

static mm_test_info *tests;
static size_t ntests, captests;

static void remember(const char *suite, const char *name, const char *rules) {
  if (ntests == captests) {
    captests = captests ? captests * 2 : 256;
    tests = realloc(tests, captests * sizeof *tests);
    if (!tests) abort();
  }
  tests[ntests++] = (mm_test_info){suite, name, rules};
}

void mm_test_register(TCase *tc, const TTest *fn, const char *suite, const char *name,
                      const char *rules) {
  if (!selected(rules)) return;
  remember(suite, name, rules);
  tcase_add_test(tc, fn);
}

void mm_test_register_loop(TCase *tc, const TTest *fn, const char *suite, const char *name,
                           const char *rules, int start, int end) {
  if (!selected(rules)) return;
  remember(suite, name, rules);
  tcase_add_loop_test(tc, fn, start, end);
}

size_t mm_test_count(void) { return ntests; }
const mm_test_info *mm_test_at(size_t i) { return i < ntests ? &tests[i] : NULL; }

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint8_t *mm_test_unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  if (n % 2) abort();
  uint8_t *out = malloc(n / 2 + 1);
  if (!out) abort();
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) abort();
    out[i] = (uint8_t)(hi * 16 + lo);
  }
  *len = n / 2;
  return out;
}

const char *mm_test_path(const char *rel) { return rel; }

static const char *const opt_in[] = {"interop"};

static int is_opt_in(const char *name) {
  for (size_t i = 0; i < sizeof opt_in / sizeof opt_in[0]; i++)
    if (strcmp(opt_in[i], name) == 0) return 1;
  return 0;
}

static int wanted(const char *name, int argc, char **argv) {
  if (argc <= 1) return !is_opt_in(name);
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], name) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  size_t nsuites = sizeof all_suites / sizeof all_suites[0];
  int list = argc > 1 && strcmp(argv[1], "--list") == 0;
  if (argc > 2 && strcmp(argv[1], "--rules") == 0) {
    rule_filter = argv + 2; /* argv is NULL-ended */
    argc = 1;
  }
  SRunner *sr = NULL, *skipped = NULL;
  for (size_t i = 0; i < nsuites; i++) {
    int skip_opt_in = !list && argc <= 1 && !rule_filter && is_opt_in(all_suites[i].name);
    if (!list && !skip_opt_in && !wanted(all_suites[i].name, argc, argv)) continue;
    mm_current_suite = all_suites[i].name;
    Suite *s = all_suites[i].make();
    if (list) continue; /* registration fills the list; leak is harmless */
    if (skip_opt_in) {  /* registered, not run */
      if (!skipped)
        skipped = srunner_create(s);
      else
        srunner_add_suite(skipped, s);
      continue;
    }
    if (!sr)
      sr = srunner_create(s);
    else
      srunner_add_suite(sr, s);
  }
  if (list) {
    for (size_t i = 0; i < ntests; i++)
      printf("%s\t%s\t%s\n", tests[i].suite, tests[i].name, tests[i].rules);
    return 0;
  }
  if (!sr) {
    fprintf(stderr, "check_all: no such suite\n");
    return 2;
  }
  if (skipped) srunner_free(skipped);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  free(tests);
  return failed ? 1 : 0;
}

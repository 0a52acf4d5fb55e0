/* mlsmig list rules|mutants|tests|scenarios */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "explore/scenario.h"
#include "mlsmig/mutants.h"
#include "profile/catalogue.h"

static const char list_help[] =
    "usage: mlsmig list rules|mutants|tests|scenarios\n\n"
    "  rules    the requirement catalogue: ID, level, source, section, text\n"
    "  mutants  the compiled-in rule breakers: name, rules they break, summary\n"
    "  tests    every Check test: suite, test, the rule IDs it checks\n"
    "  scenarios  the built-in scenarios: name, the gap it shows, what it does\n";

/* Generated from suites/test_*.c by the Makefile. */
static const struct {
  const char *suite, *name, *rules;
} tests[] = {
#include "tests.inc"
};

static int list_rules(void) {
  mm_catalogue c;
  if (mm_catalogue_load(&c) != MM_OK) {
    fprintf(stderr, "mlsmig list: the compiled-in catalogue does not parse\n");
    return EXIT_REJECTED;
  }
  for (size_t i = 0; i < c.n; i++)
    printf("%-8s %-6s %-7s %d  %s\n", c.rules[i].id, c.rules[i].level, c.rules[i].source,
           c.rules[i].section, c.rules[i].text);
  mm_catalogue_free(&c);
  return EXIT_OK;
}

static int list_mutants(void) {
  for (int m = 1; m < MM_MUT_COUNT; m++)
    printf("%-26s %-20s %s\n", mm_mutant_name((mm_mutant)m), mm_mutant_rules((mm_mutant)m),
           mm_mutant_summary((mm_mutant)m));
  return EXIT_OK;
}

static int list_tests(void) {
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    printf("%s\t%s\t%s\n", tests[i].suite, tests[i].name, tests[i].rules);
  return EXIT_OK;
}

static int list_scenarios(void) {
  for (size_t i = 0; i < mm_scenario_builtin_count(); i++) {
    mm_scenario sc;
    char err[200];
    if (!mm_scenario_parse(mm_scenario_builtin_text(i), &sc, err, sizeof err)) {
      fprintf(stderr, "mlsmig list: scenario %s does not parse: %s\n", mm_scenario_builtin_name(i),
              err);
      return EXIT_REJECTED;
    }
    printf("%-44s %-6s %s\n", sc.name, sc.gap[0] ? sc.gap : "-", sc.about);
  }
  return EXIT_OK;
}

int cmd_list(int argc, char **argv) {
  if (argc < 2) {
    fputs(list_help, stderr);
    return EXIT_USAGE;
  }
  if (cli_is_help(argv[1])) {
    fputs(list_help, stdout);
    return EXIT_OK;
  }
  if (argc > 2) return cli_usage_error("list", "unexpected argument '%s'", argv[2]);
  if (strcmp(argv[1], "rules") == 0) return list_rules();
  if (strcmp(argv[1], "mutants") == 0) return list_mutants();
  if (strcmp(argv[1], "tests") == 0) return list_tests();
  if (strcmp(argv[1], "scenarios") == 0) return list_scenarios();
  return cli_usage_error("list", "unknown list '%s'", argv[1]);
}

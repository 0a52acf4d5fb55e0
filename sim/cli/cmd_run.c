/* mlsmig run: the conformance runner against an implementation under test
 * (docs/shim-protocol.md). Exit 0 when every mandatory test passes, 1 when
 * some test fails or errors, 2 on a usage error or an IUT that does not
 * start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "run_print.h"
#include "shim_proto.h"

static const char run_help[] =
    "usage: mlsmig run [--iut 'CMD ARGS'] [--role source|target|both] [--suite N...]\n"
    "                  [--rules ID...] [--junit FILE] [--json FILE] [--timeout MS]\n"
    "                  [--jobs J] [--mutant NAME] [--mutation-score] [--list] [--verbose]\n\n"
    "Runs the conformance tests against a DS behind the shim protocol\n"
    "(docs/shim-protocol.md), playing the client and the peer DS.\n\n"
    "  --iut CMD         shell command of the IUT (default: the reference DS,\n"
    "                    mlsmig-ref-ds next to this binary)\n"
    "  --role R          test the IUT as source, target or both (default both)\n"
    "  --suite N...      ciphersuites to test (default: all the IUT declares); the\n"
    "                    happy paths run per suite, hostile tests on the first\n"
    "  --rules ID...     only tests checking these rules or areas (SIG, NONCE-2)\n"
    "  --junit FILE      JUnit XML report (rule IDs as properties)\n"
    "  --json FILE       JSON results (schema: docs/run-results.schema.json)\n"
    "  --timeout MS      time budget of one test (default 10000)\n"
    "  --jobs J          tests in parallel (default: online CPUs)\n"
    "  --mutant NAME     run the reference DS with a mutant (mlsmig list mutants)\n"
    "  --mutation-score  run against every mutant and print which tests kill it\n"
    "  --list            list the tests with their rules and exit\n"
    "  --verbose         print every test, not only those that did not pass\n\n"
    "exit status: 0 all mandatory tests pass, 1 some fail, 2 usage or IUT start error\n";

/* The reference DS next to this executable, shell-quoted. */
static bool default_iut(char *out, size_t cap) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return false;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash) return false;
  *slash = '\0';
  size_t k = 0;
  out[k++] = '\'';
  for (const char *p = self; *p && k + 8 < cap; p++) {
    if (*p == '\'') {
      memcpy(out + k, "'\\''", 4);
      k += 4;
    } else {
      out[k++] = *p;
    }
  }
  return snprintf(out + k, cap - k, "/mlsmig-ref-ds'") < (int)(cap - k);
}

static int list_tests(void) {
  for (size_t i = 0; i < mm_runner_test_count(); i++) {
    const char *name, *rules, *summary;
    uint8_t role;
    mm_runner_test_at(i, &name, &rules, &role, &summary);
    printf("%-40s %-44s %s\n", name, rules, summary);
  }
  return EXIT_OK;
}

typedef struct run_args {
  mm_run_opts o;
  const char *iut, *junit, *json, *mutant;
  const char *rules[64];
  size_t nrules;
  bool score, verbose, list;
} run_args;

/* Values of a multi-valued option: every argument up to the next option. */
static int take_values(int argc, char **argv, int *i, const char **first, bool *more) {
  *more = *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0;
  if (*more) *first = argv[++*i];
  return *more;
}

static int parse(int argc, char **argv, run_args *a) {
  a->o.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET;
  a->o.timeout_ms = 10000;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  a->o.jobs = cpus > 0 ? (int)cpus : 1;
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    bool bad = false, more;
    uint64_t n;
    if (cli_is_help(argv[i])) {
      fputs(run_help, stdout);
      return -1;
    } else if (cli_opt(argc, argv, &i, "--iut", &a->iut, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--junit", &a->junit, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--json", &a->json, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--mutant", &a->mutant, &bad)) {
      mm_mutant m;
      if (!bad && !mm_mutant_by_name(a->mutant, &m))
        return cli_usage_error("run", "unknown mutant '%s'", a->mutant);
    } else if (cli_opt(argc, argv, &i, "--role", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "source") == 0) a->o.roles = MM_SHIM_ROLE_SOURCE;
      else if (strcmp(v, "target") == 0) a->o.roles = MM_SHIM_ROLE_TARGET;
      else if (strcmp(v, "both") == 0) a->o.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET;
      else return cli_usage_error("run", "--role is source, target or both, not '%s'", v);
    } else if (cli_opt(argc, argv, &i, "--timeout", &v, &bad)) {
      if (bad || !cli_parse_u64(v, &n) || n < 10 || n > 3600000)
        return cli_usage_error("run", "--timeout takes milliseconds (10..3600000)");
      a->o.timeout_ms = (int)n;
    } else if (cli_opt(argc, argv, &i, "--jobs", &v, &bad)) {
      if (bad || !cli_parse_u64(v, &n) || n < 1 || n > 64)
        return cli_usage_error("run", "--jobs takes 1..64");
      a->o.jobs = (int)n;
    } else if (cli_flag(argv, i, "--suite")) {
      uint16_t s;
      if (!take_values(argc, argv, &i, &v, &more))
        return cli_usage_error("run", "--suite needs a value");
      do {
        if (strcmp(v, "all") == 0) continue;
        if (!cli_parse_suite(v, &s)) return cli_usage_error("run", "unknown suite '%s'", v);
        a->o.suites[s] = true;
      } while (take_values(argc, argv, &i, &v, &more));
    } else if (cli_flag(argv, i, "--rules")) {
      if (!take_values(argc, argv, &i, &v, &more))
        return cli_usage_error("run", "--rules needs a value");
      do {
        if (a->nrules + 1 >= sizeof a->rules / sizeof a->rules[0])
          return cli_usage_error("run", "too many --rules");
        a->rules[a->nrules++] = v;
      } while (take_values(argc, argv, &i, &v, &more));
      a->o.rules = a->rules;
    } else if (cli_flag(argv, i, "--mutation-score")) {
      a->score = true;
    } else if (cli_flag(argv, i, "--verbose")) {
      a->verbose = true;
    } else if (cli_flag(argv, i, "--list")) {
      a->list = true;
    } else {
      return cli_usage_error("run", "unexpected argument '%s'", argv[i]);
    }
    if (bad) return EXIT_USAGE;
  }
  if (a->mutant && a->iut)
    return cli_usage_error("run", "--mutant applies to the reference DS, not --iut");
  if (a->score && a->iut)
    return cli_usage_error("run", "--mutation-score runs the reference DS, not --iut");
  return EXIT_OK;
}

static int mutation_score(run_args *a, const char *ref) {
  mm_mutant_score s[MM_MUT_COUNT];
  char why[512] = "";
  if (mm_mutation_score(&a->o, ref, false, s, why, sizeof why) != MM_OK) {
    fprintf(stderr, "mlsmig run: %s\n", why);
    return EXIT_USAGE;
  }
  run_print_scores(stdout, s, MM_MUT_COUNT - 1);
  for (int m = 0; m < MM_MUT_COUNT - 1; m++)
    if (!s[m].killing) return EXIT_REJECTED;
  return EXIT_OK;
}

int cmd_run(int argc, char **argv) {
  run_args a = {0};
  int rc = parse(argc, argv, &a);
  if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
  if (a.list) return list_tests();
  char ref[4200], cmd[4400];
  if (!a.iut && !default_iut(ref, sizeof ref)) {
    fprintf(stderr, "mlsmig run: cannot locate mlsmig-ref-ds; give --iut\n");
    return EXIT_USAGE;
  }
  if (a.score) return mutation_score(&a, ref);
  if (a.iut) snprintf(cmd, sizeof cmd, "%s", a.iut);
  else
    snprintf(cmd, sizeof cmd, "%s%s%s", ref, a.mutant ? " --mutant " : "",
             a.mutant ? a.mutant : "");
  a.o.iut_cmd = cmd;
  if (isatty(2)) {
    a.o.progress = run_progress;
    a.o.progress_ctx = stderr;
  }
  mm_run_result r;
  char why[1024] = "";
  if (mm_run(&a.o, &r, why, sizeof why) != MM_OK) {
    fprintf(stderr, "mlsmig run: the IUT does not start: %s\n", why);
    return EXIT_USAGE;
  }
  run_print_summary(stdout, &r, cmd, a.verbose);
  rc = mm_run_passed(&r) ? EXIT_OK : EXIT_REJECTED;
  if (a.junit && mm_report_junit(&r, a.junit) != MM_OK) {
    fprintf(stderr, "mlsmig run: cannot write %s\n", a.junit);
    rc = EXIT_REJECTED;
  }
  if (a.json && mm_report_json(&r, a.json) != MM_OK) {
    fprintf(stderr, "mlsmig run: cannot write %s\n", a.json);
    rc = EXIT_REJECTED;
  }
  mm_run_result_free(&r);
  return rc;
}

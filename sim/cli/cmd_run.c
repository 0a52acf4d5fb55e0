/* mlsmig run: the conformance runner against an implementation under test
 * (docs/shim-protocol.md). Exit 0 when every mandatory test passes, 1 when
 * some test fails or errors, nothing was tested or the run was stopped, 2
 * on a usage error or an IUT that does not start; 128 + N after signal N
 * (SIGINT, SIGTERM, SIGHUP), once the IUTs are ended, their files removed
 * and the reports written. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/report_out.h"
#include "cli/run_print.h"
#include "profile/catalogue.h"
#include "report/report.h"
#include "shim/shim_proto.h"

static const char run_help[] =
    "usage: mlsmig run [--iut 'CMD ARGS' | --iut-connect unix:PATH|tcp:127.0.0.1:PORT\n"
    "                  [--iut-start CMD] [--iut-stop CMD] [--iut-kill CMD]] [--persistent]\n"
    "                  [--role source|target|both] [--suite N...]\n"
    "                  [--rules ID...] [--test NAME...] [--seed S] [--junit FILE]\n"
    "                  [--json FILE] [--tap FILE] [--html DIR] [--sim FILE]... [--timeout MS]\n"
    "                  [--max-time S] [--jobs J] [--mutant NAME] [--mutation-score] [--list]\n"
    "                  [--verbose]\n\n"
    "Runs the conformance tests against a DS behind the shim protocol\n"
    "(docs/shim-protocol.md), playing the client and the peer DS.\n\n"
    "  --iut CMD         shell command of the IUT (default: the reference DS,\n"
    "                    mlsmig-ref-ds next to this binary)\n"
    "  --iut-connect A   test a running DS service instead: the same shim frames\n"
    "                    over a connection to A (unix:PATH, or tcp:127.0.0.1:PORT:\n"
    "                    loopback only), one connection per test\n"
    "  --iut-start CMD   with --iut-connect: shell command run before the first\n"
    "                    connection and after --iut-kill (restart tests)\n"
    "  --iut-stop CMD    with --iut-connect: run once after the last test\n"
    "  --iut-kill CMD    with --iut-connect: run where a restart test SIGKILLs the\n"
    "                    IUT (without it the restart tests are not applicable)\n"
    "  --persistent      one IUT process (or connection) per job for many tests,\n"
    "                    reset between them, if the PICS declares reset\n"
    "  --role R          test the IUT as source, target or both (default both)\n"
    "  --suite N...      ciphersuites to test (default: all the IUT declares); every\n"
    "                    test runs in each, source tests in both Commit framings\n"
    "  --rules ID...     only tests checking these rules or areas (SIG, NONCE-2)\n"
    "  --test NAME...    only these tests or instances (target.happy,\n"
    "                    target.happy/suite-2, source.happy/suite-2/public)\n"
    "  --seed S          seed of every test's keys and randomness, 1..2^64-1 (default 6)\n"
    "  --junit FILE      JUnit XML report (rule IDs as properties)\n"
    "  --json FILE       JSON results (schema: docs/run-results.schema.json)\n"
    "  --tap FILE        TAP version 13\n"
    "  --html DIR        DIR/index.html: the report to read (reports/README.md)\n"
    "  --sim FILE        add a simulator summary (mlsmig sim --campaign/--explore\n"
    "                    --json) to the JSON and HTML reports\n"
    "  --timeout MS      time budget of one test (default 10000)\n"
    "  --max-time S      time budget of the whole run (default 1800); the run also\n"
    "                    stops after 5 error verdicts in a row or 8 timed-out tests\n"
    "  --jobs J          tests in parallel (default: online CPUs)\n"
    "  --mutant NAME     run the reference DS with a mutant (mlsmig list mutants)\n"
    "  --mutation-score  run against every mutant and print which tests kill it\n"
    "  --list            list the tests with their rules and exit\n"
    "  --verbose         print every test, not only those that did not pass\n\n"
    "exit status: 0 all mandatory tests pass, 1 some fail or err, nothing was tested\n"
    "or the run stopped, 2 usage or IUT start error, 128+N after signal N\n";

/* This executable's path, relative to the working directory when below
 * it (so reports say build/mlsmig, not /home/.../build/mlsmig). */
static bool self_path(char *self, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", self, cap - 1);
  if (n <= 0) return false;
  self[n] = '\0';
  char cwd[4096];
  size_t k = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
  if (k > 1 && strncmp(self, cwd, k) == 0 && self[k] == '/')
    memmove(self, self + k + 1, strlen(self + k + 1) + 1);
  return true;
}

/* The reference DS next to this executable, shell-quoted when its path
 * needs it. */
static bool default_iut(char *out, size_t cap) {
  char self[4096];
  if (!self_path(self, sizeof self)) return false;
  char *slash = strrchr(self, '/');
  if (slash)
    slash[1] = '\0';
  else
    self[0] = '\0';
  char path[4200];
  snprintf(path, sizeof path, "%smlsmig-ref-ds", self);
  if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") ==
      strlen(path))
    return snprintf(out, cap, "%s", path) < (int)cap;
  return mm_shell_quote(path, out, cap);
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
  const char *iut, *junit, *json, *tap, *html, *mutant;
  const char *connect, *start, *stop, *kill;
  const char *rules[64], *tests[64], *sims[16];
  size_t nrules, ntests, nsims;
  bool score, verbose, list;
} run_args;

/* A --rules entry: a rule ID of the profile, or an area ("SIG") of some. */
static bool known_rule(const mm_catalogue *cat, const char *want) {
  for (size_t i = 0; i < cat->n; i++) {
    const char *id = cat->rules[i].id;
    size_t n = strlen(want);
    if (strcmp(id, want) == 0 || (strncmp(id, want, n) == 0 && id[n] == '-' && !strchr(want, '-')))
      return true;
  }
  return false;
}

/* Names on the command line that name nothing are usage errors, not runs
 * that test nothing. */
static int check_names(const run_args *a) {
  for (size_t i = 0; i < a->ntests; i++)
    if (!mm_runner_test_known(a->tests[i]))
      return cli_usage_error("run", "unknown test '%s' (mlsmig run --list)", a->tests[i]);
  if (!a->nrules) return EXIT_OK;
  mm_catalogue cat;
  if (mm_catalogue_load(&cat) != MM_OK) {
    fprintf(stderr, "mlsmig run: the requirement catalogue does not load\n");
    return EXIT_USAGE;
  }
  int rc = EXIT_OK;
  for (size_t i = 0; i < a->nrules && rc == EXIT_OK; i++)
    if (!known_rule(&cat, a->rules[i]))
      rc = cli_usage_error("run", "unknown rule or area '%s' (mlsmig list rules)", a->rules[i]);
  mm_catalogue_free(&cat);
  return rc;
}

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
    } else if (cli_opt(argc, argv, &i, "--iut-connect", &a->connect, &bad)) {
      char why[256];
      if (!bad && !mm_run_addr_check(a->connect, why, sizeof why))
        return cli_usage_error("run", "--iut-connect %s", why);
    } else if (cli_opt(argc, argv, &i, "--iut-start", &a->start, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--iut-stop", &a->stop, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--iut-kill", &a->kill, &bad)) {
    } else if (cli_flag(argv, i, "--persistent")) {
      a->o.persistent = true;
    } else if (cli_opt(argc, argv, &i, "--junit", &a->junit, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--json", &a->json, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--tap", &a->tap, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--html", &a->html, &bad)) {
    } else if (cli_opt(argc, argv, &i, "--sim", &v, &bad)) {
      if (!bad && a->nsims == sizeof a->sims / sizeof a->sims[0])
        return cli_usage_error("run", "too many --sim");
      if (!bad) a->sims[a->nsims++] = v;
    } else if (cli_opt(argc, argv, &i, "--seed", &v, &bad)) {
      if (bad || !cli_parse_u64(v, &n) || n == 0)
        return cli_usage_error("run", "--seed takes 1..2^64-1");
      a->o.seed = n;
    } else if (cli_opt(argc, argv, &i, "--mutant", &a->mutant, &bad)) {
      mm_mutant m;
      if (!bad && !mm_mutant_by_name(a->mutant, &m))
        return cli_usage_error("run", "unknown mutant '%s'", a->mutant);
    } else if (cli_opt(argc, argv, &i, "--role", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "source") == 0)
        a->o.roles = MM_SHIM_ROLE_SOURCE;
      else if (strcmp(v, "target") == 0)
        a->o.roles = MM_SHIM_ROLE_TARGET;
      else if (strcmp(v, "both") == 0)
        a->o.roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET;
      else
        return cli_usage_error("run", "--role is source, target or both, not '%s'", v);
    } else if (cli_opt(argc, argv, &i, "--timeout", &v, &bad)) {
      if (bad || !cli_parse_u64(v, &n) || n < 10 || n > 3600000)
        return cli_usage_error("run", "--timeout takes milliseconds (10..3600000)");
      a->o.timeout_ms = (int)n;
    } else if (cli_opt(argc, argv, &i, "--max-time", &v, &bad)) {
      if (bad || !cli_parse_u64(v, &n) || n < 1 || n > 86400)
        return cli_usage_error("run", "--max-time takes seconds (1..86400)");
      a->o.max_run_ms = (int)(n * 1000);
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
    } else if (cli_flag(argv, i, "--test")) {
      if (!take_values(argc, argv, &i, &v, &more))
        return cli_usage_error("run", "--test needs a value");
      do {
        if (a->ntests + 1 >= sizeof a->tests / sizeof a->tests[0])
          return cli_usage_error("run", "too many --test");
        a->tests[a->ntests++] = v;
      } while (take_values(argc, argv, &i, &v, &more));
      a->o.tests = a->tests;
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
  const char *other = a->iut ? "--iut" : "--iut-connect";
  if (a->iut && a->connect)
    return cli_usage_error("run", "--iut and --iut-connect: one IUT, a process or a service");
  if (!a->connect && (a->start || a->stop || a->kill))
    return cli_usage_error("run", "%s is a hook of a service: it needs --iut-connect",
                           a->start  ? "--iut-start"
                           : a->stop ? "--iut-stop"
                                     : "--iut-kill");
  if (a->mutant && (a->iut || a->connect))
    return cli_usage_error("run", "--mutant applies to the reference DS, not %s", other);
  if (a->score && (a->iut || a->connect))
    return cli_usage_error("run", "--mutation-score runs the reference DS, not %s", other);
  return check_names(a);
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

/* The reports asked for, all rendered from the one results document. */
static int write_reports(const run_args *a, json_t *doc) {
  for (size_t i = 0; i < a->nsims; i++) {
    json_error_t jerr;
    json_t *sim = mm_json_load_file(a->sims[i], 0, &jerr);
    mm_err e = sim ? mm_report_add_sim(doc, sim) : MM_E_IO;
    json_decref(sim);
    if (e != MM_OK) {
      fprintf(stderr, "mlsmig run: %s: %s\n", a->sims[i],
              sim ? "not a simulator summary (mlsmig sim --campaign/--explore --json)" : jerr.text);
      return EXIT_REJECTED;
    }
  }
  return report_write_all("run", doc, a->junit, a->json, a->tap, a->html);
}

/* The signal that asked the run to stop (0: none): the runner ends every
 * IUT, removes their files and reports what ran. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void catch_signals(bool on) {
  struct sigaction sa = {0};
  sa.sa_handler = on ? on_signal : SIG_DFL;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

int cmd_run(int argc, char **argv) {
  run_args a = {0};
  int rc = parse(argc, argv, &a);
  if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
  if (a.list) return list_tests();
  char ref[4200], cmd[4400];
  if (!a.iut && !a.connect && !default_iut(ref, sizeof ref)) {
    fprintf(stderr, "mlsmig run: cannot locate mlsmig-ref-ds; give --iut\n");
    return EXIT_USAGE;
  }
  if (a.score) return mutation_score(&a, ref);
  if (a.iut)
    snprintf(cmd, sizeof cmd, "%s", a.iut);
  else
    snprintf(cmd, sizeof cmd, "%s%s%s", ref, a.mutant ? " --mutant " : "",
             a.mutant ? a.mutant : "");
  a.o.iut_cmd = cmd;
  if (a.connect) { /* the reports' "IUT command" says what was tested */
    snprintf(cmd, sizeof cmd, "--iut-connect %s", a.connect);
    a.o.iut_connect = a.connect;
    a.o.iut_start = a.start;
    a.o.iut_stop = a.stop;
    a.o.iut_kill = a.kill;
  }
  char self[4096];
  a.o.mlsmig_cmd = self_path(self, sizeof self) ? self : NULL;
  if (isatty(2)) {
    a.o.progress = run_progress;
    a.o.progress_ctx = stderr;
  }
  mm_run_result r;
  char why[1024] = "";
  a.o.cancel = &stop_signal;
  catch_signals(true);
  mm_err e = mm_run(&a.o, &r, why, sizeof why);
  catch_signals(false);
  if (e != MM_OK) {
    /* the reason may quote the IUT (its stderr): escaped */
    fputs(e == MM_E_NOMEM || strncmp(why, "runner failure", 14) == 0
              ? "mlsmig run: "
              : "mlsmig run: the IUT does not start: ",
          stderr);
    run_print_text(stderr, why, NULL);
    fputc('\n', stderr);
    return stop_signal ? 128 + stop_signal : EXIT_USAGE;
  }
  if (a.o.persistent && !r.persistent)
    fprintf(stderr, "mlsmig run: --persistent: the IUT does not declare reset: one %s per test\n",
            a.connect ? "connection" : "process");
  else if (a.o.persistent)
    fprintf(stderr, "mlsmig run: persistent mode: %llu tests reset a kept %s; %llu %s opened\n",
            (unsigned long long)r.resets, a.connect ? "connection" : "process",
            (unsigned long long)r.cost.lifecycles, a.connect ? "connections" : "processes");
  run_print_summary(stdout, &r, cmd, a.verbose);
  rc = mm_run_passed(&r) ? EXIT_OK : EXIT_REJECTED;
  if (r.signal) rc = 128 + r.signal;
  json_t *doc = mm_run_to_json(&r);
  mm_run_result_free(&r);
  if (!doc) {
    fprintf(stderr, "mlsmig run: out of memory writing the reports\n");
    return EXIT_REJECTED;
  }
  int wrc = write_reports(&a, doc);
  json_decref(doc);
  return wrc != EXIT_OK ? wrc : rc;
}

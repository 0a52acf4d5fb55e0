/* mlsmig bench: migration throughput against the crypto's own limits. */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"

static const char bench_help[] =
    "usage: mlsmig bench [--suite N|all]... [--quick] [--json FILE]\n"
    "       mlsmig bench --clients CMD [--suite N|all]... [--quick] [--json FILE]\n\n"
    "Measures, per ciphersuite, the sign and verify rates through the calls\n"
    "mlsmig makes, the signature bound they set (migrations/s if a migration\n"
    "cost only its signature operations, counted in a real run), back-to-back\n"
    "happy-path migrations/s between the actors alone and in the simulator,\n"
    "and their ratio to the bound;\n"
    "then group-state scaling (1 KiB to 256 MiB) against the hash bound, with\n"
    "the peak resident memory of a child process per size; then the simulator's\n"
    "searches and the conformance runner, whose wall time is split into DS process\n"
    "lifecycles, pipe round trips, the reference DS's work and the runner's. A\n"
    "benchmark, not a test: the figures depend on the machine. See the README,\n"
    "\"Performance\".\n\n"
    "  --suite N|all   ciphersuite 1..7 (default: all seven; scaling: 1 and 2)\n"
    "  --quick         shorter measurements, no 256 MiB state\n"
    "  --json FILE     also write the figures as JSON\n"
    "  --clients CMD   instead, measure a client process (docs/client-protocol.md):\n"
    "                  its start-up, and per suite the wall time of each request\n"
    "                  in a group of 8 (make interop-bench: the ts-mls members)\n\n"
    "Exit 0 when every run completed (targets missed are reported, not failed),\n"
    "1 when a migration failed or FILE could not be written.\n";

typedef struct {
  bench_opts o;
  const char *json;
  const char *clients;
} bench_args;

static int parse(int argc, char **argv, bench_args *a) {
  const char *v;
  bool bad = false;
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(bench_help, stdout);
      return EXIT_OK;
    }
    if (cli_flag(argv, i, "--quick")) {
      a->o.quick = true;
    } else if (cli_opt(argc, argv, &i, "--json", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      a->json = v;
    } else if (cli_opt(argc, argv, &i, "--clients", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      a->clients = v;
    } else if (cli_opt(argc, argv, &i, "--suite", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "all") == 0) continue;
      uint16_t s;
      if (!cli_parse_suite(v, &s))
        return cli_usage_error("bench", "unknown ciphersuite '%s' (1..7 or all)", v);
      bool dup = false;
      for (size_t k = 0; k < a->o.n_suites; k++) dup = dup || a->o.suites[k] == s;
      if (!dup) a->o.suites[a->o.n_suites++] = s;
    } else {
      return cli_usage_error("bench", "unexpected argument '%s'", argv[i]);
    }
  }
  if (a->o.n_suites == 0) {
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) a->o.suites[a->o.n_suites++] = s;
    /* Scaling takes minutes per suite: by default one EdDSA and one ECDSA. */
    a->o.scale_suites[0] = 1;
    a->o.scale_suites[1] = 2;
    a->o.n_scale_suites = 2;
  } else {
    memcpy(a->o.scale_suites, a->o.suites, sizeof a->o.suites);
    a->o.n_scale_suites = a->o.n_suites;
  }
  a->o.window_s = a->o.quick ? 0.05 : 0.2;
  a->o.rounds = a->o.quick ? 3 : 5;
  return -1;
}

static int bench_client_process(const bench_args *a) {
  static bench_clients_result r;
  mm_err e = bench_clients(&a->o, a->clients, &r);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig bench: %s: %s\n", mm_err_message(e), r.why);
    return EXIT_REJECTED;
  }
  bench_clients_print(stdout, &r);
  if (a->json && bench_clients_write_json(a->json, &r) != MM_OK) {
    fprintf(stderr, "mlsmig bench: cannot write %s\n", a->json);
    return EXIT_REJECTED;
  }
  return EXIT_OK;
}

int cmd_bench(int argc, char **argv) {
  bench_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  if (a.clients) return bench_client_process(&a);
  static bench_report r; /* large: not on the stack */
  mm_err e = bench_run(&a.o, &r, stderr);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig bench: %s\n", mm_err_message(e));
    return EXIT_REJECTED;
  }
  bench_print(stdout, &r);
  if (a.json && bench_write_json(a.json, &r) != MM_OK) {
    fprintf(stderr, "mlsmig bench: cannot write %s\n", a.json);
    return EXIT_REJECTED;
  }
  bool all_ok = true;
  for (size_t i = 0; i < r.n_suites; i++) all_ok = all_ok && r.suites[i].completed;
  for (size_t i = 0; i < r.n_scale; i++) all_ok = all_ok && r.scale[i].completed;
  return all_ok ? EXIT_OK : EXIT_REJECTED;
}

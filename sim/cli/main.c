/* mlsmig: one binary, one verb per concern. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const cli_verb verbs[] = {
    {"decode", "decode one message (hex) and print it as JSON", cmd_decode},
    {"encode", "encode one message from JSON on stdin and print its hex", cmd_encode},
    {"vectors", "verify test-vector files", cmd_vectors},
    {"sim", "run migrations in the deterministic simulator", cmd_sim},
    {"list", "list rules, mutants or tests", cmd_list},
    {"bench", "measure migrations against the speed of their crypto", cmd_bench},
    {"run", "run the conformance tests against a DS (shim protocol)", cmd_run},
    {"report", "merge results files into one report (HTML, JUnit, JSON, TAP)", cmd_report},
};

static void usage(FILE *f) {
  fprintf(f,
          "mlsmig %s - conformance suite and reference simulator for MLS group\n"
          "migration (draft-ietf-mls-portability-05, profile v%s)\n\n"
          "usage: mlsmig VERB [OPTIONS]   (mlsmig VERB --help for each)\n\n",
          MM_VERSION, MM_PROFILE_VERSION);
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
  fprintf(f, "  %-10s %s\n", "version", "print the version");
  fprintf(f, "\nexit status: 0 success, 1 rejected input or failed check, 2 usage error\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (cli_is_help(argv[1])) {
    usage(stdout);
    return EXIT_OK;
  }
  if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    printf("mlsmig %s (profile v%s)\n", MM_VERSION, MM_PROFILE_VERSION);
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp(argv[1], verbs[i].name) == 0) return verbs[i].run(argc - 1, argv + 1);
  fprintf(stderr, "mlsmig: unknown verb '%s' (see 'mlsmig --help')\n", argv[1]);
  return EXIT_USAGE;
}

/* mlsmig vectors verify FILE...: one line per file, then the totals.
 * mlsmig vectors generate [--out DIR] [--seed S]: writes mlsmig's own files. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "mlsmig/crypto.h"
#include "vectors/gen/vectors_gen.h"
#include "vectors/vectors.h"

static const char vectors_help[] =
    "usage: mlsmig vectors verify FILE...\n"
    "       mlsmig vectors generate [--out DIR] [--seed S]\n\n"
    "generate writes crypto.json, codec.json, migration.json and negative.json\n"
    "into DIR (default: vectors); the same seed (default 1) gives the same bytes.\n\n"
    "verify checks vector files, detecting each file's format:\n"
    "  mlsmig crypto            keys, SignWithLabel per migration label, RefHash\n"
    "  mlsmig codec             valid and invalid encodings of every message type\n"
    "  mlsmig migration         happy-path transcripts, replayed in the simulator\n"
    "  mlsmig negative          one bad message to a reference actor, and its verdict\n"
    "  mlswg crypto-basics      sign_with_label (both ways) and ref_hash per suite\n"
    "  mlswg deserialization    variable-length integer headers\n"
    "  mlswg messages           framing of public_message_* and private_message\n"
    "  mlswg message-protection framing (group_id, epoch) of *_pub and *_priv\n"
    "Sections mlsmig does not implement are reported as skipped.\n"
    "Prints one line per file and last 'N passed, M failed, K skipped' (counts of\n"
    "individual vectors). Exit 0 only if nothing failed.\n";

static void print_suites(unsigned mask) {
  if (!mask) return;
  printf(", suites");
  for (unsigned s = 1; s <= MM_SUITE_COUNT; s++)
    if (mask & (1u << (s - 1))) printf(" %u", s);
}

static int verify(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("vectors", "verify needs at least one FILE");
  size_t passed = 0, failed = 0, skipped = 0;
  for (int i = 1; i < argc; i++) {
    mm_vresult r;
    mm_err e = mm_vectors_verify_file(argv[i], &r);
    bool ok = e == MM_OK && r.failed == 0;
    printf("%s %s: %s, %zu passed, %zu failed, %zu skipped", ok ? "PASS" : "FAIL", argv[i],
           r.format, r.passed, r.failed, r.skipped);
    print_suites(r.suites_seen);
    if (!ok) printf(" - %s", r.first_failure);
    printf("\n");
    for (size_t k = 0; k < r.n_skip_why; k++) printf("  skipped: %s\n", r.skip_why[k]);
    passed += r.passed;
    skipped += r.skipped;
    /* An unreadable or unrecognized file counts as one failure. */
    failed += r.failed + (e != MM_OK);
  }
  printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  return failed ? EXIT_REJECTED : EXIT_OK;
}

static int generate(int argc, char **argv) {
  const char *dir = "vectors", *v;
  uint64_t seed = MM_VG_DEFAULT_SEED;
  bool bad = false;
  for (int i = 1; i < argc; i++) {
    if (cli_opt(argc, argv, &i, "--out", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      dir = v;
    } else if (cli_opt(argc, argv, &i, "--seed", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &seed))
        return cli_usage_error("vectors", "--seed wants an integer 0..2^64-1, got '%s'", v);
    } else {
      return cli_usage_error("vectors", "unexpected argument '%s'", argv[i]);
    }
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return cli_usage_error("vectors", "--out %s is not a directory", dir);
  char why[512];
  mm_err e = mm_vectors_generate(dir, seed, why, sizeof why);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig vectors: %s (%s)\n", why, mm_err_message(e));
    return EXIT_REJECTED;
  }
  printf("wrote %s/{crypto,codec,migration,negative}.json (seed %llu)\n", dir,
         (unsigned long long)seed);
  return EXIT_OK;
}

int cmd_vectors(int argc, char **argv) {
  if (argc < 2 || cli_is_help(argv[1])) {
    fputs(vectors_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (strcmp(argv[1], "verify") == 0) {
    for (int i = 2; i < argc; i++)
      if (cli_is_help(argv[i])) {
        fputs(vectors_help, stdout);
        return EXIT_OK;
      }
    return verify(argc - 1, argv + 1);
  }
  if (strcmp(argv[1], "generate") == 0) {
    for (int i = 2; i < argc; i++)
      if (cli_is_help(argv[i])) {
        fputs(vectors_help, stdout);
        return EXIT_OK;
      }
    return generate(argc - 1, argv + 1);
  }
  return cli_usage_error("vectors", "unknown subcommand '%s'", argv[1]);
}

/* Shared pieces of the command-line verbs. Exit codes of every verb:
 * 0 success, 1 rejected input or failed check, 2 usage error. */
#ifndef MLSMIG_CLI_H
#define MLSMIG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2 };

typedef struct cli_verb {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv); /* argv[0] is the verb */
} cli_verb;

/* Option scanning: `--name value` or `--name=value`. Returns true when
 * argv[*i] is that option, with its value in *val (and *i advanced past it);
 * prints a usage error and sets *bad when the value is missing. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val, bool *bad);
bool cli_flag(char **argv, int i, const char *name);
bool cli_is_help(const char *arg);

/* Parses a suite number (decimal or 0x hex) that mlsmig supports. */
bool cli_parse_suite(const char *s, uint16_t *out);
bool cli_parse_u64(const char *s, uint64_t *out);

/* Prints "mlsmig VERB: MESSAGE" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads all of stdin (bounded by max bytes); NULL with *too_big on excess. */
char *cli_read_stdin(size_t max, size_t *len, bool *too_big);

int cmd_decode(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_vectors(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif

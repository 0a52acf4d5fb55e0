/* Running the mlsmig binary from a suite (the one MLSMIG_CLI names, as
 * `make check` sets it): exit code, stdout and stderr of one command. */
#ifndef MLSMIG_CLI_EXEC_H
#define MLSMIG_CLI_EXEC_H

typedef struct cli_out {
  int rc;
  char out[16384], err[4096];
} cli_out;

/* Runs `mlsmig ARGS` (a shell fragment) from the repository root, stdin
 * empty unless ARGS redirects it. */
cli_out cli_exec(const char *args);
/* The binary's path, for building commands by hand. */
const char *cli_bin(void);

#endif

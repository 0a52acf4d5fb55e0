/* cli_exec.h: the command goes through sh, its output through temp files
 * (removed afterwards). */
#include "cli_exec.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *cli_bin(void) {
  const char *bin = getenv("MLSMIG_CLI");
  return bin && *bin ? bin : "build/mlsmig";
}

static void slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
  buf[n] = '\0';
  if (f) fclose(f);
  unlink(path);
}

cli_out cli_exec(const char *args) {
  char out[] = "/tmp/mlsmig-exec-out-XXXXXX", err[] = "/tmp/mlsmig-exec-err-XXXXXX";
  int fo = mkstemp(out), fe = mkstemp(err);
  ck_assert(fo >= 0 && fe >= 0);
  close(fo);
  close(fe);
  char cmd[8192];
  /* stdin first, so that ARGS may redirect it again */
  snprintf(cmd, sizeof cmd, "%s < /dev/null %s > %s 2> %s", cli_bin(), args, out, err);
  int st = system(cmd);
  static cli_out r; /* large: not on the stack of a forked Check test */
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  slurp(out, r.out, sizeof r.out);
  slurp(err, r.err, sizeof r.err);
  return r;
}

#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/crypto.h"

bool cli_is_help(const char *arg) {
  return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0;
}

bool cli_flag(char **argv, int i, const char *name) { return strcmp(argv[i], name) == 0; }

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val, bool *bad) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0) return false;
  if (a[n] == '=') {
    *val = a + n + 1;
    return true;
  }
  if (a[n] != '\0') return false;
  if (*i + 1 >= argc) {
    fprintf(stderr, "mlsmig: option %s needs a value\n", name);
    *bad = true;
    return true;
  }
  *val = argv[++*i];
  return true;
}

bool cli_parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return false;
  *out = v;
  return true;
}

bool cli_parse_suite(const char *s, uint16_t *out) {
  uint64_t v;
  if (!cli_parse_u64(s, &v) || v > 0xffff || !mm_suite_get((uint16_t)v)) return false;
  *out = (uint16_t)v;
  return true;
}

int cli_usage_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mlsmig %s: ", verb);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see 'mlsmig %s --help')\n", verb);
  va_end(ap);
  return EXIT_USAGE;
}

char *cli_read_stdin(size_t max, size_t *len, bool *too_big) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  *too_big = false;
  if (!buf) return NULL;
  for (;;) {
    if (n == cap) {
      if (cap >= max) {
        *too_big = true;
        free(buf);
        return NULL;
      }
      cap = cap * 2 > max ? max : cap * 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        free(buf);
        return NULL;
      }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n, stdin);
    n += got;
    if (got == 0) break;
  }
  if (ferror(stdin)) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

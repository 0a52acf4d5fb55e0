/* dec_num.h: strtoull alone would take a sign, spaces and "0x". */
#include "base/dec_num.h"

#include <errno.h>
#include <stdlib.h>

bool mm_parse_dec(const char *v, uint64_t max, uint64_t *out) {
  if (!v || *v < '0' || *v > '9') return false;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end || x > max) return false;
  *out = x;
  return true;
}

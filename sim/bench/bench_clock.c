/* Clock and resident-memory readings for `mlsmig bench` (bench.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"

/* CPU time, not wall time: everything measured runs on one thread, and on a
 * shared machine the CPU time of this process is what the code costs, where
 * wall time also counts the waits for a CPU that other processes hold. */
double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A "Name:   N kB" line of /proc/self/status, in bytes. */
static uint64_t status_kb(const char *name) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t n = strlen(name);
  unsigned long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, name, n) == 0 && line[n] == ':') {
      if (sscanf(line + n + 1, "%llu", &kb) != 1) kb = 0;
      break;
    }
  fclose(f);
  return (uint64_t)kb * 1024u;
}

uint64_t bench_peak_rss(void) { return status_kb("VmHWM"); }
uint64_t bench_rss(void) { return status_kb("VmRSS"); }

bool bench_reset_peak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok;
}

/* build/mlsmig-ref-ds: the reference DS as a shim executable. Reads request
 * frames on stdin, writes one reply frame per request on stdout
 * (docs/shim-protocol.md), logs to stderr. `--mutant NAME` (repeatable)
 * breaks one profile rule, for the runner's mutation score. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refds/ref_ds.h"
#include "shim/shim_proto.h"

static bool read_all(int fd, uint8_t *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += (size_t)r;
  }
  return true;
}

static bool write_all(int fd, const uint8_t *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = write(fd, buf + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += (size_t)r;
  }
  return true;
}

static int usage(FILE *f, int rc) {
  fprintf(f,
          "usage: mlsmig-ref-ds [--mutant NAME]...\n"
          "The reference DS behind the mlsmig shim protocol v%d: frames on stdin\n"
          "and stdout, see docs/shim-protocol.md. Mutants: mlsmig list mutants.\n",
          MM_SHIM_VERSION);
  return rc;
}

int main(int argc, char **argv) {
  mm_mutants mutants = 0;
  for (int i = 1; i < argc; i++) {
    mm_mutant m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return usage(stdout, 0);
    if (strcmp(argv[i], "--mutant") == 0 && i + 1 < argc && mm_mutant_by_name(argv[i + 1], &m)) {
      mutants |= 1u << m;
      i++;
      continue;
    }
    fprintf(stderr, "mlsmig-ref-ds: bad argument '%s'\n", argv[i]);
    return usage(stderr, 2);
  }
  mm_refds *d;
  if (mm_refds_new(mutants, &d) != MM_OK) return 1;
  int rc = 0;
  for (bool quit = false; !quit;) {
    uint8_t hdr[MM_SHIM_HEADER_LEN];
    uint32_t len;
    if (!read_all(0, hdr, sizeof hdr)) break; /* EOF: the runner is gone */
    if (mm_shim_frame_len(hdr, MM_SHIM_MAX_FRAME, &len) != MM_OK) {
      fprintf(stderr, "mlsmig-ref-ds: frame too large\n");
      rc = 1;
      break;
    }
    uint8_t *body = malloc(len ? len : 1);
    if (!body || !read_all(0, body, len)) {
      free(body);
      rc = 1;
      break;
    }
    mm_writer w;
    mm_writer_init(&w);
    mm_err e = mm_refds_handle(d, body, len, &w, &quit);
    free(body);
    mm_view v = mm_writer_view(&w);
    bool ok = e == MM_OK && write_all(1, v.data, v.len);
    mm_writer_free(&w);
    if (!ok) {
      fprintf(stderr, "mlsmig-ref-ds: %s\n", e == MM_OK ? "stdout closed" : mm_err_name(e));
      rc = 1;
      break;
    }
  }
  mm_refds_free(d);
  return rc;
}

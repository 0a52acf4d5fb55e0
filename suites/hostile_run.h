/* `mlsmig run` against the hostile shims of suites/shims/ for the tests of
 * suites/test_runner_hostile.c: the CLI (MLSMIG_CLI) in a child process
 * with its own TMPDIR, its wall time, exit status and peak resident size
 * (VmHWM of the runner process itself, sampled while it runs: its IUTs'
 * memory is theirs), and a scratch directory outside the runner's state
 * root with the files that must survive. */
#ifndef MLSMIG_HOSTILE_RUN_H
#define MLSMIG_HOSTILE_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct hostile_dir {
  char root[256];   /* the test's scratch directory */
  char tmp[300];    /* the runner's TMPDIR: empty again after every run */
  char victim[300]; /* files outside the state root that must survive */
  char pids[300];   /* pids of processes the shims left the session with */
} hostile_dir;

/* Makes the scratch directory with a canary file in victim/. */
void hostile_dir_make(hostile_dir *d);
/* Removes it (after checking nothing is left). */
void hostile_dir_free(hostile_dir *d);
/* Entries of a directory (not . and ..). */
size_t hostile_dir_entries(const char *path);
/* The processes listed in pids/ still alive (not zombies); each is killed
 * by its pid so that a failing test leaves none behind either. */
size_t hostile_kill_survivors(const hostile_dir *d);

typedef struct hostile_run {
  int rc;          /* exit status, or 128 + N if killed by signal N */
  double seconds;  /* wall time */
  long hwm_kib;    /* peak resident size of the runner */
  char *out, *err; /* what it printed (malloc'd, NUL-terminated) */
  size_t out_len;
} hostile_run;

typedef struct hostile_opts {
  int nofile;       /* RLIMIT_NOFILE for the runner; 0: unchanged */
  int signal_after; /* send SIGTERM after this many ms; 0: never */
} hostile_opts;

/* Runs `mlsmig run ARGS...` (NULL-ended) with TMPDIR = d->tmp. */
hostile_run hostile_cli(const hostile_dir *d, const hostile_opts *o, const char *const *args);
void hostile_run_free(hostile_run *r);

/* The results JSON the run wrote to path (a new reference; fails the test
 * when it does not load). */
json_t *hostile_json(const char *path);
/* Tests of a results document with this verdict. */
size_t hostile_count(const json_t *doc, const char *verdict);
/* The path of the reference DS next to MLSMIG_CLI. */
const char *hostile_ref_ds(void);

#endif

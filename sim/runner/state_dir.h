/* The IUTs' state directories (state_dir.c): all under one private root
 * per run ($TMPDIR/mlsmig-run-XXXXXX, mode 0700, made by mkdtemp), and
 * removed without ever following a link and without a depth limit: the
 * walk goes through directory descriptors (openat with O_NOFOLLOW |
 * O_DIRECTORY, unlinkat), with its way back up kept on a heap stack of
 * device and inode numbers, checked at every step up, and at most two
 * descriptors open at a time. Paths longer than PATH_MAX and trees
 * thousands of levels deep are fine. A directory the IUT made unreadable
 * is given its permissions back first.
 *
 * The caller ends every process that could still change the tree first
 * (iut.h); a tree that changes anyway is walked again, a few passes at
 * most, and a removal that cannot finish says why. */
#ifndef MLSMIG_STATE_DIR_H
#define MLSMIG_STATE_DIR_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "mlsmig/error.h"

#ifndef MM_STATE_PATH_MAX
#define MM_STATE_PATH_MAX 4096
#endif

typedef struct mm_state_root {
  char path[MM_STATE_PATH_MAX];
  int fd; /* the root, opened when made: its identity */
  dev_t dev;
  ino_t ino;
  atomic_ulong next; /* names of the directories in it */
} mm_state_root;

/* mm_state_root_open makes the run's root under $TMPDIR (else /tmp). */
MM_MUST_USE mm_err mm_state_root_open(mm_state_root *r, char *why, size_t why_len);
/* mm_state_dir_make makes a fresh empty directory (mode 0700) in the root:
 * its path in path, its name in the root in name. Thread-safe. */
MM_MUST_USE mm_err mm_state_dir_make(mm_state_root *r, char *path, size_t path_cap, char *name,
                                     size_t name_cap);
/* mm_state_dir_remove removes the root's entry name and everything below. */
MM_MUST_USE mm_err mm_state_dir_remove(mm_state_root *r, const char *name, char *why,
                                       size_t why_len);
/* mm_state_root_close removes whatever is left in the root, then the root
 * (only if the path still names the directory made). Idempotent. */
MM_MUST_USE mm_err mm_state_root_close(mm_state_root *r, char *why, size_t why_len);

/* mm_tree_remove_at removes entry name of directory dirfd (AT_FDCWD: of
 * the working directory) and, if it is a directory, everything below it,
 * as described above. MM_OK when it is gone. */
MM_MUST_USE mm_err mm_tree_remove_at(int dirfd, const char *name, char *why, size_t why_len);

#endif

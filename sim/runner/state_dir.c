/* State directories and their removal (state_dir.h). */
#define _GNU_SOURCE /* O_PATH, O_NOFOLLOW for openat */
#include "runner/state_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define DENTS_BUF (8 * 1024) /* on the stack: removal needs no heap (out of memory too) */
#define INLINE_LEVELS 64     /* deeper trees take the heap */
#define PASSES 4             /* walks of a tree that keeps changing */
#define WALK_SECONDS 60      /* of one removal, all passes */

struct raw_dirent { /* what getdents64 returns */
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

static bool dots(const char *n) { return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])); }

/* Opens directory name in dirfd, never through a link. One the IUT left
 * without read or search permission gets them back (through an O_PATH
 * descriptor, which cannot be a link either). */
static int open_dir(int dirfd, const char *name) {
  int fd = openat(dirfd, name, DIR_FLAGS);
  if (fd >= 0 || errno != EACCES) return fd;
  int p = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (p < 0) return -1;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", p);
  int rc = chmod(proc, 0700);
  close(p);
  if (rc != 0) {
    errno = EACCES;
    return -1;
  }
  return openat(dirfd, name, DIR_FLAGS);
}

/* Removes entry n of dir if it is not a directory, or an empty one:
 * 1 removed (or gone), 0 a directory with entries, -1 an error (errno). */
static int remove_entry(int dir, const char *n) {
  bool chmodded = false;
  for (int attempt = 0; attempt < 4; attempt++) {
    if (unlinkat(dir, n, 0) == 0 || errno == ENOENT) return 1;
    if (errno == EISDIR || errno == EPERM) { /* EPERM: some file systems, for a directory */
      if (unlinkat(dir, n, AT_REMOVEDIR) == 0 || errno == ENOENT) return 1;
      if (errno == ENOTEMPTY || errno == EEXIST) return 0;
      if (errno == ENOTDIR) continue; /* replaced meanwhile: again */
    }
    if (errno == EACCES && !chmodded && fchmod(dir, 0700) == 0) {
      chmodded = true;
      continue;
    }
    return -1;
  }
  return -1;
}

typedef struct level {
  dev_t dev;
  ino_t ino;
  uint64_t removed; /* w->removed when it was entered */
} level;

typedef struct walker {
  level *v; /* inline, or the heap when deeper */
  level inline_v[INLINE_LEVELS];
  size_t n, cap;
  _Alignas(8) char buf[DENTS_BUF];
  uint64_t removed;
  time_t until;
  char *why;
  size_t why_len;
} walker;

static bool fail(walker *w, const char *what, const char *name) {
  snprintf(w->why, w->why_len, "%s '%.200s': %s", what, name, strerror(errno));
  return false;
}

static bool push(walker *w, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  if (w->n == w->cap) {
    size_t cap = w->cap * 2;
    level *v = w->v == w->inline_v ? malloc(cap * sizeof *v) : realloc(w->v, cap * sizeof *v);
    if (!v) {
      errno = ENOMEM;
      return false;
    }
    if (w->v == w->inline_v) memcpy(v, w->inline_v, sizeof w->inline_v);
    w->v = v;
    w->cap = cap;
  }
  w->v[w->n++] = (level){st.st_dev, st.st_ino, w->removed};
  return true;
}

/* One walk: empties directory name of top, depth first, one level's
 * descriptor open at a time. False with w->why when it must stop. */
static bool walk(walker *w, int top, const char *name) {
  int cur = open_dir(top, name);
  if (cur < 0)
    return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
               ? true /* gone, or not a directory (now): the caller retries */
               : fail(w, "cannot open", name);
  w->n = 0;
  if (!push(w, cur)) {
    close(cur);
    return fail(w, "cannot enter", name);
  }
  for (unsigned long ops = 0;; ops++) {
    if ((ops & 1023) == 0 && time(NULL) > w->until) {
      close(cur);
      errno = ETIMEDOUT;
      return fail(w, "gave up removing", name);
    }
    long got = syscall(SYS_getdents64, cur, w->buf, DENTS_BUF);
    if (got < 0) {
      close(cur);
      return fail(w, "cannot list a directory under", name);
    }
    if (got == 0) { /* the end of cur: all of it is removed, or below */
      if (w->n == 1) break;
      if (w->removed == w->v[w->n - 1].removed) { /* seemed empty, would not go */
        close(cur);
        errno = ENOTEMPTY;
        return fail(w, "a directory will not empty under", name);
      }
      int up = openat(cur, "..", DIR_FLAGS);
      struct stat st;
      const level *parent = &w->v[w->n - 2];
      bool same =
          up >= 0 && fstat(up, &st) == 0 && st.st_dev == parent->dev && st.st_ino == parent->ino;
      close(cur);
      if (!same) { /* moved while we were below: start this pass again from the top */
        if (up >= 0) close(up);
        errno = ESTALE;
        return fail(w, "the tree moved under", name);
      }
      cur = up;
      w->n--;
      lseek(cur, 0, SEEK_SET); /* again from the start: the child we left is empty now */
      continue;
    }
    bool down = false;
    for (long off = 0; off < got && !down;) {
      struct raw_dirent *e = (struct raw_dirent *)(w->buf + off);
      off += e->reclen;
      if (dots(e->name)) continue;
      int r = remove_entry(cur, e->name);
      if (r == 1) {
        w->removed++;
        continue;
      }
      if (r < 0) {
        close(cur);
        return fail(w, "cannot remove an entry under", name);
      }
      int child = open_dir(cur, e->name);
      if (child < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
        continue; /* changed meanwhile: the rescan sees what it is now */
      if (child < 0 || !push(w, child)) {
        if (child >= 0) close(child);
        close(cur);
        return fail(w, "cannot enter a directory under", name);
      }
      close(cur);
      cur = child;
      down = true;
    }
  }
  close(cur);
  return true;
}

mm_err mm_tree_remove_at(int dirfd, const char *name, char *why, size_t why_len) {
  walker w = {
      .cap = INLINE_LEVELS, .until = time(NULL) + WALK_SECONDS, .why = why, .why_len = why_len};
  w.v = w.inline_v;
  mm_err rc = MM_E_IO;
  if (why_len) why[0] = '\0';
  for (int pass = 0; pass < PASSES; pass++) {
    int r = remove_entry(dirfd, name);
    if (r == 1) {
      rc = MM_OK;
      break;
    }
    if (r < 0) {
      snprintf(why, why_len, "cannot remove '%.200s': %s", name, strerror(errno));
      break;
    }
    walk(&w, dirfd, name); /* a failed pass leaves why; the next may finish */
  }
  if (rc != MM_OK && why_len && !why[0])
    snprintf(why, why_len, "'%.200s' still not empty after %d passes", name, PASSES);
  if (w.v != w.inline_v) free(w.v);
  return rc;
}

mm_err mm_state_root_open(mm_state_root *r, char *why, size_t why_len) {
  r->fd = -1;
  atomic_init(&r->next, 0);
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  if (snprintf(r->path, sizeof r->path, "%s/mlsmig-run-XXXXXX", tmp) >= (int)sizeof r->path) {
    snprintf(why, why_len, "TMPDIR is too long for a state directory");
    r->path[0] = '\0';
    return MM_E_IO;
  }
  if (!mkdtemp(r->path)) { /* mode 0700 */
    snprintf(why, why_len, "cannot make a state directory under %.200s: %s", tmp, strerror(errno));
    r->path[0] = '\0';
    return MM_E_IO;
  }
  struct stat st;
  r->fd = open(r->path, DIR_FLAGS);
  if (r->fd < 0 || fstat(r->fd, &st) != 0) {
    snprintf(why, why_len, "cannot open %.200s: %s", r->path, strerror(errno));
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    rmdir(r->path);
    r->path[0] = '\0';
    return MM_E_IO;
  }
  r->dev = st.st_dev;
  r->ino = st.st_ino;
  return MM_OK;
}

mm_err mm_state_dir_make(mm_state_root *r, char *path, size_t path_cap, char *name,
                         size_t name_cap) {
  for (int tries = 0; tries < 100; tries++) {
    unsigned long k = atomic_fetch_add(&r->next, 1);
    if (snprintf(name, name_cap, "t%lu", k) >= (int)name_cap ||
        snprintf(path, path_cap, "%s/%s", r->path, name) >= (int)path_cap)
      return MM_E_IO;
    if (mkdirat(r->fd, name, 0700) == 0) return MM_OK;
    if (errno != EEXIST) return MM_E_IO; /* an IUT may have made one in our way */
  }
  return MM_E_IO;
}

mm_err mm_state_dir_remove(mm_state_root *r, const char *name, char *why, size_t why_len) {
  return mm_tree_remove_at(r->fd, name, why, why_len);
}

mm_err mm_state_root_close(mm_state_root *r, char *why, size_t why_len) {
  if (r->fd < 0) return MM_OK;
  mm_err rc = MM_OK;
  _Alignas(8) char buf[DENTS_BUF];
  /* Entry by entry through our descriptor of the root, whatever its path
   * names by now; then the path, if it still names that directory. */
  for (int pass = 0; pass < PASSES; pass++) {
    lseek(r->fd, 0, SEEK_SET);
    bool any = false;
    long got;
    while ((got = syscall(SYS_getdents64, r->fd, buf, DENTS_BUF)) > 0)
      for (long off = 0; off < got;) {
        struct raw_dirent *e = (struct raw_dirent *)(buf + off);
        off += e->reclen;
        if (dots(e->name)) continue;
        any = true;
        if (mm_tree_remove_at(r->fd, e->name, why, why_len) != MM_OK) rc = MM_E_IO;
      }
    if (!any) break;
  }
  struct stat st;
  if (fstatat(AT_FDCWD, r->path, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == r->dev &&
      st.st_ino == r->ino && rmdir(r->path) != 0) {
    if (rc == MM_OK) snprintf(why, why_len, "cannot remove %.200s: %s", r->path, strerror(errno));
    rc = MM_E_IO;
  }
  close(r->fd);
  r->fd = -1;
  return rc;
}

/* Fuzzing under Check: every file of fuzz/corpus/NAME/ and
 * fuzz/regressions/NAME/ goes through the fuzz target NAME (fuzz/fuzz_NAME.c,
 * compiled into check_all without libFuzzer's entry point), so a plain gcc
 * build replays every seed and every crash ever found. A target signals a
 * broken oracle by aborting, which fails the test.
 *
 * Also here: the allocation bound of issue 8. Length fields claiming up to
 * 2^30-1 bytes must not make anything allocate before the bytes are there. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "mlsmig/group_state.h"
#include "mlsmig/messages.h"
#include "testlib.h"

/* The list comes from FUZZ_TARGETS in the Makefile. */
#define MM_FUZZ_TARGET(name) int mm_fuzz_##name(const uint8_t *data, size_t len);
#include "fuzz_targets.h"
#undef MM_FUZZ_TARGET

typedef struct fuzz_target {
  const char *name;
  int (*run)(const uint8_t *data, size_t len);
} fuzz_target;

#define MM_FUZZ_TARGET(name) {#name, mm_fuzz_##name},
static const fuzz_target targets[] = {
#include "fuzz_targets.h"
};
#undef MM_FUZZ_TARGET
#define N_TARGETS ((int)(sizeof targets / sizeof targets[0]))

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap) {
      buf = realloc(buf, cap *= 2);
      ck_assert_ptr_nonnull(buf);
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

/* Runs every regular file of dir through t; returns how many. */
static size_t replay_dir(const fuzz_target *t, const char *dir) {
  DIR *d = opendir(mm_test_path(dir));
  if (!d) return 0;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue; /* ., .., .gitkeep */
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", mm_test_path(dir), e->d_name);
    size_t len;
    uint8_t *data = read_all(path, &len);
    t->run(data, len);
    free(data);
    n++;
  }
  closedir(d);
  return n;
}

/* Every target has a seed corpus, and every seed and crash runs clean. */
START_TEST(test_replay_corpus_and_regressions) {
  const fuzz_target *t = &targets[_i];
  char dir[256];
  snprintf(dir, sizeof dir, "fuzz/corpus/%s", t->name);
  size_t seeds = replay_dir(t, dir);
  ck_assert_msg(seeds > 0, "fuzz/corpus/%s has no seeds", t->name);
  snprintf(dir, sizeof dir, "fuzz/regressions/%s", t->name);
  replay_dir(t, dir);
}
END_TEST

/* ---- allocation bound ---- */

#define ONE_MIB (1024u * 1024u)

/* The counter sees what the tests allocate (guards against a silent
 * wrap that counts nothing). */
static void *volatile sink; /* keeps the compiler from eliding the malloc */

START_TEST(test_alloc_counter_counts) {
  mm_alloc_count_start();
  sink = malloc(2 * ONE_MIB);
  size_t n = mm_alloc_count_stop();
  free(sink);
  ck_assert_uint_ge(n, 2 * ONE_MIB);
}
END_TEST

/* 10 bytes with the largest varint length (0xbfffffff: 2^30-1) at every
 * offset, the other bytes 0x00 or 0x01: every decoder refuses without
 * asking for more than a few bytes. */
START_TEST(test_huge_length_allocates_nothing) {
  uint8_t in[10];
  for (int fill = 0; fill <= 1; fill++)
    for (size_t at = 0; at + 4 <= sizeof in; at++) {
      memset(in, fill, sizeof in);
      memcpy(in + at, "\xbf\xff\xff\xff", 4);
      for (int t = 0; t < MM_T_COUNT; t++) {
        mm_any_msg m;
        mm_derr err;
        mm_limits lim = mm_limits_default(1);
        lim.max_group_state = UINT64_MAX;
        mm_alloc_count_start();
        mm_err e = mm_decode((mm_type)t, in, sizeof in, &lim, &m, &err);
        size_t used = mm_alloc_count_stop();
        ck_assert_int_eq(e, MM_E_MALFORMED);
        ck_assert_msg(used <= ONE_MIB, "%s allocated %zu bytes", mm_type_name((mm_type)t), used);
      }
      mm_group_state g;
      mm_derr err;
      mm_alloc_count_start();
      mm_err e = mm_group_state_decode(in, sizeof in, NULL, &g, &err);
      size_t used = mm_alloc_count_stop();
      ck_assert_int_eq(e, MM_E_MALFORMED);
      ck_assert_uint_le(used, ONE_MIB);
    }
}
END_TEST

/* The same through the reference DSes: an envelope from a member whose
 * body claims 2^30-1 bytes, delivered to the source and to the target
 * (through the stateful fuzz target, so the DSes are set up as usual). */
START_TEST(test_huge_body_at_the_ds) {
  static const char sender[] = "alice@source.example";
  uint8_t env[64];
  size_t n = 0;
  env[n++] = 3; /* migration_init */
  env[n++] = 0;
  env[n++] = 1; /* suite 1 */
  env[n++] = (uint8_t)(sizeof sender - 1);
  memcpy(env + n, sender, sizeof sender - 1);
  n += sizeof sender - 1;
  memcpy(env + n, "\xbf\xff\xff\xff", 4);
  n += 4;
  for (uint8_t to = 0; to <= 1; to++) {
    uint8_t in[96] = {0, to, 0, 0, 0, (uint8_t)n};
    memcpy(in + 6, env, n);
    mm_fuzz_ds(in, 6 + n); /* the first run generates and caches keys */
    mm_alloc_count_start();
    mm_fuzz_ds(in, 6 + n);
    size_t used = mm_alloc_count_stop();
    ck_assert_msg(used <= ONE_MIB, "the %s allocated %zu bytes", to ? "target" : "source", used);
  }
}
END_TEST

Suite *suite_regressions(void) {
  Suite *s = suite_create("regressions");
  TCase *tc = tcase_create("regressions");
  tcase_set_timeout(tc, 300); /* key generation for seven suites, also under ASan */
  MM_ADD_LOOP_TEST(tc, test_replay_corpus_and_regressions,
                   "ENC-1 ENC-2 ENC-3 ENC-4 INV-1 INV-2 INV-3", 0, N_TARGETS);
  MM_ADD_TEST(tc, test_alloc_counter_counts, "-");
  MM_ADD_TEST(tc, test_huge_length_allocates_nothing, "ENC-1 ENC-2");
  MM_ADD_TEST(tc, test_huge_body_at_the_ds, "ENC-2");
  suite_add_tcase(s, tc);
  return s;
}

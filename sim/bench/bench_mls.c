/* `mlsmig bench`: what the group's public state costs a DS (profile v2,
 * issue 17): the signature and hash operations of an import (MLS-2 on a
 * MigrationGroupState) and of a CommitBundle check (MLS-4 with MLS-2 on the
 * new state), as a function of the group's size. The group is genuine
 * (mls_build: leaf signatures, tree and parent hashes, GroupInfo signature). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "crypto/crypto_stats.h"
#include "mlsmig/mls_build.h"

mm_err bench_mls(uint16_t suite, uint32_t members, bench_mls_row *r) {
  memset(r, 0, sizeof *r);
  r->suite = suite;
  r->members = members;
  mm_rng rng;
  mm_rng_init_seeded(&rng, members, "bench mls");
  mm_key **keys = calloc(members, sizeof *keys);
  mm_view *ids = calloc(members, sizeof *ids);
  char(*names)[24] = calloc(members, sizeof *names);
  uint8_t gid[16] = "bench-group-v2..";
  mm_writer pgs, mgs, b;
  mm_writer_init(&pgs);
  mm_writer_init(&mgs);
  mm_writer_init(&b);
  mm_mls_state *cur = NULL, *imported = NULL, *next = NULL;
  mm_mls_tree *tree = NULL;
  mm_err e = keys && ids && names ? MM_OK : MM_E_NOMEM;
  for (uint32_t i = 0; e == MM_OK && i < members; i++) {
    snprintf(names[i], sizeof names[i], "m%u@example.com", i);
    ids[i] = mm_view_str(names[i]);
    e = mm_key_generate(suite, &rng, &keys[i]);
  }
  mm_view g = mm_view_of(gid, sizeof gid);
  if (e == MM_OK) e = mm_mls_build_group(suite, g, 5, ids, keys, members, &rng, &pgs, &tree);
  mm_mls_expect exp = {.suite = suite, .group_id = g, .check_epoch = true, .epoch = 5};
  mm_mls_why why;
  if (e == MM_OK) e = mm_mls_state_from_public(pgs.buf, pgs.len, &exp, &cur, &why);
  if (e == MM_OK) e = mm_mls_state_encode(cur, mm_view_of(NULL, 0), &mgs);
  /* An import: a target checking a MigrationGroupState (MLS-2). */
  mm_crypto_stats a, z;
  double t0 = bench_now();
  mm_crypto_stats_get(&a);
  if (e == MM_OK) e = mm_mls_state_from_group_state(mgs.buf, mgs.len, &exp, &imported, &why);
  mm_crypto_stats_get(&z);
  r->import_ms = (bench_now() - t0) * 1e3;
  r->import = mm_crypto_stats_diff(&z, &a);
  r->state_bytes = mgs.len;
  /* A CommitBundle: an empty Commit with a path by leaf 1 (or 0), checked by a DS (MLS-4). */
  uint32_t by = members > 1 ? 1 : 0;
  mm_mls_commit_spec spec = {.ctx = cur ? &mm_mls_state_group_info(cur)->group_context : NULL,
                             .cur_tree = cur ? mm_mls_state_tree(cur) : NULL,
                             .committer = by,
                             .key = keys ? keys[by] : NULL,
                             .identity = ids ? ids[by] : mm_view_of(NULL, 0),
                             .path = true};
  if (e == MM_OK) e = mm_mls_build_commit_bundle(&spec, &rng, &b, NULL);
  mm_mls_commit_info info;
  t0 = bench_now();
  mm_crypto_stats_get(&a);
  if (e == MM_OK) e = mm_mls_state_apply_bundle(cur, b.buf, b.len, ids[by], &next, &info, &why);
  mm_crypto_stats_get(&z);
  r->bundle_ms = (bench_now() - t0) * 1e3;
  r->bundle = mm_crypto_stats_diff(&z, &a);
  r->bundle_bytes = b.len;
  mm_mls_state_free(next);
  mm_mls_state_free(imported);
  mm_mls_state_free(cur);
  mm_mls_tree_free(tree);
  mm_writer_free(&pgs);
  mm_writer_free(&mgs);
  mm_writer_free(&b);
  for (uint32_t i = 0; keys && i < members; i++) mm_key_free(keys[i]);
  free(keys);
  free(ids);
  free(names);
  return e;
}

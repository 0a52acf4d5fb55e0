/* MigrationCommitAAD (the migration Commit's authenticated_data). Oracle:
 * the codec accepts exactly `opaque target_ds_domain<V>` holding a valid
 * domain (mm_domain_valid) with nothing after it, and for an accepted input
 * re-encoding gives the same bytes. */
#include "fuzz_common.h"

int mm_fuzz_commit_aad(const uint8_t *data, size_t len);

int mm_fuzz_commit_aad(const uint8_t *data, size_t len) {
  mm_migration_commit_aad aad;
  mm_derr err = {0};
  bool accepted = mm_decode(MM_T_MIGRATION_COMMIT_AAD, data, len, NULL, &aad, &err) == MM_OK;
  /* The expected verdict: read the varint header by hand. */
  mm_reader r;
  mm_derr e2 = {0};
  mm_view v;
  mm_reader_init(&r, data, len, &e2);
  bool expect = mm_read_vec(&r, &v) && mm_reader_remaining(&r) == 0 && mm_domain_valid(v);
  MM_FUZZ_CHECK(accepted == expect, "decode accepts exactly one valid domain");
  if (!accepted) return 0;
  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_encode(MM_T_MIGRATION_COMMIT_AAD, &aad, NULL, &w, NULL) == MM_OK, "re-encode");
  MM_FUZZ_CHECK(w.len == len && memcmp(w.buf, data, len) == 0, "encode(decode(b)) == b");
  mm_writer_free(&w);
  return 0;
}

MM_FUZZ_MAIN(commit_aad)

/* The framing of RFC 9420 MLSMessage (what the source DS reads of every
 * Commit, EPOCH-2). Oracles: an accepted message has version mls10, a
 * public or private wire format, a 1..255-byte group ID and a known
 * content type; its authenticated_data, decoded as MigrationCommitAAD the
 * way the source does, either fails cleanly or yields a valid domain. */
#include "fuzz_common.h"

int mm_fuzz_mls_message(const uint8_t *data, size_t len);

int mm_fuzz_mls_message(const uint8_t *data, size_t len) {
  mm_mls_message m;
  mm_derr err = {0};
  if (mm_decode(MM_T_MLS_MESSAGE, data, len, NULL, &m, &err) != MM_OK) return 0;
  MM_FUZZ_CHECK(m.version == MM_MLS10, "version");
  MM_FUZZ_CHECK(m.wire_format == MM_WIRE_PUBLIC || m.wire_format == MM_WIRE_PRIVATE, "wire format");
  MM_FUZZ_CHECK(m.group_id.len >= 1 && m.group_id.len <= MM_GROUP_ID_MAX, "group_id");
  MM_FUZZ_CHECK(m.content_type >= MM_CONTENT_APPLICATION && m.content_type <= MM_CONTENT_COMMIT,
                "content type");
  const uint8_t *end = data + len;
  MM_FUZZ_CHECK(m.authenticated_data.len <= len &&
                    m.authenticated_data.data + m.authenticated_data.len <= end,
                "authenticated_data inside the input");
  mm_migration_commit_aad aad;
  if (mm_decode(MM_T_MIGRATION_COMMIT_AAD, m.authenticated_data.data, m.authenticated_data.len,
                NULL, &aad, &err) == MM_OK)
    MM_FUZZ_CHECK(mm_domain_valid(aad.target_ds_domain), "AAD names a valid domain");
  return 0;
}

MM_FUZZ_MAIN(mls_message)

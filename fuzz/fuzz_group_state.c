/* The reference group-state format (group_state.h), as a target DS imports
 * it. The first byte picks the ds_payload bound (tiny or default), the rest
 * is the state. Oracles for an accepted state: walking the members visits
 * exactly member_count valid identities, each one findable; re-encoding
 * from the walked members gives the input back byte for byte. */
#include "fuzz_common.h"
#include "mlsmig/group_state.h"

int mm_fuzz_group_state(const uint8_t *data, size_t len);

/* At most this many members are re-encoded (bounds the work per input). */
#define MAX_WALK 4096

int mm_fuzz_group_state(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = data[0] & 1 ? 16 : 0; /* 0: the default bound */
  mm_group_state g;
  mm_derr err = {0};
  if (mm_group_state_decode(data + 1, len - 1, &lim, &g, &err) != MM_OK) {
    MM_FUZZ_CHECK(err.rule && err.offset <= len - 1, "refusal names a rule and an offset");
    return 0;
  }
  MM_FUZZ_CHECK(g.version == MM_GROUP_STATE_VERSION, "version");
  MM_FUZZ_CHECK(
      g.ds_payload.len <= (lim.max_group_state ? lim.max_group_state : MM_GROUP_STATE_DEFAULT_MAX),
      "payload within the bound");
  if (g.member_count > MAX_WALK) return 0;
  mm_member members[64];
  mm_member *all = g.member_count > 64 ? calloc(g.member_count, sizeof *all) : members;
  MM_FUZZ_CHECK(all != NULL, "allocation");
  size_t pos = 0, n = 0;
  mm_member m;
  while (mm_members_next(&g, &pos, &m)) {
    MM_FUZZ_CHECK(n < g.member_count, "no more members than counted");
    MM_FUZZ_CHECK(mm_identity_valid(m.identity), "member identity valid");
    mm_member found;
    MM_FUZZ_CHECK(mm_group_state_find(&g, m.identity, &found), "member findable");
    all[n++] = m;
  }
  MM_FUZZ_CHECK(n == g.member_count && pos == g.members.len, "walk covers every member");
  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_group_state_encode(&g, all, n, &w) == MM_OK, "re-encode");
  MM_FUZZ_CHECK(w.len == len - 1 && memcmp(w.buf, data + 1, len - 1) == 0,
                "encode(decode(b)) == b");
  mm_writer_free(&w);
  if (all != members) free(all);
  return 0;
}

MM_FUZZ_MAIN(group_state)

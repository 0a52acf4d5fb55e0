/* The reference group-state format (group_state.h). */
#include "mlsmig/group_state.h"

#include "mlsmig/crypto.h"

/* One GroupMember; checks the fields a DS relies on. */
static bool read_member(mm_reader *r, uint16_t suite, mm_member *m) {
  size_t at = r->pos;
  if (!mm_read_vec(r, &m->identity) || !mm_read_u32(r, &m->leaf_index)) return false;
  if (!mm_identity_valid(m->identity))
    return mm_reader_fail_at(r, at, "ENC-4", "member identity is not name@domain");
  at = r->pos;
  if (!mm_read_vec(r, &m->signature_key)) return false;
  const mm_suite *s = mm_suite_get(suite);
  if (s ? m->signature_key.len != s->pub_len
        : (m->signature_key.len == 0 || m->signature_key.len > MM_MAX_PUB_LEN))
    return mm_reader_fail_at(r, at, "ENC-4", "member signature_key has the wrong length");
  return true;
}

mm_err mm_group_state_decode(const uint8_t *data, size_t len, const mm_limits *lim,
                             mm_group_state *g, mm_derr *err) {
  mm_reader r, mr;
  mm_reader_init(&r, data, len, err);
  *g = (mm_group_state){0};
  size_t at = 0;
  if (!mm_read_u16(&r, &g->version)) return MM_E_MALFORMED;
  if (g->version != MM_GROUP_STATE_VERSION)
    return mm_reader_fail_at(&r, at, "ENC-4", "unknown group-state version"), MM_E_MALFORMED;
  at = r.pos;
  if (!mm_read_u16(&r, &g->cipher_suite)) return MM_E_MALFORMED;
  if (!mm_suite_get(g->cipher_suite))
    return mm_reader_fail_at(&r, at, "ENC-4", "unknown cipher_suite"), MM_E_MALFORMED;
  at = r.pos;
  if (!mm_read_vec(&r, &g->group_id) || !mm_read_u64(&r, &g->epoch)) return MM_E_MALFORMED;
  if (g->group_id.len < 1 || g->group_id.len > MM_GROUP_ID_MAX)
    return mm_reader_fail_at(&r, at, "ENC-4", "group_id must be 1..255 bytes"), MM_E_MALFORMED;
  if (!mm_read_vec_reader(&r, &mr)) return MM_E_MALFORMED;
  g->members = mm_view_of(mr.base + mr.pos, mm_reader_remaining(&mr));
  while (mm_reader_remaining(&mr) > 0) {
    mm_member m;
    if (!read_member(&mr, g->cipher_suite, &m)) return MM_E_MALFORMED;
    if (++g->member_count > MM_MAX_MEMBERS)
      return mm_reader_fail(&mr, "ENC-4", "too many members"), MM_E_MALFORMED;
  }
  at = r.pos;
  if (!mm_read_vec(&r, &g->ds_payload)) return MM_E_MALFORMED;
  uint64_t max = lim && lim->max_group_state ? lim->max_group_state : MM_GROUP_STATE_DEFAULT_MAX;
  if (g->ds_payload.len > max)
    return mm_reader_fail_at(&r, at, "ENC-4", "ds_payload over the configured bound"),
           MM_E_MALFORMED;
  return mm_reader_expect_end(&r) ? MM_OK : MM_E_MALFORMED;
}

mm_err mm_group_state_encode(const mm_group_state *g, const mm_member *members, size_t n,
                             mm_writer *w) {
  size_t need = 32 + g->group_id.len + g->ds_payload.len;
  for (size_t i = 0; i < n; i++)
    need += 16 + members[i].identity.len + members[i].signature_key.len;
  mm_writer_reserve(w, need); /* one allocation, even for a large payload */
  mm_put_u16(w, MM_GROUP_STATE_VERSION);
  mm_put_u16(w, g->cipher_suite);
  mm_put_vec(w, g->group_id.data, g->group_id.len);
  mm_put_u64(w, g->epoch);
  size_t mark = mm_vec_begin(w);
  for (size_t i = 0; i < n; i++) {
    mm_put_vec(w, members[i].identity.data, members[i].identity.len);
    mm_put_u32(w, members[i].leaf_index);
    mm_put_vec(w, members[i].signature_key.data, members[i].signature_key.len);
  }
  mm_vec_end(w, mark);
  mm_put_vec(w, g->ds_payload.data, g->ds_payload.len);
  return w->error;
}

bool mm_members_next(const mm_group_state *g, size_t *pos, mm_member *out) {
  mm_derr err;
  mm_reader r;
  mm_reader_init(&r, g->members.data, g->members.len, &err);
  if (*pos >= g->members.len) return false;
  r.pos = *pos;
  if (!mm_read_vec(&r, &out->identity) || !mm_read_u32(&r, &out->leaf_index) ||
      !mm_read_vec(&r, &out->signature_key))
    return false;
  *pos = r.pos;
  return true;
}

bool mm_group_state_find(const mm_group_state *g, mm_view identity, mm_member *out) {
  size_t pos = 0;
  mm_member m;
  while (mm_members_next(g, &pos, &m))
    if (mm_view_eq(m.identity, identity)) {
      if (out) *out = m;
      return true;
    }
  return false;
}

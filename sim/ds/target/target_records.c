/* The target DS's durable record formats (target_records.h). */
#include "ds/target/target_records.h"

#define RECORD_VERSION 1

/* Encodes with w into the store under (ns, key); one allocation handed
 * over to the store. */
static MM_MUST_USE mm_err put_writer(mm_store *s, const char *ns, mm_view key, mm_writer *w) {
  uint8_t *bytes;
  size_t len;
  mm_err e = mm_writer_finish(w, &bytes, &len);
  return e == MM_OK ? mm_store_put_owned(s, ns, key, bytes, len) : e;
}

/* ---- NonceRecord ---- */

mm_err mm_tgt_nonce_put(mm_store *s, mm_view nonce, const mm_tgt_nonce *rec) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, RECORD_VERSION);
  mm_put_u8(&w, rec->consumed ? 1 : 0);
  mm_put_u16(&w, rec->suite);
  mm_put_u64(&w, rec->issued_at);
  mm_put_vec(&w, rec->client.data, rec->client.len);
  mm_put_vec(&w, rec->request.data, rec->request.len);
  mm_put_vec(&w, rec->content_hash.data, rec->content_hash.len);
  return put_writer(s, MM_TGT_NS_NONCE, nonce, &w);
}

mm_err mm_tgt_nonce_get(const mm_store *s, mm_view nonce, mm_tgt_nonce *out) {
  mm_view val;
  if (!mm_store_get(s, MM_TGT_NS_NONCE, nonce, &val)) return MM_E_NOT_FOUND;
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, val.data, val.len, &err);
  uint8_t version = 0, consumed = 0;
  bool ok = mm_read_u8(&r, &version) && mm_read_u8(&r, &consumed) && mm_read_u16(&r, &out->suite) &&
            mm_read_u64(&r, &out->issued_at) && mm_read_vec(&r, &out->client) &&
            mm_read_vec(&r, &out->request) && mm_read_vec(&r, &out->content_hash) &&
            mm_reader_expect_end(&r);
  if (!ok || version != RECORD_VERSION || consumed > 1) return MM_E_INTERNAL;
  out->consumed = consumed == 1;
  return MM_OK;
}

/* ---- GroupRecord ---- */

mm_err mm_tgt_group_put(mm_store *s, mm_view group_id, const mm_tgt_group *rec) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, RECORD_VERSION);
  mm_put_u8(&w, rec->origin);
  mm_put_u16(&w, rec->suite);
  mm_put_u64(&w, rec->epoch);
  mm_put_vec(&w, rec->source.data, rec->source.len);
  mm_put_vec(&w, rec->client.data, rec->client.len);
  mm_put_vec(&w, rec->nonce.data, rec->nonce.len);
  return put_writer(s, MM_TGT_NS_GROUP, group_id, &w);
}

mm_err mm_tgt_group_get(const mm_store *s, mm_view group_id, mm_tgt_group *out) {
  mm_view val;
  if (!mm_store_get(s, MM_TGT_NS_GROUP, group_id, &val)) return MM_E_NOT_FOUND;
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, val.data, val.len, &err);
  uint8_t version = 0;
  bool ok = mm_read_u8(&r, &version) && mm_read_u8(&r, &out->origin) &&
            mm_read_u16(&r, &out->suite) && mm_read_u64(&r, &out->epoch) &&
            mm_read_vec(&r, &out->source) && mm_read_vec(&r, &out->client) &&
            mm_read_vec(&r, &out->nonce) && mm_reader_expect_end(&r);
  bool known = out->origin == MM_TGT_CREATED || out->origin == MM_TGT_IMPORTED;
  return ok && version == RECORD_VERSION && known ? MM_OK : MM_E_INTERNAL;
}

/* ---- group_state ---- */

bool mm_tgt_state_get(const mm_store *s, mm_view group_id, mm_view *out) {
  return mm_store_get(s, MM_TGT_NS_STATE, group_id, out);
}

mm_err mm_tgt_state_put_owned(mm_store *s, mm_view group_id, uint8_t *bytes, size_t len) {
  return mm_store_put_owned(s, MM_TGT_NS_STATE, group_id, bytes, len);
}

mm_err mm_tgt_state_put_in(mm_store *s, mm_view group_id, uint8_t *block, mm_view state) {
  return mm_store_put_owned_view(s, MM_TGT_NS_STATE, group_id, block, state);
}

/* The source DS's durable records (layouts in source_internal.h). Written
 * with mm_writer and read back with mm_reader, like the messages. */
#include "ds/source/source_internal.h"

/* Encodes into a fresh buffer, then hands it to the store without a copy. */
static MM_MUST_USE mm_err put_written(mm_store *st, const char *ns, mm_view key, mm_writer *w) {
  uint8_t *buf;
  size_t len;
  mm_err e = mm_writer_finish(w, &buf, &len);
  return e == MM_OK ? mm_store_put_owned(st, ns, key, buf, len) : e;
}

/* A reader over a record; false if absent. */
static bool open_record(const mm_store *st, const char *ns, mm_view key, mm_reader *r,
                        mm_derr *err) {
  mm_view v;
  if (!mm_store_get(st, ns, key, &v)) return false;
  *err = (mm_derr){0};
  mm_reader_init(r, v.data, v.len, err);
  return true;
}

/* ---- source.group ---- */

bool src_meta_get(const mm_store *st, mm_view gid, src_meta *out) {
  mm_reader r;
  mm_derr err;
  if (!open_record(st, SRC_NS_GROUP, gid, &r, &err)) return false;
  return mm_read_u8(&r, &out->status) && mm_read_u16(&r, &out->suite) &&
         mm_read_u64(&r, &out->epoch) && mm_read_vec(&r, &out->peer) && mm_reader_expect_end(&r);
}

mm_err src_meta_put(mm_store *st, mm_view gid, const src_meta *m) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, m->status);
  mm_put_u16(&w, m->suite);
  mm_put_u64(&w, m->epoch);
  mm_put_vec(&w, m->peer.data, m->peer.len);
  return put_written(st, SRC_NS_GROUP, gid, &w);
}

/* ---- source.mig ---- */

bool src_mig_get(const mm_store *st, mm_view gid, src_mig *out) {
  mm_reader r;
  mm_derr err;
  if (!open_record(st, SRC_NS_MIG, gid, &r, &err)) return false;
  return mm_read_u8(&r, &out->phase) && mm_read_u64(&r, &out->started) &&
         mm_read_u32(&r, &out->retransmits) && mm_read_vec(&r, &out->client) &&
         mm_read_vec(&r, &out->init) && mm_read_vec(&r, &out->commit) &&
         mm_read_vec(&r, &out->content_hash) && mm_read_vec(&r, &out->content_sig) &&
         mm_reader_expect_end(&r);
}

mm_err src_mig_put(mm_store *st, mm_view gid, const src_mig *m) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, m->phase);
  mm_put_u64(&w, m->started);
  mm_put_u32(&w, m->retransmits);
  mm_put_vec(&w, m->client.data, m->client.len);
  mm_put_vec(&w, m->init.data, m->init.len);
  mm_put_vec(&w, m->commit.data, m->commit.len);
  mm_put_vec(&w, m->content_hash.data, m->content_hash.len);
  mm_put_vec(&w, m->content_sig.data, m->content_sig.len);
  return put_written(st, SRC_NS_MIG, gid, &w);
}

/* ---- source.nonce ---- */

bool src_nonce_get(const mm_store *st, mm_view nonce, src_nonce *out) {
  mm_reader r;
  mm_derr err;
  if (!open_record(st, SRC_NS_NONCE, nonce, &r, &err)) return false;
  return mm_read_vec(&r, &out->group_id) && mm_read_vec(&r, &out->init) &&
         mm_read_u16(&r, &out->outcome) && mm_reader_expect_end(&r);
}

mm_err src_nonce_put(mm_store *st, mm_view nonce, const src_nonce *n) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_vec(&w, n->group_id.data, n->group_id.len);
  mm_put_vec(&w, n->init.data, n->init.len);
  mm_put_u16(&w, n->outcome);
  return put_written(st, SRC_NS_NONCE, nonce, &w);
}

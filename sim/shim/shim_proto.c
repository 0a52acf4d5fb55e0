/* Encoding and decoding of shim-protocol frames (docs/shim-protocol.md),
 * through the one codec: no pointer arithmetic on frame bytes here. */
#include "shim/shim_proto.h"

static bool read_item(mm_reader *r, mm_shim_list kind, mm_shim_item *it) {
  *it = (mm_shim_item){0};
  switch (kind) {
  case MM_SHIM_L_SUITES: return mm_read_u16(r, &it->suite);
  case MM_SHIM_L_SIGNING_KEYS: return mm_read_u16(r, &it->suite) && mm_read_vec(r, &it->key);
  case MM_SHIM_L_PEERS:
    return mm_read_vec(r, &it->domain) && mm_read_u16(r, &it->suite) && mm_read_vec(r, &it->key);
  case MM_SHIM_L_DENY: return mm_read_vec(r, &it->name);
  case MM_SHIM_L_OUTPUTS: return mm_read_vec(r, &it->name) && mm_read_vec(r, &it->envelope);
  }
  return mm_reader_fail(r, "SHIM", "unknown list");
}

/* A list field: the vector's contents, each element checked now so that
 * later iteration cannot fail. */
static bool read_list(mm_reader *r, mm_shim_list kind, mm_view *out) {
  mm_reader child;
  if (!mm_read_vec_reader(r, &child)) return false;
  mm_reader whole = child;
  if (!mm_read_rest(&whole, out)) return false;
  while (mm_reader_remaining(&child) > 0) {
    mm_shim_item it;
    if (!read_item(&child, kind, &it)) return false;
  }
  return true;
}

/* Configure's optional trailing profile: absent (0), or 1 or 2. */
static bool read_profile(mm_reader *r, uint8_t *profile) {
  *profile = 0;
  if (mm_reader_remaining(r) == 0) return true;
  if (!mm_read_u8(r, profile)) return false;
  if (*profile < 1 || *profile > 2) return mm_reader_fail(r, "SHIM", "unknown profile version");
  return true;
}

/* Configure's optional trailing refusal_peers, after the profile byte. */
static bool read_refusal_peers(mm_reader *r, mm_shim_msg *m) {
  if (mm_reader_remaining(r) == 0) return true;
  m->has_refusal_peers = true;
  return read_list(r, MM_SHIM_L_DENY, &m->refusal_peers);
}

static bool decode_body(mm_reader *r, mm_shim_msg *m) {
  switch (m->type) {
  case MM_SHIM_HELLO: return mm_read_u16(r, &m->version);
  case MM_SHIM_PICS:
    return mm_read_u16(r, &m->version) && mm_read_vec(r, &m->implementation) &&
           mm_read_u8(r, &m->roles) && read_list(r, MM_SHIM_L_SUITES, &m->suites) &&
           mm_read_u32(r, &m->features);
  case MM_SHIM_CONFIGURE:
    return mm_read_u8(r, &m->role) && mm_read_vec(r, &m->domain) &&
           read_list(r, MM_SHIM_L_SIGNING_KEYS, &m->signing_keys) &&
           read_list(r, MM_SHIM_L_PEERS, &m->peers) && mm_read_u8(r, &m->policy) &&
           read_list(r, MM_SHIM_L_DENY, &m->deny) && mm_read_vec(r, &m->state_dir) &&
           mm_read_u64(r, &m->now) && read_profile(r, &m->profile) && read_refusal_peers(r, m);
  case MM_SHIM_INSTALL_GROUP:
  case MM_SHIM_DELIVER:
  case MM_SHIM_QUERY_GROUP:
  case MM_SHIM_ERROR: return mm_read_vec(r, &m->bytes);
  case MM_SHIM_ADVANCE_CLOCK: return mm_read_u64(r, &m->now);
  case MM_SHIM_SHUTDOWN:
  case MM_SHIM_RESET:
  case MM_SHIM_OK: return true;
  case MM_SHIM_OUTPUT: return read_list(r, MM_SHIM_L_OUTPUTS, &m->outputs);
  case MM_SHIM_GROUP: return mm_read_u8(r, &m->status) && mm_read_u64(r, &m->epoch);
  }
  return mm_reader_fail(r, "SHIM", "unknown message type");
}

mm_err mm_shim_decode(const uint8_t *body, size_t len, mm_shim_msg *out, mm_derr *err) {
  mm_derr local = {0};
  mm_reader r;
  mm_reader_init(&r, body, len, err ? err : &local);
  *out = (mm_shim_msg){0};
  bool ok = mm_read_u8(&r, &out->type) && decode_body(&r, out) && mm_reader_expect_end(&r);
  return ok ? MM_OK : MM_E_MALFORMED;
}

static bool encode_body(const mm_shim_msg *m, mm_writer *w) {
  switch (m->type) {
  case MM_SHIM_HELLO: return mm_put_u16(w, m->version);
  case MM_SHIM_PICS:
    return mm_put_u16(w, m->version) &&
           mm_put_vec(w, m->implementation.data, m->implementation.len) && mm_put_u8(w, m->roles) &&
           mm_put_vec(w, m->suites.data, m->suites.len) && mm_put_u32(w, m->features);
  case MM_SHIM_CONFIGURE:
    return mm_put_u8(w, m->role) && mm_put_vec(w, m->domain.data, m->domain.len) &&
           mm_put_vec(w, m->signing_keys.data, m->signing_keys.len) &&
           mm_put_vec(w, m->peers.data, m->peers.len) && mm_put_u8(w, m->policy) &&
           mm_put_vec(w, m->deny.data, m->deny.len) &&
           mm_put_vec(w, m->state_dir.data, m->state_dir.len) && mm_put_u64(w, m->now) &&
           (m->has_refusal_peers ? mm_put_u8(w, m->profile ? m->profile : 1) &&
                                       mm_put_vec(w, m->refusal_peers.data, m->refusal_peers.len)
                                 : (m->profile == 0 || mm_put_u8(w, m->profile)));
  case MM_SHIM_INSTALL_GROUP:
  case MM_SHIM_DELIVER:
  case MM_SHIM_QUERY_GROUP:
  case MM_SHIM_ERROR: return mm_put_vec(w, m->bytes.data, m->bytes.len);
  case MM_SHIM_ADVANCE_CLOCK: return mm_put_u64(w, m->now);
  case MM_SHIM_SHUTDOWN:
  case MM_SHIM_RESET:
  case MM_SHIM_OK: return true;
  case MM_SHIM_OUTPUT: return mm_put_vec(w, m->outputs.data, m->outputs.len);
  case MM_SHIM_GROUP: return mm_put_u8(w, m->status) && mm_put_u64(w, m->epoch);
  }
  return mm_writer_fail(w, MM_E_MALFORMED);
}

mm_err mm_shim_encode(const mm_shim_msg *m, mm_writer *w) {
  /* The body goes to its own writer first so its length is known. */
  mm_writer body;
  mm_writer_init(&body);
  bool ok = mm_put_u8(&body, m->type) && encode_body(m, &body);
  mm_view v = mm_writer_view(&body);
  if (ok && v.len > MM_SHIM_MAX_FRAME) ok = mm_writer_fail(&body, MM_E_MALFORMED);
  mm_err e = ok ? MM_OK : (body.error != MM_OK ? body.error : MM_E_MALFORMED);
  if (e == MM_OK && !(mm_put_u32(w, (uint32_t)v.len) && mm_put_bytes(w, v.data, v.len)))
    e = w->error != MM_OK ? w->error : MM_E_NOMEM;
  mm_writer_free(&body);
  return e;
}

mm_err mm_shim_frame_len(const uint8_t hdr[MM_SHIM_HEADER_LEN], uint32_t max, uint32_t *len) {
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, hdr, MM_SHIM_HEADER_LEN, &err);
  if (!mm_read_u32(&r, len)) return MM_E_MALFORMED;
  return *len > max ? MM_E_MALFORMED : MM_OK;
}

bool mm_shim_put_suite(mm_writer *w, uint16_t suite) { return mm_put_u16(w, suite); }

bool mm_shim_put_signing_key(mm_writer *w, uint16_t suite, mm_view priv) {
  return mm_put_u16(w, suite) && mm_put_vec(w, priv.data, priv.len);
}

bool mm_shim_put_peer(mm_writer *w, mm_view domain, uint16_t suite, mm_view pub) {
  return mm_put_vec(w, domain.data, domain.len) && mm_put_u16(w, suite) &&
         mm_put_vec(w, pub.data, pub.len);
}

bool mm_shim_put_identity(mm_writer *w, mm_view identity) {
  return mm_put_vec(w, identity.data, identity.len);
}

bool mm_shim_put_output(mm_writer *w, mm_view to, mm_view envelope) {
  return mm_put_vec(w, to.data, to.len) && mm_put_vec(w, envelope.data, envelope.len);
}

void mm_shim_iter_init(mm_shim_iter *it, mm_shim_list kind, mm_view contents) {
  it->err = (mm_derr){0};
  it->kind = kind;
  mm_reader_init(&it->r, contents.data, contents.len, &it->err);
}

bool mm_shim_next(mm_shim_iter *it, mm_shim_item *out) {
  if (mm_reader_failed(&it->r) || mm_reader_remaining(&it->r) == 0) return false;
  return read_item(&it->r, it->kind, out);
}

size_t mm_shim_count(mm_shim_list kind, mm_view contents) {
  mm_shim_iter it;
  mm_shim_item item;
  size_t n = 0;
  mm_shim_iter_init(&it, kind, contents);
  while (mm_shim_next(&it, &item)) n++;
  return n;
}

const char *mm_shim_type_name(uint8_t type) {
  switch (type) {
  case MM_SHIM_HELLO: return "hello";
  case MM_SHIM_CONFIGURE: return "configure";
  case MM_SHIM_INSTALL_GROUP: return "install_group";
  case MM_SHIM_ADVANCE_CLOCK: return "advance_clock";
  case MM_SHIM_DELIVER: return "deliver";
  case MM_SHIM_QUERY_GROUP: return "query_group";
  case MM_SHIM_SHUTDOWN: return "shutdown";
  case MM_SHIM_RESET: return "reset";
  case MM_SHIM_PICS: return "pics";
  case MM_SHIM_OK: return "ok";
  case MM_SHIM_OUTPUT: return "output";
  case MM_SHIM_GROUP: return "group";
  case MM_SHIM_ERROR: return "error";
  }
  return "unknown";
}

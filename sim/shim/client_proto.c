/* Encoding and decoding of client-protocol frames (client_proto.h,
 * docs/client-protocol.md), through the one codec, strictly. */
#include "shim/client_proto.h"

#include "shim/shim_proto.h"

static bool read_bool(mm_reader *r, bool *out) {
  uint8_t v;
  if (!mm_read_u8(r, &v)) return false;
  if (v > 1) return mm_reader_fail_at(r, r->pos - 1, "CLIENT", "boolean other than 0 or 1");
  *out = v == 1;
  return true;
}

/* State.status and Member.status: 0 member, 1 removed. */
static bool read_status(mm_reader *r, uint8_t *out) {
  if (!mm_read_u8(r, out)) return false;
  if (*out > MM_CLIENT_MEMBER_REMOVED)
    return mm_reader_fail_at(r, r->pos - 1, "CLIENT", "member status other than 0 or 1");
  return true;
}

static bool read_item(mm_reader *r, mm_client_list kind, mm_client_item *it) {
  *it = (mm_client_item){0};
  switch (kind) {
  case MM_CLIENT_L_SUITES: return mm_read_u16(r, &it->suite);
  case MM_CLIENT_L_PROPOSAL_MESSAGES: return mm_read_vec(r, &it->bytes);
  case MM_CLIENT_L_PROPOSAL_DESCRIPTIONS:
    if (!mm_read_u16(r, &it->proposal_type)) return false;
    if (it->proposal_type == MM_CLIENT_PROPOSAL_ADD) return mm_read_vec(r, &it->bytes);
    if (it->proposal_type == MM_CLIENT_PROPOSAL_REMOVE) return mm_read_u32(r, &it->removed);
    return mm_reader_fail_at(r, r->pos - 2, "CLIENT", "proposal type is neither add nor remove");
  }
  return mm_reader_fail(r, "CLIENT", "unknown list");
}

/* A list field: the vector's contents, each element checked now so that
 * later iteration cannot fail. */
static bool read_list(mm_reader *r, mm_client_list kind, mm_view *out) {
  mm_reader child;
  if (!mm_read_vec_reader(r, &child)) return false;
  mm_reader whole = child;
  if (!mm_read_rest(&whole, out)) return false;
  while (mm_reader_remaining(&child) > 0) {
    mm_client_item it;
    if (!read_item(&child, kind, &it)) return false;
  }
  return true;
}

/* The four parts of a CommitBundle, as the replies carry them. */
static bool read_parts(mm_reader *r, mm_client_msg *m) {
  return mm_read_vec(r, &m->commit) && mm_read_vec(r, &m->welcome) &&
         mm_read_vec(r, &m->group_info) && mm_read_vec(r, &m->ratchet_tree);
}

static bool read_state(mm_reader *r, mm_client_msg *m) {
  return mm_read_u32(r, &m->id) && read_status(r, &m->status) && mm_read_u64(r, &m->epoch) &&
         mm_read_vec(r, &m->epoch_authenticator);
}

static bool decode_request(mm_reader *r, mm_client_msg *m) {
  switch (m->type) {
  case MM_CLIENT_HELLO: return mm_read_u16(r, &m->version);
  case MM_CLIENT_CONFIGURE: return mm_read_vec(r, &m->seed) && mm_read_u32(r, &m->flags);
  case MM_CLIENT_CREATE_KEY_PACKAGE:
    return mm_read_u16(r, &m->cipher_suite) && mm_read_vec(r, &m->identity);
  case MM_CLIENT_CREATE_GROUP:
    return mm_read_vec(r, &m->group_id) && mm_read_u16(r, &m->cipher_suite) &&
           mm_read_vec(r, &m->identity);
  case MM_CLIENT_JOIN_GROUP:
    return mm_read_u32(r, &m->id) && mm_read_vec(r, &m->welcome) &&
           mm_read_vec(r, &m->ratchet_tree);
  case MM_CLIENT_EXTERNAL_JOIN:
    return mm_read_vec(r, &m->group_info) && mm_read_vec(r, &m->ratchet_tree) &&
           mm_read_vec(r, &m->identity) && mm_read_vec(r, &m->authenticated_data) &&
           read_bool(r, &m->remove_prior);
  case MM_CLIENT_GROUP_INFO:
    return mm_read_u32(r, &m->id) && read_bool(r, &m->ratchet_tree_extension);
  case MM_CLIENT_STATE_AUTH:
  case MM_CLIENT_HANDLE_PENDING_COMMIT:
  case MM_CLIENT_MEMBER_INFO:
  case MM_CLIENT_FREE: return mm_read_u32(r, &m->id);
  case MM_CLIENT_PROTECT:
    return mm_read_u32(r, &m->id) && mm_read_vec(r, &m->authenticated_data) &&
           mm_read_vec(r, &m->plaintext);
  case MM_CLIENT_UNPROTECT: return mm_read_u32(r, &m->id) && mm_read_vec(r, &m->message);
  case MM_CLIENT_ADD_PROPOSAL:
    return mm_read_u32(r, &m->id) && mm_read_u16(r, &m->framing) && mm_read_vec(r, &m->key_package);
  case MM_CLIENT_UPDATE_PROPOSAL:
    return mm_read_u32(r, &m->id) && mm_read_u16(r, &m->framing) &&
           read_bool(r, &m->new_signature_key);
  case MM_CLIENT_REMOVE_PROPOSAL:
    return mm_read_u32(r, &m->id) && mm_read_u16(r, &m->framing) && mm_read_u32(r, &m->leaf);
  case MM_CLIENT_COMMIT:
    return mm_read_u32(r, &m->id) && mm_read_u16(r, &m->framing) &&
           mm_read_vec(r, &m->authenticated_data) &&
           read_list(r, MM_CLIENT_L_PROPOSAL_MESSAGES, &m->proposals) &&
           read_list(r, MM_CLIENT_L_PROPOSAL_DESCRIPTIONS, &m->by_value) &&
           read_bool(r, &m->ratchet_tree_extension);
  case MM_CLIENT_HANDLE_COMMIT:
    return mm_read_u32(r, &m->id) && read_list(r, MM_CLIENT_L_PROPOSAL_MESSAGES, &m->proposals) &&
           mm_read_vec(r, &m->commit);
  case MM_CLIENT_SIGN_WITH_LABEL:
    return mm_read_u32(r, &m->id) && mm_read_vec(r, &m->label) && mm_read_vec(r, &m->content);
  case MM_CLIENT_SHUTDOWN: return true;
  }
  return mm_reader_fail(r, "CLIENT", "unknown message type");
}

static bool decode_reply(mm_reader *r, mm_client_msg *m) {
  switch (m->type) {
  case MM_CLIENT_PICS:
    return mm_read_u16(r, &m->version) && mm_read_vec(r, &m->implementation) &&
           read_list(r, MM_CLIENT_L_SUITES, &m->suites) && mm_read_u32(r, &m->features);
  case MM_CLIENT_OK: return true;
  case MM_CLIENT_KEY_PACKAGE:
    return mm_read_u32(r, &m->id) && mm_read_vec(r, &m->key_package) &&
           mm_read_vec(r, &m->init_priv) && mm_read_vec(r, &m->encryption_priv) &&
           mm_read_vec(r, &m->signature_priv);
  case MM_CLIENT_STATE: return read_state(r, m);
  case MM_CLIENT_EXTERNAL_JOINED: return read_state(r, m) && read_parts(r, m);
  case MM_CLIENT_PUBLIC_GROUP_STATE:
    return mm_read_vec(r, &m->group_info) && mm_read_vec(r, &m->ratchet_tree);
  case MM_CLIENT_MESSAGE: return mm_read_vec(r, &m->message);
  case MM_CLIENT_UNPROTECTED:
    return mm_read_vec(r, &m->authenticated_data) && mm_read_vec(r, &m->plaintext);
  case MM_CLIENT_COMMIT_BUNDLE:
    return read_parts(r, m) && mm_read_u64(r, &m->epoch) && mm_read_vec(r, &m->epoch_authenticator);
  case MM_CLIENT_MEMBER:
    return mm_read_vec(r, &m->group_id) && mm_read_u16(r, &m->cipher_suite) &&
           mm_read_u64(r, &m->epoch) && mm_read_u32(r, &m->leaf) && mm_read_vec(r, &m->identity) &&
           mm_read_vec(r, &m->signature_public_key) && read_status(r, &m->status) &&
           read_bool(r, &m->pending_commit);
  case MM_CLIENT_SIGNATURE:
    return mm_read_vec(r, &m->signature) && mm_read_vec(r, &m->signature_public_key);
  case MM_CLIENT_ERROR: return mm_read_u8(r, &m->code) && mm_read_vec(r, &m->reason);
  }
  return decode_request(r, m);
}

mm_err mm_client_decode(const uint8_t *body, size_t len, mm_client_msg *out, mm_derr *err) {
  mm_derr local = {0};
  mm_reader r;
  mm_reader_init(&r, body, len, err ? err : &local);
  *out = (mm_client_msg){0};
  bool ok = mm_read_u8(&r, &out->type) && decode_reply(&r, out) && mm_reader_expect_end(&r);
  return ok ? MM_OK : MM_E_MALFORMED;
}

static bool put_view(mm_writer *w, mm_view v) { return mm_put_vec(w, v.data, v.len); }

static bool put_parts(mm_writer *w, const mm_client_msg *m) {
  return put_view(w, m->commit) && put_view(w, m->welcome) && put_view(w, m->group_info) &&
         put_view(w, m->ratchet_tree);
}

static bool put_state(mm_writer *w, const mm_client_msg *m) {
  return mm_put_u32(w, m->id) && mm_put_u8(w, m->status) && mm_put_u64(w, m->epoch) &&
         put_view(w, m->epoch_authenticator);
}

static bool encode_body(const mm_client_msg *m, mm_writer *w) {
  switch (m->type) {
  case MM_CLIENT_HELLO: return mm_put_u16(w, m->version);
  case MM_CLIENT_CONFIGURE: return put_view(w, m->seed) && mm_put_u32(w, m->flags);
  case MM_CLIENT_CREATE_KEY_PACKAGE:
    return mm_put_u16(w, m->cipher_suite) && put_view(w, m->identity);
  case MM_CLIENT_CREATE_GROUP:
    return put_view(w, m->group_id) && mm_put_u16(w, m->cipher_suite) && put_view(w, m->identity);
  case MM_CLIENT_JOIN_GROUP:
    return mm_put_u32(w, m->id) && put_view(w, m->welcome) && put_view(w, m->ratchet_tree);
  case MM_CLIENT_EXTERNAL_JOIN:
    return put_view(w, m->group_info) && put_view(w, m->ratchet_tree) && put_view(w, m->identity) &&
           put_view(w, m->authenticated_data) && mm_put_u8(w, m->remove_prior);
  case MM_CLIENT_GROUP_INFO: return mm_put_u32(w, m->id) && mm_put_u8(w, m->ratchet_tree_extension);
  case MM_CLIENT_STATE_AUTH:
  case MM_CLIENT_HANDLE_PENDING_COMMIT:
  case MM_CLIENT_MEMBER_INFO:
  case MM_CLIENT_FREE: return mm_put_u32(w, m->id);
  case MM_CLIENT_PROTECT:
    return mm_put_u32(w, m->id) && put_view(w, m->authenticated_data) && put_view(w, m->plaintext);
  case MM_CLIENT_UNPROTECT: return mm_put_u32(w, m->id) && put_view(w, m->message);
  case MM_CLIENT_ADD_PROPOSAL:
    return mm_put_u32(w, m->id) && mm_put_u16(w, m->framing) && put_view(w, m->key_package);
  case MM_CLIENT_UPDATE_PROPOSAL:
    return mm_put_u32(w, m->id) && mm_put_u16(w, m->framing) && mm_put_u8(w, m->new_signature_key);
  case MM_CLIENT_REMOVE_PROPOSAL:
    return mm_put_u32(w, m->id) && mm_put_u16(w, m->framing) && mm_put_u32(w, m->leaf);
  case MM_CLIENT_COMMIT:
    return mm_put_u32(w, m->id) && mm_put_u16(w, m->framing) &&
           put_view(w, m->authenticated_data) && put_view(w, m->proposals) &&
           put_view(w, m->by_value) && mm_put_u8(w, m->ratchet_tree_extension);
  case MM_CLIENT_HANDLE_COMMIT:
    return mm_put_u32(w, m->id) && put_view(w, m->proposals) && put_view(w, m->commit);
  case MM_CLIENT_SIGN_WITH_LABEL:
    return mm_put_u32(w, m->id) && put_view(w, m->label) && put_view(w, m->content);
  case MM_CLIENT_SHUTDOWN:
  case MM_CLIENT_OK: return true;
  case MM_CLIENT_PICS:
    return mm_put_u16(w, m->version) && put_view(w, m->implementation) && put_view(w, m->suites) &&
           mm_put_u32(w, m->features);
  case MM_CLIENT_KEY_PACKAGE:
    return mm_put_u32(w, m->id) && put_view(w, m->key_package) && put_view(w, m->init_priv) &&
           put_view(w, m->encryption_priv) && put_view(w, m->signature_priv);
  case MM_CLIENT_STATE: return put_state(w, m);
  case MM_CLIENT_EXTERNAL_JOINED: return put_state(w, m) && put_parts(w, m);
  case MM_CLIENT_PUBLIC_GROUP_STATE:
    return put_view(w, m->group_info) && put_view(w, m->ratchet_tree);
  case MM_CLIENT_MESSAGE: return put_view(w, m->message);
  case MM_CLIENT_UNPROTECTED:
    return put_view(w, m->authenticated_data) && put_view(w, m->plaintext);
  case MM_CLIENT_COMMIT_BUNDLE:
    return put_parts(w, m) && mm_put_u64(w, m->epoch) && put_view(w, m->epoch_authenticator);
  case MM_CLIENT_MEMBER:
    return put_view(w, m->group_id) && mm_put_u16(w, m->cipher_suite) && mm_put_u64(w, m->epoch) &&
           mm_put_u32(w, m->leaf) && put_view(w, m->identity) &&
           put_view(w, m->signature_public_key) && mm_put_u8(w, m->status) &&
           mm_put_u8(w, m->pending_commit);
  case MM_CLIENT_SIGNATURE:
    return put_view(w, m->signature) && put_view(w, m->signature_public_key);
  case MM_CLIENT_ERROR: return mm_put_u8(w, m->code) && put_view(w, m->reason);
  }
  return mm_writer_fail(w, MM_E_MALFORMED);
}

mm_err mm_client_encode(const mm_client_msg *m, mm_writer *w) {
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

uint8_t mm_client_reply_type(uint8_t request) {
  switch (request) {
  case MM_CLIENT_HELLO: return MM_CLIENT_PICS;
  case MM_CLIENT_CONFIGURE:
  case MM_CLIENT_FREE:
  case MM_CLIENT_SHUTDOWN: return MM_CLIENT_OK;
  case MM_CLIENT_CREATE_KEY_PACKAGE: return MM_CLIENT_KEY_PACKAGE;
  case MM_CLIENT_CREATE_GROUP:
  case MM_CLIENT_JOIN_GROUP:
  case MM_CLIENT_STATE_AUTH:
  case MM_CLIENT_HANDLE_COMMIT:
  case MM_CLIENT_HANDLE_PENDING_COMMIT: return MM_CLIENT_STATE;
  case MM_CLIENT_EXTERNAL_JOIN: return MM_CLIENT_EXTERNAL_JOINED;
  case MM_CLIENT_GROUP_INFO: return MM_CLIENT_PUBLIC_GROUP_STATE;
  case MM_CLIENT_PROTECT:
  case MM_CLIENT_ADD_PROPOSAL:
  case MM_CLIENT_UPDATE_PROPOSAL:
  case MM_CLIENT_REMOVE_PROPOSAL: return MM_CLIENT_MESSAGE;
  case MM_CLIENT_UNPROTECT: return MM_CLIENT_UNPROTECTED;
  case MM_CLIENT_COMMIT: return MM_CLIENT_COMMIT_BUNDLE;
  case MM_CLIENT_MEMBER_INFO: return MM_CLIENT_MEMBER;
  case MM_CLIENT_SIGN_WITH_LABEL: return MM_CLIENT_SIGNATURE;
  }
  return 0;
}

bool mm_client_put_suite(mm_writer *w, uint16_t suite) { return mm_put_u16(w, suite); }

bool mm_client_put_proposal_message(mm_writer *w, mm_view message) { return put_view(w, message); }

bool mm_client_put_add(mm_writer *w, mm_view key_package) {
  return mm_put_u16(w, MM_CLIENT_PROPOSAL_ADD) && put_view(w, key_package);
}

bool mm_client_put_remove(mm_writer *w, uint32_t leaf) {
  return mm_put_u16(w, MM_CLIENT_PROPOSAL_REMOVE) && mm_put_u32(w, leaf);
}

/* MLS-4: the parts follow each other without length prefixes of their own
 * (each is self-delimiting; the tree carries its vector length), and the
 * Welcome is an optional<MLSMessage>. */
bool mm_client_commit_bundle(const mm_client_msg *reply, mm_writer *w) {
  const mm_client_msg *m = reply;
  bool ok = mm_put_bytes(w, m->commit.data, m->commit.len);
  if (m->welcome.len)
    ok = ok && mm_put_u8(w, 1) && mm_put_bytes(w, m->welcome.data, m->welcome.len);
  else
    ok = ok && mm_put_u8(w, 0);
  return ok && mm_put_bytes(w, m->group_info.data, m->group_info.len) &&
         mm_put_bytes(w, m->ratchet_tree.data, m->ratchet_tree.len);
}

bool mm_client_public_group_state(const mm_client_msg *reply, mm_writer *w) {
  return mm_put_bytes(w, reply->group_info.data, reply->group_info.len) &&
         mm_put_bytes(w, reply->ratchet_tree.data, reply->ratchet_tree.len);
}

void mm_client_iter_init(mm_client_iter *it, mm_client_list kind, mm_view contents) {
  it->err = (mm_derr){0};
  it->kind = kind;
  mm_reader_init(&it->r, contents.data, contents.len, &it->err);
}

bool mm_client_next(mm_client_iter *it, mm_client_item *out) {
  if (mm_reader_failed(&it->r) || mm_reader_remaining(&it->r) == 0) return false;
  return read_item(&it->r, it->kind, out);
}

size_t mm_client_count(mm_client_list kind, mm_view contents) {
  mm_client_iter it;
  mm_client_item item;
  size_t n = 0;
  mm_client_iter_init(&it, kind, contents);
  while (mm_client_next(&it, &item)) n++;
  return n;
}

static const char *const type_names[] = {
    [MM_CLIENT_HELLO] = "hello",
    [MM_CLIENT_CONFIGURE] = "configure",
    [MM_CLIENT_CREATE_KEY_PACKAGE] = "create_key_package",
    [MM_CLIENT_CREATE_GROUP] = "create_group",
    [MM_CLIENT_JOIN_GROUP] = "join_group",
    [MM_CLIENT_EXTERNAL_JOIN] = "external_join",
    [MM_CLIENT_GROUP_INFO] = "group_info",
    [MM_CLIENT_STATE_AUTH] = "state_auth",
    [MM_CLIENT_PROTECT] = "protect",
    [MM_CLIENT_UNPROTECT] = "unprotect",
    [MM_CLIENT_ADD_PROPOSAL] = "add_proposal",
    [MM_CLIENT_UPDATE_PROPOSAL] = "update_proposal",
    [MM_CLIENT_REMOVE_PROPOSAL] = "remove_proposal",
    [MM_CLIENT_COMMIT] = "commit",
    [MM_CLIENT_HANDLE_COMMIT] = "handle_commit",
    [MM_CLIENT_HANDLE_PENDING_COMMIT] = "handle_pending_commit",
    [MM_CLIENT_MEMBER_INFO] = "member_info",
    [MM_CLIENT_SIGN_WITH_LABEL] = "sign_with_label",
    [MM_CLIENT_FREE] = "free",
    [MM_CLIENT_SHUTDOWN] = "shutdown",
    [MM_CLIENT_PICS] = "pics",
    [MM_CLIENT_OK] = "ok",
    [MM_CLIENT_KEY_PACKAGE] = "key_package",
    [MM_CLIENT_STATE] = "state",
    [MM_CLIENT_EXTERNAL_JOINED] = "external_joined",
    [MM_CLIENT_PUBLIC_GROUP_STATE] = "public_group_state",
    [MM_CLIENT_MESSAGE] = "message",
    [MM_CLIENT_UNPROTECTED] = "unprotected",
    [MM_CLIENT_COMMIT_BUNDLE] = "commit_bundle",
    [MM_CLIENT_MEMBER] = "member",
    [MM_CLIENT_SIGNATURE] = "signature",
    [MM_CLIENT_ERROR] = "error",
};

const char *mm_client_type_name(uint8_t type) {
  const char *n = type_names[type];
  return n ? n : "unknown";
}

const char *mm_client_error_name(uint8_t code) {
  switch (code) {
  case MM_CLIENT_E_UNSUPPORTED: return "unsupported";
  case MM_CLIENT_E_UNKNOWN_ID: return "unknown_id";
  case MM_CLIENT_E_BAD_INPUT: return "bad_input";
  case MM_CLIENT_E_REJECTED: return "rejected";
  case MM_CLIENT_E_WRONG_STATE: return "wrong_state";
  case MM_CLIENT_E_INTERNAL: return "internal";
  }
  return "unknown";
}

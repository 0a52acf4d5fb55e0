/* The public codec of mls.h: type names and the decode, encode and list
 * entry points, each the generic walk of codec/schema.h on a table of
 * mls_schema.c. */
#include <string.h>

#include "mls/mls_schema.h"

const char *mm_mls_type_name(mm_mls_type t) {
  const mm_schema *s = mm_mls_schema_of(t);
  return s ? s->name : NULL;
}

bool mm_mls_type_by_name(const char *name, mm_mls_type *out) {
  for (int t = 0; name && t < MM_MLS_T_COUNT; t++)
    if (strcmp(mm_mls_schema_of((mm_mls_type)t)->name, name) == 0) {
      *out = (mm_mls_type)t;
      return true;
    }
  return false;
}

size_t mm_mls_type_size(mm_mls_type t) {
  const mm_schema *s = mm_mls_schema_of(t);
  return s ? s->size : 0;
}

size_t mm_mls_nfields(mm_mls_type t) {
  const mm_schema *s = mm_mls_schema_of(t);
  return s ? s->nfields : 0;
}

mm_err mm_mls_decode(mm_mls_type t, const uint8_t *data, size_t len, const mm_limits *lim,
                     void *msg, mm_derr *err) {
  const mm_schema *s = mm_mls_schema_of(t);
  if (!s) return MM_E_USAGE;
  return mm_schema_decode(s, data, len, lim, msg, err);
}

bool mm_mls_decode_reader(mm_mls_type t, mm_reader *r, const mm_limits *lim, void *msg) {
  return mm_schema_decode_reader(mm_mls_schema_of(t), r, lim, msg);
}

mm_err mm_mls_encode(mm_mls_type t, const void *msg, const mm_limits *lim, mm_writer *w,
                     mm_derr *err) {
  const mm_schema *s = mm_mls_schema_of(t);
  if (!s) return MM_E_USAGE;
  return mm_schema_encode(s, msg, s->nfields, lim, w, err);
}

mm_err mm_mls_encode_prefix(mm_mls_type t, const void *msg, size_t nfields, const mm_limits *lim,
                            mm_writer *w) {
  const mm_schema *s = mm_mls_schema_of(t);
  if (!s) return MM_E_USAGE;
  return mm_schema_encode(s, msg, nfields, lim, w, NULL);
}

/* ---- lists ---- */

bool mm_mls_ext_next(mm_list l, size_t *pos, mm_mls_extension *out) {
  return mm_schema_list_next(&mm_mls_extension_schema, l, pos, out);
}

bool mm_mls_u16_next(mm_list l, size_t *pos, uint16_t *out) {
  return mm_schema_list_next(&mm_mls_u16_schema, l, pos, out);
}

bool mm_mls_u32_next(mm_list l, size_t *pos, uint32_t *out) {
  return mm_schema_list_next(&mm_mls_u32_schema, l, pos, out);
}

bool mm_mls_node_next(mm_list l, size_t *pos, mm_mls_opt_node *out) {
  return mm_schema_list_next(&mm_mls_opt_node_schema, l, pos, out);
}

bool mm_mls_cert_next(mm_list l, size_t *pos, mm_view *cert_data) {
  return mm_schema_list_next(&mm_mls_certificate_schema, l, pos, cert_data);
}

bool mm_mls_proposal_or_ref_next(mm_list l, size_t *pos, mm_mls_proposal_or_ref *out) {
  return mm_schema_list_next(&mm_mls_proposal_or_ref_schema, l, pos, out);
}

bool mm_mls_update_path_node_next(mm_list l, size_t *pos, mm_mls_update_path_node *out) {
  return mm_schema_list_next(&mm_mls_update_path_node_schema, l, pos, out);
}

bool mm_mls_hpke_ciphertext_next(mm_list l, size_t *pos, mm_mls_hpke_ciphertext *out) {
  return mm_schema_list_next(&mm_mls_hpke_ciphertext_schema, l, pos, out);
}

bool mm_mls_secrets_next(mm_list l, size_t *pos, mm_mls_encrypted_group_secrets *out) {
  return mm_schema_list_next(&mm_mls_encrypted_group_secrets_schema, l, pos, out);
}

bool mm_mls_psk_id_next(mm_list l, size_t *pos, mm_mls_psk_id *out) {
  return mm_schema_list_next(&mm_mls_psk_id_schema, l, pos, out);
}

mm_list mm_mls_list_view(const mm_writer *w, uint32_t count) {
  return (mm_list){mm_writer_view(w), count};
}

mm_err mm_mls_elem_encode(mm_mls_elem e, const void *elem, mm_writer *w) {
  const mm_schema *s = mm_mls_elem_schema(e);
  if (!s) return MM_E_USAGE;
  return mm_schema_encode(s, elem, s->nfields, NULL, w, NULL);
}

/* ---- profile v2 Envelope bodies ---- */

mm_err mm_mls_envelope_body_decode(uint8_t msg_type, mm_view body, const mm_limits *lim,
                                   mm_mls_envelope_body *out, mm_derr *err) {
  if (!out || !lim) return MM_E_USAGE;
  memset(out, 0, sizeof *out);
  mm_derr local = {0};
  if (!err) err = &local;
  switch (msg_type) {
  case MM_MSG_MIGRATION_COMMIT:
  case MM_MSG_COMMIT_BUNDLE:
    return mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, body.data, body.len, lim, &out->commit_bundle,
                         err);
  case MM_MSG_WELCOME: {
    mm_err e = mm_mls_decode(MM_MLS_T_MLS_MESSAGE, body.data, body.len, lim, &out->welcome, err);
    if (e == MM_OK && out->welcome.wire_format != MM_MLS_WIRE_WELCOME) {
      *err = (mm_derr){.rule = "ENC-4", .offset = 2, .reason = "welcome: not an mls_welcome"};
      e = MM_E_MALFORMED;
    }
    return e;
  }
  case MM_MSG_GROUP_INFO_REQUEST: {
    mm_reader r;
    mm_reader_init(&r, body.data, body.len, err);
    bool ok = mm_read_vec(&r, &out->group_id);
    if (ok && (out->group_id.len == 0 || out->group_id.len > MM_GROUP_ID_MAX))
      ok = mm_reader_fail_at(&r, 0, "ENC-4", "group_id must be 1..255 bytes");
    return ok && mm_reader_expect_end(&r) ? MM_OK : MM_E_MALFORMED;
  }
  case MM_MSG_GROUP_INFO:
    return mm_mls_decode(MM_MLS_T_PUBLIC_GROUP_STATE, body.data, body.len, lim, &out->public_state,
                         err);
  }
  return MM_E_USAGE;
}

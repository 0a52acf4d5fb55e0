/* Field tables of the draft's seven messages, MigrationCommitAAD, and the
 * profile's Envelope and MigrationError (profile section 8), plus the type
 * names. Field order is wire order; names are the draft's. */
#include <string.h>

#include "codec/schema.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SCHEMA(sname, ctype, table) \
  { (sname), sizeof(ctype), (table), COUNT(table), false }

/* A plain field (integer without range, or an opaque kind). */
#define FIELD(S, f, k) \
  { .name = #f, .kind = (k), .offset = offsetof(S, f) }
/* An integer accepted only in [lo, hi] (ENC-4). */
#define RANGED(S, f, k, lo, hi, why) \
  { .name = #f, .kind = (k), .offset = offsetof(S, f), .reason = (why), .min = (lo), .max = (hi) }
/* RANGED, with a higher max under the feature migration_refusal (docs/amendment.md). */
#define RANGED_FEAT(S, f, k, lo, hi, fhi, why)                                                    \
  {                                                                                               \
    .name = #f, .kind = (k), .offset = offsetof(S, f), .reason = (why), .min = (lo), .max = (hi), \
    .feat_max = (fhi)                                                                             \
  }
#define NESTED(S, f, sch) \
  { .name = #f, .kind = MM_K_STRUCT, .offset = offsetof(S, f), .sub = &(sch) }

/* ---- draft-05 section 3 ---- */

static const mm_field request_fields[] = {
    FIELD(mm_migration_request, source_domain_name, MM_K_DOMAIN),
    FIELD(mm_migration_request, target_domain_name, MM_K_DOMAIN),
    FIELD(mm_migration_request, group_id, MM_K_GROUP_ID),
    FIELD(mm_migration_request, epoch, MM_K_U64),
};
static const mm_schema request_schema =
    SCHEMA("migration_request", mm_migration_request, request_fields);

static const mm_field response_fields[] = {
    NESTED(mm_migration_response, migration_request, request_schema),
    FIELD(mm_migration_response, nonce, MM_K_NONCE),
    FIELD(mm_migration_response, signature, MM_K_SIGNATURE),
};
static const mm_schema response_schema =
    SCHEMA("migration_response", mm_migration_response, response_fields);

static const mm_field init_fields[] = {
    NESTED(mm_migration_init, migration_response, response_schema),
    FIELD(mm_migration_init, signature, MM_K_SIGNATURE),
};
static const mm_schema init_schema = SCHEMA("migration_init", mm_migration_init, init_fields);

static const mm_field commit_aad_fields[] = {
    FIELD(mm_migration_commit_aad, target_ds_domain, MM_K_DOMAIN),
};
static const mm_schema commit_aad_schema =
    SCHEMA("migration_commit_aad", mm_migration_commit_aad, commit_aad_fields);

static const mm_field content_fields[] = {
    NESTED(mm_migration_content, migration_response, response_schema),
    FIELD(mm_migration_content, group_state, MM_K_GROUP_STATE),
    FIELD(mm_migration_content, signature, MM_K_SIGNATURE),
};
static const mm_schema content_schema =
    SCHEMA("migration_content", mm_migration_content, content_fields);

static const mm_field complete_fields[] = {
    FIELD(mm_target_migration_complete, migration_content_hash, MM_K_HASH),
    FIELD(mm_target_migration_complete, signature, MM_K_SIGNATURE),
};
static const mm_schema complete_schema =
    SCHEMA("target_migration_complete", mm_target_migration_complete, complete_fields);

static const mm_field confirmation_fields[] = {
    FIELD(mm_migration_confirmation, domain_name, MM_K_DOMAIN),
    FIELD(mm_migration_confirmation, nonce, MM_K_NONCE),
    FIELD(mm_migration_confirmation, group_id, MM_K_GROUP_ID),
    FIELD(mm_migration_confirmation, signature, MM_K_SIGNATURE),
};
static const mm_schema confirmation_schema =
    SCHEMA("migration_confirmation", mm_migration_confirmation, confirmation_fields);

/* ---- profile section 8 ---- */

static const mm_field envelope_fields[] = {
    RANGED_FEAT(mm_envelope, msg_type, MM_K_U8, MM_MSG_MIGRATION_REQUEST, MM_MSG_MLS_MESSAGE,
                MM_MSG_MIGRATION_WITHDRAW, "unknown msg_type"),
    /* Any nonzero suite decodes; whether it is supported is the DS's call
     * (unsupported_ciphersuite), not the codec's. */
    RANGED(mm_envelope, cipher_suite, MM_K_U16, 1, UINT16_MAX, "cipher_suite must be nonzero"),
    FIELD(mm_envelope, sender, MM_K_IDENTITY),
    {.name = "body",
     .kind = MM_K_BODY,
     .offset = offsetof(mm_envelope, body),
     .sel_kind = MM_K_U8,
     .sel_off = offsetof(mm_envelope, msg_type),
     .suite_off = offsetof(mm_envelope, cipher_suite)},
};
static const mm_schema envelope_schema = SCHEMA("envelope", mm_envelope, envelope_fields);

static const mm_field error_fields[] = {
    /* The profile enumerates codes 1..18; other values are rejected like an
     * unknown msg_type, so a peer cannot smuggle undefined codes. */
    RANGED_FEAT(mm_migration_error, code, MM_K_U16, MM_E_MALFORMED, MM_E_WIRE_LAST,
                MM_E_MIGRATION_REFUSED, "unknown error code"),
    FIELD(mm_migration_error, detail, MM_K_DETAIL),
};
static const mm_schema error_schema = SCHEMA("migration_error", mm_migration_error, error_fields);

/* ---- docs/amendment.md (feature migration_refusal) ---- */

static const mm_field refusal_fields[] = {
    FIELD(mm_migration_refusal, nonce, MM_K_NONCE),
    FIELD(mm_migration_refusal, migration_content_hash, MM_K_HASH),
    RANGED(mm_migration_refusal, reason, MM_K_U16, MM_RR_NONCE_EXPIRED, MM_RR_WITHDRAWN,
           "unknown refusal reason"),
    FIELD(mm_migration_refusal, signature, MM_K_SIGNATURE),
};
static const mm_schema refusal_schema =
    SCHEMA("migration_refusal", mm_migration_refusal, refusal_fields);

static const mm_field withdraw_fields[] = {
    FIELD(mm_migration_withdraw, nonce, MM_K_NONCE),
    FIELD(mm_migration_withdraw, migration_content_hash, MM_K_HASH),
    FIELD(mm_migration_withdraw, signature, MM_K_SIGNATURE),
};
static const mm_schema withdraw_schema =
    SCHEMA("migration_withdraw", mm_migration_withdraw, withdraw_fields);

/* Indexed by mm_type. */
static const mm_schema *const schemas[MM_T_COUNT] = {
    [MM_T_MIGRATION_REQUEST] = &request_schema,
    [MM_T_MIGRATION_RESPONSE] = &response_schema,
    [MM_T_MIGRATION_INIT] = &init_schema,
    [MM_T_MIGRATION_COMMIT_AAD] = &commit_aad_schema,
    [MM_T_MIGRATION_CONTENT] = &content_schema,
    [MM_T_TARGET_MIGRATION_COMPLETE] = &complete_schema,
    [MM_T_MIGRATION_CONFIRMATION] = &confirmation_schema,
    [MM_T_ENVELOPE] = &envelope_schema,
    [MM_T_MIGRATION_ERROR] = &error_schema,
    [MM_T_MLS_MESSAGE] = &mm_schema_mls_message,
    [MM_T_MIGRATION_REFUSAL] = &refusal_schema,
    [MM_T_MIGRATION_WITHDRAW] = &withdraw_schema,
};

const mm_schema *mm_schema_of(mm_type t) { return (unsigned)t < MM_T_COUNT ? schemas[t] : NULL; }

/* ---- names ---- */

const char *mm_type_name(mm_type t) {
  const mm_schema *s = mm_schema_of(t);
  return s ? s->name : NULL;
}

bool mm_type_by_name(const char *name, mm_type *out) {
  for (int t = 0; name && t < MM_T_COUNT; t++)
    if (strcmp(schemas[t]->name, name) == 0) {
      *out = (mm_type)t;
      return true;
    }
  return false;
}

/* Profile section 8, MessageType, with the codec type of each body. */
static const struct {
  const char *name;
  mm_type body;
} msg_types[] = {
    [MM_MSG_MIGRATION_REQUEST] = {"migration_request", MM_T_MIGRATION_REQUEST},
    [MM_MSG_MIGRATION_RESPONSE] = {"migration_response", MM_T_MIGRATION_RESPONSE},
    [MM_MSG_MIGRATION_INIT] = {"migration_init", MM_T_MIGRATION_INIT},
    [MM_MSG_MIGRATION_CONTENT] = {"migration_content", MM_T_MIGRATION_CONTENT},
    [MM_MSG_TARGET_MIGRATION_COMPLETE] = {"target_migration_complete",
                                          MM_T_TARGET_MIGRATION_COMPLETE},
    [MM_MSG_MIGRATION_CONFIRMATION] = {"migration_confirmation", MM_T_MIGRATION_CONFIRMATION},
    [MM_MSG_MIGRATION_ERROR] = {"migration_error", MM_T_MIGRATION_ERROR},
    /* Both travel as an MLSMessage; the codec checks only its framing. */
    [MM_MSG_MIGRATION_COMMIT] = {"migration_commit", MM_T_MLS_MESSAGE},
    [MM_MSG_MLS_MESSAGE] = {"mls_message", MM_T_MLS_MESSAGE},
    /* Profile v2: bodies of the MLS layer (MM_T_COUNT: none of the codec's). */
    [MM_MSG_COMMIT_BUNDLE] = {"commit_bundle", MM_T_COUNT},
    [MM_MSG_WELCOME] = {"welcome", MM_T_COUNT},
    [MM_MSG_GROUP_INFO_REQUEST] = {"group_info_request", MM_T_COUNT},
    [MM_MSG_GROUP_INFO] = {"group_info", MM_T_COUNT},
    /* the feature migration_refusal (docs/amendment.md): */
    [MM_MSG_MIGRATION_REFUSAL] = {"migration_refusal", MM_T_MIGRATION_REFUSAL},
    [MM_MSG_MIGRATION_WITHDRAW] = {"migration_withdraw", MM_T_MIGRATION_WITHDRAW},
};

const char *mm_msg_type_name(int msg_type) {
  if (msg_type < MM_MSG_MIGRATION_REQUEST || msg_type > MM_MSG_MIGRATION_WITHDRAW) return NULL;
  return msg_types[msg_type].name;
}

bool mm_msg_type_by_name(const char *name, int *out) {
  for (int m = MM_MSG_MIGRATION_REQUEST; name && m <= MM_MSG_MIGRATION_WITHDRAW; m++)
    if (msg_types[m].name && strcmp(msg_types[m].name, name) == 0) {
      *out = m;
      return true;
    }
  return false;
}

bool mm_msg_type_body(int msg_type, mm_type *out) {
  if (!mm_msg_type_name(msg_type) || msg_types[msg_type].body == MM_T_COUNT) return false;
  *out = msg_types[msg_type].body;
  return true;
}

const char *mm_refusal_reason_name(int reason) {
  static const char *const names[] = {
      [MM_RR_NONCE_EXPIRED] = "nonce_expired", [MM_RR_UNAUTHORIZED] = "unauthorized",
      [MM_RR_GROUP_EXISTS] = "group_exists",   [MM_RR_INVALID_GROUP_STATE] = "invalid_group_state",
      [MM_RR_WITHDRAWN] = "withdrawn",
  };
  return reason >= MM_RR_NONCE_EXPIRED && reason <= MM_RR_WITHDRAWN ? names[reason] : NULL;
}

/* ---- table helpers ---- */

uint64_t mm_field_get_int(const void *base, mm_kind kind, size_t offset) {
  const unsigned char *p = (const unsigned char *)base + offset;
  switch (kind) {
  case MM_K_U8: return *(const uint8_t *)p;
  case MM_K_U16: return *(const uint16_t *)(const void *)p;
  case MM_K_U32: return *(const uint32_t *)(const void *)p;
  case MM_K_U64: return *(const uint64_t *)(const void *)p;
  default: return 0;
  }
}

void mm_field_set_int(void *base, mm_kind kind, size_t offset, uint64_t v) {
  unsigned char *p = (unsigned char *)base + offset;
  switch (kind) {
  case MM_K_U8: *(uint8_t *)p = (uint8_t)v; break;
  case MM_K_U16: *(uint16_t *)(void *)p = (uint16_t)v; break;
  case MM_K_U32: *(uint32_t *)(void *)p = (uint32_t)v; break;
  case MM_K_U64: *(uint64_t *)(void *)p = v; break;
  default: break;
  }
}

uint64_t mm_kind_int_max(mm_kind kind) {
  switch (kind) {
  case MM_K_U8: return UINT8_MAX;
  case MM_K_U16: return UINT16_MAX;
  case MM_K_U32: return UINT32_MAX;
  case MM_K_U64: return UINT64_MAX;
  default: return 0;
  }
}

const mm_case *mm_select_case(const mm_field *f, const void *base) {
  uint64_t v = mm_field_get_int(base, f->sel_kind, f->sel_off);
  for (size_t i = 0; i < f->ncases; i++)
    if (f->cases[i].value == v) return &f->cases[i];
  return NULL;
}

mm_limits mm_limits_default(uint16_t suite) {
  return (mm_limits){.suite = suite, .max_group_state = MM_GROUP_STATE_DEFAULT_MAX};
}

mm_limits mm_limits_or_default(const mm_limits *lim) { return lim ? *lim : mm_limits_default(0); }

size_t mm_type_struct_size(mm_type t) {
  const mm_schema *s = mm_schema_of(t);
  return s ? s->size : 0;
}

bool mm_type_has_signature(mm_type t) {
  const mm_schema *s = mm_schema_of(t);
  return s && s->nfields && s->fields[s->nfields - 1].kind == MM_K_SIGNATURE;
}

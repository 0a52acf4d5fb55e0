/* The seven messages of draft-05, the profile's Envelope and MigrationError,
 * and the framing of RFC 9420 MLSMessage, as typed C structs.
 *
 * Decoding fills a struct whose opaque fields are views into the input: the
 * input must outlive the struct. Encoding reads views from wherever the
 * caller points them. Both enforce ENC-1..ENC-4; suite-dependent limits
 * (hash and signature lengths) apply when mm_limits.suite names a suite. */
#ifndef MLSMIG_MESSAGES_H
#define MLSMIG_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/bytes.h"

#define MM_NONCE_LEN 32
#define MM_DOMAIN_MAX 253
#define MM_GROUP_ID_MAX 255
#define MM_SENDER_MAX 320  /* name (<=64) '@' domain (<=253), profile ENC-4 */
#define MM_DETAIL_MAX 1024 /* MigrationError.detail, UTF-8 */
#define MM_GROUP_STATE_DEFAULT_MAX (256u * 1024u * 1024u)

/* Profile section 8, MessageType: the value of Envelope.msg_type. */
typedef enum mm_msg_type {
  MM_MSG_MIGRATION_REQUEST = 1,
  MM_MSG_MIGRATION_RESPONSE = 2,
  MM_MSG_MIGRATION_INIT = 3,
  MM_MSG_MIGRATION_CONTENT = 4,
  MM_MSG_TARGET_MIGRATION_COMPLETE = 5,
  MM_MSG_MIGRATION_CONFIRMATION = 6,
  MM_MSG_MIGRATION_ERROR = 7,
  MM_MSG_MIGRATION_COMMIT = 8, /* an MLSMessage carrying MigrationCommitAAD */
  MM_MSG_MLS_MESSAGE = 9,      /* any other MLSMessage */
  /* Profile v2 (section 8): the MLS layer decodes their bodies. */
  MM_MSG_COMMIT_BUNDLE = 10,      /* an ordinary Commit: CommitBundle (MLS-4) */
  MM_MSG_WELCOME = 11,            /* a DS delivering a Welcome: the MLSMessage */
  MM_MSG_GROUP_INFO_REQUEST = 12, /* opaque group_id<V> (MLS-6) */
  MM_MSG_GROUP_INFO = 13,         /* PublicGroupState (MLS-6) */
  /* The profile feature migration_refusal (docs/amendment.md, B.1): an Envelope carries them only
   * when its limits name the feature (mm_limits.features), otherwise msg_type is unknown. */
  MM_MSG_MIGRATION_REFUSAL = 14, /* MigrationRefusal, target -> source */
  MM_MSG_MIGRATION_WITHDRAW = 15 /* MigrationWithdraw, source -> target */
} mm_msg_type;

/* Profile versions: v1 (member-list GroupState, the migration Commit alone) and v2 (section 11:
 * the group's RFC 9420 public state, CommitBundles). 0 in a config means v1. */
enum { MM_PROFILE_V1 = 1, MM_PROFILE_V2 = 2 };
#define MM_MSG_V1_LAST MM_MSG_MLS_MESSAGE
#define MM_MSG_V2_LAST MM_MSG_GROUP_INFO

/* Profile features a peer declares (AMD-1): bits of mm_limits.features and of the DS configs. */
enum { MM_FEAT_MIGRATION_REFUSAL = 1u << 0 };

/* docs/amendment.md, RefusalReason (a uint16; 1..5 on the wire). */
typedef enum mm_refusal_reason {
  MM_RR_NONCE_EXPIRED = 1,
  MM_RR_UNAUTHORIZED = 2,
  MM_RR_GROUP_EXISTS = 3,
  MM_RR_INVALID_GROUP_STATE = 4,
  MM_RR_WITHDRAWN = 5,
} mm_refusal_reason;

/* mm_refusal_reason_name returns the RefusalReason's name ("nonce_expired"), NULL outside 1..5. */
const char *mm_refusal_reason_name(int reason);

/* Everything the codec can decode, named as on the CLI (--type). */
typedef enum mm_type {
  MM_T_MIGRATION_REQUEST,
  MM_T_MIGRATION_RESPONSE,
  MM_T_MIGRATION_INIT,
  MM_T_MIGRATION_COMMIT_AAD,
  MM_T_MIGRATION_CONTENT,
  MM_T_TARGET_MIGRATION_COMPLETE,
  MM_T_MIGRATION_CONFIRMATION,
  MM_T_ENVELOPE,
  MM_T_MIGRATION_ERROR,
  MM_T_MLS_MESSAGE,
  /* The feature migration_refusal (docs/amendment.md). */
  MM_T_MIGRATION_REFUSAL,
  MM_T_MIGRATION_WITHDRAW,
  MM_T_COUNT
} mm_type;

/* The codec types of the profile without its features: the vectors cover these. */
#define MM_T_PROFILE_COUNT (MM_T_MLS_MESSAGE + 1)

/* mm_type_name returns t's name for --type ("migration_request"), NULL outside the enum. */
const char *mm_type_name(mm_type t);
/* mm_type_by_name sets *out to the codec type called name and says whether there is one. */
bool mm_type_by_name(const char *name, mm_type *out);
/* mm_msg_type_name returns the name of an Envelope msg_type ("migration_init"), NULL if unknown
 * (1..13 are known: 10..13 are profile v2's). */
const char *mm_msg_type_name(int msg_type);
/* mm_msg_type_by_name sets *out to the Envelope msg_type called name and says whether there is one. */
bool mm_msg_type_by_name(const char *name, int *out);
/* mm_msg_type_body sets *out to the codec type of an Envelope body of msg_type (as profile v1 has
 * it) and says whether the codec decodes that body: false for unknown types and for v2's 10..13,
 * whose bodies the MLS layer decodes (mm_mls_envelope_body_check). */
bool mm_msg_type_body(int msg_type, mm_type *out);

typedef struct mm_limits {
  uint16_t suite;           /* 0: unknown, only suite-independent limits */
  uint64_t max_group_state; /* ENC-4, default 256 MiB */
  /* MM_FEAT_* in force (default none): MM_FEAT_MIGRATION_REFUSAL makes Envelope.msg_type 14 and 15
   * and MigrationError.code 19 known. */
  uint32_t features;
} mm_limits;

/* mm_limits_default returns the limits of suite (0: suite-independent limits only) with the default
 * group_state bound of 256 MiB (ENC-4). */
mm_limits mm_limits_default(uint16_t suite);

typedef struct mm_migration_request {
  mm_view source_domain_name;
  mm_view target_domain_name;
  mm_view group_id;
  uint64_t epoch;
} mm_migration_request;

typedef struct mm_migration_response {
  mm_migration_request migration_request;
  mm_view nonce; /* exactly MM_NONCE_LEN */
  mm_view signature;
} mm_migration_response;

typedef struct mm_migration_init {
  mm_migration_response migration_response;
  mm_view signature;
} mm_migration_init;

typedef struct mm_migration_commit_aad {
  mm_view target_ds_domain;
} mm_migration_commit_aad;

typedef struct mm_migration_content {
  mm_migration_response migration_response;
  mm_view group_state;
  mm_view signature;
} mm_migration_content;

typedef struct mm_target_migration_complete {
  mm_view migration_content_hash;
  mm_view signature;
} mm_target_migration_complete;

typedef struct mm_migration_confirmation {
  mm_view domain_name;
  mm_view nonce;
  mm_view group_id;
  mm_view signature;
} mm_migration_confirmation;

/* docs/amendment.md, Part A. */
typedef struct mm_migration_refusal {
  mm_view nonce; /* exactly MM_NONCE_LEN */
  mm_view migration_content_hash;
  uint16_t reason; /* mm_refusal_reason */
  mm_view signature;
} mm_migration_refusal;

typedef struct mm_migration_withdraw {
  mm_view nonce; /* exactly MM_NONCE_LEN */
  mm_view migration_content_hash;
  mm_view signature;
} mm_migration_withdraw;

typedef struct mm_envelope {
  uint8_t msg_type;
  uint16_t cipher_suite;
  mm_view sender; /* "name@domain" for a client, the domain for a DS */
  mm_view body;   /* one serialized message, checked against msg_type */
} mm_envelope;

typedef struct mm_migration_error {
  uint16_t code;
  mm_view detail;
} mm_migration_error;

/* RFC 9420 section 6 */
enum { MM_MLS10 = 1 };
enum { MM_WIRE_PUBLIC = 1, MM_WIRE_PRIVATE = 2 };
enum {
  MM_SENDER_MEMBER = 1,
  MM_SENDER_EXTERNAL = 2,
  MM_SENDER_NEW_MEMBER_PROPOSAL = 3,
  MM_SENDER_NEW_MEMBER_COMMIT = 4
};
enum { MM_CONTENT_APPLICATION = 1, MM_CONTENT_PROPOSAL = 2, MM_CONTENT_COMMIT = 3 };

/* The framing of a PublicMessage or PrivateMessage. The content itself is
 * never parsed: for a PublicMessage everything after content_type (content,
 * auth data, membership tag) is kept whole in `rest`. */
typedef struct mm_mls_message {
  uint16_t version;
  uint16_t wire_format;
  mm_view group_id;
  uint64_t epoch;
  /* PublicMessage only */
  uint8_t sender_type;
  uint32_t sender_index; /* leaf_index or sender_index; 0 when absent */
  mm_view rest;
  /* both */
  mm_view authenticated_data;
  uint8_t content_type;
  /* PrivateMessage only */
  mm_view encrypted_sender_data;
  mm_view ciphertext;
} mm_mls_message;

/* Storage for any codec type, for code that picks the type at run time. */
typedef union mm_any_msg {
  mm_migration_request migration_request;
  mm_migration_response migration_response;
  mm_migration_init migration_init;
  mm_migration_commit_aad migration_commit_aad;
  mm_migration_content migration_content;
  mm_target_migration_complete target_migration_complete;
  mm_migration_confirmation migration_confirmation;
  mm_envelope envelope;
  mm_migration_error migration_error;
  mm_mls_message mls_message;
  mm_migration_refusal migration_refusal;
  mm_migration_withdraw migration_withdraw;
} mm_any_msg;

/* mm_decode decodes data strictly (ENC-1..ENC-4) under lim as codec type t into msg, the struct
 * that matches t (views into data); on failure *err (may be NULL) gives the rule, offset and
 * reason. */
MM_MUST_USE mm_err mm_decode(mm_type t, const uint8_t *data, size_t len, const mm_limits *lim,
                             void *msg, mm_derr *err);
/* mm_decode_reader is mm_decode from a reader, for nested bodies: offsets stay those of the
 * outermost input and the failure goes to the reader's error record. */
bool mm_decode_reader(mm_type t, mm_reader *r, const mm_limits *lim, void *msg);
/* mm_encode appends the canonical encoding of msg (codec type t) to w; MM_E_MALFORMED (and *err
 * when given) if a field breaks ENC-4. */
MM_MUST_USE mm_err mm_encode(mm_type t, const void *msg, const mm_limits *lim, mm_writer *w,
                             mm_derr *err);
/* mm_encode_tbs appends the to-be-signed form of msg, its encoding without the final signature
 * field (profile section 3); MM_E_USAGE for a type that does not end in a signature. */
MM_MUST_USE mm_err mm_encode_tbs(mm_type t, const void *msg, const mm_limits *lim, mm_writer *w);
/* mm_type_has_signature says whether codec type t ends in a signature field. */
bool mm_type_has_signature(mm_type t);
/* mm_type_struct_size returns the size of the C struct of codec type t, 0 outside the enum. */
size_t mm_type_struct_size(mm_type t);

/* mm_msg_type_in_profile says whether msg_type is a MessageType of profile (1 or 0: 1..9; 2:
 * 1..13). */
bool mm_msg_type_in_profile(int msg_type, int profile);
/* mm_msg_body_is_mls says whether, under profile, the body of msg_type is left to the MLS layer
 * (v2: migration_commit(8), which carries a CommitBundle, and 10..13). */
bool mm_msg_body_is_mls(int msg_type, int profile);
/* mm_envelope_decode_profile decodes an Envelope of profile strictly: v1 exactly as
 * mm_decode(MM_T_ENVELOPE); v2 the same for the types whose body the codec decodes, and for the
 * others (mm_msg_body_is_mls) the frame alone (known msg_type, nonzero suite, sender identity,
 * body of at most max_group_state bytes), the body to be checked by the MLS layer. */
MM_MUST_USE mm_err mm_envelope_decode_profile(int profile, const uint8_t *data, size_t len,
                                              const mm_limits *lim, mm_envelope *env, mm_derr *err);
/* mm_envelope_encode_profile appends the Envelope env of profile to w: as mm_encode(MM_T_ENVELOPE)
 * for the types the codec decodes, the frame with the body as it is for the MLS layer's. */
MM_MUST_USE mm_err mm_envelope_encode_profile(int profile, const mm_envelope *env,
                                              const mm_limits *lim, mm_writer *w, mm_derr *err);

/* mm_domain_valid says whether d is a domain name ENC-4 accepts: 1..253 bytes of lowercase LDH
 * labels, no trailing dot. */
bool mm_domain_valid(mm_view d);
/* mm_identity_valid says whether id is "name@domain" or a domain name, as ENC-4 has them. */
bool mm_identity_valid(mm_view id);
/* mm_signature_valid says whether sig has the form ENC-4 asks of suite's signatures (the exact
 * EdDSA length, valid DER for ECDSA). */
bool mm_signature_valid(uint16_t suite, mm_view sig);
/* mm_hash_len_valid says whether len is suite's hash length (for suite 0: 32, 48 or 64). */
bool mm_hash_len_valid(uint16_t suite, size_t len);

#endif

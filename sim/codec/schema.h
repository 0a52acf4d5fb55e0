/* Field tables of every codec type (internal).
 *
 * Each struct of messages.h is described once, as a list of fields in wire
 * order: the draft's field name, a kind, and where the field lives in the C
 * struct. The binary decoder, the encoder, the to-be-signed encoder and the
 * JSON codec all walk these tables, so a message is defined in one place. */
#ifndef MLSMIG_SCHEMA_H
#define MLSMIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "mlsmig/crypto.h"
#include "mlsmig/messages.h"

typedef enum mm_kind {
  /* Big-endian integers (uint8_t ... uint64_t in the struct). */
  MM_K_U8,
  MM_K_U16,
  MM_K_U32,
  MM_K_U64,
  /* opaque x<V> (an mm_view), each with its ENC-4 rule (see limits.c). */
  MM_K_DOMAIN,      /* lowercase LDH domain name */
  MM_K_GROUP_ID,    /* 1..255 bytes */
  MM_K_SIGNATURE,   /* suite's EdDSA length or strict DER ECDSA */
  MM_K_HASH,        /* suite's hash length */
  MM_K_GROUP_STATE, /* at most mm_limits.max_group_state */
  MM_K_IDENTITY,    /* Envelope.sender */
  MM_K_DETAIL,      /* UTF-8, at most MM_DETAIL_MAX */
  MM_K_OPAQUE,      /* no limit beyond ENC-1 */
  /* Fixed and unframed byte fields (an mm_view). */
  MM_K_NONCE, /* uint8 nonce[32]: no length header */
  MM_K_REST,  /* everything left in the input, kept unparsed */
  /* opaque body<V> holding one message, its type chosen by a sibling
   * integer through mm_msg_type_body (Envelope.body). */
  MM_K_BODY,
  /* A nested struct, inline on the wire. In JSON a nested object. */
  MM_K_STRUCT,
  /* A variant chosen by a sibling integer (RFC 9420 `select`). */
  MM_K_SELECT,
  /* RFC 9420 structures (sim/mls/): */
  /* T items<V> (an mm_list): the elements follow schema sub. A list is
   * walked one element at a time in a scratch struct (at most
   * MM_SCHEMA_ELEM_MAX bytes), never allocated. With reason set, a count
   * outside [min, max] is refused (ENC-4). In JSON an array. */
  MM_K_LIST,
  /* optional<T>: a uint8 presence flag (0 or 1, kept at sel_off), then T
   * (schema sub, at offset) when present. In JSON null or the object. */
  MM_K_OPTIONAL,
  /* opaque x<V> whose length the suite fixes (when it is known): */
  MM_K_SIG_KEY,  /* SignaturePublicKey: raw EdDSA, uncompressed SEC1 */
  MM_K_HPKE_KEY, /* HPKEPublicKey of the suite's KEM */
  MM_K_MAC,      /* MAC: the suite's hash length */
  MM_K_HASH_OPT, /* empty, or the suite's hash length */
} mm_kind;

/* The largest element struct a list may have (see MM_K_LIST). */
#define MM_SCHEMA_ELEM_MAX 1024

typedef struct mm_schema mm_schema;

/* One arm of a select. key names the JSON object holding the arm's fields;
 * NULL puts them inline in the enclosing object. */
typedef struct mm_case {
  uint64_t value;
  const char *key;
  const mm_schema *schema;
} mm_case;

typedef struct mm_field {
  const char *name; /* the draft's name, also the JSON key (NULL: select) */
  mm_kind kind;
  size_t offset; /* offsetof into the struct the schema describes */
  /* MM_K_STRUCT: the nested schema. Its offsets are relative to base +
   * offset, so a nested schema over the same C struct uses offset 0. */
  const mm_schema *sub;
  /* Integers: when reason is set, values outside [min, max] are rejected
   * (ENC-4) with this reason. MM_K_SELECT: reason for a value with no arm. */
  const char *reason;
  uint64_t min, max;
  /* Integers with reason: the max under mm_limits.features MM_FEAT_MIGRATION_REFUSAL, when above
   * max (0: max in any case). */
  uint64_t feat_max;
  /* MM_K_SELECT and MM_K_BODY: the selecting integer, decoded earlier. */
  mm_kind sel_kind;
  size_t sel_off;
  /* MM_K_SELECT */
  const mm_case *cases;
  size_t ncases;
  /* MM_K_BODY: the uint16 cipher_suite sibling, which sets the limits the
   * body is checked under. */
  size_t suite_off;
  /* MM_K_U16: this field is a CipherSuite whose limits apply to the rest of
   * the walk (to the end of the enclosing suite_scope schema, if any). */
  bool sets_suite;
} mm_field;

struct mm_schema {
  const char *name; /* "migration_request" ... */
  size_t size;      /* sizeof the C struct */
  const mm_field *fields;
  size_t nfields;
  /* A suite set inside (sets_suite) ends with this struct: a KeyPackage
   * inside a Commit names its own suite without changing the Commit's. */
  bool suite_scope;
};

/* A schema whose only field is unnamed (and not a select) has the JSON
 * form of that field: a list of integers is an array of numbers, an
 * optional<Node> is null or the node. */

/* The walks of messages.c and json_codec.c on any schema (the mm_type entry
 * points above are these on mm_schema_of(t)). */
bool mm_schema_decode_reader(const mm_schema *s, mm_reader *r, const mm_limits *lim, void *out);
mm_err mm_schema_decode(const mm_schema *s, const uint8_t *data, size_t len, const mm_limits *lim,
                        void *out, mm_derr *err);
/* The first nfields fields only (all of them: s->nfields); the TBS forms
 * of RFC 9420 are prefixes. */
mm_err mm_schema_encode(const mm_schema *s, const void *msg, size_t nfields, const mm_limits *lim,
                        mm_writer *w, mm_derr *err);
/* Walks list l of elements of schema elem: *pos starts at 0; false at the
 * end (or on an element that does not decode, which a decoded list never
 * has). Elements decode under suite-independent limits. */
bool mm_schema_list_next(const mm_schema *elem, mm_list l, size_t *pos, void *out);

/* NULL if t is out of range. */
const mm_schema *mm_schema_of(mm_type t);

/* The MLSMessage framing tables (mls_message.c). */
extern const mm_schema mm_schema_mls_message;

/* Integer access for MM_K_U8 ... MM_K_U64 at base + offset. */
uint64_t mm_field_get_int(const void *base, mm_kind kind, size_t offset);
void mm_field_set_int(void *base, mm_kind kind, size_t offset, uint64_t v);
uint64_t mm_kind_int_max(mm_kind kind);
/* The arm of select field f for the struct at base, NULL if none. */
const mm_case *mm_select_case(const mm_field *f, const void *base);

/* ENC-4 check of one opaque field (limits.c): NULL when v is acceptable,
 * else a short reason. suite is NULL when unknown. */
const char *mm_field_problem(mm_kind kind, mm_view v, const mm_limits *lim, const mm_suite *suite);
/* The same checks one by one, each returning NULL or a reason. */
const char *mm_domain_problem(mm_view d);
const char *mm_identity_problem(mm_view id);
const char *mm_signature_problem(const mm_suite *suite, mm_view sig);
const char *mm_detail_problem(mm_view d);

/* The limits a field is checked under: lim, or the defaults when NULL. */
mm_limits mm_limits_or_default(const mm_limits *lim);

#endif

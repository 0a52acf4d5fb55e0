/* The shim protocol (docs/shim-protocol.md): how the conformance runner
 * drives an implementation under test (IUT) over its stdin/stdout.
 *
 * Every frame is `uint32 length` (big-endian) followed by that many bytes of
 * one ShimMessage in TLS presentation language, encoded and decoded with the
 * project's codec (mm_reader/mm_writer). The runner sends one request and
 * reads exactly one reply. Decoded messages hold views into the frame. */
#ifndef MLSMIG_SHIM_PROTO_H
#define MLSMIG_SHIM_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/bytes.h"
#include "mlsmig/error.h"

#define MM_SHIM_VERSION 1
#define MM_SHIM_HEADER_LEN 4
/* Default bound on a frame: anything claiming more is refused before a byte
 * of it is allocated. */
#define MM_SHIM_MAX_FRAME (64u * 1024u * 1024u)

typedef enum mm_shim_type {
  /* requests: runner -> IUT */
  MM_SHIM_HELLO = 1,
  MM_SHIM_CONFIGURE = 2,
  MM_SHIM_INSTALL_GROUP = 3,
  MM_SHIM_ADVANCE_CLOCK = 4,
  MM_SHIM_DELIVER = 5,
  MM_SHIM_QUERY_GROUP = 6,
  MM_SHIM_SHUTDOWN = 7,
  MM_SHIM_RESET = 8, /* back to just after hello: a configure follows (F_RESET) */
  /* replies: IUT -> runner */
  MM_SHIM_PICS = 129,
  MM_SHIM_OK = 130,
  MM_SHIM_OUTPUT = 131,
  MM_SHIM_GROUP = 132,
  MM_SHIM_ERROR = 255,
} mm_shim_type;

/* Roles (bits of Pics.roles, values of Configure.role). */
enum { MM_SHIM_ROLE_SOURCE = 1, MM_SHIM_ROLE_TARGET = 2 };

/* Optional features (bits of Pics.features). */
enum {
  MM_SHIM_F_TOMBSTONE = 1u << 0,         /* source answers group_migrated (LIFE-2 MAY) */
  MM_SHIM_F_STRICT_POLICY = 1u << 1,     /* Configure.policy = strict */
  MM_SHIM_F_DENY_LIST = 1u << 2,         /* Configure.deny is honoured */
  MM_SHIM_F_RESTART = 1u << 3,           /* state survives SIGKILL + restart (DUR-1) */
  MM_SHIM_F_INSTALL_AT_TARGET = 1u << 4, /* install_group works at a target (GROUP-1) */
  MM_SHIM_F_RECONFIGURE = 1u << 5,       /* a second configure changes policy live (AUTHZ-4) */
  MM_SHIM_F_RESET = 1u << 6,             /* reset: one process or connection, many tests */
  MM_SHIM_F_PROFILE_V2 = 1u << 7,        /* implements profile v2 when Configure.profile = 2 */
  MM_SHIM_F_MIGRATION_REFUSAL = 1u << 8, /* the profile feature migration_refusal (AMD-1) */
};

enum { MM_SHIM_POLICY_DEFAULT = 0, MM_SHIM_POLICY_STRICT = 1 };

/* Group status of a GroupInfo reply (same values as mm_group_status). */
enum {
  MM_SHIM_GS_NONE = 0,
  MM_SHIM_GS_ACTIVE = 1,
  MM_SHIM_GS_MIGRATING = 2,
  MM_SHIM_GS_MIGRATED = 3
};

/* One decoded ShimMessage. Which fields mean something depends on type;
 * list fields hold the encoded contents of the vector (walk them with
 * mm_shim_iter). */
typedef struct mm_shim_msg {
  uint8_t type;
  /* hello, pics */
  uint16_t version;
  /* pics */
  mm_view implementation;
  uint8_t roles;
  uint32_t features;
  mm_view suites; /* uint16 suites<V> contents */
  /* configure */
  uint8_t role;
  mm_view domain;
  mm_view signing_keys; /* SigningKey signing_keys<V> contents */
  mm_view peers;        /* PeerKey peers<V> contents */
  uint8_t policy;
  mm_view deny; /* Identity deny<V> contents */
  mm_view state_dir;
  /* The profile version, a trailing byte of Configure sent only to a shim that declared
   * MM_SHIM_F_PROFILE_V2: 0 when absent (profile 1), else 1 or 2. */
  uint8_t profile;
  /* The peers that declare migration_refusal (AMD-1), an Identity list trailing Configure after
   * the profile byte, sent only to a shim that declared MM_SHIM_F_MIGRATION_REFUSAL (then the
   * profile byte is always sent, 1 for profile 1). has_refusal_peers says whether it was there. */
  bool has_refusal_peers;
  mm_view refusal_peers; /* Identity refusal_peers<V> contents */
  /* configure, advance_clock */
  uint64_t now;
  /* install_group: group_state; deliver: envelope; query_group: group_id;
   * error: reason */
  mm_view bytes;
  /* output */
  mm_view outputs; /* Outgoing out<V> contents */
  /* group */
  uint8_t status;
  uint64_t epoch;
} mm_shim_msg;

/* One element of a list field. */
typedef struct mm_shim_item {
  uint16_t suite;   /* SigningKey, PeerKey, suites list */
  mm_view domain;   /* PeerKey */
  mm_view key;      /* SigningKey: private key; PeerKey: public key */
  mm_view name;     /* Identity; Outgoing.to */
  mm_view envelope; /* Outgoing */
} mm_shim_item;

typedef enum mm_shim_list {
  MM_SHIM_L_SUITES,
  MM_SHIM_L_SIGNING_KEYS,
  MM_SHIM_L_PEERS,
  MM_SHIM_L_DENY,
  MM_SHIM_L_OUTPUTS,
} mm_shim_list;

/* Decodes one frame body (without its length header). Strict: unknown
 * types, trailing bytes and malformed lists fail with MM_E_MALFORMED. */
MM_MUST_USE mm_err mm_shim_decode(const uint8_t *body, size_t len, mm_shim_msg *out, mm_derr *err);

/* Appends a whole frame (length header and body) to w. */
MM_MUST_USE mm_err mm_shim_encode(const mm_shim_msg *m, mm_writer *w);

/* Reads a frame header: the body length, refused (MM_E_MALFORMED) when above
 * max, so that callers allocate only what they accepted. */
MM_MUST_USE mm_err mm_shim_frame_len(const uint8_t hdr[MM_SHIM_HEADER_LEN], uint32_t max,
                                     uint32_t *len);

/* Builders of list contents: append one element to w. */
bool mm_shim_put_suite(mm_writer *w, uint16_t suite);
bool mm_shim_put_signing_key(mm_writer *w, uint16_t suite, mm_view priv);
bool mm_shim_put_peer(mm_writer *w, mm_view domain, uint16_t suite, mm_view pub);
bool mm_shim_put_identity(mm_writer *w, mm_view identity);
bool mm_shim_put_output(mm_writer *w, mm_view to, mm_view envelope);

/* Walks a list that mm_shim_decode accepted. */
typedef struct mm_shim_iter {
  mm_reader r;
  mm_derr err;
  mm_shim_list kind;
} mm_shim_iter;

void mm_shim_iter_init(mm_shim_iter *it, mm_shim_list kind, mm_view contents);
bool mm_shim_next(mm_shim_iter *it, mm_shim_item *out);
size_t mm_shim_count(mm_shim_list kind, mm_view contents);

const char *mm_shim_type_name(uint8_t type); /* "deliver"; "unknown" */

#endif

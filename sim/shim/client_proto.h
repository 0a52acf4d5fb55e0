/* The client protocol (docs/client-protocol.md): how mlsmig drives an
 * external process that plays MLS members (an MLS library behind a small
 * adapter, such as interop/ts-mls/), the counterpart of the DS shim.
 *
 * Frames as in the shim protocol: `uint32 length` (big-endian), then one
 * ClientMessage in TLS presentation language, encoded and decoded with the
 * project's codec. One request, exactly one reply. RFC 9420 objects travel
 * as opaque vectors holding their RFC 9420 encodings; this codec does not
 * look inside them. Decoded messages hold views into the frame. */
#ifndef MLSMIG_CLIENT_PROTO_H
#define MLSMIG_CLIENT_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/bytes.h"
#include "mlsmig/error.h"

#define MM_CLIENT_VERSION 1

typedef enum mm_client_type {
  /* requests: driver -> client process */
  MM_CLIENT_HELLO = 1,
  MM_CLIENT_CONFIGURE = 2,
  MM_CLIENT_CREATE_KEY_PACKAGE = 3,
  MM_CLIENT_CREATE_GROUP = 4,
  MM_CLIENT_JOIN_GROUP = 5,
  MM_CLIENT_EXTERNAL_JOIN = 6,
  MM_CLIENT_GROUP_INFO = 7,
  MM_CLIENT_STATE_AUTH = 8,
  MM_CLIENT_PROTECT = 9,
  MM_CLIENT_UNPROTECT = 10,
  MM_CLIENT_ADD_PROPOSAL = 11,
  MM_CLIENT_UPDATE_PROPOSAL = 12,
  MM_CLIENT_REMOVE_PROPOSAL = 13,
  MM_CLIENT_COMMIT = 14,
  MM_CLIENT_HANDLE_COMMIT = 15,
  MM_CLIENT_HANDLE_PENDING_COMMIT = 16,
  MM_CLIENT_MEMBER_INFO = 17,
  MM_CLIENT_SIGN_WITH_LABEL = 18,
  MM_CLIENT_FREE = 19,
  MM_CLIENT_SHUTDOWN = 20,
  /* replies: client process -> driver */
  MM_CLIENT_PICS = 129,
  MM_CLIENT_OK = 130,
  MM_CLIENT_KEY_PACKAGE = 131,
  MM_CLIENT_STATE = 132,
  MM_CLIENT_EXTERNAL_JOINED = 133,
  MM_CLIENT_PUBLIC_GROUP_STATE = 134,
  MM_CLIENT_MESSAGE = 135,
  MM_CLIENT_UNPROTECTED = 136,
  MM_CLIENT_COMMIT_BUNDLE = 137,
  MM_CLIENT_MEMBER = 138,
  MM_CLIENT_SIGNATURE = 139,
  MM_CLIENT_ERROR = 255,
} mm_client_type;

/* Optional features (bits of Pics.features). */
enum {
  MM_CLIENT_F_DETERMINISTIC = 1u << 0,     /* a seed makes every reply reproducible */
  MM_CLIENT_F_NEW_SIGNATURE_KEY = 1u << 1, /* update_proposal can rotate the signature key */
  MM_CLIENT_F_EXTERNAL_JOIN = 1u << 2,     /* external_join */
  MM_CLIENT_F_BY_REFERENCE = 1u << 3,      /* proposals by reference in commit */
};

/* Configure.flags */
enum { MM_CLIENT_FLAG_GREASE = 1u << 0 };

/* Framing of a handshake message: RFC 9420 WireFormat values. */
enum { MM_CLIENT_FRAMING_PUBLIC = 1, MM_CLIENT_FRAMING_PRIVATE = 2 };

/* ProposalDescription types: RFC 9420 ProposalType values. */
enum { MM_CLIENT_PROPOSAL_ADD = 1, MM_CLIENT_PROPOSAL_REMOVE = 3 };

/* State.status and Member.status */
enum { MM_CLIENT_MEMBER_ACTIVE = 0, MM_CLIENT_MEMBER_REMOVED = 1 };

/* Error.code */
typedef enum mm_client_error {
  MM_CLIENT_E_UNSUPPORTED = 1, /* operation, suite or feature not supported */
  MM_CLIENT_E_UNKNOWN_ID = 2,  /* no such state or transaction */
  MM_CLIENT_E_BAD_INPUT = 3,   /* a request or an RFC 9420 object in it does not decode */
  MM_CLIENT_E_REJECTED = 4,    /* the MLS library refused the input (signature, epoch, ...) */
  MM_CLIENT_E_WRONG_STATE = 5, /* not possible now (no pending commit, removed member) */
  MM_CLIENT_E_INTERNAL = 6,    /* the client process failed */
} mm_client_error;

/* One decoded ClientMessage. Which fields mean something depends on type
 * (docs/client-protocol.md lists them per message); list fields hold the
 * encoded contents of the vector (walk them with mm_client_iter). */
typedef struct mm_client_msg {
  uint8_t type;
  uint16_t version;       /* hello, pics */
  mm_view implementation; /* pics */
  mm_view suites;         /* pics: uint16 suites<V> contents */
  uint32_t features;      /* pics */
  mm_view seed;           /* configure */
  uint32_t flags;         /* configure */
  uint16_t cipher_suite;  /* create_key_package, create_group, member */
  mm_view identity;       /* create_key_package, create_group, external_join, member */
  mm_view group_id;       /* create_group, member */
  /* join_group and key_package: transaction_id; free: id; every other
   * request and state, external_joined: state_id */
  uint32_t id;
  uint16_t framing;            /* *_proposal, commit */
  uint32_t leaf;               /* remove_proposal: removed_leaf; member: leaf_index */
  bool remove_prior;           /* external_join */
  bool ratchet_tree_extension; /* group_info, commit */
  bool new_signature_key;      /* update_proposal */
  bool pending_commit;         /* member */
  mm_view authenticated_data;  /* external_join, protect, commit; unprotected */
  mm_view plaintext;           /* protect; unprotected */
  mm_view message;             /* unprotect; message */
  mm_view key_package;         /* add_proposal; key_package */
  mm_view label, content;      /* sign_with_label */
  mm_view proposals; /* commit: by_reference, handle_commit: proposals (ProposalMessage<V>) */
  mm_view by_value;  /* commit: ProposalDescription<V> contents */
  /* RFC 9420 objects: join_group (welcome, ratchet_tree), external_join
   * (group_info, ratchet_tree), handle_commit (commit), public_group_state
   * (group_info, ratchet_tree), the bundle parts of commit_bundle and
   * external_joined (commit, welcome, group_info, ratchet_tree) */
  mm_view commit, welcome, group_info, ratchet_tree;
  mm_view init_priv, encryption_priv, signature_priv; /* key_package */
  uint8_t status;                                     /* state, external_joined, member */
  uint64_t epoch;               /* state, external_joined, commit_bundle, member */
  mm_view epoch_authenticator;  /* state, external_joined, commit_bundle */
  mm_view signature;            /* signature */
  mm_view signature_public_key; /* member, signature */
  uint8_t code;                 /* error: an mm_client_error */
  mm_view reason;               /* error: UTF-8 */
} mm_client_msg;

/* One element of a list field. */
typedef struct mm_client_item {
  uint16_t suite;         /* suites list */
  uint16_t proposal_type; /* ProposalDescription */
  mm_view bytes;          /* ProposalMessage.message; ProposalDescription add: key_package */
  uint32_t removed;       /* ProposalDescription remove: removed_leaf */
} mm_client_item;

typedef enum mm_client_list {
  MM_CLIENT_L_SUITES,
  MM_CLIENT_L_PROPOSAL_MESSAGES,
  MM_CLIENT_L_PROPOSAL_DESCRIPTIONS,
} mm_client_list;

/* mm_client_decode decodes one frame body (without its length header).
 * Strict: an unknown type, a boolean other than 0 or 1, an unknown proposal
 * type, a malformed list or a trailing byte fails with MM_E_MALFORMED. */
MM_MUST_USE mm_err mm_client_decode(const uint8_t *body, size_t len, mm_client_msg *out,
                                    mm_derr *err);

/* mm_client_encode appends a whole frame (length header and body) to w;
 * MM_E_MALFORMED for an unknown type or a body above MM_SHIM_MAX_FRAME. */
MM_MUST_USE mm_err mm_client_encode(const mm_client_msg *m, mm_writer *w);

/* mm_client_reply_type is the reply type a request expects (0 for a type
 * that is no request); an error reply may come instead of any of them. */
uint8_t mm_client_reply_type(uint8_t request);

/* mm_client_put_suite appends one element to a suites list. */
bool mm_client_put_suite(mm_writer *w, uint16_t suite);
/* mm_client_put_proposal_message appends one ProposalMessage (an MLSMessage). */
bool mm_client_put_proposal_message(mm_writer *w, mm_view message);
/* mm_client_put_add appends a ProposalDescription adding key_package. */
bool mm_client_put_add(mm_writer *w, mm_view key_package);
/* mm_client_put_remove appends a ProposalDescription removing a leaf. */
bool mm_client_put_remove(mm_writer *w, uint32_t leaf);

/* mm_client_commit_bundle appends the profile v2 MLS-4 CommitBundle made of
 * the parts of a commit_bundle or external_joined reply: commit, optional
 * welcome (absent when the part is empty), group_info, ratchet_tree. */
bool mm_client_commit_bundle(const mm_client_msg *reply, mm_writer *w);
/* mm_client_public_group_state appends the profile v2 PublicGroupState
 * (MLS-1) of a public_group_state reply: group_info, then ratchet_tree. */
bool mm_client_public_group_state(const mm_client_msg *reply, mm_writer *w);

/* Walks a list that mm_client_decode accepted (or one built with the
 * mm_client_put_* functions). */
typedef struct mm_client_iter {
  mm_reader r;
  mm_derr err;
  mm_client_list kind;
} mm_client_iter;

/* mm_client_iter_init starts a walk over the contents of a list field. */
void mm_client_iter_init(mm_client_iter *it, mm_client_list kind, mm_view contents);
/* mm_client_next reads the next element; false at the end or on bad input. */
bool mm_client_next(mm_client_iter *it, mm_client_item *out);
/* mm_client_count is the number of elements of a list's contents. */
size_t mm_client_count(mm_client_list kind, mm_view contents);

/* mm_client_type_name names a message type ("commit"; "unknown"). */
const char *mm_client_type_name(uint8_t type);
/* mm_client_error_name names an error code ("rejected"; "unknown"). */
const char *mm_client_error_name(uint8_t code);

#endif

/* RFC 9420 structures a Delivery Service sees, and the profile's group
 * state around them (profile v2, section 11: MLS-1, MLS-4), as typed C
 * structs with one strict codec.
 *
 * Decoding fills a struct whose opaque fields are views into the input
 * (the input must outlive the struct) and whose vectors of structs are
 * mm_list views, walked one element at a time with the mm_mls_*_next
 * functions: nothing is copied and nothing is allocated, whatever a length
 * claims. The codec is strict (ENC-1..ENC-4): minimal variable-length
 * integers, no trailing bytes, canonical re-encoding (encode(decode(b)) ==
 * b), optional<> flags 0 or 1, group IDs of 1..255 bytes, known enum
 * values. Where the suite is known (mm_limits.suite, or a cipher_suite
 * field of the structure itself: GroupContext, KeyPackage, Welcome), keys,
 * hashes, MACs and signatures must have the suite's sizes, and ECDSA keys
 * (and the NIST curves' HPKE keys) must be uncompressed SEC1 points; with
 * no known suite those checks are left to the validation (mls_state.h).
 *
 * Names follow RFC 9420 and are the JSON keys of `mlsmig decode`. */
#ifndef MLSMIG_MLS_H
#define MLSMIG_MLS_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/bytes.h"
#include "mlsmig/messages.h"

/* RFC 9420 enumerations (sections 5.3, 6, 7.2, 12.1, 17.1). */
enum { MM_MLS_WIRE_WELCOME = 3, MM_MLS_WIRE_GROUP_INFO = 4, MM_MLS_WIRE_KEY_PACKAGE = 5 };
enum { MM_MLS_NODE_LEAF = 1, MM_MLS_NODE_PARENT = 2 };
enum { MM_MLS_SRC_KEY_PACKAGE = 1, MM_MLS_SRC_UPDATE = 2, MM_MLS_SRC_COMMIT = 3 };
enum { MM_MLS_CRED_BASIC = 1, MM_MLS_CRED_X509 = 2 };
enum {
  MM_MLS_PROP_ADD = 1,
  MM_MLS_PROP_UPDATE = 2,
  MM_MLS_PROP_REMOVE = 3,
  MM_MLS_PROP_PSK = 4,
  MM_MLS_PROP_REINIT = 5,
  MM_MLS_PROP_EXTERNAL_INIT = 6,
  MM_MLS_PROP_GROUP_CONTEXT_EXTENSIONS = 7
};
enum { MM_MLS_POR_PROPOSAL = 1, MM_MLS_POR_REFERENCE = 2 };
enum { MM_MLS_PSK_EXTERNAL = 1, MM_MLS_PSK_RESUMPTION = 2 };
enum {
  MM_MLS_EXT_APPLICATION_ID = 1,
  MM_MLS_EXT_RATCHET_TREE = 2,
  MM_MLS_EXT_REQUIRED_CAPABILITIES = 3,
  MM_MLS_EXT_EXTERNAL_PUB = 4,
  MM_MLS_EXT_EXTERNAL_SENDERS = 5
};
/* The widest ratchet tree the codec takes: 2^16 leaves, 2^17-1 nodes (a
 * project limit under ENC-4, so that the tree index a validation builds
 * stays within a few MiB whatever the input). */
#define MM_MLS_MAX_LEAVES (1u << 16)

/* MigrationGroupState.version (profile MLS-1). */
#define MM_MLS_GROUP_STATE_VERSION 2

typedef struct mm_mls_extension {
  uint16_t extension_type;
  mm_view extension_data;
} mm_mls_extension;

typedef struct mm_mls_credential {
  uint16_t credential_type;
  mm_view identity;     /* basic */
  mm_list certificates; /* x509: Certificate { opaque cert_data<V>; } */
} mm_mls_credential;

typedef struct mm_mls_capabilities {
  mm_list versions, cipher_suites, extensions, proposals, credentials; /* uint16 each */
} mm_mls_capabilities;

typedef struct mm_mls_lifetime {
  uint64_t not_before, not_after;
} mm_mls_lifetime;

typedef struct mm_mls_leaf_node {
  mm_view encryption_key; /* HPKEPublicKey */
  mm_view signature_key;  /* SignaturePublicKey */
  mm_mls_credential credential;
  mm_mls_capabilities capabilities;
  uint8_t leaf_node_source;
  mm_mls_lifetime lifetime; /* key_package */
  mm_view parent_hash;      /* commit */
  mm_list extensions;       /* Extension */
  mm_view signature;        /* SignWithLabel(., "LeafNodeTBS", LeafNodeTBS) */
} mm_mls_leaf_node;

typedef struct mm_mls_parent_node {
  mm_view encryption_key;
  mm_view parent_hash;
  mm_list unmerged_leaves; /* uint32 */
} mm_mls_parent_node;

typedef struct mm_mls_node {
  uint8_t node_type;
  union {
    mm_mls_leaf_node leaf_node;
    mm_mls_parent_node parent_node;
  };
} mm_mls_node;

/* optional<Node>, an element of a ratchet tree. */
typedef struct mm_mls_opt_node {
  uint8_t present;
  mm_mls_node node;
} mm_mls_opt_node;

typedef struct mm_mls_group_context {
  uint16_t version; /* mls10 */
  uint16_t cipher_suite;
  mm_view group_id;
  uint64_t epoch;
  mm_view tree_hash;
  mm_view confirmed_transcript_hash;
  mm_list extensions;
} mm_mls_group_context;

typedef struct mm_mls_group_info {
  mm_mls_group_context group_context;
  mm_list extensions;
  mm_view confirmation_tag;
  uint32_t signer;
  mm_view signature; /* SignWithLabel(., "GroupInfoTBS", GroupInfoTBS) */
} mm_mls_group_info;

typedef struct mm_mls_key_package {
  uint16_t version;
  uint16_t cipher_suite;
  mm_view init_key;
  mm_mls_leaf_node leaf_node;
  mm_list extensions;
  mm_view signature; /* SignWithLabel(., "KeyPackageTBS", KeyPackageTBS) */
} mm_mls_key_package;

typedef struct mm_mls_hpke_ciphertext {
  mm_view kem_output, ciphertext;
} mm_mls_hpke_ciphertext;

typedef struct mm_mls_encrypted_group_secrets {
  mm_view new_member; /* KeyPackageRef */
  mm_mls_hpke_ciphertext encrypted_group_secrets;
} mm_mls_encrypted_group_secrets;

typedef struct mm_mls_welcome {
  uint16_t cipher_suite;
  mm_list secrets; /* EncryptedGroupSecrets */
  mm_view encrypted_group_info;
} mm_mls_welcome;

typedef struct mm_mls_psk_id {
  uint8_t psktype;
  mm_view psk_id;       /* external */
  uint8_t usage;        /* resumption */
  mm_view psk_group_id; /* resumption */
  uint64_t psk_epoch;   /* resumption */
  mm_view psk_nonce;
} mm_mls_psk_id;

typedef struct mm_mls_path_secret {
  mm_view path_secret;
} mm_mls_path_secret;

typedef struct mm_mls_group_secrets {
  mm_view joiner_secret;
  uint8_t has_path_secret;
  mm_mls_path_secret path_secret;
  mm_list psks; /* PreSharedKeyID */
} mm_mls_group_secrets;

/* The proposal bodies of RFC 9420 section 12.1. */
typedef struct mm_mls_add {
  mm_mls_key_package key_package;
} mm_mls_add;
typedef struct mm_mls_update {
  mm_mls_leaf_node leaf_node;
} mm_mls_update;
typedef struct mm_mls_remove {
  uint32_t removed;
} mm_mls_remove;
typedef struct mm_mls_pre_shared_key {
  mm_mls_psk_id psk;
} mm_mls_pre_shared_key;
typedef struct mm_mls_reinit {
  mm_view group_id;
  uint16_t version;
  uint16_t cipher_suite;
  mm_list extensions;
} mm_mls_reinit;
typedef struct mm_mls_external_init {
  mm_view kem_output;
} mm_mls_external_init;
typedef struct mm_mls_group_context_extensions {
  mm_list extensions;
} mm_mls_group_context_extensions;

typedef struct mm_mls_proposal {
  uint16_t proposal_type;
  union {
    mm_mls_add add;
    mm_mls_update update;
    mm_mls_remove remove;
    mm_mls_pre_shared_key psk;
    mm_mls_reinit reinit;
    mm_mls_external_init external_init;
    mm_mls_group_context_extensions group_context_extensions;
  };
} mm_mls_proposal;

typedef struct mm_mls_proposal_or_ref {
  uint8_t type;
  union {
    mm_mls_proposal proposal;
    mm_view reference; /* ProposalRef */
  };
} mm_mls_proposal_or_ref;

typedef struct mm_mls_update_path_node {
  mm_view encryption_key;
  mm_list encrypted_path_secret; /* HPKECiphertext */
} mm_mls_update_path_node;

typedef struct mm_mls_update_path {
  mm_mls_leaf_node leaf_node;
  mm_list nodes; /* UpdatePathNode */
} mm_mls_update_path;

typedef struct mm_mls_commit {
  mm_list proposals; /* ProposalOrRef */
  uint8_t has_path;
  mm_mls_update_path path;
} mm_mls_commit;

typedef struct mm_mls_sender {
  uint8_t sender_type; /* MM_SENDER_MEMBER ... (messages.h) */
  uint32_t index;      /* leaf_index (member) or sender_index (external) */
} mm_mls_sender;

typedef struct mm_mls_framed_content {
  mm_view group_id;
  uint64_t epoch;
  mm_mls_sender sender;
  mm_view authenticated_data;
  uint8_t content_type; /* MM_CONTENT_* (messages.h) */
  union {
    mm_view application_data;
    mm_mls_proposal proposal;
    mm_mls_commit commit;
  };
} mm_mls_framed_content;

typedef struct mm_mls_auth_data {
  mm_view signature;        /* SignWithLabel(., "FramedContentTBS", FramedContentTBS) */
  mm_view confirmation_tag; /* commit only */
} mm_mls_auth_data;

typedef struct mm_mls_public_message {
  mm_mls_framed_content content;
  mm_mls_auth_data auth;
  mm_view membership_tag; /* member senders only */
} mm_mls_public_message;

typedef struct mm_mls_private_message {
  mm_view group_id;
  uint64_t epoch;
  uint8_t content_type;
  mm_view authenticated_data;
  mm_view encrypted_sender_data;
  mm_view ciphertext;
} mm_mls_private_message;

typedef struct mm_mls_msg {
  uint16_t version;     /* mls10 */
  uint16_t wire_format; /* MM_WIRE_PUBLIC, MM_WIRE_PRIVATE, MM_MLS_WIRE_* */
  union {
    mm_mls_public_message public_message;
    mm_mls_private_message private_message;
    mm_mls_welcome welcome;
    mm_mls_group_info group_info;
    mm_mls_key_package key_package;
  };
} mm_mls_msg;

/* optional<Node> ratchet_tree<V> (RFC 9420 section 12.4.3.3). */
typedef struct mm_mls_ratchet_tree {
  mm_list nodes; /* optional<Node> */
} mm_mls_ratchet_tree;

/* Profile MLS-1. */
typedef struct mm_mls_migration_group_state {
  uint16_t version; /* MM_MLS_GROUP_STATE_VERSION */
  mm_mls_group_info group_info;
  mm_list ratchet_tree; /* optional<Node> */
  mm_view ds_payload;
} mm_mls_migration_group_state;

typedef struct mm_mls_public_group_state {
  mm_mls_group_info group_info;
  mm_list ratchet_tree;
} mm_mls_public_group_state;

/* Profile MLS-4. */
typedef struct mm_mls_commit_bundle {
  mm_mls_msg commit; /* PublicMessage or PrivateMessage (checked by the DS) */
  uint8_t has_welcome;
  mm_mls_msg welcome; /* wire_format mls_welcome (checked by the DS) */
  mm_mls_group_info group_info;
  mm_list ratchet_tree;
} mm_mls_commit_bundle;

/* Every structure the codec reads, named as on the CLI (--type). */
typedef enum mm_mls_type {
  MM_MLS_T_MLS_MESSAGE,
  MM_MLS_T_PUBLIC_MESSAGE,
  MM_MLS_T_PRIVATE_MESSAGE,
  MM_MLS_T_FRAMED_CONTENT,
  MM_MLS_T_GROUP_INFO,
  MM_MLS_T_GROUP_CONTEXT,
  MM_MLS_T_RATCHET_TREE,
  MM_MLS_T_NODE,
  MM_MLS_T_LEAF_NODE,
  MM_MLS_T_PARENT_NODE,
  MM_MLS_T_CREDENTIAL,
  MM_MLS_T_CAPABILITIES,
  MM_MLS_T_EXTENSION,
  MM_MLS_T_KEY_PACKAGE,
  MM_MLS_T_WELCOME,
  MM_MLS_T_GROUP_SECRETS,
  MM_MLS_T_PROPOSAL,
  MM_MLS_T_ADD,
  MM_MLS_T_UPDATE,
  MM_MLS_T_REMOVE,
  MM_MLS_T_PRE_SHARED_KEY,
  MM_MLS_T_REINIT,
  MM_MLS_T_EXTERNAL_INIT,
  MM_MLS_T_GROUP_CONTEXT_EXTENSIONS,
  MM_MLS_T_COMMIT,
  MM_MLS_T_UPDATE_PATH,
  MM_MLS_T_COMMIT_BUNDLE,
  MM_MLS_T_MIGRATION_GROUP_STATE,
  MM_MLS_T_PUBLIC_GROUP_STATE,
  MM_MLS_T_COUNT
} mm_mls_type;

/* mm_mls_type_name gives the CLI name ("group_info"), NULL out of range. */
const char *mm_mls_type_name(mm_mls_type t);
/* mm_mls_type_by_name looks a CLI name up. */
bool mm_mls_type_by_name(const char *name, mm_mls_type *out);
/* mm_mls_type_size is sizeof the struct of type t (0 out of range). */
size_t mm_mls_type_size(mm_mls_type t);

/* Storage for any type, for code that picks the type at run time. */
typedef union mm_mls_any {
  mm_mls_msg mls_message;
  mm_mls_commit_bundle commit_bundle;
  mm_mls_migration_group_state migration_group_state;
  mm_mls_proposal proposal;
  mm_mls_group_secrets group_secrets;
  mm_mls_ratchet_tree ratchet_tree;
} mm_mls_any;

/* mm_mls_decode decodes one structure of type t from exactly len bytes into
 * msg (a struct of that type): MM_OK, or MM_E_MALFORMED with the rule, the
 * offset and the reason in *err. lim->suite, when known, sets the key and
 * signature sizes until a cipher_suite field of the structure names its
 * own; max_group_state is not used (it bounds a MigrationContent). */
MM_MUST_USE mm_err mm_mls_decode(mm_mls_type t, const uint8_t *data, size_t len,
                                 const mm_limits *lim, void *msg, mm_derr *err);
/* mm_mls_decode_reader is mm_mls_decode from a reader (nested use; offsets
 * stay absolute, nothing checks the end). */
bool mm_mls_decode_reader(mm_mls_type t, mm_reader *r, const mm_limits *lim, void *msg);
/* mm_mls_encode appends the canonical encoding of msg; a field that breaks
 * a limit fails with MM_E_MALFORMED (and *err says which, at its offset in
 * the output). Lists are re-encoded element by element. */
MM_MUST_USE mm_err mm_mls_encode(mm_mls_type t, const void *msg, const mm_limits *lim, mm_writer *w,
                                 mm_derr *err);
/* mm_mls_encode_prefix encodes only the first nfields fields of t (the
 * to-be-signed forms of RFC 9420 are prefixes: everything but the final
 * signature). */
MM_MUST_USE mm_err mm_mls_encode_prefix(mm_mls_type t, const void *msg, size_t nfields,
                                        const mm_limits *lim, mm_writer *w);
/* mm_mls_nfields is the number of top-level fields of t. */
size_t mm_mls_nfields(mm_mls_type t);

/* The body of a profile v2 Envelope that the MLS layer decodes (mm_msg_body_is_mls). */
typedef struct mm_mls_envelope_body {
  mm_mls_commit_bundle commit_bundle;     /* migration_commit(8), commit_bundle(10) */
  mm_mls_msg welcome;                     /* welcome(11): wire format mls_welcome */
  mm_view group_id;                       /* group_info_request(12): 1..255 bytes */
  mm_mls_public_group_state public_state; /* group_info(13) */
} mm_mls_envelope_body;

/* mm_mls_envelope_body_decode decodes body as the Envelope msg_type of profile v2 carries it (a
 * CommitBundle for 8 and 10, an MLSMessage of wire format mls_welcome for 11, opaque
 * group_id<V> for 12, a PublicGroupState for 13) into out (views into body): MM_OK, or
 * MM_E_MALFORMED with the rule and reason in *err (MM_E_USAGE for another msg_type). */
MM_MUST_USE mm_err mm_mls_envelope_body_decode(uint8_t msg_type, mm_view body, const mm_limits *lim,
                                               mm_mls_envelope_body *out, mm_derr *err);

/* List walkers: *pos starts at 0; each call decodes the next element into
 * *out and returns true, false at the end. */
/* mm_mls_ext_next walks a list of Extension. */
bool mm_mls_ext_next(mm_list l, size_t *pos, mm_mls_extension *out);
/* mm_mls_u16_next walks a list of uint16 (versions, suites, types). */
bool mm_mls_u16_next(mm_list l, size_t *pos, uint16_t *out);
/* mm_mls_u32_next walks a list of uint32 (unmerged leaves). */
bool mm_mls_u32_next(mm_list l, size_t *pos, uint32_t *out);
/* mm_mls_node_next walks a ratchet tree's optional<Node>s; out->present
 * says whether the node is blank. */
bool mm_mls_node_next(mm_list l, size_t *pos, mm_mls_opt_node *out);
/* mm_mls_cert_next walks an x509 credential's Certificates (cert_data). */
bool mm_mls_cert_next(mm_list l, size_t *pos, mm_view *cert_data);
/* mm_mls_proposal_or_ref_next walks a Commit's proposals. */
bool mm_mls_proposal_or_ref_next(mm_list l, size_t *pos, mm_mls_proposal_or_ref *out);
/* mm_mls_update_path_node_next walks an UpdatePath's nodes. */
bool mm_mls_update_path_node_next(mm_list l, size_t *pos, mm_mls_update_path_node *out);
/* mm_mls_hpke_ciphertext_next walks an UpdatePathNode's ciphertexts. */
bool mm_mls_hpke_ciphertext_next(mm_list l, size_t *pos, mm_mls_hpke_ciphertext *out);
/* mm_mls_secrets_next walks a Welcome's EncryptedGroupSecrets. */
bool mm_mls_secrets_next(mm_list l, size_t *pos, mm_mls_encrypted_group_secrets *out);
/* mm_mls_psk_id_next walks a GroupSecrets' PreSharedKeyIDs. */
bool mm_mls_psk_id_next(mm_list l, size_t *pos, mm_mls_psk_id *out);
/* mm_mls_list_view is the list whose contents are w's bytes, count long
 * (for builders: write the elements with mm_mls_encode into w). */
mm_list mm_mls_list_view(const mm_writer *w, uint32_t count);

/* Element types of the lists above, for mm_mls_list_encode_one. */
typedef enum mm_mls_elem {
  MM_MLS_E_EXTENSION,
  MM_MLS_E_U16,
  MM_MLS_E_U32,
  MM_MLS_E_OPT_NODE,
  MM_MLS_E_CERTIFICATE,
  MM_MLS_E_PROPOSAL_OR_REF,
  MM_MLS_E_UPDATE_PATH_NODE,
  MM_MLS_E_HPKE_CIPHERTEXT,
  MM_MLS_E_ENCRYPTED_GROUP_SECRETS,
  MM_MLS_E_PSK_ID,
} mm_mls_elem;
/* mm_mls_elem_encode appends one list element (elem points to the element's
 * C type: mm_mls_extension, uint16_t, uint32_t, mm_mls_opt_node, mm_view,
 * ...) to w, the contents of a list being built. */
MM_MUST_USE mm_err mm_mls_elem_encode(mm_mls_elem e, const void *elem, mm_writer *w);

#endif

/* The group's public MLS state as a DS holds and checks it (profile v2,
 * section 11): the ratchet tree (RFC 9420 sections 4, 7), its hashes and
 * resolutions, the public-state validation of MLS-2, the members of MLS-3,
 * the checks of a CommitBundle a DS can make (MLS-4), and signatures over
 * FramedContentTBS, LeafNodeTBS, GroupInfoTBS and KeyPackageTBS.
 *
 * A DS holds no group secret: the confirmation tag, the transcript hashes,
 * the membership tag, HPKE ciphertexts and PrivateMessage contents cannot
 * be checked here and are not (docs/mls-state.md).
 *
 * Every check that fails says which, in an mm_mls_why: a check enum, the
 * rule ID, the node or leaf it is about and a sentence for people ("parent
 * hash of node 5 does not match"). Results: MM_OK; MM_E_BAD_GROUP_STATE
 * (MLS-2); MM_E_MALFORMED (ENC-1..ENC-4, e.g. an ECDSA key that is no point
 * on the curve); for CommitBundles also MM_E_STALE_EPOCH, MM_E_BAD_COMMIT,
 * MM_E_NOT_MEMBER and MM_E_BAD_SIGNATURE (MLS-4); MM_E_NOMEM and
 * MM_E_CRYPTO are local failures, never a verdict. */
#ifndef MLSMIG_MLS_STATE_H
#define MLSMIG_MLS_STATE_H

#include "mlsmig/crypto.h"
#include "mlsmig/mls.h"

/* ---- why a check failed ---- */

typedef enum mm_mls_check {
  MM_MLS_C_NONE = 0,
  MM_MLS_C_DECODE,         /* a structure does not decode (ENC-1..ENC-4) */
  MM_MLS_C_SUITE,          /* the suite is not one of the seven */
  MM_MLS_C_VERSION,        /* GroupContext.version is not mls10 */
  MM_MLS_C_CIPHER_SUITE,   /* GroupContext.cipher_suite is not the expected one */
  MM_MLS_C_GROUP_ID,       /* GroupContext.group_id is not the expected one */
  MM_MLS_C_EPOCH,          /* GroupContext.epoch is not the expected one */
  MM_MLS_C_TREE_SHAPE,     /* empty tree, trailing blank, node type at the wrong position */
  MM_MLS_C_TREE_HASH,      /* the root's tree hash is not GroupContext.tree_hash */
  MM_MLS_C_PARENT_HASH,    /* a non-blank parent is not parent-hash valid */
  MM_MLS_C_UNMERGED,       /* an unmerged leaf is blank, not below, listed twice, or skipped */
  MM_MLS_C_LEAF_SIGNATURE, /* a LeafNode signature does not verify */
  MM_MLS_C_KEY,            /* a signature key is no valid public key of the suite (ENC-4) */
  MM_MLS_C_CREDENTIAL,     /* a leaf's credential is not basic */
  MM_MLS_C_IDENTITY,       /* a basic credential's identity is not name@domain */
  MM_MLS_C_CAPABILITIES,   /* a leaf does not support what the group uses */
  MM_MLS_C_DUP_SIG_KEY,    /* two leaves share a signature key */
  MM_MLS_C_DUP_ENC_KEY,    /* two leaves share an encryption key */
  MM_MLS_C_EXTENSIONS,     /* an extension type appears twice in one list */
  MM_MLS_C_SIGNER,         /* GroupInfo.signer is no non-blank leaf */
  MM_MLS_C_GROUP_INFO_SIG, /* the GroupInfo signature does not verify */
  MM_MLS_C_TREE_EXT,       /* the ratchet_tree extension differs from ratchet_tree */
  /* CommitBundle (MLS-4) */
  MM_MLS_C_WIRE_FORMAT,  /* commit not a Public/PrivateMessage, welcome not a Welcome */
  MM_MLS_C_CONTENT_TYPE, /* the commit's content type is not commit */
  MM_MLS_C_COMMIT_GROUP, /* the commit names another group */
  MM_MLS_C_COMMIT_EPOCH, /* the commit is not at the current epoch */
  MM_MLS_C_LAST_EPOCH,   /* the current epoch is 2^64-1: no Commit can follow (EPOCH-3) */
  MM_MLS_C_SENDER,       /* the envelope's sender is no member, or not the committer */
  MM_MLS_C_MESSAGE_SIG,  /* the PublicMessage signature does not verify */
  MM_MLS_C_COUNT
} mm_mls_check;

typedef struct mm_mls_why {
  mm_mls_check check;
  const char *rule; /* "MLS-2", "ENC-4", "MLS-4", "EPOCH-3" */
  uint32_t index;   /* the node (or leaf, as the text says) concerned; UINT32_MAX if none */
  char text[192];   /* for people */
} mm_mls_why;

/* mm_mls_check_name gives a short name of c ("parent_hash"). */
const char *mm_mls_check_name(mm_mls_check c);

/* ---- the ratchet tree ---- */

/* A ratchet tree of a known suite: the nodes of an array of 2^k leaves
 * (a decoded tree is extended with blanks, RFC 9420 12.4.3.3). It owns a
 * copy of what it was made from, so the input may go. */
typedef struct mm_mls_tree mm_mls_tree;

/* mm_mls_tree_from_list makes the tree of an optional<Node> list of the
 * given suite, checking its shape (not empty, last node non-blank, leaves
 * at even and parents at odd indices) and that every node decodes under
 * the suite's limits (MM_E_BAD_GROUP_STATE or MM_E_MALFORMED with why). */
MM_MUST_USE mm_err mm_mls_tree_from_list(uint16_t suite, mm_list nodes, mm_mls_tree **out,
                                         mm_mls_why *why);
/* mm_mls_tree_new makes a tree of one leaf (leaf_node: a LeafNode's
 * encoding), the tree of a group its creator just made. */
MM_MUST_USE mm_err mm_mls_tree_new(uint16_t suite, mm_view leaf_node, mm_mls_tree **out);
/* mm_mls_tree_copy makes an independent copy. */
MM_MUST_USE mm_err mm_mls_tree_copy(const mm_mls_tree *t, mm_mls_tree **out);
/* mm_mls_tree_free frees t; NULL is a no-op. */
void mm_mls_tree_free(mm_mls_tree *t);

/* mm_mls_tree_suite returns the suite of t. */
uint16_t mm_mls_tree_suite(const mm_mls_tree *t);
/* mm_mls_tree_leaf_count returns the width in leaves (a power of two). */
uint32_t mm_mls_tree_leaf_count(const mm_mls_tree *t);
/* mm_mls_tree_node_count returns the width in nodes (2 * leaves - 1). */
uint32_t mm_mls_tree_node_count(const mm_mls_tree *t);
/* mm_mls_tree_node decodes node index x; false if it is blank. Views point
 * into the tree (valid until it changes or is freed). */
bool mm_mls_tree_node(const mm_mls_tree *t, uint32_t x, mm_mls_node *out);
/* mm_mls_tree_leaf is mm_mls_tree_node for leaf index i. */
bool mm_mls_tree_leaf(const mm_mls_tree *t, uint32_t leaf, mm_mls_leaf_node *out);
/* mm_mls_tree_leaf_bytes is the encoding of leaf i's LeafNode (empty if blank). */
mm_view mm_mls_tree_leaf_bytes(const mm_mls_tree *t, uint32_t leaf);
/* mm_mls_tree_encode appends the tree as optional<Node> ratchet_tree<V>
 * (trailing blanks cut, RFC 9420 12.4.3.3), with its length header. */
MM_MUST_USE mm_err mm_mls_tree_encode(const mm_mls_tree *t, mm_writer *w);
/* mm_mls_tree_encode_list is the same without the header (the contents of
 * an mm_list; *count receives the number of nodes). */
MM_MUST_USE mm_err mm_mls_tree_encode_list(const mm_mls_tree *t, mm_writer *w, uint32_t *count);

/* mm_mls_tree_hash computes the tree hash of node x (RFC 9420 7.8); the
 * root is mm_mls_tree_root(t). out holds MM_MAX_HASH_LEN bytes. */
MM_MUST_USE mm_err mm_mls_tree_hash(mm_mls_tree *t, uint32_t x, uint8_t *out, size_t *out_len);
/* mm_mls_tree_root returns the root's node index. */
uint32_t mm_mls_tree_root(const mm_mls_tree *t);
/* mm_mls_tree_resolution fills out (room for cap) with the resolution of
 * node x (RFC 9420 4.1.1), in order; *n receives its size. */
MM_MUST_USE mm_err mm_mls_tree_resolution(const mm_mls_tree *t, uint32_t x, uint32_t *out,
                                          size_t cap, size_t *n);
/* mm_mls_tree_check_unmerged checks every parent's unmerged leaves: each a
 * non-blank leaf below it, listed once, and also listed by every non-blank
 * parent in between. */
MM_MUST_USE mm_err mm_mls_tree_check_unmerged(const mm_mls_tree *t, mm_mls_why *why);
/* mm_mls_tree_check_parent_hashes checks that every non-blank parent node
 * is parent-hash valid (RFC 9420 7.9.2: exactly one descendant in the
 * resolution of one child carries its parent hash). */
MM_MUST_USE mm_err mm_mls_tree_check_parent_hashes(mm_mls_tree *t, mm_mls_why *why);
/* mm_mls_tree_check_leaf_signatures verifies every non-blank leaf's
 * signature over LeafNodeTBS (group_id and the leaf index for update and
 * commit sources). */
MM_MUST_USE mm_err mm_mls_tree_check_leaf_signatures(const mm_mls_tree *t, mm_view group_id,
                                                     mm_mls_why *why);

/* ---- signatures (RFC 9420 5.1.2 labels) ---- */

/* mm_mls_leaf_node_verify checks a LeafNode's signature under its own
 * signature key: MM_OK, MM_E_BAD_SIGNATURE, or MM_E_MALFORMED for a key
 * that is no valid point of the suite. group_id and leaf are used for
 * update and commit sources only. */
MM_MUST_USE mm_err mm_mls_leaf_node_verify(uint16_t suite, const mm_mls_leaf_node *ln,
                                           mm_view group_id, uint32_t leaf);
/* mm_mls_group_info_verify checks GroupInfoTBS under signature key key. */
MM_MUST_USE mm_err mm_mls_group_info_verify(uint16_t suite, const mm_mls_group_info *gi,
                                            mm_view key);
/* mm_mls_key_package_verify checks KeyPackageTBS under the key package's
 * own leaf key, and the leaf's LeafNode signature. */
MM_MUST_USE mm_err mm_mls_key_package_verify(const mm_mls_key_package *kp);
/* mm_mls_public_message_verify checks the signature of a PublicMessage
 * over FramedContentTBS (with ctx, the GroupContext of the message's epoch,
 * for member and new_member_commit senders) under signature key key. */
MM_MUST_USE mm_err mm_mls_public_message_verify(uint16_t suite, const mm_mls_public_message *pm,
                                                const mm_mls_group_context *ctx, mm_view key);
/* mm_mls_key_package_ref computes KeyPackageRef = RefHash("MLS 1.0
 * KeyPackage Reference", KeyPackage) over the KeyPackage's encoding. */
MM_MUST_USE mm_err mm_mls_key_package_ref(uint16_t suite, mm_view key_package, uint8_t *out,
                                          size_t *out_len);

/* ---- public-state validation (MLS-1, MLS-2) ---- */

typedef struct mm_mls_expect {
  uint16_t suite;   /* the envelope's suite */
  mm_view group_id; /* empty: any */
  bool check_epoch; /* epoch must equal epoch */
  uint64_t epoch;
} mm_mls_expect;

/* mm_mls_validate_public_state validates a GroupInfo and its ratchet tree
 * as a joining member would (profile MLS-2; MLS-1 for the ratchet_tree
 * extension): version, suite, group and epoch as expected; tree shape and
 * unmerged leaves; the root's tree hash; parent hashes; every leaf's
 * signature, basic credential with identity name@domain, capabilities;
 * unique signature and encryption keys; no duplicate extension types; the
 * GroupInfo signature under its signer leaf. On MM_OK, *tree_out (when not
 * NULL) receives the tree. */
MM_MUST_USE mm_err mm_mls_validate_public_state(const mm_mls_group_info *gi, mm_list ratchet_tree,
                                                const mm_mls_expect *exp, mm_mls_tree **tree_out,
                                                mm_mls_why *why);

/* ---- members (MLS-3) ---- */

typedef struct mm_mls_member {
  uint32_t leaf_index;
  mm_view identity; /* the basic credential's identity */
  mm_view signature_key;
  mm_view encryption_key;
} mm_mls_member;

/* mm_mls_members_next walks the non-blank leaves: *leaf starts at 0. */
bool mm_mls_members_next(const mm_mls_tree *t, uint32_t *leaf, mm_mls_member *out);
/* mm_mls_member_count is the number of non-blank leaves. */
uint32_t mm_mls_member_count(const mm_mls_tree *t);
/* mm_mls_find_member finds the first leaf at index >= *leaf whose identity
 * is identity (several leaves may share one: a user's devices); *leaf
 * receives its index. Start at 0 and go on from *leaf + 1 for the others. */
bool mm_mls_find_member(const mm_mls_tree *t, mm_view identity, uint32_t *leaf, mm_mls_member *out);
/* mm_mls_is_member: does some leaf carry this identity? */
bool mm_mls_is_member(const mm_mls_tree *t, mm_view identity);
/* mm_mls_new_identities lists the identities with a leaf in new_tree and
 * none in old_tree (who gets the Welcome, LIFE-1), each once, in leaf
 * order: *out is malloc'd (free it), views point into new_tree. */
MM_MUST_USE mm_err mm_mls_new_identities(const mm_mls_tree *old_tree, const mm_mls_tree *new_tree,
                                         mm_view **out, size_t *n);

/* ---- a held state (what a DS keeps for a group) ---- */

/* A validated public state: a GroupInfo and its tree, owning their bytes. */
typedef struct mm_mls_state mm_mls_state;

/* mm_mls_state_from_group_state decodes a MigrationGroupState (MLS-1) and
 * validates it (MLS-2) against exp; the state keeps ds_payload too. */
MM_MUST_USE mm_err mm_mls_state_from_group_state(const uint8_t *data, size_t len,
                                                 const mm_mls_expect *exp, mm_mls_state **out,
                                                 mm_mls_why *why);
/* mm_mls_state_from_public decodes and validates a PublicGroupState. */
MM_MUST_USE mm_err mm_mls_state_from_public(const uint8_t *data, size_t len,
                                            const mm_mls_expect *exp, mm_mls_state **out,
                                            mm_mls_why *why);
/* mm_mls_state_free frees s; NULL is a no-op. */
void mm_mls_state_free(mm_mls_state *s);

/* mm_mls_state_suite returns the group's suite. */
uint16_t mm_mls_state_suite(const mm_mls_state *s);
/* mm_mls_state_group_id returns the group ID (a view into s). */
mm_view mm_mls_state_group_id(const mm_mls_state *s);
/* mm_mls_state_epoch returns the epoch of the held GroupInfo. */
uint64_t mm_mls_state_epoch(const mm_mls_state *s);
/* mm_mls_state_group_info returns the decoded GroupInfo (views into s);
 * its group_context is the context of the epoch's messages. */
const mm_mls_group_info *mm_mls_state_group_info(const mm_mls_state *s);
/* mm_mls_state_tree returns the epoch's ratchet tree. */
const mm_mls_tree *mm_mls_state_tree(const mm_mls_state *s);
/* mm_mls_state_group_info_bytes returns the GroupInfo's encoding as held. */
mm_view mm_mls_state_group_info_bytes(const mm_mls_state *s);
/* mm_mls_state_ds_payload returns the ds_payload of the MigrationGroupState
 * it came from (empty otherwise). */
mm_view mm_mls_state_ds_payload(const mm_mls_state *s);
/* mm_mls_state_encode appends MigrationGroupState { 2, group_info,
 * ratchet_tree, ds_payload } (what a source exports, MLS-1). */
MM_MUST_USE mm_err mm_mls_state_encode(const mm_mls_state *s, mm_view ds_payload, mm_writer *w);
/* mm_mls_state_encode_public appends PublicGroupState (MLS-6). */
MM_MUST_USE mm_err mm_mls_state_encode_public(const mm_mls_state *s, mm_writer *w);

/* What mm_mls_state_apply_bundle learned of an accepted CommitBundle. */
typedef struct mm_mls_commit_info {
  bool external;        /* a new_member_commit PublicMessage (the DS's policy decides) */
  bool public_message;  /* its signature was verified */
  uint32_t sender_leaf; /* the committer's leaf in the current tree (member senders) */
  bool has_welcome;
  mm_view commit;  /* the commit MLSMessage's bytes, inside the bundle */
  mm_view welcome; /* the Welcome MLSMessage's bytes (empty without) */
} mm_mls_commit_info;

/* mm_mls_state_apply_bundle checks a CommitBundle (MLS-4) against the
 * current state cur, as sent by sender (the envelope's authenticated
 * identity), and on success makes *next, the state of epoch + 1: the
 * commit is a PublicMessage or PrivateMessage of content type commit for
 * the group (MM_E_BAD_COMMIT) at its current epoch (MM_E_STALE_EPOCH, also
 * at the last epoch: EPOCH-3); a welcome, if any, is a Welcome of the
 * suite (MM_E_BAD_COMMIT); the new state passes MLS-2 at epoch + 1
 * (MM_E_BAD_GROUP_STATE); the sender is a member of the current tree and
 * the GroupInfo's signer leaf carries its identity (MM_E_NOT_MEMBER), or
 * for an external commit the signer is a new leaf with its identity; a
 * PublicMessage's signature verifies over FramedContentTBS with the current
 * GroupContext under the sender's leaf key, or the UpdatePath leaf's for an
 * external commit (MM_E_BAD_SIGNATURE). Policy, one Commit per epoch,
 * durability and fan-out are the DS's. bundle must stay alive while info's
 * views are used; *next owns its own bytes, and its ds_payload is empty
 * (the DS passes its own to mm_mls_state_encode). */
MM_MUST_USE mm_err mm_mls_state_apply_bundle(const mm_mls_state *cur, const uint8_t *bundle,
                                             size_t len, mm_view sender, mm_mls_state **next,
                                             mm_mls_commit_info *info, mm_mls_why *why);

/* mm_mls_check_message checks the framing of an MLSMessage a member sends
 * to the group (MLS-5: application messages; content_type as wanted): a
 * PrivateMessage (or, for other content types, a PublicMessage;
 * MM_E_BAD_COMMIT otherwise) of that content type (MM_E_BAD_COMMIT) for
 * the group (MM_E_UNKNOWN_GROUP), at the current epoch (MM_E_STALE_EPOCH),
 * from a member (MM_E_NOT_MEMBER); MM_E_MALFORMED if it does not decode. */
MM_MUST_USE mm_err mm_mls_check_message(const mm_mls_state *cur, const uint8_t *msg, size_t len,
                                        uint8_t content_type, mm_view sender, mm_mls_why *why);

#endif

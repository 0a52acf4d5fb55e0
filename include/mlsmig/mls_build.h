/* Building genuine RFC 9420 public state, for mlsmig's own members (the
 * simulator's and the runner's): signed LeafNodes and KeyPackages, tree
 * edits for Add, Remove and Update, a committer's path with its parent
 * hashes, signed GroupInfos and PublicMessage Commits, and CommitBundles
 * (profile MLS-4), so that everything a DS can check (mls_state.h) is
 * real.
 *
 * What needs group secrets is synthetic and says so: HPKE ciphertexts
 * (UpdatePath, Welcome) are random bytes of plausible sizes, the
 * confirmation tag and membership tag are random MACs, and the confirmed
 * transcript hash is a hash of the commit's bytes rather than RFC 9420's
 * transcript. HPKE public keys are real keys of the suite's KEM
 * (mm_hpke_keypair), their private keys dropped. docs/mls-state.md. */
#ifndef MLSMIG_MLS_BUILD_H
#define MLSMIG_MLS_BUILD_H

#include "mlsmig/crypto.h"
#include "mlsmig/mls.h"
#include "mlsmig/mls_state.h"
#include "mlsmig/rng.h"

/* ---- signatures (the counterparts of the mls_state.h verifiers) ---- */

/* Each appends SignWithLabel(k, label, TBS of the structure) to sig; the
 * structure's own signature field is not read. */
/* mm_mls_leaf_node_sign signs LeafNodeTBS ("LeafNodeTBS"; group_id and
 * leaf are part of it for update and commit sources). */
MM_MUST_USE mm_err mm_mls_leaf_node_sign(const mm_key *k, const mm_mls_leaf_node *ln,
                                         mm_view group_id, uint32_t leaf, mm_writer *sig);
/* mm_mls_group_info_sign signs GroupInfoTBS ("GroupInfoTBS"). */
MM_MUST_USE mm_err mm_mls_group_info_sign(const mm_key *k, const mm_mls_group_info *gi,
                                          mm_writer *sig);
/* mm_mls_key_package_sign signs KeyPackageTBS ("KeyPackageTBS"). */
MM_MUST_USE mm_err mm_mls_key_package_sign(const mm_key *k, const mm_mls_key_package *kp,
                                           mm_writer *sig);
/* mm_mls_public_message_sign signs FramedContentTBS ("FramedContentTBS",
 * with ctx for member and new_member_commit senders). */
MM_MUST_USE mm_err mm_mls_public_message_sign(const mm_key *k, const mm_mls_public_message *pm,
                                              const mm_mls_group_context *ctx, mm_writer *sig);

/* ---- LeafNode and KeyPackage ---- */

typedef struct mm_mls_leaf_spec {
  mm_view identity;         /* the basic credential: "name@domain" */
  mm_view encryption_key;   /* an HPKE public key of the suite */
  uint8_t source;           /* MM_MLS_SRC_KEY_PACKAGE, _UPDATE or _COMMIT */
  mm_mls_lifetime lifetime; /* key_package source */
  mm_view parent_hash;      /* commit source */
} mm_mls_leaf_spec;

/* mm_mls_build_leaf_node appends a LeafNode signed with k (LeafNodeTBS;
 * group_id and leaf for update and commit sources), its signature key k's
 * public key, capabilities {versions [mls10], cipher_suites [the suite],
 * no extra extensions or proposals, credentials [basic]}, no extensions. */
MM_MUST_USE mm_err mm_mls_build_leaf_node(const mm_key *k, const mm_mls_leaf_spec *spec,
                                          mm_view group_id, uint32_t leaf, mm_writer *out);
/* mm_mls_build_key_package appends a KeyPackage (not wrapped in an
 * MLSMessage) with a key_package-source leaf, signed with k. */
MM_MUST_USE mm_err mm_mls_build_key_package(const mm_key *k, mm_view init_key,
                                            const mm_mls_leaf_spec *spec, mm_writer *out);
/* mm_mls_wrap appends MLSMessage { mls10, wire_format, body } where body
 * is already the encoding of the wire format's structure. */
MM_MUST_USE mm_err mm_mls_wrap(uint16_t wire_format, mm_view body, mm_writer *out);
/* mm_mls_random_hpke_key draws an HPKE public key of the suite into buf
 * (MM_MAX_PUB_LEN bytes) and returns its view. */
mm_view mm_mls_random_hpke_key(uint16_t suite, mm_rng *rng, uint8_t *buf);

/* ---- tree edits (RFC 9420 7.7, 7.8, 12.1) ---- */

/* mm_mls_tree_add puts leaf_node (a LeafNode's encoding) at the leftmost
 * blank leaf (widening the tree if there is none) and adds it to the
 * unmerged leaves of every non-blank parent above; *leaf receives its
 * index. */
MM_MUST_USE mm_err mm_mls_tree_add(mm_mls_tree *t, mm_view leaf_node, uint32_t *leaf);
/* mm_mls_tree_remove blanks leaf and its direct path and cuts the tree. */
MM_MUST_USE mm_err mm_mls_tree_remove(mm_mls_tree *t, uint32_t leaf);
/* mm_mls_tree_update replaces leaf's LeafNode and blanks its direct path. */
MM_MUST_USE mm_err mm_mls_tree_update(mm_mls_tree *t, uint32_t leaf, mm_view leaf_node);
/* mm_mls_tree_apply_proposal applies an Add, Remove or Update proposal
 * sent by leaf sender (MM_E_USAGE for other types; MM_E_BAD_GROUP_STATE
 * for a Remove of a blank leaf or beyond the tree). */
MM_MUST_USE mm_err mm_mls_tree_apply_proposal(mm_mls_tree *t, const mm_mls_proposal *p,
                                              uint32_t sender);
/* mm_mls_tree_filtered_path lists leaf's filtered direct path (node
 * indices, bottom up: the direct path less the nodes whose copath child
 * has an empty resolution), *n of them. */
MM_MUST_USE mm_err mm_mls_tree_filtered_path(const mm_mls_tree *t, uint32_t leaf, uint32_t *out,
                                             size_t cap, size_t *n);
/* mm_mls_tree_set_path is a committer's path (RFC 9420 7.5, 7.9): blanks
 * leaf's direct path, sets each node of its filtered direct path to a
 * fresh ParentNode with the HPKE key keys[i] (bottom up; n_keys must be the
 * path's length), computes the parent hashes top down, and sets the leaf
 * to a commit-source LeafNode of spec (its parent_hash filled in) signed
 * with k. The new LeafNode's encoding is appended to leaf_out when not
 * NULL. */
MM_MUST_USE mm_err mm_mls_tree_set_path(mm_mls_tree *t, uint32_t leaf, const mm_view *keys,
                                        size_t n_keys, const mm_key *k,
                                        const mm_mls_leaf_spec *spec, mm_view group_id,
                                        mm_writer *leaf_out);
/* mm_mls_build_update_path appends the UpdatePath of leaf's path as
 * mm_mls_tree_set_path left it: the leaf and, per filtered path node, its
 * key and one random HPKECiphertext per node of its copath child's
 * resolution less the leaves in skip[0..n_skip) (joiners of this commit). */
MM_MUST_USE mm_err mm_mls_build_update_path(const mm_mls_tree *t, uint32_t leaf,
                                            const uint32_t *skip, size_t n_skip, mm_rng *rng,
                                            mm_writer *out);

/* ---- GroupInfo, PublicMessage, Welcome, CommitBundle ---- */

/* mm_mls_build_group_info appends a GroupInfo for ctx (whose tree_hash the
 * caller set), with no extensions, a random confirmation tag, signed by
 * leaf signer with k. */
MM_MUST_USE mm_err mm_mls_build_group_info(const mm_key *k, const mm_mls_group_context *ctx,
                                           uint32_t signer, mm_rng *rng, mm_writer *out);

/* mm_mls_build_public_commit appends MLSMessage(PublicMessage) carrying a
 * Commit (commit: its encoding) from sender (a member's leaf index, or
 * external: new_member_commit), at ctx's group and epoch, with aad, signed
 * with k over FramedContentTBS with ctx; random confirmation and (for a
 * member) membership tags. */
MM_MUST_USE mm_err mm_mls_build_public_commit(const mm_key *k, const mm_mls_group_context *ctx,
                                              bool external, uint32_t sender, mm_view aad,
                                              mm_view commit, mm_rng *rng, mm_writer *out);
/* mm_mls_build_welcome appends MLSMessage(Welcome) for the key packages
 * kps[0..n) (each a KeyPackage's encoding): their KeyPackageRefs, random
 * HPKE ciphertexts and a random encrypted GroupInfo. */
MM_MUST_USE mm_err mm_mls_build_welcome(uint16_t suite, const mm_view *kps, size_t n, mm_rng *rng,
                                        mm_writer *out);

/* What a member commits, for mm_mls_build_commit_bundle. */
typedef struct mm_mls_commit_spec {
  const mm_mls_group_context *ctx;  /* the current epoch's GroupContext */
  const mm_mls_tree *cur_tree;      /* the current tree (unchanged) */
  uint32_t committer;               /* the committer's leaf index (in cur_tree; for an external
                                      commit: ignored) */
  bool external;                    /* new_member_commit: the committer joins */
  const mm_key *key;                /* the committer's signature key */
  mm_view identity;                 /* the committer's identity (its new leaf) */
  const mm_mls_proposal *proposals; /* by value, applied in order */
  size_t n_proposals;
  bool path;   /* with an UpdatePath (needed for Remove, Update, external commits) */
  mm_view aad; /* FramedContent.authenticated_data (a MigrationCommitAAD, for the migration) */
} mm_mls_commit_spec;

/* mm_mls_build_commit_bundle makes a CommitBundle (MLS-4) for the epoch
 * after spec->ctx: applies the proposals to a copy of cur_tree, sets the
 * committer's path when asked (fresh HPKE keys from rng), signs the
 * PublicMessage Commit over FramedContentTBS with the current context,
 * builds the Welcome for the Add proposals' key packages, and the new
 * epoch's GroupInfo (tree hash of the new tree, epoch + 1) signed by the
 * committer's leaf. Appends the bundle to out; *new_tree, when not NULL,
 * receives the new tree. */
MM_MUST_USE mm_err mm_mls_build_commit_bundle(const mm_mls_commit_spec *spec, mm_rng *rng,
                                              mm_writer *out, mm_mls_tree **new_tree);

/* mm_mls_build_group creates the state of a new group at epoch 0 (or any
 * epoch): one leaf per member (identities[i], keys[i]) added by the first
 * and merged by a path commit of leaf 0 (so the tree has real parent
 * hashes), and appends PublicGroupState { GroupInfo signed by leaf 0, tree }
 * to out; *tree_out (when not NULL) receives the tree. */
MM_MUST_USE mm_err mm_mls_build_group(uint16_t suite, mm_view group_id, uint64_t epoch,
                                      const mm_view *identities, mm_key *const *keys, size_t n,
                                      mm_rng *rng, mm_writer *out, mm_mls_tree **tree_out);

#endif

/* Field tables of the RFC 9420 structures of mls.h and of the profile's
 * MigrationGroupState, PublicGroupState and CommitBundle (MLS-1, MLS-4),
 * walked by the generic codec of sim/codec (decode, encode, JSON). Field
 * order is wire order; names are RFC 9420's. A select arm without fields
 * stands for RFC 9420's `struct{}`. */
#include "mls/mls_schema.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SCHEMA(sname, ctype, table) \
  { (sname), sizeof(ctype), (table), COUNT(table), false }
/* A structure naming its own cipher_suite, which ends with it. */
#define SCOPED(sname, ctype, table) \
  { (sname), sizeof(ctype), (table), COUNT(table), true }
#define EMPTY(sname, ctype) \
  { (sname), sizeof(ctype), NULL, 0, false }

#define F(S, f, k) \
  { .name = #f, .kind = (k), .offset = offsetof(S, f) }
/* A field of a nested C member shown under another JSON name. */
#define AT(S, jname, path, k) \
  { .name = (jname), .kind = (k), .offset = offsetof(S, path) }
#define RANGED(S, f, k, lo, hi, why) \
  { .name = #f, .kind = (k), .offset = offsetof(S, f), .reason = (why), .min = (lo), .max = (hi) }
#define NESTED(S, f, sch) \
  { .name = #f, .kind = MM_K_STRUCT, .offset = offsetof(S, f), .sub = &(sch) }
#define LIST(S, f, sch) \
  { .name = #f, .kind = MM_K_LIST, .offset = offsetof(S, f), .sub = &(sch) }
#define OPT(S, f, flag, sch)                                                                   \
  {                                                                                            \
    .name = #f, .kind = MM_K_OPTIONAL, .offset = offsetof(S, f), .sel_off = offsetof(S, flag), \
    .sub = &(sch)                                                                              \
  }
#define SELECT(S, path, k, arms, why)                                                    \
  {                                                                                      \
    .kind = MM_K_SELECT, .sel_kind = (k), .sel_off = offsetof(S, path), .cases = (arms), \
    .ncases = COUNT(arms), .reason = (why)                                               \
  }
/* A ratchet tree: at most 2 * MM_MLS_MAX_LEAVES - 1 nodes (ENC-4). */
#define TREE(S, f, jname)                                                                         \
  {                                                                                               \
    .name = (jname), .kind = MM_K_LIST, .offset = offsetof(S, f), .sub = &mm_mls_opt_node_schema, \
    .reason = "ratchet tree longer than 2^17-1 nodes", .min = 0, .max = 2 * MM_MLS_MAX_LEAVES - 1 \
  }

/* ---- list elements ---- */

static const mm_field u16_fields[] = {{.name = NULL, .kind = MM_K_U16, .offset = 0}};
const mm_schema mm_mls_u16_schema = SCHEMA("uint16", uint16_t, u16_fields);
static const mm_field u32_fields[] = {{.name = NULL, .kind = MM_K_U32, .offset = 0}};
const mm_schema mm_mls_u32_schema = SCHEMA("uint32", uint32_t, u32_fields);

static const mm_field extension_fields[] = {
    F(mm_mls_extension, extension_type, MM_K_U16),
    F(mm_mls_extension, extension_data, MM_K_OPAQUE),
};
const mm_schema mm_mls_extension_schema = SCHEMA("extension", mm_mls_extension, extension_fields);

static const mm_field certificate_fields[] = {{.name = "cert_data", .kind = MM_K_OPAQUE}};
const mm_schema mm_mls_certificate_schema = SCHEMA("certificate", mm_view, certificate_fields);

/* ---- Credential, Capabilities, Lifetime (RFC 9420 5.3, 7.2) ---- */

static const mm_field basic_fields[] = {F(mm_mls_credential, identity, MM_K_OPAQUE)};
static const mm_field x509_fields[] = {
    LIST(mm_mls_credential, certificates, mm_mls_certificate_schema)};
static const mm_schema basic_arm = SCHEMA("basic", mm_mls_credential, basic_fields);
static const mm_schema x509_arm = SCHEMA("x509", mm_mls_credential, x509_fields);
static const mm_case credential_arms[] = {
    {MM_MLS_CRED_BASIC, NULL, &basic_arm},
    {MM_MLS_CRED_X509, NULL, &x509_arm},
};
static const mm_field credential_fields[] = {
    RANGED(mm_mls_credential, credential_type, MM_K_U16, MM_MLS_CRED_BASIC, MM_MLS_CRED_X509,
           "unknown credential_type"),
    SELECT(mm_mls_credential, credential_type, MM_K_U16, credential_arms,
           "unknown credential_type"),
};
const mm_schema mm_mls_credential_schema =
    SCHEMA("credential", mm_mls_credential, credential_fields);

static const mm_field capabilities_fields[] = {
    LIST(mm_mls_capabilities, versions, mm_mls_u16_schema),
    LIST(mm_mls_capabilities, cipher_suites, mm_mls_u16_schema),
    LIST(mm_mls_capabilities, extensions, mm_mls_u16_schema),
    LIST(mm_mls_capabilities, proposals, mm_mls_u16_schema),
    LIST(mm_mls_capabilities, credentials, mm_mls_u16_schema),
};
const mm_schema mm_mls_capabilities_schema =
    SCHEMA("capabilities", mm_mls_capabilities, capabilities_fields);

static const mm_field lifetime_fields[] = {
    F(mm_mls_lifetime, not_before, MM_K_U64),
    F(mm_mls_lifetime, not_after, MM_K_U64),
};
static const mm_schema lifetime_schema = SCHEMA("lifetime", mm_mls_lifetime, lifetime_fields);

/* ---- LeafNode, ParentNode, Node (RFC 9420 7.2, 7.1, 12.4.3.3) ---- */

static const mm_field src_key_package_fields[] = {
    NESTED(mm_mls_leaf_node, lifetime, lifetime_schema)};
static const mm_field src_commit_fields[] = {F(mm_mls_leaf_node, parent_hash, MM_K_HASH_OPT)};
static const mm_schema src_key_package =
    SCHEMA("key_package", mm_mls_leaf_node, src_key_package_fields);
static const mm_schema src_update = EMPTY("update", mm_mls_leaf_node);
static const mm_schema src_commit = SCHEMA("commit", mm_mls_leaf_node, src_commit_fields);
static const mm_case leaf_source_arms[] = {
    {MM_MLS_SRC_KEY_PACKAGE, NULL, &src_key_package},
    {MM_MLS_SRC_UPDATE, NULL, &src_update},
    {MM_MLS_SRC_COMMIT, NULL, &src_commit},
};
static const mm_field leaf_node_fields[] = {
    F(mm_mls_leaf_node, encryption_key, MM_K_HPKE_KEY),
    F(mm_mls_leaf_node, signature_key, MM_K_SIG_KEY),
    NESTED(mm_mls_leaf_node, credential, mm_mls_credential_schema),
    NESTED(mm_mls_leaf_node, capabilities, mm_mls_capabilities_schema),
    RANGED(mm_mls_leaf_node, leaf_node_source, MM_K_U8, MM_MLS_SRC_KEY_PACKAGE, MM_MLS_SRC_COMMIT,
           "unknown leaf_node_source"),
    SELECT(mm_mls_leaf_node, leaf_node_source, MM_K_U8, leaf_source_arms,
           "unknown leaf_node_source"),
    LIST(mm_mls_leaf_node, extensions, mm_mls_extension_schema),
    F(mm_mls_leaf_node, signature, MM_K_SIGNATURE),
};
const mm_schema mm_mls_leaf_node_schema = SCHEMA("leaf_node", mm_mls_leaf_node, leaf_node_fields);

static const mm_field parent_node_fields[] = {
    F(mm_mls_parent_node, encryption_key, MM_K_HPKE_KEY),
    F(mm_mls_parent_node, parent_hash, MM_K_HASH_OPT),
    LIST(mm_mls_parent_node, unmerged_leaves, mm_mls_u32_schema),
};
const mm_schema mm_mls_parent_node_schema =
    SCHEMA("parent_node", mm_mls_parent_node, parent_node_fields);

static const mm_field node_leaf_fields[] = {
    NESTED(mm_mls_node, leaf_node, mm_mls_leaf_node_schema)};
static const mm_field node_parent_fields[] = {
    NESTED(mm_mls_node, parent_node, mm_mls_parent_node_schema)};
static const mm_schema node_leaf = SCHEMA("leaf", mm_mls_node, node_leaf_fields);
static const mm_schema node_parent = SCHEMA("parent", mm_mls_node, node_parent_fields);
static const mm_case node_arms[] = {
    {MM_MLS_NODE_LEAF, NULL, &node_leaf},
    {MM_MLS_NODE_PARENT, NULL, &node_parent},
};
static const mm_field node_fields[] = {
    RANGED(mm_mls_node, node_type, MM_K_U8, MM_MLS_NODE_LEAF, MM_MLS_NODE_PARENT,
           "unknown node_type"),
    SELECT(mm_mls_node, node_type, MM_K_U8, node_arms, "unknown node_type"),
};
const mm_schema mm_mls_node_schema = SCHEMA("node", mm_mls_node, node_fields);

static const mm_field opt_node_fields[] = {
    {.name = NULL,
     .kind = MM_K_OPTIONAL,
     .offset = offsetof(mm_mls_opt_node, node),
     .sel_off = offsetof(mm_mls_opt_node, present),
     .sub = &mm_mls_node_schema},
};
const mm_schema mm_mls_opt_node_schema = SCHEMA("optional_node", mm_mls_opt_node, opt_node_fields);

static const mm_field ratchet_tree_fields[] = {TREE(mm_mls_ratchet_tree, nodes, NULL)};
static const mm_schema ratchet_tree_schema =
    SCHEMA("ratchet_tree", mm_mls_ratchet_tree, ratchet_tree_fields);

/* ---- GroupContext, GroupInfo (RFC 9420 8.1, 12.4.3) ---- */

static const mm_field group_context_fields[] = {
    RANGED(mm_mls_group_context, version, MM_K_U16, MM_MLS10, MM_MLS10,
           "version must be 1 (mls10)"),
    {.name = "cipher_suite",
     .kind = MM_K_U16,
     .offset = offsetof(mm_mls_group_context, cipher_suite),
     .reason = "cipher_suite must be nonzero",
     .min = 1,
     .max = UINT16_MAX,
     .sets_suite = true},
    F(mm_mls_group_context, group_id, MM_K_GROUP_ID),
    F(mm_mls_group_context, epoch, MM_K_U64),
    F(mm_mls_group_context, tree_hash, MM_K_HASH),
    F(mm_mls_group_context, confirmed_transcript_hash, MM_K_HASH_OPT),
    LIST(mm_mls_group_context, extensions, mm_mls_extension_schema),
};
const mm_schema mm_mls_group_context_schema =
    SCHEMA("group_context", mm_mls_group_context, group_context_fields);

static const mm_field group_info_fields[] = {
    NESTED(mm_mls_group_info, group_context, mm_mls_group_context_schema),
    LIST(mm_mls_group_info, extensions, mm_mls_extension_schema),
    F(mm_mls_group_info, confirmation_tag, MM_K_MAC),
    F(mm_mls_group_info, signer, MM_K_U32),
    F(mm_mls_group_info, signature, MM_K_SIGNATURE),
};
/* Not scoped: its suite also governs the tree that follows it in a state. */
const mm_schema mm_mls_group_info_schema =
    SCHEMA("group_info", mm_mls_group_info, group_info_fields);

/* ---- KeyPackage (RFC 9420 10) ---- */

static const mm_field key_package_fields[] = {
    RANGED(mm_mls_key_package, version, MM_K_U16, MM_MLS10, MM_MLS10, "version must be 1 (mls10)"),
    {.name = "cipher_suite",
     .kind = MM_K_U16,
     .offset = offsetof(mm_mls_key_package, cipher_suite),
     .reason = "cipher_suite must be nonzero",
     .min = 1,
     .max = UINT16_MAX,
     .sets_suite = true},
    F(mm_mls_key_package, init_key, MM_K_HPKE_KEY),
    NESTED(mm_mls_key_package, leaf_node, mm_mls_leaf_node_schema),
    LIST(mm_mls_key_package, extensions, mm_mls_extension_schema),
    F(mm_mls_key_package, signature, MM_K_SIGNATURE),
};
const mm_schema mm_mls_key_package_schema =
    SCOPED("key_package", mm_mls_key_package, key_package_fields);

/* ---- Welcome, GroupSecrets (RFC 9420 12.4.3) ---- */

static const mm_field hpke_ciphertext_fields[] = {
    F(mm_mls_hpke_ciphertext, kem_output, MM_K_OPAQUE),
    F(mm_mls_hpke_ciphertext, ciphertext, MM_K_OPAQUE),
};
const mm_schema mm_mls_hpke_ciphertext_schema =
    SCHEMA("hpke_ciphertext", mm_mls_hpke_ciphertext, hpke_ciphertext_fields);

static const mm_field egs_fields[] = {
    F(mm_mls_encrypted_group_secrets, new_member, MM_K_HASH),
    NESTED(mm_mls_encrypted_group_secrets, encrypted_group_secrets, mm_mls_hpke_ciphertext_schema),
};
const mm_schema mm_mls_encrypted_group_secrets_schema =
    SCHEMA("encrypted_group_secrets", mm_mls_encrypted_group_secrets, egs_fields);

static const mm_field welcome_fields[] = {
    {.name = "cipher_suite",
     .kind = MM_K_U16,
     .offset = offsetof(mm_mls_welcome, cipher_suite),
     .reason = "cipher_suite must be nonzero",
     .min = 1,
     .max = UINT16_MAX,
     .sets_suite = true},
    LIST(mm_mls_welcome, secrets, mm_mls_encrypted_group_secrets_schema),
    F(mm_mls_welcome, encrypted_group_info, MM_K_OPAQUE),
};
const mm_schema mm_mls_welcome_schema = SCOPED("welcome", mm_mls_welcome, welcome_fields);

static const mm_field psk_external_fields[] = {F(mm_mls_psk_id, psk_id, MM_K_OPAQUE)};
static const mm_field psk_resumption_fields[] = {
    RANGED(mm_mls_psk_id, usage, MM_K_U8, 1, 3, "unknown ResumptionPSKUsage"),
    F(mm_mls_psk_id, psk_group_id, MM_K_GROUP_ID),
    F(mm_mls_psk_id, psk_epoch, MM_K_U64),
};
static const mm_schema psk_external = SCHEMA("external", mm_mls_psk_id, psk_external_fields);
static const mm_schema psk_resumption = SCHEMA("resumption", mm_mls_psk_id, psk_resumption_fields);
static const mm_case psk_arms[] = {
    {MM_MLS_PSK_EXTERNAL, NULL, &psk_external},
    {MM_MLS_PSK_RESUMPTION, NULL, &psk_resumption},
};
static const mm_field psk_id_fields[] = {
    RANGED(mm_mls_psk_id, psktype, MM_K_U8, MM_MLS_PSK_EXTERNAL, MM_MLS_PSK_RESUMPTION,
           "unknown psktype"),
    SELECT(mm_mls_psk_id, psktype, MM_K_U8, psk_arms, "unknown psktype"),
    F(mm_mls_psk_id, psk_nonce, MM_K_HASH),
};
const mm_schema mm_mls_psk_id_schema = SCHEMA("pre_shared_key_id", mm_mls_psk_id, psk_id_fields);

static const mm_field path_secret_fields[] = {F(mm_mls_path_secret, path_secret, MM_K_OPAQUE)};
static const mm_schema path_secret_schema =
    SCHEMA("path_secret", mm_mls_path_secret, path_secret_fields);

static const mm_field group_secrets_fields[] = {
    F(mm_mls_group_secrets, joiner_secret, MM_K_OPAQUE),
    OPT(mm_mls_group_secrets, path_secret, has_path_secret, path_secret_schema),
    LIST(mm_mls_group_secrets, psks, mm_mls_psk_id_schema),
};
static const mm_schema group_secrets_schema =
    SCHEMA("group_secrets", mm_mls_group_secrets, group_secrets_fields);

/* ---- Proposals (RFC 9420 12.1) ---- */

static const mm_field add_fields[] = {NESTED(mm_mls_add, key_package, mm_mls_key_package_schema)};
static const mm_schema add_schema = SCHEMA("add", mm_mls_add, add_fields);
static const mm_field update_fields[] = {NESTED(mm_mls_update, leaf_node, mm_mls_leaf_node_schema)};
static const mm_schema update_schema = SCHEMA("update", mm_mls_update, update_fields);
static const mm_field remove_fields[] = {F(mm_mls_remove, removed, MM_K_U32)};
static const mm_schema remove_schema = SCHEMA("remove", mm_mls_remove, remove_fields);
static const mm_field psk_fields[] = {NESTED(mm_mls_pre_shared_key, psk, mm_mls_psk_id_schema)};
static const mm_schema psk_schema = SCHEMA("pre_shared_key", mm_mls_pre_shared_key, psk_fields);
static const mm_field reinit_fields[] = {
    F(mm_mls_reinit, group_id, MM_K_GROUP_ID),
    F(mm_mls_reinit, version, MM_K_U16),
    F(mm_mls_reinit, cipher_suite, MM_K_U16),
    LIST(mm_mls_reinit, extensions, mm_mls_extension_schema),
};
static const mm_schema reinit_schema = SCHEMA("reinit", mm_mls_reinit, reinit_fields);
static const mm_field external_init_fields[] = {F(mm_mls_external_init, kem_output, MM_K_OPAQUE)};
static const mm_schema external_init_schema =
    SCHEMA("external_init", mm_mls_external_init, external_init_fields);
static const mm_field gce_fields[] = {
    LIST(mm_mls_group_context_extensions, extensions, mm_mls_extension_schema)};
static const mm_schema gce_schema =
    SCHEMA("group_context_extensions", mm_mls_group_context_extensions, gce_fields);

/* The arms of Proposal: one nested body each, under RFC 9420's names. */
#define PROPOSAL_ARM(var, member, sch)                                               \
  static const mm_field var##_arm_fields[] = {NESTED(mm_mls_proposal, member, sch)}; \
  static const mm_schema var##_arm = SCHEMA(#member, mm_mls_proposal, var##_arm_fields)
PROPOSAL_ARM(add, add, add_schema);
PROPOSAL_ARM(update, update, update_schema);
PROPOSAL_ARM(remove, remove, remove_schema);
PROPOSAL_ARM(psk, psk, psk_schema);
PROPOSAL_ARM(reinit, reinit, reinit_schema);
PROPOSAL_ARM(external_init, external_init, external_init_schema);
PROPOSAL_ARM(gce, group_context_extensions, gce_schema);
static const mm_case proposal_arms[] = {
    {MM_MLS_PROP_ADD, NULL, &add_arm},
    {MM_MLS_PROP_UPDATE, NULL, &update_arm},
    {MM_MLS_PROP_REMOVE, NULL, &remove_arm},
    {MM_MLS_PROP_PSK, NULL, &psk_arm},
    {MM_MLS_PROP_REINIT, NULL, &reinit_arm},
    {MM_MLS_PROP_EXTERNAL_INIT, NULL, &external_init_arm},
    {MM_MLS_PROP_GROUP_CONTEXT_EXTENSIONS, NULL, &gce_arm},
};
static const mm_field proposal_fields[] = {
    RANGED(mm_mls_proposal, proposal_type, MM_K_U16, MM_MLS_PROP_ADD,
           MM_MLS_PROP_GROUP_CONTEXT_EXTENSIONS, "unknown proposal_type"),
    SELECT(mm_mls_proposal, proposal_type, MM_K_U16, proposal_arms, "unknown proposal_type"),
};
const mm_schema mm_mls_proposal_schema = SCHEMA("proposal", mm_mls_proposal, proposal_fields);

static const mm_field por_proposal_fields[] = {
    NESTED(mm_mls_proposal_or_ref, proposal, mm_mls_proposal_schema)};
static const mm_field por_reference_fields[] = {F(mm_mls_proposal_or_ref, reference, MM_K_HASH)};
static const mm_schema por_proposal =
    SCHEMA("proposal", mm_mls_proposal_or_ref, por_proposal_fields);
static const mm_schema por_reference =
    SCHEMA("reference", mm_mls_proposal_or_ref, por_reference_fields);
static const mm_case por_arms[] = {
    {MM_MLS_POR_PROPOSAL, NULL, &por_proposal},
    {MM_MLS_POR_REFERENCE, NULL, &por_reference},
};
static const mm_field por_fields[] = {
    RANGED(mm_mls_proposal_or_ref, type, MM_K_U8, MM_MLS_POR_PROPOSAL, MM_MLS_POR_REFERENCE,
           "unknown ProposalOrRefType"),
    SELECT(mm_mls_proposal_or_ref, type, MM_K_U8, por_arms, "unknown ProposalOrRefType"),
};
const mm_schema mm_mls_proposal_or_ref_schema =
    SCHEMA("proposal_or_ref", mm_mls_proposal_or_ref, por_fields);

/* ---- Commit, UpdatePath (RFC 9420 12.4, 7.6) ---- */

static const mm_field upn_fields[] = {
    F(mm_mls_update_path_node, encryption_key, MM_K_HPKE_KEY),
    LIST(mm_mls_update_path_node, encrypted_path_secret, mm_mls_hpke_ciphertext_schema),
};
const mm_schema mm_mls_update_path_node_schema =
    SCHEMA("update_path_node", mm_mls_update_path_node, upn_fields);

static const mm_field update_path_fields[] = {
    NESTED(mm_mls_update_path, leaf_node, mm_mls_leaf_node_schema),
    LIST(mm_mls_update_path, nodes, mm_mls_update_path_node_schema),
};
const mm_schema mm_mls_update_path_schema =
    SCHEMA("update_path", mm_mls_update_path, update_path_fields);

static const mm_field commit_fields[] = {
    LIST(mm_mls_commit, proposals, mm_mls_proposal_or_ref_schema),
    OPT(mm_mls_commit, path, has_path, mm_mls_update_path_schema),
};
const mm_schema mm_mls_commit_schema = SCHEMA("commit", mm_mls_commit, commit_fields);

/* ---- FramedContent, PublicMessage, PrivateMessage, MLSMessage (RFC 9420 6) ---- */

static const mm_field sender_member_fields[] = {AT(mm_mls_sender, "leaf_index", index, MM_K_U32)};
static const mm_field sender_external_fields[] = {
    AT(mm_mls_sender, "sender_index", index, MM_K_U32)};
static const mm_schema sender_member = SCHEMA("member", mm_mls_sender, sender_member_fields);
static const mm_schema sender_external = SCHEMA("external", mm_mls_sender, sender_external_fields);
static const mm_schema sender_new_member = EMPTY("new_member", mm_mls_sender);
static const mm_case sender_arms[] = {
    {MM_SENDER_MEMBER, NULL, &sender_member},
    {MM_SENDER_EXTERNAL, NULL, &sender_external},
    {MM_SENDER_NEW_MEMBER_PROPOSAL, NULL, &sender_new_member},
    {MM_SENDER_NEW_MEMBER_COMMIT, NULL, &sender_new_member},
};
static const mm_field sender_fields[] = {
    RANGED(mm_mls_sender, sender_type, MM_K_U8, MM_SENDER_MEMBER, MM_SENDER_NEW_MEMBER_COMMIT,
           "unknown sender_type"),
    SELECT(mm_mls_sender, sender_type, MM_K_U8, sender_arms, "unknown sender_type"),
};
static const mm_schema sender_schema = SCHEMA("sender", mm_mls_sender, sender_fields);

static const mm_field content_application_fields[] = {
    F(mm_mls_framed_content, application_data, MM_K_OPAQUE)};
static const mm_field content_proposal_fields[] = {
    NESTED(mm_mls_framed_content, proposal, mm_mls_proposal_schema)};
static const mm_field content_commit_fields[] = {
    NESTED(mm_mls_framed_content, commit, mm_mls_commit_schema)};
static const mm_schema content_application =
    SCHEMA("application", mm_mls_framed_content, content_application_fields);
static const mm_schema content_proposal =
    SCHEMA("proposal", mm_mls_framed_content, content_proposal_fields);
static const mm_schema content_commit =
    SCHEMA("commit", mm_mls_framed_content, content_commit_fields);
static const mm_case content_arms[] = {
    {MM_CONTENT_APPLICATION, NULL, &content_application},
    {MM_CONTENT_PROPOSAL, NULL, &content_proposal},
    {MM_CONTENT_COMMIT, NULL, &content_commit},
};
static const mm_field framed_content_fields[] = {
    F(mm_mls_framed_content, group_id, MM_K_GROUP_ID),
    F(mm_mls_framed_content, epoch, MM_K_U64),
    NESTED(mm_mls_framed_content, sender, sender_schema),
    F(mm_mls_framed_content, authenticated_data, MM_K_OPAQUE),
    RANGED(mm_mls_framed_content, content_type, MM_K_U8, MM_CONTENT_APPLICATION, MM_CONTENT_COMMIT,
           "unknown content_type"),
    SELECT(mm_mls_framed_content, content_type, MM_K_U8, content_arms, "unknown content_type"),
};
const mm_schema mm_mls_framed_content_schema =
    SCHEMA("framed_content", mm_mls_framed_content, framed_content_fields);

/* FramedContentAuthData and the membership tag depend on fields of the
 * content, so these tables describe the whole PublicMessage (offsets from
 * its start; "auth" nests at offset 0 for the JSON form). */
#define PM mm_mls_public_message
static const mm_field auth_commit_fields[] = {
    AT(PM, "confirmation_tag", auth.confirmation_tag, MM_K_MAC)};
static const mm_schema auth_commit = SCHEMA("commit", PM, auth_commit_fields);
static const mm_schema auth_other = EMPTY("other", PM);
static const mm_case auth_arms[] = {
    {MM_CONTENT_APPLICATION, NULL, &auth_other},
    {MM_CONTENT_PROPOSAL, NULL, &auth_other},
    {MM_CONTENT_COMMIT, NULL, &auth_commit},
};
static const mm_field auth_fields[] = {
    AT(PM, "signature", auth.signature, MM_K_SIGNATURE),
    SELECT(PM, content.content_type, MM_K_U8, auth_arms, "unknown content_type"),
};
static const mm_schema auth_schema = SCHEMA("auth", PM, auth_fields);
static const mm_field tag_member_fields[] = {F(PM, membership_tag, MM_K_MAC)};
static const mm_schema tag_member = SCHEMA("member", PM, tag_member_fields);
static const mm_schema tag_none = EMPTY("none", PM);
static const mm_case tag_arms[] = {
    {MM_SENDER_MEMBER, NULL, &tag_member},
    {MM_SENDER_EXTERNAL, NULL, &tag_none},
    {MM_SENDER_NEW_MEMBER_PROPOSAL, NULL, &tag_none},
    {MM_SENDER_NEW_MEMBER_COMMIT, NULL, &tag_none},
};
static const mm_field public_message_fields[] = {
    NESTED(PM, content, mm_mls_framed_content_schema),
    {.name = "auth", .kind = MM_K_STRUCT, .offset = 0, .sub = &auth_schema},
    SELECT(PM, content.sender.sender_type, MM_K_U8, tag_arms, "unknown sender_type"),
};
const mm_schema mm_mls_public_message_schema = SCHEMA("public_message", PM, public_message_fields);
#undef PM

static const mm_field private_message_fields[] = {
    F(mm_mls_private_message, group_id, MM_K_GROUP_ID),
    F(mm_mls_private_message, epoch, MM_K_U64),
    RANGED(mm_mls_private_message, content_type, MM_K_U8, MM_CONTENT_APPLICATION, MM_CONTENT_COMMIT,
           "unknown content_type"),
    F(mm_mls_private_message, authenticated_data, MM_K_OPAQUE),
    F(mm_mls_private_message, encrypted_sender_data, MM_K_OPAQUE),
    F(mm_mls_private_message, ciphertext, MM_K_OPAQUE),
};
const mm_schema mm_mls_private_message_schema =
    SCHEMA("private_message", mm_mls_private_message, private_message_fields);

#define WIRE_ARM(member, sch)                                                      \
  static const mm_field member##_arm_fields[] = {NESTED(mm_mls_msg, member, sch)}; \
  static const mm_schema member##_arm = SCHEMA(#member, mm_mls_msg, member##_arm_fields)
WIRE_ARM(public_message, mm_mls_public_message_schema);
WIRE_ARM(private_message, mm_mls_private_message_schema);
WIRE_ARM(welcome, mm_mls_welcome_schema);
WIRE_ARM(group_info, mm_mls_group_info_schema);
WIRE_ARM(key_package, mm_mls_key_package_schema);
static const mm_case wire_arms[] = {
    {MM_WIRE_PUBLIC, NULL, &public_message_arm},
    {MM_WIRE_PRIVATE, NULL, &private_message_arm},
    {MM_MLS_WIRE_WELCOME, NULL, &welcome_arm},
    {MM_MLS_WIRE_GROUP_INFO, NULL, &group_info_arm},
    {MM_MLS_WIRE_KEY_PACKAGE, NULL, &key_package_arm},
};
static const mm_field mls_message_fields[] = {
    RANGED(mm_mls_msg, version, MM_K_U16, MM_MLS10, MM_MLS10, "version must be 1 (mls10)"),
    RANGED(mm_mls_msg, wire_format, MM_K_U16, MM_WIRE_PUBLIC, MM_MLS_WIRE_KEY_PACKAGE,
           "unknown wire_format"),
    SELECT(mm_mls_msg, wire_format, MM_K_U16, wire_arms, "unknown wire_format"),
};
/* Scoped: the suite a message names (GroupInfo, KeyPackage) ends with it. */
const mm_schema mm_mls_msg_schema = SCOPED("mls_message", mm_mls_msg, mls_message_fields);

/* ---- the profile's states (MLS-1, MLS-4) ---- */

static const mm_field migration_group_state_fields[] = {
    RANGED(mm_mls_migration_group_state, version, MM_K_U16, MM_MLS_GROUP_STATE_VERSION,
           MM_MLS_GROUP_STATE_VERSION, "version must be 2"),
    NESTED(mm_mls_migration_group_state, group_info, mm_mls_group_info_schema),
    TREE(mm_mls_migration_group_state, ratchet_tree, "ratchet_tree"),
    F(mm_mls_migration_group_state, ds_payload, MM_K_OPAQUE),
};
const mm_schema mm_mls_migration_group_state_schema =
    SCHEMA("migration_group_state", mm_mls_migration_group_state, migration_group_state_fields);

static const mm_field public_group_state_fields[] = {
    NESTED(mm_mls_public_group_state, group_info, mm_mls_group_info_schema),
    TREE(mm_mls_public_group_state, ratchet_tree, "ratchet_tree"),
};
const mm_schema mm_mls_public_group_state_schema =
    SCHEMA("public_group_state", mm_mls_public_group_state, public_group_state_fields);

static const mm_field commit_bundle_fields[] = {
    NESTED(mm_mls_commit_bundle, commit, mm_mls_msg_schema),
    OPT(mm_mls_commit_bundle, welcome, has_welcome, mm_mls_msg_schema),
    NESTED(mm_mls_commit_bundle, group_info, mm_mls_group_info_schema),
    TREE(mm_mls_commit_bundle, ratchet_tree, "ratchet_tree"),
};
const mm_schema mm_mls_commit_bundle_schema =
    SCHEMA("commit_bundle", mm_mls_commit_bundle, commit_bundle_fields);

/* ---- the type table ---- */

static const mm_schema *const types[MM_MLS_T_COUNT] = {
    [MM_MLS_T_MLS_MESSAGE] = &mm_mls_msg_schema,
    [MM_MLS_T_PUBLIC_MESSAGE] = &mm_mls_public_message_schema,
    [MM_MLS_T_PRIVATE_MESSAGE] = &mm_mls_private_message_schema,
    [MM_MLS_T_FRAMED_CONTENT] = &mm_mls_framed_content_schema,
    [MM_MLS_T_GROUP_INFO] = &mm_mls_group_info_schema,
    [MM_MLS_T_GROUP_CONTEXT] = &mm_mls_group_context_schema,
    [MM_MLS_T_RATCHET_TREE] = &ratchet_tree_schema,
    [MM_MLS_T_NODE] = &mm_mls_node_schema,
    [MM_MLS_T_LEAF_NODE] = &mm_mls_leaf_node_schema,
    [MM_MLS_T_PARENT_NODE] = &mm_mls_parent_node_schema,
    [MM_MLS_T_CREDENTIAL] = &mm_mls_credential_schema,
    [MM_MLS_T_CAPABILITIES] = &mm_mls_capabilities_schema,
    [MM_MLS_T_EXTENSION] = &mm_mls_extension_schema,
    [MM_MLS_T_KEY_PACKAGE] = &mm_mls_key_package_schema,
    [MM_MLS_T_WELCOME] = &mm_mls_welcome_schema,
    [MM_MLS_T_GROUP_SECRETS] = &group_secrets_schema,
    [MM_MLS_T_PROPOSAL] = &mm_mls_proposal_schema,
    [MM_MLS_T_ADD] = &add_schema,
    [MM_MLS_T_UPDATE] = &update_schema,
    [MM_MLS_T_REMOVE] = &remove_schema,
    [MM_MLS_T_PRE_SHARED_KEY] = &psk_schema,
    [MM_MLS_T_REINIT] = &reinit_schema,
    [MM_MLS_T_EXTERNAL_INIT] = &external_init_schema,
    [MM_MLS_T_GROUP_CONTEXT_EXTENSIONS] = &gce_schema,
    [MM_MLS_T_COMMIT] = &mm_mls_commit_schema,
    [MM_MLS_T_UPDATE_PATH] = &mm_mls_update_path_schema,
    [MM_MLS_T_COMMIT_BUNDLE] = &mm_mls_commit_bundle_schema,
    [MM_MLS_T_MIGRATION_GROUP_STATE] = &mm_mls_migration_group_state_schema,
    [MM_MLS_T_PUBLIC_GROUP_STATE] = &mm_mls_public_group_state_schema,
};

const mm_schema *mm_mls_schema_of(mm_mls_type t) {
  return (unsigned)t < MM_MLS_T_COUNT ? types[t] : NULL;
}

static const mm_schema *const elems[] = {
    [MM_MLS_E_EXTENSION] = &mm_mls_extension_schema,
    [MM_MLS_E_U16] = &mm_mls_u16_schema,
    [MM_MLS_E_U32] = &mm_mls_u32_schema,
    [MM_MLS_E_OPT_NODE] = &mm_mls_opt_node_schema,
    [MM_MLS_E_CERTIFICATE] = &mm_mls_certificate_schema,
    [MM_MLS_E_PROPOSAL_OR_REF] = &mm_mls_proposal_or_ref_schema,
    [MM_MLS_E_UPDATE_PATH_NODE] = &mm_mls_update_path_node_schema,
    [MM_MLS_E_HPKE_CIPHERTEXT] = &mm_mls_hpke_ciphertext_schema,
    [MM_MLS_E_ENCRYPTED_GROUP_SECRETS] = &mm_mls_encrypted_group_secrets_schema,
    [MM_MLS_E_PSK_ID] = &mm_mls_psk_id_schema,
};

const mm_schema *mm_mls_elem_schema(mm_mls_elem e) {
  return (unsigned)e < COUNT(elems) ? elems[e] : NULL;
}

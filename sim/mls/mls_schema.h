/* The field tables of sim/mls (internal): mls_schema.c describes every
 * structure of mls.h once for the generic codec of codec/schema.h. */
#ifndef MLSMIG_MLS_SCHEMA_H
#define MLSMIG_MLS_SCHEMA_H

#include "codec/schema.h"
#include "mlsmig/mls.h"

/* NULL if t (or e) is out of range. */
const mm_schema *mm_mls_schema_of(mm_mls_type t);
const mm_schema *mm_mls_elem_schema(mm_mls_elem e);

extern const mm_schema mm_mls_u16_schema, mm_mls_u32_schema, mm_mls_extension_schema,
    mm_mls_certificate_schema, mm_mls_credential_schema, mm_mls_capabilities_schema,
    mm_mls_leaf_node_schema, mm_mls_parent_node_schema, mm_mls_node_schema, mm_mls_opt_node_schema,
    mm_mls_group_context_schema, mm_mls_group_info_schema, mm_mls_key_package_schema,
    mm_mls_hpke_ciphertext_schema, mm_mls_encrypted_group_secrets_schema, mm_mls_welcome_schema,
    mm_mls_psk_id_schema, mm_mls_proposal_schema, mm_mls_proposal_or_ref_schema,
    mm_mls_update_path_node_schema, mm_mls_update_path_schema, mm_mls_commit_schema,
    mm_mls_framed_content_schema, mm_mls_public_message_schema, mm_mls_private_message_schema,
    mm_mls_msg_schema, mm_mls_migration_group_state_schema, mm_mls_public_group_state_schema,
    mm_mls_commit_bundle_schema;

#endif

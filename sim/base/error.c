/* Names and messages of mm_err. The names of codes 1..18 are the profile's
 * error code names (section 8), so they can be shown and parsed as such. */
#include "mlsmig/error.h"

typedef struct {
  mm_err code;
  const char *name;
  const char *message;
} err_info;

static const err_info errors[] = {
    {MM_OK, "ok", "success"},
    {MM_E_MALFORMED, "malformed", "the message does not decode under the profile's encoding rules"},
    {MM_E_UNSUPPORTED_CIPHERSUITE, "unsupported_ciphersuite",
     "the ciphersuite is not supported, or differs from the group's"},
    {MM_E_BAD_SIGNATURE, "bad_signature",
     "a signature does not verify under the expected key and label"},
    {MM_E_UNKNOWN_NONCE, "unknown_nonce",
     "the nonce was not issued by this target for this request"},
    {MM_E_NONCE_REUSED, "nonce_reused", "the nonce was already consumed by another migration"},
    {MM_E_NONCE_EXPIRED, "nonce_expired", "the nonce is past its lifetime"},
    {MM_E_WRONG_DOMAIN, "wrong_domain", "a domain name does not match the receiver or the request"},
    {MM_E_UNKNOWN_GROUP, "unknown_group", "the DS does not host this group"},
    {MM_E_GROUP_EXISTS, "group_exists", "the DS already hosts a group with this ID"},
    {MM_E_STALE_EPOCH, "stale_epoch", "the epoch is not the group's current epoch"},
    {MM_E_BAD_COMMIT, "bad_commit",
     "the migration Commit's framing or MigrationCommitAAD is wrong"},
    {MM_E_NOT_MEMBER, "not_member", "the client is not a current member of the group"},
    {MM_E_UNAUTHORIZED, "unauthorized", "policy does not allow this client to migrate the group"},
    {MM_E_HASH_MISMATCH, "hash_mismatch", "the hash does not match the MigrationContent sent"},
    {MM_E_BUSY, "busy", "a migration of this group is in flight"},
    {MM_E_GROUP_MIGRATED, "group_migrated", "the group has moved to another DS"},
    {MM_E_INTERNAL, "internal", "internal error of the DS"},
    {MM_E_BAD_GROUP_STATE, "bad_group_state",
     "a GroupInfo or ratchet tree fails the public-state checks (MLS-2)"},
    {MM_E_MIGRATION_REFUSED, "migration_refused",
     "the target refused the migration for good (feature migration_refusal)"},
    {MM_E_NOMEM, "nomem", "out of memory"},
    {MM_E_CRYPTO, "crypto", "the crypto library refused an operation"},
    {MM_E_IO, "io", "input/output error"},
    {MM_E_USAGE, "usage", "invalid usage"},
    {MM_E_NOT_FOUND, "not_found", "not found"},
    {MM_E_REFUSED, "refused", "the external MLS client answered with an error"},
};

static const err_info *find(mm_err e) {
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    if (errors[i].code == e) return &errors[i];
  return 0;
}

const char *mm_err_name(mm_err e) {
  const err_info *i = find(e);
  return i ? i->name : "unknown";
}

const char *mm_err_message(mm_err e) {
  const err_info *i = find(e);
  return i ? i->message : "unknown error";
}

int mm_err_is_wire(int code) { return code >= MM_E_MALFORMED && code <= MM_E_WIRE_LAST; }

int mm_err_is_local(mm_err e) { return e == MM_E_NOMEM || e == MM_E_CRYPTO || e == MM_E_IO; }

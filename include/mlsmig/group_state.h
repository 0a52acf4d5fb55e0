/* The reference group-state format: what a reference source DS exports in
 * MigrationContent.group_state and a reference target DS imports.
 *
 *   struct {
 *     opaque identity<V>;        // "name@domain"
 *     uint32 leaf_index;
 *     opaque signature_key<V>;   // the leaf's signature public key
 *   } GroupMember;
 *
 *   struct {
 *     uint16 version = 1;
 *     CipherSuite cipher_suite;
 *     opaque group_id<V>;
 *     uint64 epoch;              // the epoch after the migration Commit
 *     GroupMember members<V>;
 *     opaque ds_payload<V>;      // DS-specific data, any size up to the bound
 *   } GroupState;
 *
 * Decoding gives views; members are walked with mm_group_state_member_at or
 * mm_members_next without allocating. */
#ifndef MLSMIG_GROUP_STATE_H
#define MLSMIG_GROUP_STATE_H

#include "mlsmig/bytes.h"
#include "mlsmig/messages.h"

#define MM_GROUP_STATE_VERSION 1
#define MM_MAX_MEMBERS 100000

typedef struct mm_member {
  mm_view identity;
  uint32_t leaf_index;
  mm_view signature_key;
} mm_member;

typedef struct mm_group_state {
  uint16_t version;
  uint16_t cipher_suite;
  mm_view group_id;
  uint64_t epoch;
  mm_view members;     /* the encoded GroupMember vector contents */
  size_t member_count; /* filled by decode; by encode from the members list */
  mm_view ds_payload;
} mm_group_state;

/* mm_group_state_decode decodes the reference GroupState in data strictly under lim into *out
 * (views into data); on failure *err (may be NULL) says where and why. */
MM_MUST_USE mm_err mm_group_state_decode(const uint8_t *data, size_t len, const mm_limits *lim,
                                         mm_group_state *out, mm_derr *err);
/* mm_group_state_encode appends g to w with the n members given, encoded in that order (g->members
 * is not read). */
MM_MUST_USE mm_err mm_group_state_encode(const mm_group_state *g, const mm_member *members,
                                         size_t n, mm_writer *w);
/* mm_members_next sets *out to the member of the decoded state g at *pos (which starts at 0) and
 * moves *pos on; false after the last. */
bool mm_members_next(const mm_group_state *g, size_t *pos, mm_member *out);
/* mm_group_state_find looks the member with identity up in g, sets *out (if not NULL) and says
 * whether there is one. */
bool mm_group_state_find(const mm_group_state *g, mm_view identity, mm_member *out);

#endif

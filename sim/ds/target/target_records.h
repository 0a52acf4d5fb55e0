/* Internal: the target DS's durable records (DUR-1, NONCE-2, LIFE-6).
 *
 * Three namespaces of the target's mm_store, each value a versioned record
 * in the project's own presentation language (RFC 9420 section 2.1):
 *
 *   "target.nonce"  key = the 32-byte nonce
 *     struct {
 *       uint8  version = 1;
 *       uint8  consumed;          // 0 issued, 1 consumed by an import
 *       uint16 cipher_suite;      // the envelope suite of the request
 *       uint64 issued_at;         // ms, the `now` of the request
 *       opaque client<V>;         // authenticated requester "name@domain"
 *       opaque request<V>;        // the MigrationRequest bytes as received
 *       opaque content_hash<V>;   // RefHash of the imported content, or empty
 *     } NonceRecord;
 *
 *   "target.group"  key = group_id
 *     struct {
 *       uint8  version = 1;
 *       uint8  origin;            // 1 created here, 2 imported
 *       uint16 cipher_suite;
 *       uint64 epoch;             // current epoch (advances with Commits)
 *       opaque source_domain<V>;  // imported: where from; else empty
 *       opaque client<V>;         // imported: for whom; else empty
 *       opaque nonce<V>;          // imported: the nonce consumed; else empty
 *     } GroupRecord;
 *
 *   "target.state"  key = group_id
 *     the group_state bytes exactly as imported (or as encoded for a group
 *     created here), never copied twice: an import copies them once out of
 *     the received envelope, or, when the caller hands that buffer over
 *     (mm_target_handle_owned), keeps the envelope and a view of the state
 *     in it (mm_store_put_owned_view); a local group's encoding is handed
 *     to the store as it is.
 *
 * Views filled by the getters point into the store and stay valid until the
 * next put or delete of the same key. */
#ifndef MLSMIG_TARGET_RECORDS_H
#define MLSMIG_TARGET_RECORDS_H

#include "mlsmig/actor.h"

#define MM_TGT_NS_NONCE "target.nonce"
#define MM_TGT_NS_GROUP "target.group"
#define MM_TGT_NS_STATE "target.state"
/* The feature migration_refusal's RefusalRecord (target_refusal.c, AMD-3). */
#define MM_TGT_NS_REFUSAL "target.refusal"

typedef struct mm_tgt_refusal {
  uint16_t reason; /* RefusalReason */
  mm_view content_hash;
} mm_tgt_refusal;

/* mm_tgt_refusal_get reads the RefusalRecord of nonce into *out (MM_E_NOT_FOUND: not refused). */
MM_MUST_USE mm_err mm_tgt_refusal_get(const mm_store *s, mm_view nonce, mm_tgt_refusal *out);

typedef struct mm_tgt_nonce {
  bool consumed;
  uint16_t suite;
  uint64_t issued_at;
  mm_view client;
  mm_view request;
  mm_view content_hash;
} mm_tgt_nonce;

typedef enum mm_tgt_origin {
  MM_TGT_CREATED = 1,
  MM_TGT_IMPORTED = 2,
} mm_tgt_origin;

typedef struct mm_tgt_group {
  uint8_t origin;
  uint16_t suite;
  uint64_t epoch;
  mm_view source;
  mm_view client;
  mm_view nonce;
} mm_tgt_group;

/* Getters: MM_OK, MM_E_NOT_FOUND, or MM_E_INTERNAL for a record that does
 * not decode (the store is ours: that is a bug, never a peer's fault). */
/* mm_tgt_nonce_get reads the NonceRecord of nonce into *out. */
MM_MUST_USE mm_err mm_tgt_nonce_get(const mm_store *s, mm_view nonce, mm_tgt_nonce *out);
/* mm_tgt_nonce_put writes the NonceRecord of nonce (issued, or consumed with the imported content's
 * hash). */
MM_MUST_USE mm_err mm_tgt_nonce_put(mm_store *s, mm_view nonce, const mm_tgt_nonce *rec);
/* mm_tgt_group_get reads the record of a hosted group into *out. */
MM_MUST_USE mm_err mm_tgt_group_get(const mm_store *s, mm_view group_id, mm_tgt_group *out);
/* mm_tgt_group_put writes the record of a hosted group (created or imported, its epoch, source and
 * client). */
MM_MUST_USE mm_err mm_tgt_group_put(mm_store *s, mm_view group_id, const mm_tgt_group *rec);
/* mm_tgt_state_get sets *out to the stored group_state of group_id and says whether there is one. */
bool mm_tgt_state_get(const mm_store *s, mm_view group_id, mm_view *out);
/* Takes ownership of bytes (freed on failure too). */
MM_MUST_USE mm_err mm_tgt_state_put_owned(mm_store *s, mm_view group_id, uint8_t *bytes,
                                          size_t len);
/* The same for a state that lies within block (the received envelope). */
MM_MUST_USE mm_err mm_tgt_state_put_in(mm_store *s, mm_view group_id, uint8_t *block,
                                       mm_view state);

#endif

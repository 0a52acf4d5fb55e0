/* Signatures and references over a message's to-be-signed form (profile
 * section 3): the one table of labels, and SignWithLabel / VerifyWithLabel
 * over the TBS encoding of a decoded message. Every actor, the runner, the
 * simulator's checkers and the vector generator sign and check through
 * here, so each label string is defined once, in tbs.c. */
#ifndef MLSMIG_CODEC_TBS_H
#define MLSMIG_CODEC_TBS_H

#include "mlsmig/crypto.h"
#include "mlsmig/messages.h"

/* HASH-1: the RefHash label of migration_content_hash. */
extern const char mm_content_ref_label[];

/* mm_tbs_label returns the SignWithLabel label of type t's signature
 * ("MigrationResponseTBS" for MM_T_MIGRATION_RESPONSE, ...), or NULL for a
 * type that carries no signature. */
const char *mm_tbs_label(mm_type t);

/* mm_sign_tbs appends SignWithLabel(k, mm_tbs_label(t), TBS of msg) to sig;
 * msg is a struct of codec type t whose own signature field is not read. */
MM_MUST_USE mm_err mm_sign_tbs(const mm_key *k, mm_type t, const void *msg, mm_writer *sig);

/* mm_verify_tbs checks VerifyWithLabel(k, mm_tbs_label(t), TBS of msg, sig):
 * MM_OK or MM_E_BAD_SIGNATURE (also when k is NULL: no key, no valid
 * signature), or MM_E_NOMEM when out of memory (no verdict on the
 * signature). */
MM_MUST_USE mm_err mm_verify_tbs(const mm_key *k, mm_type t, const void *msg, mm_view sig);

/* mm_sign_tbs_as is mm_sign_tbs under another label: how hostile peers and
 * negative vectors make a signature with the right key and the wrong
 * label (SIG-1..SIG-5). */
MM_MUST_USE mm_err mm_sign_tbs_as(const mm_key *k, const char *label, mm_type t, const void *msg,
                                  mm_writer *sig);

/* mm_verify_tbs_as is mm_verify_tbs under an explicit label. */
MM_MUST_USE mm_err mm_verify_tbs_as(const mm_key *k, const char *label, mm_type t, const void *msg,
                                    mm_view sig);

/* mm_content_ref_hash computes RefHash(mm_content_ref_label, content) with
 * the suite's hash (HASH-1); out must hold MM_MAX_HASH_LEN bytes. */
MM_MUST_USE mm_err mm_content_ref_hash(uint16_t suite, mm_view content, uint8_t *out,
                                       size_t *out_len);

#endif

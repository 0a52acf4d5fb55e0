/* Vector file verification: detects the format of a JSON vector file and
 * checks every vector in it. Formats: the MLS working group's
 * crypto-basics, deserialization, messages (framing fields) and
 * message-protection (framing) files, and mlsmig's own crypto, codec,
 * migration and negative files (vectors/README.md). */
#ifndef MLSMIG_VECTORS_H
#define MLSMIG_VECTORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "mlsmig/error.h"

#define MM_VRESULT_MAX_SKIPS 8

typedef struct mm_vresult {
  const char *format; /* detected format name, "unknown" if none */
  size_t passed, failed, skipped;
  unsigned suites_seen; /* bit (suite-1) per ciphersuite exercised */
  char first_failure[256];
  /* Why sections were skipped: static sentences, each once. */
  const char *skip_why[MM_VRESULT_MAX_SKIPS];
  size_t n_skip_why;
} mm_vresult;

/* mm_vresult_skip counts n skipped checks and records why (a static
 * sentence naming the section and what it would need). */
void mm_vresult_skip(mm_vresult *r, size_t n, const char *why);

/* Records one check. `what` is used for the first failure's message. */
void mm_vresult_check(mm_vresult *r, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* MM_OK when the file was read and its format recognized (check r->failed
 * for the verdict); MM_E_IO or MM_E_MALFORMED otherwise, with the reason in
 * r->first_failure. */
MM_MUST_USE mm_err mm_vectors_verify_file(const char *path, mm_vresult *r);
MM_MUST_USE mm_err mm_vectors_verify_json(const json_t *root, mm_vresult *r);

/* Per format (root is the parsed file). */
bool mm_mlswg_is_crypto_basics(const json_t *root);
void mm_mlswg_verify_crypto_basics(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_deserialization(const json_t *root);
void mm_mlswg_verify_deserialization(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_messages(const json_t *root);
void mm_mlswg_verify_messages(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_message_protection(const json_t *root);
void mm_mlswg_verify_message_protection(const json_t *root, mm_vresult *r);
/* The RFC 9420 structure files (vectors_mlswg_mls.c): messages.json (every
 * field), tree-validation, tree-operations and welcome. */
bool mm_mlswg_is_all_messages(const json_t *root);
void mm_mlswg_verify_all_messages(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_tree_validation(const json_t *root);
void mm_mlswg_verify_tree_validation(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_tree_operations(const json_t *root);
void mm_mlswg_verify_tree_operations(const json_t *root, mm_vresult *r);
bool mm_mlswg_is_welcome(const json_t *root);
void mm_mlswg_verify_welcome(const json_t *root, mm_vresult *r);

/* mlsmig's own files (vectors_mlsmig_*.c). */
bool mm_mlsmig_is_crypto(const json_t *root);
void mm_mlsmig_verify_crypto(const json_t *root, mm_vresult *r);
bool mm_mlsmig_is_codec(const json_t *root);
void mm_mlsmig_verify_codec(const json_t *root, mm_vresult *r);
bool mm_mlsmig_is_migration(const json_t *root);
void mm_mlsmig_verify_migration(const json_t *root, mm_vresult *r);
bool mm_mlsmig_is_negative(const json_t *root);
void mm_mlsmig_verify_negative(const json_t *root, mm_vresult *r);

#endif

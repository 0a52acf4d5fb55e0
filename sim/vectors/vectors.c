/* Format detection and the result record shared by every vector format. */
#include "vectors/vectors.h"

#include <stdarg.h>
#include <string.h>

#include "base/json_io.h"

void mm_vresult_check(mm_vresult *r, bool ok, const char *fmt, ...) {
  if (ok) {
    r->passed++;
    return;
  }
  if (r->failed++ == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->first_failure, sizeof r->first_failure, fmt, ap);
    va_end(ap);
  }
}

void mm_vresult_skip(mm_vresult *r, size_t n, const char *why) {
  r->skipped += n;
  for (size_t i = 0; i < r->n_skip_why; i++)
    if (r->skip_why[i] == why) return;
  if (r->n_skip_why < MM_VRESULT_MAX_SKIPS) r->skip_why[r->n_skip_why++] = why;
}

typedef struct {
  const char *name;
  bool (*detect)(const json_t *);
  void (*verify)(const json_t *, mm_vresult *);
} vformat;

/* mlsmig's own formats first: crypto.json would also pass the mlswg
 * crypto-basics test (an array of objects with cipher_suite). */
static const vformat formats[] = {
    {"mlsmig crypto", mm_mlsmig_is_crypto, mm_mlsmig_verify_crypto},
    {"mlsmig codec", mm_mlsmig_is_codec, mm_mlsmig_verify_codec},
    {"mlsmig negative", mm_mlsmig_is_negative, mm_mlsmig_verify_negative},
    {"mlsmig migration", mm_mlsmig_is_migration, mm_mlsmig_verify_migration},
    {"mlswg crypto-basics", mm_mlswg_is_crypto_basics, mm_mlswg_verify_crypto_basics},
    {"mlswg deserialization", mm_mlswg_is_deserialization, mm_mlswg_verify_deserialization},
    /* messages.json before its framing subset (messages-framing.json). */
    {"mlswg messages (all structures)", mm_mlswg_is_all_messages, mm_mlswg_verify_all_messages},
    {"mlswg messages", mm_mlswg_is_messages, mm_mlswg_verify_messages},
    {"mlswg tree-validation", mm_mlswg_is_tree_validation, mm_mlswg_verify_tree_validation},
    {"mlswg tree-operations", mm_mlswg_is_tree_operations, mm_mlswg_verify_tree_operations},
    {"mlswg welcome", mm_mlswg_is_welcome, mm_mlswg_verify_welcome},
    {"mlswg message-protection", mm_mlswg_is_message_protection,
     mm_mlswg_verify_message_protection},
};

mm_err mm_vectors_verify_json(const json_t *root, mm_vresult *r) {
  memset(r, 0, sizeof *r);
  r->format = "unknown";
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    if (!formats[i].detect(root)) continue;
    r->format = formats[i].name;
    formats[i].verify(root, r);
    if (r->passed + r->failed == 0) mm_vresult_check(r, false, "no vectors in the file");
    return MM_OK;
  }
  snprintf(r->first_failure, sizeof r->first_failure, "unrecognized vector format");
  return MM_E_MALFORMED;
}

mm_err mm_vectors_verify_file(const char *path, mm_vresult *r) {
  json_error_t jerr;
  json_t *root = mm_json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    memset(r, 0, sizeof *r);
    r->format = "unknown";
    snprintf(r->first_failure, sizeof r->first_failure, "%s (line %d)", jerr.text, jerr.line);
    return MM_E_IO;
  }
  mm_err e = mm_vectors_verify_json(root, r);
  json_decref(root);
  return e;
}

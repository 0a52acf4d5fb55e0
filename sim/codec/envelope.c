/* The Envelope under a profile version (messages.h): v1 is the field table's
 * envelope; v2 adds message types 10..13 and makes migration_commit(8) carry a
 * CommitBundle, bodies the codec leaves to the MLS layer (sim/mls/). */
#include <string.h>

#include "codec/schema.h"
#include "mlsmig/messages.h"

bool mm_msg_type_in_profile(int msg_type, int profile) {
  int last = profile == MM_PROFILE_V2 ? MM_MSG_V2_LAST : MM_MSG_V1_LAST;
  return msg_type >= MM_MSG_MIGRATION_REQUEST && msg_type <= last;
}

bool mm_msg_body_is_mls(int msg_type, int profile) {
  if (profile != MM_PROFILE_V2) return false;
  return msg_type == MM_MSG_MIGRATION_COMMIT ||
         (msg_type >= MM_MSG_COMMIT_BUNDLE && msg_type <= MM_MSG_V2_LAST);
}

mm_err mm_envelope_decode_profile(int profile, const uint8_t *data, size_t len,
                                  const mm_limits *lim, mm_envelope *env, mm_derr *err) {
  if (!env || (!data && len) || !lim) return MM_E_USAGE;
  /* The type decides which decoder: peek at it (an empty input is the strict decoder's to refuse). */
  if (len == 0 || !mm_msg_body_is_mls(data[0], profile))
    return mm_decode(MM_T_ENVELOPE, data, len, lim, env, err);
  mm_derr local = {0};
  mm_reader r;
  mm_reader_init(&r, data, len, err ? err : &local);
  memset(env, 0, sizeof *env);
  bool ok = mm_read_u8(&r, &env->msg_type) && mm_read_u16(&r, &env->cipher_suite);
  if (ok && env->cipher_suite == 0)
    ok = mm_reader_fail_at(&r, 1, "ENC-4", "cipher_suite must be nonzero");
  size_t at = r.pos;
  if (ok) ok = mm_read_vec(&r, &env->sender);
  const char *why = ok ? mm_identity_problem(env->sender) : NULL;
  if (why) ok = mm_reader_fail_at(&r, at, "ENC-4", why);
  at = r.pos;
  if (ok) ok = mm_read_vec(&r, &env->body);
  if (ok && env->body.len > lim->max_group_state)
    ok = mm_reader_fail_at(&r, at, "ENC-4", "body over the configured group_state bound");
  if (ok) ok = mm_reader_expect_end(&r);
  return ok ? MM_OK : MM_E_MALFORMED;
}

mm_err mm_envelope_encode_profile(int profile, const mm_envelope *env, const mm_limits *lim,
                                  mm_writer *w, mm_derr *err) {
  if (!env || !lim || !w) return MM_E_USAGE;
  if (!mm_msg_body_is_mls(env->msg_type, profile))
    return mm_encode(MM_T_ENVELOPE, env, lim, w, err);
  const char *why =
      env->cipher_suite == 0 ? "cipher_suite must be nonzero" : mm_identity_problem(env->sender);
  if (why) {
    if (err) *err = (mm_derr){.offset = w->len, .rule = "ENC-4", .reason = why};
    return MM_E_MALFORMED;
  }
  bool ok = mm_put_u8(w, env->msg_type) && mm_put_u16(w, env->cipher_suite) &&
            mm_put_vec(w, env->sender.data, env->sender.len) &&
            mm_put_vec(w, env->body.data, env->body.len);
  return ok ? MM_OK : (w->error != MM_OK ? w->error : MM_E_MALFORMED);
}

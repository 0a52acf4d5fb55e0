/* Intake and hosted group traffic shared by the reference DSes (hosted.h). */
#include "ds/hosted.h"

#include <string.h>

/* ---- intake ---- */

mm_limits mm_ds_limits(const mm_env *env, uint16_t suite) {
  mm_limits lim = mm_limits_default(suite);
  if (env->max_group_state) lim.max_group_state = env->max_group_state;
  return lim;
}

/* A view as a NUL-terminated string in buf (cap bytes); false if too long. */
static bool view_to_cstr(mm_view v, char *buf, size_t cap) {
  if (v.len >= cap) return false;
  if (v.len) memcpy(buf, v.data, v.len);
  buf[v.len] = '\0';
  return true;
}

/* The frame alone (msg_type, suite, sender, body as opaque bytes): enough to
 * know whom to answer when the body turns out malformed. */
static bool read_frame(const uint8_t *bytes, size_t len, mm_envelope *e) {
  mm_derr err = {0};
  mm_reader r;
  mm_reader_init(&r, bytes, len, &err);
  bool ok = mm_read_u8(&r, &e->msg_type) && mm_read_u16(&r, &e->cipher_suite) &&
            mm_read_vec(&r, &e->sender) && mm_read_vec(&r, &e->body) && mm_reader_expect_end(&r);
  return ok && mm_identity_valid(e->sender);
}

static bool suite_supported(const mm_ds_config *cfg, uint16_t suite) {
  return suite >= 1 && suite <= MM_SUITE_COUNT && cfg->sign_keys[suite] != NULL;
}

mm_err mm_ds_intake(const mm_ds_config *cfg, const mm_env *env, const uint8_t *bytes, size_t len,
                    mm_outbox *out, mm_intake *in) {
  memset(in, 0, sizeof *in);
  if (!bytes || !read_frame(bytes, len, &in->env) ||
      !view_to_cstr(in->env.sender, in->sender, sizeof in->sender))
    return MM_E_MALFORMED; /* dropped: nobody trustworthy to answer */
  mm_err e = MM_CHECK(cfg->mutants, suite_supported(cfg, in->env.cipher_suite), "SUITE-2",
                      MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return mm_ds_refuse(cfg, in, e, NULL, out);
  /* Strictly now, into a scratch struct: a failed decode leaves it
   * half-filled, and the frame above is what the refusal answers. */
  mm_limits lim = mm_ds_limits(env, in->env.cipher_suite);
  mm_envelope strict;
  mm_type t;
  int profile = mm_ds_profile(cfg);
  bool ok = mm_envelope_decode_profile(profile, bytes, len, &lim, &strict, NULL) == MM_OK;
  if (ok && mm_msg_body_is_mls(strict.msg_type, profile)) {
    in->mls = true;
    ok = mm_mls_envelope_body_decode(strict.msg_type, strict.body, &lim, &in->mls_body, NULL) ==
         MM_OK;
  } else if (ok) {
    ok = mm_msg_type_body(strict.msg_type, &t) &&
         mm_decode(t, strict.body.data, strict.body.len, &lim, &in->body, NULL) == MM_OK;
  }
  if (!ok) return mm_ds_refuse(cfg, in, MM_RULE("ENC-1 ENC-2 ENC-4", MM_E_MALFORMED), NULL, out);
  in->env = strict;
  return MM_OK;
}

mm_err mm_ds_refuse(const mm_ds_config *cfg, const mm_intake *in, mm_err code, const char *detail,
                    mm_outbox *out) {
  if (!mm_err_is_wire((int)code)) return code; /* MigrationError cannot carry it */
  mm_err e = mm_send_error(out, in->sender, in->env.cipher_suite, cfg->domain, code, detail);
  return e == MM_OK ? code : e;
}

/* ---- hosted group traffic ---- */

int mm_ds_profile(const mm_ds_config *cfg) {
  return cfg->profile == MM_PROFILE_V2 ? MM_PROFILE_V2 : MM_PROFILE_V1;
}

bool mm_hosted_is_commit(const mm_mls_message *m) { return m->content_type == MM_CONTENT_COMMIT; }

mm_err mm_hosted_check(const mm_hosted *g, const mm_intake *in) {
  mm_err e = MM_CHECK(0, in->env.cipher_suite == g->state.cipher_suite, "SUITE-2", MM_MUT_NONE,
                      MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return e;
  if (!mm_group_state_find(&g->state, in->env.sender, NULL)) return MM_E_NOT_MEMBER;
  if (in->body.mls_message.epoch != g->epoch) return MM_E_STALE_EPOCH;
  return MM_OK;
}

mm_err mm_hosted_fanout(const mm_hosted *g, const char *domain, mm_view body, mm_outbox *out) {
  size_t pos = 0;
  mm_member m;
  char to[MM_SENDER_MAX + 1];
  while (mm_members_next(&g->state, &pos, &m)) {
    if (!view_to_cstr(m.identity, to, sizeof to)) return MM_E_INTERNAL;
    mm_err e =
        mm_send(out, to, MM_MSG_MLS_MESSAGE, g->state.cipher_suite, domain, body.data, body.len);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

void mm_report_commit(const mm_env *env, const char *domain, mm_view gid, uint64_t epoch,
                      mm_view committer, mm_view commit) {
  mm_event ev = {.kind = MM_EV_COMMIT_ACCEPTED,
                 .actor = domain,
                 .group_id = gid,
                 .epoch = epoch,
                 .detail = commit,
                 .peer = committer};
  mm_observe(env->obs, &ev);
}

void mm_hosted_report_commit(const mm_env *env, const char *domain, const mm_hosted *g,
                             mm_view committer, mm_view body) {
  mm_report_commit(env, domain, g->state.group_id, g->epoch, committer, body);
}

/* INV-6, the group continues (profile v2), as far as the reference members
 * can take it: they hold no group secret and process no Commit, so what is
 * checked is the target's part: after the migration completed, a member's
 * CommitBundle and its application message went to the target, which took
 * them (MLS-4, MLS-5) and fanned each out to every member of its epoch
 * (LIFE-6). That every member reaches the new epoch and decrypts the message
 * needs real MLS members (the client protocol, interop/). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlsmig/mls.h"
#include "simulator/sim_internal.h"

typedef struct cont {
  char *why;
  size_t n;
  bool failed;
} cont;

/* The checker found INV-6 broken (the rule's enforcement site, suites/rule_sites.py). */
static bool fail(cont *o, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(cont *o, const char *rule, const char *fmt, ...) {
  if (o->failed) return false;
  o->failed = true;
  int k = snprintf(o->why, o->n, "%s: ", rule);
  va_list ap;
  va_start(ap, fmt);
  if (k >= 0 && (size_t)k < o->n) vsnprintf(o->why + k, o->n - (size_t)k, fmt, ap);
  va_end(ap);
  return false;
}

/* How many members the target sent, after record `of`, an mls_message(9) whose body is what the
 * member sent (its application message, or its CommitBundle's commit). */
static unsigned fanned_to(const mm_sim *s, size_t of) {
  const mm_sim_record *m = &s->rec[of];
  mm_envelope in;
  mm_limits lim = mm_limits_default(0);
  if (!m->env ||
      mm_envelope_decode_profile(MM_PROFILE_V2, m->env, m->len, &lim, &in, NULL) != MM_OK)
    return 0;
  mm_writer commit;
  mm_writer_init(&commit);
  mm_view body = in.body;
  if (m->msg_type == MM_MSG_COMMIT_BUNDLE) {
    mm_mls_commit_bundle cb;
    if (mm_mls_decode(MM_MLS_T_COMMIT_BUNDLE, in.body.data, in.body.len, &lim, &cb, NULL) !=
            MM_OK ||
        mm_mls_encode(MM_MLS_T_MLS_MESSAGE, &cb.commit, &lim, &commit, NULL) != MM_OK) {
      mm_writer_free(&commit);
      return 0;
    }
    body = mm_writer_view(&commit);
  }
  unsigned n = 0;
  for (size_t i = of + 1; i < s->n_rec; i++) {
    const mm_sim_record *r = &s->rec[i];
    mm_envelope out;
    if (r->msg_type == MM_MSG_MLS_MESSAGE && strcmp(r->from, MM_SIM_TARGET) == 0 && r->env &&
        mm_envelope_decode_profile(MM_PROFILE_V2, r->env, r->len, &lim, &out, NULL) == MM_OK &&
        mm_view_eq(out.body, body))
      n++;
  }
  mm_writer_free(&commit);
  return n;
}

bool mm_sim_check_continues(const mm_sim *s, char *why, size_t n) {
  cont o = {why, n, false};
  if (why && n) why[0] = '\0';
  if (s->cfg.profile != MM_PROFILE_V2)
    return fail(&o, "INV-6", "a profile v1 run: the group's state is not the MLS state");
  size_t done = SIZE_MAX, commit = SIZE_MAX, message = SIZE_MAX;
  for (size_t i = 0; i < s->n_rec; i++) {
    const mm_sim_record *r = &s->rec[i];
    if (done == SIZE_MAX && r->msg_type == MM_MSG_MIGRATION_CONFIRMATION && r->verdict == MM_OK)
      done = i;
    else if (done != SIZE_MAX && commit == SIZE_MAX && r->msg_type == MM_MSG_COMMIT_BUNDLE &&
             strcmp(r->to, MM_SIM_TARGET) == 0)
      commit = i;
    else if (commit != SIZE_MAX && message == SIZE_MAX && r->msg_type == MM_MSG_MLS_MESSAGE &&
             strcmp(r->to, MM_SIM_TARGET) == 0)
      message = i;
  }
  if (done == SIZE_MAX) return fail(&o, "INV-6", "the migration did not complete");
  if (commit == SIZE_MAX) return fail(&o, "INV-6", "no CommitBundle reached the target after it");
  if (s->rec[commit].verdict != MM_OK)
    return fail(&o, "INV-6", "the target refused the CommitBundle at step %zu: %s",
                s->rec[commit].step, mm_err_name(s->rec[commit].verdict));
  unsigned members = s->cfg.members, got = fanned_to(s, commit);
  if (got < members)
    return fail(&o, "INV-6", "the target fanned the Commit out to %u of %u members", got, members);
  if (message == SIZE_MAX)
    return fail(&o, "INV-6", "no application message reached the target after the Commit");
  if (s->rec[message].verdict != MM_OK)
    return fail(&o, "INV-6", "the target refused the application message at step %zu: %s",
                s->rec[message].step, mm_err_name(s->rec[message].verdict));
  got = fanned_to(s, message);
  if (got < members)
    return fail(&o, "INV-6", "the target fanned the message out to %u of %u members", got, members);
  return true;
}

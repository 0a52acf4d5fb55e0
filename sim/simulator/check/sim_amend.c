/* The oracle's part of the feature migration_refusal (docs/amendment.md, B.6): which nonces a
 * target refused (every MigrationRefusal it sends), no content accepted under a refused nonce
 * afterwards (AMD-3), and no source serving the group again after MigrationContent without
 * having accepted a refusal (AMD-8, checked at the end of the run). */
#include <stdio.h>
#include <string.h>

#include "simulator/sim_internal.h"

static mm_limits feature_limits(void) {
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  return lim;
}

/* The nonce of a MigrationRefusal or MigrationContent envelope (NULL if it is neither). */
static bool nonce_of(const uint8_t *env, size_t len, uint8_t type, uint8_t out[MM_NONCE_LEN]) {
  mm_limits lim = feature_limits();
  mm_envelope e;
  mm_any_msg m;
  if (!env || mm_decode(MM_T_ENVELOPE, env, len, &lim, &e, NULL) != MM_OK || e.msg_type != type)
    return false;
  lim.suite = e.cipher_suite;
  mm_type t = type == MM_MSG_MIGRATION_REFUSAL ? MM_T_MIGRATION_REFUSAL : MM_T_MIGRATION_CONTENT;
  if (mm_decode(t, e.body.data, e.body.len, &lim, &m, NULL) != MM_OK) return false;
  mm_view n = type == MM_MSG_MIGRATION_REFUSAL ? m.migration_refusal.nonce
                                               : m.migration_content.migration_response.nonce;
  memcpy(out, n.data, MM_NONCE_LEN);
  return true;
}

static bool was_refused(const mm_sim *s, const uint8_t nonce[MM_NONCE_LEN]) {
  for (size_t i = 0; i < s->n_refused; i++)
    if (memcmp(s->refused[i], nonce, MM_NONCE_LEN) == 0) return true;
  return false;
}

bool mm_sim_note_refusals(mm_sim *s, const sim_node *n, const uint8_t *env, size_t len,
                          const mm_outbox *out) {
  if (!(s->cfg.features & MM_FEAT_MIGRATION_REFUSAL)) return false;
  if (n->role == MM_ROLE_SOURCE && env && len && env[0] == MM_MSG_MIGRATION_REFUSAL) {
    s->refusal_accepted = true; /* the source took it (its verdict was MM_OK) */
    return false;
  }
  if (n->role != MM_ROLE_TARGET) return false;
  bool refused = false;
  uint8_t nonce[MM_NONCE_LEN];
  for (size_t i = 0; i < out->n; i++)
    if (nonce_of(out->v[i].env, out->v[i].len, MM_MSG_MIGRATION_REFUSAL, nonce)) {
      refused = true;
      if (!was_refused(s, nonce) && s->n_refused < SIM_MAX_WATCH)
        memcpy(s->refused[s->n_refused++], nonce, MM_NONCE_LEN);
    }
  if (!refused && nonce_of(env, len, MM_MSG_MIGRATION_CONTENT, nonce) && was_refused(s, nonce))
    mm_sim_oracle_fail(s,
                       "AMD-3: %.40s accepted MigrationContent under a nonce it refused (step %zu)",
                       n->name, s->step);
  return refused;
}

/* Authorization policies of AUTHZ-1..AUTHZ-5. */
#include <string.h>

#include "mlsmig/actor.h"

mm_view mm_identity_home(mm_view identity) {
  for (size_t i = identity.len; i > 0; i--)
    if (identity.data[i - 1] == '@') return mm_view_of(identity.data + i, identity.len - i);
  return mm_view_of(identity.data, 0);
}

static bool denied(const mm_policy *p, mm_view client) {
  if (!p->deny) return false;
  for (const char *const *d = p->deny; *d; d++)
    if (mm_view_eq_str(client, *d)) return true;
  return false;
}

bool mm_policy_allows(const mm_policy *p, const char *own_domain, mm_view client, mm_view group_id,
                      mm_view peer_domain) {
  switch (p->kind) {
  case MM_POLICY_DEFAULT: return !denied(p, client);
  case MM_POLICY_STRICT:
    return !denied(p, client) && mm_view_eq_str(mm_identity_home(client), own_domain);
  case MM_POLICY_CUSTOM: return p->allow && p->allow(p->ctx, client, group_id, peer_domain);
  }
  return false;
}

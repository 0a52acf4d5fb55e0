/* The reference DS as a shim (ref_ds.h): each shim request maps onto the
 * sans-I/O reference source or target (ds.h), with the real clock replaced
 * by the runner's (advance_clock) and the durable store saved to the state
 * directory after every request that may have changed it. */
#include "refds/ref_ds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlsmig/mls.h"
#include "shim/shim_proto.h"

#define REFDS_NAME "mlsmig-ref-ds " MM_VERSION
#define MAX_DENY 64

struct mm_refds {
  mm_mutants mutants;
  bool configured;
  uint8_t role;
  char domain[MM_DOMAIN_MAX + 1];
  char *state_dir;
  mm_key *sign[MM_SUITE_COUNT + 1];
  char *deny[MAX_DENY + 1];
  mm_keydir *kd;
  mm_store *store;
  mm_rng rng;
  mm_ds_config cfg;
  mm_env env;
  mm_source *src;
  mm_target *tgt;
  uint64_t now;
  mm_outbox out;
};

static void unconfigure(mm_refds *d) {
  mm_source_free(d->src);
  mm_target_free(d->tgt);
  d->src = NULL;
  d->tgt = NULL;
  for (int i = 0; i <= MM_SUITE_COUNT; i++) {
    mm_key_free(d->sign[i]);
    d->sign[i] = NULL;
  }
  for (int i = 0; d->deny[i]; i++) {
    free(d->deny[i]);
    d->deny[i] = NULL;
  }
  mm_keydir_free(d->kd);
  d->kd = NULL;
  mm_store_free(d->store);
  d->store = NULL;
  free(d->state_dir);
  d->state_dir = NULL;
  d->configured = false;
}

mm_err mm_refds_new(mm_mutants mutants, mm_refds **out) {
  mm_refds *d = calloc(1, sizeof *d);
  if (!d) return MM_E_NOMEM;
  d->mutants = mutants;
  mm_rng_init_system(&d->rng); /* NONCE-1: a CSPRNG */
  mm_outbox_init(&d->out);
  *out = d;
  return MM_OK;
}

void mm_refds_free(mm_refds *d) {
  if (!d) return;
  unconfigure(d);
  mm_outbox_free(&d->out);
  free(d);
}

/* ---- replies ---- */

static MM_MUST_USE mm_err reply_simple(mm_writer *w, uint8_t type) {
  mm_shim_msg m = {.type = type};
  return mm_shim_encode(&m, w);
}

static MM_MUST_USE mm_err reply_error(mm_writer *w, const char *reason) {
  mm_shim_msg m = {.type = MM_SHIM_ERROR, .bytes = mm_view_str(reason)};
  return mm_shim_encode(&m, w);
}

static MM_MUST_USE mm_err reply_pics(mm_writer *w) {
  mm_writer suites;
  mm_writer_init(&suites);
  for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) mm_shim_put_suite(&suites, s);
  mm_shim_msg m = {.type = MM_SHIM_PICS,
                   .version = MM_SHIM_VERSION,
                   .implementation = mm_view_str(REFDS_NAME),
                   .roles = MM_SHIM_ROLE_SOURCE | MM_SHIM_ROLE_TARGET,
                   .suites = mm_writer_view(&suites),
                   .features = MM_SHIM_F_TOMBSTONE | MM_SHIM_F_STRICT_POLICY | MM_SHIM_F_DENY_LIST |
                               MM_SHIM_F_RESTART | MM_SHIM_F_INSTALL_AT_TARGET |
                               MM_SHIM_F_RECONFIGURE | MM_SHIM_F_RESET | MM_SHIM_F_PROFILE_V2 |
                               MM_SHIM_F_MIGRATION_REFUSAL};
  mm_err e = mm_writer_ok(&suites) ? mm_shim_encode(&m, w) : MM_E_NOMEM;
  mm_writer_free(&suites);
  return e;
}

/* The envelopes the actor queued, as an output reply; the outbox is emptied. */
static MM_MUST_USE mm_err reply_output(mm_refds *d, mm_writer *w) {
  mm_writer list;
  mm_writer_init(&list);
  for (size_t i = 0; i < d->out.n; i++)
    mm_shim_put_output(&list, mm_view_str(d->out.v[i].to),
                       mm_view_of(d->out.v[i].env, d->out.v[i].len));
  mm_outbox_clear(&d->out);
  mm_shim_msg m = {.type = MM_SHIM_OUTPUT, .outputs = mm_writer_view(&list)};
  mm_err e = mm_writer_ok(&list) ? mm_shim_encode(&m, w) : MM_E_NOMEM;
  mm_writer_free(&list);
  return e;
}

/* ---- configure ---- */

static char *cstr(mm_view v) {
  char *s = malloc(v.len + 1);
  if (!s) return NULL;
  if (v.len) memcpy(s, v.data, v.len);
  s[v.len] = '\0';
  return s;
}

static const char *load_keys(mm_refds *d, const mm_shim_msg *m) {
  mm_shim_iter it;
  mm_shim_item k;
  mm_shim_iter_init(&it, MM_SHIM_L_SIGNING_KEYS, m->signing_keys);
  while (mm_shim_next(&it, &k)) {
    if (!mm_suite_get(k.suite) || d->sign[k.suite]) return "bad or repeated signing key suite";
    if (mm_key_from_private(k.suite, k.key.data, k.key.len, &d->sign[k.suite]) != MM_OK)
      return "signing key does not load";
    mm_key *pub;
    if (mm_key_public_copy(d->sign[k.suite], &pub) != MM_OK ||
        mm_keydir_add(d->kd, d->domain, pub) != MM_OK)
      return "out of memory";
  }
  mm_shim_iter_init(&it, MM_SHIM_L_PEERS, m->peers);
  while (mm_shim_next(&it, &k)) {
    char dom[MM_DOMAIN_MAX + 1];
    mm_key *pub;
    if (!mm_domain_valid(k.domain) || !mm_suite_get(k.suite)) return "bad peer key";
    memcpy(dom, k.domain.data, k.domain.len);
    dom[k.domain.len] = '\0';
    if (mm_key_from_public(k.suite, k.key.data, k.key.len, &pub) != MM_OK)
      return "peer key does not load";
    if (mm_keydir_add(d->kd, dom, pub) != MM_OK) return "out of memory";
  }
  return NULL;
}

static const char *load_policy(mm_refds *d, const mm_shim_msg *m) {
  if (m->policy > MM_SHIM_POLICY_STRICT) return "unknown policy";
  d->cfg.policy.kind = m->policy == MM_SHIM_POLICY_STRICT ? MM_POLICY_STRICT : MM_POLICY_DEFAULT;
  mm_shim_iter it;
  mm_shim_item k;
  size_t n = 0;
  mm_shim_iter_init(&it, MM_SHIM_L_DENY, m->deny);
  while (mm_shim_next(&it, &k)) {
    if (n == MAX_DENY) return "deny list too long";
    if (!(d->deny[n++] = cstr(k.name))) return "out of memory";
  }
  d->cfg.policy.deny = (const char *const *)d->deny;
  return NULL;
}

/* AMD-1: the reference DS implements migration_refusal and uses it with the peers that declare it
 * (Configure.refusal_peers), published in its key directory next to their keys. */
static const char *load_features(mm_refds *d, const mm_shim_msg *m) {
  d->cfg.features = MM_FEAT_MIGRATION_REFUSAL;
  mm_shim_iter it;
  mm_shim_item k;
  mm_shim_iter_init(&it, MM_SHIM_L_DENY, m->refusal_peers);
  while (mm_shim_next(&it, &k)) {
    char dom[MM_DOMAIN_MAX + 1];
    if (!mm_domain_valid(k.name)) return "bad refusal peer";
    memcpy(dom, k.name.data, k.name.len);
    dom[k.name.len] = '\0';
    if (mm_keydir_set_features(d->kd, dom, MM_FEAT_MIGRATION_REFUSAL) != MM_OK)
      return "out of memory";
  }
  return NULL;
}

static const char *start_actor(mm_refds *d, uint8_t profile) {
  d->cfg.domain = d->domain;
  d->cfg.profile = profile == MM_PROFILE_V2 ? MM_PROFILE_V2 : MM_PROFILE_V1;
  d->cfg.mutants = d->mutants;
  for (int i = 0; i <= MM_SUITE_COUNT; i++) d->cfg.sign_keys[i] = d->sign[i];
  d->env = (mm_env){.rng = &d->rng, .keys = d->kd, .store = d->store};
  mm_err e = d->role == MM_SHIM_ROLE_SOURCE ? mm_source_new(&d->cfg, &d->env, &d->src)
                                            : mm_target_new(&d->cfg, &d->env, &d->tgt);
  return e == MM_OK ? NULL : "the reference DS does not start on this state";
}

static const char *configure(mm_refds *d, const mm_shim_msg *m) {
  unconfigure(d);
  d->cfg = (mm_ds_config){0};
  if (m->role != MM_SHIM_ROLE_SOURCE && m->role != MM_SHIM_ROLE_TARGET) return "unknown role";
  if (!mm_domain_valid(m->domain)) return "bad domain";
  if (m->state_dir.len == 0 || memchr(m->state_dir.data, 0, m->state_dir.len))
    return "bad state directory";
  d->role = m->role;
  memcpy(d->domain, m->domain.data, m->domain.len);
  d->domain[m->domain.len] = '\0';
  if (!(d->state_dir = cstr(m->state_dir)) || !(d->kd = mm_keydir_new()) ||
      !(d->store = mm_store_new()))
    return "out of memory";
  if (mkdir(d->state_dir, 0700) != 0 && errno != EEXIST) return "cannot create state directory";
  if (mm_refds_store_load(d->store, d->state_dir) != MM_OK) return "state directory unreadable";
  const char *why = load_keys(d, m);
  if (!why) why = load_policy(d, m);
  if (!why) why = load_features(d, m);
  if (!why) why = start_actor(d, m->profile);
  if (!why) {
    d->now = m->now;
    d->configured = true;
  }
  return why;
}

/* ---- the other requests ---- */

/* Profile v2: the group_state is a MigrationGroupState (MLS-1), in the suite its GroupInfo names. */
static const char *install_mls_group(mm_refds *d, const mm_shim_msg *m) {
  mm_limits lim = mm_limits_default(0);
  mm_mls_migration_group_state mgs;
  if (mm_mls_decode(MM_MLS_T_MIGRATION_GROUP_STATE, m->bytes.data, m->bytes.len, &lim, &mgs,
                    NULL) != MM_OK)
    return "group_state does not decode as a MigrationGroupState";
  uint16_t suite = mgs.group_info.group_context.cipher_suite;
  mm_err e = d->src ? mm_source_add_mls_group(d->src, suite, m->bytes.data, m->bytes.len)
                    : mm_target_add_mls_group(d->tgt, suite, m->bytes.data, m->bytes.len);
  return e == MM_OK ? NULL : mm_err_name(e);
}

static const char *install_group(mm_refds *d, const mm_shim_msg *m) {
  if (d->cfg.profile == MM_PROFILE_V2) return install_mls_group(d, m);
  mm_limits lim = mm_limits_default(0);
  mm_group_state g;
  if (mm_group_state_decode(m->bytes.data, m->bytes.len, &lim, &g, NULL) != MM_OK)
    return "group_state does not decode";
  mm_member *members = calloc(g.member_count ? g.member_count : 1, sizeof *members);
  if (!members) return "out of memory";
  size_t pos = 0, n = 0;
  while (n < g.member_count && mm_members_next(&g, &pos, &members[n])) n++;
  mm_err e = d->src ? mm_source_add_group(d->src, &g, members, n)
                    : mm_target_add_group(d->tgt, &g, members, n);
  free(members);
  return e == MM_OK ? NULL : mm_err_name(e);
}

/* MM_OK, or the first local failure of a tick (the DS cannot serve then). */
static MM_MUST_USE mm_err run_timers(mm_refds *d) {
  /* Bounded: each tick fires what is due; a timer re-armed in the past
   * would otherwise spin. */
  for (int i = 0; i < 64; i++) {
    uint64_t next = d->src ? mm_source_next_timer(d->src) : mm_target_next_timer(d->tgt);
    if (next == MM_NO_TIMER || next > d->now) return MM_OK;
    mm_err e =
        d->src ? mm_source_tick(d->src, d->now, &d->out) : mm_target_tick(d->tgt, d->now, &d->out);
    if (mm_err_is_local(e)) return e;
  }
  return MM_OK;
}

static MM_MUST_USE mm_err query_group(mm_refds *d, const mm_shim_msg *m, mm_writer *w) {
  mm_group_info gi;
  bool found =
      d->src ? mm_source_group(d->src, m->bytes, &gi) : mm_target_group(d->tgt, m->bytes, &gi);
  mm_shim_msg r = {.type = MM_SHIM_GROUP,
                   .status = found ? (uint8_t)gi.status : MM_SHIM_GS_NONE,
                   .epoch = found ? gi.epoch : 0};
  return mm_shim_encode(&r, w);
}

mm_err mm_refds_handle(mm_refds *d, const uint8_t *body, size_t len, mm_writer *reply, bool *quit) {
  mm_shim_msg m;
  *quit = false;
  if (mm_shim_decode(body, len, &m, NULL) != MM_OK)
    return reply_error(reply, "frame does not decode");
  if (m.type == MM_SHIM_HELLO)
    return m.version == MM_SHIM_VERSION ? reply_pics(reply)
                                        : reply_error(reply, "protocol version");
  if (m.type == MM_SHIM_SHUTDOWN) {
    *quit = true;
    return reply_simple(reply, MM_SHIM_OK);
  }
  if (m.type == MM_SHIM_RESET) { /* empty again, as after hello: a configure follows */
    unconfigure(d);
    mm_outbox_clear(&d->out);
    return reply_simple(reply, MM_SHIM_OK);
  }
  if (m.type == MM_SHIM_CONFIGURE) {
    const char *why = configure(d, &m);
    if (why) unconfigure(d);
    return why ? reply_error(reply, why) : reply_simple(reply, MM_SHIM_OK);
  }
  if (!d->configured) return reply_error(reply, "not configured");
  const char *why;
  mm_err e;
  switch (m.type) {
  case MM_SHIM_INSTALL_GROUP:
    why = install_group(d, &m);
    if (why) return reply_error(reply, why);
    if (mm_refds_store_save(d->store, d->state_dir) != MM_OK)
      return reply_error(reply, "cannot save the durable store");
    return reply_simple(reply, MM_SHIM_OK);
  case MM_SHIM_ADVANCE_CLOCK:
    if (m.now > d->now) d->now = m.now;
    e = run_timers(d);
    break;
  case MM_SHIM_DELIVER:
    /* A refusal went out as a MigrationError in d->out: the verdict is on
     * the wire, not here. Only a local failure matters to the reply. */
    e = d->src ? mm_source_handle(d->src, m.bytes.data, m.bytes.len, d->now, &d->out)
               : mm_target_handle(d->tgt, m.bytes.data, m.bytes.len, d->now, &d->out);
    if (!mm_err_is_local(e)) e = run_timers(d);
    break;
  case MM_SHIM_QUERY_GROUP: return query_group(d, &m, reply);
  default: return reply_error(reply, "not a request");
  }
  /* A DS that ran out of memory (or whose crypto failed) cannot serve the
   * request: that is a shim error, never an answer the runner would judge. */
  if (mm_err_is_local(e)) {
    mm_outbox_clear(&d->out);
    return reply_error(reply, mm_err_message(e));
  }
  /* Durable before anything leaves: what the runner sees was stored. */
  if (mm_refds_store_save(d->store, d->state_dir) != MM_OK) {
    mm_outbox_clear(&d->out);
    return reply_error(reply, "cannot save the durable store");
  }
  return reply_output(d, reply);
}

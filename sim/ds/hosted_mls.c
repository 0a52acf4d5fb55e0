/* Profile v2 group traffic shared by the reference DSes (hosted.h): a group
 * held as its RFC 9420 public state (MLS-1), CommitBundles (MLS-4),
 * application messages (MLS-5) and GroupInfo requests (MLS-6), membership
 * from the tree (MLS-3). The checks themselves are the MLS layer's
 * (mm_mls_state_apply_bundle, mm_mls_check_message); here each refusal is
 * tied to its rule, and the fan-outs are made. */
#include <stdlib.h>
#include <string.h>

#include "ds/hosted.h"

/* ---- the cache of validated states ---- */

typedef struct cache_entry {
  uint8_t gid[MM_GROUP_ID_MAX];
  size_t gid_len;
  uint8_t *bytes; /* the stored MigrationGroupState this state was loaded from */
  size_t len;
  mm_mls_state *state;
} cache_entry;

struct mm_mls_cache {
  cache_entry *v;
  size_t n, cap;
};

static void entry_clear(cache_entry *e) {
  free(e->bytes);
  mm_mls_state_free(e->state);
  memset(e, 0, sizeof *e);
}

void mm_mls_cache_free(mm_mls_cache *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) entry_clear(&c->v[i]);
  free(c->v);
  free(c);
}

static cache_entry *cache_find(mm_mls_cache *c, mm_view gid) {
  for (size_t i = 0; c && i < c->n; i++)
    if (mm_view_eq(mm_view_of(c->v[i].gid, c->v[i].gid_len), gid)) return &c->v[i];
  return NULL;
}

void mm_mls_cache_drop(mm_mls_cache *c, mm_view gid) {
  cache_entry *e = cache_find(c, gid);
  if (!e) return;
  entry_clear(e);
  *e = c->v[--c->n];
}

mm_err mm_mls_cache_get(mm_mls_cache **cp, uint16_t suite, mm_view gid, mm_view stored,
                        const mm_mls_state **out) {
  if (gid.len == 0 || gid.len > MM_GROUP_ID_MAX) return MM_E_USAGE;
  if (!*cp && !(*cp = calloc(1, sizeof **cp))) return MM_E_NOMEM;
  mm_mls_cache *c = *cp;
  cache_entry *e = cache_find(c, gid);
  if (e && mm_view_eq(mm_view_of(e->bytes, e->len), stored)) {
    *out = e->state;
    return MM_OK;
  }
  mm_mls_expect exp = {.suite = suite, .group_id = gid};
  mm_mls_state *st;
  mm_mls_why why;
  mm_err r = mm_mls_state_from_group_state(stored.data, stored.len, &exp, &st, &why);
  if (r == MM_E_NOMEM) return r;
  if (r != MM_OK) return MM_E_INTERNAL; /* a record this DS wrote after validating it */
  uint8_t *copy = malloc(stored.len ? stored.len : 1);
  if (!copy) {
    mm_mls_state_free(st);
    return MM_E_NOMEM;
  }
  if (stored.len) memcpy(copy, stored.data, stored.len);
  if (!e) {
    if (c->n == c->cap) {
      size_t cap = c->cap ? 2 * c->cap : 4;
      cache_entry *nv = realloc(c->v, cap * sizeof *nv);
      if (!nv) {
        free(copy);
        mm_mls_state_free(st);
        return MM_E_NOMEM;
      }
      c->v = nv;
      c->cap = cap;
    }
    e = &c->v[c->n++];
    memset(e, 0, sizeof *e);
  } else {
    entry_clear(e);
  }
  memcpy(e->gid, gid.data, gid.len);
  e->gid_len = gid.len;
  e->bytes = copy;
  e->len = stored.len;
  e->state = st;
  *out = st;
  return MM_OK;
}

/* ---- CommitBundles (MLS-4) ---- */

mm_err mm_hosted_mls_bundle(const mm_ds_config *cfg, const mm_intake *in, const mm_mls_state *cur,
                            mm_mls_state **next, mm_mls_commit_info *info) {
  *next = NULL;
  mm_err e = MM_CHECK(cfg->mutants, in->env.cipher_suite == mm_mls_state_suite(cur), "SUITE-2",
                      MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return e;
  mm_mls_why why;
  memset(info, 0, sizeof *info);
  e = mm_mls_state_apply_bundle(cur, in->env.body.data, in->env.body.len, in->env.sender, next,
                                info, &why);
  if (e == MM_E_NOMEM || e == MM_E_USAGE || e == MM_E_INTERNAL) return e;
  /* Each refusal under the rule the MLS layer found broken. */
  if (e == MM_E_BAD_GROUP_STATE) return MM_RULE("MLS-2", e);
  if (e == MM_E_STALE_EPOCH && why.check == MM_MLS_C_LAST_EPOCH) return MM_RULE("EPOCH-3", e);
  if (e == MM_E_NOT_MEMBER) return MM_RULE("MLS-3 MLS-4", e);
  if (e != MM_OK) return MM_RULE("MLS-4", e);
  /* An external joiner must be a client the policy lets in. */
  if (info->external) {
    bool allowed = mm_policy_allows(&cfg->policy, cfg->domain, in->env.sender,
                                    mm_mls_state_group_id(cur), mm_view_of(NULL, 0));
    e = MM_CHECK(cfg->mutants, allowed, "MLS-4", MM_MUT_NONE, MM_E_UNAUTHORIZED);
    if (e != MM_OK) {
      mm_mls_state_free(*next);
      *next = NULL;
    }
  }
  return e;
}

/* A view as a C string in buf (MM_SENDER_MAX + 1 bytes). */
static bool cstr(mm_view v, char *buf) {
  if (v.len > MM_SENDER_MAX) return false;
  if (v.len) memcpy(buf, v.data, v.len);
  buf[v.len] = '\0';
  return true;
}

/* Did an earlier leaf than m's carry m's identity? (each identity once) */
static bool seen_before(const mm_mls_tree *t, const mm_mls_member *m) {
  uint32_t leaf = 0;
  mm_mls_member first;
  return mm_mls_find_member(t, m->identity, &leaf, &first) && leaf < m->leaf_index;
}

mm_err mm_hosted_mls_send_members(const mm_ds_config *cfg, const mm_mls_state *s, uint8_t msg_type,
                                  mm_view body, mm_outbox *out) {
  const mm_mls_tree *t = mm_mls_state_tree(s);
  uint32_t leaf = 0;
  mm_mls_member m;
  char to[MM_SENDER_MAX + 1];
  while (mm_mls_members_next(t, &leaf, &m)) {
    if (seen_before(t, &m)) continue;
    if (!cstr(m.identity, to)) return MM_E_INTERNAL;
    mm_err e = mm_send_profile(out, MM_PROFILE_V2, to, msg_type, mm_mls_state_suite(s), cfg->domain,
                               body.data, body.len);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

mm_err mm_hosted_mls_fanout(const mm_ds_config *cfg, const mm_mls_state *cur,
                            const mm_mls_state *next, const mm_mls_commit_info *info,
                            mm_outbox *out) {
  if (!MM_ENFORCED(cfg->mutants, "MLS-4 LIFE-1", MM_MUT_NONE)) return MM_OK;
  mm_err e = mm_hosted_mls_send_members(cfg, cur, MM_MSG_MLS_MESSAGE, info->commit, out);
  if (e != MM_OK || !info->has_welcome) return e;
  mm_view *fresh;
  size_t n;
  e = mm_mls_new_identities(mm_mls_state_tree(cur), mm_mls_state_tree(next), &fresh, &n);
  char to[MM_SENDER_MAX + 1];
  for (size_t i = 0; e == MM_OK && i < n; i++)
    e = cstr(fresh[i], to)
            ? mm_send_profile(out, MM_PROFILE_V2, to, MM_MSG_WELCOME, mm_mls_state_suite(cur),
                              cfg->domain, info->welcome.data, info->welcome.len)
            : MM_E_INTERNAL;
  if (e == MM_OK || fresh) free(fresh);
  return e;
}

/* ---- application messages (MLS-5) and GroupInfo (MLS-6) ---- */

mm_err mm_hosted_mls_app(const mm_ds_config *cfg, const mm_intake *in, const mm_mls_state *cur,
                         mm_outbox *out) {
  mm_err e = MM_CHECK(cfg->mutants, in->env.cipher_suite == mm_mls_state_suite(cur), "SUITE-2",
                      MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return e;
  mm_mls_why why;
  e = mm_mls_check_message(cur, in->env.body.data, in->env.body.len, MM_CONTENT_APPLICATION,
                           in->env.sender, &why);
  if (e == MM_E_NOMEM) return e;
  e = MM_CHECK(cfg->mutants, e == MM_OK, "MLS-5", MM_MUT_NONE, e);
  if (e != MM_OK) return e;
  return mm_hosted_mls_send_members(cfg, cur, MM_MSG_MLS_MESSAGE, in->env.body, out);
}

mm_err mm_hosted_mls_group_info(const mm_ds_config *cfg, const mm_intake *in,
                                const mm_mls_state *cur, mm_outbox *out) {
  mm_err e = MM_CHECK(cfg->mutants, in->env.cipher_suite == mm_mls_state_suite(cur), "SUITE-2",
                      MM_MUT_NONE, MM_E_UNSUPPORTED_CIPHERSUITE);
  if (e != MM_OK) return e;
  bool allowed = mm_policy_allows(&cfg->policy, cfg->domain, in->env.sender,
                                  mm_mls_state_group_id(cur), mm_view_of(NULL, 0));
  e = MM_CHECK(cfg->mutants, allowed, "MLS-6", MM_MUT_NONE, MM_E_UNAUTHORIZED);
  if (e != MM_OK) return e;
  mm_writer w;
  mm_writer_init(&w);
  e = mm_mls_state_encode_public(cur, &w);
  if (e == MM_OK)
    e = mm_send_profile(out, MM_PROFILE_V2, in->sender, MM_MSG_GROUP_INFO, mm_mls_state_suite(cur),
                        cfg->domain, w.buf, w.len);
  mm_writer_free(&w);
  return MM_RULE("MLS-6", e);
}

mm_view mm_hosted_v2_group_id(const mm_intake *in) {
  switch (in->env.msg_type) {
  case MM_MSG_COMMIT_BUNDLE: {
    const mm_mls_msg *c = &in->mls_body.commit_bundle.commit;
    return c->wire_format == MM_WIRE_PUBLIC ? c->public_message.content.group_id
                                            : c->private_message.group_id;
  }
  case MM_MSG_GROUP_INFO_REQUEST: return in->mls_body.group_id;
  default: return in->body.mls_message.group_id;
  }
}

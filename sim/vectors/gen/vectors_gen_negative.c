/* vectors/negative.json: per suite, the happy-path transcript and, for each
 * MUST rule of profile sections 3-6 that a single message can break, a case:
 * the number of transcript messages to replay first, the receiving actor,
 * one tampered, re-signed or misdirected envelope, and the verdict the
 * reference actor must reach. Every case is replayed here before it is
 * published (mm_vg_replay), so the file never states a verdict the
 * reference actors do not reach. NONCE-1 (the target's own nonce drawing)
 * cannot be broken by a message and has no case. */
#include <stdio.h>
#include <string.h>

#include "vectors/gen/vectors_gen_negative.h"

/* ---- helpers over the recorded run ---- */

size_t vgn_index_of(const neg *n, uint8_t msg_type) {
  for (size_t i = 0; i < mm_sim_record_count(n->s); i++)
    if (mm_sim_record_at(n->s, i)->msg_type == msg_type) return i;
  return SIZE_MAX;
}

/* Decodes the body of the first message of msg_type into msg. */
bool vgn_body(neg *n, uint8_t msg_type, mm_type t, void *msg) {
  mm_view b;
  mm_derr err;
  mm_limits lim = mm_limits_default(n->suite);
  return mm_vg_first_body(n->s, msg_type, NULL, &b, NULL) &&
         mm_decode(t, b.data, b.len, &lim, msg, &err) == MM_OK;
}

mm_view vgn_keep(neg *n, const uint8_t *p, size_t len) {
  uint8_t *q = mm_arena_alloc(&n->a, len);
  if (!q) {
    n->ok = false;
    return mm_view_of(NULL, 0);
  }
  if (len) memcpy(q, p, len);
  return mm_view_of(q, len);
}

mm_view vgn_encode(neg *n, mm_type t, const void *msg) {
  mm_writer w;
  mm_writer_init(&w);
  mm_limits lim = mm_limits_default(n->suite);
  mm_view v = mm_view_of(NULL, 0);
  mm_derr err = {0};
  if (mm_encode(t, msg, &lim, &w, &err) == MM_OK) {
    v = vgn_keep(n, w.buf, w.len);
  } else {
    fprintf(stderr, "negative vectors: suite %u: cannot encode a %s (%s)\n", n->suite,
            mm_type_name(t), err.reason ? err.reason : "?");
    n->ok = false;
  }
  mm_writer_free(&w);
  return v;
}

/* Signs msg (type t) with who's key under label, into *sig. */
void vgn_sign(neg *n, mm_type t, const void *msg, mm_view *sig, const char *who,
              const char *label) {
  mm_writer tbs, out;
  mm_writer_init(&tbs);
  mm_writer_init(&out);
  mm_limits lim = mm_limits_default(n->suite);
  const mm_key *k = mm_sim_private_key(n->s, who);
  if (k && mm_encode_tbs(t, msg, &lim, &tbs) == MM_OK &&
      mm_sign_with_label(k, label, tbs.buf, tbs.len, &out) == MM_OK)
    *sig = vgn_keep(n, out.buf, out.len);
  else
    n->ok = false;
  mm_writer_free(&tbs);
  mm_writer_free(&out);
}

mm_view vgn_envelope(neg *n, uint8_t msg_type, uint16_t suite, const char *sender, mm_view b) {
  mm_envelope env = {msg_type, suite, mm_view_str(sender), b};
  return vgn_encode(n, MM_T_ENVELOPE, &env);
}

/* The recorded envelope of the first message of msg_type, as is. */
mm_view vgn_recorded(neg *n, uint8_t msg_type) {
  size_t i = vgn_index_of(n, msg_type);
  if (i == SIZE_MAX) {
    n->ok = false;
    return mm_view_of(NULL, 0);
  }
  const mm_sim_record *r = mm_sim_record_at(n->s, i);
  return mm_view_of(r->env, r->len);
}

mm_view vgn_flip_last(neg *n, mm_view v) {
  mm_view c = vgn_keep(n, v.data, v.len);
  if (c.len) ((uint8_t *)c.data)[c.len - 1] ^= 0x01;
  return c;
}

/* A MigrationResponse rebuilt from the recorded one and re-signed by the
 * target (so only the changed field is wrong). */
bool vgn_response(neg *n, mm_migration_response *r) {
  return vgn_body(n, MM_MSG_MIGRATION_RESPONSE, MM_T_MIGRATION_RESPONSE, r);
}

/* ---- publishing one case ---- */

static json_t *policy_or_null(const mm_policy *p) { return p ? mm_vg_policy_json(p) : NULL; }

void vgn_add(neg *n, const ncase *k) {
  if (!n->ok) return;
  size_t idx = vgn_index_of(n, k->before);
  if (idx == SIZE_MAX) {
    n->ok = false;
    return;
  }
  size_t prefix = idx + (k->after_it ? 1 : 0);
  uint64_t at = k->at ? k->at : mm_sim_record_at(n->s, idx)->at;
  mm_sim_config cfg = n->cfg;
  if (k->source_policy) cfg.source_policy = *k->source_policy;
  if (k->target_policy) cfg.target_policy = *k->target_policy;
  mm_vg_case vc = {&cfg, n->messages, prefix, k->receiver, k->policy_after, at, k->env};
  mm_err verdict = k->want, e = MM_OK;
  bool error_sent = false;
  if (n->validate) e = mm_vg_replay(&vc, &verdict, &error_sent);
  if (e != MM_OK || verdict != k->want) {
    fprintf(stderr, "negative vectors: suite %u %s '%s': want %s, reference actor says %s\n",
            n->suite, k->rule, k->comment, mm_err_name(k->want),
            e != MM_OK ? mm_err_name(e) : mm_err_name(verdict));
    n->ok = false;
    return;
  }
  mm_envelope env;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  if (mm_decode(MM_T_ENVELOPE, k->env.data, k->env.len, &lim, &env, &err) != MM_OK) {
    n->ok = false;
    return;
  }
  char from[MM_SENDER_MAX + 1];
  snprintf(from, sizeof from, "%.*s", (int)env.sender.len, (const char *)env.sender.data);
  json_t *t =
      json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "tcId", ++*n->tc_id, "rule",
                k->rule, "comment", k->comment, "receiver", k->receiver, "role",
                mm_vg_role_name(k->receiver), "prefix", mm_json_u64(prefix), "at_ms",
                mm_json_u64(at), "from", from, "envelope", mm_json_hex(k->env.data, k->env.len));
  if (k->source_policy) json_object_set_new(t, "source_policy", policy_or_null(k->source_policy));
  if (k->target_policy) json_object_set_new(t, "target_policy", policy_or_null(k->target_policy));
  if (k->policy_after)
    json_object_set_new(t, "policy_after_prefix", policy_or_null(k->policy_after));
  json_object_set_new(t, "result", json_string(k->want == MM_OK ? "valid" : "invalid"));
  json_object_set_new(t, "verdict", json_string(k->want == MM_OK ? "accept" : "reject"));
  json_object_set_new(t, "code",
                      k->want == MM_OK ? json_null() : json_string(mm_err_name(k->want)));
  json_object_set_new(t, "flags", json_pack("[s]", k->flag));
  json_array_append_new(n->tests, t);
}

static const char *const deny_alice[] = {ALICE, NULL};
const mm_policy vgn_policy_deny_alice = {.kind = MM_POLICY_DEFAULT, .deny = deny_alice};
const mm_policy vgn_policy_strict = {.kind = MM_POLICY_STRICT};

static json_t *suite_group(uint16_t suite, uint64_t seed, int *tc_id, bool validate) {
  neg n = {.cfg = mm_vg_config(suite, seed, MM_VG_SMALL_STATE),
           .suite = suite,
           .tc_id = tc_id,
           .validate = validate,
           .ok = true};
  mm_sim_outcome o;
  json_t *g = mm_vg_migration_entry(&n.cfg, "happy path, 3 members: the prefix of every case");
  if (!g || mm_vg_run(&n.cfg, &n.s, &o) != MM_OK) {
    json_decref(g);
    return NULL;
  }
  json_object_del(g, "outcome");
  json_object_del(g, "final_state");
  n.messages = json_object_get(g, "messages");
  n.tests = json_array();
  mm_arena_init(&n.a);
  vgn_request_cases(&n);
  vgn_init_cases(&n);
  vgn_commit_cases(&n);
  vgn_content_cases(&n);
  vgn_complete_cases(&n);
  vgn_client_cases(&n);
  json_object_set_new(g, "tests", n.tests);
  mm_arena_free(&n.a);
  mm_sim_free(n.s);
  if (!n.ok) {
    json_decref(g);
    return NULL;
  }
  return g;
}

static json_t *negative(uint64_t seed, bool validate) {
  json_t *root = json_array();
  int tc_id = 0;
  for (uint16_t suite = 1; suite <= MM_SUITE_COUNT; suite++) {
    json_t *g = suite_group(suite, seed, &tc_id, validate);
    if (!g) {
      json_decref(root);
      return NULL;
    }
    json_array_append_new(root, g);
  }
  return root;
}

json_t *mm_vg_negative(uint64_t seed) { return negative(seed, true); }

json_t *mm_vg_negative_unchecked(uint64_t seed) { return negative(seed, false); }

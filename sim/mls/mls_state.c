/* The state a DS holds for a group (profile MLS-1): a validated GroupInfo
 * and ratchet tree owning their bytes; a CommitBundle checked against it
 * and turned into the next epoch's state (MLS-4, EPOCH-3); the framing of
 * members' messages (MLS-5). */
#include <stdlib.h>
#include <string.h>

#include "mls/mls_schema.h"
#include "mls/mls_tree_internal.h"
#include "profile/rule.h"

struct mm_mls_state {
  uint8_t *bytes; /* PublicGroupState or MigrationGroupState encoding */
  size_t len;
  mm_view gi_bytes;
  mm_mls_group_info gi; /* views into bytes */
  mm_list tree_list;
  mm_view ds_payload;
  mm_mls_tree *tree;
};

void mm_mls_state_free(mm_mls_state *s) {
  if (!s) return;
  mm_mls_tree_free(s->tree);
  free(s->bytes);
  free(s);
}

static mm_err malformed(mm_mls_why *why, const mm_derr *d, const char *what) {
  return mm_tree_why(why, MM_E_MALFORMED, MM_MLS_C_DECODE, d->rule ? d->rule : "ENC-2", UINT32_MAX,
                     "%s does not decode: %s at offset %zu", what, d->reason ? d->reason : "?",
                     d->offset);
}

/* Decodes and validates a copy of data: a MigrationGroupState when mgs,
 * else a PublicGroupState. */
static mm_err load(const uint8_t *data, size_t len, bool mgs, const mm_mls_expect *exp,
                   mm_view payload, mm_mls_state **out, mm_mls_why *why) {
  *out = NULL;
  if (why) *why = (mm_mls_why){.index = UINT32_MAX};
  if (!exp || (!data && len)) return MM_E_USAGE;
  mm_mls_state *s = calloc(1, sizeof *s);
  if (!s) return MM_E_NOMEM;
  s->bytes = malloc(len ? len : 1);
  if (!s->bytes) {
    free(s);
    return MM_E_NOMEM;
  }
  if (len) memcpy(s->bytes, data, len);
  s->len = len;
  mm_limits lim = mm_limits_default(exp->suite);
  mm_derr derr;
  mm_reader r;
  mm_reader_init(&r, s->bytes, len, &derr);
  mm_mls_ratchet_tree rt;
  uint16_t version = MM_MLS_GROUP_STATE_VERSION;
  bool ok = !mgs || mm_read_u16(&r, &version);
  if (ok && version != MM_MLS_GROUP_STATE_VERSION)
    ok = mm_reader_fail_at(&r, 0, "ENC-4", "version must be 2"); /* MLS-1 */
  size_t gi_at = r.pos;
  ok = ok && mm_schema_decode_reader(&mm_mls_group_info_schema, &r, &lim, &s->gi);
  s->gi_bytes = mm_view_of(s->bytes + gi_at, r.pos - gi_at);
  /* The tree under the suite the GroupInfo names (whether it is the
   * expected one is MLS-2's question, not the codec's). */
  if (ok && mm_suite_get(s->gi.group_context.cipher_suite))
    lim.suite = s->gi.group_context.cipher_suite;
  ok = ok && mm_mls_decode_reader(MM_MLS_T_RATCHET_TREE, &r, &lim, &rt);
  s->tree_list = rt.nodes;
  if (ok && mgs) ok = mm_read_vec(&r, &s->ds_payload);
  ok = ok && mm_reader_expect_end(&r);
  mm_err e = ok ? MM_OK : malformed(why, &derr, mgs ? "the MigrationGroupState" : "the state");
  if (e == MM_OK && !mgs) s->ds_payload = payload;
  if (e == MM_OK) e = mm_mls_validate_public_state(&s->gi, s->tree_list, exp, &s->tree, why);
  if (e != MM_OK) {
    mm_mls_state_free(s);
    return e;
  }
  *out = s;
  return MM_OK;
}

mm_err mm_mls_state_from_group_state(const uint8_t *data, size_t len, const mm_mls_expect *exp,
                                     mm_mls_state **out, mm_mls_why *why) {
  return load(data, len, true, exp, mm_view_of(NULL, 0), out, why);
}

mm_err mm_mls_state_from_public(const uint8_t *data, size_t len, const mm_mls_expect *exp,
                                mm_mls_state **out, mm_mls_why *why) {
  return load(data, len, false, exp, mm_view_of(NULL, 0), out, why);
}

uint16_t mm_mls_state_suite(const mm_mls_state *s) { return s->gi.group_context.cipher_suite; }
mm_view mm_mls_state_group_id(const mm_mls_state *s) { return s->gi.group_context.group_id; }
uint64_t mm_mls_state_epoch(const mm_mls_state *s) { return s->gi.group_context.epoch; }
const mm_mls_group_info *mm_mls_state_group_info(const mm_mls_state *s) { return &s->gi; }
const mm_mls_tree *mm_mls_state_tree(const mm_mls_state *s) { return s->tree; }
mm_view mm_mls_state_group_info_bytes(const mm_mls_state *s) { return s->gi_bytes; }
mm_view mm_mls_state_ds_payload(const mm_mls_state *s) { return s->ds_payload; }

mm_err mm_mls_state_encode_public(const mm_mls_state *s, mm_writer *w) {
  mm_put_bytes(w, s->gi_bytes.data, s->gi_bytes.len);
  mm_put_vec(w, s->tree_list.data.data, s->tree_list.data.len);
  return w->error;
}

mm_err mm_mls_state_encode(const mm_mls_state *s, mm_view ds_payload, mm_writer *w) {
  mm_put_u16(w, MM_MLS_GROUP_STATE_VERSION);
  mm_err e = mm_mls_state_encode_public(s, w);
  if (e == MM_OK && !mm_put_vec(w, ds_payload.data, ds_payload.len)) e = w->error;
  return e;
}

/* ---- CommitBundle (MLS-4) ---- */

typedef struct bundle_parts {
  mm_mls_msg commit, welcome;
  bool has_welcome;
  mm_view commit_bytes, welcome_bytes, state_bytes; /* state: group_info + ratchet_tree */
} bundle_parts;

/* CommitBundle, decoded part by part (so each part's bytes are known)
 * under the group's suite. */
static mm_err split_bundle(const uint8_t *data, size_t len, uint16_t suite, bundle_parts *b,
                           mm_mls_why *why) {
  mm_limits lim = mm_limits_default(suite);
  mm_derr derr;
  mm_reader r;
  mm_reader_init(&r, data, len, &derr);
  mm_mls_group_info gi;
  mm_mls_ratchet_tree rt;
  uint8_t flag = 0;
  bool ok = mm_mls_decode_reader(MM_MLS_T_MLS_MESSAGE, &r, &lim, &b->commit);
  b->commit_bytes = mm_view_of(data, r.pos);
  size_t at = r.pos;
  ok = ok && mm_read_u8(&r, &flag);
  if (ok && flag > 1) ok = mm_reader_fail_at(&r, at, "ENC-4", "optional<> flag not 0 or 1");
  b->has_welcome = flag == 1;
  at = r.pos;
  if (ok && b->has_welcome) ok = mm_mls_decode_reader(MM_MLS_T_MLS_MESSAGE, &r, &lim, &b->welcome);
  b->welcome_bytes = mm_view_of(data + at, r.pos - at);
  at = r.pos;
  ok = ok && mm_mls_decode_reader(MM_MLS_T_GROUP_INFO, &r, &lim, &gi);
  if (ok && mm_suite_get(gi.group_context.cipher_suite)) lim.suite = gi.group_context.cipher_suite;
  ok = ok && mm_mls_decode_reader(MM_MLS_T_RATCHET_TREE, &r, &lim, &rt) && mm_reader_expect_end(&r);
  b->state_bytes = mm_view_of(data + at, r.pos - at);
  return ok ? MM_OK : malformed(why, &derr, "the CommitBundle");
}

#define COMMIT_WHY(why, e, c, ...) mm_tree_why((why), (e), (c), "MLS-4", UINT32_MAX, __VA_ARGS__)

/* The framing of the commit: wire format, group, epoch, content type. */
static mm_err check_framing(const mm_mls_state *cur, const mm_mls_msg *m, mm_mls_why *why) {
  mm_view gid;
  uint64_t epoch;
  uint8_t ct;
  if (m->wire_format == MM_WIRE_PUBLIC) {
    gid = m->public_message.content.group_id;
    epoch = m->public_message.content.epoch;
    ct = m->public_message.content.content_type;
  } else if (m->wire_format == MM_WIRE_PRIVATE) {
    gid = m->private_message.group_id;
    epoch = m->private_message.epoch;
    ct = m->private_message.content_type;
  } else {
    return COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_WIRE_FORMAT,
                      "the commit is no PublicMessage or PrivateMessage (wire format %u)",
                      m->wire_format);
  }
  if (!mm_view_eq(gid, mm_mls_state_group_id(cur)))
    return COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_COMMIT_GROUP,
                      "the commit names another group");
  if (mm_mls_state_epoch(cur) == UINT64_MAX)
    return MM_RULE("EPOCH-3",
                   mm_tree_why(why, MM_E_STALE_EPOCH, MM_MLS_C_LAST_EPOCH, "EPOCH-3", UINT32_MAX,
                               "the group is at epoch 2^64-1: no Commit can follow"));
  if (epoch != mm_mls_state_epoch(cur))
    return COMMIT_WHY(why, MM_E_STALE_EPOCH, MM_MLS_C_COMMIT_EPOCH,
                      "the commit is for epoch %llu, the group is at %llu",
                      (unsigned long long)epoch, (unsigned long long)mm_mls_state_epoch(cur));
  if (ct != MM_CONTENT_COMMIT)
    return COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_CONTENT_TYPE,
                      "the commit's content type is %u, not commit", ct);
  return MM_OK;
}

/* Who sent the commit, and the key its PublicMessage must verify under. */
static mm_err check_sender(const mm_mls_state *cur, const mm_mls_msg *m, mm_view sender,
                           mm_mls_commit_info *info, mm_mls_why *why) {
  const mm_mls_tree *t = cur->tree;
  if (m->wire_format == MM_WIRE_PRIVATE) {
    /* The sender is encrypted: the envelope's identity must be a member. */
    if (!mm_mls_is_member(t, sender))
      return COMMIT_WHY(why, MM_E_NOT_MEMBER, MM_MLS_C_SENDER,
                        "the sender is not a member of the current epoch");
    return MM_OK;
  }
  const mm_mls_public_message *pm = &m->public_message;
  mm_view key;
  info->public_message = true;
  if (pm->content.sender.sender_type == MM_SENDER_NEW_MEMBER_COMMIT) {
    if (!pm->content.commit.has_path)
      return COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_SENDER,
                        "an external commit without an UpdatePath");
    info->external = true;
    key = pm->content.commit.path.leaf_node.signature_key;
  } else if (pm->content.sender.sender_type == MM_SENDER_MEMBER) {
    mm_mls_leaf_node ln;
    uint32_t leaf = pm->content.sender.index;
    if (!mm_mls_tree_leaf(t, leaf, &ln))
      return COMMIT_WHY(why, MM_E_NOT_MEMBER, MM_MLS_C_SENDER,
                        "the commit's sender, leaf %u, is no member", leaf);
    if (!mm_view_eq(ln.credential.identity, sender))
      return COMMIT_WHY(why, MM_E_NOT_MEMBER, MM_MLS_C_SENDER,
                        "the commit's sender, leaf %u, is not the envelope's sender", leaf);
    info->sender_leaf = leaf;
    key = ln.signature_key;
  } else {
    return COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_SENDER,
                      "a commit from sender type %u (only members and new members commit)",
                      pm->content.sender.sender_type);
  }
  mm_err e = mm_mls_public_message_verify(mm_mls_state_suite(cur), pm, &cur->gi.group_context, key);
  if (e == MM_E_BAD_SIGNATURE || e == MM_E_MALFORMED)
    return COMMIT_WHY(why, MM_E_BAD_SIGNATURE, MM_MLS_C_MESSAGE_SIG,
                      "the commit's signature does not verify over FramedContentTBS");
  return e;
}

mm_err mm_mls_state_apply_bundle(const mm_mls_state *cur, const uint8_t *bundle, size_t len,
                                 mm_view sender, mm_mls_state **next, mm_mls_commit_info *info,
                                 mm_mls_why *why) {
  *next = NULL;
  mm_mls_commit_info local;
  if (!info) info = &local;
  *info = (mm_mls_commit_info){0};
  if (why) *why = (mm_mls_why){.index = UINT32_MAX};
  if (!cur || (!bundle && len)) return MM_E_USAGE;
  uint16_t suite = mm_mls_state_suite(cur);
  bundle_parts b;
  mm_err e = split_bundle(bundle, len, suite, &b, why);
  if (e == MM_OK) e = check_framing(cur, &b.commit, why);
  if (e == MM_OK && b.has_welcome &&
      (b.welcome.wire_format != MM_MLS_WIRE_WELCOME || b.welcome.welcome.cipher_suite != suite))
    e = COMMIT_WHY(why, MM_E_BAD_COMMIT, MM_MLS_C_WIRE_FORMAT,
                   "the bundle's welcome is no Welcome of the group's suite");
  if (e == MM_OK) e = check_sender(cur, &b.commit, sender, info, why);
  if (e != MM_OK) return e;
  /* The new epoch's state, as the next state's own bytes. */
  mm_mls_expect exp = {suite, mm_mls_state_group_id(cur), true, mm_mls_state_epoch(cur) + 1};
  mm_mls_state *s;
  e = load(b.state_bytes.data, b.state_bytes.len, false, &exp, mm_view_of(NULL, 0), &s, why);
  if (e != MM_OK) return e;
  mm_mls_leaf_node signer;
  mm_mls_tree_leaf(s->tree, s->gi.signer, &signer); /* validated: non-blank */
  if (!mm_view_eq(signer.credential.identity, sender)) {
    uint32_t leaf = s->gi.signer;
    mm_mls_state_free(s);
    return COMMIT_WHY(why, MM_E_NOT_MEMBER, MM_MLS_C_SENDER,
                      "the new GroupInfo is signed by leaf %u, not by the sender", leaf);
  }
  /* The DS's own data stays with the group. */
  s->ds_payload = mm_view_of(NULL, 0);
  info->has_welcome = b.has_welcome;
  info->commit = b.commit_bytes;
  info->welcome = b.welcome_bytes;
  *next = s;
  return MM_OK;
}

/* ---- members' messages (MLS-5) ---- */

mm_err mm_mls_check_message(const mm_mls_state *cur, const uint8_t *msg, size_t len,
                            uint8_t content_type, mm_view sender, mm_mls_why *why) {
  if (why) *why = (mm_mls_why){.index = UINT32_MAX};
  mm_limits lim = mm_limits_default(mm_mls_state_suite(cur));
  mm_mls_msg m;
  mm_derr derr;
  if (mm_mls_decode(MM_MLS_T_MLS_MESSAGE, msg, len, &lim, &m, &derr) != MM_OK)
    return malformed(why, &derr, "the message");
  bool is_private = m.wire_format == MM_WIRE_PRIVATE;
  if (!is_private && (m.wire_format != MM_WIRE_PUBLIC || content_type == MM_CONTENT_APPLICATION))
    return mm_tree_why(why, MM_E_BAD_COMMIT, MM_MLS_C_WIRE_FORMAT, "MLS-5", UINT32_MAX,
                       "wire format %u cannot carry this content", m.wire_format);
  mm_view gid = is_private ? m.private_message.group_id : m.public_message.content.group_id;
  uint64_t epoch = is_private ? m.private_message.epoch : m.public_message.content.epoch;
  uint8_t ct = is_private ? m.private_message.content_type : m.public_message.content.content_type;
  if (!mm_view_eq(gid, mm_mls_state_group_id(cur)))
    return mm_tree_why(why, MM_E_UNKNOWN_GROUP, MM_MLS_C_COMMIT_GROUP, "MLS-5", UINT32_MAX,
                       "the message names another group");
  if (ct != content_type)
    return mm_tree_why(why, MM_E_BAD_COMMIT, MM_MLS_C_CONTENT_TYPE, "MLS-5", UINT32_MAX,
                       "the message's content type is %u, not %u", ct, content_type);
  if (epoch != mm_mls_state_epoch(cur))
    return mm_tree_why(why, MM_E_STALE_EPOCH, MM_MLS_C_COMMIT_EPOCH, "MLS-5", UINT32_MAX,
                       "the message is for epoch %llu, the group is at %llu",
                       (unsigned long long)epoch, (unsigned long long)mm_mls_state_epoch(cur));
  if (!mm_mls_is_member(cur->tree, sender))
    return mm_tree_why(why, MM_E_NOT_MEMBER, MM_MLS_C_SENDER, "MLS-5", UINT32_MAX,
                       "the sender is not a member of the current epoch");
  return MM_OK;
}

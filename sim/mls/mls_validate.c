/* Public-state validation, profile MLS-2 (and MLS-1's ratchet_tree
 * extension rule), in one place: a GroupInfo and its ratchet tree checked
 * as a joining member would (RFC 9420 7.3, 7.8, 7.9.2, 12.4.3.1), less
 * what needs secrets. Cheap checks first, then hashes, then signatures;
 * the first failure is reported with its node. */
#include <stdlib.h>
#include <string.h>

#include "codec/schema.h"
#include "mls/mls_tree_internal.h"
#include "profile/rule.h"

static const char *const check_names[MM_MLS_C_COUNT] = {
    [MM_MLS_C_NONE] = "none",
    [MM_MLS_C_DECODE] = "decode",
    [MM_MLS_C_SUITE] = "suite",
    [MM_MLS_C_VERSION] = "version",
    [MM_MLS_C_CIPHER_SUITE] = "cipher_suite",
    [MM_MLS_C_GROUP_ID] = "group_id",
    [MM_MLS_C_EPOCH] = "epoch",
    [MM_MLS_C_TREE_SHAPE] = "tree_shape",
    [MM_MLS_C_TREE_HASH] = "tree_hash",
    [MM_MLS_C_PARENT_HASH] = "parent_hash",
    [MM_MLS_C_UNMERGED] = "unmerged_leaves",
    [MM_MLS_C_LEAF_SIGNATURE] = "leaf_signature",
    [MM_MLS_C_KEY] = "key",
    [MM_MLS_C_CREDENTIAL] = "credential",
    [MM_MLS_C_IDENTITY] = "identity",
    [MM_MLS_C_CAPABILITIES] = "capabilities",
    [MM_MLS_C_DUP_SIG_KEY] = "duplicate_signature_key",
    [MM_MLS_C_DUP_ENC_KEY] = "duplicate_encryption_key",
    [MM_MLS_C_EXTENSIONS] = "extensions",
    [MM_MLS_C_SIGNER] = "signer",
    [MM_MLS_C_GROUP_INFO_SIG] = "group_info_signature",
    [MM_MLS_C_TREE_EXT] = "ratchet_tree_extension",
    [MM_MLS_C_WIRE_FORMAT] = "wire_format",
    [MM_MLS_C_CONTENT_TYPE] = "content_type",
    [MM_MLS_C_COMMIT_GROUP] = "commit_group",
    [MM_MLS_C_COMMIT_EPOCH] = "commit_epoch",
    [MM_MLS_C_LAST_EPOCH] = "last_epoch",
    [MM_MLS_C_SENDER] = "sender",
    [MM_MLS_C_MESSAGE_SIG] = "message_signature",
};

const char *mm_mls_check_name(mm_mls_check c) {
  return (unsigned)c < MM_MLS_C_COUNT && check_names[c] ? check_names[c] : "unknown";
}

#define BAD(why, c, index, ...) \
  mm_tree_why((why), MM_E_BAD_GROUP_STATE, (c), "MLS-2", (index), __VA_ARGS__)

/* ---- extensions ---- */

/* Does list l hold two extensions of one type? *dup receives it. */
static bool dup_extension(mm_list l, uint16_t *dup) {
  if (l.count < 2) return false;
  uint8_t seen[65536 / 8] = {0};
  size_t pos = 0;
  mm_mls_extension x;
  while (mm_mls_ext_next(l, &pos, &x)) {
    uint16_t t = x.extension_type;
    if (seen[t / 8] & (1u << (t % 8))) {
      *dup = t;
      return true;
    }
    seen[t / 8] |= (uint8_t)(1u << (t % 8));
  }
  return false;
}

static bool find_extension(mm_list l, uint16_t type, mm_mls_extension *out) {
  size_t pos = 0;
  while (mm_mls_ext_next(l, &pos, out))
    if (out->extension_type == type) return true;
  return false;
}

static bool u16_list_has(mm_list l, uint16_t v) {
  size_t pos = 0;
  uint16_t x;
  while (mm_mls_u16_next(l, &pos, &x))
    if (x == v) return true;
  return false;
}

/* RFC 9420 13.1: extension types 1..5 are the default ones a client
 * supports without listing them (and so are proposal types 1..7). */
static bool default_extension(uint16_t t) { return t >= 1 && t <= 5; }
static bool default_proposal(uint16_t t) { return t >= 1 && t <= 7; }

/* RequiredCapabilities { extension_types<V>; proposal_types<V>;
 * credential_types<V>; } (RFC 9420 11.1), as three uint16 lists. */
static bool required_caps(mm_view data, mm_list out[3]) {
  mm_derr err;
  mm_reader r;
  mm_reader_init(&r, data.data, data.len, &err);
  for (int i = 0; i < 3; i++) {
    mm_view v;
    if (!mm_read_vec(&r, &v) || v.len % 2) return false;
    out[i] = (mm_list){v, (uint32_t)(v.len / 2)};
  }
  return mm_reader_expect_end(&r);
}

/* ---- leaves ---- */

/* name@domain (ENC-4's domain, MLS-2). */
static bool member_identity(mm_view id) {
  return id.len && memchr(id.data, '@', id.len) && mm_identity_problem(id) == NULL;
}

static mm_err check_leaf(const mm_mls_leaf_node *ln, uint32_t i, const mm_list *req,
                         mm_mls_why *why) {
  uint16_t dup;
  if (ln->credential.credential_type != MM_MLS_CRED_BASIC)
    return BAD(why, MM_MLS_C_CREDENTIAL, i, "leaf %u has no basic credential", i);
  if (!member_identity(ln->credential.identity))
    return BAD(why, MM_MLS_C_IDENTITY, i, "the identity of leaf %u is not name@domain", i);
  if (dup_extension(ln->extensions, &dup))
    return BAD(why, MM_MLS_C_EXTENSIONS, i, "leaf %u lists extension type %u twice", i, dup);
  const mm_mls_capabilities *c = &ln->capabilities;
  if (!u16_list_has(c->credentials, MM_MLS_CRED_BASIC))
    return BAD(why, MM_MLS_C_CAPABILITIES, i,
               "leaf %u does not support basic credentials, which the group uses", i);
  size_t pos = 0;
  mm_mls_extension x;
  while (mm_mls_ext_next(ln->extensions, &pos, &x))
    if (!default_extension(x.extension_type) && !u16_list_has(c->extensions, x.extension_type))
      return BAD(why, MM_MLS_C_CAPABILITIES, i,
                 "leaf %u carries extension type %u its capabilities do not list", i,
                 x.extension_type);
  if (!req) return MM_OK;
  uint16_t v;
  for (pos = 0; mm_mls_u16_next(req[0], &pos, &v);)
    if (!default_extension(v) && !u16_list_has(c->extensions, v))
      return BAD(why, MM_MLS_C_CAPABILITIES, i, "leaf %u lacks required extension type %u", i, v);
  for (pos = 0; mm_mls_u16_next(req[1], &pos, &v);)
    if (!default_proposal(v) && !u16_list_has(c->proposals, v))
      return BAD(why, MM_MLS_C_CAPABILITIES, i, "leaf %u lacks required proposal type %u", i, v);
  for (pos = 0; mm_mls_u16_next(req[2], &pos, &v);)
    if (!u16_list_has(c->credentials, v))
      return BAD(why, MM_MLS_C_CAPABILITIES, i, "leaf %u lacks required credential type %u", i, v);
  return MM_OK;
}

typedef struct keyed {
  mm_view key;
  uint32_t leaf;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
  int c = n ? memcmp(x->key.data, y->key.data, n) : 0;
  if (c) return c;
  if (x->key.len != y->key.len) return x->key.len < y->key.len ? -1 : 1;
  return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

/* Signature keys and encryption keys are unique among the leaves. */
static mm_err check_unique_keys(const mm_mls_tree *t, mm_mls_why *why) {
  uint32_t n = mm_mls_tree_leaf_count(t);
  keyed *sig = malloc(n * sizeof *sig), *enc = malloc(n * sizeof *enc);
  mm_err e = sig && enc ? MM_OK : MM_E_NOMEM;
  size_t k = 0;
  for (uint32_t i = 0; e == MM_OK && i < n; i++) {
    mm_mls_leaf_node ln;
    if (!mm_mls_tree_leaf(t, i, &ln)) continue;
    sig[k] = (keyed){ln.signature_key, i};
    enc[k++] = (keyed){ln.encryption_key, i};
  }
  if (e == MM_OK) {
    qsort(sig, k, sizeof *sig, cmp_keyed);
    qsort(enc, k, sizeof *enc, cmp_keyed);
  }
  for (size_t i = 1; e == MM_OK && i < k; i++) {
    if (mm_view_eq(sig[i].key, sig[i - 1].key))
      e = BAD(why, MM_MLS_C_DUP_SIG_KEY, sig[i].leaf, "leaves %u and %u share a signature key",
              sig[i - 1].leaf, sig[i].leaf);
    else if (mm_view_eq(enc[i].key, enc[i - 1].key))
      e = BAD(why, MM_MLS_C_DUP_ENC_KEY, enc[i].leaf, "leaves %u and %u share an encryption key",
              enc[i - 1].leaf, enc[i].leaf);
  }
  free(sig);
  free(enc);
  return e;
}

static mm_err check_leaves(const mm_mls_tree *t, const mm_mls_group_context *gc, mm_mls_why *why) {
  mm_mls_extension rc;
  mm_list req[3];
  bool has_req = find_extension(gc->extensions, MM_MLS_EXT_REQUIRED_CAPABILITIES, &rc);
  if (has_req && !required_caps(rc.extension_data, req))
    return BAD(why, MM_MLS_C_EXTENSIONS, UINT32_MAX,
               "the required_capabilities extension does not decode");
  for (uint32_t i = 0; i < mm_mls_tree_leaf_count(t); i++) {
    mm_mls_leaf_node ln;
    if (!mm_mls_tree_leaf(t, i, &ln)) continue;
    mm_err e = check_leaf(&ln, i, has_req ? req : NULL, why);
    if (e != MM_OK) return e;
  }
  return check_unique_keys(t, why);
}

/* ---- the GroupInfo ---- */

static mm_err check_context(const mm_mls_group_info *gi, const mm_mls_expect *exp,
                            mm_mls_why *why) {
  const mm_mls_group_context *gc = &gi->group_context;
  uint16_t dup;
  if (gc->version != MM_MLS10)
    return BAD(why, MM_MLS_C_VERSION, UINT32_MAX, "GroupContext.version is %u, not mls10",
               gc->version);
  if (gc->cipher_suite != exp->suite)
    return BAD(why, MM_MLS_C_CIPHER_SUITE, UINT32_MAX,
               "GroupContext.cipher_suite is %u, not the envelope's %u", gc->cipher_suite,
               exp->suite);
  if (exp->group_id.len && !mm_view_eq(gc->group_id, exp->group_id))
    return BAD(why, MM_MLS_C_GROUP_ID, UINT32_MAX, "GroupContext.group_id is another group's");
  if (exp->check_epoch && gc->epoch != exp->epoch)
    return BAD(why, MM_MLS_C_EPOCH, UINT32_MAX, "GroupContext.epoch is %llu, not %llu",
               (unsigned long long)gc->epoch, (unsigned long long)exp->epoch);
  if (dup_extension(gc->extensions, &dup))
    return BAD(why, MM_MLS_C_EXTENSIONS, UINT32_MAX, "GroupContext lists extension type %u twice",
               dup);
  if (dup_extension(gi->extensions, &dup))
    return BAD(why, MM_MLS_C_EXTENSIONS, UINT32_MAX, "GroupInfo lists extension type %u twice",
               dup);
  return MM_OK;
}

/* MLS-1: a ratchet_tree extension must hold exactly the state's tree. */
static mm_err check_tree_extension(const mm_mls_group_info *gi, mm_list tree, mm_mls_why *why) {
  mm_mls_extension x;
  if (!find_extension(gi->extensions, MM_MLS_EXT_RATCHET_TREE, &x)) return MM_OK;
  mm_writer w;
  mm_writer_init(&w);
  mm_put_vec(&w, tree.data.data, tree.data.len);
  mm_err e = w.error;
  bool same = e == MM_OK && mm_view_eq(mm_writer_view(&w), x.extension_data);
  mm_writer_free(&w);
  if (e != MM_OK) return e;
  if (!same)
    return MM_RULE("MLS-1",
                   mm_tree_why(why, MM_E_BAD_GROUP_STATE, MM_MLS_C_TREE_EXT, "MLS-1", UINT32_MAX,
                               "the GroupInfo's ratchet_tree extension differs from ratchet_tree"));
  return MM_OK;
}

static mm_err check_signer(const mm_mls_tree *t, const mm_mls_group_info *gi, mm_mls_why *why) {
  mm_mls_leaf_node ln;
  if (!mm_mls_tree_leaf(t, gi->signer, &ln))
    return BAD(why, MM_MLS_C_SIGNER, gi->signer, "GroupInfo.signer %u is no member's leaf",
               gi->signer);
  mm_err e = mm_mls_group_info_verify(mm_mls_tree_suite(t), gi, ln.signature_key);
  if (e == MM_E_BAD_SIGNATURE)
    return BAD(why, MM_MLS_C_GROUP_INFO_SIG, gi->signer,
               "the GroupInfo signature does not verify under leaf %u's key", gi->signer);
  if (e == MM_E_MALFORMED)
    return mm_tree_why(why, e, MM_MLS_C_KEY, "ENC-4", gi->signer,
                       "the signature key of leaf %u is not a valid public key of the suite",
                       gi->signer);
  return e;
}

mm_err mm_mls_validate_public_state(const mm_mls_group_info *gi, mm_list ratchet_tree,
                                    const mm_mls_expect *exp, mm_mls_tree **tree_out,
                                    mm_mls_why *why) {
  if (tree_out) *tree_out = NULL;
  if (why) *why = (mm_mls_why){.index = UINT32_MAX};
  if (!gi || !exp) return MM_E_USAGE;
  if (!mm_suite_get(exp->suite))
    return mm_tree_why(why, MM_E_UNSUPPORTED_CIPHERSUITE, MM_MLS_C_SUITE, "SUITE-2", UINT32_MAX,
                       "cipher suite %u is not supported", exp->suite);
  mm_err e = check_context(gi, exp, why);
  if (e == MM_OK) e = check_tree_extension(gi, ratchet_tree, why);
  mm_mls_tree *t = NULL;
  if (e == MM_OK) e = mm_mls_tree_from_list(exp->suite, ratchet_tree, &t, why);
  if (e == MM_OK) e = mm_mls_tree_check_unmerged(t, why);
  if (e == MM_OK) e = check_leaves(t, &gi->group_context, why);
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl = 0;
  if (e == MM_OK) e = mm_mls_tree_hash(t, mm_mls_tree_root(t), h, &hl);
  if (e == MM_OK && !mm_view_eq(mm_view_of(h, hl), gi->group_context.tree_hash))
    e = BAD(why, MM_MLS_C_TREE_HASH, mm_mls_tree_root(t),
            "the tree hash of the root (node %u) is not GroupContext.tree_hash",
            mm_mls_tree_root(t));
  if (e == MM_OK) e = mm_mls_tree_check_parent_hashes(t, why);
  if (e == MM_OK) e = mm_mls_tree_check_leaf_signatures(t, gi->group_context.group_id, why);
  if (e == MM_OK) e = check_signer(t, gi, why);
  if (e == MM_OK && tree_out)
    *tree_out = t;
  else
    mm_mls_tree_free(t);
  /* The verdict of every check above: the public state as a joiner sees it. */
  return MM_RULE("MLS-2", e);
}

/* The MLS working group's files on RFC 9420 structures (format:
 * test-vectors.md), checked with sim/mls: messages.json (every field
 * decodes strictly and re-encodes to its bytes), tree-validation.json
 * (tree hashes, resolutions, parent hashes, leaf signatures),
 * tree-operations.json (the proposal applied to the tree) and welcome.json
 * (what needs no HPKE private key). What needs group secrets is counted as
 * skipped, with the reason. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/crypto.h"
#include "mlsmig/hex.h"
#include "mlsmig/mls.h"
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"

#include "vectors/vectors.h"

/* A hex field, decoded into a malloc'd buffer (ok false: missing or bad). */
typedef struct {
  uint8_t *data;
  size_t len;
  bool ok;
} hexbuf;

static hexbuf hex_of(const json_t *obj, const char *key) {
  hexbuf h = {0};
  const json_t *s = json_object_get(obj, key);
  if (json_is_string(s))
    h.ok = mm_hex_decode_alloc(json_string_value(s), json_string_length(s), &h.data, &h.len);
  return h;
}

static void hexbuf_free(hexbuf *h) {
  free(h->data);
  *h = (hexbuf){0};
}

static mm_view hview(const hexbuf *h) { return mm_view_of(h->data, h->len); }

/* The first element of root is an object with every key of keys. */
static bool first_has(const json_t *root, const char *const *keys) {
  if (!json_is_array(root) || json_array_size(root) == 0) return false;
  const json_t *e = json_array_get(root, 0);
  if (!json_is_object(e)) return false;
  for (; *keys; keys++)
    if (!json_object_get(e, *keys)) return false;
  return true;
}

/* The entry's cipher_suite, when it is one of the seven (0 otherwise). */
static uint16_t entry_suite(const json_t *e, mm_vresult *r) {
  json_int_t cs = json_integer_value(json_object_get(e, "cipher_suite"));
  if (cs < 1 || cs > MM_SUITE_COUNT) return 0;
  r->suites_seen |= 1u << (cs - 1);
  return (uint16_t)cs;
}

/* Decodes b as type t under suite and re-encodes it: true iff both work
 * and the bytes come back identical (ENC-1..ENC-3). */
static bool roundtrip(mm_mls_type t, mm_view b, uint16_t suite, void *out, mm_derr *err) {
  mm_limits lim = mm_limits_default(suite);
  if (mm_mls_decode(t, b.data, b.len, &lim, out, err) != MM_OK) return false;
  mm_writer w;
  mm_writer_init(&w);
  bool ok = mm_mls_encode(t, out, &lim, &w, NULL) == MM_OK && mm_view_eq(mm_writer_view(&w), b);
  mm_writer_free(&w);
  if (!ok && err) *err = (mm_derr){"ENC-3", 0, "re-encoding differs", NULL};
  return ok;
}

/* ---- messages.json ---- */

static const char *const all_messages_keys[] = {"mls_welcome", "ratchet_tree", "group_secrets",
                                                "commit", NULL};

bool mm_mlswg_is_all_messages(const json_t *root) { return first_has(root, all_messages_keys); }

typedef struct {
  const char *key;
  mm_mls_type type;
  int wire_format;  /* for MLSMessage fields: the one the key names, else 0 */
  int content_type; /* for PublicMessage fields */
} message_field;

static const message_field message_fields[] = {
    {"mls_welcome", MM_MLS_T_MLS_MESSAGE, MM_MLS_WIRE_WELCOME, 0},
    {"mls_group_info", MM_MLS_T_MLS_MESSAGE, MM_MLS_WIRE_GROUP_INFO, 0},
    {"mls_key_package", MM_MLS_T_MLS_MESSAGE, MM_MLS_WIRE_KEY_PACKAGE, 0},
    {"ratchet_tree", MM_MLS_T_RATCHET_TREE, 0, 0},
    {"group_secrets", MM_MLS_T_GROUP_SECRETS, 0, 0},
    {"add_proposal", MM_MLS_T_ADD, 0, 0},
    {"update_proposal", MM_MLS_T_UPDATE, 0, 0},
    {"remove_proposal", MM_MLS_T_REMOVE, 0, 0},
    {"pre_shared_key_proposal", MM_MLS_T_PRE_SHARED_KEY, 0, 0},
    {"re_init_proposal", MM_MLS_T_REINIT, 0, 0},
    {"external_init_proposal", MM_MLS_T_EXTERNAL_INIT, 0, 0},
    {"group_context_extensions_proposal", MM_MLS_T_GROUP_CONTEXT_EXTENSIONS, 0, 0},
    {"commit", MM_MLS_T_COMMIT, 0, 0},
    {"public_message_application", MM_MLS_T_MLS_MESSAGE, MM_WIRE_PUBLIC, MM_CONTENT_APPLICATION},
    {"public_message_proposal", MM_MLS_T_MLS_MESSAGE, MM_WIRE_PUBLIC, MM_CONTENT_PROPOSAL},
    {"public_message_commit", MM_MLS_T_MLS_MESSAGE, MM_WIRE_PUBLIC, MM_CONTENT_COMMIT},
    {"private_message", MM_MLS_T_MLS_MESSAGE, MM_WIRE_PRIVATE, 0},
};
#define N_MESSAGE_FIELDS (sizeof message_fields / sizeof message_fields[0])

/* The suite of an entry: its KeyPackage's, so that every other field is
 * held to that suite's key and signature sizes too (0 if it has none). */
static uint16_t messages_suite(const json_t *e) {
  hexbuf kp = hex_of(e, "mls_key_package");
  mm_mls_any m;
  mm_derr err;
  uint16_t suite = 0;
  if (kp.ok && mm_mls_decode(MM_MLS_T_MLS_MESSAGE, kp.data, kp.len, NULL, &m, &err) == MM_OK &&
      m.mls_message.wire_format == MM_MLS_WIRE_KEY_PACKAGE &&
      mm_suite_get(m.mls_message.key_package.cipher_suite))
    suite = m.mls_message.key_package.cipher_suite;
  hexbuf_free(&kp);
  return suite;
}

void mm_mlswg_verify_all_messages(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    uint16_t suite = messages_suite(e);
    if (suite) r->suites_seen |= 1u << (suite - 1);
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)e, key, val) {
      const message_field *f = NULL;
      for (size_t k = 0; k < N_MESSAGE_FIELDS; k++)
        if (strcmp(key, message_fields[k].key) == 0) f = &message_fields[k];
      if (!f) {
        mm_vresult_check(r, false, "entry %zu: unknown field %s", i, key);
        continue;
      }
      hexbuf b = hex_of(e, key);
      mm_mls_any m;
      mm_derr err = {0};
      bool ok = b.ok && roundtrip(f->type, hview(&b), suite, &m, &err);
      if (ok && f->wire_format) ok = m.mls_message.wire_format == f->wire_format;
      if (ok && f->content_type)
        ok = m.mls_message.public_message.content.content_type == f->content_type;
      mm_vresult_check(r, ok, "entry %zu %s: %s (%s) at offset %zu", i, key,
                       err.reason ? err.reason : "wrong wire format or content type",
                       err.rule ? err.rule : "-", err.offset);
      hexbuf_free(&b);
    }
  }
}

/* ---- tree-validation.json ---- */

static const char *const tree_validation_keys[] = {"cipher_suite", "tree",        "group_id",
                                                   "tree_hashes",  "resolutions", NULL};

bool mm_mlswg_is_tree_validation(const json_t *root) {
  return first_has(root, tree_validation_keys);
}

/* The tree of a hex-encoded optional<Node> ratchet_tree<V> of suite. */
static mm_err tree_of(uint16_t suite, const hexbuf *b, mm_mls_tree **t, mm_mls_why *why) {
  mm_mls_ratchet_tree rt;
  mm_derr err;
  mm_limits lim = mm_limits_default(suite);
  *t = NULL;
  if (!b->ok || mm_mls_decode(MM_MLS_T_RATCHET_TREE, b->data, b->len, &lim, &rt, &err) != MM_OK) {
    if (why)
      snprintf(why->text, sizeof why->text, "does not decode: %s (%s) at offset %zu",
               err.reason ? err.reason : "not hex", err.rule ? err.rule : "-", err.offset);
    return MM_E_MALFORMED;
  }
  return mm_mls_tree_from_list(suite, rt.nodes, t, why);
}

/* resolutions[x] as JSON equals the tree's resolution of node x. */
static bool resolution_matches(const mm_mls_tree *t, uint32_t x, const json_t *want) {
  size_t cap = mm_mls_tree_leaf_count(t), n = 0;
  uint32_t *got = malloc(cap * sizeof *got);
  bool ok = got && json_is_array(want) && mm_mls_tree_resolution(t, x, got, cap, &n) == MM_OK &&
            n == json_array_size(want);
  for (size_t i = 0; ok && i < n; i++)
    ok = json_integer_value(json_array_get(want, i)) == (json_int_t)got[i];
  free(got);
  return ok;
}

static void check_tree_validation(size_t i, const json_t *e, uint16_t suite, mm_vresult *r) {
  hexbuf tree = hex_of(e, "tree"), gid = hex_of(e, "group_id");
  const json_t *hashes = json_object_get(e, "tree_hashes"),
               *res = json_object_get(e, "resolutions");
  mm_mls_tree *t = NULL;
  mm_mls_why why = {0};
  mm_err te = tree_of(suite, &tree, &t, &why);
  mm_vresult_check(r, te == MM_OK && gid.ok, "entry %zu (suite %u): tree %s", i, suite, why.text);
  if (te != MM_OK) goto done;
  uint32_t nodes = mm_mls_tree_node_count(t);
  mm_vresult_check(r, json_array_size(hashes) == nodes && json_array_size(res) == nodes,
                   "entry %zu: %zu tree hashes and %zu resolutions for %u nodes", i,
                   json_array_size(hashes), json_array_size(res), nodes);
  for (uint32_t x = 0; x < nodes && x < json_array_size(hashes); x++) {
    uint8_t h[MM_MAX_HASH_LEN];
    size_t hl = 0;
    hexbuf want = {0};
    const json_t *s = json_array_get(hashes, x);
    if (json_is_string(s))
      want.ok =
          mm_hex_decode_alloc(json_string_value(s), json_string_length(s), &want.data, &want.len);
    bool ok = want.ok && mm_mls_tree_hash(t, x, h, &hl) == MM_OK &&
              mm_view_eq(mm_view_of(h, hl), hview(&want));
    mm_vresult_check(r, ok, "entry %zu: tree hash of node %u differs", i, x);
    hexbuf_free(&want);
  }
  for (uint32_t x = 0; x < nodes && x < json_array_size(res); x++)
    mm_vresult_check(r, resolution_matches(t, x, json_array_get(res, x)),
                     "entry %zu: resolution of node %u differs", i, x);
  mm_vresult_check(r, mm_mls_tree_check_unmerged(t, &why) == MM_OK, "entry %zu: %s", i, why.text);
  mm_vresult_check(r, mm_mls_tree_check_parent_hashes(t, &why) == MM_OK, "entry %zu: %s", i,
                   why.text);
  mm_vresult_check(r, mm_mls_tree_check_leaf_signatures(t, hview(&gid), &why) == MM_OK,
                   "entry %zu: %s", i, why.text);
done:
  mm_mls_tree_free(t);
  hexbuf_free(&tree);
  hexbuf_free(&gid);
}

void mm_mlswg_verify_tree_validation(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    uint16_t suite = entry_suite(e, r);
    if (!suite) {
      mm_vresult_skip(r, 1, "entries of a cipher suite other than 1..7");
      continue;
    }
    check_tree_validation(i, e, suite, r);
  }
}

/* ---- tree-operations.json ---- */

static const char *const tree_operations_keys[] = {"cipher_suite",    "tree_before", "proposal",
                                                   "proposal_sender", "tree_after",  NULL};

bool mm_mlswg_is_tree_operations(const json_t *root) {
  return first_has(root, tree_operations_keys);
}

/* Does the tree hash of t's root equal the hex field key of e? */
static bool root_hash_is(mm_mls_tree *t, const json_t *e, const char *key) {
  hexbuf want = hex_of(e, key);
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hl = 0;
  bool ok = want.ok && mm_mls_tree_hash(t, mm_mls_tree_root(t), h, &hl) == MM_OK &&
            mm_view_eq(mm_view_of(h, hl), hview(&want));
  hexbuf_free(&want);
  return ok;
}

static void check_tree_operation(size_t i, const json_t *e, uint16_t suite, mm_vresult *r) {
  hexbuf before = hex_of(e, "tree_before"), after = hex_of(e, "tree_after"),
         prop = hex_of(e, "proposal");
  const json_t *sender = json_object_get(e, "proposal_sender");
  mm_mls_tree *t = NULL, *want = NULL;
  mm_mls_why why = {0};
  mm_err te = tree_of(suite, &before, &t, &why);
  mm_vresult_check(r, te == MM_OK, "entry %zu: tree_before %s", i, why.text);
  mm_vresult_check(r, tree_of(suite, &after, &want, &why) == MM_OK, "entry %zu: tree_after %s", i,
                   why.text);
  if (te != MM_OK) goto done;
  mm_vresult_check(r, root_hash_is(t, e, "tree_hash_before"), "entry %zu: tree_hash_before", i);
  mm_mls_proposal p;
  mm_derr err;
  mm_limits lim = mm_limits_default(suite);
  bool ok = prop.ok && json_is_integer(sender) &&
            mm_mls_decode(MM_MLS_T_PROPOSAL, prop.data, prop.len, &lim, &p, &err) == MM_OK &&
            mm_mls_tree_apply_proposal(t, &p, (uint32_t)json_integer_value(sender)) == MM_OK;
  mm_vresult_check(r, ok, "entry %zu: the proposal does not decode or apply", i);
  if (!ok) goto done;
  mm_writer w;
  mm_writer_init(&w);
  mm_vresult_check(
      r, mm_mls_tree_encode(t, &w) == MM_OK && mm_view_eq(mm_writer_view(&w), hview(&after)),
      "entry %zu: the tree after the proposal is not tree_after", i);
  mm_writer_free(&w);
  mm_vresult_check(r, root_hash_is(t, e, "tree_hash_after"), "entry %zu: tree_hash_after", i);
done:
  mm_mls_tree_free(t);
  mm_mls_tree_free(want);
  hexbuf_free(&before);
  hexbuf_free(&after);
  hexbuf_free(&prop);
}

void mm_mlswg_verify_tree_operations(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    uint16_t suite = entry_suite(e, r);
    if (!suite) {
      mm_vresult_skip(r, 1, "entries of a cipher suite other than 1..7");
      continue;
    }
    check_tree_operation(i, e, suite, r);
  }
}

/* ---- welcome.json ---- */

static const char *const welcome_keys[] = {"cipher_suite", "init_priv", "signer_pub",
                                           "key_package",  "welcome",   NULL};

bool mm_mlswg_is_welcome(const json_t *root) { return first_has(root, welcome_keys); }

static const char welcome_skip[] =
    "welcome: decrypting the group secrets (HPKE open with init_priv), then the GroupInfo "
    "(its signature under signer_pub, its confirmation_tag from the key schedule) needs HPKE "
    "and the group's secrets, which a DS never has and mlsmig does not implement";

static void check_welcome(size_t i, const json_t *e, uint16_t suite, mm_vresult *r) {
  hexbuf kp = hex_of(e, "key_package"), wel = hex_of(e, "welcome"), priv = hex_of(e, "init_priv"),
         signer = hex_of(e, "signer_pub");
  mm_mls_any k, w;
  mm_derr err = {0};
  bool kp_ok = kp.ok && roundtrip(MM_MLS_T_MLS_MESSAGE, hview(&kp), suite, &k, &err) &&
               k.mls_message.wire_format == MM_MLS_WIRE_KEY_PACKAGE &&
               k.mls_message.key_package.cipher_suite == suite;
  mm_vresult_check(r, kp_ok, "entry %zu: key_package does not decode as a KeyPackage of the suite",
                   i);
  bool w_ok = wel.ok && roundtrip(MM_MLS_T_MLS_MESSAGE, hview(&wel), suite, &w, &err) &&
              w.mls_message.wire_format == MM_MLS_WIRE_WELCOME &&
              w.mls_message.welcome.cipher_suite == suite;
  mm_vresult_check(r, w_ok, "entry %zu: welcome does not decode as a Welcome of the suite", i);
  if (kp_ok) {
    mm_vresult_check(r, mm_mls_key_package_verify(&k.mls_message.key_package) == MM_OK,
                     "entry %zu: the KeyPackage or its LeafNode signature does not verify", i);
    uint8_t pub[MM_MAX_PUB_LEN];
    size_t pub_len = 0;
    mm_vresult_check(
        r,
        priv.ok &&
            mm_hpke_public_from_private(suite, priv.data, priv.len, pub, &pub_len) == MM_OK &&
            mm_view_eq(mm_view_of(pub, pub_len), k.mls_message.key_package.init_key),
        "entry %zu: init_priv is not the private key of the KeyPackage's init_key", i);
  }
  mm_key *sk = NULL;
  mm_vresult_check(r, signer.ok && mm_key_from_public(suite, signer.data, signer.len, &sk) == MM_OK,
                   "entry %zu: signer_pub is no public key of the suite", i);
  mm_key_free(sk);
  if (kp_ok && w_ok) {
    /* The Welcome names the KeyPackage by its KeyPackageRef (RFC 9420 5.2,
     * over the KeyPackage without the MLSMessage header). */
    uint8_t ref[MM_MAX_HASH_LEN];
    size_t ref_len = 0, pos = 0;
    bool found = false;
    mm_mls_encrypted_group_secrets g;
    if (mm_mls_key_package_ref(suite, mm_view_of(kp.data + 4, kp.len - 4), ref, &ref_len) == MM_OK)
      while (!found && mm_mls_secrets_next(w.mls_message.welcome.secrets, &pos, &g))
        found = mm_view_eq(g.new_member, mm_view_of(ref, ref_len));
    mm_vresult_check(r, found, "entry %zu: no secrets entry for the KeyPackage's KeyPackageRef", i);
  }
  mm_vresult_skip(r, 1, welcome_skip);
  hexbuf_free(&kp);
  hexbuf_free(&wel);
  hexbuf_free(&priv);
  hexbuf_free(&signer);
}

void mm_mlswg_verify_welcome(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    uint16_t suite = entry_suite(e, r);
    if (!suite) {
      mm_vresult_skip(r, 1, "entries of a cipher suite other than 1..7");
      continue;
    }
    check_welcome(i, e, suite, r);
  }
}

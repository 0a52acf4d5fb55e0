/* Verification of the MLS working group's vector files (format:
 * mls-implementations/test-vectors.md), as far as mlsmig implements the
 * primitives: SignWithLabel, RefHash, variable-length integers and the
 * framing of MLSMessage. Sections mlsmig does not implement are counted as
 * skipped, never as passed. */
#include <stdlib.h>
#include <string.h>

#include "base/json_io.h"
#include "mlsmig/crypto.h"
#include "mlsmig/hex.h"
#include "mlsmig/messages.h"
#include "mlsmig/mls.h"
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"
#include "vectors/vectors.h"

/* A hex field of an object, decoded into a malloc'd buffer. */
typedef struct {
  uint8_t *data;
  size_t len;
  bool ok;
} hexfield;

static hexfield get_hex(const json_t *obj, const char *key) {
  hexfield h = {0};
  const json_t *s = json_object_get(obj, key);
  if (json_is_string(s))
    h.ok = mm_hex_decode_alloc(json_string_value(s), json_string_length(s), &h.data, &h.len);
  return h;
}

static void hex_free(hexfield *h) {
  free(h->data);
  *h = (hexfield){0};
}

static bool is_array_of_objects_with(const json_t *root, const char *key) {
  if (!json_is_array(root) || json_array_size(root) == 0) return false;
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    if (!json_is_object(e) || !json_object_get(e, key)) return false;
  }
  return true;
}

/* ---- crypto-basics ---- */

bool mm_mlswg_is_crypto_basics(const json_t *root) {
  return is_array_of_objects_with(root, "cipher_suite") &&
         json_object_get(json_array_get(root, 0), "sign_with_label");
}

static void check_sign_with_label(uint16_t suite, const json_t *v, mm_vresult *r) {
  hexfield priv = get_hex(v, "priv"), pub = get_hex(v, "pub"), content = get_hex(v, "content"),
           sig = get_hex(v, "signature");
  const char *label = json_string_value(json_object_get(v, "label"));
  mm_key *sk = NULL, *pk = NULL;
  if (!priv.ok || !pub.ok || !content.ok || !sig.ok || !label) {
    mm_vresult_check(r, false, "suite %u sign_with_label: missing or bad field", suite);
    goto done;
  }
  mm_err e1 = mm_key_from_private(suite, priv.data, priv.len, &sk);
  mm_err e2 = mm_key_from_public(suite, pub.data, pub.len, &pk);
  mm_vresult_check(
      r, e1 == MM_OK && e2 == MM_OK && mm_view_eq(mm_key_public(sk), mm_view_of(pub.data, pub.len)),
      "suite %u sign_with_label: private key does not match pub", suite);
  if (e1 != MM_OK || e2 != MM_OK) goto done;

  mm_vresult_check(
      r, mm_verify_with_label(pk, label, content.data, content.len, sig.data, sig.len) == MM_OK,
      "suite %u sign_with_label: published signature does not verify", suite);

  mm_writer w;
  mm_writer_init(&w);
  mm_err e = mm_sign_with_label(sk, label, content.data, content.len, &w);
  bool ok = e == MM_OK &&
            mm_verify_with_label(pk, label, content.data, content.len, w.buf, w.len) == MM_OK;
  /* EdDSA is deterministic, so our signature must be the published one. */
  if (ok && mm_suite_get(suite)->sig_len)
    ok = mm_view_eq(mm_writer_view(&w), mm_view_of(sig.data, sig.len));
  mm_vresult_check(r, ok, "suite %u sign_with_label: our signature does not verify or differs",
                   suite);
  mm_writer_free(&w);
done:
  mm_key_free(sk);
  mm_key_free(pk);
  hex_free(&priv);
  hex_free(&pub);
  hex_free(&content);
  hex_free(&sig);
}

static void check_ref_hash(uint16_t suite, const json_t *v, mm_vresult *r) {
  hexfield value = get_hex(v, "value"), out = get_hex(v, "out");
  const char *label = json_string_value(json_object_get(v, "label"));
  uint8_t h[MM_MAX_HASH_LEN];
  size_t hlen = 0;
  bool ok = value.ok && out.ok && label &&
            mm_ref_hash(suite, label, value.data, value.len, h, &hlen) == MM_OK &&
            mm_view_eq(mm_view_of(h, hlen), mm_view_of(out.data, out.len));
  mm_vresult_check(r, ok, "suite %u ref_hash: output differs", suite);
  hex_free(&value);
  hex_free(&out);
}

void mm_mlswg_verify_crypto_basics(const json_t *root, mm_vresult *r) {
  static const char *skipped[] = {"derive_secret", "derive_tree_secret", "expand_with_label",
                                  "encrypt_with_label"};
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    json_int_t cs = json_integer_value(json_object_get(e, "cipher_suite"));
    if (cs < 1 || cs > 0xffff || !mm_suite_get((uint16_t)cs)) {
      mm_vresult_skip(r, 1, "entries of a cipher suite other than 1..7");
      continue;
    }
    uint16_t suite = (uint16_t)cs;
    r->suites_seen |= 1u << (suite - 1);
    const json_t *swl = json_object_get(e, "sign_with_label");
    const json_t *rh = json_object_get(e, "ref_hash");
    if (swl)
      check_sign_with_label(suite, swl, r);
    else
      mm_vresult_check(r, false, "suite %u: no sign_with_label", suite);
    if (rh)
      check_ref_hash(suite, rh, r);
    else
      mm_vresult_check(r, false, "suite %u: no ref_hash", suite);
    for (size_t k = 0; k < sizeof skipped / sizeof skipped[0]; k++)
      if (json_object_get(e, skipped[k]))
        mm_vresult_skip(r, 1,
                        "crypto-basics: derive_secret, derive_tree_secret, expand_with_label, "
                        "encrypt_with_label (key schedule and HPKE, which a DS never uses)");
  }
}

/* ---- deserialization ---- */

bool mm_mlswg_is_deserialization(const json_t *root) {
  return is_array_of_objects_with(root, "vlbytes_header");
}

void mm_mlswg_verify_deserialization(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    hexfield hdr = get_hex(e, "vlbytes_header");
    json_int_t want = json_integer_value(json_object_get(e, "length"));
    bool ok = hdr.ok && json_is_integer(json_object_get(e, "length"));
    if (ok) {
      /* Decode: the header alone, consumed exactly. */
      mm_derr err;
      mm_reader rd;
      uint32_t got = 0;
      mm_reader_init(&rd, hdr.data, hdr.len, &err);
      ok = mm_read_varint(&rd, &got) && mm_reader_expect_end(&rd) && got == want;
      /* Encode: the length gives back the same header. */
      mm_writer w;
      mm_writer_init(&w);
      ok = ok && mm_put_varint(&w, (uint32_t)want) &&
           mm_view_eq(mm_writer_view(&w), mm_view_of(hdr.data, hdr.len));
      mm_writer_free(&w);
    }
    mm_vresult_check(r, ok, "vlbytes_header #%zu: does not match length %lld", i, (long long)want);
    hex_free(&hdr);
  }
}

/* ---- MLSMessage framing ---- */

/* Decode an MLSMessage, check what the vector implies, and re-encode it
 * byte for byte. group_id/epoch are checked when given. */
static bool check_framing(const hexfield *msg, uint16_t wire, uint8_t content_type,
                          const hexfield *group_id, const json_t *epoch) {
  if (!msg->ok) return false;
  mm_mls_message m;
  mm_derr err;
  mm_limits lim = mm_limits_default(0);
  if (mm_decode(MM_T_MLS_MESSAGE, msg->data, msg->len, &lim, &m, &err) != MM_OK) return false;
  bool ok = m.version == MM_MLS10 && m.wire_format == wire && m.content_type == content_type;
  if (group_id) ok = ok && mm_view_eq(m.group_id, mm_view_of(group_id->data, group_id->len));
  uint64_t want_epoch;
  if (epoch) ok = ok && mm_json_u64_value(epoch, &want_epoch) && m.epoch == want_epoch;
  mm_writer w;
  mm_writer_init(&w);
  ok = ok && mm_encode(MM_T_MLS_MESSAGE, &m, &lim, &w, NULL) == MM_OK &&
       mm_view_eq(mm_writer_view(&w), mm_view_of(msg->data, msg->len));
  mm_writer_free(&w);
  return ok;
}

typedef struct {
  const char *key;
  uint16_t wire;
  uint8_t content_type;
} framing_field;

static const framing_field messages_fields[] = {
    {"public_message_application", MM_WIRE_PUBLIC, MM_CONTENT_APPLICATION},
    {"public_message_proposal", MM_WIRE_PUBLIC, MM_CONTENT_PROPOSAL},
    {"public_message_commit", MM_WIRE_PUBLIC, MM_CONTENT_COMMIT},
    {"private_message", MM_WIRE_PRIVATE, MM_CONTENT_APPLICATION},
};

bool mm_mlswg_is_messages(const json_t *root) {
  if (!json_is_array(root) || json_array_size(root) == 0) return false;
  const json_t *first = json_array_get(root, 0);
  return json_is_object(first) && (json_object_get(first, "public_message_application") ||
                                   json_object_get(first, "private_message"));
}

void mm_mlswg_verify_messages(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)e, key, val) {
      const framing_field *f = NULL;
      for (size_t k = 0; k < sizeof messages_fields / sizeof messages_fields[0]; k++)
        if (strcmp(key, messages_fields[k].key) == 0) f = &messages_fields[k];
      if (!f) {
        mm_vresult_skip(r, 1,
                        "messages: fields other than the framing (checked in full where "
                        "the whole messages.json is)");
        continue;
      }
      hexfield m = get_hex(e, key);
      /* The private_message vector's content type is not given; take the
       * one it decodes to, and still demand an exact round trip. */
      uint8_t ct = f->content_type;
      if (f->wire == MM_WIRE_PRIVATE && m.ok && m.len > 0) {
        mm_mls_message tmp;
        mm_derr err;
        mm_limits lim = mm_limits_default(0);
        if (mm_decode(MM_T_MLS_MESSAGE, m.data, m.len, &lim, &tmp, &err) == MM_OK)
          ct = tmp.content_type;
      }
      mm_vresult_check(r, check_framing(&m, f->wire, ct, NULL, NULL),
                       "entry %zu %s: framing does not decode or round-trip", i, key);
      hex_free(&m);
    }
  }
}

/* The signature of a PublicMessage field of a message-protection entry
 * over FramedContentTBS with the entry's GroupContext (empty extensions),
 * under signature_pub; and ours over it verifies (EdDSA: is the same). */
static bool check_public_signature(const json_t *e, uint16_t suite, const char *key,
                                   const hexfield *gid) {
  hexfield m = get_hex(e, key), pub = get_hex(e, "signature_pub"),
           priv = get_hex(e, "signature_priv"), th = get_hex(e, "tree_hash"),
           cth = get_hex(e, "confirmed_transcript_hash");
  const json_t *epoch = json_object_get(e, "epoch");
  mm_limits lim = mm_limits_default(suite);
  mm_mls_msg msg;
  mm_derr err;
  bool ok = m.ok && pub.ok && priv.ok && th.ok && cth.ok && json_is_integer(epoch) &&
            mm_mls_decode(MM_MLS_T_MLS_MESSAGE, m.data, m.len, &lim, &msg, &err) == MM_OK &&
            msg.wire_format == MM_WIRE_PUBLIC;
  mm_mls_group_context ctx = {.version = MM_MLS10,
                              .cipher_suite = suite,
                              .group_id = mm_view_of(gid->data, gid->len),
                              .epoch = (uint64_t)json_integer_value(epoch),
                              .tree_hash = mm_view_of(th.data, th.len),
                              .confirmed_transcript_hash = mm_view_of(cth.data, cth.len)};
  mm_view pk = mm_view_of(pub.data, pub.len);
  ok = ok && mm_mls_public_message_verify(suite, &msg.public_message, &ctx, pk) == MM_OK;
  /* ECDSA private keys are big-endian scalars; the vectors drop leading
   * zero bytes (a P-521 key of 65 bytes). */
  uint8_t scalar[MM_MAX_PRIV_LEN] = {0};
  size_t want = mm_suite_get(suite)->priv_len;
  ok = ok && priv.len <= want;
  if (ok) memcpy(scalar + want - priv.len, priv.data, priv.len);
  mm_key *sk = NULL;
  mm_writer w;
  mm_writer_init(&w);
  ok = ok && mm_key_from_private(suite, scalar, want, &sk) == MM_OK &&
       mm_mls_public_message_sign(sk, &msg.public_message, &ctx, &w) == MM_OK;
  if (ok) {
    mm_mls_public_message ours = msg.public_message;
    ours.auth.signature = mm_writer_view(&w);
    ok = mm_mls_public_message_verify(suite, &ours, &ctx, pk) == MM_OK;
    if (ok && mm_suite_get(suite)->sig_len)
      ok = mm_view_eq(ours.auth.signature, msg.public_message.auth.signature);
  }
  mm_writer_free(&w);
  mm_key_free(sk);
  mm_wipe(scalar, sizeof scalar);
  hex_free(&m);
  hex_free(&pub);
  hex_free(&priv);
  hex_free(&th);
  hex_free(&cth);
  return ok;
}

static void check_public_signatures(const json_t *e, uint16_t suite, const hexfield *gid,
                                    mm_vresult *r) {
  static const char *const keys[] = {"proposal_pub", "commit_pub"};
  if (!mm_suite_get(suite)) return;
  for (size_t k = 0; k < 2; k++)
    mm_vresult_check(r, gid->ok && check_public_signature(e, suite, keys[k], gid),
                     "suite %u %s: the signature over FramedContentTBS does not verify", suite,
                     keys[k]);
}

bool mm_mlswg_is_message_protection(const json_t *root) {
  return is_array_of_objects_with(root, "cipher_suite") &&
         json_object_get(json_array_get(root, 0), "proposal_pub");
}

static const framing_field protection_fields[] = {
    {"proposal_pub", MM_WIRE_PUBLIC, MM_CONTENT_PROPOSAL},
    {"proposal_priv", MM_WIRE_PRIVATE, MM_CONTENT_PROPOSAL},
    {"commit_pub", MM_WIRE_PUBLIC, MM_CONTENT_COMMIT},
    {"commit_priv", MM_WIRE_PRIVATE, MM_CONTENT_COMMIT},
    {"application_priv", MM_WIRE_PRIVATE, MM_CONTENT_APPLICATION},
};

void mm_mlswg_verify_message_protection(const json_t *root, mm_vresult *r) {
  size_t i;
  const json_t *e;
  json_array_foreach(root, i, e) {
    json_int_t cs = json_integer_value(json_object_get(e, "cipher_suite"));
    if (cs >= 1 && cs <= MM_SUITE_COUNT) r->suites_seen |= 1u << (cs - 1);
    hexfield gid = get_hex(e, "group_id");
    const json_t *epoch = json_object_get(e, "epoch");
    for (size_t k = 0; k < sizeof protection_fields / sizeof protection_fields[0]; k++) {
      const framing_field *f = &protection_fields[k];
      hexfield m = get_hex(e, f->key);
      mm_vresult_check(r, gid.ok && check_framing(&m, f->wire, f->content_type, &gid, epoch),
                       "suite %lld %s: framing, group_id or epoch wrong", (long long)cs, f->key);
      hex_free(&m);
    }
    check_public_signatures(e, (uint16_t)cs, &gid, r);
    /* The membership tag and the AEAD need the group's secrets. */
    mm_vresult_skip(r, 1,
                    "message-protection: membership tags and PrivateMessage contents (they need "
                    "membership_key and the secret tree, which a DS never has)");
    hex_free(&gid);
  }
}

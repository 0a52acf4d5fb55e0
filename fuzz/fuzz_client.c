/* Client protocol v1 frames (docs/client-protocol.md, sim/shim/client_proto.h),
 * read the way the driver reads a client process's replies (sim/clients/
 * mm_clients_call over mm_proc_call): that needs a child process, so the
 * same steps are repeated here over a byte buffer.
 *
 * Input: a byte stream of frames as they travel (uint32 length, body), e.g.
 * what the driver and the ts-mls adapter exchanged. Frames are taken while a
 * header fits and its length is within MM_SHIM_MAX_FRAME; bytes left over are
 * decoded as one more body, so arbitrary bytes reach the decoder too.
 *
 * Oracles: a refused body gets MM_E_MALFORMED with a rule and an offset
 * inside it; an accepted body has a known type, every view inside the body,
 * booleans and statuses 0 or 1, re-encodes to the identical frame (the
 * format is canonical), and every list walks to its end, agrees with
 * mm_client_count and is rebuilt byte for byte by the mm_client_put_*
 * builders; the CommitBundle and PublicGroupState assembled from a reply
 * are exactly its parts; an unknown type does not encode and appends
 * nothing. */
#include "fuzz_common.h"
#include "shim/client_proto.h"
#include "shim/shim_proto.h"

int mm_fuzz_client(const uint8_t *data, size_t len);

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool inside(mm_view v, const uint8_t *base, size_t n) {
  if (v.len == 0) return true; /* an absent field is {NULL, 0} */
  return v.data >= base && v.len <= n && (size_t)(v.data - base) <= n - v.len;
}

static bool same(mm_view a, const uint8_t *b, size_t n) {
  return a.len == n && (n == 0 || memcmp(a.data, b, n) == 0);
}

static void walk(mm_client_list kind, mm_view list, const uint8_t *body, size_t n) {
  mm_client_iter it;
  mm_client_item item;
  mm_writer w;
  mm_writer_init(&w);
  size_t k = 0;
  mm_client_iter_init(&it, kind, list);
  while (mm_client_next(&it, &item)) {
    MM_FUZZ_CHECK(++k <= list.len, "each element takes a byte at least (the walk ends)");
    MM_FUZZ_CHECK(inside(item.bytes, list.data, list.len), "element views inside the list");
    switch (kind) {
    case MM_CLIENT_L_SUITES: MM_FUZZ_CHECK(mm_client_put_suite(&w, item.suite), "put"); break;
    case MM_CLIENT_L_PROPOSAL_MESSAGES:
      MM_FUZZ_CHECK(mm_client_put_proposal_message(&w, item.bytes), "put");
      break;
    case MM_CLIENT_L_PROPOSAL_DESCRIPTIONS:
      MM_FUZZ_CHECK(item.proposal_type == MM_CLIENT_PROPOSAL_ADD ||
                        item.proposal_type == MM_CLIENT_PROPOSAL_REMOVE,
                    "only add and remove by value");
      MM_FUZZ_CHECK(item.proposal_type == MM_CLIENT_PROPOSAL_ADD
                        ? mm_client_put_add(&w, item.bytes)
                        : mm_client_put_remove(&w, item.removed),
                    "put");
      break;
    }
  }
  MM_FUZZ_CHECK(it.err.rule == NULL && mm_reader_remaining(&it.r) == 0,
                "an accepted list walks to its end without an error");
  MM_FUZZ_CHECK(mm_client_count(kind, list) == k, "mm_client_count agrees with the walk");
  MM_FUZZ_CHECK(mm_writer_ok(&w) && same(mm_writer_view(&w), list.data, list.len),
                "the builders rebuild the list");
  MM_FUZZ_CHECK(inside(list, body, n), "list inside the body");
  mm_writer_free(&w);
}

/* What the driver and a later caller build from a reply. */
static void assemble(const mm_client_msg *m) {
  mm_writer w;
  mm_writer_init(&w);
  if (m->type == MM_CLIENT_COMMIT_BUNDLE || m->type == MM_CLIENT_EXTERNAL_JOINED) {
    MM_FUZZ_CHECK(mm_client_commit_bundle(m, &w), "a CommitBundle assembles");
    size_t want = m->commit.len + 1 + (m->welcome.len ? m->welcome.len : 0) + m->group_info.len +
                  m->ratchet_tree.len;
    MM_FUZZ_CHECK(w.len == want, "the CommitBundle is its parts and the optional's byte");
    MM_FUZZ_CHECK(w.buf[m->commit.len] == (m->welcome.len ? 1 : 0), "the Welcome's presence");
  } else if (m->type == MM_CLIENT_PUBLIC_GROUP_STATE) {
    MM_FUZZ_CHECK(mm_client_public_group_state(m, &w), "a PublicGroupState assembles");
    MM_FUZZ_CHECK(w.len == m->group_info.len + m->ratchet_tree.len, "it is its parts");
  }
  mm_writer_free(&w);
}

static void body(const uint8_t *hdr, const uint8_t *b, size_t n) {
  mm_client_msg m;
  mm_derr err = {0};
  mm_err e = mm_client_decode(b, n, &m, &err);
  mm_client_msg m2;
  MM_FUZZ_CHECK(mm_client_decode(b, n, &m2, NULL) == e, "same verdict without an error record");
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_MALFORMED, "a refusal is malformed");
    MM_FUZZ_CHECK(err.rule && err.reason && err.offset <= n,
                  "a refusal names a rule, a reason and an offset inside the body");
    if (n && strcmp(mm_client_type_name(b[0]), "unknown") == 0) {
      mm_client_msg u = {.type = b[0]};
      mm_writer w;
      mm_writer_init(&w);
      MM_FUZZ_CHECK(mm_client_encode(&u, &w) != MM_OK && w.len == 0,
                    "an unknown type does not encode, and appends nothing");
      mm_writer_free(&w);
    }
    return;
  }
  MM_FUZZ_CHECK(strcmp(mm_client_type_name(m.type), "unknown") != 0, "accepted type is known");
  const mm_view views[] = {m.implementation,
                           m.seed,
                           m.identity,
                           m.group_id,
                           m.authenticated_data,
                           m.plaintext,
                           m.message,
                           m.key_package,
                           m.label,
                           m.content,
                           m.commit,
                           m.welcome,
                           m.group_info,
                           m.ratchet_tree,
                           m.init_priv,
                           m.encryption_priv,
                           m.signature_priv,
                           m.epoch_authenticator,
                           m.signature,
                           m.signature_public_key,
                           m.reason};
  for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
    MM_FUZZ_CHECK(inside(views[i], b, n), "views inside the body");
  MM_FUZZ_CHECK(m.status <= MM_CLIENT_MEMBER_REMOVED, "a status is 0 or 1");
  walk(MM_CLIENT_L_SUITES, m.suites, b, n);
  walk(MM_CLIENT_L_PROPOSAL_MESSAGES, m.proposals, b, n);
  walk(MM_CLIENT_L_PROPOSAL_DESCRIPTIONS, m.by_value, b, n);
  if (mm_client_reply_type(m.type)) MM_FUZZ_CHECK(m.type < 128, "a request's type is below 128");

  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_client_encode(&m, &w) == MM_OK, "an accepted body encodes");
  MM_FUZZ_CHECK(w.len == MM_SHIM_HEADER_LEN + n && be32(w.buf) == n &&
                    (n == 0 || memcmp(w.buf + MM_SHIM_HEADER_LEN, b, n) == 0),
                "encode(decode(frame)) == frame");
  if (hdr) MM_FUZZ_CHECK(memcmp(w.buf, hdr, MM_SHIM_HEADER_LEN) == 0, "same header");
  mm_writer_free(&w);
  assemble(&m);
}

int mm_fuzz_client(const uint8_t *data, size_t len) {
  size_t pos = 0;
  while (len - pos >= MM_SHIM_HEADER_LEN) {
    const uint8_t *hdr = data + pos;
    uint32_t n;
    if (mm_shim_frame_len(hdr, MM_SHIM_MAX_FRAME, &n) != MM_OK ||
        n > len - pos - MM_SHIM_HEADER_LEN)
      break;
    pos += MM_SHIM_HEADER_LEN;
    body(hdr, data + pos, n);
    pos += n;
  }
  if (pos < len) body(NULL, data + pos, len - pos);
  return 0;
}

MM_FUZZ_MAIN(client)

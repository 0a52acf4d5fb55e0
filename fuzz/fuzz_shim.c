/* Shim protocol v1 frames (docs/shim-protocol.md, sim/shim/shim_proto.h), read
 * the way the runner reads an IUT's replies (sim/runner/iut.c mm_iut_call, then
 * runner_session.c call/collect and runner.c probe): that code needs a
 * child process, so the same steps are repeated here over a byte buffer.
 *
 * Input: a byte stream of frames, exactly as they travel (uint32 length,
 * body), e.g. what the reference DS wrote or read during `mlsmig run`.
 * Frames are taken while a header fits and its length is accepted with the
 * runner's bound; bytes left over (a short header, a truncated body) are
 * decoded as one more body, so arbitrary bytes reach the decoder too.
 *
 * Oracles: mm_shim_frame_len accepts exactly the lengths <= max and never
 * reports more than max; a refused body gets MM_E_MALFORMED with a rule and
 * an offset inside the body; an accepted body has a known type, every view
 * inside the body, re-encodes to the identical frame (the format is
 * canonical: fixed-width integers, minimal varints, no trailing bytes, list
 * elements checked at decode), and every list walks to its end without an
 * error in at most one step per byte, agrees with mm_shim_count and is
 * rebuilt byte for byte by the mm_shim_put_* builders; a type that cannot be
 * decoded cannot be encoded either, and a failed encode appends nothing. */
#include "fuzz_common.h"
#include "mlsmig/actor.h"
#include "mlsmig/crypto.h"
#include "shim/shim_proto.h"

int mm_fuzz_shim(const uint8_t *data, size_t len);

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* frame_len against bounds around the claimed length and the usual ones. */
static void check_frame_len(const uint8_t hdr[MM_SHIM_HEADER_LEN]) {
  uint32_t claimed = be32(hdr);
  const uint32_t maxes[] = {0, 1, claimed, claimed - 1, claimed + 1, MM_SHIM_MAX_FRAME, UINT32_MAX};
  for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
    uint32_t got = 0;
    bool ok = mm_shim_frame_len(hdr, maxes[i], &got) == MM_OK;
    MM_FUZZ_CHECK(ok == (claimed <= maxes[i]), "frame_len refuses exactly what exceeds max");
    if (ok) MM_FUZZ_CHECK(got == claimed && got <= maxes[i], "frame_len reports the header");
  }
}

static bool inside(mm_view v, const uint8_t *base, size_t n) {
  if (v.len == 0) return true; /* an absent field is {NULL, 0} */
  return v.data >= base && v.len <= n && (size_t)(v.data - base) <= n - v.len;
}

static bool same(mm_view a, const uint8_t *b, size_t n) {
  return a.len == n && (n == 0 || memcmp(a.data, b, n) == 0);
}

/* Walks one list of an accepted message; see the header for the oracles. */
static void walk(mm_shim_list kind, mm_view list, const uint8_t *body, size_t n) {
  mm_shim_iter it;
  mm_shim_item item;
  mm_writer w;
  mm_writer_init(&w);
  size_t k = 0;
  mm_shim_iter_init(&it, kind, list);
  while (mm_shim_next(&it, &item)) {
    MM_FUZZ_CHECK(++k <= list.len, "each element takes a byte at least (the walk ends)");
    MM_FUZZ_CHECK(
        inside(item.domain, list.data, list.len) && inside(item.key, list.data, list.len) &&
            inside(item.name, list.data, list.len) && inside(item.envelope, list.data, list.len),
        "element views inside the list");
    switch (kind) {
    case MM_SHIM_L_SUITES: mm_shim_put_suite(&w, item.suite); break;
    case MM_SHIM_L_SIGNING_KEYS: mm_shim_put_signing_key(&w, item.suite, item.key); break;
    case MM_SHIM_L_PEERS: mm_shim_put_peer(&w, item.domain, item.suite, item.key); break;
    case MM_SHIM_L_DENY: mm_shim_put_identity(&w, item.name); break;
    case MM_SHIM_L_OUTPUTS: mm_shim_put_output(&w, item.name, item.envelope); break;
    }
  }
  MM_FUZZ_CHECK(it.err.rule == NULL && mm_reader_remaining(&it.r) == 0,
                "an accepted list walks to its end without an error");
  MM_FUZZ_CHECK(mm_shim_count(kind, list) == k, "mm_shim_count agrees with the walk");
  MM_FUZZ_CHECK(mm_writer_ok(&w) && same(mm_writer_view(&w), list.data, list.len),
                "the builders rebuild the list");
  MM_FUZZ_CHECK(inside(list, body, n), "list inside the body");
  mm_writer_free(&w);
}

/* What the runner does with a reply it decoded (runner.c probe for pics,
 * runner_session.c collect for output, call for error). */
static void consume(const mm_shim_msg *m) {
  mm_shim_iter it;
  mm_shim_item item;
  if (m->type == MM_SHIM_PICS) {
    bool suites[8] = {0}; /* as mm_pics.suites */
    char impl[64];
    size_t n = m->implementation.len < sizeof impl - 1 ? m->implementation.len : sizeof impl - 1;
    if (n) memcpy(impl, m->implementation.data, n);
    impl[n] = '\0';
    mm_shim_iter_init(&it, MM_SHIM_L_SUITES, m->suites);
    while (mm_shim_next(&it, &item))
      if (mm_suite_get(item.suite)) {
        MM_FUZZ_CHECK(item.suite < sizeof suites, "a known suite indexes mm_pics.suites");
        suites[item.suite] = true;
      }
  } else if (m->type == MM_SHIM_OUTPUT) {
    mm_outbox got;
    mm_outbox_init(&got);
    mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, m->outputs);
    while (mm_shim_next(&it, &item)) {
      char to[MM_SENDER_MAX + 1];
      if (item.name.len > MM_SENDER_MAX) break; /* the runner's error verdict */
      if (item.name.len) memcpy(to, item.name.data, item.name.len);
      to[item.name.len] = '\0';
      uint8_t *env = malloc(item.envelope.len ? item.envelope.len : 1);
      MM_FUZZ_CHECK(env != NULL, "allocation");
      if (item.envelope.len) memcpy(env, item.envelope.data, item.envelope.len);
      MM_FUZZ_CHECK(mm_outbox_push(&got, to, env, item.envelope.len) == MM_OK, "outbox push");
    }
    mm_outbox_free(&got);
  } else if (m->type == MM_SHIM_ERROR) {
    char why[256];
    snprintf(why, sizeof why, "shim error: %.*s", (int)m->bytes.len,
             m->bytes.len ? (const char *)m->bytes.data : "");
  }
}

/* One frame body; hdr is its length header, or NULL for left-over bytes. */
static void body(const uint8_t *hdr, const uint8_t *b, size_t n) {
  mm_shim_msg m;
  mm_derr err = {0};
  mm_err e = mm_shim_decode(b, n, &m, &err);
  mm_shim_msg m2; /* runner.c's probe decodes without an error record */
  MM_FUZZ_CHECK(mm_shim_decode(b, n, &m2, NULL) == e, "same verdict without an error record");
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_MALFORMED, "a refusal is malformed");
    MM_FUZZ_CHECK(err.rule && err.reason && err.offset <= n,
                  "a refusal names a rule, a reason and an offset inside the body");
    if (n && strcmp(mm_shim_type_name(b[0]), "unknown") == 0) {
      mm_shim_msg u = {.type = b[0]};
      mm_writer w;
      mm_writer_init(&w);
      MM_FUZZ_CHECK(mm_shim_encode(&u, &w) != MM_OK && w.len == 0,
                    "an unknown type does not encode, and appends nothing");
      mm_writer_free(&w);
    }
    return;
  }
  MM_FUZZ_CHECK(strcmp(mm_shim_type_name(m.type), "unknown") != 0, "accepted type is known");
  MM_FUZZ_CHECK(inside(m.implementation, b, n) && inside(m.domain, b, n) &&
                    inside(m.state_dir, b, n) && inside(m.bytes, b, n),
                "views inside the body");
  walk(MM_SHIM_L_SUITES, m.suites, b, n);
  walk(MM_SHIM_L_SIGNING_KEYS, m.signing_keys, b, n);
  walk(MM_SHIM_L_PEERS, m.peers, b, n);
  walk(MM_SHIM_L_DENY, m.deny, b, n);
  walk(MM_SHIM_L_OUTPUTS, m.outputs, b, n);

  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_shim_encode(&m, &w) == MM_OK, "an accepted body encodes");
  MM_FUZZ_CHECK(w.len == MM_SHIM_HEADER_LEN + n && be32(w.buf) == n &&
                    (n == 0 || memcmp(w.buf + MM_SHIM_HEADER_LEN, b, n) == 0),
                "encode(decode(frame)) == frame");
  if (hdr) MM_FUZZ_CHECK(memcmp(w.buf, hdr, MM_SHIM_HEADER_LEN) == 0, "same header");
  mm_writer_free(&w);
  consume(&m);
}

int mm_fuzz_shim(const uint8_t *data, size_t len) {
  size_t pos = 0;
  while (len - pos >= MM_SHIM_HEADER_LEN) {
    const uint8_t *hdr = data + pos;
    uint32_t n;
    check_frame_len(hdr);
    /* The runner's bound (mm_iut_start(..., MM_SHIM_MAX_FRAME, ...)); a
     * refused or truncated frame ends the conversation. */
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

MM_FUZZ_MAIN(shim)

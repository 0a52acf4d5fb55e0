/* The shim protocol's frames (sim/shim/shim_proto.c) and the reference DS behind
 * it (sim/refds/): every message round-trips, strict decoding refuses
 * what the protocol does not allow, a frame claiming a huge length is
 * refused from its header alone, and the reference shim's durable store
 * comes back from disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refds/ref_ds.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* The body of a whole frame, through the codec. */
static mm_view body_of(const uint8_t *frame, size_t len) {
  mm_reader r;
  mm_derr err = {0};
  mm_view hdr, body;
  mm_reader_init(&r, frame, len, &err);
  ck_assert(mm_read_fixed(&r, MM_SHIM_HEADER_LEN, &hdr) && mm_read_rest(&r, &body));
  return body;
}

/* Encodes m, checks the header, decodes the body into *out (views into
 * *frame, which the caller frees). */
static void roundtrip(const mm_shim_msg *m, mm_shim_msg *out, uint8_t **frame) {
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_shim_encode(m, &w), MM_OK);
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&w, frame, &len), MM_OK);
  uint32_t body;
  ck_assert_int_eq(mm_shim_frame_len(*frame, MM_SHIM_MAX_FRAME, &body), MM_OK);
  ck_assert_uint_eq(body + MM_SHIM_HEADER_LEN, len);
  mm_view rest = body_of(*frame, len);
  ck_assert_int_eq(mm_shim_decode(rest.data, rest.len, out, NULL), MM_OK);
  ck_assert_uint_eq(out->type, m->type);
}

START_TEST(test_shim_roundtrip_all) {
  mm_writer keys, peers, deny, suites, outs;
  mm_writer_init(&keys);
  mm_writer_init(&peers);
  mm_writer_init(&deny);
  mm_writer_init(&suites);
  mm_writer_init(&outs);
  uint8_t priv[32] = {1, 2, 3};
  ck_assert(mm_shim_put_signing_key(&keys, 1, mm_view_of(priv, sizeof priv)));
  ck_assert(mm_shim_put_signing_key(&keys, 2, mm_view_of(priv, 5)));
  ck_assert(mm_shim_put_peer(&peers, mm_view_str("a.example"), 1, mm_view_of(priv, 32)));
  ck_assert(mm_shim_put_identity(&deny, mm_view_str("eve@a.example")));
  ck_assert(mm_shim_put_suite(&suites, 1) && mm_shim_put_suite(&suites, 7));
  ck_assert(mm_shim_put_output(&outs, mm_view_str("bob@b.example"), mm_view_of(priv, 3)));
  ck_assert(mm_shim_put_output(&outs, mm_view_str("b.example"), mm_view_of(priv, 0)));
  mm_shim_msg msgs[] = {
      {.type = MM_SHIM_HELLO, .version = 1},
      {.type = MM_SHIM_PICS,
       .version = 1,
       .implementation = mm_view_str("toy 1"),
       .roles = 3,
       .suites = mm_writer_view(&suites),
       .features = 0x3f},
      {.type = MM_SHIM_CONFIGURE,
       .role = 2,
       .domain = mm_view_str("t.example"),
       .signing_keys = mm_writer_view(&keys),
       .peers = mm_writer_view(&peers),
       .policy = 1,
       .deny = mm_writer_view(&deny),
       .state_dir = mm_view_str("/tmp/x"),
       .now = 1234567},
      {.type = MM_SHIM_INSTALL_GROUP, .bytes = mm_view_str("state")},
      {.type = MM_SHIM_ADVANCE_CLOCK, .now = UINT64_MAX},
      {.type = MM_SHIM_DELIVER, .bytes = mm_view_of(priv, sizeof priv)},
      {.type = MM_SHIM_QUERY_GROUP, .bytes = mm_view_str("g")},
      {.type = MM_SHIM_SHUTDOWN},
      {.type = MM_SHIM_RESET},
      {.type = MM_SHIM_OK},
      {.type = MM_SHIM_OUTPUT, .outputs = mm_writer_view(&outs)},
      {.type = MM_SHIM_GROUP, .status = 2, .epoch = 42},
      {.type = MM_SHIM_ERROR, .bytes = mm_view_str("no")},
  };
  for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
    mm_shim_msg d;
    uint8_t *frame;
    roundtrip(&msgs[i], &d, &frame);
    ck_assert_uint_eq(d.version, msgs[i].version);
    ck_assert_uint_eq(d.now, msgs[i].now);
    ck_assert_uint_eq(d.features, msgs[i].features);
    ck_assert(mm_view_eq(d.bytes, msgs[i].bytes) && mm_view_eq(d.domain, msgs[i].domain));
    ck_assert(mm_view_eq(d.signing_keys, msgs[i].signing_keys));
    ck_assert(mm_view_eq(d.outputs, msgs[i].outputs) && mm_view_eq(d.suites, msgs[i].suites));
    if (d.type == MM_SHIM_CONFIGURE) {
      ck_assert_uint_eq(mm_shim_count(MM_SHIM_L_SIGNING_KEYS, d.signing_keys), 2);
      ck_assert_uint_eq(mm_shim_count(MM_SHIM_L_PEERS, d.peers), 1);
      mm_shim_iter it;
      mm_shim_item item;
      mm_shim_iter_init(&it, MM_SHIM_L_DENY, d.deny);
      ck_assert(mm_shim_next(&it, &item) && mm_view_eq_str(item.name, "eve@a.example"));
      ck_assert(!mm_shim_next(&it, &item));
    }
    if (d.type == MM_SHIM_OUTPUT) {
      mm_shim_iter it;
      mm_shim_item item;
      mm_shim_iter_init(&it, MM_SHIM_L_OUTPUTS, d.outputs);
      ck_assert(mm_shim_next(&it, &item) && mm_view_eq_str(item.name, "bob@b.example"));
      ck_assert_uint_eq(item.envelope.len, 3);
    }
    free(frame);
  }
  mm_writer_free(&keys);
  mm_writer_free(&peers);
  mm_writer_free(&deny);
  mm_writer_free(&suites);
  mm_writer_free(&outs);
}
END_TEST

START_TEST(test_shim_decode_strict) {
  mm_shim_msg m;
  static const uint8_t unknown[] = {0x09}, trailing[] = {0x82, 0x00}, short_u16[] = {0x01, 0x00},
                       odd_suites[] = {0x81, 0x00, 0x01, 0x00, 0x03, 0x03, 0x00,
                                       0x01, 0x00, 0x00, 0x00, 0x00, 0x00},
                       past_end[] = {0x05, 0x05, 0x01}, empty[] = {0};
  ck_assert_int_eq(mm_shim_decode(unknown, sizeof unknown, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_decode(trailing, sizeof trailing, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_decode(short_u16, sizeof short_u16, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_decode(odd_suites, sizeof odd_suites, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_decode(past_end, sizeof past_end, &m, NULL), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_decode(empty, 0, &m, NULL), MM_E_MALFORMED);
}
END_TEST

START_TEST(test_shim_huge_frame_refused) {
  static const uint8_t huge[4] = {0xff, 0xff, 0xff, 0xf0}, max[4] = {0x04, 0x00, 0x00, 0x00};
  uint32_t n;
  ck_assert_int_eq(mm_shim_frame_len(huge, MM_SHIM_MAX_FRAME, &n), MM_E_MALFORMED);
  ck_assert_int_eq(mm_shim_frame_len(max, MM_SHIM_MAX_FRAME, &n), MM_OK);
  ck_assert_uint_eq(n, MM_SHIM_MAX_FRAME);
  ck_assert_int_eq(mm_shim_frame_len(max, MM_SHIM_MAX_FRAME - 1, &n), MM_E_MALFORMED);
}
END_TEST

/* One request to the reference shim; the reply decoded into *m. */
static uint8_t *ask(mm_refds *d, const mm_shim_msg *req, mm_shim_msg *m, bool *quit) {
  mm_writer w, reply;
  mm_writer_init(&w);
  mm_writer_init(&reply);
  ck_assert_int_eq(mm_shim_encode(req, &w), MM_OK);
  mm_view in = body_of(w.buf, w.len);
  ck_assert_int_eq(mm_refds_handle(d, in.data, in.len, &reply, quit), MM_OK);
  mm_writer_free(&w);
  uint8_t *bytes;
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&reply, &bytes, &len), MM_OK);
  mm_view out = body_of(bytes, len);
  ck_assert_int_eq(mm_shim_decode(out.data, out.len, m, NULL), MM_OK);
  return bytes;
}

/* AMD-1: Configure's trailing refusal_peers round-trips (then the profile byte is always sent, 1
 * for profile 1); without it Configure is as before; a malformed list is refused. */
START_TEST(test_shim_configure_refusal_peers) {
  mm_writer rp;
  mm_writer_init(&rp);
  ck_assert(mm_shim_put_identity(&rp, mm_view_str("source.example")));
  mm_shim_msg m = {.type = MM_SHIM_CONFIGURE,
                   .role = 2,
                   .domain = mm_view_str("t.example"),
                   .state_dir = mm_view_str("/tmp/x"),
                   .has_refusal_peers = true,
                   .refusal_peers = mm_writer_view(&rp)};
  mm_shim_msg out;
  uint8_t *frame;
  roundtrip(&m, &out, &frame);
  ck_assert(out.has_refusal_peers);
  ck_assert_uint_eq(out.profile, 1);
  ck_assert_uint_eq(mm_shim_count(MM_SHIM_L_DENY, out.refusal_peers), 1);
  ck_assert_mem_eq(out.refusal_peers.data, rp.buf, out.refusal_peers.len);
  free(frame);
  m.has_refusal_peers = false;
  m.profile = 2;
  roundtrip(&m, &out, &frame);
  ck_assert(!out.has_refusal_peers);
  ck_assert_uint_eq(out.profile, 2);
  free(frame);
  /* an empty list is there, and says no peer declares the feature */
  m.has_refusal_peers = true;
  m.refusal_peers = (mm_view){0};
  roundtrip(&m, &out, &frame);
  ck_assert(out.has_refusal_peers);
  ck_assert_uint_eq(out.refusal_peers.len, 0);
  free(frame);
  /* a list that ends inside an identity is malformed */
  m.refusal_peers = mm_writer_view(&rp);
  roundtrip(&m, &out, &frame);
  uint32_t blen;
  ck_assert_int_eq(mm_shim_frame_len(frame, MM_SHIM_MAX_FRAME, &blen), MM_OK);
  mm_view body = body_of(frame, blen + MM_SHIM_HEADER_LEN);
  ck_assert_int_eq(mm_shim_decode(body.data, body.len - 1, &out, NULL), MM_E_MALFORMED);
  free(frame);
  mm_writer_free(&rp);
}
END_TEST

START_TEST(test_ref_ds_protocol_errors) {
  mm_refds *d;
  bool quit;
  mm_shim_msg m;
  ck_assert_int_eq(mm_refds_new(0, &d), MM_OK);
  mm_shim_msg hello = {.type = MM_SHIM_HELLO, .version = MM_SHIM_VERSION};
  uint8_t *b = ask(d, &hello, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_PICS);
  ck_assert_uint_eq(mm_shim_count(MM_SHIM_L_SUITES, m.suites), MM_SUITE_COUNT);
  ck_assert(m.features & MM_SHIM_F_PROFILE_V2);        /* test_profile_v2.c drives it */
  ck_assert(m.features & MM_SHIM_F_MIGRATION_REFUSAL); /* AMD-1: the runner's refusal tests */
  free(b);
  hello.version = 99;
  b = ask(d, &hello, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR);
  free(b);
  mm_shim_msg q = {.type = MM_SHIM_QUERY_GROUP, .bytes = mm_view_str("g")};
  b = ask(d, &q, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR); /* not configured yet */
  free(b);
  mm_shim_msg cfg = {.type = MM_SHIM_CONFIGURE,
                     .role = 9,
                     .domain = mm_view_str("t.example"),
                     .state_dir = mm_view_str("/tmp")};
  b = ask(d, &cfg, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR); /* no such role */
  free(b);
  /* reset (feature reset): configured, then back to as after hello */
  char dir[] = "/tmp/mlsmig-shim-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  cfg.role = MM_SHIM_ROLE_TARGET;
  cfg.state_dir = mm_view_str(dir);
  b = ask(d, &cfg, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_OK);
  free(b);
  b = ask(d, &q, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_GROUP);
  free(b);
  mm_shim_msg reset = {.type = MM_SHIM_RESET};
  b = ask(d, &reset, &m, &quit);
  ck_assert(!quit && m.type == MM_SHIM_OK);
  free(b);
  b = ask(d, &q, &m, &quit);
  ck_assert_uint_eq(m.type, MM_SHIM_ERROR); /* not configured any more */
  free(b);
  char path[64];
  snprintf(path, sizeof path, "%s/store.bin", dir);
  unlink(path);
  ck_assert_int_eq(rmdir(dir), 0);
  mm_shim_msg bye = {.type = MM_SHIM_SHUTDOWN};
  b = ask(d, &bye, &m, &quit);
  ck_assert(quit && m.type == MM_SHIM_OK);
  free(b);
  mm_refds_free(d);
}
END_TEST

START_TEST(test_ref_ds_store_survives) {
  char dir[] = "/tmp/mlsmig-shim-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  mm_store *s = mm_store_new(), *back = mm_store_new();
  uint8_t big[3000];
  memset(big, 0xab, sizeof big);
  ck_assert_int_eq(mm_store_put(s, "target.nonce", mm_view_str("n1"), mm_view_str("rec")), MM_OK);
  ck_assert_int_eq(mm_store_put(s, "source.content", mm_view_str("g"), mm_view_of(big, sizeof big)),
                   MM_OK);
  ck_assert_int_eq(mm_refds_store_save(s, dir), MM_OK);
  ck_assert_int_eq(mm_refds_store_load(back, dir), MM_OK);
  mm_view v;
  ck_assert(mm_store_get(back, "target.nonce", mm_view_str("n1"), &v) && mm_view_eq_str(v, "rec"));
  ck_assert(mm_store_get(back, "source.content", mm_view_str("g"), &v) && v.len == sizeof big);
  ck_assert_uint_eq(mm_store_bytes(back), mm_store_bytes(s));
  /* A namespace the snapshot does not know is refused, never dropped. */
  ck_assert_int_eq(mm_store_put(s, "unknown.ns", mm_view_str("k"), mm_view_str("v")), MM_OK);
  ck_assert_int_eq(mm_refds_store_save(s, dir), MM_E_INTERNAL);
  mm_store_free(s);
  mm_store_free(back);
  char path[64];
  snprintf(path, sizeof path, "%s/store.bin", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/store.tmp", dir);
  unlink(path);
  rmdir(dir);
}
END_TEST

Suite *suite_shim_proto(void) {
  Suite *s = suite_create("shim_proto");
  TCase *tc = tcase_create("core");
  MM_ADD_TEST(tc, test_shim_roundtrip_all, "-");
  MM_ADD_TEST(tc, test_shim_decode_strict, "-");
  MM_ADD_TEST(tc, test_shim_huge_frame_refused, "-");
  MM_ADD_TEST(tc, test_shim_configure_refusal_peers, "AMD-1");
  MM_ADD_TEST(tc, test_ref_ds_protocol_errors, "-");
  MM_ADD_TEST(tc, test_ref_ds_store_survives, "DUR-1");
  suite_add_tcase(s, tc);
  return s;
}

/* The client protocol's frames (sim/shim/client_proto.c) and the driver of
 * a client process (sim/clients/): every message round-trips byte for byte,
 * strict decoding refuses every truncation, trailing byte, unknown type,
 * non-boolean and unknown proposal type, a CommitBundle is assembled from
 * its parts as MLS-4 lays it out, and the driver survives client processes
 * that hang, exit, lie about their version or break the framing
 * (suites/shims/fake_client.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients.h"
#include "shim/client_proto.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* Lists used by the samples. */
static mm_writer suites_w, props_w, descs_w;

static void lists_init(void) {
  mm_writer_init(&suites_w);
  mm_writer_init(&props_w);
  mm_writer_init(&descs_w);
  ck_assert(mm_client_put_suite(&suites_w, 1) && mm_client_put_suite(&suites_w, 7));
  ck_assert(mm_client_put_proposal_message(&props_w, mm_view_str("proposal-1")));
  ck_assert(mm_client_put_proposal_message(&props_w, mm_view_str("")));
  ck_assert(mm_client_put_add(&descs_w, mm_view_str("key-package")));
  ck_assert(mm_client_put_remove(&descs_w, 0x01020304));
}

static void lists_free(void) {
  mm_writer_free(&suites_w);
  mm_writer_free(&props_w);
  mm_writer_free(&descs_w);
}

/* One message of every type, each field set to something recognizable. */
static size_t samples(mm_client_msg *out) {
  mm_view v = mm_view_str("value"), big = mm_view_str(
                                        "a view of more than sixty-four bytes, so "
                                        "that its length takes two bytes .......");
  mm_client_msg all[] = {
      {.type = MM_CLIENT_HELLO, .version = 1},
      {.type = MM_CLIENT_CONFIGURE, .seed = big, .flags = MM_CLIENT_FLAG_GREASE},
      {.type = MM_CLIENT_CREATE_KEY_PACKAGE, .cipher_suite = 3, .identity = v},
      {.type = MM_CLIENT_CREATE_GROUP, .group_id = v, .cipher_suite = 7, .identity = big},
      {.type = MM_CLIENT_JOIN_GROUP, .id = 9, .welcome = big, .ratchet_tree = v},
      {.type = MM_CLIENT_EXTERNAL_JOIN,
       .group_info = big,
       .ratchet_tree = v,
       .identity = v,
       .authenticated_data = big,
       .remove_prior = true},
      {.type = MM_CLIENT_GROUP_INFO, .id = 0xffffffff, .ratchet_tree_extension = true},
      {.type = MM_CLIENT_STATE_AUTH, .id = 2},
      {.type = MM_CLIENT_PROTECT, .id = 3, .authenticated_data = v, .plaintext = big},
      {.type = MM_CLIENT_UNPROTECT, .id = 4, .message = big},
      {.type = MM_CLIENT_ADD_PROPOSAL, .id = 5, .framing = 2, .key_package = v},
      {.type = MM_CLIENT_UPDATE_PROPOSAL, .id = 6, .framing = 1, .new_signature_key = true},
      {.type = MM_CLIENT_REMOVE_PROPOSAL, .id = 7, .framing = 2, .leaf = 11},
      {.type = MM_CLIENT_COMMIT,
       .id = 8,
       .framing = 1,
       .authenticated_data = big,
       .proposals = mm_writer_view(&props_w),
       .by_value = mm_writer_view(&descs_w),
       .ratchet_tree_extension = true},
      {.type = MM_CLIENT_HANDLE_COMMIT,
       .id = 9,
       .proposals = mm_writer_view(&props_w),
       .commit = big},
      {.type = MM_CLIENT_HANDLE_PENDING_COMMIT, .id = 10},
      {.type = MM_CLIENT_MEMBER_INFO, .id = 11},
      {.type = MM_CLIENT_SIGN_WITH_LABEL, .id = 12, .label = v, .content = big},
      {.type = MM_CLIENT_FREE, .id = 13},
      {.type = MM_CLIENT_SHUTDOWN},
      {.type = MM_CLIENT_PICS,
       .version = 1,
       .implementation = v,
       .suites = mm_writer_view(&suites_w),
       .features = 0x0f},
      {.type = MM_CLIENT_OK},
      {.type = MM_CLIENT_KEY_PACKAGE,
       .id = 14,
       .key_package = big,
       .init_priv = v,
       .encryption_priv = v,
       .signature_priv = big},
      {.type = MM_CLIENT_STATE,
       .id = 15,
       .status = 1,
       .epoch = UINT64_MAX,
       .epoch_authenticator = v},
      {.type = MM_CLIENT_EXTERNAL_JOINED,
       .id = 16,
       .epoch = 5,
       .epoch_authenticator = big,
       .commit = big,
       .group_info = v,
       .ratchet_tree = v},
      {.type = MM_CLIENT_PUBLIC_GROUP_STATE, .group_info = big, .ratchet_tree = v},
      {.type = MM_CLIENT_MESSAGE, .message = big},
      {.type = MM_CLIENT_UNPROTECTED, .authenticated_data = v, .plaintext = big},
      {.type = MM_CLIENT_COMMIT_BUNDLE,
       .commit = big,
       .welcome = v,
       .group_info = big,
       .ratchet_tree = v,
       .epoch = 1u << 31,
       .epoch_authenticator = v},
      {.type = MM_CLIENT_MEMBER,
       .group_id = v,
       .cipher_suite = 5,
       .epoch = 77,
       .leaf = 3,
       .identity = big,
       .signature_public_key = v,
       .status = 0,
       .pending_commit = true},
      {.type = MM_CLIENT_SIGNATURE, .signature = big, .signature_public_key = v},
      {.type = MM_CLIENT_ERROR, .code = MM_CLIENT_E_REJECTED, .reason = v},
  };
  size_t n = sizeof all / sizeof all[0];
  if (out) memcpy(out, all, sizeof all);
  return n;
}

/* The frame of m, malloc'd. */
static uint8_t *frame_of(const mm_client_msg *m, size_t *len) {
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_client_encode(m, &w), MM_OK);
  uint8_t *b;
  ck_assert_int_eq(mm_writer_finish(&w, &b, len), MM_OK);
  uint32_t body;
  ck_assert_int_eq(mm_shim_frame_len(b, MM_SHIM_MAX_FRAME, &body), MM_OK);
  ck_assert_uint_eq(body + MM_SHIM_HEADER_LEN, *len);
  return b;
}

START_TEST(test_client_roundtrip_every_message) {
  lists_init();
  mm_client_msg all[64];
  size_t n = samples(all);
  bool seen[256] = {false};
  for (size_t i = 0; i < n; i++) {
    size_t len, len2;
    uint8_t *f = frame_of(&all[i], &len);
    mm_client_msg d;
    ck_assert_int_eq(mm_client_decode(f + 4, len - 4, &d, NULL), MM_OK);
    ck_assert_uint_eq(d.type, all[i].type);
    /* Decoding then encoding gives the same bytes: every field survived. */
    uint8_t *f2 = frame_of(&d, &len2);
    ck_assert_msg(len == len2 && memcmp(f, f2, len) == 0, "%s does not round-trip",
                  mm_client_type_name(all[i].type));
    ck_assert_str_ne(mm_client_type_name(all[i].type), "unknown");
    seen[all[i].type] = true;
    free(f);
    free(f2);
  }
  /* Every request type 1..20 and every reply type has a sample. */
  for (unsigned t = 1; t <= 20; t++) ck_assert_msg(seen[t], "no sample of type %u", t);
  for (unsigned t = 129; t <= 139; t++) ck_assert_msg(seen[t], "no sample of type %u", t);
  ck_assert(seen[255]);
  lists_free();
}
END_TEST

START_TEST(test_client_fields_decoded) {
  lists_init();
  size_t len;
  mm_client_msg m = {.type = MM_CLIENT_COMMIT,
                     .id = 8,
                     .framing = 2,
                     .authenticated_data = mm_view_str("aad"),
                     .proposals = mm_writer_view(&props_w),
                     .by_value = mm_writer_view(&descs_w),
                     .ratchet_tree_extension = true};
  uint8_t *f = frame_of(&m, &len);
  mm_client_msg d;
  ck_assert_int_eq(mm_client_decode(f + 4, len - 4, &d, NULL), MM_OK);
  ck_assert_uint_eq(d.id, 8);
  ck_assert_uint_eq(d.framing, 2);
  ck_assert(d.ratchet_tree_extension);
  ck_assert(mm_view_eq_str(d.authenticated_data, "aad"));
  ck_assert_uint_eq(mm_client_count(MM_CLIENT_L_PROPOSAL_MESSAGES, d.proposals), 2);
  mm_client_iter it;
  mm_client_item item;
  mm_client_iter_init(&it, MM_CLIENT_L_PROPOSAL_DESCRIPTIONS, d.by_value);
  ck_assert(mm_client_next(&it, &item) && item.proposal_type == MM_CLIENT_PROPOSAL_ADD);
  ck_assert(mm_view_eq_str(item.bytes, "key-package"));
  ck_assert(mm_client_next(&it, &item) && item.proposal_type == MM_CLIENT_PROPOSAL_REMOVE);
  ck_assert_uint_eq(item.removed, 0x01020304);
  ck_assert(!mm_client_next(&it, &item));
  free(f);
  lists_free();
}
END_TEST

/* Every proper prefix of every sample, and every sample with one more
 * byte, is refused. */
START_TEST(test_client_truncated_or_trailing_refused) {
  lists_init();
  mm_client_msg all[64], d;
  size_t n = samples(all);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    uint8_t *f = frame_of(&all[i], &len);
    size_t body = len - 4;
    for (size_t cut = 0; cut < body; cut++)
      ck_assert_msg(mm_client_decode(f + 4, cut, &d, NULL) == MM_E_MALFORMED,
                    "%s cut to %zu bytes decodes", mm_client_type_name(all[i].type), cut);
    uint8_t *longer = malloc(body + 1);
    memcpy(longer, f + 4, body);
    longer[body] = 0;
    mm_derr err = {0};
    ck_assert_int_eq(mm_client_decode(longer, body + 1, &d, &err), MM_E_MALFORMED);
    ck_assert_uint_eq(err.offset, body);
    free(longer);
    free(f);
  }
  lists_free();
}
END_TEST

/* Changes byte `at` of m's body to v and expects a refusal. */
static void refused_with(const mm_client_msg *m, size_t at_from_end, uint8_t v) {
  size_t len;
  uint8_t *f = frame_of(m, &len);
  f[len - 1 - at_from_end] = v;
  mm_client_msg d;
  ck_assert_msg(mm_client_decode(f + 4, len - 4, &d, NULL) == MM_E_MALFORMED,
                "%s with byte %zu from the end = %u decodes", mm_client_type_name(m->type),
                at_from_end, v);
  free(f);
}

START_TEST(test_client_strict_values) {
  /* Booleans are 0 or 1. */
  refused_with(&(mm_client_msg){.type = MM_CLIENT_GROUP_INFO, .id = 1}, 0, 2);
  refused_with(&(mm_client_msg){.type = MM_CLIENT_UPDATE_PROPOSAL, .framing = 1}, 0, 0xff);
  refused_with(&(mm_client_msg){.type = MM_CLIENT_EXTERNAL_JOIN}, 0, 2);
  refused_with(&(mm_client_msg){.type = MM_CLIENT_COMMIT, .framing = 1}, 0, 2);
  refused_with(&(mm_client_msg){.type = MM_CLIENT_MEMBER}, 0, 2);
  /* The member status is 0 or 1: in State after id, in Member before the
   * pending flag. */
  refused_with(&(mm_client_msg){.type = MM_CLIENT_MEMBER}, 1, 2);
  mm_client_msg st = {.type = MM_CLIENT_STATE, .id = 1, .epoch = 1};
  refused_with(&st, 9, 2); /* status, before epoch (8) and the empty authenticator (1) */
  /* A ProposalDescription is an add or a remove, nothing else (no update
   * by value: RFC 9420 12.4 has a member's own Update by reference only). */
  mm_writer w;
  mm_writer_init(&w);
  ck_assert(mm_put_u16(&w, 2) && mm_put_u32(&w, 0));
  refused_with(&(mm_client_msg){.type = MM_CLIENT_COMMIT, .by_value = mm_writer_view(&w)}, 0, 0);
  mm_writer_free(&w);
  /* Unknown types; a non-minimal vector length. */
  static const uint8_t unknown[][1] = {{0}, {21}, {128}, {140}, {254}};
  mm_client_msg d;
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    ck_assert_int_eq(mm_client_decode(unknown[i], 1, &d, NULL), MM_E_MALFORMED);
  static const uint8_t nonminimal[] = {MM_CLIENT_MESSAGE, 0x40, 0x01, 0xaa};
  ck_assert_int_eq(mm_client_decode(nonminimal, sizeof nonminimal, &d, NULL), MM_E_MALFORMED);
  static const uint8_t minimal[] = {MM_CLIENT_MESSAGE, 0x01, 0xaa};
  ck_assert_int_eq(mm_client_decode(minimal, sizeof minimal, &d, NULL), MM_OK);
  ck_assert_int_eq(mm_client_decode(minimal, 0, &d, NULL), MM_E_MALFORMED);
  /* Encoding an unknown type fails. */
  mm_writer_init(&w);
  ck_assert_int_eq(mm_client_encode(&(mm_client_msg){.type = 99}, &w), MM_E_MALFORMED);
  mm_writer_free(&w);
}
END_TEST

START_TEST(test_client_reply_types) {
  for (unsigned t = 1; t <= 20; t++) ck_assert_uint_ne(mm_client_reply_type((uint8_t)t), 0);
  ck_assert_uint_eq(mm_client_reply_type(MM_CLIENT_COMMIT), MM_CLIENT_COMMIT_BUNDLE);
  ck_assert_uint_eq(mm_client_reply_type(MM_CLIENT_EXTERNAL_JOIN), MM_CLIENT_EXTERNAL_JOINED);
  ck_assert_uint_eq(mm_client_reply_type(MM_CLIENT_HANDLE_COMMIT), MM_CLIENT_STATE);
  ck_assert_uint_eq(mm_client_reply_type(MM_CLIENT_UPDATE_PROPOSAL), MM_CLIENT_MESSAGE);
  for (unsigned t = 129; t < 256; t++) ck_assert_uint_eq(mm_client_reply_type((uint8_t)t), 0);
  ck_assert_uint_eq(mm_client_reply_type(0), 0);
  ck_assert_str_eq(mm_client_error_name(MM_CLIENT_E_REJECTED), "rejected");
  ck_assert_str_eq(mm_client_error_name(0), "unknown");
  ck_assert_str_eq(mm_client_type_name(200), "unknown");
}
END_TEST

/* MLS-4: commit || optional<MLSMessage> welcome || GroupInfo || tree, the
 * parts as they are, no length prefixes added. */
START_TEST(test_client_commit_bundle_layout) {
  mm_client_msg r = {.type = MM_CLIENT_COMMIT_BUNDLE,
                     .commit = mm_view_str("C"),
                     .welcome = mm_view_str("WW"),
                     .group_info = mm_view_str("GGG"),
                     .ratchet_tree = mm_view_str("T")};
  mm_writer w;
  mm_writer_init(&w);
  ck_assert(mm_client_commit_bundle(&r, &w));
  ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of((const uint8_t *)"C\x01WWGGGT", 8)));
  mm_writer_free(&w);
  r.welcome = mm_view_str("");
  mm_writer_init(&w);
  ck_assert(mm_client_commit_bundle(&r, &w));
  ck_assert(mm_view_eq(mm_writer_view(&w), mm_view_of((const uint8_t *)"C\x00GGGT", 6)));
  mm_writer_free(&w);
  mm_writer_init(&w);
  ck_assert(mm_client_public_group_state(&r, &w));
  ck_assert(mm_view_eq_str(mm_writer_view(&w), "GGGT"));
  mm_writer_free(&w);
}
END_TEST

/* ---- the driver against fake client processes ---- */

static mm_clients *start_fake(const char *mode, int timeout_ms, mm_err want, char *why,
                              size_t why_len) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "python3 suites/shims/fake_client.py %s", mode);
  mm_clients *c = NULL;
  mm_err e = mm_clients_start(cmd, timeout_ms, &c, why, why_len);
  ck_assert_msg(e == want, "%s: %s (%s)", mode, mm_err_name(e), why);
  return c;
}

START_TEST(test_clients_driver_good) {
  char why[512] = "";
  mm_clients *c = start_fake("good", 5000, MM_OK, why, sizeof why);
  ck_assert_str_eq(mm_clients_implementation(c), "fake 1");
  ck_assert(mm_clients_has_suite(c, 1) && mm_clients_has_suite(c, 3) &&
            !mm_clients_has_suite(c, 2));
  ck_assert_uint_eq(mm_clients_features(c), 5);
  mm_client_msg rep;
  ck_assert_int_eq(
      mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 7}, &rep), MM_OK);
  ck_assert_uint_eq(rep.type, MM_CLIENT_STATE);
  ck_assert_uint_eq(rep.id, 7);
  ck_assert_uint_eq(rep.epoch, 7);
  ck_assert_uint_eq(rep.epoch_authenticator.len, 32);
  ck_assert_uint_eq(rep.epoch_authenticator.data[31], 7);
  /* An error reply is a refusal, not a broken process. */
  ck_assert_int_eq(
      mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_MEMBER_INFO, .id = 1}, &rep),
      MM_E_REFUSED);
  ck_assert_uint_eq(mm_clients_error(c), MM_CLIENT_E_UNKNOWN_ID);
  ck_assert_ptr_nonnull(strstr(mm_clients_why(c), "no such thing"));
  ck_assert_int_eq(
      mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 8}, &rep), MM_OK);
  ck_assert_uint_eq(mm_clients_error(c), 0);
  /* A reply type is no request. */
  ck_assert_int_eq(mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_OK}, &rep), MM_E_USAGE);
  ck_assert_uint_eq(mm_clients_stat_of(c, MM_CLIENT_STATE_AUTH).calls, 2);
  mm_clients_stop(c);
}
END_TEST

START_TEST(test_clients_driver_refuses_bad_processes) {
  char why[512];
  /* Does not start, or speaks another version: no handle. */
  ck_assert_ptr_null(start_fake("version2", 5000, MM_E_IO, why, sizeof why));
  ck_assert_ptr_nonnull(strstr(why, "version 2"));
  mm_clients *c = NULL;
  ck_assert_int_eq(mm_clients_start("exec /nonexistent/client", 5000, &c, why, sizeof why),
                   MM_E_IO);
  ck_assert_ptr_null(c);
  ck_assert_ptr_nonnull(strstr(why, "status 127"));
  /* Broken after hello: MM_E_IO with a reason, and it stays broken. */
  static const struct {
    const char *mode, *why;
  } cases[] = {
      {"hang", "timeout"},          {"exit", "status 3"},          {"junk", "does not decode"},
      {"wrong-type", "a ok reply"}, {"huge", "claims 1073741824"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    c = start_fake(cases[i].mode, 1500, MM_OK, why, sizeof why);
    mm_client_msg rep;
    mm_err e = mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 1}, &rep);
    ck_assert_msg(e == MM_E_IO, "%s: %s", cases[i].mode, mm_err_name(e));
    ck_assert_msg(strstr(mm_clients_why(c), cases[i].why) != NULL, "%s: %s", cases[i].mode,
                  mm_clients_why(c));
    ck_assert_int_eq(
        mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 2}, &rep), MM_E_IO);
    if (strcmp(cases[i].mode, "exit") == 0)
      ck_assert_ptr_nonnull(strstr(mm_clients_stderr(c), "exiting"));
    mm_clients_stop(c);
  }
  /* A second reply to one request is caught at the next call. */
  c = start_fake("two-replies", 1500, MM_OK, why, sizeof why);
  mm_client_msg rep;
  ck_assert_int_eq(
      mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 1}, &rep), MM_OK);
  mm_err e = MM_OK;
  /* The extra reply may still be in flight: a few tries. */
  for (int i = 0; i < 50 && e == MM_OK; i++)
    e = mm_clients_call(c, &(mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = 1}, &rep);
  ck_assert_int_eq(e, MM_E_IO);
  mm_clients_stop(c);
}
END_TEST

Suite *suite_client_proto(void) {
  Suite *s = suite_create("client_proto");
  TCase *tc = tcase_create("client_proto");
  tcase_set_timeout(tc, 60);
  MM_ADD_TEST(tc, test_client_roundtrip_every_message, "-");
  MM_ADD_TEST(tc, test_client_fields_decoded, "-");
  MM_ADD_TEST(tc, test_client_truncated_or_trailing_refused, "-");
  MM_ADD_TEST(tc, test_client_strict_values, "-");
  MM_ADD_TEST(tc, test_client_reply_types, "-");
  MM_ADD_TEST(tc, test_client_commit_bundle_layout, "-");
  MM_ADD_TEST(tc, test_clients_driver_good, "-");
  MM_ADD_TEST(tc, test_clients_driver_refuses_bad_processes, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* Interop smoke test: the ts-mls adapter (interop/ts-mls/) driven over the
 * client protocol (sim/clients/), in every suite its PICS lists. Opt-in:
 * check_all runs it only when named (`make interop`), and it needs node and
 * the adapter's packages (`make interop-deps`). MLSMIG_CLIENTS overrides the
 * command.
 *
 * Per suite, with a fixed seed (and GREASE in the odd suites): a group of 3 made by one Commit with two
 * Adds, a 4th member added by Welcome (the tree in the GroupInfo
 * extension), a 5th by external commit from a GroupInfo and tree, a Commit
 * with authenticated_data in both framings, an application message from
 * every member decrypted by every other, a Remove, an Update that rotates a
 * member's signature key (by reference, committed by another member), and
 * SignWithLabel with the new key, verified here by mlsmig's own crypto.
 * After every Commit every member processes it and all agree on the epoch
 * and the epoch authenticator, the committer's included.
 *
 * Every CommitBundle, PublicGroupState and Welcome is recorded in
 * suites/fixtures/ts-mls/suite-N.json (MLSMIG_INTEROP_RECORD=1 rewrites the
 * files); a run must reproduce them byte for byte, which checks that a seed
 * makes the adapter deterministic. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients/clients.h"
#include "mlsmig/crypto.h"
#include "mlsmig/hex.h"
#include "testlib.h"

#define DEFAULT_CMD "node interop/ts-mls/client.js"
#define FIXTURES "suites/fixtures/ts-mls/"
#define MAX_MEMBERS 8

typedef struct member {
  char name[64]; /* identity, name@domain */
  uint32_t id;
  bool removed;
} member;

typedef struct bytes {
  uint8_t *data;
  size_t len;
} bytes;

typedef struct world {
  mm_clients *c;
  uint16_t suite;
  member m[MAX_MEMBERS];
  size_t n;
  uint64_t epoch;
  json_t *objects; /* what the fixture records */
} world;

static bytes dup_view(mm_view v) {
  bytes b = {malloc(v.len ? v.len : 1), v.len};
  ck_assert_ptr_nonnull(b.data);
  if (v.len) memcpy(b.data, v.data, v.len);
  return b;
}

static mm_view view(bytes b) { return mm_view_of(b.data, b.len); }

static mm_client_msg call(world *w, mm_client_msg req) {
  mm_client_msg rep;
  mm_err e = mm_clients_call(w->c, &req, &rep);
  if (e != MM_OK) { /* the last of stderr: Check's messages are short */
    const char *err = mm_clients_stderr(w->c);
    size_t n = strlen(err);
    ck_abort_msg("suite %u: %s: %s\nclient stderr: %s", w->suite, mm_err_name(e),
                 mm_clients_why(w->c), n > 1500 ? err + n - 1500 : err);
  }
  return rep;
}

/* One object for the fixture; sender: who sends a CommitBundle (the
 * envelope's sender a DS would see), NULL for other objects. */
static void record(world *w, const char *what, const char *step, const char *sender, mm_view v) {
  char *hex = malloc(2 * v.len + 1);
  ck_assert_ptr_nonnull(hex);
  mm_hex_encode(v.data, v.len, hex);
  json_t *o = json_pack("{s:s, s:s, s:I, s:s}", "what", what, "step", step, "epoch",
                        (json_int_t)w->epoch, "hex", hex);
  ck_assert_ptr_nonnull(o);
  if (sender) ck_assert_int_eq(json_object_set_new(o, "sender", json_string(sender)), 0);
  ck_assert_int_eq(json_array_append_new(w->objects, o), 0);
  free(hex);
}

static member *add_member(world *w, const char *name, uint32_t id) {
  ck_assert_uint_lt(w->n, MAX_MEMBERS);
  member *m = &w->m[w->n++];
  snprintf(m->name, sizeof m->name, "%s", name);
  m->id = id;
  m->removed = false;
  return m;
}

/* Every member still in the group is at the world's epoch with the same
 * epoch authenticator as want (the committer's, when given). */
static void agree(world *w, const char *step, mm_view want) {
  bytes first = {0};
  for (size_t i = 0; i < w->n; i++) {
    if (w->m[i].removed) continue;
    mm_client_msg s = call(w, (mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = w->m[i].id});
    ck_assert_msg(s.status == MM_CLIENT_MEMBER_ACTIVE, "%s: %s is not a member", step,
                  w->m[i].name);
    ck_assert_msg(s.epoch == w->epoch, "%s: %s at epoch %llu, not %llu", step, w->m[i].name,
                  (unsigned long long)s.epoch, (unsigned long long)w->epoch);
    ck_assert_uint_gt(s.epoch_authenticator.len, 0);
    if (!first.data) first = dup_view(s.epoch_authenticator);
    ck_assert_msg(mm_view_eq(view(first), s.epoch_authenticator),
                  "suite %u, %s: %s disagrees on the epoch authenticator", w->suite, step,
                  w->m[i].name);
  }
  if (want.len) ck_assert_msg(mm_view_eq(view(first), want), "%s: the committer's differs", step);
  free(first.data);
}

/* A Commit's reply, kept: its parts and the assembled CommitBundle. */
typedef struct bundle {
  bytes commit, welcome, group_info, tree, whole, ea;
  uint64_t epoch;
} bundle;

static void bundle_free(bundle *b) {
  free(b->commit.data);
  free(b->welcome.data);
  free(b->group_info.data);
  free(b->tree.data);
  free(b->whole.data);
  free(b->ea.data);
}

static bundle keep_bundle(world *w, const mm_client_msg *rep, const char *step,
                          const char *sender) {
  bundle b = {.commit = dup_view(rep->commit),
              .welcome = dup_view(rep->welcome),
              .group_info = dup_view(rep->group_info),
              .tree = dup_view(rep->ratchet_tree),
              .ea = dup_view(rep->epoch_authenticator),
              .epoch = rep->epoch};
  ck_assert_uint_gt(b.commit.len, 0);
  ck_assert_uint_gt(b.group_info.len, 0);
  ck_assert_uint_gt(b.tree.len, 0);
  mm_writer wr;
  mm_writer_init(&wr);
  ck_assert(mm_client_commit_bundle(rep, &wr));
  size_t len;
  ck_assert_int_eq(mm_writer_finish(&wr, &b.whole.data, &len), MM_OK);
  b.whole.len = len;
  uint64_t e = w->epoch;
  w->epoch = b.epoch; /* recorded under the epoch the Commit creates */
  record(w, "commit_bundle", step, sender, view(b.whole));
  w->epoch = e;
  return b;
}

/* Every member processes the commit (the committer its pending one), then
 * all agree. */
static void everyone_handles(world *w, const bundle *b, mm_view proposals, const char *step) {
  w->epoch++;
  ck_assert_uint_eq(b->epoch, w->epoch);
  for (size_t i = 0; i < w->n; i++) {
    if (w->m[i].removed) continue;
    mm_client_msg s = call(w, (mm_client_msg){.type = MM_CLIENT_HANDLE_COMMIT,
                                              .id = w->m[i].id,
                                              .proposals = proposals,
                                              .commit = view(b->commit)});
    if (s.status == MM_CLIENT_MEMBER_REMOVED) w->m[i].removed = true;
  }
  agree(w, step, view(b->ea));
}

/* handle_commit of b's commit with byte `at` changed is rejected, and the
 * member stays where it was. */
static void refuse_tampered(world *w, member *m, const bundle *b, size_t at, const char *step) {
  bytes bad = dup_view(view(b->commit));
  bad.data[at] ^= 0x01;
  mm_client_msg rep;
  mm_err e = mm_clients_call(
      w->c, &(mm_client_msg){.type = MM_CLIENT_HANDLE_COMMIT, .id = m->id, .commit = view(bad)},
      &rep);
  ck_assert_msg(e == MM_E_REFUSED, "suite %u, %s: %s took a commit with byte %zu changed (%s)",
                w->suite, step, m->name, at, mm_err_name(e));
  ck_assert_msg(mm_clients_error(w->c) == MM_CLIENT_E_REJECTED, "%s", mm_clients_why(w->c));
  mm_client_msg s = call(w, (mm_client_msg){.type = MM_CLIENT_STATE_AUTH, .id = m->id});
  ck_assert_uint_eq(s.epoch, w->epoch);
  free(bad.data);
}

static bundle commit(world *w, member *by, uint16_t framing, mm_view aad, mm_view by_ref,
                     mm_view by_value, bool tree_ext, const char *step) {
  mm_client_msg rep = call(w, (mm_client_msg){.type = MM_CLIENT_COMMIT,
                                              .id = by->id,
                                              .framing = framing,
                                              .authenticated_data = aad,
                                              .proposals = by_ref,
                                              .by_value = by_value,
                                              .ratchet_tree_extension = tree_ext});
  return keep_bundle(w, &rep, step, by->name);
}

static bytes key_package(world *w, const char *name, uint32_t *tx) {
  mm_client_msg kp = call(w, (mm_client_msg){.type = MM_CLIENT_CREATE_KEY_PACKAGE,
                                             .cipher_suite = w->suite,
                                             .identity = mm_view_str(name)});
  *tx = kp.id;
  ck_assert_uint_gt(kp.signature_priv.len, 0);
  return dup_view(kp.key_package);
}

/* The joiner's key package is used once: joining again fails. */
static void join(world *w, const char *name, uint32_t tx, const bundle *b, bool with_tree) {
  mm_client_msg s =
      call(w, (mm_client_msg){.type = MM_CLIENT_JOIN_GROUP,
                              .id = tx,
                              .welcome = view(b->welcome),
                              .ratchet_tree = with_tree ? view(b->tree) : mm_view_str("")});
  ck_assert_uint_eq(s.epoch, w->epoch);
  add_member(w, name, s.id);
  mm_client_msg rep;
  ck_assert_int_eq(mm_clients_call(w->c,
                                   &(mm_client_msg){.type = MM_CLIENT_JOIN_GROUP,
                                                    .id = tx,
                                                    .welcome = view(b->welcome),
                                                    .ratchet_tree = view(b->tree)},
                                   &rep),
                   MM_E_REFUSED);
  ck_assert_uint_eq(mm_clients_error(w->c), MM_CLIENT_E_UNKNOWN_ID);
}

static mm_client_msg member_info(world *w, const member *m) {
  return call(w, (mm_client_msg){.type = MM_CLIENT_MEMBER_INFO, .id = m->id});
}

/* Each member's message is decrypted by every other, with its
 * authenticated_data. */
static void everyone_talks(world *w, const char *step) {
  for (size_t i = 0; i < w->n; i++) {
    if (w->m[i].removed) continue;
    char text[128], ad[64];
    snprintf(text, sizeof text, "%s from %s", step, w->m[i].name);
    snprintf(ad, sizeof ad, "ad %zu", i);
    mm_client_msg msg = call(w, (mm_client_msg){.type = MM_CLIENT_PROTECT,
                                                .id = w->m[i].id,
                                                .authenticated_data = mm_view_str(ad),
                                                .plaintext = mm_view_str(text)});
    bytes ct = dup_view(msg.message);
    for (size_t j = 0; j < w->n; j++) {
      if (j == i || w->m[j].removed) continue;
      mm_client_msg u = call(
          w, (mm_client_msg){.type = MM_CLIENT_UNPROTECT, .id = w->m[j].id, .message = view(ct)});
      ck_assert_msg(mm_view_eq_str(u.plaintext, text), "%s: %s cannot read %s", step, w->m[j].name,
                    w->m[i].name);
      ck_assert(mm_view_eq_str(u.authenticated_data, ad));
    }
    free(ct.data);
  }
}

/* A member's PublicGroupState, recorded. */
static void record_group_info(world *w, const member *m, bool tree_ext, const char *step) {
  mm_client_msg pgs =
      call(w, (mm_client_msg){
                  .type = MM_CLIENT_GROUP_INFO, .id = m->id, .ratchet_tree_extension = tree_ext});
  mm_writer st;
  mm_writer_init(&st);
  ck_assert(mm_client_public_group_state(&pgs, &st));
  record(w, "public_group_state", step, NULL, mm_writer_view(&st));
  mm_writer_free(&st);
}

static mm_view list_of(mm_writer *wr) { return mm_writer_view(wr); }

static void check_fixture(world *w) {
  char path[128];
  snprintf(path, sizeof path, FIXTURES "suite-%u.json", w->suite);
  json_t *doc = json_pack("{s:s, s:i, s:s, s:O}", "about",
                          "bytes the ts-mls adapter produced in the interop smoke test "
                          "(suites/test_interop.c); seed and requests fixed",
                          "suite", w->suite, "implementation", mm_clients_implementation(w->c),
                          "objects", w->objects);
  ck_assert_ptr_nonnull(doc);
  /* The implementation string names the node version: not compared. */
  json_t *cmp = json_deep_copy(doc);
  json_object_del(cmp, "implementation");
  const char *rec = getenv("MLSMIG_INTEROP_RECORD");
  if (rec && strcmp(rec, "1") == 0) {
    ck_assert_int_eq(json_dump_file(doc, path, JSON_INDENT(1) | JSON_SORT_KEYS), 0);
  } else {
    json_error_t e;
    json_t *old = json_load_file(path, 0, &e);
    ck_assert_msg(old != NULL, "%s: %s (MLSMIG_INTEROP_RECORD=1 writes it)", path, e.text);
    json_object_del(old, "implementation");
    size_t n = json_array_size(json_object_get(old, "objects"));
    for (size_t i = 0; i < n && i < json_array_size(w->objects); i++) {
      json_t *a = json_array_get(json_object_get(old, "objects"), i);
      json_t *b = json_array_get(w->objects, i);
      ck_assert_msg(json_equal(a, b), "suite %u: %s at %s differs from %s (not deterministic?)",
                    w->suite, json_string_value(json_object_get(b, "what")),
                    json_string_value(json_object_get(b, "step")), path);
    }
    ck_assert_msg(json_equal(old, cmp), "suite %u: the run differs from %s", w->suite, path);
    json_decref(old);
  }
  json_decref(cmp);
  json_decref(doc);
}

static const char *command(void) {
  const char *cmd = getenv("MLSMIG_CLIENTS");
  return cmd && *cmd ? cmd : DEFAULT_CMD;
}

static void need_adapter(void) {
  if (getenv("MLSMIG_CLIENTS")) return;
  ck_assert_msg(access("interop/ts-mls/node_modules/ts-mls/package.json", R_OK) == 0 &&
                    system("command -v node >/dev/null 2>&1") == 0,
                "node or the adapter's packages are missing: run `make interop-deps`");
}

START_TEST(test_interop_tsmls_suite) {
  need_adapter();
  world w = {.suite = (uint16_t)_i};
  char why[1024];
  mm_err e = mm_clients_start(command(), 0, &w.c, why, sizeof why);
  ck_assert_msg(e == MM_OK, "%s: %s", command(), why);
  if (!mm_clients_has_suite(w.c, w.suite)) {
    fprintf(stderr, "interop: %s does not support suite %u\n", mm_clients_implementation(w.c),
            w.suite);
    mm_clients_stop(w.c);
    ck_abort_msg("suite %u not supported by %s", w.suite, mm_clients_implementation(w.c));
  }
  w.objects = json_array();
  char seed[64];
  snprintf(seed, sizeof seed, "mlsmig interop smoke, suite %u", w.suite);
  /* GREASE in the odd suites: leaf capabilities with values a DS must
   * ignore (RFC 9420 section 13.5). */
  call(&w, (mm_client_msg){.type = MM_CLIENT_CONFIGURE,
                           .seed = mm_view_str(seed),
                           .flags = w.suite % 2 ? MM_CLIENT_FLAG_GREASE : 0});

  /* A group of 3: alice creates it and adds bob and carol in one Commit. */
  mm_client_msg s = call(&w, (mm_client_msg){.type = MM_CLIENT_CREATE_GROUP,
                                             .group_id = mm_view_str("interop group"),
                                             .cipher_suite = w.suite,
                                             .identity = mm_view_str("alice@source.example")});
  ck_assert_uint_eq(s.epoch, 0);
  member *alice = add_member(&w, "alice@source.example", s.id);
  record_group_info(&w, alice, false, "the new group");
  uint32_t tx_bob, tx_carol, tx_dave;
  bytes kp_bob = key_package(&w, "bob@source.example", &tx_bob);
  bytes kp_carol = key_package(&w, "carol@target.example", &tx_carol);
  mm_writer adds;
  mm_writer_init(&adds);
  ck_assert(mm_client_put_add(&adds, view(kp_bob)) && mm_client_put_add(&adds, view(kp_carol)));
  bundle b = commit(&w, alice, MM_CLIENT_FRAMING_PUBLIC, mm_view_str(""), mm_view_str(""),
                    list_of(&adds), false, "add bob and carol");
  ck_assert_uint_gt(b.welcome.len, 0);
  everyone_handles(&w, &b, mm_view_str(""), "add bob and carol");
  join(&w, "bob@source.example", tx_bob, &b, true);
  join(&w, "carol@target.example", tx_carol, &b, true);
  agree(&w, "group of 3", view(b.ea));
  bundle_free(&b);
  mm_writer_free(&adds);
  member *bob = &w.m[1], *carol = &w.m[2];

  /* A 4th by Welcome, the tree only in the GroupInfo extension. */
  bytes kp_dave = key_package(&w, "dave@target.example", &tx_dave);
  mm_writer_init(&adds);
  ck_assert(mm_client_put_add(&adds, view(kp_dave)));
  b = commit(&w, carol, MM_CLIENT_FRAMING_PRIVATE, mm_view_str(""), mm_view_str(""), list_of(&adds),
             true, "add dave");
  everyone_handles(&w, &b, mm_view_str(""), "add dave");
  join(&w, "dave@target.example", tx_dave, &b, false);
  agree(&w, "group of 4", view(b.ea));
  bundle_free(&b);
  mm_writer_free(&adds);

  /* A 5th by external commit, from bob's GroupInfo and tree. */
  mm_client_msg pgs = call(&w, (mm_client_msg){.type = MM_CLIENT_GROUP_INFO, .id = bob->id});
  mm_writer st;
  mm_writer_init(&st);
  ck_assert(mm_client_public_group_state(&pgs, &st));
  record(&w, "public_group_state", "bob's group info", NULL, mm_writer_view(&st));
  mm_writer_free(&st);
  bytes gi = dup_view(pgs.group_info), tree = dup_view(pgs.ratchet_tree);
  mm_client_msg ej = call(&w, (mm_client_msg){.type = MM_CLIENT_EXTERNAL_JOIN,
                                              .group_info = view(gi),
                                              .ratchet_tree = view(tree),
                                              .identity = mm_view_str("erin@target.example"),
                                              .authenticated_data = mm_view_str("external")});
  uint32_t erin_id = ej.id;
  ck_assert_uint_eq(ej.epoch, w.epoch + 1);
  ck_assert_uint_eq(ej.welcome.len, 0);
  b = keep_bundle(&w, &ej, "external join", "erin@target.example");
  free(gi.data);
  free(tree.data);
  everyone_handles(&w, &b, mm_view_str(""), "external join");
  add_member(&w, "erin@target.example", erin_id);
  agree(&w, "group of 5", view(b.ea));
  bundle_free(&b);

  /* A Commit with authenticated_data in each framing (the migration
   * Commit carries MigrationCommitAAD so). */
  static const uint16_t framings[] = {MM_CLIENT_FRAMING_PUBLIC, MM_CLIENT_FRAMING_PRIVATE};
  for (size_t f = 0; f < 2; f++) {
    const char *step = f ? "commit with aad, private" : "commit with aad, public";
    b = commit(&w, bob, framings[f], mm_view_str("migration commit aad"), mm_view_str(""),
               mm_view_str(""), false, step);
    ck_assert_uint_eq(b.welcome.len, 0);
    /* A forged copy (a DS flipping the last byte: the membership tag of a
     * PublicMessage, the AEAD tag of a PrivateMessage) is refused, and
     * changes nothing. */
    refuse_tampered(&w, alice, &b, b.commit.len - 1, step);
    everyone_handles(&w, &b, mm_view_str(""), step);
    bundle_free(&b);
  }

  everyone_talks(&w, "hello");

  /* A Remove: alice removes dave. */
  mm_client_msg dave_info = member_info(&w, &w.m[3]);
  mm_writer rm;
  mm_writer_init(&rm);
  ck_assert(mm_client_put_remove(&rm, dave_info.leaf));
  b = commit(&w, alice, MM_CLIENT_FRAMING_PUBLIC, mm_view_str(""), mm_view_str(""), list_of(&rm),
             false, "remove dave");
  everyone_handles(&w, &b, mm_view_str(""), "remove dave");
  ck_assert_msg(w.m[3].removed, "dave was not told he was removed");
  bundle_free(&b);
  mm_writer_free(&rm);

  /* An Update that rotates bob's signature key, committed by carol. */
  mm_client_msg before = member_info(&w, bob);
  bytes old_key = dup_view(before.signature_public_key);
  uint32_t bob_leaf = before.leaf;
  mm_client_msg up = call(&w, (mm_client_msg){.type = MM_CLIENT_UPDATE_PROPOSAL,
                                              .id = bob->id,
                                              .framing = MM_CLIENT_FRAMING_PUBLIC,
                                              .new_signature_key = true});
  mm_writer props;
  mm_writer_init(&props);
  ck_assert(mm_client_put_proposal_message(&props, up.message));
  b = commit(&w, carol, MM_CLIENT_FRAMING_PRIVATE, mm_view_str(""), list_of(&props),
             mm_view_str(""), false, "update bob");
  everyone_handles(&w, &b, list_of(&props), "update bob");
  bundle_free(&b);
  mm_writer_free(&props);
  mm_client_msg after = member_info(&w, bob);
  ck_assert_uint_eq(after.leaf, bob_leaf);
  ck_assert_msg(!mm_view_eq(after.signature_public_key, view(old_key)), "bob's key did not change");
  bytes new_key = dup_view(after.signature_public_key);
  everyone_talks(&w, "after the update");

  /* SignWithLabel with bob's new leaf key, as for a MigrationInit. */
  static const char tbs[] = "a MigrationInit without its signature";
  mm_client_msg sig = call(&w, (mm_client_msg){.type = MM_CLIENT_SIGN_WITH_LABEL,
                                               .id = bob->id,
                                               .label = mm_view_str("MigrationInitTBS"),
                                               .content = mm_view_str(tbs)});
  ck_assert(mm_view_eq(sig.signature_public_key, view(new_key)));
  mm_key *k = NULL, *old = NULL;
  ck_assert_int_eq(mm_key_from_public(w.suite, new_key.data, new_key.len, &k), MM_OK);
  ck_assert_int_eq(mm_key_from_public(w.suite, old_key.data, old_key.len, &old), MM_OK);
  ck_assert_int_eq(mm_verify_with_label(k, "MigrationInitTBS", (const uint8_t *)tbs, strlen(tbs),
                                        sig.signature.data, sig.signature.len),
                   MM_OK);
  ck_assert_int_ne(mm_verify_with_label(old, "MigrationInitTBS", (const uint8_t *)tbs, strlen(tbs),
                                        sig.signature.data, sig.signature.len),
                   MM_OK);
  ck_assert_int_ne(mm_verify_with_label(k, "MigrationResponseTBS", (const uint8_t *)tbs,
                                        strlen(tbs), sig.signature.data, sig.signature.len),
                   MM_OK);
  mm_key_free(k);
  mm_key_free(old);

  /* erin rejoins by external commit, removing her earlier leaf (resync). */
  pgs =
      call(&w, (mm_client_msg){
                   .type = MM_CLIENT_GROUP_INFO, .id = alice->id, .ratchet_tree_extension = true});
  gi = dup_view(pgs.group_info);
  record_group_info(&w, alice, true, "alice's group info with the tree extension");
  ej = call(&w, (mm_client_msg){.type = MM_CLIENT_EXTERNAL_JOIN,
                                .group_info = view(gi),
                                .identity = mm_view_str("erin@target.example"),
                                .remove_prior = true});
  free(gi.data);
  erin_id = ej.id;
  b = keep_bundle(&w, &ej, "erin resyncs", "erin@target.example");
  everyone_handles(&w, &b, mm_view_str(""), "erin resyncs");
  ck_assert_msg(w.m[4].removed, "erin's earlier leaf is still there");
  add_member(&w, "erin@target.example", erin_id);
  agree(&w, "erin back", view(b.ea));
  bundle_free(&b);

  /* A removed member can do nothing but answer for itself. */
  mm_client_msg rep;
  ck_assert_int_eq(mm_clients_call(w.c,
                                   &(mm_client_msg){.type = MM_CLIENT_PROTECT,
                                                    .id = w.m[3].id,
                                                    .plaintext = mm_view_str("x")},
                                   &rep),
                   MM_E_REFUSED);
  ck_assert_uint_eq(mm_clients_error(w.c), MM_CLIENT_E_WRONG_STATE);

  check_fixture(&w);
  fprintf(stderr, "interop: suite %u: %s, %zu members, epoch %llu, %zu objects recorded\n", w.suite,
          mm_clients_implementation(w.c), w.n, (unsigned long long)w.epoch,
          json_array_size(w.objects));
  free(kp_bob.data);
  free(kp_carol.data);
  free(kp_dave.data);
  free(old_key.data);
  free(new_key.data);
  json_decref(w.objects);
  mm_clients_stop(w.c);
}
END_TEST

Suite *suite_interop(void) {
  Suite *s = suite_create("interop");
  TCase *tc = tcase_create("interop");
  tcase_set_timeout(tc, 300);
  MM_ADD_LOOP_TEST(tc, test_interop_tsmls_suite, "-", 1, 8);
  suite_add_tcase(s, tc);
  return s;
}

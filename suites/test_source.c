/* The reference source DS (ds.h, mm_source_*; behaviour in docs/actors.md).
 *
 * A small in-test harness stands in for the other parties: keys come from a
 * seeded generator, the client's and the target's messages are crafted
 * directly with the codec and crypto (no client or target code), and the
 * source runs on an in-memory store. Every refusal is checked three ways:
 * the code handle() returns, the MigrationError queued to the sender, and a
 * byte snapshot of the store that must not change. Where a mutant disables
 * a check, the same scenario is run again with the mutant on and must then
 * be accepted: proof that the test can fail. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_harness.h"
#include "alloc_count.h"
#include "crypto/crypto_stats.h"
#include "ds/source/source_internal.h" /* namespace names, for store snapshots */
#include "mlsmig/ds.h"
#include "testlib.h"

#define SRC_DOMAIN "source.example"
#define TGT_DOMAIN "target.example"
#define THIRD_DOMAIN "third.example"
#define ALICE "alice@a.example"
#define BOB "bob@b.example"
#define CAROL "carol@c.example"
#define MALLORY "mallory@m.example"
#define GROUP "group-0001"
#define GROUP2 "group-0002"
#define EPOCH 7u
#define T0 1000000u /* simulated ms when each test starts */
#define REF_LABEL "MLS 1.0 MigrationContent Reference"

/* Suites the three DSes have keys for; 5 and 6 are unsupported. */
static const uint16_t ds_suites[] = {1, 2, 3, 4, 7};
#define N_DS_SUITES (sizeof ds_suites / sizeof ds_suites[0])
static const char *const member_ids[3] = {ALICE, BOB, CAROL};

/* ======================= harness ======================= */

typedef struct buf {
  uint8_t *p;
  size_t n;
} buf;

static void buf_free(buf *b) {
  free(b->p);
  *b = (buf){0};
}

static mm_view bview(buf b) { return mm_view_of(b.p, b.n); }

static buf buf_copy(mm_view v) {
  buf b = {malloc(v.len ? v.len : 1), v.len};
  ck_assert_ptr_nonnull(b.p);
  if (v.len) memcpy(b.p, v.data, v.len);
  return b;
}

typedef struct ev_rec {
  mm_event_kind kind;
  uint64_t epoch;
  char group[MM_GROUP_ID_MAX + 1];
  char peer[MM_SENDER_MAX + 1];
  size_t detail_len;
} ev_rec;

typedef struct harness {
  uint16_t suite; /* the groups' suite */
  mm_rng rng;
  mm_key *src_key[MM_SUITE_COUNT + 1], *tgt_key[MM_SUITE_COUNT + 1];
  mm_key *third_key[MM_SUITE_COUNT + 1];
  mm_key *leaf[3];   /* alice, bob, carol */
  mm_key *outsider;  /* mallory, not a member */
  mm_key *alice_alt; /* alice's key for suite 3 (also Ed25519) */
  mm_keydir *kd;
  mm_store *store;
  mm_env env;
  mm_observer obs;
  mm_ds_config cfg;
  mm_source *src;
  mm_outbox out;
  ev_rec ev[64];
  size_t nev;
  buf content; /* the MigrationContent the source sent */
  buf commit;  /* the migration Commit the test sent */
  const char *deny[2];
} harness;

static void view_cstr(mm_view v, char *out, size_t cap) {
  size_t n = v.len < cap - 1 ? v.len : cap - 1;
  if (n) memcpy(out, v.data, n);
  out[n] = '\0';
}

static void on_event(void *ctx, const mm_event *ev) {
  harness *h = ctx;
  if (h->nev == sizeof h->ev / sizeof h->ev[0]) return;
  ev_rec *r = &h->ev[h->nev++];
  r->kind = ev->kind;
  r->epoch = ev->epoch;
  view_cstr(ev->group_id, r->group, sizeof r->group);
  view_cstr(ev->peer, r->peer, sizeof r->peer);
  r->detail_len = ev->detail.len;
}

static size_t count_events(const harness *h, mm_event_kind k) {
  size_t n = 0;
  for (size_t i = 0; i < h->nev; i++) n += h->ev[i].kind == k;
  return n;
}

static const ev_rec *last_event(const harness *h, mm_event_kind k) {
  for (size_t i = h->nev; i > 0; i--)
    if (h->ev[i - 1].kind == k) return &h->ev[i - 1];
  return NULL;
}

static mm_key *gen_key(harness *h, uint16_t suite) { return ah_gen_key(&h->rng, suite); }

static void publish(harness *h, const char *domain, const mm_key *k) {
  ah_publish(h->kd, domain, k);
}

static void add_group(harness *h, const char *gid, size_t payload_len) {
  mm_member m[3];
  for (uint32_t i = 0; i < 3; i++)
    m[i] = (mm_member){mm_view_str(member_ids[i]), i, mm_key_public(h->leaf[i])};
  uint8_t *payload = malloc(payload_len ? payload_len : 1);
  ck_assert_ptr_nonnull(payload);
  for (size_t i = 0; i < payload_len; i++) payload[i] = (uint8_t)(i * 7 + 3);
  mm_group_state g = {
      MM_GROUP_STATE_VERSION,          h->suite, mm_view_str(gid), EPOCH, mm_view_of(NULL, 0), 3,
      mm_view_of(payload, payload_len)};
  ck_assert_int_eq(mm_source_add_group(h->src, &g, m, 3), MM_OK);
  free(payload);
}

static void start_source(harness *h) {
  ck_assert_int_eq(mm_source_new(&h->cfg, &h->env, &h->src), MM_OK);
}

/* Two groups (GROUP, GROUP2) of alice, bob and carol at EPOCH, in `suite`. */
static void h_init_suite(harness *h, mm_mutants mutants, uint16_t suite) {
  memset(h, 0, sizeof *h);
  h->suite = suite;
  mm_rng_init_seeded(&h->rng, 20260109, "test_source");
  h->kd = mm_keydir_new();
  ck_assert_ptr_nonnull(h->kd);
  for (size_t i = 0; i < N_DS_SUITES; i++) {
    uint16_t s = ds_suites[i];
    h->src_key[s] = gen_key(h, s);
    h->tgt_key[s] = gen_key(h, s);
    h->third_key[s] = gen_key(h, s);
    publish(h, SRC_DOMAIN, h->src_key[s]);
    publish(h, TGT_DOMAIN, h->tgt_key[s]);
    publish(h, THIRD_DOMAIN, h->third_key[s]);
    h->cfg.sign_keys[s] = h->src_key[s];
  }
  for (int i = 0; i < 3; i++) h->leaf[i] = gen_key(h, suite);
  h->outsider = gen_key(h, suite);
  h->alice_alt = gen_key(h, 3);
  h->store = mm_store_new();
  ck_assert_ptr_nonnull(h->store);
  h->obs = (mm_observer){on_event, h};
  h->env = (mm_env){&h->rng, h->kd, h->store, &h->obs, 0};
  h->cfg.domain = SRC_DOMAIN;
  h->cfg.policy = (mm_policy){.kind = MM_POLICY_DEFAULT};
  h->cfg.mutants = mutants;
  mm_outbox_init(&h->out);
  start_source(h);
  add_group(h, GROUP, 1000);
  add_group(h, GROUP2, 10);
}

static void h_init(harness *h, mm_mutants mutants) { h_init_suite(h, mutants, 1); }

static void h_free(harness *h) {
  mm_source_free(h->src);
  mm_outbox_free(&h->out);
  mm_store_free(h->store);
  mm_keydir_free(h->kd);
  for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) {
    mm_key_free(h->src_key[s]);
    mm_key_free(h->tgt_key[s]);
    mm_key_free(h->third_key[s]);
  }
  for (int i = 0; i < 3; i++) mm_key_free(h->leaf[i]);
  mm_key_free(h->outsider);
  mm_key_free(h->alice_alt);
  buf_free(&h->content);
  buf_free(&h->commit);
}

/* A crash and a restart: volatile state is lost, the store stays. */
static void h_restart(harness *h) {
  mm_source_free(h->src);
  h->src = NULL;
  start_source(h);
}

static mm_mutants bit(mm_mutant m) { return (mm_mutants)1u << m; }

/* ======================= crafting messages ======================= */

static buf finish(mm_writer *w) {
  buf b;
  ck_assert_int_eq(mm_writer_finish(w, &b.p, &b.n), MM_OK);
  return b;
}

/* Encodes under suite-independent limits, so that tests can craft
 * messages the source must refuse on their merits, not on their form. */
static buf encode(mm_type t, const void *msg) {
  mm_limits lim = mm_limits_default(0);
  mm_writer w;
  mm_writer_init(&w);
  ck_assert_int_eq(mm_encode(t, msg, &lim, &w, NULL), MM_OK);
  return finish(&w);
}

static buf sign_tbs(const mm_key *k, const char *label, mm_type t, const void *msg) {
  mm_limits lim = mm_limits_default(0);
  mm_writer tbs, sig;
  mm_writer_init(&tbs);
  mm_writer_init(&sig);
  ck_assert_int_eq(mm_encode_tbs(t, msg, &lim, &tbs), MM_OK);
  ck_assert_int_eq(mm_sign_with_label(k, label, tbs.buf, tbs.len, &sig), MM_OK);
  mm_writer_free(&tbs);
  return finish(&sig);
}

static bool verify_tbs(const mm_key *k, const char *label, mm_type t, const void *msg,
                       mm_view sig) {
  mm_limits lim = mm_limits_default(0);
  mm_writer tbs;
  mm_writer_init(&tbs);
  ck_assert_int_eq(mm_encode_tbs(t, msg, &lim, &tbs), MM_OK);
  bool ok = mm_verify_with_label(k, label, tbs.buf, tbs.len, sig.data, sig.len) == MM_OK;
  mm_writer_free(&tbs);
  return ok;
}

/* One message to the source, not yet delivered. */
typedef struct attempt {
  uint8_t type;
  uint16_t suite;
  const char *sender;
  buf body;
  uint64_t now;
} attempt;

/* How the client's MigrationInit (and the target's response in it) is
 * made; spec_init() gives the valid one. */
typedef struct init_spec {
  const char *sender;
  uint16_t env_suite;
  const char *source, *target, *gid;
  uint64_t epoch;
  uint8_t nonce; /* the nonce is 32 copies of this byte */
  const mm_key *resp_key;
  const char *resp_label;
  const mm_key *init_key;
  const char *init_label;
} init_spec;

static init_spec spec_init(const harness *h) {
  return (init_spec){ALICE,
                     h->suite,
                     SRC_DOMAIN,
                     TGT_DOMAIN,
                     GROUP,
                     EPOCH,
                     0x11,
                     h->tgt_key[h->suite],
                     "MigrationResponseTBS",
                     h->leaf[0],
                     "MigrationInitTBS"};
}

static buf make_init(const init_spec *sp) {
  uint8_t nonce[MM_NONCE_LEN];
  memset(nonce, sp->nonce, sizeof nonce);
  mm_migration_init mi = {0};
  mm_migration_response *r = &mi.migration_response;
  r->migration_request = (mm_migration_request){mm_view_str(sp->source), mm_view_str(sp->target),
                                                mm_view_str(sp->gid), sp->epoch};
  r->nonce = mm_view_of(nonce, sizeof nonce);
  buf rsig = sign_tbs(sp->resp_key, sp->resp_label, MM_T_MIGRATION_RESPONSE, r);
  r->signature = bview(rsig);
  buf isig = sign_tbs(sp->init_key, sp->init_label, MM_T_MIGRATION_INIT, &mi);
  mi.signature = bview(isig);
  buf out = encode(MM_T_MIGRATION_INIT, &mi);
  buf_free(&rsig);
  buf_free(&isig);
  return out;
}

static attempt init_attempt(const init_spec *sp, uint64_t now) {
  return (attempt){MM_MSG_MIGRATION_INIT, sp->env_suite, sp->sender, make_init(sp), now};
}

typedef enum { AAD_MIGRATION, AAD_EMPTY, AAD_TRAILING } aad_kind;

/* How an MLSMessage to the source is made; spec_commit() gives the valid
 * migration Commit. */
typedef struct commit_spec {
  const char *sender;
  uint16_t env_suite;
  uint8_t msg_type;
  const char *gid;
  uint64_t epoch;
  uint8_t content_type;
  aad_kind aad;
  const char *aad_target;
  uint16_t wire_format;
  uint8_t salt; /* varies the random-looking content */
} commit_spec;

static commit_spec spec_commit(const harness *h) {
  return (commit_spec){
      ALICE,         h->suite,   MM_MSG_MIGRATION_COMMIT, GROUP, EPOCH, MM_CONTENT_COMMIT,
      AAD_MIGRATION, TGT_DOMAIN, MM_WIRE_PRIVATE,         0x5a};
}

/* An ordinary Commit (no MigrationCommitAAD) from alice. */
static commit_spec spec_ordinary(const harness *h) {
  commit_spec c = spec_commit(h);
  c.msg_type = MM_MSG_MLS_MESSAGE;
  c.aad = AAD_EMPTY;
  c.salt = 0x33;
  return c;
}

static buf make_aad(const commit_spec *c) {
  mm_writer w;
  mm_writer_init(&w);
  if (c->aad != AAD_EMPTY) {
    mm_migration_commit_aad a = {mm_view_str(c->aad_target)};
    mm_limits lim = mm_limits_default(0);
    ck_assert_int_eq(mm_encode(MM_T_MIGRATION_COMMIT_AAD, &a, &lim, &w, NULL), MM_OK);
  }
  if (c->aad == AAD_TRAILING) mm_put_u8(&w, 0); /* no longer decodes exactly */
  return finish(&w);
}

static buf make_commit(const commit_spec *c) {
  uint8_t esd[12], ct[40], rest[24];
  memset(esd, c->salt, sizeof esd);
  memset(ct, c->salt ^ 0xff, sizeof ct);
  memset(rest, c->salt ^ 0x0f, sizeof rest);
  buf aad = make_aad(c);
  mm_mls_message m = {0};
  m.version = MM_MLS10;
  m.wire_format = c->wire_format;
  m.group_id = mm_view_str(c->gid);
  m.epoch = c->epoch;
  m.content_type = c->content_type;
  m.authenticated_data = bview(aad);
  if (c->wire_format == MM_WIRE_PUBLIC) {
    m.sender_type = MM_SENDER_MEMBER;
    m.rest = mm_view_of(rest, sizeof rest);
  } else {
    m.encrypted_sender_data = mm_view_of(esd, sizeof esd);
    m.ciphertext = mm_view_of(ct, sizeof ct);
  }
  buf out = encode(MM_T_MLS_MESSAGE, &m);
  buf_free(&aad);
  return out;
}

static attempt commit_attempt(const commit_spec *c, uint64_t now) {
  return (attempt){c->msg_type, c->env_suite, c->sender, make_commit(c), now};
}

static buf make_tmc(const mm_key *k, const char *label, mm_view hash) {
  mm_target_migration_complete c = {hash, mm_view_of(NULL, 0)};
  buf sig = sign_tbs(k, label, MM_T_TARGET_MIGRATION_COMPLETE, &c);
  c.signature = bview(sig);
  buf out = encode(MM_T_TARGET_MIGRATION_COMPLETE, &c);
  buf_free(&sig);
  return out;
}

/* RefHash of the MigrationContent the source sent (HASH-1). */
static size_t content_hash(const harness *h, uint8_t out[MM_MAX_HASH_LEN]) {
  size_t n = 0;
  ck_assert_uint_gt(h->content.n, 0);
  ck_assert_int_eq(mm_ref_hash(h->suite, REF_LABEL, h->content.p, h->content.n, out, &n), MM_OK);
  return n;
}

/* The valid TargetMigrationComplete for the content sent. */
static attempt tmc_attempt(const harness *h, uint64_t now) {
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = content_hash(h, hash);
  buf body = make_tmc(h->tgt_key[h->suite], "TargetMigrationCompleteTBS", mm_view_of(hash, n));
  return (attempt){MM_MSG_TARGET_MIGRATION_COMPLETE, h->suite, TGT_DOMAIN, body, now};
}

/* ======================= delivering and looking ======================= */

static buf make_env(const attempt *a) {
  mm_envelope e = {a->type, a->suite, mm_view_str(a->sender), bview(a->body)};
  return encode(MM_T_ENVELOPE, &e);
}

static buf raw_envelope(uint8_t type, uint16_t suite, const char *sender, mm_view body) {
  buf b;
  b.p = ah_raw_envelope(type, suite, sender, body, &b.n);
  return b;
}

/* Delivers (the outbox then holds only this step's output); frees the body. */
static MM_MUST_USE mm_err run(harness *h, attempt a) {
  mm_outbox_clear(&h->out);
  buf e = make_env(&a);
  mm_err r = mm_source_handle(h->src, e.p, e.n, a.now, &h->out);
  buf_free(&e);
  buf_free(&a.body);
  return r;
}

static void tick(harness *h, uint64_t now) {
  mm_outbox_clear(&h->out);
  ck_assert_int_eq(mm_source_tick(h->src, now, &h->out), MM_OK);
}

static bool open_out(const mm_out_msg *m, mm_envelope *e) {
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* code 19 (AMD-7) */
  return mm_decode(MM_T_ENVELOPE, m->env, m->len, &lim, e, NULL) == MM_OK;
}

/* Messages of this type in the outbox (to `to`, or to anyone if NULL). */
static size_t count_out(const harness *h, uint8_t type, const char *to) {
  size_t n = 0;
  for (size_t i = 0; i < h->out.n; i++) {
    mm_envelope e;
    ck_assert(open_out(&h->out.v[i], &e));
    ck_assert(mm_view_eq_str(e.sender, SRC_DOMAIN));
    n += e.msg_type == type && (!to || strcmp(h->out.v[i].to, to) == 0);
  }
  return n;
}

/* The body of the first message of this type to `to`. */
static mm_view out_body(const harness *h, uint8_t type, const char *to) {
  for (size_t i = 0; i < h->out.n; i++) {
    mm_envelope e;
    ck_assert(open_out(&h->out.v[i], &e));
    if (e.msg_type == type && strcmp(h->out.v[i].to, to) == 0) return e.body;
  }
  ck_abort_msg("no message of type %d to %s", type, to);
  return mm_view_of(NULL, 0);
}

/* The code of the MigrationError in the outbox to `to` (the only message). */
static MM_MUST_USE mm_err out_error(const harness *h, const char *to) {
  ck_assert_uint_eq(h->out.n, 1);
  mm_view body = out_body(h, MM_MSG_MIGRATION_ERROR, to);
  mm_migration_error me;
  mm_limits lim = mm_limits_default(0);
  lim.features = MM_FEAT_MIGRATION_REFUSAL;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_ERROR, body.data, body.len, &lim, &me, NULL), MM_OK);
  return (mm_err)me.code;
}

static mm_group_status status_of(const harness *h, const char *gid) {
  mm_group_info gi;
  if (!mm_source_group(h->src, mm_view_str(gid), &gi)) return MM_GS_NONE;
  return gi.status;
}

static uint64_t epoch_of(const harness *h, const char *gid) {
  mm_group_info gi;
  ck_assert(mm_source_group(h->src, mm_view_str(gid), &gi));
  return gi.epoch;
}

/* ---- store snapshots: every record of every namespace, byte for byte ---- */

static const char *const namespaces[] = {SRC_NS_GROUP,   SRC_NS_STATE, SRC_NS_MIG,
                                         SRC_NS_CONTENT, SRC_NS_HASH,  SRC_NS_NONCE};

static bool snap_record(void *ctx, mm_view key, mm_view val) {
  mm_writer *w = ctx;
  mm_put_vec(w, key.data, key.len);
  mm_put_u64(w, val.len);
  mm_put_bytes(w, val.data, val.len);
  return true;
}

static buf snapshot(const harness *h) {
  mm_writer w;
  mm_writer_init(&w);
  for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
    mm_put_vec(&w, (const uint8_t *)namespaces[i], strlen(namespaces[i]));
    mm_put_u64(&w, mm_store_count(h->store, namespaces[i]));
    mm_store_each(h->store, namespaces[i], snap_record, &w);
  }
  mm_put_u64(&w, mm_store_bytes(h->store));
  for (int g = 0; g < 2; g++) {
    mm_group_info gi = {0};
    bool have = mm_source_group(h->src, mm_view_str(g ? GROUP2 : GROUP), &gi);
    mm_put_u8(&w, have);
    mm_put_u8(&w, (uint8_t)gi.status);
    mm_put_u64(&w, gi.epoch);
  }
  return finish(&w);
}

static void assert_same(buf a, buf b) {
  ck_assert_msg(a.n == b.n && memcmp(a.p, b.p, a.n) == 0, "the store changed");
}

/* The attempt is refused with `code`: returned, queued as a MigrationError
 * to the sender, and the store is exactly as before. */
static void expect_refused(harness *h, attempt a, mm_err code) {
  const char *to = a.sender;
  buf before = snapshot(h);
  mm_err r = run(h, a);
  ck_assert_msg(r == code, "expected %s, got %s", mm_err_name(code), mm_err_name(r));
  ck_assert_int_eq(out_error(h, to), code);
  buf after = snapshot(h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
}

static void expect_ok(harness *h, attempt a) {
  mm_err r = run(h, a);
  ck_assert_msg(r == MM_OK, "expected acceptance, got %s", mm_err_name(r));
}

/* A scenario prepares the harness and returns the decisive message. */
typedef attempt (*scenario_fn)(harness *h);

/* Refused with `code` (store unchanged) by the reference source, and
 * accepted by the same source with mutant m: the check this test relies on
 * is the one the mutant removes. */
static void expect_refused_unless_mutant(scenario_fn fn, mm_mutant m, mm_err code) {
  harness h;
  h_init(&h, 0);
  expect_refused(&h, fn(&h), code);
  h_free(&h);
  h_init(&h, bit(m));
  mm_err r = run(&h, fn(&h));
  ck_assert_msg(r == MM_OK, "mutant %s: expected acceptance, got %s", mm_mutant_name(m),
                mm_err_name(r));
  h_free(&h);
}

/* ---- common steps ---- */

static void start_migration(harness *h, uint64_t now) {
  init_spec sp = spec_init(h);
  expect_ok(h, init_attempt(&sp, now));
  ck_assert_uint_eq(h->out.n, 0); /* nothing to send until the Commit */
  ck_assert_int_eq(status_of(h, GROUP), MM_GS_MIGRATING);
}

/* Keeps a copy of the MigrationContent in the outbox. */
static void capture_content(harness *h) {
  ck_assert_uint_eq(count_out(h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN), 1);
  buf_free(&h->content);
  h->content = buf_copy(out_body(h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN));
}

static void send_commit(harness *h, uint64_t now) {
  commit_spec c = spec_commit(h);
  buf_free(&h->commit);
  h->commit = make_commit(&c);
  expect_ok(h, commit_attempt(&c, now));
  capture_content(h);
}

static void complete_migration(harness *h, uint64_t now) {
  expect_ok(h, tmc_attempt(h, now));
  ck_assert_int_eq(status_of(h, GROUP), MM_GS_MIGRATED);
}

/* ======================= MigrationInit ======================= */

/* The valid MigrationInit is accepted: the group is migrating, the
 * migration and the nonce are durable, a retransmission changes nothing,
 * and a second migration of the group is busy. */
START_TEST(test_init_accepted) {
  harness h;
  h_init(&h, 0);
  buf before = snapshot(&h);
  start_migration(&h, T0);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_MIG), 1);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_NONCE), 1);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_CONTENT), 0);
  mm_group_info gi;
  ck_assert(mm_source_group(h.src, mm_view_str(GROUP), &gi));
  ck_assert(mm_view_eq_str(gi.client, ALICE));
  ck_assert_uint_eq(gi.epoch, EPOCH);
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + MM_HOLD_MS);
  buf_free(&before);

  /* NONCE-3: a byte-identical retransmission is not a replay. */
  init_spec sp = spec_init(&h);
  before = snapshot(&h);
  expect_ok(&h, init_attempt(&sp, T0 + 500));
  ck_assert_uint_eq(h.out.n, 0);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);

  /* LIFE-3: one migration at a time. */
  sp.sender = BOB;
  sp.init_key = h.leaf[1];
  sp.nonce = 0x22;
  expect_refused(&h, init_attempt(&sp, T0 + 600), MM_E_BUSY);
  h_free(&h);
}
END_TEST

static attempt sc_init_wrong_label(harness *h) {
  init_spec sp = spec_init(h);
  sp.init_label = "MigrationResponseTBS";
  return init_attempt(&sp, T0);
}

static attempt sc_init_other_member_key(harness *h) {
  init_spec sp = spec_init(h);
  sp.init_key = h->leaf[1]; /* bob's leaf key, alice's envelope */
  return init_attempt(&sp, T0);
}

static attempt sc_init_signer_other_member(harness *h) {
  init_spec sp = spec_init(h);
  sp.sender = BOB; /* bob sends what alice signed */
  return init_attempt(&sp, T0);
}

static attempt sc_init_other_suite_key(harness *h) {
  init_spec sp = spec_init(h);
  sp.init_key = h->alice_alt; /* alice's key, but for suite 3 */
  return init_attempt(&sp, T0);
}

START_TEST(test_init_bad_signature) {
  expect_refused_unless_mutant(sc_init_wrong_label, MM_MUT_SKIP_INIT_SIG, MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_init_other_member_key, MM_MUT_SKIP_INIT_SIG, MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_init_signer_other_member, MM_MUT_SKIP_INIT_SIG,
                               MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_init_other_suite_key, MM_MUT_SKIP_INIT_SIG, MM_E_BAD_SIGNATURE);
}
END_TEST

static attempt sc_response_by_third(harness *h) {
  init_spec sp = spec_init(h);
  sp.resp_key = h->third_key[h->suite];
  return init_attempt(&sp, T0);
}

static attempt sc_response_by_source(harness *h) {
  init_spec sp = spec_init(h);
  sp.resp_key = h->src_key[h->suite];
  return init_attempt(&sp, T0);
}

static attempt sc_response_wrong_label(harness *h) {
  init_spec sp = spec_init(h);
  sp.resp_label = "MigrationInitTBS";
  return init_attempt(&sp, T0);
}

static attempt sc_response_other_suite_key(harness *h) {
  init_spec sp = spec_init(h);
  sp.resp_key = h->tgt_key[3]; /* the target's key, for suite 3 */
  return init_attempt(&sp, T0);
}

START_TEST(test_init_bad_response) {
  expect_refused_unless_mutant(sc_response_by_third, MM_MUT_SKIP_RESPONSE_SIG, MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_response_by_source, MM_MUT_SKIP_RESPONSE_SIG, MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_response_wrong_label, MM_MUT_SKIP_RESPONSE_SIG,
                               MM_E_BAD_SIGNATURE);
  expect_refused_unless_mutant(sc_response_other_suite_key, MM_MUT_SKIP_RESPONSE_SIG,
                               MM_E_BAD_SIGNATURE);
}
END_TEST

static attempt sc_non_member(harness *h) {
  init_spec sp = spec_init(h);
  sp.sender = MALLORY;
  sp.init_key = h->outsider;
  return init_attempt(&sp, T0);
}

START_TEST(test_init_non_member) {
  expect_refused_unless_mutant(sc_non_member, MM_MUT_SKIP_MEMBER_CHECK, MM_E_NOT_MEMBER);
  /* A DS identity is no member either. */
  harness h;
  h_init(&h, 0);
  init_spec sp = spec_init(&h);
  sp.sender = THIRD_DOMAIN;
  expect_refused(&h, init_attempt(&sp, T0), MM_E_NOT_MEMBER);
  h_free(&h);
  /* With the mutant, the outsider's migration runs all the way. */
  h_init(&h, bit(MM_MUT_SKIP_MEMBER_CHECK));
  expect_ok(&h, sc_non_member(&h));
  commit_spec c = spec_commit(&h);
  c.sender = MALLORY;
  expect_ok(&h, commit_attempt(&c, T0 + 1));
  capture_content(&h);
  complete_migration(&h, T0 + 2);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_CONFIRMATION, MALLORY), 1);
  h_free(&h);
}
END_TEST

typedef struct policy_seen {
  int calls;
  char client[64], group[64], peer[64];
} policy_seen;

static bool refuse_all(void *ctx, mm_view client, mm_view group_id, mm_view peer) {
  policy_seen *p = ctx;
  p->calls++;
  view_cstr(client, p->client, sizeof p->client);
  view_cstr(group_id, p->group, sizeof p->group);
  view_cstr(peer, p->peer, sizeof p->peer);
  return false;
}

START_TEST(test_init_policy_refuses) {
  harness h;
  h_init(&h, 0);
  h.deny[0] = ALICE;
  h.cfg.policy = (mm_policy){.kind = MM_POLICY_DEFAULT, .deny = h.deny};
  init_spec sp = spec_init(&h);
  expect_refused(&h, init_attempt(&sp, T0), MM_E_UNAUTHORIZED);
  /* The deny list names alice only. */
  sp.sender = BOB;
  sp.init_key = h.leaf[1];
  expect_ok(&h, init_attempt(&sp, T0));
  h_free(&h);

  /* A custom policy sees the client, the group and the target. */
  h_init(&h, 0);
  policy_seen seen = {0};
  h.cfg.policy = (mm_policy){.kind = MM_POLICY_CUSTOM, .allow = refuse_all, .ctx = &seen};
  sp = spec_init(&h);
  expect_refused(&h, init_attempt(&sp, T0), MM_E_UNAUTHORIZED);
  ck_assert_int_eq(seen.calls, 1);
  ck_assert_str_eq(seen.client, ALICE);
  ck_assert_str_eq(seen.group, GROUP);
  ck_assert_str_eq(seen.peer, TGT_DOMAIN);
  h_free(&h);
}
END_TEST

/* AUTHZ-2: the default source policy lets any member migrate. */
START_TEST(test_init_default_policy_allows_members) {
  for (int m = 0; m < 3; m++) {
    harness h;
    h_init(&h, 0);
    init_spec sp = spec_init(&h);
    sp.sender = member_ids[m];
    sp.init_key = h.leaf[m];
    expect_ok(&h, init_attempt(&sp, T0));
    ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
    h_free(&h);
  }
}
END_TEST

static attempt sc_wrong_source_domain(harness *h) {
  init_spec sp = spec_init(h);
  sp.source = THIRD_DOMAIN;
  return init_attempt(&sp, T0);
}

START_TEST(test_init_wrong_domain) {
  expect_refused_unless_mutant(sc_wrong_source_domain, MM_MUT_SKIP_DOMAIN_CHECK, MM_E_WRONG_DOMAIN);
  harness h;
  h_init(&h, 0);
  /* Source and target names equal. */
  init_spec sp = spec_init(&h);
  sp.target = SRC_DOMAIN;
  expect_refused(&h, init_attempt(&sp, T0), MM_E_WRONG_DOMAIN);
  /* A target with no published key (KEY-1). */
  sp = spec_init(&h);
  sp.target = "unknown.example";
  expect_refused(&h, init_attempt(&sp, T0), MM_E_WRONG_DOMAIN);
  h_free(&h);
}
END_TEST

static attempt sc_stale_epoch(harness *h) {
  init_spec sp = spec_init(h);
  sp.epoch = EPOCH - 1;
  return init_attempt(&sp, T0);
}

START_TEST(test_init_stale_epoch) {
  expect_refused_unless_mutant(sc_stale_epoch, MM_MUT_SKIP_EPOCH_CHECK, MM_E_STALE_EPOCH);
  harness h;
  h_init(&h, 0);
  init_spec sp = spec_init(&h);
  sp.epoch = EPOCH + 1;
  expect_refused(&h, init_attempt(&sp, T0), MM_E_STALE_EPOCH);
  /* After an ordinary Commit the old epoch is stale and the new one good. */
  commit_spec oc = spec_ordinary(&h);
  expect_ok(&h, commit_attempt(&oc, T0));
  sp = spec_init(&h);
  expect_refused(&h, init_attempt(&sp, T0 + 1), MM_E_STALE_EPOCH);
  sp.epoch = EPOCH + 1;
  expect_ok(&h, init_attempt(&sp, T0 + 2));
  h_free(&h);
}
END_TEST

START_TEST(test_init_unknown_group) {
  harness h;
  h_init(&h, 0);
  init_spec sp = spec_init(&h);
  sp.gid = "group-9999";
  expect_refused(&h, init_attempt(&sp, T0), MM_E_UNKNOWN_GROUP);
  h_free(&h);
}
END_TEST

START_TEST(test_init_suite_mismatch) {
  harness h;
  h_init(&h, 0);
  /* Suite 3 is supported by the source, but the group is suite 1. */
  init_spec sp = spec_init(&h);
  sp.env_suite = 3;
  expect_refused(&h, init_attempt(&sp, T0), MM_E_UNSUPPORTED_CIPHERSUITE);
  /* Suite 5: the source has no key at all. The body is not even decoded
   * (its signatures are Ed25519), the suite is refused first. */
  sp.env_suite = 1;
  buf init = make_init(&sp);
  buf e = raw_envelope(MM_MSG_MIGRATION_INIT, 5, ALICE, bview(init));
  buf before = snapshot(&h);
  mm_outbox_clear(&h.out);
  ck_assert_int_eq(mm_source_handle(h.src, e.p, e.n, T0, &h.out), MM_E_UNSUPPORTED_CIPHERSUITE);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_UNSUPPORTED_CIPHERSUITE);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
  buf_free(&e);
  buf_free(&init);
  h_free(&h);
}
END_TEST

/* NONCE-3: GROUP's migration used nonce 0x11; a MigrationInit for GROUP2
 * (a target-signed response for that group) with the same nonce. */
static attempt sc_nonce_reused(harness *h) {
  start_migration(h, T0);
  init_spec sp = spec_init(h);
  sp.gid = GROUP2;
  return init_attempt(&sp, T0 + 10);
}

START_TEST(test_init_nonce_reused) {
  expect_refused_unless_mutant(sc_nonce_reused, MM_MUT_ACCEPT_REUSED_NONCE, MM_E_NONCE_REUSED);
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  tick(&h, T0 + MM_HOLD_MS); /* no Commit: aborted */
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  /* The retransmitted MigrationInit gets the outcome again... */
  init_spec sp = spec_init(&h);
  expect_refused(&h, init_attempt(&sp, T0 + MM_HOLD_MS + 1), MM_E_BAD_COMMIT);
  /* ...another MigrationInit with the nonce is a replay... */
  sp.sender = BOB;
  sp.init_key = h.leaf[1];
  expect_refused(&h, init_attempt(&sp, T0 + MM_HOLD_MS + 2), MM_E_NONCE_REUSED);
  /* ...and a fresh nonce starts a new migration. */
  sp.nonce = 0x44;
  expect_ok(&h, init_attempt(&sp, T0 + MM_HOLD_MS + 3));
  h_free(&h);
}
END_TEST

/* ======================= the migration Commit ======================= */

static attempt sc_commit_wrong_target(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_commit(h);
  c.aad_target = THIRD_DOMAIN;
  return commit_attempt(&c, T0 + 10);
}

static attempt sc_commit_wrong_epoch(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_commit(h);
  c.epoch = EPOCH + 1;
  return commit_attempt(&c, T0 + 10);
}

static attempt sc_commit_application(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_commit(h);
  c.content_type = MM_CONTENT_APPLICATION;
  return commit_attempt(&c, T0 + 10);
}

static attempt sc_commit_names_source(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_commit(h);
  c.aad_target = SRC_DOMAIN;
  return commit_attempt(&c, T0 + 10);
}

/* An AAD that is a MigrationCommitAAD plus one byte does not decode
 * exactly: an ordinary Commit, busy while the migration owns the epoch. */
static attempt sc_commit_trailing_aad(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_commit(h);
  c.aad = AAD_TRAILING;
  return commit_attempt(&c, T0 + 10);
}

START_TEST(test_commit_checks) {
  expect_refused_unless_mutant(sc_commit_wrong_target, MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  expect_refused_unless_mutant(sc_commit_wrong_epoch, MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  expect_refused_unless_mutant(sc_commit_application, MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  expect_refused_unless_mutant(sc_commit_names_source, MM_MUT_SKIP_COMMIT_CHECK, MM_E_BAD_COMMIT);
  expect_refused_unless_mutant(sc_commit_trailing_aad, MM_MUT_SKIP_COMMIT_CHECK, MM_E_BUSY);

  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  commit_spec c = spec_commit(&h);
  c.gid = "group-9999";
  expect_refused(&h, commit_attempt(&c, T0 + 1), MM_E_UNKNOWN_GROUP);
  c = spec_commit(&h);
  c.sender = MALLORY;
  expect_refused(&h, commit_attempt(&c, T0 + 2), MM_E_NOT_MEMBER);
  c = spec_commit(&h);
  c.env_suite = 3;
  expect_refused(&h, commit_attempt(&c, T0 + 3), MM_E_UNSUPPORTED_CIPHERSUITE);
  /* After all that, the right Commit still completes the pair. */
  send_commit(&h, T0 + 4);
  ck_assert_uint_eq(h.out.n, 1);
  /* Its retransmission changes nothing; another Commit is busy. */
  buf before = snapshot(&h);
  c = spec_commit(&h);
  expect_ok(&h, commit_attempt(&c, T0 + 5));
  ck_assert_uint_eq(h.out.n, 0);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
  c.salt = 0x77;
  expect_refused(&h, commit_attempt(&c, T0 + 6), MM_E_BUSY);
  h_free(&h);

  /* A PublicMessage Commit is read the same way (framing only). */
  h_init(&h, 0);
  start_migration(&h, T0);
  c = spec_commit(&h);
  c.wire_format = MM_WIRE_PUBLIC;
  expect_ok(&h, commit_attempt(&c, T0 + 1));
  capture_content(&h);
  h_free(&h);
}
END_TEST

/* A migration Commit naming another group is that group's business: it
 * waits there for a MigrationInit that never comes, and GROUP's migration
 * is aborted when its own Commit does not come. */
START_TEST(test_commit_other_group) {
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  commit_spec c = spec_commit(&h);
  c.gid = GROUP2;
  expect_ok(&h, commit_attempt(&c, T0 + 1));
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_CONTENT), 0);
  tick(&h, T0 + 1 + MM_HOLD_MS);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_ERROR, ALICE), 2);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_int_eq(status_of(&h, GROUP2), MM_GS_ACTIVE);
  ck_assert_uint_eq(epoch_of(&h, GROUP2), EPOCH);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  h_free(&h);
}
END_TEST

/* LIFE-4: the Commit first, then the MigrationInit. */
START_TEST(test_commit_before_init) {
  harness h;
  h_init(&h, 0);
  commit_spec c = spec_commit(&h);
  buf before = snapshot(&h);
  expect_ok(&h, commit_attempt(&c, T0));
  ck_assert_uint_eq(h.out.n, 0);
  buf after = snapshot(&h);
  assert_same(before, after); /* held in volatile memory only */
  buf_free(&before);
  buf_free(&after);
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + MM_HOLD_MS);
  /* A retransmission is held once. */
  expect_ok(&h, commit_attempt(&c, T0 + 100));
  init_spec sp = spec_init(&h);
  expect_ok(&h, init_attempt(&sp, T0 + 5000));
  capture_content(&h); /* the pair is complete: content goes out at once */
  ck_assert_uint_eq(h.out.n, 1);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + 5000 + MM_RETRANSMIT_MS);
  h_free(&h);

  /* A held Commit that does not fit the MigrationInit is refused, and the
   * migration waits for the right one. */
  h_init(&h, 0);
  c = spec_commit(&h);
  c.aad_target = THIRD_DOMAIN;
  expect_ok(&h, commit_attempt(&c, T0));
  sp = spec_init(&h);
  expect_ok(&h, init_attempt(&sp, T0 + 10));
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_BAD_COMMIT);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_CONTENT), 0);
  send_commit(&h, T0 + 20);
  h_free(&h);
}
END_TEST

/* LIFE-4: a Commit whose MigrationInit never comes is refused after 10 s. */
START_TEST(test_commit_without_init) {
  harness h;
  h_init(&h, 0);
  commit_spec c = spec_commit(&h);
  expect_ok(&h, commit_attempt(&c, T0));
  tick(&h, T0 + MM_HOLD_MS - 1);
  ck_assert_uint_eq(h.out.n, 0);
  tick(&h, T0 + MM_HOLD_MS);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_BAD_COMMIT);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH);
  /* An Init now waits for a Commit of its own. */
  init_spec sp = spec_init(&h);
  expect_ok(&h, init_attempt(&sp, T0 + MM_HOLD_MS + 1));
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_CONTENT), 0);
  h_free(&h);

  /* Commits that cannot fit any migration are not held at all. */
  h_init(&h, 0);
  c = spec_commit(&h);
  c.epoch = EPOCH - 1;
  expect_refused(&h, commit_attempt(&c, T0), MM_E_BAD_COMMIT);
  c = spec_commit(&h);
  c.content_type = MM_CONTENT_PROPOSAL;
  expect_refused(&h, commit_attempt(&c, T0), MM_E_BAD_COMMIT);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  h_free(&h);
}
END_TEST

/* ======================= ordinary traffic ======================= */

/* With any one allocation failing, an ordinary Commit is taken whole (fanned
 * out to all three members, epoch saved, reported) or not at all (nothing
 * queued, epoch and events as before): members never see a Commit the DS
 * forgot. Allocation-failure injection: suites/alloc_count.h. */
START_TEST(test_ordinary_commit_all_or_nothing) {
  for (size_t nth = 1;; nth++) {
    harness h;
    h_init(&h, 0);
    commit_spec c = spec_ordinary(&h);
    attempt a = commit_attempt(&c, T0);
    buf env = make_env(&a);
    size_t events = count_events(&h, MM_EV_COMMIT_ACCEPTED);
    mm_outbox_clear(&h.out);
    mm_alloc_fail_arm(nth, false);
    mm_err r = mm_source_handle(h.src, env.p, env.n, T0, &h.out);
    size_t failed = mm_alloc_fail_disarm();
    if (r == MM_OK) {
      ck_assert_uint_eq(h.out.n, 3);
      ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH + 1);
      ck_assert_uint_eq(count_events(&h, MM_EV_COMMIT_ACCEPTED), events + 1);
    } else {
      ck_assert_msg(failed && r == MM_E_NOMEM, "request %zu: %s", nth, mm_err_name(r));
      ck_assert_uint_eq(h.out.n, 0);
      ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH);
      ck_assert_uint_eq(count_events(&h, MM_EV_COMMIT_ACCEPTED), events);
    }
    buf_free(&env);
    buf_free(&a.body);
    h_free(&h);
    if (!failed) break; /* past the last request the step makes */
  }
}
END_TEST

START_TEST(test_ordinary_traffic) {
  harness h;
  h_init(&h, 0);
  commit_spec c = spec_ordinary(&h);
  buf sent = make_commit(&c);
  expect_ok(&h, commit_attempt(&c, T0));
  ck_assert_uint_eq(h.out.n, 3);
  for (int m = 0; m < 3; m++) {
    ck_assert_uint_eq(count_out(&h, MM_MSG_MLS_MESSAGE, member_ids[m]), 1);
    ck_assert(mm_view_eq(out_body(&h, MM_MSG_MLS_MESSAGE, member_ids[m]), bview(sent)));
  }
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH + 1);
  const ev_rec *ev = last_event(&h, MM_EV_COMMIT_ACCEPTED);
  ck_assert_ptr_nonnull(ev);
  ck_assert_uint_eq(ev->epoch, EPOCH);
  ck_assert_str_eq(ev->group, GROUP);
  ck_assert_uint_gt(ev->detail_len, 0);
  buf_free(&sent);
  /* The same epoch again is stale. */
  expect_refused(&h, commit_attempt(&c, T0 + 1), MM_E_STALE_EPOCH);
  /* Application messages are fanned out and leave the epoch alone. */
  c.epoch = EPOCH + 1;
  c.content_type = MM_CONTENT_APPLICATION;
  expect_ok(&h, commit_attempt(&c, T0 + 2));
  ck_assert_uint_eq(count_out(&h, MM_MSG_MLS_MESSAGE, NULL), 3);
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH + 1);
  c = spec_ordinary(&h);
  c.sender = MALLORY;
  expect_refused(&h, commit_attempt(&c, T0 + 3), MM_E_NOT_MEMBER);
  h_free(&h);
}
END_TEST

static attempt sc_commit_during_migration(harness *h) {
  start_migration(h, T0);
  commit_spec c = spec_ordinary(h);
  return commit_attempt(&c, T0 + 10);
}

START_TEST(test_commit_busy_during_migration) {
  expect_refused_unless_mutant(sc_commit_during_migration, MM_MUT_COMMITS_DURING_MIGRATION,
                               MM_E_BUSY);
  /* After MigrationContent too; application traffic still flows. */
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  send_commit(&h, T0 + 1);
  commit_spec c = spec_ordinary(&h);
  expect_refused(&h, commit_attempt(&c, T0 + 2), MM_E_BUSY);
  c.content_type = MM_CONTENT_APPLICATION;
  expect_ok(&h, commit_attempt(&c, T0 + 3));
  ck_assert_uint_eq(count_out(&h, MM_MSG_MLS_MESSAGE, NULL), 3);
  h_free(&h);
}
END_TEST

/* LIFE-3: no Commit 10 s after the MigrationInit: abort before any
 * MigrationContent, serve on at the old epoch. */
START_TEST(test_abort_without_commit) {
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + MM_HOLD_MS);
  tick(&h, T0 + MM_HOLD_MS - 1);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  tick(&h, T0 + MM_HOLD_MS);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_BAD_COMMIT);
  ck_assert_uint_eq(count_events(&h, MM_EV_MIGRATION_ABORTED), 1);
  ck_assert_str_eq(last_event(&h, MM_EV_MIGRATION_ABORTED)->peer, TGT_DOMAIN);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_MIG), 0);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_NONCE), 1); /* stays used */
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  commit_spec c = spec_ordinary(&h);
  expect_ok(&h, commit_attempt(&c, T0 + MM_HOLD_MS + 1));
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH + 1);
  ck_assert_uint_eq(count_events(&h, MM_EV_GROUP_RELEASED), 0);
  h_free(&h);
}
END_TEST

/* ======================= TargetMigrationComplete ======================= */

/* Init and Commit are in; the content went to the target. */
static void to_content(harness *h) {
  start_migration(h, T0);
  send_commit(h, T0 + 1);
}

static attempt tmc_signed(harness *h, const mm_key *k, const char *label, const char *sender) {
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = content_hash(h, hash);
  buf body = make_tmc(k, label, mm_view_of(hash, n));
  return (attempt){MM_MSG_TARGET_MIGRATION_COMPLETE, h->suite, sender, body, T0 + 2};
}

/* Refused, and nothing of the completion happened: no fan-out, no
 * confirmation (expect_refused allows only the error), still migrating. */
static void expect_tmc_refused(harness *h, attempt a, mm_err code) {
  expect_refused(h, a, code);
  ck_assert_uint_eq(count_out(h, MM_MSG_MIGRATION_COMMIT, NULL), 0);
  ck_assert_uint_eq(count_out(h, MM_MSG_MIGRATION_CONFIRMATION, NULL), 0);
  ck_assert_int_eq(status_of(h, GROUP), MM_GS_MIGRATING);
  ck_assert_uint_eq(count_events(h, MM_EV_GROUP_RELEASED), 0);
}

START_TEST(test_tmc_bad_signature) {
  harness h;
  h_init(&h, 0);
  to_content(&h);
  const char *good = "TargetMigrationCompleteTBS";
  expect_tmc_refused(&h, tmc_signed(&h, h.tgt_key[1], "MigrationContentTBS", TGT_DOMAIN),
                     MM_E_BAD_SIGNATURE);
  expect_tmc_refused(&h, tmc_signed(&h, h.third_key[1], good, TGT_DOMAIN), MM_E_BAD_SIGNATURE);
  expect_tmc_refused(&h, tmc_signed(&h, h.src_key[1], good, TGT_DOMAIN), MM_E_BAD_SIGNATURE);
  expect_tmc_refused(&h, tmc_signed(&h, h.tgt_key[3], good, TGT_DOMAIN), MM_E_BAD_SIGNATURE);
  /* A third DS, with its own valid signature, is not the target. */
  expect_tmc_refused(&h, tmc_signed(&h, h.third_key[1], good, THIRD_DOMAIN), MM_E_WRONG_DOMAIN);
  /* A client cannot answer for the target. */
  expect_tmc_refused(&h, tmc_signed(&h, h.tgt_key[1], good, ALICE), MM_E_BAD_SIGNATURE);
  /* The real answer still completes. */
  complete_migration(&h, T0 + 3);
  h_free(&h);
}
END_TEST

/* The hash of a MigrationContent that differs in its last byte. */
static attempt sc_tmc_hash_mismatch(harness *h) {
  to_content(h);
  buf other = buf_copy(bview(h->content));
  other.p[other.n - 1] ^= 1;
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = 0;
  ck_assert_int_eq(mm_ref_hash(h->suite, REF_LABEL, other.p, other.n, hash, &n), MM_OK);
  buf_free(&other);
  buf body = make_tmc(h->tgt_key[h->suite], "TargetMigrationCompleteTBS", mm_view_of(hash, n));
  return (attempt){MM_MSG_TARGET_MIGRATION_COMPLETE, h->suite, TGT_DOMAIN, body, T0 + 2};
}

START_TEST(test_tmc_hash_mismatch) {
  expect_refused_unless_mutant(sc_tmc_hash_mismatch, MM_MUT_SKIP_HASH_CHECK, MM_E_HASH_MISMATCH);
  harness h;
  h_init(&h, 0);
  expect_tmc_refused(&h, sc_tmc_hash_mismatch(&h), MM_E_HASH_MISMATCH);
  /* The hash over the content without the RefHash label (HASH-1). */
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = 0;
  ck_assert_int_eq(mm_hash(h.suite, h.content.p, h.content.n, hash, &n), MM_OK);
  buf body = make_tmc(h.tgt_key[1], "TargetMigrationCompleteTBS", mm_view_of(hash, n));
  expect_tmc_refused(&h, (attempt){MM_MSG_TARGET_MIGRATION_COMPLETE, 1, TGT_DOMAIN, body, T0 + 3},
                     MM_E_HASH_MISMATCH);
  h_free(&h);
}
END_TEST

/* With the mutant, a mismatching answer is taken and the group leaves. */
START_TEST(test_tmc_hash_mutant_completes) {
  harness h;
  h_init(&h, bit(MM_MUT_SKIP_HASH_CHECK));
  expect_ok(&h, sc_tmc_hash_mismatch(&h));
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATED);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_COMMIT, NULL), 3);
  h_free(&h);
}
END_TEST

/* What the source sent the target: the response as received, the group
 * state at epoch + 1 with every member and the payload, signed (SIG-3). */
static void check_content(const harness *h, const mm_key *src_key) {
  mm_limits lim = mm_limits_default(h->suite);
  mm_migration_content mc;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_CONTENT, h->content.p, h->content.n, &lim, &mc, NULL),
                   MM_OK);
  const mm_migration_request *rq = &mc.migration_response.migration_request;
  ck_assert(mm_view_eq_str(rq->source_domain_name, SRC_DOMAIN));
  ck_assert(mm_view_eq_str(rq->target_domain_name, TGT_DOMAIN));
  ck_assert(mm_view_eq_str(rq->group_id, GROUP));
  ck_assert_uint_eq(rq->epoch, EPOCH);
  ck_assert(verify_tbs(src_key, "MigrationContentTBS", MM_T_MIGRATION_CONTENT, &mc, mc.signature));
  ck_assert(
      !verify_tbs(src_key, "MigrationConfirmationTBS", MM_T_MIGRATION_CONTENT, &mc, mc.signature));
  mm_group_state gs;
  ck_assert_int_eq(mm_group_state_decode(mc.group_state.data, mc.group_state.len, &lim, &gs, NULL),
                   MM_OK);
  ck_assert_uint_eq(gs.cipher_suite, h->suite);
  ck_assert(mm_view_eq_str(gs.group_id, GROUP));
  ck_assert_uint_eq(gs.epoch, EPOCH + 1);
  ck_assert_uint_eq(gs.member_count, 3);
  for (uint32_t i = 0; i < 3; i++) {
    mm_member m;
    ck_assert(mm_group_state_find(&gs, mm_view_str(member_ids[i]), &m));
    ck_assert_uint_eq(m.leaf_index, i);
    ck_assert(mm_view_eq(m.signature_key, mm_key_public(h->leaf[i])));
  }
  ck_assert_uint_eq(gs.ds_payload.len, 1000);
  for (size_t i = 0; i < gs.ds_payload.len; i++)
    ck_assert_uint_eq(gs.ds_payload.data[i], (uint8_t)(i * 7 + 3));
}

/* The MigrationConfirmation to alice: signed by the source (SIG-5), the
 * response's nonce (NONCE-4), the target and the group (DOM-4). */
static void check_confirmation(const harness *h, const mm_key *src_key, uint8_t nonce_byte) {
  ck_assert_uint_eq(count_out(h, MM_MSG_MIGRATION_CONFIRMATION, NULL), 1);
  mm_view body = out_body(h, MM_MSG_MIGRATION_CONFIRMATION, ALICE);
  mm_limits lim = mm_limits_default(h->suite);
  mm_migration_confirmation mc;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_CONFIRMATION, body.data, body.len, &lim, &mc, NULL),
                   MM_OK);
  uint8_t nonce[MM_NONCE_LEN];
  memset(nonce, nonce_byte, sizeof nonce);
  ck_assert(mm_view_eq(mc.nonce, mm_view_of(nonce, sizeof nonce)));
  ck_assert(mm_view_eq_str(mc.domain_name, TGT_DOMAIN));
  ck_assert(mm_view_eq_str(mc.group_id, GROUP));
  ck_assert(verify_tbs(src_key, "MigrationConfirmationTBS", MM_T_MIGRATION_CONFIRMATION, &mc,
                       mc.signature));
  ck_assert(
      !verify_tbs(src_key, "MigrationContentTBS", MM_T_MIGRATION_CONFIRMATION, &mc, mc.signature));
}

START_TEST(test_tmc_valid_completes) {
  harness h;
  h_init(&h, 0);
  to_content(&h);
  check_content(&h, h.src_key[1]);
  size_t nonces = mm_store_count(h.store, SRC_NS_NONCE);
  complete_migration(&h, T0 + 2);
  /* LIFE-1: the migration Commit, as sent, to every member, committer too. */
  ck_assert_uint_eq(h.out.n, 4);
  for (int m = 0; m < 3; m++) {
    ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_COMMIT, member_ids[m]), 1);
    ck_assert(mm_view_eq(out_body(&h, MM_MSG_MIGRATION_COMMIT, member_ids[m]), bview(h.commit)));
  }
  check_confirmation(&h, h.src_key[1], 0x11);
  /* Observed: the Commit for EPOCH, and the release to the target. */
  const ev_rec *ev = last_event(&h, MM_EV_COMMIT_ACCEPTED);
  ck_assert_ptr_nonnull(ev);
  ck_assert_uint_eq(ev->epoch, EPOCH);
  ck_assert_str_eq(ev->peer, ALICE);
  ev = last_event(&h, MM_EV_GROUP_RELEASED);
  ck_assert_ptr_nonnull(ev);
  ck_assert_str_eq(ev->peer, TGT_DOMAIN);
  ck_assert_uint_eq(ev->epoch, EPOCH + 1);
  /* A tombstone remains; the state and the migration are gone, the nonce stays. */
  mm_group_info gi;
  ck_assert(mm_source_group(h.src, mm_view_str(GROUP), &gi));
  ck_assert_int_eq(gi.status, MM_GS_MIGRATED);
  ck_assert(mm_view_eq_str(gi.peer, TGT_DOMAIN));
  ck_assert_uint_eq(gi.epoch, EPOCH + 1);
  ck_assert(!mm_store_get(h.store, SRC_NS_STATE, mm_view_str(GROUP), NULL));
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_MIG), 0);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_CONTENT), 0);
  ck_assert_uint_eq(mm_store_count(h.store, SRC_NS_NONCE), nonces);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  /* The other group is untouched. */
  ck_assert_int_eq(status_of(&h, GROUP2), MM_GS_ACTIVE);
  h_free(&h);
}
END_TEST

/* LIFE-2: after the confirmation, no traffic: group_migrated naming the
 * target. A duplicate answer from the target is harmless. */
START_TEST(test_tombstone) {
  harness h;
  h_init(&h, 0);
  to_content(&h);
  complete_migration(&h, T0 + 2);
  init_spec sp = spec_init(&h);
  expect_refused(&h, init_attempt(&sp, T0 + 3), MM_E_GROUP_MIGRATED);
  mm_view body = out_body(&h, MM_MSG_MIGRATION_ERROR, ALICE);
  mm_migration_error me;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_ERROR, body.data, body.len, NULL, &me, NULL), MM_OK);
  ck_assert(mm_view_eq_str(me.detail, TGT_DOMAIN));
  commit_spec c = spec_commit(&h);
  expect_refused(&h, commit_attempt(&c, T0 + 4), MM_E_GROUP_MIGRATED);
  c = spec_ordinary(&h);
  c.epoch = EPOCH + 1;
  expect_refused(&h, commit_attempt(&c, T0 + 5), MM_E_GROUP_MIGRATED);
  buf before = snapshot(&h);
  expect_ok(&h, tmc_attempt(&h, T0 + 6));
  ck_assert_uint_eq(h.out.n, 0);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
  /* It survives a restart, and the group ID stays taken. */
  h_restart(&h);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATED);
  expect_refused(&h, commit_attempt(&c, T0 + 7), MM_E_GROUP_MIGRATED);
  mm_group_state g = {MM_GROUP_STATE_VERSION, 1, mm_view_str(GROUP), 1,
                      mm_view_of(NULL, 0),    0, mm_view_of(NULL, 0)};
  ck_assert_int_eq(mm_source_add_group(h.src, &g, NULL, 0), MM_E_GROUP_EXISTS);
  h_free(&h);
}
END_TEST

/* ======================= retransmission ======================= */

/* LIFE-5: MigrationContent again, byte for byte, after 1, 2, 4, 8, 16,
 * 16 ... s, until the answer; a MigrationError from the target does not
 * stop it (no abort after content, GAP-1). */
START_TEST(test_content_retransmission) {
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  send_commit(&h, T0 + 100);
  uint64_t sent = T0 + 100;
  static const uint64_t gaps[] = {1000, 2000, 4000, 8000, 16000, 16000, 16000};
  for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
    uint64_t due = sent + gaps[i];
    ck_assert_uint_eq(mm_source_next_timer(h.src), due);
    tick(&h, due - 1);
    ck_assert_uint_eq(h.out.n, 0);
    tick(&h, due);
    ck_assert_uint_eq(h.out.n, 1);
    ck_assert(mm_view_eq(out_body(&h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN), bview(h.content)));
    sent = due;
    if (i == 2) {
      mm_migration_error me = {MM_E_UNKNOWN_NONCE, mm_view_str("no such nonce")};
      attempt a = {MM_MSG_MIGRATION_ERROR, 1, TGT_DOMAIN, encode(MM_T_MIGRATION_ERROR, &me), due};
      expect_ok(&h, a);
      ck_assert_uint_eq(h.out.n, 0);
    }
  }
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  complete_migration(&h, sent + 5);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  h_free(&h);
}
END_TEST

/* A retransmission rebuilds the content with the signature first made: the
 * same bytes, no signing, also after a restart (the signature is durable). */
START_TEST(test_content_retransmission_signs_nothing) {
  harness h;
  h_init(&h, 0);
  mm_crypto_stats before, after;
  to_content(&h);
  mm_crypto_stats_get(&before);
  tick(&h, T0 + 1 + 1000);
  ck_assert_uint_eq(h.out.n, 1);
  ck_assert(mm_view_eq(out_body(&h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN), bview(h.content)));
  h_restart(&h);
  tick(&h, T0 + 1 + 3000);
  ck_assert_uint_ge(h.out.n, 1);
  ck_assert(mm_view_eq(out_body(&h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN), bview(h.content)));
  mm_crypto_stats_get(&after);
  ck_assert_uint_eq(mm_crypto_stats_diff(&after, &before).signs, 0);
  h_free(&h);
}
END_TEST

/* A configured bound stops the retransmissions (tests only); the group
 * stays migrating and a late answer still completes it. */
START_TEST(test_content_retransmission_bound) {
  harness h;
  h_init(&h, 0);
  h.cfg.max_content_retransmits = 2;
  to_content(&h);
  tick(&h, T0 + 1 + 1000);
  tick(&h, T0 + 1 + 3000);
  ck_assert_uint_eq(h.out.n, 1);
  tick(&h, T0 + 1 + 7000);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  complete_migration(&h, T0 + 600000);
  h_free(&h);
}
END_TEST

/* Long after MigrationContent, still no other Commit (GAP-1): the mutant
 * that gives up after three retransmissions serves on instead. */
static attempt sc_abort_after_content(harness *h) {
  to_content(h);
  for (uint64_t t = T0 + 1000; t <= T0 + 60000; t += 1000) tick(h, t);
  commit_spec c = spec_ordinary(h);
  return commit_attempt(&c, T0 + 60001);
}

START_TEST(test_no_abort_after_content) {
  expect_refused_unless_mutant(sc_abort_after_content, MM_MUT_ABORT_AFTER_CONTENT, MM_E_BUSY);
  harness h;
  h_init(&h, bit(MM_MUT_ABORT_AFTER_CONTENT));
  to_content(&h);
  for (uint64_t t = T0 + 1000; t <= T0 + 60000; t += 1000) tick(&h, t);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_uint_eq(count_events(&h, MM_EV_MIGRATION_ABORTED), 1);
  h_free(&h);
}
END_TEST

/* LIFE-1, LIFE-2: with Init and Commit in, only the content goes out;
 * the early mutants fan out or confirm at that point already. */
START_TEST(test_nothing_early) {
  harness h;
  h_init(&h, 0);
  to_content(&h);
  ck_assert_uint_eq(h.out.n, 1);
  ck_assert_uint_eq(count_events(&h, MM_EV_COMMIT_ACCEPTED), 0);
  h_free(&h);

  h_init(&h, bit(MM_MUT_EARLY_FANOUT));
  to_content(&h);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_COMMIT, NULL), 3);
  h_free(&h);

  h_init(&h, bit(MM_MUT_EARLY_CONFIRM));
  to_content(&h);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_CONFIRMATION, ALICE), 1);
  h_free(&h);
}
END_TEST

/* ======================= crash and restart ======================= */

START_TEST(test_restart_each_phase) {
  harness h;
  h_init(&h, 0);
  /* Installed groups come back. */
  h_restart(&h);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_uint_eq(epoch_of(&h, GROUP), EPOCH);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  /* Waiting for the Commit: still migrating, with its deadline. */
  start_migration(&h, T0);
  h_restart(&h);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + MM_HOLD_MS);
  commit_spec oc = spec_ordinary(&h);
  expect_refused(&h, commit_attempt(&oc, T0 + 1), MM_E_BUSY);
  init_spec sp = spec_init(&h);
  expect_ok(&h, init_attempt(&sp, T0 + 2)); /* retransmission: same outcome */
  send_commit(&h, T0 + 3);
  /* Content sent: retransmitted right away, byte for byte. */
  h_restart(&h);
  ck_assert_uint_eq(mm_source_next_timer(h.src), 0);
  tick(&h, T0 + 4);
  ck_assert(mm_view_eq(out_body(&h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN), bview(h.content)));
  ck_assert_uint_eq(mm_source_next_timer(h.src), T0 + 4 + 2000);
  /* The answer after another crash completes the migration. */
  h_restart(&h);
  complete_migration(&h, T0 + 5);
  check_confirmation(&h, h.src_key[1], 0x11);
  h_restart(&h);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATED);
  ck_assert_uint_eq(mm_source_next_timer(h.src), MM_NO_TIMER);
  h_free(&h);
}
END_TEST

/* A restart while waiting keeps the durable deadline: abort on time. The
 * Commit held before its Init is volatile (allowed): after a crash the
 * client's retransmission brings it again. */
START_TEST(test_restart_timers) {
  harness h;
  h_init(&h, 0);
  start_migration(&h, T0);
  h_restart(&h);
  tick(&h, T0 + MM_HOLD_MS);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_BAD_COMMIT);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  h_free(&h);

  h_init(&h, 0);
  commit_spec c = spec_commit(&h);
  expect_ok(&h, commit_attempt(&c, T0));
  h_restart(&h);
  init_spec sp = spec_init(&h);
  expect_ok(&h, init_attempt(&sp, T0 + 1));
  ck_assert_uint_eq(h.out.n, 0);
  send_commit(&h, T0 + 2);
  h_free(&h);
}
END_TEST

static attempt sc_forget_migration(harness *h) {
  start_migration(h, T0);
  h_restart(h);
  commit_spec c = spec_ordinary(h);
  return commit_attempt(&c, T0 + 1);
}

static attempt sc_forget_nonce(harness *h) {
  start_migration(h, T0);
  tick(h, T0 + MM_HOLD_MS);
  h_restart(h);
  init_spec sp = spec_init(h);
  sp.gid = GROUP2;
  return init_attempt(&sp, T0 + MM_HOLD_MS + 1);
}

static attempt sc_forget_content(harness *h) {
  to_content(h);
  h_restart(h);
  return tmc_attempt(h, T0 + 10);
}

START_TEST(test_restart_mutant_forgets) {
  expect_refused_unless_mutant(sc_forget_migration, MM_MUT_FORGET_ON_CRASH, MM_E_BUSY);
  expect_refused_unless_mutant(sc_forget_nonce, MM_MUT_FORGET_ON_CRASH, MM_E_NONCE_REUSED);
  /* Reference: the answer after a crash completes; the mutant forgot. */
  harness h;
  h_init(&h, 0);
  expect_ok(&h, sc_forget_content(&h));
  h_free(&h);
  h_init(&h, bit(MM_MUT_FORGET_ON_CRASH));
  ck_assert_int_eq(run(&h, sc_forget_content(&h)), MM_E_HASH_MISMATCH);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  h_free(&h);
}
END_TEST

/* ======================= intake and installation ======================= */

START_TEST(test_intake) {
  harness h;
  h_init(&h, 0);
  buf before = snapshot(&h);
  /* A frame that does not decode is dropped: nobody to answer. */
  uint8_t junk[3] = {3, 0, 1};
  mm_outbox_clear(&h.out);
  ck_assert_int_eq(mm_source_handle(h.src, junk, sizeof junk, T0, &h.out), MM_E_MALFORMED);
  ck_assert_uint_eq(h.out.n, 0);
  /* A body that does not decode is answered malformed (ENC-2). */
  init_spec sp = spec_init(&h);
  buf init = make_init(&sp);
  buf longer = buf_copy(bview(init));
  longer.p = realloc(longer.p, longer.n + 1);
  longer.p[longer.n++] = 0;
  buf e = raw_envelope(MM_MSG_MIGRATION_INIT, 1, ALICE, bview(longer));
  ck_assert_int_eq(mm_source_handle(h.src, e.p, e.n, T0, &h.out), MM_E_MALFORMED);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_MALFORMED);
  buf_free(&e);
  buf_free(&longer);
  /* A message that is not for a source DS. */
  mm_outbox_clear(&h.out);
  mm_migration_request rq = {mm_view_str(SRC_DOMAIN), mm_view_str(TGT_DOMAIN), mm_view_str(GROUP),
                             EPOCH};
  attempt a = {MM_MSG_MIGRATION_REQUEST, 1, ALICE, encode(MM_T_MIGRATION_REQUEST, &rq), T0};
  ck_assert_int_eq(run(&h, a), MM_E_MALFORMED);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_MALFORMED);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
  buf_free(&init);
  h_free(&h);
}
END_TEST

/* ENC-4: a state over the bound is refused at installation. A large state
 * is stored once, and its MigrationContent once more (no other copies). */
START_TEST(test_group_state_storage) {
  harness h;
  h_init(&h, 0);
  h.env.max_group_state = 500;
  mm_member m = {mm_view_str(ALICE), 0, mm_key_public(h.leaf[0])};
  uint8_t payload[600] = {0};
  mm_group_state g = {MM_GROUP_STATE_VERSION, 1, mm_view_str("group-big"),           1,
                      mm_view_of(NULL, 0),    1, mm_view_of(payload, sizeof payload)};
  buf before = snapshot(&h);
  ck_assert_int_eq(mm_source_add_group(h.src, &g, &m, 1), MM_E_MALFORMED);
  buf after = snapshot(&h);
  assert_same(before, after);
  buf_free(&before);
  buf_free(&after);
  h_free(&h);

  h_init(&h, 0);
  const size_t big = 4u << 20;
  size_t bytes0 = mm_store_bytes(h.store);
  add_group(&h, "group-big", big);
  size_t bytes1 = mm_store_bytes(h.store);
  ck_assert_uint_ge(bytes1 - bytes0, big);
  ck_assert_uint_lt(bytes1 - bytes0, big + 1024);
  init_spec sp = spec_init(&h);
  sp.gid = "group-big";
  expect_ok(&h, init_attempt(&sp, T0));
  commit_spec c = spec_commit(&h);
  c.gid = "group-big";
  expect_ok(&h, commit_attempt(&c, T0 + 1));
  capture_content(&h);
  size_t bytes2 = mm_store_bytes(h.store);
  ck_assert_uint_ge(h.content.n, big);
  ck_assert_uint_lt(bytes2 - bytes1, h.content.n + 2048);
  expect_ok(&h, tmc_attempt(&h, T0 + 2));
  /* The state and the content are gone with the group. */
  ck_assert_uint_lt(mm_store_bytes(h.store), bytes0 + 2048);
  h_free(&h);
}
END_TEST

/* SUITE-1: the whole exchange in other suites (ECDSA P-256, Ed448,
 * ECDSA P-384): every signature and hash the suite's. */
START_TEST(test_other_suites) {
  static const uint16_t suites[] = {2, 4, 7};
  for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
    harness h;
    h_init_suite(&h, 0, suites[i]);
    to_content(&h);
    check_content(&h, h.src_key[suites[i]]);
    uint8_t hash[MM_MAX_HASH_LEN];
    ck_assert_uint_eq(content_hash(&h, hash), mm_suite_get(suites[i])->hash_len);
    /* Another DS's key of the suite does not count. */
    expect_tmc_refused(
        &h, tmc_signed(&h, h.third_key[suites[i]], "TargetMigrationCompleteTBS", TGT_DOMAIN),
        MM_E_BAD_SIGNATURE);
    complete_migration(&h, T0 + 3);
    check_confirmation(&h, h.src_key[suites[i]], 0x11);
    h_free(&h);
  }
}
END_TEST

/* ======================= the feature migration_refusal (docs/amendment.md) ======================= */

/* The feature at the source and declared by the target (AMD-1); the migration at content sent. */
static void amd_to_content(harness *h) {
  h->cfg.features = MM_FEAT_MIGRATION_REFUSAL;
  ck_assert_int_eq(mm_keydir_set_features(h->kd, TGT_DOMAIN, MM_FEAT_MIGRATION_REFUSAL), MM_OK);
  ck_assert_int_eq(mm_keydir_set_features(h->kd, THIRD_DOMAIN, MM_FEAT_MIGRATION_REFUSAL), MM_OK);
  to_content(h);
}

/* Delivers a MigrationRefusal made with these parts; out holds what the source sent. */
static MM_MUST_USE mm_err send_refusal(harness *h, const char *sender, const mm_key *k,
                                       const char *label, mm_view nonce, mm_view hash,
                                       uint16_t reason) {
  mm_migration_refusal r = {nonce, hash, reason, mm_view_of(NULL, 0)};
  buf sig = sign_tbs(k, label, MM_T_MIGRATION_REFUSAL, &r);
  r.signature = bview(sig);
  buf body = encode(MM_T_MIGRATION_REFUSAL, &r);
  size_t len;
  uint8_t *env = ah_wrap(MM_MSG_MIGRATION_REFUSAL, h->suite, sender, bview(body), &len);
  mm_outbox_clear(&h->out);
  mm_err e = mm_source_handle(h->src, env, len, T0 + 5, &h->out);
  free(env);
  buf_free(&sig);
  buf_free(&body);
  return e;
}

static mm_view content_nonce(const harness *h) {
  mm_migration_content mc;
  ck_assert_int_eq(mm_decode(MM_T_MIGRATION_CONTENT, h->content.p, h->content.n, NULL, &mc, NULL),
                   MM_OK);
  return mc.migration_response.nonce;
}

/* AMD-6, AMD-7: a valid refusal ends the migration: the client hears migration_refused, nothing
 * is fanned out, the group serves on at its epoch; a TargetMigrationComplete afterwards changes
 * nothing (AMD-8). */
START_TEST(test_amd_refusal_resumes) {
  harness h;
  h_init(&h, 0);
  amd_to_content(&h);
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = content_hash(&h, hash);
  ck_assert_int_eq(send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], "MigrationRefusalTBS",
                                content_nonce(&h), mm_view_of(hash, n), MM_RR_UNAUTHORIZED),
                   MM_OK);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_MIGRATION_REFUSED);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_COMMIT, NULL), 0);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_uint_eq(count_events(&h, MM_EV_GROUP_RELEASED), 0);
  /* AMD-7, NONCE-3: a retransmitted MigrationInit gets the same outcome */
  init_spec sp = spec_init(&h);
  mm_err ie = run(&h, init_attempt(&sp, T0 + 6));
  ck_assert_int_eq(ie, MM_E_MIGRATION_REFUSED);
  ck_assert_int_eq(out_error(&h, ALICE), MM_E_MIGRATION_REFUSED);
  /* AMD-8: the other answer afterwards does not move the group */
  mm_err e = run(&h, tmc_attempt(&h, T0 + 6));
  ck_assert_int_ne(e, MM_OK);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  ck_assert_uint_eq(count_out(&h, MM_MSG_MIGRATION_COMMIT, NULL), 0);
  h_free(&h);
}
END_TEST

/* AMD-6: a refusal that fails a check is dropped, unanswered, and changes nothing: from a third
 * DS, under another label, for another nonce, for another hash; and with a target that does not
 * declare the feature (AMD-1) a refusal is no message of the profile. */
START_TEST(test_amd_refusal_invalid_ignored) {
  harness h;
  h_init(&h, 0);
  amd_to_content(&h);
  uint8_t hash[MM_MAX_HASH_LEN], other[MM_NONCE_LEN];
  size_t n = content_hash(&h, hash);
  mm_view nonce = content_nonce(&h), hv = mm_view_of(hash, n);
  memset(other, 0x5a, sizeof other);
  uint8_t bad_hash[MM_MAX_HASH_LEN];
  memcpy(bad_hash, hash, n);
  bad_hash[0] ^= 1;
  const char *L = "MigrationRefusalTBS";
  ck_assert_int_eq(send_refusal(&h, THIRD_DOMAIN, h.third_key[1], L, nonce, hv, 1),
                   MM_E_WRONG_DOMAIN);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_eq(
      send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], "TargetMigrationCompleteTBS", nonce, hv, 1),
      MM_E_BAD_SIGNATURE);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_eq(send_refusal(&h, TGT_DOMAIN, h.third_key[1], L, nonce, hv, 1),
                   MM_E_BAD_SIGNATURE);
  ck_assert_int_eq(
      send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], L, mm_view_of(other, sizeof other), hv, 1),
      MM_E_UNKNOWN_NONCE);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_ne(send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], L, nonce, mm_view_of(bad_hash, n), 1),
                   MM_OK);
  ck_assert_uint_eq(h.out.n, 0);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  ck_assert_int_eq(mm_keydir_set_features(h.kd, TGT_DOMAIN, 0), MM_OK);
  ck_assert_int_eq(send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], L, nonce, hv, 1), MM_E_MALFORMED);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_MIGRATING);
  /* and the valid one still ends it */
  ck_assert_int_eq(mm_keydir_set_features(h.kd, TGT_DOMAIN, MM_FEAT_MIGRATION_REFUSAL), MM_OK);
  ck_assert_int_eq(send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], L, nonce, hv, 1), MM_OK);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  h_free(&h);
}
END_TEST

/* AMD-9: unanswered for 60 s, the source retransmits a signed MigrationWithdraw instead of the
 * content (not before), and the target's `withdrawn` refusal ends the migration. */
START_TEST(test_amd_withdraw_after_a_minute) {
  harness h;
  h_init(&h, 0);
  amd_to_content(&h);
  size_t withdrawals = 0, contents = 0;
  uint64_t first = 0;
  for (uint64_t t = T0 + 1000; t <= T0 + 120000; t += 500) {
    tick(&h, t);
    contents += count_out(&h, MM_MSG_MIGRATION_CONTENT, TGT_DOMAIN);
    size_t w = count_out(&h, MM_MSG_MIGRATION_WITHDRAW, TGT_DOMAIN);
    if (w && !withdrawals) first = t;
    withdrawals += w;
  }
  ck_assert_uint_gt(contents, 3);
  ck_assert_uint_gt(withdrawals, 0);
  ck_assert_uint_ge(first, T0 + 60000);
  uint8_t hash[MM_MAX_HASH_LEN];
  size_t n = content_hash(&h, hash);
  tick(&h, T0 + 200000);
  if (count_out(&h, MM_MSG_MIGRATION_WITHDRAW, TGT_DOMAIN)) {
    mm_view body = out_body(&h, MM_MSG_MIGRATION_WITHDRAW, TGT_DOMAIN);
    mm_migration_withdraw w;
    mm_limits lim = mm_limits_default(1);
    ck_assert_int_eq(mm_decode(MM_T_MIGRATION_WITHDRAW, body.data, body.len, &lim, &w, NULL),
                     MM_OK);
    ck_assert(mm_view_eq(w.migration_content_hash, mm_view_of(hash, n)));
    ck_assert(mm_view_eq(w.nonce, content_nonce(&h)));
    ck_assert(
        verify_tbs(h.src_key[1], "MigrationWithdrawTBS", MM_T_MIGRATION_WITHDRAW, &w, w.signature));
  }
  ck_assert_int_eq(send_refusal(&h, TGT_DOMAIN, h.tgt_key[1], "MigrationRefusalTBS",
                                content_nonce(&h), mm_view_of(hash, n), MM_RR_WITHDRAWN),
                   MM_OK);
  ck_assert_int_eq(status_of(&h, GROUP), MM_GS_ACTIVE);
  h_free(&h);
}
END_TEST

Suite *suite_source(void) {
  Suite *s = suite_create("source");
  TCase *tc = tcase_create("source");
  tcase_set_timeout(tc, 120);
  MM_ADD_TEST(tc, test_init_accepted, "SIG-1 SIG-2 KEY-2 AUTHZ-1 DOM-2 EPOCH-1 NONCE-3 LIFE-3");
  MM_ADD_TEST(tc, test_init_bad_signature, "SIG-2 KEY-2 SUITE-1");
  MM_ADD_TEST(tc, test_init_bad_response, "SIG-1 KEY-1 SUITE-1");
  MM_ADD_TEST(tc, test_init_non_member, "AUTHZ-1");
  MM_ADD_TEST(tc, test_init_policy_refuses, "AUTHZ-1");
  MM_ADD_TEST(tc, test_init_default_policy_allows_members, "AUTHZ-2");
  MM_ADD_TEST(tc, test_init_wrong_domain, "DOM-2 KEY-1");
  MM_ADD_TEST(tc, test_init_stale_epoch, "EPOCH-1");
  MM_ADD_TEST(tc, test_init_unknown_group, "GROUP-1");
  MM_ADD_TEST(tc, test_init_suite_mismatch, "SUITE-2");
  MM_ADD_TEST(tc, test_init_nonce_reused, "NONCE-3");
  MM_ADD_TEST(tc, test_commit_checks, "EPOCH-2 LIFE-3");
  MM_ADD_TEST(tc, test_commit_other_group, "EPOCH-2 LIFE-4");
  MM_ADD_TEST(tc, test_commit_before_init, "LIFE-4 EPOCH-2");
  MM_ADD_TEST(tc, test_commit_without_init, "LIFE-4");
  MM_ADD_TEST(tc, test_ordinary_traffic, "LIFE-3 INV-1");
  MM_ADD_TEST(tc, test_ordinary_commit_all_or_nothing, "LIFE-3 INV-1");
  MM_ADD_TEST(tc, test_commit_busy_during_migration, "LIFE-3 INV-1");
  MM_ADD_TEST(tc, test_abort_without_commit, "LIFE-3");
  MM_ADD_TEST(tc, test_tmc_bad_signature, "SIG-4 KEY-1 LIFE-1 LIFE-2");
  MM_ADD_TEST(tc, test_tmc_hash_mismatch, "HASH-1 HASH-2 LIFE-1 LIFE-2");
  MM_ADD_TEST(tc, test_tmc_hash_mutant_completes, "HASH-2");
  MM_ADD_TEST(tc, test_tmc_valid_completes, "SIG-3 SIG-5 NONCE-4 DOM-4 HASH-1 LIFE-1 LIFE-2 INV-1");
  MM_ADD_TEST(tc, test_tombstone, "LIFE-2 GROUP-1");
  MM_ADD_TEST(tc, test_content_retransmission, "LIFE-5");
  MM_ADD_TEST(tc, test_content_retransmission_bound, "LIFE-5");
  MM_ADD_TEST(tc, test_content_retransmission_signs_nothing, "LIFE-5 DUR-1");
  MM_ADD_TEST(tc, test_no_abort_after_content, "LIFE-5 INV-1");
  MM_ADD_TEST(tc, test_nothing_early, "LIFE-1 LIFE-2");
  MM_ADD_TEST(tc, test_restart_each_phase, "DUR-1 LIFE-5");
  MM_ADD_TEST(tc, test_restart_timers, "DUR-1 LIFE-3 LIFE-4");
  MM_ADD_TEST(tc, test_restart_mutant_forgets, "DUR-1 NONCE-3");
  MM_ADD_TEST(tc, test_intake, "ENC-2 SUITE-2");
  MM_ADD_TEST(tc, test_group_state_storage, "ENC-4");
  MM_ADD_TEST(tc, test_other_suites, "SUITE-1 SIG-3 SIG-4 SIG-5 HASH-1");
  suite_add_tcase(s, tc);
  tc = tcase_create("migration_refusal"); /* docs/amendment.md */
  MM_ADD_TEST(tc, test_amd_refusal_resumes, "AMD-6 AMD-7 AMD-8");
  MM_ADD_TEST(tc, test_amd_refusal_invalid_ignored, "AMD-1 AMD-6");
  MM_ADD_TEST(tc, test_amd_withdraw_after_a_minute, "AMD-9");
  suite_add_tcase(s, tc);
  return s;
}

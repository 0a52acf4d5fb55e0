/* Stateful: an arbitrary sequence of envelopes fed to a reference source DS
 * and a reference target DS, set up exactly as the simulator sets them up
 * (seed 1, same key labels, one hosted group of alice, bob and carol), so a
 * simulator transcript replays here envelope for envelope (fuzz/seeds.py
 * turns transcripts into seeds).
 *
 * Input: one config byte (suite, target policy), then records:
 *   op u8, delta u16 (ms the clock moves first; due timers then fire), and
 *   op&3 == 0: raw to the source:  len u16, envelope bytes
 *   op&3 == 1: raw to the target:  len u16, envelope bytes
 *   op&3 == 2: forward one envelope a DS emitted to the other DS: index u8
 *              (op&4: from the target's queue, else from the source's)
 *   op&3 == 3: op&4: restart the source, op&8: restart the target (DUR-1)
 * The transport authenticates senders (profile section 8), so a raw
 * envelope naming a DS as its sender is dropped: only what a DS really
 * emitted reaches the other DS as coming from it.
 *
 * Oracles after every step: INV-1 (no two different Commits accepted for
 * one group and epoch, by either DS), INV-2 (the target imports only a
 * state the source exported), INV-3 (an import is from the source, for a
 * client the target's policy allows), every emitted envelope is canonical,
 * and handle() answers input with a wire code, never a local failure. */
#include "ds/source/source_internal.h" /* store namespaces, to copy a hosting store */
#include "fuzz_common.h"
#include "mlsmig/ds.h"

int mm_fuzz_ds(const uint8_t *data, size_t len);

#define SRC "source.example"
#define TGT "target.example"
#define SEED 1
#define MEMBERS 3
#define PAYLOAD 64 /* `mlsmig sim --state-bytes 64` */
#define QUEUE 16
#define MAX_EVENTS 64
#define MAX_EXPORTS 8
#define MAX_TICKS 16
/* Records read from one input. A happy path takes about 20; each record
 * may cost a signature and a verification (a few ms in suites 5 and 7),
 * so without a cap a 3 KiB input of forwards took 2 s, and libFuzzer's
 * 10 s timeout fired on a loaded machine. */
#define MAX_STEPS 256

static const char *const member_ids[MEMBERS] = {"alice@" SRC, "bob@" SRC, "carol@" SRC};

/* ---- keys: generated once per process (deterministic, and slow) ---- */

static mm_key *ds_keys[2][MM_SUITE_COUNT + 1];
static mm_key *leaf_keys[MM_SUITE_COUNT + 1][MEMBERS];
static mm_keydir *keydir;

static mm_key *seeded_key(uint16_t suite, const char *label) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, SEED, label);
  mm_key *k = NULL;
  MM_FUZZ_CHECK(mm_key_generate(suite, &rng, &k) == MM_OK, "key generation");
  mm_rng_wipe(&rng);
  return k;
}

static void make_keys(void) {
  if (keydir) return;
  keydir = mm_keydir_new();
  MM_FUZZ_CHECK(keydir != NULL, "keydir");
  static const char *const domains[2] = {SRC, TGT};
  char label[64];
  for (int d = 0; d < 2; d++)
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) {
      snprintf(label, sizeof label, "key %s %u", domains[d], s);
      ds_keys[d][s] = seeded_key(s, label);
      mm_key *pub = NULL;
      MM_FUZZ_CHECK(mm_key_public_copy(ds_keys[d][s], &pub) == MM_OK, "public copy");
      MM_FUZZ_CHECK(mm_keydir_add(keydir, domains[d], pub) == MM_OK, "keydir add");
    }
  for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++)
    for (unsigned i = 0; i < MEMBERS; i++) {
      snprintf(label, sizeof label, "leaf %u", i);
      leaf_keys[s][i] = seeded_key(s, label);
    }
}

/* ---- one run ---- */

typedef struct blob {
  uint8_t *p;
  size_t n;
} blob;

typedef struct accepted {
  uint8_t group[MM_GROUP_ID_MAX];
  size_t group_len;
  uint64_t epoch;
  blob commit;
} accepted;

typedef struct world {
  uint16_t suite;
  mm_policy tgt_policy;
  mm_rng rng[2];
  mm_store *store[2];
  mm_env env[2];
  mm_ds_config cfg[2];
  mm_observer obs;
  mm_source *src;
  mm_target *tgt;
  uint64_t now;
  blob queue[2][QUEUE]; /* [0]: source -> target, [1]: target -> source */
  size_t queued[2];
  accepted acc[MAX_EVENTS];
  size_t n_acc;
  blob exports[MAX_EXPORTS]; /* group_state of every MigrationContent sent */
  size_t n_exports;
  bool imported;
} world;

static blob blob_copy(const uint8_t *p, size_t n) {
  blob b = {malloc(n ? n : 1), n};
  MM_FUZZ_CHECK(b.p != NULL, "allocation");
  if (n) memcpy(b.p, p, n);
  return b;
}

static bool blob_eq(blob b, mm_view v) {
  return b.n == v.len && (v.len == 0 || memcmp(b.p, v.data, v.len) == 0);
}

/* INV-1 as events arrive: one Commit per (group, epoch), whichever DS. */
static void note_commit(world *w, const mm_event *ev) {
  for (size_t i = 0; i < w->n_acc; i++) {
    accepted *a = &w->acc[i];
    if (a->epoch == ev->epoch && a->group_len == ev->group_id.len &&
        memcmp(a->group, ev->group_id.data, a->group_len) == 0) {
      MM_FUZZ_CHECK(blob_eq(a->commit, ev->detail),
                    "INV-1: two different Commits accepted for one epoch");
      return;
    }
  }
  if (w->n_acc == MAX_EVENTS || ev->group_id.len > MM_GROUP_ID_MAX) return;
  accepted *a = &w->acc[w->n_acc++];
  memcpy(a->group, ev->group_id.data, ev->group_id.len);
  a->group_len = ev->group_id.len;
  a->epoch = ev->epoch;
  a->commit = blob_copy(ev->detail.data, ev->detail.len);
}

/* INV-2 and INV-3 at the moment of the import. */
static void note_import(world *w, const mm_event *ev) {
  MM_FUZZ_CHECK(ev->actor && strcmp(ev->actor, TGT) == 0, "only the target imports");
  MM_FUZZ_CHECK(mm_view_eq_str(ev->peer, SRC), "INV-3: imported from the source only");
  bool exported = false;
  for (size_t i = 0; i < w->n_exports; i++) exported |= blob_eq(w->exports[i], ev->detail);
  MM_FUZZ_CHECK(exported, "INV-2: imported state is one the source exported");
  w->imported = true;
}

static void on_event(void *ctx, const mm_event *ev) {
  world *w = ctx;
  if (ev->kind == MM_EV_COMMIT_ACCEPTED)
    note_commit(w, ev);
  else if (ev->kind == MM_EV_GROUP_IMPORTED)
    note_import(w, ev);
}

/* The source's store once the simulator's group is added, made once per
 * suite and copied for each input: adding the group parses and validates
 * the members' leaf keys, which cost more than the rest of a short input
 * (the source touches no randomness, so the copy is exactly what adding
 * the group again would write). */
static mm_store *hosting[MM_SUITE_COUNT + 1];

static bool copy_record(void *ctx, mm_view key, mm_view val) {
  const char **ns = ctx;
  MM_FUZZ_CHECK(mm_store_put((mm_store *)ns[1], ns[0], key, val) == MM_OK, "store copy");
  return true;
}

static void copy_store(mm_store *to, const mm_store *from) {
  static const char *const spaces[] = {SRC_NS_GROUP,   SRC_NS_STATE, SRC_NS_MIG,
                                       SRC_NS_CONTENT, SRC_NS_HASH,  SRC_NS_NONCE};
  for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
    const char *ctx[2] = {spaces[i], (const char *)to};
    mm_store_each(from, spaces[i], copy_record, ctx);
  }
}

static const mm_store *hosting_store(uint16_t suite, const mm_ds_config *cfg) {
  if (hosting[suite]) return hosting[suite];
  mm_store *st = mm_store_new();
  mm_rng rng;
  mm_rng_init_seeded(&rng, SEED, SRC);
  mm_env env = {&rng, keydir, st, NULL, 0};
  mm_source *src;
  MM_FUZZ_CHECK(st && mm_source_new(cfg, &env, &src) == MM_OK, "hosting source");

  /* The simulator's group: ID, epoch and payload from its seeded streams. */
  uint8_t gid[16], payload[PAYLOAD];
  mm_rng g;
  mm_rng_init_seeded(&g, SEED, "group");
  MM_FUZZ_CHECK(mm_rng_fill(&g, gid, sizeof gid) == MM_OK, "group ID");
  uint64_t epoch = 1 + mm_rng_uniform(&g, 1000);
  mm_rng_init_seeded(&g, SEED, "payload");
  MM_FUZZ_CHECK(mm_rng_fill(&g, payload, sizeof payload) == MM_OK, "payload");
  mm_member m[MEMBERS];
  for (uint32_t i = 0; i < MEMBERS; i++)
    m[i] = (mm_member){mm_view_str(member_ids[i]), i, mm_key_public(leaf_keys[suite][i])};
  mm_group_state gs = {MM_GROUP_STATE_VERSION, suite,   mm_view_of(gid, sizeof gid),        epoch,
                       mm_view_of(NULL, 0),    MEMBERS, mm_view_of(payload, sizeof payload)};
  MM_FUZZ_CHECK(mm_source_add_group(src, &gs, m, MEMBERS) == MM_OK, "hosted group");
  mm_source_free(src);
  mm_rng_wipe(&rng);
  return hosting[suite] = st;
}

static void setup(world *w, uint8_t config) {
  memset(w, 0, sizeof *w);
  w->suite = (uint16_t)(1 + (config & 7) % MM_SUITE_COUNT);
  static const char *const deny[] = {"carol@" SRC, NULL};
  switch ((config >> 3) & 3) {
  case 1: w->tgt_policy = (mm_policy){.kind = MM_POLICY_DEFAULT, .deny = deny}; break;
  case 2: w->tgt_policy = (mm_policy){.kind = MM_POLICY_STRICT}; break;
  default: w->tgt_policy = (mm_policy){.kind = MM_POLICY_DEFAULT}; break;
  }
  w->obs = (mm_observer){on_event, w};
  static const char *const names[2] = {SRC, TGT};
  for (int d = 0; d < 2; d++) {
    w->store[d] = mm_store_new();
    MM_FUZZ_CHECK(w->store[d] != NULL, "store");
    mm_rng_init_seeded(&w->rng[d], SEED, names[d]);
    w->env[d] = (mm_env){&w->rng[d], keydir, w->store[d], &w->obs, 0};
    w->cfg[d].domain = names[d];
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) w->cfg[d].sign_keys[s] = ds_keys[d][s];
  }
  w->cfg[1].policy = w->tgt_policy;
  copy_store(w->store[0], hosting_store(w->suite, &w->cfg[0]));
  /* A source starting on a store that hosts the group, as after a restart. */
  MM_FUZZ_CHECK(mm_source_new(&w->cfg[0], &w->env[0], &w->src) == MM_OK, "source");
  MM_FUZZ_CHECK(mm_target_new(&w->cfg[1], &w->env[1], &w->tgt) == MM_OK, "target");
}

static void teardown(world *w) {
  mm_source_free(w->src);
  mm_target_free(w->tgt);
  for (int d = 0; d < 2; d++) {
    mm_store_free(w->store[d]);
    mm_rng_wipe(&w->rng[d]);
    for (size_t i = 0; i < w->queued[d] && i < QUEUE; i++) free(w->queue[d][i].p);
  }
  for (size_t i = 0; i < w->n_acc; i++) free(w->acc[i].commit.p);
  for (size_t i = 0; i < w->n_exports; i++) free(w->exports[i].p);
}

/* Every envelope a DS emits is canonical; DS-to-DS ones are queued for
 * forwarding, the source's MigrationContent states remembered (INV-2). */
static void take_output(world *w, int from, mm_outbox *out) {
  for (size_t i = 0; i < out->n; i++) {
    const mm_out_msg *o = &out->v[i];
    MM_FUZZ_CHECK(o->to && o->to[0], "output has a receiver");
    mm_limits lim = mm_limits_default(0);
    lim.max_group_state = UINT64_MAX;
    mm_envelope e;
    mm_derr err = {0};
    MM_FUZZ_CHECK(mm_decode(MM_T_ENVELOPE, o->env, o->len, &lim, &e, &err) == MM_OK,
                  "emitted envelope decodes");
    MM_FUZZ_CHECK(mm_view_eq_str(e.sender, w->cfg[from].domain), "emitted as itself");
    if (from == 0 && e.msg_type == MM_MSG_MIGRATION_CONTENT && w->n_exports < MAX_EXPORTS) {
      mm_migration_content c;
      lim.suite = e.cipher_suite;
      MM_FUZZ_CHECK(
          mm_decode(MM_T_MIGRATION_CONTENT, e.body.data, e.body.len, &lim, &c, &err) == MM_OK,
          "content decodes");
      bool seen = false; /* retransmissions carry the same state */
      for (size_t k = 0; k < w->n_exports; k++) seen |= blob_eq(w->exports[k], c.group_state);
      if (!seen) w->exports[w->n_exports++] = blob_copy(c.group_state.data, c.group_state.len);
    }
    if (strcmp(o->to, w->cfg[1 - from].domain) != 0) continue; /* to a client */
    blob *slot = &w->queue[from][w->queued[from] % QUEUE];
    if (w->queued[from] >= QUEUE) free(slot->p);
    *slot = blob_copy(o->env, o->len);
    w->queued[from]++;
  }
  mm_outbox_clear(out);
}

static void check_verdict(mm_err e) {
  MM_FUZZ_CHECK(e == MM_OK || mm_err_is_wire(e), "handle() answers with a wire code");
  MM_FUZZ_CHECK(e != MM_E_INTERNAL, "no internal error on input");
}

static void deliver(world *w, int to, const uint8_t *env, size_t len, mm_outbox *out) {
  mm_err e = to == 0 ? mm_source_handle(w->src, env, len, w->now, out)
                     : mm_target_handle(w->tgt, env, len, w->now, out);
  check_verdict(e);
  take_output(w, to, out);
}

static void run_timers(world *w, mm_outbox *out) {
  for (int i = 0; i < MAX_TICKS && mm_source_next_timer(w->src) <= w->now; i++) {
    check_verdict(mm_source_tick(w->src, w->now, out));
    take_output(w, 0, out);
  }
  for (int i = 0; i < MAX_TICKS && mm_target_next_timer(w->tgt) <= w->now; i++) {
    check_verdict(mm_target_tick(w->tgt, w->now, out));
    take_output(w, 1, out);
  }
}

/* The sender field of an envelope, if the bytes get that far. */
static bool sender_of(const uint8_t *p, size_t n, mm_view *sender) {
  mm_derr err;
  mm_reader r;
  uint8_t t;
  uint16_t s;
  mm_reader_init(&r, p, n, &err);
  return mm_read_u8(&r, &t) && mm_read_u16(&r, &s) && mm_read_vec(&r, sender);
}

static void restart(world *w, int d) {
  if (d == 0) {
    mm_source_free(w->src);
    MM_FUZZ_CHECK(mm_source_new(&w->cfg[0], &w->env[0], &w->src) == MM_OK, "source restart");
  } else {
    mm_target_free(w->tgt);
    MM_FUZZ_CHECK(mm_target_new(&w->cfg[1], &w->env[1], &w->tgt) == MM_OK, "target restart");
  }
}

/* INV-3 on the target's record of the group it imported. */
static void check_imports(world *w) {
  if (!w->imported) return;
  uint8_t gid[16];
  mm_rng g;
  mm_rng_init_seeded(&g, SEED, "group");
  MM_FUZZ_CHECK(mm_rng_fill(&g, gid, sizeof gid) == MM_OK, "group ID");
  mm_group_info ti;
  if (!mm_target_group(w->tgt, mm_view_of(gid, sizeof gid), &ti) || ti.client.len == 0) return;
  MM_FUZZ_CHECK(
      mm_policy_allows(&w->tgt_policy, TGT, ti.client, mm_view_of(gid, sizeof gid), ti.peer),
      "INV-3: imported for a client the policy allows");
  MM_FUZZ_CHECK(mm_view_eq_str(ti.peer, SRC), "INV-3: the group's source is the source");
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

int mm_fuzz_ds(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  make_keys();
  world w;
  setup(&w, data[0]);
  mm_outbox out;
  mm_outbox_init(&out);
  size_t i = 1;
  for (int steps = 0; steps < MAX_STEPS && len - i >= 3; steps++) {
    uint8_t op = data[i];
    w.now += be16(data + i + 1);
    i += 3;
    run_timers(&w, &out);
    switch (op & 3) {
    case 0:
    case 1: {
      if (len - i < 2) goto done;
      size_t n = be16(data + i);
      i += 2;
      if (n > len - i) n = len - i;
      mm_view sender;
      if (!sender_of(data + i, n, &sender) ||
          !(mm_view_eq_str(sender, SRC) || mm_view_eq_str(sender, TGT)))
        deliver(&w, op & 1, data + i, n, &out);
      i += n;
      break;
    }
    case 2: {
      if (len - i < 1) goto done;
      int from = op & 4 ? 1 : 0;
      size_t have = w.queued[from] < QUEUE ? w.queued[from] : QUEUE;
      size_t k = data[i++];
      if (have) {
        blob b = w.queue[from][w.queued[from] <= QUEUE ? k % have : (w.queued[from] + k) % QUEUE];
        uint8_t *copy = blob_copy(b.p, b.n).p; /* the queue may move under handle() */
        deliver(&w, 1 - from, copy, b.n, &out);
        free(copy);
      }
      break;
    }
    default:
      if (op & 4) restart(&w, 0);
      if (op & 8) restart(&w, 1);
      break;
    }
    check_imports(&w);
  }
done:
  mm_outbox_free(&out);
  teardown(&w);
  return 0;
}

MM_FUZZ_MAIN(ds)

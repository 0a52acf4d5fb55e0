/* A migration between the reference actors alone: one client per member, a
 * source DS and a target DS in this process, envelopes handed over directly
 * in send order (no simulator: no clock, no faults, no oracle). What it
 * costs is what mlsmig's actors cost (bench.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "mlsmig/client.h"
#include "mlsmig/ds.h"

#define SRC "source.example"
#define TGT "target.example"
#define MEMBERS 3

typedef struct queued {
  char *to;
  uint8_t *env;
  size_t len;
} queued;

struct bench_world {
  uint16_t suite;
  mm_rng rng[2 + MEMBERS];
  mm_key *ds_key[2], *leaf[MEMBERS];
  mm_keydir *keys;
  mm_store *store[2];
  mm_env env[2 + MEMBERS];
  mm_ds_config cfg[2];
  mm_source *src;
  mm_target *tgt;
  char name[MEMBERS][32];
  mm_client_config ccfg[MEMBERS];
  mm_client *cli[MEMBERS];
  uint8_t group_id[16];
  queued *q;
  size_t head, n, cap;
};

static MM_MUST_USE mm_err make_key(uint16_t suite, uint64_t seed, const char *label, mm_key **out) {
  mm_rng r;
  mm_rng_init_seeded(&r, seed, label);
  mm_err e = mm_key_generate(suite, &r, out);
  mm_rng_wipe(&r);
  return e;
}

/* DS-specific bytes: any will do, so a cheap generator fills them. */
static void fill(uint8_t *p, size_t n, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (uint8_t)x;
  }
}

static MM_MUST_USE mm_err install(bench_world *w, uint64_t seed, uint64_t state_bytes) {
  uint8_t *payload = malloc(state_bytes ? state_bytes : 1);
  if (!payload) return MM_E_NOMEM;
  fill(payload, state_bytes, seed);
  mm_member m[MEMBERS];
  for (unsigned i = 0; i < MEMBERS; i++)
    m[i] = (mm_member){mm_view_str(w->name[i]), i, mm_key_public(w->leaf[i])};
  mm_group_state g = {MM_GROUP_STATE_VERSION,
                      w->suite,
                      mm_view_of(w->group_id, sizeof w->group_id),
                      1,
                      mm_view_of(NULL, 0),
                      MEMBERS,
                      mm_view_of(payload, state_bytes)};
  mm_err e = mm_source_add_group(w->src, &g, m, MEMBERS);
  free(payload); /* the source holds the state now */
  return e;
}

mm_err bench_world_new(uint16_t suite, uint64_t seed, uint64_t state_bytes, bench_world **out) {
  bench_world *w = calloc(1, sizeof *w);
  if (!w) return MM_E_NOMEM;
  *out = w;
  w->suite = suite;
  fill(w->group_id, sizeof w->group_id, seed + 1);
  static const char *names[MEMBERS] = {"alice", "bob", "carol"};
  static const char *domains[2] = {SRC, TGT};
  w->keys = mm_keydir_new();
  mm_err e = w->keys ? MM_OK : MM_E_NOMEM;
  for (int d = 0; e == MM_OK && d < 2; d++) {
    mm_key *pub;
    e = make_key(suite, seed, domains[d], &w->ds_key[d]);
    if (e == MM_OK) e = mm_key_public_copy(w->ds_key[d], &pub);
    if (e == MM_OK) e = mm_keydir_add(w->keys, domains[d], pub);
    if (e == MM_OK && !(w->store[d] = mm_store_new())) e = MM_E_NOMEM;
    if (e != MM_OK) break;
    mm_rng_init_seeded(&w->rng[d], seed, domains[d]);
    w->env[d] = (mm_env){&w->rng[d], w->keys, w->store[d], NULL, 0};
    w->cfg[d].domain = domains[d];
    w->cfg[d].sign_keys[suite] = w->ds_key[d];
  }
  for (unsigned i = 0; e == MM_OK && i < MEMBERS; i++) {
    snprintf(w->name[i], sizeof w->name[i], "%s@%s", names[i], SRC);
    e = make_key(suite, seed, w->name[i], &w->leaf[i]);
    mm_rng_init_seeded(&w->rng[2 + i], seed, w->name[i]);
    w->env[2 + i] = (mm_env){&w->rng[2 + i], w->keys, NULL, NULL, 0};
    w->ccfg[i] = (mm_client_config){
        w->name[i],      w->leaf[i], suite, mm_view_of(w->group_id, sizeof w->group_id), 1, i, SRC,
        MM_WIRE_PRIVATE, 0,          {0}};
    if (e == MM_OK) e = mm_client_new(&w->ccfg[i], &w->env[2 + i], &w->cli[i]);
  }
  if (e == MM_OK) e = mm_source_new(&w->cfg[0], &w->env[0], &w->src);
  if (e == MM_OK) e = mm_target_new(&w->cfg[1], &w->env[1], &w->tgt);
  if (e == MM_OK) e = install(w, seed, state_bytes);
  return e;
}

void bench_world_free(bench_world *w) {
  if (!w) return;
  for (size_t i = w->head; i < w->n; i++) {
    free(w->q[i].to);
    free(w->q[i].env);
  }
  free(w->q);
  for (unsigned i = 0; i < MEMBERS; i++) {
    mm_client_free(w->cli[i]);
    mm_key_free(w->leaf[i]);
  }
  mm_source_free(w->src);
  mm_target_free(w->tgt);
  for (int i = 0; i < 2 + MEMBERS; i++) mm_rng_wipe(&w->rng[i]);
  for (int d = 0; d < 2; d++) {
    mm_store_free(w->store[d]);
    mm_key_free(w->ds_key[d]);
  }
  mm_keydir_free(w->keys);
  free(w);
}

/* Takes the outbox's messages (no copy) into the queue. */
static MM_MUST_USE mm_err take(bench_world *w, mm_outbox *out) {
  for (size_t i = 0; i < out->n; i++) {
    if (w->n == w->cap) {
      size_t cap = w->cap ? 2 * w->cap : 32;
      queued *nq = realloc(w->q, cap * sizeof *nq);
      if (!nq) return MM_E_NOMEM;
      w->q = nq;
      w->cap = cap;
    }
    w->q[w->n++] = (queued){out->v[i].to, out->v[i].env, out->v[i].len};
    out->v[i].to = NULL;
    out->v[i].env = NULL;
  }
  mm_outbox_clear(out);
  return MM_OK;
}

/* The target may keep the envelope it is handed (the imported state stays
 * where it arrived): m->env is NULL then. Returns the receiver's verdict. */
static MM_MUST_USE mm_err deliver(bench_world *w, queued *m, uint64_t now, mm_outbox *out) {
  if (strcmp(m->to, SRC) == 0) return mm_source_handle(w->src, m->env, m->len, now, out);
  if (strcmp(m->to, TGT) == 0) return mm_target_handle_owned(w->tgt, &m->env, m->len, now, out);
  for (unsigned i = 0; i < MEMBERS; i++)
    if (strcmp(m->to, w->name[i]) == 0)
      return mm_client_handle(w->cli[i], m->env, m->len, now, out);
  return MM_OK;
}

mm_err bench_world_migrate(bench_world *w, bool *completed) {
  mm_outbox out;
  mm_outbox_init(&out);
  uint64_t now = 1000;
  mm_err e = mm_client_migrate(w->cli[0], TGT, now, &out);
  bool refused = false; /* a refusal on the happy path: not the path measured */
  if (e == MM_OK) e = take(w, &out);
  while (e == MM_OK && w->head < w->n) {
    queued m = w->q[w->head++];
    mm_err v = deliver(w, &m, ++now, &out);
    if (mm_err_is_local(v)) e = v; /* out of memory is no verdict: the bench fails */
    refused |= v != MM_OK;
    free(m.to);
    free(m.env);
    if (e == MM_OK) e = take(w, &out);
  }
  mm_outbox_free(&out);
  mm_group_info gi;
  *completed = e == MM_OK && !refused && mm_client_get_status(w->cli[0]).phase == MM_CP_DONE &&
               mm_target_group(w->tgt, mm_view_of(w->group_id, sizeof w->group_id), &gi) &&
               gi.status == MM_GS_ACTIVE;
  return e;
}

/* Exhaustive exploration: every placement of up to K faults. A placement
 * is a fault kind on one envelope of a run (by send order: drop,
 * duplicate, delay, corrupt, truncate, replay later, misroute), or a crash
 * of the source, the target or the client, or a clock jump, before one
 * delivery of the run. Level 1 places one fault on the happy path; level 2
 * places a second one after the first, on the run the first one caused
 * (its retries included); and so on. Each placement is ordered by where it
 * acts (send order, then step, then kind), and a later fault is always
 * placed after the earlier one, so every set of faults is tried once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/search.h"

/* Where a placement acts, for ordering: (2*seq+1) for an envelope,
 * (2*sends before the step) for a step; then the step; then the kind. */
typedef struct place_key {
  size_t pos, step, sub;
} place_key;

typedef struct placement {
  mm_fault f;
  place_key key;
} placement;

static int key_cmp(place_key a, place_key b) {
  if (a.pos != b.pos) return a.pos < b.pos ? -1 : 1;
  if (a.step != b.step) return a.step < b.step ? -1 : 1;
  if (a.sub != b.sub) return a.sub < b.sub ? -1 : 1;
  return 0;
}

/* Corrupt twice: the middle of the body (the state, a nonce) and its last
 * byte (the signature of every signed message). */
static const mm_fault_kind net_kinds[] = {MM_FAULT_DROP,    MM_FAULT_DUPLICATE, MM_FAULT_DELAY,
                                          MM_FAULT_CORRUPT, MM_FAULT_CORRUPT,   MM_FAULT_TRUNCATE,
                                          MM_FAULT_REPLAY,  MM_FAULT_MISROUTE};
#define N_NET (sizeof net_kinds / sizeof net_kinds[0])
#define N_STEP_KINDS 4 /* crash source, target, client; clock jump */

/* Every placement of one fault on the run a trace describes, after `after`. */
static placement *placements(const mm_fault_run *fr, size_t steps, const place_key *after,
                             size_t *n) {
  size_t cap = fr->n_sends * N_NET + (steps + 1) * N_STEP_KINDS + 1;
  placement *v = calloc(cap, sizeof *v);
  *n = 0;
  if (!v) return NULL;
  for (size_t i = 0; i < fr->n_sends; i++)
    for (size_t k = 0; k < N_NET; k++) {
      placement p = {mm_fault_make(net_kinds[k]), {2 * fr->sends[i].seq + 1, 0, k}};
      p.f.by_seq = true;
      p.f.seq = fr->sends[i].seq;
      p.f.bit_end = k == 4;
      if (!after || key_cmp(p.key, *after) > 0) v[(*n)++] = p;
    }
  /* before each delivery, and once after the last (a crash at the end) */
  for (size_t step = 1; step <= steps + 1; step++) {
    size_t before = step - 1 < fr->n_steps ? fr->sends_before_step[step - 1] : fr->n_sends;
    for (size_t k = 0; k < N_STEP_KINDS; k++) {
      placement p = {mm_fault_make(k < 3 ? MM_FAULT_CRASH : MM_FAULT_CLOCK_JUMP),
                     {2 * before, step, k}};
      p.f.step = step;
      if (k < 3) p.f.role = k == 0 ? MM_ROLE_SOURCE : k == 1 ? MM_ROLE_TARGET : MM_ROLE_CLIENT;
      if (!after || key_cmp(p.key, *after) > 0) v[(*n)++] = p;
    }
  }
  return v;
}

typedef struct explore_ctx {
  const mm_explore_opts *o;
  const mm_search_hooks *h;
  mm_search_stats *st;
  const mm_sim *donor;
  bool stop;
} explore_ctx;

/* Runs sc; with depth left, explores every later placement on its run. */
static MM_MUST_USE mm_err visit(explore_ctx *c, mm_scenario *sc, const place_key *last,
                                unsigned depth) {
  mm_fault_run fr;
  mm_sc_run_opts ro = {.key_donor = c->donor, .trace = depth > 0, .fault_run = &fr};
  mm_sc_result res;
  mm_err e = mm_scenario_run(sc, &ro, &res);
  if (e != MM_OK) return e;
  if (sc->faults.n > 0) { /* the happy path itself is not a schedule */
    mm_search_count(c->st, sc, &res, c->h);
    if (c->h && c->h->progress) c->h->progress(c->h->ctx, c->st->runs, 0, c->st->violations);
    if (c->o->stop_at_first && c->st->violations) c->stop = true;
  }
  if (depth == 0 || c->stop) return MM_OK;
  size_t n;
  placement *ps = placements(&fr, res.steps, last, &n);
  mm_fault_run_free(&fr);
  if (!ps) return MM_E_NOMEM;
  for (size_t i = 0; i < n && !c->stop && e == MM_OK; i++) {
    /* the first level is what shards divide */
    if (sc->faults.n == 0 && c->o->shards > 1 && i % c->o->shards != c->o->shard) continue;
    sc->faults.f[sc->faults.n++] = ps[i].f;
    e = visit(c, sc, &ps[i].key, depth - 1);
    sc->faults.n--;
  }
  free(ps);
  return e;
}

mm_err mm_explore(const mm_explore_opts *o, const mm_search_hooks *h, mm_search_stats *st) {
  memset(st, 0, sizeof *st);
  if (o->max_faults == 0 || o->max_faults > MM_MAX_FAULTS ||
      (o->shards > 1 && o->shard >= o->shards))
    return MM_E_USAGE;
  mm_scenario sc;
  mm_scenario_happy(&sc, o->suite, o->seed);
  snprintf(sc.name, sizeof sc.name, "explore");
  snprintf(sc.about, sizeof sc.about, "The happy path with faults placed by an exploration.");
  sc.expect_result[0] = sc.expect_home[0] = '\0'; /* faults may change both */
  sc.mutants = o->mutants;
  sc.profile = o->profile;
  /* One set of keys for every run: they depend on the seed only. */
  mm_sim_config cfg = mm_scenario_sim_config(&sc, 0);
  mm_sim *donor;
  mm_err e = mm_sim_new(&cfg, &donor);
  if (e != MM_OK) return e;
  sc.external = o->external; /* the donor made its keys without it */
  explore_ctx c = {o, h, st, donor, false};
  e = visit(&c, &sc, NULL, o->max_faults);
  mm_sim_free(donor);
  return e;
}

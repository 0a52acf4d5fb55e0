/* Seeded random campaigns: run i of a campaign with seed S is the scenario
 * mm_campaign_scenario(S + i), a migration with 1..K random faults (and
 * in one run of two a race or an adversary), checked for INV-1..INV-5 and the
 * rules the oracle judges. Shards take every shards-th run, so M machines
 * with --shard 0/M .. M-1/M make exactly the runs of one machine. */
#include <stdio.h>
#include <string.h>

#include "explore/search.h"

void mm_violation_key(const mm_sc_result *r, char *buf, size_t len) {
  const mm_sim_outcome *o = &r->outcome;
  buf[0] = '\0';
  for (int i = 1; i <= 5; i++) {
    if (o->inv[i] != MM_INV_FAIL || (i == 5 && o->known_gap[0])) continue;
    snprintf(buf, len, "INV-%d", i);
    return;
  }
  if (o->rule_violation[0]) {
    const char *colon = strchr(o->rule_violation, ':');
    int n = colon ? (int)(colon - o->rule_violation) : (int)strlen(o->rule_violation);
    snprintf(buf, len, "%.*s", n, o->rule_violation);
  }
}

bool mm_is_violation(const mm_sc_result *r) {
  char key[32];
  mm_violation_key(r, key, sizeof key);
  return key[0] != '\0';
}

/* ---- one random run ---- */

static uint64_t pick(mm_rng *r, uint64_t bound) { return mm_rng_uniform(r, bound); }

static void random_network(mm_rng *r, mm_fault *f) {
  f->msg_type = (uint8_t)(1 + pick(r, 9));
  f->nth = (unsigned)(1 + pick(r, 3));
  switch (f->kind) {
  case MM_FAULT_DELAY: f->by_ms = 1 + pick(r, 20000); break;
  case MM_FAULT_REPLAY:
    f->after_ms = pick(r, 4) == 0 ? MM_FAULT_REPLAY_AFTER_MS : 1 + pick(r, 5000);
    break;
  case MM_FAULT_CORRUPT:
    if (pick(r, 8) == 0)
      f->suite = (uint16_t)(1 + pick(r, MM_SUITE_COUNT));
    else
      f->bit_set = true, f->bit = pick(r, 1u << 16);
    break;
  case MM_FAULT_TRUNCATE:
    f->keep_set = true;
    f->keep = pick(r, 200);
    break;
  default: break;
  }
}

static mm_fault random_fault(mm_rng *r) {
  /* the nine kinds, and a burst: a link drops a message type for a while */
  unsigned k = (unsigned)pick(r, MM_FAULT_KIND_COUNT + 1);
  bool burst = k == MM_FAULT_KIND_COUNT;
  mm_fault f = mm_fault_make(burst ? MM_FAULT_DROP : (mm_fault_kind)k);
  if (mm_fault_is_network(f.kind)) {
    random_network(r, &f);
    if (burst) {
      f.nth = 0;
      f.until = 1000 + pick(r, 60000);
    }
  } else {
    f.step = (size_t)(1 + pick(r, 20));
    if (f.kind == MM_FAULT_CRASH) {
      f.role = (mm_role)pick(r, 3);
      f.restart_ms = pick(r, 6) == 0 ? 400000 : 100 + pick(r, 30000);
    } else {
      f.by_ms = pick(r, 3) == 0 ? MM_FAULT_JUMP_MS : 1000 + pick(r, 30000);
    }
  }
  return f;
}

/* One race or adversary of the fault model, at a time that matters (the
 * happy path runs from 0 to 30 ms; retries go on for seconds). */
static void random_adversary(mm_rng *r, mm_scenario *sc) {
  mm_sc_action a = {.member = 1, .at = pick(r, 40)};
  switch (pick(r, 9)) {
  case 0: /* an ordinary Commit racing the migration (LIFE-3) */ a.kind = MM_SC_COMMIT; break;
  case 1: /* a policy that stops allowing the client (AUTHZ-3, AUTHZ-4) */
  case 2:
    a.kind = MM_SC_DENY;
    snprintf(a.domain, sizeof a.domain, "%s", pick(r, 2) ? MM_SIM_TARGET : MM_SIM_SOURCE);
    snprintf(a.identity, sizeof a.identity, "alice@%s", MM_SIM_SOURCE);
    break;
  case 3: /* the group ID gets taken at the target (GROUP-1) */ a.kind = MM_SC_CREATE_GROUP; break;
  case 4: /* a non-member asks to migrate (AUTHZ-1, GAP-3) */
    a.kind = MM_SC_OUTSIDER_MIGRATE;
    sc->outsider = true;
    break;
  case 5: /* a third DS pushes MigrationContent (DOM-3) */
    a.kind = MM_SC_THIRD_PUSH;
    a.at = 10 + pick(r, 30);
    sc->third_ds = true;
    break;
  case 6: /* a member reuses or forges a response (NONCE-3, SIG-1) */
    a.kind = MM_SC_ROGUE_INIT;
    a.forge = pick(r, 2);
    a.at = 10 + pick(r, 15000);
    break;
  case 7: /* the target acknowledges the wrong content (HASH-2) */
    a.kind = MM_SC_WRONG_ACK;
    a.at = 15 + pick(r, 30);
    break;
  default: /* another member migrates to another target */
    a.kind = MM_SC_MIGRATE;
    snprintf(a.domain, sizeof a.domain, "%s", MM_SIM_TARGET2);
    a.at = pick(r, 20);
    sc->second_target = true;
    break;
  }
  sc->actions[sc->n_actions++] = a;
}

void mm_campaign_scenario(uint64_t run_seed, uint16_t suite, unsigned max_faults, mm_scenario *sc) {
  mm_rng r;
  mm_rng_init_seeded(&r, run_seed, "campaign");
  mm_scenario_init(sc);
  snprintf(sc->name, sizeof sc->name, "campaign-%llu", (unsigned long long)run_seed);
  snprintf(sc->about, sizeof sc->about, "Run %llu of a campaign: random faults and adversaries.",
           (unsigned long long)run_seed);
  sc->seed = run_seed;
  sc->suite = suite ? suite : (uint16_t)(1 + pick(&r, MM_SUITE_COUNT));
  sc->actions[sc->n_actions++] = (mm_sc_action){.kind = MM_SC_MIGRATE, .domain = MM_SIM_TARGET};
  if (pick(&r, 2) == 0) random_adversary(&r, sc);
  size_t n = max_faults ? 1 + (size_t)pick(&r, max_faults) : 0;
  for (size_t i = 0; i < n && i < MM_MAX_FAULTS; i++)
    sc->faults.f[sc->faults.n++] = random_fault(&r);
  mm_rng_wipe(&r);
}

/* ---- the campaign ---- */

void mm_search_count(mm_search_stats *st, const mm_scenario *sc, const mm_sc_result *res,
                     const mm_search_hooks *h) {
  const char *r = res->outcome.result;
  st->runs++;
  st->completed += strcmp(r, "completed") == 0;
  st->aborted += strcmp(r, "aborted") == 0;
  st->stuck += strcmp(r, "stuck") == 0;
  st->refused += strcmp(r, "refused") == 0;
  if (mm_is_violation(res)) {
    st->violations++;
    if (!st->have_first) {
      st->have_first = true;
      st->first = *sc;
      st->first_result = *res;
    }
    if (h && h->on_violation) h->on_violation(h->ctx, sc, res);
  } else if (res->outcome.known_gap[0]) {
    st->known_gaps++;
    if (h && h->on_known_gap) h->on_known_gap(h->ctx, sc, res);
  }
}

mm_err mm_campaign(const mm_campaign_opts *o, const mm_search_hooks *h, mm_search_stats *st) {
  memset(st, 0, sizeof *st);
  unsigned shards = o->shards ? o->shards : 1;
  if (o->shard >= shards) return MM_E_USAGE;
  uint64_t planned = o->runs / shards + (o->shard < o->runs % shards);
  for (uint64_t i = o->shard; i < o->runs; i += shards) {
    mm_scenario sc;
    mm_campaign_scenario(o->seed + i, o->suite, o->max_faults, &sc);
    sc.mutants = o->mutants;
    sc.external = o->external;
    mm_sc_result res;
    mm_err e = mm_scenario_run(&sc, NULL, &res);
    if (e != MM_OK) return e;
    mm_search_count(st, &sc, &res, h);
    if (h && h->progress) h->progress(h->ctx, st->runs, planned, st->violations);
    if (o->stop_at_first && st->violations) break;
  }
  return MM_OK;
}

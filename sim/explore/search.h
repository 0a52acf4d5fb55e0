/* Searching for runs that break an invariant: seeded random campaigns
 * (campaign.c), exhaustive exploration of every placement of up to K
 * faults (explore.c), and shrinking a failing run to a minimal set of
 * faults (shrink.c). Every run is a scenario (scenario.h), so whatever a
 * search reports prints as a scenario file that replays it. Nothing here
 * reads the wall clock or keeps global state: the same options give the
 * same runs, counts and reports. */
#ifndef MLSMIG_SEARCH_H
#define MLSMIG_SEARCH_H

#include "explore/scenario.h"

/* What a search calls back with; all optional. */
typedef struct mm_search_hooks {
  /* after each run: done so far, total planned (0 if unknown), violations */
  void (*progress)(void *ctx, uint64_t done, uint64_t total, uint64_t violations);
  /* each violating run, before shrinking */
  void (*on_violation)(void *ctx, const mm_scenario *sc, const mm_sc_result *r);
  /* each run whose only failure is a known gap of the draft */
  void (*on_known_gap)(void *ctx, const mm_scenario *sc, const mm_sc_result *r);
  void *ctx;
} mm_search_hooks;

typedef struct mm_search_stats {
  uint64_t runs;       /* runs (schedules) made */
  uint64_t violations; /* runs that broke an invariant or a rule */
  uint64_t known_gaps; /* runs whose only failure is a known gap (GAP-1) */
  uint64_t completed, aborted, stuck, refused;
  bool have_first;
  mm_scenario first; /* the first violating run */
  mm_sc_result first_result;
} mm_search_stats;

/* The violation a run shows, e.g. "INV-1" or "SIG-2"; "" if none. */
void mm_violation_key(const mm_sc_result *r, char *buf, size_t len);
/* Does this run break an invariant or rule (a known gap alone is not)? */
bool mm_is_violation(const mm_sc_result *r);

/* Counts one run into st (and calls on_violation). */
void mm_search_count(mm_search_stats *st, const mm_scenario *sc, const mm_sc_result *res,
                     const mm_search_hooks *h);

/* ---- campaigns ---- */

typedef struct mm_campaign_opts {
  uint64_t runs; /* N: runs seed, seed+1, ..., seed+N-1 */
  uint64_t seed;
  uint16_t suite;         /* 0: each run draws its suite from its seed */
  unsigned max_faults;    /* each run draws 1..max_faults faults */
  unsigned shard, shards; /* run i belongs to shard i mod shards */
  mm_mutants mutants;
  bool stop_at_first;
  const mm_sim_external *external; /* see mm_scenario; NULL: the reference DSes */
} mm_campaign_opts;

/* The random scenario of one campaign run: everything follows from
 * run_seed (its sim seed too), so `--campaign 1 --seed run_seed` replays it. */
void mm_campaign_scenario(uint64_t run_seed, uint16_t suite, unsigned max_faults, mm_scenario *out);
MM_MUST_USE mm_err mm_campaign(const mm_campaign_opts *o, const mm_search_hooks *h,
                               mm_search_stats *st);

/* ---- exhaustive exploration ---- */

typedef struct mm_explore_opts {
  uint16_t suite;
  uint64_t seed;
  unsigned max_faults; /* K: 1 or 2 (3 works, slowly) */
  mm_mutants mutants;
  unsigned shard, shards; /* first-level placements i with i mod shards == shard */
  bool stop_at_first;
  uint8_t profile;                 /* 0/1: profile v1; 2: the happy path of profile v2 */
  const mm_sim_external *external; /* see mm_scenario; NULL: the reference DSes */
} mm_explore_opts;

MM_MUST_USE mm_err mm_explore(const mm_explore_opts *o, const mm_search_hooks *h,
                              mm_search_stats *st);

/* ---- shrinking ---- */

/* Removes faults and actions (but the first migration) one at a time while
 * the run still shows the same violation; *out is the smallest found. */
MM_MUST_USE mm_err mm_shrink(const mm_scenario *in, mm_mutants extra, mm_scenario *out,
                             mm_sc_result *res);

#endif

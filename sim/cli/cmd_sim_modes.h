/* The options of `mlsmig sim` and its modes beyond the happy path
 * (cmd_sim_search.c): scenarios, --schedule, campaigns, exploration. */
#ifndef MLSMIG_CMD_SIM_MODES_H
#define MLSMIG_CMD_SIM_MODES_H

#include <stdbool.h>
#include <stdint.h>

#include "explore/scenario.h"
#include "mlsmig/sim.h"
#include "runner/sim/iut_ds.h"

typedef struct sim_opts {
  uint16_t suites[MM_SUITE_COUNT];
  size_t n_suites;
  bool suite_given, seed_given;
  uint64_t seed, state_bytes, members;
  mm_mutants mutants;
  bool json;
  const char *scenario;   /* --scenario NAME|FILE|all */
  const char *schedule;   /* --schedule 'FAULT; FAULT' */
  uint64_t campaign_runs; /* --campaign N (0: not a campaign) */
  bool campaign;
  unsigned faults; /* --faults K (campaign) */
  bool explore;
  unsigned max_faults;    /* --max-faults K (explore) */
  unsigned shard, shards; /* --shard I/M */
  uint8_t profile;        /* --profile 1|2 (0: 1) */
  const char *iut_cmd;    /* --iut CMD: the DS of --role behind the shim */
  mm_role iut_role;       /* --role source|target */
  bool role_given;
  bool iut_persistent; /* --persistent */
  mm_iut_ds *iut;      /* made from iut_cmd before the modes run */
} sim_opts;

/* sim_external returns the external DS of --iut, NULL without it. */
const mm_sim_external *sim_external(const sim_opts *a);
/* sim_iut_prepare readies scenario sc for --iut (its external DS; no expectation on the IUT's
 * verdict for a MigrationError, which nothing shows) and says whether it can run (the IUT's PICS,
 * no reference mutants, no policy change at the IUT), with the reason in why when not. */
bool sim_iut_prepare(const sim_opts *a, mm_scenario *sc, char *why, size_t len);

int sim_scenario(const sim_opts *a);
int sim_schedule(const sim_opts *a);
int sim_campaign(const sim_opts *a);
int sim_explore(const sim_opts *a);

#endif

/* The options of `mlsmig sim` and its modes beyond the happy path
 * (cmd_sim_search.c): scenarios, --schedule, campaigns, exploration. */
#ifndef MLSMIG_CMD_SIM_MODES_H
#define MLSMIG_CMD_SIM_MODES_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/sim.h"

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
} sim_opts;

int sim_scenario(const sim_opts *a);
int sim_schedule(const sim_opts *a);
int sim_campaign(const sim_opts *a);
int sim_explore(const sim_opts *a);

#endif

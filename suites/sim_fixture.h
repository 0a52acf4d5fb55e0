/* Shared by the suites that need the transcript of one simulated
 * migration (test_sim, test_faults, test_independent). */
#ifndef MLSMIG_SIM_FIXTURE_H
#define MLSMIG_SIM_FIXTURE_H

#include <jansson.h>

#include "mlsmig/sim.h"

/* Runs the migration cfg describes (keep_bodies forced on), checks it and
 * returns its transcript (new reference). Fails the test on setup errors. */
json_t *mm_test_transcript(const mm_sim_config *cfg);

#endif

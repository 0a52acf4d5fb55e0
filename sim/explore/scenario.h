/* Scenarios: one simulated migration with its setup, its faults and its
 * expected outcome, as a small line-based text format (docs/scenarios.md).
 * Scenario files live in suites/scenarios/ and are compiled in; campaigns,
 * explorations and the shrinker build scenarios in memory and print them in
 * the same format, so that any run they report can be saved and replayed.
 *
 *   name drop-content                      # required, [a-z0-9-]
 *   about Drop the first MigrationContent.  # one line for people (<= 255 bytes)
 *   gap GAP-1                               # the profile gap it shows
 *   suite 2 | seed 7 | members 3 | state-bytes 1024 | max-time 1200000
 *   mutant NAME                             # a rule breaker, on purpose
 *   actor target2 | third-ds | outsider     # extra actors
 *   target-hosts-group                      # GROUP-1 collision from the start
 *   policy source|target strict|default
 *   deny DOMAIN IDENTITY [at=MS]            # policy refuses IDENTITY (from MS)
 *   migrate [member=N] [target=DOMAIN] [at=MS]
 *   outsider-migrate [at=MS]
 *   commit member=N [at=MS]
 *   target-creates-group at=MS
 *   third-ds-push at=MS
 *   replay-all at=MS
 *   rogue-init member=N reuse|forge at=MS    # a member's own Init, another's response
 *   target-wrong-ack at=MS                  # the target acknowledges a wrong hash
 *   fault <fault line of faults.h>
 *   expect result completed|aborted|stuck|refused
 *   expect home source|target|target2|none
 *   expect seen ERROR [type=MSG] [at=ACTOR]  # a delivery got this verdict
 *   expect not-seen ERROR [type=MSG] [at=ACTOR]
 *   expect inv INV-N pass|fail|not_checked|ok   # ok: pass or not_checked (default)
 *   expect rule none|PREFIX                 # e.g. "expect rule LIFE-1"
 *   expect gap none|GAP-N
 */
#ifndef MLSMIG_SCENARIO_H
#define MLSMIG_SCENARIO_H

#include "mlsmig/faults.h"
#include "mlsmig/sim.h"

#define MM_SC_MAX_ACTIONS 16
#define MM_SC_MAX_EXPECT 16
#define MM_SC_MAX_DENY 4

typedef enum mm_sc_action_kind {
  MM_SC_MIGRATE,
  MM_SC_OUTSIDER_MIGRATE,
  MM_SC_COMMIT,
  MM_SC_DENY,
  MM_SC_CREATE_GROUP,
  MM_SC_THIRD_PUSH,
  MM_SC_REPLAY_ALL,
  MM_SC_ROGUE_INIT,
  MM_SC_WRONG_ACK,
} mm_sc_action_kind;

typedef struct mm_sc_action {
  mm_sc_action_kind kind;
  uint64_t at;
  unsigned member;
  char domain[MM_FAULT_NAME_MAX];   /* MIGRATE: target; DENY: the DS */
  char identity[MM_FAULT_NAME_MAX]; /* DENY */
  bool forge;                       /* ROGUE_INIT: forge, else reuse */
} mm_sc_action;

typedef enum {
  MM_INV_EXPECT_OK = 0,
  MM_INV_EXPECT_PASS,
  MM_INV_EXPECT_FAIL,
  MM_INV_EXPECT_NOT_CHECKED
} mm_inv_expect;

typedef struct mm_sc_seen {
  bool present; /* seen (true) or not-seen (false) */
  mm_err verdict;
  uint8_t msg_type;           /* 0: any */
  char at[MM_FAULT_NAME_MAX]; /* receiver, "" any */
} mm_sc_seen;

typedef struct mm_scenario {
  char name[MM_FAULT_NAME_MAX];
  char about[256];
  char gap[16];
  uint16_t suite;
  uint64_t seed, state_bytes, max_time_ms;
  unsigned members;
  mm_mutants mutants;
  bool second_target, third_ds, outsider, target_hosts_group;
  uint8_t profile; /* MM_PROFILE_V1 (also 0) or MM_PROFILE_V2; no scenario-file form yet */
  mm_policy_kind source_policy, target_policy;
  mm_sc_action actions[MM_SC_MAX_ACTIONS];
  size_t n_actions;
  mm_schedule faults;
  /* expectations ("" / 0: not checked) */
  char expect_result[16];
  char expect_home[MM_FAULT_NAME_MAX];
  mm_sc_seen seen[MM_SC_MAX_EXPECT];
  size_t n_seen;
  mm_inv_expect expect_inv[6];
  char expect_rule[32]; /* "" = none expected */
  char expect_gap[16];  /* "" = none expected */
  /* Not part of the file format: the DS outside the simulator that plays
   * one role (mlsmig sim --iut), NULL for the reference actors. Copies of a
   * scenario (shrinking, exploration) keep it. */
  const mm_sim_external *external;
} mm_scenario;

/* The defaults: suite 1, seed 1, 3 members, 1024 state bytes, 20 minutes of
 * simulated time, no actions, no faults, every invariant ok. */
void mm_scenario_init(mm_scenario *sc);
/* Parses a scenario text strictly; on error, err says "LINE: reason". */
bool mm_scenario_parse(const char *text, mm_scenario *sc, char *err, size_t err_len);
/* Prints the scenario in its file format (parses back to the same). */
char *mm_scenario_format(const mm_scenario *sc);
/* The happy path as a scenario (what `--scenario happy` runs). */
void mm_scenario_happy(mm_scenario *sc, uint16_t suite, uint64_t seed);

/* ---- compiled-in scenarios (suites/scenarios/ *.scn) ---- */
size_t mm_scenario_builtin_count(void);
const char *mm_scenario_builtin_name(size_t i);
const char *mm_scenario_builtin_text(size_t i);
/* By name; NULL if unknown. */
const char *mm_scenario_builtin_find(const char *name);

/* ---- running one ---- */

typedef struct mm_sc_result {
  mm_sim_outcome outcome;
  bool met;       /* every expectation held */
  bool violation; /* an invariant or rule broke beyond what was expected */
  char why[256];  /* the first expectation that failed */
  size_t steps;
} mm_sc_result;

typedef struct mm_sc_run_opts {
  mm_mutants extra_mutants; /* on top of the scenario's own */
  const mm_sim *key_donor;  /* see mm_sim_config */
  bool keep_bodies;
  bool trace;              /* keep the fault layer's trace of sends */
  mm_fault_run *fault_run; /* out: when trace, the caller frees it */
  mm_sim **sim_out;        /* out: the sim, to print its trace (caller frees) */
} mm_sc_run_opts;

MM_MUST_USE mm_err mm_scenario_run(const mm_scenario *sc, const mm_sc_run_opts *opts,
                                   mm_sc_result *res);
/* The sim config a scenario runs with (for key donors). */
mm_sim_config mm_scenario_sim_config(const mm_scenario *sc, mm_mutants extra);

#endif

/* Shrinking a failing run: drop one fault or one action (never the first
 * migration) at a time, keep the removal when the run still shows the same
 * violation, until no single removal does. Runs are deterministic, so the
 * result replays. */
#include <string.h>

#include "explore/search.h"

static bool same_violation(const mm_scenario *sc, mm_mutants extra, const char *want,
                           mm_sc_result *res) {
  mm_sc_run_opts ro = {.extra_mutants = extra};
  if (mm_scenario_run(sc, &ro, res) != MM_OK) return false;
  char key[32];
  mm_violation_key(res, key, sizeof key);
  return strcmp(key, want) == 0;
}

static bool try_remove_fault(mm_scenario *cur, mm_mutants extra, const char *want,
                             mm_sc_result *res) {
  for (size_t i = 0; i < cur->faults.n; i++) {
    mm_scenario cand = *cur;
    memmove(&cand.faults.f[i], &cand.faults.f[i + 1],
            (cand.faults.n - i - 1) * sizeof cand.faults.f[0]);
    cand.faults.n--;
    if (same_violation(&cand, extra, want, res)) {
      *cur = cand;
      return true;
    }
  }
  return false;
}

static bool try_remove_action(mm_scenario *cur, mm_mutants extra, const char *want,
                              mm_sc_result *res) {
  for (size_t i = 1; i < cur->n_actions; i++) {
    mm_scenario cand = *cur;
    memmove(&cand.actions[i], &cand.actions[i + 1],
            (cand.n_actions - i - 1) * sizeof cand.actions[0]);
    cand.n_actions--;
    if (same_violation(&cand, extra, want, res)) {
      *cur = cand;
      return true;
    }
  }
  return false;
}

mm_err mm_shrink(const mm_scenario *in, mm_mutants extra, mm_scenario *out, mm_sc_result *res) {
  mm_sc_run_opts ro = {.extra_mutants = extra};
  mm_err e = mm_scenario_run(in, &ro, res);
  if (e != MM_OK) return e;
  char want[32];
  mm_violation_key(res, want, sizeof want);
  *out = *in;
  if (!want[0]) return MM_OK; /* nothing to keep */
  mm_sc_result tmp;
  while (try_remove_fault(out, extra, want, &tmp) || try_remove_action(out, extra, want, &tmp)) {
  }
  return mm_scenario_run(out, &ro, res);
}

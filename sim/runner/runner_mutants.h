/* The runner's mutation score (runner_mutants.c). */
#ifndef MLSMIG_RUNNER_MUTANTS_H
#define MLSMIG_RUNNER_MUTANTS_H

#include "mlsmig/mutants.h"
#include "runner/runner.h"

typedef struct mm_mutant_score {
  mm_mutant mutant;
  size_t ran;     /* tests run against it */
  size_t failing; /* tests that failed or errored */
  size_t killing; /* tests tagged with a rule it breaks that failed */
  char first[96]; /* the first of those */
} mm_mutant_score;

/* Runs base (with iut_cmd = ref_ds_cmd --mutant NAME) for every mutant;
 * subset: only the tests tagged with the mutant's rules (faster). out has
 * MM_MUT_COUNT - 1 entries, one per mutant. */
MM_MUST_USE mm_err mm_mutation_score(const mm_run_opts *base, const char *ref_ds_cmd, bool subset,
                                     mm_mutant_score *out, char *why, size_t why_len);

#endif

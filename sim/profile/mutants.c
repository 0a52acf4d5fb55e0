/* The mutant table, derived from MM_MUTANT_LIST (mlsmig/mutants.h): name,
 * what it breaks, and the rules it breaks. */
#include <string.h>

#include "mlsmig/mutants.h"

typedef struct {
  const char *name, *summary, *rules;
} mutant_info;

static const mutant_info mutants[MM_MUT_COUNT] = {[MM_MUT_NONE] = {"none", "no mutation", "-"},
#define MM_MUT_INFO_(id, name, rules, summary) [MM_MUT_##id] = {name, summary, rules},
                                                  MM_MUTANT_LIST(MM_MUT_INFO_)
#undef MM_MUT_INFO_
};

static const mutant_info *info(mm_mutant m) {
  return (unsigned)m < MM_MUT_COUNT ? &mutants[m] : &mutants[MM_MUT_NONE];
}

const char *mm_mutant_name(mm_mutant m) { return info(m)->name; }
const char *mm_mutant_summary(mm_mutant m) { return info(m)->summary; }
const char *mm_mutant_rules(mm_mutant m) { return info(m)->rules; }

bool mm_mutant_by_name(const char *name, mm_mutant *out) {
  for (int m = 0; m < MM_MUT_COUNT; m++)
    if (strcmp(name, mutants[m].name) == 0) {
      *out = (mm_mutant)m;
      return true;
    }
  return false;
}

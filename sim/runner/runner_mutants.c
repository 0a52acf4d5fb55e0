/* The mutation score: the runner against the reference DS with each mutant
 * switched on. A mutant is killed when some test tagged with a rule it
 * breaks fails; a suite that kills every mutant can fail where it should. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/runner_mutants.h"

/* The mutant's rules as a NULL-ended filter (INV-* are the simulator's,
 * no runner test carries them). */
static size_t rule_list(const char *rules, char *buf, size_t cap, const char **out, size_t max) {
  snprintf(buf, cap, "%s", rules);
  size_t n = 0;
  for (char *save, *id = strtok_r(buf, " ", &save); id && n + 1 < max;
       id = strtok_r(NULL, " ", &save))
    if (strncmp(id, "INV-", 4) != 0) out[n++] = id;
  out[n] = NULL;
  return n;
}

mm_err mm_mutation_score(const mm_run_opts *base, const char *ref_ds_cmd, bool subset,
                         mm_mutant_score *out, char *why, size_t why_len) {
  for (int m = 1; m < MM_MUT_COUNT; m++) {
    mm_mutant_score *s = &out[m - 1];
    *s = (mm_mutant_score){.mutant = (mm_mutant)m};
    char cmd[1024], buf[128];
    const char *rules[16];
    rule_list(mm_mutant_rules((mm_mutant)m), buf, sizeof buf, rules, 16);
    snprintf(cmd, sizeof cmd, "%s --mutant %s", ref_ds_cmd, mm_mutant_name((mm_mutant)m));
    mm_run_opts o = *base;
    o.iut_cmd = cmd;
    o.progress = NULL;
    if (subset) o.rules = rules;
    mm_run_result r;
    mm_err e = mm_run(&o, &r, why, why_len);
    if (e != MM_OK) return e;
    for (size_t i = 0; i < r.n; i++) {
      const mm_test_result *t = &r.tests[i];
      if (t->verdict != MM_V_FAIL && t->verdict != MM_V_ERROR) continue;
      s->failing++;
      bool tagged = false;
      for (const char **id = rules; *id; id++) tagged |= mm_rules_match(t->rules, *id);
      if (!tagged || t->verdict != MM_V_FAIL) continue;
      if (s->killing++ == 0) snprintf(s->first, sizeof s->first, "%s", t->name);
    }
    s->ran = r.n;
    mm_run_result_free(&r);
  }
  return MM_OK;
}

/* Profile rules at the lines that enforce them.
 *
 * Every place where a reference actor (source, target, client) refuses a
 * message, or keeps a rule without refusing anything, names the rule IDs it
 * enforces and the mutant that can switch it off (MM_MUT_NONE: none can),
 * so that `grep -rn NONCE-2 sim suites` lands on the enforcement code, the
 * tests tagged with the rule and the mutant. suites/rule_sites.py collects
 * these sites; the catalogue test fails when a MUST rule has none, and when
 * a mutant's rules in MM_MUTANT_LIST are not exactly those of its sites.
 * `rule` must be a string literal of space-separated IDs. */
#ifndef MLSMIG_PROFILE_RULE_H
#define MLSMIG_PROFILE_RULE_H

#include <stdbool.h>

#include "mlsmig/error.h"
#include "mlsmig/mutants.h"

/* MM_CHECK(mutants, cond, rule, mutant, code) is the check of `rule` where a
 * message is refused: MM_OK when cond holds, else the refusal code. With
 * `mutant` on in the set `mutants` the check is not made (cond is not
 * evaluated) and the answer is MM_OK. */
#define MM_CHECK(mutants, cond, rule, mutant, code) \
  (!mm_rule_enforced((mutants), "" rule, (mutant)) || (cond) ? MM_OK : (code))

/* MM_ENFORCED(mutants, rule, mutant) is true unless `mutant` is on in
 * `mutants`: it guards a check made by a call (a signature verified), and
 * behaviour that keeps `rule` without refusing anything (an order, a
 * durable record, a retransmission). */
#define MM_ENFORCED(mutants, rule, mutant) mm_rule_enforced((mutants), "" rule, (mutant))

/* MM_RULE(rule, e) is e, marked as what enforces `rule` where no mutant
 * can switch it off and no condition is left to test: a verification whose
 * verdict e is, a refusal the surrounding code has decided on, or the
 * computation that keeps the rule by construction (the hash it defines). */
#define MM_RULE(rule, e) ((void)("" rule), (e))

/* mm_rule_enforced is false when mutant (not MM_MUT_NONE) is on in set; rule
 * is there for the reader and the scan. */
static inline bool mm_rule_enforced(mm_mutants set, const char *rule, mm_mutant mutant) {
  (void)rule;
  return !mm_mutant_on(set, mutant);
}

#endif

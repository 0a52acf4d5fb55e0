/* Mutants: compiled-in switches that break one profile rule each in the
 * reference actors, so that tests, campaigns and the conformance runner can
 * show they catch a DS that breaks the rule. All off by default.
 *
 * MM_MUTANT_LIST is the one list of them: the enum below, the name table
 * (sim/profile/mutants.c), `mlsmig list mutants`, the runner's mutation
 * score and the test that every mutant is caught all derive from it. Each
 * entry is X(ID, name, rules, what it breaks): the mutant MM_MUT_<ID>, its
 * name for --mutant, and the profile rules whose enforcement sites it
 * switches off. Every such site names the rule and the mutant
 * (MM_CHECK / MM_ENFORCED, sim/profile/rule.h), and a Check test holds
 * `rules` to exactly the rules of its sites. The invariants a mutant then
 * breaks are the simulator's findings, not listed here: the catch test
 * writes them to reports/mutants-caught.txt. */
#ifndef MLSMIG_MUTANTS_H
#define MLSMIG_MUTANTS_H

#include <stdbool.h>
#include <stdint.h>

// clang-format off
#define MM_MUTANT_LIST(X)                                                                          \
  X(SKIP_INIT_SIG, "skip-init-sig", "SIG-2 KEY-2",                                                 \
    "source does not verify the MigrationInit signature")                                         \
  X(SKIP_RESPONSE_SIG, "skip-response-sig", "SIG-1",                                               \
    "source and target do not verify the embedded MigrationResponse")                             \
  X(SKIP_CONTENT_SIG, "skip-content-sig", "SIG-3 DOM-3",                                           \
    "target does not verify the MigrationContent signature")                                      \
  X(ACCEPT_REUSED_NONCE, "accept-reused-nonce", "NONCE-2 NONCE-3",                                 \
    "source and target accept a consumed nonce")                                                  \
  X(ACCEPT_EXPIRED_NONCE, "accept-expired-nonce", "NONCE-2",                                       \
    "target ignores the nonce lifetime")                                                          \
  X(SKIP_HASH_CHECK, "skip-hash-check", "HASH-2",                                                  \
    "source does not compare the TargetMigrationComplete hash")                                   \
  X(EARLY_FANOUT, "early-fanout", "LIFE-1",                                                        \
    "source fans the migration Commit out before completion")                                     \
  X(EARLY_CONFIRM, "early-confirm", "LIFE-2",                                                      \
    "source confirms before completion")                                                          \
  X(COMMITS_DURING_MIGRATION, "commits-during-migration", "LIFE-3",                                \
    "source accepts other Commits while migrating")                                               \
  X(SKIP_TARGET_REAUTH, "skip-target-reauth", "AUTHZ-4",                                           \
    "target does not re-check policy at import")                                                  \
  X(IMPORT_EXISTING_GROUP, "import-existing-group", "GROUP-1",                                     \
    "target imports over a group ID it hosts")                                                    \
  X(FORGET_ON_CRASH, "forget-on-crash", "DUR-1",                                                   \
    "DSes keep nonces and migrations in volatile memory only")                                    \
  X(ABORT_AFTER_CONTENT, "abort-after-content", "LIFE-5",                                          \
    "source gives up after MigrationContent and serves on")                                       \
  X(SKIP_EPOCH_CHECK, "skip-epoch-check", "EPOCH-1",                                               \
    "source does not compare the request epoch")                                                  \
  X(SKIP_COMMIT_CHECK, "skip-commit-check", "EPOCH-2",                                             \
    "source does not check the migration Commit framing")                                         \
  X(SKIP_MEMBER_CHECK, "skip-member-check", "AUTHZ-1",                                             \
    "source lets non-members migrate")                                                            \
  X(SKIP_DOMAIN_CHECK, "skip-domain-check", "DOM-1 DOM-2 DOM-3",                                   \
    "source and target do not check domain names")                                                \
  X(SKIP_TARGET_AUTHZ, "skip-target-authz", "AUTHZ-3",                                             \
    "target issues responses without a policy check")
// clang-format on

typedef enum mm_mutant {
  MM_MUT_NONE = 0, /* no mutant: a rule no mutant breaks */
#define MM_MUT_ENUM_(id, name, rules, summary) MM_MUT_##id,
  MM_MUTANT_LIST(MM_MUT_ENUM_)
#undef MM_MUT_ENUM_
      MM_MUT_COUNT
} mm_mutant;

/* A set of mutants is a bit mask: bit (1u << m). */
typedef uint32_t mm_mutants;

/* mm_mutant_on says whether m is in set; never for MM_MUT_NONE. */
static inline bool mm_mutant_on(mm_mutants set, mm_mutant m) {
  return m != MM_MUT_NONE && ((set >> m) & 1u);
}

/* mm_mutant_name returns m's name for --mutant ("skip-init-sig"), "none"
 * for MM_MUT_NONE and for values outside the list. */
const char *mm_mutant_name(mm_mutant m);
/* mm_mutant_summary returns one line on what m breaks. */
const char *mm_mutant_summary(mm_mutant m);
/* mm_mutant_rules returns the rule IDs m breaks, space-separated ("SIG-2
 * KEY-2"), "-" for MM_MUT_NONE. */
const char *mm_mutant_rules(mm_mutant m);
/* mm_mutant_by_name sets *out to the mutant called name; false if none is. */
bool mm_mutant_by_name(const char *name, mm_mutant *out);

#endif

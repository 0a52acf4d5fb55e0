/* The mutant catalogue: name, what it breaks, and the rules that catch it. */
#include <string.h>

#include "mlsmig/mutants.h"

typedef struct {
  const char *name, *summary, *rules;
} mutant_info;

static const mutant_info mutants[MM_MUT_COUNT] = {
    [MM_MUT_NONE] = {"none", "no mutation", "-"},
    [MM_MUT_SKIP_INIT_SIG] = {"skip-init-sig", "source does not verify the MigrationInit signature",
                              "SIG-2 KEY-2"},
    [MM_MUT_SKIP_RESPONSE_SIG] = {"skip-response-sig",
                                  "source and target do not verify the embedded MigrationResponse",
                                  "SIG-1"},
    [MM_MUT_SKIP_CONTENT_SIG] = {"skip-content-sig",
                                 "target does not verify the MigrationContent signature",
                                 "SIG-3 DOM-3"},
    [MM_MUT_ACCEPT_REUSED_NONCE] = {"accept-reused-nonce",
                                    "source and target accept a consumed nonce", "NONCE-2 NONCE-3"},
    [MM_MUT_ACCEPT_EXPIRED_NONCE] = {"accept-expired-nonce", "target ignores the nonce lifetime",
                                     "NONCE-2"},
    [MM_MUT_SKIP_HASH_CHECK] = {"skip-hash-check",
                                "source does not compare the TargetMigrationComplete hash",
                                "HASH-2"},
    [MM_MUT_EARLY_FANOUT] = {"early-fanout",
                             "source fans the migration Commit out before completion",
                             "LIFE-1 INV-1"},
    [MM_MUT_EARLY_CONFIRM] = {"early-confirm", "source confirms before completion", "LIFE-2 INV-4"},
    [MM_MUT_COMMITS_DURING_MIGRATION] = {"commits-during-migration",
                                         "source accepts other Commits while migrating",
                                         "LIFE-3 INV-1"},
    [MM_MUT_SKIP_TARGET_REAUTH] = {"skip-target-reauth",
                                   "target does not re-check policy at import", "AUTHZ-4 INV-3"},
    [MM_MUT_IMPORT_EXISTING_GROUP] = {"import-existing-group",
                                      "target imports over a group ID it hosts", "GROUP-1"},
    [MM_MUT_FORGET_ON_CRASH] = {"forget-on-crash",
                                "DSes keep nonces and migrations in volatile memory only",
                                "DUR-1 INV-2"},
    [MM_MUT_ABORT_AFTER_CONTENT] = {"abort-after-content",
                                    "source gives up after MigrationContent and serves on",
                                    "LIFE-5 INV-1 INV-4"},
    [MM_MUT_SKIP_EPOCH_CHECK] = {"skip-epoch-check", "source does not compare the request epoch",
                                 "EPOCH-1"},
    [MM_MUT_SKIP_COMMIT_CHECK] = {"skip-commit-check",
                                  "source does not check the migration Commit framing", "EPOCH-2"},
    [MM_MUT_SKIP_MEMBER_CHECK] = {"skip-member-check", "source lets non-members migrate",
                                  "AUTHZ-1 INV-3"},
    [MM_MUT_SKIP_DOMAIN_CHECK] = {"skip-domain-check",
                                  "source and target do not check domain names", "DOM-1 DOM-2"},
    [MM_MUT_SKIP_TARGET_AUTHZ] = {"skip-target-authz",
                                  "target issues responses without a policy check", "AUTHZ-3"},
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

/* Mutants: compiled-in switches that break one profile rule each in the
 * reference actors, so that tests, campaigns and the conformance runner can
 * show they catch a DS that breaks the rule. All off by default. */
#ifndef MLSMIG_MUTANTS_H
#define MLSMIG_MUTANTS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum mm_mutant {
  MM_MUT_NONE = 0,
  MM_MUT_SKIP_INIT_SIG,     /* source: MigrationInit signature not checked (SIG-2) */
  MM_MUT_SKIP_RESPONSE_SIG, /* source and target: embedded MigrationResponse not checked (SIG-1) */
  MM_MUT_SKIP_CONTENT_SIG,  /* target: MigrationContent signature not checked (SIG-3, DOM-3) */
  MM_MUT_ACCEPT_REUSED_NONCE, /* target and source: consumed nonce accepted again (NONCE-2, NONCE-3) */
  MM_MUT_ACCEPT_EXPIRED_NONCE,     /* target: nonce lifetime ignored (NONCE-2) */
  MM_MUT_SKIP_HASH_CHECK,          /* source: TargetMigrationComplete hash not compared (HASH-2) */
  MM_MUT_EARLY_FANOUT,             /* source: Commit fanned out before completion (LIFE-1) */
  MM_MUT_EARLY_CONFIRM,            /* source: confirmation before completion (LIFE-2) */
  MM_MUT_COMMITS_DURING_MIGRATION, /* source: other Commits accepted in flight (LIFE-3) */
  MM_MUT_SKIP_TARGET_REAUTH,       /* target: policy not re-checked at import (AUTHZ-4) */
  MM_MUT_IMPORT_EXISTING_GROUP,    /* target: imports over a hosted group ID (GROUP-1) */
  MM_MUT_FORGET_ON_CRASH, /* both DS: consumed nonces and migrations not made durable (DUR-1) */
  MM_MUT_ABORT_AFTER_CONTENT, /* source: gives up after MigrationContent and serves on (LIFE-5, INV-1) */
  MM_MUT_SKIP_EPOCH_CHECK,  /* source: request epoch not compared (EPOCH-1) */
  MM_MUT_SKIP_COMMIT_CHECK, /* source: migration Commit framing/AAD not checked (EPOCH-2) */
  MM_MUT_SKIP_MEMBER_CHECK, /* source: non-members may migrate (AUTHZ-1) */
  MM_MUT_SKIP_DOMAIN_CHECK, /* target and source: domain names not checked (DOM-1, DOM-2) */
  MM_MUT_SKIP_TARGET_AUTHZ, /* target: MigrationResponse issued without policy check (AUTHZ-3) */
  MM_MUT_COUNT
} mm_mutant;

/* A set of mutants is a bit mask: bit (1u << m). */
typedef uint32_t mm_mutants;

static inline bool mm_mutant_on(mm_mutants set, mm_mutant m) { return (set >> m) & 1u; }

const char *mm_mutant_name(mm_mutant m); /* "skip-init-sig" */
const char *mm_mutant_summary(mm_mutant m);
const char *mm_mutant_rules(mm_mutant m); /* "SIG-2" */
bool mm_mutant_by_name(const char *name, mm_mutant *out);

#endif

/* The runner's tests of the profile feature migration_refusal (docs/amendment.md Part B, issue 21):
 * the IUT as target answers a final refusal with a MigrationRefusal (AMD-2, AMD-3, AMD-4); as
 * source it resumes on a valid MigrationRefusal only (AMD-6, AMD-7). */
#ifndef MLSMIG_RUNNER_AMEND_H
#define MLSMIG_RUNNER_AMEND_H

#include "runner/runner_internal.h"

R_TEST(a_refusal_expired);
R_TEST(a_refusal_unauthorized);
R_TEST(a_refusal_group_exists);
R_TEST(a_refusal_retransmitted);
R_TEST(a_refusal_durable);
R_TEST(a_refusal_third_ds);
R_TEST(a_withdraw_before_import);
R_TEST(a_withdraw_after_import);
R_TEST(a_source_resumes);
R_TEST(a_source_ignores_wrong_key);
R_TEST(a_source_ignores_wrong_hash);
R_TEST(a_source_ignores_wrong_nonce);
R_TEST(a_source_ignores_third_ds);

#endif

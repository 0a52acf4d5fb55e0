/* Transcripts checked by an independent implementation of the profile:
 * suites/independent/verify_transcript.py, written from the spec alone in
 * Python with Debian's python3-cryptography. It re-verifies every signature,
 * hash, nonce, domain and epoch of a transcript, and its --self-test shows it
 * rejects tampered copies. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlsmig/sim.h"
#include "sim_fixture.h"
#include "simulator/transcript.h"
#include "testlib.h"

#define VERIFIER "suites/independent/verify_transcript.py"

static const char *python(void) {
  const char *p = getenv("MLSMIG_PYTHON");
  return p && *p ? p : "/usr/bin/python3";
}

/* Writes the transcript of a happy run to a temporary file. */
static void write_transcript(uint16_t suite, uint64_t seed, uint64_t state_bytes,
                             mm_mutants mutants, char path[64]) {
  mm_sim_config cfg = mm_sim_config_default(suite, seed);
  cfg.state_bytes = state_bytes;
  cfg.mutants = mutants;
  json_t *t = mm_test_transcript(&cfg);
  snprintf(path, 64, "/tmp/mlsmig-transcript-XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(json_dump_file(t, path, JSON_COMPACT), 0);
  json_decref(t);
}

static int verify(const char *path, const char *flags) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s %s %s %s > /dev/null", python(), VERIFIER, flags, path);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(test_independent_verifier_accepts_every_suite) {
  uint16_t suite = (uint16_t)(_i + 1);
  char path[64];
  write_transcript(suite, 100 + suite, suite == 4 ? 300000 : 2048, 0, path);
  int rc = verify(path, "");
  unlink(path);
  ck_assert_msg(rc == 0, "independent verifier rejected suite %u (exit %d)", suite, rc);
}
END_TEST

START_TEST(test_independent_verifier_catches_tampering) {
  char path[64];
  write_transcript(2, 7, 1024, 0, path);
  int rc = verify(path, "--self-test");
  unlink(path);
  ck_assert_int_eq(rc, 0);
}
END_TEST

/* Mutants that only change the order of the flow are visible in the
 * transcript: the independent verifier rejects them too. */
START_TEST(test_independent_verifier_rejects_early_fanout_and_confirm) {
  static const mm_mutant ms[] = {MM_MUT_EARLY_FANOUT, MM_MUT_EARLY_CONFIRM};
  for (size_t i = 0; i < 2; i++) {
    char path[64];
    write_transcript(1, 3, 512, 1u << ms[i], path);
    int rc = verify(path, "");
    unlink(path);
    ck_assert_msg(rc == 1, "mutant %s: verifier exit %d", mm_mutant_name(ms[i]), rc);
  }
}
END_TEST

/* The published vector files, re-verified from the spec alone: every
 * signature, hash and encoding, every transcript, and every negative case
 * shown invalid for the reason it states. */
START_TEST(test_independent_verifier_accepts_published_vectors) {
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "%s suites/independent/verify_vectors.py vectors/crypto.json vectors/codec.json "
           "vectors/migration.json vectors/negative.json > /dev/null",
           python());
  int rc = system(cmd);
  ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "verify_vectors.py failed (%d)", rc);
}
END_TEST

/* The MLS working group's vectors, checked by the independent RFC 9420 code
 * (suites/independent/mls_public.py). The repository copy counts; until it
 * is there the shared reference folder beside the checkout (or beside a
 * worktree's parent) is read; with
 * neither the test says so and passes. Writes the file arguments to args. */
static const char *const WG_FILES[] = {"tree-validation.json", "messages.json",
                                       "tree-operations.json", "welcome.json",
                                       "message-protection.json"};

static bool wg_args(char *args, size_t size) {
  static const char *const dirs[] = {"vectors/external/mlswg", "../shared/vectors/mlswg",
                                     "../../shared/vectors/mlswg"}; /* a worktree */
  args[0] = '\0';
  for (size_t f = 0; f < sizeof WG_FILES / sizeof *WG_FILES; f++) {
    char path[256] = "";
    for (size_t d = 0; d < 3 && !path[0]; d++) {
      snprintf(path, sizeof path, "%s/%s", dirs[d], WG_FILES[f]);
      if (access(path, R_OK) != 0) path[0] = '\0';
    }
    if (!path[0]) {
      fprintf(stderr,
              "independent: SKIP the working group's %s is in neither "
              "vectors/external/mlswg/ nor ../shared/vectors/mlswg/\n",
              WG_FILES[f]);
      return false;
    }
    strncat(args, " ", size - strlen(args) - 1);
    strncat(args, path, size - strlen(args) - 1);
  }
  return true;
}

static int verify_wg(const char *flags) {
  char args[1200], cmd[1600];
  if (!wg_args(args, sizeof args)) return 0;
  snprintf(cmd, sizeof cmd, "%s suites/independent/verify_vectors.py %s%s > /dev/null", python(),
           flags, args);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Every tree hash, resolution, parent hash and leaf signature of
 * tree-validation.json (all seven suites), every structure of messages.json
 * decoded and re-encoded byte for byte, the tree operations and the
 * KeyPackages of welcome.json, the PublicMessage signatures and membership tags
 * of message-protection.json. */
START_TEST(test_independent_verifier_accepts_mlswg_vectors) {
  int rc = verify_wg("");
  ck_assert_msg(rc == 0, "verify_vectors.py rejected the working group's vectors (exit %d)", rc);
}
END_TEST

/* Tampered working group entries (a leaf signature, a parent hash, a tree
 * hash, a resolution, a shared key, a group_id, non-minimal, trailing and
 * truncated encodings, swapped wire formats, ...) each fail for their reason. */
START_TEST(test_independent_verifier_catches_tampered_mlswg_vectors) {
  int rc = verify_wg("--self-test");
  ck_assert_msg(rc == 0, "verify_vectors.py --self-test on the working group's vectors (exit %d)",
                rc);
}
END_TEST

/* Genuine MigrationGroupStates built from private keys in every suite pass
 * MLS-2, and 19 tampers of each (GroupInfo and leaf signatures, tree and
 * parent hashes, suite, version, group, epoch, identities, credentials,
 * shared or compressed keys, ECDSA s + n, capabilities, HPKE key sizes, the
 * ratchet_tree extension, the signer, unmerged leaves) each fail MLS-2 for
 * their reason; and CommitBundles from a non-member or a member who is not
 * the GroupInfo's signer, at another epoch or for another group, with a bad
 * PublicMessage signature or a Welcome that is none, each fail MLS-4. */
START_TEST(test_independent_verifier_catches_tampered_group_states) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s suites/independent/mls_build.py --self-test > /dev/null", python());
  int rc = system(cmd);
  ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "mls_build.py --self-test failed (%d)", rc);
}
END_TEST

/* vectors/migration.json lifted to profile v2 by mls_build.py (the migration
 * Commit a CommitBundle signed under the request epoch's state, the fan-out
 * its MLSMessage, the imported state a MigrationGroupState, MigrationContent
 * and TMC re-signed) into a temporary file, then verify_transcript.py and,
 * with vectors, verify_vectors.py (whose flow checks know no ordinary Commit);
 * lift: "" for all entries, or "0,2,12", and "--prior-commit" for an ordinary
 * CommitBundle (and its fan-out) at the epoch before. */
static int run_v2(const char *lift, const char *flags, bool vectors) {
  char path[64] = "/tmp/mlsmig-v2-XXXXXX", cmd[1024];
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  int n = snprintf(cmd, sizeof cmd,
                   "%s suites/independent/mls_build.py --lift vectors/migration.json %s > %s && "
                   "%s " VERIFIER " %s %s > /dev/null",
                   python(), lift, path, python(), flags, path);
  if (vectors && n > 0 && (size_t)n < sizeof cmd)
    snprintf(cmd + n, sizeof cmd - (size_t)n,
             " && %s suites/independent/verify_vectors.py %s %s > /dev/null", python(), flags,
             path);
  int rc = system(cmd);
  unlink(path);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The v2 checks of verify_transcript.py and verify_vectors.py (a v2
 * migration.json: the transcript checks, keys, re-signing, flow, final state)
 * pass on genuine v2 transcripts in all seven suites: the imported state and
 * the bundle's at epoch + 1 (MLS-2), the bundle's signer and PublicMessage
 * signature, the fan-out to the old tree; and with an ordinary CommitBundle
 * before the migration, whose state the migration Commit builds on. */
START_TEST(test_independent_verifier_accepts_v2_transcripts) {
  int rc = run_v2("", "", true);
  ck_assert_msg(rc == 0, "the verifiers rejected the v2 transcripts (exit %d)", rc);
  rc = run_v2("0,3,12 --prior-commit", "", false);
  ck_assert_msg(rc == 0, "verify_transcript.py rejected v2 transcripts with a prior Commit (%d)",
                rc);
}
END_TEST

/* The v1 tampers, 8 of v2 (the imported state's GroupInfo signature, tree
 * hash and version, the bundle's signer, PublicMessage signature and tree,
 * the fanned-out commit, the initial state) and 3 of an ordinary CommitBundle
 * (its signature, its epoch, its fan-out) are each caught, in suites 1, 2
 * and 7; verify_vectors.py's migration tampers too. */
START_TEST(test_independent_verifier_catches_tampered_v2_transcripts) {
  int rc = run_v2("0,2,12", "--self-test", true);
  ck_assert_msg(rc == 0, "--self-test on v2 transcripts (exit %d)", rc);
  rc = run_v2("0 --prior-commit", "--self-test", false);
  ck_assert_msg(rc == 0, "--self-test on a v2 transcript with a prior Commit (exit %d)", rc);
}
END_TEST

/* The C simulator's own v2 transcripts (issue 17): the migration Commit a CommitBundle built by
 * the C members, the MigrationGroupState the C source exports and the C target imports, the
 * fan-out as mls_message(9), with initial_state: the independent verifier accepts them in every
 * suite, and its --self-test's tampered copies of them are each caught. */
START_TEST(test_independent_verifier_accepts_c_v2_transcripts) {
  uint16_t suite = (uint16_t)(_i + 1);
  mm_sim_config cfg = mm_sim_config_default(suite, 300 + suite);
  cfg.profile = MM_PROFILE_V2;
  cfg.members = 4;
  json_t *t = mm_test_transcript(&cfg);
  ck_assert_ptr_nonnull(json_object_get(t, "initial_state"));
  char path[64];
  snprintf(path, sizeof path, "/tmp/mlsmig-transcript-XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(json_dump_file(t, path, JSON_COMPACT), 0);
  json_decref(t);
  int rc = verify(path, "");
  int self = suite <= 2 ? verify(path, "--self-test") : 0;
  unlink(path);
  ck_assert_msg(rc == 0, "independent verifier rejected the C v2 transcript, suite %u (%d)", suite,
                rc);
  ck_assert_msg(self == 0, "--self-test on the C v2 transcript, suite %u (%d)", suite, self);
}
END_TEST

/* What another MLS implementation (ts-mls, suites/fixtures/ts-mls/, recorded
 * by the interop test) made of a group's public life: every PublicGroupState
 * passes MLS-2 and every CommitBundle MLS-4 against the state before it, and
 * tampered copies fail. Skipped, with a message, while the fixture is absent. */
START_TEST(test_independent_verifier_accepts_ts_mls_states) {
  if (access("suites/fixtures/ts-mls/suite-1.json", R_OK) != 0) {
    fprintf(stderr, "independent: SKIP suites/fixtures/ts-mls/ is absent\n");
    return;
  }
  char cmd[512];
  snprintf(
      cmd, sizeof cmd,
      "%s suites/independent/verify_vectors.py suites/fixtures/ts-mls/suite-*.json > /dev/null && "
      "%s suites/independent/verify_vectors.py --self-test suites/fixtures/ts-mls/suite-1.json "
      "suites/fixtures/ts-mls/suite-7.json > /dev/null",
      python(), python());
  int rc = system(cmd);
  ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "ts-mls states (%d)", rc);
}
END_TEST

Suite *suite_independent(void) {
  Suite *s = suite_create("independent");
  TCase *tc = tcase_create("independent");
  tcase_set_timeout(tc, 120);
  MM_ADD_LOOP_TEST(
      tc, test_independent_verifier_accepts_every_suite,
      "SIG-1 SIG-2 SIG-3 SIG-4 SIG-5 HASH-1 NONCE-4 DOM-1 DOM-2 DOM-4 EPOCH-2 LIFE-6 ENC-3", 0,
      MM_SUITE_COUNT);
  MM_ADD_LOOP_TEST(tc, test_independent_verifier_accepts_c_v2_transcripts,
                   "MLS-1 MLS-2 MLS-4 LIFE-1", 0, MM_SUITE_COUNT);
  MM_ADD_TEST(tc, test_independent_verifier_catches_tampering, "-");
  MM_ADD_TEST(tc, test_independent_verifier_rejects_early_fanout_and_confirm, "LIFE-1 LIFE-2");
  MM_ADD_TEST(tc, test_independent_verifier_accepts_published_vectors,
              "ENC-1 ENC-2 ENC-3 ENC-4 NONCE-2 NONCE-3 HASH-2 GROUP-1 EPOCH-1 AUTHZ-1 AUTHZ-3");
  MM_ADD_TEST(tc, test_independent_verifier_accepts_mlswg_vectors, "ENC-1 ENC-2 ENC-3 ENC-4 MLS-2");
  MM_ADD_TEST(tc, test_independent_verifier_catches_tampered_mlswg_vectors, "-");
  MM_ADD_TEST(tc, test_independent_verifier_catches_tampered_group_states, "MLS-2 ENC-4");
  MM_ADD_TEST(tc, test_independent_verifier_accepts_v2_transcripts,
              "MLS-1 MLS-2 MLS-3 LIFE-1 LIFE-6 EPOCH-2 KEY-2");
  MM_ADD_TEST(tc, test_independent_verifier_catches_tampered_v2_transcripts, "-");
  MM_ADD_TEST(tc, test_independent_verifier_accepts_ts_mls_states, "MLS-2 ENC-3");
  suite_add_tcase(s, tc);
  return s;
}

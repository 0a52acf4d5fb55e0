/* Searches (search.h): seeded campaigns, exhaustive exploration and
 * shrinking. The reference actors hold every invariant under them; every
 * mutant is caught by one of them in CI time (the table of which search
 * catches which mutant, and how fast, goes to reports/mutants-caught.txt);
 * a violation's replay command reproduces it byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "explore/search.h"
#include "testlib.h"

static mm_search_stats campaign(uint64_t runs, uint64_t seed, unsigned shard, unsigned shards,
                                mm_mutants mutants) {
  mm_campaign_opts o = {runs, seed, 0, 3, shard, shards, mutants, false, NULL};
  mm_search_stats st;
  ck_assert_int_eq(mm_campaign(&o, NULL, &st), MM_OK);
  return st;
}

/* `make check` runs a short campaign: the reference holds. */
START_TEST(test_short_campaign_reference_holds) {
  mm_search_stats st = campaign(120, 1, 0, 1, 0);
  ck_assert_uint_eq(st.runs, 120);
  ck_assert_msg(st.violations == 0, "seed %llu: %s", (unsigned long long)st.first.seed,
                st.first_result.why);
  ck_assert_uint_eq(st.completed + st.aborted + st.refused + st.stuck, st.runs);
}
END_TEST

START_TEST(test_campaign_deterministic_and_sharded) {
  mm_search_stats a = campaign(24, 77, 0, 1, 0), b = campaign(24, 77, 0, 1, 0);
  ck_assert_int_eq(memcmp(&a.completed, &b.completed, 4 * sizeof a.completed), 0);
  ck_assert_uint_eq(a.known_gaps, b.known_gaps);
  /* three shards make exactly the runs of one campaign */
  uint64_t runs = 0, completed = 0, refused = 0, stuck = 0;
  for (unsigned i = 0; i < 3; i++) {
    mm_search_stats s = campaign(24, 77, i, 3, 0);
    runs += s.runs, completed += s.completed, refused += s.refused, stuck += s.stuck;
  }
  ck_assert_uint_eq(runs, 24);
  ck_assert_uint_eq(completed, a.completed);
  ck_assert_uint_eq(refused, a.refused);
  ck_assert_uint_eq(stuck, a.stuck);
  /* a run's scenario depends on its seed alone */
  mm_scenario x, y;
  mm_campaign_scenario(1234, 0, 3, &x);
  mm_campaign_scenario(1234, 0, 3, &y);
  char *tx = mm_scenario_format(&x), *ty = mm_scenario_format(&y);
  ck_assert_str_eq(tx, ty);
  free(tx);
  free(ty);
}
END_TEST

/* Every placement of one fault on the happy path: no violation, and the
 * only failures are GAP-1 (the nonce expires in flight). */
START_TEST(test_explore_one_fault_reference_holds) {
  mm_explore_opts o = {(uint16_t)(_i + 1), 1, 1, 0, 0, 1, false, 0, NULL};
  mm_search_stats st;
  ck_assert_int_eq(mm_explore(&o, NULL, &st), MM_OK);
  ck_assert_msg(st.violations == 0, "suite %d: %s", _i + 1, st.first_result.why);
  ck_assert_uint_eq(st.runs, 124); /* 10 sends x 8 + 11 steps x 4 */
  ck_assert_uint_eq(st.known_gaps, 4);
}
END_TEST

/* Profile v2 (issue 17): every placement of one fault on the v2 happy path (the migration Commit
 * a CommitBundle, the state a MigrationGroupState) holds INV-1..INV-5 in every suite. */
START_TEST(test_explore_one_fault_v2_holds) {
  mm_explore_opts o = {(uint16_t)(_i + 1), 1, 1, 0, 0, 1, false, MM_PROFILE_V2, NULL};
  mm_search_stats st;
  ck_assert_int_eq(mm_explore(&o, NULL, &st), MM_OK);
  ck_assert_msg(st.violations == 0, "suite %d: %s", _i + 1, st.first_result.why);
  ck_assert_uint_gt(st.runs, 100);
}
END_TEST

/* Shards of an exploration split its first level. */
START_TEST(test_explore_shards) {
  uint64_t total = 0;
  for (unsigned i = 0; i < 4; i++) {
    mm_explore_opts o = {1, 1, 1, 0, i, 4, false, 0, NULL};
    mm_search_stats st;
    ck_assert_int_eq(mm_explore(&o, NULL, &st), MM_OK);
    total += st.runs;
  }
  ck_assert_uint_eq(total, 124);
}
END_TEST

/* Shrinking keeps the fault that matters and drops the others. */
START_TEST(test_shrink_to_minimal) {
  mm_scenario sc;
  mm_scenario_happy(&sc, 1, 1);
  sc.expect_result[0] = sc.expect_home[0] = '\0';
  const char *faults[] = {"duplicate type=migration_request", "delay type=migration_response by=10",
                          "corrupt type=migration_content", "drop type=migration_confirmation"};
  char err[100];
  for (size_t i = 0; i < 4; i++)
    ck_assert(mm_fault_parse(faults[i], &sc.faults.f[sc.faults.n++], err, sizeof err));
  sc.actions[sc.n_actions++] = (mm_sc_action){.kind = MM_SC_COMMIT, .member = 2, .at = 100000};
  mm_scenario small;
  mm_sc_result r;
  ck_assert_int_eq(mm_shrink(&sc, 1u << MM_MUT_SKIP_CONTENT_SIG, &small, &r), MM_OK);
  ck_assert_uint_eq(small.faults.n, 1);
  ck_assert_int_eq(small.faults.f[0].kind, MM_FAULT_CORRUPT);
  ck_assert_uint_eq(small.n_actions, 1);
  char key[32];
  mm_violation_key(&r, key, sizeof key);
  ck_assert_str_eq(key, "INV-2");
}
END_TEST

/* ---- replay commands reproduce ---- */

static char *run_cli(const char *args) {
  const char *bin = getenv("MLSMIG_CLI");
  if (!bin) bin = "build/mlsmig";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", bin, args);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0;) {
    n += got;
    if (n + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  pclose(p);
  ck_assert_ptr_nonnull(buf);
  buf[n] = '\0';
  return buf;
}

/* The replay line that `mlsmig sim` prints for a violation. */
static void replay_line(const char *out, char *cmd, size_t len) {
  const char *p = strstr(out, "replay: mlsmig ");
  ck_assert_msg(p != NULL, "no replay line in:\n%s", out);
  p += strlen("replay: mlsmig ");
  size_t n = strcspn(p, "\n");
  ck_assert_uint_lt(n, len);
  memcpy(cmd, p, n);
  cmd[n] = '\0';
}

START_TEST(test_replay_reproduces_exactly) {
  /* an exploration violation: its replay twice, byte for byte */
  char *out = run_cli("sim --explore --max-faults 1 --suite 2 --mutant skip-content-sig");
  ck_assert_msg(strstr(out, "violation: INV-2") != NULL, "%s", out);
  ck_assert(strstr(out, "shrunk to 1 fault(s)") != NULL);
  char cmd[1024], json[1100];
  replay_line(out, cmd, sizeof cmd);
  snprintf(json, sizeof json, "%s --json", cmd);
  char *a = run_cli(json), *b = run_cli(json);
  ck_assert_str_eq(a, b);
  ck_assert(strstr(a, "\"INV-2\": \"fail\"") != NULL);
  free(a);
  free(b);
  free(out);
  /* a campaign violation: the one-run replay shows the same violation */
  out = run_cli("sim --campaign 20 --seed 1 --suite 1 --faults 3 --mutant skip-epoch-check");
  ck_assert_msg(strstr(out, "violation: INV-1") != NULL, "%s", out);
  replay_line(out, cmd, sizeof cmd);
  a = run_cli(cmd);
  b = run_cli(cmd);
  ck_assert_str_eq(a, b);
  ck_assert(strstr(a, "violation: INV-1") != NULL);
  free(a);
  free(b);
  free(out);
}
END_TEST

/* ---- every mutant is caught ---- */

typedef enum { BY_NONE, BY_EXPLORE, BY_SCENARIO, BY_CAMPAIGN } search_kind;

/* The quickest search that catches each mutant of MM_MUTANT_LIST (the
 * report to the lead lists every search that does); a mutant added to the
 * list without an entry here fails the test. */
static const struct {
  search_kind how;
  const char *scenario; /* BY_SCENARIO */
} catches[MM_MUT_COUNT] = {
    [MM_MUT_SKIP_INIT_SIG] = {BY_EXPLORE, NULL},
    [MM_MUT_SKIP_RESPONSE_SIG] = {BY_SCENARIO, "member-forges-response"},
    [MM_MUT_SKIP_CONTENT_SIG] = {BY_EXPLORE, NULL},
    [MM_MUT_ACCEPT_REUSED_NONCE] = {BY_SCENARIO, "member-reuses-response"},
    [MM_MUT_ACCEPT_EXPIRED_NONCE] = {BY_EXPLORE, NULL},
    [MM_MUT_SKIP_HASH_CHECK] = {BY_SCENARIO, "target-acks-wrong-content"},
    [MM_MUT_EARLY_FANOUT] = {BY_EXPLORE, NULL},
    [MM_MUT_EARLY_CONFIRM] = {BY_EXPLORE, NULL},
    [MM_MUT_COMMITS_DURING_MIGRATION] = {BY_SCENARIO, "race-commit-during-migration"},
    [MM_MUT_SKIP_TARGET_REAUTH] = {BY_SCENARIO, "policy-changes-mid-migration"},
    [MM_MUT_IMPORT_EXISTING_GROUP] = {BY_CAMPAIGN, NULL},
    [MM_MUT_FORGET_ON_CRASH] = {BY_EXPLORE, NULL},
    [MM_MUT_ABORT_AFTER_CONTENT] = {BY_SCENARIO, "gap4-answer-lost-for-a-minute"},
    [MM_MUT_SKIP_EPOCH_CHECK] = {BY_CAMPAIGN, NULL},
    [MM_MUT_SKIP_COMMIT_CHECK] = {BY_SCENARIO, "race-commit-while-waiting-for-commit"},
    [MM_MUT_SKIP_MEMBER_CHECK] = {BY_CAMPAIGN, NULL},
    [MM_MUT_SKIP_DOMAIN_CHECK] = {BY_EXPLORE, NULL},
    [MM_MUT_SKIP_TARGET_AUTHZ] = {BY_CAMPAIGN, NULL},
};

/* Is the violation key one of mutant m's rules, or an invariant? */
static bool key_fits(mm_mutant m, const char *key) {
  if (strncmp(key, "INV-", 4) == 0) return true;
  const char *rules = mm_mutant_rules(m);
  size_t n = strlen(key);
  for (const char *p = strstr(rules, key); p; p = strstr(p + 1, key))
    if ((p == rules || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return true;
  return false;
}

/* Runs the search for mutant i; returns the runs it took (0: not caught)
 * and the violation in key. */
static uint64_t catch_mutant(size_t i, char *key, size_t key_len) {
  mm_mutants m = 1u << i;
  key[0] = '\0';
  if (catches[i].how == BY_SCENARIO) {
    mm_scenario sc;
    char err[200];
    ck_assert(
        mm_scenario_parse(mm_scenario_builtin_find(catches[i].scenario), &sc, err, sizeof err));
    mm_sc_result r;
    mm_sc_run_opts ro = {.extra_mutants = m};
    ck_assert_int_eq(mm_scenario_run(&sc, &ro, &r), MM_OK);
    mm_violation_key(&r, key, key_len);
    return r.violation ? 1 : 0;
  }
  mm_search_stats st;
  if (catches[i].how == BY_EXPLORE) {
    mm_explore_opts o = {1, 1, 1, m, 0, 1, true, 0, NULL};
    ck_assert_int_eq(mm_explore(&o, NULL, &st), MM_OK);
  } else {
    mm_campaign_opts o = {2000, 1, 1, 3, 0, 1, m, true, NULL};
    ck_assert_int_eq(mm_campaign(&o, NULL, &st), MM_OK);
  }
  if (!st.violations) return 0;
  mm_violation_key(&st.first_result, key, key_len);
  return st.runs;
}

START_TEST(test_every_mutant_is_caught) {
  static const char *how_name[] = {"", "explore --max-faults 1 --suite 1", "scenario",
                                   "campaign --seed 1 --suite 1 --faults 3"};
  mkdir("reports", 0755);
  FILE *table = fopen("reports/mutants-caught.txt", "w"); /* a report, not a result */
  for (size_t i = 1; i < MM_MUT_COUNT; i++) {
    const char *name = mm_mutant_name((mm_mutant)i);
    ck_assert_msg(catches[i].how != BY_NONE, "mutant %s has no search that catches it", name);
    char key[32];
    clock_t t0 = clock();
    uint64_t runs = catch_mutant(i, key, sizeof key);
    double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
    ck_assert_msg(runs > 0, "mutant %s escaped its search", name);
    /* Caught for what it breaks: one of its rules, or an invariant. */
    ck_assert_msg(key_fits((mm_mutant)i, key), "mutant %s (%s) caught as %s", name,
                  mm_mutant_rules((mm_mutant)i), key);
    if (table)
      fprintf(table, "%-26s %-8s %-40s %s%s after %llu run(s), %.0f ms CPU\n", name, key,
              how_name[catches[i].how], catches[i].scenario ? catches[i].scenario : "",
              catches[i].scenario ? "," : "", (unsigned long long)runs, ms);
  }
  if (table) fclose(table);
}
END_TEST

Suite *suite_campaign(void) {
  Suite *s = suite_create("campaign");
  TCase *tc = tcase_create("campaign");
  tcase_set_timeout(tc, 600);
  MM_ADD_TEST(tc, test_short_campaign_reference_holds, "INV-1 INV-2 INV-3 INV-4 INV-5");
  MM_ADD_TEST(tc, test_campaign_deterministic_and_sharded, "-");
  MM_ADD_LOOP_TEST(tc, test_explore_one_fault_v2_holds,
                   "INV-1 INV-2 INV-3 INV-4 INV-5 MLS-1 MLS-2 MLS-4", 0, MM_SUITE_COUNT);
  MM_ADD_LOOP_TEST(tc, test_explore_one_fault_reference_holds,
                   "INV-1 INV-2 INV-3 INV-4 INV-5 LIFE-5 DUR-1", 0, MM_SUITE_COUNT);
  MM_ADD_TEST(tc, test_explore_shards, "-");
  MM_ADD_TEST(tc, test_shrink_to_minimal, "INV-2 SIG-3");
  MM_ADD_TEST(tc, test_replay_reproduces_exactly, "-");
  MM_ADD_TEST(tc, test_every_mutant_is_caught,
              "SIG-1 SIG-2 SIG-3 NONCE-2 NONCE-3 HASH-2 LIFE-1 LIFE-2 LIFE-3 AUTHZ-1 AUTHZ-3 "
              "AUTHZ-4 GROUP-1 DUR-1 LIFE-5 EPOCH-1 EPOCH-2 DOM-1");
  suite_add_tcase(s, tc);
  return s;
}

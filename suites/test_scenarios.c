/* The scenarios of suites/scenarios/: each parses, prints back to itself,
 * runs and meets its expected outcome; together they cover every fault
 * kind at every step of the flow, every race and adversary of the fault
 * model, and every gap of the profile's section 10. The parser refuses bad
 * input with a line number, and the CLI answers bad input with exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "explore/scenario.h"
#include "testlib.h"

static void load(size_t i, mm_scenario *sc) {
  char err[300];
  ck_assert_msg(mm_scenario_parse(mm_scenario_builtin_text(i), sc, err, sizeof err), "%s: %s",
                mm_scenario_builtin_name(i), err);
}

START_TEST(test_scenario_meets_expectations) {
  mm_scenario sc;
  load((size_t)_i, &sc);
  ck_assert_str_eq(sc.name, mm_scenario_builtin_name((size_t)_i)); /* file name = name */
  mm_sc_result r;
  ck_assert_int_eq(mm_scenario_run(&sc, NULL, &r), MM_OK);
  ck_assert_msg(r.met, "%s: %s", sc.name, r.why);
}
END_TEST

START_TEST(test_scenario_prints_back) {
  for (size_t i = 0; i < mm_scenario_builtin_count(); i++) {
    mm_scenario a, b;
    load(i, &a);
    char *text = mm_scenario_format(&a), err[300];
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(mm_scenario_parse(text, &b, err, sizeof err), "%s: %s", a.name, err);
    char *again = mm_scenario_format(&b);
    ck_assert_str_eq(text, again);
    free(text);
    free(again);
  }
}
END_TEST

/* ---- coverage of the fault model ---- */

static bool has_fault(mm_fault_kind k, uint8_t type, const char *from, const char *to, size_t step,
                      mm_role role) {
  for (size_t i = 0; i < mm_scenario_builtin_count(); i++) {
    mm_scenario sc;
    load(i, &sc);
    if (sc.mutants) continue; /* the reference's behaviour is what is covered */
    for (size_t j = 0; j < sc.faults.n; j++) {
      const mm_fault *f = &sc.faults.f[j];
      if (f->kind != k) continue;
      if (mm_fault_is_network(k) && f->msg_type == type && (!from || strcmp(f->from, from) == 0) &&
          (!to || strcmp(f->to, to) == 0))
        return true;
      if (!mm_fault_is_network(k) && f->step == step && (k != MM_FAULT_CRASH || f->role == role))
        return true;
    }
  }
  return false;
}

START_TEST(test_every_fault_kind_at_every_step) {
  static const struct {
    uint8_t type;
    const char *from, *to;
  } steps[] = {
      {MM_MSG_MIGRATION_REQUEST, NULL, NULL},
      {MM_MSG_MIGRATION_RESPONSE, NULL, NULL},
      {MM_MSG_MIGRATION_INIT, NULL, NULL},
      {MM_MSG_MIGRATION_COMMIT, NULL, MM_SIM_SOURCE},
      {MM_MSG_MIGRATION_CONTENT, NULL, NULL},
      {MM_MSG_TARGET_MIGRATION_COMPLETE, NULL, NULL},
      {MM_MSG_MIGRATION_COMMIT, MM_SIM_SOURCE, "bob@" MM_SIM_SOURCE},
      {MM_MSG_MIGRATION_CONFIRMATION, NULL, NULL},
  };
  ck_assert_uint_ge(mm_scenario_builtin_count(), 40);
  for (int k = 0; k <= MM_FAULT_MISROUTE; k++)
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
      ck_assert_msg(has_fault((mm_fault_kind)k, steps[s].type, steps[s].from, steps[s].to, 0, 0),
                    "no scenario puts %s on %s", mm_fault_kind_name((mm_fault_kind)k),
                    mm_msg_type_name(steps[s].type));
  /* the happy path has 10 deliveries: a crash of each actor, and a clock
   * jump, before each of them */
  for (size_t step = 1; step <= 10; step++) {
    for (int r = 0; r < 3; r++)
      ck_assert_msg(has_fault(MM_FAULT_CRASH, 0, NULL, NULL, step, (mm_role)r),
                    "no crash of role %d before step %zu", r, step);
    ck_assert_msg(has_fault(MM_FAULT_CLOCK_JUMP, 0, NULL, NULL, step, 0),
                  "no clock jump before step %zu", step);
  }
}
END_TEST

static bool any(bool (*pred)(const mm_scenario *)) {
  for (size_t i = 0; i < mm_scenario_builtin_count(); i++) {
    mm_scenario sc;
    load(i, &sc);
    if (!sc.mutants && pred(&sc)) return true;
  }
  return false;
}

static bool has_action(const mm_scenario *sc, mm_sc_action_kind k) {
  for (size_t i = 0; i < sc->n_actions; i++)
    if (sc->actions[i].kind == k) return true;
  return false;
}

static bool outsider(const mm_scenario *sc) { return has_action(sc, MM_SC_OUTSIDER_MIGRATE); }
static bool refused_by_policy(const mm_scenario *sc) {
  return has_action(sc, MM_SC_DENY) || sc->target_policy == MM_POLICY_STRICT;
}
static bool third_ds(const mm_scenario *sc) { return has_action(sc, MM_SC_THIRD_PUSH); }
static bool commit_race(const mm_scenario *sc) { return has_action(sc, MM_SC_COMMIT); }
static bool two_targets(const mm_scenario *sc) {
  size_t migrations = 0;
  for (size_t i = 0; i < sc->n_actions; i++) migrations += sc->actions[i].kind == MM_SC_MIGRATE;
  return sc->second_target && migrations == 2;
}
static bool id_taken(const mm_scenario *sc) {
  return sc->target_hosts_group || has_action(sc, MM_SC_CREATE_GROUP);
}
static bool replay(const mm_scenario *sc) { return has_action(sc, MM_SC_REPLAY_ALL); }

START_TEST(test_every_race_and_adversary) {
  ck_assert_msg(any(outsider), "no non-member client");
  ck_assert_msg(any(refused_by_policy), "no client refused by policy");
  ck_assert_msg(any(third_ds), "no third DS pushing MigrationContent");
  ck_assert_msg(any(commit_race), "no ordinary Commit racing the migration");
  ck_assert_msg(any(two_targets), "no two members migrating to two targets");
  ck_assert_msg(any(id_taken), "no group ID taken at the target");
  ck_assert_msg(any(replay), "no replay of a completed migration");
}
END_TEST

START_TEST(test_every_gap_has_a_scenario) {
  for (int g = 1; g <= 4; g++) {
    char want[24];
    snprintf(want, sizeof want, "GAP-%d", g);
    bool found = false;
    for (size_t i = 0; i < mm_scenario_builtin_count() && !found; i++) {
      mm_scenario sc;
      load(i, &sc);
      found = strcmp(sc.gap, want) == 0;
    }
    ck_assert_msg(found, "no scenario shows %s", want);
  }
}
END_TEST

/* docs/findings.md backs each gap with scenarios that exist. */
START_TEST(test_findings_name_real_scenarios) {
  FILE *f = fopen(mm_test_path("docs/findings.md"), "r");
  ck_assert_ptr_nonnull(f);
  char line[1024];
  int gaps_seen = 0;
  size_t named = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "## GAP-", 7) == 0) gaps_seen++;
    for (char *p = strstr(line, "`scenario "); p; p = strstr(p + 1, "`scenario ")) {
      char name[80];
      if (sscanf(p, "`scenario %79[a-z0-9-]`", name) != 1) continue;
      ck_assert_msg(mm_scenario_builtin_find(name) != NULL, "findings.md names unknown scenario %s",
                    name);
      named++;
    }
  }
  fclose(f);
  ck_assert_int_eq(gaps_seen, 5); /* GAP-1..GAP-5 */
  ck_assert_uint_ge(named, 4);
}
END_TEST

/* ---- bad input ---- */

#define ABOUT64 "A sentence of sixty-four bytes; four of them are much too long. "
static const struct {
  const char *text, *want; /* a substring of the error */
} bad_scenarios[] = {
    {"about no name\nmigrate\n", "no 'name' line"},
    {"name x\nfrobnicate\n", "line 2: unknown directive 'frobnicate'"},
    {"name x\nsuite 9\n", "line 2: suite wants 1..7"},
    {"name x\nsuite -1\n", "line 2: suite wants"},
    {"name x\nseed 12abc\n", "line 2: seed wants"},
    {"name x\nmembers 0\n", "line 2: members wants"},
    {"name x\nmembers 65\n", "line 2: members wants"},
    {"name X_Y\n", "line 1: name wants"},
    {"name x\n\n# comment\nfault drop\n", "line 4: drop needs seq"},
    {"name x\nfault explode seq=1\n", "line 2: unknown fault"},
    {"name x\nmigrate at=soon\n", "line 2: at wants ms"},
    {"name x\nmigrate when=5\n", "line 2: unknown argument 'when'"},
    {"name x\nmigrate member=3\n", "member 3 but the group has 3 members"},
    {"name x\ncommit member=70\n", "line 2: member wants"},
    {"name x\noutsider-migrate\n", "needs 'actor outsider'"},
    {"name x\nactor dragon\n", "line 2: actor is"},
    {"name x\nmutant nope\n", "line 2: unknown mutant"},
    {"name x\nexpect result maybe\n", "line 2: result is"},
    {"name x\nexpect home mars\n", "line 2: home is"},
    {"name x\nexpect seen nonsense\n", "line 2: unknown verdict"},
    {"name x\nexpect inv INV-9 pass\n", "line 2: expect inv wants"},
    {"name x\nexpect inv INV-1 perhaps\n", "line 2: unknown invariant result"},
    {"name x\nexpect gap FOO\n", "line 2: gap is"},
    {"name x\npolicy target lenient\n", "line 2: policy wants"},
    {"name x\ndeny target.example\n", "line 2: deny wants"},
    {"name x\nrogue-init steal\n", "line 2: rogue-init wants"},
    /* 257 bytes: refused rather than cut (fuzz/regressions/scenario/) */
    {"name x\nabout " ABOUT64 ABOUT64 ABOUT64 ABOUT64 "!\n", "line 2: about is longer than 255"},
};

START_TEST(test_bad_scenarios_refused_with_line) {
  for (size_t i = 0; i < sizeof bad_scenarios / sizeof bad_scenarios[0]; i++) {
    mm_scenario sc;
    char err[300] = "";
    ck_assert_msg(!mm_scenario_parse(bad_scenarios[i].text, &sc, err, sizeof err), "accepted: %s",
                  bad_scenarios[i].text);
    ck_assert_msg(strstr(err, bad_scenarios[i].want) != NULL, "error '%s' lacks '%s'", err,
                  bad_scenarios[i].want);
  }
}
END_TEST

/* Mangled scenario texts never crash the parser; whatever it accepts
 * prints back to itself. */
START_TEST(test_mangled_scenarios_never_crash) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, 5, "mangle");
  static const char junk[] = " =#\n\t-0123456789azAZ/.;\x01\xff";
  for (int round = 0; round < 3000; round++) {
    const char *base = mm_scenario_builtin_text(mm_rng_uniform(&rng, mm_scenario_builtin_count()));
    size_t len = strlen(base);
    char *text = malloc(len + 64);
    ck_assert_ptr_nonnull(text);
    memcpy(text, base, len + 1);
    for (int k = 0, edits = 1 + (int)mm_rng_uniform(&rng, 4); k < edits; k++) {
      size_t at = mm_rng_uniform(&rng, len);
      switch (mm_rng_uniform(&rng, 3)) {
      case 0: text[at] = junk[mm_rng_uniform(&rng, sizeof junk - 1)]; break;
      case 1:
        text[at] = '\0';
        len = at ? at : 1;
        break; /* cut short */
      default:
        memmove(text + at, text + at + 1, len - at);
        len = len > 1 ? len - 1 : 1;
        break;
      }
      len = strlen(text) ? strlen(text) : 1;
    }
    mm_scenario sc, back;
    char err[300];
    if (mm_scenario_parse(text, &sc, err, sizeof err)) {
      char *printed = mm_scenario_format(&sc);
      ck_assert_msg(mm_scenario_parse(printed, &back, err, sizeof err), "%s\n--\n%s", err, printed);
      free(printed);
    } else {
      ck_assert(strncmp(err, "line ", 5) == 0);
    }
    free(text);
  }
}
END_TEST

/* ---- the CLI: exit 2 on usage errors, never a crash ---- */

static int cli(const char *args) {
  const char *bin = getenv("MLSMIG_CLI");
  if (!bin) bin = "build/mlsmig";
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2>&1", bin, args);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_cli_bad_input_exits_2) {
  static const char *const usage[] = {
      "sim --scenario no-such-scenario",
      "sim --scenario /nonexistent/x.scn",
      "sim --scenario happy --campaign 3",
      "sim --campaign 0",
      "sim --campaign abc",
      "sim --campaign 5 --faults 0",
      "sim --campaign 5 --faults 99",
      "sim --campaign 5 --shard 3/2",
      "sim --campaign 5 --shard 1/0",
      "sim --campaign 5 --shard x",
      "sim --explore",
      "sim --explore --max-faults 0",
      "sim --explore --max-faults 4",
      "sim --max-faults 1",
      "sim --schedule 'explode seq=1'",
      "sim --schedule 'drop seq=1' --suite 1 --suite 2",
      "sim --scenario all --mutant nope",
      "sim --campaign 2 --seed -5",
      "list nothing",
  };
  for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++)
    ck_assert_msg(cli(usage[i]) == 2, "'%s' did not exit 2", usage[i]);
  /* a malformed file: exit 2 */
  char path[] = "/tmp/mlsmig-bad-scenario-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  const char bad[] = "name bad\nsuite 8\n";
  ck_assert_int_eq(write(fd, bad, sizeof bad - 1), (int)(sizeof bad - 1));
  close(fd);
  char args[128];
  snprintf(args, sizeof args, "sim --scenario %s", path);
  int rc = cli(args);
  unlink(path);
  ck_assert_int_eq(rc, 2);
}
END_TEST

START_TEST(test_cli_scenarios_run) {
  ck_assert_int_eq(cli("list scenarios"), 0);
  ck_assert_int_eq(cli("sim --scenario race-two-targets"), 0);
  ck_assert_int_eq(cli("sim --scenario policy-changes-mid-migration --json"), 0);
  ck_assert_int_eq(cli("sim --schedule 'drop seq=4; crash target step=6 restart=500' --suite 2"),
                   0);
  /* a mutant breaks the scenario: exit 1 */
  ck_assert_int_eq(
      cli("sim --scenario race-commit-during-migration --mutant commits-during-migration"), 1);
}
END_TEST

Suite *suite_scenarios(void) {
  Suite *s = suite_create("scenarios");
  TCase *tc = tcase_create("scenarios");
  tcase_set_timeout(tc, 300);
  MM_ADD_LOOP_TEST(tc, test_scenario_meets_expectations,
                   "INV-1 INV-2 INV-3 INV-4 INV-5 LIFE-3 LIFE-4 LIFE-5 DUR-1 GROUP-1 AUTHZ-1 "
                   "AUTHZ-3 AUTHZ-4 DOM-3 NONCE-2 NONCE-3 SUITE-2",
                   0, (int)mm_scenario_builtin_count());
  MM_ADD_TEST(tc, test_scenario_prints_back, "-");
  MM_ADD_TEST(tc, test_every_fault_kind_at_every_step, "-");
  MM_ADD_TEST(tc, test_every_race_and_adversary, "-");
  MM_ADD_TEST(tc, test_every_gap_has_a_scenario, "-");
  MM_ADD_TEST(tc, test_findings_name_real_scenarios, "-");
  MM_ADD_TEST(tc, test_bad_scenarios_refused_with_line, "-");
  MM_ADD_TEST(tc, test_mangled_scenarios_never_crash, "-");
  MM_ADD_TEST(tc, test_cli_bad_input_exits_2, "-");
  MM_ADD_TEST(tc, test_cli_scenarios_run, "-");
  suite_add_tcase(s, tc);
  return s;
}

/* mlsmig sim: run a migration in the deterministic simulator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_io.h"
#include "cli/cli.h"
#include "cli/cmd_sim_modes.h"
#include "mlsmig/faults.h"
#include "mlsmig/sim.h"
#include "simulator/transcript.h"

#define MAX_STATE_BYTES (MM_GROUP_STATE_DEFAULT_MAX - 65536ull)

static const char sim_help[] =
    "usage: mlsmig sim --scenario happy [--suite N|all] [--seed S] [--state-bytes B]\n"
    "                  [--members M] [--mutant NAME]... [--profile 1|2] [--json]\n"
    "       mlsmig sim --scenario NAME|FILE|all [--suite N] [--seed S] [--mutant NAME]... "
    "[--json]\n"
    "       mlsmig sim --schedule 'FAULT; FAULT...' [--suite N] [--seed S] [--mutant NAME]...\n"
    "       mlsmig sim --campaign N [--seed S] [--suite N] [--faults K] [--shard I/M]\n"
    "                  [--mutant NAME]... [--json]\n"
    "       mlsmig sim --explore --max-faults K [--suite N|all] [--seed S] [--shard I/M]\n"
    "                  [--mutant NAME]... [--profile 1|2] [--feature NAME] [--json]\n"
    "       mlsmig sim --iut 'CMD' --role source|target [--persistent] (any mode above but\n"
    "                  --mutant and --profile 2)\n\n"
    "Runs migrations in the deterministic simulator (clients, source DS and target DS;\n"
    "simulated time) and checks the invariants INV-1..INV-5 and the rules the trace\n"
    "shows. The same seed reproduces the same run byte for byte.\n\n"
    "  --scenario happy   one member migrates the group (one run per suite)\n"
    "  --scenario NAME    a scenario of 'mlsmig list scenarios', or a scenario file\n"
    "                     (docs/scenarios.md); 'all' runs every built-in scenario\n"
    "  --schedule F;F     the happy path with these faults (the line form of\n"
    "                     docs/scenarios.md, e.g. 'drop seq=4; crash target step=6')\n"
    "  --campaign N       N random fault schedules, run seeds S..S+N-1\n"
    "  --faults K         campaign: each run draws 1..K faults (default 3)\n"
    "  --explore          every placement of up to --max-faults K faults (1..3) on\n"
    "                     every envelope and step of the happy path and its retries\n"
    "  --shard I/M        campaign or exploration: only the I-th of M equal parts\n"
    "  --suite N|all      ciphersuite 1..7 (default: all seven where it applies)\n"
    "  --seed S           seed of every key, nonce and byte, 0..2^64-1 (default 1)\n"
    "  --state-bytes B    size of the DS-specific group state payload (default 1024,\n"
    "                     at most 256 MiB - 64 KiB: the whole state must fit the bound)\n"
    "  --members M        group size, 1..64 (default 3)\n"
    "  --mutant NAME      break one rule in both DSes (see 'mlsmig list mutants')\n"
    "  --feature NAME     both DSes implement and declare a profile feature: only\n"
    "                     migration-refusal (docs/amendment.md); not with --campaign\n"
    "  --profile 1|2      the conformance profile (default 1); 2, the group on its genuine\n"
    "                     RFC 9420 public state, goes with --scenario happy and --explore\n"
    "  --json             a transcript (happy, scenario) or a summary (campaign, explore)\n"
    "  --iut CMD          the DS of --role is this shim (docs/shim-protocol.md), one\n"
    "                     fresh process per run, SIGKILL and restart for a crash; the\n"
    "                     reference actors play everyone else\n"
    "  --role R           with --iut: the IUT is the source or the target DS\n"
    "  --persistent       with --iut: one process for run after run (reset, then\n"
    "                     configure; PICS feature reset, else one process per run)\n\n"
    "On a violation: the run's seed, a one-line replay command, the schedule shrunk to\n"
    "a minimal set of faults (as a scenario file) and its envelope trace. A progress\n"
    "line goes to stderr on a terminal.\n\n"
    "Exit 0 when every run held every invariant and met its expectations, 1 when one\n"
    "did not, 2 on usage errors.\n";

typedef sim_opts sim_args;

static bool parse_shard(const char *v, unsigned *i, unsigned *m) {
  char extra;
  unsigned a, b;
  if (!v || v[0] < '0' || v[0] > '9' || sscanf(v, "%u/%u%c", &a, &b, &extra) != 2) return false;
  if (b == 0 || b > 1000000 || a >= b || strchr(v, '-') || strchr(v, '+')) return false;
  *i = a;
  *m = b;
  return true;
}

static int parse_more(int argc, char **argv, int *i, sim_args *a, bool *bad, bool *matched) {
  const char *v;
  uint64_t x;
  *matched = true;
  if (cli_flag(argv, *i, "--explore")) {
    a->explore = true;
  } else if (cli_opt(argc, argv, i, "--schedule", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    a->schedule = v;
  } else if (cli_opt(argc, argv, i, "--campaign", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!cli_parse_u64(v, &a->campaign_runs) || a->campaign_runs == 0 ||
        a->campaign_runs > 1000000000)
      return cli_usage_error("sim", "--campaign wants 1..1000000000 runs, got '%s'", v);
    a->campaign = true;
  } else if (cli_opt(argc, argv, i, "--faults", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!cli_parse_u64(v, &x) || x < 1 || x > MM_MAX_FAULTS)
      return cli_usage_error("sim", "--faults wants 1..%d, got '%s'", MM_MAX_FAULTS, v);
    a->faults = (unsigned)x;
  } else if (cli_opt(argc, argv, i, "--max-faults", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!cli_parse_u64(v, &x) || x < 1 || x > 3)
      return cli_usage_error("sim", "--max-faults wants 1..3, got '%s'", v);
    a->max_faults = (unsigned)x;
  } else if (cli_opt(argc, argv, i, "--profile", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!cli_parse_u64(v, &x) || x < 1 || x > 2)
      return cli_usage_error("sim", "--profile wants 1 or 2, got '%s'", v);
    a->profile = (uint8_t)x;
  } else if (cli_opt(argc, argv, i, "--iut", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!*v) return cli_usage_error("sim", "--iut wants a command");
    a->iut_cmd = v;
  } else if (cli_flag(argv, *i, "--persistent")) {
    a->iut_persistent = true;
  } else if (cli_opt(argc, argv, i, "--role", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (strcmp(v, "source") == 0)
      a->iut_role = MM_ROLE_SOURCE;
    else if (strcmp(v, "target") == 0)
      a->iut_role = MM_ROLE_TARGET;
    else
      return cli_usage_error("sim", "--role is source or target, not '%s'", v);
    a->role_given = true;
  } else if (cli_opt(argc, argv, i, "--shard", &v, bad)) {
    if (*bad) return EXIT_USAGE;
    if (!parse_shard(v, &a->shard, &a->shards))
      return cli_usage_error("sim", "--shard wants I/M with 0 <= I < M, got '%s'", v);
  } else {
    *matched = false;
  }
  return -1;
}

/* Which mode, and are its options consistent? */
static int check_mode(sim_args *a) {
  int modes = (a->scenario != NULL) + (a->schedule != NULL) + a->campaign + a->explore;
  if (modes == 0)
    return cli_usage_error("sim",
                           "one of --scenario, --schedule, --campaign or --explore is required");
  if (modes > 1)
    return cli_usage_error("sim",
                           "--scenario, --schedule, --campaign and --explore exclude each other");
  if (a->faults && !a->campaign) return cli_usage_error("sim", "--faults goes with --campaign");
  if (a->features && a->campaign)
    return cli_usage_error("sim", "--feature does not go with --campaign (yet)");
  if (a->max_faults && !a->explore)
    return cli_usage_error("sim", "--max-faults goes with --explore");
  if (a->explore && !a->max_faults) return cli_usage_error("sim", "--explore needs --max-faults K");
  if (a->shards && !a->campaign && !a->explore)
    return cli_usage_error("sim", "--shard goes with --campaign or --explore");
  if ((a->schedule || a->campaign) && a->n_suites > 1)
    return cli_usage_error("sim", "--schedule and --campaign take one --suite");
  if (a->scenario && strcmp(a->scenario, "happy") != 0 && a->n_suites > 1)
    return cli_usage_error("sim", "a scenario takes one --suite (it names its own)");
  bool happy = a->scenario && strcmp(a->scenario, "happy") == 0;
  if ((a->state_bytes != 1024 || a->members != 3) && !happy)
    return cli_usage_error("sim",
                           "--state-bytes and --members go with --scenario happy "
                           "(a scenario file sets its own)");
  if (a->profile == MM_PROFILE_V2 && !happy && !a->explore)
    return cli_usage_error("sim",
                           "--profile 2 goes with --scenario happy or --explore (the v2 "
                           "simulator has no ordinary Commits yet)");
  if (a->iut_cmd && !a->role_given)
    return cli_usage_error("sim", "--iut needs --role source|target");
  if (a->role_given && !a->iut_cmd) return cli_usage_error("sim", "--role goes with --iut");
  if (a->iut_persistent && !a->iut_cmd)
    return cli_usage_error("sim", "--persistent goes with --iut");
  if (a->iut_cmd && a->mutants)
    return cli_usage_error(
        "sim",
        "--mutant breaks the reference actors, not --iut (a mutant of the "
        "reference DS behind the shim: --iut 'build/mlsmig-ref-ds --mutant NAME')");
  if (a->iut_cmd && a->profile == MM_PROFILE_V2)
    return cli_usage_error("sim", "--iut runs profile 1 (the shim's v2 runs are not there yet)");
  if (!a->faults) a->faults = 3;
  if (!a->shards) a->shards = 1;
  return -1;
}

static int parse(int argc, char **argv, sim_args *a) {
  const char *v;
  bool bad = false;
  *a = (sim_args){.seed = 1, .state_bytes = 1024, .members = 3};
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(sim_help, stdout);
      return EXIT_OK;
    }
    bool matched;
    int rc = parse_more(argc, argv, &i, a, &bad, &matched);
    if (rc >= 0) return rc;
    if (matched) continue;
    if (cli_flag(argv, i, "--json")) {
      a->json = true;
    } else if (cli_opt(argc, argv, &i, "--scenario", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!*v) return cli_usage_error("sim", "--scenario wants a name, a file or all");
      a->scenario = v;
    } else if (cli_opt(argc, argv, &i, "--suite", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "all") == 0) continue;
      if (a->n_suites == MM_SUITE_COUNT || !cli_parse_suite(v, &a->suites[a->n_suites]))
        return cli_usage_error("sim", "unknown ciphersuite '%s' (1..7 or all)", v);
      a->n_suites++;
      a->suite_given = true;
    } else if (cli_opt(argc, argv, &i, "--seed", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &a->seed))
        return cli_usage_error("sim", "--seed wants an integer 0..2^64-1, got '%s'", v);
      a->seed_given = true;
    } else if (cli_opt(argc, argv, &i, "--state-bytes", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      /* The payload shares the 256 MiB group_state bound (ENC-4) with the
       * state's header and members: leave them 64 KiB. */
      if (!cli_parse_u64(v, &a->state_bytes) || a->state_bytes > MAX_STATE_BYTES)
        return cli_usage_error("sim", "--state-bytes wants 0..%llu, got '%s'",
                               (unsigned long long)MAX_STATE_BYTES, v);
    } else if (cli_opt(argc, argv, &i, "--members", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &a->members) || a->members < 1 || a->members > MM_SIM_MAX_MEMBERS)
        return cli_usage_error("sim", "--members wants 1..64, got '%s'", v);
    } else if (cli_opt(argc, argv, &i, "--feature", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "migration-refusal") != 0)
        return cli_usage_error("sim", "unknown feature '%s' (there is migration-refusal)", v);
      a->features |= MM_FEAT_MIGRATION_REFUSAL;
    } else if (cli_opt(argc, argv, &i, "--mutant", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      mm_mutant m;
      if (!mm_mutant_by_name(v, &m))
        return cli_usage_error("sim", "unknown mutant '%s' (see 'mlsmig list mutants')", v);
      a->mutants |= 1u << m;
    } else {
      return cli_usage_error("sim", "unexpected argument '%s'", argv[i]);
    }
  }
  int rc = check_mode(a);
  if (rc >= 0) return rc;
  bool all_suites = a->n_suites == 0;
  if (all_suites)
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) a->suites[a->n_suites++] = s;
  /* a campaign without --suite draws each run's suite from its seed */
  if (a->campaign && all_suites) a->n_suites = 0;
  return -1;
}

static void print_table(const mm_sim *s, const mm_sim_outcome *o) {
  const mm_sim_config *cfg = mm_sim_get_config(s);
  printf("== suite %u (%s), seed %llu, state %llu bytes\n", cfg->suite,
         mm_suite_get(cfg->suite)->name, (unsigned long long)cfg->seed,
         (unsigned long long)cfg->state_bytes);
  printf("%5s %8s  %-22s %-22s %-26s %10s  %s\n", "step", "t(ms)", "from", "to", "type", "bytes",
         "verdict");
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    const char *type = mm_msg_type_name(r->msg_type);
    printf("%5zu %8llu  %-22s %-22s %-26s %10zu  %s\n", r->step, (unsigned long long)r->at, r->from,
           r->to, type ? type : "?", r->len,
           r->verdict == MM_OK ? "accepted" : mm_err_name(r->verdict));
  }
  printf("outcome: %s, home %s at epoch %llu, t=%llu ms\n", o->result, o->home ? o->home : "none",
         (unsigned long long)o->epoch, (unsigned long long)o->end_time_ms);
  for (int i = 1; i <= 5; i++)
    printf("  INV-%d %s%s%s\n", i, mm_inv_result_name(o->inv[i]), o->inv_detail[i][0] ? ": " : "",
           o->inv_detail[i]);
  if (o->rule_violation[0]) printf("  rule broken: %s\n", o->rule_violation);
}

static bool run_one(const sim_args *a, uint16_t suite, json_t *all) {
  mm_sim_config cfg = mm_sim_config_default(suite, a->seed);
  cfg.state_bytes = a->state_bytes;
  cfg.members = (unsigned)a->members;
  cfg.mutants = a->mutants;
  cfg.features = a->features;
  cfg.keep_bodies = a->json;
  cfg.profile = a->profile;
  cfg.external = sim_external(a);
  mm_sim *s;
  mm_err e = mm_sim_new(&cfg, &s);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig sim: cannot set up suite %u: %s\n", suite, mm_err_message(e));
    return false;
  }
  mm_sim_start_migration(s, 0);
  if ((e = mm_sim_run(s)) != MM_OK) { /* a run that broke off is no result */
    fprintf(stderr, "mlsmig sim: suite %u: %s\n", suite, mm_err_message(e));
    mm_sim_free(s);
    return false;
  }
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  bool ok = strcmp(o.result, "completed") == 0;
  for (int i = 1; i <= 5; i++) ok = ok && o.inv[i] != MM_INV_FAIL;
  ok = ok && !o.rule_violation[0];
  if (all)
    json_array_append_new(all, mm_sim_transcript(s, &o));
  else
    print_table(s, &o);
  mm_sim_free(s);
  return ok;
}

const mm_sim_external *sim_external(const sim_opts *a) {
  return a->iut ? mm_iut_ds_external(a->iut) : NULL;
}

/* --iut: the IUT's PICS decides the suites; a suite asked for that it
 * lacks is a usage error. */
static int start_iut(sim_args *a) {
  mm_iut_ds_opts o = {a->iut_cmd, a->iut_role, 0, a->iut_persistent};
  char why[1200];
  mm_err e = mm_iut_ds_new(&o, &a->iut, why, sizeof why);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig sim: --iut: %s\n", why);
    return EXIT_USAGE;
  }
  size_t k = 0;
  for (size_t i = 0; i < a->n_suites; i++) {
    if (mm_iut_ds_has_suite(a->iut, a->suites[i])) {
      a->suites[k++] = a->suites[i];
    } else if (a->suite_given) {
      fprintf(stderr, "mlsmig sim: --iut: the IUT's PICS does not list suite %u\n", a->suites[i]);
      return EXIT_USAGE;
    }
  }
  a->n_suites = k;
  bool every_suite = true;
  for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++)
    every_suite = every_suite && mm_iut_ds_has_suite(a->iut, s);
  if (a->campaign && a->n_suites == 0 && !every_suite) {
    fprintf(stderr,
            "mlsmig sim: --iut: a campaign draws every suite, the IUT's PICS lacks some: give "
            "--suite N\n");
    return EXIT_USAGE;
  }
  if (a->iut_persistent && !mm_iut_ds_persistent(a->iut))
    fprintf(stderr, "mlsmig sim: the IUT's PICS lacks reset: one process per run\n");
  if (k == 0 && !a->campaign) {
    fprintf(stderr, "mlsmig sim: --iut: the IUT's PICS lists no suite 1..7\n");
    return EXIT_USAGE;
  }
  return -1;
}

/* What the IUT cost: schedules per second and the share of process start-up. */
static void iut_note(const sim_args *a, double wall_ms) {
  mm_iut_ds_stats st = mm_iut_ds_get_stats(a->iut);
  const char *why = mm_iut_ds_why(a->iut);
  if (why[0]) fprintf(stderr, "mlsmig sim: the IUT broke: %s\n", why);
  if (a->json) return;
  double secs = wall_ms / 1e3;
  printf(
      "iut %s as %s (%s): %llu runs, %llu processes, %llu requests; %.1f runs/s; start-up "
      "%.0f%%, requests %.0f%%, kill and cleanup %.0f%% of %.1f s\n",
      mm_iut_ds_implementation(a->iut)[0] ? mm_iut_ds_implementation(a->iut) : "(unnamed)",
      a->iut_role == MM_ROLE_SOURCE ? "source" : "target",
      mm_iut_ds_persistent(a->iut) ? "persistent" : "a process per run",
      (unsigned long long)st.runs, (unsigned long long)st.processes,
      (unsigned long long)st.requests, secs > 0 ? (double)st.runs / secs : 0.0,
      wall_ms > 0 ? 100.0 * st.startup_ms / wall_ms : 0,
      wall_ms > 0 ? 100.0 * st.request_ms / wall_ms : 0,
      wall_ms > 0 ? 100.0 * st.kill_ms / wall_ms : 0, secs);
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* the closing note only, never a result */
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int run_mode(sim_args *a);
static int run_happy(const sim_args *ap);

int cmd_sim(int argc, char **argv) {
  sim_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  if (!a.iut_cmd) return run_mode(&a);
  if ((rc = start_iut(&a)) >= 0) {
    mm_iut_ds_free(a.iut);
    return rc;
  }
  double t0 = wall_ms();
  rc = run_mode(&a);
  iut_note(&a, wall_ms() - t0);
  mm_iut_ds_free(a.iut);
  return rc;
}

static int run_mode(sim_args *a) {
  if (a->schedule) return sim_schedule(a);
  if (a->campaign) return sim_campaign(a);
  if (a->explore) return sim_explore(a);
  if (strcmp(a->scenario, "happy") != 0) return sim_scenario(a);
  return run_happy(a);
}

static int run_happy(const sim_args *ap) {
  sim_args a = *ap;
  json_t *all = a.json ? json_array() : NULL;
  size_t failed = 0;
  for (size_t i = 0; i < a.n_suites; i++) failed += !run_one(&a, a.suites[i], all);
  if (all) {
    json_t *out = a.n_suites == 1 ? json_incref(json_array_get(all, 0)) : json_incref(all);
    mm_json_dumpf(out, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(out);
    json_decref(all);
  } else {
    printf("%zu passed, %zu failed\n", a.n_suites - failed, failed);
  }
  return failed ? EXIT_REJECTED : EXIT_OK;
}

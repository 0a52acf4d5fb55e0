/* mlsmig sim: run a migration in the deterministic simulator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlsmig/sim.h"
#include "transcript.h"

static const char sim_help[] =
    "usage: mlsmig sim --scenario happy [--suite N|all] [--seed S] [--state-bytes B]\n"
    "                  [--members M] [--mutant NAME]... [--json]\n\n"
    "Runs one migration end to end in the deterministic simulator (client,\n"
    "source DS and target DS; simulated time) and checks the invariants\n"
    "INV-1..INV-5. The same seed reproduces the same run byte for byte.\n\n"
    "  --scenario happy   the only scenario so far: one member migrates the group\n"
    "  --suite N|all      ciphersuite 1..7 (default: all seven, one run each)\n"
    "  --seed S           seed of every key, nonce and byte (default 1)\n"
    "  --state-bytes B    size of the DS-specific group state payload (default 1024)\n"
    "  --members M        group size, 1..64 (default 3)\n"
    "  --mutant NAME      break one rule in both DSes (see 'mlsmig list mutants')\n"
    "  --json             print the transcript(s) as JSON instead of a table\n\n"
    "Exit 0 when every run completed and held every invariant, 1 otherwise.\n";

typedef struct {
  uint16_t suites[MM_SUITE_COUNT];
  size_t n_suites;
  uint64_t seed, state_bytes, members;
  mm_mutants mutants;
  bool json;
} sim_args;

static int parse(int argc, char **argv, sim_args *a) {
  const char *v;
  bool bad = false, have_scenario = false;
  *a = (sim_args){.seed = 1, .state_bytes = 1024, .members = 3};
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(sim_help, stdout);
      return EXIT_OK;
    }
    if (cli_flag(argv, i, "--json")) {
      a->json = true;
    } else if (cli_opt(argc, argv, &i, "--scenario", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "happy") != 0) return cli_usage_error("sim", "unknown scenario '%s'", v);
      have_scenario = true;
    } else if (cli_opt(argc, argv, &i, "--suite", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (strcmp(v, "all") == 0) continue;
      if (a->n_suites == MM_SUITE_COUNT || !cli_parse_suite(v, &a->suites[a->n_suites]))
        return cli_usage_error("sim", "unknown ciphersuite '%s' (1..7 or all)", v);
      a->n_suites++;
    } else if (cli_opt(argc, argv, &i, "--seed", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &a->seed) || a->seed > INT64_MAX)
        return cli_usage_error("sim", "--seed wants an integer 0..2^63-1, got '%s'", v);
    } else if (cli_opt(argc, argv, &i, "--state-bytes", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &a->state_bytes) || a->state_bytes > MM_GROUP_STATE_DEFAULT_MAX)
        return cli_usage_error("sim", "--state-bytes wants 0..268435456, got '%s'", v);
    } else if (cli_opt(argc, argv, &i, "--members", &v, &bad)) {
      if (bad) return EXIT_USAGE;
      if (!cli_parse_u64(v, &a->members) || a->members < 1 || a->members > MM_SIM_MAX_MEMBERS)
        return cli_usage_error("sim", "--members wants 1..64, got '%s'", v);
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
  if (!have_scenario) return cli_usage_error("sim", "--scenario is required");
  if (a->n_suites == 0)
    for (uint16_t s = 1; s <= MM_SUITE_COUNT; s++) a->suites[a->n_suites++] = s;
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
  cfg.keep_bodies = a->json;
  mm_sim *s;
  mm_err e = mm_sim_new(&cfg, &s);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig sim: cannot set up suite %u: %s\n", suite, mm_err_message(e));
    return false;
  }
  mm_sim_start_migration(s, 0);
  mm_sim_run(s);
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  bool ok = strcmp(o.result, "completed") == 0;
  for (int i = 1; i <= 5; i++) ok = ok && o.inv[i] != MM_INV_FAIL;
  ok = ok && !o.rule_violation[0];
  if (all) json_array_append_new(all, mm_sim_transcript(s, &o));
  else print_table(s, &o);
  mm_sim_free(s);
  return ok;
}

int cmd_sim(int argc, char **argv) {
  sim_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  json_t *all = a.json ? json_array() : NULL;
  size_t failed = 0;
  for (size_t i = 0; i < a.n_suites; i++) failed += !run_one(&a, a.suites[i], all);
  if (all) {
    json_t *out = a.n_suites == 1 ? json_incref(json_array_get(all, 0)) : json_incref(all);
    json_dumpf(out, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(out);
    json_decref(all);
  } else {
    printf("%zu passed, %zu failed\n", a.n_suites - failed, failed);
  }
  return failed ? EXIT_REJECTED : EXIT_OK;
}

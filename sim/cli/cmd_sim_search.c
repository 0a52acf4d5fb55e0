/* mlsmig sim: scenarios, fault schedules, campaigns and exploration (the
 * modes of cmd_sim.c beyond the happy path). Violations print with a
 * one-line replay command, the schedule shrunk to a minimal set of faults,
 * and the envelope trace of the shrunk run. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json_io.h"
#include "cli/cli.h"
#include "cli/cmd_sim_modes.h"
#include "explore/search.h"
#include "shim/shim_proto.h"
#include "simulator/transcript.h"

#define MAX_REPORTED 10

/* ---- printing ---- */

static void print_trace(const mm_sim *s, const char *indent) {
  printf("%s%5s %8s  %-22s %-22s %-26s %10s  %s\n", indent, "step", "t(ms)", "from", "to", "type",
         "bytes", "verdict");
  for (size_t i = 0; i < mm_sim_record_count(s); i++) {
    const mm_sim_record *r = mm_sim_record_at(s, i);
    const char *type = mm_msg_type_name(r->msg_type);
    printf("%s%5zu %8llu  %-22s %-22s %-26s %10zu  %s\n", indent, r->step,
           (unsigned long long)r->at, r->from, r->to, type ? type : "?", r->len,
           r->verdict == MM_OK            ? "accepted"
           : r->verdict == MM_E_NOT_FOUND ? "lost (receiver down)"
                                          : mm_err_name(r->verdict));
  }
}

static void print_outcome(const mm_sim_outcome *o, const char *indent) {
  printf("%soutcome: %s, home %s at epoch %llu, t=%llu ms\n", indent, o->result,
         o->home ? o->home : "none", (unsigned long long)o->epoch,
         (unsigned long long)o->end_time_ms);
  for (int i = 1; i <= 5; i++)
    printf("%s  INV-%d %s%s%s\n", indent, i, mm_inv_result_name(o->inv[i]),
           o->inv_detail[i][0] ? ": " : "", o->inv_detail[i]);
  if (o->rule_violation[0]) printf("%s  rule broken: %s\n", indent, o->rule_violation);
  if (o->known_gap[0]) printf("%s  known gap: %s\n", indent, o->known_gap);
}

static void print_indented(const char *text, const char *indent) {
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    printf("%s%.*s\n", indent, (int)n, p);
    p += n + (nl ? 1 : 0);
  }
}

static void mutant_flags(mm_mutants m, char *buf, size_t len) {
  buf[0] = '\0';
  for (int i = 1; i < MM_MUT_COUNT; i++)
    if (mm_mutant_on(m, (mm_mutant)i)) {
      size_t used = strlen(buf);
      snprintf(buf + used, len - used, " --mutant %s", mm_mutant_name((mm_mutant)i));
    }
}

/* "f1; f2" for --schedule. */
static void schedule_text(const mm_schedule *s, char *buf, size_t len) {
  buf[0] = '\0';
  for (size_t i = 0; i < s->n; i++) {
    char f[320];
    mm_fault_format(&s->f[i], f, sizeof f);
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", i ? "; " : "", f);
  }
}

/* The shrunk schedule, as a scenario file, and its trace. */
static void report_shrunk(const mm_scenario *sc) {
  mm_scenario small;
  mm_sc_result res;
  if (mm_shrink(sc, 0, &small, &res) != MM_OK) return;
  char key[32];
  mm_violation_key(&res, key, sizeof key);
  printf("  shrunk to %zu fault(s) (%s); as a scenario file:\n", small.faults.n, key);
  snprintf(small.name, sizeof small.name, "shrunk");
  char *text = mm_scenario_format(&small);
  if (text) print_indented(text, "    | ");
  free(text);
  mm_sim *s = NULL;
  mm_sc_run_opts ro = {.sim_out = &s};
  if (mm_scenario_run(&small, &ro, &res) != MM_OK || !s) return;
  printf("  trace of the shrunk run:\n");
  print_trace(s, "    ");
  print_outcome(&res.outcome, "    ");
  mm_sim_free(s);
}

/* ---- progress on a terminal ---- */

typedef struct progress {
  bool on;
  const char *what;
  double last;
  bool printed;
} progress;

static double mono_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* display only: never in a result */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t violations) {
  progress *p = ctx;
  if (!p->on) return;
  double now = mono_seconds();
  if (now - p->last < 0.25 && (total == 0 || done < total)) return;
  p->last = now;
  p->printed = true;
  if (total)
    fprintf(stderr, "\r%s: %llu/%llu runs, %llu violations   ", p->what, (unsigned long long)done,
            (unsigned long long)total, (unsigned long long)violations);
  else
    fprintf(stderr, "\r%s: %llu schedules, %llu violations   ", p->what, (unsigned long long)done,
            (unsigned long long)violations);
}

static void progress_end(progress *p) {
  if (p->printed) fputs("\r\033[K", stderr);
  p->printed = false;
}

/* ---- violations as they come ---- */

typedef struct reporter {
  progress prog;
  const sim_opts *a;
  bool explore;
  uint64_t shown, gaps_shown;
  json_t *list;              /* --json: replay commands */
  uint64_t nondeterministic; /* violations whose replay the IUT answered otherwise */
} reporter;

/* " --iut 'CMD' --role R", the command quoted for a POSIX shell. */
static void iut_flags(const sim_opts *a, char *buf, size_t len) {
  buf[0] = '\0';
  if (!a->iut_cmd) return;
  size_t n = (size_t)snprintf(buf, len, " --iut '");
  for (const char *p = a->iut_cmd; *p && n + 6 < len; p++) {
    if (*p == '\'') {
      memcpy(buf + n, "'\\''", 4);
      n += 4;
    } else {
      buf[n++] = *p;
    }
  }
  snprintf(buf + n, len - n, "' --role %s%s", a->iut_role == MM_ROLE_SOURCE ? "source" : "target",
           a->iut_persistent ? " --persistent" : "");
}

static void replay_command(const reporter *r, const mm_scenario *sc, char *buf, size_t len) {
  char muts[1024];
  mutant_flags(r->a->mutants, muts, sizeof muts);
  size_t used = strlen(muts);
  iut_flags(r->a, muts + used, sizeof muts - used);
  if (r->explore) {
    char sched[2048];
    schedule_text(&sc->faults, sched, sizeof sched);
    snprintf(buf, len, "mlsmig sim --schedule '%s' --suite %u --seed %llu%s", sched, sc->suite,
             (unsigned long long)sc->seed, muts);
  } else {
    char suite[32] = "";
    if (r->a->n_suites == 1) snprintf(suite, sizeof suite, " --suite %u", r->a->suites[0]);
    snprintf(buf, len, "mlsmig sim --campaign 1 --seed %llu --faults %u%s%s",
             (unsigned long long)sc->seed, r->a->faults, suite, muts);
  }
}

/* --iut: the violating run once more; an IUT that answers the same inputs
 * otherwise is nondeterministic, and its verdicts say nothing. */
static bool iut_reproduces(reporter *r, const mm_scenario *sc, char *diff, size_t len) {
  if (!r->a->iut) return true;
  mm_iut_ds_log first, again;
  mm_iut_ds_last_log(r->a->iut, &first);
  mm_sc_result res;
  bool same = true;
  if (mm_scenario_run(sc, NULL, &res) == MM_OK) {
    mm_iut_ds_last_log(r->a->iut, &again);
    same = !mm_iut_ds_log_diff(&first, &again, diff, len);
    mm_iut_ds_log_free(&again);
  }
  mm_iut_ds_log_free(&first);
  return same;
}

static void on_violation(void *ctx, const mm_scenario *sc, const mm_sc_result *res) {
  reporter *r = ctx;
  char cmd[2600], key[32], diff[400];
  if (!iut_reproduces(r, sc, diff, sizeof diff)) {
    r->nondeterministic++;
    if (r->a->json || r->nondeterministic > MAX_REPORTED) return;
    progress_end(&r->prog);
    replay_command(r, sc, cmd, sizeof cmd);
    printf(
        "nondeterministic IUT (not a protocol violation): the same schedule replayed gave other "
        "outputs: %s\n  schedule: %s\n",
        diff, cmd);
    return;
  }
  replay_command(r, sc, cmd, sizeof cmd);
  mm_violation_key(res, key, sizeof key);
  if (r->list && json_array_size(r->list) < 100)
    json_array_append_new(
        r->list, json_pack("{s:s, s:o, s:i, s:s}", "violation", key, "seed", mm_json_u64(sc->seed),
                           "suite", sc->suite, "replay", cmd));
  if (r->a->json || r->shown >= MAX_REPORTED) return;
  progress_end(&r->prog);
  r->shown++;
  const mm_sim_outcome *o = &res->outcome;
  const char *detail = o->rule_violation;
  for (int i = 5; i >= 1; i--)
    if (o->inv[i] == MM_INV_FAIL && !(i == 5 && o->known_gap[0])) detail = o->inv_detail[i];
  printf("violation: %s: %s (suite %u, seed %llu)\n", key, detail, sc->suite,
         (unsigned long long)sc->seed);
  printf("  replay: %s\n", cmd);
  if (r->shown == 1) report_shrunk(sc);
}

/* The first run that shows a known gap, as an example (and with
 * MLSMIG_GAPS=1 in the environment, every one). */
static void on_known_gap(void *ctx, const mm_scenario *sc, const mm_sc_result *res) {
  reporter *r = ctx;
  if (r->a->json || (r->gaps_shown && !getenv("MLSMIG_GAPS"))) return;
  progress_end(&r->prog);
  r->gaps_shown++;
  char cmd[2600];
  replay_command(r, sc, cmd, sizeof cmd);
  printf("known gap: %s\n  example: %s\n", res->outcome.known_gap, cmd);
}

/* --json: which DS the IUT played, for the reports. */
static void iut_json(const sim_opts *a, json_t *j) {
  if (!a->iut) return;
  json_object_set_new(j, "iut",
                      json_pack("{s:s, s:s, s:s}", "command", a->iut_cmd, "role",
                                a->iut_role == MM_ROLE_SOURCE ? "source" : "target",
                                "implementation", mm_iut_ds_implementation(a->iut)));
}

/* ---- campaign ---- */

static void print_stats(const char *label, const mm_search_stats *st) {
  printf(
      "%s: %llu runs, %llu violations, %llu known gaps (completed %llu, aborted %llu, "
      "refused %llu, stuck %llu)\n",
      label, (unsigned long long)st->runs, (unsigned long long)st->violations,
      (unsigned long long)st->known_gaps, (unsigned long long)st->completed,
      (unsigned long long)st->aborted, (unsigned long long)st->refused,
      (unsigned long long)st->stuck);
}

static json_t *stats_json(const mm_search_stats *st) {
  return json_pack("{s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}}", "runs", mm_json_u64(st->runs),
                   "violations", mm_json_u64(st->violations), "known_gaps",
                   mm_json_u64(st->known_gaps), "results", "completed", mm_json_u64(st->completed),
                   "aborted", mm_json_u64(st->aborted), "refused", mm_json_u64(st->refused),
                   "stuck", mm_json_u64(st->stuck));
}

int sim_campaign(const sim_opts *a) {
  reporter r = {{isatty(fileno(stderr)) && !a->json, "campaign", 0, false},
                a,
                false,
                0,
                0,
                a->json ? json_array() : NULL,
                0};
  mm_campaign_opts o = {a->campaign_runs, a->seed,  a->n_suites == 1 ? a->suites[0] : 0,
                        a->faults,        a->shard, a->shards,
                        a->mutants,       false,    sim_external(a)};
  mm_search_hooks h = {on_progress, on_violation, on_known_gap, &r};
  mm_search_stats st;
  mm_err e = mm_campaign(&o, &h, &st);
  progress_end(&r.prog);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig sim: campaign failed: %s\n", mm_err_message(e));
    json_decref(r.list);
    return EXIT_REJECTED;
  }
  st.violations -= r.nondeterministic;
  if (a->json) {
    json_t *j = stats_json(&st);
    json_object_set_new(j, "nondeterministic", mm_json_u64(r.nondeterministic));
    json_object_set_new(j, "mode", json_string("campaign"));
    json_object_set_new(j, "seed", mm_json_u64(a->seed));
    json_object_set_new(j, "planned", mm_json_u64(a->campaign_runs));
    json_object_set_new(j, "faults", json_integer(a->faults));
    json_object_set_new(j, "shard", json_pack("[i, i]", a->shard, a->shards));
    json_object_set_new(j, "violating_runs", r.list);
    iut_json(a, j);
    mm_json_dumpf(j, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(j);
  } else {
    char label[96];
    snprintf(label, sizeof label, "campaign seed %llu, shard %u/%u", (unsigned long long)a->seed,
             a->shard, a->shards);
    print_stats(label, &st);
    if (r.nondeterministic)
      printf("%llu runs not reproduced by the IUT (nondeterministic)\n",
             (unsigned long long)r.nondeterministic);
  }
  return st.violations || r.nondeterministic ? EXIT_REJECTED : EXIT_OK;
}

/* ---- exploration ---- */

int sim_explore(const sim_opts *a) {
  reporter r = {{isatty(fileno(stderr)) && !a->json, "explore", 0, false},
                a,
                true,
                0,
                0,
                a->json ? json_array() : NULL,
                0};
  json_t *per_suite = a->json ? json_array() : NULL;
  uint64_t violations = 0;
  for (size_t i = 0; i < a->n_suites; i++) {
    char what[48];
    snprintf(what, sizeof what, "explore suite %u", a->suites[i]);
    r.prog.what = what;
    mm_explore_opts o = {a->suites[i], a->seed, a->max_faults, a->mutants,      a->shard,
                         a->shards,    false,   a->profile,    sim_external(a), a->features};
    mm_search_hooks h = {on_progress, on_violation, on_known_gap, &r};
    mm_search_stats st;
    uint64_t nondet = r.nondeterministic;
    mm_err e = mm_explore(&o, &h, &st);
    st.violations -= r.nondeterministic - nondet;
    progress_end(&r.prog);
    if (e != MM_OK) {
      fprintf(stderr, "mlsmig sim: exploration failed: %s\n", mm_err_message(e));
      json_decref(r.list);
      json_decref(per_suite);
      return EXIT_REJECTED;
    }
    violations += st.violations;
    if (per_suite) {
      json_t *j = stats_json(&st);
      json_object_set_new(j, "suite", json_integer(a->suites[i]));
      json_object_set_new(j, "nondeterministic", mm_json_u64(r.nondeterministic - nondet));
      json_array_append_new(per_suite, j);
    } else {
      char label[96];
      snprintf(label, sizeof label, "explore suite %u, up to %u fault(s), seed %llu", a->suites[i],
               a->max_faults, (unsigned long long)a->seed);
      print_stats(label, &st);
      if (r.nondeterministic > nondet)
        printf("%llu runs not reproduced by the IUT (nondeterministic)\n",
               (unsigned long long)(r.nondeterministic - nondet));
    }
  }
  if (a->json) {
    json_t *j = json_pack("{s:s, s:i, s:o, s:[i, i], s:o, s:o, s:o}", "mode", "explore",
                          "max_faults", a->max_faults, "seed", mm_json_u64(a->seed), "shard",
                          a->shard, a->shards, "suites", per_suite, "violations",
                          mm_json_u64(violations), "violating_runs", r.list);
    iut_json(a, j);
    mm_json_dumpf(j, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(j);
  }
  return violations || r.nondeterministic ? EXIT_REJECTED : EXIT_OK;
}

/* ---- scenarios ---- */

bool sim_iut_prepare(const sim_opts *a, mm_scenario *sc, char *why, size_t len) {
  sc->external = sim_external(a);
  if (!a->iut) return true;
  uint32_t f = mm_iut_ds_features(a->iut);
  const char *domain = a->iut_role == MM_ROLE_SOURCE ? MM_SIM_SOURCE : MM_SIM_TARGET;
  size_t k = 0;
  for (size_t i = 0; i < sc->n_seen; i++)
    if (sc->seen[i].msg_type != MM_MSG_MIGRATION_ERROR || strcmp(sc->seen[i].at, domain) != 0)
      sc->seen[k++] = sc->seen[i];
  sc->n_seen = k;
  bool crash = false;
  for (size_t i = 0; i < sc->faults.n; i++)
    crash =
        crash || (sc->faults.f[i].kind == MM_FAULT_CRASH && sc->faults.f[i].role == a->iut_role);
  bool deny = false, create = sc->target_hosts_group;
  for (size_t i = 0; i < sc->n_actions; i++) {
    deny =
        deny || (sc->actions[i].kind == MM_SC_DENY && strcmp(sc->actions[i].domain, domain) == 0);
    create = create || sc->actions[i].kind == MM_SC_CREATE_GROUP;
  }
  mm_policy_kind pol = a->iut_role == MM_ROLE_SOURCE ? sc->source_policy : sc->target_policy;
  if (sc->mutants)
    snprintf(why, len, "it breaks the reference DS on purpose (mutant)");
  else if (sc->features || a->features)
    /* the shim has no way yet to turn a profile feature on at the IUT */
    snprintf(why, len, "it needs the profile feature migration_refusal at both DSes");
  else if (!mm_iut_ds_has_suite(a->iut, sc->suite))
    snprintf(why, len, "the IUT's PICS does not list suite %u", sc->suite);
  else if (crash && !(f & MM_SHIM_F_RESTART))
    snprintf(why, len, "it crashes the IUT, whose PICS lacks restart");
  else if (deny)
    snprintf(why, len, "it changes the IUT's policy while it runs");
  else if (pol == MM_POLICY_STRICT && !(f & MM_SHIM_F_STRICT_POLICY))
    snprintf(why, len, "it needs the strict policy, which the IUT's PICS lacks");
  else if (create && a->iut_role == MM_ROLE_TARGET && !(f & MM_SHIM_F_INSTALL_AT_TARGET))
    snprintf(why, len, "it creates a group at the target, whose PICS lacks install_at_target");
  else
    return true;
  return false;
}

static char *read_file(const char *path, char *err, size_t err_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "cannot open '%s'", path);
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
    if (n == cap) {
      if (cap >= (1u << 20)) {
        snprintf(err, err_len, "'%s' is larger than 1 MiB", path);
        free(buf);
        buf = NULL;
        break;
      }
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  if (buf && ferror(f)) {
    snprintf(err, err_len, "cannot read '%s'", path);
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) buf[n] = '\0';
  return buf;
}

static bool looks_like_path(const char *v) {
  size_t n = strlen(v);
  return strchr(v, '/') || (n > 4 && strcmp(v + n - 4, ".scn") == 0);
}

/* The scenario a --scenario value names (a built-in name or a file),
 * with --suite/--seed overrides. Usage errors print and return false. */
bool sim_load_scenario(const sim_opts *a, const char *which, mm_scenario *sc) {
  char err[300];
  const char *text = mm_scenario_builtin_find(which);
  char *owned = NULL;
  if (!text && looks_like_path(which))
    text = owned = read_file(which, err, sizeof err);
  else if (!text)
    snprintf(err, sizeof err, "unknown scenario '%s' (see 'mlsmig list scenarios')", which);
  if (!text) {
    cli_usage_error("sim", "%s", err);
    return false;
  }
  bool ok = mm_scenario_parse(text, sc, err, sizeof err);
  free(owned);
  if (!ok) {
    fprintf(stderr, "mlsmig sim: %s: %s\n", which, err);
    return false;
  }
  if (a->suite_given && a->n_suites == 1) sc->suite = a->suites[0];
  if (a->seed_given) sc->seed = a->seed;
  return true;
}

static int run_scenario(const sim_opts *a, const mm_scenario *in) {
  mm_scenario copy = *in, *sc = &copy;
  char why[160];
  if (!sim_iut_prepare(a, sc, why, sizeof why)) {
    printf("== scenario %s: not applicable to the IUT: %s\n", sc->name, why);
    return EXIT_OK;
  }
  mm_sim *s = NULL;
  mm_sc_run_opts ro = {.extra_mutants = a->mutants,
                       .keep_bodies = a->json,
                       .sim_out = &s,
                       .extra_features = a->features};
  mm_sc_result res;
  mm_err e = mm_scenario_run(sc, &ro, &res);
  if (e != MM_OK) {
    fprintf(stderr, "mlsmig sim: cannot run scenario %s: %s\n", sc->name, mm_err_message(e));
    return EXIT_REJECTED;
  }
  if (a->json) {
    json_t *t = mm_sim_transcript(s, &res.outcome);
    json_t *out = json_object_get(t, "outcome");
    if (out && res.outcome.known_gap[0])
      json_object_set_new(out, "known_gap", json_string(res.outcome.known_gap));
    json_object_set_new(t, "scenario", json_string(sc->name));
    json_object_set_new(t, "expectations_met", json_boolean(res.met));
    if (!res.met) json_object_set_new(t, "why", json_string(res.why));
    mm_json_dumpf(t, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(t);
  } else {
    printf("== scenario %s: suite %u (%s), seed %llu\n", sc->name, sc->suite,
           mm_suite_get(sc->suite)->name, (unsigned long long)sc->seed);
    if (sc->about[0]) printf("   %s\n", sc->about);
    for (size_t i = 0; i < sc->faults.n; i++) {
      char f[320];
      mm_fault_format(&sc->faults.f[i], f, sizeof f);
      printf("   fault %s\n", f);
    }
    print_trace(s, "");
    print_outcome(&res.outcome, "");
    printf("expectations: %s%s%s\n", res.met ? "met" : "NOT met", res.met ? "" : ": ",
           res.met ? "" : res.why);
  }
  mm_sim_free(s);
  return res.met ? EXIT_OK : EXIT_REJECTED;
}

int sim_scenario(const sim_opts *a) {
  if (strcmp(a->scenario, "all") != 0) {
    mm_scenario sc;
    if (!sim_load_scenario(a, a->scenario, &sc)) return EXIT_USAGE;
    return run_scenario(a, &sc);
  }
  size_t failed = 0, na = 0, n = mm_scenario_builtin_count();
  json_t *all = a->json ? json_array() : NULL;
  for (size_t i = 0; i < n; i++) {
    mm_scenario sc;
    if (!sim_load_scenario(a, mm_scenario_builtin_name(i), &sc)) return EXIT_USAGE;
    char why[160];
    if (!sim_iut_prepare(a, &sc, why, sizeof why)) {
      na++;
      if (all)
        json_array_append_new(all,
                              json_pack("{s:s, s:s}", "scenario", sc.name, "not_applicable", why));
      else
        printf("%-4s %-40s %s\n", "n/a", sc.name, why);
      continue;
    }
    mm_sc_run_opts ro = {.extra_mutants = a->mutants, .extra_features = a->features};
    mm_sc_result res;
    if (mm_scenario_run(&sc, &ro, &res) != MM_OK) res.met = false;
    failed += !res.met;
    if (all) {
      json_array_append_new(all, json_pack("{s:s, s:b, s:b, s:s, s:s?, s:s}", "scenario", sc.name,
                                           "met", res.met, "violation", res.violation, "result",
                                           res.outcome.result ? res.outcome.result : "", "home",
                                           res.outcome.home, "why", res.why));
    } else {
      printf("%-4s %-40s %-9s home %-16s%s%s\n", res.met ? "ok" : "FAIL", sc.name,
             res.outcome.result ? res.outcome.result : "-",
             res.outcome.home ? res.outcome.home : "none", res.met ? "" : "  ",
             res.met ? "" : res.why);
    }
  }
  if (all) {
    mm_json_dumpf(all, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(all);
  } else {
    printf("%zu passed, %zu failed", n - failed - na, failed);
    if (na) printf(", %zu not applicable to the IUT", na);
    printf("\n");
  }
  return failed ? EXIT_REJECTED : EXIT_OK;
}

int sim_schedule(const sim_opts *a) {
  mm_scenario sc;
  mm_scenario_happy(&sc, a->n_suites == 1 ? a->suites[0] : 1, a->seed);
  snprintf(sc.name, sizeof sc.name, "schedule");
  snprintf(sc.about, sizeof sc.about, "The happy path with the faults of --schedule.");
  sc.expect_result[0] = sc.expect_home[0] = '\0';
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", a->schedule);
  char *save = NULL;
  for (char *f = strtok_r(buf, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
    while (*f == ' ') f++;
    if (!*f) continue;
    if (sc.faults.n == MM_MAX_FAULTS)
      return cli_usage_error("sim", "--schedule has more than %d faults", MM_MAX_FAULTS);
    char err[200];
    if (!mm_fault_parse(f, &sc.faults.f[sc.faults.n], err, sizeof err))
      return cli_usage_error("sim", "--schedule: '%s': %s", f, err);
    sc.faults.n++;
  }
  return run_scenario(a, &sc);
}

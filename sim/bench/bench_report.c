/* The machine, the table and reports/bench.json of `mlsmig bench`. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "base/json_io.h"
#include "bench/bench.h"

/* ---- the machine ---- */

void bench_machine_get(bench_machine *m) {
  memset(m, 0, sizeof *m);
  snprintf(m->cpu, sizeof m->cpu, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  bool have_model = false;
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "processor", 9) == 0) m->cpus++;
    char *colon = strchr(line, ':');
    if (!have_model && colon && strncmp(line, "model name", 10) == 0) {
      colon += 1 + (colon[1] == ' ');
      colon[strcspn(colon, "\n")] = '\0';
      snprintf(m->cpu, sizeof m->cpu, "%s", colon);
      have_model = true;
    }
  }
  if (f) fclose(f);
  snprintf(m->openssl, sizeof m->openssl, "%s", OpenSSL_version(OPENSSL_VERSION));
  FILE *l = fopen("/proc/loadavg", "r");
  if (l && fscanf(l, "%lf", &m->load1) != 1) m->load1 = 0;
  if (l) fclose(l);
  struct utsname u;
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
}

/* "Ed25519", "P256", ...: the last word of the suite's name. */
static const char *sig_name(uint16_t suite) {
  const char *n = mm_suite_get(suite)->name, *u = strrchr(n, '_');
  return u ? u + 1 : n;
}

static double mib(uint64_t b) { return (double)b / (1024.0 * 1024.0); }

static bool mem_ok(const bench_scale_result *s) {
  return s->peak_rss <= BENCH_TARGET_MEM_FACTOR * s->state_bytes + BENCH_TARGET_MEM_SLACK;
}

/* ---- the table ---- */

static void print_suites(FILE *f, const bench_report *r) {
  fprintf(f, "\nHappy path against the signature bound (target: actors >= %.2f of the bound)\n",
          BENCH_TARGET_SIG_RATIO);
  fprintf(f,
          "  ops: signatures/verifications counted in one real happy path between the\n"
          "  actors alone (and, after the slash, in the simulator, which adds its own);\n"
          "  rates through mm_sign_with_label / mm_verify_with_label at those sizes;\n"
          "  actors: client, source and target handing envelopes over directly;\n"
          "  sim: mm_sim_start_migration + mm_sim_run + mm_sim_check (setup apart)\n\n");
  fprintf(f, "  %-5s %-8s %-9s %9s %9s %8s %9s %6s %9s %6s %8s  %s\n", "suite", "sig", "ops",
          "sign/s", "verify/s", "bound/s", "actors/s", "ratio", "sim/s", "ratio", "setup ms", "");
  for (size_t i = 0; i < r->n_suites; i++) {
    const bench_suite_result *s = &r->suites[i];
    const char *verdict = !s->completed                        ? "RUN FAILED"
                          : s->ratio >= BENCH_TARGET_SIG_RATIO ? "ok"
                                                               : "BELOW TARGET";
    char ops[32];
    snprintf(ops, sizeof ops, "%u+%u/%u+%u", s->signs, s->verifies, s->sim_signs, s->sim_verifies);
    fprintf(f, "  %-5u %-8s %-9s %9.0f %9.0f %8.1f %9.1f %6.2f %9.1f %6.2f %8.2f  %s\n", s->suite,
            sig_name(s->suite), ops, s->sign_per_s, s->verify_per_s, s->bound_per_s,
            s->migrations_per_s, s->ratio, s->sim_migrations_per_s, s->sim_ratio, s->setup_ms,
            verdict);
  }
}

static void size_name(uint64_t b, char *buf, size_t cap) {
  if (b >= (1u << 20))
    snprintf(buf, cap, "%.0f MiB", mib(b));
  else
    snprintf(buf, cap, "%.0f KiB", (double)b / 1024.0);
}

static void print_scale(FILE *f, const bench_report *r) {
  for (size_t i = 0; i < r->n_scale_suites; i++) {
    uint16_t suite = r->scale_suites[i];
    const bench_hash_rates *hr = &r->hash_rates[i];
    bench_hash_passes p = bench_protocol_passes(suite);
    fprintf(f, "\nGroup-state scaling, suite %u (%s): bound = signatures + %u x %s at %.0f MB/s",
            suite, sig_name(suite), p.suite_hash, mm_suite_get(suite)->hash,
            hr->suite_hash_bps / 1e6);
    if (p.eddsa_hash)
      fprintf(f, " + %u x %s at %.0f MB/s", p.eddsa_hash,
              mm_suite_get(suite)->sig == MM_SIG_ED25519 ? "SHA512" : "SHAKE256",
              hr->eddsa_hash_bps / 1e6);
    fprintf(f,
            "\n  (targets at 64 MiB, actors: ratio >= %.1f, peak <= %d x state + %u MiB;\n"
            "  passes: bytes through hashes and signatures / state, protocol: %u)\n\n",
            BENCH_TARGET_HASH_RATIO, BENCH_TARGET_MEM_FACTOR, BENCH_TARGET_MEM_SLACK >> 20,
            p.suite_hash + p.eddsa_hash);
    fprintf(f, "  %8s %8s | %8s %5s %6s %8s %6s | %8s %5s %6s %8s  %s\n", "state", "bound s",
            "actors s", "ratio", "passes", "peak MiB", "x state", "sim s", "ratio", "passes",
            "peak MiB", "");
    for (size_t k = 0; k < r->n_scale; k++) {
      const bench_scale_result *s = &r->scale[k];
      if (s->suite != suite) continue;
      char size[32];
      size_name(s->state_bytes, size, sizeof size);
      const char *verdict = !s->completed ? "RUN FAILED" : "";
      if (s->completed && s->state_bytes == (64u << 20))
        verdict = s->ratio >= BENCH_TARGET_HASH_RATIO && mem_ok(s) ? "ok" : "BELOW TARGET";
      fprintf(f, "  %8s %8.4f | %8.4f %5.2f %6.1f %8.1f %6.2f | %8.4f %5.2f %6.1f %8.1f  %s\n",
              size, s->bound_seconds, s->seconds, s->ratio, s->measured_passes, mib(s->peak_rss),
              (double)s->peak_rss / (double)s->state_bytes, s->sim_seconds, s->sim_ratio,
              s->sim_passes, mib(s->sim_peak_rss), verdict);
    }
  }
}

static void print_tools(FILE *f, const bench_report *r) {
  fprintf(
      f,
      "\nSimulator searches and the conformance runner (this binary's verbs, run as\n"
      "child processes; CPU = user + system of the process and its children)\n"
      "  (targets: explore K=2 on one suite under 60 s, full conformance run, every test in every\n"
      "   suite, under 15 s on 2 cores)\n\n");
  fprintf(f, "  %-16s %8s %9s %9s %9s %10s  %s\n", "", "runs", "wall s", "user s", "sys s",
          "runs/CPU s", "command");
  for (size_t i = 0; i < r->n_tools; i++) {
    const bench_tool_result *t = &r->tools[i];
    if (!t->measured) {
      fprintf(f, "  %-16s  not measured (exit %d): %s\n", t->what, t->exit_status, t->cmd);
      continue;
    }
    fprintf(f, "  %-16s %8llu %9.2f %9.2f %9.2f %10.1f  %s\n", t->what, (unsigned long long)t->runs,
            t->wall_s, t->user_s, t->sys_s, t->runs_per_cpu_s, t->cmd);
    if (t->exit_status != 0) fprintf(f, "  %-16s exit %d: %s\n", "", t->exit_status, t->last_line);
  }
}

static double share(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0; }

/* What process start-up costs a run, in %: fresh processes against one
 * kept and reset (0 when not measured). */
static double startup_share(const bench_runner_split *s) {
  double saved = s->wall_s - s->persistent_s;
  return s->persistent_s > 0 && saved > 0 ? share(saved, s->wall_s) : 0;
}

static void print_runner(FILE *f, const bench_report *r) {
  const bench_runner_split *s = &r->runner;
  fprintf(f,
          "\nConformance runner against the reference DS: where the wall time goes\n"
          "  (the full run again, in this process on one job so that the parts add up;\n"
          "  DS process lifecycles and the tests' round trips timed by the runner; a\n"
          "  round trip with no work in it from null sessions: start, hello, configure,\n"
          "  %u query_group, shutdown, reap; medians of %u)\n\n",
          s->null_queries, s->null_sessions);
  if (!s->measured) {
    fprintf(f, "  not measured (mlsmig-ref-ds not found next to this binary, or it failed)\n");
    return;
  }
  fprintf(f,
          "  %zu tests, %.2f s wall: %llu DS processes (%llu hello/configure/shutdown),\n"
          "  %llu round trips of the tests' own\n"
          "  null lifecycle %.2f ms (start to hello reply %.2f, configure %.2f, shutdown\n"
          "  and reap %.2f); null round trip %.0f us\n\n",
          s->tests, s->wall_s, (unsigned long long)s->lifecycles,
          (unsigned long long)s->session_calls, (unsigned long long)s->round_trips,
          s->null_session_ms, s->null_start_ms, s->null_configure_ms, s->null_stop_ms,
          s->null_round_trip_us);
  fprintf(f, "  %-44s %8s %7s\n", "", "s", "share");
  const struct {
    const char *what;
    double s;
  } rows[] = {
      {"DS process lifecycles (timed in the run)", s->process_s},
      {"pipe round trips (round trips x null)", s->pipe_s},
      {"reference DS's own work (rest of the waits)", s->ds_s},
      {"runner's own work (keys, messages, checks)", s->runner_s},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    fprintf(f, "  %-44s %8.3f %6.1f%%\n", rows[i].what, rows[i].s, share(rows[i].s, s->wall_s));
  fprintf(f, "  %-44s %8.3f %6.1f%%\n", "process and pipe overhead", s->process_s + s->pipe_s,
          share(s->process_s + s->pipe_s, s->wall_s));
  if (s->persistent_s > 0)
    fprintf(f,
            "\n  the same run, one job: fresh processes %.3f s; persistent (reset) %.3f s\n"
            "  (%llu processes, %llu resets): process start-up %.1f%% of the run\n",
            s->wall_s, s->persistent_s, (unsigned long long)s->persistent_lifecycles,
            (unsigned long long)s->persistent_resets, startup_share(s));
  if (s->socket_s > 0 && s->socket_persistent_s > 0)
    fprintf(f,
            "  the reference DS as a service on a unix socket: a connection per test %.3f s,\n"
            "  persistent %.3f s\n",
            s->socket_s, s->socket_persistent_s);
}

static void print_mls(FILE *f, const bench_report *r) {
  if (!r->n_mls) return;
  fprintf(f,
          "\nThe group's public state (profile v2): operations per import (MLS-2 on a\n"
          "MigrationGroupState) and per CommitBundle check (MLS-4, MLS-2 on the new state)\n");
  fprintf(f, "%5s %7s | %8s %8s %8s %9s %9s | %8s %8s %8s %9s %9s\n", "suite", "members",
          "imp.sign", "imp.ver", "imp.hash", "imp.KiB", "imp.ms", "cb.sign", "cb.ver", "cb.hash",
          "cb.KiB", "cb.ms");
  for (size_t i = 0; i < r->n_mls; i++) {
    const bench_mls_row *m = &r->mls[i];
    fprintf(f, "%5u %7u | %8llu %8llu %8llu %9.1f %9.2f | %8llu %8llu %8llu %9.1f %9.2f\n",
            m->suite, m->members, (unsigned long long)m->import.signs,
            (unsigned long long)m->import.verifies, (unsigned long long)m->import.hashes,
            (double)m->state_bytes / 1024.0, m->import_ms, (unsigned long long)m->bundle.signs,
            (unsigned long long)m->bundle.verifies, (unsigned long long)m->bundle.hashes,
            (double)m->bundle_bytes / 1024.0, m->bundle_ms);
  }
}

static json_t *ops_json(const mm_crypto_stats *s, double ms) {
  return json_pack("{s:I, s:I, s:I, s:I, s:f}", "signs", (json_int_t)s->signs, "verifies",
                   (json_int_t)s->verifies, "hashes", (json_int_t)s->hashes, "hash_bytes",
                   (json_int_t)s->hash_bytes, "ms", ms);
}

static json_t *mls_json(const bench_report *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_mls; i++) {
    const bench_mls_row *m = &r->mls[i];
    json_array_append_new(
        a,
        json_pack("{s:i, s:i, s:I, s:I, s:o, s:o}", "suite", (json_int_t)m->suite, "members",
                  (json_int_t)m->members, "state_bytes", (json_int_t)m->state_bytes, "bundle_bytes",
                  (json_int_t)m->bundle_bytes, "import", ops_json(&m->import, m->import_ms),
                  "commit_bundle", ops_json(&m->bundle, m->bundle_ms)));
  }
  return a;
}

void bench_print(FILE *f, const bench_report *r) {
  const bench_machine *m = &r->machine;
  fprintf(f, "mlsmig bench%s: %ld CPUs, %s; %s; %s; load average %.2f\n",
          r->quick ? " --quick" : "", m->cpus, m->cpu, m->openssl, m->kernel, m->load1);
  if (m->cpus > 0 && m->load1 > 0.5 * (double)m->cpus)
    fprintf(f,
            "warning: the machine was busy when this started; the figures are the best of\n"
            "several windows each, but other processes still distort them\n");
  print_suites(f, r);
  print_scale(f, r);
  print_tools(f, r);
  print_runner(f, r);
  print_mls(f, r);
}

/* ---- reports/bench.json ---- */

static json_t *suite_json(const bench_suite_result *s) {
  json_t *j = json_pack("{s:i, s:s, s:i, s:i, s:f, s:f, s:i, s:i}", "suite", (json_int_t)s->suite,
                        "signature", sig_name(s->suite), "signs", (json_int_t)s->signs, "verifies",
                        (json_int_t)s->verifies, "sign_message_bytes", s->sign_msg_bytes,
                        "verify_message_bytes", s->verify_msg_bytes, "sim_signs",
                        (json_int_t)s->sim_signs, "sim_verifies", (json_int_t)s->sim_verifies);
  json_t *k =
      json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:b, s:b}", "sign_per_s",
                s->sign_per_s, "verify_per_s", s->verify_per_s, "bound_migrations_per_s",
                s->bound_per_s, "migrations_per_s", s->migrations_per_s, "ratio", s->ratio,
                "sim_migrations_per_s", s->sim_migrations_per_s, "sim_ratio", s->sim_ratio,
                "sim_setup_ms", s->setup_ms, "sim_runs", (json_int_t)s->runs, "completed",
                s->completed, "meets_target", s->completed && s->ratio >= BENCH_TARGET_SIG_RATIO);
  if (!j || !k || json_object_update(j, k) != 0) {
    json_decref(j);
    j = NULL;
  }
  json_decref(k);
  return j;
}

static json_t *scale_json(const bench_scale_result *s) {
  bench_hash_passes p = bench_protocol_passes(s->suite);
  json_t *j = json_pack(
      "{s:i, s:I, s:f, s:i, s:f, s:f, s:f, s:I, s:I, s:f, s:b}", "suite", (json_int_t)s->suite,
      "state_bytes", (json_int_t)s->state_bytes, "bound_s", s->bound_seconds,
      "protocol_hash_passes", (json_int_t)(p.suite_hash + p.eddsa_hash), "migration_s", s->seconds,
      "ratio", s->ratio, "measured_hash_passes", s->measured_passes, "peak_rss_bytes",
      (json_int_t)s->peak_rss, "base_rss_bytes", (json_int_t)s->base_rss, "peak_over_state",
      (double)s->peak_rss / (double)s->state_bytes, "memory_within_target", mem_ok(s));
  json_t *k =
      json_pack("{s:f, s:f, s:f, s:I, s:b}", "sim_migration_s", s->sim_seconds, "sim_ratio",
                s->sim_ratio, "sim_measured_hash_passes", s->sim_passes, "sim_peak_rss_bytes",
                (json_int_t)s->sim_peak_rss, "completed", s->completed);
  if (!j || !k || json_object_update(j, k) != 0) {
    json_decref(j);
    j = NULL;
  }
  json_decref(k);
  return j;
}

static json_t *tool_json(const bench_tool_result *t) {
  return json_pack("{s:s, s:s, s:s, s:b, s:i, s:I, s:f, s:f, s:f, s:f}", "what", t->what, "command",
                   t->cmd, "last_line", t->last_line, "measured", t->measured, "exit_status",
                   (json_int_t)t->exit_status, "runs", (json_int_t)t->runs, "wall_s", t->wall_s,
                   "user_s", t->user_s, "sys_s", t->sys_s, "runs_per_cpu_s", t->runs_per_cpu_s);
}

static json_t *runner_json(const bench_runner_split *s) {
  json_t *j = json_pack(
      "{s:b, s:s, s:i, s:f, s:I, s:I, s:I, s:I, s:f, s:f}", "measured", s->measured, "method",
      "the full run in-process on one job; process = its DS process "
      "lifecycles as timed by the runner, pipes = its round trips x a null "
      "round trip, DS = the rest of the time the tests waited for replies, "
      "runner = the rest of the wall time",
      "jobs", (json_int_t)1, "wall_s", s->wall_s, "tests", (json_int_t)s->tests, "lifecycles",
      (json_int_t)s->lifecycles, "session_calls", (json_int_t)s->session_calls, "round_trips",
      (json_int_t)s->round_trips, "session_s", s->session_s, "round_trip_wait_s", s->round_trip_s);
  json_t *k = json_pack(
      "{s:i, s:i, s:f, s:{s:f, s:f, s:f}, s:f, s:{s:f, s:f, s:f, s:f}, "
      "s:{s:f, s:f, s:f, s:f, s:f}}",
      "null_sessions", (json_int_t)s->null_sessions, "null_queries", (json_int_t)s->null_queries,
      "null_lifecycle_ms", s->null_session_ms, "null_lifecycle_parts_ms", "start_to_hello_reply",
      s->null_start_ms, "configure", s->null_configure_ms, "shutdown_and_reap", s->null_stop_ms,
      "null_round_trip_us", s->null_round_trip_us, "split_s", "process", s->process_s, "pipes",
      s->pipe_s, "reference_ds", s->ds_s, "runner", s->runner_s, "share", "process",
      share(s->process_s, s->wall_s) / 100, "pipes", share(s->pipe_s, s->wall_s) / 100,
      "reference_ds", share(s->ds_s, s->wall_s) / 100, "runner",
      share(s->runner_s, s->wall_s) / 100, "process_and_pipes",
      share(s->process_s + s->pipe_s, s->wall_s) / 100);
  json_t *modes = json_pack(
      "{s:s, s:f, s:f, s:I, s:I, s:f, s:f, s:f}", "method",
      "the same full run on one job, wall time: fresh DS processes, persistent mode (one process "
      "kept and reset), the reference DS as a service on a unix socket (a connection per test, "
      "persistent); startup_share = (fresh - persistent) / fresh; 0: not measured",
      "fresh_processes_s", s->wall_s, "persistent_s", s->persistent_s, "persistent_processes",
      (json_int_t)s->persistent_lifecycles, "persistent_resets", (json_int_t)s->persistent_resets,
      "socket_s", s->socket_s, "socket_persistent_s", s->socket_persistent_s, "startup_share",
      startup_share(s) / 100);
  if (k && modes) json_object_set_new(k, "modes", modes);
  if (!j || !k || json_object_update(j, k) != 0) {
    json_decref(j);
    j = NULL;
  }
  json_decref(k);
  return j;
}

mm_err bench_write_json(const char *path, const bench_report *r) {
  const bench_machine *m = &r->machine;
  json_t *suites = json_array(), *scale = json_array(), *rates = json_array();
  json_t *tools = json_array();
  for (size_t i = 0; i < r->n_tools; i++) json_array_append_new(tools, tool_json(&r->tools[i]));
  for (size_t i = 0; i < r->n_suites; i++) json_array_append_new(suites, suite_json(&r->suites[i]));
  for (size_t i = 0; i < r->n_scale; i++) json_array_append_new(scale, scale_json(&r->scale[i]));
  for (size_t i = 0; i < r->n_scale_suites; i++)
    json_array_append_new(rates,
                          json_pack("{s:i, s:f, s:f}", "suite", (json_int_t)r->scale_suites[i],
                                    "suite_hash_bytes_per_s", r->hash_rates[i].suite_hash_bps,
                                    "eddsa_hash_bytes_per_s", r->hash_rates[i].eddsa_hash_bps));
  json_t *root = json_pack(
      "{s:{s:i, s:s, s:s, s:s, s:f}, s:b, s:{s:f, s:f, s:i, s:I, s:i, s:i}, s:o, s:o, s:o, s:o}",
      "machine", "cpus", (json_int_t)m->cpus, "cpu", m->cpu, "openssl", m->openssl, "kernel",
      m->kernel, "load_average_1min", m->load1, "quick", r->quick, "targets", "happy_path_ratio",
      BENCH_TARGET_SIG_RATIO, "hash_ratio_64MiB", BENCH_TARGET_HASH_RATIO, "memory_factor",
      (json_int_t)BENCH_TARGET_MEM_FACTOR, "memory_slack_bytes", (json_int_t)BENCH_TARGET_MEM_SLACK,
      "explore_k2_one_suite_s", (json_int_t)60, "conformance_run_s", (json_int_t)15, "suites",
      suites, "hash_rates", rates, "scaling", scale, "searches_and_runner", tools);
  if (root) json_object_set_new(root, "conformance_runner_split", runner_json(&r->runner));
  if (root) json_object_set_new(root, "mls_public_state", mls_json(r));
  if (!root) return MM_E_NOMEM;
  int rc = mm_json_dump_file(root, path, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  json_decref(root);
  return rc == 0 ? MM_OK : MM_E_IO;
}

/* What `mlsmig bench` relies on, checked for correctness only (no timings):
 * the crypto layer's operation counts, the signature work of a happy path,
 * and the JSON report. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "crypto/crypto_stats.h"
#include "runner/runner.h"
#include "shim/shim_proto.h"
#include "testlib.h"

/* One signature and one verification are counted, with their message sizes;
 * RefHash counts its whole input. */
START_TEST(test_crypto_counts) {
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "bench test");
  mm_key *k = NULL;
  ck_assert_int_eq(mm_key_generate(1, &rng, &k), MM_OK);
  uint8_t msg[50] = {0}, h[MM_MAX_HASH_LEN];
  size_t hl;
  mm_writer sig;
  mm_writer_init(&sig);
  mm_crypto_stats a, b;
  mm_crypto_stats_get(&a);
  ck_assert_int_eq(mm_sign_with_label(k, "L", msg, sizeof msg, &sig), MM_OK);
  ck_assert_int_eq(mm_verify_with_label(k, "L", msg, sizeof msg, sig.buf, sig.len), MM_OK);
  ck_assert_int_eq(mm_ref_hash(1, "R", msg, sizeof msg, h, &hl), MM_OK);
  mm_crypto_stats_get(&b);
  mm_crypto_stats d = mm_crypto_stats_diff(&b, &a);
  /* SignContent: label<V> "MLS 1.0 L" (1 + 9) and content<V> (1 + 50) */
  ck_assert_uint_eq(d.signs, 1);
  ck_assert_uint_eq(d.verifies, 1);
  ck_assert_uint_eq(d.sign_bytes, 61);
  ck_assert_uint_eq(d.verify_bytes, 61);
  ck_assert_uint_eq(d.hash_bytes, 1 + 1 + 1 + 50); /* RefHashInput */
  mm_writer_free(&sig);
  mm_key_free(k);
  mm_rng_wipe(&rng);
}
END_TEST

/* The bound of the benchmark: a happy path between the actors of every
 * suite takes five signatures (response, init, content, complete,
 * confirmation) and seven verifications (client: response and confirmation;
 * source: init, embedded response, complete; target: embedded response,
 * content). The simulator may add checks of its own; the actors may not. */
START_TEST(test_happy_path_signature_work) {
  bench_world *w = NULL;
  ck_assert_int_eq(bench_world_new((uint16_t)_i, 1, 1024, &w), MM_OK);
  mm_crypto_stats a, b;
  bool ok = false;
  mm_crypto_stats_get(&a);
  ck_assert_int_eq(bench_world_migrate(w, &ok), MM_OK);
  mm_crypto_stats_get(&b);
  ck_assert(ok);
  mm_crypto_stats d = mm_crypto_stats_diff(&b, &a);
  ck_assert_uint_eq(d.signs, 5);
  ck_assert_uint_eq(d.verifies, 7);
  bench_world_free(w);
}
END_TEST

/* The report is JSON with the figures under stable keys. */
START_TEST(test_report_json) {
  static bench_report r;
  memset(&r, 0, sizeof r);
  bench_machine_get(&r.machine);
  r.quick = true;
  r.n_suites = 1;
  r.suites[0] = (bench_suite_result){.suite = 2,
                                     .signs = 5,
                                     .verifies = 7,
                                     .sign_per_s = 100,
                                     .verify_per_s = 100,
                                     .bound_per_s = 100.0 / 12,
                                     .migrations_per_s = 7,
                                     .ratio = 0.84,
                                     .completed = true};
  r.n_scale_suites = 1;
  r.scale_suites[0] = 2;
  r.n_scale = 1;
  r.scale[0] = (bench_scale_result){.suite = 2,
                                    .state_bytes = 1024,
                                    .seconds = 0.001,
                                    .bound_seconds = 0.0009,
                                    .ratio = 0.9,
                                    .peak_rss = 8u << 20,
                                    .completed = true};
  char path[] = "/tmp/mlsmig-test-bench-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(bench_write_json(path, &r), MM_OK);
  json_error_t err;
  json_t *j = json_load_file(path, 0, &err);
  unlink(path);
  ck_assert_ptr_nonnull(j);
  json_t *s0 = json_array_get(json_object_get(j, "suites"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(s0, "signs")), 5);
  ck_assert(json_is_false(json_object_get(s0, "meets_target")));
  json_t *c0 = json_array_get(json_object_get(j, "scaling"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(c0, "state_bytes")), 1024);
  ck_assert_ptr_nonnull(json_object_get(json_object_get(j, "machine"), "cpu"));
  json_t *split = json_object_get(j, "conformance_runner_split");
  ck_assert(json_is_false(json_object_get(split, "measured")));
  ck_assert_ptr_nonnull(json_object_get(json_object_get(split, "share"), "process_and_pipes"));
  json_decref(j);
}
END_TEST

/* Profile v2's cost figures (bench_mls.c): an import verifies every leaf signature and the
 * GroupInfo's (members + 1), a CommitBundle check also the commit's PublicMessage signature
 * (members + 2); both hash every tree node; nothing is signed. And they go to the JSON. */
START_TEST(test_mls_costs) {
  static bench_report r;
  memset(&r, 0, sizeof r);
  for (uint32_t n = 2; n <= 16; n *= 2) {
    bench_mls_row *m = &r.mls[r.n_mls++];
    ck_assert_int_eq(bench_mls((uint16_t)_i, n, m), MM_OK);
    ck_assert_uint_eq(m->import.verifies, n + 1);
    ck_assert_uint_eq(m->bundle.verifies, n + 2);
    ck_assert_uint_eq(m->import.signs, 0);
    ck_assert_uint_eq(m->bundle.signs, 0);
    ck_assert_uint_ge(m->import.hashes, 2 * n - 1); /* at least every node's tree hash */
    ck_assert_uint_ge(m->bundle.hashes, 2 * n - 1);
    ck_assert_uint_gt(m->state_bytes, 0);
  }
  char path[] = "/tmp/mlsmig-test-bench-mls-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(bench_write_json(path, &r), MM_OK);
  json_error_t err;
  json_t *j = json_load_file(path, 0, &err);
  unlink(path);
  ck_assert_ptr_nonnull(j);
  json_t *row = json_array_get(json_object_get(j, "mls_public_state"), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(row, "members")), 16);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(row, "import"), "verifies")),
                   17);
  json_decref(j);
}
END_TEST

/* The reference DS next to the CLI `make check` names. */
static const char *ref_ds(void) {
  static char path[1024];
  const char *cli = getenv("MLSMIG_CLI");
  snprintf(path, sizeof path, "%s", cli && *cli ? cli : "build/mlsmig");
  char *slash = strrchr(path, '/');
  size_t at = slash ? (size_t)(slash + 1 - path) : 0;
  snprintf(path + at, sizeof path - at, "mlsmig-ref-ds");
  return path;
}

/* What the runner counts for the bench's split (mm_run_cost): the probe
 * and each test's DS processes, their hello/configure/shutdown requests
 * apart from the tests' own; a restart is one more lifecycle. And a null
 * session answers. */
START_TEST(test_runner_cost_counted) {
  const char *tests[] = {"target.happy/suite-1/open", "target.durable_import", NULL};
  mm_run_opts o = {.iut_cmd = ref_ds(),
                   .roles = MM_SHIM_ROLE_TARGET,
                   .suites = {[1] = true},
                   .tests = tests,
                   .timeout_ms = 30000,
                   .jobs = 1};
  mm_run_result r;
  char why[256] = "";
  ck_assert_msg(mm_run(&o, &r, why, sizeof why) == MM_OK, "%s", why);
  ck_assert_uint_eq(r.n, 2);
  mm_run_cost sum = {0};
  for (size_t i = 0; i < r.n; i++) {
    const mm_test_result *t = &r.tests[i];
    ck_assert_msg(t->verdict == MM_V_PASS, "%s: %s", t->name, t->message);
    bool restarts = strncmp(t->name, "target.durable_import", 21) == 0;
    ck_assert_uint_eq(t->cost.lifecycles, restarts ? 2 : 1);
    /* hello + configure per start, shutdown once (a restart is a SIGKILL) */
    ck_assert_uint_eq(t->cost.session_calls, 3 * t->cost.lifecycles - (restarts ? 1 : 0));
    ck_assert_uint_gt(t->cost.round_trips, 0);
    ck_assert(t->cost.session_ms > 0 && t->cost.round_trip_ms > 0);
    ck_assert(t->cost.session_ms + t->cost.round_trip_ms <= t->ms);
    mm_run_cost_add(&sum, &t->cost);
  }
  /* the run's: the tests' and the probe's (hello, shutdown) */
  ck_assert_uint_eq(r.cost.lifecycles, sum.lifecycles + 1);
  ck_assert_uint_eq(r.cost.session_calls, sum.session_calls + 2);
  ck_assert_uint_eq(r.cost.round_trips, sum.round_trips);
  mm_run_result_free(&r);
  mm_run_null nr;
  ck_assert_int_eq(mm_run_null_session(&o, 5, &nr), MM_OK);
  ck_assert(nr.start_ms > 0 && nr.configure_ms > 0 && nr.stop_ms > 0 && nr.query_ms > 0);
  o.iut_cmd = "exit 3"; /* no IUT */
  ck_assert_int_eq(mm_run_null_session(&o, 5, &nr), MM_E_IO);
}
END_TEST

Suite *suite_bench(void) {
  Suite *s = suite_create("bench");
  TCase *tc = tcase_create("bench");
  MM_ADD_TEST(tc, test_crypto_counts, "-");
  MM_ADD_LOOP_TEST(tc, test_happy_path_signature_work, "-", 1, MM_SUITE_COUNT + 1);
  MM_ADD_TEST(tc, test_report_json, "-");
  MM_ADD_TEST(tc, test_runner_cost_counted, "-");
  MM_ADD_LOOP_TEST(tc, test_mls_costs, "MLS-2 MLS-4", 1, MM_SUITE_COUNT + 1);
  suite_add_tcase(s, tc);
  return s;
}

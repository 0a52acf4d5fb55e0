/* `mlsmig run --iut-connect` (issue 20): the shim frames over a Unix or TCP
 * socket to a running DS service, its hooks (--iut-start, --iut-kill,
 * --iut-stop), and persistent mode (--persistent, the shim's reset). The
 * whole suite runs through the reference DS (build/mlsmig-ref-ds --listen)
 * on both transports and through the Python example
 * (examples/python-shim/shim.py --listen); a broken service (refused,
 * closed mid-test, hung, failing hooks) costs verdicts, never a crash, a
 * hang or a pass (docs/shim-protocol.md, "A DS service on a socket").
 *
 * Every run drives the CLI (MLSMIG_CLI) in a child process, as
 * suites/test_runner_hostile.c does. */
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostile_run.h"
#include "testlib.h"

#define SECONDS_BOUND 120

/* A service started by the test: `sh -c 'exec CMD'` with its stdout in
 * d->root/NAME.log, until it prints "listening on ADDR". */
typedef struct service {
  pid_t pid;
  char addr[320];
} service;

static service service_start(const hostile_dir *d, const char *name, const char *cmd) {
  char log[400], sh[2048];
  snprintf(log, sizeof log, "%s/%s.log", d->root, name);
  snprintf(sh, sizeof sh, "exec %s > %s 2>&1", cmd, log);
  service s = {.pid = fork()};
  ck_assert_int_ge(s.pid, 0);
  if (s.pid == 0) {
    execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 1000 && !s.addr[0]; i++) { /* 10 s */
    FILE *f = fopen(log, "r");
    char line[300];
    if (f && fgets(line, sizeof line, f) && strncmp(line, "listening on ", 13) == 0 &&
        strchr(line, '\n')) {
      *strchr(line, '\n') = '\0';
      snprintf(s.addr, sizeof s.addr, "%s", line + 13);
    }
    if (f) fclose(f);
    struct timespec t = {0, 10 * 1000000L};
    if (!s.addr[0]) nanosleep(&t, NULL);
  }
  ck_assert_msg(s.addr[0], "%s did not listen", cmd);
  return s;
}

static void service_stop(service *s) {
  if (s->pid > 0) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
  }
  s->pid = 0;
}

static char json_path[400];
static const char *json_in(const hostile_dir *d) {
  snprintf(json_path, sizeof json_path, "%s/results.json", d->root);
  return json_path;
}

/* The verdict and message of the test named `name` in a results document
 * (its first instance: "target.happy" is "target.happy/suite-1/open"). */
static const char *verdict_of(json_t *doc, const char *name, const char **message) {
  size_t i, n = strlen(name);
  json_t *t;
  json_array_foreach(json_object_get(doc, "tests"), i, t) {
    const char *have = json_string_value(json_object_get(t, "name"));
    if (strncmp(have, name, n) == 0 && (have[n] == '\0' || have[n] == '/')) {
      if (message) *message = json_string_value(json_object_get(t, "message"));
      return json_string_value(json_object_get(t, "verdict"));
    }
  }
  ck_abort_msg("no test %s in the results", name);
  return NULL;
}

static void na_only(json_t *doc, const char *allowed);
static size_t refusal_na(json_t *doc);

/* A run that must pass every test but those not applicable for `na_why`
 * (then some must be; NULL: none may be), and, with --persistent, reset
 * kept IUTs. Returns the results. */
static json_t *all_pass(const hostile_dir *d, const char *const *args, const char *na_why,
                        bool persistent, const char *what) {
  hostile_run r = hostile_cli(d, NULL, args);
  printf("socket: %s: rc %d, %.2f s\n", what, r.rc, r.seconds);
  ck_assert_msg(r.rc == 0, "%s: rc %d\n%s\n%s", what, r.rc, r.out, r.err);
  ck_assert(r.seconds < SECONDS_BOUND);
  json_t *doc = hostile_json(json_path);
  /* the migration_refusal tests (AMD-1) of a shim that does not declare the feature aside */
  size_t pass = hostile_count(doc, "pass"),
         na = hostile_count(doc, "not_applicable") - refusal_na(doc);
  ck_assert_msg(pass > 0 && (na_why ? na > 0 : na == 0), "%s: %zu pass, %zu not applicable", what,
                pass, na);
  na_only(doc, na_why);
  ck_assert_uint_eq(hostile_count(doc, "fail") + hostile_count(doc, "error"), 0);
  if (persistent) { /* a kept IUT really served tests after its first */
    unsigned long long resets = 0;
    const char *p = strstr(r.err, "persistent mode: ");
    ck_assert_msg(p && sscanf(p, "persistent mode: %llu tests reset", &resets) == 1 && resets > 0,
                  "%s: %s", what, r.err);
  }
  hostile_run_free(&r);
  return doc;
}

/* The whole suite through the reference DS on a Unix socket, supervised by
 * the hooks (the restart tests kill and restart the service), with and
 * without persistent mode. */
START_TEST(test_socket_refds_unix) {
  hostile_dir d;
  hostile_dir_make(&d);
  char addr[400], start[1200], kill_cmd[600], stop[600];
  snprintf(addr, sizeof addr, "unix:%s/ds.sock", d.root);
  snprintf(start, sizeof start, "%s --listen %s >/dev/null 2>&1 & echo $! > %s/ds.pid",
           hostile_ref_ds(), addr, d.root);
  snprintf(kill_cmd, sizeof kill_cmd, "kill -KILL $(cat %s/ds.pid)", d.root);
  snprintf(stop, sizeof stop, "kill $(cat %s/ds.pid) && echo stopped > %s/stopped", d.root, d.root);
  for (int persistent = 0; persistent < 2; persistent++) {
    const char *args[] = {"--iut-connect", addr,         "--iut-start", start,    "--iut-kill",
                          kill_cmd,        "--iut-stop", stop,          "--jobs", "2",
                          "--json",        json_in(&d),  NULL,          NULL};
    if (persistent) args[12] = "--persistent";
    json_t *doc = all_pass(&d, args, NULL, persistent, persistent ? "unix, persistent" : "unix");
    ck_assert_str_eq(verdict_of(doc, "target.durable_nonce", NULL), "pass");
    ck_assert_str_eq(verdict_of(doc, "source.durable_migration", NULL), "pass");
    json_decref(doc);
    char stopped[400];
    snprintf(stopped, sizeof stopped, "%s/stopped", d.root);
    ck_assert_msg(access(stopped, F_OK) == 0, "--iut-stop did not run");
    unlink(stopped);
  }
  /* The restart tests reach the service: one that keeps its state in
   * memory only fails them. */
  snprintf(start, sizeof start,
           "%s --listen %s --mutant forget-on-crash >/dev/null 2>&1 & echo $! > %s/ds.pid",
           hostile_ref_ds(), addr, d.root);
  const char *args[] = {"--iut-connect", addr,         "--iut-start", start,     "--iut-kill",
                        kill_cmd,        "--iut-stop", stop,          "--rules", "DUR-1",
                        "--json",        json_in(&d),  "--suite",     "1",       NULL};
  hostile_run r = hostile_cli(&d, NULL, args);
  ck_assert_int_eq(r.rc, 1);
  json_t *doc = hostile_json(json_path);
  ck_assert_uint_ge(hostile_count(doc, "fail"), 1);
  json_decref(doc);
  hostile_run_free(&r);
  hostile_dir_free(&d);
}
END_TEST

/* The same over TCP on the loopback (port 0: the service picks one), the
 * service started by the test and no hooks: the restart tests are not
 * applicable, and say why. */
START_TEST(test_socket_refds_tcp) {
  hostile_dir d;
  hostile_dir_make(&d);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "%s --listen tcp:127.0.0.1:0", hostile_ref_ds());
  service s = service_start(&d, "ds", cmd);
  ck_assert_ptr_nonnull(strstr(s.addr, "tcp:127.0.0.1:"));
  for (int persistent = 0; persistent < 2; persistent++) {
    const char *args[] = {"--iut-connect", s.addr,      "--jobs", "2",
                          "--json",        json_in(&d), NULL,     NULL};
    if (persistent) args[6] = "--persistent";
    json_t *doc =
        all_pass(&d, args, "--iut-kill", persistent, persistent ? "tcp, persistent" : "tcp");
    const char *msg = NULL;
    ck_assert_str_eq(verdict_of(doc, "target.durable_import", &msg), "not_applicable");
    ck_assert_ptr_nonnull(strstr(msg, "--iut-kill"));
    json_decref(doc);
  }
  service_stop(&s);
  hostile_dir_free(&d);
}
END_TEST

/* Every not_applicable of a results document is for `allowed` (or for a
 * suite the IUT does not declare). */
/* Is t a test of the feature migration_refusal, not applicable as the shim does not declare it? */
static bool is_refusal_na(json_t *t) {
  const char *name = json_string_value(json_object_get(t, "name"));
  const char *msg = json_string_value(json_object_get(t, "message"));
  return strcmp(json_string_value(json_object_get(t, "verdict")), "not_applicable") == 0 &&
         strcmp(msg, "optional feature not declared") == 0 &&
         (strstr(name, ".refusal_") || strstr(name, ".withdraw_"));
}

static size_t refusal_na(json_t *doc) {
  size_t i, n = 0;
  json_t *t;
  json_array_foreach(json_object_get(doc, "tests"), i, t) n += is_refusal_na(t);
  return n;
}

static void na_only(json_t *doc, const char *allowed) {
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(doc, "tests"), i, t) {
    if (strcmp(json_string_value(json_object_get(t, "verdict")), "not_applicable") != 0 ||
        is_refusal_na(t))
      continue;
    const char *msg = json_string_value(json_object_get(t, "message"));
    ck_assert_msg(strcmp(msg, "suite not declared") == 0 || (allowed && strstr(msg, allowed)),
                  "%s: %s", json_string_value(json_object_get(t, "name")), msg);
  }
}

/* The Python example as a service, both roles, on both transports: every
 * test it declares passes (persistent mode on the Unix socket, the restart
 * tests through the hooks); not applicable: only the suites it lacks (and,
 * without --iut-kill, the restart tests). */
START_TEST(test_socket_python_example) {
  hostile_dir d;
  hostile_dir_make(&d);
  char addr[400], start[1200], kill_cmd[600], stop[600];
  snprintf(addr, sizeof addr, "unix:%s/py.sock", d.root);
  snprintf(start, sizeof start,
           "python3 examples/python-shim/shim.py --listen %s >/dev/null 2>&1 & echo $! > %s/py.pid",
           addr, d.root);
  snprintf(kill_cmd, sizeof kill_cmd, "kill -KILL $(cat %s/py.pid)", d.root);
  snprintf(stop, sizeof stop, "kill $(cat %s/py.pid)", d.root);
  const char *args[] = {"--iut-connect", addr, "--iut-start",  start,    "--iut-kill", kill_cmd,
                        "--iut-stop",    stop, "--persistent", "--jobs", "2",          "--json",
                        json_in(&d),     NULL};
  json_t *doc = all_pass(&d, args, NULL, true, "python, unix, persistent");
  ck_assert_str_eq(verdict_of(doc, "target.durable_nonce", NULL), "pass");
  ck_assert_str_eq(verdict_of(doc, "source.durable_migration", NULL), "pass");
  json_decref(doc);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "python3 examples/python-shim/shim.py --listen tcp:127.0.0.1:0");
  service s = service_start(&d, "py", cmd);
  const char *targs[] = {"--iut-connect", s.addr, "--jobs", "2", "--json", json_in(&d), NULL};
  doc = all_pass(&d, targs, "--iut-kill", false, "python, tcp"); /* the restart tests */
  json_decref(doc);
  service_stop(&s);
  hostile_dir_free(&d);
}
END_TEST

/* Usage errors: a host off the loopback, a bad address, hooks without a
 * service, a process and a service at once. */
START_TEST(test_socket_usage) {
  hostile_dir d;
  hostile_dir_make(&d);
  const struct {
    const char *args[5], *says;
  } cases[] = {
      {{"--iut-connect", "tcp:10.0.0.1:7000"}, "only a loopback host"},
      {{"--iut-connect", "tcp:example.org:7000"}, "only a loopback host"},
      {{"--iut-connect", "tcp:127.0.0.1:0"}, "port of 1..65535"},
      {{"--iut-connect", "tcp:127.0.0.1"}, "port of 1..65535"},
      {{"--iut-connect", "udp:127.0.0.1:9"}, "unix:PATH or tcp:127.0.0.1:PORT"},
      {{"--iut-connect", "unix:"}, "unix socket path"},
      {{"--iut-start", "true"}, "needs --iut-connect"},
      {{"--iut-kill", "true"}, "needs --iut-connect"},
      {{"--iut", "true", "--iut-connect", "unix:/nonexistent"}, "one IUT"},
      {{"--iut-connect", "unix:/nonexistent", "--mutant", "early-confirm"}, "--mutant"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hostile_run r = hostile_cli(&d, NULL, cases[i].args);
    ck_assert_msg(r.rc == 2 && strstr(r.err, cases[i].says), "%s %s: rc %d: %s", cases[i].args[0],
                  cases[i].args[1], r.rc, r.err);
    hostile_run_free(&r);
  }
  hostile_dir_free(&d);
}
END_TEST

/* A service that is not there, closes connections mid-test, hangs, or
 * whose hooks fail: clear messages, bounded time, never a pass. */
START_TEST(test_socket_broken_service) {
  hostile_dir d;
  hostile_dir_make(&d);
  char addr[400];
  snprintf(addr, sizeof addr, "unix:%s/none.sock", d.root);
  { /* refused: exit 2 at the probe, within --timeout */
    const char *args[] = {"--iut-connect", addr, "--timeout", "500", NULL};
    hostile_run r = hostile_cli(&d, NULL, args);
    ck_assert_int_eq(r.rc, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "cannot connect to"));
    ck_assert(r.seconds < 10);
    hostile_run_free(&r);
    const char *targs[] = {"--iut-connect", "tcp:127.0.0.1:1", "--timeout", "300", NULL};
    r = hostile_cli(&d, NULL, targs);
    ck_assert_int_eq(r.rc, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "Connection refused"));
    hostile_run_free(&r);
  }
  { /* a start hook that fails: exit 2, its status named; the stop hook still runs */
    char stop[400];
    snprintf(stop, sizeof stop, "touch %s/stopped", d.root);
    const char *args[] = {"--iut-connect", addr, "--iut-start", "exit 3", "--iut-stop", stop, NULL};
    hostile_run r = hostile_cli(&d, NULL, args);
    ck_assert_int_eq(r.rc, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--iut-start 'exit 3' exited with status 3"));
    char stopped[400];
    snprintf(stopped, sizeof stopped, "%s/stopped", d.root);
    ck_assert_int_eq(access(stopped, F_OK), 0);
    hostile_run_free(&r);
  }
  /* the service closes every connection mid-test, or hangs: error
   * verdicts, then the cut-off */
  const struct {
    const char *mode, *says;
  } modes[] = {{"crash", "the IUT closed the connection"}, {"hang", "timeout"}};
  for (int i = 0; i < 2; i++) {
    char cmd[800];
    snprintf(cmd, sizeof cmd,
             "suites/shims/inetd.py unix:%s/bad.sock 'suites/shims/bad_shim.py %s'", d.root,
             modes[i].mode);
    service s = service_start(&d, "bad", cmd);
    const char *args[] = {"--iut-connect", s.addr, "--suite", "1",         "--timeout", "1000",
                          "--jobs",        "2",    "--json",  json_in(&d), NULL};
    hostile_run r = hostile_cli(&d, NULL, args);
    printf("socket: %s service: rc %d, %.2f s\n", modes[i].mode, r.rc, r.seconds);
    ck_assert_int_eq(r.rc, 1);
    ck_assert(r.seconds < 30);
    json_t *doc = hostile_json(json_path);
    ck_assert_uint_eq(hostile_count(doc, "pass"), 0);
    const char *msg = NULL;
    ck_assert_str_eq(verdict_of(doc, "target.happy/suite-1", &msg), "error");
    ck_assert_msg(strstr(msg, modes[i].says), "%s: %s", modes[i].mode, msg);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(doc, "stopped")), "in a row"));
    json_decref(doc);
    hostile_run_free(&r);
    service_stop(&s);
  }
  { /* a kill hook that fails: the restart test errs, naming it */
    char cmd[800];
    snprintf(cmd, sizeof cmd, "%s --listen unix:%s/ds.sock", hostile_ref_ds(), d.root);
    service s = service_start(&d, "ds", cmd);
    const char *args[] = {
        "--iut-connect", s.addr,    "--iut-kill", "exit 4", "--test",    "target.durable_nonce",
        "target.happy",  "--suite", "1",          "--json", json_in(&d), NULL};
    hostile_run r = hostile_cli(&d, NULL, args);
    ck_assert_int_eq(r.rc, 1);
    json_t *doc = hostile_json(json_path);
    const char *msg = NULL;
    ck_assert_str_eq(verdict_of(doc, "target.durable_nonce", &msg), "error");
    ck_assert_ptr_nonnull(strstr(msg, "restart: --iut-kill 'exit 4' exited with status 4"));
    ck_assert_str_eq(verdict_of(doc, "target.happy/suite-1", NULL), "pass");
    json_decref(doc);
    hostile_run_free(&r);
    /* a kill hook that does not kill: the restart would test nothing */
    args[3] = "true";
    r = hostile_cli(&d, NULL, args);
    ck_assert_int_eq(r.rc, 1);
    doc = hostile_json(json_path);
    ck_assert_str_eq(verdict_of(doc, "target.durable_nonce", &msg), "error");
    ck_assert_msg(strstr(msg, "still accepts connections"), "%s", msg);
    json_decref(doc);
    hostile_run_free(&r);
    service_stop(&s);
  }
  hostile_dir_free(&d);
}
END_TEST

/* --persistent with a shim that does not declare reset: one process per
 * test, as without it, and the run says so. */
START_TEST(test_socket_persistent_fallback) {
  hostile_dir d;
  hostile_dir_make(&d);
  const char *args[] = {"--iut",
                        "suites/shims/bad_shim.py silent",
                        "--persistent",
                        "--suite",
                        "1",
                        "--rules",
                        "DOM-1",
                        "--json",
                        json_in(&d),
                        NULL};
  hostile_run r = hostile_cli(&d, NULL, args);
  ck_assert_ptr_nonnull(strstr(r.err, "does not declare reset: one process per test"));
  hostile_run_free(&r);
  hostile_dir_free(&d);
}
END_TEST

Suite *suite_runner_socket(void) {
  Suite *s = suite_create("runner_socket");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  MM_ADD_TEST(tc, test_socket_refds_unix, "DUR-1");
  MM_ADD_TEST(tc, test_socket_refds_tcp, "-");
  MM_ADD_TEST(tc, test_socket_python_example, "-");
  MM_ADD_TEST(tc, test_socket_usage, "-");
  MM_ADD_TEST(tc, test_socket_broken_service, "-");
  MM_ADD_TEST(tc, test_socket_persistent_fallback, "-");
  suite_add_tcase(s, tc);
  return s;
}

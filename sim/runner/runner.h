/* The conformance runner (`mlsmig run`): drives an implementation under test
 * (IUT) through the shim protocol (docs/shim-protocol.md), playing the client
 * and the peer DS itself, and gives a verdict per test and per profile rule.
 *
 * Every test starts a fresh IUT process on a fresh state directory, so one
 * test cannot spoil the next; the IUT's PICS (hello reply) decides which
 * tests apply. Tests run on `jobs` threads. */
#ifndef MLSMIG_RUNNER_H
#define MLSMIG_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

/* Worst-of order: pass < warning < fail < error; not_applicable apart. */
typedef enum mm_verdict {
  MM_V_PASS,
  MM_V_WARNING, /* a SHOULD missed, or the right refusal with another code */
  MM_V_FAIL,    /* a MUST broken */
  MM_V_ERROR,   /* the IUT hung, crashed or broke the shim protocol */
  MM_V_NA,      /* not applicable to what the IUT declares */
} mm_verdict;

const char *mm_verdict_name(mm_verdict v); /* "pass", ... */

/* What the IUT declared in its hello reply. */
typedef struct mm_pics {
  char implementation[128];
  uint8_t roles;
  uint32_t features;
  bool suites[8]; /* index = suite id 1..7 */
} mm_pics;

/* One step of a test's conversation with the IUT, for the report: an
 * envelope the runner delivered or the IUT sent, or a shim request that
 * carries no envelope (clock, install, restart). */
typedef enum mm_wire_kind {
  MM_WIRE_DELIVER, /* runner -> IUT: an envelope */
  MM_WIRE_OUTPUT,  /* IUT -> `to`: an envelope */
  MM_WIRE_CLOCK,   /* the IUT's clock advanced by `ms` */
  MM_WIRE_INSTALL, /* a group state installed at the IUT */
  MM_WIRE_RESTART, /* SIGKILL and restart on the same state directory */
} mm_wire_kind;

/* Bytes of one step kept whole up to MM_WIRE_KEEP; a larger one keeps its
 * first and last MM_WIRE_KEEP / 2 bytes, its length and its SHA-256: what
 * the report keeps of a conversation is bounded, whatever the IUT sends. */
#define MM_WIRE_KEEP 8192

typedef struct mm_wire_event {
  mm_wire_kind kind;
  char to[96];    /* MM_WIRE_OUTPUT: the destination (truncated) */
  uint64_t ms;    /* MM_WIRE_CLOCK */
  uint8_t *bytes; /* the envelope or group state (malloc'd), or NULL */
  size_t len;     /* of bytes */
  /* when the bytes were cut (full_len > len): bytes holds the head and
   * the tail, len / 2 each */
  size_t full_len;
  uint8_t sha256[32];
} mm_wire_event;

const char *mm_wire_kind_name(mm_wire_kind k); /* "deliver", ... */

/* A test keeps at most this many steps; later ones are counted, not kept. */
#define MM_WIRE_MAX 48

/* What talking to the IUT cost, as the runner saw it (wall time): the
 * process lifecycles (start, hello, configure; shutdown, or SIGKILL for a
 * restart; reaping) and the requests in between, whose time is the pipes'
 * round trip and the IUT's own work. `mlsmig bench` splits it (bench.h). */
typedef struct mm_run_cost {
  uint64_t lifecycles;    /* IUT processes started and reaped */
  uint64_t session_calls; /* of which hello, configure, shutdown requests */
  double session_ms;      /* starting and stopping them, those requests included */
  uint64_t round_trips;   /* the test's own requests (deliver, clock, install, ...) */
  double round_trip_ms;   /* waiting for their replies */
  uint64_t resets;        /* persistent mode: tests that reset a kept IUT (no lifecycle) */
} mm_run_cost;

void mm_run_cost_add(mm_run_cost *sum, const mm_run_cost *c);

typedef struct mm_test_result {
  char name[96];       /* "target.nonce_expired/suite-1", "source.happy/suite-2/public/open" */
  const char *rules;   /* "NONCE-2" */
  const char *summary; /* one line: what the test does */
  uint8_t role;        /* MM_SHIM_ROLE_* of the IUT */
  uint16_t suite;
  mm_verdict verdict;
  char *message;       /* why (malloc'd, "" on pass) */
  char *offending;     /* the decoded offending envelope (JSON), or NULL */
  char *iut_stderr;    /* what the IUT wrote on stderr, or NULL */
  char *expected;      /* the expectation that failed, or NULL (then the
                             summary says what was expected) */
  mm_wire_event *wire; /* the conversation, in order */
  size_t nwire, wire_dropped;
  double ms;
  mm_run_cost cost; /* of this test's sessions with the IUT */
  bool timed_out;   /* the IUT did not answer in time */
  unsigned escaped; /* IUT descendants killed after they left its process group */
  char *cleanup;    /* what could not be cleaned up after the test (malloc'd), or NULL */
} mm_test_result;

typedef struct mm_run_opts {
  const char *iut_cmd; /* shell command line of the IUT */
  /* A running IUT (a service) instead: "unix:PATH" or "tcp:127.0.0.1:PORT"
   * (mm_run_addr_check), one connection per test where iut_cmd would be
   * one process. NULL: iut_cmd. */
  const char *iut_connect;
  /* The service's hooks (shell commands, NULL: none; with iut_connect
   * only): iut_start before the first connection and after iut_kill;
   * iut_stop once at the end; iut_kill where a restart test would SIGKILL
   * the IUT process (without it, the restart tests are not applicable). */
  const char *iut_start, *iut_stop, *iut_kill;
  /* Persistent mode: when the PICS declares reset, each worker keeps its
   * IUT (process or connection) from one test to the next and sends reset
   * and a configure on a fresh state directory instead of a new process;
   * else (and after any trouble) one per test, as without it. */
  bool persistent;
  uint8_t roles;            /* MM_SHIM_ROLE_* bits to test */
  bool suites[8];           /* suites to test; all false: every declared one. The
                             happy paths run per suite, the other tests on the
                             first selected suite the IUT declares */
  const char *const *rules; /* NULL-ended filter of IDs or areas ("SIG"); NULL: all */
  const char *const *tests; /* NULL-ended filter of test names or instance
                             names, or their starts up to a "/"
                             ("target.happy/suite-2"); NULL: all */
  uint64_t seed;            /* keys and randomness of every test; 0: default */
  const char *mlsmig_cmd;   /* how rerun commands invoke mlsmig; NULL: "mlsmig" */
  int timeout_ms;           /* budget of one test */
  int max_run_ms;           /* budget of the whole run; 0: MM_RUN_MAX_MS */
  int jobs;
  /* Set (by a signal handler): stop soon, end the IUTs, clean up, report
   * the run as interrupted. NULL: never. */
  const volatile sig_atomic_t *cancel;
  /* Called after each test (from worker threads, serialized). */
  void (*progress)(void *ctx, size_t done, size_t total, const mm_test_result *r);
  void *progress_ctx;
} mm_run_opts;

#define MM_RUN_DEFAULT_SEED 6

/* The run-wide cut-off (docs/shim-protocol.md): the run stops, the tests
 * not yet run are `error` "not run", and the result says why, after this
 * many `error` verdicts in a row, after this many tests that timed out in
 * all, or when the run's time budget is spent. */
#define MM_RUN_MAX_ERRORS_IN_A_ROW 5
#define MM_RUN_MAX_TIMEOUTS 8
#define MM_RUN_MAX_MS (30 * 60 * 1000)

typedef struct mm_run_result {
  mm_pics pics;
  mm_test_result *tests;
  size_t n;
  double wall_ms;
  char *iut_cmd; /* copies of the options, for the reports */
  char *mlsmig_cmd;
  uint64_t seed;
  char date[32];     /* wall-clock start, ISO 8601 UTC */
  mm_run_cost cost;  /* the probe's and every test's */
  char stopped[256]; /* why the run stopped before its end (cut-off, signal), or "" */
  int signal;        /* the signal that interrupted it, or 0 */
  unsigned escaped;  /* IUT descendants killed, all tests together */
  char cleanup[512]; /* what could not be cleaned up at the end, or "" */
  bool persistent;   /* persistent mode was asked for and the PICS declares reset */
  uint64_t resets;   /* tests that began with a reset of a kept IUT */
} mm_run_result;

/* mm_run_addr_check says whether addr is an address mm_run_opts.iut_connect
 * takes (unix:PATH, tcp:HOST:PORT with a loopback HOST), with a reason in
 * why when not. */
bool mm_run_addr_check(const char *addr, char *why, size_t why_len);

/* MM_E_IO (with why) when the IUT does not start or does not answer hello:
 * the CLI's exit 2. */
MM_MUST_USE mm_err mm_run(const mm_run_opts *o, mm_run_result *out, char *why, size_t why_len);
void mm_run_result_free(mm_run_result *r);

/* A null session, as a test's but doing nothing: start the IUT (in the
 * target role for suite 1) and say hello, configure it (as every test
 * does), `queries` query_group requests for an unknown group (round trips
 * the IUT answers from memory), shut it down and reap it. Wall times, ms. */
typedef struct mm_run_null {
  double start_ms;     /* from fork to the hello reply: the process starting */
  double configure_ms; /* the configure request */
  double stop_ms;      /* shutdown request, exit, reap */
  double query_ms;     /* all the queries */
} mm_run_null;

/* MM_E_IO when the IUT does not take part. */
MM_MUST_USE mm_err mm_run_null_session(const mm_run_opts *o, unsigned queries, mm_run_null *out);

/* Does a test tagged `rules` match a filter entry (an ID or an area)? */
bool mm_rules_match(const char *rules, const char *want);

/* Verdict of one rule across the run: worst of the tests tagged with it,
 * MM_V_NA when none ran. *count gets the number of tests that ran. */
mm_verdict mm_run_rule_verdict(const mm_run_result *r, const char *rule, size_t *count);
/* mm_run_passed says whether some mandatory test ran (a verdict other
 * than not applicable), none failed or errored (warnings are fine) and the
 * run was not stopped. */
bool mm_run_passed(const mm_run_result *r);
/* mm_run_tested counts the mandatory tests that ran (a test is mandatory
 * when it checks some MUST rule): a run where none did tested nothing, and
 * fails. */
size_t mm_run_tested(const mm_run_result *r);

/* mm_runner_test_known says whether `want` names a test of the catalogue
 * or instances of it ("source.happy", "source.happy/suite-2",
 * "source.happy/suite-2/public/strict"): what --test accepts. */
bool mm_runner_test_known(const char *want);

/* The test catalogue, for `mlsmig run --list` and the docs. */
size_t mm_runner_test_count(void);
bool mm_runner_test_at(size_t i, const char **name, const char **rules, uint8_t *role,
                       const char **summary);

/* Reports (report_junit.c, report_json.c). */
MM_MUST_USE mm_err mm_report_junit(const mm_run_result *r, const char *path);
MM_MUST_USE mm_err mm_report_json(const mm_run_result *r, const char *path);

#endif

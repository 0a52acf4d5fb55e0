/* `mlsmig bench --clients CMD`: what real MLS members cost (bench.h). The
 * work happens in the client process, so every figure is wall time as the
 * driver sees it (sim/clients/), pipes included: the start-up of a process
 * to its PICS, then per suite, in a group of BENCH_CLIENTS_GROUP members,
 * each request type the migration runs will use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bench/bench.h"
#include "clients/clients.h"

#define STARTS 5

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct run {
  mm_clients *c;
  uint16_t suite;
  uint32_t ids[BENCH_CLIENTS_GROUP + 1]; /* the group, and one newcomer */
  size_t n;
  char why[512];
} run;

static mm_err call(run *r, mm_client_msg req, mm_client_msg *rep) {
  mm_err e = mm_clients_call(r->c, &req, rep);
  if (e != MM_OK) snprintf(r->why, sizeof r->why, "%s", mm_clients_why(r->c));
  return e;
}

/* A copy of a reply's bytes that must outlive the next call. */
static mm_err keep(mm_view v, uint8_t **out, size_t *len) {
  *out = malloc(v.len ? v.len : 1);
  if (!*out) return MM_E_NOMEM;
  if (v.len) memcpy(*out, v.data, v.len);
  *len = v.len;
  return MM_OK;
}

/* Every member but `except` handles the commit. */
static mm_err everyone(run *r, mm_view commit, uint32_t except) {
  mm_client_msg rep;
  for (size_t i = 0; i < r->n; i++) {
    if (r->ids[i] == except) continue;
    mm_err e =
        call(r, (mm_client_msg){.type = MM_CLIENT_HANDLE_COMMIT, .id = r->ids[i], .commit = commit},
             &rep);
    if (e != MM_OK) return e;
  }
  return MM_OK;
}

/* A group of BENCH_CLIENTS_GROUP: one creator, the rest added by one
 * Commit and joined by its Welcome. */
static mm_err make_group(run *r, uint16_t suite) {
  mm_client_msg rep;
  mm_err e =
      call(r, (mm_client_msg){.type = MM_CLIENT_CONFIGURE, .seed = mm_view_str("bench")}, &rep);
  if (e == MM_OK)
    e = call(r,
             (mm_client_msg){.type = MM_CLIENT_CREATE_GROUP,
                             .group_id = mm_view_str("bench group"),
                             .cipher_suite = suite,
                             .identity = mm_view_str("m0@bench.example")},
             &rep);
  if (e != MM_OK) return e;
  r->ids[0] = rep.id;
  r->n = 1;
  uint32_t tx[BENCH_CLIENTS_GROUP];
  mm_writer adds;
  mm_writer_init(&adds);
  for (size_t i = 1; i < BENCH_CLIENTS_GROUP && e == MM_OK; i++) {
    char name[32];
    snprintf(name, sizeof name, "m%zu@bench.example", i);
    e = call(r,
             (mm_client_msg){.type = MM_CLIENT_CREATE_KEY_PACKAGE,
                             .cipher_suite = suite,
                             .identity = mm_view_str(name)},
             &rep);
    if (e == MM_OK && !mm_client_put_add(&adds, rep.key_package)) e = MM_E_NOMEM;
    tx[i] = rep.id;
  }
  if (e == MM_OK)
    e = call(r,
             (mm_client_msg){.type = MM_CLIENT_COMMIT,
                             .id = r->ids[0],
                             .framing = MM_CLIENT_FRAMING_PUBLIC,
                             .by_value = mm_writer_view(&adds)},
             &rep);
  mm_writer_free(&adds);
  uint8_t *welcome = NULL, *tree = NULL;
  size_t wl = 0, tl = 0;
  if (e == MM_OK) e = keep(rep.welcome, &welcome, &wl);
  if (e == MM_OK) e = keep(rep.ratchet_tree, &tree, &tl);
  if (e == MM_OK)
    e = call(r, (mm_client_msg){.type = MM_CLIENT_HANDLE_PENDING_COMMIT, .id = r->ids[0]}, &rep);
  for (size_t i = 1; i < BENCH_CLIENTS_GROUP && e == MM_OK; i++) {
    e = call(r,
             (mm_client_msg){.type = MM_CLIENT_JOIN_GROUP,
                             .id = tx[i],
                             .welcome = mm_view_of(welcome, wl),
                             .ratchet_tree = mm_view_of(tree, tl)},
             &rep);
    r->ids[r->n++] = rep.id;
  }
  free(welcome);
  free(tree);
  return e;
}

/* Times `reps` calls of the request type, each made by f; the mean. */
typedef mm_err (*op_fn)(run *r, int i);

static mm_err timed(run *r, op_fn f, int reps, double *mean_ms) {
  double t0 = wall_ms();
  for (int i = 0; i < reps; i++) {
    mm_err e = f(r, i);
    if (e != MM_OK) return e;
  }
  *mean_ms = (wall_ms() - t0) / reps;
  return MM_OK;
}

static mm_err op_key_package(run *r, int i) {
  (void)i;
  mm_client_msg rep;
  mm_err e = call(r,
                  (mm_client_msg){.type = MM_CLIENT_CREATE_KEY_PACKAGE,
                                  .cipher_suite = r->suite,
                                  .identity = mm_view_str("x@bench.example")},
                  &rep);
  return e == MM_OK ? call(r, (mm_client_msg){.type = MM_CLIENT_FREE, .id = rep.id}, &rep) : e;
}

static mm_err op_protect(run *r, int i) {
  mm_client_msg rep;
  return call(r,
              (mm_client_msg){.type = MM_CLIENT_PROTECT,
                              .id = r->ids[(size_t)i % r->n],
                              .plaintext = mm_view_str("a message of some forty bytes, or so.")},
              &rep);
}

static mm_err op_sign(run *r, int i) {
  mm_client_msg rep;
  return call(r,
              (mm_client_msg){.type = MM_CLIENT_SIGN_WITH_LABEL,
                              .id = r->ids[(size_t)i % r->n],
                              .label = mm_view_str("MigrationInitTBS"),
                              .content = mm_view_str("a MigrationInit of about a hundred bytes")},
              &rep);
}

static mm_err op_group_info(run *r, int i) {
  mm_client_msg rep;
  return call(r, (mm_client_msg){.type = MM_CLIENT_GROUP_INFO, .id = r->ids[(size_t)i % r->n]},
              &rep);
}

/* An empty Commit with a path (what a migration Commit is), then every
 * member's handle_commit, timed apart. */
static mm_err commit_round(run *r, int i, double *commit_ms, double *handle_ms) {
  mm_client_msg rep;
  uint32_t by = r->ids[(size_t)i % r->n];
  double t0 = wall_ms();
  mm_err e =
      call(r,
           (mm_client_msg){.type = MM_CLIENT_COMMIT,
                           .id = by,
                           .framing = i % 2 ? MM_CLIENT_FRAMING_PRIVATE : MM_CLIENT_FRAMING_PUBLIC,
                           .authenticated_data = mm_view_str("migration commit aad")},
           &rep);
  *commit_ms += wall_ms() - t0;
  uint8_t *commit = NULL;
  size_t len = 0;
  if (e == MM_OK) e = keep(rep.commit, &commit, &len);
  if (e == MM_OK)
    e = call(r, (mm_client_msg){.type = MM_CLIENT_HANDLE_PENDING_COMMIT, .id = by}, &rep);
  t0 = wall_ms();
  if (e == MM_OK) e = everyone(r, mm_view_of(commit, len), by);
  *handle_ms += (wall_ms() - t0) / (double)(r->n - 1);
  free(commit);
  return e;
}

static mm_err unprotect_round(run *r, int reps, double *ms) {
  mm_client_msg rep;
  *ms = 0;
  for (int i = 0; i < reps; i++) {
    mm_err e =
        call(r,
             (mm_client_msg){.type = MM_CLIENT_PROTECT,
                             .id = r->ids[0],
                             .plaintext = mm_view_str("a message of some forty bytes, or so.")},
             &rep);
    uint8_t *ct = NULL;
    size_t len = 0;
    if (e == MM_OK) e = keep(rep.message, &ct, &len);
    double t0 = wall_ms();
    if (e == MM_OK)
      e = call(r,
               (mm_client_msg){.type = MM_CLIENT_UNPROTECT,
                               .id = r->ids[1 + (size_t)i % (r->n - 1)],
                               .message = mm_view_of(ct, len)},
               &rep);
    *ms += wall_ms() - t0;
    free(ct);
    if (e != MM_OK) return e;
  }
  *ms /= reps;
  return MM_OK;
}

static mm_err external_round(run *r, int reps, double *join_ms, double *handle_ms) {
  *join_ms = *handle_ms = 0;
  for (int i = 0; i < reps; i++) {
    mm_client_msg rep;
    mm_err e = call(r, (mm_client_msg){.type = MM_CLIENT_GROUP_INFO, .id = r->ids[0]}, &rep);
    uint8_t *gi = NULL, *tree = NULL, *commit = NULL;
    size_t gl = 0, tl = 0, cl = 0;
    if (e == MM_OK) e = keep(rep.group_info, &gi, &gl);
    if (e == MM_OK) e = keep(rep.ratchet_tree, &tree, &tl);
    double t0 = wall_ms();
    if (e == MM_OK)
      e = call(r,
               (mm_client_msg){.type = MM_CLIENT_EXTERNAL_JOIN,
                               .group_info = mm_view_of(gi, gl),
                               .ratchet_tree = mm_view_of(tree, tl),
                               .identity = mm_view_str("newcomer@bench.example")},
               &rep);
    *join_ms += wall_ms() - t0;
    uint32_t joined = rep.id;
    if (e == MM_OK) e = keep(rep.commit, &commit, &cl);
    t0 = wall_ms();
    if (e == MM_OK) e = everyone(r, mm_view_of(commit, cl), 0);
    *handle_ms += (wall_ms() - t0) / (double)r->n;
    /* The newcomer stays: one round only, or the group would grow. */
    if (e == MM_OK && r->n <= BENCH_CLIENTS_GROUP) r->ids[r->n++] = joined;
    free(gi);
    free(tree);
    free(commit);
    if (e != MM_OK) return e;
  }
  *join_ms /= reps;
  *handle_ms /= reps;
  return MM_OK;
}

static mm_err bench_one_suite(run *r, uint16_t suite, bool quick, bench_clients_suite *out) {
  memset(out, 0, sizeof *out);
  out->suite = suite;
  r->suite = suite;
  int reps = quick ? 2 : 6;
  mm_err e = make_group(r, suite);
  if (e == MM_OK) e = timed(r, op_key_package, reps, &out->key_package_ms);
  if (e == MM_OK) e = timed(r, op_protect, reps * 4, &out->protect_ms);
  if (e == MM_OK) e = unprotect_round(r, reps * 4, &out->unprotect_ms);
  if (e == MM_OK) e = timed(r, op_sign, reps * 4, &out->sign_ms);
  if (e == MM_OK) e = timed(r, op_group_info, reps, &out->group_info_ms);
  for (int i = 0; i < reps && e == MM_OK; i++)
    e = commit_round(r, i, &out->commit_ms, &out->handle_commit_ms);
  out->commit_ms /= reps;
  out->handle_commit_ms /= reps;
  if (e == MM_OK) e = external_round(r, 1, &out->external_join_ms, &out->handle_external_ms);
  out->measured = e == MM_OK;
  return e;
}

mm_err bench_clients(const bench_opts *o, const char *cmd, bench_clients_result *out) {
  memset(out, 0, sizeof *out);
  snprintf(out->cmd, sizeof out->cmd, "%s", cmd);
  double starts[STARTS];
  run r = {0};
  for (int i = 0; i < STARTS; i++) {
    double t0 = wall_ms();
    mm_err e = mm_clients_start(cmd, 0, &r.c, out->why, sizeof out->why);
    starts[i] = wall_ms() - t0;
    if (e != MM_OK) return e;
    if (i + 1 < STARTS) {
      mm_clients_stop(r.c);
      r.c = NULL;
    }
  }
  qsort(starts, STARTS, sizeof starts[0], cmp_double);
  out->startup_ms = starts[STARTS / 2];
  snprintf(out->implementation, sizeof out->implementation, "%s", mm_clients_implementation(r.c));
  mm_err e = MM_OK;
  for (size_t i = 0; i < o->n_suites && e == MM_OK; i++) {
    if (!mm_clients_has_suite(r.c, o->suites[i])) continue;
    e = bench_one_suite(&r, o->suites[i], o->quick, &out->suites[out->n_suites]);
    if (e == MM_OK) out->n_suites++;
  }
  if (e != MM_OK) snprintf(out->why, sizeof out->why, "%s", r.why);
  mm_clients_stop(r.c);
  return e;
}

static double per_s(double ms) { return ms > 0 ? 1000.0 / ms : 0; }

void bench_clients_print(FILE *f, const bench_clients_result *r) {
  fprintf(f, "\nExternal MLS members: %s\n", r->implementation);
  fprintf(f, "  command: %s\n", r->cmd);
  fprintf(f,
          "  wall time per request as the driver sees it (pipes included), in a group of %d;\n"
          "  start-up: process start to its PICS, median of %d: %.0f ms\n",
          BENCH_CLIENTS_GROUP, STARTS, r->startup_ms);
  fprintf(f, "  %-5s %9s %9s %9s %9s %9s %9s %9s %9s %9s   (ms; commit/s)\n", "suite", "keypkg",
          "protect", "unprot", "sign", "groupinfo", "commit", "handle", "extjoin", "handle-ext");
  for (size_t i = 0; i < r->n_suites; i++) {
    const bench_clients_suite *s = &r->suites[i];
    fprintf(f, "  %-5u %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f   %.1f\n", s->suite,
            s->key_package_ms, s->protect_ms, s->unprotect_ms, s->sign_ms, s->group_info_ms,
            s->commit_ms, s->handle_commit_ms, s->external_join_ms, s->handle_external_ms,
            per_s(s->commit_ms));
  }
}

mm_err bench_clients_write_json(const char *path, const bench_clients_result *r) {
  json_t *suites = json_array();
  for (size_t i = 0; suites && i < r->n_suites; i++) {
    const bench_clients_suite *s = &r->suites[i];
    json_t *j = json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "suite",
                          (json_int_t)s->suite, "key_package_ms", s->key_package_ms, "protect_ms",
                          s->protect_ms, "unprotect_ms", s->unprotect_ms, "sign_with_label_ms",
                          s->sign_ms, "group_info_ms", s->group_info_ms, "commit_ms", s->commit_ms,
                          "handle_commit_ms", s->handle_commit_ms, "external_join_ms",
                          s->external_join_ms, "handle_external_commit_ms", s->handle_external_ms);
    if (!j || json_array_append_new(suites, j) != 0) {
      json_decref(suites);
      return MM_E_NOMEM;
    }
  }
  json_t *doc = suites ? json_pack("{s:s, s:s, s:i, s:f, s:o}", "implementation", r->implementation,
                                   "command", r->cmd, "group_size", BENCH_CLIENTS_GROUP,
                                   "startup_ms", r->startup_ms, "suites", suites)
                       : NULL;
  if (!doc) return MM_E_NOMEM;
  int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(doc);
  return rc == 0 ? MM_OK : MM_E_IO;
}

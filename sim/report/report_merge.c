/* Merging results documents (report.h): sharded campaigns, per-role runs,
 * one IUT run twice. The merged document is a results document itself, so
 * every writer and the schema apply to it unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static int rank(const char *verdict) {
  static const char *order[] = {"not_applicable", "pass", "warning", "fail", "error"};
  for (int i = 0; i < 5; i++)
    if (strcmp(verdict, order[i]) == 0) return i;
  return -1;
}

/* Adds the elements of src missing from the array dst. */
static void union_into(json_t *dst, const json_t *src) {
  size_t i, k;
  json_t *v, *w;
  json_array_foreach(src, i, v) {
    bool seen = false;
    json_array_foreach(dst, k, w) seen |= json_equal(v, w);
    if (!seen) json_array_append(dst, v);
  }
}

/* "a" and "b" differ: "a + b" (each distinct value once). */
static void join_str(json_t *o, const char *key, const char *add) {
  const char *have = str(o, key);
  if (!add[0] || strstr(have, add)) return;
  if (!have[0]) {
    json_object_set_new(o, key, json_string(add));
    return;
  }
  size_t n = strlen(have) + strlen(add) + 4;
  char *s = malloc(n);
  if (!s) return;
  snprintf(s, n, "%s + %s", have, add);
  json_object_set_new(o, key, json_string(s));
  free(s);
}

/* A test seen twice keeps the worse of its two results. */
static void add_test(json_t *tests, json_t *t) {
  size_t i;
  json_t *have;
  json_array_foreach(tests, i, have) {
    if (strcmp(str(have, "name"), str(t, "name")) != 0 ||
        strcmp(str(have, "role"), str(t, "role")) != 0)
      continue;
    if (rank(str(t, "verdict")) > rank(str(have, "verdict"))) json_array_set(tests, i, t);
    return;
  }
  json_array_append(tests, t);
}

static bool add_doc(json_t *out, const json_t *in, const char *name, char *why, size_t why_len) {
  if (strcmp(str(in, "format"), MM_RESULTS_FORMAT) != 0 ||
      !json_is_array(json_object_get(in, "tests"))) {
    snprintf(why, why_len, "%s: not a results document (%s) nor a simulator summary", name,
             MM_RESULTS_FORMAT);
    return false;
  }
  if (!json_object_get(out, "format")) {
    json_t *copy = json_deep_copy(in);
    json_object_update(out, copy);
    json_decref(copy);
    json_object_set_new(out, "tests", json_array());
    json_object_set_new(out, "simulator", json_array());
    json_object_set_new(out, "wall_ms", json_real(0));
  } else if (strcmp(str(in, "profile"), str(out, "profile")) != 0 ||
             json_integer_value(json_object_get(in, "shim_protocol")) !=
                 json_integer_value(json_object_get(out, "shim_protocol"))) {
    snprintf(
        why, why_len, "%s: profile %s / shim protocol v%lld, the first input has %s / v%lld", name,
        str(in, "profile"), (long long)json_integer_value(json_object_get(in, "shim_protocol")),
        str(out, "profile"), (long long)json_integer_value(json_object_get(out, "shim_protocol")));
    return false;
  } else {
    json_t *iut = json_object_get(out, "iut"), *other = json_object_get(in, "iut");
    join_str(iut, "implementation", str(other, "implementation"));
    for (const char *const *k = (const char *const[]){"roles", "suites", "features", NULL}; *k; k++)
      union_into(json_object_get(iut, *k), json_object_get(other, *k));
    join_str(out, "iut_command", str(in, "iut_command"));
    join_str(out, "mlsmig_version", str(in, "mlsmig_version"));
    join_str(out, "stopped", str(in, "stopped"));
    join_str(out, "cleanup", str(in, "cleanup"));
    json_int_t esc = json_integer_value(json_object_get(out, "escaped_processes")) +
                     json_integer_value(json_object_get(in, "escaped_processes"));
    if (esc) json_object_set_new(out, "escaped_processes", json_integer(esc));
    /* The report is dated by the earliest shard. */
    if (strcmp(str(in, "date"), str(out, "date")) < 0)
      json_object_set_new(out, "date", json_string(str(in, "date")));
  }
  /* Shards run side by side or one after another: the sum is the work done. */
  json_object_set_new(out, "wall_ms",
                      json_real(json_number_value(json_object_get(out, "wall_ms")) +
                                json_number_value(json_object_get(in, "wall_ms"))));
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(in, "tests"), i, t) add_test(json_object_get(out, "tests"), t);
  union_into(json_object_get(out, "simulator"), json_object_get(in, "simulator"));
  return true;
}

json_t *mm_report_merge(json_t *const *docs, const char *const *names, size_t n, char *why,
                        size_t why_len) {
  json_t *out = json_object(), *sims = json_array(), *from = json_array();
  bool ok = out && sims && from;
  for (size_t i = 0; ok && i < n; i++) {
    if (json_object_get(docs[i], "mode")) {
      ok = json_array_append(sims, docs[i]) == 0;
      continue;
    }
    ok = add_doc(out, docs[i], names[i], why, why_len);
    /* A merged input lists its own inputs. */
    const json_t *inner = json_object_get(docs[i], "merged_from");
    if (ok && json_array_size(inner))
      json_array_extend(from, (json_t *)inner);
    else if (ok)
      json_array_append_new(from, json_string(names[i]));
  }
  if (ok && !json_object_get(out, "format")) {
    snprintf(why, why_len, "no results document among the inputs (only simulator summaries)");
    ok = false;
  }
  for (size_t i = 0; ok && i < json_array_size(sims); i++) {
    ok = mm_report_add_sim(out, json_array_get(sims, i)) == MM_OK;
    if (!ok) snprintf(why, why_len, "a simulator summary of unknown mode");
  }
  if (ok && !json_array_size(json_object_get(out, "simulator"))) json_object_del(out, "simulator");
  if (ok) json_object_set(out, "merged_from", from);
  if (ok && mm_report_recount(out) != MM_OK) {
    snprintf(why, why_len, "cannot recount the merged results");
    ok = false;
  }
  json_decref(sims);
  json_decref(from);
  if (!ok) {
    json_decref(out);
    return NULL;
  }
  return out;
}

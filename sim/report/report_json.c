/* JSON results of a run, in the shape docs/run-results.schema.json
 * documents: who was tested (the PICS) and how (IUT command, seed, date),
 * every test with its rules, verdict, conversation with the IUT and the
 * command that reruns it, and the verdict per rule of the catalogue. The
 * other reports render this document (report.h). */
#include <stdio.h>
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/crypto.h"
#include "profile/catalogue.h"
#include "report/report.h"
#include "shim/shim_proto.h"

static json_t *pics_json(const mm_pics *p) {
  json_t *roles = json_array(), *suites = json_array(), *features = json_array();
  if (p->roles & MM_SHIM_ROLE_SOURCE) json_array_append_new(roles, json_string("source"));
  if (p->roles & MM_SHIM_ROLE_TARGET) json_array_append_new(roles, json_string("target"));
  for (int s = 1; s <= MM_SUITE_COUNT; s++)
    if (p->suites[s]) json_array_append_new(suites, json_integer(s));
  static const char *names[] = {"tombstone", "strict_policy",     "deny_list",
                                "restart",   "install_at_target", "reconfigure",
                                "reset",     "profile_v2",        "migration_refusal"};
  for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++)
    if (p->features & (1u << b)) json_array_append_new(features, json_string(names[b]));
  return json_pack("{s:s, s:o, s:o, s:o}", "implementation", p->implementation, "roles", roles,
                   "suites", suites, "features", features);
}

static json_t *rules_array(const char *rules) {
  json_t *a = json_array();
  char buf[128];
  snprintf(buf, sizeof buf, "%s", rules);
  for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save))
    json_array_append_new(a, json_string(id));
  return a;
}

static json_t *wire_json(const mm_test_result *t) {
  json_t *a = json_array();
  for (size_t i = 0; i < t->nwire; i++) {
    const mm_wire_event *e = &t->wire[i];
    json_t *o = json_pack("{s:s}", "kind", mm_wire_kind_name(e->kind));
    if (e->kind == MM_WIRE_OUTPUT) json_object_set_new(o, "to", json_string(e->to));
    if (e->kind == MM_WIRE_CLOCK) json_object_set_new(o, "ms", mm_json_u64(e->ms));
    if (e->bytes && e->full_len > e->len) { /* cut: head, tail, length, hash */
      size_t half = e->len / 2;
      json_object_set_new(o, "len", mm_json_u64(e->full_len));
      json_object_set_new(o, "sha256", mm_json_hex(e->sha256, sizeof e->sha256));
      json_object_set_new(o, "head_hex", mm_json_hex(e->bytes, half));
      json_object_set_new(o, "tail_hex", mm_json_hex(e->bytes + half, e->len - half));
    } else if (e->bytes) {
      json_object_set_new(o, "hex", mm_json_hex(e->bytes, e->len));
    }
    json_array_append_new(a, o);
  }
  return a;
}

bool mm_shell_quote(const char *s, char *out, size_t cap) {
  size_t k = 0;
  if (cap < 3) return false;
  out[k++] = '\'';
  for (; *s; s++) {
    const char *piece = *s == '\'' ? "'\\''" : NULL;
    size_t n = piece ? 4 : 1;
    if (k + n + 2 > cap) return false;
    if (piece)
      memcpy(out + k, piece, n);
    else
      out[k] = *s;
    k += n;
  }
  out[k++] = '\'';
  out[k] = '\0';
  return true;
}

/* The command that runs just this test instance again, with the same
 * keys (the instance's name: its suite, framing and policy). */
static json_t *rerun(const mm_run_result *r, const mm_test_result *t) {
  char iut[4600], cmd[5200];
  /* a service (mlsmig run --iut-connect): its iut_cmd is that option */
  const char *ic = r->iut_cmd ? r->iut_cmd : "", *svc = "--iut-connect ";
  bool connect = strncmp(ic, svc, strlen(svc)) == 0;
  if (!mm_shell_quote(connect ? ic + strlen(svc) : ic, iut, sizeof iut)) return json_string("");
  snprintf(cmd, sizeof cmd, "%s run %s %s --role %s --suite %u --test %s --seed %llu",
           r->mlsmig_cmd ? r->mlsmig_cmd : "mlsmig", connect ? "--iut-connect" : "--iut", iut,
           t->role == MM_SHIM_ROLE_SOURCE ? "source" : "target", t->suite, t->name,
           (unsigned long long)r->seed);
  return json_string(cmd);
}

static json_t *test_json(const mm_run_result *r, const mm_test_result *t) {
  json_t *off = NULL;
  if (t->offending) off = mm_json_loads(t->offending, 0, NULL);
  json_t *o = json_pack(
      "{s:s, s:s, s:i, s:o, s:s, s:s, s:s, s:o, s:o, s:f}", "name", t->name, "role",
      t->role == MM_SHIM_ROLE_SOURCE ? "source" : "target", "cipher_suite", (int)t->suite, "rules",
      rules_array(t->rules), "summary", t->summary, "verdict", mm_verdict_name(t->verdict),
      "message", t->message ? t->message : "", "offending_envelope", off ? off : json_null(),
      "iut_stderr", t->iut_stderr ? json_string(t->iut_stderr) : json_null(), "ms", t->ms);
  if (!o) return NULL;
  json_object_set_new(o, "expected", json_string(t->expected ? t->expected : t->summary));
  json_object_set_new(o, "wire", wire_json(t));
  json_object_set_new(o, "wire_dropped", json_integer((json_int_t)t->wire_dropped));
  json_object_set_new(o, "rerun", rerun(r, t));
  if (t->escaped) json_object_set_new(o, "escaped_processes", json_integer(t->escaped));
  if (t->cleanup) json_object_set_new(o, "cleanup", json_string(t->cleanup));
  return o;
}

json_t *mm_run_to_json(const mm_run_result *r) {
  json_t *tests = json_array();
  for (size_t i = 0; i < r->n; i++) json_array_append_new(tests, test_json(r, &r->tests[i]));
  json_t *root = json_pack(
      "{s:s, s:s, s:s, s:i, s:o, s:s, s:s, s:o, s:f, s:o}", "format", MM_RESULTS_FORMAT,
      "mlsmig_version", MM_VERSION, "profile", MM_PROFILE_VERSION, "shim_protocol", MM_SHIM_VERSION,
      "iut", pics_json(&r->pics), "iut_command", r->iut_cmd ? r->iut_cmd : "", "date", r->date,
      "seed", mm_json_u64(r->seed), "wall_ms", r->wall_ms, "tests", tests);
  if (root && r->stopped[0]) json_object_set_new(root, "stopped", json_string(r->stopped));
  if (root && r->escaped) json_object_set_new(root, "escaped_processes", mm_json_u64(r->escaped));
  if (root && r->cleanup[0]) json_object_set_new(root, "cleanup", json_string(r->cleanup));
  if (root && mm_report_recount(root) != MM_OK) {
    json_decref(root);
    return NULL;
  }
  return root;
}

/* ---- summary and rule verdicts, from the tests ---- */

static int rank(const char *verdict) {
  static const char *order[] = {"pass", "warning", "fail", "error"};
  for (int i = 0; i < 4; i++)
    if (strcmp(verdict, order[i]) == 0) return i;
  return -1; /* not_applicable */
}

static bool has_rule(const json_t *test, const char *id) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(test, "rules"), i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), id) == 0) return true;
  }
  return false;
}

static json_t *rule_json(const json_t *tests, const mm_rule *rule) {
  int worst = -1;
  size_t n = 0, i;
  json_t *t;
  json_array_foreach(tests, i, t) {
    const char *v = json_string_value(json_object_get(t, "verdict"));
    if (!v || rank(v) < 0 || !has_rule(t, rule->id)) continue;
    n++;
    if (rank(v) > worst) worst = rank(v);
  }
  static const char *names[] = {"pass", "warning", "fail", "error"};
  return json_pack("{s:s, s:s, s:i, s:s, s:s, s:i}", "id", rule->id, "level", rule->level,
                   "section", rule->section, "text", rule->text, "verdict",
                   worst < 0 ? "not_tested" : names[worst], "tests", (int)n);
}

/* Does the test check a MUST rule (a mandatory test)? Unknown IDs count
 * as MUST: nothing is let off for a catalogue that does not know it. */
static bool mandatory(const json_t *t, const mm_catalogue *cat) {
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(t, "rules"), i, id) {
    const mm_rule *rule = cat ? mm_catalogue_find(cat, json_string_value(id)) : NULL;
    if (!rule || strcmp(rule->level, "SHOULD") != 0) return true;
  }
  return false;
}

mm_err mm_report_recount(json_t *doc) {
  const json_t *tests = json_object_get(doc, "tests");
  if (!json_is_array(tests)) return MM_E_MALFORMED;
  mm_catalogue cat;
  mm_err e = mm_catalogue_load(&cat);
  if (e != MM_OK) return e;
  static const char *keys[] = {"pass", "warning", "fail", "error", "not_applicable"};
  size_t count[5] = {0}, tested = 0, i;
  json_t *t;
  json_array_foreach(tests, i, t) {
    const char *v = json_string_value(json_object_get(t, "verdict"));
    for (int k = 0; v && k < 5; k++) count[k] += strcmp(v, keys[k]) == 0;
    /* a run where no mandatory test ran tested nothing */
    tested += v && strcmp(v, "not_applicable") != 0 && mandatory(t, &cat);
  }
  json_t *summary = json_pack("{s:i}", "tests", (int)json_array_size(tests));
  for (int k = 0; summary && k < 5; k++)
    json_object_set_new(summary, keys[k], json_integer((json_int_t)count[k]));
  if (!summary) {
    mm_catalogue_free(&cat);
    return MM_E_NOMEM;
  }
  /* Nothing tested is no pass, and neither is a run that was stopped. */
  bool stopped = json_string_length(json_object_get(doc, "stopped")) > 0;
  json_object_set_new(summary, "tested", json_integer((json_int_t)tested));
  json_object_set_new(summary, "nothing_tested", json_boolean(tested == 0));
  bool passed = count[2] == 0 && count[3] == 0 && tested > 0 && !stopped;
  json_object_set_new(summary, "passed", json_boolean(passed));
  char outcome[400];
  if (stopped)
    snprintf(outcome, sizeof outcome, "stopped: %s",
             json_string_value(json_object_get(doc, "stopped")));
  else if (tested == 0)
    snprintf(outcome, sizeof outcome, "%s", MM_NOTHING_TESTED);
  else if (!passed)
    snprintf(outcome, sizeof outcome, "failed: %zu test%s did not pass", count[2] + count[3],
             count[2] + count[3] == 1 ? "" : "s");
  else
    snprintf(outcome, sizeof outcome, "passed");
  json_object_set_new(summary, "outcome", json_string(outcome));
  json_object_set_new(doc, "summary", summary);
  json_t *rules = json_array();
  for (size_t k = 0; k < cat.n; k++) json_array_append_new(rules, rule_json(tests, &cat.rules[k]));
  mm_catalogue_free(&cat);
  json_object_set_new(doc, "rules", rules);
  return MM_OK;
}

mm_err mm_report_json_doc(const json_t *doc, const char *path) {
  return mm_json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? MM_OK : MM_E_IO;
}

mm_err mm_report_json(const mm_run_result *r, const char *path) {
  json_t *doc = mm_run_to_json(r);
  if (!doc) return MM_E_NOMEM;
  mm_err e = mm_report_json_doc(doc, path);
  json_decref(doc);
  return e;
}

mm_err mm_report_add_sim(json_t *doc, json_t *summary) {
  const char *mode = json_string_value(json_object_get(summary, "mode"));
  if (!mode || (strcmp(mode, "campaign") != 0 && strcmp(mode, "explore") != 0))
    return MM_E_MALFORMED;
  json_t *sims = json_object_get(doc, "simulator");
  if (!sims) {
    sims = json_array();
    json_object_set_new(doc, "simulator", sims);
  }
  return json_array_append(sims, summary) == 0 ? MM_OK : MM_E_NOMEM;
}

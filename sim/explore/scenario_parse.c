/* The scenario format (scenario.h, docs/scenarios.md): parsed strictly,
 * line by line. Every error names its line; nothing unknown is skipped. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec_num.h"
#include "explore/scenario.h"

void mm_scenario_init(mm_scenario *sc) {
  memset(sc, 0, sizeof *sc);
  sc->suite = 1;
  sc->seed = 1;
  sc->members = 3;
  sc->state_bytes = 1024;
  sc->max_time_ms = 1200000;
  sc->source_policy = sc->target_policy = MM_POLICY_DEFAULT;
}

void mm_scenario_happy(mm_scenario *sc, uint16_t suite, uint64_t seed) {
  mm_scenario_init(sc);
  snprintf(sc->name, sizeof sc->name, "happy");
  snprintf(sc->about, sizeof sc->about, "One member migrates the group; nothing goes wrong.");
  sc->suite = suite;
  sc->seed = seed;
  sc->actions[sc->n_actions++] = (mm_sc_action){.kind = MM_SC_MIGRATE, .domain = MM_SIM_TARGET};
  snprintf(sc->expect_result, sizeof sc->expect_result, "completed");
  snprintf(sc->expect_home, sizeof sc->expect_home, "target");
}

/* ---- a line as words ---- */

#define MAX_WORDS 16

typedef struct line_ctx {
  int line;
  char *err;
  size_t err_len;
  char *w[MAX_WORDS];
  size_t n;
} line_ctx;

static bool bad(line_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(line_ctx *c, const char *fmt, ...) {
  int k = snprintf(c->err, c->err_len, "line %d: ", c->line);
  va_list ap;
  va_start(ap, fmt);
  if (k >= 0 && (size_t)k < c->err_len) vsnprintf(c->err + k, c->err_len - (size_t)k, fmt, ap);
  va_end(ap);
  return false;
}

/* "key=value" words after the first `skip`: known keys only. */
typedef struct kv {
  const char *key;
  const char *val;
} kv;

static bool keyvals(line_ctx *c, size_t skip, const char *const *allowed, kv *out, size_t *n) {
  *n = 0;
  for (size_t i = skip; i < c->n; i++) {
    char *eq = strchr(c->w[i], '=');
    if (!eq) return bad(c, "expected key=value, got '%s'", c->w[i]);
    *eq = '\0';
    bool ok = false;
    for (const char *const *a = allowed; *a; a++) ok = ok || strcmp(*a, c->w[i]) == 0;
    if (!ok) return bad(c, "unknown argument '%s' for '%s'", c->w[i], c->w[0]);
    out[(*n)++] = (kv){c->w[i], eq + 1};
  }
  return true;
}

static bool valid_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return false;
  return true;
}

static bool copy_word(line_ctx *c, const char *v, char *dst, size_t cap) {
  if (!v || !*v || strlen(v) >= cap) return bad(c, "bad or too long value '%s'", v ? v : "");
  memcpy(dst, v, strlen(v) + 1);
  return true;
}

#define MAX_MS (UINT64_C(1) << 40)

/* ---- actions ---- */

static bool add_action(mm_scenario *sc, line_ctx *c, mm_sc_action a) {
  if (sc->n_actions == MM_SC_MAX_ACTIONS) return bad(c, "more than %d actions", MM_SC_MAX_ACTIONS);
  sc->actions[sc->n_actions++] = a;
  return true;
}

static bool parse_action(mm_scenario *sc, line_ctx *c) {
  static const char *const mig_keys[] = {"member", "target", "at", NULL};
  static const char *const at_keys[] = {"at", NULL};
  static const char *const commit_keys[] = {"member", "at", NULL};
  const char *w = c->w[0];
  mm_sc_action a = {0};
  kv kvs[MAX_WORDS];
  size_t n;
  uint64_t x;
  if (strcmp(w, "migrate") == 0) {
    a.kind = MM_SC_MIGRATE;
    snprintf(a.domain, sizeof a.domain, "%s", MM_SIM_TARGET);
    if (!keyvals(c, 1, mig_keys, kvs, &n)) return false;
  } else if (strcmp(w, "outsider-migrate") == 0) {
    a.kind = MM_SC_OUTSIDER_MIGRATE;
    if (!keyvals(c, 1, at_keys, kvs, &n)) return false;
  } else if (strcmp(w, "commit") == 0) {
    a.kind = MM_SC_COMMIT;
    a.member = 1;
    if (!keyvals(c, 1, commit_keys, kvs, &n)) return false;
  } else if (strcmp(w, "deny") == 0) {
    a.kind = MM_SC_DENY;
    if (c->n < 3) return bad(c, "deny wants DOMAIN IDENTITY [at=MS]");
    if (!copy_word(c, c->w[1], a.domain, sizeof a.domain) ||
        !copy_word(c, c->w[2], a.identity, sizeof a.identity) || !keyvals(c, 3, at_keys, kvs, &n))
      return false;
  } else if (strcmp(w, "rogue-init") == 0) {
    a.kind = MM_SC_ROGUE_INIT;
    a.member = 1;
    if (c->n < 2 || (strcmp(c->w[1], "reuse") != 0 && strcmp(c->w[1], "forge") != 0))
      return bad(c, "rogue-init wants reuse|forge [member=N] [at=MS]");
    a.forge = strcmp(c->w[1], "forge") == 0;
    if (!keyvals(c, 2, commit_keys, kvs, &n)) return false;
  } else {
    a.kind = strcmp(w, "target-creates-group") == 0 ? MM_SC_CREATE_GROUP
             : strcmp(w, "target-wrong-ack") == 0   ? MM_SC_WRONG_ACK
             : strcmp(w, "third-ds-push") == 0      ? MM_SC_THIRD_PUSH
                                                    : MM_SC_REPLAY_ALL;
    if (!keyvals(c, 1, at_keys, kvs, &n)) return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (strcmp(kvs[i].key, "at") == 0 && !mm_parse_dec(kvs[i].val, MAX_MS, &a.at))
      return bad(c, "at wants ms, got '%s'", kvs[i].val);
    if (strcmp(kvs[i].key, "member") == 0) {
      if (!mm_parse_dec(kvs[i].val, MM_SIM_MAX_MEMBERS - 1, &x))
        return bad(c, "member wants 0..%d, got '%s'", MM_SIM_MAX_MEMBERS - 1, kvs[i].val);
      a.member = (unsigned)x;
    }
    if (strcmp(kvs[i].key, "target") == 0 && !copy_word(c, kvs[i].val, a.domain, sizeof a.domain))
      return false;
  }
  return add_action(sc, c, a);
}

/* ---- expectations ---- */

static bool err_by_name(const char *name, mm_err *out) {
  for (int e = 1; e <= 17; e++)
    if (strcmp(mm_err_name((mm_err)e), name) == 0) {
      *out = (mm_err)e;
      return true;
    }
  if (strcmp(name, "lost") == 0) { /* delivered to nobody (a crashed actor) */
    *out = MM_E_NOT_FOUND;
    return true;
  }
  return false;
}

static bool type_by_name(const char *name, uint8_t *out) {
  for (int t = 1; t <= 255; t++) {
    const char *n = mm_msg_type_name(t);
    if (n && strcmp(n, name) == 0) {
      *out = (uint8_t)t;
      return true;
    }
  }
  return false;
}

static bool parse_seen(mm_scenario *sc, line_ctx *c, bool present) {
  static const char *const keys[] = {"type", "at", NULL};
  if (c->n < 3) return bad(c, "expect %s wants an error name", c->w[1]);
  if (sc->n_seen == MM_SC_MAX_EXPECT)
    return bad(c, "more than %d seen expectations", MM_SC_MAX_EXPECT);
  mm_sc_seen s = {present, MM_OK, 0, ""};
  if (strcmp(c->w[2], "accepted") != 0 && !err_by_name(c->w[2], &s.verdict))
    return bad(c, "unknown verdict '%s' (accepted, lost, or an error name such as bad_signature)",
               c->w[2]);
  kv kvs[MAX_WORDS];
  size_t n;
  if (!keyvals(c, 3, keys, kvs, &n)) return false;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(kvs[i].key, "type") == 0 && !type_by_name(kvs[i].val, &s.msg_type))
      return bad(c, "unknown message type '%s'", kvs[i].val);
    if (strcmp(kvs[i].key, "at") == 0 && !copy_word(c, kvs[i].val, s.at, sizeof s.at)) return false;
  }
  sc->seen[sc->n_seen++] = s;
  return true;
}

static bool parse_expect(mm_scenario *sc, line_ctx *c) {
  if (c->n < 3) return bad(c, "expect wants a subject and a value");
  const char *what = c->w[1], *v = c->w[2];
  if (strcmp(what, "seen") == 0) return parse_seen(sc, c, true);
  if (strcmp(what, "not-seen") == 0) return parse_seen(sc, c, false);
  if (strcmp(what, "inv") == 0) {
    int i = 0;
    if (c->n != 4 || sscanf(v, "INV-%d", &i) != 1 || i < 1 || i > 5 || strlen(v) != 5)
      return bad(c, "expect inv wants INV-1..INV-5 and pass|fail|not_checked|ok");
    const char *r = c->w[3];
    sc->expect_inv[i] = strcmp(r, "pass") == 0          ? MM_INV_EXPECT_PASS
                        : strcmp(r, "fail") == 0        ? MM_INV_EXPECT_FAIL
                        : strcmp(r, "not_checked") == 0 ? MM_INV_EXPECT_NOT_CHECKED
                        : strcmp(r, "ok") == 0          ? MM_INV_EXPECT_OK
                                                        : (mm_inv_expect)-1;
    if ((int)sc->expect_inv[i] < 0) return bad(c, "unknown invariant result '%s'", r);
    return true;
  }
  if (c->n != 3) return bad(c, "expect %s takes one value", what);
  if (strcmp(what, "result") == 0) {
    if (strcmp(v, "completed") && strcmp(v, "aborted") && strcmp(v, "stuck") &&
        strcmp(v, "refused"))
      return bad(c, "result is completed, aborted, stuck or refused, not '%s'", v);
    return copy_word(c, v, sc->expect_result, sizeof sc->expect_result);
  }
  if (strcmp(what, "home") == 0) {
    if (strcmp(v, "source") && strcmp(v, "target") && strcmp(v, "target2") && strcmp(v, "none"))
      return bad(c, "home is source, target, target2 or none, not '%s'", v);
    return copy_word(c, v, sc->expect_home, sizeof sc->expect_home);
  }
  if (strcmp(what, "rule") == 0) {
    if (strcmp(v, "none") == 0) return (sc->expect_rule[0] = '\0', true);
    return copy_word(c, v, sc->expect_rule, sizeof sc->expect_rule);
  }
  if (strcmp(what, "gap") == 0) {
    if (strcmp(v, "none") == 0) return (sc->expect_gap[0] = '\0', true);
    if (strncmp(v, "GAP-", 4) != 0) return bad(c, "gap is GAP-N or none, not '%s'", v);
    return copy_word(c, v, sc->expect_gap, sizeof sc->expect_gap);
  }
  return bad(c, "unknown expectation '%s' (result, home, seen, not-seen, inv, rule, gap)", what);
}

/* ---- settings ---- */

static bool parse_setting(mm_scenario *sc, line_ctx *c, const char *rest, bool *done) {
  const char *w = c->w[0];
  uint64_t x;
  *done = true;
  if (strcmp(w, "about") == 0) {
    if (!*rest) return bad(c, "about wants a sentence");
    /* Refused, not cut: a cut sentence may end in blanks, which the next
     * parse trims, so the printed scenario would not replay as printed. */
    if (strlen(rest) >= sizeof sc->about)
      return bad(c, "about is longer than %zu bytes", sizeof sc->about - 1);
    snprintf(sc->about, sizeof sc->about, "%s", rest);
    return true;
  }
  if (strcmp(w, "target-hosts-group") == 0) {
    if (c->n != 1) return bad(c, "target-hosts-group takes no value");
    sc->target_hosts_group = true;
    return true;
  }
  if (strcmp(w, "policy") == 0) {
    if (c->n != 3 || (strcmp(c->w[1], "source") && strcmp(c->w[1], "target")) ||
        (strcmp(c->w[2], "default") && strcmp(c->w[2], "strict")))
      return bad(c, "policy wants source|target default|strict");
    mm_policy_kind k = strcmp(c->w[2], "strict") == 0 ? MM_POLICY_STRICT : MM_POLICY_DEFAULT;
    if (strcmp(c->w[1], "source") == 0)
      sc->source_policy = k;
    else
      sc->target_policy = k;
    return true;
  }
  if (c->n != 2) {
    *done = false;
    return true;
  }
  const char *v = c->w[1];
  if (strcmp(w, "name") == 0) {
    if (!valid_name(v) || strlen(v) >= sizeof sc->name)
      return bad(c, "name wants [a-z0-9-]+, got '%s'", v);
    snprintf(sc->name, sizeof sc->name, "%s", v);
  } else if (strcmp(w, "gap") == 0) {
    if (strncmp(v, "GAP-", 4) != 0 || strlen(v) >= sizeof sc->gap) return bad(c, "gap wants GAP-N");
    snprintf(sc->gap, sizeof sc->gap, "%s", v);
  } else if (strcmp(w, "suite") == 0) {
    if (!mm_parse_dec(v, MM_SUITE_COUNT, &x) || x == 0)
      return bad(c, "suite wants 1..7, got '%s'", v);
    sc->suite = (uint16_t)x;
  } else if (strcmp(w, "seed") == 0) {
    if (!mm_parse_dec(v, UINT64_MAX, &sc->seed)) return bad(c, "seed wants 0..2^64-1, got '%s'", v);
  } else if (strcmp(w, "members") == 0) {
    if (!mm_parse_dec(v, MM_SIM_MAX_MEMBERS, &x) || x == 0)
      return bad(c, "members wants 1..64, got '%s'", v);
    sc->members = (unsigned)x;
  } else if (strcmp(w, "state-bytes") == 0) {
    if (!mm_parse_dec(v, 1u << 24, &sc->state_bytes))
      return bad(c, "state-bytes wants 0..16777216, got '%s'", v);
  } else if (strcmp(w, "max-time") == 0) {
    if (!mm_parse_dec(v, MAX_MS, &sc->max_time_ms) || sc->max_time_ms == 0)
      return bad(c, "max-time wants ms > 0");
  } else if (strcmp(w, "mutant") == 0) {
    mm_mutant m;
    if (!mm_mutant_by_name(v, &m) || m == MM_MUT_NONE)
      return bad(c, "unknown mutant '%s' (see 'mlsmig list mutants')", v);
    sc->mutants |= 1u << m;
  } else if (strcmp(w, "feature") == 0) {
    if (strcmp(v, "migration-refusal") != 0)
      return bad(c, "unknown feature '%s' (there is migration-refusal)", v);
    sc->features |= MM_FEAT_MIGRATION_REFUSAL;
  } else if (strcmp(w, "actor") == 0) {
    if (strcmp(v, "target2") == 0)
      sc->second_target = true;
    else if (strcmp(v, "third-ds") == 0)
      sc->third_ds = true;
    else if (strcmp(v, "outsider") == 0)
      sc->outsider = true;
    else
      return bad(c, "actor is target2, third-ds or outsider, not '%s'", v);
  } else {
    *done = false;
  }
  return true;
}

static bool parse_line(mm_scenario *sc, line_ctx *c, char *line) {
  char *p = line;
  while (*p == ' ' || *p == '\t') p++;
  char *hash = strchr(p, '#');
  if (hash) *hash = '\0';
  size_t len = strlen(p);
  while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r')) p[--len] = '\0';
  if (!len) return true;
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", p);
  char *rest = strchr(copy, ' ');
  rest = rest ? rest + 1 : copy + len;
  while (*rest == ' ') rest++;
  if (strncmp(p, "about", 5) == 0 && (p[5] == ' ' || p[5] == '\t')) { /* free text */
    c->w[0] = (char *)"about";
    c->n = 2;
    bool done;
    return parse_setting(sc, c, rest, &done);
  }
  c->n = 0;
  char *save = NULL;
  for (char *t = strtok_r(p, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
    if (c->n == MAX_WORDS) return bad(c, "too many words");
    c->w[c->n++] = t;
  }
  const char *w = c->w[0];
  if (strcmp(w, "fault") == 0) {
    if (sc->faults.n == MM_MAX_FAULTS) return bad(c, "more than %d faults", MM_MAX_FAULTS);
    char why[200];
    if (!mm_fault_parse(rest, &sc->faults.f[sc->faults.n], why, sizeof why))
      return bad(c, "%s", why);
    sc->faults.n++;
    return true;
  }
  if (strcmp(w, "expect") == 0) return parse_expect(sc, c);
  static const char *const actions[] = {"migrate",    "outsider-migrate",     "commit",
                                        "deny",       "target-creates-group", "third-ds-push",
                                        "replay-all", "rogue-init",           "target-wrong-ack",
                                        NULL};
  for (const char *const *a = actions; *a; a++)
    if (strcmp(w, *a) == 0) return parse_action(sc, c);
  bool done;
  if (!parse_setting(sc, c, rest, &done)) return false;
  if (!done) return bad(c, "unknown directive '%s' or wrong number of values", w);
  return true;
}

static bool check_whole(mm_scenario *sc, line_ctx *c) {
  c->line = 0;
  if (!sc->name[0]) return bad(c, "the scenario has no 'name' line");
  for (size_t i = 0; i < sc->n_actions; i++) {
    const mm_sc_action *a = &sc->actions[i];
    if ((a->kind == MM_SC_MIGRATE || a->kind == MM_SC_COMMIT || a->kind == MM_SC_ROGUE_INIT) &&
        a->member >= sc->members)
      return bad(c, "member %u but the group has %u members", a->member, sc->members);
    if (a->kind == MM_SC_OUTSIDER_MIGRATE && !sc->outsider)
      return bad(c, "outsider-migrate needs 'actor outsider'");
    if (a->kind == MM_SC_THIRD_PUSH && !sc->third_ds)
      return bad(c, "third-ds-push needs 'actor third-ds'");
  }
  return true;
}

bool mm_scenario_parse(const char *text, mm_scenario *sc, char *err, size_t err_len) {
  mm_scenario_init(sc);
  line_ctx c = {0, err, err_len, {0}, 0};
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    c.line++;
    char line[1024];
    if (len >= sizeof line) return bad(&c, "line longer than %zu bytes", sizeof line - 1);
    memcpy(line, p, len);
    line[len] = '\0';
    if (memchr(line, '\0', len) != NULL && strlen(line) != len) return bad(&c, "NUL byte");
    if (!parse_line(sc, &c, line)) return false;
    p += len + (nl ? 1 : 0);
  }
  return check_whole(sc, &c);
}

/* A scenario in its file format (what campaigns, explorations and the
 * shrinker print, so that a reported run can be saved and replayed), and
 * the scenarios compiled in from suites/scenarios/. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/scenario.h"

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !b->p) return;
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = (b->cap + (size_t)n + 1) * 2;
    char *np = realloc(b->p, cap);
    if (!np) {
      free(b->p);
      b->p = NULL;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static const char *inv_word(mm_inv_expect e) {
  return e == MM_INV_EXPECT_PASS ? "pass" : e == MM_INV_EXPECT_FAIL ? "fail" : "not_checked";
}

static void put_action(sbuf *b, const mm_sc_action *a) {
  switch (a->kind) {
  case MM_SC_MIGRATE:
    put(b, "migrate member=%u target=%s at=%llu\n", a->member, a->domain,
        (unsigned long long)a->at);
    break;
  case MM_SC_OUTSIDER_MIGRATE:
    put(b, "outsider-migrate at=%llu\n", (unsigned long long)a->at);
    break;
  case MM_SC_COMMIT:
    put(b, "commit member=%u at=%llu\n", a->member, (unsigned long long)a->at);
    break;
  case MM_SC_DENY:
    put(b, "deny %s %s at=%llu\n", a->domain, a->identity, (unsigned long long)a->at);
    break;
  case MM_SC_CREATE_GROUP:
    put(b, "target-creates-group at=%llu\n", (unsigned long long)a->at);
    break;
  case MM_SC_THIRD_PUSH: put(b, "third-ds-push at=%llu\n", (unsigned long long)a->at); break;
  case MM_SC_REPLAY_ALL: put(b, "replay-all at=%llu\n", (unsigned long long)a->at); break;
  case MM_SC_ROGUE_INIT:
    put(b, "rogue-init %s member=%u at=%llu\n", a->forge ? "forge" : "reuse", a->member,
        (unsigned long long)a->at);
    break;
  case MM_SC_WRONG_ACK: put(b, "target-wrong-ack at=%llu\n", (unsigned long long)a->at); break;
  }
}

char *mm_scenario_format(const mm_scenario *sc) {
  sbuf b = {malloc(256), 0, 256};
  if (!b.p) return NULL;
  b.p[0] = '\0';
  put(&b, "name %s\n", sc->name);
  if (sc->about[0]) put(&b, "about %s\n", sc->about);
  if (sc->gap[0]) put(&b, "gap %s\n", sc->gap);
  put(&b, "suite %u\nseed %llu\n", sc->suite, (unsigned long long)sc->seed);
  if (sc->members != 3) put(&b, "members %u\n", sc->members);
  if (sc->state_bytes != 1024) put(&b, "state-bytes %llu\n", (unsigned long long)sc->state_bytes);
  if (sc->max_time_ms != 1200000) put(&b, "max-time %llu\n", (unsigned long long)sc->max_time_ms);
  for (int m = 1; m < MM_MUT_COUNT; m++)
    if (mm_mutant_on(sc->mutants, (mm_mutant)m))
      put(&b, "mutant %s\n", mm_mutant_name((mm_mutant)m));
  if (sc->features & MM_FEAT_MIGRATION_REFUSAL) put(&b, "feature migration-refusal\n");
  if (sc->second_target) put(&b, "actor target2\n");
  if (sc->third_ds) put(&b, "actor third-ds\n");
  if (sc->outsider) put(&b, "actor outsider\n");
  if (sc->target_hosts_group) put(&b, "target-hosts-group\n");
  if (sc->source_policy == MM_POLICY_STRICT) put(&b, "policy source strict\n");
  if (sc->target_policy == MM_POLICY_STRICT) put(&b, "policy target strict\n");
  for (size_t i = 0; i < sc->n_actions; i++) put_action(&b, &sc->actions[i]);
  for (size_t i = 0; i < sc->faults.n; i++) {
    char line[320];
    mm_fault_format(&sc->faults.f[i], line, sizeof line);
    put(&b, "fault %s\n", line);
  }
  if (sc->expect_result[0]) put(&b, "expect result %s\n", sc->expect_result);
  if (sc->expect_home[0]) put(&b, "expect home %s\n", sc->expect_home);
  for (size_t i = 0; i < sc->n_seen; i++) {
    const mm_sc_seen *s = &sc->seen[i];
    put(&b, "expect %s %s", s->present ? "seen" : "not-seen",
        s->verdict == MM_OK            ? "accepted"
        : s->verdict == MM_E_NOT_FOUND ? "lost"
                                       : mm_err_name(s->verdict));
    if (s->msg_type) put(&b, " type=%s", mm_msg_type_name(s->msg_type));
    if (s->at[0]) put(&b, " at=%s", s->at);
    put(&b, "\n");
  }
  for (int i = 1; i <= 5; i++)
    if (sc->expect_inv[i] != MM_INV_EXPECT_OK)
      put(&b, "expect inv INV-%d %s\n", i, inv_word(sc->expect_inv[i]));
  if (sc->expect_rule[0]) put(&b, "expect rule %s\n", sc->expect_rule);
  if (sc->expect_gap[0]) put(&b, "expect gap %s\n", sc->expect_gap);
  return b.p;
}

/* ---- compiled in: {"name", "text"} from build/gen/scenarios.inc ---- */

static const struct {
  const char *name, *text;
} builtin[] = {
#include "scenarios.inc"
};

size_t mm_scenario_builtin_count(void) { return sizeof builtin / sizeof builtin[0]; }
const char *mm_scenario_builtin_name(size_t i) {
  return i < mm_scenario_builtin_count() ? builtin[i].name : NULL;
}
const char *mm_scenario_builtin_text(size_t i) {
  return i < mm_scenario_builtin_count() ? builtin[i].text : NULL;
}
const char *mm_scenario_builtin_find(const char *name) {
  for (size_t i = 0; i < mm_scenario_builtin_count(); i++)
    if (strcmp(builtin[i].name, name) == 0) return builtin[i].text;
  return NULL;
}

/* The requirement catalogue, the tests and the code agree: every rule ID
 * has at least one test, every test names only IDs of the catalogue, every
 * MUST rule has an enforcement site in sim/ (suites/rule_sites.py), and
 * every mutant breaks exactly the rules of the sites that name it. */
#include <stdio.h>
#include <string.h>

#include "mlsmig/mutants.h"
#include "profile/catalogue.h"
#include "testlib.h"

static const struct {
  const char *suite, *name, *rules;
} tests[] = {
#include "tests.inc"
};
#define NTESTS (sizeof tests / sizeof tests[0])

/* Where the rules are enforced: MM_CHECK, MM_ENFORCED and MM_RULE in the
 * actors (profile/rule.h), the codec's ENC-* failures, and the checkers of
 * the invariants in sim/simulator/check. */
static const struct {
  const char *where, *rules;
  mm_mutant mutant;
  const char *kind;
} sites[] = {
#include "rule_sites.inc"
};
#define NSITES (sizeof sites / sizeof sites[0])

/* Calls fn for each space-separated ID of a rules string. */
static bool each_id(const char *rules, bool (*fn)(const char *id, void *ctx), void *ctx) {
  char buf[1024];
  if ((size_t)snprintf(buf, sizeof buf, "%s", rules) >= sizeof buf) {
    fprintf(stderr, "rules string too long: %.40s...\n", rules);
    return false;
  }
  for (char *save = NULL, *tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
    if (strcmp(tok, "-") != 0 && !fn(tok, ctx)) return false;
  return true;
}

static bool known(const char *id, void *ctx) {
  const mm_catalogue *c = ctx;
  if (mm_catalogue_find(c, id)) return true;
  fprintf(stderr, "unknown rule ID '%s'\n", id);
  return false;
}

START_TEST(test_catalogue_parses) {
  mm_catalogue c;
  ck_assert_int_eq(mm_catalogue_load(&c), MM_OK);
  ck_assert_uint_ge(c.n, 40);
  for (size_t i = 0; i < c.n; i++) {
    ck_assert(strcmp(c.rules[i].level, "MUST") == 0 || strcmp(c.rules[i].level, "SHOULD") == 0);
    ck_assert(strcmp(c.rules[i].source, "draft") == 0 || strcmp(c.rules[i].source, "profile") == 0);
    ck_assert(c.rules[i].section >= 1 && c.rules[i].section <= 11); /* profile v2: 11 is MLS */
    ck_assert(strlen(c.rules[i].text) > 10);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(c.rules[i].id, c.rules[j].id);
  }
  mm_catalogue_free(&c);
}
END_TEST

START_TEST(test_tests_name_known_ids) {
  mm_catalogue c;
  ck_assert_int_eq(mm_catalogue_load(&c), MM_OK);
  ck_assert_uint_gt(NTESTS, 0);
  for (size_t i = 0; i < NTESTS; i++) {
    if (!each_id(tests[i].rules, known, &c))
      ck_abort_msg("%s/%s names an ID not in the catalogue", tests[i].suite, tests[i].name);
  }
  mm_catalogue_free(&c);
}
END_TEST

typedef struct {
  const char *want;
  bool found;
} find_ctx;

static bool match(const char *id, void *ctx) {
  find_ctx *f = ctx;
  if (strcmp(id, f->want) == 0) f->found = true;
  return true;
}

START_TEST(test_every_id_has_a_test) {
  mm_catalogue c;
  ck_assert_int_eq(mm_catalogue_load(&c), MM_OK);
  char missing[1024] = "";
  for (size_t r = 0; r < c.n; r++) {
    find_ctx f = {c.rules[r].id, false};
    for (size_t i = 0; i < NTESTS && !f.found; i++) each_id(tests[i].rules, match, &f);
    if (!f.found) {
      strncat(missing, " ", sizeof missing - strlen(missing) - 1);
      strncat(missing, c.rules[r].id, sizeof missing - strlen(missing) - 1);
    }
  }
  mm_catalogue_free(&c);
  ck_assert_msg(missing[0] == '\0', "rule IDs without a test:%s", missing);
}
END_TEST

/* Is id one of the space-separated IDs of list? */
static bool lists(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *p = strstr(list, id); p; p = strstr(p + 1, id))
    if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return true;
  return false;
}

START_TEST(test_sites_name_known_ids) {
  mm_catalogue c;
  ck_assert_int_eq(mm_catalogue_load(&c), MM_OK);
  ck_assert_uint_gt(NSITES, 0);
  for (size_t i = 0; i < NSITES; i++)
    if (!each_id(sites[i].rules, known, &c))
      ck_abort_msg("the site at %s names an ID not in the catalogue", sites[i].where);
  mm_catalogue_free(&c);
}
END_TEST

START_TEST(test_every_must_rule_has_a_site) {
  mm_catalogue c;
  ck_assert_int_eq(mm_catalogue_load(&c), MM_OK);
  char missing[1024] = "";
  for (size_t r = 0; r < c.n; r++) {
    if (strcmp(c.rules[r].level, "MUST") != 0) continue;
    bool found = false;
    for (size_t i = 0; i < NSITES && !found; i++) found = lists(sites[i].rules, c.rules[r].id);
    if (!found) {
      strncat(missing, " ", sizeof missing - strlen(missing) - 1);
      strncat(missing, c.rules[r].id, sizeof missing - strlen(missing) - 1);
    }
  }
  mm_catalogue_free(&c);
  ck_assert_msg(missing[0] == '\0', "MUST rules without an enforcement site in sim/:%s", missing);
}
END_TEST

/* An INV-* rule's site is its checker in sim/simulator/check, nothing else. */
START_TEST(test_invariants_sit_in_the_checkers) {
  for (size_t i = 0; i < NSITES; i++) {
    bool inv = strncmp(sites[i].rules, "INV-", 4) == 0;
    bool checker = strcmp(sites[i].kind, "invariant") == 0 &&
                   strncmp(sites[i].where, "sim/simulator/check/", 20) == 0;
    ck_assert_msg(inv == checker, "%s: %s (%s)", sites[i].where, sites[i].rules, sites[i].kind);
  }
}
END_TEST

/* The rules MM_MUTANT_LIST gives a mutant are exactly those of the sites
 * that name it, and it has at least one. */
typedef struct {
  mm_mutant m;
  const char *where; /* a site of m, for messages */
} mutant_ctx;

static bool at_a_site(const char *id, void *ctx) {
  const mutant_ctx *x = ctx;
  for (size_t i = 0; i < NSITES; i++)
    if (sites[i].mutant == x->m && lists(sites[i].rules, id)) return true;
  fprintf(stderr, "mutant %s: no site of %s names it\n", mm_mutant_name(x->m), id);
  return false;
}

static bool in_list(const char *id, void *ctx) {
  const mutant_ctx *x = ctx;
  if (lists(mm_mutant_rules(x->m), id)) return true;
  fprintf(stderr, "mutant %s: the site at %s names %s, its list does not\n", mm_mutant_name(x->m),
          x->where, id);
  return false;
}

START_TEST(test_mutant_rules_are_their_sites) {
  for (int m = 1; m < MM_MUT_COUNT; m++) {
    mutant_ctx x = {(mm_mutant)m, NULL};
    size_t n = 0;
    for (size_t i = 0; i < NSITES; i++) {
      if (sites[i].mutant != x.m) continue;
      n++;
      x.where = sites[i].where;
      ck_assert_msg(each_id(sites[i].rules, in_list, &x), "mutant %s: rules %s, site %s: %s",
                    mm_mutant_name(x.m), mm_mutant_rules(x.m), sites[i].where, sites[i].rules);
    }
    ck_assert_msg(n > 0, "mutant %s names no enforcement site", mm_mutant_name(x.m));
    ck_assert_msg(each_id(mm_mutant_rules(x.m), at_a_site, &x), "mutant %s: rules %s",
                  mm_mutant_name(x.m), mm_mutant_rules(x.m));
  }
}
END_TEST

/* The generated list and the runtime registry see the same tests (when the
 * whole runner registered every suite). */
START_TEST(test_generated_list_matches_registry) {
  if (mm_test_count() < NTESTS) return; /* run with a subset of suites */
  for (size_t i = 0; i < mm_test_count(); i++) {
    const mm_test_info *t = mm_test_at(i);
    bool found = false;
    for (size_t j = 0; j < NTESTS && !found; j++)
      found = strcmp(tests[j].name, t->name) == 0 && strcmp(tests[j].rules, t->rules) == 0;
    ck_assert_msg(found, "%s/%s is registered but not in the generated list", t->suite, t->name);
  }
}
END_TEST

Suite *suite_catalogue(void) {
  Suite *s = suite_create("catalogue");
  TCase *tc = tcase_create("catalogue");
  MM_ADD_TEST(tc, test_catalogue_parses, "-");
  MM_ADD_TEST(tc, test_tests_name_known_ids, "-");
  MM_ADD_TEST(tc, test_every_id_has_a_test, "-");
  MM_ADD_TEST(tc, test_generated_list_matches_registry, "-");
  MM_ADD_TEST(tc, test_sites_name_known_ids, "-");
  MM_ADD_TEST(tc, test_every_must_rule_has_a_site, "-");
  MM_ADD_TEST(tc, test_invariants_sit_in_the_checkers, "-");
  MM_ADD_TEST(tc, test_mutant_rules_are_their_sites, "-");
  suite_add_tcase(s, tc);
  return s;
}

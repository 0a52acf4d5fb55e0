/* The requirement catalogue and the tests agree: every rule ID has at least
 * one test, and every test names only IDs of the catalogue. */
#include <stdio.h>
#include <string.h>

#include "profile/catalogue.h"
#include "testlib.h"

static const struct {
  const char *suite, *name, *rules;
} tests[] = {
#include "tests.inc"
};
#define NTESTS (sizeof tests / sizeof tests[0])

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
  suite_add_tcase(s, tc);
  return s;
}

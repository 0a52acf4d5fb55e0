#include "sim_fixture.h"

#include <check.h>

#include "simulator/transcript.h"

json_t *mm_test_transcript(const mm_sim_config *cfg) {
  mm_sim_config c = *cfg;
  c.keep_bodies = true;
  mm_sim *s;
  ck_assert_int_eq(mm_sim_new(&c, &s), MM_OK);
  mm_sim_start_migration(s, 0);
  ck_assert_int_eq(mm_sim_run(s), MM_OK);
  mm_sim_outcome o;
  mm_sim_check(s, &o);
  json_t *t = mm_sim_transcript(s, &o);
  mm_sim_free(s);
  ck_assert_ptr_nonnull(t);
  return t;
}

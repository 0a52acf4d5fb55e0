/* The requirement catalogue (suites/catalogue.json, compiled in): every
 * profile rule ID with its level, origin, section and a one-line text. The
 * tests, the simulator and the runner report per ID from this list. */
#ifndef MLSMIG_CATALOGUE_H
#define MLSMIG_CATALOGUE_H

#include <jansson.h>

#include "mlsmig/error.h"

typedef struct mm_rule {
  const char *id;     /* "NONCE-2" */
  const char *level;  /* "MUST" or "SHOULD" */
  const char *source; /* "draft" or "profile" */
  int section;        /* profile section */
  const char *text;
} mm_rule;

typedef struct mm_catalogue {
  json_t *root;
  mm_rule *rules;
  size_t n;
  const char *profile;
} mm_catalogue;

/* mm_catalogue_load parses the compiled-in catalogue (suites/catalogue.json) into *c. */
MM_MUST_USE mm_err mm_catalogue_load(mm_catalogue *c);
/* mm_catalogue_free frees what mm_catalogue_load made. */
void mm_catalogue_free(mm_catalogue *c);
/* mm_catalogue_find returns the rule with this ID, NULL if the catalogue has none. */
const mm_rule *mm_catalogue_find(const mm_catalogue *c, const char *id);

#endif

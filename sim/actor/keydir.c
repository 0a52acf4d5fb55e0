/* The key directory of KEY-1: which public key a domain signs with, per
 * suite. Small (a handful of DSes), so a flat array is enough. */
#include <stdlib.h>
#include <string.h>

#include "mlsmig/actor.h"

typedef struct {
  char *domain;
  mm_key *key;
} kd_entry;

typedef struct {
  char *domain;
  uint32_t features;
} kd_features;

struct mm_keydir {
  kd_entry *v;
  size_t n, cap;
  kd_features *f; /* AMD-1: the features each domain declares */
  size_t nf;
};

mm_keydir *mm_keydir_new(void) { return calloc(1, sizeof(mm_keydir)); }

void mm_keydir_free(mm_keydir *kd) {
  if (!kd) return;
  for (size_t i = 0; i < kd->n; i++) {
    free(kd->v[i].domain);
    mm_key_free(kd->v[i].key);
  }
  free(kd->v);
  for (size_t i = 0; i < kd->nf; i++) free(kd->f[i].domain);
  free(kd->f);
  free(kd);
}

mm_err mm_keydir_add(mm_keydir *kd, const char *domain, mm_key *key) {
  if (kd->n == kd->cap) {
    size_t cap = kd->cap ? kd->cap * 2 : 8;
    kd_entry *nv = realloc(kd->v, cap * sizeof *nv);
    if (!nv) {
      mm_key_free(key);
      return MM_E_NOMEM;
    }
    kd->v = nv;
    kd->cap = cap;
  }
  char *d = strdup(domain);
  if (!d) {
    mm_key_free(key);
    return MM_E_NOMEM;
  }
  kd->v[kd->n++] = (kd_entry){d, key};
  return MM_OK;
}

const mm_key *mm_keydir_get(const mm_keydir *kd, mm_view domain, uint16_t suite) {
  if (!kd) return NULL;
  for (size_t i = 0; i < kd->n; i++)
    if (mm_key_suite(kd->v[i].key) == suite && mm_view_eq_str(domain, kd->v[i].domain))
      return kd->v[i].key;
  return NULL;
}

mm_err mm_keydir_set_features(mm_keydir *kd, const char *domain, uint32_t features) {
  if (!kd || !domain) return MM_E_USAGE;
  for (size_t i = 0; i < kd->nf; i++)
    if (strcmp(kd->f[i].domain, domain) == 0) {
      kd->f[i].features = features;
      return MM_OK;
    }
  kd_features *nf = realloc(kd->f, (kd->nf + 1) * sizeof *nf);
  if (!nf) return MM_E_NOMEM;
  kd->f = nf;
  char *d = strdup(domain);
  if (!d) return MM_E_NOMEM;
  kd->f[kd->nf++] = (kd_features){d, features};
  return MM_OK;
}

uint32_t mm_keydir_features(const mm_keydir *kd, mm_view domain) {
  if (!kd) return 0;
  for (size_t i = 0; i < kd->nf; i++)
    if (mm_view_eq_str(domain, kd->f[i].domain)) return kd->f[i].features;
  return 0;
}

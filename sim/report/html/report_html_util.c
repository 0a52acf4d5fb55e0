/* Small helpers shared by the parts of the HTML report. */
#include <ctype.h>
#include <string.h>

#include "report/html/report_html.h"

static bool out_of_memory;

void h_out_of_memory(void) { out_of_memory = true; }

bool h_take_out_of_memory(void) {
  bool was = out_of_memory;
  out_of_memory = false;
  return was;
}

void h_esc(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default: fputc(*s, f);
    }
  }
}

void h_anchor(FILE *f, const char *name) {
  fputs("t-", f);
  for (; *name; name++) {
    bool keep = isalnum((unsigned char)*name) || *name == '.' || *name == '_';
    fputc(keep ? *name : '-', f);
  }
}

const char *h_str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

long long h_int(const json_t *o, const char *key) {
  return (long long)json_integer_value(json_object_get(o, key));
}

unsigned long long h_u64(const json_t *o, const char *key) {
  uint64_t v = 0;
  return mm_json_u64_value(json_object_get(o, key), &v) ? v : 0;
}

static const char *const verdicts[] = {"not_tested", "not_applicable", "pass",
                                       "warning",    "fail",           "error"};

int h_verdict_rank(const char *verdict) {
  for (int i = 0; i < 6; i++)
    if (strcmp(verdict, verdicts[i]) == 0) return i;
  return 0;
}

const char *h_verdict_label(const char *verdict) {
  static const char *const labels[] = {"not tested", "not applicable", "pass",
                                       "warning",    "fail",           "error"};
  return labels[h_verdict_rank(verdict)];
}

void h_badge(FILE *f, const char *verdict) {
  fprintf(f, "<span class=\"badge v-%s\">%s</span>", verdicts[h_verdict_rank(verdict)],
          h_verdict_label(verdict));
}

const char *h_section_title(int section) {
  static const char *const titles[] = {"",
                                       "Encoding",
                                       "Suites and keys",
                                       "Signatures and hashes",
                                       "Nonces",
                                       "Domains, groups and epochs",
                                       "Authorization",
                                       "Lifecycle and durability",
                                       "Other",
                                       "Invariants",
                                       "Known gaps",
                                       "The group's MLS state"};
  return section >= 1 && section <= 11 ? titles[section] : "Other";
}

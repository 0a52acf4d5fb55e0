/* Faults as text: the one-line form of faults.h, parsed strictly (every
 * word known, every number in range) and printed so that it parses back. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec_num.h"
#include "mlsmig/faults.h"
#include "mlsmig/messages.h"

static const char *kind_names[MM_FAULT_KIND_COUNT] = {"drop",     "duplicate", "delay",
                                                      "corrupt",  "truncate",  "replay",
                                                      "misroute", "crash",     "clock-jump"};

const char *mm_fault_kind_name(mm_fault_kind k) {
  return (unsigned)k < MM_FAULT_KIND_COUNT ? kind_names[k] : "?";
}

bool mm_fault_is_network(mm_fault_kind k) { return k <= MM_FAULT_MISROUTE; }

mm_fault mm_fault_make(mm_fault_kind k) {
  mm_fault f;
  memset(&f, 0, sizeof f);
  f.kind = k;
  f.nth = 1;
  f.by_ms = k == MM_FAULT_CLOCK_JUMP ? MM_FAULT_JUMP_MS : MM_FAULT_DELAY_MS;
  f.after_ms = MM_FAULT_REPLAY_AFTER_MS;
  f.restart_ms = MM_FAULT_RESTART_MS;
  f.role = MM_ROLE_SOURCE;
  return f;
}

bool mm_schedule_finite(const mm_schedule *s) {
  for (size_t i = 0; i < s->n; i++) {
    const mm_fault *f = &s->f[i];
    bool endless_loss = (f->kind == MM_FAULT_DROP || f->kind == MM_FAULT_MISROUTE) && !f->by_seq &&
                        f->nth == 0 && f->until == 0;
    if (endless_loss) return false;
  }
  return true;
}

/* ---- parsing ---- */

static bool failf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool failf(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, n, fmt, ap);
  va_end(ap);
  return false;
}

static bool msg_type_by_name(const char *name, uint8_t *out) {
  for (int t = 1; t <= 255; t++) {
    const char *n = mm_msg_type_name(t);
    if (n && strcmp(n, name) == 0) {
      *out = (uint8_t)t;
      return true;
    }
  }
  return false;
}

static bool copy_name(const char *v, char *dst, char *err, size_t n) {
  size_t len = strlen(v);
  if (len == 0 || len >= MM_FAULT_NAME_MAX) return failf(err, n, "bad actor name '%s'", v);
  memcpy(dst, v, len + 1);
  return true;
}

#define MAX_MS (UINT64_C(1) << 40) /* about 35 years: far past any run */

/* One key=value (or bare word) of a network fault. */
static bool network_arg(mm_fault *f, const char *key, const char *v, char *err, size_t n) {
  uint64_t x;
  if (strcmp(key, "seq") == 0) {
    if (!v || !mm_parse_dec(v, 1u << 30, &x)) return failf(err, n, "seq wants a number");
    f->by_seq = true;
    f->seq = (size_t)x;
  } else if (strcmp(key, "type") == 0) {
    if (!v || !msg_type_by_name(v, &f->msg_type))
      return failf(err, n, "unknown message type '%s'", v ? v : "");
  } else if (strcmp(key, "from") == 0 && v) {
    return copy_name(v, f->from, err, n);
  } else if (strcmp(key, "to") == 0 && v) {
    return copy_name(v, f->to, err, n);
  } else if (strcmp(key, "nth") == 0) {
    if (!v || !mm_parse_dec(v, 1u << 20, &x) || x == 0) return failf(err, n, "nth wants 1 or more");
    f->nth = (unsigned)x;
  } else if (strcmp(key, "every") == 0 && !v) {
    f->nth = 0;
  } else if (strcmp(key, "until") == 0) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->until) || f->until == 0)
      return failf(err, n, "until wants ms > 0");
  } else if (strcmp(key, "by") == 0 && f->kind == MM_FAULT_DELAY) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->by_ms)) return failf(err, n, "by wants ms");
  } else if (strcmp(key, "after") == 0 && f->kind == MM_FAULT_REPLAY) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->after_ms)) return failf(err, n, "after wants ms");
  } else if (strcmp(key, "bit") == 0 && f->kind == MM_FAULT_CORRUPT && v && strcmp(v, "end") == 0) {
    f->bit_end = true;
    f->bit_set = false;
  } else if (strcmp(key, "bit") == 0 && f->kind == MM_FAULT_CORRUPT) {
    if (!v || !mm_parse_dec(v, UINT64_C(1) << 40, &f->bit))
      return failf(err, n, "bit wants a number or end");
    f->bit_set = true;
    f->bit_end = false;
  } else if (strcmp(key, "suite") == 0 && f->kind == MM_FAULT_CORRUPT) {
    if (!v || !mm_parse_dec(v, 0xffff, &x)) return failf(err, n, "suite wants 0..65535");
    f->suite = (uint16_t)x;
  } else if (strcmp(key, "keep") == 0 && f->kind == MM_FAULT_TRUNCATE) {
    if (!v || !mm_parse_dec(v, 1u << 30, &f->keep)) return failf(err, n, "keep wants a byte count");
    f->keep_set = true;
  } else if (strcmp(key, "dest") == 0 && f->kind == MM_FAULT_MISROUTE && v) {
    return copy_name(v, f->dest, err, n);
  } else {
    return failf(err, n, "'%s' is not an argument of %s", key, mm_fault_kind_name(f->kind));
  }
  return true;
}

/* step=N or at=MS, shared by crash and clock-jump. */
static bool when_arg(mm_fault *f, const char *key, const char *v, char *err, size_t n, bool *ok) {
  uint64_t x;
  *ok = true;
  if (strcmp(key, "step") == 0) {
    if (!v || !mm_parse_dec(v, 1u << 30, &x) || x == 0)
      return failf(err, n, "step wants 1 or more");
    f->step = (size_t)x;
    f->at_set = false;
  } else if (strcmp(key, "at") == 0) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->at)) return failf(err, n, "at wants ms");
    f->at_set = true;
  } else {
    *ok = false;
  }
  return true;
}

static bool actor_arg(mm_fault *f, const char *key, const char *v, char *err, size_t n) {
  bool matched;
  if (!when_arg(f, key, v, err, n, &matched)) return false;
  if (matched) return true;
  if (f->kind == MM_FAULT_CRASH && !v && strcmp(key, "source") == 0)
    f->role = MM_ROLE_SOURCE;
  else if (f->kind == MM_FAULT_CRASH && !v && strcmp(key, "target") == 0)
    f->role = MM_ROLE_TARGET;
  else if (f->kind == MM_FAULT_CRASH && !v && strcmp(key, "client") == 0)
    f->role = MM_ROLE_CLIENT;
  else if (f->kind == MM_FAULT_CRASH && strcmp(key, "restart") == 0 && v && strcmp(v, "never") == 0)
    f->never_restart = true;
  else if (f->kind == MM_FAULT_CRASH && strcmp(key, "restart") == 0) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->restart_ms))
      return failf(err, n, "restart wants ms or never");
    f->never_restart = false;
  } else if (f->kind == MM_FAULT_CLOCK_JUMP && strcmp(key, "by") == 0) {
    if (!v || !mm_parse_dec(v, MAX_MS, &f->by_ms) || f->by_ms == 0)
      return failf(err, n, "by wants ms > 0");
  } else {
    return failf(err, n, "'%s' is not an argument of %s", key, mm_fault_kind_name(f->kind));
  }
  return true;
}

bool mm_fault_parse(const char *text, mm_fault *out, char *err, size_t err_len) {
  char buf[512];
  if (strlen(text) >= sizeof buf) return failf(err, err_len, "fault too long");
  snprintf(buf, sizeof buf, "%s", text);
  char *save = NULL, *word = strtok_r(buf, " \t", &save);
  if (!word) return failf(err, err_len, "empty fault");
  int kind = -1;
  for (int k = 0; k < MM_FAULT_KIND_COUNT; k++)
    if (strcmp(word, kind_names[k]) == 0) kind = k;
  if (kind < 0)
    return failf(err, err_len,
                 "unknown fault '%s' (drop, duplicate, delay, corrupt, truncate, replay, "
                 "misroute, crash, clock-jump)",
                 word);
  mm_fault f = mm_fault_make((mm_fault_kind)kind);
  bool have_role = false, have_when = false, have_sel = false;
  while ((word = strtok_r(NULL, " \t", &save)) != NULL) {
    char *eq = strchr(word, '=');
    const char *v = NULL;
    if (eq) {
      *eq = '\0';
      v = eq + 1;
    }
    bool ok = mm_fault_is_network(f.kind) ? network_arg(&f, word, v, err, err_len)
                                          : actor_arg(&f, word, v, err, err_len);
    if (!ok) return false;
    have_role = have_role || (!v && f.kind == MM_FAULT_CRASH);
    have_when = have_when || strcmp(word, "step") == 0 || strcmp(word, "at") == 0;
    have_sel = have_sel || strcmp(word, "seq") == 0 || strcmp(word, "type") == 0 ||
               strcmp(word, "from") == 0 || strcmp(word, "to") == 0;
  }
  if (mm_fault_is_network(f.kind) && !have_sel)
    return failf(err, err_len, "%s needs seq=N or type=NAME (and from=, to=)", kind_names[kind]);
  if (f.by_seq && (f.msg_type || f.from[0] || f.to[0] || f.nth != 1))
    return failf(err, err_len, "seq=N names one envelope: no type, from, to, nth or every");
  if (f.until && f.nth != 0) return failf(err, err_len, "until goes with every");
  if (f.kind == MM_FAULT_CRASH && !have_role)
    return failf(err, err_len, "crash needs source, target or client");
  if (!mm_fault_is_network(f.kind) && !have_when)
    return failf(err, err_len, "%s needs step=N or at=MS", kind_names[kind]);
  *out = f;
  return true;
}

/* ---- printing ---- */

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...) {
  size_t used = strlen(buf);
  if (used >= len) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + used, len - used, fmt, ap);
  va_end(ap);
}

static const char *role_word(mm_role r) {
  return r == MM_ROLE_SOURCE ? "source" : r == MM_ROLE_TARGET ? "target" : "client";
}

void mm_fault_format(const mm_fault *f, char *buf, size_t len) {
  if (!len) return;
  buf[0] = '\0';
  add(buf, len, "%s", mm_fault_kind_name(f->kind));
  if (mm_fault_is_network(f->kind)) {
    if (f->by_seq) add(buf, len, " seq=%zu", f->seq);
    if (f->msg_type) add(buf, len, " type=%s", mm_msg_type_name(f->msg_type));
    if (f->from[0]) add(buf, len, " from=%s", f->from);
    if (f->to[0]) add(buf, len, " to=%s", f->to);
    if (!f->by_seq && f->nth == 0) add(buf, len, " every");
    if (!f->by_seq && f->nth > 1) add(buf, len, " nth=%u", f->nth);
    if (f->until) add(buf, len, " until=%llu", (unsigned long long)f->until);
    if (f->kind == MM_FAULT_DELAY) add(buf, len, " by=%llu", (unsigned long long)f->by_ms);
    if (f->kind == MM_FAULT_REPLAY) add(buf, len, " after=%llu", (unsigned long long)f->after_ms);
    if (f->bit_set) add(buf, len, " bit=%llu", (unsigned long long)f->bit);
    if (f->bit_end) add(buf, len, " bit=end");
    if (f->suite) add(buf, len, " suite=%u", f->suite);
    if (f->keep_set) add(buf, len, " keep=%llu", (unsigned long long)f->keep);
    if (f->dest[0]) add(buf, len, " dest=%s", f->dest);
    return;
  }
  if (f->kind == MM_FAULT_CRASH) add(buf, len, " %s", role_word(f->role));
  if (f->at_set)
    add(buf, len, " at=%llu", (unsigned long long)f->at);
  else
    add(buf, len, " step=%zu", f->step);
  if (f->kind == MM_FAULT_CRASH && f->never_restart)
    add(buf, len, " restart=never");
  else if (f->kind == MM_FAULT_CRASH)
    add(buf, len, " restart=%llu", (unsigned long long)f->restart_ms);
  if (f->kind == MM_FAULT_CLOCK_JUMP) add(buf, len, " by=%llu", (unsigned long long)f->by_ms);
}

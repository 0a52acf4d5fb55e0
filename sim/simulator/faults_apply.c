/* Applying a fault schedule through the simulator's hooks: network faults
 * in on_send (one envelope at a time, in send order), crashes and clock
 * jumps in before_step. Each fault that fires tells the simulator how long
 * its effect lasts (INV-5 counts its bound from the last one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlsmig/faults.h"
#include "mlsmig/messages.h"

static bool grow(void **v, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return true;
  size_t c = *cap ? *cap * 2 : 64;
  void *nv = realloc(*v, c * elem);
  if (!nv) return false;
  *v = nv;
  *cap = c;
  return true;
}

static void trace_send(mm_fault_run *r, const mm_sim *sim, const mm_sim_send *snd) {
  if (!r->trace || !grow((void **)&r->sends, &r->cap_sends, r->n_sends, sizeof *r->sends)) return;
  mm_fault_send *t = &r->sends[r->n_sends++];
  memset(t, 0, sizeof *t);
  t->seq = snd->seq;
  t->deliveries = mm_sim_step(sim);
  t->at = mm_sim_now(sim);
  t->msg_type = snd->msg_type;
  snprintf(t->from, sizeof t->from, "%s", snd->from);
  snprintf(t->to, sizeof t->to, "%s", snd->to);
}

static bool matches(mm_fault_run *r, size_t i, const mm_sim *sim, const mm_sim_send *snd) {
  const mm_fault *f = &r->sched->f[i];
  if (f->by_seq) return snd->seq == f->seq;
  if (f->msg_type && f->msg_type != snd->msg_type) return false;
  if (f->from[0] && strcmp(f->from, snd->from) != 0) return false;
  if (f->to[0] && strcmp(f->to, snd->to) != 0) return false;
  if (f->until && mm_sim_now(sim) >= f->until) return false;
  r->matches[i]++;
  return f->nth == 0 || r->matches[i] == f->nth;
}

/* Rewrites the envelope through the codec (mm_decode, mm_writer): body bit
 * flip, suite restated, or body cut short. An envelope that does not
 * decode is left alone. */
static void rewrite(const mm_fault *f, mm_sim_send *snd) {
  mm_envelope e;
  mm_limits lim = mm_limits_default(0);
  lim.max_group_state = UINT64_MAX;
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* 14, 15 and 19 appear only under the feature */
  if (mm_decode(MM_T_ENVELOPE, *snd->env, *snd->len, &lim, &e, NULL) != MM_OK) return;
  uint8_t *body = malloc(e.body.len ? e.body.len : 1);
  if (!body) return;
  if (e.body.len) memcpy(body, e.body.data, e.body.len);
  size_t body_len = e.body.len;
  if (f->kind == MM_FAULT_CORRUPT && f->suite) {
    e.cipher_suite = f->suite;
  } else if (f->kind == MM_FAULT_CORRUPT && body_len) {
    uint64_t bit = f->bit_end   ? (body_len - 1) * 8
                   : f->bit_set ? f->bit % (body_len * 8)
                                : (body_len / 2) * 8;
    body[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  } else if (f->kind == MM_FAULT_TRUNCATE) {
    body_len = f->keep_set ? (f->keep < body_len ? (size_t)f->keep : body_len) : body_len / 2;
  }
  /* Envelope fields by hand: mm_encode would refuse a body that no longer
   * decodes as its msg_type, which is the point of the fault. */
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, e.msg_type);
  mm_put_u16(&w, e.cipher_suite);
  mm_put_vec(&w, e.sender.data, e.sender.len);
  mm_put_vec(&w, body, body_len);
  uint8_t *out;
  size_t out_len;
  if (mm_writer_finish(&w, &out, &out_len) == MM_OK) {
    free(*snd->env);
    *snd->env = out;
    *snd->len = out_len;
  } else {
    mm_writer_free(&w);
  }
  free(body);
}

/* Misrouted where? Given, or the other DS, or another member. */
static const char *misroute_dest(const mm_fault *f, const mm_sim *sim, const char *to) {
  if (f->dest[0]) return f->dest;
  if (strcmp(to, MM_SIM_SOURCE) == 0) return MM_SIM_TARGET;
  if (strchr(to, '@') == NULL) return MM_SIM_SOURCE;
  for (unsigned m = 0; m < mm_sim_member_count(sim); m++)
    if (strcmp(mm_sim_member_name(sim, m), to) != 0) return mm_sim_member_name(sim, m);
  return MM_SIM_SOURCE;
}

static bool is_mls(uint8_t t) { return t == MM_MSG_MLS_MESSAGE || t == MM_MSG_MIGRATION_COMMIT; }

static unsigned on_send(void *ctx, mm_sim *sim, mm_sim_send *snd) {
  mm_fault_run *r = ctx;
  trace_send(r, sim, snd);
  unsigned copies = 1;
  uint64_t now = mm_sim_now(sim);
  for (size_t i = 0; i < r->sched->n && copies > 0; i++) {
    const mm_fault *f = &r->sched->f[i];
    if (!mm_fault_is_network(f->kind) || !matches(r, i, sim, snd)) continue;
    r->fired[i] = true;
    if (r->trace && r->n_sends) r->sends[r->n_sends - 1].faulted = true;
    switch (f->kind) {
    case MM_FAULT_DROP: copies = 0; break;
    case MM_FAULT_DUPLICATE: copies++; break;
    case MM_FAULT_DELAY: *snd->delay_ms += f->by_ms; break;
    case MM_FAULT_CORRUPT:
    case MM_FAULT_TRUNCATE:
      /* Members authenticate MLSMessages end to end (RFC 9420); the
       * simulated ones carry random content and cannot, so a changed
       * MLSMessage to a member counts as rejected there: lost. */
      if (is_mls(snd->msg_type) && strchr(snd->to, '@'))
        copies = 0;
      else
        rewrite(f, snd);
      break;
    /* An injection that fails is kept by the simulator, whose mm_sim_run
     * returns it: the hook has no error to give. */
    case MM_FAULT_REPLAY:
      mm_err_discard(mm_sim_inject(sim, snd->from, snd->to, *snd->env, *snd->len,
                                   now + *snd->delay_ms + f->after_ms));
      mm_sim_note_disturbance(sim, now + *snd->delay_ms + f->after_ms);
      break;
    case MM_FAULT_MISROUTE:
      mm_err_discard(mm_sim_inject(sim, snd->from, misroute_dest(f, sim, snd->to), *snd->env,
                                   *snd->len, now + *snd->delay_ms));
      copies = 0;
      break;
    default: break;
    }
    mm_sim_note_disturbance(sim, now + *snd->delay_ms);
  }
  return copies;
}

static void before_step(void *ctx, mm_sim *sim, uint64_t now) {
  mm_fault_run *r = ctx;
  size_t done = mm_sim_step(sim);
  if (r->trace && done >= r->n_steps &&
      grow((void **)&r->sends_before_step, &r->cap_steps, done, sizeof *r->sends_before_step)) {
    while (r->n_steps <= done) r->sends_before_step[r->n_steps++] = r->n_sends;
  }
  for (size_t i = 0; i < r->sched->n; i++) {
    const mm_fault *f = &r->sched->f[i];
    if (mm_fault_is_network(f->kind) || r->fired[i]) continue;
    bool due = f->at_set ? now >= f->at : done + 1 >= f->step;
    if (!due) continue;
    r->fired[i] = true;
    if (f->kind == MM_FAULT_CRASH)
      mm_sim_crash_until(sim, f->role, f->never_restart ? MM_NO_TIMER : now + f->restart_ms);
    else
      mm_sim_advance_clock(sim, f->by_ms);
  }
}

void mm_fault_run_init(mm_fault_run *r, const mm_schedule *sched, bool trace) {
  memset(r, 0, sizeof *r);
  r->sched = sched;
  r->trace = trace;
  r->hooks = (mm_sim_hooks){on_send, before_step, r};
}

void mm_fault_run_free(mm_fault_run *r) {
  free(r->sends);
  free(r->sends_before_step);
  r->sends = NULL;
  r->sends_before_step = NULL;
}

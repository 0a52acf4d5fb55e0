/* The fault model: what can go wrong during a simulated migration, as a
 * schedule of faults that the simulator's hooks (sim.h) apply.
 *
 *   network, per envelope (chosen by send order, or by type, sender,
 *   receiver and occurrence): drop, duplicate, delay (and so reorder),
 *   corrupt (flip one bit of the body, or restate the suite), truncate the
 *   body, replay the envelope later, misroute it to another actor;
 *   actors: crash the source, the target or the initiating client before a
 *   given step (volatile state lost, durable store kept), restart after a
 *   delay or never;
 *   clock: jump forward (past nonce lifetimes and retransmission timers).
 *
 * Every fault has a one-line text form, the same in scenario files, in
 * `mlsmig sim --schedule` and in what campaigns and explorations print:
 *
 *   drop seq=3
 *   drop type=migration_content nth=2 [from=D] [to=D]
 *   drop type=target_migration_complete every [until=MS]
 *   duplicate|delay|corrupt|truncate|replay|misroute SELECTOR [by=MS]
 *       [bit=N|end] [suite=N] [keep=N] [after=MS] [dest=NAME]
 *   crash source|target|client step=N|at=MS [restart=MS|never]
 *   clock-jump step=N|at=MS by=MS
 *
 * Byte changes go through the codec: the envelope is decoded, its body or
 * suite changed, and the envelope encoded again, so a corrupted message
 * still reaches the receiver's handler. One exception: members check
 * MLSMessages end to end (RFC 9420 authenticates the content and its
 * authenticated_data), which the simulated members, with random content,
 * cannot; a corrupted or truncated MLSMessage to a member is therefore
 * lost, as a real member would reject it. */
#ifndef MLSMIG_FAULTS_H
#define MLSMIG_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/sim.h"

#define MM_MAX_FAULTS 16
#define MM_FAULT_NAME_MAX 64

typedef enum mm_fault_kind {
  MM_FAULT_DROP,
  MM_FAULT_DUPLICATE,
  MM_FAULT_DELAY,
  MM_FAULT_CORRUPT,
  MM_FAULT_TRUNCATE,
  MM_FAULT_REPLAY,
  MM_FAULT_MISROUTE,
  MM_FAULT_CRASH,
  MM_FAULT_CLOCK_JUMP,
  MM_FAULT_KIND_COUNT
} mm_fault_kind;

/* Defaults of the arguments (ms), chosen to matter: a delay longer than the
 * first retransmission (so the copy arrives after its retransmission), a
 * replay after the nonce lifetime, a restart after two retransmissions, a
 * jump past the nonce lifetime. */
#define MM_FAULT_DELAY_MS 2500u
#define MM_FAULT_REPLAY_AFTER_MS 400000u
#define MM_FAULT_RESTART_MS 2000u
#define MM_FAULT_JUMP_MS 301000u

typedef struct mm_fault {
  mm_fault_kind kind;
  /* network faults: which envelopes */
  bool by_seq; /* seq=N: the N-th envelope sent (from 0) */
  size_t seq;
  uint8_t msg_type;             /* type=NAME, 0 for any */
  char from[MM_FAULT_NAME_MAX]; /* "" for any */
  char to[MM_FAULT_NAME_MAX];
  unsigned nth;   /* 1-based among matches; 0 = every match */
  uint64_t until; /* every: only envelopes sent before (0: always) */
  /* network arguments */
  uint64_t by_ms;    /* delay; clock-jump */
  uint64_t after_ms; /* replay */
  bool bit_set;      /* corrupt: bit index in the body (else the middle) */
  uint64_t bit;
  bool bit_end;   /* corrupt: the last byte's low bit (bit=end) */
  uint16_t suite; /* corrupt: restate the envelope's suite (0: no) */
  bool keep_set;  /* truncate: body bytes kept (else half) */
  uint64_t keep;
  char dest[MM_FAULT_NAME_MAX]; /* misroute: receiver ("" = the default) */
  /* crash and clock-jump: when */
  size_t step; /* before the step-th delivery (1-based) */
  bool at_set; /* at=MS instead */
  uint64_t at;
  mm_role role; /* crash */
  bool never_restart;
  uint64_t restart_ms;
} mm_fault;

typedef struct mm_schedule {
  mm_fault f[MM_MAX_FAULTS];
  size_t n;
} mm_schedule;

/* mm_fault_kind_name returns the name k has in a scenario line ("drop", "crash", ...), "?" outside
 * the enum. */
const char *mm_fault_kind_name(mm_fault_kind k);
/* mm_fault_is_network says whether k acts on envelopes in flight (drop .. misroute) rather than on
 * an actor or the clock. */
bool mm_fault_is_network(mm_fault_kind k);
/* mm_fault_make returns a fault of kind k with the kind's defaults. */
mm_fault mm_fault_make(mm_fault_kind k);
/* mm_fault_parse parses one fault line (docs/scenarios.md) into *out; on failure it writes a reason
 * to err and returns false. */
bool mm_fault_parse(const char *text, mm_fault *out, char *err, size_t err_len);
/* mm_fault_format writes f's line form into buf, which parses back to the same fault. */
void mm_fault_format(const mm_fault *f, char *buf, size_t len);
/* mm_schedule_finite says whether every envelope is eventually delivered under s (no fault drops
 * every match for ever), which INV-5 needs. */
bool mm_schedule_finite(const mm_schedule *s);

/* ---- applying a schedule (the sim hooks) ---- */

/* One envelope as sent, for traces and for exploration. */
typedef struct mm_fault_send {
  size_t seq;
  size_t deliveries; /* deliveries done when it was sent */
  uint64_t at;
  uint8_t msg_type;
  char from[MM_FAULT_NAME_MAX], to[MM_FAULT_NAME_MAX];
  bool faulted; /* a fault of the schedule hit it */
} mm_fault_send;

typedef struct mm_fault_run {
  const mm_schedule *sched;
  unsigned matches[MM_MAX_FAULTS];
  bool fired[MM_MAX_FAULTS];
  mm_sim_hooks hooks;
  /* optional trace of every send, and of the send count before each step */
  bool trace;
  mm_fault_send *sends;
  size_t n_sends, cap_sends;
  size_t *sends_before_step; /* [k]: sends made before delivery k+1 */
  size_t n_steps, cap_steps;
} mm_fault_run;

/* mm_fault_run_init prepares r->hooks (for the simulator's cfg.hooks) to apply sched, which must
 * outlive the run, with a trace of every send when trace is set. */
void mm_fault_run_init(mm_fault_run *r, const mm_schedule *sched, bool trace);
/* mm_fault_run_free frees r's trace. */
void mm_fault_run_free(mm_fault_run *r);

#endif

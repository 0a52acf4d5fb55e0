/* The deterministic simulator: one event loop in simulated time (ms) that
 * runs a client (and the other members), a source DS and a target DS, moves
 * envelopes between them through one queue, and checks the safety
 * properties INV-1..INV-4 at the end of a run. One seed reproduces one run
 * byte for byte: keys, group ID, nonces and ciphertexts all come from
 * seeded generators, and ties in the queue break by send order. */
#ifndef MLSMIG_SIM_H
#define MLSMIG_SIM_H

#include "mlsmig/client.h"
#include "mlsmig/ds.h"

#define MM_SIM_SOURCE "source.example"
#define MM_SIM_TARGET "target.example"
#define MM_SIM_MAX_MEMBERS 64

typedef enum mm_role { MM_ROLE_CLIENT, MM_ROLE_SOURCE, MM_ROLE_TARGET } mm_role;

/* A network fault hook (the fault-injection layer plugs in here): called for
 * every envelope sent; it may drop it (return 0), deliver it (1) or deliver
 * copies, and may change the delay or the bytes. */
typedef struct mm_sim mm_sim;
typedef struct mm_sim_send {
  size_t seq;          /* send order, from 0 */
  const char *from, *to;
  uint8_t msg_type;
  uint8_t **env;       /* may be replaced (realloc'd/free'd by the hook) */
  size_t *len;
  uint64_t *delay_ms;  /* may be changed */
} mm_sim_send;

typedef struct mm_sim_hooks {
  /* Returns how many copies to deliver (0 drops). */
  unsigned (*on_send)(void *ctx, mm_sim *sim, mm_sim_send *s);
  /* Called before each step with the simulated time; may crash/restart
   * actors or jump the clock (mm_sim_crash, mm_sim_restart, ...). */
  void (*before_step)(void *ctx, mm_sim *sim, uint64_t now);
  void *ctx;
} mm_sim_hooks;

typedef struct mm_sim_config {
  uint16_t suite;
  uint64_t seed;
  uint64_t state_bytes;   /* size of the source's ds_payload */
  unsigned members;       /* group size, 1..MM_SIM_MAX_MEMBERS (default 3) */
  mm_mutants mutants;     /* applied to both DSes */
  uint64_t latency_ms;    /* one-way delay of every envelope (default 5) */
  uint64_t max_time_ms;   /* stop after this much simulated time (default 1 h) */
  mm_policy source_policy;
  mm_policy target_policy;
  uint16_t commit_wire_format;
  bool keep_bodies;       /* record envelope bytes (for transcripts) */
  const mm_sim_hooks *hooks;
} mm_sim_config;

mm_sim_config mm_sim_config_default(uint16_t suite, uint64_t seed);

/* One delivered envelope. */
typedef struct mm_sim_record {
  size_t step;
  uint64_t at;
  char *from, *to;
  uint8_t msg_type;
  uint8_t *env;   /* NULL unless keep_bodies */
  size_t len;
  mm_err verdict; /* what the receiver's handle() returned */
} mm_sim_record;

typedef enum mm_inv_result { MM_INV_PASS, MM_INV_FAIL, MM_INV_NOT_CHECKED } mm_inv_result;

typedef struct mm_sim_outcome {
  const char *result;        /* "completed", "aborted", "stuck", "refused" */
  const char *home;          /* DS serving the group at the end, or NULL */
  uint64_t epoch;            /* epoch at home */
  uint64_t end_time_ms;
  mm_client_phase initiator_phase;
  mm_err initiator_error;
  mm_inv_result inv[6];      /* index 1..5 */
  char inv_detail[6][160];
  /* Rules the trace shows broken (LIFE-1, LIFE-2 ordering), "" if none. */
  char rule_violation[160];
} mm_sim_outcome;

mm_err mm_sim_new(const mm_sim_config *cfg, mm_sim **out);
void mm_sim_free(mm_sim *s);
/* The initiator (member 0) asks to migrate to the target at time `at`. */
void mm_sim_start_migration(mm_sim *s, uint64_t at);
/* Member i sends an ordinary Commit at time `at`. */
void mm_sim_member_commit(mm_sim *s, unsigned member, uint64_t at);
/* Runs until nothing is in flight and no timer is armed, or max_time. */
mm_err mm_sim_run(mm_sim *s);
/* Checks INV-1..INV-4 (and INV-5 when every message got through). */
void mm_sim_check(mm_sim *s, mm_sim_outcome *out);

/* Fault helpers for hooks. */
void mm_sim_crash(mm_sim *s, mm_role role);      /* volatile state lost */
mm_err mm_sim_restart(mm_sim *s, mm_role role);  /* new actor, same store */
bool mm_sim_is_down(const mm_sim *s, mm_role role);
void mm_sim_advance_clock(mm_sim *s, uint64_t ms);
uint64_t mm_sim_now(const mm_sim *s);

/* Accessors */
size_t mm_sim_record_count(const mm_sim *s);
const mm_sim_record *mm_sim_record_at(const mm_sim *s, size_t i);
const mm_source *mm_sim_source(const mm_sim *s);
const mm_target *mm_sim_target(const mm_sim *s);
const mm_client *mm_sim_client(const mm_sim *s, unsigned member);
const char *mm_sim_member_name(const mm_sim *s, unsigned member);
unsigned mm_sim_member_count(const mm_sim *s);
mm_view mm_sim_group_id(const mm_sim *s);
uint64_t mm_sim_initial_epoch(const mm_sim *s);
const mm_keydir *mm_sim_keys(const mm_sim *s);
const mm_key *mm_sim_private_key(const mm_sim *s, const char *who);
const mm_sim_config *mm_sim_get_config(const mm_sim *s);

#endif

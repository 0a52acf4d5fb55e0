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
/* Extra actors for races and adversaries (off by default). */
#define MM_SIM_TARGET2 "target2.example"        /* a second target DS */
#define MM_SIM_THIRD "third.example"            /* a DS that hosts nothing */
#define MM_SIM_OUTSIDER "mallory@third.example" /* a client that is no member */

/* For crashes, MM_ROLE_CLIENT is the initiator (member 0). The second
 * target runs as a MM_ROLE_TARGET actor, the outsider as a client. */
typedef enum mm_role { MM_ROLE_CLIENT, MM_ROLE_SOURCE, MM_ROLE_TARGET } mm_role;

/* INV-5's bound: with every fault over (the last one at time D), every
 * migration ends by D + this. A client gives up a phase after 120 s; a
 * phase starts at most one capped retransmission (16 s) after D, plus a
 * retransmission of the other side and the 10 s hold. */
#define MM_SIM_PROGRESS_BOUND_MS \
  ((uint64_t)MM_CLIENT_GIVE_UP_MS + 2u * MM_RETRANSMIT_MAX_MS + MM_HOLD_MS)

/* A network fault hook (the fault-injection layer plugs in here): called for
 * every envelope sent; it may drop it (return 0), deliver it (1) or deliver
 * copies, and may change the delay or the bytes. */
typedef struct mm_sim mm_sim;
typedef struct mm_sim_send {
  size_t seq; /* send order, from 0 */
  const char *from, *to;
  uint8_t msg_type;
  uint8_t **env; /* may be replaced (realloc'd/free'd by the hook) */
  size_t *len;
  uint64_t *delay_ms; /* may be changed */
} mm_sim_send;

typedef struct mm_sim_hooks {
  /* Returns how many copies to deliver (0 drops). */
  unsigned (*on_send)(void *ctx, mm_sim *sim, mm_sim_send *s);
  /* Called before each step with the simulated time; may crash/restart
   * actors or jump the clock (mm_sim_crash, mm_sim_restart, ...). */
  void (*before_step)(void *ctx, mm_sim *sim, uint64_t now);
  void *ctx;
} mm_sim_hooks;

/* ---- a DS outside the simulator (mlsmig sim --iut) ----
 * One of the two DSes may be played by something else than the reference
 * actor, e.g. an implementation under test behind the shim protocol: the
 * simulator then starts its actor through `start` (at the start and after
 * every crash, on the same durable state), installs the group through
 * `install` and judges its final state from `group`. Its observations
 * (mm_event) are its own to report through the observer it is given. */
typedef struct mm_sim_ds_start {
  mm_role role;
  const mm_ds_config *cfg; /* domain, signing keys per suite, policy */
  const mm_keydir *keys;   /* every DS's public keys */
  uint16_t suite;          /* the run's suite */
  const mm_observer *obs;  /* where its observations go */
  uint64_t now;            /* the simulated clock */
} mm_sim_ds_start;

typedef struct mm_sim_external {
  mm_role role; /* MM_ROLE_SOURCE or MM_ROLE_TARGET: the DS it plays */
  /* A fresh DS with empty durable state for one run (*run: its handle). */
  MM_MUST_USE mm_err (*open)(void *ctx, void **run);
  /* Ends the run's DS and frees its durable state. */
  void (*close)(void *run);
  /* Starts (or, after a crash, restarts) its actor on the run's state. */
  MM_MUST_USE mm_err (*start)(void *run, const mm_sim_ds_start *st, mm_actor *out);
  /* Hosts group g with its n members (at the source: the group to migrate). */
  MM_MUST_USE mm_err (*install)(void *run, const mm_group_state *g, const mm_member *members,
                                size_t n);
  /* What it holds of group_id, as mm_source_group / mm_target_group say. */
  bool (*group)(void *run, mm_view group_id, mm_group_info *out);
  void *ctx;
} mm_sim_external;

typedef struct mm_sim_config {
  uint16_t suite;
  uint64_t seed;
  uint64_t state_bytes; /* size of the source's ds_payload */
  unsigned members;     /* group size, 1..MM_SIM_MAX_MEMBERS (default 3) */
  mm_mutants mutants;   /* applied to both DSes */
  uint64_t latency_ms;  /* one-way delay of every envelope (default 5) */
  uint64_t max_time_ms; /* stop after this much simulated time (default 1 h) */
  mm_policy source_policy;
  mm_policy target_policy;
  uint16_t commit_wire_format;
  /* The profile version: MM_PROFILE_V1 (also 0) or MM_PROFILE_V2 (the group on its genuine RFC
   * 9420 public state, CommitBundles; in progress: the happy path and faults without ordinary
   * Commits, issue 17). */
  uint8_t profile;
  bool keep_bodies; /* record envelope bytes (for transcripts) */
  const mm_sim_hooks *hooks;
  /* Races and adversaries. Each adds an actor at the end of the actor
   * table with its own seeded streams, so with all of them off a run is
   * byte-identical to one made before they existed. */
  bool second_target;      /* MM_SIM_TARGET2 runs a reference target DS */
  bool third_ds;           /* MM_SIM_THIRD has keys (it can push MigrationContent) */
  bool outsider;           /* MM_SIM_OUTSIDER: a client that is not a member */
  bool target_hosts_group; /* the target hosts the group ID from the start (GROUP-1) */
  /* The hook drops only finitely many envelopes (a fault schedule), so a
   * drop does not void INV-5: eventual delivery still holds. */
  bool finite_faults;
  /* Borrow the keys of this sim (made with the same seed, suite, member
   * count and extra actors) instead of generating them: key generation is
   * most of the cost of a short run. It must outlive this sim. */
  const mm_sim *key_donor;
  /* Stop once nothing can change INV-5's verdict any more: when the next
   * event is past the last disturbance + MM_SIM_PROGRESS_BOUND_MS + 32 s.
   * Saves simulating a stuck migration's retransmissions for an hour. */
  bool stop_after_bound;
  /* Profile features (MM_FEAT_*) both reference DSes implement and declare in the key directory
   * (AMD-1); default none. MM_FEAT_MIGRATION_REFUSAL: docs/amendment.md. */
  uint32_t features;
  /* NULL: both DSes are reference actors; else the DS of external->role is
   * played by it (the mutants then apply to the reference actors only). */
  const mm_sim_external *external;
} mm_sim_config;

/* mm_sim_config_default returns the happy-path configuration for suite and seed: 3 members, 1 KiB
 * of group state, 5 ms latency, default policies, at most an hour of simulated time. */
mm_sim_config mm_sim_config_default(uint16_t suite, uint64_t seed);

/* One delivered envelope. */
typedef struct mm_sim_record {
  size_t step;
  uint64_t at;
  char *from, *to;
  uint8_t msg_type;
  uint8_t *env; /* NULL unless keep_bodies */
  size_t len;
  mm_err verdict; /* what the receiver's handle() returned */
} mm_sim_record;

typedef enum mm_inv_result { MM_INV_PASS, MM_INV_FAIL, MM_INV_NOT_CHECKED } mm_inv_result;

typedef struct mm_sim_outcome {
  const char *result; /* "completed", "aborted", "stuck", "refused" */
  const char *home;   /* DS serving the group at the end, or NULL */
  uint64_t epoch;     /* epoch at home */
  uint64_t end_time_ms;
  mm_client_phase initiator_phase;
  mm_err initiator_error;
  mm_inv_result inv[6]; /* index 1..5 */
  char inv_detail[6][160];
  /* Rules the trace shows broken (LIFE-1, LIFE-2 ordering, signatures and
   * nonces of accepted messages), "" if none. */
  char rule_violation[160];
  /* A failure that is a known gap of the draft (profile section 10), e.g.
   * "GAP-1: ...": the INV-5 failure it explains is expected. "" if none. */
  char known_gap[160];
} mm_sim_outcome;

/* mm_sim_new makes in *out a simulator of cfg: keys, group, the two DSes and the members, all drawn
 * from cfg->seed; MM_E_USAGE for a bad configuration. */
MM_MUST_USE mm_err mm_sim_new(const mm_sim_config *cfg, mm_sim **out);
/* mm_sim_free frees s and every actor and record it holds; NULL is a no-op. */
void mm_sim_free(mm_sim *s);
/* mm_sim_start_migration has the initiator (member 0) ask to migrate to the target at time at. */
void mm_sim_start_migration(mm_sim *s, uint64_t at);
/* mm_sim_member_commit has member send an ordinary Commit at time at. */
void mm_sim_member_commit(mm_sim *s, unsigned member, uint64_t at);
/* mm_sim_member_message has member send an application message at time at (MLS-5). */
void mm_sim_member_message(mm_sim *s, unsigned member, uint64_t at);
/* mm_sim_check_continues judges INV-6 as far as the reference members can take it (profile v2):
 * after the migration completed, a member's CommitBundle and then its application message went
 * to the target, were accepted and fanned out to every member of their epoch. True when they
 * were, else false with the reason in why (n bytes). */
bool mm_sim_check_continues(const mm_sim *s, char *why, size_t n);
/* mm_sim_run runs until nothing is in flight and no timer is armed, or max_time: MM_OK, or the
 * simulator's own local failure (an injection or an adversary's message it could not make), after
 * which the run is no result; an actor's failure is part of the run. */
MM_MUST_USE mm_err mm_sim_run(mm_sim *s);
/* mm_sim_check fills *out with the outcome of the run: the result, the home, INV-1..INV-4 (and
 * INV-5 when every message got through), the rules the trace shows broken and a known gap. */
void mm_sim_check(mm_sim *s, mm_sim_outcome *out);

/* mm_sim_start_migration_to has member ask to migrate to target (a domain) at time at. */
void mm_sim_start_migration_to(mm_sim *s, unsigned member, const char *target, uint64_t at);
/* mm_sim_outsider_migrate has the outsider (config.outsider) ask to migrate the group to the target
 * at time at. */
void mm_sim_outsider_migrate(mm_sim *s, uint64_t at);
/* mm_sim_deny makes the DS domain refuse identity (a static string) by policy from time at on
 * (AUTHZ-4: the policy changes while a migration runs). */
void mm_sim_deny(mm_sim *s, const char *domain, const char *identity, uint64_t at);
/* mm_sim_target_create_group has the target create a group with the migrating group's ID at time at
 * (GROUP-1). */
void mm_sim_target_create_group(mm_sim *s, uint64_t at);
/* mm_sim_third_ds_push has MM_SIM_THIRD (config.third_ds) push to the target, at time at, a
 * MigrationContent that embeds the last MigrationResponse seen on the wire, signed with its own key
 * (DOM-3). */
void mm_sim_third_ds_push(mm_sim *s, uint64_t at);
/* mm_sim_replay_all sends every envelope delivered so far again at time at (needs keep_bodies). */
void mm_sim_replay_all(mm_sim *s, uint64_t at);
/* mm_sim_member_rogue_init has member send the source, at time at, its own MigrationInit (signed
 * with its leaf key) around the last MigrationResponse seen on the wire: as is (reuse: another
 * member's nonce, NONCE-3) or, with forge, with that response's nonce changed (a response the
 * target never signed, SIG-1). */
void mm_sim_member_rogue_init(mm_sim *s, unsigned member, bool forge, uint64_t at);
/* mm_sim_target_wrong_ack has the target acknowledge, at time at, content the source never sent: a
 * TargetMigrationComplete over a wrong hash, validly signed (HASH-2). */
void mm_sim_target_wrong_ack(mm_sim *s, uint64_t at);

/* ---- fault helpers, for hooks ---- */

/* mm_sim_crash crashes the actor of role: its volatile state is lost, its durable store kept. */
void mm_sim_crash(mm_sim *s, mm_role role);
/* mm_sim_restart starts a crashed actor of role again, a new actor on the same store (no-op if it
 * is up). */
MM_MUST_USE mm_err mm_sim_restart(mm_sim *s, mm_role role);
/* mm_sim_crash_until crashes the actor of role now and restarts it at restart_at (MM_NO_TIMER:
 * never); the loop wakes up for the restart even when nothing else is pending. */
void mm_sim_crash_until(mm_sim *s, mm_role role, uint64_t restart_at);
/* mm_sim_is_down says whether the actor of role is crashed. */
bool mm_sim_is_down(const mm_sim *s, mm_role role);
/* mm_sim_advance_clock moves the simulated clock ms forward (a clock jump, which counts as a
 * disturbance for INV-5). */
void mm_sim_advance_clock(mm_sim *s, uint64_t ms);
/* mm_sim_now returns the simulated time, in ms. */
uint64_t mm_sim_now(const mm_sim *s);
/* mm_sim_step returns the number of envelopes delivered so far (the step column of the trace). */
size_t mm_sim_step(const mm_sim *s);
/* mm_sim_inject puts a copy of env on the wire from from to to, delivered at at and bypassing the
 * hook; a failure is also kept as the run's error (mm_sim_run returns it). */
MM_MUST_USE mm_err mm_sim_inject(mm_sim *s, const char *from, const char *to, const uint8_t *env,
                                 size_t len, uint64_t at);
/* mm_sim_note_disturbance records that a fault took effect until at: INV-5's bound counts from the
 * last one. */
void mm_sim_note_disturbance(mm_sim *s, uint64_t at);

/* ---- accessors ---- */

/* mm_sim_record_count returns the number of envelopes delivered so far. */
size_t mm_sim_record_count(const mm_sim *s);
/* mm_sim_record_at returns the i-th delivered envelope, NULL past the last. */
const mm_sim_record *mm_sim_record_at(const mm_sim *s, size_t i);
/* mm_sim_source returns the source DS (NULL while it is down). */
const mm_source *mm_sim_source(const mm_sim *s);
/* mm_sim_target returns the target DS (NULL while it is down). */
const mm_target *mm_sim_target(const mm_sim *s);
/* mm_sim_client returns member's client, NULL for no such member (or while it is down). */
const mm_client *mm_sim_client(const mm_sim *s, unsigned member);
/* mm_sim_member_name returns member's identity ("alice@source.example"), NULL for no such member. */
const char *mm_sim_member_name(const mm_sim *s, unsigned member);
/* mm_sim_member_count returns the number of members of the group. */
unsigned mm_sim_member_count(const mm_sim *s);
/* mm_sim_group_id returns the group's ID. */
mm_view mm_sim_group_id(const mm_sim *s);
/* mm_sim_initial_epoch returns the group's epoch when the run began. */
uint64_t mm_sim_initial_epoch(const mm_sim *s);
/* mm_sim_keys returns the key directory every actor of the run uses. */
const mm_keydir *mm_sim_keys(const mm_sim *s);
/* mm_sim_private_key returns the signature key pair of who (a DS domain, a member or the outsider)
 * in the run's suite, NULL if there is none. */
const mm_key *mm_sim_private_key(const mm_sim *s, const char *who);
/* mm_sim_get_config returns the configuration s was made with. */
const mm_sim_config *mm_sim_get_config(const mm_sim *s);

/* ---- driving one actor directly, outside the loop (vector replay) ---- */

/* mm_sim_actor returns the actor named name (a member or a DS) behind the
 * actor interface, with its role and, for a client, its member index; an
 * actor with NULL ops when there is none. */
mm_actor mm_sim_actor(mm_sim *s, const char *name, mm_role *role, unsigned *member);
/* mm_sim_client_start has member start a migration to target at now, its
 * envelopes queued on out instead of the simulator's network. */
MM_MUST_USE mm_err mm_sim_client_start(mm_sim *s, unsigned member, const char *target, uint64_t now,
                                       mm_outbox *out);
/* mm_sim_change_policy restarts the DS of role on its durable store under
 * policy p, as an operator changing the policy would. */
MM_MUST_USE mm_err mm_sim_change_policy(mm_sim *s, mm_role role, const mm_policy *p);

#endif

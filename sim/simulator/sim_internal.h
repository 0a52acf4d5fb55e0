/* Internal state of the simulator, shared by its files (sim.c: setup;
 * sim_loop.c: the event loop; sim_actions.c: scheduled actions;
 * sim_wire.c: what the wire shows and the adversaries' actions;
 * sim_check.c: invariants; sim_oracle.c: rules judged from the trace). */
#ifndef MLSMIG_SIM_INTERNAL_H
#define MLSMIG_SIM_INTERNAL_H

#include "mlsmig/sim.h"

typedef struct sim_node {
  char name[MM_SENDER_MAX + 1];
  mm_role role;
  unsigned member; /* clients: index in the group */
  mm_store *store; /* DSes: survives crashes */
  mm_rng rng;
  mm_env env;
  mm_ds_config ds_cfg;
  mm_client_config cl_cfg;
  union {
    mm_source *src;
    mm_target *tgt;
    mm_client *cli;
  } a;
  mm_actor actor; /* the same actor behind the actor interface */
  bool down;
  bool external;        /* played by cfg.external (mm_sim_external) */
  bool restart_pending; /* mm_sim_crash_until: restart at restart_at */
  uint64_t restart_at;
  /* mm_sim_deny: identities refused on top of the configured policy */
  mm_policy base_policy;
  const char *denied[4];
  size_t n_denied;
} sim_node;

typedef struct sim_flight {
  uint64_t at;
  size_t seq;
  char *from, *to;
  uint8_t msg_type;
  uint8_t *env;
  size_t len;
} sim_flight;

typedef enum {
  ACT_MIGRATE,
  ACT_COMMIT,
  ACT_MESSAGE, /* node: the member: an application message (MLS-5) */
  ACT_DENY,
  ACT_CREATE_GROUP,
  ACT_THIRD_PUSH,
  ACT_REPLAY_ALL,
  ACT_ROGUE_INIT, /* node: the member; arg: "forge" or "reuse" */
  ACT_WRONG_ACK,
} sim_action_kind;
typedef struct sim_action {
  uint64_t at;
  sim_action_kind kind;
  size_t node;     /* the acting node (MIGRATE, COMMIT, DENY) */
  const char *arg; /* MIGRATE: target domain; DENY: identity (static) */
  bool done;
} sim_action;

/* An observed event with owned copies (large details as a hash). */
typedef struct sim_event {
  mm_event_kind kind;
  char actor[MM_SENDER_MAX + 1];
  uint8_t group[MM_GROUP_ID_MAX];
  size_t group_len;
  uint64_t epoch;
  uint8_t detail_hash[MM_MAX_HASH_LEN];
  char peer[MM_SENDER_MAX + 1];
  uint64_t at;
} sim_event;

/* A migration Commit seen on its way to the source, by the target its
 * MigrationCommitAAD names (INV-1: what an import at that target implies). */
typedef struct sim_mig_commit {
  char target[MM_DOMAIN_MAX + 1];
  uint8_t hash[MM_MAX_HASH_LEN];
} sim_mig_commit;

/* A nonce as the wire showed it: when its MigrationResponse left the target. */
typedef struct sim_nonce_seen {
  uint8_t nonce[MM_NONCE_LEN];
  uint64_t issued_at;
} sim_nonce_seen;

#define SIM_MAX_WATCH 32
#define SIM_N_DS_KEYS 4 /* source, target, target2, third */

/* What the source exported, seen on the wire (for INV-2). */
typedef struct sim_export {
  uint8_t state_hash[MM_MAX_HASH_LEN];
  uint8_t commit_hash[MM_MAX_HASH_LEN]; /* the migration Commit for that epoch */
  bool have_commit;
} sim_export;

struct mm_sim {
  mm_sim_config cfg;
  uint64_t now;
  size_t step;
  size_t send_seq;
  mm_keydir *keys;
  /* [0] source, [1] target, [2] target2, [3] third (when configured) */
  mm_key *ds_keys[SIM_N_DS_KEYS][MM_SUITE_COUNT + 1];
  mm_key *leaf_keys[MM_SIM_MAX_MEMBERS];
  mm_key *outsider_key;
  bool borrowed_keys; /* keys and keydir belong to cfg.key_donor */
  /* 0 source, 1 target, 2.. members, then target2 and the outsider */
  sim_node nodes[2 + MM_SIM_MAX_MEMBERS + 2];
  size_t n_nodes;
  size_t target2_node, outsider_node; /* SIZE_MAX when absent */
  uint8_t group_id[16];
  uint64_t epoch0;
  uint8_t *payload;
  uint8_t *mls_pgs, *mls_mgs; /* profile v2: the group's PublicGroupState, MigrationGroupState */
  size_t mls_pgs_len, mls_mgs_len;
  mm_observer obs;
  sim_flight *flight;
  size_t n_flight, cap_flight;
  mm_sim_record *rec;
  size_t n_rec, cap_rec;
  sim_action actions[64];
  size_t n_actions;
  sim_event *events;
  size_t n_events, cap_events;
  uint8_t migration_commit_hash[MM_MAX_HASH_LEN];
  bool have_migration_commit;
  uint8_t exported_state_hash[MM_MAX_HASH_LEN];
  bool have_export;
  bool export_mismatch;
  bool lost_messages; /* a fault hook dropped something: INV-5 not claimed */
  size_t hash_len;
  size_t inject_seq;
  /* INV-5: time of the last fault, action or restart; of the last change
   * of a migration's state */
  uint64_t last_disturbance;
  uint64_t last_change;
  /* what the wire showed (sim_wire.c) */
  sim_mig_commit mig_commits[SIM_MAX_WATCH];
  size_t n_mig_commits;
  sim_nonce_seen nonces[SIM_MAX_WATCH];
  size_t n_nonces;
  uint8_t content_hashes[SIM_MAX_WATCH][MM_MAX_HASH_LEN]; /* RefHash of the source's contents */
  size_t n_content_hashes;
  bool content_hash_lost; /* one could not be taken: HASH-2 is not judged */
  uint8_t *last_response; /* body of the last MigrationResponse (third-DS push) */
  size_t last_response_len;
  bool target_created_group; /* the target hosts the group ID itself */
  char inv3[160];            /* INV-3 broken at an import, "" if not */
  /* The first rule an actor was seen breaking while the run went on */
  char oracle[160];
  /* MigrationInits (at sources) and MigrationContents (at targets) that a
   * DS accepted, by nonce (NONCE-2, NONCE-3) */
  struct {
    uint8_t msg_type;
    uint8_t nonce[MM_NONCE_LEN];
    uint8_t body_hash[MM_MAX_HASH_LEN];
  } accepted[SIM_MAX_WATCH];
  size_t n_accepted;
  /* The feature migration_refusal (docs/amendment.md): nonces a target refused (AMD-3), and
   * whether the source accepted a refusal (AMD-8) */
  uint8_t refused[SIM_MAX_WATCH][MM_NONCE_LEN];
  size_t n_refused;
  bool refusal_accepted;
  /* The first local failure of the simulator's own doing (an injection or
   * an adversary's message it could not make): the run is not the one asked
   * for, so mm_sim_run stops and returns it. An actor's failure is not one:
   * it is part of the simulated run. */
  mm_err error;
  void *ext_run; /* cfg.external's handle for this run */
};

/* mm_sim_node returns the node called name (a DS domain or a member's identity), NULL if none. */
sim_node *mm_sim_node(mm_sim *s, const char *name);

/* sim.c */
/* sim_node_group fills *out with what the DS node n (up, reference or external) holds of gid and
 * says whether it holds it. */
bool sim_node_group(const mm_sim *s, const sim_node *n, mm_view gid, mm_group_info *out);
/* The group as installed at the source; to_target: created at the target. */
MM_MUST_USE mm_err sim_install_group(mm_sim *s, bool to_target);

/* sim_loop.c */
/* sim_start_node makes n's actor (source, target or client) on n's store, as at the start or after
 * a crash. */
MM_MUST_USE mm_err sim_start_node(mm_sim *s, sim_node *n);
/* sim_stop_node frees n's actor and keeps its store: a crash. */
void sim_stop_node(sim_node *n);
/* Puts what an actor sent on the wire (through the fault hook). */
void sim_drain(mm_sim *s, const char *from, mm_outbox *out);

/* sim_fail keeps e (if a failure) as the run's error unless one is kept. */
void sim_fail(mm_sim *s, mm_err e);

/* sim_actions.c */
/* sim_earliest_action returns when the first scheduled action not yet done is due, with its index
 * in *which, MM_NO_TIMER if none is left. */
uint64_t sim_earliest_action(const mm_sim *s, size_t *which);
/* sim_run_action runs action a now (a migration, a Commit, a policy change, an adversary), its
 * envelopes put on the wire through out. */
void sim_run_action(mm_sim *s, sim_action *a, mm_outbox *out);
/* mm_sim_role_node returns the node of role: the source, the target, or the initiator (member 0)
 * for MM_ROLE_CLIENT. */
sim_node *mm_sim_role_node(mm_sim *s, mm_role role);
/* mm_sim_is_ds_name says whether name is the domain of one of the run's DSes. */
bool mm_sim_is_ds_name(const mm_sim *s, const char *name);
/* Adds an envelope to the queue (no hook). */
MM_MUST_USE mm_err mm_sim_enqueue_raw(mm_sim *s, const char *from, const char *to, uint8_t *env,
                                      size_t len, uint64_t at);
/* mm_sim_oracle_fail records the first rule the trace oracle saw an actor break; later ones are
 * dropped. */
void mm_sim_oracle_fail(mm_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_wire.c */
/* mm_sim_watch_wire notes what the oracle needs from an envelope as it is sent (migration Commits,
 * nonces, content hashes, the last MigrationResponse). */
void mm_sim_watch_wire(mm_sim *s, const char *from, const uint8_t *env, size_t len);
/* mm_sim_do_third_push sends the third DS's MigrationContent of mm_sim_third_ds_push; MM_E_USAGE
 * when no response was seen yet. */
MM_MUST_USE mm_err mm_sim_do_third_push(mm_sim *s);
/* mm_sim_do_replay_all puts every envelope delivered so far on the wire again, one latency from
 * now. */
MM_MUST_USE mm_err mm_sim_do_replay_all(mm_sim *s);
/* mm_sim_do_rogue_init sends member's own MigrationInit of mm_sim_member_rogue_init; MM_E_USAGE
 * when no response was seen yet. */
MM_MUST_USE mm_err mm_sim_do_rogue_init(mm_sim *s, const sim_node *member, bool forge);
/* mm_sim_do_wrong_ack sends the target's TargetMigrationComplete over a wrong hash of
 * mm_sim_target_wrong_ack. */
MM_MUST_USE mm_err mm_sim_do_wrong_ack(mm_sim *s);
/* An import was reported: judge it while the importer's policy is the one
 * it applied (INV-3, GROUP-1). */
void mm_sim_judge_import(mm_sim *s, const mm_event *ev);

/* sim_oracle.c: rules judged from what DSes accepted (SIG-1..3, DOM-1..3,
 * NONCE-2, NONCE-3, HASH-2, AUTHZ-1, AUTHZ-3) as it happens, and from the
 * delivered trace (LIFE-1, LIFE-2) at the end. */
/* The feature migration_refusal: notes the refusals n sent on out (AMD-3) and a refusal n, the
 * source, accepted (AMD-8); says whether n answered with a refusal. */
bool mm_sim_note_refusals(mm_sim *s, const sim_node *n, const uint8_t *env, size_t len,
                          const mm_outbox *out);
void mm_sim_judge_delivery(mm_sim *s, const sim_node *n, const uint8_t *env, size_t len);
/* mm_sim_check_trace writes into o->rule_violation the rule the run broke: LIFE-1 or LIFE-2 from
 * the delivered trace, else the first rule the oracle saw an actor break during the run. */
void mm_sim_check_trace(const mm_sim *s, mm_sim_outcome *o);

#endif

/* Internal state of the simulator, shared by its files (sim.c: setup and
 * event loop; sim_check.c: invariants). */
#ifndef MLSMIG_SIM_INTERNAL_H
#define MLSMIG_SIM_INTERNAL_H

#include "mlsmig/sim.h"

typedef struct sim_node {
  char name[MM_SENDER_MAX + 1];
  mm_role role;
  unsigned member;       /* clients: index in the group */
  mm_store *store;       /* DSes: survives crashes */
  mm_rng rng;
  mm_env env;
  mm_ds_config ds_cfg;
  mm_client_config cl_cfg;
  union {
    mm_source *src;
    mm_target *tgt;
    mm_client *cli;
  } a;
  bool down;
} sim_node;

typedef struct sim_flight {
  uint64_t at;
  size_t seq;
  char *from, *to;
  uint8_t msg_type;
  uint8_t *env;
  size_t len;
} sim_flight;

typedef enum { ACT_MIGRATE, ACT_COMMIT } sim_action_kind;
typedef struct sim_action {
  uint64_t at;
  sim_action_kind kind;
  unsigned member;
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
} sim_event;

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
  mm_key *ds_keys[2][MM_SUITE_COUNT + 1]; /* [0] source, [1] target */
  mm_key *leaf_keys[MM_SIM_MAX_MEMBERS];
  sim_node nodes[2 + MM_SIM_MAX_MEMBERS]; /* 0 source, 1 target, 2.. members */
  size_t n_nodes;
  uint8_t group_id[16];
  uint64_t epoch0;
  uint8_t *payload;
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
};

sim_node *mm_sim_node(mm_sim *s, const char *name);

#endif

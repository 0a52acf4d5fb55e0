/* What every reference actor (client, source DS, target DS) is handed, and
 * what it hands back. Actors are sans-I/O state machines:
 *
 *   handle(actor, envelope bytes, now) -> envelopes out (in an mm_outbox)
 *   tick(actor, now)                   -> envelopes out (timers fired)
 *   next_timer(actor)                  -> when tick wants to run next
 *
 * Clock (the `now` argument, ms of simulated or real time), randomness
 * (mm_rng), keys (mm_keydir), policy (mm_policy) and the durable store
 * (mm_store) are passed in. No I/O, no globals: the simulator, the vector
 * generator and the conformance runner all drive the same code.
 *
 * Envelope.sender is taken as authenticated: the transport (simulator,
 * runner) vouches for it, as profile section 8 says. */
#ifndef MLSMIG_ACTOR_H
#define MLSMIG_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "mlsmig/bytes.h"
#include "mlsmig/crypto.h"
#include "mlsmig/messages.h"
#include "mlsmig/rng.h"

/* Timer values (profile LIFE-3..LIFE-5, NONCE-2), in ms. Documented in the
 * README; the simulator's liveness bound (INV-5) is derived from them. */
#define MM_NONCE_LIFETIME_MS 300000u /* NONCE-2: 300 s */
#define MM_HOLD_MS 10000u            /* LIFE-4: hold Init or Commit waiting for the other */
#define MM_RETRANSMIT_MS 1000u       /* first retransmission */
#define MM_RETRANSMIT_MAX_MS 16000u  /* backoff cap (doubling) */
#define MM_CLIENT_GIVE_UP_MS 120000u /* client stops retrying a request */
#define MM_NO_TIMER UINT64_MAX

/* ---- outgoing envelopes ---- */

typedef struct mm_out_msg {
  char *to;     /* identity or domain of the receiver (malloc'd) */
  uint8_t *env; /* serialized Envelope (malloc'd) */
  size_t len;
} mm_out_msg;

typedef struct mm_outbox {
  mm_out_msg *v;
  size_t n, cap;
} mm_outbox;

/* mm_outbox_init makes o an empty outbox. */
void mm_outbox_init(mm_outbox *o);
/* mm_outbox_clear frees every message of o and keeps its capacity for the next step. */
void mm_outbox_clear(mm_outbox *o);
/* mm_outbox_free frees every message of o and o's array. */
void mm_outbox_free(mm_outbox *o);
/* mm_outbox_truncate frees the messages of o from index n on, so that a step that fails after
 * queueing some withdraws them and sends all or nothing. */
void mm_outbox_truncate(mm_outbox *o, size_t n);
/* mm_outbox_push queues the serialized envelope env for the receiver to, taking ownership of env
 * (freed on failure too). */
MM_MUST_USE mm_err mm_outbox_push(mm_outbox *o, const char *to, uint8_t *env, size_t len);
/* mm_send wraps body in an Envelope of msg_type, suite and sender and queues it for to. */
MM_MUST_USE mm_err mm_send(mm_outbox *o, const char *to, uint8_t msg_type, uint16_t suite,
                           const char *sender, const uint8_t *body, size_t body_len);
/* mm_send_profile is mm_send for an Envelope of profile (mm_envelope_encode_profile: in v2 the
 * bodies of migration_commit(8) and 10..13 go as they are, built by the MLS layer). */
MM_MUST_USE mm_err mm_send_profile(mm_outbox *o, int profile, const char *to, uint8_t msg_type,
                                   uint16_t suite, const char *sender, const uint8_t *body,
                                   size_t body_len);
/* mm_send_msg encodes msg (a struct of codec type t) as the body of an Envelope and queues it as
 * mm_send does. */
MM_MUST_USE mm_err mm_send_msg(mm_outbox *o, const char *to, uint8_t msg_type, uint16_t suite,
                               const char *sender, mm_type t, const void *msg);

/* ---- the actor interface ---- */

/* What every reference actor offers its driver, whatever its role: the
 * simulator, the vector replay, the reference DS shim and the benchmark
 * drive actors only through this, as TigerBeetle's replica is generic over
 * its environment. Made by mm_source_actor, mm_target_actor and
 * mm_client_actor. */
typedef struct mm_actor_ops {
  MM_MUST_USE mm_err (*handle)(void *self, const uint8_t *env, size_t len, uint64_t now,
                               mm_outbox *out);
  /* May take *env over (then sets it NULL); NULL: the actor never keeps input. */
  MM_MUST_USE mm_err (*handle_owned)(void *self, uint8_t **env, size_t len, uint64_t now,
                                     mm_outbox *out);
  MM_MUST_USE mm_err (*tick)(void *self, uint64_t now, mm_outbox *out);
  uint64_t (*next_timer)(const void *self);
  void (*free)(void *self);
} mm_actor_ops;

typedef struct mm_actor {
  const mm_actor_ops *ops; /* NULL: no actor (stopped) */
  void *self;
} mm_actor;

/* mm_actor_handle delivers one serialized Envelope to a at time now. */
MM_MUST_USE mm_err mm_actor_handle(mm_actor a, const uint8_t *env, size_t len, uint64_t now,
                                   mm_outbox *out);
/* mm_actor_handle_owned is mm_actor_handle for a malloc'd envelope the actor
 * may keep (it then sets *env to NULL; the caller frees what is left). */
MM_MUST_USE mm_err mm_actor_handle_owned(mm_actor a, uint8_t **env, size_t len, uint64_t now,
                                         mm_outbox *out);
/* mm_actor_tick runs the timers of a that are due at now. */
MM_MUST_USE mm_err mm_actor_tick(mm_actor a, uint64_t now, mm_outbox *out);
/* mm_actor_next_timer returns when a next wants a tick, MM_NO_TIMER if never
 * (also for no actor). */
uint64_t mm_actor_next_timer(mm_actor a);
/* mm_actor_free frees a's actor (volatile state only: its store survives). */
void mm_actor_free(mm_actor a);

/* mm_send_error queues a MigrationError {code, detail} from sender to to; code must be a wire code
 * (1..18) and detail may be NULL. */
MM_MUST_USE mm_err mm_send_error(mm_outbox *o, const char *to, uint16_t suite, const char *sender,
                                 mm_err code, const char *detail);

/* ---- key directory (KEY-1): public keys of every DS, per suite ---- */

typedef struct mm_keydir mm_keydir;
/* mm_keydir_new returns an empty key directory, or NULL when out of memory. */
mm_keydir *mm_keydir_new(void);
/* mm_keydir_free frees kd and the keys it holds; NULL is a no-op. */
void mm_keydir_free(mm_keydir *kd);
/* mm_keydir_add publishes key as domain's key for the key's suite, taking ownership of key (freed
 * on failure too); only its public part is used. */
MM_MUST_USE mm_err mm_keydir_add(mm_keydir *kd, const char *domain, mm_key *key);
/* mm_keydir_get returns domain's key for suite, or NULL when the directory has none (or kd is
 * NULL). */
const mm_key *mm_keydir_get(const mm_keydir *kd, mm_view domain, uint16_t suite);

/* ---- authorization policy (AUTHZ-1..AUTHZ-5) ---- */

typedef enum mm_policy_kind {
  MM_POLICY_DEFAULT, /* source: any member (AUTHZ-2); target: clients that may
                        create groups, i.e. not on the deny list (AUTHZ-5) */
  MM_POLICY_STRICT,  /* target: only clients homed at the target's domain */
  MM_POLICY_CUSTOM,  /* the callback decides */
} mm_policy_kind;

typedef struct mm_policy {
  mm_policy_kind kind;
  /* identities refused by the default policies ("name@domain"), NULL-ended */
  const char *const *deny;
  /* MM_POLICY_CUSTOM: true to allow */
  bool (*allow)(void *ctx, mm_view client, mm_view group_id, mm_view peer_domain);
  void *ctx;
} mm_policy;

/* mm_policy_allows says whether policy p of the DS own_domain lets client migrate group_id with
 * peer_domain, the target (asked at the source) or the source (asked at the target). */
bool mm_policy_allows(const mm_policy *p, const char *own_domain, mm_view client, mm_view group_id,
                      mm_view peer_domain);

/* mm_identity_home returns the home domain of "name@home": a view of the part after the last '@',
 * empty if there is none. */
mm_view mm_identity_home(mm_view identity);

/* ---- durable store (DUR-1) ----
 * A key-value store in namespaces. The in-memory implementation keeps its
 * contents across a simulated crash: the actor is freed (volatile state
 * lost) and a new one is restored from the same store. Values returned by
 * get are views valid until the next put or del of that key. */

typedef struct mm_store mm_store;
/* mm_store_new returns an empty store, or NULL when out of memory. */
mm_store *mm_store_new(void);
/* mm_store_free frees s and everything it holds; NULL is a no-op. */
void mm_store_free(mm_store *s);
/* mm_store_put stores a copy of val under key in namespace ns, replacing what was there. */
MM_MUST_USE mm_err mm_store_put(mm_store *s, const char *ns, mm_view key, mm_view val);
/* mm_store_put_owned stores the malloc'd val of len bytes under key in ns without copying it,
 * taking ownership (freed on failure too): for large records. */
MM_MUST_USE mm_err mm_store_put_owned(mm_store *s, const char *ns, mm_view key, uint8_t *val,
                                      size_t len);
/* mm_store_put_owned_view stores val, which lies within the malloc'd block (a part of a received
 * message, kept where it arrived), taking ownership of block, freed with the entry and on failure
 * too. */
MM_MUST_USE mm_err mm_store_put_owned_view(mm_store *s, const char *ns, mm_view key, uint8_t *block,
                                           mm_view val);
/* mm_store_get sets *val (if val is not NULL) to the value under key in ns, a view valid until the
 * next put or del of that key, and says whether there is one. */
bool mm_store_get(const mm_store *s, const char *ns, mm_view key, mm_view *val);
/* mm_store_del removes the value under key in ns, if any. */
void mm_store_del(mm_store *s, const char *ns, mm_view key);
/* mm_store_each calls fn for each key of ns in key order, and stops early when fn returns false. */
void mm_store_each(const mm_store *s, const char *ns,
                   bool (*fn)(void *ctx, mm_view key, mm_view val), void *ctx);
/* mm_store_count returns how many keys ns holds. */
size_t mm_store_count(const mm_store *s, const char *ns);
/* mm_store_bytes returns the bytes s holds in all, for memory accounting. */
size_t mm_store_bytes(const mm_store *s);

/* ---- observations, for the simulator's invariants (INV-1..INV-4) ----
 * An actor reports what it did; the simulator checks properties across
 * actors. Optional: NULL means nobody listens. */

typedef enum mm_event_kind {
  MM_EV_COMMIT_ACCEPTED,   /* a DS accepted a Commit for (group, epoch) */
  MM_EV_GROUP_IMPORTED,    /* target imported a group (epoch = new epoch) */
  MM_EV_GROUP_RELEASED,    /* source stopped serving the group */
  MM_EV_MIGRATION_ABORTED, /* source aborted before MigrationContent */
  MM_EV_CLIENT_MOVED,      /* a client now points to `peer` for the group */
  MM_EV_CLIENT_FAILED,     /* a client gave up its migration (code in epoch) */
} mm_event_kind;

typedef struct mm_event {
  mm_event_kind kind;
  const char *actor; /* identity or domain of the reporting actor */
  mm_view group_id;
  uint64_t epoch;
  mm_view detail; /* COMMIT_ACCEPTED: the Commit's MLSMessage bytes;
                          GROUP_IMPORTED: the imported group_state */
  mm_view peer;   /* client identity, source domain or target domain */
} mm_event;

typedef struct mm_observer {
  void (*on_event)(void *ctx, const mm_event *ev);
  void *ctx;
} mm_observer;

/* mm_observe passes ev to obs's callback; a NULL obs (nobody listens) is a no-op. */
void mm_observe(const mm_observer *obs, const mm_event *ev);

/* ---- what every actor gets ---- */

typedef struct mm_env {
  mm_rng *rng;
  const mm_keydir *keys;    /* public keys of every DS */
  mm_store *store;          /* this actor's durable store */
  const mm_observer *obs;   /* may be NULL */
  uint64_t max_group_state; /* ENC-4 bound, 0 for the default */
} mm_env;

#endif

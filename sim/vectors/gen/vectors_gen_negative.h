/* The negative-vector generator's shared pieces (internal to
 * vectors_gen_negative*.c): the state of one suite's generation, one case,
 * helpers that rebuild and re-sign messages of the recorded run, and the
 * case lists by receiver. */
#ifndef MLSMIG_VECTORS_GEN_NEGATIVE_H
#define MLSMIG_VECTORS_GEN_NEGATIVE_H

#include "codec/json_codec.h"
#include "vectors/gen/vectors_gen.h"

#define ALICE "alice@source.example"
#define BOB "bob@source.example"
#define OTHER "other.example"

typedef struct neg {
  mm_sim *s; /* the recorded happy run */
  mm_sim_config cfg;
  uint16_t suite;
  const json_t *messages;
  json_t *tests;
  int *tc_id;
  mm_arena a;
  bool validate; /* replay each case before publishing it */
  bool ok;
} neg;

/* What one case sends, and what it expects. */
typedef struct ncase {
  const char *rule, *comment, *flag;
  const char *receiver;
  uint8_t before; /* replay the transcript up to the first message of this type */
  bool after_it;  /* ... and that message too */
  uint64_t at;    /* 0: the time of that message */
  mm_view env;
  mm_err want; /* MM_OK: accept */
  const mm_policy *source_policy, *target_policy, *policy_after;
} ncase;

/* Helpers over the recorded run. A failure clears n->ok. */
size_t vgn_index_of(const neg *n, uint8_t msg_type);
/* Decodes the body of the first message of msg_type into msg. */
bool vgn_body(neg *n, uint8_t msg_type, mm_type t, void *msg);
/* The recorded MigrationResponse. */
bool vgn_response(neg *n, mm_migration_response *r);
/* A copy in n's arena. */
mm_view vgn_keep(neg *n, const uint8_t *p, size_t len);
mm_view vgn_encode(neg *n, mm_type t, const void *msg);
/* Signs msg (type t) with who's key under label, into *sig. */
void vgn_sign(neg *n, mm_type t, const void *msg, mm_view *sig, const char *who, const char *label);
mm_view vgn_envelope(neg *n, uint8_t msg_type, uint16_t suite, const char *sender, mm_view b);
/* The recorded envelope of the first message of msg_type, as is. */
mm_view vgn_recorded(neg *n, uint8_t msg_type);
/* A copy with the last bit flipped. */
mm_view vgn_flip_last(neg *n, mm_view v);
/* Replays the case (when n->validate) and publishes it. */
void vgn_add(neg *n, const ncase *k);

extern const mm_policy vgn_policy_deny_alice, vgn_policy_strict;

/* The cases, by receiver. */
void vgn_request_cases(neg *n);  /* target: MigrationRequest */
void vgn_content_cases(neg *n);  /* target: MigrationContent */
void vgn_init_cases(neg *n);     /* source: MigrationInit */
void vgn_commit_cases(neg *n);   /* source: the migration Commit */
void vgn_complete_cases(neg *n); /* source: TargetMigrationComplete */
void vgn_client_cases(neg *n);   /* client: MigrationResponse, MigrationConfirmation */

#endif

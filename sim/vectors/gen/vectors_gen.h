/* Generation of mlsmig's own vector files (internal): vectors/crypto.json,
 * codec.json, migration.json and negative.json. Each generator returns the
 * file's JSON array for one seed; the same seed gives the same array on any
 * machine, which is also how `mlsmig vectors verify` checks that nothing in a
 * file was changed (it regenerates from the recorded seed and compares). */
#ifndef MLSMIG_VECTORS_GEN_H
#define MLSMIG_VECTORS_GEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/json_io.h"
#include "codec/tbs.h"
#include "mlsmig/error.h"
#include "mlsmig/sim.h"

#define MM_VG_DEFAULT_SEED 1
/* Small group states keep codec, crypto and negative vectors readable. */
#define MM_VG_SMALL_STATE 64
/* The large-group case of migration.json (ENC-4 allows far more; this keeps
 * the repository small while exceeding every single-buffer shortcut). */
#define MM_VG_LARGE_STATE 300000
/* What a vector file may ask the verifier to replay: a file anyone can edit
 * must not make `vectors verify` simulate a 256 MiB state or thousands of
 * runs (found by the vectors_json fuzzer). Generous next to what the
 * generator writes. */
#define MM_VG_MAX_REPLAY_STATE (4u * 1024u * 1024u)
#define MM_VG_MAX_REPLAY_ENTRIES 256
#define MM_VG_LARGE_MEMBERS 64

json_t *mm_vg_crypto(uint64_t seed);
json_t *mm_vg_codec(uint64_t seed);
json_t *mm_vg_migration(uint64_t seed);
json_t *mm_vg_negative(uint64_t seed);
/* The same bytes without replaying each case first: for the verifier, which
 * replays every case itself. */
json_t *mm_vg_negative_unchecked(uint64_t seed);

/* One migration.json entry: the run of cfg (happy path) as a transcript
 * plus config, private keys and every actor's final state. The verifier
 * calls it with the config it reads from an entry, to replay it. */
json_t *mm_vg_migration_entry(const mm_sim_config *cfg, const char *comment);
/* The config an entry records (false if a value is missing or unusable). */
bool mm_vg_config_from_json(const json_t *entry, mm_sim_config *cfg);
json_t *mm_vg_config_json(const mm_sim_config *cfg);

/* One negative case, as the verifier replays it: a fresh reference actor
 * `receiver` of the simulator built from cfg gets, in order, the first
 * `prefix` messages of the transcript addressed to it (each at its at_ms,
 * with the actor's timers run in between; the initiating client first
 * starts its migration at t=0), optionally restarts with another policy,
 * then gets `env` at time `at`. */
typedef struct mm_vg_case {
  const mm_sim_config *cfg;
  const json_t *messages; /* the transcript's "messages" array */
  size_t prefix;
  const char *receiver;
  const mm_policy *policy_after; /* NULL: no restart */
  uint64_t at;
  mm_view env;
} mm_vg_case;
/* verdict: what the receiver's handle() returned; error_sent: it answered
 * with a MigrationError carrying that code. */
MM_MUST_USE mm_err mm_vg_replay(const mm_vg_case *k, mm_err *verdict, bool *error_sent);
/* "source", "target" or "client": the role of a receiver in the simulator. */
const char *mm_vg_role_name(const char *receiver);
/* Policies as JSON: {"kind": "strict"} or {"kind": "default", "deny": [...]};
 * deny points into the JSON (keep it alive), at most 7 names. */
json_t *mm_vg_policy_json(const mm_policy *p);
bool mm_vg_policy_from_json(const json_t *j, mm_policy *p, const char *deny[8]);

/* Writes the four files into dir (which must exist). */
MM_MUST_USE mm_err mm_vectors_generate(const char *dir, uint64_t seed, char *why, size_t why_len);

/* ---- shared helpers ---- */

/* Runs the happy path (member 0 migrates at t=0) with keep_bodies. */
MM_MUST_USE mm_err mm_vg_run(const mm_sim_config *cfg, mm_sim **out, mm_sim_outcome *o);
mm_sim_config mm_vg_config(uint16_t suite, uint64_t seed, uint64_t state_bytes);
/* The body of the first recorded envelope of msg_type (sent by `from` when
 * not NULL): a view into the record. */
bool mm_vg_first_body(const mm_sim *s, uint8_t msg_type, const char *from, mm_view *body,
                      const mm_sim_record **rec);
/* "priv"/"pub" object of a key. */
json_t *mm_vg_key_json(const mm_key *k);
/* Dumps with JSON_INDENT(2) and a trailing newline. */
MM_MUST_USE mm_err mm_vg_write(const json_t *root, const char *path);

/* The seed recorded in element 0 of a generated array (verifiers). */
bool mm_vg_seed_of(const json_t *root, uint64_t *seed);

#endif

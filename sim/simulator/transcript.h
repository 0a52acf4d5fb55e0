/* The transcript of a simulated run as JSON (the `mlsmig sim --json` format
 * and the basis of the published migration vectors):
 *
 *   {"cipher_suite": N, "seed": S,
 *    "keys": {"<identity or domain>": "<public key hex>", ...},
 *    "group_id": "<hex>", "epoch": E,
 *    "messages": [{"step": i, "at_ms": T, "from": "...", "to": "...",
 *                  "type": "<msg type name>", "envelope": "<hex>",
 *                  "verdict": "accepted" | "<error name>"}],
 *    "outcome": {"result": "...", "home": "...", "epoch": E,
 *                "invariants": {"INV-1": "pass", ...}}}
 */
#ifndef MLSMIG_TRANSCRIPT_H
#define MLSMIG_TRANSCRIPT_H

#include <jansson.h>

#include "mlsmig/sim.h"

/* mm_sim_transcript returns a new reference to the JSON transcript of the run (suite, seed, public
 * keys, group, every envelope in hex, the outcome o); the run must have been made with keep_bodies. */
json_t *mm_sim_transcript(const mm_sim *s, const mm_sim_outcome *o);
/* mm_inv_result_name returns "pass", "fail" or "not_checked". */
const char *mm_inv_result_name(mm_inv_result r);

#endif

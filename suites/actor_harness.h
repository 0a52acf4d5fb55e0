/* Helpers shared by the actor suites (test_source.c, test_target.c,
 * test_client.c): the parts of their harnesses that were the same in all of
 * them. Each suite keeps its own harness struct; these take only what they
 * use. Every helper asserts (ck_assert) instead of returning an error. */
#ifndef MLSMIG_ACTOR_HARNESS_H
#define MLSMIG_ACTOR_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "mlsmig/actor.h"
#include "mlsmig/bytes.h"
#include "mlsmig/crypto.h"
#include "mlsmig/messages.h"

/* A fresh key pair of this suite, drawn from rng. */
mm_key *ah_gen_key(mm_rng *rng, uint16_t suite);

/* Publishes k's public half in kd as a key of domain. */
void ah_publish(mm_keydir *kd, const char *domain, const mm_key *k);

/* A message's TBS signed by hand (not with the code under test), under the
 * limits of k's suite; sig is initialised here and owns the result. */
mm_view ah_sign(const mm_key *k, const char *label, mm_type t, const void *msg, mm_writer *sig);

/* The Envelope's fields written by hand, unchecked: for bodies the codec
 * would refuse to encode. malloc'd; *len set. */
uint8_t *ah_raw_envelope(uint8_t type, uint16_t suite, const char *sender, mm_view body,
                         size_t *len);

/* A malloc'd Envelope {type, suite, sender, body}, through the codec. */
uint8_t *ah_wrap(uint8_t type, uint16_t suite, const char *sender, mm_view body, size_t *len);

/* A malloc'd Envelope {type, suite, sender, encoding of msg}. */
uint8_t *ah_envelope(uint8_t type, uint16_t suite, const char *sender, mm_type t, const void *msg,
                     size_t *len);

/* The i-th envelope in out, decoded under default limits (views into out). */
mm_envelope ah_out_env(const mm_outbox *out, size_t i);

#endif

/* actor_harness.h: hand-made keys, signatures and Envelopes for the actor
 * suites, built with the codec and crypto directly. */
#include "actor_harness.h"

#include <check.h>
#include <string.h>

mm_key *ah_gen_key(mm_rng *rng, uint16_t suite) {
  mm_key *k = NULL;
  ck_assert_int_eq(mm_key_generate(suite, rng, &k), MM_OK);
  return k;
}

void ah_publish(mm_keydir *kd, const char *domain, const mm_key *k) {
  mm_key *pub = NULL;
  ck_assert_int_eq(mm_key_public_copy(k, &pub), MM_OK);
  ck_assert_int_eq(mm_keydir_add(kd, domain, pub), MM_OK);
}

mm_view ah_sign(const mm_key *k, const char *label, mm_type t, const void *msg, mm_writer *sig) {
  mm_limits lim = mm_limits_default(mm_key_suite(k));
  mm_writer tbs;
  mm_writer_init(&tbs);
  mm_writer_init(sig);
  ck_assert_int_eq(mm_encode_tbs(t, msg, &lim, &tbs), MM_OK);
  ck_assert_int_eq(mm_sign_with_label(k, label, tbs.buf, tbs.len, sig), MM_OK);
  mm_writer_free(&tbs);
  return mm_writer_view(sig);
}

uint8_t *ah_raw_envelope(uint8_t type, uint16_t suite, const char *sender, mm_view body,
                         size_t *len) {
  mm_writer w;
  mm_writer_init(&w);
  mm_put_u8(&w, type);
  mm_put_u16(&w, suite);
  mm_put_vec(&w, (const uint8_t *)sender, strlen(sender));
  mm_put_vec(&w, body.data, body.len);
  uint8_t *out;
  ck_assert_int_eq(mm_writer_finish(&w, &out, len), MM_OK);
  return out;
}

uint8_t *ah_wrap(uint8_t type, uint16_t suite, const char *sender, mm_view body, size_t *len) {
  mm_limits lim = mm_limits_default(suite);
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* the harness sends 14 and 15 too (AMD-1) */
  mm_writer env;
  mm_writer_init(&env);
  mm_envelope e = {type, suite, mm_view_str(sender), body};
  ck_assert_int_eq(mm_encode(MM_T_ENVELOPE, &e, &lim, &env, NULL), MM_OK);
  uint8_t *out;
  ck_assert_int_eq(mm_writer_finish(&env, &out, len), MM_OK);
  return out;
}

uint8_t *ah_envelope(uint8_t type, uint16_t suite, const char *sender, mm_type t, const void *msg,
                     size_t *len) {
  mm_limits lim = mm_limits_default(suite);
  lim.features = MM_FEAT_MIGRATION_REFUSAL; /* code 19 too */
  mm_writer body;
  mm_writer_init(&body);
  ck_assert_int_eq(mm_encode(t, msg, &lim, &body, NULL), MM_OK);
  uint8_t *out = ah_wrap(type, suite, sender, mm_writer_view(&body), len);
  mm_writer_free(&body);
  return out;
}

mm_envelope ah_out_env(const mm_outbox *out, size_t i) {
  ck_assert_uint_lt(i, out->n);
  mm_envelope e;
  ck_assert_int_eq(mm_decode(MM_T_ENVELOPE, out->v[i].env, out->v[i].len, NULL, &e, NULL), MM_OK);
  return e;
}

/* A CommitBundle (MLS-4's DS-side checks) against a held state. Input: a
 * byte (bits 0-2: the suite, 1..7; bits 3-7: which of three members is
 * the envelope's sender),
 * the bundle. The state: a group of three built once per suite (seed 1),
 * as fuzz/corpus/mls_bundle's seeds were. Oracles: the verdict is one of
 * the codes mm_mls_state_apply_bundle documents, with a reason; on
 * acceptance the next state is at epoch + 1, its GroupInfo signer carries
 * the sender's identity, and the commit and welcome views lie inside the
 * input. */
#include "fuzz_common.h"
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"

int mm_fuzz_mls_bundle(const uint8_t *data, size_t len);

static const char *const names[3] = {"alice@example.com", "bob@example.com", "carol@example.com"};

/* The state of suite s, made on first use (and kept: it is read only). */
static mm_mls_state *state_of(uint16_t suite) {
  static mm_mls_state *cache[8];
  if (cache[suite]) return cache[suite];
  mm_rng rng;
  mm_rng_init_seeded(&rng, 1, "fuzz mls_bundle");
  mm_key *keys[3] = {0};
  mm_view ids[3];
  for (int i = 0; i < 3; i++) {
    MM_FUZZ_CHECK(mm_key_generate(suite, &rng, &keys[i]) == MM_OK, "key");
    ids[i] = mm_view_str(names[i]);
  }
  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_mls_build_group(suite, mm_view_str("fuzz group"), 5, ids, keys, 3, &rng, &w,
                                   NULL) == MM_OK,
                "group");
  mm_mls_expect exp = {suite, mm_view_str("fuzz group"), true, 5};
  mm_mls_why why;
  MM_FUZZ_CHECK(mm_mls_state_from_public(w.buf, w.len, &exp, &cache[suite], &why) == MM_OK,
                "the fuzz group's state is valid");
  mm_writer_free(&w);
  for (int i = 0; i < 3; i++) mm_key_free(keys[i]);
  return cache[suite];
}

static bool inside(mm_view v, const uint8_t *b, size_t n) {
  return v.len == 0 || (v.data >= b && v.len <= n && v.data + v.len <= b + n);
}

int mm_fuzz_mls_bundle(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  uint16_t suite = (uint16_t)((data[0] & 7) % 7 + 1);
  mm_view sender = mm_view_str(names[(data[0] >> 3) % 3]);
  const mm_mls_state *cur = state_of(suite);
  mm_mls_state *next = NULL;
  mm_mls_commit_info info;
  mm_mls_why why;
  mm_err e = mm_mls_state_apply_bundle(cur, data + 1, len - 1, sender, &next, &info, &why);
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_MALFORMED || e == MM_E_BAD_GROUP_STATE || e == MM_E_BAD_COMMIT ||
                      e == MM_E_STALE_EPOCH || e == MM_E_NOT_MEMBER || e == MM_E_BAD_SIGNATURE ||
                      e == MM_E_NOMEM,
                  "a documented verdict");
    MM_FUZZ_CHECK(next == NULL, "no next state on refusal");
    if (e != MM_E_NOMEM) MM_FUZZ_CHECK(why.text[0], "a refusal says why");
    return 0;
  }
  MM_FUZZ_CHECK(mm_mls_state_epoch(next) == mm_mls_state_epoch(cur) + 1, "epoch + 1");
  mm_mls_leaf_node signer;
  MM_FUZZ_CHECK(
      mm_mls_tree_leaf(mm_mls_state_tree(next), mm_mls_state_group_info(next)->signer, &signer) &&
          mm_view_eq(signer.credential.identity, sender),
      "the signer is the sender");
  MM_FUZZ_CHECK(inside(info.commit, data + 1, len - 1) && inside(info.welcome, data + 1, len - 1),
                "views inside the bundle");
  mm_mls_state_free(next);
  return 0;
}

MM_FUZZ_MAIN(mls_bundle)

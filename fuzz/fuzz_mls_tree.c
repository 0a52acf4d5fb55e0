/* A ratchet tree (optional<Node> ratchet_tree<V>) as a DS takes it in. Input:
 * a suite byte (1..7), the tree. Oracles: a tree the codec and
 * mm_mls_tree_from_list accept re-encodes to the input; every node's
 * resolution fits the width; the hashes and checks (unmerged leaves,
 * parent hashes) answer MM_OK or a reason with bad_group_state, and the
 * tree edits of a member (add, remove, update of the first leaf) leave a
 * tree that loads again. Leaf signatures are left to mls_state. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "mlsmig/mls_build.h"
#include "mlsmig/mls_state.h"

int mm_fuzz_mls_tree(const uint8_t *data, size_t len);

/* A verdict of a check: pass, or refused with a reason. */
static void verdict(mm_err e, const mm_mls_why *why) {
  MM_FUZZ_CHECK(e == MM_OK || e == MM_E_BAD_GROUP_STATE, "a check answers pass or bad_group_state");
  if (e != MM_OK) MM_FUZZ_CHECK(why->check != MM_MLS_C_NONE && why->text[0], "a refusal says why");
}

/* t, encoded, loads again as the same tree. */
static void reloads(const mm_mls_tree *t) {
  mm_writer w;
  mm_writer_init(&w);
  uint32_t count;
  MM_FUZZ_CHECK(mm_mls_tree_encode_list(t, &w, &count) == MM_OK, "tree encodes");
  mm_mls_tree *u = NULL;
  mm_mls_why why;
  mm_err e = mm_mls_tree_from_list(mm_mls_tree_suite(t), mm_mls_list_view(&w, count), &u, &why);
  MM_FUZZ_CHECK(e == MM_OK || e == MM_E_NOMEM, "an edited tree loads again");
  mm_mls_tree_free(u);
  mm_writer_free(&w);
}

int mm_fuzz_mls_tree(const uint8_t *data, size_t len) {
  if (len < 1) return 0;
  uint16_t suite = (uint16_t)(data[0] % 7 + 1);
  mm_limits lim = mm_limits_default(suite);
  mm_mls_ratchet_tree rt;
  mm_derr err;
  if (mm_mls_decode(MM_MLS_T_RATCHET_TREE, data + 1, len - 1, &lim, &rt, &err) != MM_OK) return 0;
  mm_mls_tree *t = NULL;
  mm_mls_why why;
  mm_err e = mm_mls_tree_from_list(suite, rt.nodes, &t, &why);
  if (e != MM_OK) {
    MM_FUZZ_CHECK(e == MM_E_BAD_GROUP_STATE || e == MM_E_MALFORMED,
                  "shape: bad state or malformed");
    return 0;
  }
  mm_writer w;
  mm_writer_init(&w);
  MM_FUZZ_CHECK(mm_mls_tree_encode(t, &w) == MM_OK, "tree encodes");
  MM_FUZZ_CHECK(w.len == len - 1 && memcmp(w.buf, data + 1, len - 1) == 0, "tree re-encodes");
  mm_writer_free(&w);
  uint32_t nodes = mm_mls_tree_node_count(t), leaves = mm_mls_tree_leaf_count(t);
  uint32_t *res = malloc(leaves * sizeof *res);
  MM_FUZZ_CHECK(res != NULL, "allocation");
  for (uint32_t x = 0; x < nodes && x < 256; x++) {
    size_t n;
    MM_FUZZ_CHECK(mm_mls_tree_resolution(t, x, res, leaves, &n) == MM_OK, "resolution fits");
    uint8_t h[MM_MAX_HASH_LEN];
    size_t hl;
    MM_FUZZ_CHECK(mm_mls_tree_hash(t, x, h, &hl) == MM_OK, "tree hash");
  }
  free(res);
  verdict(mm_mls_tree_check_unmerged(t, &why), &why);
  verdict(mm_mls_tree_check_parent_hashes(t, &why), &why);
  /* a member's edits on it */
  mm_view first = mm_view_of(NULL, 0);
  for (uint32_t i = 0; i < leaves && !first.len; i++) first = mm_mls_tree_leaf_bytes(t, i);
  if (first.len) {
    uint32_t at;
    MM_FUZZ_CHECK(mm_mls_tree_add(t, first, &at) == MM_OK || leaves >= MM_MLS_MAX_LEAVES, "add");
    reloads(t);
    MM_FUZZ_CHECK(mm_mls_tree_update(t, 0, first) == MM_OK || !mm_mls_tree_leaf_bytes(t, 0).len,
                  "update");
    if (mm_mls_member_count(t) > 1 && mm_mls_tree_leaf_bytes(t, 0).len) {
      MM_FUZZ_CHECK(mm_mls_tree_remove(t, 0) == MM_OK, "remove");
      reloads(t);
    }
  }
  mm_mls_tree_free(t);
  return 0;
}

MM_FUZZ_MAIN(mls_tree)

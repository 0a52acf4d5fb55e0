"""Builders of genuine profile v2 public state for the independent verifiers' own
tests (self-tests, v1 transcripts lifted to v2): leaf signatures, parent hashes,
tree hashes, GroupInfo and PublicMessage signatures, all from private keys.

Written from RFC 9420 only (7.2, 7.8, 7.9, 6.1, 12.4.3); no mlsmig C source was
read. Only what a DS can check is genuine: HPKE keys, ciphertexts, transcript
hashes and MACs are deterministic filler of the right sizes.
"""
import hashlib

import mls_public as M
from indep_lib import SUITES, public_from_private, sign_with_label


def filler(tag, n):
    """n deterministic bytes named by tag (unique keys without a KEM)."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha512(b"%s/%d" % (tag, i)).digest()
        i += 1
    return out[:n]


def _sign(suite, priv, label, tbs):
    return sign_with_label(suite, priv, label, tbs)[0]


def _direct_path(x, root):
    out = []
    while x != root:
        k = M.level(x)
        x = (x | (1 << k)) ^ (((x >> (k + 1)) & 1) << (k + 1))
        out.append(x)
    return out


def _leaf(suite, identity, priv, tag, source=1):
    return {"encryption_key": filler(b"enc/" + tag, M.KEM_KEY_SIZE[suite]),
            "signature_key": public_from_private(suite, priv),
            "credential": {"credential_type": 1, "identity": identity},
            "capabilities": {"versions": [1], "cipher_suites": [suite], "extensions": [],
                             "proposals": [], "credentials": [1]},
            "leaf_node_source": source, "lifetime": {"not_before": 0, "not_after": 2 ** 64 - 1},
            "extensions": [], "signature": b""}


def build_tree(suite, group_id, members, committer=0, tag=b""):
    """A ratchet tree of members [(identity, private key)] at leaves 0..n-1, where the
    committer's leaf has source commit and its filtered direct path is non-blank with
    valid parent hashes (as after the committer's Commit with a path)."""
    n = len(members)
    width = 1
    while width < 2 * n - 1:
        width = 2 * width + 1
    nodes = [None] * width
    for i, (ident, priv) in enumerate(members):
        nodes[2 * i] = {"node_type": 1, "leaf_node": _leaf(suite, ident, priv, tag + b"/%d" % i)}
    shape = M.Tree(suite, _trim(nodes))
    root = shape.root
    path = [p for p in _direct_path(2 * committer, root)
            if shape.resolution(M.right(p) if 2 * committer < p else M.left(p))]
    for p in path:
        nodes[p] = {"node_type": 2, "parent_node": {
            "encryption_key": filler(b"penc/%s/%d" % (tag, p), M.KEM_KEY_SIZE[suite]),
            "parent_hash": b"", "unmerged_leaves": []}}
    tree = M.Tree(suite, _trim(nodes))
    # the other leaves first: their signatures are in the sibling tree hashes
    for i, (ident, priv) in enumerate(members):
        if i != committer:
            leaf = tree.nodes[2 * i]["leaf_node"]
            leaf["signature"] = _sign(suite, priv, b"LeafNodeTBS", M.leaf_tbs(leaf, group_id, i))
    # parent hashes top down: each node's parent_hash is the parent hash of the next
    # node up the filtered path, with the copath child on the other side
    chain = [2 * committer] + path
    for lower, upper in reversed(list(zip(chain, chain[1:]))):
        sib = M.right(upper) if lower < upper else M.left(upper)
        ph = tree.parent_hash_of(upper, sib)
        target = tree.nodes[lower]
        if lower % 2:
            target["parent_node"]["parent_hash"] = ph
        else:
            target["leaf_node"]["leaf_node_source"] = 3
            target["leaf_node"].pop("lifetime", None)
            target["leaf_node"]["parent_hash"] = ph
        tree._th.clear()
    if not path:                                          # a lone member: a commit leaf, no parents
        leaf = tree.nodes[2 * committer]["leaf_node"]
        leaf["leaf_node_source"], leaf["parent_hash"] = 3, b""
        leaf.pop("lifetime", None)
    leaf = tree.nodes[2 * committer]["leaf_node"]
    leaf["signature"] = _sign(suite, members[committer][1], b"LeafNodeTBS",
                              M.leaf_tbs(leaf, group_id, committer))
    tree._th.clear()
    return tree


def _trim(nodes):
    nodes = list(nodes)
    while nodes and nodes[-1] is None:
        nodes.pop()
    return nodes


def tree_nodes(tree):
    """The ratchet_tree form of a Tree: its nodes without trailing blanks."""
    return _trim(tree.nodes)


def group_info(suite, group_id, epoch, tree, signer, signer_priv, tree_extension=False, tag=b""):
    """A GroupInfo of the tree at epoch, signed by leaf signer."""
    hlen = SUITES[suite][2]
    gc = {"version": 1, "cipher_suite": suite, "group_id": group_id, "epoch": epoch,
          "tree_hash": tree.tree_hash(tree.root),
          "confirmed_transcript_hash": filler(b"cth/%s/%d" % (tag, epoch), hlen), "extensions": []}
    exts = []
    if tree_extension:
        exts.append({"extension_type": M.EXT_RATCHET_TREE,
                     "extension_data": M.RATCHET_TREE.enc(tree_nodes(tree))})
    gi = {"group_context": gc, "extensions": exts,
          "confirmation_tag": filler(b"tag/%s/%d" % (tag, epoch), hlen), "signer": signer,
          "signature": b""}
    gi["signature"] = _sign(suite, signer_priv, b"GroupInfoTBS", M.group_info_tbs(gi))
    return gi


def migration_group_state(suite, group_id, epoch, members, committer, ds_payload=b"", tag=b""):
    """MigrationGroupState bytes (MLS-1) of members at epoch, last committed by committer."""
    tree = build_tree(suite, group_id, members, committer, tag)
    gi = group_info(suite, group_id, epoch, tree, committer, members[committer][1], tag=tag)
    return M.encode(M.MIGRATION_GROUP_STATE, {"version": 2, "group_info": gi,
                                              "ratchet_tree": tree_nodes(tree), "ds_payload": ds_payload})


def public_commit(suite, group_id, epoch, sender, sender_priv, aad, old_gc_bytes, tag=b""):
    """An MLSMessage PublicMessage Commit (no proposals, no path) from leaf sender at
    epoch, signed over FramedContentTBS with the old GroupContext."""
    hlen = SUITES[suite][2]
    content = {"group_id": group_id, "epoch": epoch,
               "sender": {"sender_type": 1, "leaf_index": sender}, "authenticated_data": aad,
               "content_type": 3, "commit": {"proposals": [], "path": None}}
    sig = _sign(suite, sender_priv, b"FramedContentTBS", M.framed_content_tbs(1, content, old_gc_bytes))
    return {"version": 1, "wire_format": 1, "public_message": {
        "content": content, "signature": sig, "confirmation_tag": filler(b"ct/" + tag, hlen),
        "membership_tag": filler(b"mt/" + tag, hlen)}}


def commit_bundle(suite, group_id, epoch, members, committer, aad, old_members=None, tag=b"",
                  old=None):
    """CommitBundle bytes (MLS-4): a PublicMessage Commit at epoch by committer and the
    state of epoch + 1 (members, committer's path). old_members: the members at
    epoch (default: the same); old: the MigrationGroupState of epoch (default: one is
    built); returns (bundle bytes, old MigrationGroupState bytes)."""
    if old is None:
        old = migration_group_state(suite, group_id, epoch, old_members or members, committer,
                                    tag=tag + b"/old")
    old_gc = M.GROUP_CONTEXT.enc(M.decode_state(old)["group_info"]["group_context"])
    msg = public_commit(suite, group_id, epoch, committer, (old_members or members)[committer][1],
                        aad, old_gc, tag)
    new = M.decode_state(migration_group_state(suite, group_id, epoch + 1, members, committer,
                                               tag=tag + b"/new"))
    cb = {"commit": msg, "welcome": None, "group_info": new["group_info"],
          "ratchet_tree": new["ratchet_tree"]}
    return M.encode(M.COMMIT_BUNDLE, cb), old


# ---------------------------------------------------------------- v1 transcripts lifted to v2
M_TYPE = {9: "mls_message", 10: "commit_bundle"}
def lift_to_v2(entry, prior_commit=False):
    """A v1 transcript with private keys (a vectors/migration.json entry) as profile v2
    would have it: the migration Commit a CommitBundle (PublicMessage, signed under the
    state of the request epoch, given as initial_state), the fan-out mls_message(9)
    envelopes of its MLSMessage, MigrationContent.group_state the MigrationGroupState
    the bundle creates; MigrationContent and TargetMigrationComplete re-signed.
    prior_commit: an ordinary commit_bundle(10) by another member first, at the epoch
    before (initial_state is then of that epoch), with its fan-out."""
    import copy
    from indep_lib import (CONTENT, ENVELOPE, GROUP_STATE, REFHASH_LABEL, TMC, decode_all,
                           decode_mls, encode, ref_hash, tbs)
    t = copy.deepcopy(entry)
    suite, gid, epoch = t["cipher_suite"], bytes.fromhex(t["group_id"]), t["epoch"]
    priv = {k: bytes.fromhex(v) for k, v in t["private_keys"].items()}
    envs = [decode_all(ENVELOPE, bytes.fromhex(m["envelope"]), 1) for m in t["messages"]]
    req = next(e for e in envs if e["msg_type"] == 1)
    from indep_lib import REQUEST
    r = decode_all(REQUEST, req["body"], suite)
    source, target = r["source_domain_name"].decode(), r["target_domain_name"].decode()
    content = decode_all(CONTENT, next(e for e in envs if e["msg_type"] == 4)["body"], suite)
    gs = decode_all(GROUP_STATE, content["group_state"], suite)
    mem = [(mb["identity"], priv[mb["identity"].decode()])
           for mb in sorted(gs["members"], key=lambda mb: mb["leaf_index"])]
    client = req["sender"]
    committer = [i for i, (ident, _) in enumerate(mem) if ident == client][0]
    commit = next(e for m, e in zip(t["messages"], envs) if e["msg_type"] == 8 and e["sender"] == client)
    aad = decode_mls(commit["body"])["authenticated_data"]
    prior = []
    if prior_commit:
        pc = (committer + 1) % len(mem)
        b1, old = commit_bundle(suite, gid, epoch - 1, mem, pc, b"", tag=b"prior")
        cb1 = M.decode(M.COMMIT_BUNDLE, b1)
        state_e = M.encode(M.MIGRATION_GROUP_STATE, {"version": 2, "group_info": cb1["group_info"],
                                                     "ratchet_tree": cb1["ratchet_tree"], "ds_payload": b""})
        bundle, _ = commit_bundle(suite, gid, epoch, mem, committer, aad, tag=b"lift", old=state_e)
        c1 = M.MLS_MESSAGE.enc(cb1["commit"])
        prior.append((mem[pc][0].decode(), source, 10, b1))
        prior += [(source, ident.decode(), 9, c1) for ident, _ in mem]
    else:
        bundle, old = commit_bundle(suite, gid, epoch, mem, committer, aad, tag=b"lift")
    cb = M.decode(M.COMMIT_BUNDLE, bundle)
    commit_bytes = M.MLS_MESSAGE.enc(cb["commit"])
    state = M.encode(M.MIGRATION_GROUP_STATE, {"version": 2, "group_info": cb["group_info"],
                                               "ratchet_tree": cb["ratchet_tree"],
                                               "ds_payload": gs["ds_payload"]})
    content["group_state"] = state
    content["signature"] = _sign(suite, priv[source], b"MigrationContentTBS", tbs(CONTENT, content))
    content_body = encode(CONTENT, content)
    tmc = {"migration_content_hash": ref_hash(suite, REFHASH_LABEL, content_body)}
    tmc["signature"] = _sign(suite, priv[target], b"TargetMigrationCompleteTBS", tbs(TMC, tmc))
    for m, e in zip(t["messages"], envs):
        if e["msg_type"] == 8:
            if e["sender"] == client:
                e["body"] = bundle
            else:
                e["msg_type"], e["body"], m["type"] = 9, commit_bytes, "mls_message"
        elif e["msg_type"] == 4:
            e["body"] = content_body
        elif e["msg_type"] == 5:
            e["body"] = encode(TMC, tmc)
        m["envelope"] = encode(ENVELOPE, e).hex()
    t["initial_state"] = old.hex()
    if prior:
        added = [{"step": i + 1, "at_ms": 0, "type": M_TYPE[mt], "from": frm, "to": to, "verdict": "accepted",
                  "envelope": encode(ENVELOPE, {"msg_type": mt, "cipher_suite": suite, "sender": frm.encode(),
                                                "body": body}).hex()}
                 for i, (frm, to, mt, body) in enumerate(prior)]
        for m in t["messages"]:
            m["step"] += len(added)
        t["messages"] = added + t["messages"]
    if "commit_wire_format" in t.get("config", {}):
        t["config"]["commit_wire_format"] = 1            # the lifted Commit is a PublicMessage
    for fs in t.get("final_state", {}).values():          # the target holds the new state
        if "group_state_hash" in fs:
            fs["group_state_len"] = len(state)
            fs["group_state_hash"] = hashlib.new(SUITES[suite][1], state).hexdigest()
    t["comment"] = t.get("comment", "") + " (lifted to profile v2 by mls_build.py)"
    return t


# ---------------------------------------------------------------- self-test of MLS-2
def member_keys(suite, n, tag=b""):
    """n deterministic (identity, private key) members of the suite."""
    size = {"ed25519": 32, "ed448": 57, "p256": 32, "p384": 48, "p521": 66}[SUITES[suite][0]]
    out = []
    for i in range(n):
        k = filler(b"priv/%s/%d/%d" % (tag, suite, i), size)
        if size == 66:
            k = bytes([k[0] & 1]) + k[1:]
        out.append((b"m%d@source.example" % i, k))
    return out


def _state(suite, n=5, committer=1):
    mem = member_keys(suite, n)
    gs = M.decode_state(migration_group_state(suite, b"group-1", 7, mem, committer))
    return gs, mem


def _refresh(gs, mem, suite, resign_leaf=None):
    """After a tamper: re-sign leaf resign_leaf, recompute the tree hash and re-sign the
    GroupInfo, so that only the tampered check can fail."""
    gi = gs["group_info"]
    tree = M.Tree(suite, gs["ratchet_tree"])
    if resign_leaf is not None:
        leaf = tree.leaf(resign_leaf)
        leaf["signature"] = _sign(suite, mem[resign_leaf][1], b"LeafNodeTBS",
                                  M.leaf_tbs(leaf, gi["group_context"]["group_id"], resign_leaf))
        tree._th.clear()
    gi["group_context"]["tree_hash"] = tree.tree_hash(tree.root)
    gi["signature"] = _sign(suite, mem[gi["signer"]][1], b"GroupInfoTBS", M.group_info_tbs(gi))
    return gs


def _t_leaf(field, value, leaf=2):
    def op(gs, mem, suite):
        gs["ratchet_tree"][2 * leaf]["leaf_node"][field] = value(gs["ratchet_tree"][2 * leaf]["leaf_node"][field])
        return _refresh(gs, mem, suite, resign_leaf=leaf)
    return op


def _t_leaf_sig(gs, mem, suite):
    leaf = gs["ratchet_tree"][4]["leaf_node"]
    leaf["signature"] = leaf["signature"][:-1] + bytes([leaf["signature"][-1] ^ 1])
    return _refresh(gs, mem, suite)


def _t_gc(field, value):
    def op(gs, mem, suite):
        gc = gs["group_info"]["group_context"]
        gc[field] = value(gc[field])
        gi = gs["group_info"]
        gi["signature"] = _sign(suite, mem[gi["signer"]][1], b"GroupInfoTBS", M.group_info_tbs(gi))
        return gs
    return op


def _t_parent_hash(gs, mem, suite):
    x = next(x for x in range(1, len(gs["ratchet_tree"]), 2) if gs["ratchet_tree"][x])
    pn = gs["ratchet_tree"][x]["parent_node"]
    pn["parent_hash"] = bytes(SUITES[suite][2]) if not pn["parent_hash"] else bytes(len(pn["parent_hash"]))
    return _refresh(gs, mem, suite)


def _t_sig_bit(gs, mem, suite):
    s = bytearray(gs["group_info"]["signature"])
    s[-1] ^= 1
    gs["group_info"]["signature"] = bytes(s)
    return gs


def _t_dup_key(gs, mem, suite):
    mem[3] = (mem[3][0], mem[2][1])
    gs["ratchet_tree"][6]["leaf_node"]["signature_key"] = public_from_private(suite, mem[2][1])
    return _refresh(gs, mem, suite, resign_leaf=3)


def _t_compressed(gs, mem, suite):
    leaf = gs["ratchet_tree"][4]["leaf_node"]
    k = leaf["signature_key"]
    if k[0] == 4:
        size = (len(k) - 1) // 2
        leaf["signature_key"] = bytes([2 + (k[-1] & 1)]) + k[1:1 + size]
    else:                                                  # EdDSA: one byte short
        leaf["signature_key"] = k[:-1]
    return _refresh(gs, mem, suite)


def _t_s_plus_n(gs, mem, suite):
    """The GroupInfo's ECDSA signature with s + n (a valid DER INTEGER outside 1..n-1);
    EdDSA: one byte appended."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
    from indep_lib import CURVE_ORDER
    gi = gs["group_info"]
    if SUITES[suite][0] in CURVE_ORDER:
        r, s = decode_dss_signature(gi["signature"])
        gi["signature"] = encode_dss_signature(r, s + CURVE_ORDER[SUITES[suite][0]])
    else:
        gi["signature"] += b"\x00"
    return gs


def _t_ext_tree(gs, mem, suite):
    other = build_tree(suite, b"group-1", member_keys(suite, 5, b"other"), 1)
    gs["group_info"]["extensions"] = [{"extension_type": M.EXT_RATCHET_TREE,
                                       "extension_data": M.RATCHET_TREE.enc(tree_nodes(other))}]
    gi = gs["group_info"]
    gi["signature"] = _sign(suite, mem[gi["signer"]][1], b"GroupInfoTBS", M.group_info_tbs(gi))
    return gs


def _t_signer(gs, mem, suite):
    gs["group_info"]["signer"] = 2              # another leaf: its key does not verify
    return gs


def _t_unmerged(gs, mem, suite):
    x = next(x for x in range(1, len(gs["ratchet_tree"]), 2) if gs["ratchet_tree"][x])
    gs["ratchet_tree"][x]["parent_node"]["unmerged_leaves"] = [7]
    return _refresh(gs, mem, suite)


STATE_TAMPERS = [   # (name, op, expected check)
    ("flipped bit in the GroupInfo signature", _t_sig_bit, "group_info_signature"),
    ("GroupContext.tree_hash of another tree", _t_gc("tree_hash", lambda h: bytes(len(h))), "tree_hash"),
    ("flipped bit in a leaf signature", _t_leaf_sig, "leaf_signature"),
    ("a parent_hash altered (tree hash, GroupInfo re-signed)", _t_parent_hash, "parent_hash"),
    ("GroupContext names another suite", _t_gc("cipher_suite", lambda s: s % 7 + 1), "suite"),
    ("GroupContext version 2", _t_gc("version", lambda v: 2), "version"),
    ("GroupContext of another group", _t_gc("group_id", lambda g: g + b"x"), "group_id"),
    ("GroupContext of another epoch", _t_gc("epoch", lambda e: e + 1), "epoch"),
    ("an identity without @ (leaf re-signed)", _t_leaf("credential", lambda c: dict(c, identity=b"m2")),
     "identity"),
    ("an identity with an uppercase domain", _t_leaf("credential",
                                                    lambda c: dict(c, identity=b"m2@Source.example")),
     "identity"),
    ("an x509 credential", _t_leaf("credential", lambda c: {"credential_type": 2, "certificates": []}),
     "credential"),
    ("two leaves share a signature key", _t_dup_key, "duplicate_key"),
    ("a compressed ECDSA key (EdDSA: short key)", _t_compressed, "leaf_key"),
    ("GroupInfo signature with s + n (EdDSA: long)", _t_s_plus_n, "group_info_signature"),
    ("capabilities without the group's suite",
     _t_leaf("capabilities", lambda c: dict(c, cipher_suites=[])), "capabilities"),
    ("an HPKE key one byte short", _t_leaf("encryption_key", lambda k: k[:-1]), "field_size"),
    ("ratchet_tree extension of another tree", _t_ext_tree, "ext_tree"),
    ("GroupInfo signer another leaf", _t_signer, "group_info_signature"),
    ("an unmerged leaf outside its node", _t_unmerged, "unmerged"),
]


def _bundle_case(suite):
    mem = member_keys(suite, 4, b"bundle")
    raw, old = commit_bundle(suite, b"group-1", 7, mem, 1, b"\x0ctarget.example", tag=b"st")
    o = M.decode_state(old)
    _, prev = M.state_of(o["group_info"], o["ratchet_tree"], suite)
    return raw, prev


def _flip_pm_sig(cb):
    pm = cb["commit"]["public_message"]
    pm["signature"] = pm["signature"][:-1] + bytes([pm["signature"][-1] ^ 1])


BUNDLE_TAMPERS = [   # (name, tamper of the decoded bundle, (epoch, sender) checked, expected check)
    ("sent by a member who is not the GroupInfo signer", None, (7, b"m2@source.example"), "signer"),
    ("sent by a non-member", None, (7, b"x@other.example"), "not_member"),
    ("checked at the next epoch", None, (8, b"m1@source.example"), "commit_epoch"),
    ("commit of another group", lambda cb: cb["commit"]["public_message"]["content"].__setitem__(
        "group_id", b"group-2"), (7, b"m1@source.example"), "commit_framing"),
    ("PublicMessage signature flipped", _flip_pm_sig, (7, b"m1@source.example"), "commit_signature"),
    ("welcome that is a PublicMessage", lambda cb: cb.__setitem__("welcome", cb["commit"]),
     (7, b"m1@source.example"), "welcome"),
]


def bundle_self_test(suite, out):
    raw, prev = _bundle_case(suite)
    p, _, _ = M.check_commit_bundle(M.decode(M.COMMIT_BUNDLE, raw), suite, b"group-1", 7,
                                    b"m1@source.example", prev)
    if p:
        out("suite %d: BUNDLE BASELINE FAILS: %s" % (suite, p))
        return False
    ok_all = True
    for name, op, (epoch, sender), want in BUNDLE_TAMPERS:
        cb = M.decode(M.COMMIT_BUNDLE, raw)
        if op:
            op(cb)
        cb = M.decode(M.COMMIT_BUNDLE, M.encode(M.COMMIT_BUNDLE, cb))
        p, _, _ = M.check_commit_bundle(cb, suite, b"group-1", epoch, sender, prev)
        got = [x.check for x in p]
        if want not in got:
            out("  MISSED suite %d bundle %-45s expected %s, got %s" % (suite, name, want, got))
            ok_all = False
    out("suite %d: %d bundle tampers %s" % (suite, len(BUNDLE_TAMPERS), "caught" if ok_all else "NOT all caught"))
    return ok_all


def self_test(suites=range(1, 8), out=print):
    """Every STATE_TAMPERS entry, in every suite, must fail validate_state with its
    check, and the untampered state must pass. Returns True if all did."""
    ok_all = True
    for suite in suites:
        gs, mem = _state(suite)
        p, _ = M.validate_state(gs["group_info"], gs["ratchet_tree"], suite, b"group-1", 7)
        if p:
            out("suite %d: BASELINE FAILS: %s" % (suite, p))
            ok_all = False
            continue
        raw = M.encode(M.MIGRATION_GROUP_STATE, gs)
        caught = 0
        for name, op, want in STATE_TAMPERS:
            g, m = M.decode_state(raw), list(mem)
            try:
                g = op(g, m, suite)
                g = M.decode_state(M.encode(M.MIGRATION_GROUP_STATE, g))     # what goes on the wire
                p, _ = M.validate_state(g["group_info"], g["ratchet_tree"], suite, b"group-1", 7)
                got = [x.check for x in p]
            except Exception as ex:                       # a tamper that cannot apply is a miss
                got = ["tamper failed: %r" % ex]
            ok = want in got
            caught += ok
            ok_all &= ok
            if not ok:
                out("  MISSED suite %d %-55s expected %s, got %s" % (suite, name, want, got))
        out("suite %d: %d/%d state tampers caught" % (suite, caught, len(STATE_TAMPERS)))
        ok_all &= bundle_self_test(suite, out)
    return ok_all


USAGE = """usage: mls_build.py --self-test            MLS-2 on tampered states, every suite
       mls_build.py --lift FILE [N,...] [--prior-commit]
                                            the v1 transcripts of FILE (a migration.json),
                                            or its entries N,..., as profile v2 would
                                            have them, as a JSON array on stdout; with
                                            an ordinary CommitBundle first"""

if __name__ == "__main__":
    import json
    import sys
    args = sys.argv[1:]
    prior = "--prior-commit" in args
    args = [a for a in args if a != "--prior-commit"]
    if args[:1] == ["--lift"] and len(args) in (2, 3):
        try:
            with open(args[1], encoding="utf-8") as fh:
                entries = json.load(fh)
            pick = [int(x) for x in args[2].split(",")] if len(args) == 3 else range(len(entries))
            json.dump([lift_to_v2(entries[i], prior) for i in pick], sys.stdout)
        except (OSError, ValueError, KeyError, IndexError, StopIteration) as ex:
            print("mls_build.py: cannot lift %s: %r" % (args[1], ex), file=sys.stderr)
            sys.exit(2)
        sys.exit(0)
    if args != ["--self-test"]:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    ok = self_test()
    print("state self-test %s" % ("passed" if ok else "FAILED"))
    sys.exit(0 if ok else 1)

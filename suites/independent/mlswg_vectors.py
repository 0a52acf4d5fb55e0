"""The MLS working group's vectors (test-vectors.md), checked with mls_public.py.

Written from RFC 9420 and the working group's test-vectors.md only; no mlsmig C
source was read. verify_vectors.py detects these files and calls verify_*() with
its Report (check(ok, where, detail), disagree(where, detail), kind, summary).

tree-validation.json  every tree decodes strictly and re-encodes; every node's tree
                      hash and resolution; every parent-hash chain (7.9.2); every
                      leaf signature (LeafNodeTBS with group_id and leaf index for the
                      update and commit sources); the other checks of a joining member
                      (7.3 capabilities, key uniqueness, unmerged leaves, 12.4.3.1);
                      ECDSA signatures strict DER with r, s in 1..n-1 (ENC-4).
messages.json         every field decodes as its structure and re-encodes byte for byte;
                      wire formats and content types match the field's name.
tree-operations.json  tree hashes before and after; the proposal applied (12.1.1-12.1.3)
                      gives tree_after.
welcome.json          KeyPackage and Welcome framing; the KeyPackage and leaf
                      signatures; the Welcome has an entry for the KeyPackage's
                      reference. Decrypting it needs HPKE and the key schedule (not here).
"""
from collections import Counter

import mls_public as M
from indep_lib import SUITES, DecodeError, ref_hash

MESSAGE_FIELDS = {   # messages.json field -> (type, wire_format, content_type)
    "mls_welcome": ("mls_message", 3, None), "mls_group_info": ("mls_message", 4, None),
    "mls_key_package": ("mls_message", 5, None), "ratchet_tree": ("ratchet_tree", None, None),
    "group_secrets": ("group_secrets", None, None), "add_proposal": ("add", None, None),
    "update_proposal": ("update", None, None), "remove_proposal": ("remove", None, None),
    "pre_shared_key_proposal": ("pre_shared_key", None, None),
    "re_init_proposal": ("reinit", None, None), "external_init_proposal": ("external_init", None, None),
    "group_context_extensions_proposal": ("group_context_extensions", None, None),
    "commit": ("commit", None, None),
    "public_message_application": ("mls_message", 1, 1),
    "public_message_proposal": ("mls_message", 1, 2),
    "public_message_commit": ("mls_message", 1, 3), "private_message": ("mls_message", 2, None)}


def _suite(e, rep, where):
    """cipher_suite as a number (a JSON string of digits is taken too)."""
    s = e["cipher_suite"]
    if isinstance(s, str):
        s = int(s)
    rep.check(s in SUITES, where, "unknown cipher suite %r" % s)
    return s


def _decode(rep, where, typ, data):
    try:
        v = M.decode(M.TYPES[typ], data)
    except DecodeError as ex:
        rep.check(False, where, "does not decode as %s: %s (%s)" % (typ, ex, ex.rule))
        return None
    rep.check(M.encode(M.TYPES[typ], v) == data, where, "re-encoding as %s differs (ENC-3)" % typ)
    return v


def _per_suite(counts):
    return ", ".join("suite %d: %d" % (s, counts[s]) for s in sorted(counts))


# ---------------------------------------------------------------- tree-validation.json
def verify_tree_validation(data, rep, first=0):
    rep.kind = "mlswg tree-validation"
    per, leaves, nodes_n = Counter(), 0, 0
    for i, e in enumerate(data):
        where = "entry %d" % (first + i)
        suite = _suite(e, rep, where)
        if suite not in SUITES:
            continue
        where += " (suite %d)" % suite
        nodes = _decode(rep, where, "ratchet_tree", bytes.fromhex(e["tree"]))
        if nodes is None:
            continue
        probs = []
        tree = M.parse_tree(suite, nodes, probs)
        if not rep.check(tree is not None, where, "; ".join(map(repr, probs))):
            continue
        want_h, want_r = e["tree_hashes"], e["resolutions"]
        rep.check(len(want_h) == len(tree.nodes) == len(want_r), where,
                  "%d tree hashes and %d resolutions for a tree of %d nodes"
                  % (len(want_h), len(want_r), len(tree.nodes)))
        for x in range(min(len(want_h), len(tree.nodes))):
            rep.check(tree.tree_hash(x).hex() == want_h[x], where, "tree hash of node %d differs" % x)
        for x in range(min(len(want_r), len(tree.nodes))):
            rep.check(tree.resolution(x) == want_r[x], where, "resolution of node %d: %s, file has %s"
                      % (x, tree.resolution(x), want_r[x]))
        M.validate_tree(tree, bytes.fromhex(e["group_id"]), probs, profile=False)
        for p in probs:
            rep.check(False, where, repr(p))
        rep.checks += 1
        per[suite] += 1
        leaves += len(tree.leaves())
        nodes_n += len(tree.nodes)
    rep.summary = ("%d trees (%s), %d nodes, %d leaf signatures" % (sum(per.values()), _per_suite(per),
                                                                    nodes_n, leaves))
    return per


# ---------------------------------------------------------------- messages.json
def verify_messages(data, rep, first=0):
    rep.kind = "mlswg messages"
    n = 0
    for i, e in enumerate(data):
        rep.check(set(e) == set(MESSAGE_FIELDS), "entry %d" % (first + i), "fields %s" % sorted(e))
        for name, hexv in e.items():
            if name not in MESSAGE_FIELDS:
                continue
            typ, wf, ct = MESSAGE_FIELDS[name]
            where = "entry %d %s" % (first + i, name)
            v = _decode(rep, where, typ, bytes.fromhex(hexv))
            n += 1
            if v is None or wf is None:
                continue
            rep.check(v["wire_format"] == wf, where, "wire_format %d, expected %d" % (v["wire_format"], wf))
            if ct is not None and v["wire_format"] == 1:
                got = v["public_message"]["content"]["content_type"]
                rep.check(got == ct, where, "content_type %d, expected %d" % (got, ct))
        semantic_messages(e, rep, "entry %d" % (first + i))
    rep.summary = ("%d entries, %d structures decoded and re-encoded byte for byte; GroupInfo and "
                   "tree MLS-2 and KeyPackage signatures (not required by test-vectors.md: a failure "
                   "is a disagreement)" % (len(data), n))
    return n


def semantic_messages(e, rep, where):
    """Beyond test-vectors.md (which asks only for syntax): the entry's GroupInfo with its
    ratchet_tree passes MLS-2 less the profile's rules, and its KeyPackage's signatures
    verify. The PublicMessages are not signed under that GroupInfo's context, so their
    signatures are not checked."""
    try:
        gi = M.decode(M.MLS_MESSAGE, bytes.fromhex(e["mls_group_info"]))["group_info"]
        nodes = M.decode(M.RATCHET_TREE, bytes.fromhex(e["ratchet_tree"]))
        kp = M.decode(M.MLS_MESSAGE, bytes.fromhex(e["mls_key_package"]))["key_package"]
    except (DecodeError, KeyError, ValueError):
        return                                            # reported by the syntax checks
    suite = gi["group_context"]["cipher_suite"]
    if suite not in SUITES:
        rep.disagree(where, "GroupInfo of suite %d" % suite)
        return
    rep.checks += 1
    problems, _ = M.validate_state(gi, nodes, suite, profile=False)
    for p in problems:
        rep.disagree(where + " mls_group_info + ratchet_tree", repr(p))
    if kp["cipher_suite"] in SUITES:
        rep.checks += 1
        p = M.verify_with_label(kp["cipher_suite"], kp["leaf_node"]["signature_key"], b"KeyPackageTBS",
                                M.key_package_tbs(kp), kp["signature"])
        if p:
            rep.disagree(where + " mls_key_package", "KeyPackage signature: %s" % p)


# ---------------------------------------------------------------- tree-operations.json
def _direct_path(x, root):
    out = []
    while x != root:
        k = M.level(x)
        x = (x | (1 << k)) ^ (((x >> (k + 1)) & 1) << (k + 1))
        out.append(x)
    return out


def apply_proposal(tree, prop, sender):
    """The tree after one Add, Update or Remove (RFC 9420 12.1.1-12.1.3), as a node list
    without trailing blanks (truncation, 7.7, then the ratchet_tree form)."""
    nodes, n_leaves = list(tree.nodes), tree.n_leaves
    t = prop["proposal_type"]
    if t == 1:                                            # Add: leftmost blank leaf, else extend
        leaf = prop["add"]["key_package"]["leaf_node"]
        li = next((i for i in range(n_leaves) if nodes[2 * i] is None), None)
        if li is None:
            li = n_leaves
            nodes += [None] * len(nodes) + [None]
        root = M.root((len(nodes) + 1) // 2)
        for p in _direct_path(2 * li, root):
            if nodes[p] is not None:
                pn = nodes[p]["parent_node"]
                nodes[p] = {"node_type": 2, "parent_node": dict(pn, unmerged_leaves=pn["unmerged_leaves"] + [li])}
        nodes[2 * li] = {"node_type": 1, "leaf_node": leaf}
    elif t in (2, 3):                                     # Update, Remove: blank the direct path
        li = sender if t == 2 else prop["remove"]["removed"]
        if li >= n_leaves or nodes[2 * li] is None:
            raise ValueError("proposal names blank leaf %d" % li)
        for p in _direct_path(2 * li, tree.root):
            nodes[p] = None
        nodes[2 * li] = {"node_type": 1, "leaf_node": prop["update"]["leaf_node"]} if t == 2 else None
    else:
        raise ValueError("proposal type %d is not a tree operation" % t)
    while nodes and nodes[-1] is None:
        nodes.pop()
    return nodes


def verify_tree_operations(data, rep, first=0):
    rep.kind = "mlswg tree-operations"
    per = Counter()
    for i, e in enumerate(data):
        where = "entry %d" % (first + i)
        suite = _suite(e, rep, where)
        before = _decode(rep, where + " tree_before", "ratchet_tree", bytes.fromhex(e["tree_before"]))
        prop = _decode(rep, where + " proposal", "proposal", bytes.fromhex(e["proposal"]))
        after = _decode(rep, where + " tree_after", "ratchet_tree", bytes.fromhex(e["tree_after"]))
        if None in (before, prop, after) or suite not in SUITES:
            continue
        tb = M.Tree(suite, before)
        rep.check(tb.tree_hash(tb.root).hex() == e["tree_hash_before"], where, "tree_hash_before differs")
        try:
            got = apply_proposal(tb, prop, e["proposal_sender"])
        except ValueError as ex:
            rep.check(False, where, str(ex))
            continue
        rep.check(M.RATCHET_TREE.enc(got) == bytes.fromhex(e["tree_after"]), where,
                  "the proposal applied to tree_before does not give tree_after")
        ta = M.Tree(suite, after)
        rep.check(ta.tree_hash(ta.root).hex() == e["tree_hash_after"], where, "tree_hash_after differs")
        per[suite] += 1
    rep.summary = "%d operations (%s)" % (sum(per.values()), _per_suite(per))
    return per


# ---------------------------------------------------------------- welcome.json
def verify_welcome(data, rep, first=0):
    rep.kind = "mlswg welcome"
    per = Counter()
    for i, e in enumerate(data):
        where = "entry %d" % (first + i)
        suite = _suite(e, rep, where)
        kp_bytes = bytes.fromhex(e["key_package"])
        kpm = _decode(rep, where + " key_package", "mls_message", kp_bytes)
        wm = _decode(rep, where + " welcome", "mls_message", bytes.fromhex(e["welcome"]))
        if kpm is None or wm is None or suite not in SUITES:
            continue
        if not (rep.check(kpm["wire_format"] == 5, where, "key_package is not an mls_key_package")
                and rep.check(wm["wire_format"] == 3, where, "welcome is not an mls_welcome")):
            continue
        kp, w = kpm["key_package"], wm["welcome"]
        rep.check(kp["cipher_suite"] == suite and w["cipher_suite"] == suite, where, "suites differ")
        rep.check(kp["version"] == 1, where, "KeyPackage version %d" % kp["version"])
        leaf = kp["leaf_node"]
        rep.check(leaf["leaf_node_source"] == 1, where, "KeyPackage leaf source is not key_package")
        p = M.verify_with_label(suite, leaf["signature_key"], b"KeyPackageTBS", M.key_package_tbs(kp),
                                kp["signature"])
        rep.check(p is None, where, "KeyPackage signature: %s" % p)
        p = M.verify_with_label(suite, leaf["signature_key"], b"LeafNodeTBS", M.leaf_tbs(leaf, b"", 0),
                                leaf["signature"])
        rep.check(p is None, where, "KeyPackage leaf signature: %s" % p)
        ref = ref_hash(suite, b"MLS 1.0 KeyPackage Reference", M.encode(M.KEY_PACKAGE, kp))   # 5.2
        rep.check(any(s["new_member"] == ref for s in w["secrets"]), where,
                  "no Welcome entry for the KeyPackage's reference")
        rep.check(M.sig_key_problem(suite, bytes.fromhex(e["signer_pub"])) is None, where,
                  "signer_pub: %s" % M.sig_key_problem(suite, bytes.fromhex(e["signer_pub"])))
        per[suite] += 1
    rep.summary = ("%d welcomes (%s); decryption of the group secrets and GroupInfo skipped: needs "
                   "HPKE and the key schedule" % (sum(per.values()), _per_suite(per)))
    return per


# ---------------------------------------------------------------- message-protection.json
def verify_message_protection(data, rep, first=0):
    """The PublicMessages: content equal to the raw proposal / commit, the signature over
    FramedContentTBS with the GroupContext the entry describes (6.1), the membership tag
    over AuthenticatedContentTBM with membership_key (6.2); the PrivateMessages' framing.
    Decrypting them needs the secret tree (not here)."""
    import hmac
    rep.kind = "mlswg message-protection"
    per = Counter()
    for i, e in enumerate(data):
        where = "entry %d" % (first + i)
        suite = _suite(e, rep, where)
        if suite not in SUITES:
            continue
        gc = {"version": 1, "cipher_suite": suite, "group_id": bytes.fromhex(e["group_id"]),
              "epoch": e["epoch"], "tree_hash": bytes.fromhex(e["tree_hash"]),
              "confirmed_transcript_hash": bytes.fromhex(e["confirmed_transcript_hash"]), "extensions": []}
        gcb, pub = M.GROUP_CONTEXT.enc(gc), bytes.fromhex(e["signature_pub"])
        mkey = bytes.fromhex(e["membership_key"])
        for kind, ct in (("proposal", 2), ("commit", 3)):
            w = "%s %s_pub" % (where, kind)
            msg = _decode(rep, w, "mls_message", bytes.fromhex(e[kind + "_pub"]))
            if msg is None or not rep.check(msg["wire_format"] == 1, w, "not a PublicMessage"):
                continue
            pm = msg["public_message"]
            c = pm["content"]
            rep.check((c["group_id"], c["epoch"], c["content_type"]) == (gc["group_id"], gc["epoch"], ct), w,
                      "framing differs from the entry")
            rep.check(c["sender"] == {"sender_type": 1, "leaf_index": 1}, w, "sender is not member 1")
            raw = M.encode(M.PROPOSAL if ct == 2 else M.COMMIT, c["proposal" if ct == 2 else "commit"])
            rep.check(raw.hex() == e[kind], w, "content is not the entry's %s" % kind)
            p = M.verify_public_message(msg, suite, gcb, pub)
            rep.check(p is None, w, "signature: %s" % p)
            tbm = M.framed_content_tbs(1, c, gcb) + M.OPAQUE.enc(pm["signature"])
            if ct == 3:
                tbm += M.OPAQUE.enc(pm["confirmation_tag"])
            tag = hmac.new(mkey, tbm, SUITES[suite][1]).digest()
            rep.check(hmac.compare_digest(tag, pm["membership_tag"]), w, "membership tag does not verify")
        for kind in ("proposal", "commit", "application"):
            w = "%s %s_priv" % (where, kind)
            msg = _decode(rep, w, "mls_message", bytes.fromhex(e[kind + "_priv"]))
            if msg is not None and rep.check(msg["wire_format"] == 2, w, "not a PrivateMessage"):
                pr = msg["private_message"]
                rep.check((pr["group_id"], pr["epoch"]) == (gc["group_id"], gc["epoch"]), w, "framing differs")
        per[suite] += 1
    rep.summary = ("%d entries (%s): PublicMessage signatures and membership tags; PrivateMessages "
                   "framing only (decryption needs the secret tree)" % (sum(per.values()), _per_suite(per)))
    return per


def detect(x):
    """The verify function for a WG file whose first entry is x, or None."""
    if {"membership_key", "commit_pub", "proposal_priv"} <= set(x):
        return verify_message_protection
    if {"tree", "group_id", "tree_hashes", "resolutions"} <= set(x):
        return verify_tree_validation
    if "mls_welcome" in x and "public_message_commit" in x:
        return verify_messages
    if {"tree_before", "proposal", "tree_after"} <= set(x):
        return verify_tree_operations
    if {"key_package", "welcome", "init_priv"} <= set(x):
        return verify_welcome
    return None


# ---------------------------------------------------------------- self-test tampers
# Each returns the tampered entries to verify alone (a whole file per tamper would be
# slow); the untampered file passed, so any failure is the tamper's.
def _flip(hexs, pos):
    """Flip the low bit of byte pos (negative: from the end) of a hex string."""
    b = bytearray(bytes.fromhex(hexs))
    b[pos] ^= 1
    return b.hex()


def _tv_entry(data, suite, kind):
    """A tree-validation entry of the suite with a parent node (kind 'parent') or a
    commit-source leaf (kind 'commit')."""
    for e in data:
        if int(e["cipher_suite"]) != suite:
            continue
        t = M.Tree(suite, M.decode(M.RATCHET_TREE, bytes.fromhex(e["tree"])))
        if kind == "parent" and any(t.nodes[x] for x in range(1, len(t.nodes), 2)):
            return dict(e), t
        if kind == "commit" and any(l["leaf_node_source"] == 3 for _, l in t.leaves()):
            return dict(e), t
    raise ValueError("no such entry")


def _trim(nodes):
    nodes = list(nodes)
    while nodes[-1] is None:
        nodes.pop()
    return nodes


def _set_tree(e, t, suite):
    """Write tree t into entry e with its tree hashes recomputed, so that only the
    tampered check can fail."""
    nodes = _trim(t.nodes)
    e["tree"] = M.RATCHET_TREE.enc(nodes).hex()
    fresh = M.Tree(suite, nodes)
    e["tree_hashes"] = [fresh.tree_hash(x).hex() for x in range(len(fresh.nodes))]
    return [e]


def _tv_leaf_sig(data, suite):
    e, t = _tv_entry(data, suite, "commit")
    li, leaf = t.leaves()[-1]
    leaf["signature"] = bytes.fromhex(_flip(leaf["signature"].hex(), -1))
    return _set_tree(e, t, suite)


def _tv_parent_hash(data, suite):
    e, t = _tv_entry(data, suite, "parent")
    x = next(x for x in range(1, len(t.nodes), 2) if t.nodes[x])
    pn = t.nodes[x]["parent_node"]
    pn["parent_hash"] = bytes.fromhex(_flip(pn["parent_hash"].hex(), 0)) if pn["parent_hash"] else b"\x01"
    return _set_tree(e, t, suite)


def _tv_group_id(data, suite):
    e, _ = _tv_entry(data, suite, "commit")
    e["group_id"] = _flip(e["group_id"], 0)
    return [e]


def _tv_field(data, suite, field, fn):
    e = dict(next(e for e in data if int(e["cipher_suite"]) == suite))
    e[field] = fn(e[field])
    return [e]


def _tv_dup_key(data, suite):
    e, t = _tv_entry(data, suite, "parent")
    (a, la), (b, lb) = t.leaves()[:2]
    lb["encryption_key"] = la["encryption_key"]
    return _set_tree(e, t, suite)


def _nonminimal(hexs):
    """Rewrite a leading 1-byte varint length of a hex string in 2 bytes."""
    b = bytes.fromhex(hexs)
    return (bytes([0x40, b[0]]) + b[1:]).hex() if b[0] < 0x40 else hexs


def _msg(data, i, field, fn):
    e = dict(data[i])
    e[field] = fn(e[field])
    return [e]


def _swap_fields(data, i, a, b):
    e = dict(data[i])
    e[a], e[b] = e[b], e[a]
    return [e]


def _op_hash(data):
    e = dict(data[0])
    e["tree_hash_after"] = _flip(e["tree_hash_after"], 0)
    return [e]


def _op_sender(data):
    e = dict(next(e for e in data if M.decode(M.PROPOSAL, bytes.fromhex(e["proposal"]))["proposal_type"] == 2))
    e["proposal_sender"] += 1
    return [e]


TAMPERS = [   # (kind, name, op, what the failure must name)
    ("mlswg tree-validation", "flipped bit in a commit leaf's signature (suite 1, Ed25519)",
     lambda d: _tv_leaf_sig(d, 1), "leaf_signature"),
    ("mlswg tree-validation", "flipped bit in a commit leaf's signature (suite 5, P-521)",
     lambda d: _tv_leaf_sig(d, 5), "leaf_signature"),
    ("mlswg tree-validation", "flipped bit in a parent_hash, tree hashes recomputed (suite 4)",
     lambda d: _tv_parent_hash(d, 4), "parent_hash"),
    ("mlswg tree-validation", "another group_id (suite 7): LeafNodeTBS of commit leaves",
     lambda d: _tv_group_id(d, 7), "leaf_signature"),
    ("mlswg tree-validation", "one tree hash altered (suite 2)",
     lambda d: _tv_field(d, 2, "tree_hashes", lambda h: [h[0]] + [_flip(h[1], 3)] + h[2:]),
     "tree hash of node 1"),
    ("mlswg tree-validation", "one resolution altered (suite 3)",
     lambda d: _tv_field(d, 3, "resolutions", lambda r: [r[0] + [2]] + r[1:]), "resolution of node 0"),
    ("mlswg tree-validation", "two leaves share an encryption key (suite 6)",
     lambda d: _tv_dup_key(d, 6), "duplicate_key"),
    ("mlswg tree-validation", "a trailing byte after the tree (ENC-2)",
     lambda d: _tv_field(d, 1, "tree", lambda t: t + "00"), "trailing"),
    ("mlswg tree-validation", "a blank node appended to the tree (12.4.3.3)",
     lambda d: _tv_field(d, 1, "tree", lambda t: M.RATCHET_TREE.enc(
         M.decode(M.RATCHET_TREE, bytes.fromhex(t)) + [None]).hex()), "last node"),
    ("mlswg messages", "non-minimal length of an extension list (ENC-1)",
     lambda d: _msg(d, 0, "group_context_extensions_proposal", _nonminimal), "non-minimal"),
    ("mlswg messages", "a trailing byte after a commit (ENC-2)",
     lambda d: _msg(d, 1, "commit", lambda x: x + "00"), "trailing"),
    ("mlswg messages", "mls_welcome and mls_group_info swapped",
     lambda d: _swap_fields(d, 2, "mls_welcome", "mls_group_info"), "wire_format 4, expected 3"),
    ("mlswg messages", "public_message_application and _proposal swapped",
     lambda d: _swap_fields(d, 3, "public_message_application", "public_message_proposal"),
     "content_type 2, expected 1"),
    ("mlswg messages", "a truncated private_message (ENC-2)",
     lambda d: _msg(d, 4, "private_message", lambda x: x[:-2]), "need "),
    ("mlswg messages", "optional<> presence byte 2 in a ratchet_tree (ENC-4)",
     lambda d: _msg(d, 5, "ratchet_tree", lambda x: x[:4] + "02" + x[6:] if x[:2] == "40" else x[:2] + "02" + x[4:]),
     "presence byte 2"),
    ("mlswg tree-operations", "tree_hash_after altered", _op_hash, "tree_hash_after"),
    ("mlswg tree-operations", "an Update applied at another leaf", _op_sender, "does not give tree_after"),
    ("mlswg welcome", "flipped bit in a KeyPackage signature",
     lambda d: _msg(d, 0, "key_package", lambda x: _flip(x, -1)), "KeyPackage signature"),
]


# ---------------------------------------------------------------- a group's public life
def verify_state_chain(doc, rep):
    """A recorded public life of a group (profile v2 objects in order, as made by another
    MLS implementation: suites/fixtures/ts-mls/): every PublicGroupState passes MLS-2 at
    its epoch; every CommitBundle passes MLS-4 against the state before it (framing,
    MLS-2 at epoch + 1, the signer is the sender, membership, PublicMessage signature
    under the current GroupContext), and becomes the current state."""
    rep.kind = "state chain"
    suite = doc["suite"]
    cur, n_pgs, n_cb, notes = None, 0, 0, 0
    for i, o in enumerate(doc["objects"]):
        where = "object %d (%s, %s)" % (i, o["what"], o.get("step"))
        data = bytes.fromhex(o["hex"])
        typ = {"public_group_state": "public_group_state", "commit_bundle": "commit_bundle"}.get(o["what"])
        if not rep.check(typ is not None, where, "unknown object"):
            continue
        v = _decode(rep, where, typ, data)
        if v is None:
            cur = None
            continue
        if typ == "public_group_state":
            gid = cur.group_id if cur else v["group_info"]["group_context"]["group_id"]
            probs, st = M.state_of(v["group_info"], v["ratchet_tree"], suite, gid, o["epoch"])
            n_pgs += 1
        else:
            if cur is None:
                rep.check(False, where, "a CommitBundle without a state before it")
                continue
            probs, st, nts = M.check_commit_bundle(v, suite, cur.group_id, cur.epoch, o["sender"].encode(), cur)
            rep.check(o["epoch"] == cur.epoch + 1, where, "recorded epoch %d" % o["epoch"])
            notes += len(nts)
            n_cb += 1
        for p in probs:
            rep.check(False, where, repr(p))
        rep.checks += 1
        cur = st
    rep.summary = ("suite %d, %s: %d PublicGroupStates, %d CommitBundles (%d PrivateMessage "
                   "signatures not checkable)" % (suite, doc.get("implementation", "?"), n_pgs, n_cb, notes))


def _chain_obj(doc, what, pred=lambda v: True):
    for o in doc["objects"]:
        if o["what"] == what:
            v = M.decode(M.TYPES[what], bytes.fromhex(o["hex"]))
            if pred(v):
                return o, v
    raise ValueError("no such object")


def _chain_pm_sig(doc):
    o, v = _chain_obj(doc, "commit_bundle", lambda v: v["commit"]["wire_format"] == 1)
    pm = v["commit"]["public_message"]
    pm["signature"] = bytes.fromhex(_flip(pm["signature"].hex(), -1))
    o["hex"] = M.encode(M.COMMIT_BUNDLE, v).hex()
    return doc


def _chain_sender(doc):
    o, _ = _chain_obj(doc, "commit_bundle")
    o["sender"] = "mallory@source.example"
    return doc


def _chain_tree_sig(doc):
    o, v = _chain_obj(doc, "public_group_state")
    leaf = v["ratchet_tree"][0]["leaf_node"]
    leaf["signature"] = bytes.fromhex(_flip(leaf["signature"].hex(), -1))
    o["hex"] = M.encode(M.PUBLIC_GROUP_STATE, v).hex()
    return doc


def _mp_flip(data, i, field, part):
    """Flip the last bit of one part (signature, membership_tag) of a PublicMessage."""
    e = dict(data[i])
    msg = M.decode(M.MLS_MESSAGE, bytes.fromhex(e[field]))
    t = msg["public_message"][part]
    msg["public_message"][part] = t[:-1] + bytes([t[-1] ^ 1])
    e[field] = M.encode(M.MLS_MESSAGE, msg).hex()
    return [e]


TAMPERS += [
    ("mlswg message-protection", "flipped bit in a PublicMessage signature (suite 7)",
     lambda d: _mp_flip(d, 6, "proposal_pub", "signature"), "signature:"),
    ("mlswg message-protection", "flipped bit in a membership tag (suite 2)",
     lambda d: _mp_flip(d, 1, "commit_pub", "membership_tag"), "membership tag"),
    ("mlswg message-protection", "another epoch in the GroupContext (suite 4)",
     lambda d: _msg(d, 3, "epoch", lambda x: x + 1), "signature:"),
    ("state chain", "flipped bit in a PublicMessage Commit's signature", _chain_pm_sig, "commit_signature"),
    ("state chain", "a CommitBundle from a non-member", _chain_sender, "signer"),
    ("state chain", "flipped bit in a leaf signature of a PublicGroupState", _chain_tree_sig, "leaf_signature"),
]

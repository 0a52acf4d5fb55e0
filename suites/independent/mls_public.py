"""RFC 9420 public state, decoded strictly and checked as a joining member would
(profile v2, section 11: MLS-1, MLS-2, MLS-4; ENC-1..ENC-4).

Written from RFC 9420 (sections 2.1, 4, 5.1-5.3, 6, 7.1-7.9, 12.1, 12.4.3), the
profile (/work/shared/spec/profile.md) and the MLS working group's
test-vectors.md only; no mlsmig C source was read. Used by verify_transcript.py,
verify_vectors.py and mlswg_vectors.py. Needs Debian's python3-cryptography.

Decoding: every structure is a schema of elements below; decode(schema, bytes)
reads it whole (no trailing bytes, minimal varints, optional<> 0 or 1, known
enum values where the value selects what follows) and encode() writes it back,
so encode(decode(b)) == b is a real test of the decoder (ENC-3).
Validation: validate_state() returns a list of Problem(check, detail); empty
means the state passes MLS-2.
"""
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from indep_lib import (CURVE_ORDER, CURVES, ECDSA_HASH, EDDSA, SUITES, DecodeError, Reader,
                       check_domain, sign_content, varint)


# ------------------------------------------------------------------ schema elements
class Int:
    """uintN; values, when given, are the only ones accepted (an enum whose value
    selects what follows: an unknown one cannot be delimited)."""

    def __init__(self, size, values=None, what="value"):
        self.size, self.values, self.what = size, values, what

    def dec(self, r):
        v = r.uint(self.size)
        if self.values is not None and v not in self.values:
            raise DecodeError("ENC-4", "%s %d unknown" % (self.what, v), kind="int")
        return v

    def enc(self, v):
        return v.to_bytes(self.size, "big")


class Opaque:
    """opaque x<V>."""

    def dec(self, r):
        return r.vec()

    def enc(self, v):
        return varint(len(v)) + v


class Vec:
    """T x<V>: the elements fill the vector exactly."""

    def __init__(self, elem):
        self.elem = elem

    def dec(self, r):
        sub, out = Reader(r.vec()), []
        while sub.pos < len(sub.data):
            out.append(self.elem.dec(sub))
        return out

    def enc(self, v):
        body = b"".join(self.elem.enc(x) for x in v)
        return varint(len(body)) + body


class Optional:
    """optional<T>: uint8 present (0 or 1), then T if 1; None when absent."""

    def __init__(self, elem):
        self.elem = elem

    def dec(self, r):
        p = r.uint(1)
        if p > 1:
            raise DecodeError("ENC-4", "optional<> presence byte %d" % p, kind="int")
        return self.elem.dec(r) if p else None

    def enc(self, v):
        return b"\x00" if v is None else b"\x01" + self.elem.enc(v)


class Select:
    """A discriminant field and the fields its value selects, flattened into the
    enclosing struct (RFC 9420's `select (x) { case ...: ... }`)."""

    def __init__(self, name, tag, cases):
        self.name, self.tag, self.cases = name, tag, cases

    def dec_into(self, r, out):
        t = self.tag.dec(r)
        if t not in self.cases:
            raise DecodeError("ENC-4", "%s %d unknown" % (self.name, t), kind="int")
        out[self.name] = t
        for n, e in self.cases[t]:
            _dec_field(n, e, r, out)

    def enc_from(self, v):
        return self.tag.enc(v[self.name]) + b"".join(_enc_field(n, e, v) for n, e in
                                                     self.cases[v[self.name]])


def _dec_field(n, e, r, out):
    if isinstance(e, Select):
        e.dec_into(r, out)
    else:
        out[n] = e.dec(r)


def _enc_field(n, e, v):
    return e.enc_from(v) if isinstance(e, Select) else e.enc(v[n])


class Struct:
    def __init__(self, fields):
        self.fields = fields

    def dec(self, r):
        out = {}
        for n, e in self.fields:
            _dec_field(n, e, r, out)
        return out

    def enc(self, v):
        return b"".join(_enc_field(n, e, v) for n, e in self.fields)


class Custom:
    def __init__(self, dec, enc):
        self.dec, self.enc = dec, enc


def decode(schema, data):
    """decode(schema, data) reads exactly data as schema (ENC-1, ENC-2, ENC-4)."""
    r = Reader(data)
    v = schema.dec(r)
    r.end()
    return v


def encode(schema, v):
    """encode(schema, v) is the canonical encoding of a decoded value (ENC-3)."""
    return schema.enc(v)


U8, U16, U32, U64, OPAQUE = Int(1), Int(2), Int(4), Int(8), Opaque()

# ------------------------------------------------------------------ RFC 9420 structures
EXTENSION = Struct([("extension_type", U16), ("extension_data", OPAQUE)])      # 7.2
EXTENSIONS = Vec(EXTENSION)
CREDENTIAL = Struct([                                                            # 5.3
    ("", Select("credential_type", Int(2, what="credential_type"), {
        1: [("identity", OPAQUE)],                                              # basic
        2: [("certificates", Vec(Struct([("cert_data", OPAQUE)])))]}))])       # x509
CAPABILITIES = Struct([("versions", Vec(U16)), ("cipher_suites", Vec(U16)),       # 7.2
                       ("extensions", Vec(U16)), ("proposals", Vec(U16)),
                       ("credentials", Vec(U16))])
LIFETIME = Struct([("not_before", U64), ("not_after", U64)])
LEAF_SOURCE = Select("leaf_node_source", Int(1, what="leaf_node_source"), {
    1: [("lifetime", LIFETIME)], 2: [], 3: [("parent_hash", OPAQUE)]})
LEAF_TBS_FIELDS = [("encryption_key", OPAQUE), ("signature_key", OPAQUE),
                   ("credential", CREDENTIAL), ("capabilities", CAPABILITIES),
                   ("", LEAF_SOURCE), ("extensions", EXTENSIONS)]
LEAF_NODE = Struct(LEAF_TBS_FIELDS + [("signature", OPAQUE)])                    # 7.2
PARENT_NODE = Struct([("encryption_key", OPAQUE), ("parent_hash", OPAQUE),      # 7.1
                      ("unmerged_leaves", Vec(U32))])
NODE = Struct([("", Select("node_type", Int(1, what="node_type"), {
    1: [("leaf_node", LEAF_NODE)], 2: [("parent_node", PARENT_NODE)]}))])
RATCHET_TREE = Vec(Optional(NODE))                                              # 12.4.3.3
GROUP_CONTEXT = Struct([("version", U16), ("cipher_suite", U16), ("group_id", OPAQUE),  # 8.1
                        ("epoch", U64), ("tree_hash", OPAQUE),
                        ("confirmed_transcript_hash", OPAQUE), ("extensions", EXTENSIONS)])
GROUP_INFO_TBS_FIELDS = [("group_context", GROUP_CONTEXT), ("extensions", EXTENSIONS),
                         ("confirmation_tag", OPAQUE), ("signer", U32)]
GROUP_INFO = Struct(GROUP_INFO_TBS_FIELDS + [("signature", OPAQUE)])            # 12.4.3
KEY_PACKAGE_TBS_FIELDS = [("version", U16), ("cipher_suite", U16), ("init_key", OPAQUE),
                          ("leaf_node", LEAF_NODE), ("extensions", EXTENSIONS)]
KEY_PACKAGE = Struct(KEY_PACKAGE_TBS_FIELDS + [("signature", OPAQUE)])          # 10
HPKE_CIPHERTEXT = Struct([("kem_output", OPAQUE), ("ciphertext", OPAQUE)])
WELCOME = Struct([("cipher_suite", U16),                                        # 12.4.3.1
                  ("secrets", Vec(Struct([("new_member", OPAQUE),
                                          ("encrypted_group_secrets", HPKE_CIPHERTEXT)]))),
                  ("encrypted_group_info", OPAQUE)])
PSK_ID = Struct([("", Select("psktype", Int(1, what="psktype"), {                # 8.4
    1: [("psk_id", OPAQUE)],
    2: [("usage", Int(1, {1, 2, 3}, "resumption usage")), ("psk_group_id", OPAQUE),
        ("psk_epoch", U64)]})), ("psk_nonce", OPAQUE)])
GROUP_SECRETS = Struct([("joiner_secret", OPAQUE),
                        ("path_secret", Optional(Struct([("path_secret", OPAQUE)]))),
                        ("psks", Vec(PSK_ID))])
ADD = Struct([("key_package", KEY_PACKAGE)])                                    # 12.1
UPDATE = Struct([("leaf_node", LEAF_NODE)])
REMOVE = Struct([("removed", U32)])
PRE_SHARED_KEY = Struct([("psk", PSK_ID)])
REINIT = Struct([("group_id", OPAQUE), ("version", U16), ("cipher_suite", U16),
                 ("extensions", EXTENSIONS)])
EXTERNAL_INIT = Struct([("kem_output", OPAQUE)])
GROUP_CONTEXT_EXTENSIONS = Struct([("extensions", EXTENSIONS)])
PROPOSAL = Struct([("", Select("proposal_type", Int(2, what="proposal_type"), {
    1: [("add", ADD)], 2: [("update", UPDATE)], 3: [("remove", REMOVE)],
    4: [("psk", PRE_SHARED_KEY)], 5: [("reinit", REINIT)],
    6: [("external_init", EXTERNAL_INIT)],
    7: [("group_context_extensions", GROUP_CONTEXT_EXTENSIONS)]}))])
PROPOSAL_OR_REF = Struct([("", Select("type", Int(1, what="ProposalOrRefType"), {
    1: [("proposal", PROPOSAL)], 2: [("reference", OPAQUE)]}))])
UPDATE_PATH = Struct([("leaf_node", LEAF_NODE),                                 # 7.6
                      ("nodes", Vec(Struct([("encryption_key", OPAQUE),
                                            ("encrypted_path_secret", Vec(HPKE_CIPHERTEXT))])))])
COMMIT = Struct([("proposals", Vec(PROPOSAL_OR_REF)), ("path", Optional(UPDATE_PATH))])  # 12.4
SENDER = Struct([("", Select("sender_type", Int(1, what="sender_type"), {         # 6
    1: [("leaf_index", U32)], 2: [("sender_index", U32)], 3: [], 4: []}))])
FRAMED_CONTENT = Struct([("group_id", OPAQUE), ("epoch", U64), ("sender", SENDER),
                         ("authenticated_data", OPAQUE),
                         ("", Select("content_type", Int(1, what="content_type"), {
                             1: [("application_data", OPAQUE)], 2: [("proposal", PROPOSAL)],
                             3: [("commit", COMMIT)]}))])


def _dec_public_message(r):                                                     # 6.2
    c = FRAMED_CONTENT.dec(r)
    m = {"content": c, "signature": r.vec()}
    if c["content_type"] == 3:
        m["confirmation_tag"] = r.vec()
    if c["sender"]["sender_type"] == 1:
        m["membership_tag"] = r.vec()
    return m


def _enc_public_message(m):
    out = FRAMED_CONTENT.enc(m["content"]) + OPAQUE.enc(m["signature"])
    if m["content"]["content_type"] == 3:
        out += OPAQUE.enc(m["confirmation_tag"])
    if m["content"]["sender"]["sender_type"] == 1:
        out += OPAQUE.enc(m["membership_tag"])
    return out


PUBLIC_MESSAGE = Custom(_dec_public_message, _enc_public_message)
PRIVATE_MESSAGE = Struct([("group_id", OPAQUE), ("epoch", U64),                 # 6.3
                          ("content_type", Int(1, {1, 2, 3}, "content_type")),
                          ("authenticated_data", OPAQUE), ("encrypted_sender_data", OPAQUE),
                          ("ciphertext", OPAQUE)])
WIRE_FORMATS = {1: "public_message", 2: "private_message", 3: "welcome", 4: "group_info",
                5: "key_package"}
MLS_MESSAGE = Struct([("version", Int(2, {1}, "MLSMessage version (mls10 = 1)")),  # 6
                      ("", Select("wire_format", Int(2, what="wire_format"), {
                          1: [("public_message", PUBLIC_MESSAGE)],
                          2: [("private_message", PRIVATE_MESSAGE)],
                          3: [("welcome", WELCOME)], 4: [("group_info", GROUP_INFO)],
                          5: [("key_package", KEY_PACKAGE)]}))])

# ------------------------------------------------------------------ profile v2 (MLS-1, MLS-4)
MIGRATION_GROUP_STATE = Struct([("version", U16), ("group_info", GROUP_INFO),
                                ("ratchet_tree", RATCHET_TREE), ("ds_payload", OPAQUE)])
PUBLIC_GROUP_STATE = Struct([("group_info", GROUP_INFO), ("ratchet_tree", RATCHET_TREE)])
COMMIT_BUNDLE = Struct([("commit", MLS_MESSAGE), ("welcome", Optional(MLS_MESSAGE)),
                        ("group_info", GROUP_INFO), ("ratchet_tree", RATCHET_TREE)])

# The decodable types by name (mlswg messages.json keys, the profile's names).
TYPES = {"mls_message": MLS_MESSAGE, "group_info": GROUP_INFO, "group_context": GROUP_CONTEXT,
         "key_package": KEY_PACKAGE, "welcome": WELCOME, "ratchet_tree": RATCHET_TREE,
         "leaf_node": LEAF_NODE, "node": NODE, "group_secrets": GROUP_SECRETS,
         "proposal": PROPOSAL, "commit": COMMIT, "add": ADD, "update": UPDATE,
         "remove": REMOVE, "pre_shared_key": PRE_SHARED_KEY, "reinit": REINIT,
         "external_init": EXTERNAL_INIT, "group_context_extensions": GROUP_CONTEXT_EXTENSIONS,
         "framed_content": FRAMED_CONTENT, "migration_group_state": MIGRATION_GROUP_STATE,
         "public_group_state": PUBLIC_GROUP_STATE, "commit_bundle": COMMIT_BUNDLE}

EXT_RATCHET_TREE, EXT_REQUIRED_CAPABILITIES = 2, 3                               # 17.3
DEFAULT_EXTENSIONS = {1, 2, 3, 4, 5}          # application_id .. external_senders (7.2)
DEFAULT_PROPOSALS = {1, 2, 3, 4, 5, 6, 7}
# HPKE public key sizes of each suite's KEM (RFC 9180 7.1: X25519, P-256, X448,
# P-521, P-384; the NIST curves' keys uncompressed, Npk)
KEM_KEY_SIZE = {1: 32, 2: 65, 3: 32, 4: 56, 5: 133, 6: 56, 7: 97}
REQUIRED_CAPABILITIES = Struct([("extension_types", Vec(U16)), ("proposal_types", Vec(U16)),
                                ("credential_types", Vec(U16))])                # 11.1


# ------------------------------------------------------------------ array tree math (App. C)
def level(x):
    k = 0
    while (x >> k) & 1:
        k += 1
    return k


def left(x):
    k = level(x)
    return x ^ (1 << (k - 1))


def right(x):
    k = level(x)
    return x ^ (3 << (k - 1))


def root(n_leaves):
    w = 2 * n_leaves - 1
    return (1 << (w.bit_length() - 1)) - 1


def subtree_leaves(x):
    """Leaf indices under node x."""
    k = level(x)
    lo = (x - ((1 << k) - 1)) // 2
    return range(lo, lo + (1 << k))


# ------------------------------------------------------------------ crypto helpers
def hash_of(suite, data):
    return hashlib.new(SUITES[suite][1], data).digest()


def ecdsa_sig_problem(suite, sig):
    """None if sig is a strict DER ECDSA-Sig-Value with r, s in 1..n-1 (ENC-4), for
    ECDSA suites; for EdDSA, None if it has the scheme's exact length."""
    scheme = SUITES[suite][0]
    if scheme in EDDSA:
        n = EDDSA[scheme][2]
        return None if len(sig) == n else "%s signature of %d bytes, not %d" % (scheme, len(sig), n)
    from indep_lib import check_der
    try:
        check_der(sig)
    except DecodeError as e:
        return str(e)
    r, s = decode_dss_signature(sig)
    n = CURVE_ORDER[scheme]
    if not (1 <= r < n and 1 <= s < n):
        return "ECDSA r or s outside 1..n-1"
    return None


def sig_key_problem(suite, pub):
    """None if pub is a well-formed signature key: raw EdDSA of the right length, or an
    uncompressed SEC1 point on the suite's curve (RFC 9420 5.1.1, ENC-4)."""
    scheme = SUITES[suite][0]
    if scheme in EDDSA:
        n = EDDSA[scheme][1]
        return None if len(pub) == n else "%s key of %d bytes, not %d" % (scheme, len(pub), n)
    curve, size = CURVES[scheme]
    if len(pub) != 1 + 2 * size or pub[0] != 4:
        return "not an uncompressed %s SEC1 point (%d bytes, first byte %s)" % (
            scheme, len(pub), pub[:1].hex() or "-")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(curve(), pub)
    except ValueError:
        return "point not on %s" % scheme
    return None


_KEY_CACHE, _VERIFIED = {}, {}


def _pubkey(suite, pub):
    k = (suite, pub)
    if k not in _KEY_CACHE:
        scheme = SUITES[suite][0]
        if scheme in EDDSA:
            _KEY_CACHE[k] = EDDSA[scheme][0].from_public_bytes(pub)
        else:
            _KEY_CACHE[k] = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[scheme][0](), pub)
    return _KEY_CACHE[k]


def verify_with_label(suite, pub, label, content, sig):
    """Problem string, or None if VerifyWithLabel(pub, label, content, sig) holds
    (RFC 9420 5.1.2) and key and signature have the strict formats of ENC-4."""
    p = sig_key_problem(suite, pub) or ecdsa_sig_problem(suite, sig)
    if p:
        return p
    data = sign_content(label, content)
    memo = (suite, pub, hashlib.sha256(data).digest(), sig)   # the same state is seen often
    if memo not in _VERIFIED:
        try:
            key = _pubkey(suite, pub)
            if SUITES[suite][0] in EDDSA:
                key.verify(sig, data)
            else:
                key.verify(sig, data, ec.ECDSA(ECDSA_HASH[SUITES[suite][1]]()))
            _VERIFIED[memo] = None
        except (InvalidSignature, ValueError):
            _VERIFIED[memo] = "signature does not verify"
    return _VERIFIED[memo]


def leaf_tbs(leaf, group_id, leaf_index):
    """LeafNodeTBS (7.2): the LeafNode less its signature, then group_id and leaf_index
    for the update and commit sources."""
    out = Struct(LEAF_TBS_FIELDS).enc(leaf)
    if leaf["leaf_node_source"] in (2, 3):
        out += OPAQUE.enc(group_id) + U32.enc(leaf_index)
    return out


def group_info_tbs(gi):
    return Struct(GROUP_INFO_TBS_FIELDS).enc(gi)


def key_package_tbs(kp):
    return Struct(KEY_PACKAGE_TBS_FIELDS).enc(kp)


def framed_content_tbs(wire_format, content, group_context_bytes):
    """FramedContentTBS (6.1): version, wire_format, content, then the GroupContext for
    member and new_member_commit senders."""
    out = U16.enc(1) + U16.enc(wire_format) + FRAMED_CONTENT.enc(content)
    if content["sender"]["sender_type"] in (1, 4):
        out += group_context_bytes
    return out


# ------------------------------------------------------------------ the ratchet tree
class TreeError(Exception):
    pass


class Tree:
    """A ratchet tree in array form, extended with blanks to 2^(d+1)-1 nodes (12.4.3.3).
    nodes[i] is None (blank) or the decoded Node."""

    def __init__(self, suite, nodes):
        if not nodes:
            raise TreeError("empty ratchet tree")
        if nodes[-1] is None:
            raise TreeError("last node of the ratchet tree is blank (12.4.3.3)")
        for i, n in enumerate(nodes):
            want = 1 if i % 2 == 0 else 2
            if n is not None and n["node_type"] != want:
                raise TreeError("node %d is a %s, expected a %s" % (
                    i, "leaf" if n["node_type"] == 1 else "parent", "leaf" if want == 1 else "parent"))
        width = 1
        while width < len(nodes):
            width = 2 * width + 1
        self.suite, self.nodes = suite, list(nodes) + [None] * (width - len(nodes))
        self.n_leaves = (width + 1) // 2
        self.root = root(self.n_leaves)
        self._th = {}

    def leaf(self, li):
        n = self.nodes[2 * li]
        return n and n["leaf_node"]

    def parent_node(self, x):
        n = self.nodes[x]
        return n and n["parent_node"]

    def leaves(self):
        """(leaf index, LeafNode) of the non-blank leaves."""
        return [(i // 2, n["leaf_node"]) for i, n in enumerate(self.nodes)
                if i % 2 == 0 and n is not None]

    def resolution(self, x):                                                    # 4.1.1
        n = self.nodes[x]
        if n is not None:
            if x % 2 == 0:
                return [x]
            return [x] + [2 * li for li in n["parent_node"]["unmerged_leaves"]]
        if x % 2 == 0:
            return []
        return self.resolution(left(x)) + self.resolution(right(x))

    def tree_hash(self, x, removed=frozenset()):                                # 7.8
        """Tree hash of node x; removed: leaf indices treated as blank and dropped from
        every unmerged_leaves (the 'original' tree of 7.9)."""
        key = (x, removed)
        if key in self._th:
            return self._th[key]
        n = self.nodes[x]
        if x % 2 == 0:
            li = x // 2
            leaf = None if (n is None or li in removed) else n["leaf_node"]
            data = b"\x01" + U32.enc(li) + Optional(LEAF_NODE).enc(leaf)
        else:
            p = None
            if n is not None:
                p = n["parent_node"]
                if removed:
                    p = dict(p, unmerged_leaves=[u for u in p["unmerged_leaves"] if u not in removed])
            data = (b"\x02" + Optional(PARENT_NODE).enc(p)
                    + OPAQUE.enc(self.tree_hash(left(x), removed))
                    + OPAQUE.enc(self.tree_hash(right(x), removed)))
        h = hash_of(self.suite, data)
        self._th[key] = h
        return h

    def parent_hash_of(self, p, s):                                             # 7.9
        """The parent hash of parent node p with copath child s."""
        pn = self.nodes[p]["parent_node"]
        osth = self.tree_hash(s, frozenset(pn["unmerged_leaves"]))
        return hash_of(self.suite, OPAQUE.enc(pn["encryption_key"]) + OPAQUE.enc(pn["parent_hash"])
                       + OPAQUE.enc(osth))

    def _own_parent_hash(self, d):
        if d >= len(self.nodes) or self.nodes[d] is None:    # a bad unmerged leaf
            return None
        n = self.nodes[d]
        if d % 2 == 1:
            return n["parent_node"]["parent_hash"]
        leaf = n["leaf_node"]
        return leaf["parent_hash"] if leaf["leaf_node_source"] == 3 else None

    def parent_hash_links(self, p):
        """The nodes D for which parent node p is parent-hash valid (7.9.2): D in the
        resolution of the child C, D.parent_hash = parent hash of p with copath child S,
        and p's unmerged leaves under C equal C's resolution less D."""
        unmerged = {2 * u for u in self.nodes[p]["parent_node"]["unmerged_leaves"]}
        out = []
        for c, s in ((left(p), right(p)), (right(p), left(p))):
            res = self.resolution(c)
            under = {2 * li for li in subtree_leaves(c)}
            ph = None
            for d in res:
                own = self._own_parent_hash(d)
                if own is None:
                    continue
                if ph is None:
                    ph = self.parent_hash_of(p, s)
                if own == ph and (unmerged & under) == set(res) - {d}:
                    out.append(d)
        return out


class Problem:
    def __init__(self, check, detail):
        self.check, self.detail = check, detail

    def __repr__(self):
        return "%s: %s" % (self.check, self.detail)


def check_identity(identity):
    """None if a basic credential identity is name@domain, the domain as in ENC-4
    (MLS-2). The profile sets no rule for the name beyond being non-empty."""
    name, at, dom = identity.partition(b"@")
    if not at or not name or b"@" in dom:
        return "identity %r is not name@domain" % identity
    try:
        check_domain(dom)
    except DecodeError as e:
        return "identity %r: %s" % (identity, e)
    return None


def _dups(values):
    seen, dup = set(), set()
    for v in values:
        (dup if v in seen else seen).add(v)
    return dup


def validate_tree(tree, group_id, problems, profile=True, group_context=None):
    """Every MLS-2 check of a ratchet tree: parent hashes (7.9.2), leaves (7.3:
    signatures, keys, credentials, capabilities) and unmerged leaves and key
    uniqueness (12.4.3.1). profile=False leaves out the profile's own rules
    (name@domain identities) for the working group's trees."""
    suite = tree.suite
    leaves = tree.leaves()
    # field sizes (ENC-4): HPKE keys of the KEM's size, parent hashes empty (the top
    # of a chain) or of the hash's size
    hlen, npk = SUITES[suite][2], KEM_KEY_SIZE[suite]
    for x, n in enumerate(tree.nodes):
        if n is None:
            continue
        body = n["leaf_node"] if x % 2 == 0 else n["parent_node"]
        if len(body["encryption_key"]) != npk:
            problems.append(Problem("field_size", "node %d: encryption key of %d bytes, the KEM's "
                                    "are %d" % (x, len(body["encryption_key"]), npk)))
        ph = body.get("parent_hash")
        if ph is not None and len(ph) not in (0, hlen):
            problems.append(Problem("field_size", "node %d: parent_hash of %d bytes" % (x, len(ph))))
    # leaves (7.3)
    for li, leaf in leaves:
        where = "leaf %d" % li
        p = sig_key_problem(suite, leaf["signature_key"])
        if p:
            problems.append(Problem("leaf_key", "%s: %s" % (where, p)))
            continue
        p = verify_with_label(suite, leaf["signature_key"], b"LeafNodeTBS",
                              leaf_tbs(leaf, group_id, li), leaf["signature"])
        if p:
            problems.append(Problem("leaf_signature", "%s: %s" % (where, p)))
        cred = leaf["credential"]
        caps = leaf["capabilities"]
        if profile:
            if cred["credential_type"] != 1:
                problems.append(Problem("credential", "%s: credential type %d, not basic"
                                        % (where, cred["credential_type"])))
            else:
                p = check_identity(cred["identity"])
                if p:
                    problems.append(Problem("identity", "%s: %s" % (where, p)))
        if cred["credential_type"] not in caps["credentials"]:
            problems.append(Problem("capabilities", "%s: own credential type %d not in its "
                                    "capabilities" % (where, cred["credential_type"])))
        if 1 not in caps["versions"]:
            problems.append(Problem("capabilities", "%s: capabilities lack mls10" % where))
        if suite not in caps["cipher_suites"]:
            problems.append(Problem("capabilities", "%s: capabilities lack suite %d" % (where, suite)))
        for e in leaf["extensions"]:
            if e["extension_type"] not in caps["extensions"]:
                problems.append(Problem("capabilities", "%s: extension %d not in its capabilities"
                                        % (where, e["extension_type"])))
        if _dups(e["extension_type"] for e in leaf["extensions"]):
            problems.append(Problem("extensions", "%s: duplicate extension type" % where))
    creds = {leaf["credential"]["credential_type"] for _, leaf in leaves}
    for li, leaf in leaves:
        missing = creds - set(leaf["capabilities"]["credentials"])
        if missing:
            problems.append(Problem("capabilities", "leaf %d does not support credential types "
                                    "%s of other members" % (li, sorted(missing))))
    if group_context is not None:
        _check_group_capabilities(leaves, group_context, problems)
    # uniqueness (7.3, 12.4.3.1)
    sig_dups = _dups(leaf["signature_key"] for _, leaf in leaves)
    if sig_dups:
        problems.append(Problem("duplicate_key", "signature key shared by several leaves"))
    enc = [leaf["encryption_key"] for _, leaf in leaves]
    enc += [tree.nodes[x]["parent_node"]["encryption_key"] for x in range(1, len(tree.nodes), 2)
            if tree.nodes[x] is not None]
    if _dups(enc):
        problems.append(Problem("duplicate_key", "encryption key shared by several nodes"))
    # unmerged leaves (12.4.3.1)
    for x in range(1, len(tree.nodes), 2):
        pn = tree.parent_node(x)
        if pn is None:
            continue
        under = set(subtree_leaves(x))
        for u in pn["unmerged_leaves"]:
            if u not in under or u >= tree.n_leaves or tree.leaf(u) is None:
                problems.append(Problem("unmerged", "node %d: unmerged leaf %d is not a non-blank "
                                        "leaf below it" % (x, u)))
                continue
            y = 2 * u
            while True:                                    # every non-blank node in between
                k = level(y)
                y = (y | (1 << k)) ^ (((y >> (k + 1)) & 1) << (k + 1))
                if y == x:
                    break
                mid = tree.parent_node(y)
                if mid is not None and u not in mid["unmerged_leaves"]:
                    problems.append(Problem("unmerged", "node %d lists unmerged leaf %d but node "
                                            "%d below it does not" % (x, u, y)))
        if _dups(pn["unmerged_leaves"]):
            problems.append(Problem("unmerged", "node %d lists an unmerged leaf twice" % x))
    # parent hashes (7.9.2): each non-blank parent has exactly one valid descendant link
    for x in range(1, len(tree.nodes), 2):
        if tree.nodes[x] is None:
            continue
        links = tree.parent_hash_links(x)
        if len(links) != 1:
            problems.append(Problem("parent_hash", "node %d is parent-hash valid w.r.t. %d "
                                    "descendants %s, not exactly one" % (x, len(links), links)))
    return problems


def _check_group_capabilities(leaves, gc, problems):
    """7.3: every leaf supports the group's required_capabilities and its non-default
    GroupContext extensions (12.1.7, 11.1)."""
    need_ext = {e["extension_type"] for e in gc["extensions"]} - DEFAULT_EXTENSIONS
    need_prop, need_cred = set(), set()
    for e in gc["extensions"]:
        if e["extension_type"] == EXT_REQUIRED_CAPABILITIES:
            try:
                rc = decode(REQUIRED_CAPABILITIES, e["extension_data"])
            except DecodeError as ex:
                problems.append(Problem("extensions", "required_capabilities: %s" % ex))
                continue
            need_ext |= set(rc["extension_types"]) - DEFAULT_EXTENSIONS
            need_prop |= set(rc["proposal_types"]) - DEFAULT_PROPOSALS
            need_cred |= set(rc["credential_types"])
    for li, leaf in leaves:
        c = leaf["capabilities"]
        miss = (need_ext - set(c["extensions"])) | (need_prop - set(c["proposals"])) \
            | (need_cred - set(c["credentials"]))
        if miss:
            problems.append(Problem("capabilities", "leaf %d lacks the group's required types %s"
                                    % (li, sorted(miss))))


def parse_tree(suite, nodes, problems):
    try:
        return Tree(suite, nodes)
    except TreeError as e:
        problems.append(Problem("tree", str(e)))
        return None


def validate_state(gi, tree_nodes, suite, group_id=None, epoch=None, profile=True):
    """MLS-2: every check of a GroupInfo and its ratchet tree that needs no secret.
    tree_nodes: the explicit tree (a decoded ratchet_tree), or [] to take the GroupInfo's
    ratchet_tree extension. Returns (problems, tree)."""
    problems = []
    gc = gi["group_context"]
    if gc["version"] != 1:
        problems.append(Problem("version", "GroupContext version %d, not mls10" % gc["version"]))
    if gc["cipher_suite"] != suite:
        problems.append(Problem("suite", "GroupContext suite %d, expected %d" % (gc["cipher_suite"], suite)))
        return problems, None
    if group_id is not None and gc["group_id"] != group_id:
        problems.append(Problem("group_id", "GroupContext group_id %s, expected %s"
                                % (gc["group_id"].hex(), group_id.hex())))
    if epoch is not None and gc["epoch"] != epoch:
        problems.append(Problem("epoch", "GroupContext epoch %d, expected %d" % (gc["epoch"], epoch)))
    hlen = SUITES[suite][2]
    if not 1 <= len(gc["group_id"]) <= 255:                  # ENC-4
        problems.append(Problem("field_size", "group_id of %d bytes, not 1..255" % len(gc["group_id"])))
    for name, v in (("tree_hash", gc["tree_hash"]),
                    ("confirmed_transcript_hash", gc["confirmed_transcript_hash"]),
                    ("confirmation_tag", gi["confirmation_tag"])):
        if len(v) != hlen and not (name == "confirmed_transcript_hash" and gc["epoch"] == 0 and not v):
            # RFC 9420 11: a new group's confirmed transcript hash is empty
            problems.append(Problem("field_size", "%s of %d bytes, the suite's hash has %d"
                                    % (name, len(v), hlen)))
    for where, exts in (("GroupContext", gc["extensions"]), ("GroupInfo", gi["extensions"])):
        if _dups(e["extension_type"] for e in exts):
            problems.append(Problem("extensions", "%s: duplicate extension type" % where))
    ext_trees = [e for e in gi["extensions"] if e["extension_type"] == EXT_RATCHET_TREE]
    if ext_trees:
        try:
            ext_nodes = decode(RATCHET_TREE, ext_trees[0]["extension_data"])
        except DecodeError as e:
            problems.append(Problem("ext_tree", "ratchet_tree extension does not decode: %s" % e))
            return problems, None
        if tree_nodes and RATCHET_TREE.enc(tree_nodes) != RATCHET_TREE.enc(ext_nodes):
            problems.append(Problem("ext_tree", "ratchet_tree extension differs from the explicit tree "
                                    "(MLS-1)"))
        if not tree_nodes:
            tree_nodes = ext_nodes
    tree = parse_tree(suite, tree_nodes, problems)
    if tree is None:
        return problems, None
    th = tree.tree_hash(tree.root)
    if th != gc["tree_hash"]:
        problems.append(Problem("tree_hash", "tree hash of the root %s != GroupContext.tree_hash %s"
                                % (th.hex()[:16], gc["tree_hash"].hex()[:16])))
    validate_tree(tree, gc["group_id"], problems, profile, gc)
    signer = gi["signer"]
    leaf = tree.leaf(signer) if signer < tree.n_leaves else None
    if leaf is None:
        problems.append(Problem("group_info_signature", "signer %d is not a non-blank leaf" % signer))
    else:
        p = verify_with_label(suite, leaf["signature_key"], b"GroupInfoTBS", group_info_tbs(gi),
                              gi["signature"])
        if p:
            problems.append(Problem("group_info_signature", "GroupInfo under leaf %d: %s" % (signer, p)))
    return problems, tree


def members(tree):
    """MLS-3: identity -> [(leaf index, signature key)] of the non-blank leaves."""
    out = {}
    for li, leaf in tree.leaves():
        c = leaf["credential"]
        if c["credential_type"] == 1:
            out.setdefault(c["identity"], []).append((li, leaf["signature_key"]))
    return out


def verify_public_message(msg, suite, group_context_bytes, pub):
    """Problem string or None: a PublicMessage's signature over FramedContentTBS (6.1)."""
    pm = msg["public_message"]
    return verify_with_label(suite, pub, b"FramedContentTBS",
                             framed_content_tbs(1, pm["content"], group_context_bytes),
                             pm["signature"])


def decode_state(data):
    """A MigrationContent.group_state of profile v2 (MLS-1): the decoded
    MigrationGroupState, which must have version 2."""
    gs = decode(MIGRATION_GROUP_STATE, data)
    if gs["version"] != 2:
        raise DecodeError("ENC-4", "MigrationGroupState version %d, not 2" % gs["version"], kind="int")
    return gs


def state_version(data):
    """The uint16 version that opens a group_state (1: profile v1, 2: MigrationGroupState)."""
    return int.from_bytes(data[:2], "big") if len(data) >= 2 else None


# ------------------------------------------------------------------ CommitBundles (MLS-4)
class State:
    """A group's public state at one epoch: its GroupInfo and ratchet tree."""

    def __init__(self, gi, tree):
        self.gi, self.tree = gi, tree
        self.gc = gi["group_context"]
        self.epoch, self.group_id = self.gc["epoch"], self.gc["group_id"]

    def members(self):
        return members(self.tree)

    def group_context_bytes(self):
        return GROUP_CONTEXT.enc(self.gc)


def state_of(gi, tree_nodes, suite, group_id=None, epoch=None, profile=True):
    """(problems, State or None) for a GroupInfo and tree passing MLS-2."""
    problems, tree = validate_state(gi, tree_nodes, suite, group_id, epoch, profile)
    return problems, (State(gi, tree) if tree is not None and not problems else None)


def commit_frame(msg):
    """The framing of a Commit's MLSMessage: (group_id, epoch, content_type, aad)."""
    if msg["wire_format"] == 1:
        c = msg["public_message"]["content"]
        return c["group_id"], c["epoch"], c["content_type"], c["authenticated_data"]
    if msg["wire_format"] == 2:
        p = msg["private_message"]
        return p["group_id"], p["epoch"], p["content_type"], p["authenticated_data"]
    return None


def check_commit_bundle(cb, suite, group_id, epoch, sender, prev=None, profile=True):
    """MLS-4 for a decoded CommitBundle sent by `sender` (bytes) for the group at
    `epoch`: the commit's framing, the new state (MLS-2 at epoch + 1), the signer's
    identity; with prev (the State at epoch) also membership and the PublicMessage
    signature under the current GroupContext. Returns (problems, new State or None,
    notes): notes say what could not be checked."""
    problems, notes = [], []
    frame = commit_frame(cb["commit"])
    if frame is None:
        problems.append(Problem("commit_framing", "commit wire_format %d, not Public/PrivateMessage"
                                % cb["commit"]["wire_format"]))
        return problems, None, notes
    gid, ep, ct, _ = frame
    if gid != group_id:
        problems.append(Problem("commit_framing", "commit names another group"))
    if ep != epoch:
        problems.append(Problem("commit_epoch", "commit epoch %d, group at %d" % (ep, epoch)))
    if ct != 3:
        problems.append(Problem("commit_framing", "content_type %d, not commit" % ct))
    if cb["welcome"] is not None and cb["welcome"]["wire_format"] != 3:
        problems.append(Problem("welcome", "welcome has wire_format %d" % cb["welcome"]["wire_format"]))
    p, new = state_of(cb["group_info"], cb["ratchet_tree"], suite, group_id, epoch + 1, profile)
    problems += p
    if new is not None:
        leaf = new.tree.leaf(new.gi["signer"])
        ident = leaf["credential"].get("identity")
        if ident != sender:
            problems.append(Problem("signer", "GroupInfo signer leaf %d is %r, the sender is %r"
                                    % (new.gi["signer"], ident, sender)))
    external = (cb["commit"]["wire_format"] == 1
                and cb["commit"]["public_message"]["content"]["sender"]["sender_type"] == 4)
    if prev is None:
        notes.append("no state of epoch %d: membership and the commit's signature not checked" % epoch)
        return problems, new, notes
    mem = prev.members()
    if not external and sender not in mem:
        problems.append(Problem("not_member", "sender %r is not a member at epoch %d" % (sender, epoch)))
    if cb["commit"]["wire_format"] == 1:
        fc = cb["commit"]["public_message"]["content"]
        st = fc["sender"]["sender_type"]
        key = None
        if st == 1:
            li = fc["sender"]["leaf_index"]
            lf = prev.tree.leaf(li) if li < prev.tree.n_leaves else None
            if lf is None:
                problems.append(Problem("commit_signature", "sender leaf %d is blank" % li))
            else:
                key = lf["signature_key"]
                if lf["credential"].get("identity") != sender:
                    problems.append(Problem("not_member", "commit sender leaf %d is not %r" % (li, sender)))
        elif st == 4:
            path = fc["commit"]["path"]
            if path is None:
                problems.append(Problem("commit_signature", "external commit without a path"))
            else:
                key = path["leaf_node"]["signature_key"]
        else:
            problems.append(Problem("commit_framing", "commit from sender type %d" % st))
        if key is not None:
            p = verify_public_message(cb["commit"], suite, prev.group_context_bytes(), key)
            if p:
                problems.append(Problem("commit_signature", "PublicMessage: %s" % p))
    else:
        notes.append("PrivateMessage commit: its signature is encrypted")
    return problems, new, notes


# ------------------------------------------------------------------ Envelope bodies of profile v2
GROUP_INFO_REQUEST = Struct([("group_id", OPAQUE)])                             # section 8


def _flat_frame(msg, out):
    """The framing of an MLSMessage, flat, as the v1 checks read it."""
    out["wire_format"] = msg["wire_format"]
    f = commit_frame(msg)
    if f is not None:
        out["group_id"], out["epoch"], out["content_type"], out["authenticated_data"] = f
    return out


def decode_v2_body(msg_type, body):
    """The body of a profile v2 Envelope (section 8): migration_commit(8) and
    commit_bundle(10) a CommitBundle, mls_message(9) and welcome(11) an MLSMessage,
    group_info_request(12) a group_id, group_info(13) a PublicGroupState. CommitBundles
    and MLSMessages get their commit's framing as flat fields too."""
    if msg_type in (8, 10):
        cb = decode(COMMIT_BUNDLE, body)
        return _flat_frame(cb["commit"], {"bundle": cb, "commit_bytes": MLS_MESSAGE.enc(cb["commit"])})
    if msg_type in (9, 11):
        msg = decode(MLS_MESSAGE, body)
        if msg_type == 11 and msg["wire_format"] != 3:
            raise DecodeError("ENC-4", "welcome envelope with wire_format %d" % msg["wire_format"],
                              kind="int")
        return _flat_frame(msg, {"message": msg})
    if msg_type == 12:
        return decode(GROUP_INFO_REQUEST, body)
    return decode(PUBLIC_GROUP_STATE, body)


def encode_v2_body(msg_type, msg):
    if msg_type in (8, 10):
        cb = msg["bundle"]
        if "authenticated_data" in msg and cb["commit"]["wire_format"] in (1, 2):   # a flat edit
            c = cb["commit"]
            inner = c["public_message"]["content"] if c["wire_format"] == 1 else c["private_message"]
            inner["authenticated_data"] = msg["authenticated_data"]
        return COMMIT_BUNDLE.enc(cb)
    if msg_type in (9, 11):
        return MLS_MESSAGE.enc(msg["message"])
    if msg_type == 12:
        return GROUP_INFO_REQUEST.enc(msg)
    return PUBLIC_GROUP_STATE.enc(msg)


def tree_of(gi, nodes):
    """The explicit tree, or the GroupInfo's ratchet_tree extension when it is empty."""
    if nodes:
        return nodes
    for e in gi["extensions"]:
        if e["extension_type"] == EXT_RATCHET_TREE:
            return decode(RATCHET_TREE, e["extension_data"])
    return []

"""Shared pieces of the independent verifiers (profile v1): wire codec and crypto.

Written from the profile (/work/shared/spec/profile.md), the draft's messages
(protocol.md), RFC 9420, docs/actors.md and vectors/README.md only; no mlsmig
C source was read. Used by verify_transcript.py and verify_vectors.py.
Needs Debian's python3-cryptography: run with /usr/bin/python3.
"""
import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

# suite -> (signature scheme, hash name, hash length)  (SUITE-1)
SUITES = {1: ("ed25519", "sha256", 32), 2: ("p256", "sha256", 32),
          3: ("ed25519", "sha256", 32), 4: ("ed448", "sha512", 64),
          5: ("p521", "sha512", 64), 6: ("ed448", "sha512", 64),
          7: ("p384", "sha384", 48)}
CURVES = {"p256": (ec.SECP256R1, 32), "p384": (ec.SECP384R1, 48), "p521": (ec.SECP521R1, 66)}
ECDSA_HASH = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
EDDSA = {"ed25519": (ed25519.Ed25519PublicKey, 32, 64), "ed448": (ed448.Ed448PublicKey, 57, 114)}
MSG_TYPES = {1: "migration_request", 2: "migration_response", 3: "migration_init",
             4: "migration_content", 5: "target_migration_complete",
             6: "migration_confirmation", 7: "migration_error", 8: "migration_commit",
             9: "mls_message"}
ERRORS = ["malformed", "unsupported_ciphersuite", "bad_signature", "unknown_nonce",
          "nonce_reused", "nonce_expired", "wrong_domain", "unknown_group", "group_exists",
          "stale_epoch", "bad_commit", "not_member", "unauthorized", "hash_mismatch",
          "busy", "group_migrated", "internal", "bad_group_state"]  # codes 1..18
MAX_STATE = 256 * 1024 * 1024                             # ENC-4 default bound
REFHASH_LABEL = b"MLS 1.0 MigrationContent Reference"    # HASH-1, label used as given
LABELS = {2: b"MigrationResponseTBS", 3: b"MigrationInitTBS", 4: b"MigrationContentTBS",
          5: b"TargetMigrationCompleteTBS", 6: b"MigrationConfirmationTBS"}


# ---------------------------------------------------------------- wire codec
class DecodeError(Exception):
    """rule: the profile rule broken (ENC-1, ENC-2, ENC-4). kind: finer class of the
    problem (pastend, trailing, nonminimal, reserved, domain, gid, hash, siglen, der,
    state, utf8, int, identity, detail_len). basis: None when the limit is the
    profile's or docs/actors.md's, else where the limit comes from."""

    def __init__(self, rule, msg, kind=None, basis=None):
        super().__init__(msg)
        self.rule, self.kind, self.basis = rule, kind, basis


class Reader:
    """Bounds-checked reader over one container (ENC-1, ENC-2)."""

    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise DecodeError("ENC-2", "need %d bytes at offset %d, only %d left"
                              % (n, self.pos, len(self.data) - self.pos), kind="pastend")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, n):
        return int.from_bytes(self.take(n), "big")

    def varint(self):
        first = self.uint(1)
        prefix = first >> 6
        if prefix == 3:
            raise DecodeError("ENC-1", "varint prefix 0b11 at offset %d" % (self.pos - 1),
                              kind="reserved")
        value = first & 0x3F
        for _ in range((1 << prefix) - 1):
            value = (value << 8) | self.uint(1)
        if (prefix == 1 and value < 64) or (prefix == 2 and value < 16384):
            raise DecodeError("ENC-1", "non-minimal varint %d in %d bytes" % (value, 1 << prefix),
                              kind="nonminimal")
        return value

    def vec(self):
        return self.take(self.varint())

    def rest(self):
        return self.take(len(self.data) - self.pos)

    def end(self):
        if self.pos != len(self.data):
            raise DecodeError("ENC-2", "%d trailing bytes" % (len(self.data) - self.pos), kind="trailing")


def varint(n):
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return (n | 0x4000).to_bytes(2, "big")
    if n < 1 << 30:
        return (n | 0x80000000).to_bytes(4, "big")
    raise ValueError("length above 2^30-1")


def vec(b):
    return varint(len(b)) + bytes(b)


# ------------------------------------------------------------ field limits (ENC-4)
def check_domain(b):
    if not 1 <= len(b) <= 253:
        raise DecodeError("ENC-4", "domain name of %d bytes" % len(b), kind="domain")
    for label in b.split(b"."):
        ok = (1 <= len(label) <= 63 and all(c in b"abcdefghijklmnopqrstuvwxyz0123456789-" for c in label)
              and label[:1] != b"-" and label[-1:] != b"-")
        if not ok:
            raise DecodeError("ENC-4", "domain name %r is not lowercase LDH" % b, kind="domain")


def check_der(sig):
    """Strict DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }, minimal, positive."""
    def tlv(r, tag):
        if r.uint(1) != tag:
            raise DecodeError("ENC-4", "unexpected DER tag", kind="der")
        n = r.uint(1)
        if n == 0x81 and r.data[r.pos:r.pos + 1] >= b"\x80":
            n = r.uint(1)
        elif n >= 0x80:
            raise DecodeError("ENC-4", "DER length form 0x%02x" % n, kind="der")
        return r.take(n)
    try:
        r = Reader(sig)
        inner = Reader(tlv(r, 0x30))
        r.end()
        for _ in range(2):
            v = tlv(inner, 0x02)
            if not v or v[0] & 0x80 or (len(v) > 1 and v[0] == 0 and not v[1] & 0x80) or not any(v):
                raise DecodeError("ENC-4", "INTEGER not minimal and positive", kind="der")
        inner.end()
    except DecodeError as e:
        raise DecodeError("ENC-4", "bad DER ECDSA signature: %s" % e, kind="der")


def field(kind, r, suite, max_state=MAX_STATE):
    """Decode one field of a schema (see encode_field for the inverse).
    max_state is the group_state bound of ENC-4 (default 256 MiB)."""
    scheme, _, hlen = SUITES[suite]
    if kind in ("u8", "u16", "u32", "u64"):
        return r.uint(int(kind[1:]) // 8)
    if kind == "nonce":                                   # uint8 nonce[32]
        return r.take(32)
    if isinstance(kind, str) and kind in STRICT_INTS:      # enumerated (strict schemas)
        size, lo, hi, what = STRICT_INTS[kind]
        v = r.uint(size)
        if not lo <= v <= hi:
            raise DecodeError("ENC-4", "%s %d outside %d..%d" % (what, v, lo, hi), kind="int")
        return v
    if isinstance(kind, tuple):                           # ("list", schema): vector of structs
        sub, items = Reader(r.vec()), []
        while sub.pos < len(sub.data):
            items.append(decode(kind[1], sub, suite, max_state))
        return items
    if isinstance(kind, list):                            # nested struct
        return decode(kind, r, suite, max_state)
    b = r.vec()
    if kind == "domain":
        check_domain(b)
    elif kind == "gid" and not 1 <= len(b) <= 255:
        raise DecodeError("ENC-4", "group_id of %d bytes" % len(b), kind="gid")
    elif kind == "hash" and len(b) != hlen:
        raise DecodeError("ENC-4", "hash of %d bytes, suite needs %d" % (len(b), hlen),
                          kind="hash")
    elif kind == "state" and len(b) > max_state:
        raise DecodeError("ENC-4", "group_state above the bound", kind="state")
    elif kind == "identity":
        check_identity(b)
    elif kind == "detail":
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("ENC-4", "detail is not UTF-8", kind="utf8")
        if len(b) > MAX_DETAIL:
            raise DecodeError("ENC-4", "detail of %d bytes, above %d" % (len(b), MAX_DETAIL),
                              kind="detail_len", basis=MAX_DETAIL_BASIS)
    elif kind == "utf8":
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("ENC-4", "detail is not UTF-8", kind="utf8")
    elif kind == "sig":
        if scheme in EDDSA:
            if len(b) != EDDSA[scheme][2]:
                raise DecodeError("ENC-4", "%s signature of %d bytes" % (scheme, len(b)),
                                  kind="siglen")
        else:
            check_der(b)
    return b


def decode(schema, r, suite, max_state=MAX_STATE):
    start, out = r.pos, {}
    for name, kind in schema:
        out[name] = field(kind, r, suite, max_state)
    out["_raw"] = r.data[start:r.pos]                     # bytes exactly as sent
    return out


def encode_field(kind, v):
    if kind in ("u8", "u16", "u32", "u64"):
        return v.to_bytes(int(kind[1:]) // 8, "big")
    if isinstance(kind, str) and kind in STRICT_INTS:
        return v.to_bytes(STRICT_INTS[kind][0], "big")
    if kind == "nonce":
        return bytes(v)
    if isinstance(kind, tuple):
        return vec(b"".join(encode(kind[1], item) for item in v))
    if isinstance(kind, list):
        return encode(kind, v)
    return vec(v)


def encode(schema, value):
    return b"".join(encode_field(kind, value[name]) for name, kind in schema)


REQUEST = [("source_domain_name", "domain"), ("target_domain_name", "domain"),
           ("group_id", "gid"), ("epoch", "u64")]
RESPONSE = [("migration_request", REQUEST), ("nonce", "nonce"), ("signature", "sig")]
INIT = [("migration_response", RESPONSE), ("signature", "sig")]
CONTENT = [("migration_response", RESPONSE), ("group_state", "state"), ("signature", "sig")]
TMC = [("migration_content_hash", "hash"), ("signature", "sig")]
CONFIRMATION = [("domain_name", "domain"), ("nonce", "nonce"), ("group_id", "gid"),
                ("signature", "sig")]
ERROR = [("code", "u16"), ("detail", "utf8")]
COMMIT_AAD = [("target_ds_domain", "domain")]
MEMBER = [("identity", "opaque"), ("leaf_index", "u32"), ("signature_key", "opaque")]
GROUP_STATE = [("version", "u16"), ("cipher_suite", "u16"), ("group_id", "gid"), ("epoch", "u64"),
               ("members", ("list", MEMBER)), ("ds_payload", "opaque")]
ENVELOPE = [("msg_type", "u8"), ("cipher_suite", "u16"), ("sender", "opaque"), ("body", "opaque")]
BODY = {1: REQUEST, 2: RESPONSE, 3: INIT, 4: CONTENT, 5: TMC, 6: CONFIRMATION, 7: ERROR}


def decode_all(schema, data, suite, max_state=MAX_STATE):
    r = Reader(data)
    out = decode(schema, r, suite, max_state)
    r.end()
    return out


# MLSMessage framing (RFC 9420 section 6): only the framing is read.
def decode_mls(data):
    r, m = Reader(data), {}
    m["version"], m["wire_format"] = r.uint(2), r.uint(2)
    if m["version"] != 1:
        raise DecodeError("ENC-4", "MLSMessage version %d" % m["version"], kind="int")
    if m["wire_format"] == 1:                             # PublicMessage
        m["group_id"], m["epoch"], m["sender_type"] = r.vec(), r.uint(8), r.uint(1)
        if m["sender_type"] in (1, 2):
            m["sender_index"] = r.uint(4)
        elif m["sender_type"] not in (3, 4):
            raise DecodeError("ENC-4", "sender_type %d" % m["sender_type"], kind="int")
        m["authenticated_data"], m["content_type"] = r.vec(), r.uint(1)
        m["rest"] = r.rest()                              # content and auth: not parsed
    elif m["wire_format"] == 2:                           # PrivateMessage
        m["group_id"], m["epoch"], m["content_type"] = r.vec(), r.uint(8), r.uint(1)
        m["authenticated_data"], m["encrypted_sender_data"] = r.vec(), r.vec()
        m["ciphertext"] = r.vec()
        r.end()
    else:
        m["rest"] = r.rest()                              # Welcome etc.: opaque here
    return m


def encode_mls(m):
    out = m["version"].to_bytes(2, "big") + m["wire_format"].to_bytes(2, "big")
    if m["wire_format"] == 1:
        out += vec(m["group_id"]) + m["epoch"].to_bytes(8, "big") + bytes([m["sender_type"]])
        if "sender_index" in m:
            out += m["sender_index"].to_bytes(4, "big")
        return out + vec(m["authenticated_data"]) + bytes([m["content_type"]]) + m["rest"]
    if m["wire_format"] == 2:
        return out + vec(m["group_id"]) + m["epoch"].to_bytes(8, "big") + bytes([m["content_type"]]) \
            + vec(m["authenticated_data"]) + vec(m["encrypted_sender_data"]) + vec(m["ciphertext"])
    return out + m["rest"]


def decode_envelope(data, suite):
    """Decode an Envelope and its body. The body is decoded with the transcript's
    suite so that a wrong envelope suite is reported as SUITE-2, not as ENC-4."""
    env = decode_all(ENVELOPE, data, 1)
    if env["msg_type"] not in MSG_TYPES:
        raise DecodeError("ENC-4", "unknown msg_type %d" % env["msg_type"], kind="int")
    env["msg"] = decode_body(env["msg_type"], env["body"], suite)
    return env


def decode_body(msg_type, body, suite):
    return decode_mls(body) if msg_type in (8, 9) else decode_all(BODY[msg_type], body, suite)


def encode_body(msg_type, msg):
    return encode_mls(msg) if msg_type in (8, 9) else encode(BODY[msg_type], msg)


def encode_envelope(env):
    return encode(ENVELOPE, dict(env, body=encode_body(env["msg_type"], env["msg"])))


# ---------------------------------------------------------------- crypto
def sign_content(label, content):                        # RFC 9420 5.1.2
    return vec(b"MLS 1.0 " + label) + vec(content)


def ref_hash(suite, label, value):                       # RFC 9420 5.2
    return hashlib.new(SUITES[suite][1], vec(label) + vec(value)).digest()


def key_problem(suite, pub):
    """None if pub is a well-formed public key of the suite's scheme (SUITE-1)."""
    scheme = SUITES[suite][0]
    if scheme in EDDSA:
        return None if len(pub) == EDDSA[scheme][1] else "%s key of %d bytes" % (scheme, len(pub))
    curve, size = CURVES[scheme]
    if len(pub) != 1 + 2 * size or pub[0] != 4:
        return "not an uncompressed %s SEC1 point" % scheme
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(curve(), pub)
    except ValueError:
        return "point not on %s" % scheme
    return None


def verify_sig(suite, pub, label, tbs, sig):
    scheme, hname, _ = SUITES[suite]
    if key_problem(suite, pub):
        return False
    data = sign_content(label, tbs)
    try:
        if scheme in EDDSA:
            EDDSA[scheme][0].from_public_bytes(pub).verify(sig, data)
        else:
            key = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[scheme][0](), pub)
            key.verify(sig, data, ec.ECDSA(ECDSA_HASH[hname]()))
        return True
    except (InvalidSignature, ValueError):
        return False


def tbs(schema, msg):
    """The message serialized without its final signature field."""
    return encode(schema[:-1], msg)


# ------------------------------------------------- strict schemas (used by verify_vectors.py)
# Limits of the Envelope and MigrationError that the profile leaves to the
# implementation, as docs/actors.md ("Choices the profile leaves open") fixes
# them: msg_type one of section 8's values, code 1..18, Envelope.sender a domain
# or name@domain with name 1..64 bytes of [a-z0-9._-]. cipher_suite 0 is RFC
# 9420's reserved value (an unknown non-zero suite decodes: SUITE-2 rejects it).
STRICT_INTS = {"msgtype": (1, 1, 9, "msg_type"), "suite16": (2, 1, 0xFFFF, "cipher_suite"),
               "errcode": (2, 1, 18, "error code")}
# MigrationError.detail: neither the profile nor docs/actors.md bounds it; the
# vectors' README implies 1024 bytes (its DetailTooLong case has 1025).
MAX_DETAIL = 1024
MAX_DETAIL_BASIS = "vectors/README.md only (DetailTooLong); not in profile.md or docs/actors.md"
IDENT_NAME = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789._-")


def check_identity(b):
    """Envelope.sender: a domain (a DS) or name@domain (a client), docs/actors.md."""
    if b.count(b"@") == 0:
        try:
            check_domain(b)
        except DecodeError as e:
            raise DecodeError("ENC-4", "identity %r: %s" % (b, e), kind="identity")
        return
    name, _, dom = b.partition(b"@")
    if b"@" in dom or not 1 <= len(name) <= 64 or not set(name) <= IDENT_NAME:
        raise DecodeError("ENC-4", "identity %r: name is not 1..64 bytes of [a-z0-9._-]" % b,
                          kind="identity")
    try:
        check_domain(dom)
    except DecodeError as e:
        raise DecodeError("ENC-4", "identity %r: %s" % (b, e), kind="identity")


STRICT_ENVELOPE = [("msg_type", "msgtype"), ("cipher_suite", "suite16"), ("sender", "identity"),
                   ("body", "opaque")]
STRICT_ERROR = [("code", "errcode"), ("detail", "detail")]


# MLSMessage framing, strict (RFC 9420 section 6), as the JSON form of the vectors.
# Only PublicMessage (1) and PrivateMessage (2) are carried (EPOCH-2; a DS handles
# group traffic). RFC 9420 defines wire formats 3..5 (welcome, group_info,
# key_package); rejecting them as out of range rests on the vectors' README.
WIRE_FORMAT_BASIS = ("vectors/README.md (IntegerOutOfRange: wire_format); RFC 9420 defines 3..5 "
                     "(mls_welcome, mls_group_info, mls_key_package)")


def decode_mls_strict(data):
    r = Reader(data)
    version = r.uint(2)
    if version != 1:
        raise DecodeError("ENC-4", "MLSMessage version %d (mls10 = 1)" % version, kind="int")
    wf = r.uint(2)
    if wf not in (1, 2):
        raise DecodeError("ENC-4", "wire_format %d not Public/PrivateMessage" % wf, kind="int",
                          basis=WIRE_FORMAT_BASIS if 3 <= wf <= 5 else None)
    gid = r.vec()
    if not 1 <= len(gid) <= 255:
        raise DecodeError("ENC-4", "group_id of %d bytes" % len(gid), kind="gid")
    epoch = r.uint(8)

    def content_type():
        ct = r.uint(1)
        if ct not in (1, 2, 3):                           # application, proposal, commit
            raise DecodeError("ENC-4", "content_type %d" % ct, kind="int")
        return ct
    if wf == 2:
        ct = content_type()
        pm = {"group_id": gid, "epoch": epoch, "content_type": ct,
              "authenticated_data": r.vec(), "encrypted_sender_data": r.vec(), "ciphertext": r.vec()}
        r.end()
        return {"version": version, "wire_format": wf, "private_message": pm}
    st = r.uint(1)
    if st not in (1, 2, 3, 4):     # member, external, new_member_proposal, new_member_commit
        raise DecodeError("ENC-4", "sender_type %d" % st, kind="int")
    sender = {"sender_type": st}
    if st == 1:
        sender["leaf_index"] = r.uint(4)
    elif st == 2:
        sender["sender_index"] = r.uint(4)
    aad = r.vec()
    ct = content_type()
    content = {"group_id": gid, "epoch": epoch, "sender": sender, "authenticated_data": aad,
               "content_type": ct}
    return {"version": version, "wire_format": wf,
            "public_message": {"content": content, "rest": r.rest()}}


def encode_mls_strict(m):
    out = m["version"].to_bytes(2, "big") + m["wire_format"].to_bytes(2, "big")
    if m["wire_format"] == 2:
        p = m["private_message"]
        return (out + vec(p["group_id"]) + p["epoch"].to_bytes(8, "big") + bytes([p["content_type"]])
                + vec(p["authenticated_data"]) + vec(p["encrypted_sender_data"]) + vec(p["ciphertext"]))
    c = m["public_message"]["content"]
    out += vec(c["group_id"]) + c["epoch"].to_bytes(8, "big") + bytes([c["sender"]["sender_type"]])
    for k in ("leaf_index", "sender_index"):
        if k in c["sender"]:
            out += c["sender"][k].to_bytes(4, "big")
    return out + vec(c["authenticated_data"]) + bytes([c["content_type"]]) + m["public_message"]["rest"]


def mls_frame(m):
    """The framing fields of a strict-decoded MLSMessage, flat."""
    if "private_message" in m:
        return m["private_message"]
    return dict(m["public_message"]["content"])


# ------------------------------------------------- JSON form (vectors/README.md: mlsmig decode)
def to_json(v):
    """Decoded value -> JSON form: bytes as lowercase hex, nested structs as objects."""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items() if k != "_raw"}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


def from_json(schema, j):
    """JSON form -> value for encode(schema, value)."""
    out = {}
    for name, kind in schema:
        x = j[name]
        if kind in ("u8", "u16", "u32", "u64") or (isinstance(kind, str) and kind in STRICT_INTS):
            if not isinstance(x, int) or isinstance(x, bool):
                raise ValueError("%s is not an integer" % name)
            out[name] = x
        elif isinstance(kind, tuple):
            out[name] = [from_json(kind[1], item) for item in x]
        elif isinstance(kind, list):
            out[name] = from_json(kind, x)
        else:
            out[name] = bytes.fromhex(x)
    if set(j) != {n for n, _ in schema}:
        raise ValueError("fields %s, expected %s" % (sorted(j), [n for n, _ in schema]))
    return out


def mls_from_json(j):
    def hexes(d, ints):
        return {k: (v if k in ints else bytes.fromhex(v)) for k, v in d.items()}
    m = {"version": j["version"], "wire_format": j["wire_format"]}
    if "private_message" in j:
        m["private_message"] = hexes(j["private_message"], ("epoch", "content_type"))
    else:
        c = j["public_message"]["content"]
        content = hexes({k: v for k, v in c.items() if k != "sender"}, ("epoch", "content_type"))
        content["sender"] = dict(c["sender"])
        m["public_message"] = {"content": content, "rest": bytes.fromhex(j["public_message"]["rest"])}
    return m


# ------------------------------------------------- keys and signing
# Curve orders (SEC 2 / FIPS 186-4); checked against the library in curve_self_check().
CURVE_ORDER = {
    "p256": int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16),
    "p384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                "581A0DB248B0A77AECEC196ACCC52973", 16),
    "p521": int("01FF" + "FFFFFFFF" * 7 + "FFFFFFFA51868783BF2F966B7FCC0148F709A5D0"
                "3BB5C9B8899C47AEBB6FB71E91386409", 16),
}
EDDSA_PRIV = {"ed25519": (ed25519.Ed25519PrivateKey, 32), "ed448": (ed448.Ed448PrivateKey, 57)}


def _raw_pub(pub):
    from cryptography.hazmat.primitives import serialization as ser
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return pub.public_bytes(ser.Encoding.X962, ser.PublicFormat.UncompressedPoint)
    return pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)


def _private_key(suite, priv):
    scheme = SUITES[suite][0]
    if scheme in EDDSA_PRIV:
        cls, size = EDDSA_PRIV[scheme]
        if len(priv) != size:
            raise ValueError("%s private key of %d bytes, expected %d" % (scheme, len(priv), size))
        return cls.from_private_bytes(priv)
    curve, size = CURVES[scheme]
    d = int.from_bytes(priv, "big")
    if len(priv) != size:
        raise ValueError("%s private scalar of %d bytes, expected %d" % (scheme, len(priv), size))
    if not 1 <= d < CURVE_ORDER[scheme]:
        raise ValueError("%s private scalar out of range" % scheme)
    return ec.derive_private_key(d, curve())


def public_from_private(suite, priv):
    """The RFC 9420 public key format (raw EdDSA, uncompressed SEC1) of a private key."""
    return _raw_pub(_private_key(suite, priv).public_key())


def _rfc6979_k(d, n, h1, hname):
    """Deterministic ECDSA nonce, RFC 6979 section 3.2, HMAC with the suite's hash."""
    qlen = n.bit_length()
    rlen = (qlen + 7) // 8

    def bits2int(b):
        v = int.from_bytes(b, "big")
        return v >> (len(b) * 8 - qlen) if len(b) * 8 > qlen else v

    def mac(key, data):
        return hmac.new(key, data, hname).digest()
    x = d.to_bytes(rlen, "big")
    h = (bits2int(h1) % n).to_bytes(rlen, "big")
    hl = hashlib.new(hname).digest_size
    v, k = b"\x01" * hl, b"\x00" * hl
    k = mac(k, v + b"\x00" + x + h)
    v = mac(k, v)
    k = mac(k, v + b"\x01" + x + h)
    v = mac(k, v)
    while True:
        t = b""
        while len(t) * 8 < qlen:
            v = mac(k, v)
            t += v
        cand = bits2int(t)
        if 1 <= cand < n:
            return cand
        k = mac(k, v + b"\x00")
        v = mac(k, v)


def sign_with_label(suite, priv, label, tbs_bytes):
    """SignWithLabel (RFC 9420 5.1.2). EdDSA is deterministic; ECDSA uses RFC 6979
    nonces, computed here (the library's ECDSA draws random ones). Returns the
    signature and, for ECDSA, the signature with s replaced by n - s."""
    scheme, hname, _ = SUITES[suite]
    data = sign_content(label, tbs_bytes)
    key = _private_key(suite, priv)
    if scheme in EDDSA_PRIV:
        return key.sign(data), None
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    n = CURVE_ORDER[scheme]
    d = key.private_numbers().private_value
    h1 = hashlib.new(hname, data).digest()
    qlen = n.bit_length()
    e = int.from_bytes(h1, "big")
    if len(h1) * 8 > qlen:
        e >>= len(h1) * 8 - qlen
    k = _rfc6979_k(d, n, h1, hname)
    r = ec.derive_private_key(k, CURVES[scheme][0]()).public_key().public_numbers().x % n
    s = pow(k, -1, n) * (e + r * d) % n
    return encode_dss_signature(r, s), encode_dss_signature(r, n - s)


def curve_self_check():
    """The hard-coded orders are right: (n-1)G = -G has G's x coordinate."""
    for scheme, n in CURVE_ORDER.items():
        curve = CURVES[scheme][0]()
        g = ec.derive_private_key(1, curve).public_key().public_numbers()
        m = ec.derive_private_key(n - 1, curve).public_key().public_numbers()
        if g.x != m.x or g.y == m.y:
            return "curve order of %s is wrong" % scheme
    return None

"""The profile's messages that a target or a source DS reads and writes
(profile sections 1, 3 and 8), for the Ed25519/SHA-256 suites (1 and 3)
only."""
import hashlib
import re

import ed25519
from tls import Malformed, Reader, u16, u32, u64, u8, vec

SUITES = (1, 3)  # Ed25519 signatures, SHA-256 hash
NONCE_LEN, SIG_LEN, HASH_LEN = 32, 64, 32

REQUEST, RESPONSE, INIT, CONTENT, COMPLETE, CONFIRMATION, ERROR, MIGRATION_COMMIT, \
    MLS_MESSAGE = range(1, 10)
MALFORMED, UNSUPPORTED_CIPHERSUITE, BAD_SIGNATURE, UNKNOWN_NONCE, NONCE_REUSED, \
    NONCE_EXPIRED, WRONG_DOMAIN, UNKNOWN_GROUP, GROUP_EXISTS, STALE_EPOCH, BAD_COMMIT, \
    NOT_MEMBER, UNAUTHORIZED, HASH_MISMATCH, BUSY, GROUP_MIGRATED = range(1, 17)
CONTENT_COMMIT = 3  # RFC 9420 ContentType commit

_LABEL = re.compile(rb"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_NAME = re.compile(rb"^[a-z0-9._-]{1,64}$")


def domain(b):
    """ENC-4: 1..253 bytes of lowercase LDH labels, no trailing dot."""
    if not 1 <= len(b) <= 253 or not all(_LABEL.match(l) for l in b.split(b".")):
        raise Malformed("bad domain name")
    return b


def identity(b):
    if b"@" not in b:
        return domain(b)
    name, _, home = b.rpartition(b"@")
    if not _NAME.match(name):
        raise Malformed("bad identity")
    domain(home)
    return b


def group_id(b):
    if not 1 <= len(b) <= 255:
        raise Malformed("bad group id")
    return b


def envelope(data):
    r = Reader(data)
    msg_type, suite, sender, body = r.u8(), r.u16(), identity(r.vec()), r.vec()
    r.end()
    if not 1 <= msg_type <= 9:
        raise Malformed("unknown msg_type")
    return msg_type, suite, sender, body


def encode_envelope(msg_type, suite, sender, body):
    return u8(msg_type) + u16(suite) + vec(sender) + vec(body)


def _request(r):
    return {"source": domain(r.vec()), "target": domain(r.vec()),
            "group_id": group_id(r.vec()), "epoch": r.u64()}


def encode_request(q):
    return vec(q["source"]) + vec(q["target"]) + vec(q["group_id"]) + u64(q["epoch"])


def _signature(r):
    s = r.vec()
    if len(s) != SIG_LEN:
        raise Malformed("bad signature length")
    return s


def _response(r):
    start = r.pos
    q = _request(r)
    nonce = r.fixed(NONCE_LEN)
    tbs = r.data[start:r.pos]
    return {"request": q, "nonce": nonce, "tbs": tbs, "signature": _signature(r)}


def request(body):
    r = Reader(body)
    q = _request(r)
    r.end()
    return q


def content(body):
    """MigrationContent {response, group_state<V>, signature<V>}."""
    r = Reader(body)
    resp = _response(r)
    state = r.vec()
    tbs = r.data[:r.pos]
    sig = _signature(r)
    r.end()
    return {"response": resp, "group_state": state, "tbs": tbs, "signature": sig}


def group_state(data):
    """The reference GroupState of docs/actors.md."""
    r = Reader(data)
    version, suite, gid, epoch = r.u16(), r.u16(), group_id(r.vec()), r.u64()
    members, out = Reader(r.vec()), []
    while members.pos < len(members.data):
        out.append((identity(members.vec()), members.u32(), members.vec()))
    payload = r.vec()
    r.end()
    if version != 1:
        raise Malformed("unknown group state version")
    return {"suite": suite, "group_id": gid, "epoch": epoch, "members": out, "payload": payload}


def encode_group_state(g):
    members = b"".join(vec(i) + u32(leaf) + vec(k) for i, leaf, k in g["members"])
    return (u16(1) + u16(g["suite"]) + vec(g["group_id"]) + u64(g["epoch"]) + vec(members) +
            vec(g["payload"]))


def init(body):
    """MigrationInit {response, signature<V>}; tbs: the response's bytes."""
    r = Reader(body)
    resp = _response(r)
    tbs = r.data[:r.pos]
    sig = _signature(r)
    r.end()
    return {"response": resp, "tbs": tbs, "signature": sig}


def complete(body):
    """TargetMigrationComplete {migration_content_hash<V>, signature<V>}."""
    r = Reader(body)
    h = r.vec()
    tbs = r.data[:r.pos]
    sig = _signature(r)
    r.end()
    if len(h) != HASH_LEN:
        raise Malformed("bad hash length")
    return {"hash": h, "tbs": tbs, "signature": sig}


def mls_framing(data):
    """The outer fields of an MLSMessage (RFC 9420 section 6): a
    PrivateMessage {group_id, epoch, content_type, authenticated_data, ...},
    or the start of a PublicMessage's FramedContent."""
    r = Reader(data)
    if r.u16() != 1:
        raise Malformed("not MLS 1.0")
    wire_format = r.u16()
    if wire_format == 2:  # private_message
        gid, epoch, ctype, aad = group_id(r.vec()), r.u64(), r.u8(), r.vec()
        r.vec(), r.vec()
        r.end()
    elif wire_format == 1:  # public_message: group_id, epoch, sender, aad, content_type
        gid, epoch = group_id(r.vec()), r.u64()
        if r.u8() in (1, 2):
            r.u32()
        aad, ctype = r.vec(), r.u8()
    else:
        raise Malformed("not a PublicMessage or PrivateMessage")
    return {"group_id": gid, "epoch": epoch, "content_type": ctype, "aad": aad}


def commit_aad(aad):
    """MigrationCommitAAD {target_ds_domain<V>}, or None when aad is not one."""
    try:
        r = Reader(aad)
        target = domain(r.vec())
        r.end()
        return target
    except Malformed:
        return None


def sign_with_label(secret, label, content_bytes):
    """RFC 9420 section 5.1.2: SignContent {"MLS 1.0 " + label, content}."""
    return ed25519.sign(secret, vec(b"MLS 1.0 " + label) + vec(content_bytes))


def verify_with_label(public, label, content_bytes, sig):
    return ed25519.verify(public, vec(b"MLS 1.0 " + label) + vec(content_bytes), sig)


def ref_hash(label, value):
    """RFC 9420 section 5.2 with SHA-256 (HASH-1)."""
    return hashlib.sha256(vec(label) + vec(value)).digest()


def error(code, detail):
    return u16(code) + vec(detail.encode())

#!/usr/bin/python3
"""Independent verifier for mlsmig migration transcripts (profile v1).

Written from the profile (/work/shared/spec/profile.md), the draft's messages
(protocol.md), RFC 9420 and docs/actors.md only; no mlsmig C source was read.

usage: verify_transcript.py FILE|-            verify one transcript or a JSON array
       verify_transcript.py --self-test FILE|-  tamper with good transcripts and
                                                check that every tamper is caught
Exit: 0 all passed, 1 a check failed, 2 usage or I/O error.
Needs Debian's python3-cryptography: run with /usr/bin/python3.
"""
import copy
import hashlib
import json
import sys

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
          "busy", "group_migrated", "internal"]          # codes 1..17
MAX_STATE = 256 * 1024 * 1024                             # ENC-4 default bound
REFHASH_LABEL = b"MLS 1.0 MigrationContent Reference"    # HASH-1, label used as given
LABELS = {2: b"MigrationResponseTBS", 3: b"MigrationInitTBS", 4: b"MigrationContentTBS",
          5: b"TargetMigrationCompleteTBS", 6: b"MigrationConfirmationTBS"}


# ---------------------------------------------------------------- wire codec
class DecodeError(Exception):
    def __init__(self, rule, msg):
        super().__init__(msg)
        self.rule = rule


class Reader:
    """Bounds-checked reader over one container (ENC-1, ENC-2)."""

    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise DecodeError("ENC-2", "need %d bytes at offset %d, only %d left"
                              % (n, self.pos, len(self.data) - self.pos))
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, n):
        return int.from_bytes(self.take(n), "big")

    def varint(self):
        first = self.uint(1)
        prefix = first >> 6
        if prefix == 3:
            raise DecodeError("ENC-1", "varint prefix 0b11 at offset %d" % (self.pos - 1))
        value = first & 0x3F
        for _ in range((1 << prefix) - 1):
            value = (value << 8) | self.uint(1)
        if (prefix == 1 and value < 64) or (prefix == 2 and value < 16384):
            raise DecodeError("ENC-1", "non-minimal varint %d in %d bytes" % (value, 1 << prefix))
        return value

    def vec(self):
        return self.take(self.varint())

    def rest(self):
        return self.take(len(self.data) - self.pos)

    def end(self):
        if self.pos != len(self.data):
            raise DecodeError("ENC-2", "%d trailing bytes" % (len(self.data) - self.pos))


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
        raise DecodeError("ENC-4", "domain name of %d bytes" % len(b))
    for label in b.split(b"."):
        ok = (1 <= len(label) <= 63 and all(c in b"abcdefghijklmnopqrstuvwxyz0123456789-" for c in label)
              and label[:1] != b"-" and label[-1:] != b"-")
        if not ok:
            raise DecodeError("ENC-4", "domain name %r is not lowercase LDH" % b)


def check_der(sig):
    """Strict DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }, minimal, positive."""
    def tlv(r, tag):
        if r.uint(1) != tag:
            raise DecodeError("ENC-4", "unexpected DER tag")
        n = r.uint(1)
        if n == 0x81 and r.data[r.pos:r.pos + 1] >= b"\x80":
            n = r.uint(1)
        elif n >= 0x80:
            raise DecodeError("ENC-4", "DER length form 0x%02x" % n)
        return r.take(n)
    try:
        r = Reader(sig)
        inner = Reader(tlv(r, 0x30))
        r.end()
        for _ in range(2):
            v = tlv(inner, 0x02)
            if not v or v[0] & 0x80 or (len(v) > 1 and v[0] == 0 and not v[1] & 0x80) or not any(v):
                raise DecodeError("ENC-4", "INTEGER not minimal and positive")
        inner.end()
    except DecodeError as e:
        raise DecodeError("ENC-4", "bad DER ECDSA signature: %s" % e)


def field(kind, r, suite):
    """Decode one field of a schema (see encode_field for the inverse)."""
    scheme, _, hlen = SUITES[suite]
    if kind in ("u8", "u16", "u32", "u64"):
        return r.uint(int(kind[1:]) // 8)
    if kind == "nonce":                                   # uint8 nonce[32]
        return r.take(32)
    if isinstance(kind, tuple):                           # ("list", schema): vector of structs
        sub, items = Reader(r.vec()), []
        while sub.pos < len(sub.data):
            items.append(decode(kind[1], sub, suite))
        return items
    if isinstance(kind, list):                            # nested struct
        return decode(kind, r, suite)
    b = r.vec()
    if kind == "domain":
        check_domain(b)
    elif kind == "gid" and not 1 <= len(b) <= 255:
        raise DecodeError("ENC-4", "group_id of %d bytes" % len(b))
    elif kind == "hash" and len(b) != hlen:
        raise DecodeError("ENC-4", "hash of %d bytes, suite needs %d" % (len(b), hlen))
    elif kind == "state" and len(b) > MAX_STATE:
        raise DecodeError("ENC-4", "group_state above the bound")
    elif kind == "utf8":
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("ENC-4", "detail is not UTF-8")
    elif kind == "sig":
        if scheme in EDDSA:
            if len(b) != EDDSA[scheme][2]:
                raise DecodeError("ENC-4", "%s signature of %d bytes" % (scheme, len(b)))
        else:
            check_der(b)
    return b


def decode(schema, r, suite):
    start, out = r.pos, {}
    for name, kind in schema:
        out[name] = field(kind, r, suite)
    out["_raw"] = r.data[start:r.pos]                     # bytes exactly as sent
    return out


def encode_field(kind, v):
    if kind in ("u8", "u16", "u32", "u64"):
        return v.to_bytes(int(kind[1:]) // 8, "big")
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


def decode_all(schema, data, suite):
    r = Reader(data)
    out = decode(schema, r, suite)
    r.end()
    return out


# MLSMessage framing (RFC 9420 section 6): only the framing is read.
def decode_mls(data):
    r, m = Reader(data), {}
    m["version"], m["wire_format"] = r.uint(2), r.uint(2)
    if m["version"] != 1:
        raise DecodeError("ENC-4", "MLSMessage version %d" % m["version"])
    if m["wire_format"] == 1:                             # PublicMessage
        m["group_id"], m["epoch"], m["sender_type"] = r.vec(), r.uint(8), r.uint(1)
        if m["sender_type"] in (1, 2):
            m["sender_index"] = r.uint(4)
        elif m["sender_type"] not in (3, 4):
            raise DecodeError("ENC-4", "sender_type %d" % m["sender_type"])
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
        raise DecodeError("ENC-4", "unknown msg_type %d" % env["msg_type"])
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


# ---------------------------------------------------------------- transcript checks
class Report:
    def __init__(self, label):
        self.label, self.failures, self.checks = label, [], 0

    def check(self, rule, ok, where, detail):
        self.checks += 1
        if not ok:
            self.failures.append((rule, where, detail))
        return ok

    def rules(self):
        return {f[0] for f in self.failures}


def verify_transcript(t):
    rep = Report("suite %s seed %s" % (t.get("cipher_suite"), t.get("seed")))
    try:
        _verify(t, rep)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        rep.check("TRANSCRIPT", False, "-", "malformed transcript: %r" % e)
    return rep


def step_of(m):
    return "step %s" % m["step"]


def _verify(t, rep):
    suite = t["cipher_suite"]
    if not rep.check("SUITE-1", suite in SUITES, "-", "unknown cipher suite %r" % suite):
        return
    keys = {k: bytes.fromhex(v) for k, v in t["keys"].items()}
    members = {k: v for k, v in keys.items() if "@" in k}
    gid, epoch = bytes.fromhex(t["group_id"]), t["epoch"]
    for name, pub in keys.items():
        problem = key_problem(suite, pub)
        rep.check("SUITE-1", problem is None, "keys", "%s: %s" % (name, problem))

    # every envelope: ENC-1..4, SUITE-2, type name, verdict
    msgs, steps = [], [m["step"] for m in t["messages"]]
    rep.check("TRANSCRIPT", steps == sorted(set(steps)), "-", "steps not strictly increasing")
    for m in sorted(t["messages"], key=lambda m: m["step"]):
        where = "step %s (%s)" % (m["step"], m["type"])
        raw = bytes.fromhex(m["envelope"])
        try:
            env = decode_envelope(raw, suite)
        except DecodeError as e:
            rep.check(e.rule, False, where, "envelope does not decode: %s" % e)
            continue
        rep.check("ENC-3", encode_envelope(env) == raw, where, "re-encoding differs")
        rep.check("SUITE-2", env["cipher_suite"] == suite, where,
                  "envelope suite %d, transcript suite %d" % (env["cipher_suite"], suite))
        rep.check("SUITE-2", env["sender"] == m["from"].encode(), where,
                  "envelope sender %r != from %r" % (env["sender"], m["from"]))
        rep.check("TRANSCRIPT", MSG_TYPES[env["msg_type"]] == m["type"], where,
                  "msg_type %d is not %s" % (env["msg_type"], m["type"]))
        rep.check("TRANSCRIPT", m["verdict"] == "accepted" or m["verdict"] in ERRORS, where,
                  "unknown verdict %r" % m["verdict"])
        msgs.append((m, env))

    def all_of(msg_type, pred=lambda m, e: True):
        return [(m, e) for m, e in msgs if e["msg_type"] == msg_type and pred(m, e)]

    def first(msg_type, pred=lambda m, e: True):
        found = [x for x in all_of(msg_type, pred) if x[0]["verdict"] == "accepted"]
        rep.check("TRANSCRIPT", bool(found), "-", "no accepted %s" % MSG_TYPES[msg_type])
        return found[0] if found else (None, None)

    # the migration: request -> response -> init (+commit) -> content -> TMC -> confirmation
    req_m, req_e = first(1)
    if req_m is None:
        return
    req = req_e["msg"]
    source, target = req["source_domain_name"].decode(), req["target_domain_name"].decode()
    client = req_m["from"]
    for dom in (source, target):
        rep.check("KEY-1", dom in keys, "keys", "no key for DS %s" % dom)
    if source not in keys or target not in keys:
        return
    rep.check("DOM-1", req_m["to"] == target, step_of(req_m),
              "request sent to %s but names target %s" % (req_m["to"], target))
    rep.check("DOM-1", source != target, step_of(req_m), "source == target")
    rep.check("TRANSCRIPT", req["group_id"] == gid, step_of(req_m),
              "request group_id differs from the transcript's")
    rep.check("EPOCH-2", req["epoch"] == epoch, step_of(req_m),
              "request epoch %d != transcript epoch %d" % (req["epoch"], epoch))

    # signatures of every occurrence (retransmissions included)
    signer = {2: target, 4: source, 5: target, 6: source}
    sig_rule = {2: "SIG-1", 3: "SIG-2", 4: "SIG-3", 5: "SIG-4", 6: "SIG-5"}
    for m, e in msgs:
        mt, msg, where = e["msg_type"], e["msg"], "step %s (%s)" % (m["step"], m["type"])
        if mt not in sig_rule:
            continue
        if mt == 3:
            who = m["from"]
            if not rep.check("KEY-2", who in members, where, "init sender %s is not a member" % who):
                continue
            pub = members[who]
        else:
            pub = keys[signer[mt]]
        rep.check(sig_rule[mt], verify_sig(suite, pub, LABELS[mt], tbs(BODY[mt], msg), msg["signature"]),
                  where, "signature does not verify under the key of %s" % (signer.get(mt) or m["from"]))
        if mt in (3, 4):                                  # the embedded response (SIG-1)
            inner = msg["migration_response"]
            rep.check("SIG-1", verify_sig(suite, keys[target], LABELS[2], tbs(RESPONSE, inner),
                                          inner["signature"]),
                      where, "embedded response does not verify under the target key")
        if mt in (2, 4, 5, 6):
            rep.check("TRANSCRIPT", m["from"] == signer[mt], where,
                      "sent by %s, expected %s" % (m["from"], signer[mt]))

    resp_m, resp_e = first(2)
    init_m, init_e = first(3)
    cont_m, cont_e = first(4)
    tmc_m, tmc_e = first(5)
    conf_m, conf_e = first(6)
    if None in (resp_m, init_m, cont_m, tmc_m, conf_m):
        return
    resp, init, cont = resp_e["msg"], init_e["msg"], cont_e["msg"]
    tmc, conf = tmc_e["msg"], conf_e["msg"]
    rep.check("SIG-1", resp["migration_request"]["_raw"] == req_e["body"], step_of(resp_m),
              "response does not carry the request byte for byte")
    rep.check("NONCE-2", resp_m["to"] == client, step_of(resp_m), "response not sent to the client")
    rep.check("SIG-1", init["migration_response"]["_raw"] == resp_e["body"], step_of(init_m),
              "MigrationInit does not embed the response byte for byte")
    rep.check("SIG-1", cont["migration_response"]["_raw"] == resp_e["body"], step_of(cont_m),
              "MigrationContent does not embed the response byte for byte")
    rep.check("NONCE-2", init_m["from"] == client, step_of(init_m),
              "init sent by %s, response was issued to %s" % (init_m["from"], client))
    rep.check("DOM-2", init_m["to"] == source, step_of(init_m),
              "init sent to %s, request source is %s" % (init_m["to"], source))
    rep.check("DOM-3", cont_m["to"] == target, step_of(cont_m), "content not sent to the target")
    rep.check("HASH-1", tmc["migration_content_hash"] == ref_hash(suite, REFHASH_LABEL, cont_e["body"]),
              step_of(tmc_m), "hash != RefHash of the MigrationContent as sent")
    rep.check("HASH-2", tmc_m["to"] == source, step_of(tmc_m), "TMC not sent to the source")
    where = step_of(conf_m)
    rep.check("NONCE-4", conf["nonce"] == resp["nonce"], where, "confirmation nonce != response nonce")
    rep.check("DOM-4", conf["domain_name"] == req["target_domain_name"], where,
              "confirmation names %r, target is %s" % (conf["domain_name"], target))
    rep.check("DOM-4", conf["group_id"] == gid, where, "confirmation group_id is not the group's")
    rep.check("DOM-4", conf_m["to"] == client, where, "confirmation not sent to the client")

    # EPOCH-2: the migration Commit from the client to the source
    com_m, com_e = first(8, lambda m, e: m["from"] == client and m["to"] == source)
    if com_m is not None:
        c, where = com_e["msg"], step_of(com_m)
        rep.check("EPOCH-2", c["wire_format"] in (1, 2), where, "wire_format %d" % c["wire_format"])
        rep.check("EPOCH-2", c.get("content_type") == 3, where, "content_type is not commit")
        rep.check("EPOCH-2", c.get("group_id") == gid, where, "commit group_id is not the group's")
        rep.check("EPOCH-2", c.get("epoch") == req["epoch"], where,
                  "commit epoch %r != request epoch %d" % (c.get("epoch"), req["epoch"]))
        try:
            aad = decode_all(COMMIT_AAD, c.get("authenticated_data", b""), suite)
            rep.check("EPOCH-2", aad["target_ds_domain"] == req["target_domain_name"], where,
                      "AAD names %r, request target is %s" % (aad["target_ds_domain"], target))
        except DecodeError as e:
            rep.check("EPOCH-2", False, where, "AAD is not exactly a MigrationCommitAAD: %s" % e)
        fan = all_of(8, lambda m, e: m["from"] == source)
        for m, e in fan:
            rep.check("EPOCH-2", e["body"] == com_e["body"], step_of(m),
                      "fanned-out commit differs from the client's commit")
            rep.check("LIFE-1", m["step"] > tmc_m["step"], step_of(m),
                      "commit fanned out before the TargetMigrationComplete (step %s)" % tmc_m["step"])
        got = {m["to"] for m, e in fan}
        rep.check("LIFE-1", set(members) <= got, "-",
                  "commit not fanned out to %s" % sorted(set(members) - got))
        rep.check("LIFE-4", cont_m["step"] > max(init_m["step"], com_m["step"]), step_of(cont_m),
                  "MigrationContent sent before both MigrationInit and Commit")

    # ordering
    rep.check("LIFE-2", conf_m["step"] > tmc_m["step"], step_of(conf_m),
              "confirmation before the TargetMigrationComplete (step %s)" % tmc_m["step"])
    rep.check("HASH-2", tmc_m["step"] > cont_m["step"], step_of(tmc_m), "TMC before the content")
    rep.check("TRANSCRIPT", req_m["step"] < resp_m["step"] < init_m["step"], "-",
              "request, response, init out of order")
    at = [m["at_ms"] for m in sorted(t["messages"], key=lambda m: m["step"])]
    rep.check("TRANSCRIPT", at == sorted(at), "-", "at_ms decreases along the steps")

    # LIFE-6: the group state the target imports
    where = step_of(cont_m)
    try:
        gs = decode_all(GROUP_STATE, cont["group_state"], suite)
    except DecodeError as e:
        rep.check("LIFE-6", False, where, "group_state is not the reference format: %s (%s)" % (e, e.rule))
        gs = None
    if gs is not None:
        rep.check("ENC-3", encode(GROUP_STATE, gs) == cont["group_state"], where, "group_state re-encoding")
        rep.check("LIFE-6", gs["version"] == 1, where, "group_state version %d" % gs["version"])
        rep.check("LIFE-6", gs["cipher_suite"] == suite, where, "group_state suite %d" % gs["cipher_suite"])
        rep.check("LIFE-6", gs["group_id"] == gid, where, "group_state group_id is not the group's")
        rep.check("LIFE-6", gs["epoch"] == req["epoch"] + 1, where,
                  "group_state epoch %d != request epoch + 1 (%d)" % (gs["epoch"], req["epoch"] + 1))
        listed = {mb["identity"].decode("utf-8", "replace"): mb["signature_key"] for mb in gs["members"]}
        rep.check("LIFE-6", len(listed) == len(gs["members"]), where, "duplicate member identity")
        rep.check("LIFE-6", len({mb["leaf_index"] for mb in gs["members"]}) == len(gs["members"]), where,
                  "duplicate leaf_index")
        rep.check("LIFE-6", listed == members, where, "members differ from the transcript keys: %s"
                  % sorted(set(listed) ^ set(members) or [k for k in listed if listed[k] != members.get(k)]))

    # outcome
    out = t["outcome"]
    rep.check("LIFE-2", out["result"] == "completed", "outcome", "result %r" % out["result"])
    rep.check("INV-4", out["home"] == target, "outcome", "home %r, target %s" % (out["home"], target))
    rep.check("LIFE-6", out["epoch"] == req["epoch"] + 1, "outcome", "epoch %r" % out["epoch"])
    for inv, verdict in sorted(out.get("invariants", {}).items()):
        rep.check(inv, verdict == "pass", "outcome", "%s: %s" % (inv, verdict))


# ---------------------------------------------------------------- self-test
def _edit(t, msg_type, fn):
    """Apply fn to the decoded envelope of every message of msg_type and re-encode."""
    for m in t["messages"]:
        env = decode_envelope(bytes.fromhex(m["envelope"]), t["cipher_suite"])
        if env["msg_type"] == msg_type:
            fn(env)
            m["envelope"] = encode_envelope(env).hex()


def _flip_last(t, msg_type):
    """The signature is the body's last field and the body the envelope's last, so
    flipping the low bit of the last byte breaks the signature and keeps DER valid."""
    for m in t["messages"]:
        if m["type"] == MSG_TYPES[msg_type]:
            m["envelope"] = m["envelope"][:-2] + "%02x" % (int(m["envelope"][-2:], 16) ^ 1)


def _set(msg_field, fn):                                 # edit one field of the body
    return lambda env: env["msg"].__setitem__(msg_field, fn(env["msg"][msg_field]))


def _state_epoch(state, suite):
    gs = decode_all(GROUP_STATE, state, suite)
    gs["epoch"] += 1
    return encode(GROUP_STATE, gs)


def _tmc_after_confirmation(t):
    ms = sorted(t["messages"], key=lambda m: m["step"])
    tmc = next(m for m in ms if m["type"] == "target_migration_complete")
    ms.remove(tmc)
    conf = next(i for i, m in enumerate(ms) if m["type"] == "migration_confirmation")
    ms.insert(conf + 1, tmc)
    tmc["at_ms"] = ms[conf]["at_ms"]
    for i, m in enumerate(ms):
        m["step"] = i + 1
    t["messages"] = ms


def _swap_keys(t):
    req = decode_envelope(bytes.fromhex(t["messages"][0]["envelope"]), t["cipher_suite"])["msg"]
    s, g = req["source_domain_name"].decode(), req["target_domain_name"].decode()
    t["keys"][s], t["keys"][g] = t["keys"][g], t["keys"][s]


def _non_minimal(t):                                     # sender length in 2 bytes
    m = t["messages"][0]
    env = decode_envelope(bytes.fromhex(m["envelope"]), t["cipher_suite"])
    m["envelope"] = (bytes([env["msg_type"]]) + env["cipher_suite"].to_bytes(2, "big")
                     + (0x4000 | len(env["sender"])).to_bytes(2, "big") + env["sender"]
                     + vec(env["body"])).hex()


def _drop_fanout(t):
    fan = [m for m in t["messages"] if m["type"] == "migration_commit" and "@" not in m["from"]]
    t["messages"].remove(fan[-1])


TAMPERS = [
    ("flip bit in MigrationResponse signature", {"SIG-1"}, lambda t: _flip_last(t, 2)),
    ("flip bit in MigrationInit signature", {"SIG-2"}, lambda t: _flip_last(t, 3)),
    ("flip bit in MigrationContent signature", {"SIG-3"}, lambda t: _flip_last(t, 4)),
    ("flip bit in TargetMigrationComplete signature", {"SIG-4"}, lambda t: _flip_last(t, 5)),
    ("flip bit in MigrationConfirmation signature", {"SIG-5"}, lambda t: _flip_last(t, 6)),
    ("change the confirmation nonce", {"NONCE-4"},
     lambda t: _edit(t, 6, _set("nonce", lambda n: bytes([n[0] ^ 0xFF]) + n[1:]))),
    ("change the commit AAD target", {"EPOCH-2"},
     lambda t: _edit(t, 8, _set("authenticated_data", lambda a: vec(b"evil.example")))),
    ("reorder the TMC after the confirmation", {"LIFE-1", "LIFE-2"}, _tmc_after_confirmation),
    ("swap the keys of source and target", {"SIG-1", "SIG-3", "SIG-4", "SIG-5"}, _swap_keys),
    ("flip one byte of the group_state", {"SIG-3", "HASH-1"},
     lambda t: _edit(t, 4, _set("group_state", lambda g: g[:-1] + bytes([g[-1] ^ 1])))),
    ("append a trailing byte to an envelope", {"ENC-2"},
     lambda t: t["messages"][0].__setitem__("envelope", t["messages"][0]["envelope"] + "00")),
    ("non-minimal varint in an envelope", {"ENC-1"}, _non_minimal),
    ("envelope names another suite", {"SUITE-2"},
     lambda t: _edit(t, 1, lambda env: env.__setitem__("cipher_suite", env["cipher_suite"] % 7 + 1))),
    ("group_state epoch bumped", {"LIFE-6", "SIG-3", "HASH-1"},
     lambda t: _edit(t, 4, _set("group_state", lambda g: _state_epoch(g, t["cipher_suite"])))),
    ("fan-out to one member dropped", {"LIFE-1"}, _drop_fanout),
]


def self_test(transcripts):
    ok_all = True
    for t in transcripts:
        base = verify_transcript(t if isinstance(t, dict) else {})
        label = base.label
        if base.failures:
            print("%s: SELF-TEST BASELINE FAILS, tampers not meaningful" % label)
            print_report(base)
            ok_all = False
            continue
        caught = 0
        for name, expected, op in TAMPERS:
            bad = copy.deepcopy(t)
            try:
                op(bad)
                rules = verify_transcript(bad).rules()
            except Exception as e:                      # a tamper that cannot apply is a miss
                rules = {"tamper failed: %r" % e}
            ok = expected <= rules
            caught += ok
            ok_all &= ok
            print("  %s %-45s expected %s, got %s" % ("caught" if ok else "MISSED", name,
                  ",".join(sorted(expected)), ",".join(sorted(rules)) or "-"))
        print("%s: self-test %d/%d tampers caught" % (label, caught, len(TAMPERS)))
    return ok_all


# ---------------------------------------------------------------- main
def print_report(rep):
    for rule, where, detail in rep.failures:
        print("  FAIL %-10s %s: %s: %s" % (rule, rep.label, where, detail))
    print("%s: %s (%d checks, %d failed)" % (rep.label, "FAIL" if rep.failures else "PASS",
                                              rep.checks, len(rep.failures)))


def main(argv):
    args = argv[1:]
    selftest = bool(args) and args[0] == "--self-test"
    if selftest:
        args = args[1:]
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: verify_transcript.py [--self-test] FILE|-", file=sys.stderr)
        return 2
    try:
        text = sys.stdin.read() if args[0] == "-" else open(args[0], encoding="utf-8").read()
        data = json.loads(text)
    except (OSError, ValueError) as e:
        print("verify_transcript.py: cannot read %s: %s" % (args[0], e), file=sys.stderr)
        return 2
    transcripts = data if isinstance(data, list) else [data]
    if selftest:
        ok = self_test(transcripts)
        print("self-test %s" % ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    reports = [verify_transcript(t if isinstance(t, dict) else {}) for t in transcripts]
    for rep in reports:
        print_report(rep)
    failed = sum(1 for rep in reports if rep.failures)
    print("%d passed, %d failed" % (len(reports) - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

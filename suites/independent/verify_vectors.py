#!/usr/bin/python3
"""Independent verifier for mlsmig's published vector files (profiles v1 and v2) and
the MLS working group's (mlswg_vectors.py).

Written from the profile (/work/shared/spec/profile.md), protocol.md, RFC 9420,
docs/actors.md and vectors/README.md only; no mlsmig C source was read. The
codec and crypto are indep_lib.py's (shared with verify_transcript.py); the
transcript checks are verify_transcript.py's.

usage: verify_vectors.py [--strict] FILE...      crypto.json, codec.json, migration.json,
                                                 negative.json (format detected by content)
       verify_vectors.py --self-test FILE...     tamper with the files in memory and check
                                                 that every tamper is caught
Prints one line per file (PASS/FAIL, counts), the failures and disagreements
under it (and, for negative.json, one line per case), then `N passed, M failed`.
A failure is a contradiction with the profile; a disagreement is a case that is
rejected for another rule than the one stated, or whose reason cannot be
established from the profile (listed, not fatal unless --strict).
Exit: 0 all passed, 1 a file failed, 2 usage or I/O error.
Needs Debian's python3-cryptography: run with /usr/bin/python3.
"""
import copy
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True                           # leave no __pycache__ in the tree

import mls_public as M                                              # noqa: E402
import mlswg_vectors as WG                                           # noqa: E402
import verify_transcript as VT                                      # noqa: E402
from indep_lib import (BODY, COMMIT_AAD, CONFIRMATION, CONTENT, ERRORS, GROUP_STATE,  # noqa: E402
                       INIT, LABELS, MAX_STATE, MSG_TYPES, REFHASH_LABEL, REQUEST, RESPONSE,
                       STRICT_ENVELOPE, STRICT_ENVELOPE_V2, STRICT_ERROR, SUITES, TMC, DecodeError,
                       curve_self_check, decode_all, decode_mls_strict, encode,
                       encode_mls_strict, from_json, key_problem, mls_frame, mls_from_json,
                       public_from_private, ref_hash, sign_with_label, tbs, to_json, vec,
                       verify_sig)

LABEL_ORDER = [b"MigrationResponseTBS", b"MigrationInitTBS", b"MigrationContentTBS",
               b"TargetMigrationCompleteTBS", b"MigrationConfirmationTBS"]
LABEL_TYPE = {LABELS[t]: t for t in LABELS}                 # label -> msg_type
SIGNER_ROLE = {2: "target", 3: "client", 4: "source", 5: "target", 6: "source"}   # profile s. 3
SIG_RULE = {2: "SIG-1", 3: "SIG-2", 4: "SIG-3", 5: "SIG-4", 6: "SIG-5"}
NONCE_LIFETIME_MS = 300 * 1000                            # NONCE-2
HOLD_MS = 10 * 1000                                       # LIFE-4 (docs/actors.md, Timers)
CLIENT_GIVE_UP_MS = 120 * 1000
MEMBER_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]

CODEC_ORDER = ["migration_request", "migration_response", "migration_init",
               "migration_commit_aad", "migration_content", "target_migration_complete",
               "migration_confirmation", "envelope", "migration_error", "mls_message"]
CODEC_SCHEMA = {"migration_request": REQUEST, "migration_response": RESPONSE,
                "migration_init": INIT, "migration_commit_aad": COMMIT_AAD,
                "migration_content": CONTENT, "target_migration_complete": TMC,
                "migration_confirmation": CONFIRMATION, "envelope": STRICT_ENVELOPE,
                "migration_error": STRICT_ERROR, "mls_message": None}
# flag -> (rule, kind of problem the independent decoder must find), vectors/README.md
FLAG_RULE = {"Canonical": (None, None),
             "NonMinimalLength": ("ENC-1", "nonminimal"), "ReservedLengthPrefix": ("ENC-1", "reserved"),
             "LengthPastEnd": ("ENC-2", "pastend"), "TrailingData": ("ENC-2", "trailing"),
             "Truncated": ("ENC-2", "pastend"), "IntegerOutOfRange": ("ENC-4", "int"),
             "DomainEmpty": ("ENC-4", "domain"), "DomainUppercase": ("ENC-4", "domain"),
             "DomainTrailingDot": ("ENC-4", "domain"), "DomainTooLong": ("ENC-4", "domain"),
             "DomainLabelHyphen": ("ENC-4", "domain"), "DomainLabelTooLong": ("ENC-4", "domain"),
             "GroupIdEmpty": ("ENC-4", "gid"), "GroupIdTooLong": ("ENC-4", "gid"),
             "HashLength": ("ENC-4", "hash"), "SignatureLength": ("ENC-4", "siglen"),
             "SignatureNotDer": ("ENC-4", "der"), "IdentityUppercase": ("ENC-4", "identity"),
             "IdentityEmptyName": ("ENC-4", "identity"), "IdentityEmptyDomain": ("ENC-4", "identity"),
             "DetailNotUtf8": ("ENC-4", "utf8"), "DetailTooLong": ("ENC-4", "detail_len"),
             "GroupStateTooLarge": ("ENC-4", "state")}
# negative.json: rule -> codes the profile gives it (section 8 names)
RULE_CODES = {"DOM-1": {"wrong_domain"}, "DOM-2": {"wrong_domain"}, "DOM-3": {"wrong_domain"},
              "DOM-4": {"wrong_domain", "unknown_group"}, "GROUP-1": {"group_exists", "unknown_group"},
              "AUTHZ-1": {"not_member", "unauthorized"}, "AUTHZ-3": {"unauthorized"},
              "AUTHZ-4": {"unauthorized"}, "SIG-1": {"bad_signature"}, "SIG-2": {"bad_signature"},
              "SIG-3": {"bad_signature"}, "SIG-4": {"bad_signature"}, "SIG-5": {"bad_signature"},
              "EPOCH-1": {"stale_epoch"}, "EPOCH-2": {"bad_commit"}, "SUITE-2": {"unsupported_ciphersuite"},
              "NONCE-2": {"unknown_nonce", "nonce_expired", "nonce_reused"},
              "NONCE-3": {"nonce_reused"}, "NONCE-4": {"unknown_nonce"},
              "HASH-1": {"hash_mismatch"}, "HASH-2": {"hash_mismatch"},
              # profile v2, section 11
              "MLS-1": {"bad_group_state", "malformed"}, "MLS-2": {"bad_group_state"},
              "MLS-3": {"not_member"}, "MLS-4": {"bad_group_state", "not_member", "stale_epoch",
                                                  "bad_commit", "bad_signature", "unauthorized"},
              "MLS-5": {"not_member", "stale_epoch"}, "MLS-6": {"unauthorized", "unknown_group"},
              "EPOCH-3": {"stale_epoch"}}


class Report:
    def __init__(self, path):
        self.path, self.kind, self.summary = path, "unknown format", "-"
        self.checks, self.failures, self.disagreements, self.lines = 0, [], [], []

    def check(self, ok, where, detail):
        self.checks += 1
        if not ok:
            self.failures.append("%s: %s" % (where, detail))
        return ok

    def disagree(self, where, detail):
        self.disagreements.append("%s: %s" % (where, detail))


def h(b):
    return bytes.fromhex(b)


def short(b, n=8):
    return b.hex()[:2 * n] + ("..." if len(b) > n else "")


def ident(b):
    return b.decode("utf-8", "replace")


def state_summary(state, suite, group_id=None, epoch=None):
    """A group_state of either profile: {version, cipher_suite, group_id, epoch, members
    (identity -> (leaf index, signature key)), ds_payload, problems (MLS-2, v2 only)}.
    Raises DecodeError if it decodes as neither."""
    if M.state_version(state) == 2:
        gs = M.decode_state(state)
        gc = gs["group_info"]["group_context"]
        problems, tree = M.validate_state(gs["group_info"], gs["ratchet_tree"], suite, group_id, epoch)
        mem = {ident(k): v[0] for k, v in M.members(tree).items()} if tree else {}
        return {"version": 2, "cipher_suite": gc["cipher_suite"], "group_id": gc["group_id"],
                "epoch": gc["epoch"], "members": mem, "ds_payload": gs["ds_payload"], "problems": problems}
    gs = decode_all(GROUP_STATE, state, suite)
    return {"version": 1, "cipher_suite": gs["cipher_suite"], "group_id": gs["group_id"],
            "epoch": gs["epoch"], "ds_payload": gs["ds_payload"], "problems": [],
            "members": {ident(mb["identity"]): (mb["leaf_index"], mb["signature_key"])
                        for mb in gs["members"]}}


# ================================================================ crypto.json
def verify_crypto(data, rep):
    rep.kind = "crypto"
    suites = []
    for e in data:
        suite = e["cipher_suite"]
        where = "suite %s" % suite
        suites.append(suite)
        if not rep.check(suite in SUITES, where, "unknown cipher suite"):
            continue
        rep.check(isinstance(e.get("seed"), int), where, "no integer seed")
        keys = {k: (h(v["priv"]), h(v["pub"])) for k, v in e["keys"].items()}
        role = {"source": "source.example", "target": "target.example", "client": "alice@source.example"}
        rep.check(set(keys) == set(role.values()), where, "keys %s, README names %s"
                  % (sorted(keys), sorted(role.values())))
        for name, (priv, pub) in keys.items():
            problem = key_problem(suite, pub)
            rep.check(problem is None, where, "%s: public key: %s (SUITE-1)" % (name, problem))
            try:
                derived = public_from_private(suite, priv)
            except ValueError as ex:
                rep.check(False, where, "%s: private key: %s" % (name, ex))
                continue
            rep.check(derived == pub, where, "%s: public key is not the one of the private key" % name)
        swl = e["sign_with_label"]
        labels = [x["label"].encode() for x in swl]
        rep.check(labels == LABEL_ORDER, where, "labels %s not in README order" % labels)
        msgs = {}
        for i, x in enumerate(swl):
            label, signer = x["label"].encode(), x["signer"]
            w = "%s %s" % (where, x["label"])
            mt = LABEL_TYPE.get(label)
            if not rep.check(mt is not None, w, "unknown label"):
                continue
            rep.check(signer == role[SIGNER_ROLE[mt]], w, "signer %s, profile section 3 names the %s (%s)"
                      % (signer, SIGNER_ROLE[mt], role[SIGNER_ROLE[mt]]))
            if not rep.check(signer in keys, w, "signer %s has no key" % signer):
                continue
            priv, pub = keys[signer]
            content, sig = h(x["content"]), h(x["signature"])
            rep.check(verify_sig(suite, pub, label, content, sig), w,
                      "VerifyWithLabel fails under %s's key (%s)" % (signer, SIG_RULE[mt]))
            nxt = LABEL_ORDER[(LABEL_ORDER.index(label) + 1) % len(LABEL_ORDER)]
            rep.check(not verify_sig(suite, pub, nxt, content, sig), w,
                      "signature also verifies under the next label %s: label not bound" % nxt.decode())
            again, _ = sign_with_label(suite, priv, label, content)
            rep.check(again == sig, w, "signing again (%s) gives %s, file has %s"
                      % ("RFC 8032" if SUITES[suite][0].startswith("ed") else "RFC 6979",
                         short(again), short(sig)))
            whole = content + vec(sig)
            try:
                m = decode_all(BODY[mt], whole, suite)
                rep.check(encode(BODY[mt], m) == whole, w, "re-encoding differs (ENC-3)")
                rep.check(tbs(BODY[mt], m) == content, w, "content is not the message without its signature")
                msgs[mt] = (m, whole)
            except DecodeError as ex:
                rep.check(False, w, "content || signature<V> does not decode as %s: %s (%s)"
                          % (MSG_TYPES[mt], ex, ex.rule))
        rh = e["ref_hash"]
        w = "%s ref_hash" % where
        rep.check(rh["label"].encode() == REFHASH_LABEL, w, "label %r" % rh["label"])
        value, out = h(rh["value"]), h(rh["out"])
        rep.check(len(out) == SUITES[suite][2], w, "out of %d bytes, suite hash has %d"
                  % (len(out), SUITES[suite][2]))
        rep.check(ref_hash(suite, rh["label"].encode(), value) == out, w,
                  "RefHash(label, value) != out (HASH-1)")
        try:
            cont = decode_all(CONTENT, value, suite)
            rep.check(encode(CONTENT, cont) == value, w, "value re-encoding differs")
        except DecodeError as ex:
            rep.check(False, w, "value does not decode as a MigrationContent: %s (%s)" % (ex, ex.rule))
            cont = None
        # the five messages and the hash come from one happy-path run
        if len(msgs) == 5:
            resp, init, content = msgs[2][0], msgs[3][0], msgs[4][0]
            tmc, conf = msgs[5][0], msgs[6][0]
            req = resp["migration_request"]
            w = "%s run" % where
            rep.check(init["migration_response"]["_raw"] == msgs[2][1], w,
                      "MigrationInit does not embed the MigrationResponse example")
            rep.check(content["migration_response"]["_raw"] == msgs[2][1], w,
                      "MigrationContent does not embed the MigrationResponse example")
            rep.check(value == msgs[4][1], w, "ref_hash.value is not the MigrationContent example")
            rep.check(tmc["migration_content_hash"] == out, w,
                      "TargetMigrationComplete hash != ref_hash.out (HASH-1)")
            rep.check(conf["nonce"] == resp["nonce"], w, "confirmation nonce != response nonce (NONCE-4)")
            rep.check(conf["domain_name"] == req["target_domain_name"], w, "confirmation domain (DOM-4)")
            rep.check(conf["group_id"] == req["group_id"], w, "confirmation group_id (DOM-4)")
            rep.check((req["source_domain_name"], req["target_domain_name"])
                      == (b"source.example", b"target.example"), w, "request domains")
            if cont is not None:
                try:
                    gs = state_summary(cont["group_state"], suite)
                    rep.check((gs["cipher_suite"], gs["group_id"], gs["epoch"])
                              == (suite, req["group_id"], req["epoch"] + 1), w,
                              "group_state suite/group_id/epoch (LIFE-6)")
                    rep.check(not gs["problems"], w, "group_state fails MLS-2: %s" % gs["problems"])
                    lk = {k: mb[1] for k, mb in gs["members"].items()}
                    rep.check(lk.get("alice@source.example") == keys["alice@source.example"][1], w,
                              "alice's leaf key in group_state is not keys[alice].pub (KEY-2)")
                except DecodeError as ex:
                    rep.check(False, w, "group_state is not the reference format: %s" % ex)
    rep.summary = "%d entries (suites %s)" % (len(data), ",".join(map(str, suites)))


# ================================================================ codec.json
def codec_decode(typ, data, suite, max_state):
    if typ == "mls_message":
        return decode_mls_strict(data)
    return decode_all(CODEC_SCHEMA[typ], data, suite, max_state)


def codec_encode(typ, value):
    if typ == "mls_message":
        return encode_mls_strict(value)
    return encode(CODEC_SCHEMA[typ], value)


def codec_from_fields(typ, fields):
    if typ == "mls_message":
        return mls_from_json(fields)
    return from_json(CODEC_SCHEMA[typ], fields)


def verify_codec(data, rep):
    rep.kind = "codec"
    types = [g.get("type") for g in data]
    rep.check(types == CODEC_ORDER, "file", "groups %s, README order %s" % (types, CODEC_ORDER))
    seen = set()
    n_valid = n_invalid = n_agree = 0
    for g in data:
        typ = g["type"]
        if not rep.check(typ in CODEC_SCHEMA, typ, "unknown codec type"):
            continue
        for t in g["tests"]:
            tc = t["tcId"]
            where = "tcId %s (%s, suite %s, %s)" % (tc, typ, t.get("cipher_suite"), ",".join(t["flags"]))
            rep.check(tc not in seen, where, "tcId not unique")
            seen.add(tc)
            suite = t["cipher_suite"]
            if not rep.check(suite in SUITES, where, "unknown suite"):
                continue
            flags = t["flags"]
            if not rep.check(len(flags) == 1 and flags[0] in FLAG_RULE, where, "flags %s" % flags):
                continue
            want_rule, want_kind = FLAG_RULE[flags[0]]
            max_state = t.get("max_group_state", MAX_STATE)
            enc = h(t["encoding"])
            try:
                val, err = codec_decode(typ, enc, suite, max_state), None
            except DecodeError as ex:
                val, err = None, ex
            if t["result"] == "valid":
                n_valid += 1
                rep.check(want_rule is None and "rule" not in t, where, "a valid case with a rule or flag")
                if not rep.check(err is None, where,
                                 "valid case rejected: %s (%s)" % (err, err and err.rule)):
                    continue
                rep.check(to_json(val) == t["fields"], where, "decoded fields differ from `fields`: %s"
                          % json_diff(t["fields"], to_json(val)))
                rep.check(codec_encode(typ, val) == enc, where, "encode(decode(b)) != b (ENC-3)")
                try:
                    rep.check(codec_encode(typ, codec_from_fields(typ, t["fields"])) == enc, where,
                              "encoding `fields` does not give `encoding`")
                except (KeyError, ValueError, TypeError, AttributeError) as ex:
                    rep.check(False, where, "`fields` cannot be encoded: %r" % ex)
                codec_extra(typ, val, g, t, where, rep)
            elif t["result"] == "invalid":
                n_invalid += 1
                rule = t.get("rule")
                rep.check(rule == want_rule, where,
                          "rule %s, README gives %s for this flag" % (rule, want_rule))
                rep.check("fields" not in t, where, "an invalid case with fields")
                if not rep.check(err is not None, where,
                                 "invalid case (%s) accepted by the independent decoder" % rule):
                    continue
                if err.rule != rule:
                    rep.disagree(where, "stated %s, independent decoder rejects with %s: %s"
                                 % (rule, err.rule, err))
                elif want_kind and err.kind != want_kind:
                    rep.disagree(where, "stated %s (%s), independent decoder rejects with %s but for "
                                 "another problem (%s): %s" % (rule, flags[0], err.rule, err.kind, err))
                elif err.basis:
                    rep.disagree(where, "rejected with %s (%s) only by a limit the profile does not "
                                 "set; basis: %s" % (rule, err, err.basis))
                else:
                    n_agree += 1
                if flags[0] == "GroupStateTooLarge":                 # the bound is the only problem
                    try:
                        codec_decode(typ, enc, suite, MAX_STATE)
                    except DecodeError as ex:
                        rep.check(False, where, "also invalid under the default bound: %s" % ex)
            else:
                rep.check(False, where, "result %r" % t["result"])
    rep.summary = ("%d groups, %d valid cases decoded and re-encoded, %d invalid cases rejected "
                   "(%d for the stated rule)" % (len(data), n_valid, n_invalid, n_agree))


def codec_extra(typ, val, g, t, where, rep):
    """Checks beyond the codec on valid cases: the run's group state and envelope body."""
    if typ == "migration_content":
        try:
            gs = state_summary(val["group_state"], t["cipher_suite"])
            req = val["migration_response"]["migration_request"]
            rep.check(not gs["problems"], where, "group_state fails MLS-2: %s" % gs["problems"])
            rep.check(len(gs["ds_payload"]) == g["state_bytes"], where,
                      "ds_payload of %d bytes, state_bytes %d" % (len(gs["ds_payload"]), g["state_bytes"]))
            rep.check((gs["group_id"], gs["epoch"]) == (req["group_id"], req["epoch"] + 1), where,
                      "group_state group_id/epoch (LIFE-6)")
        except DecodeError as ex:
            rep.check(False, where, "group_state is not the reference format: %s" % ex)
    elif typ == "envelope":
        try:
            body_decode(val["msg_type"], val["body"], val["cipher_suite"])
        except (DecodeError, KeyError) as ex:
            rep.check(False, where, "body does not decode as %s: %s" % (MSG_TYPES.get(val["msg_type"]), ex))


def json_diff(a, b, path=""):
    """Paths where two JSON values differ (for messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=lambda k: (list(a) + list(b)).index(k)):
            out += json_diff(a.get(k), b.get(k), path + "." + k if path else k)
        return out
    return [] if a == b else [path or "(value)"]


# ================================================================ transcripts
def body_decode(msg_type, body, suite, v2=False):
    if v2 and msg_type in (8, 9, 10, 11, 12, 13):
        return M.decode_v2_body(msg_type, body)
    if msg_type in (8, 9):
        return decode_mls_strict(body)
    if msg_type == 7:
        return decode_all(STRICT_ERROR, body, suite)
    return decode_all(BODY[msg_type], body, suite)


def env_decode(raw, suite_for_body=None, v2=False):
    """Strict Envelope, then its body under the envelope's suite (or suite_for_body)."""
    env = decode_all(STRICT_ENVELOPE_V2 if v2 else STRICT_ENVELOPE, raw, 1)
    s = suite_for_body or env["cipher_suite"]
    env["msg"] = body_decode(env["msg_type"], env["body"], s, v2) if s in SUITES else None
    return env


def frame_of(msg):
    """The framing of an MLSMessage body: a v2 body has it flat, a v1 one nested."""
    return msg if "bundle" in msg or "message" in msg else mls_frame(msg)


class Facts:
    """What a happy-path transcript (migration.json entry, negative.json prefix) says."""

    def __init__(self, e):
        self.suite = e["cipher_suite"]
        self.keys = {k: h(v) for k, v in e["keys"].items()}
        self.priv = {k: h(v) for k, v in e.get("private_keys", {}).items()}
        self.members = {k: v for k, v in self.keys.items() if "@" in k}
        self.dskeys = {k: v for k, v in self.keys.items() if "@" not in k}
        self.gid, self.epoch = h(e["group_id"]), e["epoch"]
        self.v2 = VT.is_v2(e)
        self.prev = VT.initial_state(e, self.suite, self.gid, self.epoch, VT.Report("-")) if self.v2 else None
        if self.prev is not None:                         # MLS-3: the members are the tree's
            self.members = {ident(k): v[0][1] for k, v in self.prev.members().items()}
        self.msgs = []
        for m in sorted(e["messages"], key=lambda m: m["step"]):
            try:
                self.msgs.append((m, env_decode(h(m["envelope"]), v2=self.v2)))
            except DecodeError:
                self.msgs.append((m, None))              # verify_transcript reports it
        self.first = {}
        for m, env in self.msgs:
            if env is not None and m["verdict"] == "accepted":
                self.first.setdefault(env["msg_type"], (m, env))
        req = self.first[1][1]
        self.req_m, self.req_body, self.req = self.first[1][0], req["body"], req["msg"]
        self.source = ident(self.req["source_domain_name"])
        self.target = ident(self.req["target_domain_name"])
        self.client = self.req_m["from"]

    def response_for(self, req_body, client, after_step):
        for m, env in self.msgs:
            if (env is not None and env["msg_type"] == 2 and m["from"] == self.target
                    and m["to"] == client and m["step"] > after_step
                    and env["msg"]["migration_request"]["_raw"] == req_body):
                return m, env
        return None, None

    def content_from_source(self):
        for m, env in self.msgs:
            if env is not None and env["msg_type"] == 4 and m["from"] == self.source:
                return m, env
        return None, None


def check_private_keys(e, f, rep, where):
    rep.check(set(f.priv) == set(f.keys), where, "private_keys names %s, keys names %s"
              % (sorted(f.priv), sorted(f.keys)))
    for name, priv in f.priv.items():
        if name not in f.keys:
            continue
        try:
            ok = public_from_private(f.suite, priv) == f.keys[name]
            rep.check(ok, where, "private key of %s does not give its public key" % name)
        except ValueError as ex:
            rep.check(False, where, "private key of %s: %s" % (name, ex))


def check_resign(f, rep, where):
    """Every signature of the transcript is reproduced from the private keys."""
    signer = {2: f.target, 4: f.source, 5: f.target, 6: f.source}
    done = set()
    for m, env in f.msgs:
        if env is None or env["msg_type"] not in SIG_RULE or env["body"] in done:
            continue
        done.add(env["body"])
        mt, msg = env["msg_type"], env["msg"]
        who = m["from"] if mt == 3 else signer[mt]
        if who not in f.priv:
            continue
        again, _ = sign_with_label(f.suite, f.priv[who], LABELS[mt], tbs(BODY[mt], msg))
        rep.check(again == msg["signature"], "%s step %s" % (where, m["step"]),
                  "%s signature is not reproduced by signing again with %s's private key"
                  % (MSG_TYPES[mt], who))


def check_transcript(e, rep, where, require_outcome):
    vt = VT.verify_transcript(e, require_outcome=require_outcome)
    rep.checks += vt.checks
    for rule, w, d in vt.failures:
        rep.failures.append("%s: %s %s: %s" % (where, rule, w, d))
    return not vt.failures


# ================================================================ migration.json
def verify_migration(data, rep):
    rep.kind = "migration"
    suites = []
    for i, e in enumerate(data):
        where = "entry %d (suite %s, %s)" % (i, e.get("cipher_suite"), e.get("comment"))
        suites.append(e.get("cipher_suite"))
        if not check_transcript(e, rep, where, True):
            continue
        f = Facts(e)
        check_private_keys(e, f, rep, where)
        check_resign(f, rep, where)
        check_config_and_flow(e, f, rep, where)
        check_final_state(e, f, rep, where)
    rep.summary = "%d entries (suites %s)" % (len(data), ",".join(sorted({str(s) for s in suites})))


def member_names(n, domain):
    return [(MEMBER_NAMES[i] if i < len(MEMBER_NAMES) else "member%d" % i) + "@" + domain
            for i in range(n)]


def check_config_and_flow(e, f, rep, where):
    cfg = e["config"]
    names = member_names(cfg["members"], f.source)
    rep.check(sorted(f.members) == sorted(names), where, "member keys %d, config.members %d named as README"
              % (len(f.members), cfg["members"]))
    rep.check(f.client == names[0], where, "the migrating client is %s, README: member 0 (%s)"
              % (f.client, names[0]))
    cm, cenv = f.first[4]
    gs = state_summary(cenv["msg"]["group_state"], f.suite)
    leaves = {k: mb[0] for k, mb in gs["members"].items()}
    rep.check(leaves == {n: i for i, n in enumerate(names)}, where, "group_state leaf indices are not "
              "member i -> leaf i")
    rep.check(len(gs["ds_payload"]) == cfg["state_bytes"], where, "ds_payload %d bytes, config.state_bytes %d"
              % (len(gs["ds_payload"]), cfg["state_bytes"]))
    com = [(m, env) for m, env in f.msgs if env and env["msg_type"] == 8 and m["from"] == f.client]
    if rep.check(bool(com), where, "no migration Commit from the client"):
        rep.check(com[0][1]["msg"]["wire_format"] == cfg["commit_wire_format"], where,
                  "commit wire_format %d, config %d" % (com[0][1]["msg"]["wire_format"],
                                                        cfg["commit_wire_format"]))
    # delivery times: the client starts at t=0, every envelope takes latency_ms, actors answer at once
    lat = cfg["latency_ms"]
    at = {t: f.first[t][0]["at_ms"] for t in (1, 2, 3, 4, 5, 6)}
    at[8] = com[0][0]["at_ms"] if com else None
    tmc_at = at[5]
    exp = [("request", at[1], lat), ("response", at[2], at[1] + lat), ("init", at[3], at[2] + lat),
           ("commit", at[8], at[2] + lat), ("content", at[4], max(at[3], at[8] or 0) + lat),
           ("target_migration_complete", tmc_at, at[4] + lat), ("confirmation", at[6], tmc_at + lat)]
    for m, env in f.msgs:
        if env and env["msg_type"] == (9 if f.v2 else 8) and m["from"] == f.source:
            exp.append(("fan-out to %s" % m["to"], m["at_ms"], tmc_at + lat))
    for name, got, want in exp:
        rep.check(got == want, where, "%s delivered at %s ms, expected %s ms (latency %d ms)"
                  % (name, got, want, lat))
    last = max(m["at_ms"] for m, _ in f.msgs)
    rep.check(e["outcome"]["end_ms"] >= last, where, "end_ms %s before the last delivery %s"
              % (e["outcome"]["end_ms"], last))


def check_final_state(e, f, rep, where):
    fs, new_epoch = e["final_state"], f.req["epoch"] + 1
    state = f.first[4][1]["msg"]["group_state"]
    rep.check(set(fs) == {f.source, f.target} | set(f.members), where, "final_state actors %s" % sorted(fs))
    src, tgt = fs.get(f.source, {}), fs.get(f.target, {})
    rep.check(src == {"status": "migrated", "epoch": new_epoch, "peer": f.target}, where,
              "source final state %s, expected migrated at epoch %d naming %s (LIFE-2)"
              % (src, new_epoch, f.target))
    want = {"status": "active", "epoch": new_epoch, "peer": f.source, "client": f.client,
            "group_state_len": len(state),
            "group_state_hash": hashlib.new(SUITES[f.suite][1], state).hexdigest()}
    rep.check(tgt == want, where, "target final state differs in %s (LIFE-6, NONCE-2)"
              % [k for k in set(want) | set(tgt) if want.get(k) != tgt.get(k)])
    rep.check(e["outcome"]["epoch"] == tgt.get("epoch"), where, "outcome epoch != target epoch")
    for name in f.members:
        want = {"phase": "done" if name == f.client else "idle", "ds": f.target, "epoch": new_epoch,
                "last_error": None}
        rep.check(fs.get(name) == want, where, "%s final state %s, expected %s (INV-4)"
                  % (name, fs.get(name), want))


# ================================================================ negative.json: receiver models
# a CommitBundle problem -> (rules, code) (MLS-4; others are MLS-2 bad_group_state)
BUNDLE_FAIL = {"commit_framing": (["EPOCH-2"], "bad_commit"), "commit_epoch": (["EPOCH-2"], "bad_commit"),
               "signer": (["MLS-4"], "not_member"), "not_member": (["MLS-4", "AUTHZ-1"], "not_member"),
               "commit_signature": (["MLS-4"], "bad_signature"), "welcome": (["MLS-4"], "malformed")}


class Fail:
    """One failed check of a receiver. inherent: a consequence of the prefix's state that
    any message breaking the first check also has (not a second tamper)."""

    def __init__(self, rules, code, detail, inherent=False):
        self.rules, self.code, self.detail, self.inherent = set(rules), code, detail, inherent


class Policy:
    def __init__(self, p, own):
        self.p, self.own = p or {"kind": "default", "deny": []}, own

    def allows(self, who):
        if self.p["kind"] == "strict":                    # AUTHZ-5 strict: homed at the DS's domain
            return who.endswith("@" + self.own)
        return "@" in who and who not in self.p.get("deny", [])


def probe(f, tbs_bytes, sig):
    """Which (key, label) pairs of the group a signature verifies under."""
    hits = []
    for name, pub in f.keys.items():
        for label in LABEL_ORDER:
            if verify_sig(f.suite, pub, label, tbs_bytes, sig):
                hits.append("%s/%s" % (name, label.decode()))
    return ("verifies under " + ", ".join(hits)) if hits else "verifies under no key/label of the group"


def sig_fail(f, fails, rules, pub_name, label, schema, msg, what):
    pub = f.keys.get(pub_name)
    if pub is None or not verify_sig(f.suite, pub, label, tbs(schema, msg), msg["signature"]):
        fails.append(Fail(rules, "bad_signature", "%s does not verify under %s's key with label %s; it %s"
                          % (what, pub_name, label.decode(), probe(f, tbs(schema, msg), msg["signature"]))))
        return True
    return False


class Target:
    def __init__(self, f, policy):
        self.f, self.own, self.policy = f, f.target, Policy(policy, f.target)
        self.issued, self.consumed, self.hosted = {}, {}, set()

    def tick(self, at):
        pass

    def handle(self, env, m_at, step, apply):
        mt, msg, sender, f = env["msg_type"], env["msg"], ident(env["sender"]), self.f
        fails = []
        if mt == 1:
            req = msg
            tgt, src = ident(req["target_domain_name"]), ident(req["source_domain_name"])
            if tgt != self.own or src == tgt:
                fails.append(Fail(["DOM-1"], "wrong_domain", "request names target %s and source %s; "
                                  "the receiver is %s" % (tgt, src, self.own)))
            if req["group_id"] in self.hosted:
                fails.append(Fail(["GROUP-1"], "group_exists", "group %s already imported in the prefix"
                                  % short(req["group_id"])))
            if not self.policy.allows(sender):
                fails.append(Fail(["AUTHZ-3", "AUTHZ-5"], "unauthorized", "policy %s refuses %s"
                                  % (self.policy.p, sender)))
            if fails or not apply:
                return fails, "request accepted"
            rm, renv = f.response_for(env["body"], sender, step)
            if renv is None:
                return [Fail(["TRANSCRIPT"], None, "no recorded response to this request")], ""
            self.issued[renv["msg"]["nonce"]] = {"req": env["body"], "client": sender,
                                                 "suite": env["cipher_suite"], "t": m_at}
            return [], "request accepted"
        if mt == 4:
            return self.content(env, msg, sender, m_at, apply)
        return [Fail(["MODEL"], None, "the target model does not handle %s" % MSG_TYPES[mt])], ""

    def content(self, env, c, sender, at, apply):
        f, fails = self.f, []
        resp = c["migration_response"]
        req = resp["migration_request"]
        sig_fail(f, fails, ["SIG-1"], self.own, LABELS[2], RESPONSE, resp, "embedded MigrationResponse")
        nonce = resp["nonce"]
        rec = self.issued.get(nonce)
        if rec is None or rec["req"] != req["_raw"]:
            fails.append(Fail(["NONCE-2", "AUTHZ-4"], "unknown_nonce",
                              "nonce %s %s (issued in the prefix: %s)"
                              % (short(nonce), "was never issued by the target" if rec is None else
                                 "was issued for another request", [short(n) for n in self.issued] or
                                 "none")))
        else:
            if nonce in self.consumed and self.consumed[nonce] == env["body"]:
                if fails:
                    return fails, ""
                return [], ("byte-identical to the MigrationContent imported under nonce %s: acknowledged "
                            "again (LIFE-5)" % short(nonce))
            age = at - rec["t"]
            if age > NONCE_LIFETIME_MS:
                fails.append(Fail(["NONCE-2"], "nonce_expired", "nonce issued at %d ms, content at %d ms: "
                                  "%d ms > %d ms" % (rec["t"], at, age, NONCE_LIFETIME_MS)))
            if nonce in self.consumed:
                fails.append(Fail(["NONCE-2", "LIFE-5"], "nonce_reused", "nonce %s already consumed by "
                                  "another MigrationContent in the prefix" % short(nonce)))
        src = ident(req["source_domain_name"])
        if sender != src:
            fails.append(Fail(["DOM-3"], "wrong_domain", "sent by %s, the request's source is %s"
                              % (sender, src)))
        sig_fail(f, fails, ["SIG-3", "DOM-3"], src, LABELS[4], CONTENT, c, "MigrationContent")
        if rec is not None and env["cipher_suite"] != rec["suite"]:
            fails.append(Fail(["SUITE-2"], "unsupported_ciphersuite", "suite %d, nonce issued under %d"
                              % (env["cipher_suite"], rec["suite"])))
        if rec is not None and not self.policy.allows(rec["client"]):
            fails.append(Fail(["AUTHZ-4"], "unauthorized", "policy %s now refuses %s, to whom the nonce "
                              "was issued" % (self.policy.p, rec["client"])))
        if req["group_id"] in self.hosted:                 # inherent after a consumed nonce's import
            fails.append(Fail(["GROUP-1"], "group_exists", "group already hosted",
                              inherent=nonce in self.consumed))
        try:
            gs = state_summary(c["group_state"], env["cipher_suite"])
            if self.f.v2 and gs["version"] != 2:
                fails.append(Fail(["MLS-1"], "bad_group_state", "group_state is not a MigrationGroupState"))
            if (gs["group_id"], gs["cipher_suite"], gs["epoch"]) != (req["group_id"], env["cipher_suite"],
                                                                     req["epoch"] + 1):
                fails.append(Fail(["LIFE-6", "MLS-2"], "bad_group_state" if gs["version"] == 2
                                  else "malformed", "group_state group/suite/epoch"))
            if gs["problems"]:
                fails.append(Fail(["MLS-2"], "bad_group_state", "group_state: %s" % gs["problems"][0]))
        except (DecodeError, KeyError) as ex:
            fails.append(Fail(["MLS-1" if self.f.v2 else "LIFE-6"], "malformed", "group_state: %s" % ex))
        if fails or not apply:
            return fails, "content imported"
        self.hosted.add(req["group_id"])
        self.consumed[nonce] = env["body"]
        return [], "content imported"


class Source:
    def __init__(self, f, policy):
        self.f, self.own, self.policy = f, f.source, Policy(policy, f.source)
        self.epoch, self.status, self.mig, self.used = f.epoch, "active", None, {}

    def tick(self, at):
        mig = self.mig
        if mig and mig["commit"] is None and at - mig["t"] > HOLD_MS:   # LIFE-3: abort before content
            self.mig, self.status = None, "active"

    def handle(self, env, at, step, apply):
        mt, msg, sender = env["msg_type"], env["msg"], ident(env["sender"])
        if mt == 3:
            return self.init(env, msg, sender, at, apply)
        if mt in (8, 9):
            return self.commit(env, msg, sender, at, apply)
        if mt == 5:
            return self.tmc(env, msg, sender, apply)
        return [Fail(["MODEL"], None, "the source model does not handle %s" % MSG_TYPES[mt])], ""

    def init(self, env, init, sender, at, apply):
        f, fails = self.f, []
        resp = init["migration_response"]
        req = resp["migration_request"]
        if req["group_id"] != f.gid:
            return [Fail(["GROUP-1"], "unknown_group", "group %s is not hosted (the source hosts %s)"
                         % (short(req["group_id"]), short(f.gid)))], ""
        if self.status == "migrated":
            return [Fail(["LIFE-2"], "group_migrated", "the group has migrated")], ""
        if env["cipher_suite"] != f.suite:
            fails.append(Fail(["SUITE-2"], "unsupported_ciphersuite", "envelope suite 0x%04x, group suite "
                              "0x%04x" % (env["cipher_suite"], f.suite)))
        src, tgt = ident(req["source_domain_name"]), ident(req["target_domain_name"])
        if src != self.own or src == tgt:
            fails.append(Fail(["DOM-2"], "wrong_domain", "request names source %s (target %s); the "
                              "receiver is %s" % (src, tgt, self.own)))
        if tgt not in f.dskeys:
            fails.append(Fail(["DOM-2"], "wrong_domain", "target %s has no key in the directory" % tgt))
        if sender not in f.members:
            fails.append(Fail(["AUTHZ-1"], "not_member", "%s has no leaf in the group (members: %s)"
                              % (sender, ", ".join(sorted(f.members)))))
        else:
            sig_fail(f, fails, ["SIG-2", "KEY-2"], sender, LABELS[3], INIT, init, "MigrationInit")
        sig_fail(f, fails, ["SIG-1"], tgt, LABELS[2], RESPONSE, resp, "embedded MigrationResponse")
        if not self.policy.allows(sender):
            fails.append(Fail(["AUTHZ-1"], "unauthorized", "source policy %s refuses %s"
                              % (self.policy.p, sender)))
        if req["epoch"] != self.epoch:
            fails.append(Fail(["EPOCH-1"], "stale_epoch", "request epoch %d, the group's epoch is %d"
                              % (req["epoch"], self.epoch)))
        nonce = resp["nonce"]
        if nonce in self.used:
            if self.used[nonce] == env["body"] and not fails:
                return [], ("byte-identical retransmission of the MigrationInit accepted in the prefix: "
                            "same outcome (NONCE-3)")
            if self.used[nonce] != env["body"]:
                fails.append(Fail(["NONCE-3"], "nonce_reused", "nonce %s already used by the MigrationInit "
                                  "accepted in the prefix (from %s)" % (short(nonce), self.mig and
                                                                         self.mig["client"])))
        elif self.mig is not None:
            fails.append(Fail(["LIFE-3"], "busy", "another migration in flight"))
        if fails or not apply:
            return fails, "MigrationInit accepted"
        self.used[nonce] = env["body"]
        self.mig = {"init": env["body"], "nonce": nonce, "client": sender, "target": tgt, "req": req,
                    "t": at, "commit": None, "content": None}
        self.status = "migrating"
        return [], "MigrationInit accepted"

    def commit(self, env, mls, sender, at, apply):
        f, fails = self.f, []
        fr = frame_of(mls)
        if fr["group_id"] != f.gid:
            return [Fail(["GROUP-1"], "unknown_group", "commit for group %s" % short(fr["group_id"]))], ""
        if sender not in f.members:
            fails.append(Fail(["AUTHZ-1"], "not_member", "%s is not a member" % sender))
        try:
            aad = decode_all(COMMIT_AAD, fr["authenticated_data"], f.suite)
        except DecodeError:
            aad = None
        mig = self.mig
        if aad is None:                                   # an ordinary Commit
            if self.status == "migrating":
                fails.append(Fail(["LIFE-3"], "busy", "an ordinary message while migrating"))
            elif fr["epoch"] != self.epoch:
                fails.append(Fail(["EPOCH-1"], "stale_epoch", "epoch %d" % fr["epoch"]))
            return fails, "ordinary commit accepted"
        named = ident(aad["target_ds_domain"])
        if named == self.own:
            fails.append(Fail(["EPOCH-2", "LIFE-4"], "bad_commit", "MigrationCommitAAD names the source"))
        if mig is None:
            if fr["content_type"] != 3 or fr["epoch"] != self.epoch:
                fails.append(Fail(["EPOCH-2", "LIFE-4"], "bad_commit", "held commit not a commit or not "
                                  "at the current epoch"))
            return fails, "migration Commit held for its MigrationInit"
        if mig["commit"] is not None:
            if mig["commit"] == env["body"] and not fails:
                return [], "retransmitted migration Commit"
            fails.append(Fail(["LIFE-3"], "busy", "the migration already has its Commit"))
            return fails, ""
        if fr["content_type"] != 3:
            fails.append(Fail(["EPOCH-2"], "bad_commit",
                              "content_type %d, not commit (3)" % fr["content_type"]))
        if fr["epoch"] != mig["req"]["epoch"]:
            fails.append(Fail(["EPOCH-2"], "bad_commit", "commit epoch %d, request epoch %d"
                              % (fr["epoch"], mig["req"]["epoch"])))
        if aad["target_ds_domain"] != mig["req"]["target_domain_name"]:
            fails.append(Fail(["EPOCH-2"], "bad_commit", "MigrationCommitAAD names %s, request target %s"
                              % (named, mig["target"])))
        if "bundle" in mls:                               # MLS-4, MLS-2 (profile v2)
            problems, _, _ = M.check_commit_bundle(mls["bundle"], f.suite, f.gid, mig["req"]["epoch"],
                                                   sender.encode(), f.prev)
            for p in problems:
                rule, code = BUNDLE_FAIL.get(p.check, (["MLS-2"], "bad_group_state"))
                fails.append(Fail(rule, code, "CommitBundle: %s" % p))
        if fails or not apply:
            return fails, "migration Commit accepted"
        mig["commit"] = env["body"]
        cm, cenv = f.content_from_source()                # the MigrationContent it then sends
        mig["content"] = cenv["body"] if cenv else None
        return [], "migration Commit accepted"

    def tmc(self, env, tmc, sender, apply):
        f, fails, mig = self.f, [], self.mig
        if self.status == "migrated":
            return [], "duplicate TargetMigrationComplete after completion"
        if mig is None or mig["content"] is None:
            return [Fail(["MODEL"], None, "no MigrationContent sent: the profile gives no verdict")], ""
        if sender != mig["target"]:
            fails.append(Fail(["HASH-2"], "wrong_domain", "sent by %s, migration target %s"
                              % (sender, mig["target"])))
        if env["cipher_suite"] != f.suite:
            fails.append(Fail(["SUITE-2"], "unsupported_ciphersuite", "suite %d" % env["cipher_suite"]))
        sig_fail(f, fails, ["SIG-4"], mig["target"], LABELS[5], TMC, tmc, "TargetMigrationComplete")
        want = ref_hash(f.suite, REFHASH_LABEL, mig["content"])
        got = tmc["migration_content_hash"]
        if got != want:
            plain = hashlib.new(SUITES[f.suite][1], mig["content"]).digest()
            what = ("the plain Hash of the MigrationContent sent" if got == plain else
                    "neither RefHash nor Hash of the MigrationContent sent")
            fails.append(Fail(["HASH-2", "HASH-1"], "hash_mismatch", "hash %s is %s; RefHash is %s"
                              % (short(got), what, short(want))))
        if fails or not apply:
            return fails, "TargetMigrationComplete accepted"
        self.status, self.epoch = "migrated", self.epoch + 1
        return [], "TargetMigrationComplete accepted"


class Client:
    def __init__(self, f, policy):
        self.f, self.phase, self.nonce = f, "requested", None     # started at t=0

    def tick(self, at):
        if self.phase == "requested" and at > CLIENT_GIVE_UP_MS:
            self.phase = "gave_up"

    def handle(self, env, at, step, apply):
        mt, msg, sender, f = env["msg_type"], env["msg"], ident(env["sender"]), self.f
        fails = []
        if mt == 2:
            if self.phase != "requested":
                return [Fail(["MODEL"], None, "no request outstanding")], ""
            if sender != f.target:
                fails.append(Fail(["SIG-1"], "wrong_domain", "response from %s, not the target" % sender))
            if msg["migration_request"]["_raw"] != f.req_body:
                fails.append(Fail(["SIG-1", "NONCE-2"], "unknown_nonce",
                                  "response does not echo the request"))
            sig_fail(f, fails, ["SIG-1"], f.target, LABELS[2], RESPONSE, msg, "MigrationResponse")
            if not fails and apply:
                self.phase, self.nonce = "migrating", msg["nonce"]
            return fails, "MigrationResponse accepted"
        if mt in (8, 9):
            return [], "fanned-out Commit accepted"
        if mt == 6:
            if self.nonce is None:
                return [Fail(["MODEL"], None, "no response received in the prefix")], ""
            if sender != f.source:
                fails.append(Fail(["DOM-4"], "wrong_domain", "confirmation from %s, not the source" % sender))
            sig_fail(f, fails, ["SIG-5"], f.source, LABELS[6], CONFIRMATION, msg, "MigrationConfirmation")
            if msg["nonce"] != self.nonce:
                fails.append(Fail(["NONCE-4"], "unknown_nonce", "confirmation nonce %s, response nonce %s"
                                  % (short(msg["nonce"]), short(self.nonce))))
            if ident(msg["domain_name"]) != f.target:
                fails.append(Fail(["DOM-4"], "wrong_domain", "confirmation names %s, the target is %s"
                                  % (ident(msg["domain_name"]), f.target)))
            if msg["group_id"] != f.gid:
                fails.append(Fail(["DOM-4"], "unknown_group", "confirmation group %s, the group is %s"
                                  % (short(msg["group_id"]), short(f.gid))))
            if not fails and apply:
                self.phase = "done"
            return fails, "MigrationConfirmation accepted"
        return [Fail(["MODEL"], None, "the client model does not handle %s" % MSG_TYPES[mt])], ""


ROLE_CLASS = {"source": Source, "target": Target, "client": Client}


def deliver(actor, raw, at, step, apply):
    """-> (verdict, code, fails, detail): decode as a DS/client does, then handle."""
    v2 = actor.f.v2
    try:
        env = decode_all(STRICT_ENVELOPE_V2 if v2 else STRICT_ENVELOPE, raw, 1)
    except DecodeError as ex:
        return "drop", None, [Fail([ex.rule], None, "envelope does not decode: %s" % ex)], ""
    actor.tick(at)
    if env["cipher_suite"] not in SUITES:
        return "reject", "unsupported_ciphersuite", [
            Fail(["SUITE-2"], "unsupported_ciphersuite", "suite 0x%04x has no key" % env["cipher_suite"])], ""
    try:
        env["msg"] = body_decode(env["msg_type"], env["body"], env["cipher_suite"], v2)
    except DecodeError as ex:
        return "reject", "malformed", [Fail([ex.rule], "malformed", "body: %s" % ex)], ""
    fails, detail = actor.handle(env, at, step, apply)
    if not fails:
        return "accept", None, [], detail
    return "reject", fails[0].code, fails, detail


def recorded_twin(f, env, receiver):
    """The transcript message a case most likely alters: same msg_type, same receiver."""
    cands = [(m, e) for m, e in f.msgs if e is not None and e["msg_type"] == env["msg_type"]]
    pref = [(m, e) for m, e in cands if m["to"] == receiver] or cands
    return pref[0] if pref else (None, None)


def bit_note(a, b, path):
    """' (N bits)' when a changed hex field of equal length differs in at most 8 bits."""
    for k in path.split("."):
        a, b = (a or {}).get(k), (b or {}).get(k)
    try:
        if isinstance(a, str) and isinstance(b, str) and len(a) == len(b):
            n = bin(int(a, 16) ^ int(b, 16)).count("1")
            return " (%d bit%s)" % (n, "s" if n > 1 else "") if n <= 8 else ""
    except ValueError:
        pass
    return ""


def envelope_json(env):
    j = to_json({k: v for k, v in env.items() if k not in ("msg", "body")})
    j["body"] = to_json(env["msg"]) if env.get("msg") is not None else env["body"].hex()
    return j


def verify_negative(data, rep, verbose=True):
    rep.kind = "negative"
    n_cases = n_agree = 0
    seen = set()
    for gi, e in enumerate(data):
        where = "group %d (suite %s)" % (gi, e.get("cipher_suite"))
        if not check_transcript(e, rep, where, False):
            continue
        f = Facts(e)
        check_private_keys(e, f, rep, where)
        check_resign(f, rep, where)
        roles = {"source": f.source, "target": f.target, "client": f.client}
        for t in e["tests"]:
            n_cases += 1
            tc = t["tcId"]
            cw = "tcId %s (suite %s, %s, %s)" % (tc, f.suite, t["rule"], t["flags"][0] if t["flags"] else "-")
            rep.check(tc not in seen, cw, "tcId not unique")
            seen.add(tc)
            ok = verify_case(f, t, roles, rep, cw, verbose)
            n_agree += ok
    rep.summary = "%d groups, %d cases (%d confirmed for the stated rule)" % (len(data), n_cases, n_agree)


def verify_case(f, t, roles, rep, cw, verbose):
    # metadata
    accept = t["result"] == "valid"
    rep.check((t["result"], t["verdict"]) in (("valid", "accept"), ("invalid", "reject")), cw,
              "result %s with verdict %s" % (t["result"], t["verdict"]))
    rep.check((t["code"] is None) == accept and (accept or t["code"] in ERRORS), cw, "code %r" % t["code"])
    rep.check(roles.get(t["role"]) == t["receiver"], cw,
              "receiver %s is not the %s" % (t["receiver"], t["role"]))
    rep.check(0 <= t["prefix"] <= len(f.msgs), cw, "prefix %d" % t["prefix"])
    if not accept:
        rep.check(t["code"] in RULE_CODES.get(t["rule"], {t["code"]}), cw,
                  "code %s is not one the profile gives %s" % (t["code"], t["rule"]))
    prefix = [(m, env) for m, env in f.msgs[:t["prefix"]] if m["to"] == t["receiver"]]
    last_at = max([m["at_ms"] for m, _ in f.msgs[:t["prefix"]]] or [0])
    rep.check(t["at_ms"] >= last_at, cw, "case at %d ms, before the prefix's last delivery %d ms"
              % (t["at_ms"], last_at))
    # build the receiver and replay the prefix
    role = t["role"]
    policy = t.get("%s_policy" % role) if role != "client" else None
    actor = ROLE_CLASS[role](f, policy)
    for m, env in prefix:
        v, code, fails, _ = deliver(actor, h(m["envelope"]), m["at_ms"], m["step"], True)
        if not rep.check((v == "accept") == (m["verdict"] == "accepted"), cw,
                         "prefix step %s: model %s (%s), transcript %s"
                         % (m["step"], v, fails and fails[0].detail, m["verdict"])):
            return False
    if "policy_after_prefix" in t:
        actor.policy = Policy(t["policy_after_prefix"], actor.own)
    raw = h(t["envelope"])
    v, code, fails, detail = deliver(actor, raw, t["at_ms"], 10 ** 9, False)
    # what changed against the recorded message it derives from
    try:
        env = decode_all(STRICT_ENVELOPE_V2 if f.v2 else STRICT_ENVELOPE, raw, 1)
        env = env_decode(raw, None if env["cipher_suite"] in SUITES else f.suite, f.v2)
        rep.check(ident(env["sender"]) == t["from"], cw, "envelope sender %s, `from` %s"
                  % (ident(env["sender"]), t["from"]))
        tm, tenv = recorded_twin(f, env, t["receiver"])
        if tenv is None:
            change = "no recorded %s to compare" % MSG_TYPES.get(env["msg_type"])
        elif tenv["body"] == env["body"] and raw == h(tm["envelope"]):
            change = "byte-identical to step %s" % tm["step"]
        else:
            a, b = envelope_json(tenv), envelope_json(env)
            diff = [p + bit_note(a, b, p) for p in json_diff(a, b)]
            change = "vs step %s: %s changed" % (tm["step"], ", ".join(diff) or "nothing decoded")
    except (DecodeError, KeyError):
        change = "envelope or body not decodable under its own suite"
    # verdict
    first = fails[0] if fails else None
    also = "; also: " + "; ".join("%s %s%s" % (x.code, "/".join(sorted(x.rules)),
                                                " (inherent in the prefix state)" if x.inherent else "")
                                  for x in fails[1:]) if len(fails) > 1 else ""
    extra = [x for x in fails[1:] if not x.inherent]
    if accept:
        agree = v == "accept"
        finding = "accepted: %s" % detail if agree else "model %s %s: %s" % (v, code, first.detail)
        rep.check(agree, cw, "an accept case the independent model %s (%s)"
                  % (v, first and first.detail))
    else:
        finding = ("%s %s (%s): %s%s" % (v, code, "/".join(sorted(first.rules)), first.detail, also)
                   if first else "accepted: %s" % detail)
        if not rep.check(v != "accept", cw, "the message is valid for the independent model: %s" % detail):
            agree = False
        else:
            agree = v == "reject" and code == t["code"] and t["rule"] in first.rules
            if not agree:
                rep.disagree(cw, "stated %s %s, independent model: %s" % (t["rule"], t["code"], finding))
            elif extra:
                rep.disagree(cw, "the message breaks more than the stated rule: %s" % finding)
                agree = False
    if verbose:
        rep.lines.append("case %s %s -> %s%s: %s: %s [%s]"
                         % (cw, t["receiver"], t["verdict"], " " + t["code"] if t["code"] else "",
                            "agree" if agree else "DISAGREE", finding, change))
    return agree


# ================================================================ driver
def detect(data):
    if isinstance(data, dict) and "objects" in data and "suite" in data:
        return WG.verify_state_chain                      # e.g. suites/fixtures/ts-mls/
    if not isinstance(data, list) or not data or not all(isinstance(x, dict) for x in data):
        return None
    x = data[0]
    if isinstance(x.get("sign_with_label"), list) and "keys" in x and "ref_hash" in x:
        return verify_crypto
    if "type" in x and "tests" in x:
        return verify_codec
    if "messages" in x and "tests" in x:
        return verify_negative
    if "messages" in x and "final_state" in x:
        return verify_migration
    return WG.detect(x)


def verify_data(path, data, verbose=True):
    rep = Report(path)
    fn = detect(data)
    if fn is None:
        rep.check(False, "file", "not crypto.json, codec.json, migration.json or negative.json "
                  "(vectors/README.md formats), nor a working group tree-validation.json, "
                  "messages.json, tree-operations.json or welcome.json")
        return rep
    try:
        if fn is verify_negative:
            fn(data, rep, verbose)
        else:
            fn(data, rep)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as ex:
        rep.check(False, "file", "malformed %s file: %r" % (rep.kind, ex))
    return rep


def print_report(rep, strict):
    ok = not rep.failures and not (strict and rep.disagreements)
    print("%s %s: %s, %s; %d checks, %d failed, %d disagreements"
          % ("PASS" if ok else "FAIL", rep.path, rep.kind, rep.summary, rep.checks, len(rep.failures),
             len(rep.disagreements)))
    for line in rep.lines:
        print("  " + line)
    for d in rep.disagreements:
        print("  DISAGREE %s" % d)
    for fl in rep.failures:
        print("  FAIL %s" % fl)
    return ok


def load(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# ================================================================ self-test
def _flip_sig(data, suite, label_index):
    x = next(e for e in data if e["cipher_suite"] == suite)["sign_with_label"][label_index]
    x["signature"] = x["signature"][:-2] + "%02x" % (int(x["signature"][-2:], 16) ^ 1)


def _codec_case(data, pred):
    return next(t for g in data for t in g["tests"] if pred(g, t))


def _valid_to_invalid(data):
    t = _codec_case(data, lambda g, t: t["result"] == "valid" and g["type"] == "migration_init")
    t["result"], t["flags"], t["rule"] = "invalid", ["TrailingData"], "ENC-2"
    del t["fields"]


def _invalid_to_valid(data):
    g = next(g for g in data if g["type"] == "migration_request")
    valid = next(t for t in g["tests"] if t["result"] == "valid")
    t = next(t for t in g["tests"] if t["result"] == "invalid" and t["flags"] == ["DomainUppercase"])
    t["result"], t["flags"], t["fields"] = "valid", ["Canonical"], valid["fields"]
    del t["rule"]


def _relabel(data):
    t = _codec_case(data, lambda g, t: t.get("flags") == ["NonMinimalLength"])
    t["rule"], t["flags"] = "ENC-2", ["TrailingData"]


def _bump_field(data):
    t = _codec_case(data, lambda g, t: t["result"] == "valid" and g["type"] == "migration_request")
    t["fields"]["epoch"] += 1


def _neg_case(data, suite, rule, flag):
    g = next(g for g in data if g["cipher_suite"] == suite)
    return g, next(t for t in g["tests"] if t["rule"] == rule and t["flags"] == [flag])


def _undo(data, suite, rule, flag, msg_type):
    """Replace a case's envelope with the recorded message it was derived from."""
    g, t = _neg_case(data, suite, rule, flag)
    m = next(m for m in g["messages"] if m["type"] == MSG_TYPES[msg_type] and m["to"] == t["receiver"])
    t["envelope"], t["from"] = m["envelope"], m["from"]


def _retransmission_to_reuse(data):
    g, t = _neg_case(data, 4, "NONCE-3", "Retransmission")
    _, bob = _neg_case(data, 4, "NONCE-3", "NonceReused")
    t["envelope"], t["from"] = bob["envelope"], bob["from"]


def _set_code(data, suite, rule, flag, code):
    _neg_case(data, suite, rule, flag)[1]["code"] = code


def _mig_state_hash(data):
    fs = data[0]["final_state"]["target.example"]
    old = fs["group_state_hash"]
    fs["group_state_hash"] = ("00" if old[:2] != "00" else "11") + old[2:]


def _mig_swap_priv(data):
    pk = data[1]["private_keys"]
    bob, carol = "bob@source.example", "carol@source.example"
    pk[bob], pk[carol] = pk[carol], pk[bob]


def _mig_flip_response(data):
    m = next(m for m in data[2]["messages"] if m["type"] == "migration_response")
    m["envelope"] = m["envelope"][:-2] + "%02x" % (int(m["envelope"][-2:], 16) ^ 1)


# (kind, name, tamper, expect): expect "fail" = a new failure, "disagree" = a new disagreement
TAMPERS = [
    ("crypto", "flipped bit in the suite 1 MigrationInitTBS signature", lambda d: _flip_sig(d, 1, 1), "fail"),
    ("crypto", "flipped bit in the suite 7 MigrationConfirmationTBS signature (ECDSA)",
     lambda d: _flip_sig(d, 7, 4), "fail"),
    ("crypto", "ref_hash.out of suite 4 altered",
     lambda d: d[3]["ref_hash"].__setitem__("out", "00" + d[3]["ref_hash"]["out"][2:]), "fail"),
    ("codec", "a valid MigrationInit marked invalid (ENC-2)", _valid_to_invalid, "fail"),
    ("codec", "an invalid DomainUppercase request marked valid", _invalid_to_valid, "fail"),
    ("codec", "a NonMinimalLength case relabelled ENC-2 TrailingData", _relabel, "disagree"),
    ("codec", "a valid case's fields.epoch changed", _bump_field, "fail"),
    ("migration", "target group_state_hash altered", _mig_state_hash, "fail"),
    ("migration", "two members' private keys swapped", _mig_swap_priv, "fail"),
    ("migration", "flipped bit in a MigrationResponse signature", _mig_flip_response, "fail"),
    ("negative", "SIG-1 flipped-bit response (suite 1) replaced by the recorded response",
     lambda d: _undo(d, 1, "SIG-1", "ModifiedSignature", 2), "fail"),
    ("negative", "EPOCH-1 stale init (suite 5) replaced by the recorded init",
     lambda d: _undo(d, 5, "EPOCH-1", "StaleEpoch", 3), "fail"),
    ("negative", "HASH-1 TMC (suite 2) replaced by the recorded TMC",
     lambda d: _undo(d, 2, "HASH-1", "NotRefHash", 5), "fail"),
    ("negative", "DOM-1 wrong-target case (suite 3) expecting bad_signature",
     lambda d: _set_code(d, 3, "DOM-1", "WrongTarget", "bad_signature"), "fail"),
    ("negative", "DOM-4 wrong-target confirmation (suite 6) expecting unknown_group",
     lambda d: _set_code(d, 6, "DOM-4", "WrongTarget", "unknown_group"), "disagree"),
    ("negative", "NONCE-3 retransmission (suite 4) replaced by bob's reusing init",
     _retransmission_to_reuse, "fail"),
]


def self_test(files):
    ok_all = True
    problem = curve_self_check()
    print("curve orders: %s" % (problem or "ok"))
    ok_all &= problem is None
    for path, data in files:
        base = verify_data(path, data, verbose=False)
        print("%s: baseline %s (%s, %d failed, %d disagreements)"
              % (path, "FAILS" if base.failures else "ok", base.kind, len(base.failures),
                 len(base.disagreements)))
        if base.failures:
            ok_all = False
            for fl in base.failures[:10]:
                print("  FAIL %s" % fl)
            continue
        for kind, name, op, want in WG.TAMPERS:          # WG files: the tampered entries alone
            if kind != base.kind:
                continue
            try:
                rep = verify_data(path, op(copy.deepcopy(data)), verbose=False)
                hits = [f for f in rep.failures if want in f]
                caught, got = bool(hits), (hits or rep.failures or ["nothing"])[0]
            except Exception as ex:                       # a tamper that cannot apply is a miss
                caught, got = False, "tamper failed: %r" % ex
            ok_all &= caught
            print("  %s %-70s expected fail; got: %s" % ("caught" if caught else "MISSED", name, got[:160]))
        for kind, name, op, expect in TAMPERS:
            if kind != base.kind:
                continue
            bad = copy.deepcopy(data)
            try:
                op(bad)
                rep = verify_data(path, bad, verbose=False)
                new_f = [x for x in rep.failures if x not in base.failures]
                new_d = [x for x in rep.disagreements if x not in base.disagreements]
                caught = bool(new_f) if expect == "fail" else bool(new_d) and not new_f
                got = (new_f or new_d or ["nothing"])[0]
            except Exception as ex:                       # a tamper that cannot apply is a miss
                caught, got = False, "tamper failed: %r" % ex
            ok_all &= caught
            print("  %s %-70s expected %s; got: %s" % ("caught" if caught else "MISSED", name, expect,
                                                       got[:160]))
    return ok_all


# ================================================================ main
def main(argv):
    args = argv[1:]
    selftest = "--self-test" in args
    strict = "--strict" in args
    args = [a for a in args if a not in ("--self-test", "--strict")]
    if not args or any(a.startswith("-") for a in args):
        print("usage: verify_vectors.py [--strict] FILE...\n       verify_vectors.py --self-test FILE...",
              file=sys.stderr)
        return 2
    files, io_error = [], False
    for path in args:
        try:
            files.append((path, load(path)))
        except (OSError, ValueError) as ex:
            print("verify_vectors.py: cannot read %s: %s" % (path, ex), file=sys.stderr)
            io_error = True
    if io_error:
        return 2
    if selftest:
        ok = self_test(files)
        print("self-test %s" % ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    passed = failed = 0
    for path, data in files:
        if print_report(verify_data(path, data), strict):
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

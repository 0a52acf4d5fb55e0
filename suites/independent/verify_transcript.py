#!/usr/bin/python3
"""Independent verifier for mlsmig migration transcripts (profiles v1 and v2).

Written from the profile (/work/shared/spec/profile.md), the draft's messages
(protocol.md), RFC 9420 and docs/actors.md only; no mlsmig C source was read.

usage: verify_transcript.py FILE|-            verify one transcript or a JSON array
       verify_transcript.py --self-test FILE|-  tamper with good transcripts and
                                                check that every tamper is caught
Exit: 0 all passed, 1 a check failed, 2 usage or I/O error.
Needs Debian's python3-cryptography: run with /usr/bin/python3.
"""
import copy
import json
import sys

sys.dont_write_bytecode = True                           # leave no __pycache__ in the tree
import mls_public as M                                   # noqa: E402
from indep_lib import (BODY, COMMIT_AAD, ERRORS, GROUP_STATE, LABELS, MSG_TYPES, REFHASH_LABEL,
                       RESPONSE, SUITES, DecodeError, decode_all, decode_envelope, encode,
                       encode_envelope, key_problem, ref_hash, tbs, vec, verify_sig)


# ---------------------------------------------------------------- transcript checks
class Report:
    def __init__(self, label):
        self.label, self.failures, self.checks, self.notes = label, [], 0, []

    def check(self, rule, ok, where, detail):
        self.checks += 1
        if not ok:
            self.failures.append((rule, where, detail))
        return ok

    def rules(self):
        return {f[0] for f in self.failures}


def verify_transcript(t, require_outcome=True):
    """require_outcome=False: a transcript without `outcome` (the prefix transcripts
    of vectors/negative.json) skips the outcome checks; the CLI always requires it."""
    rep = Report("suite %s seed %s" % (t.get("cipher_suite"), t.get("seed")))
    try:
        _verify(t, rep, require_outcome)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        rep.check("TRANSCRIPT", False, "-", "malformed transcript: %r" % e)
    return rep


def step_of(m):
    return "step %s" % m["step"]


def _verify(t, rep, require_outcome=True):
    suite = t["cipher_suite"]
    if not rep.check("SUITE-1", suite in SUITES, "-", "unknown cipher suite %r" % suite):
        return
    keys = {k: bytes.fromhex(v) for k, v in t["keys"].items()}
    members = {k: v for k, v in keys.items() if "@" in k}
    gid, epoch = bytes.fromhex(t["group_id"]), t["epoch"]
    for name, pub in keys.items():
        problem = key_problem(suite, pub)
        rep.check("SUITE-1", problem is None, "keys", "%s: %s" % (name, problem))
    v2 = is_v2(t)
    rep.label += " (profile v2)" if v2 else ""

    # every envelope: ENC-1..4, SUITE-2, type name, verdict
    msgs, steps = [], [m["step"] for m in t["messages"]]
    rep.check("TRANSCRIPT", steps == sorted(set(steps)), "-", "steps not strictly increasing")
    for m in sorted(t["messages"], key=lambda m: m["step"]):
        where = "step %s (%s)" % (m["step"], m["type"])
        raw = bytes.fromhex(m["envelope"])
        try:
            env = decode_envelope(raw, suite, v2)
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

    # v2: the group's public state per epoch, as the transcript shows it (initial_state,
    # PublicGroupStates, accepted CommitBundles); MLS-3: the members are the tree's
    states = state_chain(t, rep, msgs, suite, gid) if v2 else {}
    prev = states.get(epoch)
    if prev is not None:
        members = {k.decode(): leaves[0][1] for k, leaves in prev.members().items()}

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
        if v2:                            # LIFE-1: the commit's MLSMessage as mls_message(9)
            fan = all_of(9, lambda m, e: m["from"] == source and e["msg"].get("epoch") == req["epoch"]
                         and e["msg"].get("content_type") == 3)
            bundle_checks(t, rep, com_m, com_e, suite, gid, req["epoch"], prev)
        else:
            fan = all_of(8, lambda m, e: m["from"] == source)
        for m, e in fan:
            rep.check("EPOCH-2", e["body"] == (c["commit_bytes"] if v2 else com_e["body"]), step_of(m),
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
    gs = None
    if v2:
        state_checks_v2(rep, cont, where, suite, gid, req["epoch"], com_e if com_m else None)
        migrated_state_served(t, rep, msgs, suite, gid, req["epoch"], target, tmc_m)
    else:
        try:
            gs = decode_all(GROUP_STATE, cont["group_state"], suite)
        except DecodeError as e:
            rep.check("LIFE-6", False, where, "group_state is not the reference format: %s (%s)"
                      % (e, e.rule))
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
    if not require_outcome and "outcome" not in t:
        return
    out = t["outcome"]
    rep.check("LIFE-2", out["result"] == "completed", "outcome", "result %r" % out["result"])
    rep.check("INV-4", out["home"] == target, "outcome", "home %r, target %s" % (out["home"], target))
    rep.check("LIFE-6", out["epoch"] == req["epoch"] + 1, "outcome", "epoch %r" % out["epoch"])
    for inv, verdict in sorted(out.get("invariants", {}).items()):
        rep.check(inv, verdict == "pass", "outcome", "%s: %s" % (inv, verdict))


# ---------------------------------------------------------------- profile v2 (section 11)
MLS2_RULE = {"commit_framing": "EPOCH-2", "commit_epoch": "EPOCH-2", "signer": "MLS-4",
             "not_member": "MLS-4", "commit_signature": "MLS-4", "welcome": "MLS-4"}


def is_v2(t):
    """A transcript of profile v2: it has an initial_state, an envelope of a type new in
    v2 (10..13), a MigrationContent carrying a MigrationGroupState (version 2), or a
    migration_commit whose body is a CommitBundle (a v1 body is one MLSMessage)."""
    if "initial_state" in t:
        return True
    for m in t.get("messages", []):
        try:
            raw = bytes.fromhex(m["envelope"])
            if raw[:1] and raw[0] in (10, 11, 12, 13):
                return True
            env = decode_envelope(raw, t["cipher_suite"]) if raw[:1] in (b"\x04", b"\x08") else None
            if env and env["msg_type"] == 4 and M.state_version(env["msg"]["group_state"]) == 2:
                return True
            if env and env["msg_type"] == 8:
                M.decode(M.COMMIT_BUNDLE, env["body"])
                return True
        except (DecodeError, ValueError, KeyError, TypeError):
            continue
    return False


def _mls2(rep, problems, where, what):
    if not problems:
        rep.check("MLS-2", True, where, what)
    for p in problems:
        rep.check(MLS2_RULE.get(p.check, "MLS-2"), False, where, "%s: %s" % (what, p))


def initial_state(t, suite, gid, epoch, rep):
    """The State the transcript starts from, if it gives one: `initial_state` (hex
    MigrationGroupState or PublicGroupState of any epoch; epoch None)."""
    raw = t.get("initial_state")
    if raw is None:
        return None
    data = bytes.fromhex(raw)
    try:
        if M.state_version(data) == 2:
            gs = M.decode_state(data)
        else:
            gs = M.decode(M.PUBLIC_GROUP_STATE, data)
    except DecodeError as e:
        rep.check("MLS-1", False, "initial_state", "does not decode: %s (%s)" % (e, e.rule))
        return None
    problems, st = M.state_of(gs["group_info"], gs["ratchet_tree"], suite, gid, epoch)
    _mls2(rep, problems, "initial_state", "initial state")
    return st


def state_chain(t, rep, msgs, suite, gid):
    """epoch -> State: initial_state, then in step order every PublicGroupState a DS
    sends (group_info(13), MLS-2 at its epoch) and every accepted CommitBundle of a
    client (commit_bundle(10): MLS-4 against the state of its epoch, the new state
    recorded; its fan-out, mls_message(9) of the commit, to every member of that
    state; migration_commit(8): recorded here, judged by bundle_checks)."""
    states = {}
    init = initial_state(t, suite, gid, None, rep)
    if init is not None:
        states[init.epoch] = init
    for m, e in msgs:
        where = step_of(m)
        if e["msg_type"] == 13 and "@" not in m["from"]:
            pgs = e["msg"]
            problems, st = M.state_of(pgs["group_info"], pgs["ratchet_tree"], suite, gid, None)
            _mls2(rep, problems, where, "PublicGroupState")
            if st is not None:
                states.setdefault(st.epoch, st)
        elif e["msg_type"] in (8, 10) and "@" in m["from"] and m["verdict"] == "accepted" \
                and "bundle" in e["msg"]:
            ep = e["msg"].get("epoch")
            if ep is None:
                continue
            prev = states.get(ep)
            problems, new, notes = M.check_commit_bundle(e["msg"]["bundle"], suite, gid, ep,
                                                         m["from"].encode(), prev)
            if e["msg_type"] == 10:
                _mls2(rep, problems, where, "CommitBundle")
                rep.notes += ["%s: %s" % (where, n) for n in notes]
                if prev is not None:
                    fan_out_checks(rep, msgs, m, e, prev)
            if new is not None:
                states.setdefault(ep + 1, new)
    return states


def fan_out_checks(rep, msgs, bm, be, prev):
    """MLS-4, LIFE-1: an accepted ordinary CommitBundle's commit goes, as mls_message(9)
    with its MLSMessage bytes, from the DS that took it to every member of its epoch."""
    raw = be["msg"]["commit_bytes"]
    got = {m["to"] for m, e in msgs if e["msg_type"] == 9 and m["from"] == bm["to"]
           and m["step"] > bm["step"] and e["body"] == raw}
    want = {k.decode() for k in prev.members()}
    rep.check("MLS-4", want <= got, step_of(bm), "commit not fanned out to %s" % sorted(want - got))


def bundle_checks(t, rep, com_m, com_e, suite, gid, epoch, prev):
    """MLS-4 and EPOCH-2 for the migration Commit's CommitBundle: its new state passes
    MLS-2 at epoch + 1, its GroupInfo signer is the envelope's sender, the sender is a
    member, a PublicMessage commit verifies under the current GroupContext."""
    cb, where = com_e["msg"]["bundle"], step_of(com_m)
    problems, new, notes = M.check_commit_bundle(cb, suite, gid, epoch, com_m["from"].encode(), prev)
    _mls2(rep, problems, where, "migration CommitBundle")
    com_e["new_state"] = new
    for n in notes:
        rep.notes.append("%s: %s" % (where, n))
    if cb["welcome"] is not None and new is not None:     # LIFE-1: the Welcome to new members
        old = set(prev.members()) if prev else {k.encode() for k in t["keys"] if "@" in k}
        joiners = set(new.members()) - old
        raw = M.MLS_MESSAGE.enc(cb["welcome"])
        got = set()
        for m in t["messages"]:
            env_raw = bytes.fromhex(m["envelope"])
            if env_raw[:1] == b"\x0b" and m["from"] != com_m["from"]:
                try:
                    if decode_envelope(env_raw, suite, True)["body"] == raw:
                        got.add(m["to"].encode())
                except DecodeError:
                    pass
        rep.check("LIFE-1", joiners <= got, where, "Welcome not delivered to %s"
                  % sorted(x.decode() for x in joiners - got))


def state_checks_v2(rep, cont, where, suite, gid, epoch, com_e):
    """MLS-1, MLS-2, LIFE-6: the MigrationGroupState the target imports is the state of
    epoch + 1, valid, and the one the migration CommitBundle created."""
    raw = cont["group_state"]
    try:
        gs = M.decode_state(raw)
    except DecodeError as e:
        rep.check("MLS-1", False, where, "group_state is not a MigrationGroupState: %s (%s)" % (e, e.rule))
        return
    rep.check("ENC-3", M.encode(M.MIGRATION_GROUP_STATE, gs) == raw, where, "group_state re-encoding")
    problems, st = M.state_of(gs["group_info"], gs["ratchet_tree"], suite, gid, epoch + 1)
    _mls2(rep, problems, where, "imported state")
    if com_e is not None and "bundle" in com_e["msg"]:
        cb = com_e["msg"]["bundle"]
        same = (M.GROUP_INFO.enc(cb["group_info"]) == M.GROUP_INFO.enc(gs["group_info"])
                and M.RATCHET_TREE.enc(M.tree_of(cb["group_info"], cb["ratchet_tree"]))
                == M.RATCHET_TREE.enc(M.tree_of(gs["group_info"], gs["ratchet_tree"])))
        rep.check("LIFE-6", same, where, "the imported state is not the one the migration Commit's "
                  "bundle created (GroupInfo and tree)")


def migrated_state_served(t, rep, msgs, suite, gid, epoch, target, tmc_m):
    """MLS-6, LIFE-6: every group_info(13) the target sends after the TMC is at an
    epoch after the migration Commit."""
    for m, e in msgs:
        if e["msg_type"] != 13:
            continue
        pgs, where = e["msg"], step_of(m)
        ep = pgs["group_info"]["group_context"]["epoch"]          # MLS-2: state_chain
        if m["from"] == target and m["step"] > tmc_m["step"]:
            rep.check("LIFE-6", ep >= epoch + 1, where, "the target serves epoch %d, the migration "
                      "Commit created %d" % (ep, epoch + 1))


# ---------------------------------------------------------------- self-test
def _edit(t, msg_type, fn):
    """Apply fn to the decoded envelope of every message of msg_type and re-encode."""
    v2 = is_v2(t)
    for m in t["messages"]:
        if bytes.fromhex(m["envelope"])[0] != msg_type:
            continue
        env = decode_envelope(bytes.fromhex(m["envelope"]), t["cipher_suite"], v2)
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
    if M.state_version(state) == 2:
        gs = M.decode_state(state)
        gs["group_info"]["group_context"]["epoch"] += 1
        return M.encode(M.MIGRATION_GROUP_STATE, gs)
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
    first = next(m for m in t["messages"] if m["type"] == "migration_request")
    req = decode_envelope(bytes.fromhex(first["envelope"]), t["cipher_suite"])["msg"]
    s, g = req["source_domain_name"].decode(), req["target_domain_name"].decode()
    t["keys"][s], t["keys"][g] = t["keys"][g], t["keys"][s]


def _non_minimal(t):                                     # sender length in 2 bytes
    m = t["messages"][0]
    env = decode_envelope(bytes.fromhex(m["envelope"]), t["cipher_suite"], is_v2(t))
    m["envelope"] = (bytes([env["msg_type"]]) + env["cipher_suite"].to_bytes(2, "big")
                     + (0x4000 | len(env["sender"])).to_bytes(2, "big") + env["sender"]
                     + vec(env["body"])).hex()


def _drop_fanout(t):
    kind = "mls_message" if is_v2(t) else "migration_commit"
    fan = [m for m in t["messages"] if m["type"] == kind and "@" not in m["from"]]
    t["messages"].remove(fan[-1])


def _bundle(t, fn):
    """Apply fn to the decoded CommitBundle of the client's migration Commit."""
    def op(env):
        if "@" in env["sender"].decode():
            fn(env["msg"]["bundle"])
    _edit(t, 8, op)


def _flip_bytes(b, pos=-1):
    b = bytearray(b)
    b[pos] ^= 1
    return bytes(b)


def _state_gi(fn):
    def op(state):
        gs = M.decode_state(state)
        fn(gs)
        return M.encode(M.MIGRATION_GROUP_STATE, gs)
    return op


def _fanout_other_body(t):
    m = [m for m in t["messages"] if m["type"] == "mls_message" and "@" not in m["from"]][-1]
    env = decode_envelope(bytes.fromhex(m["envelope"]), t["cipher_suite"], True)
    env["msg"]["message"]["public_message"]["signature"] = _flip_bytes(
        env["msg"]["message"]["public_message"]["signature"])
    m["envelope"] = encode_envelope(env).hex()


def _drop_initial_signature(t):
    gs = M.decode_state(bytes.fromhex(t["initial_state"]))
    gs["group_info"]["signature"] = _flip_bytes(gs["group_info"]["signature"])
    t["initial_state"] = M.encode(M.MIGRATION_GROUP_STATE, gs).hex()


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
# profile v2 transcripts only (MigrationGroupState, CommitBundle, initial_state)
TAMPERS_V2 = [
    ("imported GroupInfo signature flipped", {"MLS-2", "SIG-3", "HASH-1"},
     lambda t: _edit(t, 4, _set("group_state", _state_gi(
         lambda gs: gs["group_info"].__setitem__("signature", _flip_bytes(gs["group_info"]["signature"])))))),
    ("imported state's tree hash altered", {"MLS-2", "LIFE-6"},
     lambda t: _edit(t, 4, _set("group_state", _state_gi(
         lambda gs: gs["group_info"]["group_context"].__setitem__("tree_hash", bytes(len(
             gs["group_info"]["group_context"]["tree_hash"]))))))),
    ("imported state is a v1 member list", {"MLS-1"},
     lambda t: _edit(t, 4, _set("group_state", lambda g: b"\x00\x01" + g[2:]))),
    ("bundle GroupInfo signed by another leaf index", {"MLS-2"},
     lambda t: _bundle(t, lambda cb: cb["group_info"].__setitem__("signer", (cb["group_info"]["signer"] + 1)
                                                                  % len(M.tree_of(cb["group_info"], cb["ratchet_tree"]))))),
    ("bundle's PublicMessage signature flipped", {"MLS-4"},
     lambda t: _bundle(t, lambda cb: cb["commit"]["public_message"].__setitem__(
         "signature", _flip_bytes(cb["commit"]["public_message"]["signature"])))),
    ("bundle's tree: a leaf signature flipped", {"MLS-2", "LIFE-6"},
     lambda t: _bundle(t, lambda cb: cb["ratchet_tree"][0]["leaf_node"].__setitem__(
         "signature", _flip_bytes(cb["ratchet_tree"][0]["leaf_node"]["signature"])))),
    ("fanned-out commit is not the bundle's", {"EPOCH-2"}, _fanout_other_body),
    ("initial state's GroupInfo signature flipped", {"MLS-2"}, _drop_initial_signature),
]


def _ordinary(t, fn):
    def op(env):
        fn(env["msg"]["bundle"])
    _edit(t, 10, op)


def _drop_ordinary_fanout(t):
    first = next(m for m in t["messages"] if m["type"] == "commit_bundle")
    fan = [m for m in t["messages"] if m["type"] == "mls_message" and m["from"] == first["to"]
           and m["step"] > first["step"]]
    t["messages"].remove(fan[0])


# v2 transcripts with an ordinary commit_bundle(10) before the migration
TAMPERS_V2_ORDINARY = [
    ("ordinary bundle's PublicMessage signature flipped", {"MLS-4"},
     lambda t: _ordinary(t, lambda cb: cb["commit"]["public_message"].__setitem__(
         "signature", _flip_bytes(cb["commit"]["public_message"]["signature"])))),
    ("ordinary bundle's GroupInfo epoch bumped", {"MLS-2"},
     lambda t: _ordinary(t, lambda cb: cb["group_info"]["group_context"].__setitem__(
         "epoch", cb["group_info"]["group_context"]["epoch"] + 1))),
    ("ordinary commit's fan-out to one member dropped", {"MLS-4"}, _drop_ordinary_fanout),
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
        tampers = TAMPERS + (TAMPERS_V2 if is_v2(t) else [])
        if any(m.get("type") == "commit_bundle" for m in t.get("messages", [])):
            tampers = tampers + TAMPERS_V2_ORDINARY
        for name, expected, op in tampers:
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
        print("%s: self-test %d/%d tampers caught" % (label, caught, len(tampers)))
    return ok_all


# ---------------------------------------------------------------- main
def print_report(rep):
    for note in rep.notes:
        print("  NOTE %s: %s" % (rep.label, note))
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

"""A toy source DS: migrates groups it hosts to a target DS (profile v1,
source side, suites 1 and 3), as docs/actors.md ("Source DS") describes:
MigrationInit checked in the documented order, the migration Commit (held
for 10 s when it comes first), MigrationContent to the target, retransmitted
1, 2, 4, 8, 16, 16, ... s until a valid TargetMigrationComplete, then the
Commit fanned out to every member, a MigrationConfirmation to the client
and a tombstone. Durable state in one JSON file in the state directory,
rewritten (write, then rename) before anything leaves (DUR-1); held Commits
are volatile, as the reference's. It knows nothing of the shim protocol:
shim.py adapts it."""
import json
import os

import ed25519
import messages as m
from tls import Malformed, vec

HOLD_MS = 10_000  # LIFE-4: a Commit waits this long for its init, an init for its Commit
RETRANSMIT_MS, RETRANSMIT_CAP_MS = 1_000, 16_000  # LIFE-5
MAX_HELD = 4


class ToySource:
    def __init__(self, domain, keys, peers, strict, deny, state_dir, now):
        self.domain = domain          # bytes
        self.keys = keys              # {suite: private seed}
        self.peers = peers            # {(domain, suite): public key}
        self.strict, self.deny = strict, set(deny)
        self.path = os.path.join(state_dir, "toy-source.json")
        self.now = now
        # hex group id -> {state (hex GroupState), epoch, status, target, migration}
        self.groups, self.nonces = {}, {}   # hex nonce -> hex init
        self.held = {}                      # hex group id -> [(sender, commit bytes, expiry)]
        if os.path.exists(self.path):
            with open(self.path) as f:
                saved = json.load(f)
            self.groups, self.nonces = saved["groups"], saved["nonces"]

    def _save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"groups": self.groups, "nonces": self.nonces}, f)
        os.replace(tmp, self.path)

    # ---- what the shim calls ----

    def install(self, state):
        g = m.group_state(state)
        self.groups[g["group_id"].hex()] = {"state": state.hex(), "epoch": g["epoch"],
                                            "suite": g["suite"], "status": "active",
                                            "target": None, "migration": None}
        self._save()

    def query(self, gid):
        g = self.groups.get(gid.hex())
        if g is None:
            return (0, 0)
        return ({"active": 1, "migrating": 2, "migrated": 3}[g["status"]], g["epoch"])

    def advance(self, now):
        self.now = max(self.now, now)
        out = []
        for gid, held in list(self.held.items()):  # LIFE-4: no init came
            for sender, commit, expiry in list(held):
                if expiry <= self.now:
                    held.remove((sender, commit, expiry))
                    out.append(self._error(sender, self.groups[gid]["suite"], m.BAD_COMMIT,
                                           "no MigrationInit for this Commit"))
        changed = False
        for g in self.groups.values():
            mig = g["migration"]
            if mig is None:
                continue
            if mig["content"] is None and self.now >= mig["deadline"]:  # LIFE-3: no Commit
                g["migration"], g["status"], changed = None, "active", True
                out.append(self._error(mig["client"].encode(), g["suite"], m.BAD_COMMIT,
                                       "no migration Commit came: aborted"))
            elif mig["content"] is not None and self.now >= mig["next"]:  # LIFE-5
                mig["interval"] = min(mig["interval"] * 2, RETRANSMIT_CAP_MS)
                mig["next"], changed = self.now + mig["interval"], True
                out.append((mig["target"].encode(), self._envelope(
                    m.CONTENT, g["suite"], bytes.fromhex(mig["content"]))))
        if changed:
            self._save()
        return out

    def deliver(self, data):
        """One envelope in; the envelopes out as (to, bytes)."""
        try:
            msg_type, suite, sender, body = m.envelope(data)
        except Malformed:
            return []  # no trustworthy sender to answer
        if suite not in self.keys:
            return [self._error(sender, suite, m.UNSUPPORTED_CIPHERSUITE, "no key for this suite")]
        try:
            if msg_type == m.INIT:
                return self._init(sender, suite, body)
            if msg_type in (m.MIGRATION_COMMIT, m.MLS_MESSAGE):
                return self._mls(sender, suite, msg_type, body)
            if msg_type == m.COMPLETE:
                return self._complete(sender, suite, body)
        except Malformed as e:
            return [self._error(sender, suite, m.MALFORMED, str(e))]
        return []  # errors from DSes are dropped; nothing else is served

    # ---- helpers ----

    def _envelope(self, msg_type, suite, body):
        return m.encode_envelope(msg_type, suite, self.domain, body)

    def _error(self, to, suite, code, why):
        return (to, self._envelope(m.ERROR, suite, m.error(code, why)))

    def _group(self, gid, sender, suite):
        """The hosted group, or the refusal (GROUP-1, LIFE-2)."""
        g = self.groups.get(gid.hex())
        if g is None:
            return None, [self._error(sender, suite, m.UNKNOWN_GROUP, "group not hosted")]
        if g["status"] == "migrated":
            return None, [(sender, self._envelope(m.ERROR, suite, m.error(
                m.GROUP_MIGRATED, g["target"])))]
        return g, None

    def _allowed(self, client):
        home = client.rpartition(b"@")[2]
        return client not in self.deny and (not self.strict or home == self.domain)

    # ---- MigrationInit (docs/actors.md, "Source DS", steps 1 to 11) ----

    def _init(self, client, suite, body):
        i = m.init(body)
        resp = i["response"]
        q = resp["request"]
        g, refusal = self._group(q["group_id"], client, suite)                       # 1
        if refusal:
            return refusal
        err = lambda code, why: [self._error(client, suite, code, why)]  # noqa: E731
        if suite != g["suite"]:
            return err(m.UNSUPPORTED_CIPHERSUITE, "not the group's suite")          # 2 SUITE-2
        target_key = self.peers.get((q["target"], suite))
        if q["source"] != self.domain or q["source"] == q["target"] or target_key is None:
            return err(m.WRONG_DOMAIN, "domains")                                   # 3 DOM-2 KEY-1
        state = m.group_state(bytes.fromhex(g["state"]))
        leaf = {ident: key for ident, _, key in state["members"]}.get(client)
        if leaf is None:
            return err(m.NOT_MEMBER, "not a member")                                # 4 AUTHZ-1
        if not m.verify_with_label(leaf, b"MigrationInitTBS", i["tbs"], i["signature"]):
            return err(m.BAD_SIGNATURE, "init signature")                           # 5 SIG-2
        if not m.verify_with_label(target_key, b"MigrationResponseTBS", resp["tbs"],
                                   resp["signature"]):
            return err(m.BAD_SIGNATURE, "response signature")                       # 6 SIG-1
        if not self._allowed(client):
            return err(m.UNAUTHORIZED, "policy")                                    # 7 AUTHZ-2
        if q["epoch"] != g["epoch"]:
            return err(m.STALE_EPOCH, "not the group's epoch")                      # 8 EPOCH-1
        if q["epoch"] == 2**64 - 1:
            return err(m.STALE_EPOCH, "no epoch after 2^64-1")                      # 8 EPOCH-3
        used = self.nonces.get(resp["nonce"].hex())
        if used is not None:
            if used == body.hex():
                return []  # a retransmission gets the same outcome again (NONCE-3)
            return err(m.NONCE_REUSED, "nonce used")                                # 9
        if g["migration"] is not None:
            return err(m.BUSY, "a migration is in flight")                          # 10 LIFE-3
        g["migration"] = {"init": body.hex(), "response": resp["tbs"].hex() + vec(
            resp["signature"]).hex(), "nonce": resp["nonce"].hex(), "client": client.decode(),
            "target": q["target"].decode(), "epoch": q["epoch"], "commit": None,
            "content": None, "deadline": self.now + HOLD_MS, "next": 0,
            "interval": RETRANSMIT_MS}
        g["status"] = "migrating"
        self.nonces[resp["nonce"].hex()] = body.hex()
        self._save()                                                                # 11 DUR-1
        for sender, commit, expiry in self.held.pop(q["group_id"].hex(), []):     # LIFE-4
            if sender == client and self._fits(g, m.mls_framing(commit)):
                return self._transfer(g, commit)
        return []

    # ---- Commits (MLSMessage) ----

    def _fits(self, g, f):
        mig = g["migration"]
        return (f["content_type"] == m.CONTENT_COMMIT and f["epoch"] == mig["epoch"] and
                m.commit_aad(f["aad"]) == mig["target"].encode())                 # EPOCH-2

    def _mls(self, sender, suite, msg_type, body):
        f = m.mls_framing(body)
        g, refusal = self._group(f["group_id"], sender, suite)
        if refusal:
            return refusal
        err = lambda code, why: [self._error(sender, suite, code, why)]  # noqa: E731
        target = m.commit_aad(f["aad"]) if msg_type == m.MIGRATION_COMMIT else None
        mig = g["migration"]
        if target is not None:  # a migration Commit
            if target == self.domain:
                return err(m.BAD_COMMIT, "names this source")
            if mig is None:  # LIFE-4: held for its init
                if f["content_type"] != m.CONTENT_COMMIT or f["epoch"] != g["epoch"]:
                    return err(m.BAD_COMMIT, "not a Commit at the group's epoch")
                held = self.held.setdefault(f["group_id"].hex(), [])
                if len(held) >= MAX_HELD:
                    return err(m.BUSY, "too many held Commits")
                held.append((sender, body, self.now + HOLD_MS))
                return []
            if mig["commit"] is not None:  # transfer under way
                return [] if mig["commit"] == body.hex() else err(m.BUSY, "migrating")
            if sender.decode() != mig["client"] or not self._fits(g, f):
                return err(m.BAD_COMMIT, "does not fit the migration")              # EPOCH-2
            return self._transfer(g, body)
        if mig is not None:
            return err(m.BUSY, "the migration owns the epoch")                      # LIFE-3
        if f["epoch"] != g["epoch"]:
            return err(m.STALE_EPOCH, "not the group's epoch")
        if f["content_type"] == m.CONTENT_COMMIT:  # an ordinary Commit: next epoch
            state = m.group_state(bytes.fromhex(g["state"]))
            state["epoch"] += 1
            g["state"], g["epoch"] = m.encode_group_state(state).hex(), state["epoch"]
            self._save()
        return self._fanout(g, msg_type, body)

    def _fanout(self, g, msg_type, body):
        state = m.group_state(bytes.fromhex(g["state"]))
        return [(ident, self._envelope(msg_type, g["suite"], body))
                for ident, _, _ in state["members"]]

    # ---- the transfer ----

    def _transfer(self, g, commit):
        mig = g["migration"]
        state = m.group_state(bytes.fromhex(g["state"]))
        state["epoch"] += 1  # the state after the migration Commit
        tbs = bytes.fromhex(mig["response"]) + vec(m.encode_group_state(state))
        content = tbs + vec(m.sign_with_label(self.keys[g["suite"]], b"MigrationContentTBS", tbs))
        mig["commit"], mig["content"] = commit.hex(), content.hex()
        mig["hash"] = m.ref_hash(b"MLS 1.0 MigrationContent Reference", content).hex()
        mig["next"], mig["interval"] = self.now + RETRANSMIT_MS, RETRANSMIT_MS
        self._save()  # durable before the content leaves (DUR-1)
        return [(mig["target"].encode(), self._envelope(m.CONTENT, g["suite"], content))]

    def _complete(self, sender, suite, body):
        c = m.complete(body)
        err = lambda code, why: [self._error(sender, suite, code, why)]  # noqa: E731
        mine = [g for g in self.groups.values() if g["migration"] is not None and
                g["migration"]["content"] is not None and
                g["migration"]["target"] == sender.decode()]
        if not mine:
            done = [g for g in self.groups.values() if g["status"] == "migrated" and
                    g["target"] == sender.decode()]
            return [] if done else err(m.WRONG_DOMAIN, "no migration to this DS")
        peer = self.peers.get((sender, suite))
        if peer is None or not m.verify_with_label(peer, b"TargetMigrationCompleteTBS", c["tbs"],
                                                   c["signature"]):
            return err(m.BAD_SIGNATURE, "complete signature")                       # SIG-4
        g = next((g for g in mine if g["migration"]["hash"] == c["hash"].hex()), None)
        if g is None:
            return err(m.HASH_MISMATCH, "not the content sent")                     # HASH-2
        mig = g["migration"]
        nonce = bytes.fromhex(mig["nonce"])
        state = m.group_state(bytes.fromhex(g["state"]))
        target = mig["target"].encode()
        tbs = vec(target) + nonce + vec(state["group_id"])
        confirmation = tbs + vec(m.sign_with_label(self.keys[suite], b"MigrationConfirmationTBS",
                                                   tbs))
        commit = bytes.fromhex(mig["commit"])
        g["status"], g["target"], g["migration"] = "migrated", mig["target"], None
        g["epoch"] += 1
        self._save()  # durable before anything leaves (DUR-1)
        out = self._fanout(g, m.MIGRATION_COMMIT, commit)                           # LIFE-1
        out.append((mig["client"].encode(), self._envelope(m.CONFIRMATION, suite, confirmation)))
        return out                                                                  # LIFE-2

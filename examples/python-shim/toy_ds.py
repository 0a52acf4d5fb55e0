"""A toy target DS: imports groups migrated to it (profile v1, target side,
suites 1 and 3), then serves them: a member's message at the current epoch
goes to every member of the imported state (LIFE-6). It keeps its durable state in one JSON file that it
rewrites after every change (write, then rename: a SIGKILL leaves the old
or the new file, never half of one), so a restarted process resumes
(DUR-1). It knows nothing of the shim protocol: shim.py adapts it."""
import json
import os

import ed25519
import messages as m
from tls import Malformed

NONCE_LIFETIME_MS = 300_000  # NONCE-2


class ToyTarget:
    def __init__(self, domain, keys, peers, strict, deny, state_dir, now):
        self.domain = domain          # bytes
        self.keys = keys              # {suite: private seed}
        self.peers = peers            # {(domain, suite): public key}
        self.strict, self.deny = strict, set(deny)
        self.path = os.path.join(state_dir, "toy-ds.json")
        self.now = now
        self.groups, self.nonces = {}, {}   # hex group id -> {...}; hex nonce -> {...}
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
        self.groups[g["group_id"].hex()] = self._group(g)
        self._save()

    @staticmethod
    def _group(g):
        return {"epoch": g["epoch"], "suite": g["suite"],
                "members": [i.decode() for i, _, _ in g["members"]]}

    def query(self, gid):
        g = self.groups.get(gid.hex())
        return (1, g["epoch"]) if g else (0, 0)

    def advance(self, now):
        self.now = max(self.now, now)
        return []  # a target runs no timers: nonces expire when used

    def deliver(self, data):
        """One envelope in; the envelopes out as (to, bytes)."""
        try:
            msg_type, suite, sender, body = m.envelope(data)
        except Malformed:
            return []  # no trustworthy sender to answer
        out = []

        def refuse(code, why):
            out.append((sender, m.encode_envelope(m.ERROR, suite, self.domain, m.error(code, why))))
            return out

        if suite not in self.keys:
            return refuse(m.UNSUPPORTED_CIPHERSUITE, "no key for this suite")
        try:
            if msg_type == m.REQUEST:
                return self._request(sender, suite, body, out, refuse)
            if msg_type == m.CONTENT:
                return self._content(sender, suite, body, out, refuse)
            if msg_type == m.MLS_MESSAGE:
                return self._traffic(sender, suite, body, out, refuse)
        except Malformed as e:
            return refuse(m.MALFORMED, str(e))
        return out  # errors from DSes are dropped; nothing else is served

    def _traffic(self, sender, suite, body, out, refuse):
        """A hosted group's message: to every member, if from a member at the
        current epoch (a Commit moves the epoch on; its content is not read)."""
        f = m.mls_framing(body)
        gid, epoch, commit = f["group_id"], f["epoch"], f["content_type"] == m.CONTENT_COMMIT
        g = self.groups.get(gid.hex())
        if g is None or "members" not in g:
            return refuse(m.UNKNOWN_GROUP, "group not hosted here")
        if suite != g["suite"]:
            return refuse(m.UNSUPPORTED_CIPHERSUITE, "not the group's suite")   # SUITE-2
        if sender.decode() not in g["members"]:
            return refuse(m.NOT_MEMBER, "not a member")
        if epoch != g["epoch"]:
            return refuse(m.STALE_EPOCH, "not the current epoch")
        if commit:
            g["epoch"] += 1
            self._save()  # durable before the fan-out (DUR-1)
        for member in g["members"]:
            out.append((member.encode(), m.encode_envelope(m.MLS_MESSAGE, suite, self.domain, body)))
        return out

    # ---- the target's two messages (docs/actors.md, "Target DS") ----

    def _allowed(self, client):
        home = client.rpartition(b"@")[2]
        return client not in self.deny and (not self.strict or home == self.domain)

    def _request(self, client, suite, body, out, refuse):
        q = m.request(body)
        if q["target"] != self.domain or q["source"] == q["target"]:
            return refuse(m.WRONG_DOMAIN, "not this target")                     # DOM-1
        if q["epoch"] == 2**64 - 1:
            return refuse(m.STALE_EPOCH, "no epoch after 2^64-1")                # EPOCH-3
        if q["group_id"].hex() in self.groups:
            return refuse(m.GROUP_EXISTS, "group id in use")                     # GROUP-1
        if not self._allowed(client):
            return refuse(m.UNAUTHORIZED, "policy")                              # AUTHZ-3
        nonce = os.urandom(m.NONCE_LEN)                                          # NONCE-1
        while nonce.hex() in self.nonces:
            nonce = os.urandom(m.NONCE_LEN)
        self.nonces[nonce.hex()] = {"request": body.hex(), "client": client.decode(),
                                    "suite": suite, "issued": self.now, "content": None}
        self._save()  # durable before the response leaves (DUR-1)
        tbs = body + nonce
        sig = m.sign_with_label(self.keys[suite], b"MigrationResponseTBS", tbs)  # SIG-1
        resp = tbs + m.vec(sig)
        out.append((client, m.encode_envelope(m.RESPONSE, suite, self.domain, resp)))
        return out

    def _complete(self, sender, suite, body, out):
        h = m.ref_hash(b"MLS 1.0 MigrationContent Reference", body)              # HASH-1
        sig = m.sign_with_label(self.keys[suite], b"TargetMigrationCompleteTBS", m.vec(h))
        out.append((sender, m.encode_envelope(m.COMPLETE, suite, self.domain, m.vec(h) + m.vec(sig))))
        return out

    def _content(self, sender, suite, body, out, refuse):
        c = m.content(body)
        resp = c["response"]
        own = ed25519.public_key(self.keys[suite])
        if not m.verify_with_label(own, b"MigrationResponseTBS", resp["tbs"], resp["signature"]):
            return refuse(m.BAD_SIGNATURE, "response not ours")                  # SIG-1
        rec = self.nonces.get(resp["nonce"].hex())
        q = resp["request"]
        if rec is None or bytes.fromhex(rec["request"]) != m.encode_request(q):
            return refuse(m.UNKNOWN_NONCE, "nonce not issued for this request")  # NONCE-2
        if rec["content"] is not None:  # consumed: a retransmission, or a replay
            if rec["content"] == body.hex() and sender == q["source"]:
                return self._complete(sender, suite, body, out)                  # LIFE-5
            if rec["content"] == body.hex():
                return refuse(m.WRONG_DOMAIN, "a copy, not from the source")     # DOM-3
            return refuse(m.NONCE_REUSED, "nonce consumed")
        if self.now - rec["issued"] > NONCE_LIFETIME_MS:
            return refuse(m.NONCE_EXPIRED, "nonce expired")
        if sender != q["source"]:
            return refuse(m.WRONG_DOMAIN, "not the request's source")            # DOM-3
        peer = self.peers.get((sender, suite))
        if peer is None or not m.verify_with_label(peer, b"MigrationContentTBS", c["tbs"], c["signature"]):
            return refuse(m.BAD_SIGNATURE, "content signature")                  # SIG-3
        if suite != rec["suite"]:
            return refuse(m.UNSUPPORTED_CIPHERSUITE, "suite changed")
        if not self._allowed(rec["client"].encode()):
            return refuse(m.UNAUTHORIZED, "policy")                              # AUTHZ-4
        if q["group_id"].hex() in self.groups:
            return refuse(m.GROUP_EXISTS, "group id in use")                     # GROUP-1
        g = m.group_state(c["group_state"])
        if g["group_id"] != q["group_id"] or g["suite"] != suite or g["epoch"] != q["epoch"] + 1:
            return refuse(m.MALFORMED, "group state does not fit the request")   # LIFE-6
        self.groups[q["group_id"].hex()] = self._group(g)
        rec["content"] = body.hex()
        self._save()  # durable before the answer leaves (DUR-1)
        return self._complete(sender, suite, body, out)

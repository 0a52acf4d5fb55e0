#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/TARGET/ from simulator transcripts and
the vector files (fuzz/README.md). Deterministic: the same tree gives the
same files, each named by the SHA-1 of its contents (as libFuzzer names
them).

    fuzz/seeds.py [--cli build/mlsmig] [--out fuzz/corpus]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

# mm_type order (include/mlsmig/messages.h) and the body type of each
# Envelope msg_type (profile section 8).
TYPES = ["migration_request", "migration_response", "migration_init",
         "migration_commit_aad", "migration_content", "target_migration_complete",
         "migration_confirmation", "envelope", "migration_error", "mls_message"]
BODY = {1: 0, 2: 1, 3: 2, 4: 4, 5: 5, 6: 6, 7: 8, 8: 9, 9: 9}
STATE_BYTES = 64  # must match PAYLOAD in fuzz_ds.c


class Corpus:
    def __init__(self, root):
        self.root = root
        self.count = {}

    def add(self, target, data):
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.count[target] = self.count.get(target, 0) + 1


def varint(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xff])
    return bytes([0x80 | n >> 24, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff])


def read_varint(b, i):
    size = 1 << (b[i] >> 6)
    n = b[i] & 0x3f
    for k in range(1, size):
        n = n << 8 | b[i + k]
    return n, i + size


def split_envelope(env):
    """(msg_type, suite, sender, body) of an Envelope."""
    msg_type, suite = env[0], env[1] << 8 | env[2]
    n, i = read_varint(env, 3)
    sender = env[i:i + n]
    n, i = read_varint(env, i + n)
    return msg_type, suite, sender, env[i:i + n]


def cli_json(cli, typ, data, suite=None):
    args = [cli, "decode", "--type", typ, data.hex()]
    if suite:
        args += ["--suite", str(suite)]
    out = subprocess.run(args, capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else None


def typed(t, suite, body):
    """Input of fuzz_decode / fuzz_roundtrip: type byte, limits byte, bytes."""
    return bytes([t, suite]) + body


def from_transcripts(cli, c):
    for suite in range(1, 8):
        out = subprocess.run([cli, "sim", "--scenario", "happy", "--suite", str(suite),
                              "--state-bytes", str(STATE_BYTES), "--json"],
                             capture_output=True, text=True, check=True)
        tr = json.loads(out.stdout)
        ds_input = bytearray([suite - 1])  # config byte: suite, default policy
        queued = {"source.example": 0, "target.example": 0}
        prev_at = 0
        for m in tr["messages"]:
            env = bytes.fromhex(m["envelope"])
            msg_type, esuite, _, body = split_envelope(env)
            c.add("envelope", env)
            t = BODY[msg_type]
            c.add("decode", typed(t, esuite, body))
            c.add("roundtrip", typed(t, esuite, body))
            c.add("decode", typed(7, 0, env))
            c.add("roundtrip", typed(7, 0, env))
            j = cli_json(cli, TYPES[t], body, esuite)
            if j is not None:
                c.add("msg_json", bytes([t + 10 * esuite]) + json.dumps(j).encode())
            if t == 9:
                c.add("mls_message", body)
                aad = mls_aad(j)
                if aad:
                    c.add("commit_aad", aad)
                    c.add("decode", typed(3, 0, aad))
                    c.add("roundtrip", typed(3, 0, aad))
            if t == 4 and j is not None:
                c.add("group_state", b"\x00" + bytes.fromhex(j["group_state"]))
            # The stateful target: members' envelopes raw, DS-to-DS ones as
            # "forward the k-th envelope that DS emitted" (fuzz_ds.c).
            delta = m["at_ms"] - prev_at
            prev_at = m["at_ms"]
            frm, to = m["from"], m["to"]
            if frm in queued and to in queued:
                op = 2 | (4 if frm == "target.example" else 0)
                ds_input += bytes([op, delta >> 8, delta & 0xff, queued[frm]])
                queued[frm] += 1
            elif to in queued:
                op = 0 if to == "source.example" else 1
                ds_input += bytes([op, delta >> 8, delta & 0xff, len(env) >> 8, len(env) & 0xff])
                ds_input += env
        c.add("ds", bytes(ds_input))
        # The same run with a restart of each DS before the end (DUR-1), and
        # under the target's other policies (deny carol, strict).
        c.add("ds", bytes(ds_input) + bytes([3 | 4 | 8, 0, 1]))
        c.add("ds", bytes([ds_input[0] | 1 << 3]) + bytes(ds_input[1:]))
        c.add("ds", bytes([ds_input[0] | 2 << 3]) + bytes(ds_input[1:]))


def mls_aad(j):
    if not j:
        return None
    for arm in ("public_message", "private_message"):
        if arm in j:
            inner = j[arm]
            aad = inner.get("authenticated_data") or inner.get("content", {}).get(
                "authenticated_data")
            return bytes.fromhex(aad) if aad else None
    return None


def from_mlswg(c, vdir):
    with open(os.path.join(vdir, "messages-framing.json")) as f:
        for v in json.load(f):
            for k in ("public_message_application", "public_message_proposal",
                      "public_message_commit", "private_message"):
                if k in v:
                    b = bytes.fromhex(v[k])
                    c.add("mls_message", b)
                    c.add("decode", typed(9, 0, b))
                    c.add("roundtrip", typed(9, 0, b))
    with open(os.path.join(vdir, "message-protection.json")) as f:
        for v in json.load(f):
            for k, h in v.items():
                if k.endswith(("_pub", "_priv")) and isinstance(h, str) and k != "signature_priv" \
                        and k != "signature_pub":
                    c.add("mls_message", bytes.fromhex(h))


def errors(c):
    for code, detail in ((1, b""), (4, b"nonce unknown"), (13, "refus\u00e9".encode()),
                         (17, "\U0001f600 internal".encode()), (15, b"x" * 100)):
        b = bytes([code >> 8, code & 0xff]) + varint(len(detail)) + detail
        c.add("migration_error", b)
        c.add("decode", typed(8, 0, b))
        c.add("roundtrip", typed(8, 0, b))


def shrink(v):
    """A vector file cut to two vectors per list, for the JSON loader."""
    if isinstance(v, list):
        return [shrink(x) for x in v[:2]]
    if isinstance(v, dict):
        return {k: shrink(x) for k, x in v.items()}
    return v


def vector_files(c, paths):
    for p in paths:
        with open(p) as f:
            data = json.dumps(shrink(json.load(f)), separators=(",", ":")).encode()
        if len(data) <= 8192:  # MAX_INPUT of fuzz_vectors_json.c
            c.add("vectors_json", data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="build/mlsmig")
    ap.add_argument("--out", default="fuzz/corpus")
    ap.add_argument("vectors", nargs="*", help="vector files for the JSON loader")
    a = ap.parse_args()
    c = Corpus(a.out)
    from_transcripts(a.cli, c)
    from_mlswg(c, "vectors/external/mlswg")
    errors(c)
    vector_files(c, a.vectors or [os.path.join("vectors/external/mlswg", f) for f in
                                  sorted(os.listdir("vectors/external/mlswg"))
                                  if f.endswith(".json")])
    for t in sorted(c.count):
        print(f"{t}: {c.count[t]} seeds written", file=sys.stderr)


if __name__ == "__main__":
    main()

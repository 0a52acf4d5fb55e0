#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/TARGET/ from simulator transcripts and
the vector files (fuzz/README.md). Deterministic: the same tree gives the
same files, each named by the SHA-1 of its contents (as libFuzzer names
them).

    fuzz/seeds.py [--cli build/mlsmig] [--out fuzz/corpus] [--only TARGET]...

Shim frames come from a real conversation: `mlsmig run` drives the
reference DS through this script in its --shim-tee mode, which passes every
frame on and keeps a copy.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

# mm_type order (include/mlsmig/messages.h) and the body type of each
# Envelope msg_type (profile section 8).
TYPES = ["migration_request", "migration_response", "migration_init",
         "migration_commit_aad", "migration_content", "target_migration_complete",
         "migration_confirmation", "envelope", "migration_error", "mls_message"]
BODY = {1: 0, 2: 1, 3: 2, 4: 4, 5: 5, 6: 6, 7: 8, 8: 9, 9: 9}
STATE_BYTES = 64  # must match PAYLOAD in fuzz_ds.c


class Corpus:
    def __init__(self, root, only=None):
        self.root = root
        self.only = only
        self.count = {}

    def add(self, target, data):
        if self.only and target not in self.only:
            return
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


# mm_mls_type order (include/mlsmig/mls.h), for the mls_codec target.
MLS_TYPES = ["mls_message", "public_message", "private_message", "framed_content",
             "group_info", "group_context", "ratchet_tree", "node", "leaf_node",
             "parent_node", "credential", "capabilities", "extension", "key_package",
             "welcome", "group_secrets", "proposal", "add", "update", "remove",
             "pre_shared_key", "reinit", "external_init", "group_context_extensions",
             "commit", "update_path", "commit_bundle", "migration_group_state",
             "public_group_state"]
MESSAGES_FIELDS = {"mls_welcome": "mls_message", "mls_group_info": "mls_message",
                   "mls_key_package": "mls_message", "ratchet_tree": "ratchet_tree",
                   "group_secrets": "group_secrets", "add_proposal": "add",
                   "update_proposal": "update", "remove_proposal": "remove",
                   "pre_shared_key_proposal": "pre_shared_key", "re_init_proposal": "reinit",
                   "external_init_proposal": "external_init",
                   "group_context_extensions_proposal": "group_context_extensions",
                   "commit": "commit", "public_message_application": "mls_message",
                   "public_message_proposal": "mls_message",
                   "public_message_commit": "mls_message", "private_message": "mls_message"}


def from_mlswg_mls(c, vdir):
    """fuzz_mls_codec: every field of a few messages.json entries (suite byte
    0: suite-independent limits); fuzz_mls_tree: the smaller trees of
    tree-validation.json and tree-operations.json."""
    with open(os.path.join(vdir, "messages.json")) as f:
        entries = json.load(f)
    for v in entries[0:300:30]:
        for k, t in MESSAGES_FIELDS.items():
            if k in v:
                c.add("mls_codec", bytes([MLS_TYPES.index(t), 0]) + bytes.fromhex(v[k]))
    with open(os.path.join(vdir, "tree-validation.json")) as f:
        for v in json.load(f):
            tree = bytes.fromhex(v["tree"])
            if len(tree) <= 2048:
                c.add("mls_tree", bytes([v["cipher_suite"] - 1]) + tree)
                c.add("mls_codec", bytes([MLS_TYPES.index("ratchet_tree"), v["cipher_suite"]]) +
                      tree)
    with open(os.path.join(vdir, "tree-operations.json")) as f:
        for v in json.load(f):
            c.add("mls_codec", bytes([MLS_TYPES.index("proposal"), 1]) +
                  bytes.fromhex(v["proposal"]))


def mls_states(c, prog):
    """fuzz_mls_state and fuzz_mls_bundle: genuine states and bundles from
    fuzz/mls_seeds.c (lines "TARGET HEX", the leading byte included)."""
    out = subprocess.run([prog], capture_output=True, check=True, text=True).stdout
    for line in out.splitlines():
        target, h = line.split()
        c.add(target, bytes.fromhex(h))


def errors(c):
    for code, detail in ((1, b""), (4, b"nonce unknown"), (13, "refus\u00e9".encode()),
                         (17, "\U0001f600 internal".encode()), (15, b"x" * 100)):
        b = bytes([code >> 8, code & 0xff]) + varint(len(detail)) + detail
        c.add("migration_error", b)
        c.add("decode", typed(8, 0, b))
        c.add("roundtrip", typed(8, 0, b))


def read_frame(f):
    """One shim frame (header and body) from a binary stream, None at EOF."""
    hdr = f.read(4)
    if len(hdr) < 4:
        return None
    n = int.from_bytes(hdr, "big")
    body = f.read(n)
    return hdr + body if len(body) == n else None


def shim_tee(out_dir, cmd):
    """Runs the shim cmd between the runner and us, saving every frame that
    passes (requests and replies) as out_dir/SHA-1. The runner may SIGKILL
    the whole process group at any time (DUR-1), so each frame is written
    at once, under a temporary name first."""
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    inp, out = sys.stdin.buffer, sys.stdout.buffer

    def save(frame):
        name = os.path.join(out_dir, hashlib.sha1(frame).hexdigest())
        with open(f"{name}.{os.getpid()}", "wb") as f:
            f.write(frame)
        os.replace(f"{name}.{os.getpid()}", name)

    while True:
        req = read_frame(inp)
        if req is None:
            break
        save(req)
        child.stdin.write(req)
        child.stdin.flush()
        rep = read_frame(child.stdout)
        if rep is None:
            break
        save(rep)
        out.write(rep)
        out.flush()
    child.stdin.close()
    child.wait()


def shim_frame(body):
    return len(body).to_bytes(4, "big") + body


def shim_frames(cli, c):
    """fuzz_shim.c: every frame of `mlsmig run` against the reference DS,
    both roles, every suite, one frame per seed; and a few frames that
    conversation does not have (an error reply, each group status, a
    refused version), plus one whole hello/pics exchange as a stream."""
    ref_ds = os.path.join(os.path.dirname(cli), "mlsmig-ref-ds")
    with tempfile.TemporaryDirectory() as tmp:
        iut = " ".join([sys.executable, os.path.abspath(__file__), "--shim-tee", tmp,
                        os.path.abspath(ref_ds)])
        subprocess.run([cli, "run", "--iut", iut, "--role", "both", "--jobs", "1"],
                       capture_output=True, check=False)
        frames = [open(os.path.join(tmp, f), "rb").read() for f in sorted(os.listdir(tmp))]
    for f in frames:
        c.add("shim", f)
    hello = shim_frame(b"\x01\x00\x01")
    pics = next((f for f in frames if f[4] == 129), None)
    c.add("shim", shim_frame(b"\xff" + varint(19) + b"not configured \xc3\xa9t\xc3\xa9"))
    c.add("shim", shim_frame(b"\x01\x00\x02"))
    for status in range(4):
        c.add("shim", shim_frame(bytes([132, status]) + (7 * status).to_bytes(8, "big")))
    c.add("shim", shim_frame(b"\x83\x00"))  # an empty output list
    if pics:
        c.add("shim", hello + pics + shim_frame(b"\x82") + shim_frame(b"\x07"))


def scenarios(c):
    """fuzz_scenario.c: every scenario file, as is."""
    d = "suites/scenarios"
    for f in sorted(os.listdir(d)):
        if f.endswith(".scn"):
            with open(os.path.join(d, f), "rb") as fh:
                c.add("scenario", fh.read())


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
    if len(sys.argv) > 3 and sys.argv[1] == "--shim-tee":  # as the runner's --iut
        shim_tee(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="build/mlsmig")
    ap.add_argument("--out", default="fuzz/corpus")
    ap.add_argument("--only", action="append", metavar="TARGET",
                    help="write seeds of these targets only (repeatable)")
    ap.add_argument("--mls-seeds", default="build/mls_seeds",
                    help="fuzz/mls_seeds.c built (make build/mls_seeds)")
    ap.add_argument("vectors", nargs="*", help="vector files for the JSON loader")
    a = ap.parse_args()
    c = Corpus(a.out, a.only)
    want = lambda *ts: not a.only or any(t in a.only for t in ts)
    if want("envelope", "decode", "roundtrip", "msg_json", "mls_message", "commit_aad",
            "group_state", "ds"):
        from_transcripts(a.cli, c)
    from_mlswg(c, "vectors/external/mlswg")
    from_mlswg_mls(c, "vectors/external/mlswg")
    if want("mls_state", "mls_bundle"):
        mls_states(c, a.mls_seeds)
    errors(c)
    vector_files(c, a.vectors or [os.path.join("vectors/external/mlswg", f) for f in
                                  sorted(os.listdir("vectors/external/mlswg"))
                                  if f.endswith(".json")])
    if want("shim"):
        shim_frames(a.cli, c)
    scenarios(c)
    for t in sorted(c.count):
        print(f"{t}: {c.count[t]} seeds written", file=sys.stderr)


if __name__ == "__main__":
    main()

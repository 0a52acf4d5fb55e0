#!/usr/bin/env python3
"""A deliberately broken shim for the runner's own tests (suites/test_runner.c).

usage: bad_shim.py MODE [REF_DS]

Modes that play a DS of their own (suite 1 only, both roles, no features):
  hang-at-hello   never answers anything
  hang            answers hello and configure, then never answers again
  garbage         answers hello and configure, then writes a frame header
                  claiming ~4 GiB followed by random bytes
  huge            answers hello and configure, then writes a frame header
                  claiming exactly 1 GiB and streams zero bytes after it for
                  as long as anybody reads them (the runner must refuse the
                  frame from its header, never allocate or read 1 GiB)
  junk            answers hello and configure, then frames that do not decode
  crash           answers hello and configure, then exits on the next request,
                  its last words on stderr in Latin-1 (not UTF-8)
  silent          no envelope ever leaves; every group is "active at epoch 7"
  flood-stderr-at-hello
                  writes stderr without end (64 KiB writes) and never reads
                  stdin: the runner's probe must time out, not hang or grow
  flood-stderr    answers hello and configure, then on the next request
                  writes stderr without end instead of answering: a timeout
                  verdict, a bounded stderr tail in the result, the runner's
                  memory flat however much it reads

Modes that wrap the reference DS (REF_DS: the path of build/mlsmig-ref-ds).
They relay every frame to it and bend exactly one thing, so that what the
runner gets is well-formed and correctly signed but wrong in that one way:
  flood-stderr-answering
                  relays faithfully while a thread writes stderr without end
                  (64 KiB writes) for the whole life of the process: the
                  verdicts must be those of the reference DS (pass), in
                  normal time, with a bounded stderr tail
  other-group     answers with messages for another group (the group ID with
                  its last byte changed, same length). As target: the group
                  ID of every MigrationRequest is changed on its way in, so
                  the reference DS answers with a genuine MigrationResponse,
                  signed with the target key, for the other group. As
                  source: the group ID inside the group_state of every
                  MigrationContent is changed on its way out and the content
                  re-signed with the source key the runner handed over in
                  configure (suites 1 and 3: Ed25519, via python3-
                  cryptography); the reference DS runs with --mutant
                  skip-hash-check so that it accepts the runner's
                  TargetMigrationComplete for the content as altered, as a
                  DS that really exported the wrong group would. Either way
                  the runner must fail the test, naming the group.
  other-sender    rewrites the sender of every envelope the DS sends to
                  "third.example", a DS the runner knows: envelopes that
                  claim to come from another DS's domain. The runner must
                  fail the test.
  misdirect-errors  sends every MigrationError the DS makes to
                  "third.example" instead of the refused message's sender:
                  the refusal happens, but its sender never hears why. The
                  runner must warn (returning the code is a SHOULD).
"""
import os
import struct
import subprocess
import sys
import threading
import time

OTHER_SENDER = b"third.example"
CHUNK = b"bad_shim: flooding stderr " + b"x" * (64 * 1024 - 27) + b"\n"


def varint(n):
    if n < 0x40:
        return struct.pack(">B", n)
    if n < 0x4000:
        return struct.pack(">H", 0x4000 | n)
    return struct.pack(">I", 0x80000000 | n)


def vec(b):
    return varint(len(b)) + b


def read_varint(data, pos):
    """(value, position after it); lenient (non-minimal forms are kept by
    the callers, who splice rather than re-encode what they did not change)."""
    size = 1 << (data[pos] >> 6)
    value = int.from_bytes(data[pos:pos + size], "big") & ((1 << (8 * size - 2)) - 1)
    return value, pos + size


def read_vec(data, pos):
    n, pos = read_varint(data, pos)
    return data[pos:pos + n], pos + n


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(stream):
    hdr = read_exact(stream, 4)
    if hdr is None:
        return None
    return read_exact(stream, struct.unpack(">I", hdr)[0])


def frame(body):
    return struct.pack(">I", len(body)) + body


def send(body):
    sys.stdout.buffer.write(frame(body))
    sys.stdout.buffer.flush()


def flood_stderr():
    while True:
        os.write(2, CHUNK)


# ---- the modes that play a DS of their own ----

def own_ds(mode):
    if mode == "flood-stderr-at-hello":
        flood_stderr()
    while True:
        body = read_frame(sys.stdin.buffer)
        if body is None:
            sys.exit(0)
        kind = body[0]
        if mode == "hang-at-hello" or (mode == "hang" and kind not in (1, 2, 3)):
            time.sleep(3600)
        if kind == 1:  # hello -> PICS: both roles, suite 1, no features
            send(bytes([129]) + struct.pack(">H", 1) + vec(b"bad-shim " + mode.encode()) +
                 bytes([3]) + vec(struct.pack(">H", 1)) + struct.pack(">I", 0))
        elif kind in (2, 3, 7):  # configure, install_group, shutdown -> ok
            send(bytes([130]))
            if kind == 7:
                return
        elif mode == "silent" and kind == 6:  # query_group -> group: active, epoch 7
            send(bytes([132, 1]) + struct.pack(">Q", 7))
        elif mode == "garbage":
            sys.stdout.buffer.write(b"\xff\xff\xff\xf0" + os.urandom(4096))
            sys.stdout.buffer.flush()
        elif mode == "huge":
            sys.stdout.buffer.write(struct.pack(">I", 1 << 30))
            zeros = bytes(64 * 1024)
            for _ in range((1 << 30) // len(zeros)):
                sys.stdout.buffer.write(zeros)  # blocks once nobody reads
            sys.stdout.buffer.flush()
        elif mode == "flood-stderr":
            flood_stderr()
        elif mode == "junk":
            send(bytes([131]) + b"\x7f\x00junk")
        elif mode == "crash":
            sys.stderr.buffer.write(b"bad_shim: crashing on purpose (caf\xe9)\n")  # Latin-1
            sys.stderr.flush()
            os._exit(3)
        else:
            send(bytes([131, 0]))  # an empty output


# ---- the modes that wrap the reference DS ----

def other_gid(gid):
    return gid[:-1] + (b"x" if gid[-1:] != b"x" else b"y")


class Relay:
    def __init__(self, mode, ref_ds):
        self.mode, self.keys = mode, {}
        args = [ref_ds]
        if mode == "other-group":
            args += ["--mutant", "skip-hash-check"]
        self.ds = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def configure(self, body):
        """Keeps the DS's signing keys (suite -> private key)."""
        pos = 1
        pos += 1  # role
        _, pos = read_vec(body, pos)  # domain
        keys, pos = read_vec(body, pos)
        k = 0
        while k < len(keys):
            suite = struct.unpack(">H", keys[k:k + 2])[0]
            priv, k = read_vec(keys, k + 2)
            self.keys[suite] = priv

    def request_in(self, body):
        """deliver: the group ID of a MigrationRequest changed (same length,
        spliced: the rest of the bytes, malformations included, untouched)."""
        if body[0] != 5 or self.mode != "other-group":
            return body
        env, _ = read_vec(body, 1)
        env_at = len(body) - len(env)
        if env[0] != 1:  # not a MigrationRequest
            return body
        _, pos = read_vec(env, 3)  # sender
        msg, _ = read_vec(env, pos)
        msg_at = env_at + len(env) - len(msg)
        _, p = read_vec(msg, 0)  # source domain
        _, p = read_vec(msg, p)  # target domain
        gid, end = read_vec(msg, p)
        at = msg_at + end - len(gid)
        return body[:at] + other_gid(gid) + body[at + len(gid):]

    def content_out(self, suite, content):
        """A MigrationContent with another group's ID in its group_state,
        re-signed with the source key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        if suite not in (1, 3):
            sys.stderr.write("bad_shim: other-group re-signs Ed25519 suites (1, 3) only\n")
            os._exit(2)
        p = 0
        for _ in range(3):  # the request: source, target, group ID
            _, p = read_vec(content, p)
        p += 8 + 32  # epoch, nonce
        _, p = read_vec(content, p)  # the response's signature
        state, tbs_end = read_vec(content, p)
        state_at = tbs_end - len(state)
        gid, gend = read_vec(state, 4)  # after version and suite
        gid_at = state_at + gend - len(gid)
        tbs = content[:gid_at] + other_gid(gid) + content[gid_at + len(gid):tbs_end]
        key = Ed25519PrivateKey.from_private_bytes(self.keys[suite])
        sig = key.sign(vec(b"MLS 1.0 MigrationContentTBS") + vec(tbs))
        return tbs + vec(sig)

    def envelope_out(self, env):
        msg_type, suite = env[0], struct.unpack(">H", env[1:3])[0]
        sender, pos = read_vec(env, 3)
        msg, _ = read_vec(env, pos)
        if self.mode == "other-sender":
            sender = OTHER_SENDER
        elif self.mode == "other-group" and msg_type == 4:  # MigrationContent
            msg = self.content_out(suite, msg)
        return env[:3] + vec(sender) + vec(msg)

    def reply_out(self, body):
        if body[0] != 131 or self.mode not in ("other-group", "other-sender",
                                               "misdirect-errors"):
            return body
        outs, _ = read_vec(body, 1)
        p, new = 0, b""
        while p < len(outs):
            to, p = read_vec(outs, p)
            env, p = read_vec(outs, p)
            if self.mode == "misdirect-errors" and env[0] == 7:  # migration_error
                to = OTHER_SENDER
            new += vec(to) + vec(self.envelope_out(env))
        return bytes([131]) + vec(new)

    def run(self):
        while True:
            body = read_frame(sys.stdin.buffer)
            if body is None:
                self.ds.stdin.close()
                self.ds.wait()
                os._exit(0)
            if body[0] == 2:
                self.configure(body)
            self.ds.stdin.write(frame(self.request_in(body)))
            self.ds.stdin.flush()
            reply = read_frame(self.ds.stdout)
            if reply is None:
                sys.stderr.write("bad_shim: the reference DS went away\n")
                os._exit(2)
            send(self.reply_out(reply))
            if body[0] == 7:  # shutdown
                self.ds.wait()
                os._exit(0)


def main():
    mode = sys.argv[1]
    if mode in ("flood-stderr-answering", "other-group", "other-sender", "misdirect-errors"):
        if mode == "flood-stderr-answering":
            threading.Thread(target=flood_stderr, daemon=True).start()
        Relay(mode, sys.argv[2]).run()
    else:
        own_ds(mode)


main()

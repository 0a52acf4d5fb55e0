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
  suite-ffff      names suite 0xFFFF in every envelope the DS sends
  suite-other     names another real suite (s % 7 + 1) in every envelope
  fanout-other-group
                  changes the group ID of every MLSMessage the DS fans out
                  (same length): each must fail, naming the field
  answer-twice    sends every output reply twice, at once
  answer-late     sends every output reply one request late: the first
                  twice, then each as the answer to the next output request
                  (a query in between is answered right); at shutdown the
                  held reply, then ok
  frozen-clock    answers every advance_clock with an empty output without
                  passing it on: the DS's clock never moves, so it holds an
                  Init or a Commit forever (LIFE-4) and never retransmits;
                  source.init_without_commit must fail (a MUST), not warn
  clock-behind-1ms
                  passes every advance_clock on 1 ms early (now - 1): the DS
                  acts as one whose nonce lifetime is 300 001 ms, one too
                  long; target.content_nonce_expired_by_1ms must fail (NONCE-2)
  clock-ahead-1ms passes every advance_clock on 1 ms late (now + 1): a nonce
                  lifetime of 299 999 ms, one too short;
                  target.content_at_nonce_lifetime must fail (NONCE-2)
  fields-one-short
                  drops (an empty output) every MigrationRequest whose group
                  ID is 255 bytes or source domain 253 (ENC-4's maxima): a DS
                  whose limits are one byte short; target.request_max_group_id
                  and target.request_max_domain must fail
  fields-one-long cuts the last byte of a 256-byte group ID or a 254-byte
                  source domain before passing the request on: a DS whose
                  limits are one byte long; target.request_group_id_too_long
                  and target.request_domain_too_long must fail
  epoch-last-served
                  passes a MigrationRequest at epoch 2^64-1 on as one at
                  2^64-2: a DS that serves the last epoch (EPOCH-3);
                  target.request_epoch_last must fail
  trailing-byte   appends a zero byte to the body of every
                  TargetMigrationComplete the DS sends: the runner must fail
                  with the decoder's reason (rule, offset, field)
  mute-complete   runs the DS with --mutant skip-content-sig and drops every
                  TargetMigrationComplete: a target that imports forged
                  content without a word; the runner must say "accepted",
                  not "refused silently"
  durable-other-code
                  after a SIGKILL + restart (a marker file in the state
                  directory says so), answers nonce_reused as unknown_nonce:
                  a DS that lost its consumed nonces; a DUR-1 failure
  ecdsa-no-sig    in the ECDSA suites (2, 5, 7) runs the DS with every
                  signature check off (--mutant skip-init-sig,
                  skip-response-sig, skip-content-sig), in the others as it
                  is: a DS that verifies no signature in the ECDSA suites,
                  which a run of the hostile tests in the lowest suite only
                  passes
  big-envelope    adds to every output reply one legal envelope of 60 MiB
                  (an MLSMessage of the test's group and suite, from the
                  DS's own domain, to "archive.example"): the runner's
                  memory must stay bounded by what it keeps, not grow with
                  what it reads

Modes that wrap the reference DS and attack the runner's cleanup
(usage: bad_shim.py MODE OUTDIR REF_DS; OUTDIR is the test's, outside the
runner's state root, with OUTDIR/victim holding files that must survive
and OUTDIR/pids where spawned processes write their pids):
  link-out        replaces its state directory by a symlink to
                  OUTDIR/victim/t-PID (with a canary file in it), where the
                  reference DS then keeps its state: a DS that keeps its data
                  elsewhere and links it in
  link-in         links OUTDIR/victim and OUTDIR/victim/canary into its
                  state directory, at several depths
  race            starts a process that leaves the IUT's session (setsid)
                  and swaps an entry of the state directory between a
                  directory and a symlink to OUTDIR/victim, without end
  setsid          starts two processes that leave the IUT's session (double
                  fork, setsid) and sleep forever
  deep            makes a tree 600 levels deep in its state directory (paths
                  over PATH_MAX), N levels with `deep:N`
  setsid-hang     setsid, then hangs at configure (for the signal tests)

Modes that play a DS of their own, continued:
  close-stdin     answers hello and configure, then closes its stdin and
                  sleeps: the runner must say the IUT closed its stdin
  hang-mostly FILE
                  hangs after configure in three tests out of four (counted
                  in FILE, shared by every process of the run), answers the
                  fourth with empty outputs: the run-wide cut-off must stop
                  the run, not tests x --timeout
  forge           its name, its error reasons and its stderr carry terminal
                  escapes, a bidi override and a forged "65 tests: 65 pass"
                  summary line
  empty-items     answers the first output request with a 64 MiB frame of
                  33 million empty list items
  pics-no-role, pics-no-suite, pics-unknown-suite
                  a PICS with roles 0, no suite, or only suite 0xFFFF
  source-only     a PICS with the source role only
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

FORGED = (b"\x1b[2J\x1b[H\r65 tests: 65 pass, 0 warning, 0 fail, 0 error, 0 not applicable"
          b" (0.01 s)\n\xc2\x9b31m\xe2\x80\xaeforged\x07")


def pics(mode):
    name, roles, suites = b"bad-shim " + mode.encode(), 3, struct.pack(">H", 1)
    if mode == "forge":
        name += b" " + FORGED
    elif mode == "pics-no-role":
        roles = 0
    elif mode == "pics-no-suite":
        suites = b""
    elif mode == "pics-unknown-suite":
        suites = struct.pack(">H", 0xFFFF)
    elif mode == "source-only":
        roles = 1
    return (bytes([129]) + struct.pack(">H", 1) + vec(name) + bytes([roles]) + vec(suites) +
            struct.pack(">I", 0))


def counted_hang(path):
    """True in three processes out of four (a counter under a lock)."""
    import fcntl
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        n = int(f.read() or 0) + 1
        f.seek(0)
        f.truncate()
        f.write(str(n))
    return n % 4 != 0


def own_ds(mode):
    if mode == "flood-stderr-at-hello":
        flood_stderr()
    if mode == "forge":
        os.write(2, b"bad_shim: " + FORGED + b"\n")
    hang_here = False
    while True:
        body = read_frame(sys.stdin.buffer)
        if body is None:
            sys.exit(0)
        kind = body[0]
        if mode == "hang-mostly" and kind == 2:
            hang_here = counted_hang(sys.argv[2])
        if (mode == "hang-at-hello" or (mode == "hang" and kind not in (1, 2, 3)) or
                (hang_here and kind not in (1, 2, 3))):
            time.sleep(3600)
        if kind == 1:  # hello -> PICS: both roles, suite 1, no features
            send(pics(mode))
        elif kind in (2, 3, 7):  # configure, install_group, shutdown -> ok
            if kind == 2 and mode == "close-stdin":
                os.close(0)  # before the reply: the runner's next write always meets a closed pipe
                send(bytes([130]))
                time.sleep(3600)
            send(bytes([130]))
            if kind == 7:
                return
        elif mode == "forge":
            send(bytes([255]) + vec(b"refused: " + FORGED))
        elif mode == "empty-items":
            items = (64 * 1024 * 1024 - 5) // 2
            sys.stdout.buffer.write(struct.pack(">I", 5 + 2 * items) + bytes([131]) +
                                    varint(2 * items) + bytes(2 * items))
            sys.stdout.buffer.flush()
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


def detach(loop):
    """Runs loop() in a grandchild that has left the IUT's session and
    process group (double fork, setsid), its pid in OUTDIR/pids."""
    if os.fork():
        os.wait()
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    try:
        with open(os.path.join(sys.argv[2], "pids", str(os.getpid())), "w") as f:
            f.write("%d\n" % os.getpid())
        os.closerange(0, 1024)  # nothing of the IUT's pipes stays open here
        loop()
    finally:
        os._exit(0)


def sleep_forever():
    while True:
        time.sleep(1)


def race(state_dir, victim):
    """Swaps state_dir/x between a directory with files and a symlink to
    the victim directory, as fast as it can."""
    x, d, ln = (os.path.join(state_dir, n) for n in ("x", "x.dir", "x.link"))
    while True:
        try:
            os.makedirs(os.path.join(d, "sub"), exist_ok=True)
            open(os.path.join(d, "sub", "f"), "w").close()
            if not os.path.lexists(ln):
                os.symlink(victim, ln)
            os.rename(d, x)
            os.rename(x, d)
            os.rename(ln, x)
            os.rename(x, ln)
        except OSError:
            pass


def deep_tree(state_dir, levels):
    """levels directories one in the other (10-byte names: the path passes
    PATH_MAX at about 400), a file at the bottom."""
    fd = os.open(state_dir, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(levels):
        try:
            os.mkdir("d123456789", dir_fd=fd)
        except FileExistsError:
            pass
        nfd = os.open("d123456789", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(os.open("bottom", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd))
    os.close(fd)


def attack_state(mode, state_dir):
    """What the cleanup modes do to their state directory at configure."""
    out = sys.argv[2]
    victim = os.path.join(out, "victim")
    if mode == "link-out" and not os.path.islink(state_dir):
        mine = os.path.join(victim, "t-%d" % os.getpid())
        os.mkdir(mine)
        with open(os.path.join(mine, "canary"), "w") as f:
            f.write("must survive\n")
        os.rmdir(state_dir)
        os.symlink(mine, state_dir)
    elif mode == "link-in":
        for at in ("", "a", "a/b/c"):
            os.makedirs(os.path.join(state_dir, at), exist_ok=True)
            for name, to in (("out", victim), ("file", os.path.join(victim, "canary"))):
                if not os.path.lexists(os.path.join(state_dir, at, name)):
                    os.symlink(to, os.path.join(state_dir, at, name))
    elif mode == "race":
        detach(lambda: race(state_dir, victim))
    elif mode in ("setsid", "setsid-hang"):
        detach(sleep_forever)
        detach(sleep_forever)
    elif mode.startswith("deep"):
        deep_tree(state_dir, int(mode.split(":")[1]) if ":" in mode else 600)


def big_envelope(suite, sender):
    """A legal MLSMessage envelope of 60 MiB: a PrivateMessage of the
    runner's group at epoch 7, application content, a 60 MiB ciphertext."""
    key = (suite, sender)
    if key not in BIG:
        msg = (struct.pack(">HH", 1, 2) + vec(b"mlsmig-runner-group-1") + struct.pack(">Q", 7) +
               bytes([1]) + vec(b"") + vec(bytes(16)) + vec(b"\x5a" * (60 * 1024 * 1024)))
        BIG.clear()
        BIG[key] = bytes([9]) + struct.pack(">H", suite) + vec(sender) + vec(msg)
    return BIG[key]


BIG = {}
CLEANUP_MODES = ("link-out", "link-in", "race", "setsid", "setsid-hang")
RELAY_MODES = ("flood-stderr-answering", "other-group", "other-sender", "misdirect-errors",
               "suite-ffff", "suite-other", "fanout-other-group", "answer-twice", "answer-late",
               "big-envelope", "frozen-clock", "trailing-byte", "mute-complete",
               "durable-other-code", "ecdsa-no-sig", "clock-behind-1ms", "clock-ahead-1ms",
               "fields-one-short", "fields-one-long", "epoch-last-served")


class Relay:
    def __init__(self, mode, ref_ds):
        self.mode, self.keys = mode, {}
        self.suite, self.domain, self.held = 1, b"", None
        args = [ref_ds]
        if mode == "other-group":
            args += ["--mutant", "skip-hash-check"]
        if mode == "mute-complete":
            args += ["--mutant", "skip-content-sig"]
        self.restarted = self.configured = self.configured2 = False
        self.args = args
        self.ds = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def respawn(self, extra):
        """A fresh DS with extra arguments, in place of the one that only
        said hello (nothing else was sent to it yet)."""
        self.ds.stdin.close()
        self.ds.wait()
        self.ds = subprocess.Popen(self.args + extra, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE)
        hello = bytes([1]) + struct.pack(">H", 1)
        self.ds.stdin.write(frame(hello))
        self.ds.stdin.flush()
        read_frame(self.ds.stdout)

    def configure(self, body):
        """Keeps the DS's signing keys (suite -> private key), its domain,
        its suite; returns its state directory."""
        pos = 1
        pos += 1  # role
        self.domain, pos = read_vec(body, pos)
        keys, pos = read_vec(body, pos)
        k = 0
        while k < len(keys):
            suite = struct.unpack(">H", keys[k:k + 2])[0]
            priv, k = read_vec(keys, k + 2)
            self.keys[suite] = priv
            self.suite = suite
        _, pos = read_vec(body, pos)  # peers
        pos += 1  # policy
        _, pos = read_vec(body, pos)  # deny
        state_dir, pos = read_vec(body, pos)
        return state_dir.decode()

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

    def fields_in(self, body):
        """deliver, fields-one-*: the MigrationRequest at ENC-4's limits
        dropped (None), or one byte over them cut back to the limit."""
        env, _ = read_vec(body, 1)
        if env[0] != 1:  # not a MigrationRequest
            return body
        sender, pos = read_vec(env, 3)
        msg, _ = read_vec(env, pos)
        src, p = read_vec(msg, 0)
        tgt, p = read_vec(msg, p)
        gid, p = read_vec(msg, p)
        if self.mode == "epoch-last-served":
            if msg[p:p + 8] != b"\xff" * 8:
                return body
            msg = msg[:p] + b"\xff" * 7 + b"\xfe" + msg[p + 8:]
            return bytes([5]) + vec(env[:3] + vec(sender) + vec(msg))
        if self.mode == "fields-one-short":
            return None if len(gid) == 255 or len(src) == 253 else body
        if len(gid) == 256:
            gid = gid[:-1]
        elif len(src) == 254:
            src = src[:-1]
        else:
            return body
        msg = vec(src) + vec(tgt) + vec(gid) + msg[p:]
        return bytes([5]) + vec(env[:3] + vec(sender) + vec(msg))

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
        elif self.mode == "fanout-other-group" and msg_type in (8, 9):  # an MLSMessage
            gid, end = read_vec(msg, 4)  # after version and wire_format
            at = end - len(gid)
            msg = msg[:at] + other_gid(gid) + msg[end:]
        elif self.mode == "trailing-byte" and msg_type == 5:  # TargetMigrationComplete
            msg = msg + b"\0"
        elif (self.mode == "durable-other-code" and self.restarted and msg_type == 7 and
              msg[:2] == struct.pack(">H", 5)):  # nonce_reused -> unknown_nonce
            msg = struct.pack(">H", 4) + msg[2:]
        elif self.mode == "suite-ffff":
            suite = 0xFFFF
        elif self.mode == "suite-other":
            suite = suite % 7 + 1
        return bytes([msg_type]) + struct.pack(">H", suite) + vec(sender) + vec(msg)

    def reply_out(self, body):
        if body[0] != 131:
            return body
        if self.mode == "big-envelope":  # appended, spliced: 60 MiB is not copied twice
            outs, _ = read_vec(body, 1)
            extra = vec(b"archive.example") + vec(big_envelope(self.suite, self.domain))
            return bytes([131]) + varint(len(outs) + len(extra)) + outs + extra
        if self.mode not in ("other-group", "other-sender", "misdirect-errors", "suite-ffff",
                             "suite-other", "fanout-other-group", "trailing-byte",
                             "mute-complete", "durable-other-code"):
            return body
        outs, _ = read_vec(body, 1)
        p, new = 0, b""
        while p < len(outs):
            to, p = read_vec(outs, p)
            env, p = read_vec(outs, p)
            if self.mode == "misdirect-errors" and env[0] == 7:  # migration_error
                to = OTHER_SENDER
            if self.mode == "mute-complete" and env[0] == 5:  # dropped
                continue
            new += vec(to) + vec(self.envelope_out(env))
        return bytes([131]) + vec(new)

    def answer(self, kind, reply):
        """Sends the reply to a request of this kind, as the mode bends it."""
        if self.mode == "answer-twice" and reply[0] == 131:
            send(reply)
            send(reply)
        elif self.mode == "answer-late" and (reply[0] == 131 or kind == 7):
            if kind == 7 and self.held is not None:
                send(self.held)  # the held reply first, then ok
                send(reply)
            elif kind == 7:
                send(reply)
            elif self.held is None:  # the first one twice: now and next time
                send(reply)
                self.held = reply
            else:
                send(self.held)
                self.held = reply
        else:
            send(reply)

    def run(self):
        while True:
            body = read_frame(sys.stdin.buffer)
            if body is None:
                self.ds.stdin.close()
                self.ds.wait()
                os._exit(0)
            if body[0] == 4 and self.mode == "frozen-clock":  # advance_clock: not passed on
                send(bytes([131]) + vec(b""))
                continue
            if body[0] == 4 and self.mode in ("clock-behind-1ms", "clock-ahead-1ms"):
                now = struct.unpack(">Q", body[1:9])[0]
                now = now - 1 if self.mode == "clock-behind-1ms" else now + 1
                body = bytes([4]) + struct.pack(">Q", now)
            if body[0] == 5 and self.mode in ("fields-one-short", "fields-one-long",
                                              "epoch-last-served"):
                body = self.fields_in(body)
                if body is None:  # dropped
                    send(bytes([131]) + vec(b""))
                    continue
            if body[0] == 2:
                state_dir = self.configure(body)
                marker = os.path.join(state_dir, "bad_shim.started")
                if not self.configured:  # a second configure is no restart
                    self.restarted, self.configured = os.path.exists(marker), True
                if self.mode == "durable-other-code" and not self.restarted:
                    open(marker, "w").close()
                if self.mode == "ecdsa-no-sig" and self.suite in (2, 5, 7) and not self.configured2:
                    self.respawn(["--mutant", "skip-init-sig", "--mutant", "skip-response-sig",
                                  "--mutant", "skip-content-sig"])
                self.configured2 = True
                if self.mode in CLEANUP_MODES or self.mode.startswith("deep"):
                    attack_state(self.mode, state_dir)
                if self.mode == "setsid-hang":
                    time.sleep(3600)
            self.ds.stdin.write(frame(self.request_in(body)))
            self.ds.stdin.flush()
            reply = read_frame(self.ds.stdout)
            if reply is None:
                sys.stderr.write("bad_shim: the reference DS went away\n")
                os._exit(2)
            self.answer(body[0], self.reply_out(reply))
            if body[0] == 7:  # shutdown
                self.ds.wait()
                os._exit(0)


def main():
    mode = sys.argv[1]
    if mode in RELAY_MODES:
        if mode == "flood-stderr-answering":
            threading.Thread(target=flood_stderr, daemon=True).start()
        Relay(mode, sys.argv[2]).run()
    elif mode in CLEANUP_MODES or mode.startswith("deep"):
        Relay(mode, sys.argv[3]).run()
    else:
        own_ds(mode)


main()

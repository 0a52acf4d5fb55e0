#!/usr/bin/env python3
"""An example mlsmig shim (docs/shim-protocol.md, version 1), Python 3
standard library only, around the toy target DS of toy_ds.py.

    build/mlsmig run --iut 'python3 examples/python-shim/shim.py' --role target
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import messages  # noqa: E402
from tls import Malformed, Reader, u16, u32, u64, u8, vec  # noqa: E402
from toy_ds import ToyTarget  # noqa: E402

VERSION = 1
HELLO, CONFIGURE, INSTALL, ADVANCE, DELIVER, QUERY, SHUTDOWN = range(1, 8)
PICS, OK, OUTPUT, GROUP, ERROR = 129, 130, 131, 132, 255
ROLE_TARGET = 2
# strict_policy, deny_list, restart, install_at_target, reconfigure
FEATURES = 2 | 4 | 8 | 16 | 32
MAX_FRAME = 64 << 20


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = sys.stdin.buffer.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def reply(body):
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()


def items(data, read_one):
    r, out = Reader(data), []
    while r.pos < len(r.data):
        out.append(read_one(r))
    return out


def configure(r):
    role, domain = r.u8(), r.vec()
    keys = dict(items(r.vec(), lambda i: (i.u16(), i.vec())))
    peers = {(d, s): k for d, s, k in items(r.vec(), lambda i: (i.vec(), i.u16(), i.vec()))}
    policy = r.u8()
    deny = items(r.vec(), lambda i: i.vec())
    state_dir, now = r.vec().decode(), r.u64()
    r.end()
    if role != ROLE_TARGET:
        raise ValueError("this toy is a target DS only")
    if any(s not in messages.SUITES or len(k) != 32 for s, k in keys.items()):
        raise ValueError("this toy signs with Ed25519 (suites 1 and 3) only")
    return ToyTarget(domain, keys, peers, policy == 1, deny, state_dir, now)


def output(envelopes):
    return u8(OUTPUT) + vec(b"".join(vec(to) + vec(env) for to, env in envelopes))


def handle(ds, body):
    """One request; returns (ds, reply body, quit)."""
    r = Reader(body)
    kind = r.u8()
    if kind == HELLO:
        suites = b"".join(u16(s) for s in messages.SUITES)
        return ds, u8(PICS) + u16(VERSION) + vec(b"python toy target 1.0") + u8(ROLE_TARGET) + \
            vec(suites) + u32(FEATURES), False
    if kind == SHUTDOWN:
        return ds, u8(OK), True
    if kind == CONFIGURE:
        return configure(r), u8(OK), False
    if ds is None:
        raise ValueError("not configured")
    if kind == INSTALL:
        state = r.vec()
        r.end()
        ds.install(state)
        return ds, u8(OK), False
    if kind == ADVANCE:
        now = r.u64()
        r.end()
        return ds, output(ds.advance(now)), False
    if kind == DELIVER:
        env = r.vec()
        r.end()
        return ds, output(ds.deliver(env)), False
    if kind == QUERY:
        gid = r.vec()
        r.end()
        status, epoch = ds.query(gid)
        return ds, u8(GROUP) + u8(status) + u64(epoch), False
    raise ValueError("unknown request %d" % kind)


def main():
    ds = None
    while True:
        try:
            (n,) = struct.unpack(">I", read_exact(4))
            if n > MAX_FRAME:
                sys.exit("frame too large")
            body = read_exact(n)
        except EOFError:
            return
        try:
            ds, answer, done = handle(ds, body)
        except (Malformed, ValueError) as e:
            answer, done = u8(ERROR) + vec(str(e).encode()), False
        reply(answer)
        if done:
            return


if __name__ == "__main__":
    main()

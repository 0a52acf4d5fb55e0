#!/usr/bin/env python3
"""An example mlsmig shim (docs/shim-protocol.md, version 1), Python 3
standard library only, around the toy target DS of toy_ds.py and the toy
source DS of toy_source.py.

    build/mlsmig run --iut 'python3 examples/python-shim/shim.py' --role target

With --listen unix:PATH or --listen tcp:127.0.0.1:PORT it is a service
instead (docs/shim-protocol.md, "A DS service on a socket"): the same frames
on every connection it accepts, one thread and one DS per connection, as a
DS that exposes its test endpoint in-process would:

    python3 examples/python-shim/shim.py --listen unix:/tmp/toy.sock &
    build/mlsmig run --iut-connect unix:/tmp/toy.sock --role target --persistent
"""
import os
import socket
import socketserver
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import messages  # noqa: E402
from tls import Malformed, Reader, u16, u32, u64, u8, vec  # noqa: E402
from toy_ds import ToyTarget  # noqa: E402
from toy_source import ToySource  # noqa: E402

VERSION = 1
HELLO, CONFIGURE, INSTALL, ADVANCE, DELIVER, QUERY, SHUTDOWN, RESET = range(1, 9)
PICS, OK, OUTPUT, GROUP, ERROR = 129, 130, 131, 132, 255
ROLE_SOURCE, ROLE_TARGET = 1, 2
# tombstone, strict_policy, deny_list, restart, install_at_target, reconfigure, reset
FEATURES = 1 | 2 | 4 | 8 | 16 | 32 | 64
MAX_FRAME = 64 << 20


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def reply(stream, body):
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


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
    if role not in (ROLE_SOURCE, ROLE_TARGET):
        raise ValueError("unknown role")
    if any(s not in messages.SUITES or len(k) != 32 for s, k in keys.items()):
        raise ValueError("this toy signs with Ed25519 (suites 1 and 3) only")
    toy = ToySource if role == ROLE_SOURCE else ToyTarget
    return toy(domain, keys, peers, policy == 1, deny, state_dir, now)


def output(envelopes):
    return u8(OUTPUT) + vec(b"".join(vec(to) + vec(env) for to, env in envelopes))


def handle(ds, body):
    """One request; returns (ds, reply body, quit)."""
    r = Reader(body)
    kind = r.u8()
    if kind == HELLO:
        suites = b"".join(u16(s) for s in messages.SUITES)
        return ds, u8(PICS) + u16(VERSION) + vec(b"python toy DS 1.1") + \
            u8(ROLE_SOURCE | ROLE_TARGET) + vec(suites) + u32(FEATURES), False
    if kind == SHUTDOWN:
        return ds, u8(OK), True
    if kind == RESET:  # forget everything: a configure on a new state directory follows
        r.end()
        return None, u8(OK), False
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


def serve(rfile, wfile):
    """One session: requests from rfile, replies to wfile, until shutdown or EOF."""
    ds = None
    while True:
        try:
            (n,) = struct.unpack(">I", read_exact(rfile, 4))
            if n > MAX_FRAME:
                raise ValueError("frame too large")
            body = read_exact(rfile, n)
        except EOFError:
            return
        try:
            ds, answer, done = handle(ds, body)
        except (Malformed, ValueError) as e:
            answer, done = u8(ERROR) + vec(str(e).encode()), False
        reply(wfile, answer)
        if done:
            return


class Session(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            serve(self.rfile, self.wfile)
        except (ConnectionError, ValueError) as e:
            print("shim.py: connection ended: %s" % e, file=sys.stderr)


def listen(addr):
    """Serves every connection to addr (unix:PATH, tcp:127.0.0.1:PORT) until killed."""
    if addr.startswith("unix:"):
        path = addr[5:]
        if os.path.exists(path):  # left by a killed predecessor
            os.unlink(path)
        server = socketserver.ThreadingUnixStreamServer(path, Session)
        shown = addr
    elif addr.startswith("tcp:"):
        host, port = addr[4:].rsplit(":", 1)
        if host not in ("127.0.0.1", "localhost"):
            sys.exit("shim.py: --listen: loopback only (the shim protocol has no authentication)")
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", int(port)), Session)
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        shown = "tcp:127.0.0.1:%d" % server.server_address[1]
    else:
        sys.exit("shim.py: --listen unix:PATH or tcp:127.0.0.1:PORT, not %r" % addr)
    server.daemon_threads = True
    print("listening on " + shown, flush=True)
    server.serve_forever()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--listen":
        listen(sys.argv[2])
    elif len(sys.argv) == 1:
        try:
            serve(sys.stdin.buffer, sys.stdout.buffer)
        except ValueError as e:
            sys.exit(str(e))
    else:
        sys.exit("usage: shim.py [--listen unix:PATH|tcp:127.0.0.1:PORT]")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A fake MLS client process for the client driver's own tests
(suites/test_client_proto.c, sim/clients/): it speaks the client protocol
(docs/client-protocol.md) just enough, or breaks it on purpose.

usage: fake_client.py MODE

  good          hello -> pics (version 1, suites 1 and 3, features 5);
                state_auth of id N -> state (N, member, epoch N, 32 bytes
                of N); anything else -> error unknown_id "no such thing";
                shutdown -> ok, then exit
  version2      answers hello with a PICS of version 2
  hang          answers hello, then never answers again
  exit          answers hello, then exits with status 3 on the next request
  junk          answers hello, then a frame that does not decode
  wrong-type    answers hello, then an ok reply to every request
  huge          answers hello, then a frame header claiming 1 GiB
  two-replies   answers hello, then two replies to the next request
"""
import os
import struct
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "good"
out = sys.stdout.buffer


def vec(b):
    n = len(b)
    if n < 64:
        return bytes([n]) + b
    if n < 16384:
        return struct.pack(">H", 0x4000 | n) + b
    return struct.pack(">I", 0x80000000 | n) + b


def send(body):
    out.write(struct.pack(">I", len(body)) + body)
    out.flush()


def read_exact(n):
    b = b""
    while len(b) < n:
        c = sys.stdin.buffer.read(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b


def pics(version):
    suites = struct.pack(">HH", 1, 3)
    return bytes([129]) + struct.pack(">H", version) + vec(b"fake 1") + vec(suites) + struct.pack(">I", 5)


def error(code, reason):
    return bytes([255, code]) + vec(reason)


def main():
    first = True
    while True:
        (n,) = struct.unpack(">I", read_exact(4))
        body = read_exact(n)
        t = body[0]
        if first:
            first = False
            send(pics(2 if MODE == "version2" else 1) if t == 1 else error(5, b"hello first"))
            continue
        if MODE == "hang":
            time.sleep(3600)
        if MODE == "exit":
            sys.stderr.write("fake client: exiting\n")
            sys.exit(3)
        if MODE == "junk":
            send(bytes([132, 0, 0]))
            continue
        if MODE == "wrong-type":
            send(bytes([130]))
            continue
        if MODE == "huge":
            out.write(struct.pack(">I", 1 << 30))
            out.flush()
            time.sleep(3600)
        if t == 20:  # shutdown
            send(bytes([130]))
            sys.exit(0)
        if t == 8 and len(body) == 5:  # state_auth
            (sid,) = struct.unpack(">I", body[1:5])
            send(bytes([132]) + struct.pack(">I", sid) + bytes([0]) + struct.pack(">Q", sid) + vec(bytes([sid & 0xFF]) * 32))
        else:
            send(error(2, b"no such thing"))
        if MODE == "two-replies":
            send(bytes([130]))


if __name__ == "__main__":
    main()

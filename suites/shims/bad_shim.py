#!/usr/bin/env python3
"""A deliberately broken shim for the runner's own tests (suites/test_runner.c).

usage: bad_shim.py MODE
  hang-at-hello   never answers anything
  hang            answers hello and configure, then never answers again
  garbage         answers hello and configure, then writes a frame header
                  claiming ~4 GiB followed by random bytes
  junk            answers hello and configure, then frames that do not decode
  crash           answers hello and configure, then exits on the next request
  silent          no envelope ever leaves; every group is "active at epoch 7"
"""
import os
import struct
import sys
import time


def varint(n):
    if n < 0x40:
        return struct.pack(">B", n)
    if n < 0x4000:
        return struct.pack(">H", 0x4000 | n)
    return struct.pack(">I", 0x80000000 | n)


def vec(b):
    return varint(len(b)) + b


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = sys.stdin.buffer.read(n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def send(body):
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()


def main():
    mode = sys.argv[1]
    while True:
        (n,) = struct.unpack(">I", read_exact(4))
        body = read_exact(n)
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
        elif mode == "junk":
            send(bytes([131]) + b"\x7f\x00junk")
        elif mode == "crash":
            sys.stderr.write("bad_shim: crashing on purpose\n")
            os._exit(3)
        else:
            send(bytes([131, 0]))  # an empty output


main()

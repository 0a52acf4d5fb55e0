#!/usr/bin/env python3
"""A shim command as a service, for the runner's socket tests
(suites/test_runner_socket.c): listens on ADDR and runs CMD (under /bin/sh)
for every connection it accepts, with the connection as CMD's stdin and
stdout, as inetd would. So every shim of suites/shims/ (bad_shim.py's hangs,
crashes, garbage) can be met over `mlsmig run --iut-connect` too.

usage: inetd.py unix:PATH|tcp:127.0.0.1:PORT CMD

Prints "listening on ADDR" (the port it got for port 0) once ready.
"""
import os
import signal
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    addr, cmd = sys.argv[1], sys.argv[2]
    if addr.startswith("unix:"):
        path = addr[5:]
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        shown = addr
    elif addr.startswith("tcp:"):
        host, port = addr[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        shown = "tcp:%s:%d" % (host, s.getsockname()[1])
    else:
        sys.exit("inetd.py: unix:PATH or tcp:HOST:PORT, not %r" % addr)
    s.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped by the kernel
    print("listening on " + shown, flush=True)
    while True:
        conn, _ = s.accept()
        if os.fork() == 0:
            s.close()
            os.dup2(conn.fileno(), 0)
            os.dup2(conn.fileno(), 1)
            conn.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.execv("/bin/sh", ["sh", "-c", cmd])
        conn.close()


if __name__ == "__main__":
    main()

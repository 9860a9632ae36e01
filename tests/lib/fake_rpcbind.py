#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# A stand-in for rpcbind on its local socket only, for tests that start
# ganesha.nfsd with NFSv3: Ganesha exits unless rpcbind accepts its
# registrations, and a real rpcbind would listen on every interface.
#
# How this works: it listens on SOCKET (AF_UNIX, where libntirpc looks for
# rpcbind first), reads record-marked RPC calls and answers every rpcbind
# SET and UNSET with TRUE and NULL with an empty success; any other call
# gets PROC_UNAVAIL.  Nothing is remembered.  It exits on SIGTERM and
# removes the socket.
#
# Usage: fake_rpcbind.py SOCKET
import os
import signal
import socket
import struct
import sys
import threading


def serve(conn):
    buf = b""
    try:
        while True:
            while len(buf) < 4:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
            (mark,) = struct.unpack(">I", buf[:4])
            n = mark & 0x7FFFFFFF
            if n > 65536:
                return
            while len(buf) < 4 + n:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
            msg, buf = buf[4:4 + n], buf[4 + n:]
            if len(msg) < 24:
                return
            xid, mtype, _rpcvers, prog, _vers, proc = struct.unpack(
                ">6I", msg[:24])
            if mtype != 0:
                continue
            body = struct.pack(">5I", xid, 1, 0, 0, 0)
            if prog == 100000 and proc in (1, 2):     # SET, UNSET
                body += struct.pack(">2I", 0, 1)      # SUCCESS, TRUE
            elif prog == 100000 and proc == 0:        # NULL
                body += struct.pack(">I", 0)
            else:
                body += struct.pack(">I", 3)          # PROC_UNAVAIL
            conn.sendall(struct.pack(">I", 0x80000000 | len(body)) + body)
    finally:
        conn.close()


def main():
    path = sys.argv[1]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)

    def stop(*_):
        try:
            os.unlink(path)
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()

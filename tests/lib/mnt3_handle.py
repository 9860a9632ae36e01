#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Print the NFSv3 handle of an export in hex, from MOUNT v3 MNT over TCP
# (AUTH_SYS as root), for tests that then use it over another transport.
#
# Usage: mnt3_handle.py HOST MNT_PORT PATH    exit 1 on any failure
import socket
import struct
import sys


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    pad = b"\0" * ((4 - len(path) % 4) % 4)
    cred = struct.pack(">5I", 0, 0, 0, 0, 0)      # AUTH_SYS, root
    call = struct.pack(">6I", 0x4d4e5433, 0, 2, 100005, 3, 1)
    call += struct.pack(">2I", 1, len(cred)) + cred + struct.pack(">2I", 0, 0)
    call += struct.pack(">I", len(path)) + path + pad
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(struct.pack(">I", 0x80000000 | len(call)) + call)
    data = b""
    while len(data) < 4 or len(data) < 4 + (struct.unpack(">I", data[:4])[0]
                                            & 0x7FFFFFFF):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit(1)
        data += chunk
    w = data[4:]
    # xid, REPLY, ACCEPTED, verifier (2 words), SUCCESS, fhs_status, fh
    xid, mtype, stat, _vf, vlen = struct.unpack(">5I", w[:20])
    off = 20 + ((vlen + 3) & ~3)
    accept, status, fhlen = struct.unpack(">3I", w[off:off + 12])
    if mtype != 1 or stat != 0 or accept != 0 or status != 0 or fhlen > 64:
        sys.exit(1)
    print(w[off + 12:off + 12 + fhlen].hex())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The vm tier's probe for NFSv4.2 file operations (used by nfs42.sh): the
# guest image has python3 but not the attr package, and coreutils has no
# lseek(SEEK_DATA/SEEK_HOLE) tool.  Each subcommand prints one line per
# result in a form that does not depend on the file system it ran on, so
# nfs42.sh runs it on the NFS mount and on the server's local file and
# compares the output.  An errno is printed by name ("ENXIO"), never as a
# Python traceback (a file that cannot be opened too); the exit status is 0,
# or 2 for a usage error.
#
#   seek FILE OFF...       per offset: "OFF data=N|ENXIO hole=N|ENXIO"
#   xset FILE NAME SIZE    set NAME to SIZE bytes derived from NAME
#   xget FILE NAME         "NAME len=N sha256=..." or the errno name
#   xlist FILE             the user.* names, sorted, one a line
#   xrm FILE NAME          remove NAME ("removed" or the errno name)
import errno
import hashlib
import os
import sys


def ename(e):
	# Linux has one number for both; Python's table names it ENOTSUP.
	if e.errno == errno.EOPNOTSUPP:
		return "EOPNOTSUPP"
	return errno.errorcode.get(e.errno, str(e.errno))


def value(name, size):
	# Deterministic, not compressible-looking, and different per name.
	out = b""
	block = name.encode()
	while len(out) < size:
		block = hashlib.sha256(block).digest()
		out += block
	return out[:size]


def seek(path, offsets):
	fd = os.open(path, os.O_RDONLY)
	try:
		for off in offsets:
			res = []
			for what, how in (("data", os.SEEK_DATA), ("hole", os.SEEK_HOLE)):
				try:
					res.append("%s=%d" % (what, os.lseek(fd, off, how)))
				except OSError as e:
					res.append("%s=%s" % (what, ename(e)))
			print(off, *res)
	finally:
		os.close(fd)


def main(argv):
	if len(argv) < 3:
		print(__doc__ if __doc__ else "usage: see the header", file=sys.stderr)
		return 2
	cmd, path = argv[1], argv[2]
	try:
		if cmd == "seek":
			seek(path, [int(x) for x in argv[3:]])
		elif cmd == "xset":
			os.setxattr(path, argv[3], value(argv[3], int(argv[4])))
			print("set", argv[3], argv[4])
		elif cmd == "xget":
			v = os.getxattr(path, argv[3])
			print(argv[3], "len=%d" % len(v), "sha256=" + hashlib.sha256(v).hexdigest(),
			      "expected" if v == value(argv[3], len(v)) else "unexpected")
		elif cmd == "xlist":
			for n in sorted(os.listxattr(path)):
				if n.startswith("user."):
					print(n)
		elif cmd == "xrm":
			os.removexattr(path, argv[3])
			print("removed", argv[3])
		else:
			print("unknown subcommand", cmd, file=sys.stderr)
			return 2
	except OSError as e:
		print(ename(e))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))

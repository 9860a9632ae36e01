#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Runs a test program under valgrind's memcheck, its children too: every
# error and every definitely, indirectly or possibly lost block makes the
# process that has it exit 99.  A child killed by a signal (a test's
# "client killed mid-call") has no exit status to say so, so each
# process's report goes to a log of its own, and any report at all, in
# any log, fails the run (exit 99) after being shown.  Exits 77 (skip)
# without valgrind.
# Usage: gr_valgrind.sh PROGRAM [ARGS...]
command -v valgrind >/dev/null || {
	echo "SKIP: valgrind is not installed"
	exit 77
}
logs=$(mktemp -d /tmp/gr-valgrind.XXXXXX) || exit 1
valgrind -q --trace-children=yes --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--error-exitcode=99 --log-file="$logs/vg.%p" "$@"
rc=$?
for f in "$logs"/vg.*; do
	[ -s "$f" ] || continue
	echo "FAIL: memcheck report ($f):"
	cat "$f"
	[ "$rc" = 0 ] && rc=99
done
rm -rf "$logs"
exit "$rc"

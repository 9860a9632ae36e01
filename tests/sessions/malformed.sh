#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Malformed and truncated server replies: a fake server answers every
# call with one kind of broken reply.  nfs41 must exit with the documented
# code and a clear message, never crash (signal), never hang, and under
# ASan report nothing (an ASan report changes the exit code).
NFS41=$1
FAKE=$2
. "$(dirname "$0")/../lib/ganesha.sh"
set -u
[ -x "$FAKE" ] || gr_fail "fake server missing: $FAKE"
T=$(mktemp -d /tmp/gr-sessions.XXXXXX)
FAKE_PID=
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID"
	rm -rf "$T"
}
trap cleanup EXIT

# check MODE WANT_RC MESSAGE_REGEX
check() {
	local mode=$1 want=$2 msg=$3 port rc
	"$FAKE" "$mode" >"$T/port" &
	FAKE_PID=$!
	gr_wait_for 10 test -s "$T/port" || gr_fail "fake server did not start"
	port=$(cat "$T/port")
	timeout 60 "$NFS41" --state-file "$T/id" --timeout 2000 \
		--recovery-timeout 4 ls "nfs://127.0.0.1:$port/export" \
		>"$T/out" 2>"$T/err"
	rc=$?
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	: >"$T/port"
	[ $rc = 124 ] && gr_fail "$mode: client hung"
	[ $rc -ge 128 ] && gr_fail "$mode: client died with signal $((rc - 128))"
	[ $rc = "$want" ] ||
		gr_fail "$mode: exit $rc, expected $want: $(cat "$T/err")"
	grep -Eq "$msg" "$T/err" ||
		gr_fail "$mode: message '$(cat "$T/err")' lacks /$msg/"
	grep -q "ERROR: AddressSanitizer\|runtime error" "$T/err" &&
		gr_fail "$mode: sanitizer report: $(cat "$T/err")"
	echo "ok: $mode -> exit $rc: $(head -1 "$T/err")"
}

check garbage 4 "malformed or truncated"
check badstat 4 "malformed or truncated"
check huge 4 "larger than the negotiated maximum"
check badcount 4 "malformed or truncated"
check wrongop 4 "malformed or truncated"
check shortbody 4 "malformed or truncated"
check empty 4 "malformed or truncated"
check denied 4 "rejected the RPC credentials"
check minorvers 5 "NFS4ERR_MINOR_VERS_MISMATCH"
check wrongxid 3 "timed out"
check truncated 3 "connection to the server lost"
echo "PASS: every malformed reply gave a clear error"

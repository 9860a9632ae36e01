#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Session set-up and teardown and every nfs41 file command against
# Debian's ganesha.nfsd: data round trips, error messages and exit codes,
# the persistent client owner id, clean DESTROY_SESSION/DESTROY_CLIENTID.
NFS41=$1
. "$(dirname "$0")/lib.sh"
sess_setup 10
set -u

# Set-up, a listing and teardown without warnings.
expect_rc 0 "$NFS41" $STATE ls "$URL"
grep -q . "$T/err" && gr_fail "unexpected messages: $(cat "$T/err")"
[ -s "$T/client-id" ] || gr_fail "client owner id not stored"
id1=$(cat "$T/client-id")

# put/get round trip, 5 MiB + 123 bytes (not a multiple of the I/O size)
head -c 5242998 /dev/urandom >"$T/data"
expect_rc 0 "$NFS41" $STATE --io-size 256k put "$T/data" "$URL/data"
cmp -s "$T/data" "$EXP/data" || gr_fail "server copy differs"
expect_rc 0 "$NFS41" $STATE get "$URL/data" "$T/back"
cmp -s "$T/data" "$T/back" || gr_fail "downloaded copy differs"
expect_rc 0 "$NFS41" $STATE stat --json "$URL/data"
grep -q '"size":5242998' "$T/out" || gr_fail "stat: $(cat "$T/out")"
grep -q '"type":"file"' "$T/out" || gr_fail "stat type: $(cat "$T/out")"

# stdin/stdout
echo "hello sessions" | "$NFS41" $STATE put - "$URL/small" ||
	gr_fail "put from stdin"
[ "$("$NFS41" $STATE get "$URL/small" -)" = "hello sessions" ] ||
	gr_fail "get to stdout"

# --exclusive refuses to overwrite
expect_rc 8 "$NFS41" $STATE --exclusive put "$T/data" "$URL/small"
grep -q "NFS4ERR_EXIST" "$T/err" || gr_fail "no clear message: $(cat "$T/err")"

# mkdir, rename into it, ls, rm
expect_rc 0 "$NFS41" $STATE mkdir "$URL/dir"
[ -d "$EXP/dir" ] || gr_fail "mkdir did not create the directory"
expect_rc 8 "$NFS41" $STATE mkdir "$URL/dir"
expect_rc 0 "$NFS41" $STATE rename "$URL/small" /export/dir/renamed
[ -f "$EXP/dir/renamed" ] && [ ! -e "$EXP/small" ] || gr_fail "rename"
expect_rc 0 "$NFS41" $STATE ls -l "$URL/dir"
grep -q 'renamed$' "$T/out" || gr_fail "ls -l: $(cat "$T/out")"
expect_rc 5 "$NFS41" $STATE rm "$URL/dir"
grep -q "NFS4ERR_NOTEMPTY" "$T/err" || gr_fail "rm dir: $(cat "$T/err")"
expect_rc 0 "$NFS41" $STATE rm "$URL/dir/renamed"
expect_rc 0 "$NFS41" $STATE rm "$URL/dir"
[ ! -e "$EXP/dir" ] || gr_fail "rm did not remove the directory"

# Errors a script can tell apart.
expect_rc 6 "$NFS41" $STATE stat "$URL/missing"
grep -q "no such file or directory (NFS4ERR_NOENT)" "$T/err" ||
	gr_fail "message: $(cat "$T/err")"
expect_rc 6 "$NFS41" $STATE get "$URL/missing" "$T/x"
expect_rc 2 "$NFS41" $STATE ls "http://127.0.0.1/export"
expect_rc 2 "$NFS41" $STATE frobnicate "$URL"
expect_rc 2 "$NFS41" $STATE --transport carrier-pigeon ls "$URL"
if ! ls /sys/class/infiniband/* >/dev/null 2>&1; then
	# No RDMA device on this host: a clear message and exit code 9.
	expect_rc 9 "$NFS41" $STATE --transport rdma --fabric verbs ls "$URL"
	grep -q "no RDMA device" "$T/err" ||
		gr_fail "rdma message: $(cat "$T/err")"
fi
closed=$(gr_free_port)
expect_rc 3 "$NFS41" $STATE ls "nfs://127.0.0.1:$closed/export"

# The owner id persists; each run was a new incarnation, torn down.
[ "$(cat "$T/client-id")" = "$id1" ] || gr_fail "client owner id changed"
expect_rc 0 "$NFS41" $STATE --stats stats "$URL"
[ "$(sess_stat "$T/err" new_sessions)" = 1 ] || gr_fail "stats: $(cat "$T/err")"
grep -q "warning" "$T/err" && gr_fail "teardown warning: $(cat "$T/err")"
# NFSv4.2 by default against Debian's ganesha.nfsd (Minor_Versions 0..2);
# --minor 1 keeps the client on 4.1.
[ "$(sess_stat "$T/err" minor_version)" = 2 ] ||
	gr_fail "minor version: $(cat "$T/err")"
expect_rc 0 "$NFS41" $STATE --minor 1 --stats stats "$URL"
[ "$(sess_stat "$T/err" minor_version)" = 1 ] ||
	gr_fail "--minor 1: $(cat "$T/err")"
"$NFS41" $STATE stats "$URL" | grep -q 'NFS version  *4\.2$' ||
	gr_fail "stats does not print NFS version 4.2"
echo "PASS: session set-up/teardown and file commands"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Server kill -9 and restart in the middle of I/O.  An upload and then a
# download run while ganesha.nfsd is killed with SIGKILL and started again
# on the same port.  The client reconnects, finds its session and client
# id gone, runs EXCHANGE_ID/CREATE_SESSION/RECLAIM_COMPLETE, re-opens the
# file by handle and finishes; the data must be byte-identical (put sends
# everything again with FILE_SYNC if the write verifier changed, since
# the killed server may have lost uncommitted writes).
NFS41=$1
. "$(dirname "$0")/lib.sh"
sess_setup 10
set -u

head -c $((160 << 20)) /dev/urandom >"$T/data"

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# kill_restart_during PID ERRFILE WATCH: once WATCH holds 16 MiB, SIGKILL
# ganesha while PID still runs, then restart it.
kill_restart_during() {
	local i
	for i in $(seq 1 500); do
		[ "$(size_of "$3")" -ge $((16 << 20)) ] && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$1" 2>/dev/null ||
		gr_fail "transfer ended before the kill: $(tail -5 "$2")"
	kill -KILL "$GR_GANESHA_PID"
	wait "$GR_GANESHA_PID" 2>/dev/null
	GR_GANESHA_PID=
	sleep 1
	sess_ganesha_up
}

"$NFS41" $STATE -v --stats --streams 2 --io-size 64k put "$T/data" \
	"$URL/data" >"$T/put.out" 2>"$T/put.err" &
pid=$!
kill_restart_during $pid "$T/put.err" "$EXP/data"
wait $pid
rc=$?
[ $rc = 0 ] || gr_fail "put exited $rc: $(tail -20 "$T/put.err")"
cmp -s "$T/data" "$EXP/data" || gr_fail "server copy differs after restart"
ids=$(sess_stat "$T/put.err" new_clientids)
echo "put: client ids $ids, reconnects $(sess_stat "$T/put.err" reconnects)"
[ "$ids" -ge 2 ] || gr_fail "no new client id: $(cat "$T/put.err")"

"$NFS41" $STATE -v --stats --streams 1 --io-size 16k get "$URL/data" \
	"$T/back" >"$T/get.out" 2>"$T/get.err" &
pid=$!
kill_restart_during $pid "$T/get.err" "$T/back"
wait $pid
rc=$?
[ $rc = 0 ] || gr_fail "get exited $rc: $(tail -20 "$T/get.err")"
cmp -s "$T/data" "$T/back" || gr_fail "downloaded copy differs after restart"
ids=$(sess_stat "$T/get.err" new_clientids)
[ "$ids" -ge 2 ] || gr_fail "no new client id: $(cat "$T/get.err")"
echo "PASS: I/O survived kill -9 and restart of ganesha.nfsd, data verified"

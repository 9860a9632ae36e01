#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# 64+ concurrent operations spread over the session's slots: 80 streams
# of small-file operations must keep every slot the server grants (64 for
# Ganesha 4.3) busy at once, with no slot errors; then parallel reads and
# writes.
NFS41=$1
NFS41_FAULT=$3 # nfs41 with the --inject-* options (test build)
. "$(dirname "$0")/lib.sh"
sess_setup 10
set -u

expect_rc 0 "$NFS41" $STATE --stats bench --mode meta --streams 80 \
	--duration 3 "$URL"
slots=$(sess_stat "$T/err" slots)
busy=$(sess_stat "$T/err" max_slots_busy)
inflight=$(sess_stat "$T/err" max_in_flight)
echo "slots granted $slots, most busy at once $busy, most calls in flight $inflight"
[ "$slots" -ge 64 ] || gr_fail "server granted only $slots slots"
[ "$busy" -ge 64 ] || gr_fail "only $busy slots were busy at once"
[ "$inflight" -ge 64 ] || gr_fail "only $inflight calls in flight at once"
for k in misordered badslot replays session_resets; do
	[ "$(sess_stat "$T/err" $k)" = 0 ] || gr_fail "$k: $(cat "$T/err")"
done
[ "$(ls -A "$EXP")" = "" ] || gr_fail "bench left files: $(ls "$EXP")"

# The connection drops with 16 calls in flight (the reply of call 200 is
# lost with it): every one is replayed on its slot and seqid; creates
# (OPEN exclusive) and removes must each run exactly once, or the bench
# fails with NFS4ERR_EXIST / NFS4ERR_NOENT or leaves files behind.
expect_rc 0 "$NFS41_FAULT" $STATE --stats --inject-drop-after 200 bench \
	--mode meta --streams 16 --duration 2 "$URL"
rep=$(sess_stat "$T/err" replays)
echo "replayed $rep calls after the connection drop"
[ "$rep" -ge 2 ] || gr_fail "only $rep replays: $(cat "$T/err")"
[ "$(sess_stat "$T/err" reconnects)" = 1 ] || gr_fail "reconnects: $(cat "$T/err")"
[ "$(sess_stat "$T/err" new_sessions)" = 1 ] || gr_fail "session replaced"
[ "$(ls -A "$EXP")" = "" ] || gr_fail "files left after replay: $(ls "$EXP")"

expect_rc 0 "$NFS41" $STATE --json bench --mode read --streams 16 \
	--io-size 64k --file-size 8M --duration 2 "$URL"
grep -q '"mode":"read"' "$T/out" || gr_fail "bench read: $(cat "$T/out")"
expect_rc 0 "$NFS41" $STATE --json bench --mode write --streams 16 \
	--io-size 64k --file-size 4M --duration 2 "$URL"
grep -q '"mode":"write"' "$T/out" || gr_fail "bench write: $(cat "$T/out")"
echo "PASS: $busy slots busy at once"

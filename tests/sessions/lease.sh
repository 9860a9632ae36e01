#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Idle lease renewal: with a 10 s lease the client stays idle for 35 s
# (three and a half lease periods), renewing by SEQUENCE; afterwards the
# same client id and session still work (no recovery was needed).
NFS41=$1
. "$(dirname "$0")/lib.sh"
sess_setup 10
set -u

expect_rc 0 "$NFS41" $STATE -v --stats stats --hold 35 "$URL"
lease=$(sess_stat "$T/err" lease_s)
ren=$(sess_stat "$T/err" renewals)
echo "lease $lease s, renewals $ren"
[ "$lease" = 10 ] || gr_fail "lease time not learned: $lease"
[ "$ren" -ge 3 ] || gr_fail "only $ren renewals in 35 s"
for k in new_sessions new_clientids; do
	[ "$(sess_stat "$T/err" $k)" = 1 ] || gr_fail "$k: $(cat "$T/err")"
done
for k in reconnects replays session_resets; do
	[ "$(sess_stat "$T/err" $k)" = 0 ] || gr_fail "$k: $(cat "$T/err")"
done
grep -q "recovering" "$T/err" && gr_fail "recovery ran: $(cat "$T/err")"
echo "PASS: lease renewed $ren times over 3.5 lease periods"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Not in guest-tests.list: does the device's connection manager survive a
# connect attempted while the link is down?  No NFS, no code of this
# project: rping (librdmacm) only.  How this works: one rping connection
# before, then the device's network interface is taken down, a client
# tries to connect (it must fail: no link), the interface comes up again,
# and two fresh rping connections must succeed.  On Debian 12's kernel 6.1
# with rxe the kernel NFS client's connect request after such a flap was
# sent and never answered, whichever server listened, which is why soak.sh
# leaves its link fault out on rxe (docs/soak.md, "The VM tier").
# Run it alone with a one-line list (put it last: it may wedge rxe for the
# rest of the boot):
#   cm_linkflap 200 fail @SRC@/tests/vm/guest/cm_linkflap.sh @IBDEV@ @IP@
# Exit 0 the connection manager survived, 1 it did not, 77 no rping.
set -u
IBDEV=$1 IP=$2
command -v rping >/dev/null || { echo "no rping in the guest"; exit 77; }
netdev=$(ip -o addr show | awk -v ip="$IP" '$4 ~ "^"ip"/" { print $2; exit }')
[ -n "$netdev" ] || { echo "FAIL: no interface holds $IP"; exit 1; }
port=7180 failed=0
conn() { # label: one rping server and client on a fresh port
	local t0 sp
	port=$((port + 1))
	timeout 40 rping -s -a "$IP" -p $port -C 2 >/dev/null 2>&1 &
	sp=$!
	sleep 2
	t0=$(date +%s%3N)
	if timeout 30 rping -c -a "$IP" -p $port -C 2 >/tmp/cm_linkflap.$port 2>&1; then
		echo "ok: rping $1 ($IBDEV): connected in $(($(date +%s%3N) - t0)) ms"
	else
		echo "FAIL: rping $1 ($IBDEV): no connection in $(($(date +%s%3N) - t0)) ms ($(tail -1 /tmp/cm_linkflap.$port))"
		failed=1
	fi
	kill $sp 2>/dev/null
	wait $sp 2>/dev/null
}
conn "before the link flap"
ip link set dev "$netdev" down
timeout 5 rping -c -a "$IP" -p 7199 -C 1 >/dev/null 2>&1 &&
	echo "note: a connect succeeded with $netdev down"
sleep 1
ip link set dev "$netdev" up
sleep 2
conn "after the link flap, 1st"
conn "after the link flap, 2nd"
exit $failed

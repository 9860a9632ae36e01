#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Guest-side smoke test of one soft-RDMA device (runs inside the vm tier's
# guest, called from tests.list): the device is listed by ibv_devices, its
# port is ACTIVE in ibv_devinfo, and rping (librdmacm) exchanges a counted
# number of verified messages between a server and a client process.
# Usage: smoke.sh <ibdev> <ip>      Exit 0 when every check held, else 1.
set -u
IBDEV=$1
IP=$2
COUNT=20
fail() { echo "FAIL: $*"; exit 1; }

ibv_devices | tee /tmp/smoke.devices
grep -qw "$IBDEV" /tmp/smoke.devices || fail "ibv_devices does not list $IBDEV"
ibv_devinfo -d "$IBDEV" | tee /tmp/smoke.devinfo
grep -q 'state:.*PORT_ACTIVE' /tmp/smoke.devinfo ||
	fail "$IBDEV port is not PORT_ACTIVE"

# -V verifies every ping's payload; -v prints one line per ping.
rping -s -a "$IP" -C $COUNT -V -v >/tmp/smoke.rping-server 2>&1 &
server=$!
ok=0
for _ in $(seq 1 20); do
	sleep 0.5
	if timeout 60 rping -c -a "$IP" -C $COUNT -V -v >/tmp/smoke.rping-client 2>&1; then
		ok=1
		break
	fi
done
timeout 30 tail --pid=$server -f /dev/null
wait $server
server_rc=$?
echo "--- rping client"; cat /tmp/smoke.rping-client
echo "--- rping server (rc=$server_rc)"; tail -3 /tmp/smoke.rping-server
[ $ok = 1 ] || fail "rping client failed against $IP"
[ $server_rc = 0 ] || fail "rping server exited with $server_rc"
got=$(grep -c 'ping data' /tmp/smoke.rping-client)
[ "$got" = $COUNT ] || fail "rping client saw $got of $COUNT pings"
echo "OK: $IBDEV active, rping $COUNT verified pings over $IP"

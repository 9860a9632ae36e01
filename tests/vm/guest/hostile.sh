#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #11 finding 1 on verbs (vm tier, called from guest-tests.list): a
# client that sends more calls than its credits loses its connection, and
# another client is served meanwhile.  Debian's ganesha.nfsd with this
# project's transport (Fabric = verbs, Credits = 8) on one soft-RDMA
# device; gr_malformed (GR_MALFORMED_FABRIC=verbs) connects three times and
# sends 40 NULL calls back to back each time, while nfs41 over verbs writes,
# reads back and compares files in a loop.  Then: every overrunning
# connection was closed, the stats file counts them on rxe
# (conns_closed_credit_overrun; on siw the device may end them first),
# every round of the other client verified, and no connection or call is
# left.
# Usage: hostile.sh <ibdev> <ip> <build dir> <out dir>
# Exit 0 when every check held, 1 otherwise; one "ok:"/"FAIL:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
NFS41=$BUILD/src/cli/nfs41
TOOL=$BUILD/tests/ganesha/gr_malformed
work=/var/tmp/hostile-$IBDEV
passed=0 failed=0

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
for f in "$NFS41" "$TOOL"; do
	[ -e "$f" ] || { echo "FAIL: not built: $f"; exit 1; }
done
ulimit -l unlimited

rm -rf "$work"; mkdir -p "$work"
trap 'cp -f "$work/ganesha.log" "$OUT/ganesha-hostile-$IBDEV.log" 2>/dev/null' EXIT
GANESHA_RDMA_EXTRA="Credits = 8;" ganesha_start "$work" "$IP" "$BUILD" ||
	{ echo "FAIL: Ganesha's RDMA listener did not start"; exit 1; }
stats=$work/rdma-stats
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
ok "ganesha.nfsd serves NFS over RDMA on $IP:20049 ($IBDEV, Credits 8)"

url=nfs://$IP:20049/export
cli() { timeout 120 "$NFS41" --transport rdma --fabric verbs -q "$@"; }
check "mkdir over verbs" cli mkdir "$url/d"
head -c $((2 * 1024 * 1024 + 5)) /dev/urandom >"$work/src"
good() {
	local i=0
	while [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		if cli put "$work/src" "$url/d/f$i" &&
			cli get "$url/d/f$i" "$work/back" &&
			cmp -s "$work/src" "$work/back"; then
			echo "round $i ok"
		else
			echo "round $i FAILED"
		fi
		cli rm "$url/d/f$i" >/dev/null 2>&1
	done
}
good >"$work/good.out" 2>&1 &
bg=$!
sleep 2

closed=0
for i in 1 2 3; do
	GR_MALFORMED_FABRIC=verbs timeout 60 "$TOOL" "$IP" 20049 overrun 40 \
		>"$work/tool$i.out" 2>&1
	rc=$?
	cat "$work/tool$i.out"
	[ "$rc" = 0 ] && closed=$((closed + 1))
done
n0=$(grep -c ' ok$' "$work/good.out")
for i in $(seq 1 300); do
	[ "$(grep -c ' ok$' "$work/good.out")" -ge $((n0 + 1)) ] && break
	sleep 0.5
done
touch "$work/stop"
wait "$bg"
cat "$work/good.out"

check "all 3 overrunning connections closed by the server ($closed)" test "$closed" = 3
n=$(grep -c ' ok$' "$work/good.out")
# Under TCG a round takes seconds: at least one after the last overrun.
check "the other client's rounds all verified ($n ok, $n0 before the last overrun ended)" \
	bash -c "! grep -q FAILED '$work/good.out' && [ $n -ge $((n0 + 1)) ]"
check "ganesha.nfsd is alive" kill -0 "$GANESHA_PID"
sleep 2.5
case $IBDEV in
siw*)
	# iWARP has no receiver-not-ready retry: a Send that finds no
	# receive posted ends the connection in the device (siw did so for 2
	# of 3 overruns on 2026-12-06), before the engine can count it.  The
	# closes are checked above; the counter is a figure here.
	echo "figure: conns_closed_credit_overrun $(counter conns_closed_credit_overrun) of 3 (the rest ended by the device)"
	;;
*)
	# RoCE (rxe) retries a Send with no receive posted, so the engine
	# sees every overrun and closes each connection itself.
	check "conns_closed_credit_overrun = 3 ($(counter conns_closed_credit_overrun))" \
		test "$(counter conns_closed_credit_overrun)" = 3
	;;
esac
for i in $(seq 1 40); do
	[ "$(counter connections)" = 0 ] && [ "$(counter calls_live)" = 0 ] && break
	sleep 0.5
done
check "no connection or call left" \
	test "$(counter connections)" = 0 -a "$(counter calls_live)" = 0
[ "$failed" = 0 ] || { echo "--- stats"; cat "$stats"; tail -20 "$work/ganesha.log"; }
ganesha_stop
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Where a gateway spends one operation: starts the backend and one or both
# gateways (tests/lib/gateway.sh), drives one `nfs41 bench` mode against
# each, and per gateway prints
#   - the system calls by name per operation (strace -c -f on the gateway
#     during one run; strace slows the daemon, so only the counts are
#     kept, never its times),
#   - a perf profile of the gateway during a second run (perf record -g,
#     software clock: this host has no hardware counters), top symbols by
#     self time and by children (call graph), and the threads' share.
# Prints figures, never judges them.  Not in ctest.
#
#   bench/gateway_profile.sh [BUILD_DIR]   (default build)
#   env: MODE (meta), STREAMS (1), DURATION (5), KINDS ("rdma_proxy proxy_v4"),
#        OUT (/tmp/gw-profile-DATE), TOP (25)
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(readlink -f "${1:-$here/../build}")
MODE=${MODE:-meta}
STREAMS=${STREAMS:-1}
DURATION=${DURATION:-5}
KINDS=${KINDS:-rdma_proxy proxy_v4}
OUT=${OUT:-/tmp/gw-profile-$(date +%Y%m%d-%H%M%S)}
TOP=${TOP:-25}
GW_ROOT=$(mktemp -d /tmp/gr-gwprof.XXXXXX)
. "$here/../tests/lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
gw_find_build "$build"
[ -n "$GW_NFS41" ] || gr_fail "nfs41 not built in $build"
command -v perf >/dev/null || gr_skip "perf not installed"
command -v strace >/dev/null || gr_skip "strace not installed"
mkdir -p "$OUT" || gr_fail "cannot create $OUT"

run() { # KIND -> ops (the nfs41 figure)
	local port
	port=$(eval echo "\$GW_PORT_$1")
	"$GW_NFS41" -q --json bench "nfs://127.0.0.1:$port/gw/p-$1" \
		--mode "$MODE" --streams "$STREAMS" --io-size 1M \
		--duration "$DURATION" --file-size 16M |
		sed -n 's/.*"ops":\([0-9]*\).*/\1/p'
}

gw_backend_start
for k in $KINDS; do
	gw_gateway_start "$k"
	port=$(eval echo "\$GW_PORT_$k")
	"$GW_NFS41" -q mkdir "nfs://127.0.0.1:$port/gw/p-$k" || gr_fail "$k: mkdir"
done
echo "mode $MODE, $STREAMS streams, $DURATION s; $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$here/.." rev-parse --short HEAD)"
for k in $KINDS; do
	pid=$(gw_pid "$k")
	run "$k" >/dev/null # warm
	strace -c -f -q -o "$OUT/$k.strace" -p "$pid" &
	sp=$!
	sleep 0.5
	ops=$(run "$k")
	kill -INT "$sp"
	wait "$sp"
	echo
	echo "== $k: system calls per op (strace -c -f, $ops ops)"
	awk -v n="$ops" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
			name = $NF; calls = $4
			if (calls !~ /^[0-9]+$/) calls = $(NF - 2)
			printf "  %-20s %8.2f\n", name, calls / n }
		$NF == "total" { printf "  %-20s %8.2f\n", "total", $(NF - 2) / n }' \
		"$OUT/$k.strace" | sort -k2 -gr | head -15
	perf record -q -g -o "$OUT/$k.perf" -p "$pid" >/dev/null 2>&1 &
	pp=$!
	sleep 0.5
	ops=$(run "$k")
	kill -INT "$pp"
	wait "$pp"
	echo "== $k: perf, $ops ops: threads (share of samples)"
	perf report -i "$OUT/$k.perf" --stdio --no-children --sort comm 2>/dev/null |
		grep -E '^ +[0-9]' | head -12
	echo "== $k: top symbols, self"
	perf report -i "$OUT/$k.perf" --stdio --no-children --sort sym -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -"$TOP"
	echo "== $k: top symbols, with children"
	perf report -i "$OUT/$k.perf" --stdio --children --sort sym -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -"$TOP"
done
echo
echo "perf data and strace summaries: $OUT"

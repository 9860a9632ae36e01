#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #11 finding 1, second half: a flood of malformed transport headers
# from one client costs that client, not the others.  Debian's
# ganesha.nfsd with this project's transport (fabric ofi on loopback).
# A well-behaved nfs41 client runs the same benchmark window three times:
# alone, while gr_malformed floods (messages too short for a header, as
# fast as its send queue takes them, reconnecting whenever the server
# closes its connection), and alone again.  Its operation count under
# the flood must be at least half the mean of the two windows alone (one
# more try when it is not: see below); the server must have closed the
# flooder's connections (conns_closed_malformed) and still serve.
# The flooder runs at nice 19: what is measured is how the server shares
# its progress loop, not how the host's scheduler shares two cores
# between the flooder process and everything else.
#
# Usage: fairness.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-fair.XXXXXX)
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
gr_rdma_server_start "$dir" "$preload" "$module"
gr_wait_for 10 test -s "$stats" || gr_fail "no stats file"
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
gr_on_fail() {
	echo "--- stats"; cat "$stats"
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
}

url=nfs://127.0.0.1:$rport/export
cli() { timeout 120 "$nfs41" --transport rdma --fabric ofi -q "$@"; }
gr_check "mkdir" cli mkdir "$url/d"
window() { # NAME: one 4-second window of 64 KiB reads, its op count
	cli bench "$url/d" --mode read --streams 4 --io-size 64K \
		--duration 4 --file-size 4M --json >"$dir/$1.json" ||
		gr_fail "bench $1: $(cat "$dir/$1.json")"
	sed -n 's/.*"ops":\([0-9]*\).*/\1/p' "$dir/$1.json"
}

# try N: a window alone, one under the flood, one alone again.
try() {
	alone1=$(window "alone1.$1")
	nice -n 19 "$tool" 127.0.0.1 "$rport" flood 9 >"$dir/flood.out" 2>&1 &
	bg=$!
	sleep 1
	flooded=$(window "flooded.$1")
	wait "$bg"
	rc=$?
	bg=
	[ "$rc" = 77 ] && gr_skip "$(grep SKIP "$dir/flood.out")"
	alone2=$(window "alone2.$1")
	cat "$dir/flood.out"
	echo "try $1: read ops in 4 s: alone $alone1, under the flood $flooded, alone $alone2"
	sent=$(sed -n 's/^flood: sent \([0-9]*\).*/\1/p' "$dir/flood.out")
	mean=$(((alone1 + alone2) / 2))
}
# The windows are 4 s of a machine others share, and a burst of other
# work in one of them moves its count a lot: under load a flooded window
# came to 0.37 of the mean once (11317 vs 30770, another test starting
# beside it; 0.69-1.28 in 9 other tries), and a window alone to 0.39 of
# the one before it (11803 vs 30045).  So a try below half is measured
# once more; a server that lets the flood starve the others (before
# d357891 every client hung) fails both.
try 1
if [ $((flooded * 2)) -lt "$mean" ]; then
	echo "note: under the flood below half the ops alone ($flooded vs $mean): once more"
	try 2
fi
gr_check "the flooder sent malformed headers (${sent:-0})" \
	test "${sent:-0}" -gt 1000
gr_check "under the flood at least half the ops alone ($flooded vs $mean)" \
	test $((flooded * 2)) -ge "$mean"
gr_stats_fresh "$stats"
gr_check "the flooder's connections were closed ($(counter conns_closed_malformed))" \
	test "$(counter conns_closed_malformed)" -ge 1
gr_check "ganesha.nfsd is alive" kill -0 "$GR_GANESHA_PID"
gone() { [ "$(counter connections)" = 0 ] && [ "$(counter calls_live)" = 0 ]; }
gr_check "no connection or call left" gr_wait_for 20 gone
echo "all checks passed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Session trunking over RDMA: Debian's ganesha.nfsd (4.3) serving NFS over
# RDMA with this project's transport (fabric ofi over loopback) and nfs41
# running one NFSv4.1 session over 4 RPC-over-RDMA connections.  Shows that
# Ganesha accepts BIND_CONN_TO_SESSION on its RDMA connections, that
# parallel verified I/O is carried by every connection (the server's stats
# file counts 4 connections), and that losing an extra connection in the
# middle of a transfer costs nothing: its calls are replayed on the others,
# the connection is re-made and bound again, the data is intact; nor does
# losing the first connection, whose role an extra takes at once.
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41_BINARY NFS41_FAULT_BINARY
# (the second nfs41 is the test build with the --inject-* options)
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} nfs41_fault=${4:-}
for f in "$preload" "$module" "$nfs41" "$nfs41_fault"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-trunk-rdma.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT
gr_rdma_server_start "$dir" "$preload" "$module"
echo "ok: ganesha.nfsd serves NFS over RDMA on 127.0.0.1:$rport (ofi)"

url=nfs://127.0.0.1:$rport/export
cli() { timeout 300 "$nfs41" --transport rdma --fabric ofi -q \
	--state-file "$dir/client-id" "$@"; }
# the same with the fault options
cli_fault() { timeout 300 "$nfs41_fault" --transport rdma --fabric ofi -q \
	--state-file "$dir/client-id" "$@"; }
# jstat FILE KEY: KEY of the JSON counters nfs41 --stats printed
jstat() {
	grep '^{"clientid"' "$1" | tail -1 |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
gr_on_fail() {
	echo "--- nfs41 stderr"; cat "$dir/err" 2>/dev/null
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
}
check() { gr_check "$@"; }
# FILE N: N connections, at least 3 carried calls (calls go where the
# fewest are in flight, so one the server serves slowly under load may
# carry few; with ~130 calls one carrying none is a bug).
all_busy() {
	local n k=0 busy=0
	for n in $(jstat "$1" conn_calls); do
		[ "$n" -gt 0 ] && busy=$((busy + 1))
		k=$((k + 1))
	done
	[ "$k" = "$2" ] && [ "$busy" -ge 3 ]
}

head -c $((32 * 1024 * 1024 + 4321)) /dev/urandom >"$dir/big"
check "mkdir" cli mkdir "$url/t"

# (a) 4 connections, 8 streams: WRITEs (data pulled by RDMA Read) ...
check "put 32 MiB, 4 connections, 8 streams" \
	cli --stats --connections 4 --streams 8 --io-size 256k \
	put "$dir/big" "$url/t/big" 2>"$dir/err"
echo "put: calls per connection $(jstat "$dir/err" conn_calls), extras bound $(jstat "$dir/err" conns_bound), BIND_CONN_TO_SESSION $(jstat "$dir/err" bind_conn), refused $(jstat "$dir/err" trunk_refused)"
check "Ganesha accepted BIND_CONN_TO_SESSION on 3 RDMA connections" \
	test "$(jstat "$dir/err" trunk_binds)" = 3 -a "$(jstat "$dir/err" conns_bound)" = 3
check "the connections shared the WRITEs" all_busy "$dir/err" 4
check "server copy equals the source" cmp "$dir/big" "$dir/export/t/big"
# ... and READs (data placed by RDMA Write), while the server's stats file
# counts the connections.
cli --connections 4 --streams 8 --io-size 256k bench "$url/t" --mode read \
	--duration 4 --file-size 8M >/dev/null 2>&1 &
bench=$!
sleep 2.5
conns=$(counter connections)
wait "$bench"
check "the server saw 4 connections of one client (got $conns)" test "${conns:-0}" -ge 4
check "get 32 MiB, 4 connections, 8 streams" \
	cli --stats --connections 4 --streams 8 --io-size 256k \
	get "$url/t/big" "$dir/big.back" 2>"$dir/err"
echo "get: calls per connection $(jstat "$dir/err" conn_calls)"
check "the connections shared the READs" all_busy "$dir/err" 4
check "data read back equals the source" cmp "$dir/big" "$dir/big.back"

# (b) The last extra connection is dropped once it carried 2 calls (counted
# from when the session is up: an extra may carry few of the put's calls,
# see (c)).
check "put 32 MiB while an extra connection is lost" \
	cli_fault --stats --connections 4 --streams 8 --io-size 256k \
	--inject-conn-loss 2 put "$dir/big" "$url/t/big2" 2>"$dir/err"
echo "put with a loss: lost $(jstat "$dir/err" trunk_lost), moved $(jstat "$dir/err" trunk_moved), binds $(jstat "$dir/err" trunk_binds), calls $(jstat "$dir/err" conn_calls)"
check "the extra connection was found lost" test "$(jstat "$dir/err" trunk_lost)" -ge 1
check "the session was kept" test "$(jstat "$dir/err" new_sessions)" = 1
check "data written across the loss is intact" cmp "$dir/big" "$dir/export/t/big2"
check "get 32 MiB while an extra connection is lost" \
	cli_fault --stats --connections 4 --streams 8 --io-size 256k \
	--inject-conn-loss 2 get "$url/t/big2" "$dir/big2.back" 2>"$dir/err"
echo "get with a loss: lost $(jstat "$dir/err" trunk_lost), moved $(jstat "$dir/err" trunk_moved), binds $(jstat "$dir/err" trunk_binds), calls $(jstat "$dir/err" conn_calls)"
check "data read across the loss is intact" cmp "$dir/big" "$dir/big2.back"
# A longer run: the lost connection is re-made and bound again in it.
check "bench with a lost extra connection" \
	cli_fault --stats --connections 4 --streams 8 --io-size 256k \
	--inject-conn-loss 40 bench "$url/t" --mode read --duration 5 \
	--file-size 8M 2>"$dir/err"
echo "bench with a loss: lost $(jstat "$dir/err" trunk_lost), moved $(jstat "$dir/err" trunk_moved), binds $(jstat "$dir/err" trunk_binds), bound $(jstat "$dir/err" conns_bound)"
check "the lost connection was bound again" test "$(jstat "$dir/err" trunk_binds)" -ge 4 -a "$(jstat "$dir/err" conns_bound)" = 3
# (c) The first connection, the one the session was created on, is
# dropped as its first call after the session is up starts and cannot
# reconnect for 20 s: its calls move to the other RDMA connections at
# once and the put completes over them with no reconnection (before, every
# call waited for it).  (Its first call, not its 21st: calls go where the
# fewest are in flight, so of the put's ~130 calls the first may carry far
# fewer than its quarter - over TCP 6 of 103 was seen, setup included - and
# a fault that never fires fails the checks.)
check "put 32 MiB while the first connection is lost" \
	cli_fault --stats --connections 4 --streams 8 --io-size 256k \
	--inject-first-loss 1 put "$dir/big" "$url/t/big3" 2>"$dir/err"
echo "put with the first connection lost: first moved $(jstat "$dir/err" first_moved), moved $(jstat "$dir/err" trunk_moved), reconnects $(jstat "$dir/err" reconnects), calls $(jstat "$dir/err" conn_calls)"
check "the first connection's role moved to an extra" test "$(jstat "$dir/err" first_moved)" -ge 1
check "no call waited for its reconnection" test "$(jstat "$dir/err" reconnects)" = 0
check "the session was kept (first lost)" test "$(jstat "$dir/err" new_sessions)" = 1
check "data written across the first's loss is intact" cmp "$dir/big" "$dir/export/t/big3"
check "rm" cli rm "$url/t/big"
check "rm big2" cli rm "$url/t/big2"
check "rm big3" cli rm "$url/t/big3"
echo "$gr_passed passed, 0 failed"

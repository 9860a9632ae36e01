#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The RDMA_PROXY gateway with Connections = 4: its backend session runs
# over 4 RPC-over-RDMA connections to the backend ganesha.nfsd (3 bound
# with BIND_CONN_TO_SESSION).  nfs41 writes and reads a file through the
# gateway with 8 streams; the data must be intact, the gateway's stats
# file must show 4 connections bound with calls on each, and the
# backend's must count 4 RDMA connections.
#
# Usage: trunk.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gw-trunk.XXXXXX)
GW_LEASE=10
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT

abs() { [ -n "$1" ] && readlink -f "$1" || true; }
GW_PRELOAD=$(abs "${1:-}") GW_RDMA_MODULE=$(abs "${2:-}")
GW_FSAL_MODULE=$(abs "${3:-}") GW_NFS41=$(abs "${4:-}")
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$GW_NFS41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
GW_RP_CONNECTIONS=4

gw_backend_start
gw_gateway_start rdma_proxy
port=$GW_PORT_rdma_proxy
T=$GW_ROOT/client
mkdir -p "$T"
U=nfs://127.0.0.1:$port/gw
cli() { timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" "$@"; }
counter() { awk -v k="$1" '$1 == k { print $2 }' "$GW_BACKEND_STATS"; }
gr_on_fail() {
	echo "--- rdma_proxy gateway log (tail)"; gw_log_tail rdma_proxy 25
	echo "--- gateway stats"; cat "$GW_RP_STATS" 2>/dev/null
}
check() { gr_check "$@"; }
conns_busy() { # every connN_calls of the gateway > 0, and 4 of them
	local n k=0
	for n in $(awk '$1 ~ /^conn[0-9]+_calls$/ { print $3 }' "$GW_RP_STATS"); do
		[ "$n" -gt 0 ] || return 1
		k=$((k + 1))
	done
	[ "$k" = 4 ]
}
established() {
	grep -q 'session established over 4 of 4 connection' "$(gw_log rdma_proxy)"
}

check "the gateway logged its session over 4 connections" gr_wait_for 20 established
head -c $((48 * 1024 * 1024 + 999)) /dev/urandom >"$T/src"
check "mkdir through the gateway" cli mkdir "$U/t"
check "put 48 MiB through the gateway, 8 streams" \
	cli --streams 8 --io-size 256k put "$T/src" "$U/t/f"
check "the backend holds the same bytes" cmp "$T/src" "$GW_BACKEND_EXPORT/t/f"
# The backend counts live connections: look while a read runs.
cli --streams 8 --io-size 256k bench "$U/t" --mode read --duration 4 \
	--file-size 8M >/dev/null 2>&1 &
bench=$!
sleep 2.5
bconns=$(counter connections)
wait "$bench"
check "the backend saw the gateway's 4 RDMA connections (got $bconns)" \
	test "${bconns:-0}" -ge 4
check "get 48 MiB through the gateway, 8 streams" \
	cli --streams 8 --io-size 256k get "$U/t/f" "$T/back"
check "data read back equals the source" cmp "$T/src" "$T/back"
gr_stats_fresh "$GW_RP_STATS"
echo "--- gateway stats"; grep -E 'connections|bind_conn|conn[0-9]+_calls|calls_moved' "$GW_RP_STATS"
check "stats: 4 connections, 4 bound" \
	test "$(gw_rp_counter connections)" = 4 -a "$(gw_rp_counter connections_bound)" = 4
check "stats: BIND_CONN_TO_SESSION done 3 times" test "$(gw_rp_counter bind_conn)" -ge 3
check "stats: every connection carried calls" conns_busy
check "rm" cli rm "$U/t/f"
check "rmdir" cli rm "$U/t"
echo "$gr_passed passed, 0 failed"

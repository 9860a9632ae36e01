#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Prometheus metrics files (Metrics_File, src/common/gr_prom.h) of the
# NFS over RDMA server and of the RDMA_PROXY gateway, read by Prometheus's
# own tools: `promtool check metrics` lints each file and
# prometheus_client's parser reads it (prom.py).  Real traffic: nfs41 puts
# and gets a file over RDMA straight to the backend, then through the
# gateway (TCP in, RDMA to the backend); the counters must grow by at
# least what was sent: bytes moved by RDMA Read/Write, calls as counted by
# the client itself (nfs41 --stats), gateway bytes read and written.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-metrics.XXXXXX)
GW_LEASE=10
GW_METRICS=1
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT

abs() { [ -n "$1" ] && readlink -f "$1" || true; }
GW_PRELOAD=$(abs "${1:-}") GW_RDMA_MODULE=$(abs "${2:-}")
GW_FSAL_MODULE=$(abs "${3:-}") GW_NFS41=$(abs "${4:-}")
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$GW_NFS41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
command -v promtool >/dev/null ||
	gr_skip "promtool not installed (Debian package prometheus; tools/install-deps.sh)"
# Debian's python3, not another one first in PATH: the parser is its package.
py=/usr/bin/python3
$py -c 'import prometheus_client.parser' 2>/dev/null ||
	gr_skip "python3-prometheus-client not installed (tools/install-deps.sh)"

gw_backend_start
gw_gateway_start rdma_proxy
port=$GW_PORT_rdma_proxy
T=$GW_ROOT/client
mkdir -p "$T"
gr_on_fail() {
	gw_log_tail backend 10
	gw_log_tail rdma_proxy 10
}

# promtool's lint and the parser, on one file; the parsed samples to $2.
check_file() { # FILE JSON_OUT
	local out
	out=$(promtool check metrics <"$1" 2>&1) ||
		{ echo "promtool check metrics $1: $out" >&2; return 1; }
	$py "$here/prom.py" dump "$1" >"$2"
}
snap() { # NAME: both files, checked, to $T/NAME.backend.json and .gw.json
	check_file "$GW_BACKEND_METRICS" "$T/$1.backend.json" &&
		check_file "$GW_RP_METRICS" "$T/$1.gw.json"
}
grew() { # FILE_KIND OLD NEW KEY MIN
	$py "$here/prom.py" delta "$T/$2.$1.json" "$T/$3.$1.json" "$4" "$5"
}
# The files are rewritten every second: wait until every KEY MIN holds.
wait_grew() { # KIND OLD KEY MIN [KEY MIN]...
	local kind=$1 old=$2 i j ok
	shift 2
	local args=("$@")
	for i in $(seq 1 30); do
		sleep 1
		snap now || continue
		ok=1
		for ((j = 0; j < ${#args[@]}; j += 2)); do
			grew "$kind" "$old" now "${args[j]}" "${args[j + 1]}" \
				>/dev/null || ok=0
		done
		[ $ok = 1 ] && break
	done
	for ((j = 0; j < ${#args[@]}; j += 2)); do
		gr_check "$kind: ${args[j]} grew by at least ${args[j + 1]}" \
			grew "$kind" "$old" now "${args[j]}" "${args[j + 1]}"
	done
}
calls_of() { # the client's --stats JSON on stderr: its COMPOUNDs
	sed -n 's/.*"compounds": *\([0-9]*\).*/\1/p' "$1" | head -1
}

# The gateway's writer starts with the module, before Ganesha creates the
# export: its first file may hold families without samples.
gr_check "metrics files appear" gr_wait_for 30 test -s "$GW_BACKEND_METRICS"
gr_check "the gateway's file has its export" gr_wait_for 30 \
	grep -q '^ganesha_rdma_proxy_calls_total{export="1"}' "$GW_RP_METRICS"
gr_check "both files pass promtool and the parser" snap before
gr_check "gateway metrics carry export=\"1\"" grep -qF 'ganesha_rdma_proxy_calls_total{export=\"1\"}' "$T/before.gw.json"

# Whole MiBs: every byte goes in a chunk (a short tail would go inline).
size=$((6 * 1024 * 1024))
head -c $size /dev/urandom >"$T/data"
R=nfs://127.0.0.1:$GW_BACKEND_RPORT/export
cli_rdma() { "$GW_NFS41" --transport rdma --fabric ofi -q --stats "$@"; }
gr_check "put over RDMA to the server" cli_rdma put "$T/data" "$R/direct" 2>"$T/put.json"
gr_check "get over RDMA from the server" cli_rdma get "$R/direct" "$T/direct.back" 2>"$T/get.json"
gr_check "data back" cmp "$T/data" "$T/direct.back"
calls=$(($(calls_of "$T/put.json") + $(calls_of "$T/get.json")))
gr_check "the client counted its calls ($calls)" test "$calls" -gt 2
wait_grew backend before \
	ganesha_rdma_rdma_read_bytes_total $size \
	ganesha_rdma_rdma_write_bytes_total $size \
	ganesha_rdma_calls_received_total "$calls" \
	ganesha_rdma_replies_sent_total "$calls" \
	ganesha_rdma_requests_total "$calls" \
	ganesha_rdma_connections_accepted_total 2
snap mid

G=nfs://127.0.0.1:$port/gw
cli_tcp() { "$GW_NFS41" -q --stats "$@"; }
gr_check "put through the gateway" cli_tcp put "$T/data" "$G/via_gw" 2>"$T/gput.json"
gr_check "get through the gateway" cli_tcp get "$G/via_gw" "$T/gw.back" 2>"$T/gget.json"
gr_check "data back through the gateway" cmp "$T/data" "$T/gw.back"
gcalls=$(($(calls_of "$T/gput.json") + $(calls_of "$T/gget.json")))
gr_check "the client counted its calls ($gcalls)" test "$gcalls" -gt 2
# The gateway counts the calls it forwards (not SEQUENCE-only renewals
# nor the session's own set-up, which Ganesha answers itself): at least
# one per READ/WRITE of 1 MiB.
wait_grew gw mid \
	'ganesha_rdma_proxy_write_bytes_total{export="1"}' $size \
	'ganesha_rdma_proxy_read_bytes_total{export="1"}' $size \
	'ganesha_rdma_proxy_calls_total{export="1"}' $((2 * size / 1048576)) \
	'ganesha_rdma_proxy_connection_calls_total{conn="0",export="1"}' $((2 * size / 1048576))
# ... and the backend saw the gateway's traffic over RDMA.
wait_grew backend mid \
	ganesha_rdma_rdma_read_bytes_total $size \
	ganesha_rdma_rdma_write_bytes_total $size
gr_check "backend_up gauge is 1" grep -qF '"ganesha_rdma_proxy_backend_up{export=\"1\"}": 1.0' "$T/now.gw.json"

# Bounded labels: only export and conn, only configured values.
gr_check "gateway labels are export and conn only" \
	bash -c "! grep -o '[a-z_]*=' '$GW_RP_METRICS' | sort -u | grep -vxE 'export=|conn='"
gr_check "the transport's file has no label but version" \
	bash -c "! grep -o '[a-z_]*=' '$GW_BACKEND_METRICS' | sort -u | grep -vx 'version='"
echo "metrics: all checks passed"

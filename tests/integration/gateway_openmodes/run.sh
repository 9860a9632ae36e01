#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Open upgrade and downgrade through the gateway (issue 17).  An NFSv4.0
# client (gw_openmodes, raw COMPOUNDs) opens a file, opens it again with
# the same open owner in other modes (the upgrade), optionally takes a
# byte-range lock, downgrades to either OPEN's modes and probes the share
# reservation left - for every access and deny combination.  The same run
# against the backend directly and through FSAL_RDMA_PROXY must give the
# same statuses, stateid seqids and probe results, line for line.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41 GW_OPENMODES
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gwopen.XXXXXX)
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
GW_PRELOAD=${1:-} GW_RDMA_MODULE=${2:-} GW_FSAL_MODULE=${3:-} nfs41=${4:-} tool=${5:-}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK or libnfs missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"

gw_backend_start
for i in $(seq 0 575); do echo data >"$GW_BACKEND_EXPORT/f$i"; done
GW_NFS41=$nfs41 gw_gateway_start rdma_proxy

timeout 600 "$tool" "nfs://127.0.0.1/export?version=4&nfsport=$GW_BACKEND_PORT" f \
	>"$GW_ROOT/direct.out" || gr_fail "the run against the backend failed"
timeout 600 "$tool" "nfs://127.0.0.1/gw?version=4&nfsport=$GW_PORT_rdma_proxy" f \
	>"$GW_ROOT/gateway.out" || gr_fail "the run through the gateway failed"
n=$(wc -l <"$GW_ROOT/direct.out")
ok=$(grep -c 'downgrade 0 ' "$GW_ROOT/direct.out")
echo "ok: $n rounds, $ok downgrades granted by the backend"
[ "$n" = 576 ] && [ "$ok" -gt 0 ] || gr_fail "the backend run is not what this test expects"
if ! diff -u "$GW_ROOT/direct.out" "$GW_ROOT/gateway.out" >"$GW_ROOT/diff"; then
	head -60 "$GW_ROOT/diff"
	gr_fail "$(grep -c '^+open' "$GW_ROOT/diff") of $n rounds differ through the gateway"
fi
kill -0 "$(gw_pid rdma_proxy)" || gr_fail "the gateway died"
echo "PASS: open upgrade/downgrade through the gateway answers as the backend"

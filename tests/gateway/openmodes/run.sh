#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Open upgrade and downgrade through the gateway (issue 17).  An NFSv4.0
# client (gw_openmodes, raw COMPOUNDs), then an NFSv4.1 one
# (gw_openmodes41, on the session client), opens a file, opens it again with
# the same open owner in other modes (the upgrade), optionally takes a
# byte-range lock, downgrades to either OPEN's modes and probes the share
# reservation left - for every access and deny combination.  The same run
# against the backend directly and through FSAL_RDMA_PROXY must give the
# same statuses, stateid seqids and probe results, line for line.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41 GW_OPENMODES GW_OPENMODES41
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gwopen.XXXXXX)
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
GW_PRELOAD=${1:-} GW_RDMA_MODULE=${2:-} GW_FSAL_MODULE=${3:-} nfs41=${4:-} tool=${5:-} tool41=${6:-}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$nfs41" "$tool" "$tool41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK or libnfs missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"

gw_backend_start
for i in $(seq 0 575); do echo data >"$GW_BACKEND_EXPORT/f$i"; done
GW_NFS41=$nfs41 gw_gateway_start rdma_proxy

# compare NAME: $GW_ROOT/NAME.direct and NAME.gateway, line for line
compare() {
	local name=$1 n ok
	n=$(wc -l <"$GW_ROOT/$name.direct")
	ok=$(grep -c 'downgrade 0 ' "$GW_ROOT/$name.direct")
	echo "ok: $name: $n rounds, $ok downgrades granted by the backend"
	[ "$n" = 576 ] && [ "$ok" -gt 0 ] ||
		gr_fail "$name: the backend run is not what this test expects"
	if ! diff -u "$GW_ROOT/$name.direct" "$GW_ROOT/$name.gateway" >"$GW_ROOT/$name.diff"; then
		head -60 "$GW_ROOT/$name.diff"
		gr_fail "$name: $(grep -c '^+open' "$GW_ROOT/$name.diff") of $n rounds differ through the gateway"
	fi
}

for i in $(seq 0 575); do echo data >"$GW_BACKEND_EXPORT/g$i"; done
timeout 600 "$tool" "nfs://127.0.0.1/export?version=4&nfsport=$GW_BACKEND_PORT" f \
	>"$GW_ROOT/v40.direct" || gr_fail "the NFSv4.0 run against the backend failed"
timeout 600 "$tool" "nfs://127.0.0.1/gw?version=4&nfsport=$GW_PORT_rdma_proxy" f \
	>"$GW_ROOT/v40.gateway" || gr_fail "the NFSv4.0 run through the gateway failed"
compare v40
# NFSv4.1: files g<N> (the 4.0 run's clients may still hold f<N> state)
timeout 600 "$tool41" 127.0.0.1 "$GW_BACKEND_PORT" /export g \
	>"$GW_ROOT/v41.direct" || gr_fail "the NFSv4.1 run against the backend failed"
timeout 600 "$tool41" 127.0.0.1 "$GW_PORT_rdma_proxy" /gw g \
	>"$GW_ROOT/v41.gateway" || gr_fail "the NFSv4.1 run through the gateway failed"
compare v41
kill -0 "$(gw_pid rdma_proxy)" || gr_fail "the gateway died"
echo "PASS: NFSv4.0 and 4.1 open upgrade/downgrade through the gateway answer as the backend"

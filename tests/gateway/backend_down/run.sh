#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The gateway starts while its backend is down: the export must come up
# anyway, say in the log that the backend is unreachable and that it
# retries, keep clients waiting (NFS4ERR_DELAY, never a wrong answer), and
# serve them once the backend is started - without restarting the gateway.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gwdown.XXXXXX)
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
GW_PRELOAD=${1:-} GW_RDMA_MODULE=${2:-} GW_FSAL_MODULE=${3:-} nfs41=${4:-}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$nfs41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"

# The backend's ports are chosen now; nobody listens on them yet.
GW_BACKEND_PORT=$(gr_free_port) || gr_fail "no free port"
GW_BACKEND_RPORT=$(gr_free_port "$GW_BACKEND_PORT") || gr_fail "no free port"
GW_NFS41= gw_gateway_start rdma_proxy	# do not wait for /gw to answer
log=$(gw_log rdma_proxy)
url=nfs://127.0.0.1:$GW_PORT_rdma_proxy/gw
cli() { "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" "$@"; }

gr_wait_for 10 grep -q 'backend unreachable.*retries every' "$log" ||
	gr_fail "the gateway did not log that its backend is unreachable"
echo "ok: $(grep -o 'RDMA_PROXY export.*retries every [0-9]* s' "$log" | head -1)"
grep -q 'export of backend path /export created' "$log" ||
	gr_fail "the export was not created while the backend was down"
echo "ok: the export exists while the backend is down"
kill -0 "$(gw_pid rdma_proxy)" || gr_fail "the gateway died"

# A client asking now waits (NFS4ERR_DELAY makes it retry); it must not
# get an answer - there is nothing true to answer yet.
timeout 6 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" ls "$url" >"$GW_ROOT/early" 2>&1
rc=$?
[ $rc = 124 ] || { cat "$GW_ROOT/early"; gr_fail "a client got an answer (exit $rc) while the backend was down"; }
echo "ok: a client is kept waiting while the backend is down"

gw_backend_start
echo "ok: backend started"
gr_wait_for 60 grep -q 'session established' "$log" ||
	gr_fail "the gateway did not reach the backend once it was up"
echo "ok: $(grep -o 'RDMA_PROXY export.*session established' "$log" | tail -1)"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$GW_ROOT/src"
timeout 60 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" mkdir "$url/late" ||
	gr_fail "mkdir through the gateway after the backend came up"
timeout 60 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" put "$GW_ROOT/src" "$url/late/f" ||
	gr_fail "put through the gateway after the backend came up"
cmp "$GW_ROOT/src" "$GW_BACKEND_EXPORT/late/f" ||
	gr_fail "the backend holds different bytes"
timeout 60 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" get "$url/late/f" "$GW_ROOT/back" ||
	gr_fail "get through the gateway"
cmp "$GW_ROOT/src" "$GW_ROOT/back" || gr_fail "read back different bytes"
echo "ok: the export serves once the backend is up (4 MiB put/get verified, also on the backend)"
echo "PASS: gateway started before its backend"

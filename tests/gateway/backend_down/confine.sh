#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Backend_Path confinement across a start with the backend down (issue
# 11, finding 4).  /gw is the backend's /export/inner; a client takes the
# handle of /gw/sub, the gateway restarts while its backend is down, then
# the backend comes up.  Before any client touched the export root, the
# client climbs with LOOKUPP twice from its old handle, through a new
# connection that mounted only the other export (/gw2).  The root was
# never resolved, so the backend's /export/inner came back as an ordinary
# handle and the next LOOKUPP reached /export, where "secret" lies beside
# "inner".  Now the gateway resolves the root before any handle goes out
# and recognises it by fsid/fileid as well as bytes: the climb ends at the
# gateway's own pseudo root, where no backend name exists.
#
# Usage: confine.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41 GW_LIBNFS
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gwconfine.XXXXXX)
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
GW_PRELOAD=${1:-} GW_RDMA_MODULE=${2:-} GW_FSAL_MODULE=${3:-} nfs41=${4:-} tool=${5:-}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK or libnfs missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"
export GW_EXPORT2=tcp GW_RP_BACKEND_PATH=/export/inner

gw_backend_start
mkdir -p "$GW_BACKEND_EXPORT/inner/sub" "$GW_BACKEND_EXPORT/secret" "$GW_BACKEND_EXPORT2"
echo data >"$GW_BACKEND_EXPORT/inner/sub/f"
echo data >"$GW_BACKEND_EXPORT2/f2"
GW_NFS41=$nfs41 gw_gateway_start rdma_proxy
port=$GW_PORT_rdma_proxy
lurl() { echo "nfs://127.0.0.1/$1?version=4&nfsport=$port"; }

coproc CLIMB { timeout 300 "$tool" climb "$(lurl gw/sub/f)" /gw/sub "$(lurl gw2/f2)" secret inner 2>"$GW_ROOT/climb.err"; }
climb_pid=$CLIMB_PID
exec {cin}<&"${CLIMB[0]}" {cout}>&"${CLIMB[1]}"
read -r -t 60 line <&$cin
case $line in ready*) ;; *) cat "$GW_ROOT/climb.err"; gr_fail "the client took no handle (said '$line')" ;; esac
echo "ok: client holds /gw/sub ($line)"

# Restart the gateway with the backend down, then bring the backend up.
gw_stop rdma_proxy
gw_stop backend
log=$(gw_log rdma_proxy)
mark=$(wc -l <"$log")
GW_NFS41= gw_gateway_start rdma_proxy
gr_wait_for 30 gw_log_since "$log" "$mark" 'backend unreachable.*retries every' ||
	gr_fail "the restarted gateway did not find its backend down"
gw_backend_start
both_up() { [ "$(tail -n +$((mark + 1)) "$log" | grep -c 'session established')" -ge 2 ]; }
gr_wait_for 60 both_up ||
	gr_fail "the gateway's two exports did not reach the backend"
echo "ok: gateway restarted with the backend down; backend up, both sessions established"

echo go >&$cout
out=$(timeout 120 cat <&$cin)
wait "$climb_pid"
rc=$?
echo "$out" | sed 's/^/  /'
cat "$GW_ROOT/climb.err" >&2
[ $rc = 0 ] || gr_fail "LOOKUPP from an old handle escaped Backend_Path (exit $rc)"
echo "$out" | grep -q 'LOOKUPP from /gw/sub: status' || gr_fail "the climb did not run"
kill -0 "$(gw_pid rdma_proxy)" || gr_fail "the gateway died"
echo "PASS: no handle above Backend_Path after a start with the backend down"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The gateway at scale: GR_SCALE_CLIENTS (64) NFSv4.1 clients over TCP at
# once, each its own session, spread over 4 exports that FSAL_RDMA_PROXY
# forwards to 2 backends (two ganesha.nfsd with this project's transport,
# RDMA over ofi; each backend serves 2 of the exports, each export its own
# backend session).  Every client writes GR_SCALE_SIZE (256 KiB) bytes of
# its own pattern through the gateway, reads it back and compares (gr_scale
# io); then the file is also compared on the backend's disk for one client
# per export.  Gauges before (after a warm-up of the same load) and after:
# every export's backend up with its registered bytes unchanged, each
# backend's transport holding exactly the gateway's 2 connections and no
# call, the gateway's descriptors, threads (within 8: ntirpc's work pool)
# and RSS (within GR_SCALE_RSS_SLACK_MB, 32).
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO GR_SCALE PLUGIN NFS41
set -u
GW_ROOT=$(mktemp -d /tmp/gr-gwscale.XXXXXX)
GW_LEASE=10
. "$(dirname "$0")/../../lib/gateway.sh"

preload=${1:-} module=${2:-} fsal=${3:-} tool=${4:-} plugin=${5:-} nfs41=${6:-}
for f in "$preload" "$module" "$fsal" "$tool" "$plugin" "$nfs41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"
gr_require_plain_module "$fsal"
command -v ganesha.nfsd >/dev/null || gr_skip "ganesha.nfsd not installed"
[ "$(id -u)" = 0 ] || gr_skip "ganesha.nfsd with FSAL_VFS needs root (open_by_handle_at)"
clients=${GR_SCALE_CLIENTS:-64}
size=${GR_SCALE_SIZE:-262144}
slack_mb=${GR_SCALE_RSS_SLACK_MB:-32}

bpids=() gwpid=
cleanup() {
	local p
	gr_stop_pid "$gwpid"
	for p in "${bpids[@]}"; do gr_stop_pid "$p"; done
	rm -rf "$GW_ROOT"
}
trap cleanup EXIT
gr_on_fail() {
	echo "baseline: fds=${base_fds:-} threads=${base_threads:-} rss_kb=${base_rss:-}"
	echo "now: $(gauges)"
	for f in "$GW_ROOT"/*.out; do echo "--- $f"; tail -20 "$f"; done
	for d in b1 b2 gw; do echo "--- $d log"; grep -v -e DBUS -e krb5 -e gssd "$GW_ROOT/$d/ganesha.log" | tail -15; done
	echo "--- gateway stats"; cat "$GW_ROOT/gw/rp-stats"
}

# Backend k: exports /export1 and /export2, NFS over RDMA on rport[k].
declare -A rport
for b in b1 b2; do
	d=$GW_ROOT/$b
	mkdir -p "$d/recovery" "$d/e1" "$d/e2"
	p=$(gr_free_port) || gr_fail "no free port"
	rport[$b]=$(gr_free_port "$p") || gr_fail "no free port"
	{
		gw_core_conf "$b" "$p" "$GR_DEBIAN_FSAL_DIR"
		cat <<CONF
NFS_RDMA {
	Fabric = ofi; Bind_Addr = 127.0.0.1; Port = ${rport[$b]};
	Stats_File = "$d/rdma-stats"; Stats_Interval = 1;
}
EXPORT {
	Export_Id = 1; Path = "$d/e1"; Pseudo = /export1;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
EXPORT {
	Export_Id = 2; Path = "$d/e2"; Pseudo = /export2;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
	} >"$d/ganesha.conf"
	GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload gw_daemon "$b"
	bpids+=("${GW_PIDS[$b]}")
	gr_wait_for 30 grep -q 'NFS_RDMA: serving NFS over RDMA' "$d/ganesha.log" ||
		{ gr_on_fail; gr_fail "backend $b's RDMA listener did not come up"; }
done

# The gateway: /gw1 /gw2 on b1's /export1 /export2, /gw3 /gw4 on b2's.
d=$GW_ROOT/gw
mkdir -p "$d/recovery" "$d/state"
gwport=$(gr_free_port) || gr_fail "no free port"
gr_plugins_dir "$d/plugins" "$fsal"
{
	gw_core_conf gw "$gwport" "$d/plugins"
	printf 'RDMA_PROXY { State_Dir = "%s"; Stats_File = "%s"; Stats_Interval = 1; }\n' \
		"$d/state" "$d/rp-stats"
	i=0
	for b in b1 b2; do
		for e in 1 2; do
			i=$((i + 1))
			cat <<CONF
EXPORT {
	Export_Id = $i; Path = /gw$i; Pseudo = /gw$i;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
$(GW_BACKEND_RPORT=${rport[$b]} gw_fsal_block rdma_proxy /export$e rdma)
}
CONF
		done
	done
} >"$d/ganesha.conf"
gw_daemon gw
gwpid=${GW_PIDS[gw]}
for i in 1 2 3 4; do
	gr_wait_for 60 "$nfs41" -q stat "nfs://127.0.0.1:$gwport/gw$i" >/dev/null 2>&1 ||
		{ gr_on_fail; gr_fail "the gateway does not serve /gw$i within 60 s"; }
done

counter() { awk -v k="$1" '$1 == k { print $2 }' "$GW_ROOT/$2/rdma-stats"; }
fds() { ls "/proc/$gwpid/fd" | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$gwpid/status"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$gwpid/status"; }
# every export's backend up, and each one's registered bytes, in order
rp_state() {
	awk '$1 == "backend" || $1 == "registered_bytes" { printf "%s ", $3 }' \
		"$GW_ROOT/gw/rp-stats"
}
gauges() {
	echo "gateway: fds=$(fds) threads=$(threads) rss_kb=$(rss_kb) exports=[$(rp_state)]" \
		"b1: connections=$(counter connections b1) calls_live=$(counter calls_live b1)" \
		"b2: connections=$(counter connections b2) calls_live=$(counter calls_live b2)"
}
backends_steady() {
	local b
	for b in b1 b2; do
		[ "$(counter connections $b)" = 2 ] && [ "$(counter calls_live $b)" = 0 ] || return 1
	done
}
back() {
	backends_steady && [ "$(rp_state)" = "$base_rp" ] &&
		[ "$(fds)" -le "$base_fds" ] &&
		[ "$(threads)" -le $((base_threads + 8)) ] &&
		[ "$(rss_kb)" -le $((base_rss + slack_mb * 1024)) ]
}
run() { # name command...
	local name=$1 t0 rc
	shift
	t0=$(date +%s%N)
	"$@" >"$GW_ROOT/$name.out" 2>&1
	rc=$?
	grep -q '^SKIP' "$GW_ROOT/$name.out" && gr_skip "$(grep '^SKIP' "$GW_ROOT/$name.out")"
	grep -E '^(connected|verified|io:)' "$GW_ROOT/$name.out" | sed "s/^/$name: /"
	echo "$name: $((($(date +%s%N) - t0) / 1000000)) ms wall"
	return $rc
}
export GR_SCALE_TRANSPORT=tcp GR_SCALE_PATHS=/gw1,/gw2,/gw3,/gw4
args=("$plugin" 127.0.0.1 "$gwport" io "$clients" "$size")

gr_check "warm-up: $clients clients through the gateway verified" run warmup "$tool" "${args[@]}" 0
gr_check "... and once more" run warmup2 "$tool" "${args[@]}" 0
gr_check "each backend holds the gateway's 2 sessions' connections, no call" \
	gr_wait_for 20 backends_steady
sleep 2
base_fds=$(fds) base_threads=$(threads) base_rss=$(rss_kb) base_rp=$(rp_state)
gr_check "every export's backend is up (4 exports)" \
	test "$(echo "$base_rp" | grep -o up | wc -l)" = 4
echo "before: $(gauges)"

"$tool" "${args[@]}" 3 >"$GW_ROOT/io.out" 2>&1 &
iopid=$!
gr_wait_for $((60 + clients)) grep -q '^holding' "$GW_ROOT/io.out" ||
	{ gr_on_fail; gr_fail "the $clients clients did not get through their I/O"; }
echo "held: $(gauges)"
# each client's TCP connection is a descriptor of the gateway
gr_check "the gateway holds $clients client connections at once" \
	test "$(fds)" -ge $((base_fds + clients))
wait "$iopid"
rc=$?
grep -E '^(connected|verified|io:)' "$GW_ROOT/io.out"
gr_check "every client wrote, read back and compared its data" test "$rc" = 0
gr_check "... all $clients of them, $((clients / 4)) per export" \
	grep -qx "verified $clients of $clients" "$GW_ROOT/io.out"
# The files are removed by the clients: the backends' exports are empty.
gr_check "nothing left on the backends' disks" \
	test -z "$(find "$GW_ROOT"/b1/e1 "$GW_ROOT"/b1/e2 "$GW_ROOT"/b2/e1 "$GW_ROOT"/b2/e2 -type f)"
gr_check "afterwards every gauge is back (RSS within $slack_mb MiB)" gr_wait_for 40 back
echo "after: $(gauges)"
# One file per export kept this time, compared on the backend's disk.
for i in 1 2 3 4; do
	b=b$(((i + 1) / 2)) e=$((2 - i % 2))
	head -c 300000 /dev/urandom >"$GW_ROOT/src$i"
	gr_check "/gw$i lands in $b's export $e byte for byte" eval \
		'"$nfs41" -q put "$GW_ROOT/src$i" "nfs://127.0.0.1:$gwport/gw$i/f$i" &&
		 cmp -s "$GW_ROOT/src$i" "$GW_ROOT/$b/e$e/f$i"'
done
echo "--- gateway stats"
cat "$GW_ROOT/gw/rp-stats"
echo "all $gr_passed checks passed"

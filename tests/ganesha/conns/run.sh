#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Connection slots of Debian's ganesha.nfsd running this project's
# transport (fabric ofi on loopback) cannot be held by silent peers:
#   - a connection that never sends costs only its receive buffers
#     (registered_bytes = (Credits + 4) x Inline_Size per connection);
#   - Max_Connections_Per_Address refuses the (N+1)th connection from one
#     address (err_refused_per_addr) while another address still connects;
#   - silent connections are closed after Handshake_Timeout and free their
#     slot: a client refused while every slot was taken connects and is
#     served afterwards;
#   - a served connection that goes quiet is closed after Idle_Timeout;
#   - at the end every gauge (connections, registered bytes, xprts) is
#     back to zero and nfs41 is served over RDMA.
# Raw connections come from gr_conns, bound to 127.0.0.1/.2/.3.
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41 GR_CONNS
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-conns.XXXXXX)
bgs=()
cleanup() {
	local p
	for p in "${bgs[@]}"; do kill "$p" 2>/dev/null; done
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
gr_on_fail() {
	echo "--- transport counters"
	cat "$stats" 2>/dev/null
	for f in "$dir"/*.out; do echo "--- $f"; cat "$f"; done
	tail -30 "$dir/ganesha.log"
}

credits=32 inline=4096 handshake=10 idle=6
port=$(gr_free_port) || gr_fail "no free port"
rport=$(gr_free_port "$port") || gr_fail "no free port"
stats=$dir/rdma-stats
mkdir -p "$dir/export" "$dir/recovery"
{
	gr_core_conf "$dir" "$port" "$GR_DEBIAN_FSAL_DIR"
	cat <<CONF
NFS_RDMA {
	Fabric = ofi;
	Bind_Addr = 0.0.0.0;
	Port = $rport;
	Credits = $credits;
	Inline_Size = $inline;
	Max_Connections = 4;
	Max_Connections_Per_Address = 2;
	Handshake_Timeout = $handshake;
	Idle_Timeout = $idle;
	Stats_File = "$stats";
	Stats_Interval = 1;
}
EXPORT {
	Export_Id = 1; Path = "$dir/export"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
} >"$dir/ganesha.conf"
GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
	gr_ganesha_start "$dir" "$dir/ganesha.conf"
gr_wait_for 30 grep -q 'NFS_RDMA: serving NFS over RDMA' "$dir/ganesha.log" ||
	{ gr_on_fail; gr_fail "the RDMA listener did not come up"; }
gr_wait_for 10 test -s "$stats" || gr_fail "no stats file"

counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
counter_eq() { [ "$(counter "$1")" = "$2" ]; }
# counter_is NAME VALUE: within 10 s (the file is rewritten every second)
counter_is() { gr_wait_for 10 counter_eq "$1" "$2"; }
at_rest() {
	[ "$(counter connections)" = 0 ] && [ "$(counter registered_bytes)" = 0 ] &&
		[ "$(counter xprts_live)" = 0 ]
}
gr_check "at rest before: no connection, nothing registered" gr_wait_for 10 at_rest

# A silent client from 127.0.0.1 asks for 3 connections: the cap is 2.
"$tool" hold 127.0.0.1 "$rport" 127.0.0.1 3 60 >"$dir/a.out" 2>&1 &
bgs+=($!)
gr_wait_for 40 grep -q '^established' "$dir/a.out" ||
	{ gr_on_fail; gr_fail "gr_conns (127.0.0.1) did not finish connecting"; }
grep -q SKIP "$dir/a.out" && gr_skip "$(grep SKIP "$dir/a.out")"
gr_check "127.0.0.1: 2 connections accepted, the 3rd refused (per-address cap 2)" \
	grep -qx 'established 2 refused 1' "$dir/a.out"
gr_check "err_refused_per_addr = 1" counter_is err_refused_per_addr 1
# Credits receives plus XR_SVC_RECV_SLACK (4) that make an overrun visible.
per_silent=$(((credits + 4) * inline))
gr_check "2 silent connections register only their receive buffers: $((2 * per_silent)) bytes" \
	counter_is registered_bytes $((2 * per_silent))

# Another address still connects, and takes the last two slots.
"$tool" hold 127.0.0.1 "$rport" 127.0.0.3 2 60 >"$dir/b.out" 2>&1 &
bgs+=($!)
gr_wait_for 40 grep -q '^established' "$dir/b.out" ||
	{ gr_on_fail; gr_fail "gr_conns (127.0.0.3) did not finish connecting"; }
gr_check "127.0.0.3 connects while 127.0.0.1 is at its cap" \
	grep -qx 'established 2 refused 0' "$dir/b.out"
gr_check "4 connections live" counter_is connections 4

# Every slot is held by a silent peer: a well-behaved client is refused...
"$tool" call 127.0.0.1 "$rport" 127.0.0.2 0 >"$dir/c1.out" 2>&1
gr_check "while silent peers hold every slot, 127.0.0.2 is refused" \
	grep -qx 'call refused' "$dir/c1.out"

# ... until the handshake timeout closes them.
gr_check "the silent connections are closed after Handshake_Timeout ($handshake s)" \
	gr_wait_for 40 eval 'grep -q "^closed 2 after" "$dir/a.out" && grep -q "^closed 2 after" "$dir/b.out"'
took=$(awk '/^closed 2 after/ { print int($4) }' "$dir/a.out")
gr_check "... not before ($took s after connecting >= $((handshake - 2)) s)" \
	test "${took:-0}" -ge $((handshake - 2))
gr_check "conns_closed_silent = 4" counter_is conns_closed_silent 4
gr_check "their slots and registrations are free again" gr_wait_for 20 at_rest

# The well-behaved client now connects, is served, then goes quiet.
"$tool" call 127.0.0.1 "$rport" 127.0.0.2 60 >"$dir/c2.out" 2>&1 &
bgs+=($!)
gr_check "127.0.0.2 connects and its NULL call is answered" \
	gr_wait_for 30 grep -qx 'call ok' "$dir/c2.out"
gr_check "the idle connection is closed after Idle_Timeout ($idle s)" \
	gr_wait_for 60 grep -q '^closed after' "$dir/c2.out"
took=$(awk '/^closed after/ { print int($3) }' "$dir/c2.out")
gr_check "... not before ($took s >= $((idle - 1)) s)" test "${took:-0}" -ge $((idle - 1))
gr_check "conns_closed_idle = 1" counter_is conns_closed_idle 1
gr_check "conns_closed_silent still 4 (the served client was not taken for silent)" \
	counter_is conns_closed_silent 4
gr_check "at rest after: no connection, nothing registered, no xprt" gr_wait_for 20 at_rest

# A real client is served over RDMA afterwards.
url=nfs://127.0.0.1:$rport/export
head -c $((1024 * 1024 + 77)) /dev/urandom >"$dir/src"
gr_check "nfs41 writes over RDMA afterwards" \
	"$nfs41" --transport rdma --fabric ofi -q put "$dir/src" "$url/f"
gr_check "... and reads it back identical" eval \
	'"$nfs41" --transport rdma --fabric ofi -q get "$url/f" "$dir/back" && cmp -s "$dir/src" "$dir/back"'
gr_check "ganesha.nfsd is alive" kill -0 "$GR_GANESHA_PID"
echo "--- transport counters"
cat "$stats"
echo "all $gr_passed checks passed"

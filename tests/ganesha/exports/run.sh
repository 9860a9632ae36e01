#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# NFS_RDMA { Exports = 1; } in Debian's ganesha.nfsd with two exports:
# export 1 (/rdma) is served over RDMA and TCP, export 2 (/tcponly) over
# TCP only.  nfs41 over RDMA (fabric ofi) works in /rdma and cannot see
# /tcponly (Ganesha hides an export refused with NFS4ERR_ACCESS: READDIR
# skips it, LOOKUP answers NOENT), whose files it can neither list, read
# nor create; nfs41 over TCP still works in /tcponly.  Then
# gr_malformed checks the calls that name their export by handle: an NFSv3
# call for export 2 is denied (AUTH_TOOWEAK) before Ganesha runs it, an
# NFSv4.0 PUTFH of an export-2 handle gets NFS4ERR_ACCESS; the stats file
# counts the refusals.  Last, the same daemon with NFSv3 on (registered
# with tests/lib/fake_rpcbind.py on rpcbind's local socket; this phase is
# left out, saying why, when a real rpcbind runs): NFSv3 GETATTR over RDMA
# of export 1's root (its handle from MOUNT over TCP, tests/lib/
# mnt3_handle.py) answers NFS3_OK, the same handle naming export 2 is
# denied, MOUNT over RDMA is PROG_UNAVAIL (Ganesha's NFS dispatcher).
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-exports.XXXXXX)
rpcb=
cleanup() {
	gr_ganesha_stop
	[ -n "$rpcb" ] && gr_stop_pid "$rpcb"
	rm -rf "$dir"
}
trap cleanup EXIT
port=$(gr_free_port) || gr_fail "no free port"
rport=$(gr_free_port "$port") || gr_fail "no free port"
mport=$(gr_free_port "$port" "$rport") || gr_fail "no free port"
stats=$dir/rdma-stats
mkdir -p "$dir/e1" "$dir/e2" "$dir/recovery"
# start_server PROTOCOLS: ganesha.nfsd with both exports and Exports = 1
start_server() {
	{
		gr_core_conf "$dir" "$port" "$GR_DEBIAN_FSAL_DIR" |
			sed "s/Protocols = 4;/Protocols = $1; MNT_Port = $mport;/"
		conf_rest "$1"
	} >"$dir/ganesha.conf"
	: >"$dir/ganesha.log"
	GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
		gr_ganesha_start "$dir" "$dir/ganesha.conf"
	gr_wait_for 30 grep -q 'NFS_RDMA: serving NFS over RDMA' "$dir/ganesha.log" ||
		{ cat "$dir/ganesha.log" "$dir/ganesha.out"; gr_fail "the RDMA listener did not come up"; }
}
conf_rest() {
	cat <<CONF
NFS_RDMA {
	Fabric = ofi;
	Bind_Addr = 127.0.0.1;
	Port = $rport;
	Stats_File = "$stats";
	Stats_Interval = 1;
	Exports = 1;
}
EXPORT {
	Export_Id = 1; Path = "$dir/e1"; Pseudo = /rdma;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = $1;
	FSAL { Name = VFS; }
}
EXPORT {
	Export_Id = 2; Path = "$dir/e2"; Pseudo = /tcponly;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = $1;
	FSAL { Name = VFS; }
}
CONF
}
start_server 4
gr_on_fail() {
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
	[ -f "$stats" ] && { echo "--- stats"; cat "$stats"; }
}
check() { gr_check "$@"; }
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
rdma() { "$nfs41" --transport rdma --fabric ofi -q "$@"; }
tcp() { "$nfs41" --transport tcp -q "$@"; }
R=nfs://127.0.0.1:$rport
T=nfs://127.0.0.1:$port
# fails_with CODE CMD...: CMD exits with CODE (6: not found)
fails_with() {
	local want=$1 rc
	shift
	"$@" 2>"$dir/err"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, wanted $want: $(cat "$dir/err")"; return 1; }
}

check "policy logged" grep -q 'only these exports are served over RDMA: 1 ' "$dir/ganesha.log"
head -c $((2 * 1024 * 1024 + 99)) /dev/urandom >"$dir/src"

# Export 1 over RDMA: everything works.
check "RDMA: mkdir in the allowed export" rdma mkdir "$R/rdma/d"
check "RDMA: put 2 MiB into it" rdma put "$dir/src" "$R/rdma/d/f"
check "RDMA: get it back" rdma get "$R/rdma/d/f" "$dir/back1"
check "RDMA: identical" cmp -s "$dir/src" "$dir/back1"

# Export 2 over RDMA: hidden the way Ganesha hides any export a client may
# not access (its junction refused with NFS4ERR_ACCESS: READDIR skips it,
# LOOKUP answers NFS4ERR_NOENT, exit 6), nothing created.
echo keep >"$dir/e2/old"
check "RDMA: the pseudo root lists the allowed export" bash -c "'$nfs41' --transport rdma --fabric ofi ls '$R/' | grep -qx rdma/"
check "RDMA: ... and not the TCP-only one" bash -c "! '$nfs41' --transport rdma --fabric ofi ls '$R/' | grep -qx tcponly/"
check "TCP: the pseudo root lists both" bash -c "'$nfs41' --transport tcp ls '$T/' | sort | tr '\n' ' ' | grep -qx 'rdma/ tcponly/ '"
check "RDMA: ls of the TCP-only export is refused (not found)" fails_with 6 rdma ls "$R/tcponly"
check "RDMA: stat of a file in it is refused" fails_with 6 rdma stat "$R/tcponly/old"
check "RDMA: put into it is refused" fails_with 6 rdma put "$dir/src" "$R/tcponly/new"
check "... and created nothing" test ! -e "$dir/e2/new"
check "RDMA: get from it is refused" fails_with 6 rdma get "$R/tcponly/old" "$dir/x"

# Export 2 over TCP: served as before.
check "TCP: put into the TCP-only export" tcp put "$dir/src" "$T/tcponly/new"
check "TCP: get it back" tcp get "$T/tcponly/new" "$dir/back2"
check "TCP: identical" cmp -s "$dir/src" "$dir/back2"
check "TCP: ls lists it" bash -c "'$nfs41' --transport tcp ls '$T/tcponly' | grep -qx new"
check "TCP: the allowed export too" tcp stat "$T/rdma/d/f"

# Calls naming their export by handle, straight to the transport.
"$tool" 127.0.0.1 "$rport" exports 1 2 | tee "$dir/tool.out"
check "gr_malformed: NFSv3 denied, NFSv4.0 PUTFH refused for export 2 only" test "${PIPESTATUS[0]}" = 0
check "RDMA: the allowed export still works afterwards" rdma stat "$R/rdma/d/f"

gr_stats_fresh "$stats"
echo "--- transport counters"; cat "$stats"
check "export_denied_nfs4 counted" test "$(counter export_denied_nfs4)" -ge 6
check "export_denied_nfs3 = 1 (GETATTR)" test "$(counter export_denied_nfs3)" = 1
check "ganesha.nfsd is alive" kill -0 "$GR_GANESHA_PID"
gr_ganesha_stop

# NFSv3 on: Ganesha exits unless rpcbind takes its registrations.
sock=/var/run/rpcbind.sock
if [ -e "$sock" ] || pgrep -x rpcbind >/dev/null; then
	echo "note: NFSv3 phase left out: an rpcbind is running here ($sock)"
elif ! command -v python3 >/dev/null; then
	echo "note: NFSv3 phase left out: no python3 for tests/lib/fake_rpcbind.py"
else
	python3 "$(dirname "$0")/../../lib/fake_rpcbind.py" "$sock" &
	rpcb=$!
	gr_wait_for 10 test -S "$sock" || gr_fail "fake rpcbind did not start"
	start_server "3, 4"
	fh=$(python3 "$(dirname "$0")/../../lib/mnt3_handle.py" 127.0.0.1 "$mport" "$dir/e1")
	check "TCP: MOUNT of export 1 gives its NFSv3 handle" test -n "$fh"
	"$tool" 127.0.0.1 "$rport" v3 "$fh" 2 | tee "$dir/tool.out"
	check "gr_malformed: NFSv3 over RDMA served in export 1, denied in export 2" test "${PIPESTATUS[0]}" = 0
	"$tool" 127.0.0.1 "$rport" exports 1 2 >"$dir/tool.out"
	check "gr_malformed: with NFSv3 on, the same refusals by handle" test "$?" = 0
	gr_stats_fresh "$stats"
	check "export_denied_nfs3 = 2" test "$(counter export_denied_nfs3)" = 2
	check "TCP: export 2 still served" tcp stat "$T/tcponly/new"
	gr_ganesha_stop
	gr_stop_pid "$rpcb"
	rpcb=
fi
echo "$gr_passed passed, 0 failed"

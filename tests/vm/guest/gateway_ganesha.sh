#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #17's write pattern through the gateway to our own server, on one
# soft-RDMA device in the vm tier's guest (called from guest-tests.list):
#   Linux kernel client --NFSv4.1 or 4.0 over TCP--> ganesha.nfsd with
#   FSAL_RDMA_PROXY --NFSv4.1 session over RPC-over-RDMA (verbs)--> Debian's
#   ganesha.nfsd serving with this project's transport (NFS_RDMA).
# For each client version dd writes <MiB> in 8 KiB write() calls and then
# calls fsync() (conv=fsync), which must succeed (on siw it failed with
# EREMOTEIO, NFS4ERR_SERVERFAULT); the file is compared with what landed in
# the backend's export and read back through the gateway after dropping the
# client's caches.  The gateway runs with the 8 MiB locked-memory limit a
# daemon gets by default (siw charges every registration against it, root's
# too): for NFSv4.1 as started by root (the verbs fabric may raise the
# limit), for NFSv4.0 without CAP_SYS_RESOURCE (it cannot: the session
# client must wait for registrations in flight to end and resend, counted
# as transport_waits).  Both daemons log the FSAL and dispatch components
# at debug level; their counters are printed and the logs kept in the run
# directory, so a failure explains itself.
# Usage: gateway_ganesha.sh <ibdev> <ip> <build dir> <out dir> [MiB]
# Exit 0 when every check held, 1 otherwise; one "ok:"/"FAIL:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MB=${5:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
FSAL=$BUILD/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so
work=/var/tmp/gw-ganesha-$IBDEV
be=$work/backend
passed=0 failed=0
GW_PID=

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
[ -e "$FSAL" ] || { echo "FAIL: not built: $FSAL"; exit 1; }
ulimit -l unlimited
GW_MEMLOCK_KB=8192
LOGBLOCK='LOG { COMPONENTS { FSAL = DEBUG; DISPATCH = DEBUG; } }'

gateway_start() { # root | nocap
	local mode=$1 drop=
	mkdir -p "$work/plugins" "$work/recovery" "$work/state"
	ln -sf /usr/lib/x86_64-linux-gnu/ganesha/libfsal*.so "$work/plugins/"
	ln -sf "$FSAL" "$work/plugins/"
	cat >"$work/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = 2050; Protocols = 4; Enable_NLM = false;
	Enable_RQUOTA = false; Enable_UDP = false;
	Plugins_Dir = "$work/plugins";
	# Ganesha 6.5 exits without CAP_SYS_RESOURCE (the nocap run) unless
	# allowed to go on without PR_SET_IO_FLUSHER.
	$(gr_core_version_params)
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { RecoveryBackend = fs; RecoveryRoot = "$work/recovery"; Graceless = true; }
RDMA_PROXY { State_Dir = "$work/state"; Stats_File = "$work/rp-stats"; Stats_Interval = 1; }
$LOGBLOCK
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = $IP; Backend_Port = 20049;
		Backend_Path = "/export";
		Transport = rdma; Fabric = verbs;
	}
}
CONF
	: >"$work/ganesha.log"
	# The default locked-memory limit, soft and hard, not the unlimited
	# one this script gives the backend.
	[ "$mode" = nocap ] &&
		drop="setpriv --bounding-set -sys_resource --inh-caps -sys_resource"
	(ulimit -l $GW_MEMLOCK_KB
	 exec $drop ganesha.nfsd -F -f "$work/ganesha.conf" -L "$work/ganesha.log" \
		-p "$work/ganesha.pid" -N NIV_EVENT) >"$work/ganesha.out" 2>&1 &
	GW_PID=$!
	for _ in $(seq 1 60); do
		grep -q 'RDMA_PROXY.*session established' "$work/ganesha.log" &&
			grep -q 'NFS SERVER INITIALIZED' "$work/ganesha.log" &&
			return 0
		kill -0 $GW_PID 2>/dev/null || break
		sleep 1
	done
	grep -vE 'DBUS|dbus|krb5|keytab' "$work/ganesha.log" | tail -30
	return 1
}

gateway_stop() {
	[ -n "$GW_PID" ] && kill $GW_PID 2>/dev/null && wait $GW_PID 2>/dev/null
	GW_PID=
}

report() {
	sleep 1.5
	echo "--- gateway counters (RDMA_PROXY Stats_File)"
	cat "$work/rp-stats" 2>/dev/null
	echo "--- backend transport counters (NFS_RDMA Stats_File)"
	cat "$be/rdma-stats" 2>/dev/null
}

show_failure() {
	echo "--- gateway log: RDMA_PROXY lines and errors"
	grep -E 'RDMA_PROXY|NFS_RDMA|CRIT|MAJ|WARN' "$work/ganesha.log" |
		grep -vE 'DBUS|dbus|krb5|keytab' | tail -40
	echo "--- backend log: NFS_RDMA lines and errors"
	grep -E 'NFS_RDMA|CRIT|MAJ|WARN' "$be/ganesha.log" |
		grep -vE 'DBUS|dbus|krb5|keytab' | tail -40
	echo "--- kernel log"
	dmesg | tail -15
	report
}

cleanup() {
	umount -f /mnt/gwg 2>/dev/null
	gateway_stop
	ganesha_stop
	cp -f "$work/ganesha.log" "$OUT/gw-ganesha-gateway-$IBDEV.log" 2>/dev/null
	cp -f "$be/ganesha.log" "$OUT/gw-ganesha-backend-$IBDEV.log" 2>/dev/null
}
trap cleanup EXIT

rm -rf "$work"; mkdir -p "$work" "$be" /mnt/gwg
GANESHA_CONF_EXTRA=$LOGBLOCK ganesha_start "$be" "$IP" "$BUILD" ||
	{ echo "FAIL: the backend Ganesha's RDMA listener did not start"; exit 1; }
ok "backend: ganesha.nfsd serves NFS over RDMA on $IP:20049 ($IBDEV)"
head -c $((MB * 1024 * 1024)) /dev/urandom >"$work/src.bin"
sum=$(sha256sum <"$work/src.bin")
for run in "4.1 root" "4.0 nocap"; do
	set -- $run
	vers=$1 mode=$2
	l="NFSv$vers client, gateway $mode"
	f=w$vers.bin
	if ! gateway_start $mode; then
		bad "$l: the gateway did not reach the backend over RDMA"
		gateway_stop
		continue
	fi
	ok "$l: $(grep -o 'RDMA_PROXY export.*session established' "$work/ganesha.log" | head -1)"
	echo "gateway ($mode): $(grep 'Max locked memory' /proc/$GW_PID/limits)," \
		"$(grep CapEff /proc/$GW_PID/status)"
	if ! mount -t nfs -o vers=$vers,proto=tcp,port=2050 "$IP:/gw" /mnt/gwg; then
		bad "$l: mount the gateway over TCP"
		gateway_stop
		continue
	fi
	# write() of 8 KiB each, then fsync(): the pattern of issue #17
	if timeout 300 dd if="$work/src.bin" of="/mnt/gwg/$f" bs=8k conv=fsync \
		status=none; then
		ok "$l: ${MB} MiB in 8 KiB writes, then fsync"
	else
		bad "$l: ${MB} MiB in 8 KiB writes, then fsync"
		show_failure
	fi
	check "$l: the backend's export holds the same bytes" \
		cmp "$work/src.bin" "$be/export/$f"
	echo 3 >/proc/sys/vm/drop_caches
	check "$l: read back through the gateway, same sha256" \
		bash -c "[ \"\$(sha256sum <'/mnt/gwg/$f')\" = '$sum' ]"
	check "$l: unmount" umount /mnt/gwg
	report
	gateway_stop
	cp -f "$work/ganesha.log" "$OUT/gw-ganesha-gateway-$mode-$IBDEV.log"
done
echo "gateway_ganesha ($IBDEV): $passed passed, $failed failed"
[ $failed = 0 ]

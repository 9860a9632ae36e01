#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The TCP-to-RDMA gateway between real peers in the vm tier's guest, on one
# soft-RDMA device (called from guest-tests.list):
#   nfs41 / Linux kernel client --NFSv4.1/TCP--> Debian's ganesha.nfsd with
#   FSAL_RDMA_PROXY --NFSv4.1 session over RPC-over-RDMA (verbs)--> Linux
#   kernel NFS server's RDMA listener.
# This project's client (nfs41) and the Linux kernel client, both NFSv4.1
# over TCP, run a file workload with checksums through the gateway; every
# file is also compared with what landed in the kernel server's export.
# Usage: gateway.sh <ibdev> <ip> <build dir> <out dir> [MiB]
# Exit 0 when every check held, 1 otherwise; one "ok:"/"FAIL:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MB=${5:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
FSAL=$BUILD/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so
work=/var/tmp/gateway-$IBDEV
kexp=$work/kexport
passed=0 failed=0
GW_PID=

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
[ -e "$FSAL" ] || { echo "FAIL: not built: $FSAL"; exit 1; }
ulimit -l unlimited

gateway_start() {
	mkdir -p "$work/plugins" "$work/recovery" "$work/state"
	ln -sf /usr/lib/x86_64-linux-gnu/ganesha/libfsal*.so "$work/plugins/"
	ln -sf "$FSAL" "$work/plugins/"
	cat >"$work/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = 2050; Protocols = 4; Enable_NLM = false;
	Enable_RQUOTA = false; Enable_UDP = false;
	Plugins_Dir = "$work/plugins";
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { RecoveryBackend = fs; RecoveryRoot = "$work/recovery"; Graceless = true; }
RDMA_PROXY { State_Dir = "$work/state"; Stats_File = "$work/rp-stats"; Stats_Interval = 1; }
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = $IP; Backend_Port = 20050;
		Backend_Path = "$kexp";
		Transport = rdma; Fabric = verbs;
	}
}
CONF
	: >"$work/ganesha.log"
	ganesha.nfsd -F -f "$work/ganesha.conf" -L "$work/ganesha.log" \
		-p "$work/ganesha.pid" -N NIV_EVENT >"$work/ganesha.out" 2>&1 &
	GW_PID=$!
	# The session comes up while Ganesha is still starting: wait for
	# both it and Ganesha's own start-up to finish.
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

cleanup() {
	umount -f /mnt/gw 2>/dev/null
	[ -n "$GW_PID" ] && kill $GW_PID 2>/dev/null && wait $GW_PID 2>/dev/null
	knfsd_stop 2>/dev/null
	cp -f "$work/ganesha.log" "$OUT/gateway-$IBDEV.log" 2>/dev/null
	cp -f "$work/rp-stats" "$OUT/gateway-stats-$IBDEV.txt" 2>/dev/null
}
trap cleanup EXIT

rm -rf "$work"; mkdir -p "$work" "$kexp"
knfsd_start "$kexp" 20050 || { echo "FAIL: Linux nfsd with an RDMA listener"; exit 1; }
ok "the Linux kernel NFS server listens for RDMA on $IP:20050"
gateway_start || { echo "FAIL: the gateway did not reach the kernel server over RDMA"; exit 1; }
ok "gateway: $(grep -o 'RDMA_PROXY export.*session established' "$work/ganesha.log" | head -1)"

# 1. nfs41 (NFSv4.1 over TCP) through the gateway.
NFS41=$BUILD/src/cli/nfs41
gw=nfs://$IP:2050/gw
cli() { "$NFS41" -q --state-file "$work/nfs41-id" "$@"; }
head -c $((MB * 1024 * 1024)) /dev/urandom >"$work/src.bin"
check "put ${MB} MiB through the gateway" cli put "$work/src.bin" "$gw/big.bin"
check "the kernel server holds the same bytes" cmp "$work/src.bin" "$kexp/big.bin"
check "get it back through the gateway" cli get "$gw/big.bin" "$work/back.bin"
check "same bytes" cmp "$work/src.bin" "$work/back.bin"
check "mkdir" cli mkdir "$gw/d1"
check "mkdir d1/d2" cli mkdir "$gw/d1/d2"
for i in $(seq 1 200); do echo "entry $i" >"$kexp/d1/f$i"; done
check "readdir of 200 entries written on the server" \
	bash -c "[ \$('$NFS41' ls '$gw/d1' | grep -c '^f') = 200 ]"
check "rename across directories" cli rename "$gw/d1/f1" "$gw/d1/d2/moved"
check "the rename is on the kernel server" test -f "$kexp/d1/d2/moved"
check "stat size matches the server's" \
	bash -c "'$NFS41' stat '$gw/big.bin' | grep -q 'size: $((MB * 1024 * 1024))'"
check "remove" cli rm "$gw/big.bin"
check "the file is gone on the kernel server" test ! -e "$kexp/big.bin"
"$NFS41" bench "$gw/d1" --mode read --streams 4 --io-size 1M --duration 3 --file-size 32M |
	tee "$OUT/gateway-bench-$IBDEV.txt"

# 2. The Linux kernel client mounts the gateway over TCP.
mnt=/mnt/gw
mkdir -p "$mnt"
mounted=0
for _ in 1 2 3 4 5; do
	mount -t nfs -o vers=4.1,proto=tcp,port=2050 "$IP:/gw" "$mnt" &&
		{ mounted=1; break; }
	sleep 2
done
check "the kernel client mounts the gateway (NFSv4.1 over TCP)" test $mounted = 1
if [ $mounted = 1 ]; then
	sum=$(sha256sum <"$work/src.bin")
	check "kernel client: write ${MB} MiB through the gateway" \
		dd if="$work/src.bin" of="$mnt/k.bin" bs=1M conv=fsync status=none
	check "kernel client: the server holds the same bytes" cmp "$work/src.bin" "$kexp/k.bin"
	echo 3 >/proc/sys/vm/drop_caches
	check "kernel client: read back, same sha256" \
		bash -c "[ \"\$(sha256sum <'$mnt/k.bin')\" = '$sum' ]"
	check "kernel client: mkdir" mkdir -p "$mnt/k1/k2"
	for i in $(seq 1 300); do echo "entry $i" >"$mnt/k1/f$i"; done
	check "kernel client: readdir of 300 entries" \
		bash -c "[ \$(ls '$mnt/k1' | grep -c '^f') = 300 ]"
	check "kernel client: rename across directories" mv "$mnt/k1/f1" "$mnt/k1/k2/moved"
	check "kernel client: the rename is on the server" test -f "$kexp/k1/k2/moved"
	check "kernel client: symlink and readlink" \
		bash -c "ln -s k2/moved '$mnt/k1/link' && [ \"\$(readlink '$mnt/k1/link')\" = k2/moved ]"
	check "kernel client: chmod reaches the server" \
		bash -c "chmod 600 '$mnt/k1/f2' && [ \$(stat -c %a '$kexp/k1/f2') = 600 ]"
	check "kernel client: remove a tree" bash -c "rm -rf '$mnt/k1' && [ ! -e '$kexp/k1' ]"
	check "kernel client: unmount" umount "$mnt"
fi

sleep 1.5
echo "--- gateway counters"
cat "$work/rp-stats" 2>/dev/null
copied=$(awk '$1 == "payload_bytes_copied" {print $3}' "$work/rp-stats" 2>/dev/null)
wbytes=$(awk '$1 == "rdma_read_bytes" {print $3}' "$work/rp-stats" 2>/dev/null)
check "the backend pulled the written data by RDMA Read (${wbytes:-?} bytes)" \
	bash -c "[ '${wbytes:-0}' -ge $((2 * MB * 1024 * 1024)) ]"
echo "gateway payload bytes copied: ${copied:-?}"
echo "gateway: $passed passed, $failed failed"
[ $failed = 0 ]

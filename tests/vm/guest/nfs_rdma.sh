#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# NFS over RDMA between real peers on one soft-RDMA device in the vm tier's
# guest (called from guest-tests.list):
#   1. Debian's ganesha.nfsd with this project's transport (Fabric = verbs)
#      on port 20049; the Linux kernel client mounts it with proto=rdma for
#      NFSv4.1, NFSv4.0 and NFSv3 and runs a file workload with checksums
#      (one big file, four parallel writers, many entries, rename, symlink,
#      remove);
#   2. this project's nfs41 client over verbs against the same Ganesha;
#   3. nfs41 over verbs against the Linux kernel NFS server's RDMA listener.
# Servers are started by nfs_common.sh.
# Usage: nfs_rdma.sh <ibdev> <ip> <build dir> <out dir> [MiB] [parallel MiB]
#   MiB: the big file; parallel MiB: what each of the 4 writers writes.
# Exit 0 when every check held, 1 otherwise; one "ok:"/"FAIL:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MB=${5:-64} PMB=${6:-${5:-64}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
PRELOAD=$BUILD/src/xprt_rdma/ganesha/libganesha_rdma_preload.so
MODULE=$BUILD/src/xprt_rdma/ganesha/libganesha_rdma.so
NFS41=$BUILD/src/cli/nfs41
work=/var/tmp/nfs-rdma-$IBDEV
passed=0 failed=0

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
for f in "$PRELOAD" "$MODULE" "$NFS41"; do
	[ -e "$f" ] || { echo "FAIL: not built: $f"; exit 1; }
done
ulimit -l unlimited

rm -rf "$work"; mkdir -p "$work" /mnt/g
head -c $((MB * 1024 * 1024)) /dev/urandom >"$work/src.bin"
for i in 1 2 3 4; do
	head -c $((PMB * 1024 * 1024)) /dev/urandom >"$work/par$i.bin"
done
# Keep Ganesha's log with the run's results whatever happens.
trap 'cp -f "$work/ganesha.log" "$OUT/ganesha-$IBDEV.log" 2>/dev/null' EXIT
ganesha_start "$work" "$IP" "$BUILD" "3, 4" ||
	{ echo "FAIL: Ganesha's RDMA listener did not start"; exit 1; }
gpid=$GANESHA_PID
grep -hE 'NFS_RDMA|CRIT|MAJ' "$work/ganesha.log"
ok "ganesha.nfsd serves NFS over RDMA on $IP:20049 ($IBDEV)"

# bounded SECS CMD...: run CMD in the background; if it is not done in SECS
# (an NFS operation that never completes), print what the server and the
# client know, kill it and fail.
bounded() {
	local secs=$1 pid i
	shift
	"$@" &
	pid=$!
	for i in $(seq 1 $((secs * 2))); do
		kill -0 $pid 2>/dev/null || { wait $pid; return; }
		sleep 0.5
	done
	echo "--- '$*' still running after ${secs}s: server counters"
	cat "$work/rdma-stats"
	echo "--- client transport (mountstats)"
	grep -A14 "mounted on /mnt/g" /proc/self/mountstats | head -30
	echo "--- kernel log"
	dmesg | tail -25
	echo "--- Ganesha log"
	grep -vE 'DBUS|dbus|krb5|keytab' "$work/ganesha.log" | tail -15
	echo "--- Ganesha's threads"
	gdb -p "$gpid" -batch -ex 'thread apply all bt' 2>&1 |
		grep -E '^Thread|^#' | grep -vE 'in (clone|start_thread)' | head -150
	kill -9 $pid
	return 1
}

parallel_writers() { # mountpoint
	local i rc=0 pids=()
	for i in 1 2 3 4; do
		dd if="$work/par$i.bin" of="$1/par$i.bin" bs=1M conv=fsync status=none &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	return $rc
}

workload() { # mountpoint label
	local m=$1 l=$2 i
	check "$l: write 4 KiB" bounded 60 dd if="$work/src.bin" of="$m/small.bin" bs=4k count=1 conv=fsync status=none
	check "$l: write ${MB} MiB" bounded 300 dd if="$work/src.bin" of="$m/big.bin" bs=1M conv=fsync status=none
	[ $failed = 0 ] || return 1
	echo 3 >/proc/sys/vm/drop_caches
	check "$l: read back, same data" cmp "$work/src.bin" "$m/big.bin"
	# Four streams of 1 MiB WRITEs at once: many RDMA Reads of write
	# payload compete for the connection's landing area and credits.
	check "$l: 4 parallel writers of ${PMB} MiB" bounded 300 parallel_writers "$m"
	echo 3 >/proc/sys/vm/drop_caches
	check "$l: parallel writers' data read back" bash -c \
		"for i in 1 2 3 4; do cmp '$work/par'\$i.bin '$m/par'\$i.bin || exit 1; done"
	rm -f "$m"/par?.bin
	mkdir -p "$m/dir" && (cd "$m/dir" && seq -f 'f%04g' 1 2000 | xargs touch)
	check "$l: readdir of 2000 entries" test "$(ls "$m/dir" | wc -l)" = 2000
	check "$l: rename" mv "$m/big.bin" "$m/dir/renamed.bin"
	check "$l: symlink + readlink" bash -c "ln -s dir/renamed.bin '$m/link' && test \"\$(readlink '$m/link')\" = dir/renamed.bin"
	check "$l: remove" rm -rf "$m/dir" "$m/link" "$m/small.bin"
}

# NFSv3 reaches Ganesha over RDMA too: MOUNT goes over TCP to MNT_Port.
v3opts=mountproto=tcp,mountport=$GANESHA_MNT_PORT,nolock
for vers in 4.1 4.0 3; do
	opts=vers=$vers,proto=rdma,port=20049 path=/export fstype=nfs4
	[ $vers = 3 ] && opts=$opts,$v3opts path=$work/export fstype=nfs
	if mount -t nfs -o $opts "$IP:$path" /mnt/g; then
		grep " /mnt/g " /proc/mounts
		check "kernel client NFSv$vers: mounted with proto=rdma" grep -q " /mnt/g $fstype .*proto=rdma" /proc/mounts
		workload /mnt/g "kernel client NFSv$vers"
		check "kernel client NFSv$vers: unmount" umount /mnt/g
	else
		bad "kernel client NFSv$vers: mount -o proto=rdma of our Ganesha"
	fi
done
check "kernel client: remount and find the data gone as removed" bash -c \
	"mount -t nfs -o vers=4.1,proto=rdma,port=20049 $IP:/export /mnt/g && test -z \"\$(ls /mnt/g)\" && umount /mnt/g"

url=nfs://$IP:20049/export
cli() { "$NFS41" --transport rdma --fabric verbs -q "$@"; }
check "nfs41 over verbs -> Ganesha: put" cli put "$work/src.bin" "$url/from-nfs41.bin"
check "nfs41 over verbs -> Ganesha: get" cli get "$url/from-nfs41.bin" "$work/back.bin"
check "nfs41 over verbs -> Ganesha: same data" cmp "$work/src.bin" "$work/back.bin"
"$NFS41" --transport rdma --fabric verbs bench "$url" --mode read --streams 4 --io-size 1M --duration 3 --file-size 32M | tee "$OUT/nfs41-ganesha-$IBDEV.txt"
sleep 1.5
echo "--- Ganesha transport counters"; cat "$work/rdma-stats" | tee "$OUT/ganesha-rdma-stats-$IBDEV.txt"
ganesha_stop

# The Linux kernel server with an RDMA listener on 20050.
knfsd_start "$work/kexport" 20050 || bad "Linux nfsd with an RDMA listener"
kurl=nfs://$IP:20050$work/kexport
check "nfs41 over verbs -> Linux nfsd: put" cli put "$work/src.bin" "$kurl/k.bin"
check "nfs41 over verbs -> Linux nfsd: server copy" cmp "$work/src.bin" "$work/kexport/k.bin"
check "nfs41 over verbs -> Linux nfsd: get" cli get "$kurl/k.bin" "$work/kback.bin"
check "nfs41 over verbs -> Linux nfsd: same data" cmp "$work/src.bin" "$work/kback.bin"
check "nfs41 over verbs -> Linux nfsd: ls" bash -c "'$NFS41' --transport rdma --fabric verbs ls '$kurl' | grep -qx k.bin"
knfsd_stop
echo "$passed passed, $failed failed"
[ $failed = 0 ]

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Benchmark in the vm tier's guest (called from guest-tests.list): the Linux
# kernel NFS client over RDMA against Debian's ganesha.nfsd with this
# project's transport, and against the Linux kernel NFS server, on the same
# device in the same run.  It prints figures; it asserts no speed (TCG's
# speed depends on the host's load), only that every step worked.
#
# How this works: one server at a time (both would register with rpcbind
# for NFSv3), each exporting a directory on the guest's disk.  Per server
# and NFS version (4.1, and 3 where Ganesha serves it over RDMA) the kernel
# client mounts with proto=rdma and measures; the servers take turns for
# ROUNDS rounds (NFSB_ROUNDS, default 2) and the best of each figure counts:
#   seq_write   dd bs=1M of <MiB> MiB from /dev/zero, conv=fsync  (MiB/s)
#   seq_read    caches dropped (client and servers share the guest's page
#               cache), dd bs=1M of the file to /dev/null           (MiB/s)
#   create      <FILES> empty files by touch                      (files/s)
# Rows (one per round) go to <out>/nfsbench.<ibdev>.tsv:
#     NFSB <ibdev> <server> <vers> <test> <value> <unit>
# and a table with the ratio ganesha/knfsd is printed (compare.sh prints it
# again on the host).  For reference the same Ganesha is also measured with
# the kernel client over TCP (server "ganesha_tcp", NFSv4.1): it tells
# what is Ganesha's own cost and what is the transport's.
# Usage: nfs_bench.sh <ibdev> <ip> <build dir> <out dir> [MiB] [files]
# Exit 0 every figure measured; 1 a step failed; 77 a prerequisite is
# absent from the guest (ganesha.nfsd, the kernel's rpcrdma module).
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MB=${5:-128} FILES=${6:-500}
ROUNDS=${NFSB_ROUNDS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
work=/var/tmp/nfs-bench-$IBDEV
tsv=$OUT/nfsbench.$IBDEV.tsv
KPORT=20050
failed=0

command -v ganesha.nfsd >/dev/null || { echo "ganesha.nfsd is not installed in the guest"; exit 77; }
modinfo rpcrdma >/dev/null 2>&1 || { echo "the guest kernel has no rpcrdma module"; exit 77; }
for f in "$BUILD/src/xprt_rdma/ganesha/libganesha_rdma_preload.so" "$BUILD/src/xprt_rdma/ganesha/libganesha_rdma.so"; do
	[ -e "$f" ] || { echo "FAIL: not built: $f"; exit 1; }
done
ulimit -l unlimited
rm -rf "$work"
mkdir -p "$work" /mnt/b
: >"$tsv"
trap 'cp -f "$work/g/ganesha.log" "$OUT/ganesha-bench-$IBDEV.log" 2>/dev/null' EXIT

now() { date +%s.%N; }
# (mawk, the guest's awk, reads "print x > y" as a redirection: assign first.)
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; r = 0; if (d > 0) r = n / d; printf "%.1f\n", r }'; }
row() { # server vers test value unit
	echo "NFSB $IBDEV $*" | tee -a "$tsv"
}

# measure <server> <vers> <mountpoint>: each test once, a row each.
measure() {
	local srv=$1 vers=$2 m=$3 t0 t1 v
	rm -f "$m/bench.bin"
	sync
	t0=$(now)
	dd if=/dev/zero of="$m/bench.bin" bs=1M count="$MB" conv=fsync status=none ||
		{ echo "FAIL: $srv NFSv$vers: write"; return 1; }
	t1=$(now)
	row "$srv" "$vers" seq_write "$(rate "$MB" "$t0" "$t1")" MiB/s
	echo 3 >/proc/sys/vm/drop_caches
	t0=$(now)
	dd if="$m/bench.bin" of=/dev/null bs=1M status=none ||
		{ echo "FAIL: $srv NFSv$vers: read"; return 1; }
	t1=$(now)
	row "$srv" "$vers" seq_read "$(rate "$MB" "$t0" "$t1")" MiB/s
	[ "$(stat -c %s "$m/bench.bin")" = $((MB * 1048576)) ] ||
		{ echo "FAIL: $srv NFSv$vers: file size after write"; return 1; }
	rm -rf "$m/c"
	mkdir "$m/c" || { echo "FAIL: $srv NFSv$vers: mkdir"; return 1; }
	t0=$(now)
	(cd "$m/c" && seq -f 'f%05g' 1 "$FILES" | xargs touch) ||
		{ echo "FAIL: $srv NFSv$vers: create"; return 1; }
	t1=$(now)
	v=$(ls "$m/c" | wc -l)
	[ "$v" = "$FILES" ] || { echo "FAIL: $srv NFSv$vers: $v of $FILES files"; return 1; }
	row "$srv" "$vers" create "$(rate "$FILES" "$t0" "$t1")" files/s
	rm -rf "$m/c" "$m/bench.bin"
}

# run <server> <vers> <mount options> <export>: mount, measure, unmount.
run() {
	local srv=$1 vers=$2 opts=$3 exp=$4 proto=rdma
	[ "${opts#*proto=tcp}" != "$opts" ] && proto=tcp
	if ! mount -t nfs -o "$opts" "$IP:$exp" /mnt/b; then
		echo "FAIL: $srv NFSv$vers: mount -o $opts"
		failed=$((failed + 1))
		return
	fi
	grep -q " /mnt/b nfs.*proto=$proto" /proc/mounts ||
		{ echo "FAIL: $srv NFSv$vers: not mounted over $proto"; failed=$((failed + 1)); }
	nfsstat -c -l >"$work/calls.before" 2>/dev/null
	measure "$srv" "$vers" /mnt/b || failed=$((failed + 1))
	# What the client sent, the state manager's calls included (they go
	# through the client's own RPC client, so mountstats leaves them out):
	# they explain figures that differ between NFS versions.
	nfsstat -c -l >"$work/calls.after" 2>/dev/null
	awk -v who="$srv NFSv$vers round $round calls:" '
	$1 == "nfs" && $2 ~ /^v/ {
		k = $2 " " $(NF - 1)
		if (FNR == NR) { b[k] = $NF; next }
		d = $NF - b[k]
		if (d > 0 && $(NF - 1) ~ /^(open|close|create|setattr|sequence|bind_conn_to_ses|write|read):$/)
			out = out " " $2 ":" $(NF - 1) d
	}
	END { print who out }' "$work/calls.before" "$work/calls.after"
	sed -n '\, /mnt/b with ,,/^device /{\, /mnt/b with ,p;/^device /!p}' \
		/proc/self/mountstats >"$OUT/mountstats-$srv-$vers-$IBDEV.r$round.txt"
	umount /mnt/b || { echo "FAIL: $srv NFSv$vers: umount"; failed=$((failed + 1)); }
}

echo "--- kernel client over RDMA ($IBDEV): $MB MiB sequential, $FILES creates, best of $ROUNDS rounds"
# NFSv3 too unless NFSB_V3=0.
v3=${NFSB_V3:-1}
protos=4
[ "$v3" = 1 ] && protos="3, 4"
# The servers take turns each round, so a change in the host's load
# (which sets TCG's speed) hits both alike.
for round in $(seq 1 "$ROUNDS"); do
	if ganesha_start "$work/g" "$IP" "$BUILD" "$protos"; then
		run ganesha 4.1 vers=4.1,proto=rdma,port=20049 /export
		[ "$v3" = 1 ] && run ganesha 3 \
			vers=3,proto=rdma,port=20049,mountproto=tcp,mountport=$GANESHA_MNT_PORT,nolock \
			"$work/g/export"
		run ganesha_tcp 4.1 vers=4.1,proto=tcp,port=2049 /export
		cp -f "$work/g/rdma-stats" "$OUT/ganesha-bench-rdma-stats-$IBDEV.txt" 2>/dev/null
		ganesha_stop
	else
		echo "FAIL: Ganesha's RDMA listener did not start"
		failed=$((failed + 1))
	fi
	if knfsd_start "$work/k" $KPORT; then
		run knfsd 4.1 vers=4.1,proto=rdma,port=$KPORT "$work/k"
		[ "$v3" = 1 ] && run knfsd 3 \
			vers=3,proto=rdma,port=$KPORT,mountproto=tcp,mountport=$KNFSD_MNT_PORT,nolock \
			"$work/k"
		knfsd_stop
	else
		echo "FAIL: the kernel NFS server's RDMA listener did not start"
		failed=$((failed + 1))
	fi
done

echo "--- $IBDEV: ganesha (this transport) vs knfsd, kernel client, same run"
awk '
$1 == "NFSB" { key = $5 " NFSv" $4; u[key] = $7
	if (!(($3, key) in v) || $6 + 0 > v[$3, key] + 0) v[$3, key] = $6
	if (!(key in seen)) { seen[key] = 1; order[n++] = key } }
END {
	printf "%-18s %10s %10s %7s %-8s %s\n", "test", "ganesha", "knfsd",
	       "ratio", "unit", "ganesha over tcp"
	for (i = 0; i < n; i++) {
		k = order[i]; g = v["ganesha", k]; kn = v["knfsd", k]
		t = v["ganesha_tcp", k]
		printf "%-18s %10s %10s %7s %-8s %s\n", k, g == "" ? "-" : g,
		       kn == "" ? "-" : kn,
		       (g != "" && kn > 0) ? sprintf("%.2f", g / kn) : "-", u[k],
		       t == "" ? "-" : t
	}
}' "$tsv"
[ $failed = 0 ] && { echo "nfs bench: every figure measured ($MB MiB, $FILES files, $IBDEV)"; exit 0; }
echo "nfs bench: $failed step(s) failed"
exit 1

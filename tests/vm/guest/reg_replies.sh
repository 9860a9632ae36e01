#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Registrations per reply on verbs for the two server replies that used to
# register their memory one by one (issue 14): Ganesha 4.3's NFSv3 READ
# (its buffer comes from the READ arena when the transport armed the
# worker with the call's count) and replies sent through a Reply chunk
# (their encode buffer comes from the reply pool).  The Linux kernel client
# mounts our Ganesha with vers=3,proto=rdma:
#   READ3:   two files of different random bytes read in turn with
#            O_DIRECT, caches dropped between rounds, each compared with
#            its source - READ buffers are freed and handed out again
#            between I/Os, so a stale byte shows as a difference;
#   READDIR: two directories of N entries with long names, different in
#            each, listed in turn after the caches were dropped
#            (READDIRPLUS replies larger than the inline size go through
#            the Reply chunk), each listing compared with the server's own:
#            encode buffers are reused between the two, so a stale byte
#            shows as a name of the other directory or a broken reply.
#            (Not renamed behind Ganesha's back: its dirent cache would
#            answer the old names for a while.)
#   The files are MiB + 4097 and MiB + 65535 bytes long: each one's last
#   READ is unaligned (4097 and 65535 bytes), which Ganesha 6.5 hands over
#   with its last 1 or 3 bytes in a separate malloc'd buffer - the engine
#   copies those into the reply's send buffer (tails), no registration.
# For each: RPCs (replies by Write chunk / by Reply chunk), registrations
# and registrations per such reply, from the NFS_RDMA stats file.
# Usage: reg_replies.sh <ibdev> <ip> <build dir> <out dir> [zero|figures]
#        [MiB per file] [entries] [rsize]
#   zero: fail unless every READ3 and Reply chunk reply needed 0
#   registrations (and the data matched); figures: print, fail only when
#   the data differs.  GANESHA_RDMA_READ_ARENA=0 GANESHA_RDMA_REPLY_POOL=0
#   in the environment give the server as it was before both (the "before"
#   of bench/per-rpc.md).
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MODE=${5:-zero} MB=${6:-2} N=${7:-600}
RS=${8:-65536}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
work=/var/tmp/reg-replies-$IBDEV
m=/mnt/rr
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
ulimit -l unlimited

rm -rf "$work"; mkdir -p "$work" "$m"
finish() {
	umount "$m" 2>/dev/null
	cp -f "$work/ganesha.log" "$OUT/reg-replies-ganesha-$IBDEV.log" 2>/dev/null
	ganesha_stop
}
trap finish EXIT
ganesha_start "$work" "$IP" "$BUILD" "3, 4" ||
	{ echo "FAIL: Ganesha's RDMA listener did not start"; exit 1; }
grep -hE 'NFS_RDMA: (READ arena|reply pool|no )' "$work/ganesha.log"
stats=$work/rdma-stats
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
snap() { # name: the counters now, after the stats file was rewritten
	sleep 1.5
	for k in registrations calls_received write_chunk_replies \
		reply_chunk_replies reg_area_hits reg_small_copies; do
		eval "$1_$k=$(counter $k)"
	done
}
row() { # case before after kind: one line of figures, sets $regs
	local c=$1 b=$2 a=$3 k=$4 rpcs kreps
	eval "rpcs=\$((${a}_calls_received - ${b}_calls_received))"
	eval "kreps=\$((${a}_$k - ${b}_$k))"
	eval "regs=\$((${a}_registrations - ${b}_registrations))"
	eval "hits=\$((${a}_reg_area_hits - ${b}_reg_area_hits))"
	eval "tails=\$((${a}_reg_small_copies - ${b}_reg_small_copies))"
	awk -v c="$c" -v r="$rpcs" -v k="$kreps" -v g="$regs" -v h="$hits" \
		-v t="$tails" -v d="$IBDEV" \
		'BEGIN { printf "%-4s %-8s %6d %8d %6d %8.3f %9d %6d\n",
		d, c, r, k, g, k ? g / k : 0, h, t }'
	kinds=$kreps
}

head -c $((MB * 1024 * 1024 + 4097)) /dev/urandom >"$work/export/a.bin"
head -c $((MB * 1024 * 1024 + 65535)) /dev/urandom >"$work/export/b.bin"
name=$(printf 'n%0200d' 0)
for d in d1 d2; do
	mkdir "$work/export/$d"
	(cd "$work/export/$d" && for i in $(seq 1 "$N"); do : >"$d-${name:0:180}-$i"; done)
done

if ! mount -t nfs -o vers=3,proto=rdma,port=20049,rsize=$RS,mountproto=tcp,mountport=$GANESHA_MNT_PORT,nolock \
	"$IP:$work/export" "$m"; then
	echo "FAIL: mount -o vers=3,proto=rdma of our Ganesha"
	exit 1
fi
echo "$MODE: NFSv3 over $IBDEV, $MB MiB files read with rsize $RS, $N entries"
printf '%-4s %-8s %6s %8s %6s %8s %9s %6s\n' dev case rpcs replies regs regs/rep area-hits tails

# READ3: a, b, a, b with O_DIRECT; every copy must be its own file's.
sleep 2
snap r0
wrong=0
for f in a b a b; do
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$m/$f.bin" of="$work/$f.back" bs=$RS iflag=direct status=none ||
		wrong=$((wrong + 1))
	cmp -s "$work/export/$f.bin" "$work/$f.back" || wrong=$((wrong + 1))
done
snap r1
row READ3 r0 r1 write_chunk_replies
read_regs=$regs read_reps=$kinds read_tails=$tails
check "READ3: every copy has its own file's bytes ($wrong wrong)" test "$wrong" = 0
check "READ3: the data came by Write chunk ($read_reps replies)" test "$read_reps" -gt 0
# Ganesha 6 hands each file's last READ with a separate tail: 4 at least.
if [ "$MODE" = zero ] && [ "$(gr_ganesha_major)" -ge 6 ]; then
	check "READ3: unaligned tails copied, not registered ($read_tails)" test "$read_tails" -ge 4
fi

# READDIR through the Reply chunk: d1, d2, d1, d2.
snap d0
wrong=0
for d in d1 d2 d1 d2; do
	echo 3 >/proc/sys/vm/drop_caches
	ls -f "$m/$d" | grep -v '^\.\.\?$' | sort >"$work/ls.client"
	ls -f "$work/export/$d" | grep -v '^\.\.\?$' | sort >"$work/ls.server"
	if ! cmp -s "$work/ls.client" "$work/ls.server" ||
		[ "$(wc -l <"$work/ls.client")" != "$N" ]; then
		wrong=$((wrong + 1))
		diff "$work/ls.server" "$work/ls.client" | head -5
	fi
done
snap d1
row READDIR d0 d1 reply_chunk_replies
dir_regs=$regs dir_reps=$kinds
check "READDIR: both listings equal the server's ($wrong wrong)" test "$wrong" = 0
check "READDIR: replies through the Reply chunk ($dir_reps)" test "$dir_reps" -gt 0

if [ "$MODE" = zero ]; then
	check "READ3: 0 registrations in $read_reps replies (got $read_regs)" test "$read_regs" = 0
	check "READDIR: 0 registrations in $dir_reps Reply chunk replies (got $dir_regs)" test "$dir_regs" = 0
fi
cat "$stats" >"$OUT/reg-replies-stats-$IBDEV-$MODE.txt"
grep -E '^(read_arena|reply_pool)' "$stats"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# NFS over RDMA end to end on one host: Debian's ganesha.nfsd with this
# project's transport (LD_PRELOAD + an NFS_RDMA block, fabric ofi over
# loopback) serving a VFS export, and this project's nfs41 client speaking
# NFSv4.1 to it over RPC-over-RDMA.  Checks every file operation, 1 MiB
# I/O both ways with checksums, a directory of 10,000 entries (READDIR
# replies through the Reply chunk), many requests in flight, and the
# transport counters: READ data moved by RDMA Write with no userspace copy.
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41_BINARY
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-}
for f in "$preload" "$module" "$nfs41"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

# READ buffers from the READ arena and reply buffers from the reply pool,
# as on verbs (where ofi needs no registration both are only made when
# asked for; the engine still counts what lies in them).
export GANESHA_RDMA_READ_ARENA=1 GANESHA_RDMA_REPLY_POOL=1
dir=$(mktemp -d /tmp/gr-rdma-server.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT
gr_rdma_server_start "$dir" "$preload" "$module"
echo "ok: ganesha.nfsd serves NFS over RDMA on 127.0.0.1:$rport (ofi)"

url=nfs://127.0.0.1:$rport/export
cli() { "$nfs41" --transport rdma --fabric ofi -q "$@"; }
gr_on_fail() {
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
}
check() { gr_check "$@"; }

head -c $((8 * 1024 * 1024 + 4321)) /dev/urandom >"$dir/big"
head -c 1000 /dev/urandom >"$dir/small"
check "mkdir" cli mkdir "$url/d"
check "put 8 MiB (WRITE data by RDMA Read)" cli put "$dir/big" "$url/d/big"
check "put small inline" cli put "$dir/small" "$url/d/small"
check "get 8 MiB (READ data by RDMA Write)" cli get "$url/d/big" "$dir/big.back"
check "8 MiB checksum" cmp "$dir/big" "$dir/big.back"
check "get small" cli get "$url/d/small" "$dir/small.back"
check "small checksum" cmp "$dir/small" "$dir/small.back"
check "server copy equals the source" cmp "$dir/big" "$dir/export/d/big"
check "stat" bash -c "cli() { \"$nfs41\" --transport rdma --fabric ofi -q \"\$@\"; }; cli stat '$url/d/big' | grep -q $((8 * 1024 * 1024 + 4321))"
check "rename" cli rename "$url/d/small" /export/d/small2
check "ls sees the rename" bash -c "'$nfs41' --transport rdma --fabric ofi ls '$url/d' | grep -qx small2"

# 10,000 entries: READDIR replies larger than the inline size.
mkdir -p "$dir/export/many"
(cd "$dir/export/many" && seq -f 'entry-%05g' 1 10000 | xargs touch)
n=$("$nfs41" --transport rdma --fabric ofi ls "$url/many" | wc -l)
check "readdir of 10,000 entries (got $n)" test "$n" = 10000

# Many requests in flight: parallel streams of 1 MiB reads.
check "mkdir for benchmarks" cli mkdir "$url/b"
check "bench: 16 streams of 1 MiB reads and writes" cli bench "$url/b" --mode all --streams 16 --io-size 1M --duration 2 --file-size 8M
# A call longer than the inline size: 23 path components of 160 bytes
# make one COMPOUND of ~4 KiB, sent as RDMA_NOMSG with a Position-Zero
# Read chunk.
deep=$(printf 'component-%0150d/' $(seq 1 23))
deep=${deep%/}
mkdir -p "$dir/export/$deep"
check "stat of a 3.7 KiB path (a long call)" cli stat "$url/$deep"

# A client killed in the middle of a transfer leaves nothing behind and
# the server keeps serving.
"$nfs41" --transport rdma --fabric ofi -q bench "$url/b" --mode read \
	--streams 8 --io-size 1M --duration 20 --file-size 8M &
victim=$!
sleep 2
kill -9 "$victim"
wait "$victim" 2>/dev/null
check "served after a client was killed" cli stat "$url/d/big"
gone() { sleep 1; [ "$(counter connections)" = 0 ] && [ "$(counter xprts_live)" = 0 ]; }
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
check "killed client's connection and xprt released" gr_wait_for 20 gone
check "rm" cli rm "$url/d/small2"
check "rm big" cli rm "$url/d/big"
check "rmdir" cli rm "$url/d"

gr_stats_fresh "$stats"
echo "--- transport counters"; cat "$stats"
check "READ data went by RDMA Write (ddp_payload_bytes > 0)" test "$(counter ddp_payload_bytes)" -gt 0
check "no READ payload byte copied in userspace" test "$(counter payload_bytes_copied)" = 0
check "large replies went through the Reply chunk" test "$(counter reply_chunk_replies)" -gt 0
check "WRITE data came by RDMA Read" test "$(counter rdma_read_bytes)" -gt $((8 * 1024 * 1024))
# Ganesha 4.3 copies WRITE data once out of the landing area (xdr_bytes);
# Ganesha 6 takes it as buffers into the landing area: no copy.
if [ "$(gr_ganesha_major)" -ge 6 ]; then
	check "no WRITE payload byte copied (Ganesha 6)" test "$(counter write_payload_bytes_copied)" = 0
else
	check "WRITE payload copied once (Ganesha 4.3)" test "$(counter write_payload_bytes_copied)" -gt $((8 * 1024 * 1024))
fi
check "the long call went Position-Zero" test "$(counter pos_zero_calls)" -gt 0
check "nothing registered once every client left" test "$(counter registered_bytes)" = 0
# NFSv4 READ buffers come from the READ arena (4.3: posix_memalign(),
# 6.5: malloc() inside fsal_read2()); all given back.
check "READ buffers from the READ arena" test "$(counter read_arena_allocs)" -gt 0
check "every READ arena block given back" test "$(counter read_arena_in_use)" = 0
# Reply buffers (the Reply chunk's source) come from the reply pool and go
# back; every range the server RDMA-Wrote from lay in a connection pool,
# the READ arena or the reply pool: on verbs nothing would have been
# registered per reply (reg_unneeded counts what verbs would register).
check "reply buffers from the reply pool" test "$(counter reply_pool_gets)" -gt 0
check "every reply pool buffer given back" test "$(counter reply_pool_in_use)" = 0
check "READ data and Reply chunks written from registered areas ($(counter reg_area_hits))" test "$(counter reg_area_hits)" -gt 0
# Ganesha 6 hands a READ whose length is not a multiple of 4 with its
# last bytes and the padding in a vector of their own, outside the arena:
# one such READ here (the 8 MiB + 4321 file's last), allowed on 6 only.
# On ofi it is sent unregistered; on verbs the engine copies those bytes
# into the reply's send buffer (reg_small_copies; core.reg_stale_loop).
if [ "$(gr_ganesha_major)" -ge 6 ]; then
	check "at most the unaligned READ tails outside a pool or area (reg_unneeded $(counter reg_unneeded))" test "$(counter reg_unneeded)" -le 2
else
	check "no RDMA Write source outside a pool or area (reg_unneeded $(counter reg_unneeded))" test "$(counter reg_unneeded)" = 0
fi
echo "$gr_passed passed, 0 failed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Memory registrations per RPC (issue 14), server and client, for NFS
# READ and WRITE at 4 KiB, 64 KiB and 1 MiB over RPC-over-RDMA on the ofi
# fabric: Debian's ganesha.nfsd with this transport (bench/
# ganesha_bench_lib.sh) and `nfs41 get` / `nfs41 put` with one stream.
#
# How it counts: the server's `registrations` and `calls_received` from
# the NFS_RDMA stats file before and after each transfer; the client's
# `registrations`, `bounce_hits` (chunks through its bounce pool, no
# registration) and `xprt_calls` from `nfs41 --stats` (JSON on stderr
# when the session ends; it includes the session's own few calls).  Also
# server CPU time (user + system from /proc/PID/stat) per MiB - coarse:
# clock ticks of 10 ms over --mb MiB.  Prints figures, never judges them.
# To compare with another build of the module, run it twice with
# GB_MODULE=/path/to/libganesha_rdma.so (figures are side by side only
# when both runs are on the same machine at the same time).
# Server READ buffers come from the READ arena where the fabric needs
# registrations (verbs); GANESHA_RDMA_READ_ARENA=0 in the environment
# turns it off (the "before" of the arena, side by side in one run), and
# XR_CLNT_BOUNCE=0 the client's bounce pool (the "before" of the pool).
# A last row lists a directory of --entries long names (READDIR replies
# through the Reply chunk): server registrations per Reply chunk reply
# (reply encode buffers come from the reply pool on verbs;
# GANESHA_RDMA_REPLY_POOL=0 turns it off).  NFSv3 READ, which nfs41 does
# not speak, is measured with the kernel client by
# tests/vm/guest/reg_replies.sh.
# Usage: ganesha_reg_per_rpc.sh [--build DIR] [--mb N] [--sizes "4K 64K 1M"]
#        [--entries N]
set -u
. "$(dirname "$0")/ganesha_bench_lib.sh"

build=
mb=16
sizes="4K 64K 1M"
entries=2000
gb_parse_args "[--build DIR] [--mb N] [--sizes LIST] [--entries N]" \
	--build build --mb mb --sizes sizes --entries entries -- "$@"
gb_find_bins "$build"

dir=$(gb_mktemp)
cleanup() {
	gb_stop
	rm -rf "$dir"
}
trap cleanup EXIT
gb_setup "$dir"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$dir/src"

cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$GB_PID/stat"
}
settle() { sleep "${GB_SETTLE:-2}"; } # the stats file is rewritten every second
json() { # key file: one number from nfs41's JSON stats line
	grep -o "\"$1\":[0-9]*" "$2" | tail -n 1 | cut -d: -f2
}

gb_start "$dir"
echo "ganesha.nfsd pid $GB_PID, module $GB_MODULE; RDMA ($GB_FABRIC) $GB_ADDR:$GB_RPORT; $mb MiB per transfer, 1 stream; READ arena ${GANESHA_RDMA_READ_ARENA:-where needed}"
printf '%-6s %-6s %8s %12s %12s %12s %13s %12s\n' op io-size rpcs server/rpc arena-hit/rpc client/rpc c-bounce/rpc cpu-ms/MiB
for size in ${sizes//,/ }; do
	for op in put get; do
		settle
		r0=$(gb_counter registrations)
		a0=$(gb_counter reg_area_hits)
		n0=$(gb_counter calls_received)
		c0=$(cpu_s)
		if [ "$op" = put ]; then
			gb_cli rdma -q --stats --streams 1 --io-size "$size" --timeout 120000 \
				put "$dir/src" "$(gb_url rdma "/f-$size")" 2>"$dir/cstats" ||
				gr_fail "nfs41 put ($size) failed"
		else
			gb_cli rdma -q --stats --streams 1 --io-size "$size" --timeout 120000 \
				get "$(gb_url rdma "/f-$size")" "$dir/back" 2>"$dir/cstats" ||
				gr_fail "nfs41 get ($size) failed"
			cmp -s "$dir/src" "$dir/back" || gr_fail "get ($size): data differs"
		fi
		c1=$(cpu_s)
		settle
		r1=$(gb_counter registrations)
		a1=$(gb_counter reg_area_hits)
		n1=$(gb_counter calls_received)
		creg=$(json registrations "$dir/cstats")
		ccalls=$(json xprt_calls "$dir/cstats")
		cbounce=$(json bounce_hits "$dir/cstats")
		awk -v op="$([ "$op" = put ] && echo WRITE || echo READ)" -v s="$size" \
			-v dr=$((r1 - r0)) -v dn=$((n1 - n0)) -v da=$((${a1:-0} - ${a0:-0})) -v cr="${creg:-0}" \
			-v cn="${ccalls:-0}" -v cb="${cbounce:-0}" -v c0="$c0" -v c1="$c1" -v mb="$mb" 'BEGIN {
			printf "%-6s %-6s %8d %12.3f %12.3f %12.3f %13.3f %12.2f\n", op, s, dn,
				dn ? dr / dn : 0, dn ? da / dn : 0, cn ? cr / cn : 0, cn ? cb / cn : 0,
				(c1 - c0) * 1000 / mb }'
	done
done

# READDIR through the Reply chunk: per Reply chunk reply, not per RPC.
mkdir -p "$dir/export/dir"
long=$(printf 'n%0180d' 0)
(cd "$dir/export/dir" && for i in $(seq 1 "$entries"); do : >"$long-$i"; done)
settle
r0=$(gb_counter registrations)
a0=$(gb_counter reg_area_hits)
k0=$(gb_counter reply_chunk_replies)
n0=$(gb_counter calls_received)
got=$(gb_cli rdma ls "$(gb_url rdma /dir)" | wc -l)
[ "$got" = "$entries" ] || gr_fail "ls: $got entries, want $entries"
settle
r1=$(gb_counter registrations)
a1=$(gb_counter reg_area_hits)
k1=$(gb_counter reply_chunk_replies)
n1=$(gb_counter calls_received)
# nfs41 opens a connection of its own: its pools are registered once
# (2 on verbs, counted in dr); the rest is per reply.
awk -v dr=$((r1 - r0)) -v da=$((${a1:-0} - ${a0:-0})) -v dk=$((k1 - k0)) \
	-v dn=$((n1 - n0)) -v e="$entries" 'BEGIN {
	printf "%-6s %-6s %8d %12s %12s  %d registrations (the connection pools included) in %d Reply chunk replies, %d area hits\n",
		"RDDIR", e, dn, "-", "-", dr, dk, da }'

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# What one MiB of NFS READ and WRITE costs Debian's ganesha.nfsd, over
# RPC-over-RDMA (this project's transport, fabric ofi) and over TCP, from
# one daemon serving one export (FSAL_VFS on tmpfs) on both at once:
#
# 1. Userspace payload copies per payload byte, from the NFS_RDMA stats
#    file (RDMA side only; Ganesha's TCP path has no such counters):
#      READ  payload_bytes_copied / (ddp_payload_bytes + payload_bytes_copied)
#            target 0: READ data is RDMA-written from Ganesha's buffer;
#      WRITE write_payload_bytes_copied / rdma_read_bytes
#            target <= 1: Ganesha's own xdr_bytes decode copies the data
#            out of the RDMA Read landing area once.
# 2. Server CPU time (user + system, from /proc/PID/stat, so the kernel's
#    socket work is included) per MiB, natively, median of 3 transfers.
# 3. Server userspace instructions per MiB, with the daemon under
#    valgrind --tool=callgrind (this host's perf has no hardware counters:
#    `perf stat -e instructions` says <not supported>).  Instrumentation is
#    off during start-up; for each measurement the counters are zeroed,
#    the transfer runs, and a dump is taken.  From every transfer we take
#    away a session-only run (`nfs41 stat`: EXCHANGE_ID ... DESTROY_CLIENTID
#    and one GETATTR) on the same transport and the idle rate (a dump after
#    sleeping with no client) times the difference in wall time.
#    Callgrind sees userspace only: with the ofi fabric the RDMA side's
#    data still crosses the kernel's TCP stack, which no column here
#    charges to either side except the CPU-time one.
#
# Every transfer is `nfs41 get` / `nfs41 put` of one file with one stream
# and 1 MiB I/O: --mb MiB (256) natively, --cg-mb MiB (64) under callgrind.
# Prints figures, never judges them.
# Usage: ganesha_cpu_per_mib.sh [--build DIR] [--mb N] [--cg-mb N] [--no-callgrind]
#            [--smoke] [--keep]
set -u
. "$(dirname "$0")/ganesha_bench_lib.sh"

build=
mb=256
cg_mb=64
callgrind=1
keep=0
gb_parse_args "[--build DIR] [--mb N] [--cg-mb N] [--no-callgrind] [--smoke] [--keep]" \
	--build build --mb mb --cg-mb cg_mb --no-callgrind! callgrind=0 \
	--smoke! 'mb=16; cg_mb=4' --keep! keep=1 -- "$@"
gb_find_bins "$build"
if [ "$callgrind" = 1 ] && ! command -v callgrind_control >/dev/null; then
	echo "valgrind (callgrind_control) not installed: instruction counts skipped"
	callgrind=0
fi

dir=$(gb_mktemp)
cleanup() {
	gb_stop
	if [ "$keep" = 1 ]; then echo "kept: $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
gb_setup "$dir"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$dir/src"
head -c $((cg_mb * 1024 * 1024)) /dev/urandom >"$dir/cg-src"

now() { date +%s.%N; }
# Server CPU seconds so far (utime + stime of the whole process, exited
# threads included: ntirpc's pools start and end threads, so a sum over
# live threads can go backwards).  Clock ticks of 10 ms: transfers of
# 256 MiB keep that under a few percent.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$GB_PID/stat"
}
xfer() { # transport get|put|stat file
	local t=$1 op=$2 f=$3
	case $op in
	put) gb_cli "$t" -q --streams 1 --io-size 1M --timeout 120000 \
		put "$dir/$f" "$(gb_url "$t" "/$t-$f")" ;;
	get) gb_cli "$t" -q --streams 1 --io-size 1M --timeout 120000 \
		get "$(gb_url "$t" "/$t-$f")" "$dir/back" &&
		cmp -s "$dir/$f" "$dir/back" ;;
	stat) gb_cli "$t" -q --timeout 120000 stat "$(gb_url "$t" "/$t-$f")" >/dev/null ;;
	esac || gr_fail "nfs41 $op over $t failed"
}
settle() { sleep "${GB_SETTLE:-2}"; } # the stats file is rewritten every second

# ---- native: copies and CPU time -------------------------------------------
gb_start "$dir"
echo "ganesha.nfsd pid $GB_PID: TCP $GB_ADDR:$GB_PORT, RDMA ($GB_FABRIC) $GB_ADDR:$GB_RPORT; $mb MiB per transfer"
declare -A cpu
med3() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
w_pulled=0 w_copied=0 r_ddp=0 r_copied=0
for t in tcp rdma; do
	xfer "$t" put src # warm: the file exists for the first get
	for op in put get; do
		runs=()
		for rep in 1 2 3; do
			settle
			c0=$(cpu_s)
			rc=$(gb_counter rdma_read_bytes); wc=$(gb_counter write_payload_bytes_copied)
			dd=$(gb_counter ddp_payload_bytes); pc=$(gb_counter payload_bytes_copied)
			xfer "$t" "$op" src
			c1=$(cpu_s)
			runs+=("$(awk -v a="$c0" -v b="$c1" -v m="$mb" 'BEGIN { printf "%.3f", (b - a) * 1000 / m }')")
			[ "$t" = rdma ] || continue
			settle
			if [ "$op" = put ]; then
				w_pulled=$((w_pulled + $(gb_counter rdma_read_bytes) - rc))
				w_copied=$((w_copied + $(gb_counter write_payload_bytes_copied) - wc))
			else
				r_ddp=$((r_ddp + $(gb_counter ddp_payload_bytes) - dd))
				r_copied=$((r_copied + $(gb_counter payload_bytes_copied) - pc))
			fi
		done
		cpu[$t.$op]=$(med3 "${runs[@]}")
		echo "  $t $op: server CPU ms/MiB ${runs[*]}"
	done
done
gb_stop

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
echo
echo "userspace payload copies on the server per payload byte (RDMA, from the stats file):"
printf '  READ  %s  (%s bytes copied, %s bytes RDMA-written from Ganesha'"'"'s buffers; target 0)\n' \
	"$(ratio "$r_copied" $((r_ddp + r_copied)))" "$r_copied" "$r_ddp"
printf '  WRITE %s  (%s bytes copied out of %s bytes pulled by RDMA Read; target <= 1)\n' \
	"$(ratio "$w_copied" "$w_pulled")" "$w_copied" "$w_pulled"
echo
echo "server CPU time (user + system) per MiB, ms, median of 3:"
printf '  %-6s %8s %8s %9s\n' op tcp rdma rdma/tcp
printf '  %-6s %8s %8s %9s\n' READ "${cpu[tcp.get]}" "${cpu[rdma.get]}" "$(ratio "${cpu[rdma.get]}" "${cpu[tcp.get]}")"
printf '  %-6s %8s %8s %9s\n' WRITE "${cpu[tcp.put]}" "${cpu[rdma.put]}" "$(ratio "${cpu[rdma.put]}" "${cpu[tcp.put]}")"

[ "$callgrind" = 1 ] || exit 0

# ---- callgrind: userspace instructions -------------------------------------
rm -f "$dir/ganesha.log" "$GB_STATS"
GB_START_SECS=${GB_CG_START_SECS:-300} gb_start "$dir" \
	valgrind --tool=callgrind --instr-atstart=no \
	--callgrind-out-file="$dir/cg.out" --log-file="$dir/valgrind.log"
echo
echo "ganesha.nfsd under callgrind (pid $GB_PID); $cg_mb MiB per transfer"
callgrind_control -i on "$GB_PID" >/dev/null 2>&1 || gr_fail "callgrind_control -i on"

# Zero, run "$@", dump; prints "instructions wall_seconds".
measure() {
	local before after t0 t1 f ir
	callgrind_control -z "$GB_PID" >/dev/null 2>&1 || gr_fail "callgrind_control -z"
	before=$(ls "$dir"/cg.out* 2>/dev/null | wc -l)
	t0=$(now)
	"$@"
	t1=$(now)
	callgrind_control --dump "$GB_PID" >/dev/null 2>&1 || gr_fail "callgrind_control --dump"
	gr_wait_for 60 test "$(ls "$dir"/cg.out* 2>/dev/null | wc -l)" -gt "$before" ||
		gr_fail "no callgrind dump appeared"
	f=$(ls -t "$dir"/cg.out* | head -1)
	sleep 0.5 # the dump is written in one go, but give it the time
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
	[ -n "$ir" ] || gr_fail "no totals in $f"
	echo "$ir $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}

read -r idle_ir idle_s < <(measure sleep 5)
declare -A ir
for t in tcp rdma; do
	xfer "$t" put cg-src # the file to read back, and everything warm
	read -r base_ir base_s < <(measure xfer "$t" stat cg-src)
	for op in put get; do
		read -r op_ir op_s < <(measure xfer "$t" "$op" cg-src)
		ir[$t.$op]=$(awk -v o="$op_ir" -v os="$op_s" -v b="$base_ir" -v bs="$base_s" \
			-v i="$idle_ir" -v is="$idle_s" -v m="$cg_mb" \
			'BEGIN { net = o - b - i / is * (os - bs); printf "%.0f", net / m }')
		echo "  $t $op: $op_ir instructions in $op_s s (session-only run $base_ir in $base_s s)"
	done
done
echo "  idle: $idle_ir instructions in $idle_s s"
echo
echo "server userspace instructions per MiB (callgrind):"
printf '  %-6s %12s %12s %9s\n' op tcp rdma rdma/tcp
printf '  %-6s %12s %12s %9s\n' READ "${ir[tcp.get]}" "${ir[rdma.get]}" "$(ratio "${ir[rdma.get]}" "${ir[tcp.get]}")"
printf '  %-6s %12s %12s %9s\n' WRITE "${ir[tcp.put]}" "${ir[rdma.put]}" "$(ratio "${ir[rdma.put]}" "${ir[tcp.put]}")"

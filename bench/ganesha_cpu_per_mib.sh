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
#
# --regs-ab N instead: CPU per MiB before and after issue 14's
# registration change, RDMA only, server and client, side by side in one
# run.  "before" is the daemon started with GANESHA_RDMA_READ_ARENA=0
# GANESHA_RDMA_REPLY_POOL=0 (READ buffers and Reply chunk sources
# registered per reply, as before the arena and the pool) and nfs41 run
# with XR_CLNT_BOUNCE=0 (the client's chunks registered per call);
# "after" is the default of both.  N rounds, each starting a daemon for
# each mode in turn (before-after, then after-before, so drift over the
# run falls on both alike), and per daemon a put then a get of --mb MiB
# at each of --io-sizes (1M).  Server CPU: utime + stime of the daemon
# from /proc/PID/stat; client CPU: nfs41's user + system time (the
# shell's `times` for its children, taken around the transfer alone).
# Prints per op, size and side the median over the rounds with the
# spread (min-max) in ms of CPU per MiB moved, and the after/before
# ratio of the medians; also registrations per RPC of each mode, so the
# two modes are seen to differ.  Meant for verbs (GB_FABRIC=verbs in the
# VM, bench/per-rpc.md); on ofi neither side registers per I/O anyway.
# Prints figures, never judges them.
# Usage: ganesha_cpu_per_mib.sh [--build DIR] [--mb N] [--cg-mb N] [--no-callgrind]
#            [--smoke] [--keep] [--regs-ab ROUNDS [--io-sizes 64K,1M]]
set -u
. "$(dirname "$0")/ganesha_bench_lib.sh"

build=
mb=256
cg_mb=64
callgrind=1
keep=0
ab_rounds=0
io_sizes=1M
gb_parse_args "[--build DIR] [--mb N] [--cg-mb N] [--no-callgrind] [--smoke] [--keep] [--regs-ab ROUNDS [--io-sizes LIST]]" \
	--build build --mb mb --cg-mb cg_mb --no-callgrind! callgrind=0 \
	--smoke! 'mb=16; cg_mb=4' --keep! keep=1 --regs-ab ab_rounds \
	--io-sizes io_sizes -- "$@"
[[ $ab_rounds =~ ^[0-9]+$ ]] || gr_fail "--regs-ab wants a number of rounds"
[[ ${io_sizes//,/ } =~ ^[0-9]+[KM]?( [0-9]+[KM]?)*$ ]] ||
	gr_fail "--io-sizes wants sizes like 64K,1M"
[ "$ab_rounds" -gt 0 ] && { callgrind=0; cg_mb=0; }
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

# ---- --regs-ab: before and after the registration change -----------------
# The shell's children's CPU seconds (user + system) in a file written by
# the `times` builtin - called in this shell, never in $(...), where a
# subshell would report its own children.
child_cpu_s() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { f = $i; sub(/s$/, "", f)
		split(f, a, "m"); t += a[1] * 60 + a[2] } printf "%.3f", t }' "$1"
}
ab_run() { # mode round: one daemon, put + get at each size; appends to $dir/ab
	local mode=$1 round=$2 size op c0 c1 k0 k1 w0 w1 creg ccalls r0 n0 r1 n1
	local -a wrap=() cenv=()
	if [ "$mode" = before ]; then
		wrap=(env GANESHA_RDMA_READ_ARENA=0 GANESHA_RDMA_REPLY_POOL=0)
		cenv=(XR_CLNT_BOUNCE=0)
	fi
	rm -f "$dir/ganesha.log" "$GB_STATS"
	gb_start "$dir" "${wrap[@]}"
	settle
	r0=$(gb_counter registrations) n0=$(gb_counter calls_received)
	for size in ${io_sizes//,/ }; do
		for op in put get; do
			c0=$(cpu_s) w0=$(now)
			times >"$dir/times0"
			if [ "$op" = put ]; then
				env "${cenv[@]}" "$GB_NFS41" --transport rdma --fabric "$GB_FABRIC" \
					-q --stats --streams 1 --io-size "$size" --timeout 120000 \
					put "$dir/src" "$(gb_url rdma "/ab-$size")" 2>"$dir/cstats"
			else
				env "${cenv[@]}" "$GB_NFS41" --transport rdma --fabric "$GB_FABRIC" \
					-q --stats --streams 1 --io-size "$size" --timeout 120000 \
					get "$(gb_url rdma "/ab-$size")" "$dir/back" 2>"$dir/cstats"
			fi || gr_fail "nfs41 $op ($size, $mode) failed"
			times >"$dir/times1"
			c1=$(cpu_s) w1=$(now)
			k0=$(child_cpu_s "$dir/times0") k1=$(child_cpu_s "$dir/times1")
			[ "$op" = put ] || cmp -s "$dir/src" "$dir/back" ||
				gr_fail "get ($size, $mode): data differs"
			creg=$(grep -o '"registrations":[0-9]*' "$dir/cstats" | tail -n 1 | cut -d: -f2)
			ccalls=$(grep -o '"xprt_calls":[0-9]*' "$dir/cstats" | tail -n 1 | cut -d: -f2)
			awk -v m="$mode" -v o="$op" -v s="$size" -v mb="$mb" -v c0="$c0" -v c1="$c1" \
				-v k0="$k0" -v k1="$k1" -v w0="$w0" -v w1="$w1" \
				-v cr="${creg:-0}" -v cn="${ccalls:-0}" -v r="$round" 'BEGIN {
				printf "%s %s %s %.3f %.3f %.2f %.4f %d\n", m, o, s,
					(c1 - c0) * 1000 / mb, (k1 - k0) * 1000 / mb,
					mb / (w1 - w0), cn ? cr / cn : 0, r }' >>"$dir/ab"
			tail -n 1 "$dir/ab" | awk '{ printf "  %-6s %-3s %-4s server %8.2f client %8.2f ms/MiB, %6.2f MiB/s, client regs/RPC %.4f\n", $1, $2, $3, $4, $5, $6, $7 }'
		done
	done
	settle
	r1=$(gb_counter registrations) n1=$(gb_counter calls_received)
	echo "$mode $((r1 - r0)) $((n1 - n0))" >>"$dir/ab-regs"
	gb_stop
}
if [ "$ab_rounds" -gt 0 ]; then
	: >"$dir/ab"
	: >"$dir/ab-regs"
	echo "regs-ab: $ab_rounds rounds, $mb MiB per transfer, I/O sizes $io_sizes, RDMA ($GB_FABRIC) $GB_ADDR, load $(cut -d' ' -f1-3 /proc/loadavg)"
	for round in $(seq 1 "$ab_rounds"); do
		if [ $((round % 2)) = 1 ]; then order="before after"; else order="after before"; fi
		for mode in $order; do
			echo " round $round: $mode"
			ab_run "$mode" "$round"
		done
	done
	echo
	echo "server registrations per RPC over each daemon's transfers (pools included):"
	awk '{ r[$1] += $2; n[$1] += $3 } END { for (m in r) printf "  %-6s %d in %d RPCs: %.4f\n", m, r[m], n[m], n[m] ? r[m] / n[m] : 0 }' "$dir/ab-regs" | sort
	echo
	echo "CPU ms per MiB moved, median over $ab_rounds rounds (min-max), after/before of the medians;"
	echo "paired: after/before within each round, median (min-max), and in how many rounds after was lower;"
	echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg):"
	printf '  %-5s %-4s %-6s %22s %22s %12s %26s\n' op io side before after after/before paired
	for size in ${io_sizes//,/ }; do
		for op in put get; do
			for side in server client; do
				col=$([ "$side" = server ] && echo 4 || echo 5)
				stat() { awk -v m="$1" -v o="$op" -v s="$size" -v c="$col" \
					'$1 == m && $2 == o && $3 == s { print $c }' "$dir/ab" | sort -g |
					awk '{ v[NR] = $1 } END { if (!NR) { print "- - -"; exit }
						printf "%.2f %.2f %.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'; }
				read -r bm blo bhi < <(stat before)
				read -r am alo ahi < <(stat after)
				paired=$(awk -v o="$op" -v s="$size" -v c="$col" '
					$2 == o && $3 == s { v[$1, $8] = $c; if ($8 > R) R = $8 }
					END { for (i = 1; i <= R; i++) if (v["before", i] > 0 && (("after", i) in v)) {
						q[++n] = v["after", i] / v["before", i]; lo += (q[n] < 1) }
						if (!n) { print "-"; exit }
						for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++)
							if (q[y] < q[x]) { t = q[x]; q[x] = q[y]; q[y] = t }
						printf "%.3f (%.2f-%.2f) %d/%d", n % 2 ? q[(n + 1) / 2] : (q[n / 2] + q[n / 2 + 1]) / 2,
							q[1], q[n], lo, n }' "$dir/ab")
				printf '  %-5s %-4s %-6s %22s %22s %12s %26s\n' "$([ "$op" = put ] && echo WRITE || echo READ)" \
					"$size" "$side" "$bm ($blo-$bhi)" "$am ($alo-$ahi)" \
					"$(awk -v a="$am" -v b="$bm" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')" "$paired"
			done
		done
	done
	exit 0
fi

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

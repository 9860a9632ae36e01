#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# What one RPC costs the daemon that serves it: CPU time, context switches,
# system calls and memory registrations per operation, for
#   server:  our ganesha.nfsd (Debian's daemon + this tree's transport) over
#            RPC-over-RDMA (fabric ofi) against the same daemon over TCP;
#   gateway: FSAL_RDMA_PROXY (backend session over RDMA, ofi) against
#            Debian's FSAL_PROXY_V4 (backend over TCP), in front of the same
#            backend, each serving the client over TCP.
# Both sides of a section run in the same run, cells interleaved, the order
# of the two sides alternating per round, so the ratios compare like with
# like on this shared machine.
#
# How it measures (one `nfs41 bench` run per cell and side):
#   ops      the client's operation count: lookup = one COMPOUND
#            (PUTROOTFH, LOOKUPs, GETFH, GETATTR), read = one 1 MiB READ,
#            meta = one small-file cycle (create + close + getattr +
#            remove, 4 client COMPOUNDs);
#   CPU      utime + stime of the daemon (all threads, exited ones too)
#            from /proc/PID/stat before and after;
#   ctx sw   voluntary + nonvoluntary context switches from
#            /proc/PID/task/*/status before and after, thread by thread
#            (a thread that exits during a run takes its count with it:
#            pools that start and end threads are undercounted, never
#            overcounted);
#   syscalls a separate pass (one round) under
#            `perf stat -e raw_syscalls:sys_enter -p PID` (falls back to
#            `strace -c -f -p PID` when perf cannot count the tracepoint),
#            so the tracing never disturbs the CPU and ctx-sw figures;
#            with --syscalls strace the same pass also gives them by call
#            (futex, epoll_wait, ... per op), printed after the tables and
#            kept in bycall.txt;
#   reg      memory registrations per operation, from a cumulative
#            registration counter in the RDMA side's stats file (server:
#            the NFS_RDMA stats file; gateway: RDMA_PROXY's) when this
#            build has one (names in REG_KEYS); otherwise "n/a".  The TCP
#            and PROXY_V4 sides register nothing ("-").
# Each figure is the median over the rounds of the per-round value; the
# ratio is RDMA side / TCP side.  A run also counts session set-up and the
# read file's preparation (a few dozen RPCs against thousands measured).
#
# Prints one markdown table per section; raw.txt in --out.  Prints figures,
# never judges them; exits non-zero only when a run fails.  Not in ctest.
#
# GB_FABRIC=verbs GB_ADDR=<address> runs the server part on verbs (the vm
# tier's guest: bench/bench_vm.sh); the gateway part always runs on ofi
# over loopback (tests/lib/gateway.sh).
#
# Usage: per_rpc.sh [--build DIR] [--rounds N] [--seconds S]
#            [--streams "1 16"] [--part server|gateway|all]
#            [--syscalls perf|strace|none] [--out DIR] [--smoke]
#        per_rpc.sh --table RAW    (the tables of an earlier raw.txt)
{ # parse the whole script before running it: safe to edit while it runs
set -u
. "$(dirname "$0")/ganesha_bench_lib.sh"

build=
rounds=3
seconds=3
streams="1 16"
part=all
sysc=perf
out=
table_of=
file_size=16M
REG_KEYS=${REG_KEYS:-registrations}
SERVER_MODES=${SERVER_MODES:-lookup read} # env: the cells of each part
GW_MODES=${GW_MODES:-meta lookup read}
gb_parse_args "[--build DIR] [--rounds N] [--seconds S] [--streams LIST] [--part server|gateway|all] [--syscalls perf|strace|none] [--out DIR] [--smoke]" \
	--build build --rounds rounds --seconds seconds --streams streams \
	--part part --syscalls sysc --out out --table table_of \
	--smoke! 'rounds=1; seconds=0.5; streams=1' -- "$@"
[ -n "$build" ] || { build=$top/build-bench; [ -d "$build" ] || build=$top/build; }
build=$(readlink -f "$build")
gb_find_bins "$build"
out=${out:-/tmp/per-rpc-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || gr_fail "cannot create $out"
raw=$out/raw.txt # section side mode streams pass round ops rate cpu_s cs sysc reg
: >"$raw"

if [ "$sysc" = perf ] &&
	! perf stat -e raw_syscalls:sys_enter -x, -- true >/dev/null 2>&1; then
	echo "perf cannot count raw_syscalls:sys_enter here: using strace -c"
	sysc=strace
fi
if [ "$sysc" = strace ] && ! command -v strace >/dev/null; then
	echo "strace not installed: no system-call figures"
	sysc=none
fi

GW_ROOT=$(mktemp -d /tmp/gr-perrpc.XXXXXX)
. "$top/tests/lib/gateway.sh"
sdir=
cleanup() {
	gb_stop
	gw_cleanup
	rm -rf "$GW_ROOT"
	[ -n "$sdir" ] && rm -rf "$sdir"
}
trap cleanup EXIT

clk=$(getconf CLK_TCK)
cpu_of() { # PID -> seconds of utime + stime
	awk -v hz="$clk" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}
cs_of() { # PID -> "tid switches" per live thread
	local t
	for t in /proc/"$1"/task/*; do
		awk -v t="${t##*/}" '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 }
			END { if (NR) print t, s + 0 }' "$t/status" 2>/dev/null
	done
}
cs_delta() { # BEFORE AFTER (cs_of outputs) -> switches in between, per thread
	awk 'NR == FNR { b[$1] = $2; next } { d += $2 - ($1 in b ? b[$1] : 0) }
		END { print d + 0 }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}
json_num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" | tail -1; }

# Registration counter of a side: prints the cumulative count, or nothing
# when this build exports none.
reg_of() { # SIDE
	local k v
	for k in $REG_KEYS; do
		case $1 in
		"$GB_FABRIC") v=$(gb_counter "$k") ;;
		rdma_proxy) grep -q "^ *$k = " "$GW_RP_STATS" 2>/dev/null &&
			v=$(gw_rp_counter "$k") ;;
		*) return 0 ;;
		esac
		[ -n "${v:-}" ] && { echo "$v"; return 0; }
	done
}

# Syscall counting around a command: syscalls_begin PID; CMD; syscalls_end.
syscalls_begin() {
	sc_pid=
	case $sysc in
	perf) perf stat -e raw_syscalls:sys_enter -x, -o "$out/sc.tmp" -p "$1" \
		2>/dev/null &
	      sc_pid=$! ;;
	strace) strace -c -f -q -o "$out/sc.tmp" -p "$1" 2>/dev/null &
		sc_pid=$! ;;
	*) return 0 ;;
	esac
	sleep 0.5 # attached to every thread before the run starts
}
syscalls_end() { # sets sc: total system calls, "-" when not counted
	sc=-
	[ -n "$sc_pid" ] || return 0
	kill -INT "$sc_pid" 2>/dev/null
	wait "$sc_pid" 2>/dev/null
	case $sysc in
	perf) sc=$(awk -F, '$3 ~ /raw_syscalls:sys_enter/ { print $1 }' "$out/sc.tmp") ;;
	strace) sc=$(awk '$NF == "total" { print $(NF - 2) }' "$out/sc.tmp") ;;
	esac
	[[ $sc =~ ^[0-9]+$ ]] || sc=-
	if [ "$sysc" = strace ]; then mv -f "$out/sc.tmp" "$out/sc.last"
	else rm -f "$out/sc.tmp"; fi
}

# strace's table of the last syscall pass as calls per op, largest first:
# one line "SECTION SIDE MODE STREAMS call n call n ..." into bycall.txt.
bycall() { # SECTION SIDE MODE STREAMS OPS
	[ -f "$out/sc.last" ] || return 0
	awk -v k="$1 $2 $3 $4" -v ops="$5" '
		$1 ~ /^[0-9.]+$/ && $NF != "total" && (NF == 5 || NF == 6) {
			c[$NF] = $4 / ops } # % seconds usecs/call calls [errors] name
		END { printf "%s", k
			n = 0; for (x in c) if (c[x] >= 0.05) o[++n] = x
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (c[o[j]] > c[o[i]]) { t = o[i]; o[i] = o[j]; o[j] = t }
			for (i = 1; i <= n; i++) printf " %s %.2f", o[i], c[o[i]]
			printf "\n" }' "$out/sc.last" >>"$out/bycall.txt"
	rm -f "$out/sc.last"
}

# One cell on one side.  PASS is "cpu" (CPU, ctx sw, reg) or "sys".
run_cell() { # SECTION SIDE PID URL PASS ROUND MODE STREAMS NFS41-ARGS...
	local sec=$1 side=$2 pid=$3 url=$4 pass=$5 r=$6 m=$7 n=$8 o c0 c1 s0 s1
	local g0= g1= reg=- sc=- ops rate
	shift 8
	if [ "$pass" = cpu ]; then
		if [ -n "$(reg_of "$side")" ]; then
			sleep 1.2 # the stats file is rewritten every second
			g0=$(reg_of "$side")
		fi
		c0=$(cpu_of "$pid") s0=$(cs_of "$pid")
	else
		syscalls_begin "$pid"
	fi
	o=$("$GB_NFS41" "$@" -q --json bench "$url" --mode "$m" --streams "$n" \
		--io-size 1M --duration "$seconds" --file-size "$file_size" 2>&1) ||
		gr_fail "$sec $side $m $n streams: $o"
	if [ "$pass" = cpu ]; then
		c1=$(cpu_of "$pid") s1=$(cs_of "$pid")
		s1=$(cs_delta "$s0" "$s1") s0=0
		if [ -n "$g0" ]; then
			sleep 1.2
			g1=$(reg_of "$side")
			reg=$((g1 - g0))
		fi
	else
		syscalls_end
		c0=0 c1=0 s0=0 s1=0
	fi
	ops=$(printf '%s\n' "$o" | json_num ops)
	rate=$(printf '%s\n' "$o" | json_num ops_per_s)
	[ -n "$ops" ] && [ "$ops" -gt 0 ] || gr_fail "$sec $side $m $n: no ops in: $o"
	[ "$pass" = sys ] && bycall "$sec" "$side" "$m" "$n" "$ops"
	echo "$sec $side $m $n $pass $r $ops $rate $(awk -v a="$c0" -v b="$c1" \
		'BEGIN { printf "%.3f", b - a }') $((s1 - s0)) ${sc:--} $reg" >>"$raw"
	printf '  %-7s %-10s %-6s %2s streams %-3s round %s: %8s ops/s\n' \
		"$sec" "$side" "$m" "$n" "$pass" "$r" "$rate"
}

# Median over rounds of a per-op figure.  WHAT: rate cpu cs sys reg.
fig() { # SECTION SIDE MODE STREAMS WHAT
	awk -v s="$1" -v d="$2" -v m="$3" -v n="$4" -v w="$5" '
		$1 == s && $2 == d && $3 == m && $4 == n {
			if (w == "rate" && $5 == "cpu") print $8
			else if (w == "cpu" && $5 == "cpu") print $9 / $7 * 1e6
			else if (w == "cs" && $5 == "cpu") print $10 / $7
			else if (w == "sys" && $5 == "sys" && $11 != "-") print $11 / $7
			else if (w == "reg" && $5 == "cpu" && $12 != "-") print $12 / $7
		}' "$raw" | sort -g | awk -v w="$5" '{ v[NR] = $1 } END {
			if (!NR) { print (w == "reg" ? "n/a" : "-"); exit }
			x = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			if (w == "rate" || w == "cpu") printf "%.0f\n", x
			else if (x >= 100) printf "%.0f\n", x
			else printf "%.2f\n", x }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "-"
		else printf "%.2fx\n", a / b }'
}
label() {
	case $1 in
	lookup) echo "LOOKUP compound" ;;
	read) echo "READ 1 MiB" ;;
	meta) echo "small-file cycle" ;;
	esac
}

table() { # SECTION A B MODES...
	local sec=$1 a=$2 b=$3 m n w x y
	shift 3
	echo
	echo "| $sec: per op | streams | ops/s $a | ops/s $b | $b/$a | CPU us $a | CPU us $b | $b/$a | ctx sw $a | ctx sw $b | $b/$a | syscalls $a | syscalls $b | $b/$a | reg $b |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for m in "$@"; do
		for n in $streams; do
			printf '| %s | %s' "$(label "$m")" "$n"
			for w in rate cpu cs sys; do
				x=$(fig "$sec" "$a" "$m" "$n" "$w")
				y=$(fig "$sec" "$b" "$m" "$n" "$w")
				printf ' | %s | %s | %s' "$x" "$y" "$(ratio "$y" "$x")"
			done
			printf ' | %s |\n' "$(fig "$sec" "$b" "$m" "$n" reg)"
		done
	done
}

# Rounds of every cell on both sides, then one syscall round.
drive() { # SECTION "SIDE PID URL ARGS" "SIDE PID URL ARGS" MODES...
	local sec=$1 sa=$2 sb=$3 r m n s pass order
	shift 3
	for pass in cpu sys; do
		[ "$pass" = sys ] && [ "$sysc" = none ] && continue
		for r in $(seq 1 "$rounds"); do
			[ "$pass" = sys ] && [ "$r" -gt 1 ] && break
			for m in "$@"; do
				for n in $streams; do
					if [ $((r % 2)) = 1 ]; then order=("$sa" "$sb")
					else order=("$sb" "$sa"); fi
					for s in "${order[@]}"; do
						# shellcheck disable=SC2086
						run_cell "$sec" ${s%%|*} "$pass" "$r" "$m" "$n" ${s#*|}
					done
				done
			done
		done
	done
}

# --table RAW: print the tables of an earlier run's raw.txt (a run that
# was cut short, say) and stop.
if [ -n "$table_of" ]; then
	raw=$table_of
	streams=$(awk '{ print $4 }' "$raw" | sort -nu | tr '\n' ' ')
	rounds=$(awk '{ print $6 }' "$raw" | sort -nu | tail -1)
	f=$(awk '$1 == "server" && $2 != "tcp" { print $2; exit }' "$raw")
	echo "tables of $raw (rounds present: up to $rounds; a cell has the rounds that finished)"
	grep -q '^server ' "$raw" && table server tcp "${f:-ofi}" lookup read
	grep -q '^gateway ' "$raw" && table gateway proxy_v4 rdma_proxy meta lookup read
	exit 0
fi

echo "per-RPC costs, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$top" rev-parse -q HEAD >/dev/null 2>&1 && ! git -C "$top" diff --quiet -- src && echo +src-dirty), build $build"
echo "rounds $rounds (median), $seconds s per run, streams: $streams, syscalls by $sysc; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- server: ganesha.nfsd over TCP and over RDMA (ofi) -----------------------
if [ "$part" = all ] || [ "$part" = server ]; then
	sdir=$(gb_mktemp)
	gb_setup "$sdir"
	gb_start "$sdir"
	echo "server: ganesha.nfsd pid $GB_PID, TCP $GB_PORT, RDMA ($GB_FABRIC) $GB_RPORT on $GB_ADDR"
	gb_cli tcp -q mkdir "$(gb_url tcp /b)" || gr_fail "mkdir over TCP"
	drive server \
		"tcp $GB_PID $(gb_url tcp /b)|--transport tcp" \
		"$GB_FABRIC $GB_PID $(gb_url rdma /b)|--transport rdma --fabric $GB_FABRIC" \
		$SERVER_MODES
	gb_stop
fi

# ---- gateway: FSAL_PROXY_V4 and FSAL_RDMA_PROXY (session over ofi) ----------
if [ "$part" = all ] || [ "$part" = gateway ]; then
	[ "$GB_FABRIC" = ofi ] || gr_fail "the gateway part runs on ofi only"
	gw_find_build "$build"
	[ -n "$GW_FSAL_MODULE" ] || gr_fail "libfsalrdma_proxy.so not built in $build"
	gw_backend_start
	for k in proxy_v4 rdma_proxy; do
		gw_gateway_start "$k"
		p=$(eval echo "\$GW_PORT_$k")
		"$GB_NFS41" -q mkdir "nfs://127.0.0.1:$p/gw/b-$k" ||
			gr_fail "$k: mkdir"
	done
	echo "gateway: backend pid $(gw_pid backend), proxy_v4 pid $(gw_pid proxy_v4) TCP $GW_PORT_proxy_v4, rdma_proxy pid $(gw_pid rdma_proxy) TCP $GW_PORT_rdma_proxy"
	drive gateway \
		"proxy_v4 $(gw_pid proxy_v4) nfs://127.0.0.1:$GW_PORT_proxy_v4/gw/b-proxy_v4|" \
		"rdma_proxy $(gw_pid rdma_proxy) nfs://127.0.0.1:$GW_PORT_rdma_proxy/gw/b-rdma_proxy|" \
		$GW_MODES
	gw_cleanup
fi

{
	echo
	echo "Per operation, medians of $rounds rounds ($seconds s each; syscalls from one round by $sysc). CPU us = daemon user+sys microseconds; ctx sw = voluntary+involuntary, all threads; reg = registrations (n/a: this build counts none)."
	if [ "$part" != gateway ]; then
		table server tcp "$GB_FABRIC" $SERVER_MODES
	fi
	if [ "$part" != server ]; then
		table gateway proxy_v4 rdma_proxy $GW_MODES
	fi
	if [ -s "$out/bycall.txt" ]; then
		echo
		echo "System calls per op by call (strace -c -f, the syscall pass; calls under 0.05 per op left out):"
		echo
		sed 's/^/    /' "$out/bycall.txt"
	fi
} | tee "$out/table.md"
echo
echo "raw figures: $raw"
exit 0
}

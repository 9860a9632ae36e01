#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Benchmark (not a ctest test): the RDMA_PROXY gateway against Debian's
# FSAL_PROXY_V4 in front of the same backend, same machine, same run.
#
#   bench/gateway_vs_proxy_v4.sh [BUILD_DIR]      (default: build)
#
# One backend ganesha.nfsd (FSAL_VFS, NFSv4 over TCP + NFS over RDMA on
# libfabric's tcp provider) and both gateways beside each other, each
# serving NFSv4 over TCP: proxy_v4 reaches the backend over TCP,
# rdma_proxy over RDMA.  The same client (nfs41, NFSv4.1 over TCP) drives
# `nfs41 bench` against each gateway: 1 MiB sequential read and write
# with 1, 4 and 16 streams, and the small-file cycle (create + close +
# getattr + remove) with 1, 4 and 16 streams.  Rounds are interleaved
# (every cell on both gateways before the next round, the order of the
# gateways alternating) and the table shows medians, the ratio
# rdma_proxy/proxy_v4 and the targets (>= 1.5x read, >= 1.2x write,
# >= 1.0x small ops).  Figures are printed, never judged: a benchmark on a
# shared 2-core machine is not a test.
#
# When libfsalrdma_proxy.so is not built, it says so and measures
# PROXY_V4 alone (the baseline).  A cell that fails is recorded as such,
# with nfs41's message.
#
# Output in $OUT (default /tmp/gateway-bench-DATE): raw.csv (one row per
# run; amount is MiB moved, or small-file cycles for meta; gw_cpu_s the
# gateway process's user+system CPU during the run), summary.csv (medians, ratios, targets), table.txt, and
# gateway-vs-proxy-v4.svg drawn by bench/gateway_plot.sh.
#
# Env: ROUNDS (3), DURATION seconds per run (3), FILE_SIZE (64M: the read
# file, and each write stream's file), STREAMS ("1 4 16"), MODES ("read write
# meta"), OUT,
# KINDS (default "proxy_v4 rdma_proxy"); GW_RP_TRANSPORT=tcp runs the
# rdma_proxy gateway with Transport = tcp (to tell the FSAL's own cost
# from the transport's), GW_RP_SLOTS, GW_RP_CREDITS, GW_RP_CONNECTIONS
# (see tests/lib/gateway.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(readlink -f "${1:-$here/../build}")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
FILE_SIZE=${FILE_SIZE:-64M}
STREAMS=${STREAMS:-1 4 16}
OUT=${OUT:-/tmp/gateway-bench-$(date +%Y%m%d-%H%M%S)}
KINDS=${KINDS:-proxy_v4 rdma_proxy}

GW_ROOT=$(mktemp -d /tmp/gr-gwbench.XXXXXX)
. "$here/../tests/lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT
gw_find_build "$build"
[ -n "$GW_NFS41" ] || gr_fail "nfs41 not built in $build"
mkdir -p "$OUT" || gr_fail "cannot create $OUT"

kinds=()
for k in $KINDS; do
	if [ "$k" = rdma_proxy ] && [ -z "$GW_FSAL_MODULE" ]; then
		echo "*** RDMA_PROXY is MISSING: $build/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so is not built."
		echo "*** Measuring the PROXY_V4 baseline alone; no ratios."
		continue
	fi
	kinds+=("$k")
done

gw_backend_start
echo "backend: TCP $GW_BACKEND_PORT, RDMA (ofi) $GW_BACKEND_RPORT, export $GW_BACKEND_EXPORT"
ok_kinds=()
for k in "${kinds[@]}"; do
	if GW_NOFAIL=1 gw_gateway_start "$k"; then
		port=$(eval echo "\$GW_PORT_$k")
		# Both gateways reach the same backend directory: one
		# working directory each, so their files never collide.
		"$GW_NFS41" -q mkdir "nfs://127.0.0.1:$port/gw/bench-$k" ||
			gr_fail "$k: cannot create /gw/bench-$k"
		echo "$k gateway: TCP $port (pid $(gw_pid "$k"))"
		ok_kinds+=("$k")
	else
		echo "*** $k gateway did not come up; measuring without it (see above)"
	fi
done
[ ${#ok_kinds[@]} -gt 0 ] || gr_fail "no gateway came up"

cells=()
for m in ${MODES:-read write meta}; do
	for n in $STREAMS; do
		cells+=("$m:$n")
	done
done

# utime + stime of a process in seconds.
cpu_secs() {
	awk -v hz="$(getconf CLK_TCK)" \
		'{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null ||
		echo 0
}

fsize_mib=$(($(numfmt --from=iec "$FILE_SIZE") >> 20))
json_num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

raw=$OUT/raw.csv
echo "gateway,mode,streams,round,value,unit,seconds,amount,gw_cpu_s,rc,error,gw_copied_bytes,gw_payload_bytes" >"$raw"
# RDMA_PROXY's own counters (stats file, rewritten every second): payload
# bytes it copied in userspace and payload bytes it moved, per run.
rp_counts() {
	echo "$(gw_rp_counter payload_bytes_copied) $(($(gw_rp_counter read_bytes) + $(gw_rp_counter write_bytes)))"
}
run_cell() { # KIND MODE STREAMS ROUND
	local k=$1 m=$2 n=$3 r=$4 port pid c0 c1 out rc v unit secs amt err=
	local p0="0 0" p1="0 0" copied= payload=
	port=$(eval echo "\$GW_PORT_$k")
	pid=$(gw_pid "$k")
	[ "$k" = rdma_proxy ] && p0=$(rp_counts)
	c0=$(cpu_secs "$pid")
	out=$("$GW_NFS41" -q --json bench "nfs://127.0.0.1:$port/gw/bench-$k" \
		--mode "$m" --streams "$n" --io-size 1M \
		--duration "$DURATION" --file-size "$FILE_SIZE" 2>"$GW_ROOT/err")
	rc=$?
	c1=$(cpu_secs "$pid")
	if [ "$k" = rdma_proxy ]; then
		sleep 1.2	# let the stats file catch up with the run
		p1=$(rp_counts)
		copied=$((${p1% *} - ${p0% *})) payload=$((${p1#* } - ${p0#* }))
	fi
	unit=MiB/s
	[ "$m" = meta ] && unit=ops/s
	if [ $rc = 0 ]; then
		if [ "$m" = meta ]; then
			v=$(echo "$out" | json_num ops_per_s)
		else
			v=$(echo "$out" | json_num mib_per_s)
		fi
		secs=$(echo "$out" | json_num seconds)
		# The gateway's CPU is sampled around the whole nfs41 run, and
		# a read run first writes its file: count those MiB as moved.
		case $m in
		meta) amt=$(echo "$out" | json_num ops) ;;
		read) amt=$(awk -v v="$v" -v s="$secs" -v f="$fsize_mib" \
			'BEGIN { printf "%.1f", v * s + f }') ;;
		*) amt=$(awk -v v="$v" -v s="$secs" 'BEGIN { printf "%.1f", v * s }') ;;
		esac
	else
		v= secs= amt=
		err=$(tr -d ',\n' <"$GW_ROOT/err" | cut -c1-160)
		[ -n "$(gw_pid "$k")" ] && ! kill -0 "$pid" 2>/dev/null &&
			err="$err (gateway process died)"
	fi
	echo "$k,$m,$n,$r,$v,$unit,$secs,$amt,$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }'),$rc,$err,$copied,$payload" >>"$raw"
	if [ $rc = 0 ]; then
		printf '  round %s  %-10s %-5s %2s streams: %10s %s\n' "$r" "$k" "$m" "$n" "$v" "$unit"
	else
		printf '  round %s  %-10s %-5s %2s streams: FAILED (exit %s) %s\n' "$r" "$k" "$m" "$n" "$rc" "$err"
	fi
}

echo "rounds $ROUNDS, $DURATION s per run, file size $FILE_SIZE, 1 MiB I/O, $(nproc) cores"
for r in $(seq 1 "$ROUNDS"); do
	order=("${ok_kinds[@]}")
	# Alternate which gateway goes first, so neither always inherits
	# the other's page cache and background work.
	if [ $((r % 2)) = 0 ] && [ ${#order[@]} = 2 ]; then
		order=("${order[1]}" "${order[0]}")
	fi
	for cell in "${cells[@]}"; do
		for k in "${order[@]}"; do
			run_cell "$k" "${cell%:*}" "${cell#*:}" "$r"
		done
	done
done

# Median of the successful rounds of one cell; "FAIL" when none succeeded.
median() { # KIND MODE STREAMS COLUMN
	awk -F, -v k="$1" -v m="$2" -v n="$3" -v c="$4" \
		'$1 == k && $2 == m && $3 == n && $10 == 0 { print $c }' "$raw" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "FAIL"; exit }
			if (NR % 2) print v[(NR + 1) / 2]
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fails() { # KIND MODE STREAMS
	awk -F, -v k="$1" -v m="$2" -v n="$3" \
		'$1 == k && $2 == m && $3 == n && $10 != 0 { f++ } END { print f + 0 }' "$raw"
}
# Gateway CPU per MiB (read/write) or per op (meta), over all successful
# rounds: sum of CPU seconds over sum of MiB (or ops).
cpu_per() { # KIND MODE STREAMS
	awk -F, -v k="$1" -v m="$2" -v n="$3" '
		$1 == k && $2 == m && $3 == n && $10 == 0 { c += $9; w += $8 }
		END { if (w == 0) print "-"
		      else if (m == "meta") printf "%.0f\n", c / w * 1e6
		      else printf "%.2f\n", c / w * 1e3 }' "$raw"
}

# RDMA_PROXY's userspace payload copies per payload byte (target 0).
copies_per_byte() { # MODE STREAMS
	awk -F, -v m="$1" -v n="$2" '
		$1 == "rdma_proxy" && $2 == m && $3 == n && $10 == 0 { c += $12; p += $13 }
		END { if (p == 0) print "-"; else printf "%.3f\n", c / p }' "$raw"
}

sum=$OUT/summary.csv
echo "mode,streams,unit,proxy_v4,rdma_proxy,ratio,target,meets_target,proxy_v4_failed_runs,rdma_proxy_failed_runs,proxy_v4_gw_cpu,rdma_proxy_gw_cpu,gw_cpu_unit,rdma_proxy_copies_per_byte" >"$sum"
for cell in "${cells[@]}"; do
	m=${cell%:*} n=${cell#*:}
	case $m in
	read) target=1.5 unit=MiB/s cu=ms/MiB ;;
	write) target=1.2 unit=MiB/s cu=ms/MiB ;;
	meta) target=1.0 unit=ops/s cu=us/op ;;
	esac
	declare -A med=() fl=() cpu=()
	for k in proxy_v4 rdma_proxy; do
		if [[ " ${ok_kinds[*]} " == *" $k "* ]]; then
			med[$k]=$(median "$k" "$m" "$n" 5)
			fl[$k]=$(fails "$k" "$m" "$n")
			cpu[$k]=$(cpu_per "$k" "$m" "$n")
		else
			med[$k]=- fl[$k]=- cpu[$k]=-
		fi
	done
	ratio=- meets=-
	if [[ ${med[proxy_v4]} =~ ^[0-9.]+$ && ${med[rdma_proxy]} =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v a="${med[rdma_proxy]}" -v b="${med[proxy_v4]}" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		meets=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r + 0 >= t) ? "yes" : "no" }')
	fi
	cpb=-
	[[ " ${ok_kinds[*]} " == *" rdma_proxy "* ]] && [ "$m" != meta ] &&
		cpb=$(copies_per_byte "$m" "$n")
	echo "$m,$n,$unit,${med[proxy_v4]},${med[rdma_proxy]},$ratio,$target,$meets,${fl[proxy_v4]},${fl[rdma_proxy]},${cpu[proxy_v4]},${cpu[rdma_proxy]},$cu,$cpb" >>"$sum"
done

{
	echo "Gateway benchmark $(date -u '+%Y-%m-%d %H:%M UTC'): nfs41 (NFSv4.1, TCP) -> gateway -> backend ganesha.nfsd $(ganesha.nfsd -v 2>/dev/null | sed -n 's/.*Release = V\([0-9.]*\).*/\1/p' | head -n 1) (FSAL_VFS on $(df --output=fstype "$GW_BACKEND_EXPORT" | tail -1))"
	if [ "${GW_RP_TRANSPORT:-rdma}" = tcp ]; then
		echo "proxy_v4: Debian FSAL_PROXY_V4 over TCP; rdma_proxy: FSAL_RDMA_PROXY with Transport = tcp (GW_RP_TRANSPORT=tcp)"
	else
		echo "proxy_v4: Debian FSAL_PROXY_V4 over TCP; rdma_proxy: FSAL_RDMA_PROXY over RDMA (libfabric tcp provider)"
	fi
	echo "medians of $ROUNDS interleaved rounds, $DURATION s each, 1 MiB I/O, file $FILE_SIZE, $(nproc) cores; failed runs in brackets"
	printf '%-6s %7s %16s %16s %7s %7s %11s %11s %8s\n' workload streams proxy_v4 rdma_proxy ratio target "pv4 cpu" "rp cpu" "rp copy"
	tail -n +2 "$sum" | while IFS=, read -r m n unit a b ratio target meets fa fb ca cb cu cpb; do
		fa_s= fb_s= rs=$ratio
		[ "$ratio" != - ] && rs=${ratio}x
		[ "$fa" != - ] && [ "$fa" != 0 ] && fa_s=" [$fa]"
		[ "$fb" != - ] && [ "$fb" != 0 ] && fb_s=" [$fb]"
		printf '%-6s %7s %16s %16s %7s %7s %11s %11s %8s\n' "$m" "$n" \
			"$a$fa_s $unit" "$b$fb_s" "$rs" ">=${target}x" \
			"$ca $cu" "$cb" "$cpb"
	done
	echo "(cpu: gateway process user+system CPU per MiB moved - a read run's writing of its file included - or per small-file cycle)"
	echo "(rp copy: payload bytes RDMA_PROXY copied in userspace per payload byte it moved, from its stats file; target 0)"
	# Proof that rdma_proxy's leg was RDMA: PROXY_V4 talks TCP to the
	# backend, so only rdma_proxy moves bytes through these counters.
	if [ -r "$GW_BACKEND_STATS" ]; then
		printf 'backend NFS_RDMA counters: '
		awk '$1 ~ /^(rdma_read_bytes|ddp_payload_bytes|payload_bytes_copied|connections)$/ { printf "%s %s  ", $1, $2 }' \
			"$GW_BACKEND_STATS"
		echo
	fi
} | tee "$OUT/table.txt"

bash "$here/gateway_plot.sh" "$sum" >"$OUT/gateway-vs-proxy-v4.svg" ||
	echo "plot failed"
echo "figures: $OUT/raw.csv, $OUT/summary.csv, $OUT/table.txt, $OUT/gateway-vs-proxy-v4.svg"

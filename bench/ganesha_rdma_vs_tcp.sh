#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# NFS over RDMA (ofi) against NFS over TCP, same server, same client, same
# run.  One Debian ganesha.nfsd serves one export (FSAL_VFS on tmpfs) over
# TCP and, through this project's transport, over RPC-over-RDMA at once;
# the nfs41 client measures each cell over --transport tcp and over
# --transport rdma:
#   1 MiB sequential READ and WRITE with 1, 4 and 16 streams (MiB/s),
#   small-operation rates (ops/s): "small" = create + write 4 KiB
#   (FILE_SYNC) + close, "lookup" = one LOOKUP+GETATTR compound,
#   "meta" = create + close + getattr + remove.
# Every cell runs --rounds times, interleaved (round 1 of every cell, then
# round 2, ...; tcp and rdma alternate which goes first), and the table
# shows the median with the spread, because this machine is shared and
# noisy.  On hosts without an RDMA NIC the RDMA side runs on libfabric's
# tcp provider: the figures then compare the transports' software paths
# over the same loopback, not RDMA hardware against TCP.
#
# Benchmarks print figures and never judge them; it fails only when a run
# fails.  Usage:
#   ganesha_rdma_vs_tcp.sh [--build DIR] [--rounds N] [--seconds S]
#       [--streams "1 4 16"] [--file-size SIZE] [--smoke] [--keep]
# --smoke: one round of 0.5 s cells with 1 and 4 streams (the ctest check
# that the script works).  Default build dir: build-bench, else build.
set -u
. "$(dirname "$0")/ganesha_bench_lib.sh"

build=
rounds=3
seconds=3
streams="1 4 16"
file_size=64M
keep=0
gb_parse_args "[--build DIR] [--rounds N] [--seconds S] [--streams LIST] [--file-size SIZE] [--smoke] [--keep]" \
	--build build --rounds rounds --seconds seconds --streams streams \
	--file-size file_size \
	--smoke! 'rounds=1; seconds=0.5; streams="1 4"; file_size=8M' \
	--keep! keep=1 -- "$@"
gb_find_bins "$build"

dir=$(gb_mktemp)
cleanup() {
	gb_stop
	if [ "$keep" = 1 ]; then echo "kept: $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
gb_setup "$dir"
gb_start "$dir"
echo "ganesha.nfsd pid $GB_PID: TCP 127.0.0.1:$GB_PORT, RDMA (ofi) 127.0.0.1:$GB_RPORT, export on $(df --output=fstype "$dir/export" | tail -1)"
echo "rounds $rounds, $seconds s per cell, file size $file_size; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
gb_cli tcp -q mkdir "$(gb_url tcp /b)" || gr_fail "mkdir over TCP"

# Cells: "mode streams io_size".
cells=()
for s in $streams; do cells+=("read $s 1M"); done
for s in $streams; do cells+=("write $s 1M"); done
cells+=("small 1 0" "small 4 0" "lookup 1 0" "lookup 4 0" "meta 1 0")

results=$dir/results # lines: mode streams transport round value
: >"$results"
run_cell() { # transport mode streams io round
	local t=$1 m=$2 s=$3 io=$4 r=$5 out field v
	io=${io/#0/4K}
	out=$(gb_cli "$t" -q --json bench "$(gb_url "$t" /b)" --mode "$m" \
		--streams "$s" --io-size "$io" --duration "$seconds" \
		--file-size "$file_size" 2>&1) ||
		gr_fail "$t $m $s streams: $out"
	case $m in read|write) field=mib_per_s ;; *) field=ops_per_s ;; esac
	v=$(printf '%s\n' "$out" | sed -n "s/.*\"$field\":\([0-9.]*\).*/\1/p" | tail -1)
	[ -n "$v" ] || gr_fail "$t $m $s streams: no figure in: $out"
	echo "$m $s $t $r $v" >>"$results"
}

for r in $(seq 1 "$rounds"); do
	for c in "${cells[@]}"; do
		set -- $c
		if [ $((r % 2)) = 1 ]; then order="tcp rdma"; else order="rdma tcp"; fi
		for t in $order; do
			run_cell "$t" "$1" "$2" "$3" "$r"
		done
	done
	echo "round $r of $rounds done"
done

# Median (and min-max) per cell and transport.
stat_of() { # mode streams transport -> "median min max"
	awk -v m="$1" -v s="$2" -v t="$3" '$1 == m && $2 == s && $3 == t { print $5 }' \
		"$results" | sort -g | awk '{ v[NR] = $1 }
		END { if (!NR) exit 1
		      med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.0f %.0f %.0f\n", med, v[1], v[NR] }'
}
label() {
	case $1 in
	read) echo "READ 1 MiB seq" ;;
	write) echo "WRITE 1 MiB seq" ;;
	small) echo "create+4K write+close" ;;
	lookup) echo "LOOKUP+GETATTR" ;;
	meta) echo "create+close+getattr+rm" ;;
	esac
}
echo
printf '%-24s %7s %5s %24s %24s %8s\n' workload streams unit \
	"tcp median (min-max)" "rdma median (min-max)" "rdma/tcp"
for c in "${cells[@]}"; do
	set -- $c
	read -r tm tl th < <(stat_of "$1" "$2" tcp)
	read -r rm rl rh < <(stat_of "$1" "$2" rdma)
	case $1 in read|write) unit=MiB/s ;; *) unit=ops/s ;; esac
	ratio=$(awk -v a="$rm" -v b="$tm" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	printf '%-24s %7s %5s %24s %24s %8s\n' "$(label "$1")" "$2" "$unit" \
		"$tm ($tl-$th)" "$rm ($rl-$rh)" "$ratio"
done

sleep 1.5
echo
echo "server transport counters (RDMA side, whole run):"
for k in requests ddp_payload_bytes payload_bytes_copied rdma_read_bytes \
	rdma_write_bytes credit_stalls err_completion; do
	printf '  %-22s %s\n' "$k" "$(gb_counter "$k")"
done

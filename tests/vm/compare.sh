#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Print xr_fabric_bench beside perftest for each device of one vm-tier run
# (same VM, same device, same run: the only fair comparison under TCG, whose
# speed depends on the host's load).  How this works: reads the bench table
# from <run>/logs/bench.<dev>.log (rows "<test> <size> <fabric> <tcp> <ratio>
# <unit>") and the perftest figures from <run>/perftest.<dev>0.tsv (rows
# "PERF <ibdev> <tool> <bytes> <MB/s> <Mmsg/s> <usec>"), matches
#   send/recv rate 4096 <-> ib_send_bw 4096 (msg/s)
#   rdma write bw N     <-> ib_write_bw N   (MB/s)
#   rdma read bw N      <-> ib_read_bw N    (MB/s)
#   round trip 4096     <-> ib_send_lat 4096 x 2 (perftest reports half the
#                           round trip)
# and prints bench/perftest ratios (for latency above 1 = bench slower).
# Units as each tool prints them; perftest's MB is 2^20 bytes.
# Then, from <run>/nfsbench.<ibdev>.tsv (guest/nfs_bench.sh, rows "NFSB
# <ibdev> <server> <vers> <test> <value> <unit>"), the Linux kernel NFS
# client over RDMA against our Ganesha beside the Linux kernel NFS server,
# with the ratio ganesha/knfsd (above 1 = ours faster), and the same
# Ganesha over TCP for reference.
# Usage: compare.sh <run-dir>     Exit 0 (prints "no figures" when absent).
OUT=$1
found=0
for perf in "$OUT"/perftest.*.tsv; do
	[ -e "$perf" ] || continue
	ibdev=$(basename "$perf" .tsv)
	ibdev=${ibdev#perftest.}
	dev=${ibdev%0}
	bench=$OUT/logs/bench.$dev.log
	[ -e "$bench" ] || continue
	found=1
	echo "--- $ibdev: xr_fabric_bench (verbs) vs perftest, same run"
	awk -v dev="$ibdev" '
	FNR == NR {	# perftest rows
		if ($1 != "PERF") next
		if ($3 == "ib_send_bw") rate[$4] = $6 * 1e6
		if ($3 == "ib_write_bw") wbw[$4] = $5
		if ($3 == "ib_read_bw") rbw[$4] = $5
		if ($3 == "ib_send_lat") rtt[$4] = $7 * 2
		next
	}
	NF >= 6 && $(NF - 4) ~ /^[0-9]+$/ {	# bench rows
		unit = $NF; fab = $(NF - 3); size = $(NF - 4)
		name = $1; for (i = 2; i <= NF - 5; i++) name = name " " $i
		ref = ""
		if (name == "send/recv rate") ref = rate[size]
		if (name == "rdma write bw") ref = wbw[size]
		if (name == "rdma read bw") ref = rbw[size]
		if (name == "round trip") ref = rtt[size]
		if (ref == "") next
		printf "%-16s %8s %12s %12s %8s %s\n", name, size, fab, ref,
		       (ref > 0 ? sprintf("%.2f", fab / ref) : "-"), unit
	}
	BEGIN { printf "%-16s %8s %12s %12s %8s %s\n", "test", "size",
		"bench", "perftest", "ratio", "unit" }
	' "$perf" "$bench"
done
[ $found = 1 ] || echo "no bench and perftest figures side by side in $OUT"

found=0
for nb in "$OUT"/nfsbench.*.tsv; do
	[ -s "$nb" ] || continue
	found=1
	ibdev=$(basename "$nb" .tsv)
	echo "--- ${ibdev#nfsbench.}: kernel NFS client over RDMA, our Ganesha vs knfsd, same run"
	awk '
	$1 == "NFSB" {
		key = $5 " NFSv" $4; u[key] = $7
		# one row per round: the best counts
		if (!(($3, key) in v) || $6 + 0 > v[$3, key] + 0)
			v[$3, key] = $6
		if (!(key in seen)) { seen[key] = 1; order[n++] = key }
	}
	END {
		printf "%-18s %10s %10s %7s %-8s %s\n", "test", "ganesha",
		       "knfsd", "ratio", "unit", "ganesha over tcp"
		for (i = 0; i < n; i++) {
			k = order[i]; g = v["ganesha", k]; kn = v["knfsd", k]
			t = v["ganesha_tcp", k]
			printf "%-18s %10s %10s %7s %-8s %s\n", k,
			       g == "" ? "-" : g, kn == "" ? "-" : kn,
			       (g != "" && kn > 0) ? sprintf("%.2f", g / kn) : "-",
			       u[k], t == "" ? "-" : t
		}
	}' "$nb"
done
[ $found = 1 ] || echo "no kernel-client NFS figures (nfsbench.*.tsv) in $OUT"
exit 0

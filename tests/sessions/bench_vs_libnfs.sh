#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Benchmark (not a ctest test): the nfs41 session client vs libnfs's
# nfs-cp/nfs-cat (NFSv4.0) against the same ganesha.nfsd in the same run.
#   tests/sessions/bench_vs_libnfs.sh BUILD/src/cli/nfs41 [SIZE_MIB]
# Rows: 1 MiB sequential read and write of a SIZE_MIB file (best of 3,
# reads land in a file in /tmp, writes come from one - nfs-cp cannot
# write to /dev/null), small files (2 KiB) one process per file for both
# tools, and nfs41's in-process small-file rate.
NFS41=$(readlink -f "$1")
MIB=${2:-256}
. "$(dirname "$0")/lib.sh"
sess_setup 60
set -u
command -v nfs-cp >/dev/null || gr_skip "libnfs-utils (nfs-cp) not installed"
LURL="nfs://127.0.0.1/export"
LOPT="?version=4&nfsport=$PORT"
N=200

best_of_3() { # prints the best wall time in seconds of "$@", or FAIL
	local best= t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>"$T/bench.err" || { echo FAIL; return; }
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
			best=$t
		fi
	done
	echo "$best"
}
rate() { # MiB/s for $1 seconds
	[ "$1" = FAIL ] && { echo "failed"; return; }
	printf "%.0f MiB/s" "$(echo "$MIB / $1" | bc -l)"
}
files_rate() {
	[ "$1" = FAIL ] && { echo "failed"; return; }
	printf "%.0f files/s" "$(echo "$N / $1" | bc -l)"
}

head -c $((MIB << 20)) /dev/urandom >"$T/big"
"$NFS41" $STATE -q put "$T/big" "$URL/big" || gr_fail "preparing big file"
cp "$T/big" "$T/big.lib"

get_nfs41() { rm -f "$T/in"; "$NFS41" $STATE -q --io-size 1M --streams "$1" get "$URL/big" "$T/in"; }
get_lib() { rm -f "$T/in"; nfs-cp "$LURL/big$LOPT" "$T/in"; }
r1=$(best_of_3 get_nfs41 1)
r4=$(best_of_3 get_nfs41 4)
rl=$(best_of_3 get_lib)
w1=$(best_of_3 "$NFS41" $STATE -q --io-size 1M --streams 1 put "$T/big" "$URL/w1")
w4=$(best_of_3 "$NFS41" $STATE -q --io-size 1M --streams 4 put "$T/big" "$URL/w4")
wl_once() { rm -f "$EXP/wl"; nfs-cp "$T/big.lib" "$LURL/wl$LOPT"; }
wl=$(best_of_3 wl_once)
wl_err=$(head -1 "$T/bench.err")

head -c 2048 /dev/urandom >"$T/small"
small_put_nfs41() {
	local i
	for i in $(seq 1 $N); do
		"$NFS41" $STATE -q put "$T/small" "$URL/s41-$i" || return 1
	done
}
small_put_lib() {
	local i
	rm -f "$EXP"/slib-*
	for i in $(seq 1 $N); do
		nfs-cp "$T/small" "$LURL/slib-$i$LOPT" >/dev/null || return 1
	done
}
small_get_nfs41() {
	local i
	for i in $(seq 1 $N); do
		"$NFS41" $STATE -q get "$URL/s41-$i" - >/dev/null || return 1
	done
}
small_get_lib() {
	local i
	for i in $(seq 1 $N); do
		nfs-cat "$LURL/s41-$i$LOPT" >/dev/null || return 1
	done
}
sp1=$(best_of_3 small_put_nfs41)
spl=$(best_of_3 small_put_lib)
sg1=$(best_of_3 small_get_nfs41)
sgl=$(best_of_3 small_get_lib)
meta1=$("$NFS41" $STATE --json bench --mode meta --streams 1 --duration 3 "$URL" |
	sed -n 's/.*"ops_per_s":\([0-9.]*\).*/\1/p')
meta8=$("$NFS41" $STATE --json bench --mode meta --streams 8 --duration 3 "$URL" |
	sed -n 's/.*"ops_per_s":\([0-9.]*\).*/\1/p')

echo
echo "ganesha.nfsd 4.3 (FSAL_VFS on $(df --output=fstype "$EXP" | tail -1)), loopback TCP, $(nproc) cores, file ${MIB} MiB"
printf "%-44s %-18s %-18s\n" "workload" "nfs41 (v4.1)" "libnfs (v4.0)"
printf "%-44s %-18s %-18s\n" "1 MiB sequential read, 1 stream" "$(rate "$r1")" "$(rate "$rl")"
printf "%-44s %-18s %-18s\n" "1 MiB sequential read, 4 streams" "$(rate "$r4")" "-"
printf "%-44s %-18s %-18s\n" "1 MiB sequential write, 1 stream" "$(rate "$w1")" "$(rate "$wl")"
printf "%-44s %-18s %-18s\n" "1 MiB sequential write, 4 streams" "$(rate "$w4")" "-"
printf "%-44s %-18s %-18s\n" "small file put (2 KiB, 1 process/file)" "$(files_rate "$sp1")" "$(files_rate "$spl")"
printf "%-44s %-18s %-18s\n" "small file get (2 KiB, 1 process/file)" "$(files_rate "$sg1")" "$(files_rate "$sgl")"
printf "%-44s %-18s %-18s\n" "create+close+getattr+remove, 1 stream" "${meta1} files/s" "-"
printf "%-44s %-18s %-18s\n" "create+close+getattr+remove, 8 streams" "${meta8} files/s" "-"
[ "$wl" = FAIL ] && echo "libnfs write failed: $wl_err"
exit 0

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Guest-side perftest run on one soft-RDMA device: ib_send_bw (4 KiB message
# rate), ib_write_bw and ib_read_bw (4 KiB, 64 KiB, 1 MiB) and ib_send_lat
# (4 KiB), each as a server and a client process over rdma_cm (-R) on the
# device's address.  Prints the raw perftest output, then one summary line
# per run, and writes the same to <outdir>/perftest.<ibdev>.tsv for the
# comparison with xr_fabric_bench:
#     PERF <ibdev> <tool> <bytes> <bw MB/s | -> <Mmsg/s | -> <lat us | ->
# Usage: perftest.sh <ibdev> <ip> <outdir> [DIV]
#   DIV: divide every iteration count by DIV (default 1).  CI passes 10:
#   every tool and size still runs and must produce a figure, in a tenth of
#   the time; the figures are then noisier (guest-tests-figures.list runs
#   the full counts).
# Exit 0 when every run produced a figure, else 1 (names the failed runs).
set -u
IBDEV=$1
IP=$2
OUTDIR=$3
DIV=${4:-1}
TSV=$OUTDIR/perftest.$IBDEV.tsv
PORT=18515
failed=()
: >"$TSV"

# listening port: on siw (iWARP) wait until the server's kernel TCP
# listener shows up; rxe (RoCE) has no socket to see: the caller's pause.
listening() {
	local port=$1 tries=12
	case $IBDEV in siw*) ;; *) return 0 ;; esac
	while [ $tries -gt 0 ]; do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.5
		tries=$((tries - 1))
	done
	return 0
}

# row tool size: the client's result row, empty if none or if its figure
# is 0 (perftest prints 0.00 when its clock calibration fails, "r^2 < 0.9",
# which happens under TCG on a loaded host).  Rows start with the byte
# count; bw rows: bytes iters peak avg Mpps; lat rows: bytes iters min max
# typical avg ...
row() {
	local lat=0
	case $1 in *_lat) lat=1 ;; esac
	awk -v s="$2" -v lat=$lat '
		$1 == s && ((lat && NF >= 6 && $6 > 0) ||
			    (!lat && NF >= 5 && $4 > 0))
		' /tmp/perf.client | tail -1
}

# one tool size iters: run server + client, parse the client's result line.
# A client that races a slow server can leave that server stuck on a
# half-made connection, so each retry restarts the pair on a fresh port.
one() {
	local tool=$1 size=$2 iters=$(($3 / DIV)) port attempt server line=
	[ $iters -ge 10 ] || iters=10
	for attempt in 1 2 3; do
		port=$PORT
		PORT=$((PORT + 1))
		echo "=== $tool -d $IBDEV -R -s $size -n $iters ($IP:$port, try $attempt)"
		timeout 300 $tool -d "$IBDEV" -R -F -p $port -s $size \
			-n $iters >/tmp/perf.server 2>&1 &
		server=$!
		sleep 2
		listening $port
		timeout 300 $tool -d "$IBDEV" -R -F -p $port -s $size \
			-n $iters "$IP" >/tmp/perf.client 2>&1
		cat /tmp/perf.client
		line=$(row $tool $size)
		if [ -n "$line" ]; then
			wait $server
			break
		fi
		echo "(try $attempt gave no figure; restarting the server)"
		kill $server 2>/dev/null
		wait $server
	done
	if [ -z "$line" ]; then
		failed+=("$tool/$size")
		return
	fi
	case $tool in
	*_lat) echo "$line" | awk -v d=$IBDEV -v t=$tool \
		'{ printf "PERF %s %s %s - - %s\n", d, t, $1, $6 }' ;;
	*) echo "$line" | awk -v d=$IBDEV -v t=$tool \
		'{ printf "PERF %s %s %s %s %s -\n", d, t, $1, $4, $5 }' ;;
	esac | tee -a "$TSV"
}

one ib_send_bw 4096 20000
for tool in ib_write_bw ib_read_bw; do
	one $tool 4096 20000
	one $tool 65536 2000
	one $tool 1048576 200
done
one ib_send_lat 4096 2000

echo "--- summary ($TSV): device tool bytes MB/s Mmsg/s usec"
cat "$TSV"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAIL: no figure from ${failed[*]}"
	exit 1
fi
echo "OK: $(wc -l <"$TSV") perftest figures for $IBDEV"

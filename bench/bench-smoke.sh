#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Smoke test of xr_fabric_bench: run it with tiny sizes on the ofi backend
# over loopback and check that it printed the whole table with a fabric
# figure on every row and a TCP figure beside the bandwidth rows.  Not a
# timing test: the numbers themselves are not judged.
set -u
bench=$1
out=$("$bench" --backend ofi --provider tcp --addr 127.0.0.1 --port 0 \
	--role both --small --seconds 0.2)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "bench exited $rc" >&2; exit 1; }
rows=$(printf '%s\n' "$out" | grep -cE \
	'^(send/recv rate|rdma write bw|rdma read bw|round trip) +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ ')
[ "$rows" -eq 9 ] || { echo "expected 9 table rows with figures, got $rows" >&2; exit 1; }
exit 0

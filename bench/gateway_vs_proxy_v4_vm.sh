#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Benchmark (not a ctest test, not in the vm tier's list): the RDMA_PROXY
# gateway against Debian's FSAL_PROXY_V4 on REAL verbs, in the vm tier's
# qemu guest (tests/vm/), on rxe and on siw.
#
#   bench/gateway_vs_proxy_v4_vm.sh [BUILD_DIR]   (default: build-vmbench)
#
# Builds nfs41 and libfsalrdma_proxy.so in BUILD_DIR (configured when it
# has no cache yet), writes a one-line test list running
# tests/vm/guest/gateway_bench.sh, and boots the VM once with
# tests/vm/run-vm-tests.sh on each device.  In the guest ONE Linux kernel
# NFS server (tmpfs export, TCP 2049 and rdma 20049) serves both gateways
# side by side: proxy_v4 over TCP, rdma_proxy over RPC-over-RDMA on the
# device; nfs41 drives each (see gateway_bench.sh for the cells, the CPU
# and RDMA_PROXY figures).  Prints one table per device.
#
# Env: ROUNDS (3), DURATION seconds per run (3), FILE_SIZE (32M),
# STREAMS (1,4,16), DEVS (rxe,siw), MODES (read,write,meta: the cells),
# PROFILE (1: a perf pass after the rounds), OUT (/tmp/gwbench-vm-DATE; the VM's run directory is OUT/run),
# GR_VM_* as for run-vm-tests.sh (GR_VM_MEM defaults to 3G there).
# Exit 0 when every device's run completed with both gateways up, the data
# checks held and no run failed; 1 otherwise (the reason is printed); 77
# when the VM cannot run here.  Speeds are never judged.
{ # parse the whole script before running it: safe to edit while it runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${1:-$src/build-vmbench}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
FILE_SIZE=${FILE_SIZE:-32M}
STREAMS=${STREAMS:-1,4,16}
DEVS=${DEVS:-rxe,siw}
PROFILE=${PROFILE:-1}
MODES=${MODES:-read,write,meta}
OUT=${OUT:-/tmp/gwbench-vm-$(date +%Y%m%d-%H%M%S)}

die() {
	echo "gateway_vs_proxy_v4_vm.sh: FAIL: $*" >&2
	exit 1
}
for v in ROUNDS DURATION; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
[[ $STREAMS =~ ^[0-9]+(,[0-9]+)*$ ]] || die "STREAMS must be like 1,4,16 (got '$STREAMS')"
[[ $FILE_SIZE =~ ^[0-9]+[KMG]?$ ]] || die "FILE_SIZE must be like 32M (got '$FILE_SIZE')"
[[ $MODES =~ ^(read|write|meta)(,(read|write|meta))*$ ]] || die "MODES must be like read,write,meta (got '$MODES')"

echo "=== building nfs41 and libfsalrdma_proxy.so in $build"
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT.cmake.log" 2>&1 ||
		die "cmake configure failed, see $OUT.cmake.log"
fi
cmake --build "$build" -j2 --target nfs41 fsalrdma_proxy >"$OUT.build.log" 2>&1 ||
	die "build failed, see $OUT.build.log"
build=$(cd "$build" && pwd)
[ -x "$build/src/cli/nfs41" ] || die "nfs41 not built in $build"
[ -f "$build/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so" ] ||
	die "libfsalrdma_proxy.so not built in $build (Ganesha SDK missing?)"
rm -f "$OUT.cmake.log" "$OUT.build.log"

mkdir -p "$OUT" || die "cannot create $OUT"
# What was measured: the binaries come from the working tree, which other
# work may have changed since the last commit.
{
	echo "source: $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
		"built $(date -u -r "$build/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so" '+%Y-%m-%d %H:%M UTC')"
	git -C "$src" status --short -- src 2>/dev/null | sed 's/^/  uncommitted: /'
} | tee "$OUT/build-info.txt"
# Per device: the rounds (2 gateways x 3 modes x the stream counts), the
# data checks and the perf pass, with a wide margin for a loaded host.
nstreams=$(echo "${STREAMS//,/ }" | wc -w)
nmodes=$(echo "${MODES//,/ }" | wc -w)
per_dev=$((ROUNDS * 2 * nmodes * nstreams * (DURATION + 12) + 300 + PROFILE * 2 * nmodes * (DURATION + 20)))
list=$OUT/gwbench.list
cat >"$list" <<LIST
# SPDX-License-Identifier: LGPL-3.0-or-later
# written by bench/gateway_vs_proxy_v4_vm.sh: name timeout on-skip command
gwbench $per_dev fail @SRC@/tests/vm/guest/gateway_bench.sh @IBDEV@ @IP@ @BUILD@ @OUT@ $ROUNDS $DURATION $FILE_SIZE $STREAMS $PROFILE $MODES
LIST
ndev=$(echo "${DEVS//,/ }" | wc -w)
limit=$((ndev * (per_dev + 60) + 300))

echo "=== booting the VM: devices $DEVS, $ROUNDS rounds x ${DURATION}s, file $FILE_SIZE, streams $STREAMS, modes $MODES, limit ${limit}s"
rc=0
"$src/tests/vm/run-vm-tests.sh" --build "$build" --out "$OUT/run" --tests "$list" \
	--devs "$DEVS" --timeout "$limit" || rc=$?
[ $rc = 77 ] && { echo "gateway_vs_proxy_v4_vm.sh: SKIP: the VM cannot run here (see above)"; exit 77; }

bad=0
res=$OUT/run/results.txt
for d in ${DEVS//,/ }; do
	echo
	echo "=================== $d ==================="
	line=$(grep "^GRVM-RESULT gwbench $d " "$res" 2>/dev/null || true)
	tab=$OUT/run/gwbench-${d}0/table.txt
	[ -s "$tab" ] && cat "$tab"
	case $line in
	*" PASS "*) ;;
	"") echo "*** $d: no result (the guest did not finish; see $OUT/run/console.log)"; bad=1 ;;
	*) echo "*** $d: ${line#GRVM-RESULT gwbench }"
	   echo "*** log: $OUT/run/logs/gwbench.$d.log"; bad=1 ;;
	esac
	[ -s "$OUT/run/gwbench-${d}0/profile.txt" ] &&
		echo "(perf profile: $OUT/run/gwbench-${d}0/profile.txt)"
done
echo
echo "figures: $OUT/run/gwbench-<dev>/{raw.csv,summary.csv,table.txt,profile.txt}; VM: $(head -1 "$OUT/run/run-info.txt" 2>/dev/null)"
[ $bad = 0 ] || die "a device's benchmark did not complete cleanly (see above)"
[ $rc = 0 ] || die "run-vm-tests.sh exited $rc"
exit 0
}

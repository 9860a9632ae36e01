#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The server benchmarks of bench/ on real verbs, in the vm tier's qemu
# guest (tests/vm/), on rxe and siw: per-RPC costs of our ganesha.nfsd over
# RPC-over-RDMA (verbs) against the same daemon over TCP
# (bench/per_rpc.sh --part server) and its CPU per MiB moved
# (bench/ganesha_cpu_per_mib.sh --no-callgrind: the image has no
# valgrind).  Both run in the guest with GB_FABRIC=verbs and GB_ADDR set to
# the device's address (bench/ganesha_bench_lib.sh).  The gateway's side in
# the VM is bench/gateway_vs_proxy_v4_vm.sh.
#
#   flock /work/wt/vm.lock bench/bench_vm.sh [BUILD_DIR]   (default build)
#   env: DEVS (rxe,siw), ROUNDS (3), SECONDS_PER_RUN (3), STREAMS ("1 16"),
#        MB (128: MiB per CPU-per-MiB transfer), OUT (/tmp/bench-vm-DATE),
#        GR_VM_* as for tests/vm/run-vm-tests.sh
# Prints each device's tables; exit 1 when a run failed, 77 when the VM
# cannot run here.  Not in ctest nor in the vm tier's list.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd) || exit 1
DEVS=${DEVS:-rxe,siw}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
STREAMS=${STREAMS:-1 16}
MB=${MB:-128}
OUT=${OUT:-/tmp/bench-vm-$(date +%Y%m%d-%H%M%S)}
for v in ROUNDS SECONDS_PER_RUN MB; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ $STREAMS =~ ^[0-9]+( [0-9]+)*$ ]] || { echo "STREAMS must be like \"1 16\"" >&2; exit 2; }
mkdir -p "$OUT" || exit 1
nstreams=$(echo "$STREAMS" | wc -w)
# 2 sides x 2 modes x streams x (rounds + a syscall pass), 30 s of
# overhead each on a guest under tcg (siw needed more than 15), plus
# start-up.
tmo=$((4 * nstreams * (ROUNDS + 1) * (SECONDS_PER_RUN + 30) + 300))
env="/usr/bin/env GB_FABRIC=verbs GB_ADDR=@IP@"
cat >"$OUT/bench.list" <<LIST
# SPDX-License-Identifier: LGPL-3.0-or-later
# written by bench/bench_vm.sh: name timeout on-skip command
per_rpc $tmo fail $env @SRC@/bench/per_rpc.sh --build @BUILD@ --part server --rounds $ROUNDS --seconds $SECONDS_PER_RUN --streams "$STREAMS" --out @OUT@/per_rpc-@DEV@
cpu_per_mib 900 fail $env @SRC@/bench/ganesha_cpu_per_mib.sh --build @BUILD@ --no-callgrind --mb $MB
LIST
echo "source $(git -C "$src" rev-parse --short HEAD), build $build; devices $DEVS"
rc=0
"$src/tests/vm/run-vm-tests.sh" --build "$build" --src "$src" --out "$OUT/run" \
	--tests "$OUT/bench.list" --devs "$DEVS" \
	--timeout $(((tmo + 960) * 2 + 600)) || rc=$?
[ $rc = 77 ] && { echo "bench_vm.sh: SKIP: the VM cannot run here"; exit 77; }
for d in ${DEVS//,/ }; do
	for t in per_rpc cpu_per_mib; do
		echo
		echo "=================== $d: $t ==================="
		log=$OUT/run/logs/$t.$d.log
		if [ -f "$log" ]; then
			# The tables, without the per-run progress lines.
			grep -vE '^  (server|gateway) ' "$log"
		else
			echo "*** no log: $log"
			rc=1
		fi
	done
done
grep '^GRVM-RESULT' "$OUT/run/results.txt" 2>/dev/null
grep -q '^GRVM-RESULT.* FAIL ' "$OUT/run/results.txt" 2>/dev/null && rc=1
exit $rc

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Host side of the vm test tier: boot the cached Debian VM once and run the
# guest test list on real kernel RDMA (rxe, then siw).  Two guests: bookworm
# (Debian 12, kernel 6.1, Ganesha 4.3; the default) for a build made against
# the Ganesha 4.3 SDK, trixie (Debian 13, kernel 6.12, Ganesha 6.5) for one
# made against 6.5 (build-deb13/ on a Debian 12 host).
#
# How this works: build-image.sh makes or reuses the image (it rebuilds when
# its inputs changed).  This script prepares a run directory (run.conf,
# tests.list), picks the accelerator (KVM when a short probe boot reaches the
# guest init, else TCG; the probe's verdict is cached per host kernel), and
# boots qemu with the disk as a throw-away snapshot and three virtio-9p
# shares: the run directory read-write, the source and build trees read-only
# at the same paths as on the host.  Sharing (rather than copying binaries
# into the image) means a rebuild is visible in the next run at no cost and
# the image never depends on the build.  The guest (guest-init.sh) writes
# results.txt, logs/ and perftest figures into the run directory and powers
# off; qemu runs under a wall-clock limit.  Network: slirp with restrict=on
# only (the guest reaches nothing outside the VM).
#
# Usage: run-vm-tests.sh [options]
#   --build DIR    build tree to share (default: the cmake build dir, $PWD)
#   --src DIR      source tree to share (default: this script's repository)
#   --out DIR      run directory (default DIR_OF_BUILD/tests/vm/run); emptied
#   --tests FILE   test list (default tests/vm/guest-tests.list, or
#                  guest-tests-trixie.list with --suite trixie)
#   --suite S      bookworm (default) | trixie: the guest (build-image.sh)
#   --devs LIST    rxe,siw (default) | rxe | siw | none
#   --netdev NAME  eth0 (default) or lo (siw only; rxe stays on eth0)
#   --accel A      auto (default) | kvm | tcg
#   --timeout S    wall-clock limit for the VM run (default 3600)
#   --shell        interactive: root shell on the console after the tests
#   --fixture      exit 0 whenever results were collected (even with FAILs):
#                  for the ctest fixture; the per-test checks judge each line
#   --cache DIR    image cache (default ${GR_VM_CACHE:-/var/cache/ganesha-rdma/vm},
#                  with -trixie appended for trixie)
# Env: GR_VM_ACCEL, GR_VM_TIMEOUT, GR_VM_SMP (2), GR_VM_MEM (3G),
#      GR_VM_KVM_PROBE_TIMEOUT (60) as defaults for the options above.
# Exit: 0 every test passed (or skipped); 1 a test failed or a result is
#       missing; 77 the VM cannot run here (reason printed, and written to
#       <out>/skip-reason).
{ # parse the whole script before running it: safe to edit while it runs
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/../.." && pwd)"
BUILD="$PWD"
OUT=
TESTS=
SUITE=bookworm
DEVS=rxe,siw
NETDEV=eth0
ACCEL=${GR_VM_ACCEL:-auto}
TIMEOUT=${GR_VM_TIMEOUT:-3600}
SHELL_AFTER=0
FIXTURE=0
CACHE=
SMP=${GR_VM_SMP:-2}
MEM=${GR_VM_MEM:-3G}
PROBE_TIMEOUT=${GR_VM_KVM_PROBE_TIMEOUT:-60}

while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
	--src) SRC="$(cd "$2" && pwd)"; shift 2 ;;
	--out) OUT="$2"; shift 2 ;;
	--tests) TESTS="$2"; shift 2 ;;
	--devs) DEVS="$2"; shift 2 ;;
	--netdev) NETDEV="$2"; shift 2 ;;
	--accel) ACCEL="$2"; shift 2 ;;
	--timeout) TIMEOUT="$2"; shift 2 ;;
	--shell) SHELL_AFTER=1; shift ;;
	--fixture) FIXTURE=1; shift ;;
	--cache) CACHE="$2"; shift 2 ;;
	--suite) SUITE="$2"; shift 2 ;;
	*) echo "run-vm-tests.sh: unknown argument $1" >&2; exit 1 ;;
	esac
done
OUT="${OUT:-$BUILD/tests/vm/run}"
case "$SUITE" in
bookworm) TESTS=${TESTS:-$HERE/guest-tests.list}
	CACHE=${CACHE:-${GR_VM_CACHE:-/var/cache/ganesha-rdma/vm}} ;;
trixie) TESTS=${TESTS:-$HERE/guest-tests-trixie.list}
	CACHE=${CACHE:-${GR_VM_CACHE:-/var/cache/ganesha-rdma/vm}-trixie} ;;
*) echo "run-vm-tests.sh: unknown suite $SUITE (bookworm|trixie)" >&2; exit 1 ;;
esac
say() { echo "=== [grvm $(date +%T)] $*"; }

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# Keep only what this run produces, so no stale line can pass a check; but
# never empty a directory this script did not create.
if [ -n "$(ls -A "$OUT")" ] && [ ! -e "$OUT/.grvm-run" ]; then
	echo "run-vm-tests.sh: $OUT is not empty and not a run directory" >&2
	exit 1
fi
rm -rf "${OUT:?}"/* "$OUT"/.grvm-run
touch "$OUT/.grvm-run"
skip() {
	echo "run-vm-tests.sh: SKIP: $*" | tee "$OUT/skip-reason" >&2
	exit 77
}

# ------------------------------------------------------------------ image
T_ALL=$(date +%s)
"$HERE/build-image.sh" --suite "$SUITE" --cache "$CACHE" 2>&1 | tee "$OUT/image-build.log"
rc=${PIPESTATUS[0]}
case $rc in
0) ;;
77) skip "VM image unavailable: $(grep 'SKIP:' "$OUT/image-build.log" | tail -1)" ;;
*) echo "run-vm-tests.sh: image build failed (rc=$rc), see $OUT/image-build.log" >&2
	exit 1 ;;
esac
IMAGE_SECS=$(($(date +%s) - T_ALL))
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"

# ------------------------------------------------------------- run config
cat >"$OUT/run.conf" <<CONF
GRVM_SRC=$SRC
GRVM_BUILD=$BUILD
GRVM_DEVS=$DEVS
GRVM_NETDEV=$NETDEV
GRVM_SHELL=$SHELL_AFTER
CONF
cp "$TESTS" "$OUT/tests.list" || exit 1

qemu_cmd() { # accel append-extra...: print the argv, one per line
	local accel=$1 cpu=max
	shift
	[ "$accel" = kvm ] && cpu=host
	[ "$accel" = tcg ] && accel=tcg,thread=multi
	printf '%s\n' qemu-system-x86_64 -accel "$accel" -cpu $cpu \
		-smp "$SMP" -m "$MEM" -display none -monitor none \
		-serial stdio -no-reboot \
		-kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 loglevel=4 net.ifnames=0 init=/sbin/grvm-init $*" \
		-drive "file=$CACHE/disk.img,format=raw,if=virtio,cache=unsafe" \
		-snapshot \
		-netdev user,id=n0,restrict=on \
		-device virtio-net-pci,netdev=n0 \
		-virtfs "local,path=$OUT,mount_tag=grout,security_model=none,multidevs=remap" \
		-virtfs "local,path=$SRC,mount_tag=grsrc,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$BUILD,mount_tag=grbuild,security_model=none,readonly=on,multidevs=remap"
}

# Run qemu in the background under a wall-clock limit: run_limited LIMIT
# LOG argv...; sets QEMU_PID (the timeout(1) process).  timeout(1) puts
# itself in its own process group, so a signal to ours would miss it: the
# trap forwards INT/TERM, and --pdeathsig kills timeout and then qemu if this
# script dies by SIGKILL (ctest's timeout), so no VM outlives its runner.
QEMU_PID=
stop_qemu() {
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
	return 0
}
trap stop_qemu EXIT
trap 'stop_qemu; exit 1' INT TERM
run_limited() {
	local limit=$1 log=$2
	shift 2
	setpriv --pdeathsig KILL timeout -k 10 "$limit" \
		setpriv --pdeathsig KILL "$@" </dev/null >"$log" 2>&1 &
	QEMU_PID=$!
}

# --------------------------------------------------------- accelerator
# /dev/kvm may exist and still not boot a kernel (nested virtualisation):
# boot once with grvm.mode=probe and look for the init's line.  The verdict
# is cached per host kernel so the probe's cost is paid once.
if [ "$ACCEL" = auto ]; then
	verdict="$CACHE/kvm-probe.$(uname -r)"
	if [ -s "$verdict" ]; then
		ACCEL=$(cat "$verdict")
		say "accelerator $ACCEL (cached probe verdict $verdict)"
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		say "probing KVM (limit ${PROBE_TIMEOUT}s)"
		t0=$(date +%s)
		mapfile -t cmd < <(qemu_cmd kvm grvm.mode=probe)
		run_limited "$PROBE_TIMEOUT" "$OUT/kvm-probe.log" "${cmd[@]}"
		wait $QEMU_PID
		QEMU_PID=
		if grep -aq GRVM-PROBE-OK "$OUT/kvm-probe.log"; then
			ACCEL=kvm
		else
			ACCEL=tcg
			tail -3 "$OUT/kvm-probe.log"
		fi
		echo $ACCEL >"$verdict"
		say "KVM probe took $(($(date +%s) - t0))s: using $ACCEL"
	else
		ACCEL=tcg
		say "no usable /dev/kvm: using TCG"
	fi
fi

# ------------------------------------------------------------------- boot
mapfile -t cmd < <(qemu_cmd "$ACCEL")
say "booting ($ACCEL, devices $DEVS, limit ${TIMEOUT}s); console: $OUT/console.log"
T_VM=$(date +%s)
if [ "$SHELL_AFTER" = 1 ]; then
	"${cmd[@]}" 2>&1 | tee "$OUT/console.log"
	qemu_rc=${PIPESTATUS[0]}
else
	run_limited "$TIMEOUT" "$OUT/console.log" "${cmd[@]}"
	tail -n +1 -f --pid=$QEMU_PID "$OUT/console.log" |
		grep --line-buffered -aE '^GRVM-(RESULT|INFO|ERROR|DONE)|Kernel panic|BUG:|Oops' &
	wait $QEMU_PID
	qemu_rc=$?
	QEMU_PID=
	wait
fi
VM_SECS=$(($(date +%s) - T_VM))
[ $qemu_rc = 124 ] && echo "run-vm-tests.sh: wall-clock limit ${TIMEOUT}s hit, VM killed"

# ---------------------------------------------------------------- report
RES="$OUT/results.txt"
if [ ! -s "$RES" ]; then
	# No share output at all: fall back to the console's lines.
	grep -a '^GRVM-\(RESULT\|DONE\)' "$OUT/console.log" | tr -d '\r' >"$RES"
fi
{
	echo "accel=$ACCEL vm_seconds=$VM_SECS image_seconds=$IMAGE_SECS qemu_rc=$qemu_rc"
	echo "suite=$SUITE kernel=$(cat "$CACHE/kver" 2>/dev/null) devs=$DEVS netdev=$NETDEV"
} >"$OUT/run-info.txt"

echo
say "results ($RES):"
grep '^GRVM-RESULT' "$RES" | cut -d' ' -f2- |
	awk '{ d = ""; for (i = 5; i <= NF; i++) d = d " " $i
	       printf "  %-10s %-4s %-4s %7ss %s\n", $1, $2, $3, $4, d }'
if compgen -G "$OUT/perftest.*.tsv" >/dev/null ||
	compgen -G "$OUT/logs/bench.*.log" >/dev/null ||
	compgen -G "$OUT/nfsbench.*.tsv" >/dev/null; then
	if compgen -G "$OUT/perftest.*.tsv" >/dev/null; then
		say "perftest figures (device tool bytes MB/s Mmsg/s usec):"
		cat "$OUT"/perftest.*.tsv
	fi
	for f in "$OUT"/logs/bench.*.log; do
		[ -e "$f" ] || continue
		say "xr_fabric_bench on ${f#*bench.}:"
		cat "$f"
	done
	say "side by side (compare.sh):"
	"$HERE/compare.sh" "$OUT"
fi
say "image step ${IMAGE_SECS}s, VM run ${VM_SECS}s under $ACCEL, total $(($(date +%s) - T_ALL))s"

complete=0
grep -q '^GRVM-DONE' "$RES" && complete=1
[ $complete = 1 ] || echo "run-vm-tests.sh: the guest did not finish; see $OUT/console.log"
nfail=$(grep -c '^GRVM-RESULT [^ ]* [^ ]* FAIL' "$RES")
nres=$(grep -c '^GRVM-RESULT' "$RES")
if [ "$FIXTURE" = 1 ]; then
	[ "$nres" -gt 0 ] && exit 0
	echo "run-vm-tests.sh: no results at all" >&2
	exit 1
fi
[ $complete = 1 ] && [ "$nfail" = 0 ] && [ "$nres" -gt 0 ] && exit 0
exit 1
}

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The project's test command (README, .ci/run): installs what is missing,
# then builds and tests four configurations side by side:
#   build/        gcc, -Werror: unit, integration, fuzz (seed replay), vm,
#                 packaging (the .debs installed into a fresh root of the
#                 same Debian release)
#   build-clang/  clang, -Werror, libFuzzer: fuzz tier for GR_FUZZ_SECONDS
#   build-asan/   gcc + ASan/UBSan: unit, integration, fuzz (seed replay)
#   build-deb13/  stage deb13: the same tree built inside a Debian 13 root
#                 (tools/deb13-root.sh, cached) with gcc 14 and the Ganesha
#                 6.5 SDK; unit and integration (less GR_DEB13_EXCLUDE)
#                 against Debian 13's ganesha.nfsd 6.5, packaging (the
#                 Debian 13 .debs in a fresh Debian 13 root) and
#                 tools/demo.sh (GR_TIERS_SKIP=demo leaves it out), a clang 19
#                 libFuzzer build (build-deb13-clang/, seeds and a few
#                 seconds per target) - the same test
#                 scripts as above, run by tools/in-deb13.sh - and vm (the
#                 Debian 13 guest, kernel 6.12, booted from this host); only
#                 on a Debian 12 machine (on 13, build/ is the Debian 13 build)
# Every ctest run's summary is added up into one closing line.
#
# Usage: tools/test.sh [BUILD_DIR...]   only these of the four (default: all)
# Env: GR_TIERS_SKIP="vm fuzz"   leave tiers (or the stage deb13) out
#      GR_DEB13_EXCLUDE=REGEX    integration tests the deb13 stage leaves
#                                out (default: see deb13_exclude below;
#                                '^$' runs them all)
#      GR_FUZZ_SECONDS=20        libFuzzer time per target (14 targets, two at
#                                once: ~2.5 min; 60 s took ~7 min)
#      GR_DEB13_FUZZ_SECONDS=2   the same in the deb13 stage's clang build
#      GR_JOBS=2                 parallel build jobs
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=${GR_JOBS:-2}
export GR_FUZZ_SECONDS=${GR_FUZZ_SECONDS:-20}
logdir=$top/build-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0 broken=0

skipped_tier() { case " ${GR_TIERS_SKIP:-} " in *" $1 "*) return 0;; esac; return 1; }

# The deb13 stage sets these: commands run through tools/in-deb13.sh, and
# make goes on past a failed target (-k) so what builds is still tested.
runner=()
keep_going=0

build() { # dir cmake-args...
	local dir=$1 k=() t0=$SECONDS
	shift
	[ $keep_going = 0 ] || k=(-- -k)
	echo "=== configure+build $dir ($*)"
	if ! "${runner[@]}" cmake -S "$top" -B "$top/$dir" "$@" \
		>"$logdir/$dir.cmake.log" 2>&1; then
		tail -n 60 "$logdir/$dir.cmake.log"
		echo "BUILD FAILED: $dir (configure)"
		broken=1
		return 1
	fi
	if ! "${runner[@]}" cmake --build "$top/$dir" -j"$jobs" "${k[@]}" \
		>"$logdir/$dir.build.log" 2>&1; then
		broken=1
		if [ $keep_going = 0 ]; then
			tail -n 60 "$logdir/$dir.build.log"
			echo "BUILD FAILED: $dir"
			return 1
		fi
		grep -E ' error: |\*\*\* \[' "$logdir/$dir.build.log" | head -20
		echo "BUILD INCOMPLETE: $dir - targets that failed:" $(sed -nE \
			's/^g?make\[[0-9]+\]: \*\*\* \[([^]]+)\.dir\/.*/\1/p' \
			"$logdir/$dir.build.log" | sed 's|.*CMakeFiles/||' | sort -u)
		echo "  (the tests of what built run below; log $logdir/$dir.build.log)"
	fi
	echo "    $dir: $((SECONDS - t0)) s"
}

run_tier() { # dir label [ctest-jobs [ctest-args...]]
	local dir=$1 label=$2 par=${3:-1} log n fail skip t0=$SECONDS
	shift 3 2>/dev/null || shift $#
	skipped_tier "$label" && { echo "=== $dir: tier $label left out (GR_TIERS_SKIP)"; return; }
	log=$logdir/$dir.$label${log_tag:+.$log_tag}.log
	echo "=== ctest $dir -L $label $*"
	"${runner[@]}" ctest --test-dir "$top/$dir" -L "^$label\$" \
		--output-on-failure -j"$par" --no-tests=ignore "$@" 2>&1 |
		tee "$log" | grep -E \
		'Test +#|tests passed|Skipped|SKIP:|FAIL|passed, [0-9]+ failed'
	# Skipped tests say why in their last line of output, which ctest
	# keeps in LastTest.log.
	grep -oE 'Test +#[0-9]+: [^ ]+ \.+\*\*\*Skipped' "$log" |
		awk '{ print $3 }' | while read -r name; do
		awk -v t="$name" '
			$0 ~ "Testing: " t "$" { inside = 1 }
			inside && /^<end of output>/ { print "    SKIP " t ": " last; exit }
			inside && NF { last = $0 }' \
			"$top/$dir"/Testing/Temporary/LastTest*.log
	done
	echo "    $dir $label: $((SECONDS - t0)) s"
	n=$(sed -nE 's/.*tests failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
	fail=$(sed -nE 's/.* ([0-9]+) tests failed out of.*/\1/p' "$log" | tail -1)
	skip=$(grep -c '\*\*\*Skipped' "$log")
	if [ -z "$n" ]; then
		if grep -q 'No tests were found' "$log"; then
			return
		fi
		echo "ctest produced no summary for $dir/$label"
		broken=1
		return
	fi
	total_pass=$((total_pass + n - fail - skip))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
}

echo "=== install dependencies"
bash "$top/tools/install-deps.sh" || { echo "install-deps failed"; exit 1; }

# Arguments name the build directories to make and test (default: all):
# "bash tools/test.sh build-deb13" runs the Debian 13 stage alone.
wanted() { [ ${#stages[@]} = 0 ] || [[ " ${stages[*]} " == *" $1 "* ]]; }
stages=("$@")

if wanted build && build build -DCMAKE_C_COMPILER=gcc; then
	for t in unit integration fuzz vm packaging; do run_tier build $t; done
fi
if wanted build-clang && build build-clang -DCMAKE_C_COMPILER=clang -DGR_FUZZ=ON \
	-DGR_FUZZ_SECONDS="$GR_FUZZ_SECONDS"; then
	# libFuzzer targets are single-threaded, in-process and time-boxed:
	# two at once fill the two cores and halve the tier's time.
	run_tier build-clang fuzz 2
fi
if wanted build-asan && build build-asan -DCMAKE_C_COMPILER=gcc -DGR_SANITIZE=ON; then
	for t in unit integration fuzz; do run_tier build-asan $t; done
fi

# Debian 13: the same integration tests as build/ above except
# gateway.proxy_v4 (Debian's own FSAL_PROXY_V4 as the harness's baseline,
# the longest test: 245 s), and gateway.basic with a 64 MiB big file
# instead of 300 (figures and reasons: docs/architecture.md, "Two
# targets in CI").
# ganesha.scale256 and ganesha.connect_cycles run here too since the ofi
# fabric shares one CQ among its endpoints (docs/architecture.md "How ofi
# waits"): with a CQ wait fd per endpoint nested in one epoll set,
# libfabric 2.1 refused connections past ~50.
# soak.short runs here in its each-kind form (GR_SOAK_FORM=each-kind:
# every fault kind once, about half the time of the 120 s form, for CI
# time); its disk-full fault fills an ext4 on a loop device (6.5's
# FSAL_VFS exports no tmpfs).  The 120 s form by hand: docs/soak.md.
deb13_exclude=${GR_DEB13_EXCLUDE:-'^gateway\.proxy_v4$'}
deb13_stage() {
	local rc=0 t0 t1
	if skipped_tier deb13; then
		echo "=== deb13: stage left out (GR_TIERS_SKIP)"
		return
	fi
	# On Debian 13 itself build/ above is the Debian 13 build already.
	if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" != bookworm ]; then
		echo "=== deb13: stage not needed (this machine is not Debian 12)"
		return
	fi
	t0=$(date +%s)
	echo "=== deb13: Debian 13 root (tools/deb13-root.sh)"
	"$top/tools/deb13-root.sh" >"$logdir/deb13-root.log" 2>&1 || rc=$?
	if [ $rc = 77 ]; then
		echo "    SKIP deb13: $(tail -n 1 "$logdir/deb13-root.log")"
		total_skip=$((total_skip + 1))
		return
	elif [ $rc != 0 ]; then
		tail -n 30 "$logdir/deb13-root.log"
		echo "DEB13 ROOT FAILED (log $logdir/deb13-root.log)"
		broken=1
		return
	fi
	runner=("$top/tools/in-deb13.sh")
	keep_going=1
	build build-deb13 -DCMAKE_C_COMPILER=gcc
	run_tier build-deb13 unit
	GW_BIG_MIB=${GW_BIG_MIB:-64} GR_SOAK_FORM=${GR_SOAK_FORM:-each-kind} \
		GR_DEB13_ENV="GW_BIG_MIB GR_SOAK_FORM" \
		run_tier build-deb13 integration 1 -E "$deb13_exclude"
	# The Debian 13 .debs, installed into a fresh Debian 13 root: the
	# test copies the tree's tracked files (git's common directory bound
	# in) and caches that root on the host; its scratch directory goes to
	# the root's /tmp, which is on disk (the overlay has no file handles).
	mkdir -p /var/cache/ganesha-rdma/pkgroot
	GR_PKG_TMP=/tmp GR_DEB13_ENV="GR_PKG_TMP" GR_DEB13_BIND="$(git -C "$top" \
		rev-parse --path-format=absolute --git-common-dir 2>/dev/null):/var/cache/ganesha-rdma/pkgroot" \
		run_tier build-deb13 packaging
	# The README's main command on Debian 13: backend ganesha.nfsd 6.5
	# over RDMA, the gateway, a client's I/O checked byte for byte (the
	# stage's build-deb13/, as configured; 16-40 s). Packaging above: 57 s.
	if ! skipped_tier demo; then
		echo "=== deb13: tools/demo.sh"
		t1=$SECONDS
		if "${runner[@]}" bash "$top/tools/demo.sh" >"$logdir/deb13-demo.log" 2>&1; then
			total_pass=$((total_pass + 1))
			echo "    deb13 demo passed: $((SECONDS - t1)) s"
		else
			tail -n 30 "$logdir/deb13-demo.log"
			echo "    FAIL deb13 demo (log $logdir/deb13-demo.log)"
			total_fail=$((total_fail + 1))
		fi
	fi
	# clang 19 with libFuzzer, GR_DEB13_FUZZ_SECONDS (2) per target: the
	# tree under Debian 13's clang -Werror and its UBSan, and every seed
	# replayed - clang 19 stopped two targets at their first input where
	# Debian 12's clang 14 did not (21fbfcc). Build and targets ~60 s.
	if ! skipped_tier fuzz &&
		build build-deb13-clang -DCMAKE_C_COMPILER=clang -DGR_FUZZ=ON \
			-DGR_FUZZ_SECONDS="${GR_DEB13_FUZZ_SECONDS:-2}"; then
		run_tier build-deb13-clang fuzz 2
	fi
	runner=()
	keep_going=0
	# The vm tier of build-deb13/ boots the Debian 13 guest (kernel 6.12,
	# Ganesha 6.5; tests/vm/guest-tests-trixie.list) with qemu on this host,
	# not in the root: ctest reads build-deb13/'s test files as they are.
	run_tier build-deb13 vm
	# ganesha.abi_refusal has two halves, each run by the daemon of one
	# platform with the other platform's build: in build/ above it skipped
	# (no build-deb13/ yet in a fresh clone); now the Debian 12 daemon can
	# be handed the Debian 13 build.
	if wanted build && [ -d "$top/build-deb13" ]; then
		log_tag=abi run_tier build integration 1 -R '^ganesha\.abi_refusal$'
	fi
	echo "=== deb13: $(($(date +%s) - t0)) s"
}
! wanted build-deb13 || deb13_stage

echo
echo "logs: $logdir"
[ $broken = 0 ] || total_fail=$((total_fail + 1))
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail = 0 ]

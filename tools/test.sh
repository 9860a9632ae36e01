#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The project's test command (README, .ci/run): installs what is missing,
# then builds and tests four configurations side by side:
#   build/        gcc, -Werror: unit, integration, fuzz (seed replay), vm,
#                 packaging (the .debs installed into a Debian 12 root)
#   build-clang/  clang, -Werror, libFuzzer: fuzz tier for GR_FUZZ_SECONDS
#   build-asan/   gcc + ASan/UBSan: unit, integration, fuzz (seed replay)
# Every ctest run's summary is added up into one closing line.
#
# Env: GR_TIERS_SKIP="vm fuzz"   leave tiers out (default: none)
#      GR_FUZZ_SECONDS=60        libFuzzer time per target
#      GR_JOBS=2                 parallel build jobs
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=${GR_JOBS:-2}
export GR_FUZZ_SECONDS=${GR_FUZZ_SECONDS:-60}
logdir=$top/build-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 total_skip=0 broken=0

skipped_tier() { case " ${GR_TIERS_SKIP:-} " in *" $1 "*) return 0;; esac; return 1; }

build() { # dir cmake-args...
	local dir=$1
	shift
	echo "=== configure+build $dir ($*)"
	if ! cmake -S "$top" -B "$top/$dir" "$@" >"$logdir/$dir.cmake.log" 2>&1 ||
	   ! cmake --build "$top/$dir" -j"$jobs" >"$logdir/$dir.build.log" 2>&1; then
		cat "$logdir/$dir.cmake.log" "$logdir/$dir.build.log" | tail -60
		echo "BUILD FAILED: $dir"
		broken=1
		return 1
	fi
}

run_tier() { # dir label [ctest-jobs]
	local dir=$1 label=$2 par=${3:-1} log n fail skip
	skipped_tier "$label" && { echo "=== $dir: tier $label left out (GR_TIERS_SKIP)"; return; }
	log=$logdir/$dir.$label.log
	echo "=== ctest $dir -L $label"
	ctest --test-dir "$top/$dir" -L "^$label\$" --output-on-failure \
		-j"$par" --no-tests=ignore 2>&1 | tee "$log" | grep -E \
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

if build build -DCMAKE_C_COMPILER=gcc; then
	for t in unit integration fuzz vm packaging; do run_tier build $t; done
fi
if build build-clang -DCMAKE_C_COMPILER=clang -DGR_FUZZ=ON \
	-DGR_FUZZ_SECONDS="$GR_FUZZ_SECONDS"; then
	# libFuzzer targets are single-threaded, in-process and time-boxed:
	# two at once fill the two cores and halve the tier's time.
	run_tier build-clang fuzz 2
fi
if build build-asan -DCMAKE_C_COMPILER=gcc -DGR_SANITIZE=ON; then
	for t in unit integration fuzz; do run_tier build-asan $t; done
fi

echo
echo "logs: $logdir"
[ $broken = 0 ] || total_fail=$((total_fail + 1))
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail = 0 ]

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# One ctest entry of the vm tier: judge the result lines of one guest test
# from the run directory the vm.run fixture (run-vm-tests.sh --fixture)
# filled.  Prints the test's output from logs/ so ctest --output-on-failure
# shows what happened in the guest.
# Usage: check-result.sh <run-dir> <test-name> <device>...
# Exit: 1 if any device's line is FAIL or missing (a missing line is a
#       failure: the guest never reported it); 77 if every line is SKIP or
#       the whole VM run was skipped (reason printed); else 0.
set -u
OUT=$1
NAME=$2
shift 2
RES=$OUT/results.txt

if [ ! -s "$RES" ]; then
	if [ -s "$OUT/skip-reason" ]; then
		cat "$OUT/skip-reason" >&2
		exit 77
	fi
	echo "FAIL: no result lines in $RES: the VM run did not happen or" \
		"reported nothing (see $OUT/console.log, $OUT/image-build.log)" >&2
	grep -q 'qemu_rc=124' "$OUT/run-info.txt" 2>/dev/null &&
		echo "the VM was killed at its wall-clock limit" >&2
	exit 1
fi

fails=0
skips=0
for dev in "$@"; do
	line=$(grep "^GRVM-RESULT $NAME $dev " "$RES" | tail -1)
	log=$OUT/logs/$NAME.$dev.log
	if [ -e "$log" ]; then
		echo "----- guest output of $NAME on $dev ($log)"
		cat "$log"
	fi
	if [ -z "$line" ]; then
		echo "FAIL: no result line for $NAME on $dev" \
			"(guest finished: $(grep -c '^GRVM-DONE' "$RES")," \
			"console: $OUT/console.log)"
		grep -q 'qemu_rc=124' "$OUT/run-info.txt" 2>/dev/null &&
			echo "the VM was killed at its wall-clock limit"
		fails=$((fails + 1))
		continue
	fi
	echo "$line"
	case $(echo "$line" | cut -d' ' -f4) in
	PASS) ;;
	SKIP) skips=$((skips + 1)) ;;
	*) fails=$((fails + 1)) ;;
	esac
done
[ $fails = 0 ] || exit 1
if [ $skips = $# ]; then
	echo "all lines SKIP" >&2
	exit 77
fi
exit 0

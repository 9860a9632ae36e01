#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Run one libFuzzer target for a bounded time on a scratch copy of its
# seed corpus (the committed corpus is never modified).  Exits non-zero
# when libFuzzer reports a crash, leak, timeout or out-of-memory, and
# prints the execution count from -print_final_stats=1.
#
# usage: run_fuzzer.sh FUZZER SEED_DIR SECONDS SCRATCH_DIR [MAX_LEN]
# MAX_LEN: longest input libFuzzer may make (default: its own choice).
set -u
fuzzer=$1 seeds=$2 seconds=$3 scratch=$4 maxlen=${5:-}

if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
	echo "run_fuzzer: no seed corpus in $seeds" >&2
	exit 1
fi
rm -rf "$scratch"
mkdir -p "$scratch/corpus" "$scratch/artifacts"
cp "$seeds"/* "$scratch/corpus/"

"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
	${maxlen:+-max_len="$maxlen"} \
	-rss_limit_mb=2048 -artifact_prefix="$scratch/artifacts/" \
	"$scratch/corpus" >"$scratch/log" 2>&1
rc=$?
grep -E '^stat::' "$scratch/log"
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log")
echo "$(basename "$fuzzer"): ran ${seconds}s, ${execs:-?} executions, exit $rc"
if [ $rc -ne 0 ] || [ -n "$(ls -A "$scratch/artifacts")" ]; then
	tail -n 60 "$scratch/log"
	echo "run_fuzzer: FAILED, artifacts in $scratch/artifacts" >&2
	exit 1
fi
if [ -z "$execs" ]; then
	echo "run_fuzzer: no final stats (did libFuzzer run?)" >&2
	exit 1
fi
exit 0

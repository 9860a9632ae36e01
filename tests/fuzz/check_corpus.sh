#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The committed seed corpus must be exactly what gen_corpus produces, so
# the seeds stay reproducible.  usage: check_corpus.sh GEN_CORPUS CORPUS TMP
set -u
gen=$1 corpus=$2 tmp=$3
rm -rf "$tmp"
"$gen" "$tmp" || exit 1
if ! diff -r "$corpus" "$tmp" >/dev/null; then
	diff -rq "$corpus" "$tmp"
	echo "check_corpus: tests/fuzz/corpus differs from gen_corpus output;" \
		"regenerate with: gen_corpus tests/fuzz/corpus" >&2
	exit 1
fi
echo "check_corpus: $(find "$tmp" -type f | wc -l) seed files match"

#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# check-fsal-layers.sh [SRC_DIR] - check that every file of
# src/FSAL_RDMA_PROXY calls only the files below it.
#
# How this works: the order is the one rp_int.h's opening comment lists
# (top first, one "rp_*.c" per line after "Layering"; several on one
# line are alternatives of one place - one per Ganesha FSAL API, only one
# of them built - and define the same functions).  For every file the
# script collects the non-static functions it defines (a line starting in
# column 0 with a type, the name, and "(", not "static"), then looks for
# calls "name(" of those functions in every other file, comments and
# string literals stripped.  A call to a function defined in a file at
# the same or a higher place is an error; so is including another file's
# header (rp_int.h, shared by all, aside).  Calls through ops tables
# (obj_ops->getattrs) and shared data (rp_module) are not calls here; the
# inline helpers of rp_int.h are nobody's.  Exit 0 when the rule holds,
# 1 with one line per violation, 2 when the list cannot be read.
set -eu

src=${1:-$(dirname "$0")/..}
dir="$src/src/FSAL_RDMA_PROXY"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The order: the file names in rp_int.h's layering comment, top first;
# "rank file" per line, files named on one comment line share the rank.
sed -n '/Layering/,/\*\//p' "$dir/rp_int.h" |
	awk '{ n = 0; s = $0
		while (match(s, /rp_[a-z0-9_]*\.c/)) {
			if (!n++) r++
			print r, substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
		} }' >"$tmp/ranked"
cut -d' ' -f2 "$tmp/ranked" >"$tmp/order"
if [ ! -s "$tmp/order" ]; then
	echo "check-fsal-layers: no layering list in $dir/rp_int.h" >&2
	exit 2
fi
# Every source file must have its place.
for f in "$dir"/rp_*.c; do
	b=$(basename "$f")
	if ! grep -qx "$b" "$tmp/order"; then
		echo "check-fsal-layers: $b is not in rp_int.h's layering list: add it where it belongs (every file it calls below it, every caller above), and to the FSAL table of docs/architecture.md in the same order" >&2
		exit 2
	fi
done

# Code without comments and string literals (so prose naming a function
# is not a call).
strip() {
	sed -e 's://.*$::' "$1" |
		awk 'BEGIN { c = 0 }
		{
			out = ""; s = $0
			while (length(s)) {
				if (c) {
					i = index(s, "*/")
					if (!i) { s = ""; break }
					s = substr(s, i + 2); c = 0
				} else {
					i = index(s, "/*")
					if (!i) { out = out s; s = ""; break }
					out = out substr(s, 1, i - 1)
					s = substr(s, i + 2); c = 1
				}
			}
			print out
		}' |
		sed -e 's/"\([^"\\]\|\\.\)*"/""/g'
}

while read -r rank f; do
	strip "$dir/$f" >"$tmp/$f.code"
	# Non-static definitions: "type name(" or "type *name(" at column 0.
	grep -E '^[a-z][a-z0-9_ ]*[ *]rp_[a-z0-9_]+\(' "$tmp/$f.code" |
		grep -v '^static' |
		sed -E 's/^.*[ *](rp_[a-z0-9_]+)\(.*$/\1/' |
		sed "s/^/$rank $f /" >>"$tmp/defs"
done <"$tmp/ranked"

status=0
# Includes: a file includes rp_int.h (the shared structures) or its own
# header, no other file's; leaves with a header of their own (MAC, lock
# owners, entry handles) include only it, so they cannot call upwards.
while read -r f; do
	own="${f%.c}.h"
	for inc in $(sed -n 's/^#include "\(rp_[a-z0-9_]*\.h\)".*/\1/p' "$dir/$f"); do
		if [ "$inc" != rp_int.h ] && [ "$inc" != "$own" ]; then
			echo "check-fsal-layers: $f includes $inc, another file's header"
			status=1
		fi
	done
done <"$tmp/order"

while read -r rank f; do
	while read -r drank dfile fn; do
		[ "$dfile" = "$f" ] && continue
		[ "$drank" -gt "$rank" ] && continue
		# an alternative's function of the same name is this file's own
		grep -qx "$rank $f $fn" "$tmp/defs" && continue
		if grep -qE "(^|[^a-z0-9_])$fn\(" "$tmp/$f.code"; then
			echo "check-fsal-layers: $f calls $fn() of $dfile, which is not below it"
			status=1
		fi
	done <"$tmp/defs"
done <"$tmp/ranked"
if [ "$status" = 0 ]; then
	n=$(wc -l <"$tmp/defs")
	echo "check-fsal-layers: $(wc -l <"$tmp/order") files, $n functions: each file calls only the ones below it"
fi
exit "$status"

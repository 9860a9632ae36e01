#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #11 finding 2: a call whose Read chunk is {position 4, length 0}
# has nothing to pull; it must still be answered, and its connection
# released when the client leaves.  Debian's ganesha.nfsd with this
# project's transport (fabric ofi on loopback) and Max_Connections 2:
# two such clients come and go, then a third client must be served with
# verified data, and the stats file must show no connection and no call
# left behind.
#
# Usage: zero_chunk.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-zero.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT
GR_RDMA_EXTRA="Max_Connections = 2;" \
	gr_rdma_server_start "$dir" "$preload" "$module"
gr_wait_for 10 test -s "$stats" || gr_fail "no stats file"
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
gr_on_fail() {
	echo "--- stats"; cat "$stats"
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
}

for i in 1 2; do
	"$tool" 127.0.0.1 "$rport" zero-read >"$dir/tool$i.out" 2>&1
	rc=$?
	cat "$dir/tool$i.out"
	[ "$rc" = 77 ] && gr_skip "$(grep SKIP "$dir/tool$i.out")"
	gr_check "zero-length Read chunk client $i answered" test "$rc" = 0
done

# The stats file is rewritten every second.
gone() {
	[ "$(counter connections)" = 0 ] && [ "$(counter calls_live)" = 0 ] &&
		[ "$(counter xprts_live)" = 0 ]
}
gr_check "no connection, call or xprt left once both left" gr_wait_for 20 gone

url=nfs://127.0.0.1:$rport/export
cli() { "$nfs41" --transport rdma --fabric ofi -q "$@"; }
head -c $((1024 * 1024 + 13)) /dev/urandom >"$dir/src"
gr_check "a third client is admitted (Max_Connections 2) and writes" \
	cli put "$dir/src" "$url/after"
gr_check "... reads it back" cli get "$url/after" "$dir/back"
gr_check "... identical" cmp -s "$dir/src" "$dir/back"
gr_check "and is released too" gr_wait_for 20 gone
echo "all checks passed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #11 finding 1: a client that sends more calls than its credits
# must lose its connection (RFC 8166 3.3.1), and nobody else may notice.
# Debian's ganesha.nfsd with this project's transport (fabric ofi on
# loopback), Credits 8.  While a well-behaved nfs41 client writes, reads
# back and compares files in a loop, gr_malformed connects five times and
# sends 40 calls back to back each time.  Then: every overrunning
# connection was closed, the stats file counts them
# (conns_closed_credit_overrun), every verified round of the other client
# passed, and a new client is served.  (Before the fix the progress thread
# spun holding the engine's lock: every RDMA client hung.)
#
# Usage: overrun.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-overrun.XXXXXX)
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
GR_RDMA_EXTRA="Credits = 8;" gr_rdma_server_start "$dir" "$preload" "$module"
gr_wait_for 10 test -s "$stats" || gr_fail "no stats file"
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }
gr_on_fail() {
	echo "--- stats"; cat "$stats"
	echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"
}

url=nfs://127.0.0.1:$rport/export
cli() { timeout 60 "$nfs41" --transport rdma --fabric ofi -q "$@"; }
gr_check "mkdir" cli mkdir "$url/d"
head -c $((2 * 1024 * 1024 + 5)) /dev/urandom >"$dir/src"

# The well-behaved client: verified rounds until told to stop.
good() {
	local i=0
	while [ ! -e "$dir/stop" ]; do
		i=$((i + 1))
		if cli put "$dir/src" "$url/d/f$i" &&
			cli get "$url/d/f$i" "$dir/back" &&
			cmp -s "$dir/src" "$dir/back"; then
			echo "round $i ok"
		else
			echo "round $i FAILED"
		fi
		cli rm "$url/d/f$i" >/dev/null 2>&1
	done
}
good >"$dir/good.out" 2>&1 &
bg=$!
sleep 1

closed=0
for i in 1 2 3 4 5; do
	"$tool" 127.0.0.1 "$rport" overrun 40 >"$dir/tool$i.out" 2>&1
	rc=$?
	cat "$dir/tool$i.out"
	[ "$rc" = 77 ] && gr_skip "$(grep SKIP "$dir/tool$i.out")"
	[ "$rc" = 0 ] && closed=$((closed + 1))
done
# At least two more verified rounds after the last overrun.
n0=$(grep -c ' ok$' "$dir/good.out")
gr_wait_for 90 bash -c "[ \$(grep -c ' ok\$' '$dir/good.out') -ge $((n0 + 2)) ]"
touch "$dir/stop"
wait "$bg"
bg=
cat "$dir/good.out"

gr_check "all 5 overrunning connections closed by the server ($closed)" test "$closed" = 5
ok=$(grep -c ' ok$' "$dir/good.out")
gr_check "the other client's rounds all verified ($ok ok)" \
	bash -c "! grep -q FAILED '$dir/good.out' && [ $ok -ge 3 ]"
gr_check "ganesha.nfsd is alive" kill -0 "$GR_GANESHA_PID"
gr_stats_fresh "$stats"
gr_check "conns_closed_credit_overrun = 5 ($(counter conns_closed_credit_overrun))" \
	test "$(counter conns_closed_credit_overrun)" = 5
gone() { [ "$(counter connections)" = 0 ] && [ "$(counter calls_live)" = 0 ]; }
gr_check "no connection or call left" gr_wait_for 20 gone
echo "all checks passed"

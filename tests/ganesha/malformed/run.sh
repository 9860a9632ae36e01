#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Malformed RPC-over-RDMA transport headers sent to Debian's ganesha.nfsd
# running this project's transport (fabric ofi on loopback), not just to
# the engine (tests/core covers that).  gr_malformed sends each bad header
# and checks the answer (ERR_VERS, ERR_CHUNK, or silence), and RPC calls
# RFC 5531 says must be denied (RPC version 3, over-long or cut-off
# credential or verifier) for the exact denial words, while an nfs41
# client moves data over RDMA on its own connection.  Then: that client
# finished without error, a new client is served with verified data,
# ganesha.nfsd is alive, and the stats file counts exactly the errors
# gr_malformed caused, by kind.
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-malformed.XXXXXX)
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
gr_rdma_server_start "$dir" "$preload" "$module"
gr_wait_for 10 test -s "$stats" || gr_fail "no stats file"
counter() { awk -v k="$1" '$1 == k { print $2 }' "$stats"; }

url=nfs://127.0.0.1:$rport/export
cli() { "$nfs41" --transport rdma --fabric ofi -q "$@"; }
cli mkdir "$url/d" || gr_fail "mkdir over RDMA"

# Another client working over RDMA the whole time.
cli bench "$url/d" --mode all --streams 2 --io-size 1M --duration 4 \
	--file-size 8M >"$dir/bench.out" 2>&1 &
bg=$!
sleep 1

"$tool" 127.0.0.1 "$rport" | tee "$dir/tool.out"
tool_rc=${PIPESTATUS[0]}
[ "$tool_rc" = 77 ] && gr_skip "$(grep SKIP "$dir/tool.out")"

wait "$bg"
bg_rc=$?
bg=
fails=0
check() { # description command...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}
check "gr_malformed: every bad header answered as RFC 8166 says" test "$tool_rc" = 0
check "the other RDMA client was served meanwhile (bench exit $bg_rc)" test "$bg_rc" = 0
[ "$bg_rc" = 0 ] || cat "$dir/bench.out"
check "ganesha.nfsd is alive" kill -0 "$GR_GANESHA_PID"

head -c $((3 * 1024 * 1024 + 77)) /dev/urandom >"$dir/src"
check "a new client writes over RDMA afterwards" cli put "$dir/src" "$url/d/after"
check "... and reads it back" cli get "$url/d/after" "$dir/back"
check "... identical" cmp -s "$dir/src" "$dir/back"

gr_stats_fresh "$stats"
echo "--- transport counters"
cat "$stats"
read -r _ _ want_vers _ want_chunk _ want_drop < <(grep '^expect ' "$dir/tool.out")
check "err_vers_sent = $want_vers" test "$(counter err_vers_sent)" = "${want_vers:-x}"
check "err_chunk_sent = $want_chunk" test "$(counter err_chunk_sent)" = "${want_chunk:-x}"
check "err_hdr_dropped = $want_drop" test "$(counter err_hdr_dropped)" = "${want_drop:-x}"
read -r _ _ want_mismatch _ want_auth < <(grep '^expect_denied ' "$dir/tool.out")
check "rpc_denied_rpc_mismatch = $want_mismatch" test "$(counter rpc_denied_rpc_mismatch)" = "${want_mismatch:-x}"
check "rpc_denied_auth_error = $want_auth" test "$(counter rpc_denied_auth_error)" = "${want_auth:-x}"
# The RDMA Read toward an unknown handle ends that connection: on the
# ofi fabric the failed Read completes as a flush (-ECANCELED), which the
# engine does not count as an error; what must hold is that the
# connection and its xprt are gone.
gone() { [ "$(counter connections)" = 0 ] && [ "$(counter xprts_live)" = 0 ]; }
check "every connection released at the end" gr_wait_for 20 gone

[ "$fails" = 0 ] || { tail -30 "$dir/ganesha.log"; gr_fail "$fails checks failed"; }
echo "all checks passed"

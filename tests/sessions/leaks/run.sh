#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The session client and the RDMA client engine under AddressSanitizer and
# LeakSanitizer, against a real ganesha.nfsd serving NFS over RDMA (ofi):
#   - 16 clients at once with verified I/O, then 200 connect/disconnect
#     cycles (gr_scale, one process: every session, transport and engine
#     created and destroyed in it);
#   - an upload with nfs41 during which the server is killed (SIGKILL) and
#     started again: the client reconnects, recovers its session and
#     finishes; the file is compared, then read back and compared;
# each process must exit 0 with no ASan or LSan report (0 errors, 0 leaks).
# Runs in the ASan build only (the clients must be instrumented), and
# Ganesha cannot load an ASan-built module (RTLD_DEEPBIND): the server's
# module comes from the plain build beside it (PLAIN_BUILD, CI's build/).
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41 GR_SCALE PLUGIN PLAIN_BUILD
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-} plugin=${5:-} plain=${6:-}
for f in "$nfs41" "$tool" "$plugin"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f'"
done
ldd "$plugin" | grep -q 'libasan\.so' ||
	gr_skip "runs in the ASan build (-DGR_SANITIZE=ON) only: these clients are not instrumented"
if [ ! -f "$module" ] || ldd "$module" 2>/dev/null | grep -q "libasan\.so"; then
	preload=$plain/src/xprt_rdma/ganesha/libganesha_rdma_preload.so
	module=$plain/src/xprt_rdma/ganesha/libganesha_rdma.so
fi
[ -f "$preload" ] && [ -f "$module" ] ||
	gr_skip "no plain (non-ASan) build of the Ganesha module at '$plain' for the server"
gr_require_plain_module "$module"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
dir=$(mktemp -d /tmp/gr-leaks.XXXXXX)
cleanup() {
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
gr_on_fail() {
	for f in "$dir"/*.out; do echo "--- $f"; tail -40 "$f"; done
	tail -20 "$dir/ganesha.log"
}
GR_NFSV4_EXTRA="Lease_Lifetime = 10;"
gr_rdma_server_start "$dir" "$preload" "$module"
clean() { ! grep -q 'Sanitizer' "$dir/$1.out"; }
run() { # name command...
	local name=$1
	shift
	"$@" >"$dir/$name.out" 2>&1
}

gr_check "16 clients at once, verified I/O, exit 0" \
	run io "$tool" "$plugin" 127.0.0.1 "$rport" io 16 262144 0
gr_check "... no ASan/LSan report" clean io
gr_check "200 connect/disconnect cycles, exit 0" \
	run cycles "$tool" "$plugin" 127.0.0.1 "$rport" cycles 200 4
gr_check "... no ASan/LSan report" clean cycles

# An upload through a kill -9 and restart of the server.
url=nfs://127.0.0.1:$rport/export
head -c $((96 * 1024 * 1024)) /dev/urandom >"$dir/data"
NFS41_RDMA_PLUGIN=$plugin "$nfs41" --transport rdma --fabric ofi -q \
	--state-file "$dir/client-id" put "$dir/data" "$url/data" \
	>"$dir/put.out" 2>&1 &
putpid=$!
gr_wait_for 60 eval '[ "$(stat -c %s "$dir/export/data" 2>/dev/null || echo 0)" -ge $((16 * 1024 * 1024)) ]' ||
	{ gr_on_fail; gr_fail "the upload did not start"; }
kill -0 "$putpid" 2>/dev/null || { gr_on_fail; gr_fail "the upload ended before the kill"; }
kill -KILL "$GR_GANESHA_PID"
wait "$GR_GANESHA_PID" 2>/dev/null
GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
	gr_ganesha_start "$dir" "$dir/ganesha.conf"
wait "$putpid"
rc=$?
gr_check "the upload reconnects after the server's restart and completes (exit $rc)" \
	test "$rc" = 0
gr_check "... no ASan/LSan report" clean put
gr_check "... the server's copy is identical" cmp -s "$dir/data" "$dir/export/data"
gr_check "read back over RDMA, identical, no report" eval \
	'NFS41_RDMA_PLUGIN=$plugin "$nfs41" --transport rdma --fabric ofi -q get "$url/data" "$dir/back" >"$dir/get.out" 2>&1 &&
	 cmp -s "$dir/data" "$dir/back" && clean get'
echo "all $gr_passed checks passed"

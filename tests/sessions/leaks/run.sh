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
# With GR_LEAKS_TOOL=valgrind (ctest sessions.valgrind, plain build, not
# in CI: tests/sessions/CMakeLists.txt) the same clients run under
# valgrind's memcheck instead (--leak-check=full, every error and every
# definite, indirect or possible leak makes the client exit 99), and so
# does the server: ganesha.nfsd with this tree's preload and module under
# memcheck, whose report must name no error and no lost block with a
# frame in this tree's code (Ganesha's and libfabric's own are counted,
# not judged).  The upload is GR_LEAKS_MB MiB (96; 16 under valgrind).
#
# Usage: run.sh PRELOAD_SO MODULE_SO NFS41 GR_SCALE PLUGIN PLAIN_BUILD
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-} plugin=${5:-} plain=${6:-}
for f in "$nfs41" "$tool" "$plugin"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f'"
done
vg=()
mb=${GR_LEAKS_MB:-96}
if [ "${GR_LEAKS_TOOL:-asan}" = valgrind ]; then
	command -v valgrind >/dev/null || gr_skip "valgrind is not installed"
	ldd "$plugin" | grep -q 'libasan\.so' &&
		gr_skip "valgrind runs the plain build's clients, not the ASan build's"
	mb=${GR_LEAKS_MB:-16}
	GR_GANESHA_START_SECS=180
	vg=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
		--track-fds=no --num-callers=30)
else
	ldd "$plugin" | grep -q 'libasan\.so' ||
		gr_skip "runs in the ASan build (-DGR_SANITIZE=ON) only: these clients are not instrumented"
fi
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
if [ ${#vg[@]} -gt 0 ]; then
	GR_GANESHA_WRAP="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible
		--fullpath-after= --num-callers=40 --log-file=$dir/vg-server.%p"
fi
gr_rdma_server_start "$dir" "$preload" "$module"
clean() { ! grep -q 'Sanitizer\|ERROR SUMMARY: [1-9]\|definitely lost: [1-9]' "$dir/$1.out"; }
run() { # name command...
	local name=$1
	shift
	"${vg[@]}" "$@" >"$dir/$name.out" 2>&1
}

gr_check "16 clients at once, verified I/O, exit 0" \
	run io "$tool" "$plugin" 127.0.0.1 "$rport" io 16 262144 0
gr_check "... no sanitizer or memcheck report" clean io
gr_check "200 connect/disconnect cycles, exit 0" \
	run cycles "$tool" "$plugin" 127.0.0.1 "$rport" cycles 200 4
gr_check "... no sanitizer or memcheck report" clean cycles

# An upload through a kill -9 and restart of the server.
url=nfs://127.0.0.1:$rport/export
head -c $((mb * 1024 * 1024)) /dev/urandom >"$dir/data"
NFS41_RDMA_PLUGIN=$plugin "${vg[@]}" "$nfs41" --transport rdma --fabric ofi -q \
	--state-file "$dir/client-id" put "$dir/data" "$url/data" \
	>"$dir/put.out" 2>&1 &
putpid=$!
gr_wait_for 120 eval '[ "$(stat -c %s "$dir/export/data" 2>/dev/null || echo 0)" -ge $((mb * 1024 * 1024 / 6)) ]' ||
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
gr_check "... no sanitizer or memcheck report" clean put
gr_check "... the server's copy is identical" cmp -s "$dir/data" "$dir/export/data"
gr_check "read back over RDMA, identical, no report" eval \
	'NFS41_RDMA_PLUGIN=$plugin "${vg[@]}" "$nfs41" --transport rdma --fabric ofi -q get "$url/data" "$dir/back" >"$dir/get.out" 2>&1 &&
	 cmp -s "$dir/data" "$dir/back" && clean get'
if [ ${#vg[@]} -gt 0 ]; then
	# The server's reports: at its end for the second daemon (the first
	# was killed, its log holds the errors of its life).  memcheck's log
	# comes in blocks separated by "==PID== " lines; each error or lost
	# block is counted by kind, and apart when a frame is in this tree's
	# src/.  Ours must be none, but for blocks "possibly lost" that
	# belong to threads still running at exit - their TLS (allocated
	# under pthread_create) and what Ganesha's request code keeps for a
	# worker thread of ours (gw_thread) - because Ganesha never asks a
	# transport module to stop, so its threads end with the process.
	gr_stop_pid "$GR_GANESHA_PID" 180
	GR_GANESHA_PID=
	src=$(cd "$(dirname "$0")/../../../src" && pwd)
	cat "$dir"/vg-server.* >"$dir/vg-server.all"
	read -r all errs def ind pos ours thr < <(awk -v src="$src/" -v out="$dir/vg-ours" '
		function flush() {
			if (kind != "") {
				n++; c[kind]++
				if (mine && kind == "possible" && thread) t++
				else if (mine) { m++; print blk >out }
			}
			kind = ""; mine = thread = 0; blk = ""
		}
		/^==[0-9]+== *$/ { flush(); next }
		{ blk = blk $0 "\n" }
		/are definitely lost/ { kind = "definite" }
		/are indirectly lost/ { kind = "indirect" }
		/are possibly lost/ { kind = "possible" }
		kind == "" && /Invalid|uninitialised|Conditional jump|Syscall param|Mismatched|Source and destination overlap/ { kind = "error" }
		/pthread_create|gw_thread/ { thread = 1 }
		index($0, src) { mine = 1 }
		END { flush(); print n + 0, c["error"] + 0, c["definite"] + 0, c["indirect"] + 0, c["possible"] + 0, m + 0, t + 0 }' "$dir/vg-server.all")
	echo "server under memcheck: $all reports: $errs errors, lost blocks $def definitely, $ind indirectly, $pos possibly;" \
		"with a frame in $src: $ours, and $thr possibly lost with running threads at exit"
	[ "$ours" = 0 ] || head -120 "$dir/vg-ours"
	gr_check "the server's memcheck reports name none of this tree's code" test "$ours" = 0
fi
echo "all $gr_passed checks passed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Issue #11 finding 7: no reply may exceed the client's negotiated inline
# receive size.  A client advertising 1 KiB offers Write chunks whose echo
# alone makes a reply header longer than that: the server must answer
# within 1 KiB (RDMA_ERROR, as no Reply chunk was offered), and keep
# serving.  Debian's ganesha.nfsd with this project's transport (ofi).
#
# Usage: small_inline.sh PRELOAD_SO MODULE_SO NFS41 GR_MALFORMED
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-} nfs41=${3:-} tool=${4:-}
for f in "$preload" "$module" "$nfs41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"

dir=$(mktemp -d /tmp/gr-rdma-inline.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT
gr_rdma_server_start "$dir" "$preload" "$module"
gr_on_fail() { echo "--- ganesha.log (tail)"; tail -20 "$dir/ganesha.log"; }

"$tool" 127.0.0.1 "$rport" small-inline >"$dir/tool.out" 2>&1
rc=$?
cat "$dir/tool.out"
[ "$rc" = 77 ] && gr_skip "$(grep SKIP "$dir/tool.out")"
gr_check "the answer fits the client's inline receive" test "$rc" = 0

url=nfs://127.0.0.1:$rport/export
gr_check "another client is served" \
	"$nfs41" --transport rdma --fabric ofi -q mkdir "$url/d"
echo "all checks passed"

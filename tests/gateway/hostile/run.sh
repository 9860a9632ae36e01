#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# A hostile backend (issue 11, finding 3): the gateway reaches a real
# backend ganesha.nfsd over TCP through gw_tamper, which rewrites READDIR
# replies on demand.  A listing of 20,000 minimal entries (~560 KB, within
# every record limit; Ganesha's recursive entry decoder overflowed a
# worker's stack with it and killed the gateway) and one longer than the
# maxcount the gateway asked for must each fail the client's listing with
# an error, and the gateway must keep serving: the same client lists an
# honest directory afterwards.  READDIR pages that go round or never end
# (#12) fail the listing with an error instead of making it endless.  And
# the stats file is not written
# through a link planted beside it (finding 10).  And the lock owners the
# gateway names to the backend, as the relay sees them, are neither heap
# addresses nor shared between owners (finding 9): two NFSv4.0 clients
# (gw_libnfs) lock a file, three times over.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41 GW_TAMPER
#               [GW_LIBNFS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gwhostile.XXXXXX)
. "$here/../../lib/gateway.sh"
tamper_pid=
trap 'gw_cleanup; [ -n "$tamper_pid" ] && kill "$tamper_pid" 2>/dev/null; rm -rf "$GW_ROOT"' EXIT
GW_PRELOAD=${1:-} GW_RDMA_MODULE=${2:-} GW_FSAL_MODULE=${3:-} nfs41=${4:-} tamper=${5:-}
libnfs_tool=${6:-}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$nfs41" "$tamper"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"

gw_backend_start
mode=$GW_ROOT/tamper-mode
echo pass >"$mode"
tport=$(gr_free_port) || gr_fail "no free port"
"$tamper" "$tport" "$GW_BACKEND_PORT" "$mode" 2>"$GW_ROOT/tamper.log" &
tamper_pid=$!
gr_wait_for 10 gw_port_open "$tport" || gr_fail "gw_tamper did not listen"

# Finding 10: the stats file is written as root; a link planted at its
# old temporary name (PATH.tmp) must not be written through.
mkdir -p "$GW_ROOT/rdma_proxy"
echo "victim" >"$GW_ROOT/victim"
ln -s "$GW_ROOT/victim" "$GW_ROOT/rdma_proxy/rp-stats.tmp"

# The gateway's backend is the relay, over TCP.
real_port=$GW_BACKEND_PORT
GW_BACKEND_PORT=$tport GW_RP_TRANSPORT=tcp GW_NFS41=$nfs41 gw_gateway_start rdma_proxy
GW_BACKEND_PORT=$real_port
url=nfs://127.0.0.1:$GW_PORT_rdma_proxy/gw
cli() { timeout 120 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" "$@"; }
for d in many over after cycle endless; do
	mkdir -p "$GW_BACKEND_EXPORT/$d"
	touch "$GW_BACKEND_EXPORT/$d/a" "$GW_BACKEND_EXPORT/$d/b"
done
for i in $(seq 1 48); do touch "$GW_BACKEND_EXPORT/endless/f$i"; done
alive() { kill -0 "$(gw_pid rdma_proxy)" 2>/dev/null; }

# One READDIR reply of 20,000 entries.
echo "readdir 20000" >"$mode"
cli ls "$url/many" >"$GW_ROOT/ls-many" 2>&1 &&
	gr_fail "the listing of 20,000 forged entries succeeded"
grep -q 'rewritten with 20000 entries' "$GW_ROOT/tamper.log" ||
	gr_fail "the gateway never asked for the forged listing"
alive || gw_die_log rdma_proxy "the gateway died on a READDIR reply of 20,000 entries"
echo "ok: 20,000 forged entries: the client got an error ($(tail -1 "$GW_ROOT/ls-many")), the gateway lives"

# 6,000 entries of 28 bytes: ~168 KB for the 128 KiB maxcount asked for.
echo "readdir 6000" >"$mode"
cli ls "$url/over" >"$GW_ROOT/ls-over" 2>&1 &&
	gr_fail "a listing longer than maxcount was accepted"
grep -q 'rewritten with 6000 entries' "$GW_ROOT/tamper.log" ||
	gr_fail "the gateway never asked for the over-long listing"
alive || gw_die_log rdma_proxy "the gateway died on a READDIR reply over maxcount"
echo "ok: a listing over maxcount: the client got an error, the gateway lives"

# Pages that go round (#12): the backend's own entries, with cookies
# 1001.. and 2001.. on alternate replies and never an eof, so no page is
# empty and no cookie is the one asked for.  Then pages that never end
# (cookies grow, never repeat).  Each listing must fail within 60 s (the
# gateway looped for ever before its READDIR checks), logged at WARN once.
endless_logged() { grep -c 'backend READDIR goes round or never ends' "$(gw_log rdma_proxy)"; }
for lie in cycle endless; do
	echo "$lie" >"$mode"
	t0=$(date +%s)
	timeout 60 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" ls "$url/$lie" >"$GW_ROOT/ls-$lie" 2>&1
	rc=$?
	echo pass >"$mode"
	[ "$rc" = 124 ] &&
		gr_fail "listing a backend directory whose READDIR pages go $lie did not end in 60 s"
	[ "$rc" != 0 ] ||
		{ cat "$GW_ROOT/ls-$lie"; gr_fail "the $lie listing succeeded"; }
	grep -q 'READDIR reply renumbered' "$GW_ROOT/tamper.log" ||
		gr_fail "the gateway never got a renumbered listing"
	alive || gw_die_log rdma_proxy "the gateway died on a READDIR whose pages go $lie"
	echo "ok: pages that go $lie: the client got an error in $(($(date +%s) - t0)) s ($(tail -1 "$GW_ROOT/ls-$lie")), the gateway lives"
done
gr_wait_for 10 eval '[ "$(endless_logged)" -ge 1 ]' ||
	gr_fail "the endless backend listing was not logged"
[ "$(endless_logged)" = 1 ] ||
	gr_fail "the endless backend listing was logged $(endless_logged) times, not once"
echo "ok: logged once at WARN: $(grep -m1 'goes round or never ends' "$(gw_log rdma_proxy)" | sed 's/.*RDMA_PROXY: //')"
# With Ganesha's dirent cache on, a repeated name would make the cache
# answer NFS4ERR_DELAY and the client list again for ever: the gateway
# stops the call at the repeated name first.  With the cache bypassed
# (Dir_Chunk = 0) the pages reach the gateway the same way, one client
# READDIR per call.
gw_stop rdma_proxy
GW_BACKEND_PORT=$tport GW_RP_TRANSPORT=tcp GW_NFS41=$nfs41 \
	GW_GATEWAY_EXTRA='MDCACHE { Dir_Chunk = 0; }' gw_gateway_start rdma_proxy
GW_BACKEND_PORT=$real_port
mark=$(wc -l <"$(gw_log rdma_proxy)")
echo cycle >"$mode"
timeout 60 "$nfs41" -q --state-file "$GW_ROOT/nfs41-id" ls "$url/cycle" >"$GW_ROOT/ls-bypass" 2>&1
rc=$?
echo pass >"$mode"
[ "$rc" != 124 ] || gr_fail "cache bypassed: the cycling listing did not end in 60 s"
[ "$rc" != 0 ] || { cat "$GW_ROOT/ls-bypass"; gr_fail "cache bypassed: the cycling listing succeeded"; }
gr_wait_for 10 gw_log_since "$(gw_log rdma_proxy)" "$mark" 'goes round or never ends (' ||
	gr_fail "cache bypassed: the gateway did not stop the listing"
alive || gw_die_log rdma_proxy "the gateway died on a cycling READDIR (cache bypassed)"
echo "ok: cache bypassed: the gateway stopped the cycling listing ($(tail -1 "$GW_ROOT/ls-bypass"))"

echo pass >"$mode"
cli ls "$url/after" >"$GW_ROOT/ls-after" 2>&1 ||
	{ cat "$GW_ROOT/ls-after"; gr_fail "an honest listing failed after the hostile ones"; }
grep -qw a "$GW_ROOT/ls-after" && grep -qw b "$GW_ROOT/ls-after" ||
	{ cat "$GW_ROOT/ls-after"; gr_fail "the honest listing lacks its entries"; }
alive || gr_fail "the gateway died"
echo "ok: the gateway keeps serving (honest listing: $(tr '\n' ' ' <"$GW_ROOT/ls-after"))"
# Finding 9: the lock owners the backend is told about.
if [ -n "$libnfs_tool" ] && [ -x "$libnfs_tool" ]; then
	lurl="nfs://127.0.0.1/gw/after/a?version=4&nfsport=$GW_PORT_rdma_proxy"
	for round in 1 2 3; do
		timeout 120 "$libnfs_tool" lock "$lurl" >"$GW_ROOT/lock-$round" 2>&1 ||
			{ cat "$GW_ROOT/lock-$round"; gr_fail "locks through the gateway failed (round $round)"; }
	done
	grep 'lock-owner' "$GW_ROOT/tamper.log" >"$GW_ROOT/owners"
	news=$(grep -c 'lock-owner LOCK ' "$GW_ROOT/owners")
	[ "$news" -ge 6 ] ||
		{ cat "$GW_ROOT/owners"; gr_fail "the relay saw $news LOCKs with a new lock owner, expected 2 clients x 3 rounds or more"; }
	! grep -q 'ptrlike=1' "$GW_ROOT/owners" ||
		{ grep 'ptrlike=1' "$GW_ROOT/owners"; gr_fail "a lock-owner name sent to the backend holds an address"; }
	# One name, one owner: a name never comes back with another open.
	shared=$(awk '/lock-owner LOCK / { split($4, o, "="); split($5, n, "=");
		if (n[2] in seen && seen[n[2]] != o[2]) print n[2]; seen[n[2]] = o[2] }' "$GW_ROOT/owners")
	[ -z "$shared" ] ||
		{ cat "$GW_ROOT/owners"; gr_fail "a lock-owner name was reused for another owner: $shared"; }
	names=$(awk '/lock-owner LOCK / { split($5, n, "="); print n[2] }' "$GW_ROOT/owners" | sort -u | wc -l)
	[ "$names" -ge 6 ] ||
		{ cat "$GW_ROOT/owners"; gr_fail "only $names distinct lock-owner names for 2 clients x 3 rounds"; }
	echo "ok: $news new lock owners named to the backend, $names distinct names, none address-like or shared"
else
	echo "note: gw_libnfs not built (libnfs missing): lock-owner names not checked"
fi

gr_wait_for 10 test -s "$GW_RP_STATS" || gr_fail "no stats file"
[ "$(cat "$GW_ROOT/victim")" = victim ] && [ ! -L "$GW_RP_STATS" ] ||
	gr_fail "the stats file was written through a planted link"
echo "ok: a link planted beside the stats file was not written through"
echo "PASS: hostile backend READDIR replies"

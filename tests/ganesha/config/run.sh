#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The NFS_RDMA block inside Debian's ganesha.nfsd: a good block brings the
# RDMA listener up (ofi fabric on loopback) next to Ganesha's TCP service;
# Enable = false leaves it down; a bad block stops the daemon with one line
# per bad option naming the option and what is allowed.  The stats file,
# written as root, replaces symlinks planted at its name and at its old
# temporary name instead of writing through them, and is refused in a
# directory others may write in.
#
# Usage: run.sh PRELOAD_SO MODULE_SO
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-} module=${2:-}
for f in "$preload" "$module"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$module"
command -v nfs-ls >/dev/null || gr_skip "nfs-ls (libnfs-utils) not installed"

top=$(mktemp -d /tmp/gr-rdma-config.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$top"' EXIT
passed=0

# start_with NAME BLOCK: ganesha.nfsd with the transport and this block
start_with() {
	dir=$top/$1
	port=$(gr_free_port "${rport:-}") || gr_fail "no free port"
	mkdir -p "$dir/export" "$dir/recovery"
	{
		gr_core_conf "$dir" "$port" /usr/lib/x86_64-linux-gnu/ganesha
		printf '%s\n' "$2"
		cat <<CONF
EXPORT {
	Export_Id = 1; Path = "$dir/export"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
	} >"$dir/ganesha.conf"
	GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
		gr_ganesha_start "$dir" "$dir/ganesha.conf"
}
ok() { echo "ok: $*"; passed=$((passed + 1)); }
log_has() { grep -qF -- "$1" "$dir/ganesha.log"; }

# 1. A good block: RDMA listener up, TCP service untouched.  Symlinks to
# a victim file wait at the stats file's name and at PATH.tmp.
rport=$(gr_free_port)
victim=$top/victim
echo precious >"$victim"
mkdir -m 0755 "$top/stats-dir"
ln -s "$victim" "$top/stats-dir/rdma-stats"
ln -s "$victim" "$top/stats-dir/rdma-stats.tmp"
start_with good "NFS_RDMA { Fabric = ofi; Bind_Addr = 127.0.0.1; Port = $rport; Credits = 64; Stats_File = \"$top/stats-dir/rdma-stats\"; Stats_Interval = 1; }"
gr_wait_for 30 log_has "NFS_RDMA: serving NFS over RDMA on 127.0.0.1:$rport (fabric ofi, credits 64" ||
	{ cat "$dir/ganesha.log"; gr_fail "good block: listener not reported up"; }
ss -Htln "sport = :$rport" | grep -q . || gr_fail "good block: nothing listens on $rport"
ok "good block: RDMA listener on 127.0.0.1:$rport"
gr_wait_for 10 nfs-ls "nfs://127.0.0.1/export?version=4&nfsport=$port" >/dev/null 2>&1 ||
	gr_fail "good block: NFS over TCP no longer served"
ok "good block: NFS over TCP still served"
stats_written() { [ -f "$top/stats-dir/rdma-stats" ] && [ ! -L "$top/stats-dir/rdma-stats" ]; }
gr_wait_for 10 stats_written ||
	{ ls -l "$top/stats-dir"; gr_fail "stats file: the symlink at its name was not replaced"; }
grep -q '^requests ' "$top/stats-dir/rdma-stats" || gr_fail "stats file: no counters"
[ "$(cat "$victim")" = precious ] || gr_fail "stats file: written through a planted symlink"
[ "$(stat -c %a "$top/stats-dir/rdma-stats")" = 644 ] || gr_fail "stats file: mode $(stat -c %a "$top/stats-dir/rdma-stats"), not 644"
ok "stats file: planted symlinks replaced, not followed; mode 0644"
gr_ganesha_stop

# 1b. A stats directory anyone may write in is refused.
mkdir -m 1777 "$top/open-dir"
start_with open "NFS_RDMA { Fabric = ofi; Bind_Addr = 127.0.0.1; Port = $rport; Stats_File = \"$top/open-dir/rdma-stats\"; Stats_Interval = 1; }"
gr_wait_for 30 log_has "refusing to write in $top/open-dir" ||
	{ cat "$dir/ganesha.log"; gr_fail "open directory: no refusal logged"; }
[ -z "$(ls -A "$top/open-dir")" ] || gr_fail "open directory: something was written there"
ok "stats file: a directory others may write in is refused"
gr_ganesha_stop

# 2. Enable = false: no listener, the daemon runs.
start_with disabled "NFS_RDMA { Enable = false; Fabric = ofi; Port = $rport; }"
gr_wait_for 30 log_has "NFS_RDMA: Enable = false" || gr_fail "disabled: no log line"
gr_wait_for 10 nfs-ls "nfs://127.0.0.1/export?version=4&nfsport=$port" >/dev/null 2>&1 ||
	gr_fail "disabled: daemon not serving"
ss -Htln "sport = :$rport" | grep -q . && gr_fail "disabled: something listens on $rport"
ok "Enable = false: no RDMA listener, NFS over TCP served"
gr_ganesha_stop

# 3. A bad block: every bad option named with its range, daemon exits.
start_with bad 'NFS_RDMA { Fabric = ofi; Credits = 5000; Inline_Size = 5000; Bind_Addr = "not-an-ip"; Port = 70000; Max_Request_Size = 2048; Max_Connections_Per_Address = 0; Handshake_Timeout = 0; Idle_Timeout = 90000; Peer_Timeout = 0; Exports = 1, 70000; Metrics_File = /tmp/rdma.txt; }'
for _ in $(seq 1 100); do kill -0 "$GR_GANESHA_PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$GR_GANESHA_PID" 2>/dev/null && gr_fail "bad block: ganesha.nfsd still running"
wait "$GR_GANESHA_PID"
rc=$?
GR_GANESHA_PID=
[ "$rc" = 1 ] || gr_fail "bad block: exit code $rc, expected 1 (crash?)"
ok "bad block: ganesha.nfsd refused to start (exit 1)"
for line in \
	"NFS_RDMA: Port = 70000 is out of range: allowed 1 to 65535" \
	"NFS_RDMA: Credits = 5000 is out of range: allowed 8 to 1024" \
	"NFS_RDMA: Max_Request_Size = 2048 is out of range: allowed 4096 to 16777216" \
	'NFS_RDMA: Bind_Addr = "not-an-ip" is not an IPv4 address' \
	"NFS_RDMA: Max_Connections_Per_Address = 0 is out of range: allowed 1 to 4096" \
	"NFS_RDMA: Handshake_Timeout = 0 is out of range: allowed 1 to 3600" \
	"NFS_RDMA: Idle_Timeout = 90000 is out of range: allowed 0 to 86400" \
	"NFS_RDMA: Peer_Timeout = 0 is out of range: allowed 1 to 3600" \
	"NFS_RDMA: Inline_Size = 5000 must be a multiple of 1024" \
	"NFS_RDMA: Exports = 70000: not an export id (a number from 0 to 65535)" \
	'NFS_RDMA: Metrics_File = "/tmp/rdma.txt" must name a file ending in .prom'; do
	log_has "$line" || { cat "$dir/ganesha.log"; gr_fail "bad block: missing '$line'"; }
	ok "bad block says: $line"
done
echo "$passed passed, 0 failed"

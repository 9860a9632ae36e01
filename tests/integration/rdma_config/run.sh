#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The NFS_RDMA block inside Debian's ganesha.nfsd: a good block brings the
# RDMA listener up (ofi fabric on loopback) next to Ganesha's TCP service;
# Enable = false leaves it down; a bad block stops the daemon with one line
# per bad option naming the option and what is allowed.
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
	port=$(gr_free_port) || gr_fail "no free port"
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

# 1. A good block: RDMA listener up, TCP service untouched.
rport=$(gr_free_port)
start_with good "NFS_RDMA { Fabric = ofi; Bind_Addr = 127.0.0.1; Port = $rport; Credits = 64; }"
gr_wait_for 30 log_has "NFS_RDMA: serving NFS over RDMA on 127.0.0.1:$rport (fabric ofi, credits 64" ||
	{ cat "$dir/ganesha.log"; gr_fail "good block: listener not reported up"; }
ss -Htln "sport = :$rport" | grep -q . || gr_fail "good block: nothing listens on $rport"
ok "good block: RDMA listener on 127.0.0.1:$rport"
gr_wait_for 10 nfs-ls "nfs://127.0.0.1/export?version=4&nfsport=$port" >/dev/null 2>&1 ||
	gr_fail "good block: NFS over TCP no longer served"
ok "good block: NFS over TCP still served"
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
start_with bad 'NFS_RDMA { Fabric = ofi; Credits = 5000; Inline_Size = 5000; Bind_Addr = "not-an-ip"; Port = 70000; Max_Request_Size = 2048; }'
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
	"NFS_RDMA: Inline_Size = 5000 must be a multiple of 1024"; do
	log_has "$line" || { cat "$dir/ganesha.log"; gr_fail "bad block: missing '$line'"; }
	ok "bad block says: $line"
done
echo "$passed passed, 0 failed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Bad RDMA_PROXY configuration: one log line per bad option naming the
# block, the option and what is allowed, and the export is not created
# (Ganesha skips an export whose FSAL block fails; the daemon may go on) (Ganesha 4.3's
# own range message, "(0) is out of range", names neither; rp_config.c
# checks the ranges itself).  Round 1: the module block; round 2: an
# export's FSAL block under a good module block.  No backend is needed:
# the daemon stops before it would connect.
#
# Usage: run.sh FSAL_MODULE_SO
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

fsal=${1:-}
[ -n "$fsal" ] && [ -f "$fsal" ] || gr_skip "not built: '$fsal' (Ganesha SDK missing?)"
fsal=$(readlink -f "$fsal")
command -v ganesha.nfsd >/dev/null || gr_skip "ganesha.nfsd not installed"
gr_require_plain_module "$fsal"
top=$(mktemp -d /tmp/gr-gw-config.XXXXXX)
trap 'gr_ganesha_stop; [ -n "${GR_KEEP:-}" ] || rm -rf "$top"' EXIT
gr_plugins_dir "$top/plugins" "$fsal"
passed=0

# round NAME MODULE_BLOCK FSAL_EXTRA LINE...: the log must hold every LINE
# and no "export ... created" line of the FSAL.
round() {
	local name=$1 module=$2 extra=$3 dir=$top/$1 port line
	shift 3
	port=$(gr_free_port) || gr_fail "no free port"
	mkdir -p "$dir/recovery" "$dir/state"
	{
		gr_core_conf "$dir" "$port" "$top/plugins"
		printf '%s\n' "$module"
		cat <<CONF
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Protocols = 4; Transports = TCP;
	FSAL { Name = RDMA_PROXY; Backend_Addr = 127.0.0.1; $extra }
}
CONF
	} >"$dir/ganesha.conf"
	gr_ganesha_start "$dir" "$dir/ganesha.conf"
	log_done() { grep -qF "Errors processing block (EXPORT)" "$dir/ganesha.log"; }
	gr_wait_for 30 log_done ||
		{ grep CONFIG "$dir/ganesha.log"; gr_fail "$name: the export was not refused"; }
	gr_ganesha_stop
	grep -q "RDMA_PROXY.*export of backend path .* created" "$dir/ganesha.log" &&
		gr_fail "$name: the export was created anyway"
	echo "ok: $name: the export was refused"
	passed=$((passed + 1))
	for line in "$@"; do
		grep -qF -- "$line" "$dir/ganesha.log" ||
			{ grep CONFIG "$dir/ganesha.log"; gr_fail "$name: missing '$line'"; }
		echo "ok: $name says: $line"
		passed=$((passed + 1))
	done
}

round module "RDMA_PROXY { State_Dir = \"$top/module/state\"; Stats_Interval = 0; Metrics_File = \"$top/x.txt\"; Malloc_Mmap_Threshold = 67108865; }" "" \
	"RDMA_PROXY: Stats_Interval = 0 is out of range: allowed 1 to 3600" \
	"RDMA_PROXY: Malloc_Mmap_Threshold = 67108865 is out of range: allowed 0 to 67108864" \
	"RDMA_PROXY: Metrics_File = \"$top/x.txt\" must name a file ending in .prom"
round export "RDMA_PROXY { State_Dir = \"$top/export/state\"; }" \
	"Slots = 5000; Credits = 4; Max_Read_Size = 100; Call_Timeout = 0; Recovery_Timeout = 90000; Connections = 17; Backend_Path = rel;" \
	"RDMA_PROXY: Slots = 5000 is out of range: allowed 1 to 1024" \
	"RDMA_PROXY: Credits = 4 is out of range: allowed 8 to 1024" \
	"RDMA_PROXY: Max_Read_Size = 100 is out of range: allowed 4096 to 1048576" \
	"RDMA_PROXY: Call_Timeout = 0 is out of range: allowed 1 to 3600" \
	"RDMA_PROXY: Recovery_Timeout = 90000 is out of range: allowed 1 to 86400" \
	"RDMA_PROXY: Connections = 17 is out of range: allowed 1 to 16" \
	'RDMA_PROXY: Backend_Path "rel" must start with /'
echo "$passed passed, 0 failed"

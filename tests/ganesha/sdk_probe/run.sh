#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Starts Debian's ganesha.nfsd with the SDK probe module built from this tree,
# checks that Ganesha loaded it, that the values it read out of Ganesha's
# nfs_param match the configuration (so the layout from our config.h is
# right), that it saw Ganesha come fully up, and that the export it created
# answers a real NFSv4 client (libnfs).
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

module=${1:-}
[ -n "$module" ] && [ -f "$module" ] ||
	gr_skip "probe module not built: Ganesha SDK missing (run tools/install-deps.sh)"
command -v nfs-ls >/dev/null || gr_skip "nfs-ls (libnfs-utils) not installed"

dir=$(mktemp -d /tmp/gr-sdk-probe.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT
port=$(gr_free_port) || gr_fail "no free port"
report=$dir/report
gr_plugins_dir "$dir/plugins" "$module"
mkdir -p "$dir/recovery"
{
	gr_core_conf "$dir" "$port" "$dir/plugins"
	cat <<CONF
SDK_PROBE { Report_File = "$report"; }
# FSAL_MEM keeps file data only up to Inode_Size bytes (default 0).
MEM { Inode_Size = 1048576; }
EXPORT {
	Export_Id = 1; Path = /mem; Pseudo = /mem;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = MEM; }
}
EXPORT {
	Export_Id = 2; Path = /probe; Pseudo = /probe;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = SDK_PROBE; }
}
CONF
} >"$dir/ganesha.conf"

gr_ganesha_start "$dir" "$dir/ganesha.conf" "$module"
if ! gr_wait_for 30 grep -q '^ready=1' "$report" 2>/dev/null; then
	echo "--- ganesha.log"; cat "$dir/ganesha.log" "$dir/ganesha.out"
	echo "--- report"; cat "$report" 2>/dev/null
	gr_fail "probe module did not report Ganesha up within 30 s"
fi
echo "--- probe report"; cat "$report"

expect() {
	grep -qx "$1" "$report" || gr_fail "report lacks '$1'"
	echo "ok: $1"
}
expect "abi=ok"
# The FSAL API of the daemon on this platform: 11.0 in Ganesha 4.3, 13.0 in
# Ganesha 6.5 (the probe reports what it was built against).
case $(gr_ganesha_major) in
4) expect "fsal_api=11.0" ;;
6) expect "fsal_api=13.0" ;;
*) gr_fail "no FSAL API known for Ganesha $(gr_ganesha_major)" ;;
esac
expect "nfs_port=$port"
grep -qxE "bind_addr=(::ffff:)?127.0.0.1" "$report" ||
	gr_fail "report lacks bind_addr 127.0.0.1"
echo "ok: bind_addr is 127.0.0.1"
expect "nfsv4_only=1"
expect "export_delegated=MEM"
grep -q 'SDK_PROBE: Ganesha ABI check passed' "$dir/ganesha.log" ||
	gr_fail "ganesha.log lacks the ABI guard's line"
echo "ok: ganesha.log shows the ABI guard ran inside ganesha.nfsd"

# The probe's export is served: a real NFSv4 client can write and read it.
printf 'hello from the sdk probe\n' >"$dir/payload"
gr_wait_for 10 nfs-ls "nfs://127.0.0.1/probe?version=4&nfsport=$port" >/dev/null 2>&1 ||
	gr_fail "nfs-ls of the probe export failed"
nfs-cp "$dir/payload" "nfs://127.0.0.1/probe/p.txt?version=4&nfsport=$port" ||
	gr_fail "nfs-cp into the probe export failed"
nfs-cp "nfs://127.0.0.1/probe/p.txt?version=4&nfsport=$port" "$dir/back" ||
	gr_fail "nfs-cp out of the probe export failed"
cmp "$dir/payload" "$dir/back" || gr_fail "data read back differs"
echo "ok: NFSv4 write+read through the probe's export"
echo "1 passed, 0 failed"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The ABI guards across Ganesha versions, as an operator meets them: this
# platform's ganesha.nfsd (4.3 on Debian 12, 6.5 on Debian 13) given the
# build made for the OTHER Ganesha (the other platform's build directory:
# build-deb13/ from Debian 12, build/ from the Debian 13 root), twice:
#  1. the transport, started the way the systemd drop-in starts it -
#     LD_PRELOAD of the preload library, the module next to it;
#  2. the gateway: an EXPORT with FSAL RDMA_PROXY, Plugins_Dir holding the
#     other build's libfsalrdma_proxy.so (no preload).
# Both builds link the other Ganesha's libganesha_nfsd.so.X.Y, which this
# daemon lacks: without the guards the dynamic linker would refuse them
# with its own words, or load a second Ganesha.  Checked each time: the
# daemon exits (status 1) without serving; its log has exactly one line
# saying which Ganesha the build is for, which one runs and what to
# install; stderr has the same line; the dynamic linker never tried the
# other Ganesha's library.
#
# Usage: run.sh FOREIGN_PRELOAD_SO FOREIGN_FSAL_SO
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-}
fsal=${2:-}
[ -n "$preload" ] && [ -f "$preload" ] ||
	gr_skip "no build for the other Ganesha at '$preload' (build it on the other platform: build/ on Debian 12, build-deb13/ in the Debian 13 root)"
[ -f "$(dirname "$preload")/libganesha_rdma.so" ] ||
	gr_skip "no libganesha_rdma.so next to $preload"
[ -n "$fsal" ] && [ -f "$fsal" ] ||
	gr_skip "no gateway FSAL in the build for the other Ganesha at '$fsal'"
command -v ganesha.nfsd >/dev/null ||
	gr_skip "ganesha.nfsd not installed (run tools/install-deps.sh)"
here=$(ganesha.nfsd -v 2>/dev/null | sed -n 's/.*Release = V\([0-9][0-9.]*\).*/\1/p' | head -n 1)
[ -n "$here" ] || gr_fail "cannot tell this ganesha.nfsd's version"
# The module's NEEDED entry names the Ganesha it was built for.
there=$(objdump -p "$(dirname "$preload")/libganesha_rdma.so" |
	sed -n 's/.*NEEDED *libganesha_nfsd\.so\.\([0-9.]*\)$/\1/p')
[ -n "$there" ] || gr_fail "cannot tell which Ganesha $(dirname "$preload")/libganesha_rdma.so links"
[ "$there" != "$here" ] ||
	gr_skip "$preload is built for Ganesha $here, this daemon's own version: no refusal to test"

dir=$(mktemp -d /tmp/gr-abi-refusal.XXXXXX)
trap 'gr_ganesha_stop; rm -rf "$dir"' EXIT

# The daemon started from DIR/ganesha.conf exits 1 having said, once,
# "PREFIX: refusing ... this ganesha-rdma was built for Ganesha $there ...",
# and nothing reached the other Ganesha's library.
# expect_refusal WHAT DIR PORT PREFIX [PRELOAD]
expect_refusal() {
	local what=$1 d=$2 p=$3 prefix=$4 pre=${5:-} pid rc n want
	if [ -n "$pre" ]; then
		LD_PRELOAD=$pre LD_DEBUG=files LD_DEBUG_OUTPUT=$d/ld \
			gr_ganesha_start "$d" "$d/ganesha.conf"
	else
		LD_DEBUG=files LD_DEBUG_OUTPUT=$d/ld \
			gr_ganesha_start "$d" "$d/ganesha.conf"
	fi
	pid=$GR_GANESHA_PID
	gone() { ! kill -0 "$pid" 2>/dev/null; }
	gr_wait_for 60 gone || gr_fail "$what: ganesha.nfsd with a build for Ganesha $there still runs after 60 s"
	wait "$pid"
	rc=$?
	GR_GANESHA_PID=
	echo "ok: $what: ganesha.nfsd $here exited with status $rc"
	[ "$rc" = 1 ] || { cat "$d/ganesha.out" "$d/ganesha.log"; gr_fail "$what: exit status $rc, not 1"; }

	want="$prefix: this ganesha-rdma was built for Ganesha $there (libganesha_nfsd.so.$there) but ganesha.nfsd runs Ganesha $here"
	n=$(grep -cF -- "$want" "$d/ganesha.log")
	[ "$n" = 1 ] || { cat "$d/ganesha.log"; gr_fail "$what: the refusal is logged $n times, not once"; }
	grep -F -- "$want" "$d/ganesha.log" | grep -q ':CRIT :' ||
		gr_fail "$what: the refusal is not a CRIT line"
	grep -F -- "$want" "$d/ganesha.log" | grep -qF "install the ganesha-rdma build for Ganesha $here" ||
		gr_fail "$what: the refusal does not say what to install"
	echo "ok: $what: one log line: $(grep -F -- "$want" "$d/ganesha.log" | sed 's/.*\] //')"
	grep -qF -- "ganesha-rdma: $want" "$d/ganesha.out" ||
		{ cat "$d/ganesha.out"; gr_fail "$what: stderr lacks the refusal"; }
	echo "ok: $what: stderr says it too"
	! grep -q 'error while loading\|cannot open shared object\|cannot load\|Could not dlopen' "$d/ganesha.out" "$d/ganesha.log" ||
		gr_fail "$what: a loader error reached the operator"
	! grep -qs "libganesha_nfsd.so.$there" "$d"/ld.* ||
		gr_fail "$what: the dynamic linker looked for libganesha_nfsd.so.$there"
	echo "ok: $what: libganesha_nfsd.so.$there never looked for, the module never loaded"
	ss -Htln "sport = :$p" | grep -q . && gr_fail "$what: something still listens on the NFS port"
	echo "ok: $what: nothing served"
}

# 1. The transport.
mkdir -p "$dir/t/export" "$dir/t/recovery"
port=$(gr_free_port) || gr_fail "no free port"
rport=$(gr_free_port "$port") || gr_fail "no free port"
gr_rdma_conf "$dir/t" "$port" "$rport" "$dir/t/stats" >"$dir/t/ganesha.conf"
expect_refusal transport "$dir/t" "$port" "NFS_RDMA: refusing to start" \
	"$preload"
grep -q 'serving NFS over RDMA' "$dir/t/ganesha.log" && gr_fail "the transport started anyway"

# 2. The gateway FSAL, loaded by Ganesha itself for the export.
mkdir -p "$dir/g/recovery"
gr_plugins_dir "$dir/g/plugins" "$fsal"
gport=$(gr_free_port) || gr_fail "no free port"
bport=$(gr_free_port "$gport") || gr_fail "no free port"
{
	gr_core_conf "$dir/g" "$gport" "$dir/g/plugins"
	cat <<CONF
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = 127.0.0.1;
		Backend_Port = $bport;
		Backend_Path = /export;
	}
}
CONF
} >"$dir/g/ganesha.conf"
expect_refusal gateway "$dir/g" "$gport" "RDMA_PROXY: refusing to load"
echo "abi_refusal: Ganesha $there builds (transport, gateway) refused by Ganesha $here"

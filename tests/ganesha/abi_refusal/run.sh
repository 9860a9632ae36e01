#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The ABI guard across Ganesha versions, as an operator meets it: this
# platform's ganesha.nfsd (4.3 on Debian 12, 6.5 on Debian 13) started the
# way the systemd drop-in starts it - LD_PRELOAD of the preload library, the
# module next to it - with the build made for the OTHER Ganesha (the other
# platform's build directory: build-deb13/ from Debian 12, build/ from the
# Debian 13 root).  That module links the other Ganesha's
# libganesha_nfsd.so.X.Y, which this daemon lacks: without the guard the
# dynamic linker would refuse it with its own words, or load a second
# Ganesha.  Checked: the daemon exits (status 1) without serving; its log
# has exactly one line saying which Ganesha the build is for, which one
# runs and what to install; stderr has the same line; the dynamic linker
# never tried the other Ganesha's library.
#
# Usage: run.sh FOREIGN_PRELOAD_SO
set -u
. "$(dirname "$0")/../../lib/ganesha.sh"

preload=${1:-}
[ -n "$preload" ] && [ -f "$preload" ] ||
	gr_skip "no build for the other Ganesha at '$preload' (build it on the other platform: build/ on Debian 12, build-deb13/ in the Debian 13 root)"
[ -f "$(dirname "$preload")/libganesha_rdma.so" ] ||
	gr_skip "no libganesha_rdma.so next to $preload"
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
port=$(gr_free_port) || gr_fail "no free port"
rport=$(gr_free_port) || gr_fail "no free port"
gr_rdma_conf "$dir" "$port" "$rport" "$dir/stats" >"$dir/ganesha.conf"
mkdir -p "$dir/export" "$dir/recovery"

LD_PRELOAD=$preload LD_DEBUG=files LD_DEBUG_OUTPUT=$dir/ld \
	gr_ganesha_start "$dir" "$dir/ganesha.conf"
pid=$GR_GANESHA_PID
gone() { ! kill -0 "$pid" 2>/dev/null; }
gr_wait_for 60 gone || gr_fail "ganesha.nfsd with a build for Ganesha $there still runs after 60 s"
wait "$pid"
rc=$?
GR_GANESHA_PID=
echo "ok: ganesha.nfsd $here exited with status $rc"
[ "$rc" = 1 ] || { cat "$dir/ganesha.out"; gr_fail "exit status $rc, not 1"; }

want="NFS_RDMA: refusing to start: this ganesha-rdma was built for Ganesha $there (libganesha_nfsd.so.$there) but ganesha.nfsd runs Ganesha $here"
n=$(grep -cF -- "$want" "$dir/ganesha.log")
[ "$n" = 1 ] || { cat "$dir/ganesha.log"; gr_fail "the refusal is logged $n times, not once"; }
grep -F -- "$want" "$dir/ganesha.log" | grep -q ':CRIT :' ||
	gr_fail "the refusal is not a CRIT line"
grep -F -- "$want" "$dir/ganesha.log" | grep -qF "install the ganesha-rdma build for Ganesha $here" ||
	gr_fail "the refusal does not say what to install"
echo "ok: one log line: $(grep -F -- "$want" "$dir/ganesha.log" | sed 's/.*\] //')"
grep -qF -- "ganesha-rdma: $want" "$dir/ganesha.out" ||
	{ cat "$dir/ganesha.out"; gr_fail "stderr lacks the refusal"; }
echo "ok: stderr says it too"
! grep -q 'error while loading\|cannot open shared object\|cannot load' "$dir/ganesha.out" "$dir/ganesha.log" ||
	gr_fail "a loader error reached the operator"
! grep -qs "libganesha_nfsd.so.$there" "$dir"/ld.* ||
	gr_fail "the dynamic linker looked for libganesha_nfsd.so.$there"
echo "ok: libganesha_nfsd.so.$there never looked for, the module never loaded"
grep -q 'serving NFS over RDMA' "$dir/ganesha.log" && gr_fail "the transport started anyway"
ss -Htln "sport = :$port" | grep -q . && gr_fail "something still listens on the NFS port"
echo "ok: nothing served"
echo "abi_refusal: Ganesha $there build refused by Ganesha $here"

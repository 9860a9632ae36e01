#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# packaging.install: the Debian packages, built from a clean copy of the
# tree, installed into a fresh root of the release the build runs on
# (Debian 12 or 13), serving as the installed service would, then removed.  How this works:
#   1. the tree's tracked and unignored files (no build directories) are
#      copied to a scratch directory and built with dpkg-buildpackage;
#      lintian must report nothing but its overridden findings;
#   2. a root of that release (debootstrap minbase + Debian's nfs-ganesha,
#      nfs-ganesha-vfs and libfabric) is cached as a tarball in
#      /var/cache/ganesha-rdma/pkgroot, keyed by its inputs; each run
#      unpacks a fresh copy, so no build tree is present in it;
#   3. in that root (chroot with /proc, /sys, /dev, /dev/shm mounted,
#      unmounted on every exit): apt install ./*.deb; installing must not
#      enable anything; the admin's two steps (NFS_RDMA block, drop-in
#      link) are taken; ganesha.nfsd is started with nfs-ganesha.service's
#      ExecStart and the environment of its EnvironmentFile and drop-ins,
#      and serves /export over RDMA (ofi, loopback); a second ganesha.nfsd
#      serves it over TCP through FSAL_RDMA_PROXY; the installed nfs41
#      writes and reads back both ways (sha256 compared);
#   4. the server packages are removed: the plain service starts and
#      serves again, the gateway's State_Dir and key are still there;
#      purge deletes them.
# Usage: run.sh SRC_DIR.  Needs root, debootstrap, debhelper, the Ganesha
# SDK (tools/install-deps.sh) and, for the first run, the Debian mirror.
# Env: GR_PKG_CACHE (default /var/cache/ganesha-rdma/pkgroot),
#      GR_PKG_MIRROR (default http://deb.debian.org/debian),
#      GR_PKG_KEEP=1 keeps the scratch directory (mounts are still undone),
#      GR_PKG_TMP (default /var/tmp) where the scratch directory is made.
set -uo pipefail
src=$(cd "${1:?usage: run.sh SRC_DIR}" && pwd)
. "$src/tests/lib/ganesha.sh"

cache=${GR_PKG_CACHE:-/var/cache/ganesha-rdma/pkgroot}
mirror=${GR_PKG_MIRROR:-http://deb.debian.org/debian}
# The root is the release this machine runs (Debian 12 or 13), so the
# packages are installed where they were built for.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case $suite in
bookworm) libssl=libssl3 ;;
trixie) libssl=libssl3t64 ;;
*) gr_skip "packaging test knows Debian 12 and 13, not '$suite'" ;;
esac
# Bump when the way the root is made changes (invalidates the cache).
root_recipe=1
root_pkgs="nfs-ganesha nfs-ganesha-vfs libfabric1 libibverbs1 librdmacm1 $libssl iproute2"

[ "$(id -u)" = 0 ] || gr_skip "needs root (debootstrap, chroot, mounts)"
for t in debootstrap dpkg-buildpackage dh lintian chroot findmnt git; do
	command -v "$t" >/dev/null ||
		gr_skip "$t missing (tools/install-deps.sh installs it)"
done
gv=$(dpkg-query -W -f '${Version}' nfs-ganesha 2>/dev/null) ||
	gr_skip "nfs-ganesha is not installed on the build host"
sdk=/var/cache/ganesha-rdma/ganesha-$(echo "$gv" | sed -E 's/^([0-9]+[.][0-9]+).*/\1/')
[ -f "$sdk/src/include/config-h.in.cmake" ] ||
	gr_skip "Ganesha SDK missing in $sdk (run tools/install-deps.sh)"

t0=$(date +%s)
stamp() { echo "[$(($(date +%s) - t0)) s] $*"; }
# The scratch directory holds the root whose /srv/export FSAL_VFS serves:
# it must be on a file system with file handles (not tmpfs or overlayfs,
# which the Debian 13 root's /var/tmp is; its /tmp is on disk).
work=$(mktemp -d "${GR_PKG_TMP:-/var/tmp}/gr-pkg.XXXXXX")
root=$work/root
mounts=()
chroot_pids=()

# Undo every mount (newest first), stop what we started, and delete the
# scratch directory only once findmnt shows nothing mounted below it:
# rm -rf through a bind-mounted /dev or /sys would destroy the host's.
cleanup() {
	local i pid p
	# every process whose root is this root is one this script started
	# (the daemons fork away from us, so their pids are also looked up)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] &&
			chroot_pids+=("${p#/proc/}")
	done
	for pid in "${chroot_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" 2>/dev/null ||
			umount -l "${mounts[$i]}" 2>/dev/null
	done
	if findmnt -rn -o TARGET | grep -q "^$work/"; then
		echo "packaging: still mounted below $work, not deleting it:" >&2
		findmnt -rn -o TARGET | grep "^$work/" >&2
		return
	fi
	if [ "${GR_PKG_KEEP:-0}" = 1 ]; then
		echo "packaging: kept $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

on_fail_logs() {
	local f
	for f in "$root"/var/log/ganesha/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f (tail)"
		grep -v -e DBUS -e 'krb5\|KRB5\|gssd' "$f" | tail -25
	done
}
gr_on_fail() { on_fail_logs; }

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

do_mount() { # TARGET mount-args...
	local target=$1
	shift
	mount "$@" "$target" || gr_fail "mount $* $target"
	mounts+=("$target")
}

mount_root() {
	# The root a mount of its own: inside a chroot, /proc/self/mounts
	# lists only mounts below the root, and FSAL_VFS needs the one that
	# holds its export (as on an installed system, where / is mounted).
	do_mount "$root" --bind "$root"
	do_mount "$root/proc" -t proc proc
	do_mount "$root/sys" -t sysfs -o ro,nosuid,nodev,noexec sysfs
	do_mount "$root/dev" --bind /dev
	# a tmpfs of its own, not the host's /dev/shm
	do_mount "$root/dev/shm" -t tmpfs -o nosuid,nodev,size=256m shm
}

umount_root() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" || gr_fail "umount ${mounts[$i]}"
	done
	mounts=()
}

# --- 1. the packages, from a clean copy of the tree -----------------------
stamp "building the packages from a clean copy of $src"
mkdir -p "$work/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# tracked and unignored files as they are now: build*/ is ignored
	(cd "$src" && git ls-files -z -co --exclude-standard |
		tar --null -cf - -T -) | tar -xf - -C "$work/src" ||
		gr_fail "cannot copy the tree"
else
	tar -C "$src" --exclude='./build*' -cf - . | tar -xf - -C "$work/src"
fi
(cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -40 "$work/build.log"; gr_fail "dpkg-buildpackage failed"; }
debs=()
for p in nfs-ganesha-rdma nfs-ganesha-rdma-proxy ganesha-rdma-nfs41; do
	f=$(ls "$work"/${p}_*_amd64.deb 2>/dev/null | head -1)
	[ -n "$f" ] || gr_fail "package $p was not built"
	debs+=("$f")
	echo "  $(basename "$f"): $(stat -c %s "$f") bytes"
done
gr_check "the modules depend on exactly nfs-ganesha $gv" bash -c \
	"dpkg-deb -f '${debs[0]}' Depends | grep -qF 'nfs-ganesha (= $gv)' &&
	 dpkg-deb -f '${debs[1]}' Depends | grep -qF 'nfs-ganesha (= $gv)'"
gr_check "no test program is packaged" bash -c \
	"! for d in ${debs[*]}; do dpkg-deb -c \$d; done | grep -qE 'nfs41_fault|bench|test'"
lintian_out=$(cd "$work" && lintian --fail-on error,warning \
	ganesha-rdma_*_amd64.changes 2>&1)
lintian_rc=$?
echo "$lintian_out" | grep -v 'running with root privileges' | sed 's/^/  lintian: /'
gr_check "lintian: no error or warning that is not overridden" \
	test "$lintian_rc" = 0

# --- 2. a fresh root of this machine's release, cached ---------------------
key=$( (echo "$suite $mirror minbase $root_recipe $gv"; echo "$root_pkgs") |
	sha256sum | cut -c1-16)
tarball=$cache/$suite-$key.tar
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$tarball" ]; then
	stamp "no cached root $tarball: debootstrap $suite"
	mkdir "$root"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" \
		>"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log"
		  rm -rf --one-file-system "$root"
		  gr_skip "debootstrap $suite failed (no mirror?)"; }
	# No package may start a service in the root.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mount_root
	pkgs=""
	for p in $root_pkgs; do
		case $p in nfs-ganesha | nfs-ganesha-vfs) p="$p=$gv" ;; esac
		pkgs="$pkgs $p"
	done
	# shellcheck disable=SC2086
	in_root apt-get install -y -q --no-install-recommends $pkgs \
		>"$work/root-apt.log" 2>&1 ||
		{ tail -20 "$work/root-apt.log"; gr_fail "apt-get in the new root"; }
	in_root apt-get clean
	umount_root
	rm -f "$cache"/"$suite"-*.tar
	tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" ||
		gr_fail "cannot write $tarball"
	rm -rf --one-file-system "$root"
	stamp "cached the root: $tarball ($(du -h "$tarball" | cut -f1))"
fi
flock -u 9
stamp "fresh root from $tarball"
mkdir "$root" && tar -C "$root" -xf "$tarball" || gr_fail "cannot unpack $tarball"
# what an installed system has and debootstrap does not write
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' >"$root/etc/hosts"
ln -sfn ../proc/self/mounts "$root/etc/mtab"
mount_root
gr_check "no build tree in the root" \
	bash -c "! ls -d '$root'/work '$root'/var/tmp/gr-pkg.* '$root$src' 2>/dev/null | grep -q ."

# --- 3. install, enable, serve ---------------------------------------------
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
stamp "apt install ./*.deb"
in_root bash -c 'cd /tmp/debs && apt-get install -y -q --no-install-recommends ./*.deb' \
	>"$work/install.log" 2>&1 ||
	{ tail -20 "$work/install.log"; gr_fail "apt install ./*.deb"; }
gr_check "installing enables nothing (no drop-in in /etc or /lib)" bash -c \
	"! ls '$root'/etc/systemd/system/nfs-ganesha.service.d/* \
	      '$root'/lib/systemd/system/nfs-ganesha.service.d/* \
	      '$root'/usr/lib/systemd/system/nfs-ganesha.service.d/* 2>/dev/null | grep -q ."
gr_check "the manual pages are installed" bash -c "cd '$root/usr/share/man' &&
	ls man1/nfs41.1.gz man5/nfs_rdma.5.gz man5/rdma_proxy.5.gz man8/ganesha-rdma.8.gz"
gr_check "State_Dir created 0700" \
	test "$(stat -c %a "$root/var/lib/nfs/ganesha/rdma_proxy")" = 700

port=$(gr_free_port) && rport=$(gr_free_port "$port") &&
	gport=$(gr_free_port "$port" "$rport") ||
	gr_fail "no free port"
# Ganesha 6 exits at start when prctl(PR_SET_IO_FLUSHER) fails, which it
# does without CAP_SYS_RESOURCE: systemd's service has it, a sandbox (this
# CI's) may not.  Only then the test config allows the failure, so where
# the capability is there the administrator's config runs unchanged.
flusher=
if ! (($(printf '%d' "0x$(sed -n 's/^CapEff:\t*//p' /proc/self/status)") >> 24 & 1)); then
	flusher=$(gr_core_version_params)
fi
core_conf() { # PORT RECOVERY
	cat <<CONF
NFS_CORE_PARAM {
	NFS_Port = $1; Bind_Addr = 127.0.0.1; Protocols = 4;
	Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false;
	$flusher
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { RecoveryBackend = fs; RecoveryRoot = "$2"; Graceless = true; }
CONF
}
mkdir -p "$root/srv/export" "$root/var/lib/nfs/ganesha/recovery" \
	"$root/var/lib/nfs/ganesha/gw-recovery"
# The administrator's step 1: an NFS_RDMA block in ganesha.conf.
{
	core_conf "$port" /var/lib/nfs/ganesha/recovery
	cat <<CONF
NFS_RDMA {
	Fabric = ofi; Provider = tcp; Bind_Addr = 127.0.0.1; Port = $rport;
}
EXPORT {
	Export_Id = 1; Path = /srv/export; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
} >"$root/etc/ganesha/ganesha.conf"
# Step 2: the drop-in, linked as docs/packaging.md says.
mkdir -p "$root/etc/systemd/system/nfs-ganesha.service.d"
ln -s /usr/share/ganesha-rdma/nfs-ganesha.service.d/rdma.conf \
	"$root/etc/systemd/system/nfs-ganesha.service.d/rdma.conf"

# A link in the root, resolved as it would be inside it (an absolute target
# names a file of the root, not of this host).
in_root_path() {
	local t
	[ -L "$1" ] || { echo "$1"; return; }
	t=$(readlink "$1")
	case $t in
	/*) echo "$root$t" ;;
	*) echo "$(dirname "$1")/$t" ;;
	esac
}

# nfs-ganesha.service's ExecStart with the environment systemd would give
# it: its EnvironmentFile, then Environment= of the unit and of every
# drop-in (a dangling drop-in link is skipped, as systemd does).
service_start() {
	local unit=$root/lib/systemd/system/nfs-ganesha.service env=() f line
	local cmd memlock=
	# Debian's unit runs ExecStart=/bin/bash -c "...": the string is run
	# as the unit says, its ${VARS} coming from the environment.
	cmd=$(sed -n 's|^ExecStart=/bin/bash -c "\(.*\)"$|\1|p' "$unit")
	[ -n "$cmd" ] || gr_fail "nfs-ganesha.service's ExecStart is not /bin/bash -c \"...\" any more: $(grep ^ExecStart "$unit")"
	for f in "$unit" "$root"/etc/systemd/system/nfs-ganesha.service.d/*.conf; do
		f=$(in_root_path "$f")
		[ -e "$f" ] || continue
		while IFS= read -r line; do
			env+=("${line#Environment=}")
		done < <(grep '^Environment=' "$f")
		grep -q '^LimitMEMLOCK=infinity' "$f" && memlock=unlimited
	done
	grep -q '^RuntimeDirectory=ganesha' "$unit" && mkdir -p "$root/run/ganesha"
	# Type=forking: ExecStart returns once the daemon has forked.
	in_root bash -c 'set -a; [ -f /etc/default/nfs-ganesha ] && . /etc/default/nfs-ganesha; set +a
		[ -z "$1" ] || ulimit -l "$1" 2>/dev/null || echo "LimitMEMLOCK: this host does not let root raise it" >&2; shift; exec env "$@"' \
		env "$memlock" "${env[@]}" /bin/bash -c "$cmd" ||
		gr_fail "ExecStart failed: $cmd (environment: ${env[*]})"
}
svc_pid() { cat "$root/run/ganesha/ganesha.pid" 2>/dev/null; }
svc_stop() {
	local pid
	pid=$(svc_pid)
	[ -n "$pid" ] && gr_stop_pid "$pid" 15
	rm -f "$root/run/ganesha/ganesha.pid"
}
log_has() { grep -q "$2" "$root/var/log/ganesha/$1"; }
port_open() { ss -Htln "sport = :$1" | grep -q .; }

stamp "starting nfs-ganesha.service's ExecStart"
: >"$root/var/log/ganesha/ganesha.log"
service_start
gr_check "the service's daemon serves NFS over RDMA" \
	gr_wait_for 30 log_has ganesha.log 'NFS_RDMA: serving NFS over RDMA'
chroot_pids+=("$(svc_pid)")
gr_check "the preload came from the drop-in" \
	bash -c "grep -q ganesha-rdma/libganesha_rdma_preload.so /proc/$(svc_pid)/maps"

# The gateway: a second ganesha.nfsd, its own pid file, log and recovery.
{
	core_conf "$gport" /var/lib/nfs/ganesha/gw-recovery
	cat <<CONF
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP;
	FSAL {
		Name = RDMA_PROXY; Backend_Addr = 127.0.0.1;
		Backend_Port = $rport; Backend_Path = /export;
		Transport = rdma; Fabric = ofi; Provider = tcp;
	}
}
CONF
} >"$root/etc/ganesha/gateway.conf"
in_root ganesha.nfsd -f /etc/ganesha/gateway.conf \
	-L /var/log/ganesha/gateway.log -p /run/ganesha/gateway.pid -N NIV_EVENT ||
	gr_fail "the gateway's ganesha.nfsd did not start"
gr_wait_for 10 test -s "$root/run/ganesha/gateway.pid"
gw_pid=$(cat "$root/run/ganesha/gateway.pid")
chroot_pids+=("$gw_pid")

nfs41() { in_root nfs41 -q "$@"; }
rdma_url=nfs://127.0.0.1:$rport/export
gw_url=nfs://127.0.0.1:$gport/gw
head -c $((3 * 1024 * 1024 + 777)) /dev/urandom >"$root/tmp/data"
sum=$(sha256sum <"$root/tmp/data" | cut -c1-64)
same() { test "$(sha256sum <"$root/$1" | cut -c1-64)" = "$sum"; }

stamp "data over RDMA and through the gateway"
gr_check "nfs41 writes over RDMA (ofi)" \
	nfs41 --transport rdma --fabric ofi put /tmp/data "$rdma_url/f1"
gr_check "nfs41 reads it back over RDMA" \
	nfs41 --transport rdma --fabric ofi get "$rdma_url/f1" /tmp/back1
gr_check "same sha256 over RDMA" same tmp/back1
gr_check "the file is in the export" same srv/export/f1
gw_ready() { nfs41 stat "$gw_url" >/dev/null 2>&1; }
gr_check "the gateway serves /gw" gr_wait_for 60 gw_ready
gr_check "nfs41 writes through the gateway (TCP)" nfs41 put /tmp/data "$gw_url/f2"
gr_check "nfs41 reads it back through the gateway" nfs41 get "$gw_url/f2" /tmp/back2
gr_check "same sha256 through the gateway" same tmp/back2
gr_check "the gateway's write reached the backend's export" same srv/export/f2
gr_check "the gateway made its handle-MAC key in the default State_Dir" \
	test -s "$root/var/lib/nfs/ganesha/rdma_proxy/handle-mac.key"
key_sum=$(sha256sum <"$root/var/lib/nfs/ganesha/rdma_proxy/handle-mac.key")

gr_stop_pid "$gw_pid" 15
svc_stop

# An upgrade runs the same maintainer scripts (old postrm upgrade, new
# postinst configure) as installing the packages over themselves.
stamp "dpkg -i over the installed packages (the upgrade path)"
in_root bash -c 'dpkg -i /tmp/debs/*.deb' >"$work/upgrade.log" 2>&1 ||
	{ tail -20 "$work/upgrade.log"; gr_fail "dpkg -i over the installed packages"; }
gr_check "the upgrade path keeps the handle-MAC key" bash -c \
	"test \"\$(sha256sum <'$root/var/lib/nfs/ganesha/rdma_proxy/handle-mac.key')\" = '$key_sum'"
gr_check "the upgrade path enables nothing new" bash -c \
	"test \"\$(ls '$root'/etc/systemd/system/nfs-ganesha.service.d/)\" = rdma.conf"

# --- 4. remove: plain Ganesha still works, the state stays --------------------
stamp "apt remove the server packages"
in_root apt-get remove -y -q nfs-ganesha-rdma nfs-ganesha-rdma-proxy \
	>"$work/remove.log" 2>&1 || { tail -20 "$work/remove.log"; gr_fail "apt remove"; }
gr_check "remove keeps the handle-MAC key unchanged" bash -c \
	"test \"\$(sha256sum <'$root/var/lib/nfs/ganesha/rdma_proxy/handle-mac.key')\" = '$key_sum'"
gr_check "Debian's FSALs are untouched" \
	test -f "$root/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so"
# The admin's drop-in link and NFS_RDMA block are still there.
: >"$root/var/log/ganesha/ganesha.log"
service_start
gr_check "plain ganesha.nfsd starts with the same unit and config" \
	gr_wait_for 30 port_open "$port"
chroot_pids+=("$(svc_pid)")
gr_check "plain ganesha.nfsd serves over TCP" \
	nfs41 get "nfs://127.0.0.1:$port/export/f1" /tmp/back3
gr_check "same sha256 from plain Ganesha" same tmp/back3
gr_check "no RDMA listener without the package" \
	bash -c "! grep -q 'NFS_RDMA: serving' '$root/var/log/ganesha/ganesha.log'"
svc_stop
stamp "purge"
in_root apt-get purge -y -q nfs-ganesha-rdma-proxy ganesha-rdma-nfs41 \
	>>"$work/remove.log" 2>&1 || { tail -20 "$work/remove.log"; gr_fail "apt purge"; }
gr_check "purge deletes the default State_Dir and its key" \
	test ! -e "$root/var/lib/nfs/ganesha/rdma_proxy"
gr_check "nothing of ours is left" bash -c \
	"! ls '$root'/usr/lib/x86_64-linux-gnu/ganesha-rdma '$root'/usr/bin/nfs41 \
	   '$root'/usr/lib/x86_64-linux-gnu/ganesha/libfsalrdma_proxy.so \
	   '$root'/usr/lib/x86_64-linux-gnu/ganesha/libganesha_rdma_proxy.so 2>/dev/null | grep -q ."

umount_root
stamp "passed: $gr_passed checks"
exit 0

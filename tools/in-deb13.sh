#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Run a command inside the Debian 13 root (tools/deb13-root.sh) with this
# source tree at the same path as on the host, so a build directory made
# inside (e.g. build-deb13/) has the same absolute paths from both sides.
#
# How it works: unshare makes a private mount namespace and a PID namespace
# whose first process is the shell below.  In it the cached root is the lower
# layer of an overlay whose upper layer is a tmpfs, so a run sees a pristine
# Debian 13 and whatever it writes outside the source tree (apt, /var/lib/nfs,
# /etc) is gone afterwards; /proc (of the new PID namespace), /sys, /dev with a
# fresh /dev/shm, a fresh /tmp (on disk, see below), tmpfs /run, and the
# source tree are mounted on it.
# Nothing is mounted in the host's namespace, so there is nothing to unmount:
# when the command ends - or this script is killed (--kill-child) - the
# namespace's first process exits, the kernel kills every process left in the
# PID namespace (daemons a failed test left behind included) and drops the
# mounts with the namespace.  The network is the host's: tests stay on
# 127.0.0.1 with their own ports.
#
# Usage: tools/in-deb13.sh CMD [ARGS...]     (as root; cwd kept if inside the
#        source tree, else /)
# Env:   GR_DEB13_ROOT  root to use (default: tools/deb13-root.sh --print)
#        GR_DEB13_RW=1  no overlay: write to the root itself (deb13-root.sh
#                       uses it to install packages while building the root)
#        GR_DEB13_BIND  extra host directories, colon-separated, bound at the
#                       same path (e.g. a test's output directory)
#        GR_DEB13_ENV   names of variables, space-separated, passed through
#                       (the rest of the environment is dropped)
# Exit:  the command's status; 77 when there is no root or no privileges.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
GR_CACHE=${GR_CACHE:-/var/cache/ganesha-rdma}

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "in-deb13: skip: needs root (namespaces, mounts)" >&2; exit 77; }

if [ -z "${GR_DEB13_ROOT:-}" ]; then
	GR_DEB13_ROOT=$("$top/tools/deb13-root.sh" --print) ||
		{ echo "in-deb13: skip: no Debian 13 root (tools/deb13-root.sh makes it)" >&2; exit 77; }
	# shared: deb13-root.sh never replaces a root in use
	exec 8>"$GR_CACHE/.deb13.lock"
	flock -s 8
fi
[ -x "$GR_DEB13_ROOT/bin/bash" ] ||
	{ echo "in-deb13: skip: $GR_DEB13_ROOT is not a root" >&2; exit 77; }

case $PWD/ in
"$top"/*) wd=$PWD ;;
*) wd=/ ;;
esac
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" GR_IN_DEB13=1)
for v in ${GR_DEB13_ENV:-}; do
	[ -z "${!v+x}" ] || envs+=("$v=${!v}")
done

# Each run's /tmp is /var/tmp/gr-deb13-tmp/<host PID of this script>; those
# of runs that are gone (killed before their own cleanup) are removed here,
# in the host's PID namespace, where kill -0 sees every live run.
for old in /var/tmp/gr-deb13-tmp/*; do
	if [ -d "$old" ] && ! kill -0 "${old##*/}" 2>/dev/null; then
		rm -rf --one-file-system "$old"
	fi
done

# The inner shell is PID 1 of the new PID namespace: it mounts, runs the
# command as its child and exits with its status.
# shellcheck disable=SC2016
exec unshare --mount --propagation private --pid --fork --kill-child -- \
	bash -c '
set -eu
lower=$1 top=$2 wd=$3 rw=$4 binds=$5 scratch=$6 tmpbase=$7 hostpid=$8
shift 8
if [ "$rw" = 1 ]; then
	r=$lower
else
	mkdir -p "$scratch"
	mount -t tmpfs -o mode=0700 gr-deb13 "$scratch"
	mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
	mount -t overlay gr-deb13 -o "lowerdir=$lower,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
	r=$scratch/root
fi
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$r/dev/shm"
# /tmp is a directory on the host disk, not a tmpfs: Ganesha 6.5'"'"'s FSAL_VFS
# does not find the file system of an export on a tmpfs
# ("resolve_posix_filesystem ... No such file or directory"), and the tests
# make their export directories under /tmp (found by the glue port).  It is
# named after this run'"'"'s host PID (see the cleanup before unshare).
t=$tmpbase/$hostpid
mkdir -p -m 1777 "$t"
mount --bind "$t" "$r/tmp"
mount -t tmpfs -o mode=0755 run "$r/run"
mkdir -p "$r/run/lock"
# The host name must resolve (Ganesha waits on DNS otherwise): the root is
# shared by hosts, so it is added per run, in the overlay only.
if [ "$rw" != 1 ] && ! grep -qw "$(hostname)" "$r/etc/hosts"; then
	printf "127.0.1.1\t%s\n" "$(hostname)" >>"$r/etc/hosts"
fi
IFS=: read -ra extra <<<"$binds"
for d in "$top" "${extra[@]}"; do
	[ -n "$d" ] || continue
	mkdir -p "$r$d"
	mount --bind "$d" "$r$d"
done
set +e
chroot "$r" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$wd" "$@"
rc=$?
umount -R "$r/tmp" && rm -rf "$t"
if [ "$rw" = 1 ]; then
	# the bind points made in the root itself go again
	for d in "$top" "${extra[@]}"; do
		[ -n "$d" ] || continue
		umount "$r$d"
		while [ "$d" != / ] && rmdir "$r$d" 2>/dev/null; do
			d=$(dirname "$d")
		done
	done
fi
exit $rc
' gr-deb13 "$GR_DEB13_ROOT" "$top" "$wd" "${GR_DEB13_RW:-0}" \
	"${GR_DEB13_BIND:-}" "$GR_CACHE/.deb13-mnt" /var/tmp/gr-deb13-tmp $$ \
	env -i "${envs[@]}" "$@"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Make (or reuse) a Debian 13 (trixie) root in which this project is built and
# its integration tier runs against Debian 13's own ganesha.nfsd 6.5.
#
# How it works: debootstrap --variant=minbase trixie into a scratch directory
# next to the cache, then tools/install-deps.sh runs INSIDE it - the same
# script a fresh Debian 13 machine runs, so the root proves that script too -
# and installs the project's packages and the sha256-checked Ganesha 6.5 SDK
# (/var/cache/ganesha-rdma/ganesha-6.5 inside the root).  What an installed
# system has and debootstrap does not write is added (resolvable localhost,
# /etc/mtab; /etc/netconfig and the libnfsidmap plugins come with the
# packages).  The finished root is renamed into place in one step, with a
# stamp file holding the key of its inputs: install-deps.sh, the mirror and
# the recipe number below.  A root whose stamp matches is reused; any other is rebuilt, so
# editing the package list rebuilds it on the next run.
#
# Usage: tools/deb13-root.sh [--print]   prints the root's path on stdout
#        (--print: only print it, exit 1 when there is none; a root made
#        from other versions of the two scripts is printed with a warning,
#        so worktrees at different commits share one root)
# Env:   GR_CACHE (default /var/cache/ganesha-rdma)
#        GR_DEB13_MIRROR (default http://deb.debian.org/debian)
# Exit:  0 ready, 1 failure (the log's tail on stderr), 77 when this host
#        cannot make one (not root, no debootstrap).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
GR_CACHE=${GR_CACHE:-/var/cache/ganesha-rdma}
mirror=${GR_DEB13_MIRROR:-http://deb.debian.org/debian}
root=$GR_CACHE/deb13
stampfile=$root/.gr-root-stamp

log() { echo "deb13-root: $*" >&2; }
skip() { echo "deb13-root: skip: $*" >&2; exit 77; }

# Bump when the way the root is made below changes (rebuilds it); the
# package list is install-deps.sh, hashed whole.
recipe=1
key=$( (echo "trixie minbase $mirror $recipe"
	cat "$top/tools/install-deps.sh") | sha256sum | cut -c1-16)

fresh() { [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$key" ]; }

if [ "${1:-}" = --print ]; then
	[ -f "$stampfile" ] || { log "no root in $root (run tools/deb13-root.sh)"; exit 1; }
	fresh || log "warning: $root was made from other versions of deb13-root.sh/install-deps.sh (tools/deb13-root.sh rebuilds it)"
	echo "$root"
	exit 0
fi

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mounts)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"

if fresh; then
	echo "$root"
	exit 0
fi
mkdir -p "$GR_CACHE"
# One builder at a time; runners (tools/in-deb13.sh) take this lock shared,
# so a root is never replaced under a running test.
exec 8>"$GR_CACHE/.deb13.lock"
flock 8
if fresh; then
	echo "$root"
	exit 0
fi

t0=$(date +%s)
new=$GR_CACHE/deb13.new
rm -rf --one-file-system "$new"
mkdir -p "$new"
logf=$GR_CACHE/deb13-build.log
log "building a Debian 13 root in $new (log $logf)"
if ! debootstrap --variant=minbase trixie "$new" "$mirror" >"$logf" 2>&1; then
	tail -n 20 "$logf" >&2
	rm -rf --one-file-system "$new"
	log "debootstrap trixie failed"
	exit 1
fi
cat >"$new/etc/apt/sources.list" <<EOF
deb $mirror trixie main
deb $mirror trixie-updates main
deb http://deb.debian.org/debian-security trixie-security main
EOF
# No package may start a service in the root.
printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$new/etc/hosts"
ln -sfn ../proc/self/mounts "$new/etc/mtab"
cp /etc/resolv.conf "$new/etc/resolv.conf" 2>/dev/null || true
if ! GR_DEB13_ROOT=$new GR_DEB13_RW=1 "$top/tools/in-deb13.sh" \
	bash -c "bash '$top/tools/install-deps.sh' && apt-get clean" \
	>>"$logf" 2>&1; then
	tail -n 30 "$logf" >&2
	rm -rf --one-file-system "$new"
	log "install-deps.sh failed inside the root"
	exit 1
fi
echo "$key" >"$new/.gr-root-stamp"
rm -rf --one-file-system "$root.old"
[ ! -d "$root" ] || mv "$root" "$root.old"
mv "$new" "$root"
rm -rf --one-file-system "$root.old"
log "root ready in $(($(date +%s) - t0)) s: $root ($(du -sh "$root" | cut -f1))"
echo "$root"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Install everything this project needs on a Debian 12 (bookworm) or Debian 13
# (trixie) machine and prepare the Ganesha SDK of that release (4.3 on 12, 6.5
# on 13): Debian's own nfs-ganesha source package, checked against a known
# sha256, unpacked where cmake/GaneshaSDK.cmake looks for it.  The release is
# read from /etc/os-release; the package list is one list with the few names
# that differ chosen per release (clang's runtime and the formatter).
#
# Safe and fast to re-run: packages already installed are not touched and the
# SDK is only fetched when its marker file is missing.
#
# Env: GR_CACHE (default /var/cache/ganesha-rdma)  where the SDK is kept.
#      GR_SKIP_APT=1                              do not call apt at all.
set -euo pipefail

GR_CACHE=${GR_CACHE:-/var/cache/ganesha-rdma}

log() { echo "install-deps: $*"; }
die() { echo "install-deps: error: $*" >&2; exit 1; }

[ -r /etc/os-release ] || die "no /etc/os-release: not a Debian system"
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case $CODENAME in
bookworm)
	GANESHA_VERSION=4.3
	GANESHA_SHA256=d4efd020edf4dfe65abfd0f0f66eb4390613360f99dce4354467ab297e0e1c0f
	# clang-format 14 is the tree's pinned formatter (tools/check-format.sh)
	RELEASE_PACKAGES=(libclang-rt-14-dev clang-format-14)
	;;
trixie)
	GANESHA_VERSION=6.5
	GANESHA_SHA256=ece6cf138dd8602f33294eee75233051229867ea7fd1b3f7d6545e989303bfd9
	# trixie has no clang-format-14: tree.format skips there (exit 77)
	# and runs on Debian 12, where the formatter is pinned.
	RELEASE_PACKAGES=(libclang-rt-19-dev clang-format-19)
	;;
*)
	die "this script targets Debian 12 (bookworm) or 13 (trixie), not '$CODENAME'"
	;;
esac
GANESHA_ORIG=nfs-ganesha_${GANESHA_VERSION}.orig.tar.gz
SDK_DIR=$GR_CACHE/ganesha-$GANESHA_VERSION

# Build, test, fabric, Ganesha (binary + the -dev packages its headers need),
# fuzzing (clang), the VM tier's host side, and the tools the test scripts
# call (ss, pgrep, bc, python3; gdb, which ganesha.connect_cycles uses to
# call malloc_trim(0) in the daemon) that a minimal Debian leaves out.
PACKAGES=(
	build-essential cmake pkg-config git ca-certificates
	clang "${RELEASE_PACKAGES[@]}" valgrind
	libibverbs-dev librdmacm-dev rdma-core ibverbs-providers
	libfabric-dev libfabric-bin
	libntirpc-dev liburcu-dev libkrb5-dev libcap-dev libblkid-dev
	libdbus-1-dev libnfsidmap-dev uuid-dev libacl1-dev
	libssl-dev
	nfs-ganesha nfs-ganesha-vfs nfs-ganesha-mem nfs-ganesha-proxy-v4
	libnfs-utils libnfs-dev
	dpkg-dev debhelper fakeroot lintian
	prometheus python3-prometheus-client
	qemu-system-x86 debootstrap e2fsprogs
	iproute2 procps bc python3 gdb
)

[ "$(id -u)" = 0 ] || die "run as root (apt-get and $GR_CACHE need it)"

apt_updated=0
apt_update_once() {
	if [ $apt_updated = 0 ]; then
		apt-get update -q
		apt_updated=1
	fi
}

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ]; then
		log "all ${#PACKAGES[@]} packages present"
		return
	fi
	log "installing: ${missing[*]}"
	apt_update_once
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
}

# Debian ships Ganesha's sources as a source package; apt needs a deb-src line.
ensure_deb_src() {
	local list=/etc/apt/sources.list.d/ganesha-rdma-src.sources
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/; then
		return
	fi
	log "adding a deb-src entry for $CODENAME main ($list)"
	cat >"$list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $CODENAME
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_updated=0
}

fetch_sdk() {
	local marker=$SDK_DIR/.sdk-ready tmp
	if [ -e "$marker" ] && [ "$(cat "$marker")" = "$GANESHA_SHA256" ]; then
		log "Ganesha $GANESHA_VERSION SDK ready in $SDK_DIR"
		return
	fi
	ensure_deb_src
	apt_update_once
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	log "fetching Debian's nfs-ganesha $GANESHA_VERSION source package"
	# The debian.tar.xz part of the source package may be gone from the
	# mirror; only the upstream orig tarball matters, so apt's exit code
	# is not trusted and the tarball's checksum is checked instead.
	(cd "$tmp" && apt-get source --download-only -q \
		"nfs-ganesha=$GANESHA_VERSION-*" >/dev/null 2>&1) || true
	[ -f "$tmp/$GANESHA_ORIG" ] ||
		(cd "$tmp" && apt-get source --download-only -q nfs-ganesha \
			>/dev/null 2>&1) || true
	[ -f "$tmp/$GANESHA_ORIG" ] ||
		die "could not download $GANESHA_ORIG from Debian's deb-src"
	echo "$GANESHA_SHA256  $tmp/$GANESHA_ORIG" | sha256sum -c --quiet - ||
		die "$GANESHA_ORIG does not match sha256 $GANESHA_SHA256"
	rm -rf "$SDK_DIR"
	mkdir -p "$SDK_DIR"
	tar -xzf "$tmp/$GANESHA_ORIG" -C "$SDK_DIR" --strip-components=1 \
		nfs-ganesha-$GANESHA_VERSION/src/include \
		nfs-ganesha-$GANESHA_VERSION/src/CMakeLists.txt
	cp "$tmp/$GANESHA_ORIG" "$SDK_DIR/"
	echo "$GANESHA_SHA256" >"$marker"
	log "Ganesha $GANESHA_VERSION SDK unpacked in $SDK_DIR"
}

if [ "${GR_SKIP_APT:-0}" != 1 ]; then
	install_packages
fi
fetch_sdk

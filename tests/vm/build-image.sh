#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Build (once) and cache the Debian image the vm test tier boots: bookworm
# (Debian 12, kernel 6.1; the default) or trixie (Debian 13, kernel 6.12).
#
# How this works: the image is made in two cached stages under $CACHE
# (default ${GR_VM_CACHE:-/var/cache/ganesha-rdma/vm}, with -trixie appended
# for trixie):
#   1. rootfs/  debootstrap of the suite + the guest packages, upgraded to the
#      suite's newest kernel, plus siw.ko built out of tree from the matching
#      linux-source with the suite's own gcc inside the rootfs, when the
#      kernel config leaves CONFIG_RDMA_SIW unset (Debian's 6.1 and 6.12
#      configs both do; the build checks the config).  Stamped with
#      the sha256 of its inputs (package lists, mirror, the stage-1 code):
#      changing any of them rebuilds the rootfs (~5 min); nothing else does.
#   2. disk.img + vmlinuz + initrd.img  an ext4 image made from rootfs with
#      mke2fs -d (no loop device needed) after installing guest-init.sh as
#      /sbin/grvm-init.  Stamped with the sha256 of this script and of
#      guest-init.sh: editing the init only redoes this stage (~20 s).
# Each stage is built beside the old one and renamed into place, under an
# exclusive flock on $CACHE/.lock, so concurrent runs never see a half image.
# The test binaries are NOT in the image: run-vm-tests.sh shares the build
# and source trees into the guest read-only with virtio-9p at run time.
#
# Usage: build-image.sh [--suite bookworm|trixie] [--cache DIR] [--force] [--check]
#   --force  rebuild both stages      --check  exit 0 if the cache is current
#   --suite  bookworm (default, or $GR_VM_SUITE) or trixie
# Env: GR_VM_CACHE, GR_VM_MIRROR (default http://deb.debian.org/debian),
#      GR_VM_SECURITY_MIRROR, GR_VM_IMG_SIZE (default 4G).
# Exit: 0 image ready; 77 cannot build here (not root, no mirror, host
#       packages cannot be installed); 1 the build itself failed.
{ # parse the whole script before running it: safe to edit while it runs
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUITE=${GR_VM_SUITE:-bookworm}
CACHE=
FORCE=0
CHECK=0
while [ $# -gt 0 ]; do
	case "$1" in
	--cache) CACHE="$2"; shift 2 ;;
	--suite) SUITE="$2"; shift 2 ;;
	--force) FORCE=1; shift ;;
	--check) CHECK=1; shift ;;
	*) echo "build-image.sh: unknown argument $1" >&2; exit 1 ;;
	esac
done
MIRROR="${GR_VM_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${GR_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
IMG_SIZE="${GR_VM_IMG_SIZE:-4G}"

# Guest packages.  First list: what debootstrap installs (boot, network,
# RDMA user space, kernel NFS).  Second list: installed with apt afterwards
# (better dependency resolution): what this project's binaries need at run
# time in the guest, and Ganesha for the server-side issues (with
# FSAL_PROXY_V4, the baseline of bench/gateway_vs_proxy_v4_vm.sh, and perf to
# profile the gateways).
BOOT_PKGS="linux-image-amd64,kmod,iproute2,procps,util-linux,netbase,
ca-certificates,rdma-core,ibverbs-providers,ibverbs-utils,rdmacm-utils,
perftest,infiniband-diags,nfs-kernel-server,nfs-common,rpcbind"
# Per suite: the kernel series (linux-source-<series>), the compiler siw.ko
# is built with, and the run-time library names (trixie renamed some for the
# 64-bit time_t transition and ships ntirpc 6.3 with Ganesha 6.5).
case "$SUITE" in
bookworm)
	KSERIES=6.1 KGCC=gcc-12
	RUN_PKGS="libibverbs1 librdmacm1 libfabric1 liburcu8 libntirpc4.3" ;;
trixie)
	KSERIES=6.12 KGCC=gcc-14
	RUN_PKGS="libibverbs1 librdmacm1t64 libfabric1 liburcu8t64 libntirpc6.3" ;;
*) echo "build-image.sh: unknown suite $SUITE (bookworm|trixie)" >&2; exit 1 ;;
esac
# Each suite has its own cache: <bookworm's>-trixie for trixie.
if [ -z "$CACHE" ]; then
	CACHE=${GR_VM_CACHE:-/var/cache/ganesha-rdma/vm}
	[ "$SUITE" = bookworm ] || CACHE=$CACHE-$SUITE
fi
RUN_PKGS="$RUN_PKGS
nfs-ganesha nfs-ganesha-vfs nfs-ganesha-mem nfs-ganesha-proxy-v4 libasan8
libubsan1 strace gdb-minimal linux-perf"

step() { echo "=== [grvm-build $(date +%T)] $*"; }
skip() { echo "build-image.sh: SKIP: $*" >&2; exit 77; }

# Stage 1 is keyed on its inputs only (package lists, mirror, and the text
# of the stage-1 block), so editing comments elsewhere costs ~20 s, not 5 min.
ROOTFS_HASH=$({
	echo "$SUITE $KSERIES $KGCC $MIRROR $SECURITY_MIRROR $BOOT_PKGS $RUN_PKGS"
	sed -n '/^# -* stage 1$/,/^# -* stage 2$/p' "$HERE/build-image.sh"
} | sha256sum | cut -d' ' -f1)
IMAGE_HASH=$(cat "$HERE/build-image.sh" "$HERE/guest-init.sh" |
	sha256sum | cut -d' ' -f1)
# The key build-image.sh gave the bookworm rootfs before it had --suite: the
# same packages and steps, so that rootfs is current too (trees at either
# version then share one rootfs instead of rebuilding it in turn).  Drop it
# when the bookworm recipe changes.
BOOKWORM_KEY_BEFORE_SUITES=3b452af15bbfdebae9ade00b6885950adc4a038ffc82c47129e01656cbccb854
rootfs_current() {
	local have
	have=$(cat "$CACHE/rootfs/.grvm-rootfs-hash" 2>/dev/null)
	[ "$have" = "$ROOTFS_HASH" ] || { [ "$SUITE" = bookworm ] &&
		[ "$have" = "$BOOKWORM_KEY_BEFORE_SUITES" ]; }
}

image_current() {
	[ -e "$CACHE/disk.img" ] && [ -e "$CACHE/vmlinuz" ] &&
		[ -e "$CACHE/initrd.img" ] &&
		[ "$(cat "$CACHE/image.hash" 2>/dev/null)" = "$IMAGE_HASH" ]
}

if [ "$CHECK" = 1 ]; then
	image_current
	exit $?
fi
if [ "$FORCE" = 0 ] && image_current; then
	echo "grvm image is current: $CACHE (hash ${IMAGE_HASH:0:12})"
	exit 0
fi

[ "$(id -u)" = 0 ] || skip "building the VM image needs root (debootstrap, chroot)"

# ---------------------------------------------------------------- host tools
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v mke2fs >/dev/null || need+=(e2fsprogs)
command -v flock >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
	step "installing host packages: ${need[*]}"
	command -v apt-get >/dev/null || skip "no apt-get to install ${need[*]}"
	if ! { apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${need[@]}"; }; then
		skip "cannot install host packages ${need[*]} (no mirror?)"
	fi
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
step "waiting for the cache lock $CACHE/.lock"
flock 9
# Another run may have built it while we waited.
if [ "$FORCE" = 0 ] && image_current; then
	echo "grvm image is current: $CACHE (built by another run)"
	exit 0
fi

T0=$(date +%s)
ROOTFS="$CACHE/rootfs"
NEW="$CACHE/rootfs.new"

chroot_mounts() { # dir
	mount -t proc proc "$1/proc"
	mount -t sysfs sys "$1/sys"
	mount --bind /dev "$1/dev"
	mount --bind /dev/pts "$1/dev/pts"
}
chroot_umounts() { # dir
	local m
	for m in dev/pts dev sys proc; do
		umount "$1/$m" 2>/dev/null || true
	done
}
cleanup() {
	[ -d "$NEW" ] && chroot_umounts "$NEW"
	return 0
}
trap cleanup EXIT
in_chroot() { # cmd...: run in the new rootfs without starting services
	chroot "$NEW" env DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# ---------------------------------------------------------------- stage 1
if [ "$FORCE" = 1 ] || ! rootfs_current; then
	step "stage 1: debootstrap $SUITE into $NEW"
	if [ -d "$NEW" ]; then
		chroot_umounts "$NEW"
		rm -rf "$NEW"
	fi
	if ! wget -q -T 20 -O /dev/null "$MIRROR/dists/$SUITE/Release"; then
		skip "Debian mirror $MIRROR unreachable"
	fi
	T1=$(date +%s)
	debootstrap --variant=minbase --include="$(echo $BOOT_PKGS | tr -d ' ')" \
		"$SUITE" "$NEW" "$MIRROR"
	echo "debootstrap took $(($(date +%s) - T1))s"

	cat >"$NEW/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SRC
	# Never start daemons inside the build chroot.
	printf '#!/bin/sh\nexit 101\n' >"$NEW/usr/sbin/policy-rc.d"
	chmod 0755 "$NEW/usr/sbin/policy-rc.d"
	chroot_mounts "$NEW"

	step "stage 1: upgrade to the newest $KSERIES kernel, install run-time packages"
	in_chroot apt-get update -q
	in_chroot apt-get -y -q dist-upgrade
	in_chroot apt-get -y -q install --no-install-recommends \
		linux-image-amd64 $RUN_PKGS
	KVER=$(ls "$NEW/lib/modules" | sort -V | tail -1)
	OLD=$(in_chroot dpkg-query -W -f '${Package}\n' 'linux-image-[0-9]*' |
		grep -v -- "$KVER" || true)
	[ -z "$OLD" ] || in_chroot apt-get -y -q purge $OLD

	# rxe and the kernel's NFS-over-RDMA modules must come with the kernel.
	for m in rdma_rxe rpcrdma; do
		in_chroot modinfo -k "$KVER" -F filename $m >/dev/null || {
			echo "kernel $KVER has no $m module" >&2
			exit 1
		}
	done
	# Debian's 6.1 and 6.12 configs leave CONFIG_RDMA_SIW unset: build
	# siw.ko from the matching linux-source against linux-headers-$KVER
	# with the suite's gcc, then drop the build tools again to keep the
	# image small.  A config that has it needs nothing.
	if grep -q '^CONFIG_RDMA_SIW=[my]' "$NEW/boot/config-$KVER"; then
		step "stage 1: $KVER has CONFIG_RDMA_SIW, no siw.ko to build"
	else
	step "stage 1: build siw.ko out of tree for $KVER (CONFIG_RDMA_SIW unset)"
	T3=$(date +%s)
	in_chroot apt-get -y -q install --no-install-recommends \
		"linux-headers-$KVER" linux-source-$KSERIES make $KGCC xz-utils
	in_chroot /bin/bash -ec "
		rm -rf /usr/src/siw-build
		mkdir -p /usr/src/siw-build
		cd /usr/src/siw-build
		tar -xJf /usr/src/linux-source-$KSERIES.tar.xz --wildcards \
			'linux-source-$KSERIES/drivers/infiniband/sw/siw/*'
		cd linux-source-$KSERIES/drivers/infiniband/sw/siw
		make -s -C /usr/src/linux-headers-$KVER M=\$PWD \
			CONFIG_RDMA_SIW=m modules
		mkdir -p /lib/modules/$KVER/updates
		strip --strip-debug -o /lib/modules/$KVER/updates/siw.ko siw.ko
		depmod -a $KVER
		modinfo -k $KVER -F filename siw
		rm -rf /usr/src/siw-build"
	in_chroot apt-get -y -q purge linux-source-$KSERIES \
		"linux-headers-$KVER" make $KGCC xz-utils
	in_chroot apt-get -y -q autoremove --purge
	[ -e "$NEW/lib/modules/$KVER/updates/siw.ko" ] || {
		echo "siw.ko missing after build" >&2
		exit 1
	}
	echo "siw build took $(($(date +%s) - T3))s"
	fi
	in_chroot apt-get clean
	[ -e "$NEW/boot/initrd.img-$KVER" ] ||
		in_chroot update-initramfs -c -k "$KVER"
	chroot_umounts "$NEW"
	rm -f "$NEW/usr/sbin/policy-rc.d"

	echo grvm >"$NEW/etc/hostname"
	printf '127.0.0.1 localhost\n10.0.2.15 grvm\n' >"$NEW/etc/hosts"
	# Empty root password: only reachable on the serial console of a VM
	# whose only network is restricted slirp (shell mode, README.md).
	chroot "$NEW" passwd -d root >/dev/null
	mkdir -p "$NEW/export" "$NEW/mnt/nfs" "$NEW/grvm"
	echo "/export *(rw,sync,no_subtree_check,no_root_squash,insecure,fsid=1)" \
		>"$NEW/etc/exports"
	echo "$ROOTFS_HASH" >"$NEW/.grvm-rootfs-hash"
	rm -rf "$ROOTFS"
	mv "$NEW" "$ROOTFS"
	echo "stage 1 took $(($(date +%s) - T0))s"
else
	step "stage 1: rootfs is current (hash ${ROOTFS_HASH:0:12})"
fi

# ---------------------------------------------------------------- stage 2
step "stage 2: install guest init, make disk image"
KVER=$(ls "$ROOTFS/lib/modules" | sort -V | tail -1)
install -m 0755 "$HERE/guest-init.sh" "$ROOTFS/sbin/grvm-init"
cp -f "$ROOTFS/boot/vmlinuz-$KVER" "$CACHE/vmlinuz.new"
cp -f "$ROOTFS/boot/initrd.img-$KVER" "$CACHE/initrd.img.new"
rm -f "$CACHE/disk.img.new"
mke2fs -q -F -t ext4 -L grvmroot -d "$ROOTFS" "$CACHE/disk.img.new" "$IMG_SIZE"
for f in vmlinuz initrd.img disk.img; do
	mv -f "$CACHE/$f.new" "$CACHE/$f"
done
echo "$KVER" >"$CACHE/kver"
echo "$IMAGE_HASH" >"$CACHE/image.hash"
step "image ready in $(($(date +%s) - T0))s: $CACHE (kernel $KVER)"
exit 0
}

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# NFSv4.2 with the Linux kernel client on one soft-RDMA device in the vm
# tier's guest (called from guest-tests.list; issue 17):
#   1. Debian's ganesha.nfsd with this project's transport (Fabric = verbs),
#      mounted with vers=4.2,proto=rdma: nfs_rdma.sh's file workload with
#      checksums, then the 4.2 operations below;
#   2. the gateway (ganesha.nfsd + FSAL_RDMA_PROXY, whose session to the
#      Linux kernel NFS server runs NFSv4.2 over verbs), mounted with
#      vers=4.2 over TCP: the 4.2 operations below, xattrs included.
# The 4.2 operations, each on the mount and compared with the same steps
# on a local model file and with the server's own file (nfs42_probe.py for
# what coreutils lacks): fallocate past the end (ALLOCATE), fallocate
# --punch-hole (DEALLOCATE; the range reads as zeros, the server's file
# has fewer blocks, the client sees the server's count), lseek
# SEEK_DATA/SEEK_HOLE at 11 offsets (SEEK; the same answers as on the
# server's file system), user.* xattrs set/get/list/remove (RFC 8276) where
# the server offers them: Ganesha 4.3's FSAL_VFS has no xattr hooks, so
# there the client must answer EOPNOTSUPP cleanly (a stated skip).
# Usage: nfs42.sh <ibdev> <ip> <build dir> <out dir> [MiB] [parallel MiB]
# Exit 0 when every check held, 1 otherwise, 77 without python3; one
# "ok:"/"FAIL:"/"skip:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 MB=${5:-16} PMB=${6:-${5:-16}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
FSAL=$BUILD/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so
PROBE=$HERE/nfs42_probe.py
work=/var/tmp/nfs42-$IBDEV
kexp=$work/kexport
passed=0 failed=0
GW_PID=

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
command -v python3 >/dev/null || { echo "no python3 in the guest for nfs42_probe.py"; exit 77; }
for f in "$BUILD/src/xprt_rdma/ganesha/libganesha_rdma.so" "$FSAL"; do
	[ -e "$f" ] || { echo "FAIL: not built: $f"; exit 1; }
done
ulimit -l unlimited

cleanup() {
	umount -f /mnt/g 2>/dev/null
	[ -n "$GW_PID" ] && kill $GW_PID 2>/dev/null && wait $GW_PID 2>/dev/null
	ganesha_stop
	knfsd_stop 2>/dev/null
	cp -f "$work/ganesha.log" "$OUT/nfs42-ganesha-$IBDEV.log" 2>/dev/null
	cp -f "$work/gw/ganesha.log" "$OUT/nfs42-gateway-$IBDEV.log" 2>/dev/null
}
trap cleanup EXIT

rm -rf "$work"; mkdir -p "$work" /mnt/g
head -c $((MB * 1024 * 1024)) /dev/urandom >"$work/src.bin"
for i in 1 2 3 4; do
	head -c $((PMB * 1024 * 1024)) /dev/urandom >"$work/par$i.bin"
done
head -c $((2 << 20)) /dev/urandom >"$work/dat.bin"

# /proc/self/mountstats's options line of the mount at $1.
mount_opts() {
	awk -v m="$1" '$1 == "device" { on = ($5 == m) } on && $1 == "opts:" { print $2; exit }' \
		/proc/self/mountstats
}

drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }

sha() { sha256sum <"$1" | cut -d' ' -f1; }

parallel_writers() { # mountpoint
	local i rc=0 pids=()
	for i in 1 2 3 4; do
		timeout 300 dd if="$work/par$i.bin" of="$1/par$i.bin" bs=1M conv=fsync status=none &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	return $rc
}

# nfs_rdma.sh's workload, smaller files and 500 entries (VM time).
workload() { # mountpoint label
	local m=$1 l=$2
	check "$l: write 4 KiB" timeout 60 dd if="$work/src.bin" of="$m/small.bin" bs=4k count=1 conv=fsync status=none
	check "$l: write ${MB} MiB" timeout 300 dd if="$work/src.bin" of="$m/big.bin" bs=1M conv=fsync status=none
	drop
	check "$l: read back, same sha256" test "$(sha "$m/big.bin")" = "$(sha "$work/src.bin")"
	check "$l: 4 parallel writers of ${PMB} MiB" parallel_writers "$m"
	drop
	check "$l: parallel writers' data read back" bash -c \
		"for i in 1 2 3 4; do cmp '$work/par'\$i.bin '$m/par'\$i.bin || exit 1; done"
	rm -f "$m"/par?.bin
	mkdir -p "$m/dir" && (cd "$m/dir" && seq -f 'f%04g' 1 500 | xargs touch)
	check "$l: readdir of 500 entries" test "$(ls "$m/dir" | wc -l)" = 500
	check "$l: rename" mv "$m/big.bin" "$m/dir/renamed.bin"
	check "$l: symlink + readlink" bash -c "ln -s dir/renamed.bin '$m/link' && test \"\$(readlink '$m/link')\" = dir/renamed.bin"
	check "$l: remove" rm -rf "$m/dir" "$m/link" "$m/small.bin"
}

# The NFSv4.2 operations on <mountpoint>, whose files are <server dir> on
# the server's local file system; xattrs: yes (the server offers them) or
# the reason they are not offered.
v42_ops() { # mountpoint server-dir label xattrs
	local m=$1 l=$3 xa=$4 f=$1/sparse.bin sf=$2/sparse.bin
	local model=$work/model.bin sb1 sb2 cb offs a b n
	local M=$((1 << 20))

	check "$l: mountstats says vers=4.2 ($(mount_opts "$m" | grep -o 'vers=[0-9.]*'))" \
		bash -c "[[ ,$(mount_opts "$m"), == *,vers=4.2,* ]]"
	cp "$work/dat.bin" "$model"
	check "$l: write 2 MiB" timeout 120 dd if="$work/dat.bin" of="$f" bs=1M conv=fsync status=none
	# ALLOCATE: 2 MiB past the end, which extends the file.
	fallocate -o $((2 * M)) -l $((2 * M)) "$model"
	check "$l: fallocate -o 2MiB -l 2MiB (ALLOCATE)" timeout 60 fallocate -o $((2 * M)) -l $((2 * M)) "$f"
	check "$l: size 4 MiB on the client and the server" \
		test "$(stat -c %s "$f") $(stat -c %s "$sf")" = "$((4 * M)) $((4 * M))"
	sb1=$(stat -c %b "$sf")
	check "$l: the server allocated the range ($sb1 blocks of 512)" test "$sb1" -ge $((4 * M / 512))
	# DEALLOCATE: punch 512 KiB inside the data.
	fallocate -p -o $((M / 2)) -l $((M / 2)) "$model"
	check "$l: fallocate --punch-hole -o 512KiB -l 512KiB (DEALLOCATE)" \
		timeout 60 fallocate -p -o $((M / 2)) -l $((M / 2)) "$f"
	drop
	check "$l: the punched range reads as zeros" bash -c \
		"cmp <(dd if='$f' bs=64k skip=8 count=8 status=none) <(head -c $((M / 2)) /dev/zero)"
	a=$(sha "$f")
	b=$(sha "$sf")
	check "$l: same sha256 on the client, the server and the local model" \
		test "$a $b" = "$(sha "$model") $(sha "$model")"
	sb2=$(stat -c %b "$sf")
	check "$l: the server's file shrank ($sb1 -> $sb2 blocks)" test "$sb2" -lt "$sb1"
	cb=$(stat -c %b "$f")
	check "$l: the client sees the server's allocation ($cb blocks)" test "$cb" = "$sb2"
	# SEEK: the mount's answers must be the server's file system's.
	offs="0 $((M / 4)) $((M / 2)) $((M / 2 + 4096)) $M $((3 * M / 2)) $((2 * M)) $((3 * M)) $((4 * M - 1)) $((4 * M)) $((5 * M))"
	a=$(python3 "$PROBE" seek "$f" $offs)
	b=$(python3 "$PROBE" seek "$sf" $offs)
	echo "$l: SEEK_DATA/SEEK_HOLE through the mount:"; echo "$a" | sed 's/^/    /'
	check "$l: SEEK_DATA/SEEK_HOLE at 11 offsets match the server's file system" test "$a" = "$b"
	check "$l: SEEK_HOLE from 0 finds the punched hole" \
		bash -c "grep -qx '0 data=0 hole=$((M / 2))' <<<'$a'"
	# xattrs (RFC 8276).
	if [ "$xa" != yes ]; then
		a=$(python3 "$PROBE" xset "$f" user.grvm 16)
		check "$l: setxattr answers EOPNOTSUPP ($a)" test "$a" = EOPNOTSUPP
		echo "skip: $l: xattrs: $xa"
	else
		check "$l: setxattr user.grvm.small (40 B)" test "$(python3 "$PROBE" xset "$f" user.grvm.small 40)" = "set user.grvm.small 40"
		check "$l: setxattr user.grvm.big (3000 B)" test "$(python3 "$PROBE" xset "$f" user.grvm.big 3000)" = "set user.grvm.big 3000"
		for n in small big; do
			drop
			a=$(python3 "$PROBE" xget "$f" user.grvm.$n)
			b=$(python3 "$PROBE" xget "$sf" user.grvm.$n)
			echo "    $a"
			check "$l: getxattr user.grvm.$n: the value set, as on the server" \
				bash -c "[[ '$a' == *expected && '$a' != *unexpected && '$a' = '$b' ]]"
		done
		a=$(python3 "$PROBE" xlist "$f" | tr '\n' ' ')
		b=$(python3 "$PROBE" xlist "$sf" | tr '\n' ' ')
		check "$l: listxattr: $a" test "$a|$b" = "user.grvm.big user.grvm.small |user.grvm.big user.grvm.small "
		check "$l: removexattr user.grvm.small" test "$(python3 "$PROBE" xrm "$f" user.grvm.small)" = "removed user.grvm.small"
		drop
		a=$(python3 "$PROBE" xlist "$f" | tr '\n' ' ')
		b=$(python3 "$PROBE" xlist "$sf" | tr '\n' ' ')
		check "$l: listxattr after the removal: $a" test "$a|$b" = "user.grvm.big |user.grvm.big "
		check "$l: getxattr of the removed name: ENODATA" \
			test "$(python3 "$PROBE" xget "$f" user.grvm.small)" = ENODATA
	fi
	check "$l: remove the file" rm -f "$f"
}

# 1. Our Ganesha over RDMA.
t0=$(date +%s)
if ganesha_start "$work" "$IP" "$BUILD"; then
	ok "ganesha.nfsd serves NFS over RDMA on $IP:20049 ($IBDEV)"
	if mount -t nfs -o vers=4.2,proto=rdma,port=20049 "$IP:/export" /mnt/g; then
		grep " /mnt/g " /proc/mounts
		check "our Ganesha NFSv4.2: mounted with proto=rdma" grep -q " /mnt/g nfs4 .*proto=rdma" /proc/mounts
		workload /mnt/g "our Ganesha NFSv4.2"
		v42_ops /mnt/g "$work/export" "our Ganesha NFSv4.2" \
			"Ganesha 4.3's FSAL_VFS has no xattr hooks and does not offer xattr_support"
		check "our Ganesha NFSv4.2: unmount" umount /mnt/g
	else
		bad "our Ganesha: mount -o vers=4.2,proto=rdma"
	fi
	echo "--- Ganesha transport counters"; cat "$work/rdma-stats"
	ganesha_stop
else
	bad "Ganesha's RDMA listener did not start"
fi
t1=$(date +%s)

# 2. The gateway: kernel client --4.2/TCP--> RDMA_PROXY --4.2/verbs--> nfsd.
gateway_start() {
	local g=$work/gw
	mkdir -p "$g/plugins" "$g/recovery" "$g/state"
	ln -sf /usr/lib/x86_64-linux-gnu/ganesha/libfsal*.so "$g/plugins/"
	ln -sf "$FSAL" "$g/plugins/"
	cat >"$g/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = 2050; Protocols = 4; Enable_NLM = false;
	Enable_RQUOTA = false; Enable_UDP = false;
	Plugins_Dir = "$g/plugins";
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { RecoveryBackend = fs; RecoveryRoot = "$g/recovery"; Graceless = true; }
RDMA_PROXY { State_Dir = "$g/state"; Stats_File = "$g/rp-stats"; Stats_Interval = 1; }
EXPORT {
	Export_Id = 1; Path = /gw; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = $IP; Backend_Port = 20050;
		Backend_Path = "$kexp";
		Transport = rdma; Fabric = verbs;
	}
}
CONF
	: >"$g/ganesha.log"
	ganesha.nfsd -F -f "$g/ganesha.conf" -L "$g/ganesha.log" \
		-p "$g/ganesha.pid" -N NIV_EVENT >"$g/ganesha.out" 2>&1 &
	GW_PID=$!
	for _ in $(seq 1 60); do
		grep -q 'RDMA_PROXY.*session established' "$g/ganesha.log" &&
			grep -q 'NFS SERVER INITIALIZED' "$g/ganesha.log" &&
			return 0
		kill -0 $GW_PID 2>/dev/null || break
		sleep 1
	done
	grep -vE 'DBUS|dbus|krb5|keytab' "$g/ganesha.log" | tail -30
	return 1
}

mkdir -p "$kexp"
if ! knfsd_start "$kexp" 20050; then
	bad "Linux nfsd with an RDMA listener"
elif ! gateway_start; then
	bad "the gateway did not reach the kernel server over RDMA"
else
	ok "gateway: $(grep -o 'RDMA_PROXY export.*session established' "$work/gw/ganesha.log" | head -1)"
	sleep 1.5
	check "the gateway's session to the Linux nfsd runs NFSv4.2 (minor_version $(awk '$1 == "minor_version" { print $3 }' "$work/gw/rp-stats"))" \
		test "$(awk '$1 == "minor_version" { print $3 }' "$work/gw/rp-stats")" = 2
	mounted=0
	for _ in 1 2 3 4 5; do
		mount -t nfs -o vers=4.2,proto=tcp,port=2050 "$IP:/gw" /mnt/g && { mounted=1; break; }
		sleep 2
	done
	if [ $mounted = 1 ]; then
		grep " /mnt/g " /proc/mounts
		check "gateway NFSv4.2: write ${MB} MiB" timeout 300 dd if="$work/src.bin" of=/mnt/g/k.bin bs=1M conv=fsync status=none
		drop
		check "gateway NFSv4.2: read back and the server's file, same sha256" \
			test "$(sha /mnt/g/k.bin) $(sha "$kexp/k.bin")" = "$(sha "$work/src.bin") $(sha "$work/src.bin")"
		rm -f /mnt/g/k.bin
		v42_ops /mnt/g "$kexp" "gateway NFSv4.2" yes
		check "gateway NFSv4.2: unmount" umount /mnt/g
	else
		bad "the kernel client mounts the gateway with vers=4.2"
	fi
	sleep 1.5
	echo "--- gateway counters"; cat "$work/gw/rp-stats"
fi
t2=$(date +%s)
echo "seconds: our Ganesha $((t1 - t0)), gateway $((t2 - t1))"
echo "nfs42: $passed passed, $failed failed"
[ $failed = 0 ]

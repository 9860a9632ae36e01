#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The main job on an embedded default configuration, on one machine:
#   1. installs what is missing and builds this tree;
#   2. starts a BACKEND: Debian's ganesha.nfsd serving a VFS export over
#      TCP and, with this project's transport, over RPC-over-RDMA (fabric
#      ofi: libfabric's tcp provider, so no RDMA NIC is needed; Fabric =
#      verbs on real RDMA);
#   3. starts a GATEWAY: a second ganesha.nfsd serving NFSv4 over TCP whose
#      export is FSAL_RDMA_PROXY, forwarding every operation to the backend
#      over RDMA through one NFSv4.1 session;
#   4. a client (this project's nfs41, NFSv4.1 over plain TCP) copies files
#      in and out through the gateway and checks them byte for byte - also
#      against the file as it landed in the backend's directory - lists a
#      directory, runs a short parallel benchmark, and the same client then
#      talks NFSv4.1-over-RDMA to the backend directly;
#   5. prints the backend's transport counters and the gateway's.
#
# Env: GR_DEMO_MB=64 size of the test file; GR_DEMO_KEEP=1 keep the
#      daemons and their directory (printed) after the run;
#      GR_DEMO_BUILD build directory (default build, or build-deb13 inside
#      the Debian 13 root of tools/in-deb13.sh, so the two platforms'
#      builds of one tree stay apart).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
mb=${GR_DEMO_MB:-64}
bdir=build
[ "${GR_IN_DEB13:-0}" = 1 ] && bdir=build-deb13
bdir=${GR_DEMO_BUILD:-$bdir}

say() { printf '\n== %s\n' "$*"; }

say "installing dependencies (Debian packages, the Ganesha SDK of this release)"
bash tools/install-deps.sh
say "building"
# A build directory that exists keeps its configuration (CI's, say); a
# new one is made with optimisation and debug information.
if [ -f "$bdir/CMakeCache.txt" ]; then
	cmake -S . -B "$bdir" >/dev/null
else
	cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$bdir" -j2 >/dev/null

# The backend's export lives in GW_ROOT, which must be on a file system
# with file handles: Ganesha 6.5's FSAL_VFS finds no file system for an
# export on a tmpfs, and Debian 13 mounts /tmp as one; /var/tmp is on disk
# there (in tools/in-deb13.sh's root it is the overlay, /tmp the disk).
tmp=/var/tmp
for d in /var/tmp /tmp; do
	case $(stat -f -c %T "$d") in
	tmpfs | overlayfs) ;;
	*) tmp=$d && break ;;
	esac
done
GW_ROOT=$(mktemp -d "$tmp/ganesha-rdma-demo.XXXXXX")
. tests/lib/gateway.sh
cleanup() {
	local rc=$?
	set +e	# stopping daemons that already exited is not a failure
	if [ "${GR_DEMO_KEEP:-0}" = 1 ]; then
		echo "kept: $GW_ROOT (backend pid $(gw_pid backend), gateway pid $(gw_pid rdma_proxy))"
		return
	fi
	gw_cleanup
	rm -rf "$GW_ROOT"
	exit $rc
}
trap cleanup EXIT
gw_find_build "$top/$bdir"
[ -n "$GW_FSAL_MODULE" ] && [ -n "$GW_NFS41" ] ||
	{ echo "the build did not produce the gateway FSAL or nfs41"; exit 1; }
nfs41=$GW_NFS41

say "starting the backend: Debian's ganesha.nfsd with NFS over RDMA"
gw_backend_start
grep -h 'NFS_RDMA: serving' "$(gw_log backend)" | sed 's/.*NFS_RDMA/NFS_RDMA/'
echo "backend config: $GW_ROOT/backend/ganesha.conf"

say "starting the gateway: ganesha.nfsd + FSAL_RDMA_PROXY, TCP in front, RDMA behind"
gw_gateway_start rdma_proxy
grep -h 'RDMA_PROXY.*session established\|RDMA_PROXY.*created' \
	"$(gw_log rdma_proxy)" | sed 's/.*RDMA_PROXY/RDMA_PROXY/'
echo "gateway config: $GW_ROOT/rdma_proxy/ganesha.conf"

gw=nfs://127.0.0.1:$GW_PORT_rdma_proxy/gw
say "client -> gateway (NFSv4.1 over TCP): write a ${mb} MiB file, read it back"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$GW_ROOT/source"
"$nfs41" mkdir "$gw/demo"
time "$nfs41" put "$GW_ROOT/source" "$gw/demo/file.bin"
time "$nfs41" get "$gw/demo/file.bin" "$GW_ROOT/copy"
cmp "$GW_ROOT/source" "$GW_ROOT/copy"
cmp "$GW_ROOT/source" "$GW_BACKEND_EXPORT/demo/file.bin"
echo "sha256 source:            $(sha256sum <"$GW_ROOT/source" | cut -c1-64)"
echo "sha256 read back:         $(sha256sum <"$GW_ROOT/copy" | cut -c1-64)"
echo "sha256 on the backend:    $(sha256sum <"$GW_BACKEND_EXPORT/demo/file.bin" | cut -c1-64)"
for i in $(seq 1 20); do
	echo "note $i" >"$GW_ROOT/n"
	"$nfs41" -q put "$GW_ROOT/n" "$gw/demo/note-$i.txt"
done
"$nfs41" rename "$gw/demo/note-1.txt" "$gw/demo/renamed.txt"
say "listing /gw/demo through the gateway"
"$nfs41" ls -l "$gw/demo" | head -8
echo "... $("$nfs41" ls "$gw/demo" | wc -l) entries"

say "benchmark through the gateway: 4 streams, 1 MiB I/O, 3 s each way"
"$nfs41" bench "$gw/demo" --mode read --streams 4 --io-size 1M --duration 3 --file-size 64M
"$nfs41" bench "$gw/demo" --mode write --streams 4 --io-size 1M --duration 3 --file-size 64M

say "client -> backend directly over NFSv4.1-over-RDMA"
rurl=nfs://127.0.0.1:$GW_BACKEND_RPORT/export
"$nfs41" --transport rdma --fabric ofi get "$rurl/demo/file.bin" "$GW_ROOT/copy2"
cmp "$GW_ROOT/source" "$GW_ROOT/copy2" && echo "same bytes over RDMA"

sleep 1.5
say "backend transport counters ($GW_BACKEND_STATS)"
cat "$GW_BACKEND_STATS"
say "gateway counters ($GW_ROOT/rdma_proxy/rp-stats)"
cat "$GW_ROOT/rdma_proxy/rp-stats"

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The main job on an embedded default configuration, on one machine:
#   1. installs what is missing and builds this tree;
#   2. starts Debian's ganesha.nfsd serving a VFS export over TCP and, with
#      this project's transport, over RPC-over-RDMA (fabric ofi: libfabric's
#      tcp provider, so no RDMA NIC is needed; Fabric = verbs on real RDMA);
#   3. copies files in and out over NFSv4.1-over-RDMA with this project's
#      client (nfs41), checks them byte for byte, lists a directory, runs a
#      short parallel benchmark, and prints the server's transport counters.
# The gateway (FSAL_RDMA_PROXY) joins this job when it exists.
#
# Env: GR_DEMO_MB=64 size of the test file; GR_DEMO_KEEP=1 keep the
#      daemon and its directory (printed) after the run.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
mb=${GR_DEMO_MB:-64}

say() { printf '\n== %s\n' "$*"; }

say "installing dependencies (Debian packages, Ganesha 4.3 SDK)"
bash tools/install-deps.sh
say "building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 >/dev/null
preload=$top/build/src/xprt_rdma/svc/libganesha_rdma_preload.so
module=$top/build/src/xprt_rdma/svc/libganesha_rdma.so
nfs41=$top/build/src/cli/nfs41

. tests/lib/ganesha.sh
dir=$(mktemp -d /tmp/ganesha-rdma-demo.XXXXXX)
cleanup() {
	[ "${GR_DEMO_KEEP:-0}" = 1 ] && { echo "kept: $dir (pid $GR_GANESHA_PID)"; return; }
	gr_ganesha_stop
	rm -rf "$dir"
}
trap cleanup EXIT
port=$(gr_free_port)
rport=$(gr_free_port)
mkdir -p "$dir/export" "$dir/recovery"
{
	gr_core_conf "$dir" "$port" /usr/lib/x86_64-linux-gnu/ganesha
	cat <<CONF
NFS_RDMA {
	Fabric = ofi;
	Bind_Addr = 127.0.0.1;
	Port = $rport;
	Stats_File = "$dir/rdma-stats";
	Stats_Interval = 1;
}
EXPORT {
	Export_Id = 1; Path = "$dir/export"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
} >"$dir/ganesha.conf"

say "starting Debian's ganesha.nfsd with NFS over RDMA (config: $dir/ganesha.conf)"
GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
	gr_ganesha_start "$dir" "$dir/ganesha.conf"
gr_wait_for 30 grep -q 'NFS_RDMA: serving' "$dir/ganesha.log" ||
	{ tail -20 "$dir/ganesha.log"; echo "the RDMA listener did not start"; exit 1; }
grep -h 'NFS_RDMA: serving' "$dir/ganesha.log" | sed 's/.*NFS_RDMA/NFS_RDMA/'

url=nfs://127.0.0.1:$rport/export
rdma() { "$nfs41" --transport rdma --fabric ofi "$@"; }

say "writing a ${mb} MiB file over NFSv4.1/RDMA, reading it back"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$dir/source"
rdma mkdir "$url/demo"
time rdma put "$dir/source" "$url/demo/file.bin"
time rdma get "$url/demo/file.bin" "$dir/copy"
cmp "$dir/source" "$dir/copy"
echo "sha256 source: $(sha256sum <"$dir/source" | cut -c1-64)"
echo "sha256 copy:   $(sha256sum <"$dir/copy" | cut -c1-64)  (identical)"
for i in $(seq 1 20); do echo "note $i" >"$dir/n"; rdma -q put "$dir/n" "$url/demo/note-$i.txt"; done
say "listing /export/demo over RDMA"
rdma ls -l "$url/demo" | head -8
echo "... $(rdma ls "$url/demo" | wc -l) entries"

say "benchmark: 4 streams, 1 MiB I/O, 3 s each way"
rdma bench "$url/demo" --mode read --streams 4 --io-size 1M --duration 3 --file-size 64M
rdma bench "$url/demo" --mode write --streams 4 --io-size 1M --duration 3 --file-size 64M

sleep 1.5
say "server transport counters ($dir/rdma-stats)"
cat "$dir/rdma-stats"

# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Sourced by the vm tier's NFS guest scripts (nfs_rdma.sh, nfs_bench.sh):
# start and stop the two NFS-over-RDMA servers the kernel client and nfs41
# talk to, so every script runs them the same way.
#
#   ganesha_start <work dir> <ip> <build dir> [protocols]
#       Debian's ganesha.nfsd with this project's transport (Fabric = verbs)
#       on <ip>:20049, TCP NFS on 2049, exporting <work>/export as /export.
#       protocols "3, 4" also serves NFSv3: MOUNT on TCP port $GANESHA_MNT_PORT
#       and rpcbind registration (rpcbind is started when missing).  Sets
#       GANESHA_PID; returns 1 (log tail printed) if the RDMA listener does
#       not come up within 60 s.  GANESHA_RDMA_EXTRA, if set, is added to
#       the NFS_RDMA block; GANESHA_CONF_EXTRA, if set, to the file (a LOG
#       block, say); GANESHA_GRACELESS (default true) and
#       GANESHA_NFSV4_EXTRA to the NFSv4 block.
#   ganesha_stop
#   knfsd_start <export dir> <rdma port>
#       The Linux kernel NFS server (v3, v4; 16 threads, as many as our
#       transport's default Worker_Threads) with an RDMA listener on <rdma
#       port> exporting <export dir>, rpc.mountd on TCP port
#       $KNFSD_MNT_PORT; returns 1 with the reason printed.
#   knfsd_stop
# Both MOUNT ports are fixed and given to mount(8) (mountport=): a lookup
# through rpcbind would find whatever the other server registered last.
# The integration tier's helpers, for gr_core_version_params: the
# NFS_CORE_PARAM lines only some Ganesha versions know (the Debian 12 guest
# runs 4.3, the Debian 13 guest 6.5).
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/ganesha.sh"
GANESHA_MNT_PORT=20048
KNFSD_MNT_PORT=20052
GANESHA_PID=

ganesha_start() { # work ip build [protocols]
	local work=$1 ip=$2 build=$3 protocols=${4:-4} mnt=''
	local preload=$build/src/xprt_rdma/ganesha/libganesha_rdma_preload.so
	local module=$build/src/xprt_rdma/ganesha/libganesha_rdma.so
	local i

	mkdir -p "$work/export" "$work/recovery"
	# FSAL_VFS finds file systems through /etc/mtab, which minbase lacks.
	[ -e /etc/mtab ] || ln -s /proc/self/mounts /etc/mtab
	if [ "$protocols" != 4 ]; then
		# NFSv3 needs MOUNT and rpcbind registration (Ganesha refuses
		# to start when it cannot register).
		mkdir -p /run/rpcbind
		pidof rpcbind >/dev/null || rpcbind -w
		mnt="MNT_Port = $GANESHA_MNT_PORT;"
	fi
	cat >"$work/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = 2049; Protocols = $protocols; Enable_NLM = false;
	Enable_RQUOTA = false; Enable_UDP = false; $mnt
	$(gr_core_version_params)
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 {
	RecoveryBackend = fs; RecoveryRoot = "$work/recovery";
	Graceless = ${GANESHA_GRACELESS:-true}; ${GANESHA_NFSV4_EXTRA:-}
}
NFS_RDMA {
	Fabric = verbs; Bind_Addr = $ip; Port = 20049;
	Stats_File = "$work/rdma-stats"; Stats_Interval = 1;
	${GANESHA_RDMA_EXTRA:-}
}
EXPORT {
	Export_Id = 1; Path = "$work/export"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = $protocols;
	FSAL { Name = VFS; }
}
${GANESHA_CONF_EXTRA:-}
CONF
	: >"$work/ganesha.log"
	GANESHA_RDMA_MODULE=$module LD_PRELOAD=$preload \
		ganesha.nfsd -F -f "$work/ganesha.conf" -L "$work/ganesha.log" \
		-p "$work/ganesha.pid" -N NIV_EVENT &
	GANESHA_PID=$!
	for i in $(seq 1 60); do
		grep -q 'NFS_RDMA: serving' "$work/ganesha.log" && return 0
		kill -0 $GANESHA_PID 2>/dev/null || break
		sleep 1
	done
	tail -30 "$work/ganesha.log"
	ganesha_stop
	return 1
}

ganesha_stop() {
	[ -n "$GANESHA_PID" ] || return 0
	kill $GANESHA_PID 2>/dev/null
	wait $GANESHA_PID 2>/dev/null
	GANESHA_PID=
}

knfsd_start() { # export-dir rdma-port
	mkdir -p "$1" /proc/fs/nfsd /run/rpcbind /var/lib/nfs/v4recovery
	modprobe nfsd || { echo "modprobe nfsd failed"; return 1; }
	mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd ||
		{ echo "cannot mount the nfsd file system"; return 1; }
	pidof rpcbind >/dev/null || rpcbind -w
	echo "$1 *(rw,sync,no_subtree_check,no_root_squash,insecure,fsid=7)" >/etc/exports
	exportfs -ra || { echo "exportfs failed"; return 1; }
	pidof rpc.mountd >/dev/null || rpc.mountd -p $KNFSD_MNT_PORT ||
		{ echo "rpc.mountd failed"; return 1; }
	# A fresh server in a test has no clients to wait for: the shortest
	# grace period the kernel takes (10 s) instead of its lease-long
	# default, which 6.12 spent answering the gateway NFS4ERR_GRACE (92
	# delays, ~90 s per device).  Only writable while nfsd is stopped.
	echo 10 >/proc/fs/nfsd/nfsv4gracetime 2>/dev/null ||
		echo "note: the kernel NFS server's grace time stays at its default"
	rpc.nfsd 16 || { echo "rpc.nfsd failed"; return 1; }
	echo "rdma $2" >/proc/fs/nfsd/portlist ||
		{ echo "the kernel NFS server refused an RDMA listener on $2"; return 1; }
}

knfsd_stop() {
	local pid
	rpc.nfsd 0
	exportfs -ua 2>/dev/null
	pid=$(pidof rpc.mountd) && kill $pid
}

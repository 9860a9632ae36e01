# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Shared by the Ganesha benchmarks in bench/: find the binaries, write a
# configuration with one export served over TCP and over NFS_RDMA (ofi)
# at once, start ganesha.nfsd (optionally under a wrapper such as
# valgrind) and stop it.  A benchmark starts with
#   set -u
#   . "$(dirname "$0")/ganesha_bench_lib.sh"
# which also sources tests/lib/ganesha.sh and sets here (bench/) and top
# (the tree).
#
#   gb_find_bins BUILD_DIR        set GB_PRELOAD, GB_MODULE, GB_NFS41
#   gb_setup DIR                  config in DIR, ports in GB_PORT/GB_RPORT
#   gb_start DIR [WRAPPER...]     start the daemon, wait for both listeners
#   gb_stop                       stop it (TERM, then KILL)
#   gb_counter NAME               one counter from the stats file
#   gb_parse_args USAGE SPEC... -- "$@"   the scripts' options (below)
#
# GB_FABRIC (ofi) and GB_ADDR (127.0.0.1) choose the RDMA stack and the
# address both listeners bind and the client dials: the vm tier's guest
# runs the same benchmarks with GB_FABRIC=verbs GB_ADDR=<device address>
# (bench/bench_vm.sh).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
. "$top/tests/lib/ganesha.sh"

GB_PID=
GB_FABRIC=${GB_FABRIC:-ofi}
GB_ADDR=${GB_ADDR:-127.0.0.1}

# gb_parse_args USAGE SPEC... -- ARGS...: the benchmark's command line.
# Each SPEC is a pair: "--opt VAR" sets VAR to the option's argument,
# "--flag! CODE" runs CODE (assignments) when the flag is given.  Anything
# else, or an option without its argument, prints "usage: $0 USAGE" and
# exits 2.  The variables are the caller's (globals).
gb_parse_args() {
	local usage=$1
	local -A takes=() does=()
	shift
	while [ $# -ge 2 ] && [ "$1" != -- ]; do
		case $1 in
		*!) does[${1%!}]=$2 ;;
		*) takes[$1]=$2 ;;
		esac
		shift 2
	done
	[ "${1:-}" = -- ] && shift
	while [ $# -gt 0 ]; do
		if [ -n "${takes[$1]+set}" ] && [ $# -ge 2 ]; then
			printf -v "${takes[$1]}" '%s' "$2"
			shift
		elif [ -n "${does[$1]+set}" ]; then
			eval "${does[$1]}"
		else
			echo "usage: $0 $usage" >&2
			exit 2
		fi
		shift
	done
}

# gb_find_bins [BUILD]: an empty BUILD means build-bench, else build.
gb_find_bins() {
	local b=$1
	if [ -z "$b" ]; then
		b=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-bench
		[ -d "$b" ] || b=${b%-bench}
	fi
	GB_PRELOAD=${GB_PRELOAD:-$b/src/xprt_rdma/ganesha/libganesha_rdma_preload.so}
	GB_MODULE=${GB_MODULE:-$b/src/xprt_rdma/ganesha/libganesha_rdma.so}
	GB_NFS41=${GB_NFS41:-$b/src/cli/nfs41}
	local f
	for f in "$GB_PRELOAD" "$GB_MODULE" "$GB_NFS41"; do
		[ -f "$f" ] || gr_skip "not built: $f (Ganesha SDK missing, or wrong --build?)"
	done
	gr_require_plain_module "$GB_MODULE"
	command -v ganesha.nfsd >/dev/null ||
		gr_skip "ganesha.nfsd not installed (run tools/install-deps.sh)"
}

# The export lives on tmpfs when /dev/shm is usable, so the figures show
# the transports and Ganesha, not a disk.  Stats_Interval = 1 makes the
# counters at most a second old; callers wait 1.5 s before reading them.
gb_setup() {
	local dir=$1
	GB_DIR=$dir
	GB_PORT=$(gr_free_port) || gr_fail "no free port"
	GB_RPORT=$(gr_free_port) || gr_fail "no free port"
	[ "$GB_RPORT" != "$GB_PORT" ] || GB_RPORT=$((GB_PORT + 1))
	GB_STATS=$dir/rdma-stats
	mkdir -p "$dir/export" "$dir/recovery"
	# FSAL_VFS finds file systems through /etc/mtab, which the vm
	# tier's minbase guest lacks.
	[ -e /etc/mtab ] || ln -s /proc/self/mounts /etc/mtab
	gr_rdma_conf "$dir" "$GB_PORT" "$GB_RPORT" "$GB_STATS" |
		sed "s/127\.0\.0\.1/$GB_ADDR/; s/Fabric = ofi;/Fabric = $GB_FABRIC;/" \
			>"$dir/ganesha.conf"
}

# A work directory on tmpfs if possible, else on disk.  Ganesha 6's
# FSAL_VFS exports no tmpfs ("Lookup failed on path"), so there - or with
# GB_EXPORT_DISK=1, to compare a 4.3 run with a 6.5 one - it is the first
# of /var/tmp and /tmp that is neither tmpfs nor overlayfs (Debian 13
# mounts /tmp as a tmpfs; in tools/in-deb13.sh's root /var/tmp is the
# overlay).  The export's files stay in the page cache either way.
gb_mktemp() {
	local d
	if [ "${GB_EXPORT_DISK:-0}" != 1 ] && [ "$(gr_ganesha_major)" -lt 6 ] &&
		[ -d /dev/shm ] && [ -w /dev/shm ]; then
		mktemp -d /dev/shm/gr-bench.XXXXXX
		return
	fi
	for d in /var/tmp /tmp; do
		case $(stat -f -c %T "$d") in
		tmpfs | overlayfs) ;;
		*) mktemp -d "$d/gr-bench.XXXXXX" && return ;;
		esac
	done
	mktemp -d /tmp/gr-bench.XXXXXX
}

gb_start() {
	local dir=$1 secs=${GB_START_SECS:-30}
	shift
	GANESHA_RDMA_MODULE=$GB_MODULE LD_PRELOAD=$GB_PRELOAD \
		"$@" ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" \
		-p "$dir/ganesha.pid" -N NIV_EVENT >"$dir/ganesha.out" 2>&1 &
	GB_PID=$!
	if ! gr_wait_for "$secs" grep -q 'NFS_RDMA: serving NFS over RDMA' \
		"$dir/ganesha.log" 2>/dev/null; then
		tail -n 20 "$dir/ganesha.log" "$dir/ganesha.out" >&2
		gb_stop
		gr_fail "ganesha.nfsd did not start its RDMA listener in $secs s"
	fi
	# The TCP listener is up before Ganesha calls nfs_start(); the stats
	# file appears once the RDMA thread has written it.
	gr_wait_for 10 test -s "$GB_STATS" ||
		gr_fail "no stats file $GB_STATS"
}

gb_stop() {
	gr_stop_pid "$GB_PID" 30	# under callgrind it exits slowly
	GB_PID=
}

gb_counter() {
	awk -v k="$1" '$1 == k { print $2 }' "$GB_STATS"
}

# nfs41 over one transport: gb_cli tcp|rdma ARGS... (URL built by caller
# with gb_url).
gb_cli() {
	local t=$1
	shift
	"$GB_NFS41" --transport "$t" --fabric "$GB_FABRIC" "$@"
}

gb_url() {
	if [ "$1" = tcp ]; then
		echo "nfs://$GB_ADDR:$GB_PORT/export$2"
	else
		echo "nfs://$GB_ADDR:$GB_RPORT/export$2"
	fi
}

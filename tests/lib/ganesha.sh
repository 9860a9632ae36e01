# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Shell helpers for tests that start Debian's ganesha.nfsd on loopback.
# Source it; every function prints why it fails on stderr.
#   gr_skip MSG              exit 77 (ctest: skipped) with a reason
#   gr_fail MSG              exit 1 with a reason
#   gr_free_port [PORT..]    print a TCP port nobody listens on, none of
#                            PORT.. (picked already, not listened on yet)
#   gr_plugins_dir DIR MOD.. make DIR a Plugins_Dir with Debian's FSALs + MODs
#   gr_ganesha_start DIR CONF [MOD]  start ganesha.nfsd -F in the background
#                            (skips when MOD is built with ASan: see below)
#   gr_ganesha_stop          SIGTERM, then SIGKILL after 10 s
#   gr_stop_pid PID [SECS]   the same for any daemon of ours
#   gr_wait_for SECS CMD..   retry CMD every 0.2 s until it succeeds
#   gr_stats_fresh FILE      wait until a stats file counts all done so far
#   gr_core_conf DIR PORT PLUGINS_DIR   the blocks every test config needs;
#                            GR_NFSV4_EXTRA, if set, is added to the NFSv4
#                            block (e.g. "Minor_Versions = 1;")
#   gr_rdma_conf DIR PORT RPORT STATS   + NFS over RDMA (ofi, loopback) on
#                            RPORT with counters in STATS, and DIR/export
#                            (FSAL_VFS) at /export; GR_RDMA_EXTRA, if set,
#                            is added to the NFS_RDMA block
#   gr_rdma_server_start DIR PRELOAD MODULE   ganesha.nfsd serving DIR/export
#                            over NFS over RDMA (sets port, rport, stats)
#   gr_check WHAT CMD..      "ok: WHAT" (gr_passed + 1) when CMD succeeds,
#                            else the script's gr_on_fail, if any, and gr_fail

GR_DEBIAN_FSAL_DIR=${GR_DEBIAN_FSAL_DIR:-/usr/lib/x86_64-linux-gnu/ganesha}
GR_GANESHA_PID=

gr_skip() { echo "SKIP: $*" >&2; exit 77; }
gr_fail() { echo "FAIL: $*" >&2; exit 1; }

# Ports come from below the kernel's ephemeral range (32768 and up by
# default), where a client connection's local port can take one between
# the check and the daemon's bind (seen as "Cannot bind NFS tcp6 socket,
# error 98"); a port is taken as free only when no socket of any state or
# protocol uses it.
gr_free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 12000))
		case " $* " in *" $port "*) continue ;; esac
		if ! ss -Htuan "sport = :$port" | grep -q .; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

gr_plugins_dir() {
	local dir=$1 m
	shift
	mkdir -p "$dir"
	ln -sf "$GR_DEBIAN_FSAL_DIR"/libfsal*.so "$dir/"
	for m in "$@"; do
		ln -sf "$m" "$dir/"
	done
}

# Ganesha dlopen()s every module with RTLD_DEEPBIND, which the ASan runtime
# refuses (it aborts at the first such dlopen).  A module built with ASan can
# therefore not run inside ganesha.nfsd: such tests skip and say so; the same
# code runs under ASan in the unit and fabric tiers.
gr_require_plain_module() {
	local mod=$1
	if ldd "$mod" 2>/dev/null | grep -q 'libasan\.so'; then
		gr_skip "$(basename "$mod") is built with ASan, which cannot be loaded into ganesha.nfsd (Ganesha uses RTLD_DEEPBIND)"
	fi
}

gr_ganesha_start() {
	local dir=$1 conf=$2
	command -v ganesha.nfsd >/dev/null ||
		gr_skip "ganesha.nfsd not installed (run tools/install-deps.sh)"
	[ -z "${3:-}" ] || gr_require_plain_module "$3"
	# GR_GANESHA_WRAP: a command the daemon runs under (e.g. valgrind),
	# split on blanks; its pid is the daemon's.
	# shellcheck disable=SC2086
	${GR_GANESHA_WRAP:-} ganesha.nfsd -F -f "$conf" -L "$dir/ganesha.log" \
		-p "$dir/ganesha.pid" -N NIV_EVENT >"$dir/ganesha.out" 2>&1 &
	GR_GANESHA_PID=$!
}

# SIGTERM PID, SIGKILL it after SECS (default 10) if still there, reap it.
gr_stop_pid() {
	local pid=$1 secs=${2:-10}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 $((secs * 5))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

gr_ganesha_stop() {
	gr_stop_pid "$GR_GANESHA_PID"
	GR_GANESHA_PID=
}

gr_wait_for() {
	local secs=$1 i
	shift
	for i in $(seq 1 $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# gr_stats_fresh FILE: wait (up to 10 s) until FILE, a stats or metrics
# file its daemon replaces every interval (a new file renamed into place),
# has been replaced twice since the call: the second one was filled after
# the first was seen, so it counts everything done before the call.  Not
# "sleep 1.2" for an interval of 1 s: the writers sleep the interval after
# each write, and under load rewrites 1.28 s apart were seen.
gr_stats_fresh() {
	local k0 k n=0 i
	k0=$(stat -c '%i %z' "$1" 2>/dev/null)
	for i in $(seq 1 200); do
		sleep 0.05
		k=$(stat -c '%i %z' "$1" 2>/dev/null)
		[ "$k" = "$k0" ] && continue
		k0=$k
		n=$((n + 1))
		[ $n = 2 ] && return 0
	done
	echo "$1 was not rewritten twice in 10 s" >&2
	return 1
}

# Write the NFS_CORE_PARAM and friends every test config needs.
# The major version of the ganesha.nfsd on this platform (4 on Debian 12, 6
# on Debian 13), from "ganesha.nfsd -v".
gr_ganesha_major() {
	[ -n "${GR_GANESHA_MAJOR:-}" ] ||
		GR_GANESHA_MAJOR=$(ganesha.nfsd -v 2>/dev/null |
			sed -n 's/.*Release = V\([0-9]*\).*/\1/p' | head -n 1)
	echo "${GR_GANESHA_MAJOR:-0}"
}

# NFS_CORE_PARAM lines only some versions know.  Ganesha 6 marks itself an
# I/O flusher (prctl PR_SET_IO_FLUSHER) and exits when the kernel refuses,
# which it does without CAP_SYS_RESOURCE (containers, sandboxes); 4.3 has
# neither the call nor the option.
gr_core_version_params() {
	[ "$(gr_ganesha_major)" -lt 6 ] || echo "Allow_Set_Io_Flusher_Fail = true;"
}

# gr_core_conf DIR PORT PLUGINS_DIR
gr_core_conf() {
	cat <<CONF
NFS_CORE_PARAM {
	NFS_Port = $2;
	Bind_Addr = 127.0.0.1;
	Protocols = 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	Plugins_Dir = "$3";
	$(gr_core_version_params)
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 {
	RecoveryBackend = fs;
	RecoveryRoot = "$1/recovery";
	Graceless = true;
	${GR_NFSV4_EXTRA:-}
}
CONF
}

# A ganesha.nfsd serving DIR/export (FSAL_VFS) at /export over NFSv4 on TCP
# PORT and over NFS_RDMA on RPORT (fabric ofi, loopback), counters in STATS.
# gr_rdma_conf DIR PORT RPORT STATS
gr_rdma_conf() {
	gr_core_conf "$1" "$2" "$GR_DEBIAN_FSAL_DIR"
	cat <<CONF
NFS_RDMA {
	Fabric = ofi;
	Bind_Addr = 127.0.0.1;
	Port = $3;
	Stats_File = "$4";
	Stats_Interval = 1;
	${GR_RDMA_EXTRA:-}
}
EXPORT {
	Export_Id = 1; Path = "$1/export"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	FSAL { Name = VFS; }
}
CONF
}

# Free ports, DIR/ganesha.conf from gr_rdma_conf, and ganesha.nfsd with
# this project's transport (PRELOAD + MODULE) until its RDMA listener is up.
# Sets port (NFSv4 over TCP), rport (NFS over RDMA) and stats (its
# counters file).  gr_rdma_server_start DIR PRELOAD MODULE
gr_rdma_server_start() {
	port=$(gr_free_port) || gr_fail "no free port"
	rport=$(gr_free_port "$port") || gr_fail "no free port"
	mkdir -p "$1/export" "$1/recovery"
	stats=$1/rdma-stats
	gr_rdma_conf "$1" "$port" "$rport" "$stats" >"$1/ganesha.conf"
	GANESHA_RDMA_MODULE=$3 LD_PRELOAD=$2 \
		gr_ganesha_start "$1" "$1/ganesha.conf"
	if ! gr_wait_for "${GR_GANESHA_START_SECS:-30}" \
		grep -q 'NFS_RDMA: serving NFS over RDMA' "$1/ganesha.log"; then
		cat "$1/ganesha.log" "$1/ganesha.out"
		gr_fail "the RDMA listener did not come up"
	fi
}

# One check of a test script: its logs come from the script's gr_on_fail.
gr_passed=0
gr_check() { # description command...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
		gr_passed=$((gr_passed + 1))
	else
		if declare -F gr_on_fail >/dev/null; then
			gr_on_fail
		fi
		gr_fail "$what"
	fi
}

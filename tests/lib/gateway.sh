# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Shell helpers for gateway tests and benchmarks: several ganesha.nfsd on
# one host.  Source it after setting GW_ROOT (a scratch directory); it
# sources ganesha.sh for gr_skip/gr_fail/gr_free_port/gr_plugins_dir.
#
#   gw_find_build BUILD_DIR  set GW_PRELOAD, GW_RDMA_MODULE, GW_FSAL_MODULE
#                            and GW_NFS41 from a build tree (each empty when
#                            not built; callers decide whether that skips)
#   gw_backend_start         BACKEND: FSAL_VFS export of $GW_BACKEND_EXPORT
#                            at pseudo /export, NFSv4 over TCP on
#                            $GW_BACKEND_PORT and NFS over RDMA (NFS_RDMA,
#                            fabric ofi) on $GW_BACKEND_RPORT, stats file
#                            $GW_BACKEND_STATS.  Ports are chosen on the
#                            first start and kept on restarts.
#   gw_gateway_start KIND    GATEWAY serving NFSv4 over TCP at pseudo /gw,
#                            forwarding to the backend.  KIND is
#                            proxy_v4   Debian's FSAL_PROXY_V4 to the
#                                       backend's TCP port
#                            rdma_proxy this project's FSAL_RDMA_PROXY over
#                                       RDMA (GW_RP_TRANSPORT=tcp: over TCP)
#                            Sets GW_PORT_<KIND>; the URL is
#                            nfs://127.0.0.1:$GW_PORT_<KIND>/gw; with
#                            GW_NFS41 set it waits until /gw answers
#   gw_stop NAME             SIGTERM then SIGKILL (NAME backend or a KIND)
#   gw_kill NAME             SIGKILL at once (a crash)
#   gw_pid NAME              print the daemon's pid (empty if not running)
#   gw_log NAME              print the path of the daemon's log
#   gw_cleanup               stop every daemon started here
#   gw_rp_counter KEY        a counter of the rdma_proxy gateway's stats
#                            file ($GW_RP_STATS = $GW_ROOT/rdma_proxy/
#                            rp-stats, rewritten every second)
#
# Every daemon runs `ganesha.nfsd -F` with its own directory
# $GW_ROOT/NAME holding ganesha.conf, ganesha.log, ganesha.pid and
# recovery/: two daemons on one host must not share a pid file, a log or
# a recovery directory.  Only the backend gets the RDMA preload: a gateway
# serves its clients over TCP and reaches the backend through its FSAL,
# which loads the RDMA client engine itself.
#
# Env knobs: GW_LEASE (lease seconds of every daemon, default 20),
# GW_RP_BACKEND_PATH (RDMA_PROXY's Backend_Path of /gw, default /export),
# GW_RP_TRANSPORT (rdma|tcp, default rdma), GW_RP_SLOTS (default 64),
# GW_RP_CREDITS (default 128), GW_RP_CONNECTIONS (default 1),
# GW_RP_CALL_TIMEOUT (Call_Timeout seconds, default 60),
# GW_BACKEND_EXTRA: blocks added to the backend's config (e.g. LOG),
# GW_GATEWAY_EXTRA likewise to a gateway's (e.g. MDCACHE),
# GW_RP_MODULE_EXTRA: options added to the RDMA_PROXY module block (e.g.
# "Malloc_Mmap_Threshold = 0;"),
# GW_METRICS=1: the backend and the RDMA_PROXY gateway also write
# Prometheus metrics files ($GW_BACKEND_METRICS, $GW_RP_METRICS),
# GW_EXPORT2=rdma|tcp: the gateway also exports /gw2, the backend's
# /export2 ($GW_BACKEND_EXPORT2), through a second FSAL export with that
# transport (its own backend session).

. "$(dirname "${BASH_SOURCE[0]}")/ganesha.sh"

: "${GW_ROOT:?GW_ROOT must name a scratch directory before sourcing gateway.sh}"
GW_LEASE=${GW_LEASE:-20}
GW_BACKEND_EXPORT=$GW_ROOT/backend/export
GW_BACKEND_EXPORT2=$GW_ROOT/backend/export2
GW_BACKEND_STATS=$GW_ROOT/backend/rdma-stats
GW_RP_STATS=$GW_ROOT/rdma_proxy/rp-stats
GW_BACKEND_METRICS=$GW_ROOT/backend/rdma.prom
GW_RP_METRICS=$GW_ROOT/rdma_proxy/rdma_proxy.prom
GW_BACKEND_PORT=
GW_BACKEND_RPORT=
declare -A GW_PIDS=()

gw_find_build() {
	local b=$1 f
	GW_PRELOAD= GW_RDMA_MODULE= GW_FSAL_MODULE= GW_NFS41=
	f=$b/src/xprt_rdma/ganesha/libganesha_rdma_preload.so
	[ -f "$f" ] && GW_PRELOAD=$(readlink -f "$f")
	f=$b/src/xprt_rdma/ganesha/libganesha_rdma.so
	[ -f "$f" ] && GW_RDMA_MODULE=$(readlink -f "$f")
	f=$b/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so
	[ -f "$f" ] && GW_FSAL_MODULE=$(readlink -f "$f")
	f=$b/src/cli/nfs41
	[ -x "$f" ] && GW_NFS41=$(readlink -f "$f")
	return 0
}

gw_pid() { echo "${GW_PIDS[$1]:-}"; }

# A counter of the RDMA_PROXY gateway's stats file ("  key = value" per
# export), summed over its exports; 0 when absent.  The file is
# rewritten every second.
gw_rp_counter() { # KEY
	awk -v k="$1" '$1 == k && $2 == "=" { s += $3 } END { printf "%.0f\n", s }' \
		"$GW_RP_STATS" 2>/dev/null || echo 0
}

# The last N lines of a daemon's log that say something: Debian's
# ganesha.nfsd logs a dozen DBUS/krb5/thread start-up lines per start.
gw_log_tail() { # NAME N
	grep -avE 'DBUS|dbus|krb5|keytab|nfs_Start_threads|NFS STARTUP :EVENT :-+$|NFS SERVER INITIALIZED' \
		"$GW_ROOT/$1/ganesha.log" 2>/dev/null | tail -"$2"
}
gw_log() { echo "$GW_ROOT/$1/ganesha.log"; }

gw_port_open() { ss -Htln "sport = :$1" | grep -q .; }

# Start ganesha.nfsd for instance NAME with $GW_ROOT/NAME/ganesha.conf.
# Extra environment (LD_PRELOAD...) comes from the caller's command line.
gw_daemon() {
	local name=$1 d=$GW_ROOT/$1
	ganesha.nfsd -F -f "$d/ganesha.conf" -L "$d/ganesha.log" \
		-p "$d/ganesha.pid" -N NIV_EVENT >>"$d/ganesha.out" 2>&1 &
	GW_PIDS[$name]=$!
}

# Show the daemon's last words, then fail the test - or, with GW_NOFAIL=1
# (benchmarks that carry on without one gateway), stop it and return 1.
gw_die_log() { # NAME MESSAGE
	echo "--- $1: ganesha.log (tail, without the DBUS/krb5 start-up noise)" >&2
	gw_log_tail "$1" 30 >&2
	tail -5 "$GW_ROOT/$1/ganesha.out" >&2 2>/dev/null
	if [ "${GW_NOFAIL:-0}" = 1 ]; then
		echo "gateway.sh: $2" >&2
		gw_stop "$1"
		return 1
	fi
	gr_fail "$2"
}

# The common blocks with this instance's lease and recovery directory
# (one NFSv4 block only: a second one would replace the first).
gw_core_conf() { # NAME PORT PLUGINS_DIR
	gr_core_conf "$GW_ROOT/$1" "$2" "$3" |
		sed "s/^NFSv4 {\$/NFSv4 {\n\tLease_Lifetime = $GW_LEASE;/"
}

gw_log_since() { # LOG MARK PATTERN: PATTERN in LOG after line MARK
	tail -n +$(($2 + 1)) "$1" | grep -q "$3"
}

gw_backend_start() {
	local d=$GW_ROOT/backend mark
	command -v ganesha.nfsd >/dev/null ||
		gr_skip "ganesha.nfsd not installed (run tools/install-deps.sh)"
	[ "$(id -u)" = 0 ] ||
		gr_skip "ganesha.nfsd with FSAL_VFS needs root (open_by_handle_at)"
	[ -n "${GW_PRELOAD:-}" ] && [ -n "${GW_RDMA_MODULE:-}" ] ||
		gr_skip "the RDMA transport for ganesha.nfsd is not built (Ganesha SDK missing?)"
	gr_require_plain_module "$GW_RDMA_MODULE"
	mkdir -p "$d/recovery" "$GW_BACKEND_EXPORT" "$GW_BACKEND_EXPORT2"
	if [ -z "$GW_BACKEND_PORT" ]; then
		GW_BACKEND_PORT=$(gr_free_port) || gr_fail "no free port"
		GW_BACKEND_RPORT=$(gr_free_port "$GW_BACKEND_PORT") ||
			gr_fail "no free port"
	fi
	{
		gw_core_conf backend "$GW_BACKEND_PORT" "$GR_DEBIAN_FSAL_DIR"
		cat <<CONF
NFS_RDMA {
	Fabric = ofi;
	Bind_Addr = 127.0.0.1;
	Port = $GW_BACKEND_RPORT;
	Stats_File = "$GW_BACKEND_STATS";
	Stats_Interval = 1;
$([ "${GW_METRICS:-0}" = 1 ] && printf '\tMetrics_File = "%s";' "$GW_BACKEND_METRICS")
}
EXPORT {
	Export_Id = 1; Path = "$GW_BACKEND_EXPORT"; Pseudo = /export;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	SecType = sys;
	FSAL { Name = VFS; }
}
EXPORT {
	Export_Id = 2; Path = "$GW_BACKEND_EXPORT2"; Pseudo = /export2;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	SecType = sys;
	FSAL { Name = VFS; }
}
${GW_BACKEND_EXTRA:-}
CONF
	} >"$d/ganesha.conf"
	# The log is kept across restarts (a test reads what happened
	# before); only lines after this mark belong to this start.
	touch "$d/ganesha.log"
	mark=$(wc -l <"$d/ganesha.log")
	GANESHA_RDMA_MODULE=$GW_RDMA_MODULE LD_PRELOAD=$GW_PRELOAD \
		gw_daemon backend
	gr_wait_for 30 gw_port_open "$GW_BACKEND_PORT" ||
		{ gw_die_log backend "backend did not listen on TCP $GW_BACKEND_PORT"; return 1; }
	gr_wait_for 30 gw_log_since "$d/ganesha.log" "$mark" 'NFS_RDMA: serving NFS over RDMA' ||
		{ gw_die_log backend "backend's RDMA listener did not come up"; return 1; }
}

# FSAL block of a gateway of KIND; RDMA_PROXY's backend path and
# transport may be given (default /export and $GW_RP_TRANSPORT).
gw_fsal_block() { # KIND [BACKEND_PATH [TRANSPORT]]
	case $1 in
	proxy_v4)
		# PROXY_V4 looks EXPORT Path up on the backend; its default
		# 1 MiB maxread/maxwrite and send/recv sizes match RDMA_PROXY.
		cat <<CONF
	FSAL {
		Name = PROXY_V4;
		Srv_Addr = 127.0.0.1;
		NFS_Port = $GW_BACKEND_PORT;
		Use_Privileged_Client_Port = false;
		RPC_Client_Timeout = 60;
		Retry_SleepTime = 2;
	}
CONF
		;;
	rdma_proxy)
		local port=$GW_BACKEND_RPORT tr=${3:-${GW_RP_TRANSPORT:-rdma}}
		[ "$tr" = tcp ] && port=$GW_BACKEND_PORT
		cat <<CONF
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = 127.0.0.1;
		Backend_Port = $port;
		Backend_Path = "${2:-${GW_RP_BACKEND_PATH:-/export}}";
		Transport = $tr;
		Fabric = ofi;
		Provider = tcp;
		Slots = ${GW_RP_SLOTS:-64};
		Credits = ${GW_RP_CREDITS:-128};
		Max_Read_Size = 1048576;
		Max_Write_Size = 1048576;
		Call_Timeout = ${GW_RP_CALL_TIMEOUT:-60};
		Recovery_Timeout = 120;
		Retry_Interval = 2;
		Connections = ${GW_RP_CONNECTIONS:-1};
	}
CONF
		;;
	esac
}

gw_gateway_start() {
	local kind=$1 d=$GW_ROOT/$1 port path mods=()
	case $kind in
	proxy_v4)
		[ -f "$GR_DEBIAN_FSAL_DIR/libfsalproxy_v4.so" ] ||
			gr_skip "Debian's FSAL_PROXY_V4 is not installed (nfs-ganesha-proxy-v4)"
		path=/export ;;
	rdma_proxy)
		[ -n "${GW_FSAL_MODULE:-}" ] && [ -f "$GW_FSAL_MODULE" ] ||
			gr_skip "libfsalrdma_proxy.so is not built"
		gr_require_plain_module "$GW_FSAL_MODULE"
		mods=("$GW_FSAL_MODULE")
		path=/gw ;;
	*) gr_fail "gw_gateway_start: unknown gateway kind '$kind'" ;;
	esac
	[ -n "$GW_BACKEND_PORT" ] || gr_fail "gw_gateway_start: start the backend first"
	mkdir -p "$d/recovery" "$d/state"
	port=$(eval echo "\${GW_PORT_$kind:-}")
	if [ -z "$port" ]; then
		# the backend's ports: not listened on yet when it starts later
		port=$(gr_free_port "$GW_BACKEND_PORT" "${GW_BACKEND_RPORT:-}") ||
			gr_fail "no free port"
		eval "GW_PORT_$kind=$port"
	fi
	gr_plugins_dir "$d/plugins" "${mods[@]}"
	{
		gw_core_conf "$kind" "$port" "$d/plugins"
		[ "$kind" = rdma_proxy ] &&
			printf 'RDMA_PROXY { State_Dir = "%s"; Stats_File = "%s"; Stats_Interval = 1;%s %s }\n' \
				"$d/state" "$d/rp-stats" \
				"$([ "${GW_METRICS:-0}" = 1 ] && printf ' Metrics_File = "%s";' "$GW_RP_METRICS")" \
				"${GW_RP_MODULE_EXTRA:-}"
		printf '%s\n' "${GW_GATEWAY_EXTRA:-}"
		cat <<CONF
EXPORT {
	Export_Id = 1; Path = $path; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
$(gw_fsal_block "$kind")
}
CONF
		# A second export, its own backend session: /gw2 -> /export2.
		if [ -n "${GW_EXPORT2:-}" ]; then
			local path2=/gw2
			[ "$kind" = proxy_v4 ] && path2=/export2
			cat <<CONF
EXPORT {
	Export_Id = 2; Path = $path2; Pseudo = /gw2;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
$(gw_fsal_block "$kind" /export2 "$GW_EXPORT2")
}
CONF
		fi
	} >"$d/ganesha.conf"
	gw_daemon "$kind"
	gr_wait_for 30 gw_port_open "$port" ||
		{ gw_die_log "$kind" "$kind gateway did not listen on TCP $port"; return 1; }
	[ -z "${GW_NFS41:-}" ] && return 0
	# Listening is not serving: the FSAL may still be reaching the
	# backend.  Ready once the export's root answers a GETATTR.
	gr_wait_for 60 "$GW_NFS41" -q stat "nfs://127.0.0.1:$port/gw" >/dev/null 2>&1 ||
		{ gw_die_log "$kind" "$kind gateway does not serve /gw within 60 s"; return 1; }
}

gw_stop() {
	local name=$1
	gr_stop_pid "${GW_PIDS[$1]:-}"
	unset "GW_PIDS[$name]"
}

gw_kill() {
	local name=$1 pid=${GW_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "GW_PIDS[$name]"
}

gw_cleanup() {
	local n
	# Gateways first: a gateway whose backend vanished first would log
	# reconnection noise while it shuts down.
	for n in proxy_v4 rdma_proxy backend; do
		gw_stop "$n"
	done
}

# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Helpers for the session client's integration tests: a temporary
# directory, Debian's ganesha.nfsd with an FSAL_VFS export of a directory
# in it (NFSv4 only, loopback, short lease), and JSON counter extraction.
#   sess_setup LEASE          make $T, write $T/ganesha.conf, start ganesha
#   sess_ganesha_up           (re)start ganesha with the same config, wait
#   sess_stat FILE KEY        print counter KEY from nfs41 --stats output
# Sets: T, PORT, URL (nfs://127.0.0.1:PORT/export), EXP (exported dir).

. "$(dirname "$0")/../lib/ganesha.sh"

sess_cleanup() {
	gr_ganesha_stop
	[ -n "${T:-}" ] && rm -rf "$T"
}

sess_port_open() {
	ss -Htln "sport = :$PORT" | grep -q .
}

sess_ganesha_up() {
	gr_ganesha_start "$T" "$T/ganesha.conf"
	gr_wait_for 30 sess_port_open ||
		gr_fail "ganesha.nfsd did not listen on $PORT: $(tail -5 "$T/ganesha.log" 2>/dev/null)"
}

sess_setup() {
	local lease=${1:-10}

	[ "$(id -u)" = 0 ] ||
		gr_skip "ganesha.nfsd with FSAL_VFS needs root (open_by_handle_at)"
	command -v ganesha.nfsd >/dev/null ||
		gr_skip "ganesha.nfsd not installed (run tools/install-deps.sh)"
	[ -x "$NFS41" ] || gr_fail "nfs41 binary missing: $NFS41"
	[ -z "${NFS41_FAULT+set}" ] || [ -x "$NFS41_FAULT" ] ||
		gr_fail "nfs41_fault binary missing: $NFS41_FAULT"
	T=$(mktemp -d /tmp/gr-sessions.XXXXXX)
	trap sess_cleanup EXIT
	EXP=$T/export
	mkdir -p "$EXP" "$T/recovery"
	PORT=$(gr_free_port) || gr_fail "no free port"
	gr_plugins_dir "$T/plugins"
	{
		# One NFSv4 block only: a second one replaces the first
		# (Graceless and RecoveryRoot would be lost, and the server
		# would sit in a 90 s grace period for clients of old runs).
		gr_core_conf "$T" "$PORT" "$T/plugins" |
			sed "s/^NFSv4 {\$/NFSv4 {\n\tLease_Lifetime = $lease;/"
		cat <<CONF
EXPORT {
	Export_Id = 1;
	Path = "$EXP";
	Pseudo = /export;
	Access_Type = RW;
	Squash = No_Root_Squash;
	Protocols = 4;
	Transports = TCP;
	SecType = sys;
	FSAL { Name = VFS; }
}
CONF
	} >"$T/ganesha.conf"
	grep -q "Lease_Lifetime = $lease;" "$T/ganesha.conf" ||
		gr_fail "could not set the lease time in $T/ganesha.conf"
	sess_ganesha_up
	URL=nfs://127.0.0.1:$PORT/export
	STATE="--state-file $T/client-id"
}

# sess_stat FILE KEY: the value of "KEY": in the last JSON line of FILE.
sess_stat() {
	grep '^{"clientid"' "$1" | tail -1 |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# expect_rc WANT CMD...: run CMD, fail unless it exits with WANT.
expect_rc() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] ||
		gr_fail "'$*' exited $rc, expected $want: $(cat "$T/err")"
}

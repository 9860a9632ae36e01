#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The TCP-to-RDMA gateway end to end on one host.  A backend ganesha.nfsd
# (FSAL_VFS, NFSv4 over TCP and NFS over RDMA on libfabric's tcp
# provider) and a gateway ganesha.nfsd serving NFSv4 over TCP at /gw:
#   GW_KIND=rdma_proxy (default)  FSAL_RDMA_PROXY, RDMA to the backend
#   GW_KIND=proxy_v4              Debian's FSAL_PROXY_V4, TCP to the
#                                 backend: the known-good baseline
# Through the gateway, with nfs41 (NFSv4.1) and libnfs (NFSv4.0): mkdir,
# put/get of a few hundred MB with sha256 compared against the source
# and against the file as it lands in the backend's directory, small
# files both ways with libnfs, stat attributes compared with the
# backend's, rename across directories, readdir of 10,000 entries, rm,
# 16 parallel clients, byte-range locks from two clients, the gateway
# killed and restarted while clients hold handles, handles altered by a
# client refused without reaching the backend, the backend killed
# and restarted in the middle of a put, the connection to the backend
# cut mid-transfer, the gateway started while its backend is down, two
# exports used at once.  What Debian's PROXY_V4 is known not to manage is
# reported as "known limit (PROXY_V4)" when GW_KIND=proxy_v4 and fails
# the test for RDMA_PROXY.
#
# Usage: run.sh PRELOAD_SO RDMA_MODULE_SO FSAL_MODULE_SO NFS41 GW_LIBNFS
# Env: GW_KIND, GW_BIG_MIB (size of the big file, default 300).
set -u
here=$(cd "$(dirname "$0")" && pwd)
GW_ROOT=$(mktemp -d /tmp/gr-gateway.XXXXXX)
GW_LEASE=10
. "$here/../../lib/gateway.sh"
trap 'gw_cleanup; rm -rf "$GW_ROOT"' EXIT

# Absolute paths: modules are symlinked into a Plugins_Dir.
abs() { [ -n "$1" ] && readlink -f "$1" || true; }
GW_PRELOAD=$(abs "${1:-}") GW_RDMA_MODULE=$(abs "${2:-}")
GW_FSAL_MODULE=$(abs "${3:-}") GW_NFS41=$(abs "${4:-}") tool=$(abs "${5:-}")
kind=${GW_KIND:-rdma_proxy}
big_mib=${GW_BIG_MIB:-300}
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_NFS41" "$tool"; do
	[ -n "$f" ] && [ -f "$f" ] || gr_skip "not built: '$f' (Ganesha SDK or libnfs-dev missing?)"
done
if [ "$kind" = rdma_proxy ]; then
	[ -n "$GW_FSAL_MODULE" ] && [ -f "$GW_FSAL_MODULE" ] ||
		gr_skip "libfsalrdma_proxy.so is not built ('$GW_FSAL_MODULE'); GW_KIND=proxy_v4 runs this against Debian's FSAL_PROXY_V4"
	gr_require_plain_module "$GW_FSAL_MODULE"
fi
# Debian 13's FSAL_PROXY_V4 (Ganesha 6.5) overruns its READ buffer on the
# first READ that returns data and the daemon dies (docs/architecture.md,
# "Debian 13's FSAL_PROXY_V4 overruns"): there is no baseline to run.
if [ "$kind" = proxy_v4 ] && [ "$(gr_ganesha_major)" -ge 6 ]; then
	gr_skip "Ganesha $(gr_ganesha_major)'s FSAL_PROXY_V4 crashes on every READ with data (Debian 13; docs/architecture.md): no baseline"
fi
command -v nfs-cp >/dev/null && command -v nfs-ls >/dev/null ||
	gr_skip "libnfs-utils (nfs-cp, nfs-cat, nfs-ls) not installed (run tools/install-deps.sh)"

gw_backend_start
gw_gateway_start "$kind"
port=$(eval echo "\$GW_PORT_$kind")
B=$GW_BACKEND_EXPORT
T=$GW_ROOT/client
mkdir -p "$T"
echo "ok: backend TCP $GW_BACKEND_PORT / RDMA $GW_BACKEND_RPORT, $kind gateway TCP $port"

U=nfs://127.0.0.1:$port/gw
BU=nfs://127.0.0.1:$GW_BACKEND_PORT/export	# the backend, directly
lurl() { echo "nfs://127.0.0.1/gw/$1?version=4&nfsport=$port"; }
# Every client call is bounded: a hang is a failure, not a stuck ctest.
cli() { timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" "$@"; }
limits=0
gr_on_fail() {
	echo "--- $kind gateway log (tail)"; gw_log_tail "$kind" 25
	echo "--- backend log (tail)"; gw_log_tail backend 10
}
check() { gr_check "$@"; }
same_sha() { # FILE FILE...: all have the sha256 of the first
	local want f
	want=$(sha256sum <"$1" | cut -d' ' -f1)
	for f in "${@:2}"; do
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$want" ] || {
			echo "sha256 of $f differs from $1" >&2
			return 1
		}
	done
}

# --- directories, a big file both ways, checksums everywhere
check "mkdir d1 through the gateway" cli mkdir "$U/d1"
check "mkdir d2" cli mkdir "$U/d2"
check "the directories are in the backend" test -d "$B/d1" -a -d "$B/d2"
head -c $((big_mib << 20)) /dev/urandom >"$T/big"
check "put $big_mib MiB (4 streams, 1 MiB I/O)" \
	cli --streams 4 --io-size 1M put "$T/big" "$U/d1/big"
check "the backend's copy has the source's sha256" same_sha "$T/big" "$B/d1/big"
minflt() { awk '{ sub(/^.*\) /, ""); print $8 }' "/proc/$(gw_pid "$kind")/stat"; }
f0=$(minflt)
check "get $big_mib MiB (1 stream)" cli get "$U/d1/big" "$T/big.1"
f1=$(minflt)
# Each 1 MiB READ's buffer (Ganesha's) was a fresh mmap() whose 256 pages
# all faulted; RDMA_PROXY's Malloc_Mmap_Threshold (rp_main.c) makes glibc
# reuse heap memory.  A quarter of that per READ is the bound (PROXY_V4,
# without it: ~260 per READ, printed).
echo "note: $kind gateway minor faults during the 1-stream get: $((f1 - f0)) for $big_mib READs of 1 MiB"
if [ "$kind" = rdma_proxy ]; then
	check "1 MiB READs reuse heap memory ($((f1 - f0)) minor faults for $big_mib READs, bound $((big_mib * 64)))" \
		test $((f1 - f0)) -lt $((big_mib * 64))
fi
check "get $big_mib MiB (4 streams)" cli --streams 4 get "$U/d1/big" "$T/big.4"
check "libnfs (NFSv4.0) reads $big_mib MiB" \
	timeout 300 nfs-cp "$(lurl d1/big)" "$T/big.lib"
check "sha256 of every copy" same_sha "$T/big" "$T/big.1" "$T/big.4" "$T/big.lib"

# The gateway's leg to the backend really is RDMA: the backend's
# transport counters saw the WRITE data pulled by RDMA Read and the READ
# data pushed by RDMA Write (PROXY_V4 talks TCP: the counters stay 0).
counter() { awk -v k="$1" '$1 == k { print $2 }' "$GW_BACKEND_STATS" 2>/dev/null; }
rdma_moved() {
	[ "${1:-0}" -ge $((big_mib << 20)) ] 2>/dev/null
}
if [ "$kind" = rdma_proxy ] && [ "${GW_RP_TRANSPORT:-rdma}" = rdma ]; then
	gr_stats_fresh "$GW_BACKEND_STATS"
	rd=$(counter rdma_read_bytes) wr=$(counter ddp_payload_bytes)
	check "backend: WRITE data came by RDMA Read (rdma_read_bytes $rd)" rdma_moved "$rd"
	check "backend: READ data went by RDMA Write (ddp_payload_bytes $wr)" rdma_moved "$wr"
fi

# --- small files: libnfs writes (under its ~4000-byte v4 WRITE limit)
# and reads; nfs41 reads what libnfs wrote and the other way round.
head -c 3000 /dev/urandom >"$T/small"
check "libnfs writes a 3000-byte file" \
	timeout 60 nfs-cp "$T/small" "$(lurl d1/small.lib)"
check "nfs41 puts a 3000-byte file" cli put "$T/small" "$U/d1/small.41"
check "nfs41 reads libnfs's file" cli get "$U/d1/small.lib" "$T/small.lib.41"
timeout 60 nfs-cat "$(lurl d1/small.41)" >"$T/small.41.lib"
check "libnfs reads nfs41's file" test $? = 0
check "small files: sha256 through both clients and in the backend" \
	same_sha "$T/small" "$B/d1/small.lib" "$B/d1/small.41" \
	"$T/small.lib.41" "$T/small.41.lib"

# --- attributes: the gateway's view against the backend's own NFS
# answer and the backend's local file.  attr.f is made in the backend's
# directory with a distinct mode and mtime and never seen by the gateway
# before, so no cache can hide a wrong mapping.
head -c 12345 /dev/urandom >"$B/d1/attr.f"
chmod 0640 "$B/d1/attr.f"
touch -d '2021-03-04 05:06:07' "$B/d1/attr.f"
attrs_match() { # NAME
	local g b l
	g=$(cli --json stat "$U/d1/$1" | sed 's/"path":"[^"]*",//') || return 1
	b=$(cli --json stat "$BU/d1/$1" | sed 's/"path":"[^"]*",//') || return 1
	# nfs41 prints the mode in decimal, stat(1) in octal.
	l="\"mode\":$((8#$(stat -c %a "$B/d1/$1")))"
	l="$l $(stat -c '"size":%s "fileid":%i "mtime":%Y' "$B/d1/$1")"
	echo "  gateway: $g"
	echo "  backend: $b"
	[ "$g" = "$b" ] || { echo "  gateway and backend disagree" >&2; return 1; }
	for f in $l; do
		case $g in
		*"$f",* | *"$f"}) ;;
		*) echo "  $f (local stat) missing from the gateway's answer" >&2; return 1 ;;
		esac
	done
}
check "stat attr.f: size, mode, fileid, mtime equal the backend's" attrs_match attr.f
check "stat big: equal to the backend's" attrs_match big

# --- directory answers the gateway reuses (rp_postop.c): a change brings
# the directory's post-op attributes along, and an OPEN that creates
# needs one backend lookup, not two.  What the gateway then shows must be
# what the backend has: the link counts move with every mkdir, rename and
# rmdir, and a name created behind the gateway's back is seen.
nlink_of() { # URL: the nlink nfs41 reports
	cli --json stat "$1" | sed -n 's/.*"nlink":\([0-9]*\).*/\1/p'
}
nlinks_match() { # DIR...: gateway, backend over NFS and local stat agree
	local d g b l
	for d in "$@"; do
		g=$(nlink_of "$U/$d") b=$(nlink_of "$BU/$d") l=$(stat -c %h "$B/$d")
		echo "  $d: gateway $g, backend $b, local $l"
		[ -n "$g" ] && [ "$g" = "$b" ] && [ "$g" = "$l" ] || return 1
	done
}
saved0=$(gw_rp_counter getattrs_saved) neg0=$(gw_rp_counter lookups_saved)
check "mkdir pa, pb and pa/sub" bash -c \
	"'$GW_NFS41' -q mkdir '$U/pa' && '$GW_NFS41' -q mkdir '$U/pb' && '$GW_NFS41' -q mkdir '$U/pa/sub'"
check "after mkdir: pa's link count (3) is the backend's" nlinks_match pa pb
check "rename pa/sub to pb/sub" cli rename "$U/pa/sub" /gw/pb/sub
check "after rename: both directories' link counts are the backend's" nlinks_match pa pb
check "put pb/f (a create through the gateway)" cli put "$T/small" "$U/pb/f"
# A noted miss answers only a lookup within 20 ms of it: on a loaded
# machine one create may come too late, so a few more give it the chance.
check "put pb/n1 .. pb/n8" bash -c \
	"for i in 1 2 3 4 5 6 7 8; do '$GW_NFS41' -q put '$T/small' '$U/pb/n'\$i || exit 1; done"
check "rm pb/sub" cli rm "$U/pb/sub"
check "after rmdir: pb's link count is the backend's" nlinks_match pb
if [ "$kind" = rdma_proxy ]; then
	gr_stats_fresh "$GW_RP_STATS"
	check "the gateway reused post-op attributes (getattrs_saved $saved0 -> $(gw_rp_counter getattrs_saved))" \
		test "$(gw_rp_counter getattrs_saved)" -gt "$saved0"
	# A figure, not a check: whether a noted miss answers the lookup
	# after it depends on a 20 ms window, and on 2026-12-06 nfs41 creates
	# here met it about once per run (before the creates in some runs,
	# none of 60 more): a check on it failed CI runs.  The rule itself is
	# checked in gateway.postop.
	echo "figure: lookups_saved $neg0 -> $(gw_rp_counter lookups_saved) over 9 creates"
fi
check "rm pb/n1 .. pb/n8" bash -c \
	"for i in 1 2 3 4 5 6 7 8; do '$GW_NFS41' -q rm '$U/pb/n'\$i || exit 1; done"
if [ "$kind" = rdma_proxy ]; then
	# A rename inside one directory keeps that directory's attributes
	# too (one ticket for it, not two that overtake each other).
	saved1=$(gw_rp_counter getattrs_saved)
	check "rename pb/f to pb/g" cli rename "$U/pb/f" /gw/pb/g
	check "after rename in pb: its link count is the backend's" nlinks_match pb
	gr_stats_fresh "$GW_RP_STATS"
	check "a rename inside pb reused pb's post-op attributes (getattrs_saved $saved1 -> $(gw_rp_counter getattrs_saved))" \
		test "$(gw_rp_counter getattrs_saved)" -gt "$saved1"
fi
check "stat pb/late through the gateway: not found (exit 6)" bash -c \
	"'$GW_NFS41' -q stat '$U/pb/late' 2>/dev/null; test \$? = 6"
echo late >"$B/pb/late"
sleep 0.1 # a noted miss answers only the lookup right after it
check "pb/late, created on the backend, is then seen through the gateway" \
	cli stat "$U/pb/late"

# --- setattr and the link family (libnfs, NFSv4.0), then the backend's
# own view of what the tool left: mode, owner, size, mtime, symlink, link
check "mkdir ops" cli mkdir "$U/ops"
check "libnfs: create, chmod, chown, truncate, utimes, symlink, readlink, link, statfs, rmdir" \
	bash -o pipefail -c "timeout 120 '$tool' ops '$(lurl ops)' | tee '$GW_ROOT/ops.out'"
# libnfs 5 (Debian 13) cannot chown over NFSv4.0: the tool says SKIP and
# the file keeps the creator's owner (root, not squashed)
owner="1234 5678"
grep -q '^SKIP chown' "$GW_ROOT/ops.out" && owner="0 0"
check "backend: f is mode 604, owner ${owner/ /:}, 5000 bytes, mtime 1200000000" \
	test "$(stat -c '%a %u %g %s %Y' "$B/ops/f")" = "604 $owner 5000 1200000000"
check "backend: sl is a symlink to f" test "$(readlink "$B/ops/sl")" = f
check "backend: hl is f's second link" \
	test "$(stat -c '%i %h' "$B/ops/hl")" = "$(stat -c '%i 2' "$B/ops/f")"
check "backend: f's first 300 bytes kept, the rest reads as zeros" bash -c \
	"head -c 300 '$B/ops/f' | tr -d g | wc -c | grep -qx 0 &&
	 tail -c 4700 '$B/ops/f' | tr -d '\\000' | wc -c | grep -qx 0"
check "rm f, sl, hl and ops through the gateway" bash -c \
	"for f in f sl hl; do '$GW_NFS41' -q rm '$U/ops/'\$f || exit 1; done; '$GW_NFS41' -q rm '$U/ops'"

# --- rename across directories
check "rename d1/small.41 -> d2/moved" cli rename "$U/d1/small.41" /gw/d2/moved
check "the backend sees the rename" test -f "$B/d2/moved" -a ! -e "$B/d1/small.41"
check "ls d2 through the gateway shows it" bash -c "'$GW_NFS41' -q ls '$U/d2' | grep -qx moved"
check "libnfs reads the renamed file" bash -c "timeout 60 nfs-cat '$(lurl d2/moved)' | cmp -s - '$T/small'"

# --- readdir of 10,000 entries (made in the backend, listed through the
# gateway: many READDIR round trips with cookies on both legs)
mkdir -p "$B/many"
(cd "$B/many" && seq -f 'entry-%05g' 1 10000 | xargs touch)
n=$(cli ls "$U/many" | sort -u | wc -l)
check "nfs41 readdir of 10,000 entries (got $n)" test "$n" = 10000
n=$(timeout 120 nfs-ls "$(lurl many)" | grep -c 'entry-')
check "libnfs readdir of 10,000 entries (got $n)" test "$n" = 10000

# --- 16 parallel clients, each its own session: put, get, compare
parallel() {
	local i pids=() rc=0
	mkdir -p "$T/par"
	for i in $(seq 1 16); do
		(
			head -c $((4 << 20)) /dev/urandom >"$T/par/src.$i"
			# Own owner id each: one id shared by 16 clients
			# would make them one client replacing itself.
			c="timeout 300 $GW_NFS41 -q --state-file $T/par/id.$i"
			$c put "$T/par/src.$i" "$U/d2/par.$i" &&
			$c get "$U/d2/par.$i" "$T/par/back.$i" &&
			same_sha "$T/par/src.$i" "$T/par/back.$i" "$B/d2/par.$i"
		) &
		pids+=($!)
	done
	# libnfs readers beside them
	for i in 1 2 3 4; do
		(timeout 120 nfs-cat "$(lurl d2/moved)" | cmp -s - "$T/small") &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	return $rc
}
check "16 parallel nfs41 clients (4 MiB put+get each) and 4 libnfs readers" parallel

# --- byte-range locks from two clients (NFSv4.0 LOCK/LOCKT/LOCKU)
check "a file to lock" cli put "$T/small" "$U/d2/lockme"
check "byte-range locks from two clients" timeout 120 "$tool" lock "$(lurl d2/lockme)"

# --- the gateway restarts while clients hold handles
# (a) nfs41 (NFSv4.1) downloads while the gateway is killed and started
#     again: the client re-opens by the handle it holds (CLAIM_FH), so the
#     gateway's handles must stay valid across its restart.
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
wait_grow() { # FILE BYTES PID: until FILE holds BYTES or PID ended
	local i
	for i in $(seq 1 1500); do
		[ "$(size_of "$1")" -ge "$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}
rm -f "$T/big.r"
timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" --io-size 64k \
	get "$U/d1/big" "$T/big.r" 2>"$T/get-r.err" &
pid=$!
wait_grow "$T/big.r" $((16 << 20)) $pid
check "the download was still running when the gateway was killed" kill -0 $pid
gw_kill "$kind"
sleep 1
gw_gateway_start "$kind"
wait $pid
rc=$?
[ $rc = 0 ] || cat "$T/get-r.err"
check "nfs41 get survived kill -9 + restart of the gateway (exit $rc)" test $rc = 0
check "and its data verifies" same_sha "$T/big" "$T/big.r"

# (b) libnfs (NFSv4.0) takes a file's handle, the gateway stops and
#     starts, the same handle (PUTFH + READ, anonymous stateid, on a new
#     connection: libnfs does not reconnect v4) reads the whole file.
coproc HOLD { timeout 300 "$tool" hold "$(lurl d1/big)" "$T/big.held" 2>"$T/hold.err"; }
# Keep the pid and pipe ends: bash drops HOLD* once the coprocess ends.
hold_pid=$HOLD_PID
exec {hold_in}<&"${HOLD[0]}" {hold_out}>&"${HOLD[1]}"
line=
read -r -t 60 line <&$hold_in
check "libnfs holder took the file's handle (said '${line:-nothing}')" \
	test "${line%% *}" = ready
gw_stop "$kind"
gw_gateway_start "$kind"
echo go >&$hold_out 2>/dev/null
wait "$hold_pid"
rc=$?
[ $rc = 0 ] || cat "$T/hold.err"
check "libnfs read through its held handle after a gateway restart (exit $rc)" test $rc = 0
check "and its data verifies" same_sha "$T/big" "$T/big.held"

# --- handles altered by a client (RDMA_PROXY authenticates its handles
# with a MAC; PROXY_V4 passes the backend's handle through): every bit
# flipped from the export id on is refused with NFS4ERR_STALE or
# BADHANDLE by the gateway itself - no call reaches the backend (the
# gateway's calls counter stands still) and each one in the FSAL's part
# is counted as bad_handles - and the genuine handle still reads.
if [ "$kind" = rdma_proxy ]; then
	coproc TAMPER { timeout 300 "$tool" tamper "$(lurl d1/small.lib)" 2>"$T/tamper.err"; }
	tamper_pid=$TAMPER_PID
	exec {tamper_in}<&"${TAMPER[0]}" {tamper_out}>&"${TAMPER[1]}"
	line=
	read -r -t 60 line <&$tamper_in
	check "libnfs took a handle to alter (said '${line:-nothing}')" \
		test "${line%% *}" = ready
	gr_stats_fresh "$GW_RP_STATS"
	calls0=$(gw_rp_counter calls) bad0=$(gw_rp_counter bad_handles)
	echo go >&$tamper_out 2>/dev/null
	line=
	read -r -t 240 line <&$tamper_in
	gr_stats_fresh "$GW_RP_STATS"
	calls1=$(gw_rp_counter calls) bad1=$(gw_rp_counter bad_handles)
	echo go >&$tamper_out 2>/dev/null
	wait "$tamper_pid"
	rc=$?
	[ $rc = 0 ] || cat "$T/tamper.err"
	read -r t_word t_n t_word2 t_opaque <<<"$line" # "tampered N opaque M"
	check "every altered handle refused, the genuine one still reads (${line:-nothing}; exit $rc)" \
		test $rc = 0 -a "${t_word:-}" = tampered -a "${t_opaque:-0}" -gt 0
	check "no altered handle reached the backend (gateway calls $calls0 -> $calls1)" \
		test "$calls1" = "$calls0"
	check "the gateway counted them (bad_handles $bad0 -> $bad1, ${t_opaque:-?} flips in its part)" \
		test $((bad1 - bad0)) -ge "${t_opaque:-1}"
fi

# --- the gateway's connection to the backend is cut in the middle of a
# get and of a put (ss -K aborts the gateway's socket): the gateway must
# reconnect and finish each transfer, data intact (replay through the
# session's slots).
leg_port=$GW_BACKEND_PORT
[ "$kind" = rdma_proxy ] && [ "${GW_RP_TRANSPORT:-rdma}" = rdma ] &&
	leg_port=$GW_BACKEND_RPORT
leg_conns() { ss -Htn state established dst 127.0.0.1 dport = ":$leg_port" | awk '{ print $3 }' | sort; }
if [ -z "$(leg_conns)" ]; then
	echo "note: no TCP connection to the backend's port $leg_port seen; leg-cut checks not run"
else
	leg_cut_during() { # what: get|put
		local what=$1 pid rc watch before
		rm -f "$T/leg.back" "$B/d1/leg.put"
		if [ "$what" = get ]; then
			watch=$T/leg.back
			timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" --io-size 64k \
				get "$U/d1/big" "$T/leg.back" 2>"$T/leg.err" &
		else
			watch=$B/d1/leg.put
			timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" --io-size 64k \
				put "$T/big" "$U/d1/leg.put" 2>"$T/leg.err" &
		fi
		pid=$!
		wait_grow "$watch" $((16 << 20)) $pid
		kill -0 $pid 2>/dev/null || { echo "  $what ended before the cut" >&2; return 1; }
		before=$(leg_conns)
		ss -K dst 127.0.0.1 dport = ":$leg_port" >/dev/null 2>&1
		# Without the kernel's sock_destroy ss -K does nothing: then
		# this cannot be tested here.
		if [ -n "$before" ] && [ "$(leg_conns | comm -12 - <(echo "$before"))" = "$before" ]; then
			wait $pid
			return 2
		fi
		echo "  cut the gateway's connection(s) to :$leg_port during the $what"
		cut_done=1
		wait $pid
		rc=$?
		[ $rc = 0 ] || { echo "  $what exited $rc: $(tail -1 "$T/leg.err")" >&2; return 1; }
		if [ "$what" = get ]; then
			same_sha "$T/big" "$T/leg.back"
		else
			same_sha "$T/big" "$B/d1/leg.put"
		fi
	}
	for what in get put; do
		leg_cut_during $what
		rc=$?
		if [ $rc = 0 ]; then
			check "$what completed across a cut backend connection; data verifies" true
		elif [ $rc = 2 ]; then
			echo "note: ss -K cannot abort sockets here (no sock_destroy); leg-cut $what not tested"
		elif [ "$kind" = proxy_v4 ]; then
			echo "known limit (PROXY_V4): $what across a cut backend connection: $(tail -1 "$T/leg.err")"
			limits=$((limits + 1))
			# PROXY_V4 answers NFS4ERR_INVAL from then on, for
			# good: restart it so the rest of the test runs.
			gw_stop "$kind"
			gw_gateway_start "$kind"
		else
			check "$what completed across a cut backend connection" false
		fi
	done
	rm -f "$B/d1/leg.put"
	if [ "$kind" = rdma_proxy ] && [ -n "${cut_done:-}" ]; then
		gr_stats_fresh "$GW_RP_STATS"
		echo "  gateway counters: $(grep -E 'reconnects|replays|new_sessions|payload_bytes_copied' "$GW_RP_STATS" | tr -s ' \n' ' ')"
		check "the gateway counted its reconnections ($(gw_rp_counter reconnects))" \
			test "$(gw_rp_counter reconnects)" -ge 1
	fi
fi

# --- remove
check "rm a file" cli rm "$U/d1/big"
check "the backend lost it" test ! -e "$B/d1/big"
check "stat of the removed file: not found (exit 6)" bash -c \
	"'$GW_NFS41' -q stat '$U/d1/big' 2>/dev/null; test \$? = 6"
check "rm the rest of d2 and d2" bash -c \
	"for f in \$('$GW_NFS41' -q ls '$U/d2'); do '$GW_NFS41' -q rm '$U/d2/'\$f || exit 1; done; '$GW_NFS41' -q rm '$U/d2'"
check "d2 is gone from the backend" test ! -e "$B/d2"

# --- the backend is killed and restarted in the middle of a put.  The
# put must complete with the right data, or fail cleanly (an exit code,
# no hang); either way the gateway must serve again afterwards.
rm -f "$B/d1/big.b"
timeout 300 "$GW_NFS41" -q --state-file "$T/nfs41-id" --io-size 64k \
	put "$T/big" "$U/d1/big.b" 2>"$T/put-b.err" &
pid=$!
wait_grow "$B/d1/big.b" $((16 << 20)) $pid
check "the upload was still running when the backend was killed" kill -0 $pid
gw_kill backend
sleep 1
gw_backend_start
wait $pid
rc=$?
if [ $rc = 0 ]; then
	check "put completed across the backend's restart; data verifies" \
		same_sha "$T/big" "$B/d1/big.b"
else
	[ $rc = 124 ] && gr_fail "put hung across the backend's restart (killed by timeout)"
	# RDMA_PROXY re-opens its state on the new backend instance and
	# asks the client to retry meanwhile: the put must go through.
	[ "$kind" = rdma_proxy ] &&
		gr_fail "put across the backend's restart failed (exit $rc): $(tail -1 "$T/put-b.err")"
	echo "note: put failed cleanly across the backend's restart (exit $rc): $(tail -1 "$T/put-b.err")"
fi
# The gateway gets up to 90 s to find its backend again (new session,
# state re-established), then must serve as before.  (PROXY_V4 gets 20 s:
# it is known not to recover at all, see below.)
served_again() {
	local i tries=45
	[ "$kind" = proxy_v4 ] && tries=10
	for i in $(seq 1 $tries); do
		cli put "$T/big" "$U/d1/big.after" 2>"$T/after.err" && return 0
		sleep 2
	done
	return 1
}
if served_again; then
	check "after the backend's restart the gateway serves a new put" true
	check "and a get; data verifies in both places" bash -c \
		"timeout 300 '$GW_NFS41' -q --state-file '$T/nfs41-id' get '$U/d1/big.after' '$T/big.after' &&
		 cmp -s '$T/big' '$T/big.after' && cmp -s '$T/big' '$B/d1/big.after'"
	check "rm through the gateway after the backend's restart" cli rm "$U/d1/big.after"
elif [ "$kind" = proxy_v4 ]; then
	# Known: FSAL_PROXY_V4 4.3 never gets its session back after a
	# backend restart (its renewer logs "Failed to renew session" for
	# ever, every operation answers NFS4ERR_INVAL).  RDMA_PROXY must.
	echo "known limit (PROXY_V4): no service after the backend restarted: $(tail -1 "$T/after.err")"
	limits=$((limits + 1))
else
	check "after the backend's restart the gateway serves a new put (last: $(tail -1 "$T/after.err"))" false
fi

# --- the backend is down when the gateway starts: the gateway must come
# up, and serve once the backend is back (RDMA_PROXY retries every
# Retry_Interval).
gw_stop "$kind"
gw_stop backend
GW_NFS41= GW_NOFAIL=1 gw_gateway_start "$kind"
up=$?
sleep 4
gw_backend_start
served_after_late_backend() {
	local i
	for i in $(seq 1 30); do
		cli get "$U/d1/attr.f" "$T/attr.back" 2>"$T/late.err" &&
			cmp -s "$T/attr.back" "$B/d1/attr.f" && return 0
		sleep 2
	done
	return 1
}
if [ $up = 0 ] && served_after_late_backend; then
	check "gateway started without its backend, serves once it is back" true
elif [ "$kind" = proxy_v4 ]; then
	echo "known limit (PROXY_V4): started without its backend, does not serve once it is back (listening: $([ $up = 0 ] && echo yes || echo no)): $(tail -1 "$T/late.err" 2>/dev/null)"
	limits=$((limits + 1))
else
	check "gateway started without its backend (listening: $up = 0), serves once it is back (last: $(tail -1 "$T/late.err" 2>/dev/null))" false
fi

# --- two exports, each its own backend session: /gw over the default
# transport and /gw2 (the backend's /export2) over TCP, used at once.
gw_stop "$kind"
GW_EXPORT2=tcp gw_gateway_start "$kind"
two_exports() {
	local p1 p2 rc=0
	head -c $((32 << 20)) /dev/urandom >"$T/two"
	cli --state-file "$T/id.e1" put "$T/two" "$U/d1/two" 2>"$T/e1.err" & p1=$!
	timeout 300 "$GW_NFS41" -q --state-file "$T/id.e2" put "$T/two" \
		"nfs://127.0.0.1:$port/gw2/two" 2>"$T/e2.err" & p2=$!
	wait $p1 || rc=1
	wait $p2 || rc=1
	[ $rc = 0 ] || { cat "$T/e1.err" "$T/e2.err" >&2; return 1; }
	same_sha "$T/two" "$B/d1/two" "$GW_BACKEND_EXPORT2/two" &&
		cli get "nfs://127.0.0.1:$port/gw2/two" "$T/two.back" &&
		same_sha "$T/two" "$T/two.back" &&
		cli rm "nfs://127.0.0.1:$port/gw2/two" && cli rm "$U/d1/two" &&
		test ! -e "$GW_BACKEND_EXPORT2/two"
}
check "two exports (/gw and /gw2 -> /export2 over TCP) used at once, data verifies" two_exports
if [ "$kind" = rdma_proxy ]; then
	gr_stats_fresh "$GW_RP_STATS"
	check "the gateway reports two exports, each with its backend up" \
		test "$(grep -c '^  backend = up' "$GW_RP_STATS")" = 2
fi

echo "$gr_passed passed, 0 failed, $limits known PROXY_V4 limits ($kind gateway)"

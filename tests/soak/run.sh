#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The soak harness (issue 12): sustained mixed load with faults injected
# on a seeded schedule, invariants checked after every fault and at the
# end, resources of every daemon sampled each second.
#
# On loopback: a backend ganesha.nfsd (FSAL_VFS on a small ext4, NFSv4
# over TCP and NFS over RDMA on libfabric's tcp provider) and a gateway
# ganesha.nfsd (FSAL_RDMA_PROXY, RDMA to the backend).  Workers
# (soak_worker, each with its own directory and a mirror as its model):
#   g*  the session client over TCP through the gateway
#   r*  the session client over RDMA (ofi) straight to the backend
#   n*  libnfs (NFSv4.0) through the gateway
# Faults, one at a time, drawn from the seed (printed with the command
# that repeats the run):
#   backend_kill     kill -9 of the backend, restarted on the same ports
#   gateway_restart  the gateway stopped (SIGTERM, or kill -9) and started
#                    again; clients keep the handles they hold
#   conn_cut         every established RDMA (ofi: TCP) connection to the
#                    backend killed under its session with `ss -K`
#   backend_stop     the backend SIGSTOPped past the calls' timeout, then
#                    SIGCONT
#   disk_full        the backend's file system filled to the last byte for a
#                    while, then freed
# After each fault: every worker must complete an operation within the
# resume bound (the time is recorded), then verify its whole tree against
# its model.  At the end: every worker verifies once more and stops; each
# backend directory is compared with its mirror byte for byte (diff -r)
# and by type, mode, size and link count; 10 s after the load stopped
# every daemon's descriptors, threads and RSS must be back near where its
# incarnation started, the backend must hold only the gateway's
# connection, no call and no more registered memory than it needs.
#
# Usage: run.sh [--short | --duration S | --each-kind] [--seed N] [--out DIR]
#          [--gw-clients N] [--rdma-clients N] [--libnfs-clients N]
#          [--kinds k1,k2,..] --preload SO --module SO --fsal SO
#          --nfs41 BIN --worker BIN --rdma-plugin SO
# --short: 120 s of faults (the CI form).  --each-kind: every fault kind
# once, in an order drawn from the seed, then the end checks (about a
# minute of faults: the Debian 13 stage's form, for CI time; also set by
# GR_SOAK_FORM=each-kind, which is how ctest's soak.short gets it there).
# Exit 0 when every invariant
# held, 1 with the broken one named, 77 when something needed is absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)

duration=120 seed=$(( $(date +%s) % 100000 )) out= kinds= each_kind=0
[ "${GR_SOAK_FORM:-}" != each-kind ] || each_kind=1
n_gw=2 n_rdma=2 n_lib=1 preload= module= fsal= nfs41= worker= plugin=
resume_bound=60 call_timeout=5
args=("$@")
seeded=0 repeat=
while [ $# -gt 0 ]; do
	case $1 in
	--short) duration=120 ;;
	--each-kind) each_kind=1 ;;
	--duration) duration=$2; shift ;;
	--seed) seed=$2; seeded=1; shift ;;
	--out) out=$2; shift ;;
	--gw-clients) n_gw=$2; shift ;;
	--rdma-clients) n_rdma=$2; shift ;;
	--libnfs-clients) n_lib=$2; shift ;;
	--kinds) kinds=$2; shift ;;
	--preload) preload=$2; shift ;;
	--module) module=$2; shift ;;
	--fsal) fsal=$2; shift ;;
	--nfs41) nfs41=$2; shift ;;
	--worker) worker=$2; shift ;;
	--rdma-plugin) plugin=$2; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

GW_ROOT=$(mktemp -d /tmp/gr-soak.XXXXXX)
GW_LEASE=10
GW_RP_CALL_TIMEOUT=$call_timeout
# Ganesha 4.3's chunked dirent cache was seen handing out one directory's
# entries round and round after connection cuts (READDIR never ends, over
# TCP as well): the backend lists directories uncached (docs/soak.md).
GW_BACKEND_EXTRA=${GW_BACKEND_EXTRA-'MDCACHE { Dir_Chunk = 0; }'}
. "$here/../lib/gateway.sh"
[ -n "$out" ] || out=$GW_ROOT/out
mkdir -p "$out"

abs() { [ -n "$1" ] && readlink -f "$1" || true; }
GW_PRELOAD=$(abs "$preload") GW_RDMA_MODULE=$(abs "$module")
GW_FSAL_MODULE=$(abs "$fsal") GW_NFS41=$(abs "$nfs41")
worker=$(abs "$worker") plugin=$(abs "$plugin")
for f in "$GW_PRELOAD" "$GW_RDMA_MODULE" "$GW_FSAL_MODULE" "$GW_NFS41" \
	"$worker" "$plugin"; do
	[ -n "$f" ] && [ -f "$f" ] ||
		gr_skip "not built: '$f' (Ganesha SDK missing?)"
done
gr_require_plain_module "$GW_FSAL_MODULE"
command -v ss >/dev/null || gr_skip "ss (iproute2) is not installed"

B=$GW_BACKEND_EXPORT
EPOCH=$GW_ROOT/epoch
declare -A WPID=() WSTATUS=()
names=()
sampler=
mounted=0
fs_kind=

cleanup() {
	local n
	for n in "${names[@]}"; do
		[ -n "${WPID[$n]:-}" ] &&
			{ kill -KILL "${WPID[$n]}"; wait "${WPID[$n]}"; } 2>/dev/null
	done
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null
	# a stopped backend cannot act on SIGTERM
	[ -n "$(gw_pid backend)" ] && kill -CONT "$(gw_pid backend)" 2>/dev/null
	gw_cleanup
	if [ "${SOAK_KEEP:-0}" = 1 ]; then
		echo "kept: $GW_ROOT"
	else
		[ "$mounted" = 1 ] && umount "$B" 2>/dev/null
		rm -rf "$GW_ROOT"
	fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
say() { echo "[$(date +%T)] $*"; }
fail() {
	local n p
	say "FAIL: $*"
	# SOAK_DEBUG=1: every thread's stack of each process, for the report
	if [ "${SOAK_DEBUG:-0}" = 1 ] && command -v gdb >/dev/null; then
		for p in "${WPID[@]}" "$(gw_pid backend)" "$(gw_pid rdma_proxy)"; do
			[ -n "$p" ] || continue
			gdb -p "$p" -batch -ex 'thread apply all bt' \
				>"$out/stacks-$p.txt" 2>&1
		done
		cp "$GW_BACKEND_STATS" "$GW_RP_STATS" "$out/" 2>/dev/null
		say "stacks in $out/stacks-*.txt"
	fi
	for n in "${names[@]}"; do
		if grep -q INVARIANT "$GW_ROOT/$n.log" 2>/dev/null; then
			echo "--- worker $n (tail)"; tail -20 "$GW_ROOT/$n.log"
		fi
	done
	echo "--- gateway log (tail)"; gw_log_tail rdma_proxy 15
	echo "--- backend log (tail)"; gw_log_tail backend 15
	echo "repeat: $repeat"
	# SOAK_HOLD=S: leave the daemons up S seconds for a look
	[ "${SOAK_HOLD:-0}" -gt 0 ] && say "holding $SOAK_HOLD s" && sleep "$SOAK_HOLD"
	exit 1
}

# The backend's export on a small file system of its own, so that
# disk_full fills only it: a 256 MiB ext4 on a loop device (autocleared at
# umount), which every FSAL_VFS exports - Ganesha 6.5's refuses a tmpfs
# ("Lookup failed on path").  Where loop devices are missing, a tmpfs on
# Ganesha 4.3; otherwise the fault is left out, and said so.
mkdir -p "$B"
fs_img=$GW_ROOT/backend-fs.img
if truncate -s 256M "$fs_img" 2>/dev/null &&
	mkfs.ext4 -q -F -m 0 -E root_owner=0:0 "$fs_img" >/dev/null 2>&1 &&
	mount -o loop "$fs_img" "$B" 2>/dev/null; then
	mounted=1
	fs_kind=ext4
	rmdir "$B/lost+found" 2>/dev/null
	chmod 0755 "$B"
elif [ "$(gr_ganesha_major)" -lt 6 ] &&
	mount -t tmpfs -o size=256m,mode=0755 soak "$B" 2>/dev/null; then
	mounted=1
	fs_kind=tmpfs
else
	say "note: cannot mount a file system of its own here: disk_full is left out"
fi
rm -f "$fs_img" # the loop device keeps it open; freed at umount
all_kinds="backend_kill gateway_restart conn_cut backend_stop disk_full"
[ -n "$kinds" ] && all_kinds=${kinds//,/ }
[ "$mounted" = 1 ] || all_kinds=${all_kinds//disk_full/}
read -r -a kind_list <<<"$all_kinds"
[ ${#kind_list[@]} -gt 0 ] || gr_fail "no fault kind left to inject"

gw_backend_start
gw_gateway_start rdma_proxy
gport=$GW_PORT_rdma_proxy
say "backend TCP $GW_BACKEND_PORT RDMA $GW_BACKEND_RPORT, gateway TCP $gport"
if [ "$each_kind" = 1 ]; then
	say "seed $seed, each fault kind once, kinds: ${kind_list[*]}"
else
	say "seed $seed, $duration s of faults, kinds: ${kind_list[*]}"
fi
repeat="$0 ${args[*]}"
[ "$seeded" = 1 ] || repeat="$repeat --seed $seed"
[ "$each_kind" = 0 ] || [[ " ${args[*]} " == *" --each-kind "* ]] ||
	repeat="$repeat --each-kind"
say "repeat with: $repeat"
RANDOM=$seed

# --- epoch file: "epoch active kind end_ms", read by every worker
# and a fifth field, "kind:end_ms,...": every kind's last end ("active"
# while it runs), so a worker judges an error against every fault that
# may still be settling, not only the last one
epoch=0 last_end=0 cur_kind=none
declare -A kind_end=()
set_epoch() { # ACTIVE KIND
	local k ends=
	epoch=$((epoch + 1))
	if [ "$2" != none ]; then
		if [ "$1" = 1 ]; then kind_end[$2]=active; else kind_end[$2]=$last_end; fi
	fi
	for k in "${!kind_end[@]}"; do ends="$ends${ends:+,}$k:${kind_end[$k]}"; done
	echo "$epoch $1 $2 $last_end ${ends:-none:0}" >"$EPOCH.tmp" && mv "$EPOCH.tmp" "$EPOCH"
}
set_epoch 0 none
# --- control file: "verify_gen stop", read by every worker at each step
CTL=$GW_ROOT/control
verify_gen=0
set_control() { # STOP
	echo "$verify_gen $1" >"$CTL.tmp" && mv "$CTL.tmp" "$CTL"
}
set_control 0

# --- workers
start_worker() { # NAME CLIENT URL
	local n=$1
	names+=("$n")
	WSTATUS[$n]=$GW_ROOT/$n.status
	NFS41_RDMA_PLUGIN=$plugin "$worker" --client "$2" --url "$3" \
		--root "$n" --mirror "$GW_ROOT/mirror/$n" \
		--seed "$((seed * 131 + ${#names[@]}))" \
		--status "${WSTATUS[$n]}" --epoch "$EPOCH" --control "$CTL" \
		--timeout-ms $((call_timeout * 1000)) \
		--resume-s "$resume_bound" >"$GW_ROOT/$n.log" 2>&1 &
	WPID[$n]=$!
}
mkdir -p "$GW_ROOT/mirror"
for i in $(seq 0 $((n_gw - 1))); do
	start_worker "g$i" sess-tcp "nfs://127.0.0.1:$gport/gw"
done
for i in $(seq 0 $((n_rdma - 1))); do
	start_worker "r$i" sess-rdma "nfs://127.0.0.1:$GW_BACKEND_RPORT/export"
done
for i in $(seq 0 $((n_lib - 1))); do
	start_worker "n$i" libnfs "nfs://127.0.0.1:$gport/gw"
done

wstat() { # NAME FIELD(1 last_ok_ms, 2 ops, 3 bytes_verified, 4 verifies)
	awk -v f="$2" '{ print $f; exit }' "${WSTATUS[$1]}" 2>/dev/null
}
alive() {
	local n
	for n in "${names[@]}"; do
		kill -0 "${WPID[$n]}" 2>/dev/null || {
			wait "${WPID[$n]}"
			fail "worker $n exited ($?) under load: $(grep -m1 INVARIANT "$GW_ROOT/$n.log" || tail -3 "$GW_ROOT/$n.log")"
		}
	done
}
# every worker made progress past T (ms)?
all_past() { # T
	local n v
	for n in "${names[@]}"; do
		v=$(wstat "$n" 1)
		[ -n "$v" ] && [ "$v" -gt "$1" ] || return 1
	done
}
wait_started() {
	local n
	for _ in $(seq 1 300); do
		alive
		all_past 0 && for n in "${names[@]}"; do
			[ "$(wstat "$n" 2)" -gt 5 ] 2>/dev/null || continue 2
		done && return 0
		sleep 0.2
	done
	fail "workers did not start within 60 s"
}
wait_started
say "workers: ${names[*]} running"

# --- resources, every second: t,name,pid,rss_kib,fds,threads,conns,calls,reg
counter_b() { awk -v k="$1" '$1 == k { print $2; exit }' "$GW_BACKEND_STATS" 2>/dev/null; }
sample_one() { # NAME PID CONNS CALLS REG
	local p=$2 rss thr fds
	[ -n "$p" ] && [ -d "/proc/$p" ] || return 0
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	thr=$(awk '/^Threads:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
	# sockets, eventfds, epoll and pipes: what connections hold (FSAL_VFS
	# keeps files open in its own descriptor cache, which is no leak)
	nfd=$(find "/proc/$p/fd" -mindepth 1 -lname 'socket:*' -o -lname 'anon_inode:*' -o -lname 'pipe:*' 2>/dev/null | wc -l)
	# threads not named svc_N (ntirpc's work pool names them so only in
	# Ganesha's log: with 4.3 and 6.5 every thread's comm is ganesha.nfsd,
	# so this counts them all; the pool is waited for instead, below)
	othr=$(cat /proc/"$p"/task/*/comm 2>/dev/null | grep -cv '^svc_')
	echo "$(now_ms),$1,$p,${rss:-0},$fds,${thr:-0},$3,$4,$5,$nfd,$othr"
}
sample_all() {
	local n
	sample_one backend "$(awk '$1 == "backend" { print $2 }' "$PIDS" 2>/dev/null)" \
		"$(counter_b connections)" "$(counter_b calls_live)" \
		"$(counter_b registered_bytes)"
	sample_one gateway "$(awk '$1 == "gateway" { print $2 }' "$PIDS" 2>/dev/null)" \
		"$(gw_rp_counter connections_bound)" "" \
		"$(gw_rp_counter registered_bytes)"
	for n in "${names[@]}"; do
		sample_one "$n" "${WPID[$n]}" "" "" ""
	done
}
# The daemons' pids, rewritten after every start (the sampler runs in a
# subshell of its own, and a pid file of a killed daemon may linger).
PIDS=$GW_ROOT/pids
note_pids() {
	printf 'backend %s\ngateway %s\n' "$(gw_pid backend)" \
		"$(gw_pid rdma_proxy)" >"$PIDS.tmp" && mv "$PIDS.tmp" "$PIDS"
}
note_pids
RES=$out/resources.csv
echo "t_ms,name,pid,rss_kib,fds,threads,connections,calls_live,registered_bytes,net_fds,threads_not_svc" >"$RES"
( while :; do sample_all >>"$RES"; sleep 1; done ) &
sampler=$!

# --- faults
FAULTS=$out/faults.csv
echo "n,kind,how,start_ms,end_ms,resume_ms,verified" >"$FAULTS"
bpid() { gw_pid backend; }

fault_backend_kill() {
	gw_kill backend
	sleep 1
	gw_backend_start || return 1
	how="kill -9, restarted"
}
fault_gateway_restart() {
	if [ $((RANDOM % 2)) = 0 ]; then
		gw_stop rdma_proxy; how="SIGTERM, started"
	else
		gw_kill rdma_proxy; how="kill -9, started"
	fi
	gw_gateway_start rdma_proxy || return 1
}
fault_conn_cut() {
	local n
	n=$(ss -Htn state established "( dport = :$GW_BACKEND_RPORT )" | wc -l)
	ss -K -Htn state established \
		"( dport = :$GW_BACKEND_RPORT or sport = :$GW_BACKEND_RPORT )" >/dev/null
	how="ss -K of $n connections"
	[ "$n" -gt 0 ] || how="ss -K: no connection was up"
}
fault_backend_stop() {
	local s=$((call_timeout + 3))
	kill -STOP "$(bpid)"
	sleep "$s"
	kill -CONT "$(bpid)"
	how="SIGSTOP ${s} s (call timeout ${call_timeout} s), SIGCONT"
}
fault_disk_full() {
	local avail
	avail=$(df -B1 --output=avail "$B" | tail -1)
	fallocate -l "$avail" "$B/.ballast" 2>/dev/null
	# what fallocate left (metadata rounding) goes too
	dd if=/dev/zero of="$B/.ballast2" bs=4k 2>/dev/null
	sleep 5
	rm -f "$B/.ballast" "$B/.ballast2"
	how="$fs_kind full for 5 s ($((avail >> 20)) MiB ballast)"
}

run_fault() { # N KIND
	local n=$1 kind=$2 start end t resumed n2 waited
	local -A v0=()
	how=
	start=$(now_ms)
	cur_kind=$kind
	set_epoch 1 "$kind"
	"fault_$kind" || fail "fault $n ($kind): could not restore the service"
	note_pids
	end=$(now_ms)
	last_end=$end
	set_epoch 0 "$kind"
	# service resumes: every worker completes an operation after $end
	resumed=
	while :; do
		alive
		t=$(now_ms)
		if all_past "$end"; then resumed=$((t - end)); break; fi
		[ $((t - end)) -gt $((resume_bound * 1000)) ] &&
			fail "fault $n ($kind): service did not resume within ${resume_bound} s"
		sleep 0.1
	done
	# invariants: every worker verifies its whole tree against its model
	for n2 in "${names[@]}"; do
		v0[$n2]=$(wstat "$n2" 4)
	done
	verify_gen=$((verify_gen + 1))
	set_control 0
	waited=0
	for n2 in "${names[@]}"; do
		while [ "$(wstat "$n2" 4)" -le "${v0[$n2]}" ] 2>/dev/null; do
			alive
			sleep 0.2
			waited=$((waited + 1))
			[ $waited -lt $((resume_bound * 5 * 3)) ] ||
				fail "fault $n ($kind): $n2 did not verify its tree"
		done
	done
	echo "$n,$kind,${how//,/;},$start,$end,$resumed,yes" >>"$FAULTS"
	say "fault $n: $kind ($how): out $((end - start)) ms, resumed ${resumed} ms, trees verified"
}

t0=$(date +%s)
nf=0
if [ "$each_kind" = 1 ]; then
	# A seeded shuffle (Fisher-Yates), so every kind runs exactly once and
	# the seed repeats the order.
	order=("${kind_list[@]}")
	for ((i = ${#order[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		k=${order[$i]} order[$i]=${order[$j]} order[$j]=$k
	done
	for k in "${order[@]}"; do
		sleep $((3 + RANDOM % 3))
		alive
		nf=$((nf + 1))
		run_fault "$nf" "$k"
	done
	duration=$(($(date +%s) - t0))
else
	while [ $(( $(date +%s) - t0 )) -lt "$duration" ]; do
		sleep $((3 + RANDOM % 5))
		alive
		nf=$((nf + 1))
		run_fault "$nf" "${kind_list[$((RANDOM % ${#kind_list[@]}))]}"
	done
fi
say "fault phase over: $nf faults in $(( $(date +%s) - t0 )) s"

# --- end: stop the load, final verification, summaries
sleep 3
stop_ms=$(now_ms)
set_control 1
rc_all=0
for n in "${names[@]}"; do
	wait "${WPID[$n]}"; rc=$?
	WPID[$n]=
	[ $rc = 0 ] || { rc_all=1; say "worker $n ended with $rc"; }
done
[ $rc_all = 0 ] || fail "a worker found a broken invariant at the end"
cat "$GW_ROOT"/[gnr]*.log | grep '^soak_worker' >"$out/workers.txt"
sed 's/^/  /' "$out/workers.txt"

# the backend's own directory against each model, byte for byte
# (a directory's size and link count are the file system's own business)
tree_list() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf '%P d %m\n' \) \
		-o -printf '%P %y %m %s %n\n' | sort)
}
for n in "${names[@]}"; do
	diff -r "$GW_ROOT/mirror/$n" "$B/$n" >"$out/diff-$n.txt" 2>&1 ||
		fail "backend directory $n differs from its model: $(head -3 "$out/diff-$n.txt")"
	diff <(tree_list "$GW_ROOT/mirror/$n") <(tree_list "$B/$n") >"$out/attrs-$n.txt" ||
		fail "backend directory $n: type/mode/size/links differ from the model: $(head -4 "$out/attrs-$n.txt")"
done
say "ok: every backend directory equals its model (content, type, mode, size, links)"

# --- figures
awk -F, -v dur="$duration" '
	FNR == 1 { next }
	{ n[$2]++; r[$2] = r[$2] " " $6; if ($6 > w[$2]) w[$2] = $6 }
	END {
		for (k in n) {
			m = split(substr(r[k], 2), a, " ")
			# median by insertion sort (a handful of values)
			for (i = 2; i <= m; i++) { v = a[i]; j = i - 1
				while (j > 0 && a[j] + 0 > v + 0) { a[j + 1] = a[j]; j-- }
				a[j + 1] = v }
			med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			printf "fault %-16s injected %3d survived %3d resume median %6d ms worst %6d ms\n",
				k, n[k], n[k], med, w[k]
		}
	}' "$FAULTS" | sort | tee "$out/faults.txt"
awk '/ops [0-9]+ bytes_written/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "ops") o += $(i + 1)
			if ($i == "bytes_verified") v += $(i + 1)
			if ($i == "bytes_written") w += $(i + 1)
		}
	}
	END { printf "load: %d operations, %.1f MiB written, %.1f MiB verified\n", o, w / 1048576, v / 1048576 }' \
	"$out/workers.txt" | tee "$out/load.txt"
total_s=$(( $(date +%s) - t0 ))
# --- resources: 10 s after the load stopped, then every 2 s while a bound
# is not met, for up to 40 s more: what a daemon holds at rest moves for a
# while after the last fault, while a leak stays.  ntirpc's work pool
# starts threads on demand (a stopped or full backend holds calls, and pool
# threads with them) and retires them once idle: the gateway's threads
# were anywhere from 24 to 35 within one incarnation, and in the deb13
# stage 27 -> 32 ten seconds after the load (bound +4), back to 20 some
# 20 s later (stacks: start_thread -> libntirpc -> pthread_cond_timedwait).
sleep 10
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; sampler=
for idle_try in $(seq 1 21); do
	sample_all | grep -E '^[0-9]+,(backend|gateway),' >"$out/idle.csv"
	# each daemon's first sample of the incarnation that is still running
	# against its idle sample; and the backend's gauges at rest
	# (the reference is taken 10 s into the incarnation, once it serves)
	leak=$(awk -F, -v stop="$stop_ms" '
		NR == FNR { idle[$2] = $0; ipid[$2] = $3; next }
		FNR > 1 && ($2 in ipid) && $3 == ipid[$2] && !($2 in seen) { seen[$2] = $1 }
		FNR > 1 && ($2 in seen) && $3 == ipid[$2] && !($2 in first) && $1 >= seen[$2] + 10000 && $1 < stop { first[$2] = $0 }
		END {
			for (d in idle) {
				if (!(d in first)) {
					printf "%s pid %s: too young at the end for a reference\n", d, ipid[d] > "/dev/stderr"
					continue
				}
				split(idle[d], i, ","); split(first[d], f, ",")
				printf "%s pid %s: fds %d->%d (sockets/eventfds/pipes %d->%d) threads %d->%d (not ntirpc svc_ %d->%d) rss_kib %d->%d\n",
					d, i[3], f[5], i[5], f[10], i[10], f[6], i[6], f[11], i[11], f[4], i[4] > "/dev/stderr"
				if (i[10] > f[10] + 4) print d ": sockets/eventfds/pipes " f[10] " -> " i[10]
				if (i[11] > f[11] + 4) print d ": threads (other than ntirpc svc_) " f[11] " -> " i[11]
				if (i[4] > 2 * f[4] + 131072) print d ": RSS " f[4] " -> " i[4] " KiB"
			}
		}' "$out/idle.csv" "$RES" 2>"$out/leaks.txt")
	[ -z "$leak" ] && break
	[ "$idle_try" = 21 ] || sleep 2
done
[ "$idle_try" = 1 ] || say "resources at rest sampled $idle_try times (2 s apart)"
cat "$out/idle.csv" >>"$RES"
sed 's/^/  /' "$out/leaks.txt"
[ -z "$leak" ] || fail "resources did not come back after the load: $leak"
b_idle=$(grep ',backend,' "$out/idle.csv" | tail -1)
IFS=, read -r _ _ _ _ _ _ bconn bcalls breg _ <<<"$b_idle"
[ "${bcalls:-1}" = 0 ] || fail "backend: $bcalls calls live with no load"
[ "${bconn:-9}" -le 1 ] || fail "backend: $bconn connections with only the gateway connected"
say "ok: at rest the backend holds $bconn connection(s), 0 calls, $breg registered bytes"

echo "clients: ${#names[@]} (${n_gw} session/TCP via gateway, ${n_rdma} session/RDMA direct, ${n_lib} libnfs via gateway), fault phase ${duration} s, total ${total_s} s, seed $seed"
echo "lost: 0 acknowledged writes, 0 corrupted bytes, 0 operations run twice without a restart (every check passed)"
echo "PASS: soak seed $seed"

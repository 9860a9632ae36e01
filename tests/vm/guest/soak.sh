#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The soak harness's pass in the vm tier (issue 12, called from
# guest-tests.list): the Linux kernel client, hard mount over RDMA
# (NFSv4.1, proto=rdma) of Debian's ganesha.nfsd with this project's
# transport (Fabric = verbs) on one soft-RDMA device, under a seeded fault
# schedule.  A workload process creates, writes, appends, renames (within
# and across directories), links, removes and makes/removes directories,
# and applies what succeeded to a local mirror (the model); it reads back a
# random file against the mirror now and then.  Faults, one at a time,
# drawn from the seed:
#   kill    ganesha.nfsd kill -9, started again on the same port (with a
#           15 s grace period, so the client reclaims its opens)
#   stop    ganesha.nfsd SIGSTOPped 8 s, then SIGCONT
#   link    the device's network interface down 3 s, then up (siw only by
#           default: on rxe with Debian 12's kernel 6.1 a connection
#           attempted while the link is down wedges the device's connection
#           manager for good - the kernel's own NFS server never sees the
#           client again either; docs/soak.md, "The VM tier")
# A hard mount sees no error: calls wait and are sent again.  The only
# answers accepted besides success are the reply-lost ones (a rename,
# remove, link or mkdir answering ENOENT/EEXIST after a server restart,
# when the server shows its effect exactly once).  After each fault every
# operation must resume within 120 s (the time is printed); at the end the
# export directory is compared with the mirror (diff -r).
# Usage: soak.sh <ibdev> <ip> <build dir> <out dir> [seconds of faults] [seed]
#        [kinds, comma-separated: kill,stop,link]
# Resume times go to <out>/soak-resume-<ibdev>.txt ("kind ms" a line) and
# a summary line per kind (count, median, worst) is printed.
# Exit 0 when every check held, 1 otherwise; one "ok:"/"FAIL:" line each.
set -u
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4 DUR=${5:-60} SEED=${6:-$(( $(date +%s) % 10000 ))}
case $IBDEV in
rxe*) KINDS=${7:-kill,stop} ;;
*) KINDS=${7:-kill,stop,link} ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"
work=/var/tmp/soak-$IBDEV
M=$work/mirror G=/mnt/g
passed=0 failed=0

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
ulimit -l unlimited

rm -rf "$work"; mkdir -p "$work" "$M" "$G"
: >"$OUT/soak-resume-$IBDEV.txt"
trap 'cp -f "$work/ganesha.log" "$OUT/ganesha-soak-$IBDEV.log" 2>/dev/null; cp -f "$work/ops.log" "$OUT/soak-ops-$IBDEV.log" 2>/dev/null' EXIT
# A server that restarts must let the client reclaim what it held open:
# a grace period (short, so that a restart costs seconds) and the client
# records kept in RecoveryRoot across restarts.
export GANESHA_GRACELESS=false
export GANESHA_NFSV4_EXTRA="Lease_Lifetime = 10; Grace_Period = 15;"
ganesha_start "$work" "$IP" "$BUILD" ||
	{ echo "FAIL: Ganesha's RDMA listener did not start"; exit 1; }
echo "seed $SEED, $DUR s of faults ($KINDS) on $IBDEV"
mount -t nfs -o vers=4.1,proto=rdma,port=20049,hard,timeo=50,retrans=2 \
	"$IP:/export" "$G" || { echo "FAIL: mount of our Ganesha over RDMA"; exit 1; }
ok "kernel client: hard mount over RDMA ($IBDEV)"
netdev=$(ip -o addr show | awk -v ip="$IP" '$4 ~ "^"ip"/" { print $2; exit }')

# --- the workload: one process, its last completed operation in $work/last
workload() {
	local i=0 n op f t d rc
	RANDOM=$SEED
	for d in 0 1 2; do mkdir -p "$G/d$d" "$M/d$d"; done
	files=()
	while [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		n=${#files[@]}
		op=$((RANDOM % 8))
		[ "$n" -lt 3 ] && op=0
		case $op in
		0) # create with content
			f=d$((RANDOM % 3))/f$i
			head -c $((RANDOM * 4 % 200000 + 1)) /dev/urandom >"$work/tmp"
			cp "$work/tmp" "$G/$f" || { echo "create $f: $?"; return 1; }
			cp "$work/tmp" "$M/$f"; files+=("$f") ;;
		1 | 2) # append
			f=${files[$((RANDOM % n))]}
			head -c $((RANDOM % 20000 + 1)) /dev/urandom >"$work/tmp"
			cat "$work/tmp" >>"$G/$f" || { echo "append $f: $?"; return 1; }
			cat "$work/tmp" >>"$M/$f" ;;
		3) # rename, within or across directories
			f=${files[$((RANDOM % n))]}
			t=d$((RANDOM % 3))/r$i
			if ! mv "$G/$f" "$G/$t" 2>"$work/err"; then
				# a reply lost with a restart: it ran once?
				if [ ! -e "$G/$f" ] && [ -e "$G/$t" ]; then
					echo "$(date +%s) rename $f ran once, reply lost" >>"$work/ops.log"
				else
					echo "rename $f $t: $(cat "$work/err")"; return 1
				fi
			fi
			mv "$M/$f" "$M/$t"
			n=(); for d in "${files[@]}"; do
				if [ "$d" = "$f" ]; then n+=("$t"); else n+=("$d"); fi
			done
			files=("${n[@]}") ;;
		4) # remove
			[ "$n" -lt 6 ] && continue
			f=${files[$((RANDOM % n))]}
			if ! rm "$G/$f" 2>"$work/err"; then
				[ ! -e "$G/$f" ] || { echo "rm $f: $(cat "$work/err")"; return 1; }
				echo "$(date +%s) rm $f ran once, reply lost" >>"$work/ops.log"
			fi
			rm "$M/$f"
			t=(); for d in "${files[@]}"; do [ "$d" != "$f" ] && t+=("$d"); done
			files=("${t[@]}") ;;
		5) # hard link
			f=${files[$((RANDOM % n))]}
			t=d$((RANDOM % 3))/l$i
			if ! ln "$G/$f" "$G/$t" 2>"$work/err"; then
				[ -e "$G/$t" ] || { echo "ln $f $t: $(cat "$work/err")"; return 1; }
				echo "$(date +%s) ln $t ran once, reply lost" >>"$work/ops.log"
			fi
			ln "$M/$f" "$M/$t"; files+=("$t") ;;
		6) # mkdir and rmdir
			if ! mkdir "$G/x$i" 2>"$work/err"; then
				[ -d "$G/x$i" ] || { echo "mkdir x$i: $(cat "$work/err")"; return 1; }
			fi
			if ! rmdir "$G/x$i" 2>"$work/err"; then
				[ ! -e "$G/x$i" ] || { echo "rmdir x$i: $(cat "$work/err")"; return 1; }
			fi ;;
		7) # read back against the model
			f=${files[$((RANDOM % n))]}
			cmp -s "$G/$f" "$M/$f" || { echo "read $f differs from the model"; return 1; }
			echo "$f" >>"$work/verified" ;;
		esac
		# Renamed into place: the fault loop never reads a half-written file.
		date +%s%3N >"$work/last.new" && mv -f "$work/last.new" "$work/last"
	done
	echo "$i operations"
}
workload >"$work/workload.out" 2>&1 &
wpid=$!
for _ in $(seq 1 100); do [ -s "$work/last" ] && break; sleep 0.2; done

now_ms() { date +%s%3N; }
resume_wait() { # END_MS: wait for an operation completed after it
	local t
	while :; do
		t=$(cat "$work/last" 2>/dev/null)
		[ "${t:-0}" -gt "$1" ] && { echo $(( $(now_ms) - $1 )); return 0; }
		kill -0 $wpid 2>/dev/null || return 1
		[ $(( $(now_ms) - $1 )) -lt 120000 ] || return 1
		sleep 0.1
	done
}

RANDOM=$SEED
t0=$(date +%s) nf=0
while [ $(( $(date +%s) - t0 )) -lt "$DUR" ]; do
	sleep $((4 + RANDOM % 4))
	nf=$((nf + 1))
	kinds=()
	for k in ${KINDS//,/ }; do
		[ "$k" = link ] && [ -z "$netdev" ] && continue
		kinds+=("$k")
	done
	kind=${kinds[$((RANDOM % ${#kinds[@]}))]}
	start=$(now_ms)
	case $kind in
	kill)
		kill -KILL "$GANESHA_PID"; wait "$GANESHA_PID" 2>/dev/null
		GANESHA_PID=
		sleep 1
		ganesha_start "$work" "$IP" "$BUILD" ||
			{ bad "fault $nf: Ganesha did not start again"; break; } ;;
	stop)
		kill -STOP "$GANESHA_PID"; sleep 8; kill -CONT "$GANESHA_PID" ;;
	link)
		ip link set dev "$netdev" down; sleep 3; ip link set dev "$netdev" up ;;
	esac
	end=$(now_ms)
	if r=$(resume_wait "$end"); then
		ok "fault $nf: $kind (out $((end - start)) ms), an operation completed $r ms after"
		echo "$kind $r" >>"$OUT/soak-resume-$IBDEV.txt"
	else
		bad "fault $nf: $kind: no operation completed within 120 s after it ($(tail -2 "$work/workload.out"))"
		break
	fi
done
touch "$work/stop"
# Resume times by kind: count, median, worst (ms).
for k in ${KINDS//,/ }; do
	awk -v k="$k" '$1 == k { print $2 }' "$OUT/soak-resume-$IBDEV.txt" 2>/dev/null |
		sort -n | awk -v k="$k" -v dev="$IBDEV" '{ v[NR] = $1 }
		END { if (NR) printf "resume %s on %s: %d faults, median %d ms, worst %d ms\n", k, dev, NR, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
done
if wait $wpid; then
	ok "workload: $(tail -1 "$work/workload.out"), $(wc -l 2>/dev/null <"$work/verified" || echo 0) reads checked against the model, $(wc -l 2>/dev/null <"$work/ops.log" || echo 0) replies lost with a restart"
else
	bad "workload: $(tail -3 "$work/workload.out")"
fi
sync
if diff -r "$M" "$work/export" >"$work/diff" 2>&1; then
	ok "the export directory equals the model ($(du -sm "$M" | cut -f1) MiB)"
else
	bad "the export directory differs from the model: $(head -3 "$work/diff")"
fi
umount -f "$G" 2>/dev/null || umount -l "$G"
ganesha_stop
echo "soak: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Benchmark (not a test; run by bench/gateway_vs_proxy_v4_vm.sh): the two
# gateways side by side in front of ONE Linux kernel NFS server, in the vm
# tier's guest, on one soft-RDMA device:
#
#   nfs41 --NFSv4.1/TCP:2051--> ganesha.nfsd + Debian's FSAL_PROXY_V4
#                               --NFSv4.1/TCP:2049--> knfsd
#   nfs41 --NFSv4.1/TCP:2050--> ganesha.nfsd + FSAL_RDMA_PROXY
#                               --RPC-over-RDMA (verbs, <ibdev>):20049--> knfsd
#
# knfsd exports a tmpfs (so neither gateway waits on the emulated disk) with
# 1 MiB max_block_size (its default for a 3 GB guest is 512 KiB, which would
# split every 1 MiB I/O in two on both legs).  Each gateway works in its own
# directory of that export.  `nfs41 bench` drives both with the same cells
# as the host benchmark (bench/gateway_vs_proxy_v4.sh): 1 MiB sequential
# read and write, and the small-file cycle (create + close + getattr +
# remove), at each stream count.  Rounds are interleaved (every cell on both
# gateways before the next round, the gateway that goes first alternating)
# and the table shows medians.  Per run: the gateway process's user+system
# CPU, the whole VM's busy CPU (which includes the kernel's soft-RDMA and
# nfsd work that no process is charged for, and the client), the context
# switches of the gateway's threads, and RDMA_PROXY's stats file (payload bytes copied in userspace, registered
# memory per backend connection).
#
# Data: before and after the rounds, an 8 MiB random file is put through
# each gateway, compared with what landed in the kernel server's export,
# read back and compared again.  Exit 1 (with the reason) when a gateway
# does not start or dies, a data check fails, or any run fails; figures are
# never judged.
#
# With PROFILE=1 (9th argument) a last pass runs read and write at 4
# streams and the small-file cycle at 1 stream on each gateway under
# `perf record -a` and prints where the VM's CPU went (by command and DSO,
# and the top symbols).
#
# Usage: gateway_bench.sh <ibdev> <ip> <build dir> <out dir>
#            [rounds=3] [seconds=3] [file size=32M] [streams=1,4,16] [profile=1]
#            [modes=read,write,meta]
# Output in <out dir>/gwbench-<ibdev>/: raw.csv, summary.csv, table.txt,
# profile.txt, the daemons' logs.
set -euo pipefail
IBDEV=$1 IP=$2 BUILD=$3 OUT=$4
ROUNDS=${5:-3} DURATION=${6:-3} FILE_SIZE=${7:-32M} STREAMS=${8:-1,4,16}
PROFILE=${9:-1} MODES=${10:-read,write,meta}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/nfs_common.sh"

FSAL=$BUILD/src/FSAL_RDMA_PROXY/libfsalrdma_proxy.so
NFS41=$BUILD/src/cli/nfs41
DEBIAN_FSALS=/usr/lib/x86_64-linux-gnu/ganesha
RES=$OUT/gwbench-$IBDEV
work=/var/tmp/gwbench-$IBDEV
kexp=$work/kexport
KINDS=(proxy_v4 rdma_proxy)
declare -A PORT=([rdma_proxy]=2050 [proxy_v4]=2051) PID=()

die() {
	echo "FAIL: $*" >&2
	exit 1
}
[ -x "$NFS41" ] || die "not built: $NFS41"
[ -f "$FSAL" ] || die "not built: $FSAL"
[ -f "$DEBIAN_FSALS/libfsalproxy_v4.so" ] ||
	die "Debian's FSAL_PROXY_V4 ($DEBIAN_FSALS/libfsalproxy_v4.so) is not in the image: rebuild it (tests/vm/build-image.sh installs nfs-ganesha-proxy-v4)"
ulimit -l unlimited

# ---------------------------------------------------------------- daemons
log_tail() { # kind
	grep -avE 'DBUS|dbus|krb5|keytab|nfs_Start_threads' "$work/$1/ganesha.log" 2>/dev/null |
		tail -25 || true
}

fsal_block() { # kind
	case $1 in
	proxy_v4) cat <<CONF
	FSAL {
		Name = PROXY_V4;
		Srv_Addr = $IP; NFS_Port = 2049;
		Use_Privileged_Client_Port = false;
		RPC_Client_Timeout = 60; Retry_SleepTime = 2;
	}
CONF
		;;
	rdma_proxy) cat <<CONF
	FSAL {
		Name = RDMA_PROXY;
		Backend_Addr = $IP; Backend_Port = 20049;
		Backend_Path = "$kexp";
		Transport = rdma; Fabric = verbs;
		Max_Read_Size = 1048576; Max_Write_Size = 1048576;
	}
CONF
		;;
	esac
}

gateway_start() { # kind
	local k=$1 d=$work/$1 path=/gw i
	mkdir -p "$d/plugins" "$d/recovery" "$d/state"
	ln -sf "$DEBIAN_FSALS"/libfsal*.so "$d/plugins/"
	[ "$k" = rdma_proxy ] && ln -sf "$FSAL" "$d/plugins/"
	# PROXY_V4 looks the EXPORT's Path up on the backend.
	[ "$k" = proxy_v4 ] && path=$kexp
	{
		cat <<CONF
NFS_CORE_PARAM {
	NFS_Port = ${PORT[$k]}; Protocols = 4; Enable_NLM = false;
	Enable_RQUOTA = false; Enable_UDP = false;
	Plugins_Dir = "$d/plugins";
}
NFS_KRB5 { Active_krb5 = false; }
NFSv4 { RecoveryBackend = fs; RecoveryRoot = "$d/recovery"; Graceless = true; }
CONF
		[ "$k" = rdma_proxy ] &&
			echo "RDMA_PROXY { State_Dir = \"$d/state\"; Stats_File = \"$d/rp-stats\"; Stats_Interval = 1; }"
		cat <<CONF
EXPORT {
	Export_Id = 1; Path = "$path"; Pseudo = /gw;
	Access_Type = RW; Squash = No_Root_Squash; Protocols = 4;
	Transports = TCP; SecType = sys;
$(fsal_block "$k")
}
CONF
	} >"$d/ganesha.conf"
	: >"$d/ganesha.log"
	ganesha.nfsd -F -f "$d/ganesha.conf" -L "$d/ganesha.log" \
		-p "$d/ganesha.pid" -N NIV_EVENT >"$d/ganesha.out" 2>&1 &
	PID[$k]=$!
	# Ready when the export's root answers through the gateway (for
	# RDMA_PROXY that needs its backend session over RDMA).
	for i in $(seq 1 90); do
		if grep -q 'NFS SERVER INITIALIZED' "$d/ganesha.log" &&
			"$NFS41" -q stat "nfs://$IP:${PORT[$k]}/gw" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "${PID[$k]}" 2>/dev/null || break
		sleep 1
	done
	echo "--- $k gateway: ganesha.log (tail)" >&2
	log_tail "$k" >&2
	tail -5 "$d/ganesha.out" >&2 || true
	die "the $k gateway did not come up (waited ${i}s)"
}

cleanup() {
	local k
	set +e
	# The stats file loses its export block when the gateway stops.
	cp -f "$work/rdma_proxy/rp-stats" "$RES/rp-stats.txt" 2>/dev/null
	for k in "${KINDS[@]}"; do
		if [ -n "${PID[$k]:-}" ]; then
			kill "${PID[$k]}" 2>/dev/null && wait "${PID[$k]}" 2>/dev/null
			cp -f "$work/$k/ganesha.log" "$RES/ganesha-$k.log" 2>/dev/null
		fi
	done
	knfsd_stop >/dev/null 2>&1
	umount "$kexp" 2>/dev/null
}
trap cleanup EXIT

rm -rf "$work" "$RES"
mkdir -p "$work" "$kexp" "$RES"
mount -t tmpfs -o size=1800m gwbench "$kexp" || die "cannot mount a tmpfs on $kexp"
# max_block_size can only be set while nfsd has no threads.
modprobe nfsd || die "modprobe nfsd"
mkdir -p /proc/fs/nfsd
mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd || die "mount nfsd"
rpc.nfsd 0 >/dev/null 2>&1 || true
echo 1048576 >/proc/fs/nfsd/max_block_size || die "cannot set nfsd max_block_size"
knfsd_start "$kexp" 20049 || die "the Linux kernel NFS server with an RDMA listener on 20049"
echo "knfsd: TCP 2049 + rdma 20049 on $IP ($IBDEV), export $kexp (tmpfs)," \
	"max_block_size $(cat /proc/fs/nfsd/max_block_size), $(cat /proc/fs/nfsd/threads) threads"

for k in "${KINDS[@]}"; do
	gateway_start "$k"
	"$NFS41" -q mkdir "nfs://$IP:${PORT[$k]}/gw/bench-$k" || die "$k: cannot create /gw/bench-$k"
	echo "$k gateway: TCP ${PORT[$k]}, pid ${PID[$k]}"
done
grep -o 'RDMA_PROXY export.*session established.*' "$work/rdma_proxy/ganesha.log" | head -1 || true

# ------------------------------------------------------------- data check
check_data() { # when
	local k url f=$work/check.bin
	head -c $((8 << 20)) /dev/urandom >"$f"
	for k in "${KINDS[@]}"; do
		url=nfs://$IP:${PORT[$k]}/gw/bench-$k/check.bin
		"$NFS41" -q put "$f" "$url" || die "$k ($1): put 8 MiB failed"
		cmp -s "$f" "$kexp/bench-$k/check.bin" ||
			die "$k ($1): the kernel server holds other bytes than were written"
		rm -f "$work/back.bin"
		"$NFS41" -q get "$url" "$work/back.bin" || die "$k ($1): get 8 MiB failed"
		cmp -s "$f" "$work/back.bin" || die "$k ($1): read back other bytes than were written"
		"$NFS41" -q rm "$url" || die "$k ($1): remove failed"
		echo "data check ($1): $k: 8 MiB written, on the server, read back: same bytes"
	done
}
check_data before

# ------------------------------------------------------------------ runs
hz=$(getconf CLK_TCK)
proc_cpu() { # pid: user+system seconds
	awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}
vm_cpu() { # busy seconds of all CPUs (user nice system irq softirq steal)
	awk -v hz="$hz" '$1 == "cpu" { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}
# Context switches per thread ("tid count" lines).  Ganesha starts and ends
# worker threads as it goes: a run's figure (csw_diff) is the growth of the
# threads alive at both ends plus all of those born during the run; the
# switches of threads that ended during the run are not counted.
gw_csw() { # pid
	local t
	for t in /proc/"$1"/task/*; do
		awk -v t="${t##*/}" '$1 ~ /ctxt_switches:$/ { s += $2 } END { if (NR) print t, s }' \
			"$t/status" 2>/dev/null || true
	done
}
csw_diff() { # before-file after-file
	awk 'NR == FNR { b[$1] = $2; next } { d += $2 - (($1 in b) ? b[$1] : 0) } END { print d + 0 }' "$1" "$2"
}
rp_counter() { # key
	awk -v k="$1" '$1 == k && $2 == "=" { s += $3 } END { printf "%.0f\n", s }' \
		"$work/rdma_proxy/rp-stats" 2>/dev/null || echo 0
}
json_num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
fsize_mib=$(($(numfmt --from=iec "$FILE_SIZE") >> 20))
raw=$RES/raw.csv
echo "gateway,mode,streams,round,value,unit,seconds,amount,gw_cpu_s,vm_cpu_s,rc,error,copied_bytes,payload_bytes,gw_csw" >"$raw"
nfail=0

run_cell() { # kind mode streams round
	local k=$1 m=$2 n=$3 r=$4 out rc=0 v='' secs='' amt='' err='' unit=MiB/s
	local g0 g1 v0 v1 c0=0 c1=0 p0=0 p1=0 copied='' payload=''
	[ "$m" = meta ] && unit=ops/s
	if [ "$k" = rdma_proxy ]; then
		c0=$(rp_counter payload_bytes_copied)
		p0=$(($(rp_counter read_bytes) + $(rp_counter write_bytes)))
	fi
	gw_csw "${PID[$k]}" >"$work/csw0"
	g0=$(proc_cpu "${PID[$k]}") v0=$(vm_cpu)
	out=$("$NFS41" -q --json bench "nfs://$IP:${PORT[$k]}/gw/bench-$k" \
		--mode "$m" --streams "$n" --io-size 1M \
		--duration "$DURATION" --file-size "$FILE_SIZE" 2>"$work/err") || rc=$?
	v1=$(vm_cpu)
	if ! kill -0 "${PID[$k]}" 2>/dev/null; then
		log_tail "$k" >&2
		die "the $k gateway died during $m with $n streams (round $r)"
	fi
	g1=$(proc_cpu "${PID[$k]}")
	gw_csw "${PID[$k]}" >"$work/csw1"
	if [ "$k" = rdma_proxy ]; then
		sleep 1.2 # the stats file is rewritten every second
		c1=$(rp_counter payload_bytes_copied)
		p1=$(($(rp_counter read_bytes) + $(rp_counter write_bytes)))
		copied=$((c1 - c0)) payload=$((p1 - p0))
	fi
	if [ $rc = 0 ]; then
		if [ "$m" = meta ]; then
			v=$(echo "$out" | json_num ops_per_s)
			amt=$(echo "$out" | json_num ops)
		else
			v=$(echo "$out" | json_num mib_per_s)
		fi
		secs=$(echo "$out" | json_num seconds)
		# CPU is sampled around the whole run; a read run first
		# writes its file, so count those MiB as moved too.
		case $m in
		read) amt=$(awk -v v="$v" -v s="$secs" -v f="$fsize_mib" 'BEGIN { printf "%.1f", v * s + f }') ;;
		write) amt=$(awk -v v="$v" -v s="$secs" 'BEGIN { printf "%.1f", v * s }') ;;
		esac
		printf '  round %s  %-10s %-5s %2s streams: %9s %s\n' "$r" "$k" "$m" "$n" "$v" "$unit"
	else
		err=$(tr -d ',\n' <"$work/err" | cut -c1-160)
		nfail=$((nfail + 1))
		printf '  round %s  %-10s %-5s %2s streams: FAILED (exit %s) %s\n' "$r" "$k" "$m" "$n" "$rc" "$err"
	fi
	echo "$k,$m,$n,$r,$v,$unit,$secs,$amt,$(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.2f", b - a }'),$(awk -v a="$v0" -v b="$v1" 'BEGIN { printf "%.2f", b - a }'),$rc,$err,$copied,$payload,$(csw_diff "$work/csw0" "$work/csw1")" >>"$raw"
}

cells=()
for m in ${MODES//,/ }; do
	case $m in read | write | meta) ;; *) die "mode $m: read, write or meta" ;; esac
	for n in ${STREAMS//,/ }; do
		cells+=("$m:$n")
	done
done
# The device's own counters (retransmissions, sequence errors, RNR...) around
# the rounds: "name value" lines of `rdma statistic`.
dev_counters() {
	rdma statistic show link "$IBDEV/1" 2>/dev/null | tr -s ' \t\n' '\n' |
		awk 'NR > 2 { if (NR % 2) n = $1; else print n, $1 }' || true
}
dev_counters >"$RES/dev-counters-before.txt"
echo "rounds $ROUNDS, ${DURATION}s per run, file $FILE_SIZE, 1 MiB I/O, $(nproc) vCPUs, device $IBDEV"
t0=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	order=("${KINDS[@]}")
	[ $((r % 2)) = 0 ] && order=("${KINDS[1]}" "${KINDS[0]}")
	for cell in "${cells[@]}"; do
		for k in "${order[@]}"; do
			run_cell "$k" "${cell%:*}" "${cell#*:}" "$r"
		done
	done
done
echo "rounds took $(($(date +%s) - t0))s"
dev_counters >"$RES/dev-counters-after.txt"
check_data after

# --------------------------------------------------------------- summary
# Median of a column over the successful runs of one cell ("FAIL": none).
median() { # kind mode streams column
	awk -F, -v k="$1" -v m="$2" -v n="$3" -v c="$4" \
		'$1 == k && $2 == m && $3 == n && $11 == 0 { print $c }' "$raw" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "FAIL"; exit }
			if (NR % 2) print v[(NR + 1) / 2]
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# CPU seconds (column) over all successful runs per MiB (ms) or per op (us).
cpu_per() { # kind mode streams column
	awk -F, -v k="$1" -v m="$2" -v n="$3" -v col="$4" '
		$1 == k && $2 == m && $3 == n && $11 == 0 { c += $col; w += $8 }
		END { if (w == 0) print "-"
		      else if (m == "meta") printf "%.0f\n", c / w * 1e6
		      else printf "%.2f\n", c / w * 1e3 }' "$raw"
}
# Gateway context switches (all threads) per MiB or per small-file cycle.
csw_per() { # kind mode streams
	awk -F, -v k="$1" -v m="$2" -v n="$3" '
		$1 == k && $2 == m && $3 == n && $11 == 0 { c += $15; w += $8 }
		END { if (w == 0) print "-"; else printf "%.1f\n", c / w }' "$raw"
}
# Rounds in which rdma_proxy beat proxy_v4 in this cell, of the rounds both
# succeeded ("2/3"): the two runs of a round are back to back, so this
# holds up better than the medians when the host's load moves.
ahead() { # mode streams
	awk -F, -v m="$1" -v n="$2" '
		$2 == m && $3 == n && $11 == 0 { v[$1 "," $4] = $5; r[$4] = 1 }
		END { for (i in r) if (("proxy_v4," i) in v && ("rdma_proxy," i) in v) {
			t++; if (v["rdma_proxy," i] > v["proxy_v4," i]) a++ }
		      printf "%d/%d\n", a, t }' "$raw"
}
copies_per_byte() { # mode streams
	awk -F, -v m="$1" -v n="$2" '
		$1 == "rdma_proxy" && $2 == m && $3 == n && $11 == 0 { c += $13; p += $14 }
		END { if (p == 0) print "-"; else printf "%.3f\n", c / p }' "$raw"
}

sum=$RES/summary.csv
echo "mode,streams,unit,proxy_v4,rdma_proxy,ratio,target,meets_target,pv4_gw_cpu,rp_gw_cpu,pv4_vm_cpu,rp_vm_cpu,cpu_unit,rp_copies_per_byte,pv4_gw_csw,rp_gw_csw,rp_ahead_rounds" >"$sum"
for cell in "${cells[@]}"; do
	m=${cell%:*} n=${cell#*:}
	case $m in
	read) target=1.5 unit=MiB/s cu=ms/MiB ;;
	write) target=1.2 unit=MiB/s cu=ms/MiB ;;
	meta) target=1.0 unit=ops/s cu=us/op ;;
	esac
	a=$(median proxy_v4 "$m" "$n" 5) b=$(median rdma_proxy "$m" "$n" 5)
	ratio=- meets=-
	if [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v a="$b" -v b="$a" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		meets=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r + 0 >= t) ? "yes" : "no" }')
	fi
	cpb=-
	[ "$m" = meta ] || cpb=$(copies_per_byte "$m" "$n")
	echo "$m,$n,$unit,$a,$b,$ratio,$target,$meets,$(cpu_per proxy_v4 "$m" "$n" 9),$(cpu_per rdma_proxy "$m" "$n" 9),$(cpu_per proxy_v4 "$m" "$n" 10),$(cpu_per rdma_proxy "$m" "$n" 10),$cu,$cpb,$(csw_per proxy_v4 "$m" "$n"),$(csw_per rdma_proxy "$m" "$n"),$(ahead "$m" "$n")" >>"$sum"
done

{
	echo "Gateway benchmark in the VM on $IBDEV, $(date -u '+%Y-%m-%d %H:%M UTC'): nfs41 (NFSv4.1/TCP) -> gateway -> Linux knfsd $(uname -r) (tmpfs export)"
	echo "proxy_v4: Debian FSAL_PROXY_V4 over TCP; rdma_proxy: FSAL_RDMA_PROXY over RPC-over-RDMA, verbs on $IBDEV"
	echo "medians of $ROUNDS interleaved rounds, ${DURATION}s each, 1 MiB I/O, file $FILE_SIZE, $(nproc) vCPUs"
	printf '%-5s %3s %15s %10s %6s %6s %4s %5s | %9s %9s | %9s %9s | %7s | %7s %7s\n' mode str proxy_v4 rdma_proxy ratio target met ahead \
		"pv4 gw" "rp gw" "pv4 vm" "rp vm" "rp copy" "pv4 csw" "rp csw"
	tail -n +2 "$sum" | while IFS=, read -r m n unit a b ratio target meets ca cb va vb cu cpb sa sb ah; do
		rs=$ratio
		[ "$ratio" != - ] && rs=${ratio}x
		printf '%-5s %3s %15s %10s %6s %6s %4s %5s | %9s %9s | %9s %9s | %7s | %7s %7s\n' "$m" "$n" "$a $unit" "$b" \
			"$rs" ">=${target}x" "$meets" "$ah" "$ca" "$cb" "$va" "$vb" "$cpb" "$sa" "$sb"
	done
	echo "(ahead: rounds in which rdma_proxy was faster than proxy_v4, the two runs back to back)"
	echo "(gw: the gateway process's user+system CPU; vm: all busy CPU of the VM - client, gateway, knfsd, soft-RDMA -"
	echo " per MiB moved (ms/MiB; a read run's writing of its file included) or per small-file cycle (us/op))"
	echo "(rp copy: payload bytes RDMA_PROXY copied in userspace per payload byte it moved; target 0)"
	echo "(csw: context switches of the gateway's threads per MiB or per small-file cycle; threads that ended during a run not counted)"
	echo "rdma_proxy registered memory per backend connection: $(rp_counter registered_per_connection) bytes" \
		"(registered now: $(rp_counter registered_bytes)); backend session slots $(rp_counter slots)," \
		"max busy $(rp_counter max_slots_busy); RDMA Read/Write by the backend:" \
		"$(rp_counter rdma_read_bytes)/$(rp_counter rdma_write_bytes) bytes"
	printf '%s counters during the rounds (nonzero): ' "$IBDEV"
	awk 'NR == FNR { b[$1] = $2; next } $2 - b[$1] != 0 { printf "%s %d  ", $1, $2 - b[$1] }' \
		"$RES/dev-counters-before.txt" "$RES/dev-counters-after.txt"
	echo
	[ $nfail = 0 ] || echo "FAILED RUNS: $nfail (see raw.csv)"
} | tee "$RES/table.txt"

# ---------------------------------------------------------------- profile
if [ "$PROFILE" = 1 ]; then
	if ! command -v perf >/dev/null; then
		echo "profile: perf not in the image (linux-perf)" | tee "$RES/profile.txt"
	else
		: >"$RES/profile.txt"
		for cell in read:4 write:4 meta:1; do
			[[ ,$MODES, == *,${cell%:*},* ]] || continue
			for k in "${KINDS[@]}"; do
				m=${cell%:*} n=${cell#*:}
				echo "=== profile: $k $m, $n streams (perf record -a, all VM CPUs)" >>"$RES/profile.txt"
				if perf record -q -a -F 499 -o "$work/perf.data" -- \
					"$NFS41" -q bench "nfs://$IP:${PORT[$k]}/gw/bench-$k" \
					--mode "$m" --streams "$n" --io-size 1M \
					--duration "$DURATION" --file-size "$FILE_SIZE" \
					>>"$RES/profile.txt" 2>&1; then
					perf report -q -i "$work/perf.data" --stdio --sort comm,dso \
						--percent-limit 2 2>/dev/null | head -25 >>"$RES/profile.txt"
					echo "--- top symbols" >>"$RES/profile.txt"
					perf report -q -i "$work/perf.data" --stdio --sort comm,sym \
						--percent-limit 1 2>/dev/null | head -30 >>"$RES/profile.txt"
				else
					echo "perf record or the run failed" >>"$RES/profile.txt"
				fi
			done
		done
		echo "profile: $RES/profile.txt"
	fi
fi

[ $nfail = 0 ] || die "$nfail benchmark runs failed"
echo "gateway_bench: done, figures in $RES"

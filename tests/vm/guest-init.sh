#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# PID 1 of the vm test tier's guest (installed as /sbin/grvm-init).
#
# How this works: the host (run-vm-tests.sh) boots Debian's kernel with
# init=/sbin/grvm-init and three virtio-9p shares: "grout" (read-write: the
# run directory holding run.conf, tests.list, and where results go), "grsrc"
# and "grbuild" (read-only: the source and build trees, mounted at the same
# absolute paths as on the host so binaries and scripts find their files).
# This init brings up lo and eth0 (slirp, 10.0.2.15), then for each soft-RDMA
# driver in GRVM_DEVS (rxe, siw) creates one device on the netdev, runs every
# test of tests.list against it with a timeout, deletes the device, and goes
# to the next: one device at a time, so rdma_cm binding to the address always
# resolves to the device under test.  Per test it prints the output between
# GRVM-BEGIN/GRVM-END lines on the serial console, keeps it in
# logs/<name>.<device>.log, and prints and appends to results.txt:
#     GRVM-RESULT <name> <device> PASS|FAIL|SKIP <seconds> <detail>
# then "GRVM-DONE", and powers off.
#
# tests.list: one test a line, '#' comments:
#     <name> <timeout-s> <fail|skip> <command...>
# The third field says what "cannot run" counts as: a missing program, or the
# program exiting 77.  The device is known to be up in the guest, so tests
# that must run there say "fail"; optional ones (a benchmark) say "skip".
# The command runs under bash -c after these substitutions: @DEV@ (rxe|siw),
# @IBDEV@ (rxe0|siw0), @NETDEV@, @IP@ (address of that netdev), @SRC@,
# @BUILD@, @OUT@ (the run directory).  Exit 0 = PASS, 77 = SKIP or FAIL by
# the third field (the last output line is the reason), anything else or the
# timeout = FAIL.
#
# Kernel command line: grvm.mode=run (default) | probe (print GRVM-PROBE-OK
# and power off: the host's KVM check) ; grvm.shell=1 leaves a root shell on
# the console after the tests instead of powering off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-vt100} LC_ALL=C

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
mount -o remount,rw /
exec </dev/console >/dev/console 2>&1

arg() { sed -n "s/.*\bgrvm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
power_off() {
	sync
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	sleep 60
}

MODE=$(arg mode)
if [ "$MODE" = probe ]; then
	echo "GRVM-PROBE-OK kernel $(uname -r) uptime $(uptime_s)s"
	power_off
fi

echo "GRVM-INFO init start: kernel $(uname -r), boot took $(uptime_s)s," \
	"$(nproc) cpus, $(awk '/MemTotal/{print $2}' /proc/meminfo) kB"
hostname grvm

OUT=/grvm/out
RESULTS=$OUT/results.txt
NINEP_OPTS=trans=virtio,version=9p2000.L,msize=1048576,cache=none

# ----------------------------------------------------------------- shares
modprobe 9pnet_virtio
modprobe 9p
mkdir -p $OUT
if ! mount -t 9p -o $NINEP_OPTS grout $OUT; then
	echo "GRVM-ERROR cannot mount the grout 9p share; nothing to run"
	[ "$(arg shell)" = 1 ] && setsid -c /bin/bash -l
	power_off
fi
GRVM_SRC='' GRVM_BUILD='' GRVM_DEVS=rxe,siw GRVM_NETDEV=eth0 GRVM_SHELL=0
# run.conf is written by run-vm-tests.sh: plain KEY=value lines.
while IFS='=' read -r key value; do
	case "$key" in
	GRVM_SRC | GRVM_BUILD | GRVM_DEVS | GRVM_NETDEV | GRVM_SHELL)
		printf -v "$key" '%s' "$value" ;;
	esac
done <$OUT/run.conf
[ "$(arg shell)" = 1 ] && GRVM_SHELL=1
for share in src:$GRVM_SRC build:$GRVM_BUILD; do
	tag=gr${share%%:*}
	dir=${share#*:}
	[ -n "$dir" ] || continue
	mkdir -p "$dir" 2>/dev/null
	mount -t 9p -o $NINEP_OPTS,ro $tag "$dir" ||
		echo "GRVM-ERROR cannot mount share $tag at $dir"
done
mkdir -p $OUT/logs
: >$RESULTS

# ---------------------------------------------------------------- network
ip link set lo up
for _ in $(seq 1 100); do
	[ -e /sys/class/net/eth0 ] && break
	sleep 0.1
done
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2 dev eth0 2>/dev/null
ip -br addr

netdev_ip() { # netdev -> its first IPv4 address
	ip -4 -o addr show dev "$1" | awk '{sub(/\/.*/, "", $4); print $4; exit}'
}

result() { # name device status seconds detail
	local line="GRVM-RESULT $1 $2 $3 $4 $5"
	echo "$line"
	echo "$line" >>$RESULTS
	sync
}

# Load a soft-RDMA driver and create <drv>0 on the netdev; prints the reason
# on failure.
dev_up() { # drv netdev
	local mod=$1
	[ "$1" = rxe ] && mod=rdma_rxe
	modprobe $mod || { echo "modprobe $mod failed"; return 1; }
	rdma link add ${1}0 type $1 netdev $2 ||
		{ echo "rdma link add ${1}0 type $1 netdev $2 failed"; return 1; }
	for _ in $(seq 1 50); do
		ibv_devinfo -d ${1}0 2>/dev/null | grep -q PORT_ACTIVE && return 0
		sleep 0.2
	done
	echo "${1}0 port never became active"
	return 1
}

run_one() { # name timeout on_skip drv ibdev netdev ip command
	local name=$1 tmo=$2 on_skip=$3 drv=$4 ibdev=$5 nd=$6 ip=$7 cmd=$8
	local log=$OUT/logs/$name.$drv.log
	cmd=${cmd//@DEV@/$drv}
	cmd=${cmd//@IBDEV@/$ibdev}
	cmd=${cmd//@NETDEV@/$nd}
	cmd=${cmd//@IP@/$ip}
	cmd=${cmd//@SRC@/$GRVM_SRC}
	cmd=${cmd//@BUILD@/$GRVM_BUILD}
	cmd=${cmd//@OUT@/$OUT}
	local prog=${cmd%% *}
	if [ "${prog:0:1}" = / ] && [ ! -x "$prog" ]; then
		echo "binary missing: $prog" >$log
		if [ "$on_skip" = skip ]; then
			result $name $drv SKIP 0 "binary missing: $prog"
		else
			result $name $drv FAIL 0 "binary missing: $prog"
		fi
		return
	fi
	echo "GRVM-BEGIN $name $drv: $cmd"
	local t0 t1 rc
	t0=$(date +%s.%N)
	timeout -k 10 "$tmo" bash -c "$cmd" </dev/null 2>&1 | tee $log
	rc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	local secs
	secs=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }')
	echo "GRVM-END $name $drv rc=$rc"
	local last
	last=$(grep -v '^[[:space:]]*$' $log | tail -1 | cut -c1-160)
	case $rc in
	0) result $name $drv PASS $secs "$last" ;;
	77) if [ "$on_skip" = skip ]; then
		result $name $drv SKIP $secs "$last"
	    else
		result $name $drv FAIL $secs "exit 77 with the device up: $last"
	    fi ;;
	124 | 137) result $name $drv FAIL $secs "timeout after ${tmo}s" ;;
	*) result $name $drv FAIL $secs "rc=$rc: $last" ;;
	esac
}

run_list_for() { # drv: run every test of tests.list on this driver
	local drv=$1 nd=$GRVM_NETDEV
	[ "$drv" = rxe ] && [ "$nd" = lo ] && nd=eth0 # rxe cannot use lo
	echo "GRVM-INFO ======== device ${drv}0 on $nd ========"
	local why
	why=$(dev_up $drv $nd)
	local up_rc=$?
	local ip
	ip=$(netdev_ip $nd)
	rdma link show
	local name tmo on_skip cmd
	while read -r name tmo on_skip cmd; do
		case "$name" in '' | '#'*) continue ;; esac
		if [ $up_rc != 0 ]; then
			result $name $drv FAIL 0 "device setup: $why"
			continue
		fi
		run_one "$name" "$tmo" "$on_skip" $drv ${drv}0 $nd "$ip" "$cmd"
	done <$OUT/tests.list
	rdma link delete ${drv}0 2>/dev/null
}

for drv in ${GRVM_DEVS//,/ }; do
	case $drv in
	rxe | siw) run_list_for $drv ;;
	none) ;;
	*) result all $drv FAIL 0 "unknown device driver $drv" ;;
	esac
done

dmesg >$OUT/dmesg.txt
echo "GRVM-INFO kernel messages about rdma/rxe/siw and problems:"
grep -iE 'rxe|siw|rdma|infiniband|warn|bug|oops|call trace' $OUT/dmesg.txt |
	tail -40
echo "GRVM-DONE uptime $(uptime_s)s" | tee -a $RESULTS
sync
if [ "$GRVM_SHELL" = 1 ]; then
	echo "GRVM-INFO root shell on the console; exit powers the VM off"
	setsid -c /bin/bash -l
fi
umount $OUT 2>/dev/null
power_off

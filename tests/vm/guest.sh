#!/bin/bash
# Second stage of the test guest, PID 1 on the host's root (read-only below a
# tmpfs).  Sets up what a booted Debian system would have, loads the Open
# vSwitch kernel module, runs the job the host left in the output share
# (/mnt/vnet-out/job, a bash script run from the project's top folder), and
# powers off.  The job's output goes to /mnt/vnet-out/output, its exit status
# to /mnt/vnet-out/status.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# Tests allow for software emulation's slowness (tests/lib/sandbox.sh).
export SANDBOX_EMULATED=1
out=/mnt/vnet-out
top=$(cd "$(dirname "$0")/../.." && pwd)

# The guest's /run and /tmp are its own; a tree under either stays visible.
mkdir -p /mnt/vnet-top
mount --bind "$top" /mnt/vnet-top
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
if [ ! -d "$top" ]; then
    mkdir -p "$top"
    mount --bind /mnt/vnet-top "$top"
fi
mkdir -p /dev/pts /dev/shm /run/lock
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname vnet-vm
ip link set lo up
: > /etc/mtab 2>/dev/null

{
    echo "guest: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/{print $2" kB"}' /proc/meminfo)"
    modprobe openvswitch && echo "guest: openvswitch module loaded"
    # /dev/net/tun appears once its module is in (netdev bridges, taps).
    modprobe tun
} > "$out/output" 2>&1

# OVS 3.1 counts CPU cores at most every 10 s of the monotonic clock, starting
# from 0: until the system has been up that long, its count is 0, and on the
# kernel datapath (upcalls dispatched per CPU) ovs-vswitchd then runs no
# upcall handler at all and drops every packet that misses the kernel's flow
# table.  A real host has been up longer than that before anyone starts a
# switch; the guest waits until it has, too.
while [ "$(cut -d. -f1 /proc/uptime)" -lt 11 ]; do
    sleep 0.5
done

# The job runs as a child: PID 1 keeps reaping orphaned daemons meanwhile.
(cd "$top" && exec bash "$out/job") >> "$out/output" 2>&1 &
job=$!
while :; do
    wait "$job"
    rc=$?
    # wait returns early (status > 128) when a signal arrives.
    kill -0 "$job" 2>/dev/null || break
done
echo "$rc" > "$out/status"
sync
busybox poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
sleep 60

#!/bin/bash
# A guest with Debian's kernel and the Open vSwitch kernel module, for running
# tests on the kernel ("system") datapath on machines that have no such module
# (and no KVM): qemu's software emulation boots Debian's kernel; the guest's
# root is this machine's own / shared read-only (writes go to a tmpfs), so it
# runs the same programs and this same tree.
#
#   tests/vm/vm.sh build        fetches the kernel package (apt-get download),
#                               unpacks it and builds a busybox initrd, once:
#                               kept in $OVS_VNET_VM_DIR (default
#                               /var/cache/ovs-vnet/vm, which every clone of
#                               the project shares) and built again when the
#                               kernel package or tests/vm/init changes;
#                               prints the folder
#   tests/vm/vm.sh run [--timeout=SECS] SCRIPT
#                               boots the guest, runs bash SCRIPT (a file) in
#                               it from this tree's top folder, prints its
#                               output as it comes, and exits with its status
#                               (124 if it did not finish within SECS, default
#                               1800)
#
# Environment: OVS_VNET_VM_MEM (MiB, default 3072), OVS_VNET_VM_CPUS (default:
# this machine's).  Needs qemu-system-x86, busybox-static, cpio and kmod.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${OVS_VNET_VM_DIR:-${OVS_VNET_CACHE:-/var/cache/ovs-vnet}/vm}

log() { echo "vm: $*" >&2; }

# The kernel package that linux-image-amd64 currently stands for, and its
# version: "NAME VERSION", or nothing if apt does not know.
kernel_package() {
    local pkg ver
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
          | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
    [ -n "$pkg" ] || return 0
    ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null \
          | awk '$1 == "Version:" {print $2; exit}')
    [ -n "$ver" ] && echo "$pkg $ver"
}

# Fills folder $1 with the kernel ($1/vmlinuz), its module tree
# ($1/lib/modules/<version>) and the version ($1/kernel-version).
build_kernel() {
    local dir=$1 pkg=$2 kver deb
    rm -rf "$dir"
    mkdir -p "$dir/pkg"
    log "fetching $pkg"
    (cd "$dir/pkg" && apt-get download -q "$pkg" >/dev/null 2>&1) \
        || { log "apt-get download $pkg failed"; return 1; }
    deb=$(ls "$dir"/pkg/*.deb) || return 1
    # Unpacked only: no maintainer scripts, no initramfs-tools.
    dpkg-deb -x "$deb" "$dir/pkg/root" || return 1
    kver=$(ls "$dir/pkg/root/lib/modules") || return 1
    mv "$dir/pkg/root/boot/vmlinuz-$kver" "$dir/vmlinuz" || return 1
    mkdir -p "$dir/lib/modules"
    mv "$dir/pkg/root/lib/modules/$kver" "$dir/lib/modules/$kver" || return 1
    rm -rf "$dir/pkg"
    depmod -b "$dir" "$kver" || return 1
    # Last: its presence says the folder is complete.
    echo "$kver" > "$dir/kernel-version"
}

# initrd_key: what this tree's initrd is made of (its init and this script;
# clones sharing the folder may differ).
initrd_key() {
    cat "$top/tests/vm/init" "$top/tests/vm/vm.sh" | sha256sum | cut -c1-16
}

# The initrd of folder $1 ($1/initrd-KEY.img): busybox, tests/vm/init and
# the modules it loads (in the order modprobe gives).
build_initrd() {
    local dir=$1 kver tmp p out mods
    out=$dir/initrd-$(initrd_key).img
    kver=$(cat "$dir/kernel-version") || return 1
    # (Called in a command substitution, where errexit does not hold: each
    # step says whether it failed.)
    mods=$(for m in virtio_pci 9pnet_virtio 9p overlay; do
               modprobe -d "$dir" -S "$kver" --show-depends "$m" || exit 1
           done | awk '$1 == "insmod" && !seen[$2]++ {print $2}') \
        || { log "modprobe cannot resolve the modules in $dir"; return 1; }
    tmp=$(mktemp -d) || return 1
    if ! { mkdir -p "$tmp"/{bin,dev,proc,sys,mnt,newroot,lib/modules} \
           && cp /bin/busybox "$tmp/bin/busybox" \
           && cp "$top/tests/vm/init" "$tmp/init" && chmod 755 "$tmp/init" \
           && : > "$tmp/modules.order"; }; then
        rm -rf "$tmp"
        return 1
    fi
    for p in $mods; do
        cp "$p" "$tmp/lib/modules/" && basename "$p" >> "$tmp/modules.order" \
            || { rm -rf "$tmp"; return 1; }
    done
    if (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.new"; then
        mv "$out.new" "$out"
    else
        rm -f "$out.new"
    fi
    rm -rf "$tmp"
    [ -f "$out" ]
}

# Guests that run hold a shared lock on $cache/.inuse (file descriptor 8)
# as long as they run: a kernel or an initrd goes only when no guest may use
# it.
inuse_open() {
    mkdir -p "$cache"
    { true >&8; } 2>/dev/null || exec 8>> "$cache/.inuse"
}

# prune KEEP: removes the kernels other than folder KEEP, and the initrds
# other than this tree's, if no guest runs (and then keeps a shared lock).
prune() {
    local keep=$1 old img
    flock -n -x 8 || return 0
    for old in "$cache"/linux-image-*; do
        [ "$old" = "$keep" ] || rm -rf "$old"
    done
    for img in "$keep"/initrd-*.img; do
        [ "$img" = "$keep/initrd-$(initrd_key).img" ] || rm -f "$img"
    done
    flock -s 8
}

cmd_build() {
    local want dir
    for tool in qemu-system-x86_64 cpio depmod; do
        command -v "$tool" >/dev/null || { log "$tool is missing (tools/setup.sh installs it)"; return 1; }
    done
    # The initrd's busybox must run without any library.
    [ -x /bin/busybox ] && { LC_ALL=C ldd /bin/busybox 2>&1 || true; } | grep -q 'not a dynamic' \
        || { log "a static /bin/busybox is missing (busybox-static)"; return 1; }
    case $top in
        *[[:space:]]*) log "the tree's path has a space: $top"; return 1 ;;
    esac
    want=$(kernel_package)
    if [ -z "$want" ]; then
        apt-get update -q >/dev/null 2>&1 || true
        want=$(kernel_package)
    fi
    if [ -z "$want" ]; then
        # apt cannot say: whatever was built before will do.
        dir=$(ls -d "$cache"/linux-image-* 2>/dev/null | tail -1)
        [ -n "$dir" ] || { log "no kernel package known to apt"; return 1; }
    else
        dir=$cache/${want/ /_}
        if [ ! -f "$dir/kernel-version" ] && ! build_kernel "$dir" "${want% *}"; then
            # The package lists may name a version the mirror no longer has.
            apt-get update -q >/dev/null 2>&1 || true
            want=$(kernel_package)
            if [ -n "$want" ] && [ ! -f "$cache/${want/ /_}/kernel-version" ]; then
                dir=$cache/${want/ /_}
                build_kernel "$dir" "${want% *}" || rm -rf "$dir"
            fi
        fi
        if [ -f "$dir/kernel-version" ]; then
            prune "$dir"        # Only the current kernel is kept.
        else
            # Offline: the kernel built before, if any, will do.
            dir=$(ls -d "$cache"/linux-image-*/kernel-version 2>/dev/null | tail -1)
            [ -n "$dir" ] || { log "cannot fetch a kernel package"; return 1; }
            dir=${dir%/kernel-version}
            log "using the kernel built before, in $dir"
        fi
    fi
    [ -f "$dir/initrd-$(initrd_key).img" ] || build_initrd "$dir" \
        || { log "cannot build the initrd"; return 1; }
    echo "$dir"
}

# cmd_build_locked: cmd_build, one at a time (clones share the folder).
cmd_build_locked() {
    inuse_open
    (flock 9 && cmd_build "$@") 9> "$cache/.lock"
}

cmd_run() {
    local timeout=1800 script dir outdir kver qpid rc
    case ${1:-} in
        --timeout=*) timeout=${1#--timeout=}; shift ;;
    esac
    script=${1:?usage: vm.sh run [--timeout=SECS] SCRIPT}
    inuse_open
    flock -s 8
    dir=$(cmd_build_locked)
    kver=$(cat "$dir/kernel-version")
    outdir=$(mktemp -d /tmp/ovs-vnet-vm.XXXXXX)
    cp "$script" "$outdir/job"
    : > "$outdir/output"

    qemu-system-x86_64 -nodefaults -nographic -no-reboot \
        -accel tcg,thread=multi -cpu max \
        -smp "${OVS_VNET_VM_CPUS:-$(nproc)}" -m "${OVS_VNET_VM_MEM:-3072}" \
        -kernel "$dir/vmlinuz" -initrd "$dir/initrd-$(initrd_key).img" \
        -append "console=ttyS0 panic=-1 quiet vnet.init=$top/tests/vm/guest.sh" \
        -serial "file:$outdir/console" -monitor none \
        -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
        -device virtio-9p-pci,fsdev=root,mount_tag=root \
        -fsdev "local,id=modules,path=$dir/lib/modules/$kver,security_model=none,readonly=on" \
        -device virtio-9p-pci,fsdev=modules,mount_tag=modules \
        -fsdev "local,id=out,path=$outdir,security_model=none" \
        -device virtio-9p-pci,fsdev=out,mount_tag=out \
        > "$outdir/qemu.log" 2>&1 &
    qpid=$!
    # The guest's output as it comes; tail stops when qemu exits.
    tail -n +1 -F --pid="$qpid" "$outdir/output" 2>/dev/null &
    local tailpid=$!
    # Stopped early, the guest stops too.
    trap 'kill $qpid $tailpid 2>/dev/null; rm -rf "$outdir"; exit 130' INT TERM
    local deadline=$((SECONDS + timeout))
    while kill -0 "$qpid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "guest still running after ${timeout}s: stopping it"
            kill "$qpid" 2>/dev/null
            break
        fi
        sleep 1
    done
    wait "$qpid" 2>/dev/null || true
    wait "$tailpid" 2>/dev/null || true
    trap - INT TERM
    if [ -s "$outdir/status" ]; then
        rc=$(cat "$outdir/status")
    elif ((SECONDS >= deadline)); then
        rc=124
    else
        log "the guest stopped without a result; its console and qemu said:"
        tail -20 "$outdir/console" "$outdir/qemu.log" >&2
        rc=1
    fi
    rm -rf "$outdir"
    return "$rc"
}

case ${1:-} in
    build) shift; cmd_build_locked "$@" ;;
    run) shift; cmd_run "$@" ;;
    *) echo "usage: $0 build | run [--timeout=SECS] SCRIPT" >&2; exit 2 ;;
esac

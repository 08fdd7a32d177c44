#!/bin/bash
# Installs everything ovs-vnet needs on a Debian 12 machine (as root), builds the pinned
# Open vSwitch 3.1 tree that the project links against, then builds ovs-vnet itself.
# Idempotent: packages already present and an OVS tree already built are skipped.
#
# Usage: tools/setup.sh [--no-build]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ovs_dir=${OVS_VNET_OVS_DIR:-$top/.ovs}

packages=(
    openvswitch-switch openvswitch-common openvswitch-source
    libnl-3-dev libnl-route-3-dev libevent-dev
    googletest libgtest-dev
    build-essential autoconf automake libtool pkg-config libssl-dev
    python3 iproute2 ethtool iputils-ping iperf3 netcat-openbsd procps
    iptables nftables conntrack
    qemu-system-x86 busybox-static cpio kmod
    ovn-central ovn-host gnuplot-nox
    clang libclang-rt-14-dev
    systemd python3-ovsdbapp graphviz libpcap-dev tcpdump
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Open vSwitch's packaged daemons must not run on the host: our switches live in sandboxes.
# Debian's packages start nothing without systemd; nothing to stop here.

# The OVS source tree: unpacked from openvswitch-source, configured and built once.
if [ ! -f "$ovs_dir/lib/.libs/libopenvswitch.a" ] || [ ! -x "$ovs_dir/ovsdb/ovsdb-idlc" ]; then
    echo "setup: building Open vSwitch library in $ovs_dir"
    rm -rf "$ovs_dir"
    mkdir -p "$ovs_dir"
    tar xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$ovs_dir" --strip-components=1
    (cd "$ovs_dir" \
        && ./configure -q --enable-ssl --prefix=/usr --localstatedir=/var \
              --sysconfdir=/etc >/dev/null \
        && printf 'print-built-sources:\n\t@echo $(BUILT_SOURCES)\n' > print.mk \
        && built=$(make -s -f Makefile -f print.mk print-built-sources) \
        && make -s -j"$(nproc)" $built >/dev/null \
        && make -s -j"$(nproc)" lib/libopenvswitch.la ovsdb/ovsdb-idlc >/dev/null)
fi

if [ "${1:-}" = "--no-build" ]; then
    exit 0
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    autoreconf -fi >/dev/null
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure -q --with-ovs-source="$ovs_dir" --with-ovs-build="$ovs_dir"
fi
make -s -j"$(nproc)"

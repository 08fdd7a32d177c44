#!/bin/bash
# Installs everything ovs-vnet needs on a Debian 12 machine (as root), builds the pinned
# Open vSwitch 3.1 tree that the project links against, then builds ovs-vnet itself.
# Idempotent: packages already present and an OVS tree already built are skipped.
#
# The OVS tree is built once per machine, in $OVS_VNET_CACHE (default
# /var/cache/ovs-vnet) under a name made of the openvswitch-source package's
# version, the build's options and the compiler, and .ovs here links to it;
# every clone of the project shares it.  Instead, a tree built at .ovs (a
# folder, not a link) is used as it is, and so is $OVS_VNET_OVS_DIR's (built
# there first if it is not).
#
# Usage: tools/setup.sh [--no-build]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ovs_configure=(--enable-ssl --prefix=/usr --localstatedir=/var --sysconfdir=/etc)

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

# ovs_has_build DIR: DIR has what ovs-vnet is built with.
ovs_has_build() {
    [ -f "$1/lib/.libs/libopenvswitch.a" ] && [ -x "$1/ovsdb/ovsdb-idlc" ]
}

# ovs_built DIR: DIR holds a complete shared build (its stamp is written
# last).
ovs_built() {
    [ -f "$1/.ovs-vnet-built" ] && ovs_has_build "$1"
}

# ovs_build DIR: unpacks openvswitch-source into DIR, configures and builds
# the library and ovsdb-idlc.
ovs_build() {
    local dir=$1
    echo "setup: building Open vSwitch library in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$dir" --strip-components=1
    (cd "$dir" \
        && ./configure -q "${ovs_configure[@]}" >/dev/null \
        && printf 'print-built-sources:\n\t@echo $(BUILT_SOURCES)\n' > print.mk \
        && built=$(make -s -f Makefile -f print.mk print-built-sources) \
        && make -s -j"$(nproc)" $built >/dev/null \
        && make -s -j"$(nproc)" lib/libopenvswitch.la ovsdb/ovsdb-idlc >/dev/null) \
        || { rm -rf "$dir"; return 1; }
    touch "$dir/.ovs-vnet-built"
}

# The OVS source tree: unpacked from openvswitch-source, configured and built once.
ovs_tree=$top/.ovs
if [ -n "${OVS_VNET_OVS_DIR:-}" ]; then
    ovs_tree=$OVS_VNET_OVS_DIR
    ovs_has_build "$ovs_tree" || ovs_build "$ovs_tree"
elif [ -d "$top/.ovs" ] && [ ! -L "$top/.ovs" ] && ovs_has_build "$top/.ovs"; then
    :   # A tree built here before the shared one: used as it is.
else
    cache=${OVS_VNET_CACHE:-/var/cache/ovs-vnet}
    version=$(dpkg-query -W -f='${Version}' openvswitch-source)
    # (configure reads these from the environment too.)
    options=$({ echo "${ovs_configure[*]}"; "${CC:-cc}" -dumpfullversion
                echo "${CC:-} ${CPPFLAGS:-} ${CFLAGS:-} ${LDFLAGS:-}"; } \
              | sha256sum | cut -c1-12)
    ovs_dir=$cache/ovs-$version-$options
    mkdir -p "$cache"
    # One build at a time; a clone that waited finds it done.
    exec 9> "$cache/.lock"
    flock 9
    ovs_built "$ovs_dir" || ovs_build "$ovs_dir"
    exec 9>&-
    if [ "$(readlink "$top/.ovs" || true)" != "$ovs_dir" ]; then
        # Another tree: ovs-vnet is configured and built again against it.
        if [ -f "$top/Makefile" ]; then
            make -s -C "$top" clean >/dev/null 2>&1 || true
            rm -f "$top/Makefile"
        fi
        [ -L "$top/.ovs" ] || rm -rf "$top/.ovs"
        ln -sfn "$ovs_dir" "$top/.ovs.new"
        mv -T "$top/.ovs.new" "$top/.ovs"
    fi
    # Trees of other versions or options are not used by this clone; others
    # may still link to them, so they stay.
fi

if [ "${1:-}" = "--no-build" ]; then
    exit 0
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    autoreconf -fi >/dev/null
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure -q --with-ovs-source="$ovs_tree" --with-ovs-build="$ovs_tree"
fi
make -s -j"$(nproc)"

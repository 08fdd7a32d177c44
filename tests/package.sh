#!/bin/bash
# Builds the Debian package from a clean copy of the committed tree (never
# the build tree), installs it on this machine with dpkg -i, checks what it
# installed and runs the lab demo from the installed files only, then
# purges it.  Not part of tests/run.sh: it installs a system package.
# Run as root on Debian 12:  bash tests/package.sh
# Ends with "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d /tmp/ovs-vnet-package.XXXXXX)
lab_prefix=vnpkg$$
passed=0 failed=0

cleanup() {
    OVS_VNET_LAB_DIR=$work/lab OVS_VNET_LAB_PREFIX=$lab_prefix \
        ovs-vnet-lab down >/dev/null 2>&1 || true
    if dpkg-query -W -f='${Status}' ovs-vnet 2>/dev/null | grep -q 'ok installed'; then
        dpkg --purge ovs-vnet >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

check() {  # NAME CMD...
    local name=$1
    shift
    if "$@" > "$work/out" 2>&1; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        sed 's/^/    | /' "$work/out" | tail -20
        failed=$((failed + 1))
    fi
}

if dpkg-query -W -f='${Status}' ovs-vnet 2>/dev/null | grep -q 'ok installed'; then
    echo "package: ovs-vnet is installed already; not touching it" >&2
    exit 1
fi

# What building needs: dpkg-dev and debhelper, then whatever else
# dpkg-checkbuilddeps finds missing (packages by name).
need=()
for p in dpkg-dev debhelper; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if ((${#need[@]})); then
    apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}" || exit 1
fi
missing=$(cd "$top" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' \
          | sed 's/([^)]*)//g')
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing || exit 1
fi

build() {
    git -C "$top" archive --format=tar --prefix=ovs-vnet/ HEAD | tar x -C "$work" \
        && cd "$work/ovs-vnet" \
        && dpkg-buildpackage -b -us -uc -j"$(nproc)" > "$work/build.log" 2>&1 \
        || { tail -30 "$work/build.log"; return 1; }
}
check "dpkg-buildpackage -b -us -uc" build
deb=$(ls "$work"/ovs-vnet_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
fi
check "the package installs" dpkg -i "$deb"

check "ovs-vnet-ctl --version" bash -c '/usr/bin/ovs-vnet-ctl --version | grep -q "^ovs-vnet-ctl (ovs-vnet)"'
check "ovs-vnetd --version" /usr/sbin/ovs-vnetd --version
check "man pages" bash -c 'for m in man8/ovs-vnetd.8 man8/ovs-vnet-ctl.8 man8/ovs-vnet-udptun.8 man1/ovs-vnet-lab.1; do
        [ -e /usr/share/man/$m.gz ] || { echo "no $m"; exit 1; }; done; man -w ovs-vnetd >/dev/null 2>&1 || [ ! -x /usr/bin/man ]'
check "units (systemd-analyze verify)" systemd-analyze verify \
    /lib/systemd/system/ovs-vnetd.service /lib/systemd/system/ovs-vnet-nb.service \
    /lib/systemd/system/ovs-vnet.target
check "options file is a conffile" bash -c 'dpkg-query -W -f="\${Conffiles}" ovs-vnet | grep -q /etc/default/ovs-vnet'
check "completion" bash -c '. /usr/share/bash-completion/completions/ovs-vnet-ctl
        COMP_WORDS=(ovs-vnet-ctl att); COMP_CWORD=1; _ovs_vnet_ctl; [ "${COMPREPLY[*]}" = attach ]'
check "schema" bash -c 'ovsdb-tool schema-version /usr/share/ovs-vnet/vnet.ovsschema'

demo() {
    cd "$work" && OVS_VNET_LAB_DIR=$work/lab OVS_VNET_LAB_PREFIX=$lab_prefix \
        ovs-vnet-lab demo > "$work/demo.out" 2>&1
    local rc=$?
    cat "$work/demo.out"
    [ "$rc" = 0 ] && grep -q '6 of 6 pairs reach each other' "$work/demo.out" \
        && grep -q 'outside got: hello from ep11' "$work/demo.out"
}
check "the lab demo from the installed files" demo
check "the lab goes away" bash -c "cd '$work' && OVS_VNET_LAB_DIR='$work/lab' OVS_VNET_LAB_PREFIX=$lab_prefix ovs-vnet-lab down \
        && ! ip netns list | grep -q '^$lab_prefix-' && [ ! -e '$work/lab' ]"
check "the package purges" dpkg --purge ovs-vnet
check "nothing of it is left" bash -c '! [ -e /usr/sbin/ovs-vnetd ] && ! [ -e /usr/share/ovs-vnet ] && ! [ -e /etc/default/ovs-vnet ]'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

# Sourced by benchmarks: a sandbox (tests/lib/sandbox.sh) named PREFIX with
# the NB database, ovs-vnetd and switch sw1 on the userspace datapath,
# connected, and network net1 (10.5.0.0/16); log() for the benchmark's own
# messages.  Exits on failure.
#
# Usage: . bench/lib/one-switch.sh PREFIX    ($top: the tree's top folder)
. "$top/tests/lib/sandbox.sh"
. "$top/tests/lib/check.sh"
sandbox_init "$1" || exit 1
log() { echo "bench: $*" >&2; }

sandbox_nb_start >/dev/null && sandbox_vnetd_start && sandbox_switch_start sw1 \
    || { log "cannot start the sandbox"; exit 1; }
vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" --name=sw1 >/dev/null \
    && vnet_ctl net-add net1 10.5.0.0/16 >/dev/null \
    || { log "cannot make the switch and the network"; exit 1; }

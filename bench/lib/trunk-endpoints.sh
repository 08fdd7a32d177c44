# Shared by the benchmark scripts: endpoints behind a network's trunk, made
# by ovs-vnetd, many to a command.

# trunk_endpoints NET NAME FROM TO OCTET [PREFIX]: endpoints
# NAME<FROM>..NAME<TO> of network NET behind its trunk on switch sw1, 500 to
# one "ovs-vnet-ctl --wait" command; endpoint I has IP PREFIX.(I / 250 +
# OCTET).(I % 250 + 2), PREFIX 10.5 by default, and namespace
# $SANDBOX_PREFIX-NAME<I>.  Needs vnet_ctl.
trunk_endpoints() {
    local net=$1 name=$2 from=$3 to=$4 octet=$5 prefix=${6:-10.5} i j args
    for ((i = from; i <= to; i += 500)); do
        args=()
        for ((j = i; j <= to && j < i + 500; j++)); do
            args+=(-- attach "$net" "$name$j" --switch=sw1 --type=trunk
                   --ip="$prefix.$((j / 250 + octet)).$((j % 250 + 2))"
                   --netns="$SANDBOX_PREFIX-$name$j")
        done
        vnet_ctl -t 600 --wait "${args[@]:1}" >/dev/null || return 1
    done
}

# bash completion for ovs-vnet-ctl and ovs-vnet-lab.
#
# The commands and options come from the programs themselves
# ("ovs-vnet-ctl --commands" and "--options", "ovs-vnet-lab help"), so that
# the completion follows what the installed version takes.

_ovs_vnet_ctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]}
    local i word cmd= table
    # The command being written: the first word that is not an option (or
    # an option's separate argument) after the last "--".
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --) cmd= ;;
            -t|--timeout|--db) ((i++)) ;;
            -*) ;;
            *) [ -z "$cmd" ] && cmd=$word ;;
        esac
    done
    table=$("$prog" --commands 2>/dev/null) || return 0
    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$("$prog" --options 2>/dev/null)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(printf '%s\n' "$table" | cut -d'|' -f1)" -- "$cur"))
        fi
    elif [[ $cur == -* ]]; then
        local opts
        opts=$(printf '%s\n' "$table" | awk -F'|' -v c="$cmd" '$1 == c {print $2}' | tr ',' ' ')
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
    # An option that takes a value: no space after the '='.
    if [ "${#COMPREPLY[@]}" = 1 ] && [[ ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

_ovs_vnet_lab() {
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]}
    if [ "$COMP_CWORD" = 1 ]; then
        COMPREPLY=($(compgen -W "$("$prog" help 2>&1 | awk '/^  [a-z]/ {print $1}')" -- "$cur"))
        return 0
    fi
    case ${COMP_WORDS[1]} in
        up) COMPREPLY=($(compgen -f -X '!*.lab' -- "$cur") $(compgen -d -- "$cur")) ;;
        demo) COMPREPLY=($(compgen -W "--datapath=auto --datapath=system --datapath=netdev" -- "$cur")) ;;
        exec)
            if [ "$COMP_CWORD" = 2 ]; then
                COMPREPLY=($(compgen -W "$("$prog" endpoints 2>/dev/null) outside" -- "$cur"))
            else
                COMPREPLY=($(compgen -c -- "$cur"))
            fi ;;
    esac
    return 0
}

complete -F _ovs_vnet_ctl ovs-vnet-ctl
complete -F _ovs_vnet_lab ovs-vnet-lab

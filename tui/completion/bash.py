"""The bash script: ``_dossier``, registered with ``complete -F``.

Three lookup functions hold the tree (each command's subcommands and options, what each
option and positional takes); ``_dossier`` walks the words typed so far with them, as
``dossier`` itself reads them, and completes the last one.
"""

from __future__ import annotations

from .. import __version__
from .tree import Node, Values, value_options

_BASH_MAIN = r"""
_dossier_reply() {
    # Adds the completions of a value of kind $1 that starts with $2, each after $3.
    local item
    case $1 in
        words:*) while IFS= read -r item; do COMPREPLY+=("$3$item"); done \
                     < <(compgen -W "${1#words:}" -- "$2") ;;
        file) compopt -o filenames 2>/dev/null
              while IFS= read -r item; do COMPREPLY+=("$3$item"); done < <(compgen -f -- "$2") ;;
        dir) compopt -o filenames 2>/dev/null
             while IFS= read -r item; do COMPREPLY+=("$3$item"); done < <(compgen -d -- "$2") ;;
    esac
}

_dossier() {
    local node=dossier fresh=1 count=0 dashdash=0 pending='' word i
    local _dossier_kind _dossier_subs _dossier_opts
    local -a words=()
    COMPREPLY=()
    # bash splits --format=json at '=': join such words again. (No words[-1]: bash 3.2.)
    local end
    for (( i = 1; i <= COMP_CWORD; i++ )); do
        word=${COMP_WORDS[i]}
        end=$(( ${#words[@]} - 1 ))
        if [[ $word == = && $end -ge 0 && ${words[end]} == -* && ${words[end]} != *=* ]]; then
            words[end]+='='
            if (( i < COMP_CWORD )); then (( i++ )); words[end]+=${COMP_WORDS[i]}; fi
        else
            words+=("$word")
        fi
    done
    local last=$(( ${#words[@]} - 1 ))
    local current=${words[last]}
    # Which command is being typed, and how many of its positionals are there already.
    for (( i = 0; i < last; i++ )); do
        word=${words[i]}
        if (( !dashdash )) && [[ $word == -- ]]; then dashdash=1; fresh=0; continue; fi
        if (( !dashdash )) && [[ $word == -?* ]]; then
            fresh=0
            if [[ $word != *=* ]]; then
                _dossier_takes "$node" "$word"
                if [[ -n $_dossier_kind ]]; then
                    (( i + 1 == last )) && pending=$_dossier_kind
                    (( i++ ))
                fi
            fi
            continue
        fi
        if (( fresh )); then
            _dossier_node "$node"
            if [[ " $_dossier_subs " == *" $word "* ]]; then node=$node/$word; continue; fi
        fi
        fresh=0
        (( count++ ))
    done
    if [[ -n $pending ]]; then
        _dossier_reply "$pending" "$current" ''
        return 0
    fi
    if (( !dashdash )) && [[ $current == -?*=* ]]; then
        local prefix=''
        [[ ${COMP_WORDS[COMP_CWORD]} == "$current" ]] && prefix=${current%%=*}=
        _dossier_takes "$node" "${current%%=*}"
        _dossier_reply "$_dossier_kind" "${current#*=}" "$prefix"
        return 0
    fi
    _dossier_node "$node"
    if (( !dashdash )) && [[ $current == -* ]]; then
        _dossier_reply "words:$_dossier_opts" "$current" ''
        return 0
    fi
    (( fresh )) && _dossier_reply "words:$_dossier_subs" "$current" ''
    _dossier_positional "$node" "$count"
    _dossier_reply "$_dossier_kind" "$current" ''
    return 0
}

complete -F _dossier dossier
"""


def _bash_kind(values: Values) -> str:
    return f"words:{' '.join(values.words)}" if values.kind == "words" else values.kind


def bash_script(tree: Node) -> str:
    """A bash script defining ``_dossier`` (``complete -F``)."""
    nodes, takes, positions = [], [], []
    for node in tree.walk():
        subs = " ".join(command.path[-1] for command in node.commands)
        opts = " ".join(name for option in node.options for name in option.names)
        nodes.append(f"        {node.key}) _dossier_subs='{subs}'; _dossier_opts='{opts}' ;;")
        takes += [f"        '{node.key} {n}') _dossier_kind='{_bash_kind(v)}' ;;"
                  for n, v in value_options(node)]  # fmt: skip
        for number, positional in enumerate(node.positionals):
            where = f"'{node.key} '*" if positional.many else f"'{node.key} {number}'"
            positions.append(f"        {where}) _dossier_kind='{_bash_kind(positional.takes)}' ;;")
            if positional.many:
                break
    return "\n".join([
        f"# bash completion for dossier {__version__}, written by `dossier completion bash`.",
        '# Load it from ~/.bashrc with:  eval "$(dossier completion bash)"',
        "",
        "_dossier_node() {  # The subcommands and options of command $1.",
        "    _dossier_subs='' _dossier_opts=''",
        "    case $1 in", *nodes, "    esac", "}", "",
        "_dossier_takes() {  # What option $2 of command $1 takes ('' for nothing).",
        "    case \"$1 $2\" in", *takes, "        *) _dossier_kind='' ;;", "    esac", "}", "",
        "_dossier_positional() {  # What positional $2 (from 0) of command $1 takes.",
        "    case \"$1 $2\" in", *positions, "        *) _dossier_kind='' ;;", "    esac", "}",
    ]) + "\n" + _BASH_MAIN  # fmt: skip

"""The fish script: ``complete -c dossier`` lines, each with a condition saying in
which command (and at which positional) it applies; file names only where a value is
one."""

from __future__ import annotations

from .. import __version__
from .tree import Node, Values, value_options

_FISH_MAIN = r"""
function __dossier_where
    # The key of the command being typed, how many of its positionals are there
    # already, and 1 when none of its own words is.
    set -l words (commandline -opc)
    set -e words[1]
    set -l node dossier
    set -l fresh 1
    set -l count 0
    set -l skip 0
    set -l dashdash 0
    for word in $words
        if test $skip = 1
            set skip 0
        else if test $dashdash = 0; and test "$word" = --
            set dashdash 1
            set fresh 0
        else if test $dashdash = 0; and string match -q -- '-?*' $word
            set fresh 0
            if not string match -q -- '*=*' $word; and __dossier_takes_value $node $word
                set skip 1
            end
        else if test $fresh = 1; and __dossier_is_command $node $word
            set node $node/$word
        else
            set fresh 0
            set count (math $count + 1)
        end
    end
    echo $node $count $fresh
end

function __dossier_at --argument-names node position
    # Whether a word of command $node is being typed: any, its positional number
    # $position (N, or N+ for N and after), or with 'new' its first word.
    set -l where (string split ' ' -- (__dossier_where))
    test "$where[1]" = "$node"; or return 1
    switch "$position"
        case ''
            return 0
        case new
            test "$where[3]" = 1
        case '*+'
            test "$where[2]" -ge (string trim -r -c + -- $position)
        case '*'
            test "$where[2]" = "$position"
    end
end

complete -c dossier -f
"""


def _fish_quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_values(values: Values, of_option: bool) -> str:
    """The ``complete`` flags for a value: an option's (``-r``: it takes one) or a
    positional's."""
    flags = {
        "words": f"-a {_fish_quoted(' '.join(values.words))}",
        "file": "-F",
        "dir": "-a '(__fish_complete_directories (commandline -ct))'",
        "any": "",
    }[values.kind]
    if of_option:
        flags = ("-r " if values.kind == "file" else "-x ") + flags
    return flags.strip()


def _fish_name(option: str) -> str:
    if option.startswith("--"):
        return f"-l {option[2:]}"
    return f"-s {option[1:]}" if len(option) == 2 else f"-o {option[1:]}"


def fish_script(tree: Node) -> str:
    """Fish completions for ``dossier`` (``complete -c dossier``)."""
    takes = [f"'{node.key} {name}'" for node in tree.walk() for name, _ in value_options(node)]
    subs = [f"'{node.key} {c.path[-1]}'" for node in tree.walk() for c in node.commands]
    lines = []
    for node in tree.walk():
        at = f"complete -c dossier -n '__dossier_at {node.key}"
        for command in node.commands:
            lines.append(f"{at} new' -a {command.path[-1]} -d {_fish_quoted(command.help)}")
        for option in node.options:
            names = " ".join(_fish_name(name) for name in option.names)
            value = _fish_values(option.takes, True) if option.takes is not None else ""
            parts = [f"{at}'", names, value, "-d", _fish_quoted(option.help)]
            lines.append(" ".join(part for part in parts if part))
        for number, positional in enumerate(node.positionals):
            if positional.takes.kind == "any":
                continue
            where = f"{number}+" if positional.many else str(number)
            lines.append(f"{at} {where}' {_fish_values(positional.takes, False)}")
    return "\n".join([
        f"# fish completion for dossier {__version__}, written by `dossier completion fish`.",
        "# Save it as ~/.config/fish/completions/dossier.fish, or try it with:",
        "#   dossier completion fish | source",
        "",
        "function __dossier_takes_value --argument-names node option",
        '    switch "$node $option"',
        f"        case {' '.join(takes)}", "            return 0", "    end", "    return 1",
        "end", "",
        "function __dossier_is_command --argument-names node word",
        '    switch "$node $word"',
        f"        case {' '.join(subs)}", "            return 0", "    end", "    return 1",
        "end",
    ]) + "\n" + _FISH_MAIN + "\n".join(lines) + "\n"  # fmt: skip

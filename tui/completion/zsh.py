"""The zsh script: a ``#compdef dossier`` function per command, built on ``_arguments``.

It works from a folder of ``$fpath`` (as the autoloaded ``_dossier``) or loaded with
``eval`` after ``compinit`` (then it registers itself with ``compdef``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import __version__
from .tree import Node, Positional, Values


def _quoted(text: str) -> str:
    """``text`` in single quotes for zsh or bash."""
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_escaped(text: str) -> str:
    return re.sub(r"([\\\[\]:])", r"\\\1", text)


def _zsh_action(values: Values) -> str:
    return {
        "words": f"({' '.join(values.words)})",
        "file": "_files",
        "dir": "_files -/",
        "any": " ",
    }[values.kind]


def _zsh_option_specs(node: Node) -> list[str]:
    specs = []
    for option in node.options:
        exclusive = "" if option.repeats else f"({' '.join(option.names)})"
        for name in option.names:
            spec = exclusive + ("*" if option.repeats else "") + name
            if option.takes is not None:
                spec += "=" if name.startswith("--") else "+"
            spec += f"[{_zsh_escaped(option.help)}]"
            if option.takes is not None:
                message = _zsh_escaped(option.names[-1].lstrip("-"))
                spec += f":{message}:{_zsh_action(option.takes)}"
            specs.append(_quoted(spec))
    return specs


def _zsh_positional_specs(positionals: Sequence[Positional], first: int) -> list[str]:
    specs = []
    for number, positional in enumerate(positionals, first):
        action = _zsh_action(positional.takes)
        where = "*" if positional.many else str(number)
        specs.append(_quoted(f"{where}:{_zsh_escaped(positional.name)}:{action}"))
    return specs


def _zsh_function(node: Node) -> list[str]:
    name = "_" + node.key.replace("/", "__")
    options = _zsh_option_specs(node)
    if not node.commands:
        specs = options + _zsh_positional_specs(node.positionals, 1)
        return [f"{name}() {{", "    _arguments -S \\", *_continued(specs), "}", ""]
    described = [_quoted(f"{c.path[-1]}:{c.help}") for c in node.commands]
    first = node.positionals[0] if node.positionals else None
    also = [f"        {_zsh_action(first.takes)} && ret=0"] if first else []
    rest = _zsh_positional_specs(node.positionals[1:], 1)
    calls = [f"            {c.path[-1]}) _{c.key.replace('/', '__')} ;;" for c in node.commands]
    title = _quoted(" ".join(("dossier", *node.path, "command")))
    # A subcommand is only ever the first word after the command's name, as `dossier`
    # reads it (`dossier --watch validate` opens a dossier called validate).
    return [
        f"{name}() {{",
        "    local curcontext=$curcontext state state_descr line ret=1 first=$words[2]",
        "    typeset -A opt_args",
        "    _arguments -C -S \\",
        *_continued([*options, "'1: :->command'", "'*:: :->argument'"]),
        "    case $state in",
        "    command)",
        "        if (( CURRENT == 2 )); then",
        f"            local -a commands=({' '.join(described)})",
        f"            _describe -t commands {title} commands && ret=0",
        "        fi",
        *also,
        "        ;;",
        "    argument)",
        '        [[ $words[1] == "$first" ]] || words[1]=""',
        "        case $words[1] in",
        *calls,
        "            *) _arguments -S \\",
        *_continued([*options, *rest] or ["'*: :'"], indent=16),
        "            ;;",
        "        esac",
        "        ;;",
        "    esac",
        "    return ret",
        "}",
        "",
    ]


def _continued(specs: Sequence[str], indent: int = 8) -> list[str]:
    pad = " " * indent
    return [f"{pad}{spec} \\" for spec in specs[:-1]] + [f"{pad}{specs[-1]}"] if specs else []


def zsh_script(tree: Node) -> str:
    """A zsh completion function ``_dossier``: on $fpath, or loaded after compinit."""
    body = [line for node in reversed(list(tree.walk())) for line in _zsh_function(node)]
    return "\n".join([
        "#compdef dossier",
        f"# zsh completion for dossier {__version__}, written by `dossier completion zsh`.",
        "# Save it as _dossier in a folder of your $fpath, or load it from ~/.zshrc (after",
        '# compinit) with:  eval "$(dossier completion zsh)"',
        "",
        *body,
        "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then",
        '    _dossier "$@"',
        "else",
        "    compdef _dossier dossier",
        "fi",
    ]) + "\n"  # fmt: skip

"""``dossier completion SHELL`` and the command registry it is written from.

The scripts are run by the real shells where they are installed (bash always; zsh and
fish where present, else those tests skip saying so): each test asks a shell what it
offers for a command line, as a user pressing Tab would.
"""

from __future__ import annotations

import argparse
import io
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tui.cli
from tui.cli import COMMANDS, Command, main
from tui.completion import SHELLS, bash_script, command_tree, fish_script, zsh_script
from tui.completion import main as completion_main
from tui.completion.tree import Values

SEPARATOR = "@@next@@"


def frobnicate_parser() -> argparse.ArgumentParser:
    """A command added to the registry by a test: it must be completed at once."""
    parser = argparse.ArgumentParser(prog="dossier frobnicate")
    parser.add_argument("--level", choices=("low", "high"))
    parser.add_argument("target", type=Path)
    return parser


def frobnicate(argv: list[str]) -> int:
    return 40 + len(argv)


@pytest.fixture
def with_frobnicate(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = Command("frobnicate", "a test's command", __name__, "frobnicate", "frobnicate_parser")
    monkeypatch.setattr(tui.cli, "COMMANDS", (*COMMANDS, extra))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder to complete file names in."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.yaml").write_text("actors: []\n")
    (tmp_path / "other.txt").write_text("x\n")
    return tmp_path


CASES: list[tuple[str, set[str], bool]] = [
    # (command line, the cursor at its end; what must be offered; exactly that?)
    ("dossier val", {"validate"}, True),
    ("dossier ", {"validate", "schema", "completion", "notes.yaml", "folder"}, False),
    ("dossier validate --f", {"--format"}, True),
    ("dossier validate --format ", {"text", "json"}, True),
    ("dossier validate --format=", {"text", "json"}, True),
    ("dossier validate --format json no", {"notes.yaml"}, True),
    ("dossier export --format ", {"markdown", "html"}, True),
    ("dossier completion ", {"bash", "zsh", "fish"}, True),
    ("dossier source ", {"add", "show"}, True),
    ("dossier source add --i", {"--id"}, True),
    ("dossier source add --id x ot", {"other.txt"}, True),
    ("dossier new x --dir ", {"folder"}, True),
    ("dossier schema --write ", {"folder"}, True),
    ("dossier --watch val", set(), True),
    ("dossier --watch validate --f", set(), True),  # a dossier called validate
    ("dossier frobnicate --level ", {"low", "high"}, True),
    ("dossier frob", {"frobnicate"}, True),
    ("dossier frobnicate no", {"notes.yaml"}, True),
]
IDS = [line.strip().replace(" ", "_") or "empty" for line, _, _ in CASES]


def check(offered: set[str], expected: set[str], exact: bool) -> None:
    # Folders are 'folder/' in fish; fish answers '--format=' with '--format=json'.
    offered = {word.rstrip("/").split("=", 1)[-1] for word in offered}
    if exact:
        assert offered == expected
    else:
        assert expected <= offered, expected - offered


# bash ---------------------------------------------------------------------------------


def bash_words(line: str) -> list[str]:
    """The words bash gives a completion function: split at blanks and at '='."""
    words = []
    for word in shlex.split(line) + ([""] if line.endswith(" ") else []):
        head, equals, tail = word.partition("=")
        words += [head, equals, tail] if equals and head.startswith("-") else [word]
    if words[-1] == "" and len(words) > 1 and words[-2] == "=":
        words.pop()  # the cursor right after '=': '=' is the word under it
    return words


def run_bash(script: str, cases: list[list[str]], cwd: Path) -> list[set[str]]:
    program = [script]
    for words in cases:
        quoted = " ".join(shlex.quote(word) for word in words)
        program += [
            f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=()",
            '_dossier dossier "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
            f'printf "%s\\n" "${{COMPREPLY[@]}}" {SEPARATOR}',
        ]
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "\n".join(program)],
        capture_output=True, text=True, cwd=cwd, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return replies(result.stdout, len(cases))


def replies(output: str, count: int) -> list[set[str]]:
    parts = output.split(SEPARATOR + "\n")
    assert len(parts) == count + 1, output
    return [{line for line in part.splitlines() if line} for part in parts[:-1]]


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@needs_bash
def test_bash_completes_every_case(with_frobnicate: None, files: Path) -> None:
    offered = run_bash(bash_script(command_tree()), [bash_words(c) for c, _, _ in CASES], files)
    for (_, expected, exact), found in zip(CASES, offered, strict=True):
        check(found, expected, exact)


@needs_bash
def test_bash_keeps_an_unsplit_option_value_whole(files: Path) -> None:
    """With '=' not a word break (COMP_WORDBREAKS), the reply is the whole word."""
    cases = [["dossier", "validate", "--format=j"], ["dossier", "export", "--output=no"]]
    offered = run_bash(bash_script(command_tree()), cases, files)
    assert offered == [{"--format=json"}, {"--output=notes.yaml"}]


@needs_bash
def test_bash_loads_from_the_command_and_registers(files: Path) -> None:
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c",
         f'eval "$({shlex.quote(sys.executable)} -m tui completion bash)" && complete -p dossier'],
        capture_output=True, text=True, cwd=files, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == "complete -F _dossier dossier", result.stderr


# zsh ----------------------------------------------------------------------------------

ZSH_INNER = """\
PS1='> '
bindkey -e
autoload -Uz compinit && compinit -u -d {dump}
eval "$(<{script})"
compadd() {{
    local -a found
    builtin compadd -O found "$@"
    local word
    for word in $found; do print -r -- "<<offer:$word>>"; done
    builtin compadd "$@"
}}
capture_end() {{ print -r -- "<<done>>" }}
comppostfuncs=(capture_end)
"""
ZSH_OUTER = """\
zmodload zsh/zpty || exit 3
zpty shell zsh -f -i
zpty -w shell "source {inner}; cd {cwd}"
local line out
for line in "$@"; do
    zpty -w shell "comppostfuncs=(capture_end)"  # (zsh empties it after each use)
    zpty -w -n shell "$line"$'\\t'
    zpty -r -m shell out '*<<done>>*'
    print -r -- "${{(M)${{(f)out}}:#*<<offer:*}}" | grep -ao '<<offer:[^>]*>>'
    print -r -- {separator}
    zpty -w -n shell $'\\x15'  # kill the line before the next one
done
zpty -d shell
"""


def run_zsh(script: str, lines: list[str], cwd: Path, work: Path) -> list[set[str]]:
    """What zsh's completion system offers for each line, Tab pressed in a real zsh
    (driven through a pseudo-terminal by zsh/zpty)."""
    (work / "dossier.zsh").write_text(script)
    (work / "inner.zsh").write_text(
        ZSH_INNER.format(dump=work / "zcompdump", script=work / "dossier.zsh")
    )
    outer = ZSH_OUTER.format(inner=work / "inner.zsh", cwd=shlex.quote(str(cwd)),
                             separator=SEPARATOR)  # fmt: skip
    result = subprocess.run(
        ["zsh", "-f", "-c", outer, "zsh", *lines], capture_output=True, text=True, timeout=120
    )
    if result.returncode == 3:
        pytest.skip("zsh has no zsh/zpty module to drive a shell with")
    assert result.returncode == 0, result.stderr
    output = result.stdout.replace("<<offer:", "").replace(">>", "")
    return replies(output, len(lines))


needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")


@needs_zsh
def test_zsh_script_is_valid_zsh(tmp_path: Path) -> None:
    path = tmp_path / "_dossier"
    path.write_text(zsh_script(command_tree()))
    result = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


@needs_zsh
def test_zsh_completes_every_case(with_frobnicate: None, files: Path) -> None:
    work = files.parent / f"{files.name}-zsh"
    work.mkdir()
    lines = [line for line, _, _ in CASES]
    offered = run_zsh(zsh_script(command_tree()), lines, files, work)
    for (_, expected, exact), found in zip(CASES, offered, strict=True):
        check(found, expected, exact)


# fish ---------------------------------------------------------------------------------

needs_fish = pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")


def run_fish(script: str, lines: list[str], cwd: Path, work: Path) -> list[set[str]]:
    (work / "dossier.fish").write_text(script)
    queries = [f"complete -C {shlex.quote(line)}; echo {SEPARATOR}" for line in lines]
    program = f"source {shlex.quote(str(work / 'dossier.fish'))}\n" + "\n".join(queries)
    result = subprocess.run(
        ["fish", "--no-config", "-c", program], capture_output=True, text=True, cwd=cwd,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [{line.split("\t")[0] for line in part} for part in replies(result.stdout, len(lines))]


@needs_fish
def test_fish_script_is_valid_fish(tmp_path: Path) -> None:
    path = tmp_path / "dossier.fish"
    path.write_text(fish_script(command_tree()))
    result = subprocess.run(["fish", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


@needs_fish
def test_fish_completes_every_case(with_frobnicate: None, files: Path) -> None:
    work = files.parent / f"{files.name}-fish"
    work.mkdir()
    lines = [line for line, _, _ in CASES]
    offered = run_fish(fish_script(command_tree()), lines, files, work)
    assert len(offered) == len(CASES)
    for (_, expected, exact), found in zip(CASES, offered, strict=True):
        check(found, expected, exact)


# the tree and the registry --------------------------------------------------------------


def test_the_tree_is_read_from_the_parsers() -> None:
    tree = command_tree()
    by_key = {node.key: node for node in tree.walk()}
    assert [c.path for c in tree.commands] == [(c.name,) for c in COMMANDS]
    assert {"dossier/source/add", "dossier/source/show"} <= by_key.keys()

    def takes(key: str, option: str) -> Values | None:
        found = [o for o in by_key[key].options if option in o.names]
        assert found, (key, option)
        return found[0].takes

    assert takes("dossier/validate", "--format") == Values("words", ("text", "json"))
    assert takes("dossier/schema", "--write") == Values("dir")
    assert takes("dossier/new", "--dir") == Values("dir")
    assert takes("dossier/export", "-o") == Values("file")
    assert takes("dossier/serve", "--host") == Values("any")
    assert takes("dossier", "--watch") is None
    assert by_key["dossier/completion"].positionals[0].takes == Values("words", SHELLS)
    assert [p.many for p in by_key["dossier/validate"].positionals] == [True]


def test_a_command_whose_module_is_missing_completes_files_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ghost = Command("ghost", "not written yet", "tui.no_such_module")
    monkeypatch.setattr(tui.cli, "COMMANDS", (*COMMANDS, ghost))
    (node,) = [n for n in command_tree().commands if n.path == ("ghost",)]
    assert node.options == () and node.positionals[0].takes == Values("file")
    assert main(["ghost", "x"]) == 2
    assert capsys.readouterr().err == "dossier: 'ghost' is not available in this installation\n"


def test_main_runs_a_registered_command(with_frobnicate: None) -> None:
    assert main(["frobnicate", "a", "b"]) == 42


def test_every_command_answers_help_through_the_registry() -> None:
    for command in COMMANDS:
        if command.parser() is None:
            continue  # its module is not there yet (diff, while it is being written)
        result = subprocess.run(
            [sys.executable, "-m", "tui", command.name, "--help"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, (command.name, result.stderr)
        assert f"usage: dossier {command.name}" in result.stdout + result.stderr


def test_help_lists_every_command_with_its_summary() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tui", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    for command in COMMANDS:
        assert f"  {command.name.ljust(10)}  {command.summary}" in out


def imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(result.stderr.split())


def test_commands_are_imported_only_when_run() -> None:
    modules = imported_after(
        "import contextlib, io\nfrom tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "main(['validate', 'tests/fixtures/small'])"
    )
    assert "tui.cli" in modules
    lazy = {command.module for command in COMMANDS} - {"tui.cli"}
    assert not lazy & modules
    assert not {m for m in modules if m.startswith(("tui.serve.", "tui.completion"))}


# the command ---------------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_prints_the_script_of_the_shell(shell: str) -> None:
    out = io.StringIO()
    assert completion_main([shell], out) == 0
    script = out.getvalue()
    assert script.splitlines()[0 if shell != "zsh" else 1].startswith(f"# {shell} completion")
    assert script == {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](
        command_tree()
    )


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "completion", "tcsh"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "invalid choice: 'tcsh'" in result.stderr
    assert "Traceback" not in result.stderr

"""Running an older commit of dossier beside this tree, for the benchmarks that compare.

A baseline commit is checked out as a detached git worktree in a temporary folder (the
checkout others are working in is never touched), and ``dossier`` is run from it as
``env PYTHONPATH=TREE python -P -m tui ...``: ``-P`` keeps the working folder off the
module path, so the package comes from ``TREE``; this tree runs the same way with an
empty ``PYTHONPATH`` (the package as installed), so both pay for the same exec.

:func:`baseline_worktree` adds the worktree and removes it however the block ends, a
Ctrl-C included; while git adds or removes it, Ctrl-C is held back until git is done,
so that no half-made worktree is left registered in the repository.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def interrupts_held() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) back during the block: the list it gives fills with the
    signals that came meanwhile, for the caller to act on (raise, clean up first).

    Only the main thread can set signal handlers; elsewhere the block runs as is.
    """
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    """``git -C REPO_ROOT ARGS`` in a session of its own: a Ctrl-C typed in the
    terminal reaches this process only, not git halfway through its work."""
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )


def add_worktree(rev: str, tree: Path) -> Path | None:
    """A detached worktree of ``rev`` at ``tree``; None (and a note printed) if git
    could not make it."""
    with interrupts_held() as held:
        done = _git("worktree", "add", "--detach", str(tree), rev)
        if held and done.returncode == 0:  # interrupted: nobody will use it
            _git("worktree", "remove", "--force", str(tree))
    if held:
        raise KeyboardInterrupt
    if done.returncode != 0:
        print(f"- no baseline tree ({rev}): {done.stderr.strip() or done.stdout.strip()}")
        return None
    return tree


def remove_worktree(tree: Path) -> None:
    """Remove the worktree at ``tree`` (its folder and git's record of it)."""
    with interrupts_held() as held:
        _git("worktree", "remove", "--force", str(tree))
    if held:
        raise KeyboardInterrupt


@contextlib.contextmanager
def baseline_worktree(rev: str, tree: Path) -> Iterator[Path | None]:
    """A worktree of ``rev`` at ``tree`` for the block (None if it could not be made),
    removed when the block ends, whether it ends normally, by an error or by Ctrl-C."""
    made: Path | None = None
    try:
        made = add_worktree(rev, tree)
        yield made
    finally:
        if made is not None:
            remove_worktree(made)


def tree_command(tree: Path | None) -> tuple[str, ...]:
    """``python -m tui`` importing the package from ``tree`` (None: this one, as
    installed). ``-P`` keeps the working folder (this tree) off the module path, so
    ``PYTHONPATH`` decides; both go through ``env``, so both pay for the same exec."""
    return ("env", f"PYTHONPATH={tree or ''}", sys.executable, "-P", "-m", "tui")

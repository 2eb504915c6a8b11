"""Noticing that a dossier's files changed (polling; no Textual, no threads).

Editors save in bursts (write a temp file, rename, touch a backup), so a change
is acted on only once the files have stopped changing for one poll interval.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .content.loader import YAML_SUFFIXES

Stamp = tuple[int, int]
"""(modification time in ns, size) of one file."""


def _stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def snapshot(root: Path, extra: list[Path]) -> dict[str, Stamp | None]:
    """Stamps of the dossier's YAML files (a folder or one file) and of ``extra`` files."""
    paths: list[Path] = []
    if root.is_dir():
        try:
            paths = [p for p in root.iterdir() if p.suffix.lower() in YAML_SUFFIXES]
        except OSError:
            paths = []
    else:
        paths = [root]
    return {str(p): _stamp(p) for p in [*paths, *extra]}


@dataclass
class ChangeWatcher:
    """Call :meth:`poll` regularly; it returns True once when a settled change is seen."""

    root: Path
    extra: list[Path] = field(default_factory=list)
    _seen: dict[str, Stamp | None] = field(default_factory=dict)
    _pending: bool = False

    def __post_init__(self) -> None:
        self._seen = snapshot(self.root, self.extra)

    def poll(self) -> bool:
        """True when files changed and then stayed the same for a whole interval."""
        now = snapshot(self.root, self.extra)
        if now != self._seen:
            self._seen = now
            self._pending = True
            return False  # still changing (or just changed): wait for quiet
        if self._pending:
            self._pending = False
            return True
        return False

"""Live reload (``--watch``): noticing that a dossier's files changed, and showing the
new version in place.

Editors save in bursts (write a temp file, rename, touch a backup), so a change
is acted on only once the files have stopped changing for one poll interval.
:class:`ChangeWatcher` polls (no Textual, no threads); :class:`LiveReload` runs it in
the app and loads off the UI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import Dossier, LoadResult
from .content.loader import YAML_SUFFIXES
from .content.text import clean_text

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from .navigation import Navigation

WATCH_INTERVAL = 0.25
"""Seconds between looks at the files (a change acts after one quiet look)."""

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

    def settle(self) -> None:
        """Take the files as they are now as seen, with no change waiting."""
        self._seen = snapshot(self.root, self.extra)
        self._pending = False


def text_files(dossier: Dossier | None) -> list[Path]:
    """The sources' text files of ``dossier`` (watched with its YAML)."""
    if dossier is None:
        return []
    root = dossier.root if dossier.root.is_dir() else dossier.root.parent
    return [root / s.text_file for s in dossier.sources if s.text_file]


@dataclass(eq=False)
class LiveReload:
    """Reload ``path`` with ``load`` whenever its files change and settle: the explorer
    shows the new version in place (history kept), or the problems of a broken one."""

    app: App[Any]
    navigation: Navigation
    path: Path
    load: Callable[[Path], LoadResult]
    interval: float | None = WATCH_INTERVAL
    _watcher: ChangeWatcher | None = field(default=None, init=False)

    def start(self) -> None:
        """Note the files as they are, and look at them every ``interval`` from now on
        (with no interval, only when :meth:`check` is called)."""
        loaded = self.navigation.loaded
        shown = loaded.dossier if loaded is not None else None
        self._watcher = ChangeWatcher(self.path, text_files(shown))
        if self.interval is not None:
            self.app.set_interval(self.interval, self.check)

    def check(self) -> Worker[None] | None:
        """Look at the files once: the worker reloading them when a change has settled
        (it shows the result before it ends), else None."""
        if self._watcher is None or not self._watcher.poll():
            return None
        return self.app.run_worker(self._reload, thread=True, exclusive=True, group="reload")

    def reload_now(self) -> Worker[None]:
        """Reload at once (after an edit made from the app, see :mod:`tui.edit`); the
        watcher, if one runs, takes the files as they are now, so the same change is not
        reloaded twice."""
        if self._watcher is not None:
            self._watcher.settle()
        return self.app.run_worker(self._reload, thread=True, exclusive=True, group="reload")

    def _reload(self) -> None:
        result = self.load(self.path)
        baseline = self.navigation.baseline
        if baseline is not None and result.dossier is not None:
            baseline.prepare(result.dossier)  # diff mode's comparison, off the app's thread
        self.app.call_from_thread(self._reloaded, result)

    def _reloaded(self, result: LoadResult) -> None:
        app, navigation = self.app, self.navigation
        explorer = navigation.explorer
        if result.dossier is None:
            if explorer is not None:
                explorer.set_problems([clean_text(str(d)) for d in result.errors])
            app.notify("The dossier has errors: showing the last good version.", severity="error")
            return
        if self._watcher is not None:
            self._watcher.extra = text_files(result.dossier)
        if explorer is None:
            return
        while len(app.screen_stack) > 1 and app.screen is not explorer:
            app.pop_screen()
        navigation.adopt(result.dossier, result.index, reload=True)
        loaded = navigation.loaded
        assert loaded is not None
        explorer.reload(loaded.dossier, loaded.index, loaded.diff)
        navigation.show_current()
        app.notify("Reloaded.", timeout=2)

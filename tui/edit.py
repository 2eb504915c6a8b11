"""Edit from the explorer (``E``): the current item's YAML in the author's editor.

The app hands the terminal to the editor (``App.suspend``), opened at the line where the
item starts, and takes it back when the editor exits; then it reloads the dossier as
``--watch`` does (:class:`~tui.watch.LiveReload`): the place is kept, and an edit that
broke something shows the errors panel over the last good version.

It is refused, with the reason, where it cannot be the author's own edit: in a session
of ``dossier serve`` (the files are the server's, the terminal the client's), where the
terminal cannot be handed over (a browser), and on the bundled dossier.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from .authoring.editor import EditorError, editor_argv, editor_command
from .content import Dossier, LoadResult, check_dossier
from .content.bundled import bundled_root
from .content.errors import Location
from .content.text import clean_text
from .served import server_pid
from .watch import LiveReload

if TYPE_CHECKING:
    from textual.app import App

    from .navigation import Navigation

SERVED = (
    "Editing is off in a shared session: the dossier's files are on the server. "
    "Run dossier on your own copy to edit it."
)
NO_TERMINAL = "Editing needs a terminal to hand to the editor, and this one cannot be handed over."
BUNDLED = "The bundled dossier is read-only. Start your own with: dossier new NAME"


def in_served_session(app: App[Any]) -> bool:
    """Whether ``app`` runs for a client of ``dossier serve`` or in a browser, where the
    terminal is not the author's to hand to an editor."""
    return server_pid() is not None or app.is_web


def refusal(dossier: Dossier, *, served: bool) -> str | None:
    """Why ``dossier`` cannot be edited from this app, or None if it can."""
    if served:
        return SERVED
    bundled = bundled_root().resolve()
    root = dossier.root.resolve()
    if root == bundled or bundled in root.parents:
        return BUNDLED
    return None


def place_of(dossier: Dossier, entity_id: str | None) -> Location:
    """Where the item ``entity_id`` starts (the dossier's own section when there is none)."""
    entity = dossier.get(entity_id) if entity_id else None
    return entity.loc if entity is not None else dossier.info.loc


@contextmanager
def _interrupts_to_the_editor() -> Iterator[None]:
    """While the editor runs, ctrl+c in a cooked terminal interrupts the editor, not
    the app: the app's handler does nothing (a handler, not SIG_IGN, so the editor does
    not inherit it)."""
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def edit_current(
    app: App[Any],
    navigation: Navigation,
    *,
    load: Callable[[Path], LoadResult] | None = None,
    live_reload: LiveReload | None = None,
) -> None:
    """Open the current item in the editor, then reload (see the module's docstring)."""
    loaded = navigation.loaded
    if loaded is None:
        return
    dossier = loaded.dossier
    why = refusal(dossier, served=in_served_session(app))
    if why is not None:
        app.notify(why, title="Not editable here", severity="warning")
        return
    explorer = navigation.explorer
    waiting = explorer.highlighted() if explorer is not None and app.screen is explorer else None
    where = place_of(dossier, waiting or navigation.current_entity)
    try:
        argv = editor_argv(editor_command(os.environ), Path(where.path), where.line, where.col)
    except EditorError as error:
        app.notify(clean_text(str(error)), title="No editor", severity="error")
        return
    try:
        with app.suspend(), _interrupts_to_the_editor():
            finished = subprocess.run(argv, check=False)
    except SuspendNotSupported:
        app.notify(NO_TERMINAL, title="Not editable here", severity="warning")
        return
    except OSError as error:
        reason = error.strerror or str(error)
        app.notify(clean_text(f"Could not start {argv[0]}: {reason}"), severity="error")
        return
    if finished.returncode != 0:
        app.notify(f"The editor exited with status {finished.returncode}.", severity="warning")
    reloader = live_reload or LiveReload(
        app, navigation, dossier.root, load or check_dossier, interval=None
    )
    reloader.reload_now()

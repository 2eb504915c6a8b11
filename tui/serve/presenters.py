"""Who may present (``--presenter-keys``): their keys, and how a login shows it was one.

The presenter keys are added to the keys the SSH server accepts, each marked with an
``environment="DOSSIER_PRESENTER=N"`` option (N: its line in the file), which asyncssh
hands back as the key option of the key a client signed in with. A login with any other
method (the keyboard-interactive login that lets everyone else in, when the server has
no ``--authorized-keys``) never counts, even if the client first asked about a presenter's
key, whose public half anyone may know. How others are told who presents is the key's
comment in the file (the server's own words), never anything the client sends.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh

from ..content.text import printable_path
from .child import printable

MARK = "DOSSIER_PRESENTER"
_KEY_TYPES = ("ssh-", "ecdsa-", "sk-")


class PresenterKeysError(ValueError):
    """The presenter keys file cannot be read or is not in authorized_keys format."""


def read_presenter_keys(path: Path) -> list[tuple[str, str]]:
    """Each presenter key's line (options stripped) and its label (its comment)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PresenterKeysError(f"cannot read {printable_path(path)}: {error}") from None
    keys: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        start = next((i for i, f in enumerate(fields) if f.startswith(_KEY_TYPES)), None)
        if start is None or len(fields) < start + 2:
            raise PresenterKeysError(f"{printable_path(path)}: not a key: {printable(line, 40)}")
        key = " ".join(fields[start : start + 2])
        label = printable(" ".join(fields[start + 2 :]), 40, "")
        keys.append((key, label or f"presenter {len(keys) + 1}"))
    if not keys:
        raise PresenterKeysError(f"{printable_path(path)} has no keys")
    try:
        asyncssh.import_authorized_keys("\n".join(key for key, _ in keys) + "\n")
    except ValueError as error:
        raise PresenterKeysError(f"{printable_path(path)}: {error}") from None
    return keys


def accepted_keys(
    presenters: list[tuple[str, str]], authorized: Path | None
) -> asyncssh.SSHAuthorizedKeys:
    """The keys the server accepts: ``--authorized-keys`` (if any) and the presenters'."""
    lines = [f'environment="{MARK}={n}" {key}' for n, (key, _) in enumerate(presenters)]
    others = authorized.read_text(encoding="utf-8") if authorized is not None else ""
    return asyncssh.import_authorized_keys(others + "\n" + "\n".join(lines) + "\n")


def presenter_label(options: object, presenters: list[tuple[str, str]]) -> str | None:
    """The label of the presenter key a client signed in with (its key options), if any."""
    if not isinstance(options, dict):
        return None
    value = options.get(MARK)
    if not isinstance(value, str) or not value.isdigit() or int(value) >= len(presenters):
        return None
    return presenters[int(value)][1]

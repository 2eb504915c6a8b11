"""Serving the explorer to others: over SSH (asyncssh) and to browsers (textual-serve).

No explorer logic lives here: every session runs the ordinary app (``python -m tui``) in
its own process on its own pseudo-terminal. The SSH and web libraries are imported only
when a server starts, so importing this package costs little.
"""

from __future__ import annotations

from .cli import main
from .config import AppCommand, Limits, ServeSettings, is_loopback
from .limits import Admission, IdleTimer

__all__ = ["Admission", "AppCommand", "IdleTimer", "Limits", "ServeSettings", "is_loopback", "main"]

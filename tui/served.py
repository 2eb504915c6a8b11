"""What an app does differently when ``dossier serve`` runs it for a client.

The server puts its process id in ``DOSSIER_SERVED``. The app then:

- draws on stdout instead of Textual's stderr (:class:`~tui.output.CompactDriver`), so that
  stderr can be a pipe to the server's log and a traceback never reaches the client;
- asks the kernel to kill it when the server dies (:func:`end_with_server`): a server that
  is itself killed (SIGKILL, OOM) cannot end its apps, and they must not live on.
"""

from __future__ import annotations

import os
import signal
import sys

SERVED = "DOSSIER_SERVED"
PRESENTING = "DOSSIER_PRESENTING_FOR"
"""Set (to the server's process id) for the speaker's own explorer of ``--present``."""
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the kernel sends when the parent exits."""
PR_SET_NAME = 15
"""prctl(2): the process's name as ps and top show it (15 bytes at most)."""
SESSION_NAME = b"dossier-session"
"""The name a served app goes by in ps and top (started alone or forked)."""


def prctl(option: int, value: int | bytes) -> bool:
    """Linux's prctl(2) with one argument; False if it failed or this is not Linux."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # (only when served)

    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(option, value, 0, 0, 0) == 0)


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``signum`` when this process's parent (as of now) exits."""
    prctl(PR_SET_PDEATHSIG, int(signum))


def server_pid() -> int | None:
    """The serving process's id when this app runs for a client of ``dossier serve``."""
    value = os.environ.get(SERVED, "")
    return int(value) if value.isdigit() else None


def end_with_server() -> None:
    """When served, be killed with the server; if it is already gone, exit at once.

    The speaker's explorer of ``--present`` ends with the server too, but on SIGTERM,
    which leaves the speaker's terminal as it was found where it can.
    """
    presenting = os.environ.get(PRESENTING, "")
    if presenting.isdigit() and sys.platform.startswith("linux"):
        die_with_parent(signal.SIGTERM)
        if os.getppid() != int(presenting):
            os._exit(1)
    server = server_pid()
    if server is None or not sys.platform.startswith("linux"):
        return
    # A hang-up ends a session, even when the server runs under nohup (which would have
    # its children ignore it).
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent()
    prctl(PR_SET_NAME, SESSION_NAME)
    if os.getppid() != server:
        # The server died before the request above: nobody is there to serve.
        os._exit(1)

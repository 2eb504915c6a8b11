"""The server's SSH host key: generated once (Ed25519) and kept, readable by its owner only.

Clients remember the key's fingerprint; keeping the same key across restarts is what lets
them trust the server the second time. The default key lives in the user's data directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh
import platformdirs

from ..content.text import printable_path

KEY_NAME = "ssh_host_ed25519_key"


class HostKeyError(Exception):
    """A host key that cannot be read, written or trusted; the message says what to do."""


def default_host_key_path() -> Path:
    """Where the host key lives unless ``--host-key`` says otherwise."""
    return Path(platformdirs.user_data_dir("dossier", appauthor=False)) / KEY_NAME


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HostKeyError(
            f"host key {printable_path(path)} can be read by other users "
            f"(mode {stat.S_IMODE(mode):04o}); "
            f"make it private with: chmod 600 {printable_path(path)}"
        )


def _create(path: Path) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="dossier serve host key")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: never overwrite a key that appeared meanwhile; 0600 from the first byte.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(key.export_private_key("openssh"))
    return key


def load_or_create_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The private key at ``path``, created there if missing; and whether it was created."""
    try:
        if not path.exists():
            return _create(path), True
        _check_private(path)
        return asyncssh.read_private_key(path), False
    except HostKeyError:
        raise
    except (asyncssh.KeyImportError, asyncssh.KeyExportError, ValueError) as error:
        raise HostKeyError(
            f"host key {printable_path(path)} is not a usable private key: {error}"
        ) from None
    except OSError as error:
        raise HostKeyError(
            f"cannot use host key {printable_path(path)}: {error.strerror or error}"
        ) from None


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint OpenSSH shows for this key."""
    return key.get_fingerprint("sha256")

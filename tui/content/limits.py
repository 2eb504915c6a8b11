"""Size limits on what the loader reads, and how they are shown to an author."""

from __future__ import annotations

import os

DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
"""Largest YAML file read by default, in bytes (``--max-file-size`` raises it)."""
MAX_FILE_SIZE_ENV = "DOSSIER_MAX_FILE_SIZE"
SIZE_HINT = (
    f"raise the limit with --max-file-size or ${MAX_FILE_SIZE_ENV} (bytes, or with a K/M/G suffix)"
)


def human_size(size: int) -> str:
    """A byte count as a person reads it: '812 bytes', '3.2 KiB', '8.0 MiB'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"


def parse_size(text: str) -> int:
    """'8M', '512K', '1000000' -> bytes; ValueError for anything else."""
    value = text.strip().upper().removesuffix("B")
    factor = 1
    if value[-1:] in ("K", "M", "G"):
        factor = 1024 ** ("KMG".index(value[-1]) + 1)
        value = value[:-1]
    number = int(value)
    if number <= 0:
        raise ValueError("the size must be positive")
    return number * factor


def default_max_file_size() -> int:
    """The size limit per file: $DOSSIER_MAX_FILE_SIZE if set and valid, else 8 MiB."""
    try:
        return parse_size(os.environ.get(MAX_FILE_SIZE_ENV, ""))
    except ValueError:
        return DEFAULT_MAX_FILE_SIZE

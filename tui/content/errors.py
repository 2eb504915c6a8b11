"""Problems found in dossier content, each with the place it was found.

A :class:`Diagnostic` is one problem (or note) at a ``path:line:col``; a
:class:`ContentError` carries every diagnostic of a failed load at once, so an
author sees all problems in one run instead of fixing them one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from .text import printable_path


class Severity(StrEnum):
    """How serious a diagnostic is: errors make a dossier invalid, notes do not."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Location(NamedTuple):
    """A place in a file; ``line`` and ``col`` are 1-based (0 means "whole file").

    A named tuple (every item of a dossier carries one or more): made, compared and
    unpickled from the load cache several times faster than a frozen dataclass.
    """

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        path = printable_path(self.path)  # a file name must not break or fake a line
        if self.line <= 0:
            return path
        if self.col <= 0:
            return f"{path}:{self.line}"
        return f"{path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in the content, in compiler style."""

    location: Location
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        """The diagnostic as plain JSON-ready data."""
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class ContentError(Exception):
    """A dossier could not be loaded; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = str(errors[0]) if errors else "invalid dossier"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Only the diagnostics that are errors."""
        return tuple(d for d in self.diagnostics if d.is_error)

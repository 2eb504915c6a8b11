"""Glyphs and labels shared by every view, so stances read the same everywhere.

Each stance has a glyph that differs in shape, not only in colour, so the matrix
and the detail pane stay readable in 16-colour and NO_COLOR terminals.
"""

from __future__ import annotations

from .content import Confidence, EventStatus, IssueStatus, Stance

STANCE_GLYPH: dict[Stance, str] = {
    Stance.FOR: "+",
    Stance.AGAINST: "−",
    Stance.MIXED: "±",
    Stance.NEUTRAL: "○",
    Stance.UNCLEAR: "?",
}
STANCE_STYLE: dict[Stance, str] = {
    Stance.FOR: "bold green",
    Stance.AGAINST: "bold red",
    Stance.MIXED: "bold yellow",
    Stance.NEUTRAL: "bold blue",
    Stance.UNCLEAR: "bold magenta",
}
STATUS_LABEL: dict[IssueStatus, str] = {
    IssueStatus.OPEN: "open",
    IssueStatus.STALLED: "stalled",
    IssueStatus.PROGRESSING: "progressing",
    IssueStatus.RESOLVED: "resolved",
}
EVENT_GLYPH: dict[EventStatus | None, str] = {
    EventStatus.HELD: "●",
    EventStatus.SCHEDULED: "○",
    EventStatus.CANCELLED: "×",
    None: "·",
}
CONFIDENCE_BAR: dict[Confidence, str] = {
    Confidence.LOW: "▮▯▯",
    Confidence.MODERATE: "▮▮▯",
    Confidence.HIGH: "▮▮▮",
}
KIND_LABEL: dict[str, str] = {
    "actor": "Actor",
    "issue": "Issue",
    "assessment": "Assessment",
    "event": "Event",
    "source": "Source",
}
LINKED_MARK = "•"
"""Shown beside list items linked to the current selection."""
KIND_GLYPH: dict[str, str] = {
    "actor": "◆",
    "issue": "■",
    "assessment": "▲",
    "event": "●",
    "source": "¶",
}
"""A shape per kind of item, where items of every kind are listed together (search)."""

"""Words and phrases the synthetic dossiers are made of (see :mod:`bench.synth`).

Sentences are assembled from these pools by a seeded generator, so the text varies
like real prose (different words, different lengths) while staying plain and safe.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the space-separated words of ``text``."""
    return tuple(text.split())


SYLLABLES = _words(
    "ka ter va lin mor sel dan ri ost bel na gor vik tam ul ser pa nov ed ar lu mes "
    "hal dor qui zen bra fil ot ren sa cor lei mu tos ya gal"
)
TOPICS = _words(
    "energy trade security fisheries migration climate finance sanctions borders "
    "shipping telecoms agriculture water health elections media courts defence "
    "minerals pensions tariffs housing transport labour"
)
SUBJECTS = (
    "The ministry",
    "Negotiators",
    "Regional officials",
    "The coalition",
    "Opposition leaders",
    "The central bank",
    "Analysts",
    "Business groups",
    "Local councils",
    "The delegation",
    "Civil society groups",
    "The committee",
)
VERBS = (
    "signalled support for",
    "rejected",
    "welcomed",
    "questioned",
    "delayed",
    "quietly revised",
    "pushed back against",
    "endorsed",
    "set conditions on",
    "floated",
    "blocked",
    "reopened talks on",
    "published a review of",
    "tied funding to",
)
OBJECTS = (
    "a phased tariff reduction",
    "the maritime boundary proposal",
    "new export licences",
    "the joint monitoring mission",
    "a revised subsidy scheme",
    "the transit agreement",
    "emergency credit lines",
    "the reform package",
    "a ceasefire framework",
    "the disputed quota system",
    "cross-border grid links",
    "a data sharing accord",
    "the investment screening law",
    "the draft constitution",
)
CLAUSES = (
    "after months of talks",
    "despite domestic opposition",
    "under pressure from creditors",
    "ahead of the summit",
    "while courts review the case",
    "as prices kept rising",
    "following a leaked memo",
    "with little public debate",
    "once the audit was published",
    "before the winter session",
)
CLOSERS = (
    "Observers expect a decision within the year.",
    "Few details have been made public.",
    "The outcome depends on parliamentary arithmetic.",
    "Critics call the move premature.",
    "Supporters say it protects jobs.",
    "Neighbouring states are watching closely.",
    "The timetable has slipped twice already.",
    "Funding remains the main obstacle.",
)
ROLES = {
    "state": ("coastal state", "mediator", "main creditor", "transit country"),
    "person": ("foreign minister", "lead negotiator", "independent analyst", "governor"),
    "organization": ("regulator", "industry association", "think tank", "trade union"),
    "group": ("opposition party", "protest movement", "parliamentary bloc"),
    "media": ("state broadcaster", "business daily", "investigative outlet"),
    "other": ("charitable foundation", "research network"),
}
RELATION_KINDS = (
    "leads",
    "allied with",
    "mediates",
    "funds",
    "opposes",
    "reports on",
    "advises",
    "depends on",
    "competes with",
)
HORIZONS = (
    "six months",
    "one to two years",
    "by the next election",
    "the coming decade",
    "before year end",
)
EVENT_KINDS = ("summit", "vote", "hearing", "round of talks", "conference", "ruling")
CAPTIONS = (
    "Start here: the question everything else hangs on.",
    "The actor with the most at stake.",
    "How the experts read it.",
    "The turning point so far.",
    "Who is on which side.",
    "Where this could go next.",
)

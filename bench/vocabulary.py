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

# -- the heavy profile (bench.synth, profile "heavy") ------------------------------
# Names in other scripts: each Latin syllable of SYLLABLES rendered syllable by syllable,
# so an actor's aliases spell its own name the way a foreign press would.

CYRILLIC = dict(
    zip(
        SYLLABLES,
        _words(
            "ка тер ва лин мор сел дан ри ост бел на гор вик там ул сер па нов эд ар лу "
            "мес хал дор кви зен бра фил от рен са кор лей му тос я гал"
        ),
        strict=True,
    )
)
KATAKANA = dict(
    zip(
        SYLLABLES,
        _words(
            "カ テル ヴァ リン モル セル ダン リ オスト ベル ナ ゴル ヴィク タム ウル セル パ ノヴ "
            "エド アル ル メス ハル ドル キ ゼン ブラ フィル オト レン サ コル レイ ム トス ヤ ガル"
        ),
        strict=True,
    )
)
HANGUL = dict(
    zip(
        SYLLABLES,
        _words(
            "카 테르 바 린 모르 셀 단 리 오스트 벨 나 고르 빅 탐 울 세르 파 노브 에드 아르 루 "
            "메스 할 도르 키 젠 브라 필 오트 렌 사 코르 레이 무 토스 야 갈"
        ),
        strict=True,
    )
)
ARABIC = dict(
    zip(
        SYLLABLES,
        _words(
            "كا تير فا لين مور سيل دان ري أوست بيل نا غور فيك تام أول سير با نوف إد آر لو "
            "ميس هال دور كي زين برا فيل أوت رين سا كور لي مو توس يا غال"
        ),
        strict=True,
    )
)
SCRIPTS: dict[str, tuple[dict[str, str], str, dict[str, str]]] = {
    "cyrillic": (
        CYRILLIC,
        " ",
        {
            "state": "Республика {}",
            "organization": "Совет {}",
            "group": "Альянс {}",
            "media": "Вестник {}",
            "other": "Фонд {}",
            "person": "{}",
        },
    ),
    "japanese": (
        KATAKANA,
        "・",
        {
            "state": "{}共和国",
            "organization": "{}評議会",
            "group": "{}同盟",
            "media": "{}新聞",
            "other": "{}財団",
            "person": "{}",
        },
    ),
    "korean": (
        HANGUL,
        " ",
        {
            "state": "{} 공화국",
            "organization": "{} 평의회",
            "group": "{} 동맹",
            "media": "{} 신문",
            "other": "{} 재단",
            "person": "{}",
        },
    ),
    "arabic": (
        ARABIC,
        " ",
        {
            "state": "جمهورية {}",
            "organization": "مجلس {}",
            "group": "تحالف {}",
            "media": "صحيفة {}",
            "other": "مؤسسة {}",
            "person": "{}",
        },
    ),
}
"""Per script: the syllable table, the separator between a person's names, and how
each kind of actor's name is framed (a country as a republic, a paper as a paper)."""

CONNECTORS = ("while", "although", "even as", "and", "because", "so that", "whereas")
"""Join two clauses into the longer sentences of heavy summaries."""
ASIDES = (
    "according to people familiar with the talks",
    "in a statement issued late on Friday",
    "for the second time this year",
    "in a closed session",
    "citing budget constraints",
    "without naming a date",
    "in an interview with a regional paper",
    "after a tense committee hearing",
)
QUOTE_TEMPLATES = (
    "we will not accept {object} on these terms",
    "the door to {object} remains open",
    "there is no alternative to {object}",
    "nobody should expect {object} before {horizon}",
    "{object} is a matter for the courts, not for the street",
    "we have said it before: {object} must wait",
    "our partners know where we stand on {topic}",
    "the real question is who pays for {object}",
    "it’s too early to speak of a “breakthrough” on {topic}",
    "we don’t see {object} as a threat",
)
"""Short quotes for refs; some with typographic apostrophes and quote marks."""

"""The dossier format as data: every section, field, type and allowed value.

One table drives both the loader (what a field must hold) and ``dossier schema``
(the JSON Schema editors use to complete and check files while an author types).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from .model import ActorKind, Confidence, EventStatus, IssueStatus, Stance

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


class FieldType(StrEnum):
    """What a field holds; the loader has one converter per type."""

    TEXT = "text"
    ID = "id"
    LINK = "link"
    LINKS = "links"
    TEXTS = "texts"
    DATE = "date"
    COUNT = "count"
    ENUM = "enum"
    PARAS = "paras"
    REFS = "refs"
    POSITIONS = "positions"
    ARGUMENTS = "arguments"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record."""

    name: str
    field_type: FieldType
    doc: str
    required: bool = False
    enum: type[Enum] | None = None
    target: str | None = None
    """For links: the entity kind the link must point at (None: any kind)."""
    attr: str = ""
    """The model attribute, when it differs from ``name``."""

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)

    @property
    def attribute(self) -> str:
        """The model attribute this field fills."""
        return self.attr


@dataclass(frozen=True)
class RecordSpec:
    """A kind of mapping in the format (an actor, a ref, a position, ...)."""

    name: str
    doc: str
    fields: tuple[FieldSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "required", tuple(f for f in self.fields if f.required))

    required: tuple[FieldSpec, ...] = ()
    """The fields that must be present (derived from ``fields``)."""

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, or None."""
        by_name: dict[str, FieldSpec] = self.__dict__["by_name"]
        return by_name.get(name)


def _f(name: str, type_: FieldType, doc: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, type_, doc, **kw)


T = FieldType
_REFS = _f("refs", T.REFS, "Citations this item rests on.")
_SEE_ALSO = _f("see_also", T.LINKS, "Ids of other items worth reading next.")
_TAGS = _f("tags", T.TEXTS, "Free-form labels.")

REF = RecordSpec(
    "ref",
    "A citation of numbered paragraph(s) of a source.",
    (
        _f("source", T.LINK, "Id of the source cited.", required=True, target="source"),
        _f("para", T.PARAS, "1-based paragraph number, or a list of them.", required=True),
        _f("quote", T.TEXT, "A short exact quotation from the cited paragraph."),
    ),
)
POSITION = RecordSpec(
    "position",
    "One actor's stance on the issue.",
    (
        _f("actor", T.LINK, "Id of the actor.", required=True, target="actor"),
        _f("stance", T.ENUM, "Stance on the issue's question.", required=True, enum=Stance),
        _f("position", T.TEXT, "The position in a few words."),
        _REFS,
    ),
)
ARGUMENT = RecordSpec(
    "argument",
    "One argued claim of an assessment.",
    (
        _f("claim", T.TEXT, "The claim, paraphrased.", required=True),
        _REFS,
    ),
)
DOSSIER = RecordSpec(
    "dossier",
    "What this dossier is (exactly one in the whole dossier).",
    (
        _f("id", T.ID, "Short id of the dossier.", required=True),
        _f("title", T.TEXT, "Title shown in the header.", required=True),
        _f("summary", T.TEXT, "What the dossier covers.", required=True),
        _f("as_of", T.DATE, "Date the content is current to.", required=True),
        _f("subtitle", T.TEXT, "A second line for the title."),
        _f("authors", T.TEXTS, "Who wrote the dossier."),
        _f("license", T.TEXT, "Licence of the dossier text."),
    ),
)
SOURCE = RecordSpec(
    "source",
    "A document the dossier cites.",
    (
        _f("id", T.ID, "Unique id.", required=True),
        _f("title", T.TEXT, "Title of the document.", required=True),
        _f("author", T.TEXT, "Who wrote it."),
        _f("publisher", T.TEXT, "Who published it."),
        _f("date", T.DATE, "When it was published."),
        _f("url", T.TEXT, "Where it can be found (shown, never opened)."),
        _f("paragraphs", T.COUNT, "How many numbered paragraphs it has."),
        _f("text_file", T.TEXT, "Path (inside the dossier) of a [N]-numbered plain-text copy."),
    ),
)
ACTOR = RecordSpec(
    "actor",
    "A state, leader, party, organisation or other participant.",
    (
        _f("id", T.ID, "Unique id.", required=True),
        _f("name", T.TEXT, "Display name.", required=True),
        _f("kind", T.ENUM, "What sort of actor.", required=True, enum=ActorKind, attr="actor_kind"),
        _f("role", T.TEXT, "Role in this dossier, in a few words."),
        _f("aliases", T.TEXTS, "Other names people search for (any script)."),
        _f("summary", T.TEXT, "Who they are and why they matter here."),
        _f("part_of", T.LINK, "Id of the actor this one belongs to.", target="actor"),
        _TAGS,
        _REFS,
        _SEE_ALSO,
    ),
)
ISSUE = RecordSpec(
    "issue",
    "A question between actors, with each actor's position.",
    (
        _f("id", T.ID, "Unique id.", required=True),
        _f("title", T.TEXT, "Short title.", required=True),
        _f("summary", T.TEXT, "What the issue is.", required=True),
        _f("question", T.TEXT, "The question that 'for' and 'against' answer."),
        _f("status", T.ENUM, "Where the issue stands.", enum=IssueStatus),
        _f("positions", T.POSITIONS, "Each actor's stance."),
        _f("related", T.LINKS, "Ids of related issues.", target="issue"),
        _TAGS,
        _REFS,
        _SEE_ALSO,
    ),
)
ASSESSMENT = RecordSpec(
    "assessment",
    "An expert's judgment: verdict, confidence and argued claims.",
    (
        _f("id", T.ID, "Unique id.", required=True),
        _f("title", T.TEXT, "Short title.", required=True),
        _f("by", T.LINK, "Id of the expert (an actor).", required=True, target="actor"),
        _f("verdict", T.TEXT, "The judgment in a sentence.", required=True),
        _f("confidence", T.ENUM, "How sure the expert is.", required=True, enum=Confidence),
        _f("horizon", T.TEXT, "The time frame the judgment covers."),
        _f("about", T.LINKS, "Ids of the items the assessment is about."),
        _f("summary", T.TEXT, "The reasoning in brief."),
        _f("arguments", T.ARGUMENTS, "The argued claims, each with its refs."),
        _REFS,
        _SEE_ALSO,
    ),
)
EVENT = RecordSpec(
    "event",
    "Something that happened or is scheduled.",
    (
        _f("id", T.ID, "Unique id.", required=True),
        _f("title", T.TEXT, "Short title.", required=True),
        _f("date", T.DATE, "When (YYYY, YYYY-MM or YYYY-MM-DD).", required=True),
        _f("status", T.ENUM, "Held, scheduled or cancelled.", enum=EventStatus),
        _f("summary", T.TEXT, "What happened."),
        _f("actors", T.LINKS, "Ids of the participants.", target="actor"),
        _f("issues", T.LINKS, "Ids of the issues it bears on.", target="issue"),
        _REFS,
        _SEE_ALSO,
    ),
)
RELATION = RecordSpec(
    "relation",
    "A typed link between two items.",
    (
        _f("from", T.LINK, "Id the relation starts at.", required=True, attr="from_id"),
        _f("to", T.LINK, "Id the relation points at.", required=True, attr="to_id"),
        _f("kind", T.TEXT, "A short verb phrase: 'leads', 'allied with'.", required=True),
        _f("summary", T.TEXT, "What the relation means here."),
        _REFS,
    ),
)
TOUR_STOP = RecordSpec(
    "tour stop",
    "One step of the guided tour.",
    (
        _f("target", T.LINK, "Id of the item to show.", required=True),
        _f("caption", T.TEXT, "What to say about it.", required=True),
    ),
)

SECTIONS: dict[str, RecordSpec] = {
    "dossier": DOSSIER,
    "sources": SOURCE,
    "actors": ACTOR,
    "issues": ISSUE,
    "assessments": ASSESSMENT,
    "events": EVENT,
    "relations": RELATION,
    "tour": TOUR_STOP,
}
"""Top-level keys of a file; ``dossier`` is a mapping, every other one a list."""

NESTED: dict[FieldType, RecordSpec] = {
    T.REFS: REF,
    T.POSITIONS: POSITION,
    T.ARGUMENTS: ARGUMENT,
}


MAX_COUNT = 999_999_999
"""The largest paragraph number or count the loader reads (nine digits)."""


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of one field, as an editor's YAML 1.2 reader sees the value.

    It says what the loader accepts, never less: a text is a string (a plain ``1945``
    or ``true`` is refused by the loader too), a number a plain integer, and an
    optional field may be null (YAML's empty value, ``~`` or ``null``), which the
    loader takes as absent, as it does a null in a list of texts or ids.
    """
    t = spec.field_type
    schema: dict[str, Any]
    text: dict[str, Any] = {"type": ["string", "null"]}
    an_id: dict[str, Any] = {"type": ["string", "null"], "pattern": ID_PATTERN}
    count: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}
    if t is T.TEXT:
        schema = {"type": "string", "minLength": 1} if spec.required else text
    elif t in (T.ID, T.LINK):
        schema = {"type": "string", "pattern": ID_PATTERN} if spec.required else an_id
    elif t is T.LINKS:
        schema = {"type": "array", "items": an_id}
    elif t is T.TEXTS:
        schema = {"type": "array", "items": text}
    elif t is T.DATE:
        # YYYY unquoted is a number to YAML; pattern and bounds apply to one type each.
        schema = {"type": ["string", "integer"], "pattern": DATE_PATTERN}
        schema |= {"minimum": 1, "maximum": 9999}
    elif t is T.COUNT:
        schema = count
    elif t is T.ENUM:
        assert spec.enum is not None
        schema = {"type": "string", "enum": [m.value for m in spec.enum]}
    elif t is T.PARAS:
        schema = {"oneOf": [count, {"type": "array", "items": count, "minItems": 1}]}
    else:
        schema = {"type": "array", "items": {"$ref": f"#/$defs/{NESTED[t].name}"}}
    if not spec.required:
        schema = _nullable(schema)
    schema["description"] = spec.doc
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, also accepting null (an optional field left empty)."""
    schema = dict(schema)
    kind = schema.get("type")
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = [kind] if isinstance(kind, str) else list(kind)
    if "null" not in kinds:
        schema["type"] = [*kinds, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _record_schema(record: RecordSpec) -> dict[str, Any]:
    return {
        "type": "object",
        "description": record.doc,
        "properties": {f.name: _field_schema(f) for f in record.fields},
        "required": [f.name for f in record.required],
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for one dossier file."""
    records = [*SECTIONS.values(), *NESTED.values()]
    defs = {r.name.replace(" ", "_"): _record_schema(r) for r in records}
    properties: dict[str, Any] = {"dossier": {"$ref": "#/$defs/dossier"}}
    for key, record in SECTIONS.items():
        if key != "dossier":
            ref = {"$ref": f"#/$defs/{record.name.replace(' ', '_')}"}
            items = {"type": ["array", "null"], "items": ref, "description": record.doc}
            properties[key] = items
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dossier file",
        "description": "One file of a dossier: a mapping of sections.",
        "type": "object",
        "properties": properties,
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
        "$defs": defs,
    }

"""The rulebook: every check an entity or a relation must pass, written once.

The YAML loader, the bulk CSV reader and the write routes all call these, so a
rule changes in one place. A check answers with ``Violation``s (the field and
why), never by raising; each caller says *where* (file and entry, or the
request body) in its own way.

The shape of one entry (fields, types, dates, vocabulary) is checked by the
pydantic models of ``records.py`` through ``parse``; the checks that need to
know the rest of the graph (references, sources, parties, ids taken) are the
functions below, given a ``Known`` view of what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from .temporal import DateError, PartialDate, parse_date
from .vocabulary import MEDIATION_TYPES, VOCABULARY

__all__ = [
    "ENTITY_REFERENCE_ATTRIBUTES",
    "CheckedRelation",
    "IdsOf",
    "Known",
    "Violation",
    "check_entity",
    "check_parties",
    "check_relation",
    "date_problem",
    "end_before_start",
    "event_dates",
    "parse",
    "participation_problems",
    "polarity_problem",
    "response_problems",
    "unknown_entity",
    "unknown_source",
    "unknown_type",
]

if TYPE_CHECKING:  # records.py takes its messages from here
    from .records import EntityRecord, RelationRecord

_M = TypeVar("_M", bound=BaseModel)
ENTITY_REFERENCE_ATTRIBUTES = ("affiliation", "capital")
POLARITIES = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Violation:
    """One rule an entry breaks: the field and the reason."""

    field: str
    message: str


@dataclass(frozen=True)
class Known:
    """What an entry may refer to: entity refs (ids and merged ids) to positions, ids by position, sources."""

    entities: Mapping[str, int]
    entity_ids: Sequence[str]
    sources: Container[str]
    relation_taken: Callable[[str], bool] = lambda _id: False
    # The rules that need every relation and entity of a dataset (integrity.py) are checked at load once
    # all are read; a write gives these, so they are checked for the one relation written.
    relation_exists: Callable[[str], bool] | None = None
    event_at: Callable[[int], EntityRecord | None] | None = None


@dataclass(frozen=True)
class CheckedRelation:
    """A relation that passed: its ends as positions and its attributes with parties as entity ids."""

    record: RelationRecord
    source: int
    target: int
    attributes: dict[str, Any]


class IdsOf(Sequence[str]):
    """The ids of a list of entity records, by position: a live view (the list may grow)."""

    def __init__(self, entities: Sequence[EntityRecord]) -> None:
        self._entities = entities

    def __len__(self) -> int:
        return len(self._entities)

    def __getitem__(self, position: int) -> str:  # type: ignore[override]
        return self._entities[position].id


# -- messages shared by every reader ---------------------------------------------------------------


def unknown_entity(ref: object) -> str:
    return f"unknown entity {ref!r}"


def unknown_source(source_id: str) -> str:
    return f"unknown source {source_id!r}"


def unknown_type(type_id: str) -> str | None:
    return None if type_id in VOCABULARY else f"unknown relation type {type_id!r}; see /types for the vocabulary"


def polarity_problem(polarity: str) -> str | None:
    return None if polarity in POLARITIES else f"{polarity!r} is not positive, negative or neutral"


def date_problem(text: str) -> str | None:
    try:
        parse_date(text)
    except DateError as exc:
        return str(exc)
    return None


def end_before_start(start: str | None, end: str | None) -> str | None:
    """The end of a relation must not come before its start (both already valid dates)."""
    if start and end and parse_date(end).hi < parse_date(start).lo:
        return f"{end} is before start {start}"
    return None


def event_dates(event: EntityRecord) -> tuple[PartialDate | None, PartialDate | None, list[Violation]]:
    """An event's start and end (None when absent or not a date), and what is wrong with them."""
    dates: dict[str, PartialDate | None] = {"start": None, "end": None}
    problems = []
    for field in dates:
        value = event.attributes.get(field)
        if value is None:
            continue
        try:
            dates[field] = parse_date(str(value))
        except DateError as exc:
            problems.append(Violation(f"attributes.{field}", str(exc)))
    start, end = dates["start"], dates["end"]
    if start and end and end.hi < start.lo:
        problems.append(Violation("attributes.end", f"{end} is before start {start}"))
    return start, end, problems


def participation_problems(
    start: str | None, end: str | None, event: str, event_start: PartialDate | None, event_end: PartialDate | None
) -> list[Violation]:
    """A participation in an event that ended ends too, no later than it, and starts no earlier than it."""
    problems = []
    if event_end is not None and end is None:
        problems.append(
            Violation(
                "end",
                f"the event {event!r} ended in {event_end}; a participation in it ends "
                f'when it does (end: "{event_end}" or earlier)',
            )
        )
    elif event_end is not None and end is not None and parse_date(end).hi > event_end.hi:
        problems.append(Violation("end", f"{end} is after the end of the event {event!r} ({event_end})"))
    if event_start is not None and start is not None and parse_date(start).hi < event_start.lo:
        problems.append(Violation("start", f"{start} is before the start of the event {event!r} ({event_start})"))
    return problems


def response_problems(attributes: Mapping[str, Any], exists: Callable[[str], bool]) -> list[Violation]:
    """``attributes.in_response_to`` (one relation id or a list) names relations that exist."""
    if "in_response_to" not in attributes:
        return []
    value = attributes["in_response_to"]
    return [
        Violation("attributes.in_response_to", f"unknown relation {ref!r}")
        for ref in (value if isinstance(value, list) else [value])
        if not isinstance(ref, str) or not exists(ref)
    ]


# -- whole entries ---------------------------------------------------------------------------------


def parse(model: type[_M], raw: Any) -> tuple[_M | None, list[Violation]]:
    """One entry validated by its pydantic model, or the violations, each naming its field."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            Violation(".".join(str(part) for part in error["loc"]) or "-", error["msg"].removeprefix("Value error, "))
            for error in exc.errors(include_url=False)
        ]


def check_parties(parties: Any, entities: Mapping[str, int]) -> list[int] | str:
    """A mediation's two parties as entity positions, or why they are not acceptable."""
    if not isinstance(parties, list) or len(parties) != 2:
        return "a mediation needs the two parties it is between: attributes.parties = [a, b]"
    unknown = [p for p in parties if not isinstance(p, str) or p not in entities]
    if unknown:
        return unknown_entity(unknown[0])
    positions = [entities[p] for p in parties]
    if positions[0] == positions[1]:
        return "the two parties of a mediation must differ"
    return positions


def check_relation(record: RelationRecord, known: Known) -> tuple[CheckedRelation | None, list[Violation]]:
    """The checks a parsed relation must pass against what exists; the relation resolved, or why not."""
    problems: list[Violation] = []
    if known.relation_taken(record.id):
        problems.append(Violation("id", f"duplicate relation id {record.id!r}"))
    ends = {}
    for end in ("source", "target"):
        ref = getattr(record, end)
        if ref not in known.entities:
            problems.append(Violation(end, unknown_entity(ref)))
        ends[end] = known.entities.get(ref, -1)
    if message := end_before_start(record.start, record.end):
        problems.append(Violation("end", message))
    attributes = dict(record.attributes)
    if record.type in MEDIATION_TYPES:
        parties = check_parties(attributes.get("parties"), known.entities)
        if isinstance(parties, str):
            problems.append(Violation("attributes.parties", parties))
        else:
            attributes["parties"] = [known.entity_ids[p] for p in parties]
    for item in record.evidence:
        if item.source_id not in known.sources:
            problems.append(Violation("evidence", unknown_source(item.source_id)))
    problems += _whole_graph_problems(record, attributes, ends["target"], known)
    if problems:
        return None, problems
    return CheckedRelation(record, ends["source"], ends["target"], attributes), []


def _whole_graph_problems(
    record: RelationRecord, attributes: dict[str, Any], target: int, known: Known
) -> list[Violation]:
    """The rules ``integrity.py`` checks over a whole dataset at load, for one relation (when ``known``
    gives what they need: a write does, the loader checks them once all is read)."""
    problems = [] if known.relation_exists is None else response_problems(attributes, known.relation_exists)
    if known.event_at is not None and record.type == "participant" and target >= 0:
        event = known.event_at(target)
        if event is not None:
            event_start, event_end, _ = event_dates(event)
            problems += participation_problems(record.start, record.end, event.id, event_start, event_end)
    return problems


def check_entity(entity: EntityRecord, known_ids: Container[str]) -> list[Violation]:
    """Attributes that name other entities (a person's affiliation, a state's capital) must name known ones."""
    problems = event_dates(entity)[2] if entity.kind == "event" else []
    for attribute in ENTITY_REFERENCE_ATTRIBUTES:
        ref = entity.attributes.get(attribute)
        if ref is not None and ref not in known_ids:
            problems.append(Violation(f"attributes.{attribute}", unknown_entity(ref)))
    return problems

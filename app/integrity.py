"""Rules that need the whole dataset at once: one record per id, events that end, links that resolve.

- **One fact, one record.** An id names one thing: no relation may share an id with an entity.
- **Events end.** An event entity's ``attributes.start`` and ``attributes.end`` are partial dates,
  the end not before the start; an event without ``end`` is ongoing (a one-day event has
  ``end`` = ``start``). A ``participant`` relation in an event that ended must end too, no later
  than the event, and cannot start before it: otherwise it would be "in force" on every later date.
- **Links resolve.** ``attributes.in_response_to`` (one relation id or a list) names relations that exist.

Problems are reported through ``report(file, entry, field, message)``; ``where`` maps an id to the
file and entry it came from (``("relations", id)`` -> ``(file, entry)``, for YAML), else the problem
names the collection and the id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .records import EntityRecord
from .store import TYPE_CODE, RelationTable
from .temporal import DateError, PartialDate, parse_date

__all__ = ["check_integrity"]

Report = Callable[[str, str, str, str], None]


def check_integrity(entities: Sequence[EntityRecord], table: RelationTable, report: Report,
                    where: Mapping[tuple[str, str], tuple[str, str]]) -> None:
    """Report every breach of the rules above."""

    def at(collection: str, item_id: str) -> tuple[str, str]:
        return where.get((collection, item_id), (collection, item_id))

    for clash in table.position.found_among([entity.id for entity in entities]):
        report(*at("relations", clash), "id",
               f"{clash!r} is also the id of an entity; ids are unique across entities and relations")
    ends = _event_periods(entities, lambda e, field, message: report(*at("entities", e), field, message))
    _check_participations(entities, table, ends, lambda r, field, message: report(*at("relations", r), field, message))
    _check_responses(table, lambda r, field, message: report(*at("relations", r), field, message))


def _event_periods(entities: Sequence[EntityRecord],
                   report: Callable[[str, str, str], None]) -> dict[int, tuple[PartialDate | None, PartialDate | None]]:
    """Per event entity position: its start and end (None when not given or not a date)."""
    found: dict[int, tuple[PartialDate | None, PartialDate | None]] = {}
    for position, entity in enumerate(entities):
        if entity.kind != "event":
            continue
        dates: dict[str, PartialDate | None] = {}
        for field in ("start", "end"):
            value = entity.attributes.get(field)
            dates[field] = None
            if value is None:
                continue
            try:
                dates[field] = parse_date(str(value))
            except DateError as exc:
                report(entity.id, f"attributes.{field}", str(exc))
        start, end = dates["start"], dates["end"]
        if start and end and end.hi < start.lo:
            report(entity.id, "attributes.end", f"{end} is before start {start}")
        found[position] = (start, end)
    return found


def _check_participations(entities: Sequence[EntityRecord], table: RelationTable,
                          events: Mapping[int, tuple[PartialDate | None, PartialDate | None]],
                          report: Callable[[str, str, str], None]) -> None:
    participations = np.flatnonzero(table.type == TYPE_CODE["participant"])
    for position in participations[np.isin(table.target[participations], list(events))].tolist():
        event = int(table.target[position])
        start, end = events[event]
        relation_id, name = table.ids[position], entities[event].id
        relation_end = table.end_text(position)
        if end is not None and relation_end is None:
            report(relation_id, "end", f"the event {name!r} ended in {end}; a participation in it ends when it does "
                                       f"(end: \"{end}\" or earlier)")
        elif end is not None and int(table.hi[position]) > end.hi:
            report(relation_id, "end", f"{relation_end} is after the end of the event {name!r} ({end})")
        relation_start = table.start_text(position)
        if start is not None and relation_start is not None and parse_date(relation_start).hi < start.lo:
            report(relation_id, "start", f"{relation_start} is before the start of the event {name!r} ({start})")


def _check_responses(table: RelationTable, report: Callable[[str, str, str], None]) -> None:
    for position, attributes in enumerate(table.attributes):
        if attributes is None or "in_response_to" not in attributes:
            continue
        value = attributes["in_response_to"]
        refs = value if isinstance(value, list) else [value]
        for ref in refs:
            if not isinstance(ref, str) or ref not in table.position:
                report(table.ids[position], "attributes.in_response_to", f"unknown relation {ref!r}")

"""Rules that need the whole dataset at once: one record per id, events that end, links that resolve.

- **One fact, one record.** An id names one thing: no relation may share an id with an entity.
- **Events end.** An event entity's ``attributes.start`` and ``attributes.end`` are partial dates,
  the end not before the start; an event without ``end`` is ongoing (a one-day event has
  ``end`` = ``start``). A ``participant`` relation in an event that ended must end too, no later
  than the event, and cannot start before it: otherwise it would be "in force" on every later date.
- **Links resolve.** ``attributes.in_response_to`` (one relation id or a list) names relations that exist.

Problems are reported through ``report(file, entry, field, message)``; ``where`` maps an id to the
file and entry it came from (``("relations", id)`` -> ``(file, entry)``, for YAML), else the problem
names the collection and the id. The rules themselves are in ``rules.py`` (a write checks them for the
one relation it makes); this module applies them to a whole dataset with its indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import rules
from .records import EntityRecord
from .store import TYPE_CODE, RelationTable
from .temporal import PartialDate

__all__ = ["check_integrity"]

Report = Callable[[str, str, str, str], None]


def check_integrity(
    entities: Sequence[EntityRecord],
    table: RelationTable,
    report: Report,
    where: Mapping[tuple[str, str], tuple[str, str]],
) -> None:
    """Report every breach of the rules above."""

    def at(collection: str, item_id: str) -> tuple[str, str]:
        return where.get((collection, item_id), (collection, item_id))

    for clash in table.position.found_among([entity.id for entity in entities]):
        report(
            *at("relations", clash),
            "id",
            f"{clash!r} is also the id of an entity; ids are unique across entities and relations",
        )
    ends = _event_periods(entities)
    _check_participations(entities, table, ends, lambda r, field, message: report(*at("relations", r), field, message))
    _check_responses(table, lambda r, field, message: report(*at("relations", r), field, message))


def _event_periods(entities: Sequence[EntityRecord]) -> dict[int, tuple[PartialDate | None, PartialDate | None]]:
    """Per event entity position: its start and end (None when not given or not a date; the loader's
    ``rules.check_entity`` reports why)."""
    return {
        position: rules.event_dates(entity)[:2] for position, entity in enumerate(entities) if entity.kind == "event"
    }


def _check_participations(
    entities: Sequence[EntityRecord],
    table: RelationTable,
    events: Mapping[int, tuple[PartialDate | None, PartialDate | None]],
    report: Callable[[str, str, str], None],
) -> None:
    participations = np.flatnonzero(table.type == TYPE_CODE["participant"])
    for position in participations[np.isin(table.target[participations], list(events))].tolist():
        event = int(table.target[position])
        for problem in rules.participation_problems(
            table.start_text(position), table.end_text(position), entities[event].id, *events[event]
        ):
            report(table.ids[position], problem.field, problem.message)


def _check_responses(table: RelationTable, report: Callable[[str, str, str], None]) -> None:
    for position, attributes in enumerate(table.attributes):
        if attributes is not None:
            for problem in rules.response_problems(attributes, table.position.__contains__):
                report(table.ids[position], problem.field, problem.message)

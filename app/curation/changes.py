"""Changes to the graph: drafted from a request, checked by the rulebook, applied to the tape.

A change is a ``Draft``: an object (entity or relation, by id) going from one
whole version (``before``, None for a creation) to another (``after``, None for
a retraction). Writes, replay at start-up and catching up with other servers
all apply drafts through ``apply``, which runs the rulebook: what the journal
holds is applied exactly as it was accepted, and a dataset changed since that
breaks a journaled change is reported, not skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .. import rules
from ..errors import Conflict, InvalidObject, UnknownEntity, UnknownRelation
from ..graph import KnowledgeGraph
from ..records import EntityRecord, RelationRecord
from ..store import TYPE_CODE, RelationTable
from ..tape import NEVER, Tape

__all__ = [
    "Draft",
    "Kind",
    "apply",
    "draft_create",
    "draft_retract",
    "draft_revert",
    "draft_update",
    "record_of",
    "version_of",
]

Kind = Literal["entity", "relation"]
_FIXED = ("id",)


@dataclass(frozen=True)
class Draft:
    op: str
    kind: Kind
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reverts: int | None = None


def record_of(kg: KnowledgeGraph, kind: Kind, position: int) -> dict[str, Any]:
    """The stored fields of an entity or relation (no derived ones), as the journal keeps versions."""
    if kind == "entity":
        return kg.entity(position).model_dump(mode="json")
    return relation_record(kg.relations, kg.entity_ids, position)


def relation_record(table: RelationTable, entity_ids: Sequence[str], position: int) -> dict[str, Any]:
    record = {
        "id": table.ids[position],
        "type": table.type_id(position),
        "source": entity_ids[int(table.source[position])],
        "target": entity_ids[int(table.target[position])],
        "start": table.start_text(position),
        "end": table.end_text(position),
        "polarity": table.polarity_name(position),
        "description": table.description(position),
        "evidence": [{"source_id": s, "locator": loc} for s, loc in table.evidence(position)],
        "attributes": dict(table.attributes[position] or {}),
        "note": table.notes.get(position),
    }
    return RelationRecord.model_validate(record).model_dump(mode="json")


def current(tape: Tape, kind: Kind, object_id: str) -> dict[str, Any] | None:
    """The version in force of an object, in the writer's view (a batch sees its own changes)."""
    if kind == "entity":
        position = tape.entity_positions.get(object_id)
        return None if position is None else tape.entities[position].model_dump(mode="json")
    position = tape.position_of(object_id)
    return None if position is None else relation_record(tape.table(tape.rows), rules.IdsOf(tape.entities), position)


def version_of(tape: Tape, kind: Kind, object_id: str) -> int | None:
    """The sequence number of the change that made the current version (0: the dataset files), or None."""
    if kind == "entity":
        position = tape.entity_positions.get(object_id)
        return None if position is None else tape.entity_version(position, tape.seq)
    position = tape.position_of(object_id)
    return None if position is None else int(tape.recorded[position])


def _body_id(raw: dict[str, Any]) -> str:
    object_id = raw.get("id")
    if not isinstance(object_id, str) or not object_id:
        raise InvalidObject([("id", "Field required: a string id")])
    return object_id


def draft_create(tape: Tape, kg: KnowledgeGraph, kind: Kind, raw: dict[str, Any]) -> Draft:
    object_id = _body_id(raw)
    # One fact, one record: ids are unique across entities and relations (app/integrity.py), and a
    # retracted relation's id stays its own (its history; restore it with a revert).
    relation_taken = tape.position_of(object_id) is not None or object_id in tape.retired
    entity_taken = object_id in tape.entity_positions
    if relation_taken or entity_taken:
        holder = "relation" if relation_taken else "entity"
        raise Conflict(
            f"the {kind} id {object_id!r} is taken (by a{'n' if holder == 'entity' else ''} {holder}; "
            "ids are unique across entities and relations)",
            field="id",
            id=object_id,
        )
    return Draft("create", kind, object_id, None, _normalized(kind, raw))


def draft_update(tape: Tape, kg: KnowledgeGraph, kind: Kind, object_id: str, patch: dict[str, Any]) -> Draft:
    before = _existing(tape, kg, kind, object_id)
    for name in _FIXED:
        if name in patch and patch[name] != object_id:
            raise InvalidObject([(name, "cannot be changed (make a new object and retract this one)")])
    return Draft("update", kind, object_id, before, _normalized(kind, {**before, **patch}))


def draft_retract(tape: Tape, kg: KnowledgeGraph, object_id: str) -> Draft:
    return Draft("retract", "relation", object_id, _existing(tape, kg, "relation", object_id), None)


def draft_revert(tape: Tape, kg: KnowledgeGraph, change: Any) -> Draft:
    """The change that undoes journal entry ``change``, if the object is still as that change left it."""
    kind: Kind = change.kind
    now = current(tape, kind, change.target)
    if now != change.after:
        raise Conflict(
            f"change {change.seq} cannot be reverted: {change.kind} {change.target!r} has changed "
            "since (revert the later changes first)",
            seq=change.seq,
        )
    if kind == "entity" and change.before is None:
        raise Conflict(
            f"change {change.seq} created entity {change.target!r}: entities are not deleted; "
            "retract its relations instead",
            seq=change.seq,
        )
    return Draft("revert", kind, change.target, change.after, change.before, reverts=change.seq)


def _normalized(kind: Kind, raw: dict[str, Any]) -> dict[str, Any]:
    """Every field of the version, defaults filled in, as the journal keeps it (if it parses at all:
    if not, ``apply`` reports why)."""
    record, _ = rules.parse(EntityRecord if kind == "entity" else RelationRecord, raw)
    return record.model_dump(mode="json") if record is not None else dict(raw)


def _existing(tape: Tape, kg: KnowledgeGraph, kind: Kind, object_id: str) -> dict[str, Any]:
    found = current(tape, kind, object_id)
    if found is None:
        raise UnknownEntity(object_id, []) if kind == "entity" else UnknownRelation(object_id)
    return found


def apply(tape: Tape, draft: Draft, seq: int) -> int | None:
    """Check ``draft.after`` by the rulebook and make it the object's version at ``seq``; its position."""
    if draft.kind == "entity":
        return _apply_entity(tape, draft, seq)
    if draft.after is None and (answers := _answered_by(tape, draft.target)):
        raise Conflict(
            f"relation {draft.target!r} is answered by {', '.join(map(repr, answers))} (attributes.in_response_to): "
            "retract those, or change what they answer, first",
            id=draft.target,
            answered_by=answers,
        )
    old = tape.position_of(draft.target)
    if draft.before is not None and old is not None:
        tape.retract(old, seq)
    if draft.after is None:
        tape.retire(draft.target)
        return None
    record, violations = rules.parse(RelationRecord, draft.after)
    checked = None
    if record is not None:
        known = rules.Known(
            entities=tape.entity_positions,
            entity_ids=rules.IdsOf(tape.entities),
            sources=tape.origin.graph.sources,
            relation_taken=lambda taken: tape.position_of(taken) is not None,
            relation_exists=lambda ref: tape.position_of(ref) is not None,
            event_at=lambda position: event if (event := tape.entities[position]).kind == "event" else None,
        )
        checked, violations = rules.check_relation(record, known)
    if checked is None:
        raise InvalidObject([(v.field, v.message) for v in violations])
    return tape.append(checked, seq)


def _answered_by(tape: Tape, relation_id: str) -> list[str]:
    """The relations in force whose ``attributes.in_response_to`` names ``relation_id``: a link must resolve
    (``app/integrity.py``), so what they answer is not retracted under them. One pass over the attributes,
    on a retraction only."""
    rows, retracted = tape.rows, tape.retracted
    table = tape.table(rows)
    return [
        table.ids[position]
        for position, attributes in enumerate(table.attributes[:rows])
        if attributes is not None
        and "in_response_to" in attributes
        and retracted[position] == NEVER
        and relation_id in _as_list(attributes["in_response_to"])
    ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _apply_entity(tape: Tape, draft: Draft, seq: int) -> int:
    record, violations = rules.parse(EntityRecord, draft.after)
    if record is not None:
        violations = rules.check_entity(record, tape.entity_positions) or _outlived_by_participations(tape, record)
    if record is None or violations:
        raise InvalidObject([(v.field, v.message) for v in violations])
    return tape.put_entity(record, seq)


def _outlived_by_participations(tape: Tape, event: EntityRecord) -> list[rules.Violation]:
    """An event's new dates still hold the participations in it (events end: ``app/integrity.py``).

    A participation is checked when written (``rules.check_relation``); this is the other side, an
    event made shorter or later under participations already recorded.
    """
    position = tape.entity_positions.get(event.id)
    event_start, event_end, _ = rules.event_dates(event) if event.kind == "event" else (None, None, [])
    if position is None or (event_start is None and event_end is None):
        return []
    table = tape.table(tape.rows)
    live = tape.retracted[: tape.rows] == NEVER
    participations = np.flatnonzero(live & (table.type == TYPE_CODE["participant"]) & (table.target == position))
    return [
        rules.Violation(f"attributes.{problem.field}", f"participation {table.ids[p]!r}: {problem.message}")
        for p in participations.tolist()
        for problem in rules.participation_problems(
            table.start_text(p), table.end_text(p), event.id, event_start, event_end
        )
    ]

"""Entities and relations as plain, JSON-ready dicts (the shape of the REST answers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..graph import KnowledgeGraph
from ..store import POLARITY_NAME, PRECISIONS, TYPE_IDS
from ..temporal import ordinal_text

__all__ = ["entity_view", "relation_view", "relation_views"]


def entity_view(kg: KnowledgeGraph, position: int) -> dict[str, Any]:
    entity = kg.entity(position)
    return {
        "id": entity.id,
        "name": entity.name,
        "kind": entity.kind,
        "aliases": list(entity.aliases),
        "attributes": entity.attributes,
        "note": entity.note,
    }


def relation_view(kg: KnowledgeGraph, position: int) -> dict[str, Any]:
    return relation_views(kg, [position])[0]


def relation_views(kg: KnowledgeGraph, positions: Iterable[int] | np.ndarray) -> list[dict[str, Any]]:
    """Relations as dicts; columns are read for all of them at once (one NumPy access per column)."""
    at = np.asarray(positions, dtype=np.int64)
    if not len(at):
        return []
    table, entities = kg.relations, kg.entities
    ids, locators = table.ids.raw[at].tolist(), table.locators.raw[at].tolist()
    rows = zip(
        at.tolist(), table.source[at].tolist(), table.target[at].tolist(), table.type[at].tolist(),
        table.lo[at].tolist(), table.hi[at].tolist(), table.start_precision[at].tolist(),
        table.end_precision[at].tolist(), table.polarity[at].tolist(), table.is_state[at].tolist(),
        table.evidence_source[at].tolist(), ids, locators, strict=True,
    )
    views = []
    for position, source_at, target_at, type_code, lo, hi, first, last, polarity, state, cited, id_, locator in rows:
        source, target = entities[source_at], entities[target_at]
        type_id = TYPE_IDS[type_code]
        attributes = table.attributes[position] or {}
        evidence = [] if cited < 0 else [{"source_id": table.sources[cited], "locator": locator.decode()}]
        evidence += [{"source_id": s, "locator": loc} for s, loc in table.more_evidence.get(position, ())]
        views.append({
            "id": id_.decode(),
            "type": type_id,
            "source": source.id,
            "target": target.id,
            "start": ordinal_text(lo, PRECISIONS[first]) if first else None,
            "end": ordinal_text(hi, PRECISIONS[last]) if last else None,
            "polarity": POLARITY_NAME[polarity],
            "description": table.descriptions.get(position)
            or _describe(source.name, target.name, type_id, attributes),
            "evidence": evidence,
            "attributes": attributes,
            "kind": "state" if state else "event",
            "note": table.notes.get(position),
        })
    return views


def _describe(source: str, target: str, type_id: str, attributes: dict[str, Any]) -> str:
    """A description for event data, which comes without one."""
    what = attributes.get("event") or type_id.replace("_", " ")
    return f"{source} → {target}: {what}"

"""Entities and relations as plain, JSON-ready dicts (the shape of the REST answers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..graph import KnowledgeGraph

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
    table = kg.relations
    source = kg.entities[table.source[position]]
    target = kg.entities[table.target[position]]
    type_id = table.type_id(position)
    attributes = table.attributes[position] or {}
    description = table.description(position) or _describe(source.name, target.name, type_id, attributes)
    return {
        "id": table.ids[position],
        "type": type_id,
        "source": source.id,
        "target": target.id,
        "start": table.start_text(position),
        "end": table.end_text(position),
        "polarity": table.polarity_name(position),
        "description": description,
        "evidence": [{"source_id": s, "locator": loc} for s, loc in table.evidence(position)],
        "attributes": attributes,
        "kind": "state" if table.is_state[position] else "event",
        "note": table.notes.get(position),
    }


def relation_views(kg: KnowledgeGraph, positions: Iterable[int]) -> list[dict[str, Any]]:
    return [relation_view(kg, int(p)) for p in positions]


def _describe(source: str, target: str, type_id: str, attributes: dict[str, Any]) -> str:
    """A description for event data, which comes without one."""
    what = attributes.get("event") or type_id.replace("_", " ")
    return f"{source} → {target}: {what}"

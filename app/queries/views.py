"""Entities and relations as plain, JSON-ready dicts: the records the answers and exports are made of.

Their shape is declared once, at the API layer: ``EntityOut`` and ``RelationOut`` in
``app/api/schemas.py``, from which the OpenAPI document is made. They are built here as dicts, not as
model instances, because list routes render up to a thousand relations a request: 1000 relations
rendered here and serialised by orjson take 3.5 ms, as pydantic models 16 ms (this machine), more than
most queries. ``tests/test_response_shapes.py`` holds every view of three datasets, and every read
route's answer, to the models field by field (keys, types, required), so the two cannot drift.

They sit in the query layer, not the API's, because the exports (``io/flat.py``) and the NetworkX graph
(``networkx_graph.py``) carry the same records.
"""

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
    """Relations as dicts; columns are read for all of them at once (one NumPy access per column).

    This is the hottest loop of the service (every relation a route returns passes through it), so
    what it reads per row is bound to locals first.
    """
    at = np.asarray(positions, dtype=np.int64)
    if not len(at):
        return []
    table, ids, names = kg.relations, kg.entity_ids, kg.entity_names
    attributes_of, sources = table.attributes, table.sources
    description_of, note_of, more_evidence_of = table.descriptions.get, table.notes.get, table.more_evidence.get
    rows = zip(
        at.tolist(),
        table.source[at].tolist(),
        table.target[at].tolist(),
        table.type[at].tolist(),
        table.lo[at].tolist(),
        table.hi[at].tolist(),
        table.start_precision[at].tolist(),
        table.end_precision[at].tolist(),
        table.polarity[at].tolist(),
        table.is_state[at].tolist(),
        table.evidence_source[at].tolist(),
        table.ids.raw[at].tolist(),
        table.locators.raw[at].tolist(),
        strict=True,
    )
    views = []
    for position, source, target, type_code, lo, hi, first, last, polarity, state, cited, id_, locator in rows:
        type_id = TYPE_IDS[type_code]
        attributes = attributes_of[position] or {}
        evidence = [] if cited < 0 else [{"source_id": sources[cited], "locator": locator.decode()}]
        if more := more_evidence_of(position):
            evidence += [{"source_id": s, "locator": loc} for s, loc in more]
        description = description_of(position)
        if not description:
            description = _describe(names[source], names[target], type_id, attributes)
        views.append(
            {
                "id": id_.decode(),
                "type": type_id,
                "source": ids[source],
                "target": ids[target],
                "start": ordinal_text(lo, PRECISIONS[first]) if first else None,
                "end": ordinal_text(hi, PRECISIONS[last]) if last else None,
                "polarity": POLARITY_NAME[polarity],
                "description": description,
                "evidence": evidence,
                "attributes": attributes,
                "kind": "state" if state else "event",
                "note": note_of(position),
            }
        )
    return views


def _describe(source: str, target: str, type_id: str, attributes: dict[str, Any]) -> str:
    """A description for event data, which comes without one."""
    what = attributes.get("event") or type_id.replace("_", " ")
    return f"{source} → {target}: {what}"

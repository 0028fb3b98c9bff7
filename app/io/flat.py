"""The flat records every export format carries: one dict of scalars per node and per edge.

A column means the same thing in every format: node ``name``, ``kind``, ``aliases`` (joined with
``|``), ``note``; edge ``type``, ``start``, ``end``, ``polarity``, ``description``, ``kind``,
``evidence`` (``source_id:locator;...``), ``note``; each attribute as ``attr_<name>``, numbers
and booleans kept, lists and dicts JSON-encoded, ``None`` left out, a name whose values mix
types as text (ints and floats mixed: float). Absent text is ``""``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import KnowledgeGraph
from ..queries.views import entity_view, relation_view

__all__ = ["EDGE_FIELDS", "NODE_FIELDS", "Scalar", "Selection", "field_types"]

Scalar = str | int | float | bool
NODE_FIELDS = ("name", "kind", "aliases", "note")
EDGE_FIELDS = ("type", "start", "end", "polarity", "description", "kind", "evidence", "note")


@dataclass
class Selection:
    """The nodes and edges of an export, as flat records."""

    kg: KnowledgeGraph
    node_positions: np.ndarray
    edge_positions: np.ndarray
    node_fields: dict[str, type] = field(default_factory=dict)
    edge_fields: dict[str, type] = field(default_factory=dict)

    def nodes(self) -> Iterator[tuple[str, dict[str, Scalar]]]:
        for position in self.node_positions.tolist():
            view = entity_view(self.kg, position)
            record: dict[str, Scalar] = {
                "name": view["name"],
                "kind": view["kind"],
                "aliases": "|".join(view["aliases"]),
                "note": view["note"] or "",
            }
            record.update(_flat_attributes(view["attributes"], self.node_fields))
            yield view["id"], record

    def edges(self) -> Iterator[tuple[str, str, str, dict[str, Scalar]]]:
        for position in self.edge_positions.tolist():
            view = relation_view(self.kg, position)
            evidence = ";".join(f"{e['source_id']}:{e['locator']}" for e in view["evidence"])
            record: dict[str, Scalar] = {
                "type": view["type"],
                "start": view["start"] or "",
                "end": view["end"] or "",
                "polarity": view["polarity"],
                "description": view["description"],
                "kind": view["kind"],
                "evidence": evidence,
                "note": view["note"] or "",
            }
            record.update(_flat_attributes(view["attributes"], self.edge_fields))
            yield view["id"], view["source"], view["target"], record


def _flat(value: Any) -> Scalar:
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str | int):  # bool is an int
        return value
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)  # dates read by YAML, and the like


def field_types(dicts: Iterable[dict[str, Any] | None]) -> dict[str, type]:
    """The type each ``attr_`` field takes across the records (attribute dicts are often shared)."""
    seen: dict[str, set[type]] = {}
    done: set[int] = set()
    for attributes in dicts:
        if not attributes or id(attributes) in done:
            continue
        done.add(id(attributes))
        for name, value in attributes.items():
            if value is not None:
                seen.setdefault(f"attr_{name}", set()).add(type(_flat(value)))
    merged = {
        name: kinds.pop() if len(kinds) == 1 else float if kinds <= {int, float} else str
        for name, kinds in seen.items()
    }
    return dict(sorted(merged.items()))


def _flat_attributes(attributes: dict[str, Any], types: dict[str, type]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for name, value in attributes.items():
        if value is not None:
            key, flat = f"attr_{name}", _flat(value)
            kind = types[key]
            out[key] = flat if type(flat) is kind else float(flat) if kind is float else json.dumps(flat)
    return out

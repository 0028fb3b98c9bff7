"""Who mediated, or offered to, between two parties."""

from __future__ import annotations

import numpy as np

from ..graph import KnowledgeGraph, dyad_key
from .filters import RelationFilter, apply

__all__ = ["mediators"]


def mediators(kg: KnowledgeGraph, a: int, b: int, *, flt: RelationFilter | None = None) -> list[tuple[int, list[int]]]:
    """Mediators between ``a`` and ``b`` (either order) with their relations, earliest first.

    A mediation is listed under its source and under each entity the source acted for that day
    (``membership.py``): an offer a foreign minister made is his and his state's, stored once.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> found = mediators(kg, kg.resolve("Israel"), kg.resolve("Turkey"))
    >>> [(kg.entity(m).id, len(relations)) for m, relations in found]
    [('jeyhun-bayramov', 1), ('azerbaijan', 2), ('hikmet-hajiyev', 1)]
    """
    positions = np.asarray(kg.mediations.get(dyad_key(a, b), []), dtype=np.int32)
    if flt is not None:
        positions = apply(kg, positions, flt)
    table = kg.relations
    positions = positions[np.argsort(table.lo[positions], kind="stable")]
    grouped: dict[int, list[int]] = {}
    for position in positions.tolist():
        source = int(table.source[position])
        for mediator in (source, *kg.membership.owners_on(source, int(table.lo[position]))):
            if mediator not in (a, b):
                grouped.setdefault(mediator, []).append(position)
    return list(grouped.items())

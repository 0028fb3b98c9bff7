"""Who mediated, or offered to, between two parties."""

from __future__ import annotations

import numpy as np

from ..graph import KnowledgeGraph, dyad_key
from .filters import RelationFilter, apply

__all__ = ["mediators"]


def mediators(
    kg: KnowledgeGraph, a: int, b: int, *, flt: RelationFilter | None = None
) -> list[tuple[int, list[int]]]:
    """Mediators between ``a`` and ``b`` (either order) with their relations, earliest first.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> found = mediators(kg, kg.resolve("Israel"), kg.resolve("Turkey"))
    >>> "azerbaijan" in [kg.entity(m).id for m, _ in found] or "jeyhun-bayramov" in [kg.entity(m).id for m, _ in found]
    True
    """
    positions = np.asarray(kg.mediations.get(dyad_key(a, b), []), dtype=np.int32)
    if flt is not None:
        positions = apply(kg, positions, flt)
    table = kg.relations
    positions = positions[np.argsort(table.lo[positions], kind="stable")]
    grouped: dict[int, list[int]] = {}
    for position in positions.tolist():
        grouped.setdefault(int(table.source[position]), []).append(position)
    return list(grouped.items())

"""Who is within one to three steps of an entity, optionally as of a date or by type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import KnowledgeGraph
from .filters import RelationFilter, apply

__all__ = ["Neighborhood", "neighborhood", "neighborhood_relations"]


@dataclass(frozen=True, slots=True)
class Neighborhood:
    center: int
    nodes: list[tuple[int, int]]  # (entity position, distance), BFS order
    dyads: list[tuple[int, int]]  # the dyads the search went through
    truncated: bool


def neighborhood(
    kg: KnowledgeGraph, center: int, *, depth: int = 1, flt: RelationFilter | None = None, limit: int = 1000
) -> Neighborhood:
    """Breadth-first neighbourhood, stopping once ``limit`` nodes are found.

    The work done is proportional to the answer: as of a date, each entity's
    neighbours are a prefix of its adjacency (sorted by the day each dyad
    began), checked one by one only where a dyad holds states or a type filter
    applies.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> hood = neighborhood(kg, kg.resolve("Hikmet Hajiyev"), depth=1)
    >>> "ilham-aliyev" in [kg.entity(p).id for p, _ in hood.nodes]
    True
    """
    flt = flt or RelationFilter()
    seen = {center: 0}
    nodes: list[tuple[int, int]] = [(center, 0)]
    dyads: dict[tuple[int, int], None] = {}
    frontier = [center]
    truncated = False
    for distance in range(1, depth + 1):
        following: list[int] = []
        for node in frontier:
            for other in _neighbours(kg, node, flt):
                if other in seen:
                    dyads[(node, other) if node <= other else (other, node)] = None
                    continue
                if len(nodes) >= limit:
                    truncated = True
                    break
                seen[other] = distance
                nodes.append((other, distance))
                dyads[(node, other) if node <= other else (other, node)] = None
                following.append(other)
            if truncated:
                break
        frontier = following
        if truncated or not frontier:
            break
    return Neighborhood(center, nodes, list(dyads), truncated)


def _neighbours(kg: KnowledgeGraph, node: int, flt: RelationFilter) -> list[int]:
    others, first, stateful = kg.adjacency.get(node, (_EMPTY, _EMPTY, _NONE))
    if flt.as_of is not None:
        cut = int(np.searchsorted(first, flt.as_of.hi, side="right"))
        others, stateful = others[:cut], stateful[:cut]
    if flt.types is None and flt.window is None and not stateful.any():
        return others.tolist()  # type: ignore[no-any-return]
    check = stateful if flt.types is None and flt.window is None else np.ones(len(others), dtype=bool)
    return [
        int(other) for other, exact in zip(others.tolist(), check.tolist(), strict=True)
        if not exact or len(apply(kg, kg.dyad_relations(node, other), flt))
    ]


def neighborhood_relations(
    kg: KnowledgeGraph, hood: Neighborhood, *, flt: RelationFilter | None = None, limit: int = 1000
) -> tuple[list[int], bool]:
    """The relations passing ``flt`` on the dyads of a neighbourhood, at most ``limit``."""
    flt = flt or RelationFilter()
    found: list[int] = []
    for u, v in hood.dyads:
        kept = apply(kg, kg.dyad_relations(u, v), flt).tolist()
        if len(found) + len(kept) > limit:
            found.extend(kept[: limit - len(found)])
            return found, True
        found.extend(kept)
    return found, False


_EMPTY = np.empty(0, dtype=np.int32)
_NONE = np.empty(0, dtype=bool)

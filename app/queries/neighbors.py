"""Who is within one to three steps of an entity, optionally as of a date or by type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..budget import UNLIMITED, Budget
from ..graph import KnowledgeGraph
from .filters import RelationFilter, apply, passes

__all__ = ["Neighborhood", "neighborhood", "neighborhood_relations"]


@dataclass(frozen=True, slots=True)
class Neighborhood:
    center: int
    nodes: list[tuple[int, int]]  # (entity position, distance), breadth-first order
    parents: list[int]  # for each node, the node it was reached from (-1 for the center)
    truncated: bool
    depth: int  # as asked: nodes at this distance were not expanded


def neighborhood(
    kg: KnowledgeGraph,
    center: int,
    *,
    depth: int = 1,
    flt: RelationFilter | None = None,
    limit: int = 1000,
    budget: Budget = UNLIMITED,
) -> Neighborhood:
    """Breadth-first neighbourhood, stopping once ``limit`` nodes are found.

    Each ring is found in one pass of array operations over the adjacency of
    the previous one (per dyad: the first event day and the span of its state);
    relations are looked at one by one only for a type or window filter, or a
    dyad with several states that might be in force. The answer stops at
    ``limit`` nodes, marked ``truncated``.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> hood = neighborhood(kg, kg.resolve("Hikmet Hajiyev"), depth=1)
    >>> "ilham-aliyev" in [kg.entity(p).id for p, _ in hood.nodes]
    True
    """
    flt = flt or RelationFilter()
    seen = np.zeros(len(kg.entities), dtype=bool)
    seen[center] = True
    scratch = np.empty(len(kg.entities), dtype=np.int64)
    nodes, parents = [(center, 0)], [-1]
    frontier = np.array([center], dtype=np.int32)
    for distance in range(1, depth + 1):
        ring: list[np.ndarray] = []
        # Expand the frontier in growing chunks, so a full answer stops the work early.
        for lo, hi in _chunks(len(frontier)):
            budget.check()
            others, via = _expand(kg, frontier[lo:hi], flt)
            fresh = ~seen[others]
            others, via = others[fresh], via[fresh]
            first = _first_occurrences(others, scratch)  # each new node once, where first reached
            others, via = others[first], via[first]
            room = limit - len(nodes)
            truncated = len(others) > room
            others, via = others[:room], via[:room]
            seen[others] = True
            nodes.extend((other, distance) for other in others.tolist())
            parents.extend(via.tolist())
            ring.append(others)
            if truncated:
                return Neighborhood(center, nodes, parents, True, depth)
        frontier = np.concatenate(ring) if ring else frontier[:0]
        if not len(frontier):
            break
    return Neighborhood(center, nodes, parents, False, depth)


def _chunks(size: int) -> list[tuple[int, int]]:
    bounds, step, at = [], 8, 0
    while at < size:
        bounds.append((at, min(at + step, size)))
        at, step = at + step, step * 2
    return bounds


def _first_occurrences(values: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """Indexes of the first occurrence of each value, in order, without sorting.

    >>> _first_occurrences(np.array([4, 2, 4, 1, 2]), np.empty(5, dtype=np.int64)).tolist()
    [0, 1, 3]
    """
    order = np.arange(len(values))
    scratch[values[::-1]] = order[::-1]  # the earliest index is written last and stays
    return np.flatnonzero(scratch[values] == order)


def _expand(kg: KnowledgeGraph, frontier: np.ndarray, flt: RelationFilter) -> tuple[np.ndarray, np.ndarray]:
    """The neighbours of every frontier node in force under ``flt``, and whom each was reached from.

    All adjacency entries of the frontier are gathered and filtered in one pass of array operations.
    """
    adjacency = kg.adjacency
    at, via = adjacency.entries_of(frontier)
    if flt.as_of is not None:
        on = flt.as_of
        meets = (adjacency.state_lo[at] <= on.hi) & (adjacency.state_hi[at] >= on.lo)
        sure = (adjacency.first_event[at] <= on.hi) | (meets & (adjacency.state_count[at] == 1))
        unsure = ~sure & meets & (adjacency.state_count[at] > 1)
        if unsure.any():
            sure |= _exact(kg, via, at, unsure, RelationFilter(as_of=on))
        at, via = at[sure], via[sure]
    others = adjacency.other[at]
    if flt.types is not None or flt.window is not None:
        keep = _exact(kg, via, at, np.ones(len(at), dtype=bool), flt)
        others, via = others[keep], via[keep]
    return others, via


def _neighbours(kg: KnowledgeGraph, node: int, flt: RelationFilter) -> np.ndarray:
    return _expand(kg, np.array([node], dtype=np.int32), flt)[0]


def _exact(
    kg: KnowledgeGraph, via: np.ndarray, at: np.ndarray, doubtful: np.ndarray, flt: RelationFilter
) -> np.ndarray:
    """Check the doubtful dyads relation by relation, all at once."""
    keep = np.zeros(len(at), dtype=bool)
    rows = np.flatnonzero(doubtful)
    relations, dyad = kg.relations_of_dyads(via[rows], kg.adjacency.other[at[rows]])
    keep[rows[np.unique(dyad[passes(kg, relations, flt)])]] = True
    return keep


def neighborhood_relations(
    kg: KnowledgeGraph,
    hood: Neighborhood,
    *,
    flt: RelationFilter | None = None,
    limit: int = 1000,
    budget: Budget = UNLIMITED,
) -> tuple[list[int], bool]:
    """The relations passing ``flt`` between the nodes of a neighbourhood, at most ``limit``.

    Every dyad between two of its nodes counts, except between two nodes of the outermost ring
    (which were never expanded): the ego network as ``networkx.ego_graph`` sees it, less those.
    """
    flt = flt or RelationFilter()
    depth = hood.depth
    inside = {node: distance for node, distance in hood.nodes}
    found: list[int] = []
    for node, distance in hood.nodes:
        if distance == depth and depth > 0:
            break
        budget.check()
        for other in _neighbours(kg, node, flt).tolist():
            if other not in inside or (inside[other] < distance or (inside[other] == distance and other < node)):
                continue  # outside, or a dyad already counted from the other end
            kept = apply(kg, kg.dyad_relations(node, other), flt).tolist()
            if len(found) + len(kept) > limit:
                found.extend(kept[: limit - len(found)])
                return found, True
            found.extend(kept)
    return found, False

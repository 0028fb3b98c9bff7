"""Paths between two entities: shortest and k shortest simple paths, bounded.

Paths run over the undirected graph of dyads (who is related to whom), keeping
a dyad when one of its relations passes the filter. A search stops at
``max_hops``, at ``k`` paths, and when its time budget is spent; the answer
then says it is incomplete rather than running on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import islice, pairwise

import networkx as nx

from ..graph import KnowledgeGraph
from .filters import RelationFilter, apply

__all__ = ["PathSearch", "find_paths"]


class _OutOfTime(Exception):
    pass


@dataclass(frozen=True, slots=True)
class PathSearch:
    """Paths found, each a list of entity positions with one relation position per hop."""

    paths: list[tuple[list[int], list[int]]] = field(default_factory=list)
    complete: bool = True


def find_paths(
    kg: KnowledgeGraph,
    source: int,
    target: int,
    *,
    max_hops: int = 4,
    k: int = 1,
    flt: RelationFilter | None = None,
    time_budget: float = 2.0,
) -> PathSearch:
    """The ``k`` shortest simple paths of at most ``max_hops`` hops, shortest first.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> found = find_paths(kg, kg.resolve("Benny Gantz"), kg.resolve("Ilham Aliyev"))
    >>> [kg.entity(p).id for p in found.paths[0][0]]
    ['benny-gantz', 'ilham-aliyev']
    """
    flt = flt or RelationFilter()
    if source == target:
        return PathSearch([([source], [])])
    deadline = time.monotonic() + time_budget
    passing: dict[tuple[int, int], int | None] = {}

    def hop_relation(u: int, v: int) -> int | None:
        key = (u, v) if u <= v else (v, u)
        if key not in passing:
            if time.monotonic() > deadline:
                raise _OutOfTime
            kept = apply(kg, kg.dyad_relations(u, v), flt)
            passing[key] = int(kept[-1]) if len(kept) else None
        return passing[key]

    view = nx.subgraph_view(kg.dyads, filter_edge=lambda u, v: hop_relation(u, v) is not None)
    found: list[tuple[list[int], list[int]]] = []
    complete = True
    try:
        if source in view and target in view:
            for nodes in islice(nx.shortest_simple_paths(view, source, target), k):
                if len(nodes) - 1 > max_hops:
                    break
                found.append((nodes, [hop_relation(u, v) for u, v in pairwise(nodes)]))  # type: ignore[misc]
    except nx.NetworkXNoPath:
        pass
    except _OutOfTime:
        complete = False
    return PathSearch(found, complete)

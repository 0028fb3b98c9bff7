"""Paths between two entities: shortest and k shortest simple paths, bounded.

Paths run over the undirected graph of dyads (who is related to whom), keeping
a dyad when one of its relations passes the filter. A search stops at
``max_hops``, at ``k`` paths, and when its time budget is spent; the answer
then says it is incomplete rather than running on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count, pairwise

import networkx as nx
import numpy as np

from ..budget import UNLIMITED, Budget, OutOfTime
from ..graph import KnowledgeGraph
from .filters import RelationFilter, apply

__all__ = ["PathSearch", "find_paths"]


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
    time_respecting: bool = False,
    budget: Budget = UNLIMITED,
) -> PathSearch:
    """The ``k`` shortest simple paths of at most ``max_hops`` hops, shortest first.

    Each hop carries the most recent relation supporting it. With
    ``time_respecting``, only paths whose relations can follow each other in
    time are kept (each starts no earlier than the one before), and each hop
    carries the earliest relation that keeps the path going.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> found = find_paths(kg, kg.resolve("Benny Gantz"), kg.resolve("Ilham Aliyev"))
    >>> [kg.entity(p).id for p in found.paths[0][0]]
    ['benny-gantz', 'ilham-aliyev']
    """
    flt = flt or RelationFilter()
    if source == target:
        return PathSearch([([source], [])])
    found: list[tuple[list[int], list[int]]] = []
    if source not in kg.dyads or target not in kg.dyads:
        return PathSearch(found)
    hops = _Hops(kg, flt, budget)
    try:
        if k == 1 and not time_respecting and flt.is_empty:
            # One breadth-first search on the frozen graph itself: bounded by its size, and fastest.
            nodes = nx.bidirectional_shortest_path(kg.dyads, source, target)
            if len(nodes) - 1 <= max_hops:
                found.append((nodes, hops.latest(nodes)))
        else:
            _simple_paths(kg, source, target, hops, found, max_hops=max_hops, k=k, time_respecting=time_respecting)
    except nx.NetworkXNoPath:
        pass
    except OutOfTime:
        return PathSearch(found, complete=False)
    return PathSearch(found)


class _Hops:
    """The relations that may carry each hop of a search, found once per dyad; every edge the search looks
    at passes through ``allowed``, which reads the budget's clock every 1024 of them."""

    def __init__(self, kg: KnowledgeGraph, flt: RelationFilter, budget: Budget) -> None:
        self.kg, self.flt, self.budget = kg, flt, budget
        self.passing: dict[tuple[int, int], np.ndarray] = {}
        self.seen = count()

    def kept(self, u: int, v: int) -> np.ndarray:
        key = (u, v) if u <= v else (v, u)
        if key not in self.passing:
            self.budget.check()
            self.passing[key] = apply(self.kg, self.kg.dyad_relations(u, v), self.flt)
        return self.passing[key]

    def allowed(self, u: int, v: int) -> bool:
        if next(self.seen) % 1024 == 0:
            self.budget.check()
        return self.flt.is_empty or len(self.kept(u, v)) > 0

    def latest(self, nodes: list[int]) -> list[int]:
        """The most recent relation of each hop."""
        return [int(self.kept(u, v)[-1]) for u, v in pairwise(nodes)]


def _simple_paths(
    kg: KnowledgeGraph,
    source: int,
    target: int,
    hops: _Hops,
    found: list[tuple[list[int], list[int]]],
    *,
    max_hops: int,
    k: int,
    time_respecting: bool,
) -> None:
    """Up to ``k`` shortest simple paths added to ``found`` (kept there if the budget runs out)."""
    view = nx.subgraph_view(kg.dyads, filter_edge=hops.allowed)
    for nodes in nx.shortest_simple_paths(view, source, target):
        if len(nodes) - 1 > max_hops or len(found) == k:
            break
        hops.budget.check()
        carried = _in_time_order(kg, nodes, hops.kept) if time_respecting else hops.latest(nodes)
        if carried is not None:
            found.append((nodes, carried))


def _in_time_order(kg: KnowledgeGraph, nodes: list[int], kept: Callable[[int, int], np.ndarray]) -> list[int] | None:
    """One relation per hop, each starting no earlier than the last, or None if there is none.

    Taking, at each hop, the earliest relation that starts no earlier than the
    one before is optimal: any later choice only narrows the hops that follow.
    """
    starts = kg.relations.lo
    day, hops = -1, []
    for u, v in pairwise(nodes):
        candidates = kept(u, v)
        index = int(starts[candidates].searchsorted(day, side="left"))
        if index == len(candidates):
            return None
        hops.append(int(candidates[index]))
        day = int(starts[candidates[index]])
    return hops

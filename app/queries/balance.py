"""Structural balance of the signed graph of states: "the enemy of my enemy is my friend".

The signed graph holds one sign per dyad of states, on the date ``as_of``:

1. the dyad's status (``status.dyad_status``): polarity ``positive`` gives ``+``, ``negative`` gives ``-``;
2. otherwise (status ``unknown``, ``mixed`` or ``neutral``) the sign of the sum of the polarities
   (+1, 0, -1) of the dyad's relations in force on ``as_of``;
3. a sum of zero leaves the dyad out (no tie).

A *triad* is three states tied pairwise. It is *balanced* when the product of its three signs is
positive (``+++``: three friends; ``+--``: two friends and their common enemy) and *unbalanced*
otherwise (``++-``, ``---``). The balance ratio is balanced / total triads.

Counting is matrix algebra on the signed adjacency ``A`` (+1, -1, 0): ``trace(|A|³)/6`` triads, of
which ``trace(A³)/6`` is balanced minus unbalanced (diagonal entries for one state). Listing walks
the ties in id order and takes the common neighbours of their ends, stopping at ``limit``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import networkx as nx
import numpy as np

from ..budget import UNLIMITED, Budget
from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..temporal import Period
from .status import dyad_polarities

__all__ = ["Balance", "Triad", "TriadCounts", "dyads_in_force", "signed_graph", "signed_ties", "structural_balance"]


@dataclass(frozen=True, slots=True)
class Triad:
    """Three states; ``signs[i]`` is the sign of the tie ``members[i]``-``members[(i + 1) % 3]``."""

    members: tuple[int, int, int]
    signs: tuple[int, int, int]

    @property
    def balanced(self) -> bool:
        return self.signs[0] * self.signs[1] * self.signs[2] > 0


@dataclass(frozen=True, slots=True)
class TriadCounts:
    total: int
    balanced: int

    @property
    def unbalanced(self) -> int:
        return self.total - self.balanced

    @property
    def ratio(self) -> float | None:
        """Balanced / total, or ``None`` when there is no triad."""
        return self.balanced / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Balance:
    graph: nx.Graph  # the signed graph: state positions, edges with ``sign`` +1 or -1
    counts: TriadCounts  # over the whole graph
    focus_counts: TriadCounts | None  # over the triads of the focus state
    triads: list[Triad]  # at most ``limit``; with a focus, only its triads
    truncated: bool


def signed_graph(
    kg: KnowledgeGraph, *, as_of: Period, kind: str | None = "state", budget: Budget = UNLIMITED
) -> nx.Graph:
    """The signed graph of entities of ``kind`` (``None``: all) on ``as_of``, by the rule of this module.

    Nodes are entity positions with at least one signed tie; each edge has ``sign`` +1 or -1 and
    ``weight``, the number of relations in force of that polarity (at least 1). Frozen.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> signs = signed_graph(kg, as_of=parse_period("2022-11"))
    >>> signs.edges[kg.resolve("Azerbaijan"), kg.resolve("Iran")]["sign"]
    -1
    """
    pairs, sign, weight = signed_ties(kg, as_of=as_of, kind=kind, budget=budget)
    graph = nx.Graph()
    graph.add_edges_from(
        (a, b, {"sign": s, "weight": w})
        for (a, b), s, w in zip(pairs.tolist(), sign.tolist(), weight.tolist(), strict=True)
    )
    return nx.freeze(graph)


def signed_ties(
    kg: KnowledgeGraph, *, as_of: Period, kind: str | None = "state", budget: Budget = UNLIMITED
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ties of ``signed_graph`` as arrays: ``(n, 2)`` ends, sign (+1, -1) and weight of each."""
    pairs, dyad, kept = dyads_in_force(kg, as_of=as_of, kind=kind)
    budget.check()
    polarity = kg.relations.polarity[kept]
    positive, negative = (np.bincount(dyad, weights=polarity == p, minlength=len(pairs)) for p in (1, -1))
    sign = dyad_polarities(kg, pairs[:, 0], pairs[:, 1], as_of=as_of).astype(np.int64)
    sign = np.where(sign != 0, sign, np.sign(positive - negative)).astype(np.int64)
    weight = np.maximum(np.where(sign > 0, positive, negative), 1).astype(np.int64)
    tied = sign != 0
    return pairs[tied], sign[tied], weight[tied]


def dyads_in_force(kg: KnowledgeGraph, *, as_of: Period, kind: str | None) -> tuple[np.ndarray, ...]:
    """Dyads of two entities of ``kind`` (``None``: any) with relations in force on ``as_of``.

    Returns the dyads' ends ``(low, high)`` as an ``(n, 2)`` array, and for each relation in force
    between them, its dyad's row and its position.
    """
    table = kg.relations
    size = max(len(kg.entities), 1)
    candidates, starts = _between_kind(kg, kind)
    started = candidates[: starts.searchsorted(as_of.hi, side="right")]  # in force: started by then...
    kept = started[~table.is_state[started] | (table.hi[started] >= as_of.lo)]  # ...and, for states, not over
    source, target = table.source[kept], table.target[kept]
    low, high = np.minimum(source, target).astype(np.int64), np.maximum(source, target).astype(np.int64)
    keys, dyad = np.unique(low * size + high, return_inverse=True)
    return np.stack([keys // size, keys % size], axis=1), dyad, kept


_KIND_RELATIONS: WeakKeyDictionary[KnowledgeGraph, dict[str | None, tuple[np.ndarray, np.ndarray]]] = (
    WeakKeyDictionary()
)
_LOCK = threading.Lock()


def _between_kind(kg: KnowledgeGraph, kind: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Per graph and kind, once: the relations between two different entities of ``kind`` (``None``: any),
    by start, and their start days."""
    with _LOCK:
        found = _KIND_RELATIONS.setdefault(kg, {}).get(kind)
    if found is None:
        table = kg.relations
        selected = np.array([kind is None or e.kind == kind for e in kg.entities] or [False], dtype=bool)
        source, target = table.source[kg.by_time], table.target[kg.by_time]
        positions = kg.by_time[selected[source] & selected[target] & (source != target)]
        found = (positions, table.lo[positions])
        with _LOCK:
            _KIND_RELATIONS[kg][kind] = found
    return found


def structural_balance(
    kg: KnowledgeGraph, *, as_of: Period, focus: int | None = None, limit: int = 100, signs: nx.Graph | None = None
) -> Balance:
    """Balanced and unbalanced triads of states on ``as_of``; with ``focus``, the triads it sits in.

    ``signs`` is ``signed_graph(kg, as_of=as_of)`` when already at hand (the service caches it).

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> found = structural_balance(kg, as_of=parse_period("2022-11"), focus=kg.resolve("Azerbaijan"))
    >>> for triad in found.triads:
    ...     print("-".join(kg.entity(p).id for p in triad.members), triad.signs, triad.balanced)
    azerbaijan-iran-israel (-1, -1, 1) True
    azerbaijan-iran-turkiye (-1, 1, 1) False
    azerbaijan-israel-turkiye (1, 1, 1) True
    """
    if focus is not None and kg.entity(focus).kind != "state":
        raise BadParameter("focus", f"{kg.entity(focus).id!r} is a {kg.entity(focus).kind}, not a state")
    graph = signs if signs is not None else signed_graph(kg, as_of=as_of)
    order = sorted(graph, key=lambda p: kg.entity(p).id)
    rank = {node: index for index, node in enumerate(order)}
    matrix = np.zeros((len(order), len(order)))
    for u, v, sign in graph.edges(data="sign"):
        matrix[rank[u], rank[v]] = matrix[rank[v], rank[u]] = sign
    cubed, cubed_abs = _cube(matrix), _cube(np.abs(matrix))
    counts = _counts(np.trace(cubed_abs) / 6, np.trace(cubed) / 6)
    focus_counts = None
    if focus is not None:
        at = rank.get(focus)
        focus_counts = _counts(cubed_abs[at, at] / 2, cubed[at, at] / 2) if at is not None else TriadCounts(0, 0)
    triads: list[Triad] = []
    for triad in _triads(graph, order, rank, focus):
        if len(triads) == limit:
            return Balance(graph, counts, focus_counts, triads, True)
        triads.append(triad)
    return Balance(graph, counts, focus_counts, triads, False)


def _cube(matrix: np.ndarray) -> np.ndarray:
    return matrix @ matrix @ matrix  # type: ignore[no-any-return]


def _counts(total: float, balance: float) -> TriadCounts:
    """From the number of triads and balanced minus unbalanced (exact integers held as floats)."""
    total_, difference = round(total), round(balance)
    return TriadCounts(total_, (total_ + difference) // 2)


def _triads(graph: nx.Graph, order: list[int], rank: dict[int, int], focus: int | None) -> Iterator[Triad]:
    """Triads in id order of their members (the focus first when given); members in id order after it."""
    firsts = [focus] if focus is not None else order
    for u in firsts:
        if u not in graph:
            continue
        later = sorted((v for v in graph[u] if focus is not None or rank[v] > rank[u]), key=rank.__getitem__)
        for v in later:
            common = graph[u].keys() & graph[v].keys()
            for w in sorted((w for w in common if rank[w] > rank[v]), key=rank.__getitem__):
                yield Triad((u, v, w), (graph[u][v]["sign"], graph[v][w]["sign"], graph[w][u]["sign"]))

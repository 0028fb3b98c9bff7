"""Who matters: actors ranked by centrality, and the blocs of positive ties, cached per snapshot.

The graph measured is the undirected graph of entities of one kind (``None``: all kinds) whose dyads
have at least one relation in force on ``as_of``; an edge's ``weight`` is how many. Measures:

- ``degree``: the share of the other actors an actor is tied to (``networkx.degree_centrality``);
- ``betweenness``: the share of shortest paths running through an actor, the brokers between
  otherwise separate groups (``networkx.betweenness_centrality``, unweighted, normalised). Exact up
  to ``BETWEENNESS_EXACT_NODES`` nodes; beyond, estimated from ``BETWEENNESS_SAMPLES`` source nodes
  drawn with the fixed seed ``SEED``, so the answer is the same on every call;
- ``pagerank``: PageRank (damping 0.85) of the weighted graph, by power iteration.

Blocs are the communities (Louvain, seed ``SEED``) of the positive ties of the signed graph of the
same entities (``balance.signed_graph``), each tie weighted by its positive relations in force; only
blocs of two members or more, largest first.

Answers are computed once per snapshot and kept in a bounded LRU cache (``CACHE_SIZE`` entries per
kind of answer) held per ``KnowledgeGraph``, keyed by (measure, kind, as_of); the signed graphs of
``balance`` are cached there too, keyed by (kind, as_of).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..temporal import Period
from .balance import dyads_in_force, signed_graph

__all__ = ["CACHE_SIZE", "MEASURES", "AnalysisCache", "Ranking", "analysis_cache", "blocs", "centrality"]

MEASURES = ("degree", "betweenness", "pagerank")
KINDS = ("state", "person", "organization", "place", "event")
BETWEENNESS_EXACT_NODES = 500
BETWEENNESS_SAMPLES = 100
SEED = 0
CACHE_SIZE = 32


@dataclass(frozen=True, slots=True)
class Ranking:
    measure: str
    scores: tuple[tuple[int, float], ...]  # (entity position, score), best first, ties by id
    samples: int | None  # source nodes sampled for betweenness; None when exact


class AnalysisCache:
    """The analyses of one graph, each computed once per key and kept in a bounded LRU."""

    def __init__(self, kg: KnowledgeGraph, *, maxsize: int = CACHE_SIZE) -> None:
        self._kg = weakref.ref(kg)  # the graph owns its cache, never the reverse
        self.snapshot: Callable[[str | None, Period], nx.Graph] = lru_cache(maxsize)(self._snapshot)
        self.signed: Callable[[str | None, Period], nx.Graph] = lru_cache(maxsize)(self._signed)
        self.ranking: Callable[[str, str | None, Period], Ranking] = lru_cache(maxsize)(self._ranking)
        self.blocs: Callable[[str | None, Period], tuple[tuple[int, ...], ...]] = lru_cache(maxsize)(self._blocs)

    @property
    def kg(self) -> KnowledgeGraph:
        kg = self._kg()
        assert kg is not None, "the graph of this cache is gone"
        return kg

    def _snapshot(self, kind: str | None, as_of: Period) -> nx.Graph:
        pairs, dyad, _ = dyads_in_force(self.kg, as_of=as_of, kind=kind)
        graph = nx.Graph()
        counts = np.bincount(dyad, minlength=len(pairs))
        graph.add_weighted_edges_from((u, v, n) for (u, v), n in zip(pairs.tolist(), counts.tolist(), strict=True))
        return nx.freeze(graph)

    def _signed(self, kind: str | None, as_of: Period) -> nx.Graph:
        return signed_graph(self.kg, as_of=as_of, kind=kind)

    def _ranking(self, measure: str, kind: str | None, as_of: Period) -> Ranking:
        graph, samples = self.snapshot(kind, as_of), None
        if measure == "degree":
            scores = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph, 0.0)
        elif measure == "betweenness":
            if len(graph) > BETWEENNESS_EXACT_NODES:
                samples = BETWEENNESS_SAMPLES
            scores = nx.betweenness_centrality(graph, k=samples, seed=SEED)
        else:
            scores = pagerank(graph)
        ids = [e.id for e in self.kg.entities]
        rounded = {node: round(float(score), 12) for node, score in scores.items()}  # equal up to float noise
        ranked = sorted(rounded.items(), key=lambda item: (-item[1], ids[item[0]]))
        return Ranking(measure, tuple((node, score) for node, score in ranked), samples)

    def _blocs(self, kind: str | None, as_of: Period) -> tuple[tuple[int, ...], ...]:
        signs = self.signed(kind, as_of)
        positive = nx.Graph()
        positive.add_edges_from((u, v, data) for u, v, data in signs.edges(data=True) if data["sign"] > 0)
        ids = [e.id for e in self.kg.entities]
        found = [sorted(c, key=ids.__getitem__) for c in nx.community.louvain_communities(positive, seed=SEED)]
        found = sorted((c for c in found if len(c) > 1), key=lambda c: (-len(c), ids[c[0]]))
        return tuple(tuple(c) for c in found)


_CACHES: weakref.WeakKeyDictionary[KnowledgeGraph, AnalysisCache] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def analysis_cache(kg: KnowledgeGraph) -> AnalysisCache:
    """The cache of ``kg``'s analyses, created on first use and dropped with the graph."""
    with _LOCK:
        cache = _CACHES.get(kg)
        if cache is None:
            cache = _CACHES[kg] = AnalysisCache(kg)
        return cache


def _check(measure: str | None, kind: str | None) -> None:
    if measure is not None and measure not in MEASURES:
        raise BadParameter("measure", f"{measure!r} is not one of {', '.join(MEASURES)}")
    if kind is not None and kind not in KINDS:
        raise BadParameter("kind", f"{kind!r} is not one of {', '.join(KINDS)}")


def centrality(kg: KnowledgeGraph, *, measure: str = "betweenness", kind: str | None = "state",
               as_of: Period) -> Ranking:
    """Entities of ``kind`` (``None``: all) ranked by ``measure`` on ``as_of``, best first; cached.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> ranking = centrality(kg, measure="betweenness", as_of=parse_period("2022-11"))
    >>> [(kg.entity(p).id, round(score, 3)) for p, score in ranking.scores[:3]]
    [('iran', 0.429), ('israel', 0.429), ('russia', 0.25)]
    """
    _check(measure, kind)
    return analysis_cache(kg).ranking(measure, kind, as_of)


def blocs(kg: KnowledgeGraph, *, kind: str | None = "state", as_of: Period) -> tuple[tuple[int, ...], ...]:
    """Alignment blocs: communities of positive ties among entities of ``kind``, largest first; cached.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> [[kg.entity(p).id for p in bloc] for bloc in blocs(kg, as_of=parse_period("2022-11"))]
    [['azerbaijan', 'israel', 'turkiye'], ['bahrain', 'united-arab-emirates', 'united-states'], ['iran', 'russia']]
    """
    _check(None, kind)
    return analysis_cache(kg).blocs(kind, as_of)


def pagerank(graph: nx.Graph, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict[int, float]:
    """PageRank of an undirected graph with edge ``weight`` (default 1), by power iteration in NumPy."""
    nodes = list(graph)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v], w) for u, v, w in graph.edges(data="weight", default=1) if u != v]
    u, v, w = (np.array(column, dtype=float) for column in zip(*edges, strict=True)) if edges else ([], [], [])
    tail = np.concatenate([u, v]).astype(np.int64)
    head = np.concatenate([v, u]).astype(np.int64)
    weight = np.concatenate([w, w])
    strength = np.bincount(tail, weights=weight, minlength=len(nodes))
    dangling = strength == 0
    rank = np.full(len(nodes), 1 / len(nodes))
    for _ in range(max_iter):
        share = np.divide(rank, strength, out=np.zeros_like(rank), where=~dangling)
        new = alpha * np.bincount(head, weights=weight * share[tail], minlength=len(nodes))
        new += (1 - alpha + alpha * rank[dangling].sum()) / len(nodes)
        converged = np.abs(new - rank).sum() < len(nodes) * tol
        rank = new
        if converged:
            break
    return dict(zip(nodes, rank.tolist(), strict=True))

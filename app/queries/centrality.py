"""Who matters: actors ranked by centrality, and the blocs of positive ties, cached per snapshot.

The graph measured is the undirected graph of entities of one kind (``None``: all kinds) whose dyads
have at least one relation in force on ``as_of``; an edge's ``weight`` is how many. It is held as
arrays (``Ties``), never as a NetworkX graph of the whole event data. Measures:

- ``degree``: the share of the other actors an actor is tied to (as ``networkx.degree_centrality``);
- ``betweenness``: the share of shortest paths running through an actor, the brokers between
  otherwise separate groups (unweighted, normalised). Exact (``networkx.betweenness_centrality``)
  up to ``BETWEENNESS_EXACT_NODES`` nodes; beyond, estimated from ``BETWEENNESS_SAMPLES`` source
  nodes drawn with the fixed seed ``SEED`` (so the answer is the same on every call), by igraph's
  subset betweenness scaled as NetworkX scales its sampled estimate: NetworkX took 40 s for 100
  sources on 17,000 actors, igraph 0.2 s;
- ``pagerank``: PageRank (damping 0.85) of the weighted graph, by power iteration in NumPy.

Blocs are the communities of the positive ties of the signed graph of the same entities
(``balance.signed_graph``), each tie weighted by its positive relations in force; only blocs of two
members or more, largest first. Louvain (seed ``SEED``): NetworkX's up to
``BETWEENNESS_EXACT_NODES`` nodes, igraph's multilevel method beyond.

Answers are computed once per snapshot and kept in a cache bounded in bytes (``CACHE_BYTES``) held
per ``KnowledgeGraph``; the signed graphs of ``balance`` are cached there too. Every computation
takes a ``Budget``, checked between its steps and inside its loops.
"""

from __future__ import annotations

import random
import threading
import weakref
from dataclasses import dataclass

import igraph
import networkx as nx
import numpy as np

from ..budget import UNLIMITED, Budget
from ..cache import ByteLRU
from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..temporal import Period
from .balance import dyads_in_force, signed_graph, signed_ties

__all__ = ["CACHE_BYTES", "MEASURES", "AnalysisCache", "Ranking", "Ties", "analysis_cache", "blocs", "centrality"]

MEASURES = ("degree", "betweenness", "pagerank")
KINDS = ("state", "person", "organization", "place", "event")
BETWEENNESS_EXACT_NODES = 500
BETWEENNESS_SAMPLES = 100
SEED = 0
# Per process: the analysis pool's two workers (KG_ANALYSIS_WORKERS) keep 64 MiB between them.
CACHE_BYTES = 32 * 2**20


@dataclass(frozen=True, slots=True)
class Ranking:
    measure: str
    scores: tuple[tuple[int, float], ...]  # (entity position, score), best first, ties by id
    samples: int | None  # source nodes sampled for betweenness; None when exact


@dataclass(frozen=True, slots=True)
class Ties:
    """An undirected graph as arrays: entity positions, and edges as pairs of indexes into them."""

    nodes: np.ndarray
    u: np.ndarray
    v: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.nodes)

    def to_networkx(self) -> nx.Graph:
        graph = nx.Graph()
        ends = zip(self.nodes[self.u].tolist(), self.nodes[self.v].tolist(), self.weight.tolist(), strict=True)
        graph.add_weighted_edges_from(ends)
        return graph

    def to_igraph(self) -> igraph.Graph:
        return igraph.Graph(n=len(self.nodes), edges=np.column_stack([self.u, self.v]).tolist())


class AnalysisCache:
    """The analyses of one graph, each computed once per key and kept while it fits in ``max_bytes``."""

    def __init__(self, kg: KnowledgeGraph, *, max_bytes: int = CACHE_BYTES) -> None:
        self._kg = weakref.ref(kg)  # the graph owns its cache, never the reverse
        self.results = ByteLRU("analysis", max_bytes=max_bytes)

    @property
    def kg(self) -> KnowledgeGraph:
        kg = self._kg()
        assert kg is not None, "the graph of this cache is gone"
        return kg

    def ties(self, kind: str | None, as_of: Period) -> Ties:
        return self.results.get_or_compute(("ties", kind, as_of), lambda: _ties(self.kg, kind, as_of))

    def signed(self, kind: str | None, as_of: Period, budget: Budget = UNLIMITED) -> nx.Graph:
        return self.results.get_or_compute(
            ("signed", kind, as_of),
            lambda: signed_graph(self.kg, as_of=as_of, kind=kind, budget=budget),
            size=_graph_size,
        )

    def signed_ties(self, kind: str | None, as_of: Period, budget: Budget = UNLIMITED) -> tuple[np.ndarray, ...]:
        return self.results.get_or_compute(
            ("signed ties", kind, as_of), lambda: signed_ties(self.kg, as_of=as_of, kind=kind, budget=budget)
        )

    def ranking(self, measure: str, kind: str | None, as_of: Period, budget: Budget = UNLIMITED) -> Ranking:
        return self.results.get_or_compute(
            ("ranking", measure, kind, as_of), lambda: self._ranking(measure, kind, as_of, budget)
        )

    def blocs(self, kind: str | None, as_of: Period, budget: Budget = UNLIMITED) -> tuple[tuple[int, ...], ...]:
        return self.results.get_or_compute(("blocs", kind, as_of), lambda: self._blocs(kind, as_of, budget))

    def _ranking(self, measure: str, kind: str | None, as_of: Period, budget: Budget) -> Ranking:
        ties, samples = self.ties(kind, as_of), None
        budget.check()
        if measure == "degree":
            scores = _degree(ties)
        elif measure == "betweenness":
            scores, samples = _betweenness(ties)
        else:
            scores = pagerank(ties)
        ids = self.kg.entity_ids
        rounded = {node: round(float(score), 12) for node, score in zip(ties.nodes.tolist(), scores, strict=True)}
        ranked = sorted(rounded.items(), key=lambda item: (-item[1], ids[item[0]]))
        return Ranking(measure, tuple(ranked), samples)

    def _blocs(self, kind: str | None, as_of: Period, budget: Budget) -> tuple[tuple[int, ...], ...]:
        pairs, sign, weight = self.signed_ties(kind, as_of, budget)
        budget.check()
        positive = sign > 0
        ids = self.kg.entity_ids
        found = [sorted(c, key=ids.__getitem__) for c in _louvain(pairs[positive], weight[positive])]
        found = sorted((c for c in found if len(c) > 1), key=lambda c: (-len(c), ids[c[0]]))
        return tuple(tuple(c) for c in found)


def _ties(kg: KnowledgeGraph, kind: str | None, as_of: Period) -> Ties:
    pairs, dyad, _ = dyads_in_force(kg, as_of=as_of, kind=kind)
    nodes, ends = np.unique(pairs, return_inverse=True)
    ends = ends.reshape(pairs.shape)
    weight = np.bincount(dyad, minlength=len(pairs)).astype(np.int64)
    return Ties(nodes.astype(np.int32), ends[:, 0].astype(np.int32), ends[:, 1].astype(np.int32), weight)


def _degree(ties: Ties) -> list[float]:
    n = len(ties)
    if n <= 1:
        return [0.0] * n
    degree = np.bincount(np.r_[ties.u, ties.v], minlength=n)
    return (degree / (n - 1)).tolist()  # type: ignore[no-any-return]


def _betweenness(ties: Ties) -> tuple[list[float], int | None]:
    n = len(ties)
    if n <= 2:
        return [0.0] * n, None
    # igraph counts each (source, target) pair once, as NetworkX does for an undirected graph before it
    # normalises by (n-1)(n-2)/2; igraph's exact count took 0.3-0.8 ms where NetworkX's took 11-23 ms on
    # ~100 states, the same to 1e-16. A sampled estimate from k sources NetworkX scales by 2n / (k (n-1)(n-2)).
    if n <= BETWEENNESS_EXACT_NODES:
        raw = np.asarray(ties.to_igraph().betweenness(directed=False))
        return (raw * 2 / ((n - 1) * (n - 2))).tolist(), None
    sources = random.Random(SEED).sample(range(n), BETWEENNESS_SAMPLES)
    raw = np.asarray(ties.to_igraph().betweenness(sources=sources, targets=None, directed=False))
    return (raw * 2 * n / (BETWEENNESS_SAMPLES * (n - 1) * (n - 2))).tolist(), BETWEENNESS_SAMPLES


def _louvain(pairs: np.ndarray, weight: np.ndarray) -> list[set[int]]:
    """Louvain communities (seed ``SEED``) of the weighted graph of edges ``pairs``."""
    nodes, ends = np.unique(pairs, return_inverse=True)
    if len(nodes) <= BETWEENNESS_EXACT_NODES:
        graph = nx.Graph()
        graph.add_weighted_edges_from(zip(*pairs.T.tolist(), weight.tolist(), strict=True))
        return list(nx.community.louvain_communities(graph, seed=SEED))
    graph = igraph.Graph(n=len(nodes), edges=ends.reshape(pairs.shape).tolist())
    igraph.set_random_number_generator(random.Random(SEED))
    membership = graph.community_multilevel(weights=weight.tolist()).membership
    groups: dict[int, set[int]] = {}
    for node, group in zip(nodes.tolist(), membership, strict=True):
        groups.setdefault(group, set()).add(node)
    return list(groups.values())


def _graph_size(graph: nx.Graph) -> int:
    """About what a NetworkX graph holds: a dict per node, two dict entries and a dict per edge."""
    return 400 * graph.number_of_nodes() + 600 * graph.number_of_edges()


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


def centrality(
    kg: KnowledgeGraph,
    *,
    measure: str = "betweenness",
    kind: str | None = "state",
    as_of: Period,
    budget: Budget = UNLIMITED,
) -> Ranking:
    """Entities of ``kind`` (``None``: all) ranked by ``measure`` on ``as_of``, best first; cached.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> ranking = centrality(kg, measure="betweenness", as_of=parse_period("2022-11"))
    >>> [(kg.entity(p).id, round(score, 3)) for p, score in ranking.scores[:3]]
    [('iran', 0.429), ('israel', 0.429), ('russia', 0.25)]
    """
    _check(measure, kind)
    return analysis_cache(kg).ranking(measure, kind, as_of, budget)


def blocs(
    kg: KnowledgeGraph, *, kind: str | None = "state", as_of: Period, budget: Budget = UNLIMITED
) -> tuple[tuple[int, ...], ...]:
    """Alignment blocs: communities of positive ties among entities of ``kind``, largest first; cached.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> [[kg.entity(p).id for p in bloc] for bloc in blocs(kg, as_of=parse_period("2022-11"))]
    [['azerbaijan', 'israel', 'turkiye'], ['bahrain', 'united-arab-emirates', 'united-states'], ['iran', 'russia']]
    """
    _check(None, kind)
    return analysis_cache(kg).blocs(kind, as_of, budget)


def pagerank(ties: Ties, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> list[float]:
    """PageRank of an undirected weighted graph, by power iteration in NumPy, in the order of ``ties.nodes``."""
    n = len(ties)
    if not n:
        return []
    tail = np.concatenate([ties.u, ties.v]).astype(np.int64)
    head = np.concatenate([ties.v, ties.u]).astype(np.int64)
    weight = np.concatenate([ties.weight, ties.weight]).astype(float)
    strength = np.bincount(tail, weights=weight, minlength=n)
    dangling = strength == 0
    rank = np.full(n, 1 / n)
    for _ in range(max_iter):
        share = np.divide(rank, strength, out=np.zeros_like(rank), where=~dangling)
        new = alpha * np.bincount(head, weights=weight * share[tail], minlength=n)
        new += (1 - alpha + alpha * rank[dangling].sum()) / n
        converged = np.abs(new - rank).sum() < n * tol
        rank = new
        if converged:
            break
    return rank.tolist()  # type: ignore[no-any-return]

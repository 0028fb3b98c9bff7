"""Work that grows with the graph stays bounded: budgets on a generated large graph, caches in bytes,
and the array versions of the analyses agree with their one-at-a-time references."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest

from app.budget import Budget, OutOfTime
from app.graph import KnowledgeGraph
from app.loader import ENTITY_COLUMNS, RELATION_COLUMNS, load_graph
from app.queries.balance import signed_ties
from app.queries.candidates import mediator_candidates
from app.queries.centrality import BETWEENNESS_SAMPLES, SEED, AnalysisCache, Ties, _betweenness, centrality
from app.queries.changes import changes
from app.queries.filters import make_filter
from app.queries.paths import find_paths
from app.queries.relations import find_relations
from app.queries.status import dyad_polarities, dyad_status
from app.temporal import ordinal_text, parse_period

EVENTS = [
    ("meeting", "positive", 3.0),
    ("criticism", "negative", -2.0),
    ("cooperation", "positive", 6.0),
    ("threat", "negative", -4.4),
    ("statement", "neutral", 0.0),
    ("hostility", "negative", -7.0),
    ("normalization", "positive", 5.0),
]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """3,000 states and people and 120,000 coded relations over four years, hubs included."""
    folder = tmp_path_factory.mktemp("large")
    rng = random.Random(8)
    (folder / "sources.yaml").write_text("- id: generated\n  title: Generated for tests\n  kind: dataset\n")
    with (folder / "entities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ENTITY_COLUMNS)
        for n in range(3000):
            writer.writerow([f"e{n}", f"Entity {n}", "state" if n < 300 else "person", "", ""])
    hubs = list(range(20))
    first = date(2014, 1, 1)
    with (folder / "relations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RELATION_COLUMNS)
        for n in range(120_000):
            a = rng.choice(hubs) if rng.random() < 0.3 else rng.randrange(3000)
            b = rng.randrange(3000)
            type_, polarity, goldstein = rng.choice(EVENTS)
            day = (first + timedelta(days=rng.randrange(4 * 365))).isoformat()
            attributes = json.dumps({"goldstein": goldstein})
            writer.writerow([f"g{n}", type_, f"e{a}", f"e{b}", day, "", polarity, "", "generated", str(n), attributes])
    kg = load_graph([folder])
    assert kg.stats() == {"entities": 3000, "relations": 120_000}
    return kg


def test_a_spent_budget_stops_mediator_candidates_between_hubs(large: KnowledgeGraph) -> None:
    a, b = large.resolve("e0"), large.resolve("e1")
    assert len(large.entity_relations(a)) > 1000
    with pytest.raises(OutOfTime):
        mediator_candidates(large, a, b, as_of=parse_period("2017-06"), kinds=None, budget=Budget(0))
    assert mediator_candidates(large, a, b, as_of=parse_period("2017-06"), kinds=None, budget=Budget(60))


def test_a_spent_budget_stops_whole_graph_analyses(large: KnowledgeGraph) -> None:
    with pytest.raises(OutOfTime):
        signed_ties(large, as_of=parse_period("2016-01"), kind=None, budget=Budget(0))
    with pytest.raises(OutOfTime):
        AnalysisCache(large).ranking("betweenness", None, parse_period("2016-01"), Budget(0))


def test_a_spent_budget_ends_a_path_search_incomplete(large: KnowledgeGraph) -> None:
    found = find_paths(
        large,
        large.resolve("e5"),
        large.resolve("e2999"),
        k=10,
        max_hops=6,
        flt=make_filter(types=["threat"]),
        budget=Budget(0),
    )
    assert not found.complete


def test_the_analysis_cache_stays_within_its_bytes(large: KnowledgeGraph) -> None:
    cache = AnalysisCache(large, max_bytes=2 * 2**20)
    for month in range(1, 13):
        for measure in ("degree", "pagerank"):
            cache.ranking(measure, None, parse_period(f"2016-{month:02d}"))
    stats = cache.results.stats()
    assert stats["bytes"] <= 2 * 2**20
    assert stats["evictions"] > 0
    assert stats["misses"] >= 24


def test_large_graph_betweenness_is_sampled_and_the_same_on_every_call(large: KnowledgeGraph) -> None:
    first = centrality(large, measure="betweenness", kind=None, as_of=parse_period("2016-06"))
    assert first.samples == BETWEENNESS_SAMPLES
    assert len(first.scores) > 2000
    again = AnalysisCache(large).ranking("betweenness", None, parse_period("2016-06"))
    assert again.scores == first.scores


def test_sampled_betweenness_is_networkx_scaled_estimate_from_the_same_sources() -> None:
    graph = nx.gnm_random_graph(700, 2100, seed=3)
    nodes = np.arange(700, dtype=np.int32)
    u, v = (np.array(column, dtype=np.int32) for column in zip(*graph.edges(), strict=True))
    scores, samples = _betweenness(Ties(nodes, u, v, np.ones(len(u), dtype=np.int64)))
    sources = random.Random(SEED).sample(range(700), BETWEENNESS_SAMPLES)
    subset = nx.betweenness_centrality_subset(graph, sources, list(graph), normalized=False)
    expected = [subset[n] * 2 * 700 / (BETWEENNESS_SAMPLES * 699 * 698) for n in range(700)]
    assert samples == BETWEENNESS_SAMPLES
    assert scores == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("nodes", "edges"), [(2, 1), (3, 2), (40, 90), (300, 1200)])
def test_exact_betweenness_is_networkx_s(nodes: int, edges: int) -> None:
    graph = nx.gnm_random_graph(nodes, edges, seed=5)
    u, v = (np.array(column, dtype=np.int32) for column in zip(*graph.edges(), strict=True))
    scores, samples = _betweenness(Ties(np.arange(nodes, dtype=np.int32), u, v, np.ones(len(u), dtype=np.int64)))
    expected = nx.betweenness_centrality(graph)
    assert samples is None
    assert scores == pytest.approx([expected[n] for n in range(nodes)], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("graph", ["curated", "icews_slice", "large"])
def test_dyad_polarities_agree_with_dyad_status(graph: str, request: pytest.FixtureRequest) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(graph)
    keys = kg.by_dyad.keys[:3000]
    low, high = np.divmod(keys, max(len(kg.entities), 1))
    sign = {"positive": 1, "negative": -1}
    for day in ("2010-06", "2014-08-20", "2016-03", "2022-11", "2030"):
        period = parse_period(day)
        found = dyad_polarities(kg, low, high, as_of=period).tolist()
        expected = [
            sign.get(dyad_status(kg, int(a), int(b), as_of=period).polarity, 0)
            for a, b in zip(low.tolist(), high.tolist(), strict=True)
        ]
        assert found == expected, day


@pytest.mark.parametrize("graph", ["curated", "icews_slice", "large"])
def test_relations_found_in_a_window_are_those_a_plain_filter_keeps(graph: str, request: pytest.FixtureRequest) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(graph)
    table = kg.relations
    every = np.arange(len(table))
    rng = random.Random(1)
    for _ in range(60):
        first, last = sorted(
            rng.randrange(int(table.lo.min()), int(table.hi[table.hi < 10**7].max()) + 2) for _ in range(2)
        )
        entity = rng.randrange(len(kg.entities))
        types = rng.sample(sorted({kg.relations.type_id(int(p)) for p in every[:500]}), 2)
        flt = make_filter(types=types, start=ordinal_text(first, "day"), end=ordinal_text(last, "day"))
        plain = every[np.isin(table.type, flt.types) & (table.lo <= flt.window[1]) & (table.hi >= flt.window[0])]
        plain = plain[np.lexsort((plain, table.lo[plain]))]
        assert find_relations(kg, flt=flt).tolist() == plain.tolist()
        mine = plain[(table.source[plain] == entity) | (table.target[plain] == entity)]
        assert sorted(find_relations(kg, flt=flt, either=entity).tolist()) == sorted(mine.tolist())


@pytest.mark.parametrize("graph", ["curated", "icews_slice", "large"])
def test_changes_from_indexes_are_those_a_plain_scan_finds(graph: str, request: pytest.FixtureRequest) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(graph)
    table = kg.relations
    every = np.arange(len(table))
    closed = table.is_state & (table.end_precision > 0) & (table.hi < 10**8)
    rng = random.Random(2)
    for _ in range(12):
        window = parse_period(rng.choice(["2010", "2014-03", "2016", "2022-08", "2014-06-30", "2015/2016"]))
        entity = rng.choice([None, int(table.source[rng.randrange(len(table))])])
        mine = every if entity is None else every[(table.source == entity) | (table.target == entity)]
        began = mine[(table.lo[mine] >= window.lo) & (table.lo[mine] <= window.hi)]
        ended = mine[closed[mine] & (table.hi[mine] >= window.lo) & (table.hi[mine] <= window.hi)]
        expected: dict[tuple[int, int], tuple[set[int], set[int]]] = {}
        for kind, positions in enumerate((began, ended)):
            for p in positions.tolist():
                a, b = sorted((int(table.source[p]), int(table.target[p])))
                expected.setdefault((a, b), (set(), set()))[kind].add(p)
        page, total = changes(kg, window=window, entity=entity, limit=1000, per_dyad=10**6)
        assert total == len(expected)
        assert len(page) == min(total, 1000)
        for change in page:
            assert (set(change.began), set(change.ended)) == expected[change.a, change.b]

"""Fuzzy entity search through the trigram index gives what a full scan gives."""

from __future__ import annotations

import pytest

from app.fuzzy import TrigramIndex, scan
from app.graph import KnowledgeGraph
from app.resolve import fold

QUERIES = [
    "turkey",
    "Trkiye",
    "aliyev",
    "Milli Majlis",
    "iran",
    "netanyahu",
    "erdogan",
    "gantz",
    "azerbaijn",
    "israle",
    "united states",
    "foreign affairs",
    "government",
    "citizen",
    "police",
    "china",
    "obama",
    "kerry",
    "ministry of",
    "hamas",
    "militant",
    "russia",
    "armed forces",
    "uk",
    "the",
]


@pytest.mark.parametrize("graph", ["curated", "icews_slice"])
def test_search_index_ranks_as_the_full_scan_does(graph: str, request: pytest.FixtureRequest) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(graph)
    index = kg.names._fuzzy
    assert len(index.keys) < index.candidates * 4  # small enough that the cap never cuts
    for query in QUERIES:
        assert index.search(fold(query), limit=10) == scan(index.keys, fold(query), limit=10), query
        assert index.search(fold(query), limit=None) == scan(index.keys, fold(query), limit=None), query


def test_search_index_keeps_the_closest_candidates_when_it_must_cut() -> None:
    keys = [f"unrelated{n:05d}name" for n in range(3000)] + ["azerbaijan", "azerbaijanarmedforces"]
    index = TrigramIndex(keys, candidates=50)
    assert [key for key, _ in index.search("azerbaijn", limit=2)] == ["azerbaijan", "azerbaijanarmedforces"]


def test_short_keys_match_only_exactly_not_inside_longer_queries(curated: KnowledgeGraph) -> None:
    # "il" and "isr" (Israel's ISO codes) sit inside "aliyev" and "israle"; they used to outrank real names.
    found = [curated.entity(p).id for p in curated.names.search("aliyev", limit=3)]
    assert found[0] == "ilham-aliyev"
    assert "israel" not in found
    assert curated.entity(curated.names.search("ISR", limit=1)[0]).id == "israel"


def test_search_answers_are_cached_per_graph(curated: KnowledgeGraph) -> None:
    before = curated.names.cache.stats()
    first = curated.names.search("Azerbaijn palace", limit=5)
    again = curated.names.search("azerbaijn  PALACE", limit=5)  # folds to the same key
    after = curated.names.cache.stats()
    assert first == again
    assert after["misses"] == before["misses"] + 1
    assert after["hits"] == before["hits"] + 1

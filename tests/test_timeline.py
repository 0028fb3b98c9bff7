"""Relationship series, what changed, and time-respecting paths."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.budget import Budget
from app.graph import KnowledgeGraph
from app.queries.changes import changes
from app.queries.filters import make_filter
from app.queries.paths import find_paths
from app.queries.series import dyad_series
from app.records import EntityRecord
from app.store import RelationColumns, RelationTable
from app.temporal import parse_period


def test_series_scores_each_year_of_turkiye_israel(curated: KnowledgeGraph) -> None:
    found = dyad_series(
        curated,
        curated.resolve("Türkiye"),
        curated.resolve("Israel"),
        freq="year",
        flt=make_filter(start="2009", end="2023"),
    )
    periods = {p.period: p for p in found.periods}
    assert [p.period for p in found.periods] == [str(y) for y in range(2009, 2024)]
    assert periods["2010"].count == 2 and periods["2010"].score == -10.0
    assert periods["2010"].by_type == {"deterioration": 1, "hostility": 1}  # the raid's target was not the state
    assert periods["2011"].count == 0 and periods["2011"].score is None
    assert [(t["period"], t["direction"]) for t in found.change_points] == [
        ("2016", "improved"),
        ("2018", "worsened"),
        ("2020", "improved"),
    ]


def test_series_by_quarter_route(client: TestClient) -> None:
    body = client.get("/dyads/Turkey/Israel/series?freq=quarter&from=2022&to=2022").json()
    assert [(p["period"], p["count"]) for p in body["periods"]] == [
        ("2022-Q1", 0),
        ("2022-Q2", 1),
        ("2022-Q3", 1),
        ("2022-Q4", 0),
    ]
    assert body["a"]["id"] == "turkiye" and body["freq"] == "quarter"


def test_series_of_a_runaway_window_lists_the_periods_with_relations(client: TestClient) -> None:
    wide = client.get("/dyads/Turkey/Israel/series?freq=month&from=1000&to=9000").json()
    data = client.get("/dyads/Turkey/Israel/series?freq=month").json()
    assert wide["periods"] == data["periods"] and not wide["truncated"]
    assert sum(p["count"] for p in wide["periods"]) > 0


def test_series_longer_than_served_keeps_the_most_recent_periods(
    curated: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.queries import series

    pair = curated.resolve("Türkiye"), curated.resolve("Israel")
    whole = dyad_series(curated, *pair, freq="month", flt=make_filter(start="1900", end="2100"))
    monkeypatch.setattr(series, "MAX_PERIODS", 100)
    cut = dyad_series(curated, *pair, freq="month", flt=make_filter(start="1900", end="2100"))
    assert not whole.truncated and cut.truncated and len(cut.periods) == 100
    assert [p.period for p in cut.periods] == [p.period for p in whole.periods][-100:]
    assert [p.count for p in cut.periods] == [p.count for p in whole.periods][-100:]


def test_changes_around_the_2022_restoration(curated: KnowledgeGraph) -> None:
    page, total = changes(curated, window=parse_period("2022-08/2022-12"), entity=curated.resolve("Israel"))
    by_dyad = {(curated.entity(c.a).id, curated.entity(c.b).id): c for c in page}
    assert total == len(page)
    restoration = by_dyad[("israel", "turkiye")]
    assert (restoration.before.status, restoration.after.status) == ("normalizing", "restored")
    assert restoration.status_changed
    arms = by_dyad[("azerbaijan", "israel")]
    assert sorted(curated.relations.ids[p] for p in arms.ended) == [
        "azerbaijan-withholds-ambassador-from-israel",
        "israel-azerbaijan-arms-trade-2018-2022",
    ]
    days = [max([curated.relations.lo[p] for p in c.began] + [curated.relations.hi[p] for p in c.ended]) for c in page]
    assert days == sorted(days, reverse=True)


def test_changes_route_groups_by_dyad(client: TestClient) -> None:
    body = client.get("/changes?from=2020-08&to=2020-09&entity=Israel").json()
    pairs = [(item["a"], item["b"]) for item in body["items"]]
    assert ("israel", "united-arab-emirates") in pairs and ("israel", "bahrain") in pairs
    assert len(pairs) == len(set(pairs)) == body["total"]


def test_changes_in_a_window_that_ends_before_it_starts_are_none(client: TestClient) -> None:
    response = client.get("/changes?from=2022&to=2020")
    assert response.status_code == 200 and response.json() == {"items": [], "total": 0, "limit": 100, "offset": 0}


def test_time_respecting_path_route(client: TestClient) -> None:
    body = client.get("/paths?source=Hikmet Hajiyev&target=Isaac Herzog&time_respecting=true&k=3").json()
    assert body["paths"][0]["nodes"] == ["hikmet-hajiyev", "israel", "isaac-herzog"]
    assert [e["type"] for e in body["paths"][0]["edges"]] == ["mediation_offer", "holds_office"]
    for path in body["paths"]:
        starts = [edge["start"] or "" for edge in path["edges"]]
        assert starts == sorted(starts)
        assert path["nodes"][0] == "hikmet-hajiyev" and path["nodes"][-1] == "isaac-herzog"


# -- time-respecting paths against brute force on small random graphs ----------------------------

facts = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(2000, 2008)), min_size=1, max_size=14)


def _graph(relations: list[tuple[int, int, int]]) -> KnowledgeGraph:
    entities = [EntityRecord(id=f"n{i}", name=f"Node {i}", kind="state") for i in range(6)]
    columns = RelationColumns()
    for index, (u, v, year) in enumerate(relations):
        columns.add(
            id=f"r{index}",
            type="visit",
            source=u,
            target=v,
            start=str(year),
            end=None,
            polarity=None,
            description="",
            evidence=(),
            attributes=None,
        )
    return KnowledgeGraph(sources=[], entities=entities, relations=RelationTable(columns))


def _respecting_lengths(kg: KnowledgeGraph, source: int, target: int, max_hops: int) -> list[int]:
    lengths = []
    for nodes in nx.all_simple_paths(kg.dyads, source, target, cutoff=max_hops):
        options = [kg.relations.lo[kg.dyad_relations(u, v)].tolist() for u, v in itertools.pairwise(nodes)]
        if any(list(days) == sorted(days) for days in itertools.product(*options)):
            lengths.append(len(nodes) - 1)
    return sorted(lengths)


@settings(max_examples=150, deadline=None)
@given(facts, st.integers(1, 4), st.integers(1, 6))
def test_time_respecting_paths_match_brute_force(relations: list[Any], max_hops: int, k: int) -> None:
    kg = _graph([(u, v, y) for u, v, y in relations if u != v] or [(0, 1, 2000)])
    source, target = 0, 1
    found = find_paths(kg, source, target, max_hops=max_hops, k=k, time_respecting=True)
    expected = _respecting_lengths(kg, source, target, max_hops) if source in kg.dyads and target in kg.dyads else []
    assert [len(nodes) - 1 for nodes, _ in found.paths] == expected[:k]
    for nodes, hops in found.paths:
        assert nodes[0] == source and nodes[-1] == target and len(set(nodes)) == len(nodes)
        days = kg.relations.lo[hops].tolist()
        assert days == sorted(days)
        for (u, v), hop in zip(itertools.pairwise(nodes), hops, strict=True):
            assert {int(kg.relations.source[hop]), int(kg.relations.target[hop])} == {u, v}


def test_a_spent_time_budget_is_reported_not_overrun(curated: KnowledgeGraph) -> None:
    found = find_paths(curated, curated.resolve("Gantz"), curated.resolve("Aliyev"), k=5, budget=Budget(0.0))
    assert not found.complete
    quick = find_paths(curated, curated.resolve("Gantz"), curated.resolve("Aliyev"), k=5, budget=Budget(5.0))
    assert quick.complete and len(quick.paths) == 5

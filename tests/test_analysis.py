"""Analyses: mediator candidates, structural balance, centrality; on the curated graph and generated ones."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.graph import KnowledgeGraph
from app.loader import load_graph
from app.main import create_app
from app.queries.balance import signed_graph, structural_balance
from app.queries.candidates import DEFAULT_KINDS, mediator_candidates
from app.queries.centrality import Ties, analysis_cache, blocs, centrality, pagerank
from app.queries.status import dyad_status
from app.temporal import in_force, parse_period
from app.vocabulary import VOCABULARY

CURATED = Path(__file__).resolve().parent.parent / "graph_data"
NOV_2022, DEC_2020 = parse_period("2022-11"), parse_period("2020-12-01")

EVIDENCE = {"source_id": "notes", "locator": "1"}


def ids(kg: KnowledgeGraph, positions: Any) -> list[str]:
    return [kg.entity(int(p)).id for p in positions]


# -- the curated graph ---------------------------------------------------------------------------


def test_candidates_turkiye_israel_in_december_2020_put_azerbaijan_first(curated: KnowledgeGraph) -> None:
    found = mediator_candidates(curated, curated.resolve("Türkiye"), curated.resolve("Israel"), as_of=DEC_2020)
    assert [(curated.entity(c.entity).id, c.score) for c in found] == [
        ("azerbaijan", 14.0),
        ("united-states", 3.0),
        ("bahrain", 1.0),
        ("iran", -2.0),
        ("ihh", -3.0),
        ("united-arab-emirates", -5.0),
    ]
    top = found[0]
    assert top.breakdown == {
        "ties": 6.0,
        "people": 0.0,
        "hostility": 0.0,
        "mediations": 0.0,
        "pair_mediations": 3.0,
        "both_sides": 5.0,
    }
    counted = [curated.relations.ids[p] for p in top.relations]
    # the offer is stored once, made by the minister; it counts for Azerbaijan through his office
    assert {
        "jeyhun-bayramov-offers-mediation-2020-12",
        "turkiye-recognises-azerbaijan-1991",
        "israel-azerbaijan-arms-trade-2018-2022",
    } <= set(counted)
    assert "azerbaijan-israel-alliance" not in counted  # from 2022: not yet in force
    assert "turkiye-azerbaijan-alliance" not in counted  # from the Shusha Declaration, June 2021


def test_candidates_of_every_kind_leave_out_the_parties_and_their_people(curated: KnowledgeGraph) -> None:
    turkiye, israel = curated.resolve("Türkiye"), curated.resolve("Israel")
    found = ids(curated, [c.entity for c in mediator_candidates(curated, turkiye, israel, as_of=NOV_2022, kinds=None)])
    assert found[0] == "azerbaijan"
    assert not {
        "turkiye",
        "israel",
        "benny-gantz",
        "isaac-herzog",
        "recep-tayyip-erdogan",
        "yair-lapid",
        "ankara",
        "jerusalem",
    } & set(found)
    assert "jeyhun-bayramov" not in found  # counted for Azerbaijan, not listed apart


def test_candidates_need_two_different_parties(curated: KnowledgeGraph) -> None:
    from app.errors import BadParameter

    with pytest.raises(BadParameter):
        mediator_candidates(curated, curated.resolve("Israel"), curated.resolve("Israel"), as_of=DEC_2020)


def test_balance_in_november_2022_sets_azerbaijan_israel_turkiye_against_iran(curated: KnowledgeGraph) -> None:
    found = structural_balance(curated, as_of=NOV_2022, focus=curated.resolve("Azerbaijan"))
    triads = {"-".join(ids(curated, t.members)): (t.signs, t.balanced) for t in found.triads}
    assert triads == {
        "azerbaijan-israel-turkiye": ((1, 1, 1), True),
        "azerbaijan-iran-israel": ((-1, -1, 1), True),
        "azerbaijan-iran-turkiye": ((-1, 1, 1), False),  # Iran keeps working ties with Türkiye
    }
    assert (found.counts.total, found.counts.balanced, found.focus_counts) == (7, 4, type(found.counts)(3, 2))
    assert found.counts.ratio == pytest.approx(4 / 7)


def test_balance_signs_follow_status_then_sum(curated: KnowledgeGraph) -> None:
    signs = signed_graph(curated, as_of=NOV_2022)
    sign = {frozenset(ids(curated, (u, v))): s for u, v, s in signs.edges(data="sign")}
    assert sign[frozenset({"turkiye", "israel"})] == 1  # restored in August 2022
    assert sign[frozenset({"iran", "turkiye"})] == 1  # no status: one positive relation
    assert sign[frozenset({"turkiye", "united-arab-emirates"})] == -1
    assert frozenset({"azerbaijan", "armenia"}) not in sign  # the September clashes are over
    assert (
        signed_graph(curated, as_of=parse_period("2011")).edges[curated.resolve("Türkiye"), curated.resolve("Israel")][
            "sign"
        ]
        == -1
    )


def test_centrality_brokers_and_blocs_in_november_2022(curated: KnowledgeGraph) -> None:
    ranking = centrality(curated, measure="betweenness", as_of=NOV_2022)
    assert ids(curated, [p for p, _ in ranking.scores[:3]]) == ["iran", "israel", "russia"]
    assert ranking.samples is None
    assert [ids(curated, bloc) for bloc in blocs(curated, as_of=NOV_2022)] == [
        ["azerbaijan", "israel", "turkiye"],
        ["bahrain", "united-arab-emirates", "united-states"],
        ["iran", "russia"],
    ]


@pytest.mark.parametrize("measure", ["degree", "betweenness", "pagerank"])
def test_centrality_is_cached_per_measure_kind_and_date(curated: KnowledgeGraph, measure: str) -> None:
    first = centrality(curated, measure=measure, as_of=NOV_2022)
    assert centrality(curated, measure=measure, as_of=parse_period("2022-11")) is first
    assert centrality(curated, measure=measure, kind=None, as_of=NOV_2022) is not first
    assert analysis_cache(curated) is analysis_cache(curated)


def test_blocs_and_signed_graphs_are_cached(curated: KnowledgeGraph) -> None:
    cache = analysis_cache(curated)
    assert blocs(curated, as_of=NOV_2022) is blocs(curated, as_of=NOV_2022)
    assert cache.signed("state", NOV_2022) is cache.signed("state", parse_period("2022-11"))
    assert nx.utils.graphs_equal(cache.signed("state", NOV_2022), signed_graph(curated, as_of=NOV_2022))


# -- generated graphs ------------------------------------------------------------------------------

TYPES = [
    "diplomatic_relations",
    "alliance",
    "hostility",
    "rupture",
    "restoration",
    "cooperation",
    "attack",
    "visit",
    "criticism",
    "armed_conflict",
    "meeting",
    "statement",
]


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    states = [f"s{i}" for i in range(draw(st.integers(3, 8)))]
    people = [f"p{i}" for i in range(draw(st.integers(0, 4)))]
    entities: list[dict[str, Any]] = [{"id": s, "name": s.upper(), "kind": "state"} for s in states]
    entities += [
        {"id": p, "name": p.upper(), "kind": "person", "attributes": {"affiliation": draw(st.sampled_from(states))}}
        for p in people
    ]
    # The affiliation attribute only describes; the office relation makes the person a member.
    relations: list[dict[str, Any]] = [
        {
            "id": f"office-{e['id']}",
            "type": "holds_office",
            "source": e["id"],
            "target": e["attributes"]["affiliation"],
            "evidence": [EVIDENCE],
        }
        for e in entities
        if e["kind"] == "person"
    ]
    for i in range(draw(st.integers(0, 30))):
        source, target = draw(st.lists(st.sampled_from(states + people), min_size=2, max_size=2, unique=True))
        start = draw(st.integers(2000, 2020))
        relation: dict[str, Any] = {
            "id": f"r{i}",
            "type": draw(st.sampled_from(TYPES)),
            "source": source,
            "target": target,
            "start": str(start),
            "evidence": [EVIDENCE],
        }
        if draw(st.booleans()) and relation["type"] in ("hostility", "cooperation", "armed_conflict"):
            relation["end"] = str(start + draw(st.integers(0, 5)))
        relations.append(relation)
    for i in range(draw(st.integers(0, 3))):
        mediator, a, b = draw(st.lists(st.sampled_from(states + people), min_size=3, max_size=3, unique=True))
        relations.append(
            {
                "id": f"m{i}",
                "type": "mediation_offer",
                "source": mediator,
                "target": a,
                "start": str(draw(st.integers(2000, 2020))),
                "attributes": {"parties": [a, b]},
                "evidence": [EVIDENCE],
            }
        )
    return {"sources": [{"id": "notes", "title": "Generated"}], "entities": entities, "relations": relations}


def _load(data: dict[str, list[dict[str, Any]]]) -> KnowledgeGraph:
    with tempfile.TemporaryDirectory() as folder:
        for name, entries in data.items():
            (Path(folder) / f"{name}.yaml").write_text(yaml.safe_dump(entries), encoding="utf-8")
        return load_graph([folder])


GENERATED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YEARS = st.integers(2000, 2022).map(lambda year: parse_period(str(year)))


@GENERATED
@given(data=datasets(), as_of=YEARS)
def test_balance_counts_match_brute_force(data: dict[str, list[dict[str, Any]]], as_of: Any) -> None:
    kg = _load(data)
    found = structural_balance(kg, as_of=as_of, limit=1000)
    signs = found.graph
    brute = [
        t
        for t in itertools.combinations(sorted(signs), 3)
        if all(signs.has_edge(u, v) for u, v in itertools.combinations(t, 2))
    ]
    balanced = [t for t in brute if np.prod([signs.edges[u, v]["sign"] for u, v in itertools.combinations(t, 2)]) > 0]
    assert (found.counts.total, found.counts.balanced) == (len(brute), len(balanced))
    assert found.counts.ratio == (len(balanced) / len(brute) if brute else None)
    assert len(found.triads) == len(brute) and not found.truncated
    for triad in found.triads:
        assert all(kg.entity(p).kind == "state" for p in triad.members)
        assert triad.signs == tuple(
            signs.edges[u, v]["sign"] for u, v in zip(triad.members, triad.members[1:] + triad.members[:1], strict=True)
        )
        assert triad.balanced == (np.prod(triad.signs) > 0)


@GENERATED
@given(data=datasets(), as_of=YEARS)
def test_signs_follow_the_status_then_the_relations_in_force(data: dict[str, list[dict[str, Any]]], as_of: Any) -> None:
    """The signing rule, recomputed from the generated entries rather than from the graph's columns."""
    kg = _load(data)
    signs = signed_graph(kg, as_of=as_of)
    states = [e["id"] for e in data["entities"] if e["kind"] == "state"]
    for first, second in itertools.combinations(states, 2):
        a, b = kg.resolve(first), kg.resolve(second)
        status = dyad_status(kg, a, b, as_of=as_of).polarity  # the status rule has tests of its own
        balance = 0
        for relation in data["relations"]:
            if {relation["source"], relation["target"]} != {first, second}:
                continue
            kind = VOCABULARY[relation["type"]]
            start = parse_period(relation["start"])
            end = parse_period(relation["end"]).hi if "end" in relation else None
            holds = start.lo <= as_of.hi and (kind.kind == "event" or end is None or end >= as_of.lo)
            balance += holds * {"positive": 1, "negative": -1}.get(kind.polarity, 0)
        expected = {"positive": 1, "negative": -1}.get(status) or int(np.sign(balance))
        assert (signs.edges[a, b]["sign"] if signs.has_edge(a, b) else 0) == expected, (first, second)


@GENERATED
@given(data=datasets(), as_of=YEARS, focus=st.integers(0, 7))
def test_balance_focus_lists_only_its_triads(data: dict[str, list[dict[str, Any]]], as_of: Any, focus: int) -> None:
    kg = _load(data)
    center = kg.resolve(f"s{focus % sum(e['kind'] == 'state' for e in data['entities'])}")
    found = structural_balance(kg, as_of=as_of, focus=center, limit=1000)
    assert found.focus_counts is not None
    assert found.focus_counts.total == len(found.triads) <= found.counts.total
    assert found.focus_counts.balanced == sum(t.balanced for t in found.triads)
    assert all(t.members[0] == center for t in found.triads)


@GENERATED
@given(
    data=datasets(),
    as_of=YEARS,
    pair=st.lists(st.integers(0, 7), min_size=2, max_size=2, unique=True),
    every_kind=st.booleans(),
)
def test_candidates_are_ranked_and_never_the_parties(
    data: dict[str, list[dict[str, Any]]], as_of: Any, pair: list[int], every_kind: bool
) -> None:
    kg = _load(data)
    count = sum(e["kind"] == "state" for e in data["entities"])
    a, b = (kg.resolve(f"s{i % count}") for i in pair)
    if a == b:
        return
    found = mediator_candidates(kg, a, b, as_of=as_of, kinds=None if every_kind else DEFAULT_KINDS)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    table = kg.relations
    for candidate in found:
        entity = kg.entity(candidate.entity)
        assert candidate.entity not in (a, b) and entity.attributes.get("affiliation") not in ids(kg, (a, b))
        assert every_kind or entity.kind in DEFAULT_KINDS
        assert candidate.score == pytest.approx(sum(candidate.breakdown.values()))
        assert candidate.relations
        assert all(
            in_force(int(table.lo[p]), int(table.hi[p]), is_state=bool(table.is_state[p]), on=as_of)
            for p in candidate.relations
        )


@GENERATED
@given(data=datasets(), as_of=YEARS, every_kind=st.booleans())
def test_centrality_ranks_are_sorted_and_leaves_broker_nothing(
    data: dict[str, list[dict[str, Any]]], as_of: Any, every_kind: bool
) -> None:
    kg = _load(data)
    kind = None if every_kind else "state"
    graph = analysis_cache(kg).ties(kind, as_of).to_networkx()
    for measure in ("degree", "betweenness", "pagerank"):
        ranking = centrality(kg, measure=measure, kind=kind, as_of=as_of)
        scores = [score for _, score in ranking.scores]
        assert scores == sorted(scores, reverse=True)
        assert {p for p, _ in ranking.scores} == set(graph)
        assert centrality(kg, measure=measure, kind=kind, as_of=as_of) is ranking
    betweenness = dict(centrality(kg, measure="betweenness", kind=kind, as_of=as_of).scores)
    assert all(betweenness[node] == 0 for node in graph if graph.degree(node) == 1)
    members = [p for bloc in blocs(kg, kind=kind, as_of=as_of) for p in bloc]
    assert len(members) == len(set(members))


@settings(max_examples=60, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 5)), max_size=30),
    isolated=st.integers(0, 2),
)
def test_pagerank_matches_the_linear_system(edges: list[tuple[int, int, int]], isolated: int) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(range(10, 10 + isolated))
    graph.add_weighted_edges_from((u, v, w) for u, v, w in edges if u != v)
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    ends = np.array([(index[u], index[v], w) for u, v, w in graph.edges(data="weight")], dtype=np.int64).reshape(-1, 3)
    found = dict(zip(nodes, pagerank(Ties(np.array(nodes), ends[:, 0], ends[:, 1], ends[:, 2])), strict=True))
    if not graph:
        assert found == {}
        return
    weights = nx.to_numpy_array(graph, nodelist=nodes, weight="weight")
    strength = weights.sum(axis=0)
    transition = np.where(strength > 0, weights / np.where(strength > 0, strength, 1), 1 / len(nodes))
    expected = np.linalg.solve(np.eye(len(nodes)) - 0.85 * transition, np.full(len(nodes), 0.15 / len(nodes)))
    assert [found[n] for n in nodes] == pytest.approx(expected.tolist(), abs=1e-8)
    assert sum(found.values()) == pytest.approx(1)


# -- routes ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[CURATED]))) as client:
        yield client


def test_mediator_candidates_route_answers_the_article(api: TestClient) -> None:
    body = api.get(
        "/analysis/mediator-candidates", params={"between": ["Turkey", "Israel"], "as_of": "2020-12-01", "limit": 2}
    ).json()
    assert (body["total"], body["limit"], body["offset"], body["between"]) == (6, 2, 0, ["turkiye", "israel"])
    assert [(i["entity"]["id"], i["score"]) for i in body["items"]] == [("azerbaijan", 14.0), ("united-states", 3.0)]
    assert "jeyhun-bayramov-offers-mediation-2020-12" in [r["id"] for r in body["items"][0]["relations"]]


def test_balance_route_with_focus(api: TestClient) -> None:
    body = api.get("/analysis/balance", params={"as_of": "2022-11", "focus": "Azerbaijan"}).json()
    assert (body["total"], body["balanced"], body["unbalanced"]) == (7, 4, 3)
    assert body["balance_ratio"] == pytest.approx(4 / 7)
    assert body["focus"] == {
        "entity": "azerbaijan",
        "total": 3,
        "balanced": 2,
        "unbalanced": 1,
        "balance_ratio": pytest.approx(2 / 3),
    }
    assert {"members": ["azerbaijan", "israel", "turkiye"], "signs": ["+", "+", "+"], "balanced": True} in body[
        "triads"
    ]
    assert {"members": ["azerbaijan", "iran", "israel"], "signs": ["-", "-", "+"], "balanced": True} in body["triads"]


def test_centrality_route_ranks_and_groups(api: TestClient) -> None:
    body = api.get("/analysis/centrality", params={"as_of": "2022-11", "measure": "degree", "limit": 1}).json()
    assert (body["measure"], body["kind"], body["total"], body["samples"]) == ("degree", "state", 9, None)
    assert [i["entity"]["id"] for i in body["items"]] == ["israel"]
    assert body["blocs"][0] == ["azerbaijan", "israel", "turkiye"]


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/analysis/mediator-candidates", {"between": "Israel"}, 422, "between"),
        ("/analysis/mediator-candidates", {"between": ["Israel", "Atlantis"]}, 404, None),
        ("/analysis/balance", {"focus": "Ilham Aliyev"}, 422, "focus"),
        ("/analysis/balance", {"as_of": "2022-02-30"}, 422, "as_of"),
        ("/analysis/centrality", {"measure": "fame"}, 422, None),
        ("/analysis/centrality", {"limit": 0}, 422, None),
    ],
)
def test_analysis_routes_reject_bad_input(
    api: TestClient, path: str, params: dict[str, Any], status: int, parameter: str | None
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if parameter:
        assert response.json()["parameter"] == parameter


def test_analysis_routes_are_documented(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/analysis/mediator-candidates", "/analysis/balance", "/analysis/centrality"):
        operation = paths[path]["get"]
        assert operation["summary"] and operation["description"] and operation["tags"] == ["analysis"]
        assert all(parameter.get("description") for parameter in operation["parameters"]), path

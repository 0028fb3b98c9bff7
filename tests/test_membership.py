"""Organs of a state act for it: ``members=true`` follows ``member_of`` and ``holds_office`` links in time.

The same rule on dyads, status and series, on curated and imported data; attributes never make a member.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import Settings
from app.graph import KnowledgeGraph
from app.io.icews import import_icews
from app.loader import load_graph
from app.main import create_app
from app.queries.filters import make_filter
from app.queries.relations import find_dyad_relations
from app.queries.series import dyad_series
from app.queries.status import dyad_status
from app.temporal import parse_period

EVIDENCE = {"source_id": "notes", "locator": "1"}


def _relation(
    relation_id: str, type_: str, source: str, target: str, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": relation_id,
        "type": type_,
        "source": source,
        "target": target,
        "evidence": [EVIDENCE],
        "description": relation_id,
    }
    return found | ({"start": start} if start else {}) | ({"end": end} if end else {})


ENTITIES = [
    {"id": "alpha", "name": "Alpha", "kind": "state"},
    {"id": "beta", "name": "Beta", "kind": "state"},
    {
        "id": "alpha-parliament",
        "name": "Parliament of Alpha",
        "kind": "organization",
        "attributes": {"affiliation": "alpha"},
    },
    {"id": "alpha-navy", "name": "Navy of Alpha", "kind": "organization", "attributes": {"affiliation": "alpha"}},
    {"id": "ana", "name": "Ana", "kind": "person", "attributes": {"affiliation": "alpha"}},
    {"id": "gamma", "name": "Gamma", "kind": "state"},
]
RELATIONS = [
    _relation("parliament-in-alpha", "member_of", "alpha-parliament", "alpha"),
    _relation("ana-minister", "holds_office", "ana", "alpha", "2015", "2016"),
    _relation("parliament-cuts-ties", "rupture", "alpha-parliament", "beta", "2010-05"),
    _relation("ana-visits-beta-in-office", "visit", "ana", "beta", "2015-06-01"),
    _relation("ana-visits-beta-after-office", "visit", "ana", "beta", "2018-03-01"),
    # The navy has an affiliation attribute but no member_of link: it does not count for Alpha.
    _relation("navy-attacks-beta", "attack", "alpha-navy", "beta", "2012-01-01"),
    _relation("ana-offers-in-office", "mediation_offer", "ana", "gamma", "2015-03")
    | {"attributes": {"parties": ["beta", "gamma"]}},
    _relation("ana-offers-after-office", "mediation_offer", "ana", "gamma", "2019")
    | {"attributes": {"parties": ["beta", "gamma"]}},
]


@pytest.fixture(scope="module")
def organs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("organs")
    (folder / "sources.yaml").write_text(yaml.safe_dump([{"id": "notes", "title": "Notes"}]))
    (folder / "entities.yaml").write_text(yaml.safe_dump(ENTITIES))
    (folder / "relations.yaml").write_text(yaml.safe_dump(RELATIONS))
    return folder


@pytest.fixture(scope="module")
def kg(organs: Path) -> KnowledgeGraph:
    return load_graph([organs])


@pytest.fixture(scope="module")
def api(organs: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[organs]))) as client:
        yield client


def _ids(kg: KnowledgeGraph, positions: Any) -> list[str]:
    return [kg.relations.ids[int(p)] for p in positions]


def test_dyad_counts_organs_only_with_members_and_only_while_they_act(kg: KnowledgeGraph) -> None:
    alpha, beta = kg.resolve("Alpha"), kg.resolve("Beta")
    assert _ids(kg, find_dyad_relations(kg, alpha, beta, flt=make_filter())) == []
    assert _ids(kg, find_dyad_relations(kg, alpha, beta, flt=make_filter(), members=True)) == [
        "parliament-cuts-ties",
        "ana-visits-beta-in-office",
    ]
    both_ways = find_dyad_relations(kg, beta, alpha, flt=make_filter(), members=True)
    assert _ids(kg, both_ways) == ["parliament-cuts-ties", "ana-visits-beta-in-office"]


def test_status_rests_on_an_organs_act_with_members(kg: KnowledgeGraph) -> None:
    alpha, beta, day = kg.resolve("Alpha"), kg.resolve("Beta"), parse_period("2011")
    assert dyad_status(kg, alpha, beta, as_of=day).status == "unknown"
    found = dyad_status(kg, alpha, beta, as_of=day, members=True)
    assert (found.status, _ids(kg, found.basis)) == ("severed", ["parliament-cuts-ties"])


def test_series_counts_an_office_holder_while_in_office(kg: KnowledgeGraph) -> None:
    alpha, beta = kg.resolve("Alpha"), kg.resolve("Beta")
    series = dyad_series(kg, alpha, beta, freq="year", members=True)
    counts = {p.period: p.count for p in series.periods if p.count}
    assert counts == {"2010": 1, "2015": 1}  # not the 2018 visit, made after her office ended
    assert all(p.count == 0 for p in dyad_series(kg, alpha, beta, freq="year").periods)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dyads/Alpha/Beta?members=true", ["parliament-cuts-ties", "ana-visits-beta-in-office"]),
        ("/dyads/Alpha/Beta", []),
    ],
)
def test_dyad_route_follows_the_rule(api: TestClient, path: str, expected: list[str]) -> None:
    assert [r["id"] for r in api.get(path).json()["relations"]] == expected


def test_status_and_series_routes_follow_the_rule(api: TestClient) -> None:
    status = api.get("/dyads/Beta/Alpha/status?as_of=2011&members=true").json()
    assert (status["status"], [r["id"] for r in status["basis"]]) == ("severed", ["parliament-cuts-ties"])
    series = api.get("/dyads/Alpha/Beta/series?freq=year&from=2015&to=2018&members=true").json()
    assert [(p["period"], p["count"]) for p in series["periods"]] == [
        ("2015", 1),
        ("2016", 0),
        ("2017", 0),
        ("2018", 0),
    ]


def test_curated_parliament_vote_counts_for_azerbaijan_with_members(curated: KnowledgeGraph) -> None:
    azerbaijan, israel = curated.resolve("Azerbaijan"), curated.resolve("Israel")
    vote = "azerbaijan-parliament-approves-embassy-in-israel-2022"
    assert vote not in _ids(curated, find_dyad_relations(curated, azerbaijan, israel, flt=make_filter()))
    rolled = _ids(curated, find_dyad_relations(curated, azerbaijan, israel, flt=make_filter(), members=True))
    assert vote in rolled
    # Gantz acted for Israel as defence minister when he met Aliyev, who acts for Azerbaijan
    assert "benny-gantz-meets-ilham-aliyev-2022-10" in rolled
    series = dyad_series(
        curated, azerbaijan, israel, freq="year", flt=make_filter(start="2022", end="2022"), members=True
    )
    assert series.periods[0].by_type["policy_decision"] == 1


def test_curated_organs_are_linked_by_relations(curated: KnowledgeGraph) -> None:
    members = {curated.entity_ids[m] for m in curated.membership.members(curated.resolve("Azerbaijan"))}
    assert {"milli-majlis", "azerbaijani-armed-forces", "ilham-aliyev", "jeyhun-bayramov", "hikmet-hajiyev"} == members
    # a party and a charity are not organs of a state
    israel_members = {curated.entity_ids[m] for m in curated.membership.members(curated.resolve("Israel"))}
    assert "yisrael-beiteinu" not in israel_members
    assert not len(curated.membership.owner_links(curated.resolve("IHH")))


def test_imported_sector_actors_are_linked_the_same_way(tmp_path: Path) -> None:
    lines = [
        "Government (Israel)\tMake a visit\tIran\t2014-01-02",
        "Israel\tHost a visit\tIran\t2014-02-03",
        "Protester (Israel)\tDemonstrate or rally\tIran\t2014-03-04",
    ]
    source = tmp_path / "events.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    import_icews([source], out, progress=False)
    kg = load_graph([out])
    government = kg.resolve("Government (Israel)")
    (link,) = kg.membership.owner_links(government).tolist()
    assert kg.relations.type_id(link) == "member_of"
    # protesters are of the country (attributes.country) but no organ of the state: no link, not counted
    protesters = kg.entity(kg.resolve("Protester (Israel)"))
    assert protesters.attributes["country"] == "israel"
    assert not len(kg.membership.owner_links(kg.resolve("Protester (Israel)")))
    israel, iran = kg.resolve("Israel"), kg.resolve("Iran")
    assert len(find_dyad_relations(kg, israel, iran, flt=make_filter())) == 1
    assert [
        kg.relations.type_id(int(p)) for p in find_dyad_relations(kg, israel, iran, flt=make_filter(), members=True)
    ] == ["visit", "visit"]


def test_mediations_list_the_state_an_office_holder_acted_for(api: TestClient) -> None:
    body = api.get("/mediations?between=Gamma&between=Beta").json()
    assert [(i["mediator"]["id"], [r["id"] for r in i["relations"]]) for i in body["items"]] == [
        ("ana", ["ana-offers-in-office", "ana-offers-after-office"]),
        ("alpha", ["ana-offers-in-office"]),
    ]

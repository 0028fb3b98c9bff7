"""The curated graph is tested like code: facts of the article, through the query layer."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from app.graph import KnowledgeGraph
from app.networkx_graph import to_networkx
from app.queries import relations
from app.queries.filters import make_filter
from app.queries.mediations import mediators
from app.queries.neighbors import neighborhood
from app.queries.paths import find_paths
from app.queries.relations import dyad_summary, find_dyad_relations, find_relations
from app.queries.status import dyad_status
from app.queries.views import relation_views
from app.store import TYPE_CODE
from app.temporal import parse_period

REQUIRED = [
    "Azerbaijan",
    "Israel",
    "Türkiye",
    "Iran",
    "Armenia",
    "United States",
    "United Arab Emirates",
    "Bahrain",
    "Russia",
    "Ukraine",
    "Ilham Aliyev",
    "Isaac Herzog",
    "Benny Gantz",
    "Jeyhun Bayramov",
    "Hikmet Hajiyev",
    "Avigdor Liberman",
    "Recep Tayyip Erdoğan",
]


def ids(kg: KnowledgeGraph, positions: object) -> list[str]:
    return [kg.relations.ids[int(p)] for p in positions]  # type: ignore[attr-defined]


def test_graph_is_large_enough(curated: KnowledgeGraph) -> None:
    assert len(curated.entities) >= 18
    assert len(curated.relations) >= 40


@pytest.mark.parametrize("name", REQUIRED)
def test_every_required_entity_is_present(curated: KnowledgeGraph, name: str) -> None:
    assert curated.entity(curated.resolve(name)).name


@pytest.mark.parametrize(
    ("ref", "entity_id"),
    [
        ("Turkey", "turkiye"),
        ("turkiye", "turkiye"),
        ("Trkiye", "turkiye"),
        ("TÜRKİYE", "turkiye"),
        ("Azeri", "azerbaijan"),
        ("Washington", "united-states"),
        ("UAE", "united-arab-emirates"),
        ("Erdogan", "recep-tayyip-erdogan"),
        ("AZE", "azerbaijan"),
        ("Lieberman", "avigdor-liberman"),
    ],
)
def test_names_and_aliases_resolve(curated: KnowledgeGraph, ref: str, entity_id: str) -> None:
    assert curated.entity(curated.resolve(ref)).id == entity_id


@pytest.mark.parametrize(
    ("state", "alpha3"),
    [
        ("azerbaijan", "AZE"),
        ("israel", "ISR"),
        ("turkiye", "TUR"),
        ("iran", "IRN"),
        ("armenia", "ARM"),
        ("united-states", "USA"),
    ],
)
def test_states_carry_iso_codes(curated: KnowledgeGraph, state: str, alpha3: str) -> None:
    assert curated.entity(curated.resolve(state)).attributes["iso_alpha3"] == alpha3


@pytest.mark.parametrize(
    ("person", "affiliation"),
    [
        ("jeyhun-bayramov", "azerbaijan"),
        ("ilham-aliyev", "azerbaijan"),
        ("isaac-herzog", "israel"),
        ("benny-gantz", "israel"),
    ],
)
def test_people_carry_role_and_affiliation(curated: KnowledgeGraph, person: str, affiliation: str) -> None:
    attributes = curated.entity(curated.resolve(person)).attributes
    assert attributes["affiliation"] == affiliation and attributes["role"]


@pytest.mark.parametrize(
    ("as_of", "status", "polarity"),
    [
        ("2009", "normal", "positive"),
        ("2011", "hostile", "negative"),
        ("2017", "normalized", "positive"),
        ("2019", "severed", "negative"),
        ("2021", "normalizing", "positive"),
        ("2023", "restored", "positive"),
    ],
)
def test_turkiye_israel_status_follows_the_article(
    curated: KnowledgeGraph, as_of: str, status: str, polarity: str
) -> None:
    found = dyad_status(curated, curated.resolve("Türkiye"), curated.resolve("Israel"), as_of=parse_period(as_of))
    assert (found.status, found.polarity) == (status, polarity)
    assert found.basis


def test_status_is_unknown_before_anything_is_known(curated: KnowledgeGraph) -> None:
    found = dyad_status(curated, curated.resolve("Azerbaijan"), curated.resolve("Israel"), as_of=parse_period("1980"))
    assert (found.status, found.basis) == ("unknown", [])


def test_status_is_symmetric(curated: KnowledgeGraph) -> None:
    a, b, day = curated.resolve("Israel"), curated.resolve("Türkiye"), parse_period("2019-06-01")
    assert dyad_status(curated, a, b, as_of=day) == dyad_status(curated, b, a, as_of=day)


def test_mediators_between_turkiye_and_israel_in_either_order(curated: KnowledgeGraph) -> None:
    turkiye, israel = curated.resolve("Turkey"), curated.resolve("Israel")
    forward = [(curated.entity(m).id, ids(curated, rels)) for m, rels in mediators(curated, turkiye, israel)]
    assert forward == [(curated.entity(m).id, ids(curated, rels)) for m, rels in mediators(curated, israel, turkiye)]
    # one offer, one record: the minister speaks for Azerbaijan, which is listed with both its offers
    assert dict(forward) == {
        "jeyhun-bayramov": ["jeyhun-bayramov-offers-mediation-2020-12"],
        "azerbaijan": ["jeyhun-bayramov-offers-mediation-2020-12", "hikmet-hajiyev-offers-to-host-talks-2021"],
        "hikmet-hajiyev": ["hikmet-hajiyev-offers-to-host-talks-2021"],
    }
    (offer,) = dict(forward)["jeyhun-bayramov"]
    assert curated.relations.attributes[curated.relations.position[offer]]["on_behalf_of"] == "azerbaijan"


def test_united_states_brokered_both_abraham_accords_deals(curated: KnowledgeGraph) -> None:
    israel = curated.resolve("Israel")
    for party in ("UAE", "Bahrain"):
        found = mediators(curated, israel, curated.resolve(party))
        assert [curated.entity(m).id for m, _ in found] == ["united-states"]


def test_arms_trade_carries_the_sipri_rank(curated: KnowledgeGraph) -> None:
    found = find_relations(
        curated,
        source=curated.resolve("Israel"),
        target=curated.resolve("Azerbaijan"),
        flt=make_filter(types=["arms_trade"]),
    )
    (position,) = found
    table = curated.relations
    assert (table.start_text(position), table.end_text(position)) == ("2018", "2022")
    assert table.attributes[position]["rank"] == 2


def test_energy_supply_predates_its_2022_increase(curated: KnowledgeGraph) -> None:
    found = find_relations(
        curated,
        source=curated.resolve("Azerbaijan"),
        target=curated.resolve("Israel"),
        flt=make_filter(types=["energy_supply"]),
    )
    table = curated.relations
    assert [(table.ids[p], table.start_text(p)) for p in found] == [
        ("azerbaijan-israel-energy-supply", "2006"),
        ("azerbaijan-israel-oil-supply-increase-2022", "2022"),
    ]
    assert table.attributes[found[1]]["share_percent"] == 40
    in_2021 = find_relations(
        curated,
        source=curated.resolve("Azerbaijan"),
        target=curated.resolve("Israel"),
        flt=make_filter(types=["energy_supply"], as_of="2021"),
    )
    assert [table.ids[p] for p in in_2021] == ["azerbaijan-israel-energy-supply"]


def test_settlement_carries_the_twenty_million(curated: KnowledgeGraph) -> None:
    (position,) = find_relations(curated, either=curated.resolve("Türkiye"), flt=make_filter(types=["settlement"]))
    assert curated.relations.attributes[position]["amount_usd"] == 20_000_000
    assert curated.relations.start_text(position).startswith("2016")


def test_embassy_of_1993_and_bill_of_2022(curated: KnowledgeGraph) -> None:
    israel, azerbaijan = curated.resolve("Israel"), curated.resolve("Azerbaijan")
    table = curated.relations
    embassy = find_relations(curated, source=israel, target=azerbaijan, flt=make_filter(types=["embassy"]))
    assert [table.start_text(p) for p in embassy] == ["1993-08"]
    bill = find_relations(curated, flt=make_filter(types=["policy_decision"], start="2022-11", end="2022-11"))
    assert ids(curated, bill) == ["azerbaijan-parliament-approves-embassy-in-israel-2022"]


def test_both_turkiye_and_israel_backed_azerbaijan_in_2020(curated: KnowledgeGraph) -> None:
    found = find_relations(
        curated, target=curated.resolve("Azerbaijan"), flt=make_filter(types=["military_support"], as_of="2020-10")
    )
    assert {curated.entity(curated.relations.source[p]).id for p in found} == {"turkiye", "israel"}


def test_turkiye_israel_timeline_is_ordered_and_spans_the_decade(curated: KnowledgeGraph) -> None:
    found = find_dyad_relations(
        curated, curated.resolve("Türkiye"), curated.resolve("Israel"), flt=make_filter(start="2010", end="2022")
    )
    starts = curated.relations.lo[found].tolist()
    assert starts == sorted(starts)
    types = [curated.relations.type_id(int(p)) for p in found]
    assert (
        types.index("deterioration") < types.index("settlement") < types.index("rupture") < types.index("restoration")
    )


def test_gantz_meets_aliyev_directly(curated: KnowledgeGraph) -> None:
    found = find_paths(curated, curated.resolve("Gantz"), curated.resolve("Aliyev"), k=3)
    nodes, edges = found.paths[0]
    assert [curated.entity(n).id for n in nodes] == ["benny-gantz", "ilham-aliyev"]
    assert curated.relations.type_id(edges[0]) == "meeting"
    assert found.complete and len(found.paths) == 3
    assert [len(n) for n, _ in found.paths] == sorted(len(n) for n, _ in found.paths)


def test_bayramov_reaches_herzog_through_states(curated: KnowledgeGraph) -> None:
    found = find_paths(curated, curated.resolve("Bayramov"), curated.resolve("Herzog"), max_hops=4)
    nodes, edges = found.paths[0]
    assert curated.entity(nodes[0]).id == "jeyhun-bayramov" and curated.entity(nodes[-1]).id == "isaac-herzog"
    assert len(edges) == len(nodes) - 1 <= 4


def test_neighbours_of_iran_as_of_2022_include_its_rivals(curated: KnowledgeGraph) -> None:
    hood = neighborhood(curated, curated.resolve("Iran"), depth=1, flt=make_filter(as_of="2022-11"))
    first_ring = {curated.entity(p).id for p, d in hood.nodes if d == 1}
    assert {"azerbaijan", "israel"} <= first_ring


def test_the_networkx_graph_holds_every_relation_once_keyed_by_id(curated: KnowledgeGraph) -> None:
    graph = to_networkx(curated)
    assert graph.number_of_nodes() == len(curated.entities)
    assert sorted(key for _, _, key in graph.edges(keys=True)) == sorted(curated.relations.ids)
    arms = graph.edges["israel", "azerbaijan", "israel-azerbaijan-arms-trade-2018-2022"]
    assert (arms["type"], arms["start"], arms["end"], arms["polarity"]) == ("arms_trade", "2018", "2022", "positive")
    assert graph.nodes["ilham-aliyev"]["kind"] == "person"


@pytest.mark.parametrize("graph", ["curated", "mini"])
@pytest.mark.parametrize("small", [32, 0], ids=["few", "bincount"])  # the two ways of reading the columns
def test_dyad_summary_counts_as_the_relations_read_one_by_one(
    graph: str, small: int, request: pytest.FixtureRequest
) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(graph)
    checked = 0
    for a, b in kg.dyads.edges:
        found = find_dyad_relations(kg, a, b, flt=make_filter())
        views = relation_views(kg, found)
        with patch.object(relations, "_SMALL", small):
            summary = dyad_summary(kg, found)
        types = [view["type"] for view in views]
        ranked = sorted(set(types), key=lambda type_id: (-types.count(type_id), TYPE_CODE[type_id]))
        assert list(summary["by_type"].items()) == [(type_id, types.count(type_id)) for type_id in ranked]
        polarities = [view["polarity"] for view in views]
        assert summary["by_polarity"] == {
            p: polarities.count(p) for p in ("negative", "neutral", "positive") if p in polarities
        }
        assert (summary["count"], summary["first"], summary["last"]) == (
            len(views),
            views[0]["start"],
            views[-1]["start"],
        )
        checked += 1
    assert checked == kg.dyads.number_of_edges() > 0


def _relation(kg: KnowledgeGraph, relation_id: str) -> dict[str, object]:
    return relation_views(kg, [kg.relations.position[relation_id]])[0]


def test_ids_are_unique_across_entities_and_relations(curated: KnowledgeGraph) -> None:
    relation_ids = {curated.relations.ids[p] for p in range(len(curated.relations))}
    assert relation_ids.isdisjoint(curated.entity_ids)


@pytest.mark.parametrize(("as_of", "participants"), [("2010-05-31", ["ihh", "israel"]), ("2011", [])])
def test_one_day_event_participations_end_with_it(curated: KnowledgeGraph, as_of: str, participants: list[str]) -> None:
    found = find_relations(
        curated, target=curated.resolve("Mavi Marmara incident"), flt=make_filter(types=["participant"], as_of=as_of)
    )
    assert sorted(curated.entity_ids[curated.relations.source[p]] for p in found) == participants


def test_every_participation_in_an_ended_event_ends(curated: KnowledgeGraph) -> None:
    table = curated.relations
    for position in find_relations(curated, flt=make_filter(types=["participant"])).tolist():
        event = curated.entity(int(table.target[position]))
        if "end" in event.attributes:
            assert table.end_text(position) is not None, table.ids[position]


def test_raid_targets_the_flotillas_organiser_not_the_turkish_state(curated: KnowledgeGraph) -> None:
    raid = _relation(curated, "israel-attacks-mavi-marmara-2010")
    assert (raid["source"], raid["target"]) == ("israel", "ihh")
    assert curated.entity(curated.resolve("IHH")).attributes["country"] == "turkiye"


def test_alliance_is_dated_by_its_treaty_and_recognition_is_its_own_fact(curated: KnowledgeGraph) -> None:
    alliance = _relation(curated, "turkiye-azerbaijan-alliance")
    assert (alliance["start"], alliance["attributes"]["treaty"]) == (  # type: ignore[index]
        "2021-06-15",
        "Shusha Declaration on Allied Relations",
    )
    recognition = _relation(curated, "turkiye-recognises-azerbaijan-1991")
    assert (recognition["type"], recognition["start"]) == ("recognition", "1991-11-09")


def test_liberman_stance_is_undated_advocacy(curated: KnowledgeGraph) -> None:
    stance = _relation(curated, "avigdor-liberman-open-to-azerbaijani-mediation")
    assert (stance["type"], stance["start"], stance["kind"]) == ("advocacy", None, "state")


def test_thaw_is_the_normalisation_under_way_before_march_2022(curated: KnowledgeGraph) -> None:
    assert curated.relation_position("turkiye-israel-thaw-2022") is None
    normalization = _relation(curated, "turkiye-israel-normalization-2020-12")
    assert {"source_id": "article", "locator": "6"} in normalization["evidence"]  # type: ignore[operator]
    assert "Pakistan" in str(normalization["note"])


def test_iran_accusation_is_dated_from_2021_as_its_note_says(curated: KnowledgeGraph) -> None:
    assert _relation(curated, "iran-accuses-israel-over-azerbaijan")["start"] == "2021"


def test_the_rapprochement_treaty_is_corrected(curated: KnowledgeGraph) -> None:
    assert "no treaty" in str(_relation(curated, "turkiye-israel-restoration-2022")["note"])


def test_drills_answer_each_other_and_the_defence_ministers_visit(curated: KnowledgeGraph) -> None:
    iranian = _relation(curated, "iran-drills-on-aras-border-2022-10")
    azerbaijani = _relation(curated, "azerbaijan-drills-on-iranian-border-2022-11")
    assert iranian["attributes"]["in_response_to"] == "benny-gantz-visits-azerbaijan-2022-10"  # type: ignore[index]
    assert azerbaijani["attributes"]["in_response_to"] == "iran-drills-on-aras-border-2022-10"  # type: ignore[index]


def test_baku_withheld_an_ambassador_until_the_vote_and_says_why(curated: KnowledgeGraph) -> None:
    policy = _relation(curated, "azerbaijan-withholds-ambassador-from-israel")
    assert (policy["type"], policy["start"], policy["end"]) == ("policy", "1993-08", "2022-11-18")
    attributes: dict[str, object] = policy["attributes"]  # type: ignore[assignment]
    assert attributes["wary_of"] == ["iran"] and len(attributes["reasons"]) == 2  # type: ignore[arg-type]
    assert attributes["ended_by"] == "azerbaijan-parliament-approves-embassy-in-israel-2022"

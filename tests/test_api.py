"""Every route, on the curated graph: answers, pagination and problem details."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.query_string import query_pairs

PROBLEM = "application/problem+json"


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return response.json()


def test_health_counts_the_graph(client: TestClient, curated: Any) -> None:
    assert get(client, "/health") == {
        "status": "ok",
        "entities": len(curated.entities),
        "relations": len(curated.relations),
    }


def test_types_lists_the_vocabulary(client: TestClient) -> None:
    types = {t["id"]: t for t in get(client, "/types")}
    assert {"arms_trade", "energy_supply", "mediation", "hostility"} <= set(types)
    assert types["visit"] == {**types["visit"], "kind": "event", "cameo": "042"}
    assert types["hostility"]["kind"] == "state" and types["hostility"]["polarity"] == "negative"


@pytest.mark.parametrize("ref", ["Türkiye", "Turkiye", "turkey", "turkiye", "TURKEY", "Trkiye"])
def test_entity_by_any_spelling(client: TestClient, ref: str) -> None:
    entity = get(client, f"/entities/{ref}")
    assert entity["id"] == "turkiye" and entity["kind"] == "state"
    assert entity["attributes"]["iso_alpha2"] == "TR"


def test_unknown_entity_suggests_near_names(client: TestClient) -> None:
    body = get(client, "/entities/Azerbaijn", 404)
    assert "azerbaijan" in body["suggestions"]


def test_entity_search_is_fuzzy_and_paginated(client: TestClient) -> None:
    page = get(client, "/entities?q=erdogn")
    assert page["items"][0]["id"] == "recep-tayyip-erdogan"
    people = get(client, "/entities?kind=person&limit=3&offset=1")
    assert (people["limit"], people["offset"], len(people["items"])) == (3, 1, 3)
    assert all(item["kind"] == "person" for item in people["items"])
    assert people["total"] >= 7


def test_entity_relations_filtered_by_type_and_window(client: TestClient) -> None:
    page = get(client, "/entities/Israel/relations?type=visit&from=2022&to=2022")
    assert page["total"] == len(page["items"]) >= 1
    assert all(r["type"] == "visit" and r["start"].startswith("2022") for r in page["items"])


def test_relations_follow_direction(client: TestClient) -> None:
    forward = get(client, "/relations?source=Israel&target=Azerbaijan&type=arms_trade")
    assert [r["id"] for r in forward["items"]] == ["israel-azerbaijan-arms-trade-2018-2022"]
    assert get(client, "/relations?source=Azerbaijan&target=Israel&type=arms_trade")["total"] == 0


def test_relations_type_may_repeat(client: TestClient) -> None:
    page = get(client, "/relations?type=rupture&type=restoration")
    assert {r["type"] for r in page["items"]} == {"rupture", "restoration"}


def test_relations_as_of_keeps_what_is_in_force(client: TestClient) -> None:
    page = get(client, "/relations?source=Türkiye&target=Israel&as_of=2015&type=hostility")
    assert [r["id"] for r in page["items"]] == ["turkiye-israel-hostility-2010-2022"]
    assert get(client, "/relations?source=Türkiye&target=Israel&as_of=2023&type=hostility")["total"] == 0


def test_one_relation_has_every_contract_field(client: TestClient) -> None:
    relation = get(client, "/relations/israel-azerbaijan-arms-trade-2018-2022")
    assert {
        "id",
        "type",
        "source",
        "target",
        "start",
        "end",
        "polarity",
        "description",
        "evidence",
        "attributes",
    } <= set(relation)
    assert (relation["start"], relation["end"], relation["attributes"]["rank"]) == ("2018", "2022", 2)
    assert relation["evidence"] == [{"source_id": "article", "locator": "1"}]


def test_unknown_relation_is_404(client: TestClient) -> None:
    assert "no-such" in get(client, "/relations/no-such", 404)["detail"]


def test_dyad_timeline_both_directions_sorted(client: TestClient) -> None:
    body = get(client, "/dyads/Turkey/Israel?from=2010&to=2022")
    assert (body["a"]["id"], body["b"]["id"]) == ("turkiye", "israel")
    starts = [r["start"] for r in body["relations"]]
    assert starts == sorted(starts)
    assert all({r["source"], r["target"]} == {"turkiye", "israel"} for r in body["relations"])
    assert body["summary"]["count"] == len(body["relations"])
    assert body["summary"]["by_type"]["rupture"] == 1


@pytest.mark.parametrize(
    ("as_of", "status", "polarity"),
    [("2011", "hostile", "negative"), ("2019", "severed", "negative"), ("2023", "restored", "positive")],
)
def test_dyad_status_on_a_date(client: TestClient, as_of: str, status: str, polarity: str) -> None:
    body = get(client, f"/dyads/Türkiye/Israel/status?as_of={as_of}")
    assert (body["as_of"], body["status"], body["polarity"]) == (as_of, status, polarity)
    assert body["basis"] and all(r["source"] in {"turkiye", "israel"} for r in body["basis"])


def test_mediations_either_order(client: TestClient) -> None:
    forward = get(client, "/mediations?between=Türkiye&between=Israel")
    backward = get(client, "/mediations?between=israel&between=turkey")
    assert forward == backward
    mediators = [item["mediator"]["id"] for item in forward["items"]]
    # Azerbaijan's offers, each stored once, made by its people and listed under them and the state
    assert mediators == ["jeyhun-bayramov", "azerbaijan", "hikmet-hajiyev"]
    assert forward["total"] == len(mediators)
    for item in forward["items"]:
        for relation in item["relations"]:
            assert sorted(relation["attributes"]["parties"]) == ["israel", "turkiye"]


def test_paths_from_gantz_to_aliyev(client: TestClient) -> None:
    body = get(client, "/paths?source=Benny Gantz&target=Ilham Aliyev&k=2")
    first = body["paths"][0]
    assert first["nodes"] == ["benny-gantz", "ilham-aliyev"] and first["hops"] == 1
    assert first["edges"][0]["type"] == "meeting"
    assert len(body["paths"]) == 2 and body["complete"]


def test_paths_respect_max_hops(client: TestClient) -> None:
    body = get(client, "/paths?source=Hikmet Hajiyev&target=Isaac Herzog&max_hops=1")
    assert body["paths"] == []


def test_neighbors_within_depth(client: TestClient) -> None:
    body = get(client, "/entities/Iran/neighbors?depth=1&as_of=2022-11")
    assert body["center"]["id"] == "iran"
    assert {n["id"] for n in body["nodes"] if n["distance"] == 1} >= {"azerbaijan", "israel"}
    node_ids = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in body["edges"])
    assert not body["truncated"]


@pytest.mark.parametrize(
    "url",
    [
        "/relations?from=2022&to=2020",
        "/relations?as_of=2022/2018",
        "/relations?from=2022/2018&to=2024",
        "/entities/Azerbaijan/relations?from=2018/2014",
        "/changes?from=2022&to=2020",
        "/dyads/Turkey/Israel?from=2023&to=2001",
    ],
)
def test_a_window_that_ends_before_it_starts_selects_nothing(client: TestClient, url: str) -> None:
    body = get(client, url)
    assert body.get("total", 0) == 0 and body.get("items", body.get("relations")) == []


def test_an_empty_period_has_no_status(client: TestClient) -> None:
    body = get(client, "/dyads/Turkey/Israel/status?as_of=2022/2018")
    assert (body["status"], body["basis"]) == ("unknown", [])


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/dyads/Iran/Israel?limit=1&limit=2", "limit"),  # a GraphReadRoute route
        ("/analysis/centrality?offset=%C3%86&offset=0", "offset"),  # an escaped query string
        ("/journal?offset=1&offset=2", "offset"),  # a plain FastAPI route (single_values)
        ("/relations?from=2020&type=visit&from=2021", "from"),  # inside a shared dependency
    ],
)
def test_a_single_value_given_twice_is_refused(client: TestClient, url: str, parameter: str) -> None:
    body = get(client, url, 422)
    assert (body["parameter"], body["detail"]) == (parameter, f"{parameter}: given more than once; it takes one value")


def test_repeatable_parameters_still_repeat(client: TestClient) -> None:
    types = {r["type"] for r in get(client, "/relations?type=visit&type=hostility&limit=1000")["items"]}
    assert types == {"visit", "hostility"}


def test_one_entity_named_twice_faces_itself(client: TestClient) -> None:
    dyad = get(client, "/dyads/Iran/iran")
    assert (dyad["a"]["id"], dyad["b"]["id"], dyad["relations"]) == ("iran", "iran", [])
    assert get(client, "/dyads/Iran/Iran/status")["status"] == "unknown"
    assert get(client, "/mediations?between=Iran&between=iran")["items"] == []
    assert get(client, "/analysis/mediator-candidates?between=Iran&between=Persia")["items"] == []


def test_neighbors_limit_truncates(client: TestClient) -> None:
    body = get(client, "/entities/Azerbaijan/neighbors?depth=2&limit=3")
    assert len(body["nodes"]) == 3 and body["truncated"]


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/dyads/Turkey/Israel/status?as_of=2022-13", 422, "as_of"),
        ("/relations?from=2020-02-30", 422, "from"),
        ("/relations?from=%202022", 422, "from"),
        ("/relations?as_of=%D9%A2%D9%A0%D9%A2%D9%A0", 422, "as_of"),  # Arabic-Indic digits: not ISO
        ("/relations?type=friendship", 422, "type"),
        ("/relations?limit=1001", 422, "limit"),
        ("/relations?offset=-1", 422, "offset"),
        ("/paths?source=Iran&target=Israel&max_hops=7", 422, "max_hops"),
        ("/paths?source=Iran&target=Israel&k=0", 422, "k"),
        ("/paths?source=Iran", 422, "target"),
        ("/entities/Iran/neighbors?depth=4", 422, "depth"),
        ("/mediations?between=Iran", 422, "between"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(client: TestClient, url: str, status: int, parameter: str) -> None:
    body = get(client, url, status)
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_unknown_entity_in_a_query_parameter_is_404(client: TestClient) -> None:
    body = get(client, "/mediations?between=Atlantis&between=Israel", 404)
    assert body["ref"] == "Atlantis"


def test_ambiguous_reference_is_409_with_candidates(mini_client: TestClient) -> None:
    body = get(mini_client, "/entities/Smith", 409)
    assert body["candidates"] == ["ana-smith", "ben-smith"]


def test_a_surname_alone_names_its_only_bearer(client: TestClient) -> None:
    assert get(client, "/entities/bayramov")["id"] == "jeyhun-bayramov"


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    assert get(client, "/nowhere", 404)["status"] == 404


# -- reads of the graph (GraphReadRoute: one validation model per endpoint) -----------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/dyads/Turkey/Israel?limit=0", "limit"),
        ("/dyads/Turkey/Israel?offset=-3", "offset"),
        ("/dyads/Turkey/Israel?from=yesterday", "from"),
        ("/dyads/Turkey/Israel?type=friendship", "type"),
        ("/dyads/Turkey/Israel?members=perhaps", "members"),
        ("/dyads/Turkey/Israel/series?freq=week", "freq"),
    ],
)
def test_read_routes_name_the_bad_parameter(client: TestClient, url: str, parameter: str) -> None:
    body = get(client, url, 422)
    assert body["parameter"] == parameter and parameter in body["detail"]


def test_read_routes_read_repeated_and_typed_parameters(client: TestClient) -> None:
    body = get(client, "/dyads/Turkey/Israel?type=rupture&type=restoration&members=true&limit=1&offset=1")
    assert body["summary"]["by_type"] == {"rupture": 1, "restoration": 1}
    assert [r["type"] for r in body["relations"]] == ["restoration"]
    assert (body["limit"], body["offset"]) == (1, 1)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab=&%+20C3é;"), max_size=24))
def test_query_pairs_read_a_query_string_as_parse_qsl_does(text: str) -> None:
    raw = text.encode("latin-1", errors="replace")
    assert query_pairs(raw) == parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


def test_escaped_and_repeated_parameters_reach_the_route(client: TestClient) -> None:
    body = get(client, "/dyads/T%C3%BCrkiye/Israel?type=rupture&from=2010&to=2022&type=restoration&limit=+1")
    assert body["a"]["id"] == "turkiye" and body["summary"]["by_type"] == {"rupture": 1, "restoration": 1}
    assert body["limit"] == 1 and len(body["relations"]) == 1


def test_a_relation_id_with_a_nul_byte_is_unknown(client: TestClient) -> None:
    get(client, "/relations/israel-azerbaijan-arms-trade-2018-2022%00", 404)


@pytest.mark.parametrize("suffix", ["", "/status", "/series"])
def test_a_dyad_of_one_entity_is_its_relations_with_itself(client: TestClient, suffix: str) -> None:
    body = get(client, f"/dyads/Israel/israel{suffix}")
    assert body["a"] == body["b"] == get(client, "/entities/israel")


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/paths?source=&target=Israel", "source"),
        ("/paths?source=Israel&target=", "target"),
        ("/mediations?between=&between=Israel", "between"),
        ("/analysis/mediator-candidates?between=Israel&between=", "between"),
    ],
)
def test_an_empty_required_reference_is_a_bad_parameter(client: TestClient, url: str, parameter: str) -> None:
    assert get(client, url, 422)["parameter"] == parameter


def test_an_empty_optional_filter_is_no_filter(client: TestClient) -> None:
    # as with dates (`from=`), an empty optional value means "not given"
    assert get(client, "/relations?source=&target=Israel") == get(client, "/relations?target=Israel")
    unfiltered = get(client, "/entities/Israel/relations")["total"]
    assert get(client, "/entities/Israel/relations?from=")["total"] == unfiltered
    whole = get(client, "/analysis/balance?as_of=2022-11")
    assert get(client, "/analysis/balance?as_of=2022-11&focus=") == whole and whole["focus"] is None

"""Writes through the API: every route, its errors, keys and roles, the journal, revert, replay, as_known.

Each test runs on SQLite and on a real PostgreSQL server (``database_url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.curation.keys import create_key, revoke_key
from app.main import create_app

from .conftest import MINI

VISIT: dict[str, Any] = {
    "id": "beta-gamma-visit",
    "type": "visit",
    "source": "beta",
    "target": "gamma",
    "start": "2016-02",
    "description": "Beta's leader visits Gamma.",
    "evidence": [{"source_id": "notes", "locator": "5"}],
}
TODAY = date.today().isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


class Curator:
    """A client on a fresh app and journal, with an editor's key."""

    def __init__(self, client: TestClient, name: str = "ana") -> None:
        self.client = client
        engine = client.app.state.curator.engine  # type: ignore[attr-defined]
        self.engine = engine
        self.auth = {"Authorization": f"Bearer {create_key(engine, name=name, role='editor')}"}

    def post(self, path: str, body: dict[str, Any], **headers: str) -> Any:
        return self.client.post(path, json=body, headers={**self.auth, **headers})

    def patch(self, path: str, body: dict[str, Any], **headers: str) -> Any:
        return self.client.patch(path, json=body, headers={**self.auth, **headers})

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers={**self.auth, **headers})

    def get(self, path: str) -> Any:
        return self.client.get(path)


def _app(database_url: str) -> Any:
    return create_app(Settings(data=[MINI], database_url=database_url, poll_interval=60))


@pytest.fixture
def curator(database_url: str) -> Iterator[Curator]:
    with TestClient(_app(database_url)) as client:
        yield Curator(client)


def _ids(answer: Any) -> list[str]:
    return [relation["id"] for relation in answer.json()["relations"]]


# -- keys and roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/relations"),
        ("POST", "/entities"),
        ("PATCH", "/relations/alpha-beta-ties"),
        ("PATCH", "/entities/alpha"),
        ("DELETE", "/relations/alpha-beta-ties"),
        ("POST", "/journal"),
        ("POST", "/journal/1/revert"),
    ],
)
def test_write_without_key_is_401_and_with_reader_key_403(curator: Curator, method: str, path: str) -> None:
    body = {"reason": "r"}
    answer = curator.client.request(method, path, json=body)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    reader = create_key(curator.engine, name="rita", role="reader")
    answer = curator.client.request(method, path, json=body, headers={"Authorization": f"Bearer {reader}"})
    assert answer.status_code == 403
    assert answer.json()["detail"] == "the key 'rita' has the role 'reader'; this needs 'editor'"


def test_reads_need_a_key_of_any_role_only_when_the_setting_says_so(database_url: str) -> None:
    settings = Settings(data=[MINI], database_url=database_url, poll_interval=60, reads_require_key=True)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.curator.engine  # type: ignore[attr-defined]
        reader = {"Authorization": f"Bearer {create_key(engine, name='rita', role='reader')}"}
        refused = client.get("/entities/alpha")
        assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
        assert refused.headers["content-type"] == "application/problem+json"
        assert "reads need an API key" in refused.json()["detail"]
        assert (
            client.get("/entities/alpha", headers={"Authorization": "Bearer nope"}).json()["detail"]
            == "the API key is unknown or revoked"
        )
        assert client.get("/entities/alpha", headers=reader).json()["id"] == "alpha"
        assert client.get("/relations?limit=1", headers=reader).json()["total"] > 0
        for open_path in ("/health", "/ready", "/metrics", "/openapi.json", "/docs"):
            assert client.get(open_path).status_code == 200, open_path
        assert client.post("/relations", json={**VISIT, "reason": "r"}, headers=reader).status_code == 403
    with TestClient(_app(database_url)) as client:
        assert client.get("/entities/alpha").json()["id"] == "alpha"


def test_unknown_and_revoked_keys_are_401(curator: Curator) -> None:
    answer = curator.client.post("/relations", json={**VISIT, "reason": "r"}, headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert revoke_key(curator.engine, "ana")
    answer = curator.post("/relations", {**VISIT, "reason": "r"})
    assert (answer.status_code, answer.json()["detail"]) == (401, "the API key is unknown or revoked")
    assert curator.get("/relations/beta-gamma-visit").status_code == 404


def test_admin_key_may_write_and_keys_are_stored_as_hashes(curator: Curator) -> None:
    admin = create_key(curator.engine, name="boss", role="admin")
    answer = curator.client.post(
        "/relations", json={**VISIT, "reason": "r"}, headers={"Authorization": f"Bearer {admin}"}
    )
    assert answer.status_code == 201
    with curator.engine.connect() as connection:
        stored = [row[0] for row in connection.exec_driver_sql("SELECT key_hash FROM api_keys")]
    assert admin not in stored and len(stored) == 2 and all(len(value) == 64 for value in stored)


# -- create ------------------------------------------------------------------------------------------


def test_create_relation_is_201_with_etag_and_visible_to_the_next_read(curator: Curator) -> None:
    answer = curator.post("/relations", {**VISIT, "reason": "seen in the press"})
    assert answer.status_code == 201
    assert answer.headers["etag"] == '"r1"' and answer.headers["location"] == "/relations/beta-gamma-visit"
    created = answer.json()
    assert {k: created[k] for k in VISIT} == VISIT
    assert created["polarity"] == "positive" and created["kind"] == "event"
    assert curator.get("/relations/beta-gamma-visit").json() == created
    assert _ids(curator.get("/dyads/gamma/beta")) == ["beta-gamma-visit"]
    assert curator.get("/health").json()["relations"] == 8


def test_create_entity_then_relation_to_it(curator: Curator) -> None:
    answer = curator.post(
        "/entities",
        {"id": "epsilon", "name": "Epsilon", "kind": "state", "aliases": ["Epsilonia"], "reason": "new state"},
    )
    assert answer.status_code == 201 and answer.headers["etag"] == '"e1"'
    assert curator.get("/entities/Epsilonia").json()["id"] == "epsilon"
    answer = curator.post(
        "/relations", {**VISIT, "id": "eps-alpha", "source": "epsilon", "target": "alpha", "reason": "r"}
    )
    assert answer.status_code == 201
    assert _ids(curator.get("/dyads/alpha/epsilonia")) == ["eps-alpha"]


def test_a_written_act_of_an_office_holder_counts_for_her_state_with_members(curator: Curator) -> None:
    # The organ rule (app/membership.py) on a graph written to: the snapshot after the write keeps the
    # memberships of the one before (no link changed), over a table that has grown by one relation.
    visit = {**VISIT, "id": "ana-visits-beta", "source": "ana-smith", "target": "beta", "start": "2020-03"}
    assert curator.post("/relations", {**visit, "reason": "r"}).status_code == 201
    assert "ana-visits-beta" not in _ids(curator.get("/dyads/alpha/beta"))
    assert _ids(curator.get("/dyads/alpha/beta?from=2020&members=true")) == ["alpha-beta-ties", "ana-visits-beta"]
    series = curator.get("/dyads/beta/alpha/series?freq=year&from=2020&to=2020&members=true").json()
    assert [(p["period"], p["count"]) for p in series["periods"]] == [("2020", 1)]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/relations", {**VISIT, "id": "alpha-beta-ties"}),  # from the dataset files
        ("/entities", {"id": "alpha", "name": "Alpha Two", "kind": "state"}),
        ("/relations", {**VISIT, "id": "gamma"}),  # an entity's id
        ("/entities", {"id": "gamma-offer", "name": "Offer", "kind": "event"}),  # a relation's id
    ],
)
def test_create_with_a_taken_id_is_409(curator: Curator, path: str, body: dict[str, Any]) -> None:
    answer = curator.post(path, {**body, "reason": "r"})
    assert answer.status_code == 409
    assert "is taken" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": "atlantis"}, "target", "unknown entity 'atlantis'"),
        ({"start": "2016-13"}, "start", "not a real date"),
        ({"end": "2015"}, "end", "2015 is before start 2016-02"),
        ({"type": "friendship"}, "type", "unknown relation type 'friendship'"),
        ({"evidence": []}, "evidence", "at least 1"),
        ({"evidence": [{"source_id": "blog", "locator": "1"}]}, "evidence", "unknown source 'blog'"),
        ({"type": "mediation_offer"}, "attributes.parties", "two parties"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"reason": ""}, "reason", "needs a reason"),
        (
            {"attributes": {"in_response_to": "no-such-relation"}},
            "attributes.in_response_to",
            "unknown relation 'no-such-relation'",
        ),
    ],
)
def test_invalid_relation_is_422_naming_the_field(
    curator: Curator, changes: dict[str, Any], field: str, message: str
) -> None:
    answer = curator.post("/relations", {**VISIT, "reason": "r", **changes})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["parameter"] == field and message in problem["detail"]
    assert answer.headers["content-type"] == "application/problem+json"
    assert curator.get("/journal").json()["total"] == 0


SUMMIT = {"id": "summit", "name": "Summit", "kind": "event", "attributes": {"start": "2016-02-01", "end": "2016-02-03"}}


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"start": "2016-02-01"},
            "end",
            "the event 'summit' ended in 2016-02-03; a participation in it ends when it does",
        ),
        ({"start": "2016-02-01", "end": "2016-03"}, "end", "2016-03 is after the end of the event 'summit'"),
        ({"start": "2015", "end": "2016-02-02"}, "start", "2015 is before the start of the event 'summit'"),
    ],
)
def test_a_participation_keeps_within_its_event_as_at_load(
    curator: Curator, dates: dict[str, str], field: str, message: str
) -> None:
    assert curator.post("/entities", {**SUMMIT, "reason": "r"}).status_code == 201
    part = {**VISIT, "id": "beta-at-summit", "type": "participant", "target": "summit", "reason": "r"}
    answer = curator.post("/relations", {**part, **dates})
    assert (answer.status_code, answer.json()["parameter"]) == (422, field)
    assert message in answer.json()["detail"]
    assert curator.post("/relations", {**part, "start": "2016-02-01", "end": "2016-02-03"}).status_code == 201


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"start": "2016-02-01", "end": "2016-02-02"}, "2016-02-03 is after the end of the event 'summit'"),
        ({"start": "2016-02-02", "end": "2016-02-03"}, "2016-02-01 is before the start of the event 'summit'"),
    ],
)
def test_an_event_cannot_be_made_shorter_than_its_participations(
    curator: Curator, dates: dict[str, str], message: str
) -> None:
    assert curator.post("/entities", {**SUMMIT, "reason": "r"}).status_code == 201
    part = {**VISIT, "id": "beta-at-summit", "type": "participant", "target": "summit", "reason": "r"}
    assert curator.post("/relations", {**part, "start": "2016-02-01", "end": "2016-02-03"}).status_code == 201
    answer = curator.patch("/entities/summit", {"attributes": dates, "reason": "r"})
    field = "attributes.end" if "after" in message else "attributes.start"
    assert (answer.status_code, answer.json()["parameter"]) == (422, field)
    assert f"participation 'beta-at-summit': {message}" in answer.json()["detail"]
    assert curator.get("/entities/summit").json()["attributes"] == SUMMIT["attributes"]
    # once the participation is retracted, nothing holds the event's dates
    assert curator.delete("/relations/beta-at-summit?reason=r").status_code == 200
    assert curator.patch("/entities/summit", {"attributes": dates, "reason": "r"}).status_code == 200


def test_a_relation_another_answers_is_not_retracted_under_it(curator: Curator) -> None:
    reply = {**VISIT, "id": "gamma-replies", "source": "gamma", "target": "beta", "start": "2016-03"}
    reply["attributes"] = {"in_response_to": ["alpha-beta-rupture"]}
    assert curator.post("/relations", {**reply, "reason": "r"}).status_code == 201
    answer = curator.delete("/relations/alpha-beta-rupture?reason=r")
    assert answer.status_code == 409
    assert "answered by 'gamma-replies' (attributes.in_response_to)" in answer.json()["detail"]
    assert "alpha-beta-rupture" in _ids(curator.get("/dyads/alpha/beta"))
    assert curator.delete("/relations/gamma-replies?reason=r").status_code == 200
    assert curator.delete("/relations/alpha-beta-rupture?reason=r").status_code == 200


def test_an_event_entity_ending_before_it_starts_is_422(curator: Curator) -> None:
    answer = curator.post(
        "/entities", {**SUMMIT, "attributes": {"start": "2016-02-01", "end": "2016-01"}, "reason": "r"}
    )
    assert (answer.status_code, answer.json()["parameter"]) == (422, "attributes.end")
    assert "2016-01 is before start 2016-02-01" in answer.json()["detail"]


# -- update, retract ---------------------------------------------------------------------------------


def test_patch_relation_with_if_match_and_stale_etag_412(curator: Curator) -> None:
    etag = curator.get("/relations/alpha-beta-rupture").headers["etag"]
    assert etag == '"r0"'
    answer = curator.patch(
        "/relations/alpha-beta-rupture", {"start": "2010-06", "reason": "month was wrong"}, **{"If-Match": etag}
    )
    assert answer.status_code == 200 and answer.headers["etag"] == '"r1"'
    assert answer.json()["start"] == "2010-06" and answer.json()["description"] == "Alpha cuts ties with Beta."
    stale = curator.patch(
        "/relations/alpha-beta-rupture", {"start": "2010-07", "reason": "again"}, **{"If-Match": etag}
    )
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"r1"'
    assert curator.get("/relations/alpha-beta-rupture").json()["start"] == "2010-06"
    status = curator.get("/dyads/alpha/beta/status?as_of=2010-05-20").json()
    assert status["status"] == "normal"  # the rupture now dates from June


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/relations/nope", {"start": "2010", "reason": "r"}, 404),
        ("/entities/nope", {"name": "X", "reason": "r"}, 404),
        ("/relations/alpha-beta-ties", {"id": "other", "reason": "r"}, 422),
        ("/relations/alpha-beta-ties", {"end": "1990", "reason": "r"}, 422),
        ("/entities/alpha", {"kind": "planet", "reason": "r"}, 422),
    ],
)
def test_patch_errors(curator: Curator, path: str, body: dict[str, Any], status: int) -> None:
    assert curator.patch(path, body).status_code == status


def test_patch_entity_renames_it(curator: Curator) -> None:
    answer = curator.patch("/entities/gamma", {"name": "Gammaland", "aliases": ["Gamma"], "reason": "renamed"})
    assert answer.status_code == 200 and answer.json()["name"] == "Gammaland"
    assert curator.get("/entities/gammaland").json()["aliases"] == ["Gamma"]
    assert _ids(curator.get("/dyads/gammaland/alpha"))[0] == "alpha-gamma-arms"


def test_retract_relation_is_gone_from_answers_and_kept_in_history(curator: Curator) -> None:
    answer = curator.client.request(
        "DELETE", "/relations/alpha-beta-restoration", json={"reason": "doubtful"}, headers=curator.auth
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "id": "alpha-beta-restoration",
        "retracted": True,
        "seq": 1,
        "at": answer.json()["at"],
        "reason": "doubtful",
    }
    assert curator.get("/relations/alpha-beta-restoration").status_code == 404
    assert "alpha-beta-restoration" not in _ids(curator.get("/dyads/alpha/beta"))
    assert curator.get("/dyads/alpha/beta/status?as_of=2016").json()["status"] == "severed"
    history = curator.get("/relations/alpha-beta-restoration/history").json()
    assert history["current"] is False
    assert [(v["seq"], v["op"], v["relation"] and v["relation"]["start"]) for v in history["versions"]] == [
        (0, "load", "2015-03-01"),
        (1, "retract", None),
    ]
    assert curator.delete("/relations/alpha-beta-restoration?reason=again").status_code == 404
    assert curator.delete("/relations/alpha-beta-ties").status_code == 422  # no reason


# -- batches, journal, revert ------------------------------------------------------------------------


def test_batch_applies_all_in_order(curator: Curator) -> None:
    answer = curator.post(
        "/journal",
        {
            "reason": "a new party",
            "changes": [
                {"op": "create", "entity": {"id": "zeta", "name": "Zeta", "kind": "state"}},
                {"op": "create", "relation": {**VISIT, "id": "zeta-alpha", "source": "zeta", "target": "alpha"}},
                {"op": "update", "relation": {"id": "zeta-alpha", "start": "2017"}},
                {"op": "retract", "relation": {"id": "gamma-delta-visit"}},
            ],
        },
    )
    assert answer.status_code == 201
    results = answer.json()["results"]
    assert [(r["seq"], r["op"], r["id"]) for r in results] == [
        (1, "create", "zeta"),
        (2, "create", "zeta-alpha"),
        (3, "update", "zeta-alpha"),
        (4, "retract", "gamma-delta-visit"),
    ]
    assert results[2]["relation"]["start"] == "2017" and results[3]["relation"] is None
    assert [r["start"] for r in curator.get("/dyads/zeta/alpha").json()["relations"]] == ["2017"]
    entries = curator.get("/journal").json()["items"]
    assert {e["batch"] for e in entries} == {1} and {e["reason"] for e in entries} == {"a new party"}


def test_batch_with_one_bad_change_applies_nothing(curator: Curator) -> None:
    answer = curator.post(
        "/journal",
        {
            "reason": "r",
            "changes": [
                {"op": "create", "entity": {"id": "zeta", "name": "Zeta", "kind": "state"}},
                {"op": "create", "relation": {**VISIT, "id": "zeta-x", "source": "zeta", "target": "nowhere"}},
            ],
        },
    )
    assert answer.status_code == 422 and answer.json()["parameter"] == "changes[1].target"
    assert curator.get("/entities/zeta").status_code == 404
    assert curator.get("/journal").json()["total"] == 0
    again = curator.post(
        "/journal",
        {"reason": "r", "changes": [{"op": "create", "entity": {"id": "zeta", "name": "Zeta", "kind": "state"}}]},
    )
    assert again.status_code == 201 and again.json()["results"][0]["seq"] == 1


def test_journal_lists_changes_and_filters(curator: Curator) -> None:
    bob = {"Authorization": f"Bearer {create_key(curator.engine, name='bob', role='editor')}"}
    curator.post("/relations", {**VISIT, "reason": "one"})
    curator.client.patch("/relations/alpha-gamma-arms", json={"end": "2014", "reason": "two"}, headers=bob)
    journal = curator.get("/journal").json()
    assert journal["total"] == 2
    first = journal["items"][0]
    assert {k: first[k] for k in ("seq", "actor", "op", "kind", "target", "reason", "before")} == {
        "seq": 1,
        "actor": "ana",
        "op": "create",
        "kind": "relation",
        "target": "beta-gamma-visit",
        "reason": "one",
        "before": None,
    }
    assert first["after"]["start"] == "2016-02" and first["at"].startswith(TODAY)
    assert [e["seq"] for e in curator.get("/journal?actor=bob").json()["items"]] == [2]
    assert [e["seq"] for e in curator.get("/journal?entity=gamma").json()["items"]] == [1, 2]
    assert [e["seq"] for e in curator.get("/journal?entity=alpha").json()["items"]] == [2]
    assert curator.get(f"/journal?since={TODAY}").json()["total"] == 2
    assert curator.get(f"/journal?until={YESTERDAY}").json()["total"] == 0
    assert curator.get("/journal?since=2020-13").status_code == 422


def test_revert_undoes_create_update_and_retract(curator: Curator) -> None:
    curator.post("/relations", {**VISIT, "reason": "r"})  # 1
    curator.patch("/relations/alpha-gamma-arms", {"end": "2015", "reason": "r"})  # 2
    curator.delete("/relations/gamma-offer?reason=r")  # 3
    answer = curator.post("/journal/2/revert", {"reason": "the old end was right"})  # 4
    assert answer.status_code == 201 and answer.json()["op"] == "revert"
    assert curator.get("/relations/alpha-gamma-arms").json()["end"] == "2013"
    assert curator.post("/journal/3/revert", {"reason": "r"}).status_code == 201  # 5
    assert curator.get("/relations/gamma-offer").json()["attributes"] == {"parties": ["alpha", "beta"]}
    assert curator.post("/journal/1/revert", {"reason": "r"}).status_code == 201  # 6
    assert curator.get("/relations/beta-gamma-visit").status_code == 404
    assert curator.post("/journal/2/revert", {"reason": "r"}).status_code == 409  # changed since (by 4)
    assert curator.post("/journal/99/revert", {"reason": "r"}).status_code == 404
    entries = curator.get("/journal?target=alpha-gamma-arms").json()["items"]
    assert [(e["op"], e["reverts"]) for e in entries] == [("update", None), ("revert", 2)]


# -- timelines, restart ------------------------------------------------------------------------------


def test_as_known_answers_what_the_graph_said_then(curator: Curator) -> None:
    curator.post("/relations", {**VISIT, "reason": "r"})
    curator.delete("/relations/alpha-beta-ties?reason=r")
    assert _ids(curator.get(f"/dyads/beta/gamma?as_known={YESTERDAY}")) == []
    assert _ids(curator.get(f"/dyads/beta/gamma?as_known={TODAY}")) == ["beta-gamma-visit"]
    before = curator.get(f"/relations?source=alpha&target=beta&as_of=2005&as_known={YESTERDAY}").json()
    assert [r["id"] for r in before["items"]] == ["alpha-beta-ties"]
    assert curator.get("/relations?source=alpha&target=beta&as_of=2005").json()["items"] == []
    assert curator.get(f"/relations/alpha-beta-ties?as_known={YESTERDAY}").status_code == 200
    assert curator.get(f"/health?as_known={YESTERDAY}").json()["relations"] == 7
    assert curator.get("/health?as_known=2020-02-30").status_code == 422


def test_restart_replays_the_journal(database_url: str) -> None:
    with TestClient(_app(database_url)) as client:
        writer = Curator(client)
        writer.post(
            "/journal",
            {
                "reason": "r",
                "changes": [
                    {"op": "create", "entity": {"id": "zeta", "name": "Zeta", "kind": "state"}},
                    {"op": "create", "relation": {**VISIT, "id": "zeta-alpha", "source": "zeta", "target": "alpha"}},
                ],
            },
        )
        writer.patch("/relations/zeta-alpha", {"start": "2018", "reason": "r"})
        writer.delete("/relations/alpha-beta-ties?reason=r")
        expected = {
            path: client.get(path).json()
            for path in ("/dyads/zeta/alpha", "/dyads/alpha/beta", "/health", "/entities/zeta")
        }
    with TestClient(_app(database_url)) as client:
        assert {path: client.get(path).json() for path in expected} == expected
        assert client.get("/dyads/alpha/beta").json()["summary"]["count"] == 2
        # and writing goes on from where the journal ended
        assert Curator(client, "ana-again").post("/relations", {**VISIT, "reason": "r"}).headers["etag"] == '"r5"'


def test_reads_carry_the_snapshot_etag_and_answer_304_until_a_write(curator: Curator) -> None:
    first = curator.get("/dyads/alpha/beta")
    tag = first.headers["etag"]
    version = curator.client.app.state.kg.version  # type: ignore[attr-defined]
    assert tag.startswith(f'W/"{version}-') and version.endswith(".0")
    again = curator.client.get("/dyads/alpha/beta", headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    assert curator.get("/relations/alpha-beta-ties").headers["etag"] == '"r0"'  # its own version
    curator.post("/relations", {**VISIT, "reason": "r"})
    after = curator.client.get("/dyads/alpha/beta", headers={"If-None-Match": tag})
    version = curator.client.app.state.kg.version  # type: ignore[attr-defined]
    assert after.status_code == 200 and after.headers["etag"] != tag and version.endswith(".1")
    assert after.headers["etag"].startswith(f'W/"{version}-')


def test_a_write_empties_the_store_of_answers(curator: Curator) -> None:
    before = [curator.get("/dyads/beta/gamma").json() for _ in range(2)]
    assert before[0] == before[1] and before[0]["relations"] == []
    assert curator.client.app.state.answers.stats()["hits"] == 1  # type: ignore[attr-defined]
    curator.post("/relations", {**VISIT, "reason": "r"})
    assert _ids(curator.get("/dyads/beta/gamma")) == ["beta-gamma-visit"]
    curator.delete("/relations/beta-gamma-visit?reason=undone")
    assert curator.get("/dyads/beta/gamma").json()["relations"] == []

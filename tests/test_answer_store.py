"""The store of recent answers (``app/api/caching.py``): what it keeps, for how long, and what it never keeps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.caching import SnapshotCaching
from app.cache import ByteLRU
from app.config import Settings
from app.main import create_app

from .conftest import CURATED, MINI

# Headers made afresh for every request, whichever way it is answered.
PER_REQUEST = {"x-request-id", "date"}


@pytest.fixture
def make_client() -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(data: str = str(MINI), **settings: Any) -> TestClient:
        client = TestClient(create_app(Settings(data=[data], **settings))).__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _stats(client: TestClient) -> dict[str, int]:
    return client.app.state.answers.stats()  # type: ignore[attr-defined,no-any-return]


def _headers(answer: Any) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name not in PER_REQUEST}


def test_an_answer_given_again_is_the_same_answer_from_the_store(make_client: Any) -> None:
    client = make_client()
    first = client.get("/dyads/alpha/beta?from=2015")
    assert (_stats(client)["entries"], _stats(client)["hits"], _stats(client)["misses"]) == (1, 0, 1)
    again = client.get("/dyads/alpha/beta?from=2015")
    assert (again.status_code, again.content, _headers(again)) == (200, first.content, _headers(first))
    assert int(again.headers["content-length"]) == len(first.content)
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert (_stats(client)["hits"], _stats(client)["entries"]) == (1, 1)
    # Both answers are counted under their route, the second as much as the first.
    metrics = client.get("/metrics").text
    assert 'kg_http_requests_total{method="GET",route="/dyads/{a}/{b}",status="200"} 2.0' in metrics
    assert 'kg_cache_hits_total{cache="answers"} 1.0' in metrics


def test_another_query_or_encoding_is_another_answer(make_client: Any) -> None:
    client = make_client(gzip_minimum_size=100)
    plain = client.get("/types", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/types", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert zipped.json() == plain.json()
    assert client.get("/types", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"
    assert client.get("/types", headers={"Accept-Encoding": "identity"}).content == plain.content
    narrower = client.get("/dyads/alpha/beta?from=2016").json()
    wider = client.get("/dyads/alpha/beta?from=2014").json()
    assert len(narrower["relations"]) < len(wider["relations"])
    assert (_stats(client)["entries"], _stats(client)["hits"]) == (4, 2)


@pytest.mark.parametrize("url", ["/entities/nobody", "/dyads/alpha/beta/status?as_of=2016-13", "/health", "/journal"])
def test_errors_probes_and_the_journal_are_never_kept(make_client: Any, url: str) -> None:
    client = make_client()
    first = client.get(url)
    assert first.status_code in (200, 404, 422)
    client.get(url)
    assert _stats(client)["entries"] == 0


def test_a_partial_answer_is_marked_no_store_and_not_kept(make_client: Any) -> None:
    # No time at all to search: the path search stops at once and says it is incomplete.
    client = make_client(str(CURATED), path_time_budget=1e-9, inline_budget=1e-9)
    url = "/paths?source=Israel&target=Iran&k=3"
    answers = [client.get(url) for _ in range(2)]
    assert [a.json()["complete"] for a in answers] == [False, False]
    assert {a.headers["cache-control"] for a in answers} == {"no-store"} and "etag" not in answers[0].headers
    assert _stats(client)["entries"] == 0
    whole = make_client(str(CURATED)).get(url)
    assert whole.json()["complete"] is True and whole.headers["cache-control"] == "no-cache"


def test_the_store_holds_no_more_bytes_than_its_setting(make_client: Any) -> None:
    client = make_client(response_cache_bytes=48_000)  # answers of 0.7-1.3 kB, kept up to 3 kB each
    answers = {url: client.get(url).content for url in (f"/dyads/alpha/beta?from={y}" for y in range(1960, 2020))}
    stats = _stats(client)
    assert 40_000 < stats["bytes"] <= 48_000 and stats["evictions"] == 60 - stats["entries"] > 0
    assert all(client.get(url).content == body for url, body in answers.items())


def test_a_setting_of_zero_keeps_nothing(make_client: Any) -> None:
    client = make_client(response_cache_bytes=0)
    assert client.get("/types").content == client.get("/types").content
    assert _stats(client) == {"entries": 0, "bytes": 0, "max_bytes": 0, "hits": 0, "misses": 0, "evictions": 0}


@pytest.mark.parametrize("finished", [True, False])
def test_a_stream_is_kept_only_when_its_last_part_was_sent(finished: bool) -> None:
    async def streaming(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = SimpleNamespace(tags=["export"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/csv")]})
        await send({"type": "http.response.body", "body": b"a,b\n", "more_body": True})
        if finished:  # else the client has left, and the stream ends without its last part
            await send({"type": "http.response.body", "body": b"1,2\n", "more_body": False})

    store = ByteLRU("answers", max_bytes=100_000)
    caching = SnapshotCaching(streaming, max_age=0, uncached=(), store=store, stored_tags={"export"})
    served = SimpleNamespace(state=SimpleNamespace(kg=SimpleNamespace(version="v1")))
    scope = {"type": "http", "method": "GET", "path": "/export", "query_string": b"", "headers": [], "app": served}

    async def send(message: dict[str, Any]) -> None:
        pass

    asyncio.run(caching(scope, None, send))
    kept = store.get(("/export", b"", False))
    assert (kept is not None) == finished
    if finished:
        assert kept[2] == b"a,b\n1,2\n" and (b"content-length", b"8") in kept[1]


def test_an_answer_begun_before_a_change_is_not_kept_after_it() -> None:
    served = SimpleNamespace(state=SimpleNamespace(kg=SimpleNamespace(version="v1")))
    caching: SnapshotCaching

    async def route(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = SimpleNamespace(tags=["dyads"])
        if served.state.kg.version == "v1" and scope["query_string"] == b"first":
            # While this answer is made from v1, a write makes v2 and another request is answered from it.
            served.state.kg = SimpleNamespace(version="v2")
            await caching({**scope, "query_string": b"second"}, receive, send)
        body = served.state.kg.version.encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    store = ByteLRU("answers", max_bytes=100_000)
    caching = SnapshotCaching(route, max_age=0, uncached=(), store=store, stored_tags={"dyads"})
    scope = {"type": "http", "method": "GET", "path": "/dyads/a/b", "query_string": b"first", "headers": []}

    async def send(message: dict[str, Any]) -> None:
        pass

    asyncio.run(caching({**scope, "app": served}, None, send))
    assert store.get(("/dyads/a/b", b"first", False)) is None
    assert store.get(("/dyads/a/b", b"second", False))[2] == b"v2"

"""Headers, redirects, caching, compression, CORS and limits: what a public URL needs."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.graph import KnowledgeGraph
from app.main import create_app

from .conftest import MINI

PROBLEM = "application/problem+json"


@pytest.fixture
def make_client(mini: KnowledgeGraph) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        client = TestClient(create_app(Settings(data=[MINI], **settings), graph=mini))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def plain(make_client: Any) -> TestClient:
    return make_client()  # type: ignore[no-any-return]


@pytest.mark.parametrize("url", ["/health", "/entities/alpha", "/entities/nobody", "/dyads/alpha/beta?from=x"])
def test_every_answer_carries_the_security_headers(plain: TestClient, url: str) -> None:
    headers = plain.get(url).headers
    assert (headers["x-content-type-options"], headers["referrer-policy"], headers["x-frame-options"]) == (
        "nosniff",
        "no-referrer",
        "DENY",
    )
    assert "content-security-policy" not in headers  # JSON is not a page
    assert "server" not in headers


def test_html_pages_get_a_same_origin_policy(plain: TestClient) -> None:
    page = plain.get("/docs")
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    inline = re.search(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert inline is not None
    digest = base64.b64encode(hashlib.sha256(inline.group(1).encode()).digest()).decode()
    # The viewer's own inline script is allowed by its hash, and nothing else inline.
    assert f"'sha256-{digest}'" in policy["script-src"].split()
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


def test_a_page_keeps_the_policy_it_sets(mini: KnowledgeGraph) -> None:
    from fastapi.responses import HTMLResponse

    app = create_app(Settings(data=[MINI]), graph=mini)

    @app.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<p>x</p>", headers={"Content-Security-Policy": "default-src 'none'"})

    @app.get("/other")
    async def other() -> HTMLResponse:
        return HTMLResponse("<p>x</p>")

    with TestClient(app) as client:
        assert client.get("/page").headers["content-security-policy"] == "default-src 'none'"
        assert client.get("/other").headers["content-security-policy"] == Settings().content_security_policy


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/health/", "/health"),
        ("/entities/", "/entities"),
        ("/dyads/alpha/beta/?from=2000", "/dyads/alpha/beta?from=2000"),
    ],
)
def test_trailing_slash_redirect_never_names_the_host_sent(plain: TestClient, url: str, location: str) -> None:
    response = plain.get(url, headers={"Host": "evil.example"}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (307, location)


def test_allowed_hosts_refuse_other_hosts(make_client: Any) -> None:
    client = make_client(allowed_hosts=["kg.example"])
    assert client.get("/health", headers={"Host": "kg.example"}).status_code == 200
    refused = client.get("/health", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "evil" not in refused.text


def test_error_bodies_echo_at_most_a_little_of_the_input(plain: TestClient) -> None:
    response = plain.get("/entities/" + "x" * 60_000)
    body = response.json()
    assert response.status_code == 404 and len(response.content) < 2_000
    assert body["ref"] == "x" * 300 + "... (60000 characters)"
    assert body["instance"].endswith("... (60010 characters)")


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("POST", "/health", "GET"),
        ("DELETE", "/entities/alpha", "GET, PATCH"),
        ("PUT", "/dyads/alpha/beta", "GET"),
        ("OPTIONS", "/relations", "GET, POST"),
        ("PUT", "/relations/r1", "GET, PATCH, DELETE"),
        ("DELETE", "/journal", "GET, POST"),
    ],
)
def test_method_not_allowed_names_the_allowed_methods(plain: TestClient, method: str, url: str, allow: str) -> None:
    response = plain.request(method, url)
    assert (response.status_code, response.headers["allow"]) == (405, allow)
    assert response.headers["content-type"] == PROBLEM and response.json()["status"] == 405


@pytest.mark.parametrize(("body", "status"), [(b"\xff\x03", 400), (b"{bad", 422)])
def test_a_body_that_is_not_json_is_refused_as_documented(plain: TestClient, body: bytes, status: int) -> None:
    response = plain.post("/journal", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
    documented = plain.get("/openapi.json").json()["paths"]["/journal"]["post"]["responses"]
    assert str(status) in documented and documented[str(status)]["content"][PROBLEM]


def test_cors_is_off_by_default(plain: TestClient) -> None:
    response = plain.get("/health", headers={"Origin": "https://a.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_listed_origins_only(make_client: Any) -> None:
    client = make_client(cors_origins=["https://a.example"])
    allowed = client.get("/health", headers={"Origin": "https://a.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://a.example"
    assert "ETag" in allowed.headers["access-control-expose-headers"]
    other = client.get("/health", headers={"Origin": "https://b.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/health", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "https://a.example"


def test_cors_origins_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("KG_ALLOWED_HOSTS", "kg.example")
    assert (Settings().cors_origins, Settings().allowed_hosts) == (
        ["https://a.example", "https://b.example"],
        ["kg.example"],
    )


def test_large_json_is_gzipped_and_small_json_is_not(make_client: Any) -> None:
    client = make_client(gzip_minimum_size=1000)
    large = client.get("/types", headers={"Accept-Encoding": "gzip"})
    assert large.headers["content-encoding"] == "gzip" and int(large.headers["content-length"]) < 2_000
    assert [t["id"] for t in large.json()] == [t["id"] for t in client.get("/types").json()]
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers and small.json()["status"] == "ok"


def test_reads_carry_an_etag_and_a_current_one_gets_a_304(plain: TestClient, mini: KnowledgeGraph) -> None:
    # A list (one entity or relation carries its own version's tag instead, for If-Match).
    first = plain.get("/entities/alpha/relations")
    etag = first.headers["etag"]
    served = plain.app.state.kg  # type: ignore[attr-defined]  # the snapshot of ``mini`` the curator serves
    assert served.stats() == mini.stats()
    assert etag.startswith(f'W/"{served.version}-') and first.headers["cache-control"] == "no-cache"
    again = plain.get("/entities/alpha/relations", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    stale = plain.get("/entities/alpha/relations", headers={"If-None-Match": 'W/"older-1"'})
    assert stale.status_code == 200 and stale.json()["total"] == first.json()["total"] > 0


def test_a_new_snapshot_changes_the_etag(make_client: Any, mini: KnowledgeGraph) -> None:
    from app.loader import load_graph

    other = load_graph([MINI])
    assert other.version != mini.version
    etag = make_client().get("/types").headers["etag"]
    client = TestClient(create_app(Settings(data=[MINI]), graph=other))
    with client:
        assert client.get("/types", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("url", ["/health", "/ready", "/metrics", "/entities/nobody"])
def test_probes_and_errors_are_not_cached(make_client: Any, url: str) -> None:
    response = make_client(cache_max_age=60).get(url)
    assert "etag" not in response.headers and "cache-control" not in response.headers


def test_max_age_is_a_setting(make_client: Any) -> None:
    assert make_client(cache_max_age=60).get("/types").headers["cache-control"] == "public, max-age=60"


def test_rate_limit_is_off_by_default(plain: TestClient) -> None:
    assert {plain.get("/health").status_code for _ in range(120)} == {200}


def test_rate_limit_refuses_a_client_beyond_its_burst(make_client: Any) -> None:
    client = make_client(rate_limit=0.5, rate_burst=3)
    statuses = [client.get("/health").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/health")
    assert refused.headers["content-type"] == PROBLEM and refused.headers["retry-after"] == "2"
    assert refused.json()["status"] == 429 and "0.5 requests a second" in refused.json()["detail"]

"""Request ids, structured logs, Prometheus metrics and the readiness probe."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from app.config import Settings
from app.graph import KnowledgeGraph
from app.logs import REQUEST_ID, AccessLog, JsonFormatter
from app.main import create_app

from .conftest import MINI


@pytest.fixture
def client(mini: KnowledgeGraph) -> TestClient:
    with TestClient(create_app(Settings(data=[MINI]), graph=mini)) as client:
        yield client  # type: ignore[misc]


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if series == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    raise AssertionError(f"{name} {labels} not in the metrics")


def test_request_id_comes_back(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "req-42.a:b_c"})
    assert response.headers["x-request-id"] == "req-42.a:b_c"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 129, "<script>", "ü"])
def test_missing_or_odd_request_ids_are_replaced(client: TestClient, sent: str | None) -> None:
    headers = {"X-Request-ID": sent.encode()} if sent is not None else {}
    made = client.get("/health", headers=headers).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)  # this process's prefix, then a count
    assert client.get("/health").headers["x-request-id"] != made


def test_errors_carry_the_request_id_too(client: TestClient) -> None:
    response = client.get("/entities/nobody", headers={"X-Request-ID": "abc"})
    assert (response.status_code, response.headers["x-request-id"]) == (404, "abc")


def test_metrics_count_requests_by_route_template_and_status(client: TestClient, mini: KnowledgeGraph) -> None:
    for _ in range(3):
        client.get("/health")
    client.get("/dyads/alpha/beta")
    client.get("/dyads/Alfa/beta")
    client.get("/entities/nobody")
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert metric(text, "kg_http_requests_total", method="GET", route="/health", status="200") == 3
    assert metric(text, "kg_http_requests_total", method="GET", route="/dyads/{a}/{b}", status="200") == 2
    assert metric(text, "kg_http_requests_total", method="GET", route="/entities/{ref}", status="404") == 1
    assert metric(text, "kg_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert (
        metric(text, "kg_http_request_duration_seconds_count", method="GET", route="/dyads/{a}/{b}", status="200") == 2
    )
    assert metric(text, "kg_http_request_duration_seconds_sum", method="GET", route="/health", status="200") > 0
    assert metric(text, "kg_http_requests_in_flight") == 1  # the /metrics request itself
    assert metric(text, "kg_graph_entities") == len(mini.entities)
    assert metric(text, "kg_graph_relations") == len(mini.relations)
    assert metric(text, "kg_graph_load_seconds") >= 0
    assert "Alfa" not in text  # labels are templates, never what the client typed


def test_other_parts_register_their_gauges(client: TestClient) -> None:
    sizes = [10]
    metrics = client.app.state.metrics  # type: ignore[attr-defined]
    metrics.add_gauge("kg_cache_entries", "Entries in a cache.", lambda: sizes[-1])
    assert metric(client.get("/metrics").text, "kg_cache_entries") == 10
    sizes.append(12)
    assert metric(client.get("/metrics").text, "kg_cache_entries") == 12


def test_ready_is_503_until_the_graph_is_loaded(mini: KnowledgeGraph) -> None:
    client = TestClient(create_app(Settings(data=[MINI]), graph=mini))
    waiting = client.get("/ready")  # no lifespan has run: nothing is loaded
    assert waiting.status_code == 503 and waiting.headers["retry-after"] == "5"
    assert waiting.json()["title"] == "Not ready"
    with client:
        served = client.app.state.kg  # type: ignore[attr-defined]  # the curator's snapshot of ``mini``
        assert client.get("/ready").json() == {"status": "ready", "version": served.version}
        assert served.version.endswith(".0")  # no change journaled yet


def test_access_log_is_one_json_line_per_request(mini: KnowledgeGraph) -> None:
    app = create_app(Settings(data=[MINI], access_log=True), graph=mini)
    stream = io.BytesIO()
    app.state.access_log.stream = stream
    with TestClient(app) as client:
        client.get("/dyads/alpha/beta?from=2000", headers={"X-Request-ID": "r1"})
        client.get("/entities/nobody")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())  # flushed at shutdown
    assert {k: v for k, v in first.items() if k not in ("time", "duration_ms")} == {
        "level": "info",
        "logger": "app.access",
        "message": "request",
        "request_id": "r1",
        "method": "GET",
        "path": "/dyads/alpha/beta",
        "route": "/dyads/{a}/{b}",
        "status": 200,
        "client": "testclient",
    }
    assert first["duration_ms"] > 0 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert (second["route"], second["status"]) == ("/entities/{ref}", 404)


def test_access_log_lines_stay_json_whatever_the_path() -> None:
    stream = io.BytesIO()
    log = AccessLog(stream)
    path = '/entities/"T\u00fcrkiye"\\\n{x}'
    log.request(
        request_id=b"r2", method="GET", path=path, route="/entities/{ref}", status=404, seconds=0.0012345, client=None
    )
    log.flush()
    line = json.loads(stream.getvalue())
    assert (line["path"], line["status"], line["duration_ms"], line["client"]) == (path, 404, 1.234, None)


def test_access_log_lines_wait_at_most_a_batch() -> None:
    stream = io.BytesIO()
    log = AccessLog(stream, batch=3)
    for n in range(4):
        log.write({"n": n})
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == [0, 1, 2]
    log.flush()
    assert json.loads(stream.getvalue().splitlines()[-1])["n"] == 3


def test_access_log_is_off_by_default(client: TestClient) -> None:
    assert client.app.state.access_log is None  # type: ignore[attr-defined]


def test_log_lines_name_the_request_being_answered() -> None:
    token = REQUEST_ID.set("r-9")
    try:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed on %s", ("x",), None)
        assert json.loads(JsonFormatter().format(record))["request_id"] == "r-9"
    finally:
        REQUEST_ID.reset(token)
    assert "request_id" not in json.loads(JsonFormatter().format(record))


def test_heavy_work_is_in_the_metrics(client: TestClient) -> None:
    for _ in range(2):
        assert client.get("/analysis/balance?as_of=2022").status_code == 200
    client.get("/entities/alpha/neighbors")  # always computed by a search worker
    text = client.get("/metrics").text
    assert metric(text, "kg_heavy_workers", pool="analysis") == 2
    assert metric(text, "kg_heavy_computed_total", pool="analysis") >= 1
    assert metric(text, "kg_heavy_in_flight", pool="search") == 0
    assert metric(text, "kg_heavy_computed_total", pool="search") == 1


def test_stats_of_named_parts_become_labelled_metrics(client: TestClient) -> None:
    stats = {"analysis": {"hits": 3, "misses": 1, "bytes": 10}}
    client.app.state.metrics.add_stats(
        "kg_test_cache",
        "cache",
        lambda: stats,  # type: ignore[attr-defined]
        counters=("hits", "misses"),
    )
    text = client.get("/metrics").text
    assert metric(text, "kg_test_cache_hits_total", cache="analysis") == 3
    assert metric(text, "kg_test_cache_bytes", cache="analysis") == 10
    assert metric(text, "kg_test_cache_hit_ratio", cache="analysis") == 0.75


class RecordingTracerProvider(trace.TracerProvider):
    """A configured provider, as an OpenTelemetry SDK would install: it notes the spans started."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, Any]] = []

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        spans = self.spans

        class Tracer(trace.NoOpTracer):
            def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
                spans.append((name, (kwargs.get("attributes") or {}).get("url.path")))
                return super().start_span(name, *args, **kwargs)

        return Tracer()


@pytest.mark.parametrize("turned_on", [False, True])
def test_opentelemetry_gets_spans_only_when_turned_on(
    mini: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, turned_on: bool
) -> None:
    provider = RecordingTracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    with TestClient(create_app(Settings(data=[MINI], opentelemetry=turned_on), graph=mini)) as client:
        assert client.get("/dyads/alpha/beta").status_code == 200
    assert provider.spans == ([("GET", "/dyads/alpha/beta")] if turned_on else [])


def test_opentelemetry_is_turned_on_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_OPENTELEMETRY", raising=False)
    assert Settings().opentelemetry is False
    monkeypatch.setenv("KG_OPENTELEMETRY", "true")
    assert Settings().opentelemetry is True

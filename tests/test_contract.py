"""Contract fuzzing: schemathesis drives every route from the app's own OpenAPI schema.

No generated request may produce a 5xx, and every response must match the
schema it declares (status codes, content types, bodies). The operations are
driven through hypothesis directly: schemathesis' pytest plugin does not yet
support pytest 9.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from app.config import Settings
from app.main import create_app

from .conftest import CURATED

ROUTES = [
    ("GET", path)
    for path in (
        "/health",
        "/types",
        "/entities",
        "/entities/{ref}",
        "/entities/{ref}/relations",
        "/entities/{ref}/neighbors",
        "/relations",
        "/relations/{relation_id}",
        "/dyads/{a}/{b}",
        "/dyads/{a}/{b}/status",
        "/dyads/{a}/{b}/series",
        "/mediations",
        "/paths",
        "/changes",
        "/export",
        "/analysis/mediator-candidates",
        "/analysis/balance",
        "/analysis/centrality",
        "/journal",
        "/relations/{relation_id}/history",
        "/ready",
        "/metrics",
    )
] + [
    ("POST", "/entities"),
    ("POST", "/relations"),
    ("PATCH", "/entities/{ref}"),
    ("PATCH", "/relations/{relation_id}"),
    ("DELETE", "/relations/{relation_id}"),
    ("POST", "/journal"),
    ("POST", "/journal/{seq}/revert"),
]


@pytest.fixture(scope="module")
def started_app() -> Iterator[FastAPI]:
    app = create_app(Settings(data=[CURATED]))
    with TestClient(app):  # runs the lifespan: the graph is loaded into app.state
        yield app


@pytest.fixture(scope="module")
def api_schema(started_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", started_app)


def test_every_route_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    documented = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert documented == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_route_fails_or_breaks_its_schema(api_schema: schemathesis.BaseSchema, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        # Every check, positive data accepted included: the schema declares what the service takes.
        case.call_and_validate()

    run()

"""The OpenAPI document is the contract: snapshotted so any change is a visible diff.

Run with ``UPDATE_SNAPSHOTS=1`` to accept a deliberate change.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi.testclient import TestClient

from .conftest import ROOT

SNAPSHOT = ROOT / "tests" / "snapshots" / "openapi.json"


def test_openapi_matches_snapshot(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    assert document == json.loads(SNAPSHOT.read_text())


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, op) for path, ops in document["paths"].items() for op in ops.values()]


def test_every_route_and_parameter_is_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operation in _operations(document):
        assert operation.get("summary") and operation.get("description"), path
        assert operation.get("tags"), path
        assert "200" in operation["responses"] or "201" in operation["responses"], path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])


def test_errors_are_documented_as_problem_details(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    responses = document["paths"]["/dyads/{a}/{b}/status"]["get"]["responses"]
    for status in ("404", "409", "422"):
        assert "application/problem+json" in responses[status]["content"]


def test_mediation_question_is_a_worked_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    (between,) = [p for p in document["paths"]["/mediations"]["get"]["parameters"] if p["name"] == "between"]
    assert between["examples"]["turkiye-israel"]["value"] == ["Türkiye", "Israel"]

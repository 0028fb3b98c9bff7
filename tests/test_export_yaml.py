"""``python -m app export --yaml DIR``: the curated state as dataset files that load into the same graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main
from app.config import Settings
from app.curation.keys import create_key
from app.loader import load_graph
from app.main import create_app
from app.queries.views import entity_view, relation_views

from .conftest import CURATED


def _state(kg: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    relations = sorted(relation_views(kg, kg.live), key=lambda view: view["id"])
    return [entity_view(kg, p) for p in range(len(kg.entities))], relations


def test_exported_yaml_loads_into_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    with TestClient(create_app(Settings(data=[CURATED], database_url=url))) as client:
        engine = client.app.state.curator.engine  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {create_key(engine, name='ana', role='editor')}"}
        writes = [
            ("POST", "/entities", {"id": "test-state", "name": "Test State", "kind": "state", "aliases": ["Testland"]}),
            (
                "POST",
                "/relations",
                {
                    "id": "test-visit",
                    "type": "visit",
                    "source": "test-state",
                    "target": "turkiye",
                    "start": "2024-05",
                    "description": "A test visit.",
                    "evidence": [{"source_id": "article", "locator": "3"}],
                },
            ),
            ("PATCH", "/entities/azerbaijan", {"aliases": ["Azerbaijan Republic", "Azərbaycan"]}),
        ]
        for method, path, body in writes:
            assert client.request(method, path, json={**body, "reason": "test"}, headers=auth).status_code < 300
        some = client.get("/relations?limit=3").json()["items"]
        assert (
            client.patch(
                f"/relations/{some[0]['id']}", json={"note": "checked", "reason": "r"}, headers=auth
            ).status_code
            == 200
        )
        assert client.delete(f"/relations/{some[1]['id']}?reason=r", headers=auth).status_code == 200
        served = client.app.state.kg  # type: ignore[attr-defined]
        expected = _state(served)
    monkeypatch.setenv("KG_DATABASE_URL", url)
    assert main(["export", "--yaml", str(tmp_path / "out"), "--data", str(CURATED)]) == 0
    loaded = load_graph([tmp_path / "out"])
    assert _state(loaded) == expected
    assert loaded.relation_position(some[1]["id"]) is None
    assert loaded.entity(loaded.resolve("Testland")).id == "test-state"
    assert "checked" in (tmp_path / "out" / "relations.yaml").read_text(encoding="utf-8")

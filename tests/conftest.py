"""Shared fixtures: the small test dataset, the curated graph, and clients on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.graph import KnowledgeGraph
from app.loader import load_graph
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
CURATED = ROOT / "graph_data"


@pytest.fixture(scope="session")
def mini() -> KnowledgeGraph:
    return load_graph([MINI])


@pytest.fixture(scope="session")
def curated() -> KnowledgeGraph:
    return load_graph([CURATED])


@pytest.fixture(scope="session")
def mini_client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[MINI]))) as client:
        yield client


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=[CURATED]))) as client:
        yield client


@pytest.fixture(scope="session")
def icews_slice(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The curated graph's neighbour in scale: 1,065 ICEWS14 facts, imported and loaded."""
    from app.io.icews import import_icews

    out = tmp_path_factory.mktemp("icews14-slice-shared")
    import_icews([ROOT / "tests" / "data" / "icews14-slice.txt"], out, progress=False)
    return load_graph([out])

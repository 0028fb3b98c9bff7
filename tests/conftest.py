"""Shared fixtures: the small test dataset, the curated graph, and clients on both."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.graph import KnowledgeGraph
from app.loader import load_graph
from app.main import create_app

from .servers import PostgresCluster, postgres_cluster

# The apps tests build keep their journal of changes in a throwaway folder, never the user's.
os.environ["KG_STATE_DIR"] = tempfile.mkdtemp(prefix="kg-test-state-")
os.environ.pop("KG_DATABASE_URL", None)

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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for the session (skips, or fails under KG_REQUIRE_SERVERS=1, without one)."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty journal database: a SQLite file, or a database on the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()

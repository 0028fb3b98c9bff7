"""The journal's database: migrations build what ``tables.py`` declares, and an older journal is upgraded.

Each test runs on SQLite and on a real PostgreSQL server (``database_url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.engine import make_url

from app.curation import journal
from app.curation.db import MIGRATIONS, open_database
from app.curation.tables import journal as journal_table
from app.curation.tables import journal_mentions, metadata

VISIT = {"id": "v1", "type": "visit", "source": "alpha", "target": "beta"}


def _entry(
    seq: int, kind: str = "relation", target: str = "v1", before: Any = None, after: Any = None, actor: str = "ana"
) -> journal.Entry:
    return journal.Entry(
        seq=seq,
        at=f"2026-01-0{seq}T00:00:00Z",
        actor=actor,
        op="create",
        kind=kind,
        target=target,
        reason="r",
        before=before,
        after=after,
    )


def _engine(database_url: str) -> Any:
    url = make_url(database_url)
    return create_engine(url.set(drivername="postgresql+psycopg") if url.get_backend_name() == "postgresql" else url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    opened = open_database(database_url)
    yield opened
    opened.dispose()


def test_the_migrated_schema_is_the_declared_one(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_upgrading_an_older_journal_indexes_the_entities_of_its_changes(database_url: str) -> None:
    engine = _engine(database_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            insert(journal_table),
            [
                _entry(1, after=VISIT).as_dict(),
                _entry(2, before=VISIT, after={**VISIT, "target": "gamma"}).as_dict(),
                _entry(3, kind="entity", target="delta", after={"id": "delta"}).as_dict(),
            ],
        )
    engine.dispose()
    upgraded = open_database(database_url)
    with upgraded.connect() as connection:
        found = sorted(connection.execute(select(journal_mentions.c.entity, journal_mentions.c.seq)).all())
    upgraded.dispose()
    assert found == [("alpha", 1), ("alpha", 2), ("beta", 1), ("beta", 2), ("delta", 3), ("gamma", 2)]


def test_the_journal_is_filtered_and_paged_in_the_database(engine: Engine) -> None:
    with engine.begin() as connection:
        journal.append(
            connection,
            [
                _entry(
                    seq,
                    after={**VISIT, "id": f"v{seq}", "target": "beta" if seq % 2 else "gamma"},
                    actor="ana" if seq < 4 else "bob",
                )
                for seq in range(1, 8)
            ],
        )
    with engine.connect() as connection:
        page, total = journal.list_entries(connection, entity="gamma", limit=2, offset=1)
        assert ([entry.seq for entry in page], total) == ([4, 6], 3)
        page, total = journal.list_entries(connection, entity="alpha", actor="bob", limit=10)
        assert ([entry.seq for entry in page], total) == ([4, 5, 6, 7], 4)
        page, total = journal.list_entries(connection, since="2026-01-03", until="2026-01-05")
        assert ([entry.seq for entry in page], total) == ([3, 4], 2)

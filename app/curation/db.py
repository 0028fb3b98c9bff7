"""The journal's database: an engine for ``KG_DATABASE_URL`` (SQLite by default), migrated on open.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed change survives
power loss) and opens a writer's transaction (execution option ``WRITER``) with
``BEGIN IMMEDIATE``, so writers queue for the lock instead of failing half-way;
PostgreSQL writers take a
transaction-scoped advisory lock. Either way one writer at a time numbers
changes, so sequence numbers follow commit order and a reader polling for
"after seq N" never misses one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

__all__ = ["WRITER", "lock_for_writing", "open_database"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITER = "kg_writer"
_WRITER_LOCK = 0x6B67_6A6F  # the advisory lock id of journal writers ("kgjo")


def open_database(url: str) -> Engine:
    """An engine on ``url`` with the journal's schema up to date (created on first use)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        _sqlite_settings(engine)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    # Several workers may start at once on a new database: one migrates, the others wait for it.
    with engine.connect().execution_options(**{WRITER: True}) as connection:
        lock_for_writing(connection)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return engine


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock at once (a deferred transaction that reads first could find,
        # when it comes to write, that another writer got there: SQLITE_BUSY); readers do not.
        immediate = connection.get_execution_options().get(WRITER, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def lock_for_writing(connection: Connection) -> None:
    """Hold the writers' lock until the transaction ends (SQLite's BEGIN IMMEDIATE already does)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _WRITER_LOCK})

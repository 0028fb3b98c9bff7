"""The journal's tables (SQLAlchemy Core); migrations in ``migrations/`` create and change them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table, Text

__all__ = ["api_keys", "journal", "journal_mentions", "metadata"]

metadata = MetaData()

journal = Table(
    "journal",
    metadata,
    # Numbered by the writer under the database's write lock, so numbers follow commit order.
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False, index=True),  # UTC, ISO 8601: sorts as it reads
    Column("actor", String(200), nullable=False),
    Column("op", String(16), nullable=False),  # create, update, retract, revert
    Column("kind", String(16), nullable=False),  # entity, relation
    Column("target", String(300), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("batch", BigInteger, nullable=True),  # the first seq of the batch it came in
    Column("reverts", BigInteger, nullable=True),
    Index("ix_journal_actor", "actor", "seq"),
)

# The entities a change concerns: an entity changed, or the ends of a relation before and after.
journal_mentions = Table(
    "journal_mentions",
    metadata,
    Column("entity", String(300), primary_key=True),
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False),  # SHA-256 of the key; the key itself is never stored
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

"""The journal: every accepted change, appended in sequence order, read back for replay and review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from .tables import journal, journal_mentions

__all__ = ["Entry", "append", "entries_after", "entry", "last_seq", "list_entries", "mentions_of"]


@dataclass(frozen=True)
class Entry:
    """One change: what it did to which object, who, when and why; ``before``/``after`` are whole objects."""

    seq: int
    at: str
    actor: str
    op: str
    kind: str
    target: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    batch: int | None = None
    reverts: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def mentions_of(kind: str, target: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> set[str]:
    """The entities a change concerns: the entity changed, or each end of the relation before and after."""
    if kind == "entity":
        return {target}
    return {
        end
        for version in (before, after)
        if version is not None
        for end in (version.get("source"), version.get("target"))
        if isinstance(end, str)
    }


def append(connection: Connection, entries: Sequence[Entry]) -> None:
    if entries:
        connection.execute(insert(journal), [entry.as_dict() for entry in entries])
        mentions = [
            {"entity": entity, "seq": entry.seq}
            for entry in entries
            for entity in mentions_of(entry.kind, entry.target, entry.before, entry.after)
        ]
        if mentions:
            connection.execute(insert(journal_mentions), mentions)


def last_seq(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(journal.c.seq), 0))).scalar_one())


def _entries(rows: Any) -> list[Entry]:
    return [Entry(**row._asdict()) for row in rows]


def entries_after(connection: Connection, seq: int) -> list[Entry]:
    return _entries(connection.execute(select(journal).where(journal.c.seq > seq).order_by(journal.c.seq)))


def entry(connection: Connection, seq: int) -> Entry | None:
    found = _entries(connection.execute(select(journal).where(journal.c.seq == seq)))
    return found[0] if found else None


def list_entries(
    connection: Connection,
    *,
    actor: str | None = None,
    target: str | None = None,
    kind: str | None = None,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Entry], int]:
    """A page of entries, oldest first, and how many match. ``entity``: changes of that entity or of a
    relation whose source or target it was, before or after the change."""
    query = select(journal)
    if actor is not None:
        query = query.where(journal.c.actor == actor)
    if target is not None:
        query = query.where(journal.c.target == target)
    if kind is not None:
        query = query.where(journal.c.kind == kind)
    if since is not None:
        query = query.where(journal.c.at >= since)
    if until is not None:
        query = query.where(journal.c.at < until)
    if entity is not None:
        query = query.where(
            journal.c.seq.in_(select(journal_mentions.c.seq).where(journal_mentions.c.entity == entity))
        )
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = _entries(connection.execute(query.order_by(journal.c.seq).limit(limit).offset(offset)))
    return page, int(total)

"""The growing store behind the snapshots of a graph that is written to.

Relations are never changed in place: a new version of a relation is a new row,
and the row it replaces is marked retracted at the sequence number of the
change. Rows live in column buffers with spare capacity, so appending is a write
past the end, and a snapshot is a view of the first ``n`` rows: rows appended
later are beyond its view, and a retraction stamped with a later sequence number
is not yet one for it. Readers never see a half-made change, and the base
arrays (500k rows) are neither copied nor re-indexed for one write.

Only the single writer (``curation.Curator``, under its lock) calls the
mutating methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .graph import KnowledgeGraph
from .records import EntityRecord
from .rules import CheckedRelation
from .store import NUMERIC_COLUMNS, STATE_TYPE_CODES, RelationColumns, RelationTable

__all__ = ["NEVER", "Base", "Tape"]

NEVER = np.iinfo(np.int64).max  # the retraction stamp of a row still in force
_SPARE = 4096


def _grown(column: np.ndarray, capacity: int) -> np.ndarray:
    buffer = np.zeros(capacity, dtype=column.dtype)
    buffer[: len(column)] = column
    return buffer


@dataclass(frozen=True)
class Base:
    """A graph with full indexes over the rows in force after change ``seq`` among the first ``rows``."""

    graph: KnowledgeGraph
    rows: int
    seq: int


@dataclass
class EntityVersions:
    """Each entity position's records over time: ``(seq, record)``, oldest first."""

    created: list[int] = field(default_factory=list)
    history: dict[int, list[tuple[int, EntityRecord]]] = field(default_factory=dict)


class Tape:
    """Relation rows with their recorded/retracted stamps, entity versions, and the journal's clock."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        # The dataset files' graph stays the origin of the states known before the latest rebase.
        self.origin = self.base = Base(graph, len(graph.relations), 0)
        table = self._shared = graph.relations
        self.rows = len(table)
        capacity = self.rows + max(_SPARE, self.rows // 8)
        self.numeric = {name: _grown(getattr(table, name), capacity) for name in NUMERIC_COLUMNS}
        self.ids = _grown(table.ids.raw, capacity)
        self.locators = _grown(table.locators.raw, capacity)
        self.recorded = np.zeros(capacity, dtype=np.int64)
        self.retracted = np.full(capacity, NEVER, dtype=np.int64)
        self.sources = list(table.sources)
        self.retractions: list[tuple[int, int]] = []  # (seq, position), in sequence order
        self.entities = list(graph.entities)
        self.entity_positions = {entity.id: position for position, entity in enumerate(self.entities)}
        self.versions = EntityVersions(created=[0] * len(self.entities))
        self.seq = 0
        self.clock: list[tuple[int, str]] = []  # (seq, recorded at), ascending
        self.retired: set[str] = set()  # ids of relations retracted (and not restored): not to be reused
        self._live_added: dict[str, int] = {}  # relation id -> position, for rows appended and in force
        self._undo: list[Callable[[], None]] | None = None

    # -- all or nothing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Changes made inside are undone if it raises (a batch that fails half-way, a failed commit)."""
        self._undo = []
        try:
            yield
        except BaseException:
            for undo in reversed(self._undo):
                undo()
            raise
        finally:
            self._undo = None

    def _on_undo(self, undo: Callable[[], None]) -> None:
        if self._undo is not None:
            self._undo.append(undo)

    # -- writing (the writer only) -------------------------------------------------------------

    def append(self, checked: CheckedRelation, seq: int) -> int:
        """Add a relation version recorded at ``seq``; its position."""
        record, table = checked.record, self._shared
        row = RelationColumns()
        row.sources = self.sources  # new evidence sources join the shared list
        row.add_checked(checked)
        position = self.rows
        locator = (record.evidence[0].locator if record.evidence else "").encode()
        self._make_room(position + 1, id_=record.id.encode(), locator=locator)
        for name, column in row.numeric.items():
            self.numeric[name][position] = column[0]
        self.numeric["is_state"][position] = STATE_TYPE_CODES[row.numeric["type"][0]]
        self.ids[position] = record.id.encode()
        self.locators[position] = locator
        # The per-position dicts and attribute list are shared with older snapshots, which never ask
        # for positions past their own end.
        # (A position undone by ``undo`` is written again: overwrite, and clear what the new row lacks.)
        del table.attributes[position:]
        table.attributes.append(row.attributes[0])
        for mine, theirs in (
            (row.descriptions, table.descriptions),
            (row.notes, table.notes),
            (row.more_evidence, table.more_evidence),
        ):
            if 0 in mine:
                theirs[position] = mine[0]  # type: ignore[index,assignment]
            else:
                theirs.pop(position, None)  # type: ignore[attr-defined]
        self.recorded[position] = seq
        self.rows = position + 1
        was_retired = record.id in self.retired
        self.retired.discard(record.id)
        self._live_added[record.id] = position

        def undo() -> None:
            self.rows = position
            del self._live_added[record.id]
            if was_retired:
                self.retired.add(record.id)

        self._on_undo(undo)
        return position

    def retract(self, position: int, seq: int) -> None:
        self.retracted[position] = seq
        self.retractions.append((seq, position))
        buffer = self.retracted
        relation_id = self.ids[position].decode()
        dropped = self._live_added.get(relation_id) == position
        if dropped:
            del self._live_added[relation_id]

        def undo() -> None:
            buffer[position] = NEVER
            self.retractions.pop()
            if dropped:
                self._live_added[relation_id] = position

        self._on_undo(undo)

    def retire(self, relation_id: str) -> None:
        self.retired.add(relation_id)
        self._on_undo(lambda: self.retired.discard(relation_id))

    def put_entity(self, record: EntityRecord, seq: int) -> int:
        """Create or replace an entity (by id); its position."""
        position = self.entity_positions.get(record.id)
        if position is None:
            position = self.entity_positions[record.id] = len(self.entities)
            self.entities.append(record)
            self.versions.created.append(seq)

            def undo() -> None:
                del self.entity_positions[record.id]
                self.entities.pop()
                self.versions.created.pop()
        else:
            previous = self.entities[position]
            history = self.versions.history.setdefault(position, [(self.versions.created[position], previous)])
            history.append((seq, record))
            self.entities[position] = record

            def undo() -> None:
                history.pop()
                self.entities[position] = previous

        self._on_undo(undo)
        return position

    def rebase(self, graph: KnowledgeGraph) -> None:
        """Make ``graph`` (full indexes over the latest state) the base of the snapshots that follow."""
        self.base = Base(graph, self.rows, self.seq)

    def base_for(self, seq: int) -> Base:
        return self.base if seq >= self.base.seq else self.origin

    def tick(self, seq: int, at: str) -> None:
        previous = self.seq
        self.seq = seq
        self.clock.append((seq, at))

        def undo() -> None:
            self.seq = previous
            self.clock.pop()

        self._on_undo(undo)

    def _make_room(self, rows: int, *, id_: bytes, locator: bytes) -> None:
        capacity = len(self.recorded)
        if rows > capacity:  # grow by an eighth: older snapshots keep the old buffers
            capacity = rows + max(_SPARE, capacity // 8)
            self.numeric = {name: _grown(column, capacity) for name, column in self.numeric.items()}
            self.recorded = _grown(self.recorded, capacity)
            retracted = np.full(capacity, NEVER, dtype=np.int64)
            retracted[: len(self.retracted)] = self.retracted
            self.retracted = retracted
            self.ids, self.locators = _grown(self.ids, capacity), _grown(self.locators, capacity)
        for name, value in (("ids", id_), ("locators", locator)):
            column = getattr(self, name)
            if len(value) > column.dtype.itemsize:  # wider strings: a wider copy
                setattr(self, name, column.astype(f"S{len(value)}"))

    # -- reading -------------------------------------------------------------------------------

    def position_of(self, relation_id: str) -> int | None:
        """Where the version in force of a relation is, now (the writer's view, batch included)."""
        if (position := self._live_added.get(relation_id)) is not None:
            return position
        position = self._shared.position.get(relation_id)
        return position if position is not None and self.retracted[position] == NEVER else None

    def rows_at(self, seq: int) -> int:
        """How many rows had been recorded by ``seq`` (rows are appended in sequence order)."""
        return int(self.recorded[: self.rows].searchsorted(seq, side="right"))

    def entities_at(self, seq: int) -> list[EntityRecord]:
        count = (
            len(self.entities)
            if seq >= self.seq
            else int(np.searchsorted(np.asarray(self.versions.created), seq, side="right"))
        )
        entities = self.entities[:count]
        if seq < self.seq:
            for position, history in self.versions.history.items():
                if position < count:
                    entities[position] = next(r for s, r in reversed(history) if s <= seq)
        return entities

    def entity_version(self, position: int, seq: int) -> int:
        history = self.versions.history.get(position)
        if history is None:
            return self.versions.created[position]
        return next(s for s, _ in reversed(history) if s <= seq)

    def table(self, rows: int) -> RelationTable:
        """The first ``rows`` rows as a table (views: nothing is copied)."""
        numeric = {name: column[:rows] for name, column in self.numeric.items()}
        return RelationTable.of_columns(
            numeric, ids=self.ids[:rows], locators=self.locators[:rows], like=self._shared, sources=tuple(self.sources)
        )

    def seq_known_on(self, last_day: str) -> int:
        """The last sequence number recorded on or before a day (``YYYY-MM-DD``), 0 for none."""
        found = 0
        for seq, at in self.clock:
            if at[:10] > last_day:
                break
            found = seq
        return found

"""The writer: applies changes, journals them, and publishes the snapshot readers see.

One write, under a process lock and the database's writers' lock:

1. catch up with changes other servers committed (so drafts see the latest state);
2. draft the changes and apply them to the tape, the rulebook checking each;
3. append them to the journal and commit;
4. only then publish the new snapshot and acknowledge.

A failure at any step before the commit undoes what the tape took in (nothing
half-applied); a crash after the commit loses nothing, since start-up replays
the journal. Other servers see the change when they next poll (``refresh``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from ..errors import BadParameter, DataError, InvalidObject, Problem, ServiceError
from ..graph import KnowledgeGraph
from ..snapshot import Snapshot, snapshot
from ..tape import Tape
from . import journal
from .changes import Draft, apply, current
from .db import WRITER, lock_for_writing
from .journal import Entry
from .keys import now

__all__ = ["Applied", "Curator"]

COMPACT_AFTER = 50_000  # rows added or retracted since the base before the indexes are rebuilt in full
HEADROOM = 4096  # entities that can be added before the indexes must be rebuilt
# One per change: drafted once the changes before it are applied (a batch sees its own changes).
Step = Callable[[Tape, KnowledgeGraph], Draft]


@dataclass(frozen=True)
class Applied:
    """A journaled change and where its object now is in the published snapshot (None: retracted)."""

    entry: Entry
    position: int | None


class Curator:
    def __init__(self, engine: Engine, graph: KnowledgeGraph, publish: Callable[[Snapshot], None]) -> None:
        self.engine = engine
        if graph._size < len(graph.entities) + HEADROOM:  # room for new entities' positions in index keys
            graph = KnowledgeGraph(
                sources=graph.sources.values(), entities=graph.entities, relations=graph.relations, headroom=HEADROOM
            )
        self.tape = Tape(graph)
        self._publish = publish
        self._lock = threading.Lock()
        self._known: OrderedDict[int, Snapshot] = OrderedDict()
        self.latest = snapshot(self.tape)

    # -- start-up and other servers' changes ---------------------------------------------------

    def replay(self) -> int:
        """Apply the whole journal to the dataset's graph (at start-up); how many changes."""
        with self._lock, self.engine.connect() as connection:
            entries = journal.entries_after(connection, self.tape.seq)
            self._apply_committed(entries)
            if entries:
                self._compact()
            self._set_latest()
        return len(entries)

    def refresh(self) -> int:
        """Catch up with changes committed by other servers; how many were new."""
        with self.engine.connect() as connection:
            if journal.last_seq(connection) <= self.tape.seq:
                return 0
        with self._lock, self.engine.connect() as connection:
            entries = journal.entries_after(connection, self.tape.seq)
            self._apply_committed(entries)
            if entries:
                self._set_latest()
        return len(entries)

    def _apply_committed(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            try:
                with self.tape.transaction():
                    apply(
                        self.tape,
                        Draft(
                            entry.op,
                            entry.kind,  # type: ignore[arg-type]
                            entry.target,
                            entry.before,
                            entry.after,
                            entry.reverts,
                        ),
                        entry.seq,
                    )
                    self.tape.tick(entry.seq, entry.at)
            except ServiceError as exc:
                problems = exc.extra.get("errors") or [{"field": "-", "message": exc.detail}]
                raise DataError(
                    [
                        Problem(
                            "journal",
                            f"change {entry.seq} ({entry.op} {entry.kind} {entry.target})",
                            p["field"],
                            p["message"],
                        )
                        for p in problems
                    ]
                ) from None

    # -- writing -------------------------------------------------------------------------------

    def write(self, steps: Sequence[Step], *, actor: str, reason: str) -> list[Applied]:
        """Draft, check, journal and publish changes, all or none; acknowledged once committed."""
        if not reason.strip():
            raise InvalidObject([("reason", "every change needs a reason")])
        with self._lock:
            with self.engine.connect().execution_options(**{WRITER: True}) as connection:
                lock_for_writing(connection)  # its first statement begins the transaction
                self._apply_committed(journal.entries_after(connection, self.tape.seq))
                with self.tape.transaction():
                    at, first = now(), self.tape.seq + 1
                    entries, positions = [], []
                    for offset, step in enumerate(steps):
                        seq = first + offset
                        try:
                            draft = step(self.tape, self.latest)
                            positions.append(apply(self.tape, draft, seq))
                        except InvalidObject as exc:
                            where = f"changes[{offset}]." if len(steps) > 1 else ""
                            raise InvalidObject(
                                [(e["field"], e["message"]) for e in exc.extra["errors"]], where=where
                            ) from None
                        except ServiceError as exc:
                            if len(steps) > 1:
                                exc.detail = f"changes[{offset}]: {exc.detail}"
                                exc.extra["change"] = offset
                            raise
                        self.tape.tick(seq, at)
                        # The version as stored (defaults filled in, parties by id): what a revert compares.
                        after = None if draft.after is None else current(self.tape, draft.kind, draft.target)
                        entries.append(
                            Entry(
                                seq,
                                at,
                                actor,
                                draft.op,
                                draft.kind,
                                draft.target,
                                reason,
                                draft.before,
                                after,
                                batch=first if len(steps) > 1 else None,
                                reverts=draft.reverts,
                            )
                        )
                    journal.append(connection, entries)
                    connection.commit()  # raises inside the tape's transaction: the tape is undone
            if self._needs_compaction():
                self._compact()
            self._set_latest()
        return [Applied(entry, position) for entry, position in zip(entries, positions, strict=True)]

    # -- snapshots -----------------------------------------------------------------------------

    def as_known(self, seq: int) -> Snapshot:
        """The graph as it stood after change ``seq`` (a few recent ones are kept)."""
        if seq >= self.latest.seq:
            return self.latest
        if self.tape.base_for(seq).graph._size <= len(self.tape.entities_at(seq)):
            raise BadParameter("as_known", "too far back for this server: restart it to answer")
        with self._lock:
            if (found := self._known.get(seq)) is None:
                found = self._known[seq] = snapshot(self.tape, seq)
                while len(self._known) > 8:
                    self._known.popitem(last=False)
            return found

    def _set_latest(self) -> None:
        self.latest = snapshot(self.tape, previous=self.latest)
        self._publish(self.latest)

    def _needs_compaction(self) -> bool:
        return (
            len(self.tape.entities) >= self.tape.base.graph._size
            or len(self.latest.added) + len(self.latest.gone) > COMPACT_AFTER
        )

    def _compact(self) -> None:
        """Rebuild full indexes over the current state and make it the base (positions stay)."""
        tape, current = self.tape, snapshot(self.tape)
        graph = KnowledgeGraph(
            sources=tape.origin.graph.sources.values(),
            entities=current.entities,
            relations=current.relations,
            live=current.live,
            headroom=HEADROOM,
        )
        tape.rebase(graph)

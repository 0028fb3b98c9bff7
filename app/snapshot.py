"""One state of a graph that is written to: the base graph plus a small delta.

``snapshot(tape, seq)`` makes the graph as it stood after change ``seq``, in
time proportional to the changes since the base (not to the size of the
graph): the relation table is a view of the tape, the large indexes are the
base's with a ``LayeredIndex`` over them, entities a copied list of pointers.
The same call serves the latest state (after each write) and the state known
on a past day (``as_known``). Lookups of a snapshot with no change since the
base go straight to the base indexes.

What the hot routes do not use (the adjacency summary of neighbourhoods, the
dyad graph of paths, the time order of every relation) is built on first use,
once per snapshot; the dyad graph is the base's when no dyad appeared or vanished.
"""

from __future__ import annotations

from functools import cached_property

import networkx as nx
import numpy as np

from .graph import Adjacency, KnowledgeGraph, closed_states, mediation_index
from .indexes import GroupIndex
from .membership import BELONGING_TYPES, Membership
from .overlay import LayeredIndex
from .store import STATUS_TYPE_CODES, TYPE_CODE
from .tape import Tape
from .vocabulary import MEDIATION_TYPES

__all__ = ["Snapshot", "snapshot"]

_BELONGING = np.array([TYPE_CODE[t] for t in BELONGING_TYPES])
_MEDIATION = np.array([TYPE_CODE[t] for t in MEDIATION_TYPES])


class Snapshot(KnowledgeGraph):
    """A ``KnowledgeGraph`` that is its base less the rows ``gone`` plus the rows ``added``."""

    def __init__(self, tape: Tape, seq: int, previous: Snapshot | None = None) -> None:
        # Not KnowledgeGraph.__init__: nothing is rebuilt. ``previous``: an earlier snapshot on the same
        # base, whose name index, memberships and mediations are kept if the changes since leave them be.
        if previous is not None and (previous.base is not tape.base_for(seq).graph or previous.seq > seq):
            previous = None
        origin = tape.base_for(seq)
        base = origin.graph
        self.tape: Tape = tape
        self.seq: int = seq
        self.base: KnowledgeGraph = base
        self.version = f"{base.version}.{seq}"  # a new name with every change (HTTP ETags are made of it)
        rows = tape.rows_at(seq)
        self.relations = table = tape.table(rows)
        retracted = tape.retracted[:rows]
        added = np.arange(origin.rows, rows, dtype=np.int32)
        self.added = added[retracted[added] > seq]
        self.gone = np.array(
            sorted(p for s, p in tape.retractions if origin.seq < s <= seq and p < origin.rows), dtype=np.int32
        )
        self.sources, self._size = base.sources, base._size
        self.entities = tape.entities_at(seq)
        same: KnowledgeGraph | None = (
            base
            if self.entities == base.entities
            else previous
            if previous is not None and self.entities == previous.entities
            else None
        )
        if same is not None:
            self.entities, self.names = same.entities, same.names
            self.entity_ids, self.entity_names = same.entity_ids, same.entity_names
        else:
            prior = previous if previous is not None else base
            changed = [
                position
                for position, entity in enumerate(self.entities)
                if position >= len(prior.entities) or entity is not prior.entities[position]
            ]
            self.names = prior.names.updated(self.entities, changed)
            self.entity_ids = [entity.id for entity in self.entities]
            self.entity_names = [entity.name for entity in self.entities]
        self._added_ids = {table.ids[p]: p for p in self.added.tolist()}
        self._gone_ids = {table.ids[p] for p in self.gone.tolist()}

        def alive(positions: np.ndarray) -> np.ndarray:
            return retracted[positions] > seq  # type: ignore[no-any-return]

        source, target, type_, lo = table.source, table.target, table.type, table.lo
        new, old = self.added, self.gone
        new_keys, old_keys = self.dyad_keys(source[new], target[new]), self.dyad_keys(source[old], target[old])

        def layer(base_index: GroupIndex, keys: np.ndarray, values: np.ndarray, gone_keys: np.ndarray) -> GroupIndex:
            if not len(keys) and not len(gone_keys):
                return base_index
            extra = GroupIndex(keys, values, lo[values], reach=table.hi[values])
            return LayeredIndex(base_index, extra, gone_keys=set(gone_keys.tolist()), alive=alive, order_by=lo)

        self.by_dyad = layer(base.by_dyad, new_keys, new, old_keys)
        bearing, bore = STATUS_TYPE_CODES[type_[new]], STATUS_TYPE_CODES[type_[old]]
        self.status_by_dyad = layer(base.status_by_dyad, new_keys[bearing], new[bearing], old_keys[bore])
        new_loops, old_loops = source[new] == target[new], source[old] == target[old]
        self.by_entity = layer(
            base.by_entity,
            np.concatenate([source[new], target[new][~new_loops]]).astype(np.int64),
            np.concatenate([new, new[~new_loops]]),
            np.concatenate([source[old], target[old][~old_loops]]).astype(np.int64),
        )
        self.by_type = layer(base.by_type, type_[new].astype(np.int64), new, type_[old].astype(np.int64))
        # Memberships and mediations are rebuilt (over every relation) only when a change since the one
        # they were built for touched their types; entity changes never move existing positions.
        since, kept = (
            (base, np.concatenate([type_[new], type_[old]]))
            if previous is None
            else (previous, self._types_changed_since(previous))
        )
        self.membership = Membership(table, self.live) if np.isin(kept, _BELONGING).any() else since.membership
        self.mediations = mediation_index(self, self.live) if np.isin(kept, _MEDIATION).any() else since.mediations
        self._new_keys, self._old_keys = new_keys, old_keys

    def _types_changed_since(self, previous: Snapshot) -> np.ndarray:
        """The types of the rows recorded or retracted after ``previous``, up to this snapshot."""
        table, tape = self.relations, self.tape
        recorded = np.arange(len(previous.relations), len(table))
        retracted = [p for s, p in tape.retractions if previous.seq < s <= self.seq]
        return np.concatenate([table.type[recorded], table.type[np.asarray(retracted, dtype=np.int64)]])

    @cached_property
    def live(self) -> np.ndarray:  # type: ignore[override]
        kept = self.base.live if not len(self.gone) else self.base.live[~np.isin(self.base.live, self.gone)]
        return np.concatenate([kept, self.added]).astype(np.int32)

    @cached_property
    def by_time(self) -> np.ndarray:  # type: ignore[override]
        base = self.base.by_time
        if len(self.gone):
            base = base[~np.isin(base, self.gone)]
        if not len(self.added):
            return base
        lo = self.relations.lo
        added = self.added[np.argsort(lo[self.added], kind="stable")]
        return np.insert(base, lo[base].searchsorted(lo[added], side="right"), added).astype(np.int32)

    @cached_property
    def by_time_lo(self) -> np.ndarray:  # type: ignore[override]
        return self.relations.lo[self.by_time]  # type: ignore[no-any-return]

    @cached_property
    def by_end(self) -> np.ndarray:  # type: ignore[override]
        return closed_states(self.relations, self.live)

    @cached_property
    def by_end_hi(self) -> np.ndarray:  # type: ignore[override]
        return self.relations.hi[self.by_end]  # type: ignore[no-any-return]

    @cached_property
    def adjacency(self) -> Adjacency:  # type: ignore[override]
        if not len(self.added) and not len(self.gone):
            return self.base.adjacency
        return Adjacency(self._full_dyad_index, self.relations, self._size)

    @cached_property
    def dyads(self) -> nx.Graph:  # type: ignore[override]
        base = self.base.by_dyad
        appeared = any(base.slot(key) is None for key in self._new_keys.tolist())
        vanished = any(not len(self.by_dyad.get(key)) for key in self._old_keys.tolist())
        if not appeared and not vanished:
            return self.base.dyads
        graph = nx.Graph()
        graph.add_edges_from(
            zip(*(part.tolist() for part in np.divmod(self._full_dyad_index.keys, self._size)), strict=True)
        )
        return nx.freeze(graph)

    @cached_property
    def _full_dyad_index(self) -> GroupIndex:
        table, live = self.relations, self.live
        return GroupIndex(
            self.dyad_keys(table.source[live], table.target[live]), live, table.lo[live], reach=table.hi[live]
        )

    def relation_position(self, relation_id: str) -> int | None:
        if (position := self._added_ids.get(relation_id)) is not None:
            return position
        if relation_id in self._gone_ids:
            return None
        return self.base.relation_position(relation_id)

    def relation_version(self, position: int) -> int:
        """The sequence number of the change that recorded this row (0: from the dataset files)."""
        return int(self.tape.recorded[position])

    def entity_version(self, position: int) -> int:
        return self.tape.entity_version(position, self.seq)


def snapshot(tape: Tape, seq: int | None = None, *, previous: Snapshot | None = None) -> Snapshot:
    """The graph as it stood after change ``seq`` (the latest by default); ``previous`` lends what has not
    changed since it."""
    return Snapshot(tape, tape.seq if seq is None else seq, previous)

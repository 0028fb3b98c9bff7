"""The knowledge graph: the relations as columns (``store.py``) plus the indexes queries need.

Queries run on the indexes: by dyad, by entity, by type, each ordered by time. ``dyads`` is the
undirected simple ``networkx.Graph`` of who is related to whom (nodes are entity positions), built
on first use for path searches and frozen. The whole graph as one ``networkx.MultiDiGraph``, an
edge per relation with its fields, is ``networkx_graph.to_networkx(kg)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np

from .indexes import GroupIndex
from .membership import Membership
from .records import EntityRecord, SourceRecord
from .resolve import NameIndex
from .store import STATUS_TYPE_CODES, TYPE_CODE, IdIndex, RelationTable
from .temporal import OPEN_END
from .vocabulary import MEDIATION_TYPES

__all__ = ["KnowledgeGraph", "dyad_key"]

Dyad = tuple[int, int]


def dyad_key(a: int, b: int) -> Dyad:
    return (a, b) if a <= b else (b, a)


class KnowledgeGraph:
    """Entities, relations and their indexes; read-only once built.

    Examples
    --------
    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> kg.entity(kg.resolve("Turkey")).id
    'turkiye'
    """

    def __init__(
        self,
        *,
        sources: Iterable[SourceRecord],
        entities: Sequence[EntityRecord],
        relations: RelationTable,
        live: np.ndarray | None = None,
        headroom: int = 0,
        version: str | None = None,
    ) -> None:
        """``live``: the positions of ``relations`` in the graph (all when None: a table may also hold
        versions that were replaced or retracted, see ``snapshot.py``). ``headroom``: entities that may
        be added later without changing the keys of the indexes. ``version`` names this graph (HTTP
        ETags are made of it): unique unless the builder gives one."""
        self.version = version or uuid.uuid4().hex[:16]
        self.sources = {source.id: source for source in sources}
        self.entities = list(entities)
        # Ids and names by position, for the loops that render relations by the hundred.
        self.entity_ids = [entity.id for entity in self.entities]
        self.entity_names = [entity.name for entity in self.entities]
        self.relations = relations
        self.live = np.arange(len(relations), dtype=np.int32) if live is None else live.astype(np.int32)
        self._ids = relations.position if live is None else IdIndex(relations.ids, self.live)
        self.names = NameIndex(self.entities)
        self._size = max(len(self.entities) + headroom, 1)
        self._build_indexes()
        self.dyads = nx.freeze(self._build_dyad_graph())

    # -- construction ---------------------------------------------------------

    def _build_indexes(self) -> None:
        table, positions = self.relations, self.live
        every = len(positions) == len(table)  # then each column is used as it is, not copied
        source, target, type_, lo, hi = (
            column if every else column[positions]
            for column in (table.source, table.target, table.type, table.lo, table.hi)
        )
        self.by_time = positions[np.argsort(lo, kind="stable")]
        self.by_time_lo = table.lo[self.by_time]
        self.by_end = closed_states(table, positions)
        self.by_end_hi = table.hi[self.by_end]
        self.by_dyad = GroupIndex(self.dyad_keys(source, target), positions, lo, reach=hi)
        bearing = STATUS_TYPE_CODES[type_]
        self.status_by_dyad = GroupIndex(self.dyad_keys(source, target)[bearing], positions[bearing], lo[bearing])
        loops = source == target
        ends = np.concatenate([source, target[~loops]]).astype(np.int64)
        at = np.concatenate([positions, positions[~loops]])
        self.by_entity = GroupIndex(ends, at, table.lo[at], reach=table.hi[at])
        self.by_type = GroupIndex(type_.astype(np.int64), positions, lo, reach=hi)
        self.adjacency = Adjacency(self.by_dyad, table, self._size)
        self.membership = Membership(table, None if every else positions)
        self.mediations = mediation_index(self, positions)

    def dyad_keys(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The dyad key of each pair of entity positions (either order)."""
        low = np.minimum(source, target).astype(np.int64)
        return low * self._size + np.maximum(source, target)

    def _build_dyad_graph(self) -> nx.Graph:
        graph = nx.Graph()
        low, high = np.divmod(self.by_dyad.keys, self._size)
        graph.add_edges_from(zip(low.tolist(), high.tolist(), strict=True))
        return graph

    # -- lookups --------------------------------------------------------------

    def resolve(self, ref: str) -> int:
        """The position of the entity named by ``ref`` (id, name or alias)."""
        return self.names.resolve(ref)

    def entity(self, position: int) -> EntityRecord:
        return self.entities[position]

    def entity_position(self, entity_id: str) -> int | None:
        return self.names._ids.get(entity_id)

    def relation_position(self, relation_id: str) -> int | None:
        return self._ids.get(relation_id)

    def dyad_relations(self, a: int, b: int, window: tuple[int, int] | None = None) -> np.ndarray:
        """Positions of the relations between ``a`` and ``b``, both directions, oldest first.

        With a ``window`` (day ordinals), only those whose interval meets it, found by binary search.
        """
        key = self.dyad_key_of(a, b)
        return self.by_dyad.get(key) if window is None else self.by_dyad.overlapping(key, *window)

    def dyad_key_of(self, a: int, b: int) -> int:
        """The key of the dyad of entity positions ``a`` and ``b`` (either order) in the dyad indexes;
        ``dyad_keys`` for many pairs at once, ``dyad_of_key`` back."""
        low, high = dyad_key(a, b)
        return low * self._size + high

    def dyad_of_key(self, key: int) -> Dyad:
        """The two entity positions of a dyad key, lower first."""
        low, high = divmod(key, self._size)
        return low, high

    def side(self, position: int, *, members: bool = False) -> np.ndarray:
        """An entity, and with ``members`` the entities that belong to it at some time (``membership.py``)."""
        if not members:
            return np.array([position], dtype=np.int32)
        return np.unique(np.r_[np.int32(position), self.membership.members(position)]).astype(np.int32)

    def rolled_up_relations(self, a: int, b: int) -> np.ndarray:
        """Relations between ``a`` and ``b`` or their organs acting for them at the time, oldest first.

        The rule is ``membership.py``'s: a relation of an organ (``member_of``) or office holder
        (``holds_office``) counts for its state when it starts while the link holds.

        >>> from app.loader import load_graph
        >>> kg = load_graph(["graph_data"])
        >>> found = kg.rolled_up_relations(kg.resolve("Azerbaijan"), kg.resolve("Israel"))
        >>> "azerbaijan-parliament-approves-embassy-in-israel-2022" in [kg.relations.ids[int(p)] for p in found]
        True
        """
        found = self.relations_between_sides(self.side(a, members=True), self.side(b, members=True))
        return self.membership.rolled_up(self.relations, found, a, b)

    def relations_between_sides(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Relations between any entity of ``a`` and any of ``b``, both directions, oldest first."""
        if len(a) == 1 and len(b) == 1:
            return self.dyad_relations(int(a[0]), int(b[0]))
        table = self.relations
        near, far = (a, b) if len(a) <= len(b) else (b, a)
        found = np.unique(np.concatenate([self.entity_relations(int(x)) for x in near]))
        source, target = table.source[found], table.target[found]
        keep = (np.isin(source, near) & np.isin(target, far)) | (np.isin(source, far) & np.isin(target, near))
        found = found[keep]
        return found[np.argsort(table.lo[found], kind="stable")]

    def relations_of_dyads(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The relations of many dyads ``(a[i], b[i])`` at once, and for each the index ``i`` of its dyad."""
        return self.by_dyad.gather(self.dyad_keys(a, b))

    def entity_relations(self, position: int) -> np.ndarray:
        """Positions of the relations of an entity, oldest first."""
        return self.by_entity.get(position)

    def stats(self) -> dict[str, int]:
        return {"entities": len(self.entities), "relations": len(self.live)}


def closed_states(table: RelationTable, positions: np.ndarray) -> np.ndarray:
    """States with a known end among ``positions``, by the day they ended: what ``/changes`` reports as ended."""
    ended = table.is_state[positions] & (table.end_precision[positions] > 0) & (table.hi[positions] < OPEN_END)
    closed = positions[ended].astype(np.int32)
    return closed[np.argsort(table.hi[closed], kind="stable")]


def mediation_index(kg: KnowledgeGraph, positions: np.ndarray) -> dict[Dyad, list[int]]:
    """The mediation relations among ``positions``, by the dyad of the two parties they are between."""
    table = kg.relations
    found: dict[Dyad, list[int]] = {}
    mediation_codes = [TYPE_CODE[type_id] for type_id in MEDIATION_TYPES]
    for position in positions[np.isin(table.type[positions], mediation_codes)].tolist():
        parties = (table.attributes[position] or {}).get("parties", ())
        ends = [kg.entity_position(party) for party in parties]
        if len(ends) == 2 and None not in ends:
            found.setdefault(dyad_key(*ends), []).append(position)  # type: ignore[arg-type]
    return found


class Adjacency:
    """Per entity: its neighbours, and per dyad the days that decide whether it is in force on a date.

    Entries are sorted by the first day of each dyad, so "neighbours as of a date" is a prefix. A
    dyad is in force on a period if one of its events starts by the period's end (``first_event``),
    or its one state meets the period (``state_lo``..``state_hi``); only dyads with several states
    that could meet it need their relations checked one by one (``state_count``).
    """

    def __init__(self, by_dyad: GroupIndex, table: RelationTable, size: int) -> None:
        low, high = np.divmod(by_dyad.keys, size)
        starts = by_dyad.bounds[:-1]
        values = by_dyad.values
        is_state = table.is_state[values] if len(values) else np.empty(0, dtype=bool)
        lo, hi = table.lo[values], table.hi[values]

        def per_dyad(op: np.ufunc, column: np.ndarray) -> np.ndarray:
            return op.reduceat(column, starts) if len(starts) else np.empty(0, dtype=column.dtype)

        columns = {
            "first": per_dyad(np.minimum, lo),
            "first_event": per_dyad(np.minimum, np.where(is_state, OPEN_END, lo)),
            "state_lo": per_dyad(np.minimum, np.where(is_state, lo, OPEN_END)),
            "state_hi": per_dyad(np.maximum, np.where(is_state, hi, -1)),
            "state_count": per_dyad(np.add, is_state.astype(np.int32)),
        }
        loops = low == high
        owner = np.concatenate([low, high[~loops]])
        self.other = np.concatenate([high, low[~loops]]).astype(np.int32)
        for name, column in columns.items():
            setattr(self, name, np.concatenate([column, column[~loops]]).astype(np.int32))
        self.first: np.ndarray
        self.first_event: np.ndarray
        self.state_lo: np.ndarray
        self.state_hi: np.ndarray
        self.state_count: np.ndarray
        self._index = GroupIndex(owner, np.arange(len(owner), dtype=np.int32), self.first)

    def entries_of(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries of several nodes at once, and the node each belongs to, in the nodes' order."""
        entries, which = self._index.gather(nodes)
        return entries, nodes[which]

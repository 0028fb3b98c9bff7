"""The knowledge graph: a frozen NetworkX multigraph plus the indexes queries need.

``graph`` is a ``networkx.MultiDiGraph`` with one node per entity (keyed by id)
and one edge per (source, target, type), whose ``relations`` attribute lists
the positions of its relations in the table, oldest first. ``dyads`` is the
undirected simple graph of who is related to whom, used for paths. Both are
frozen: the graph is built once at start-up and read by every request.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from .records import EntityRecord, SourceRecord
from .resolve import NameIndex
from .store import TYPE_CODE, RelationTable
from .vocabulary import MEDIATION_TYPES

__all__ = ["KnowledgeGraph", "dyad_key"]

Dyad = tuple[int, int]


def dyad_key(a: int, b: int) -> Dyad:
    return (a, b) if a <= b else (b, a)


def _group(keys: np.ndarray, values: np.ndarray, order_by: np.ndarray) -> dict[Any, np.ndarray]:
    """Split ``values`` by ``keys``, each group sorted by ``order_by``."""
    if len(keys) == 0:
        return {}
    order = np.lexsort((order_by, keys))
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    groups = np.split(values, starts[1:])
    return dict(zip(keys[starts].tolist(), groups, strict=True))


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
    ) -> None:
        self.sources = {source.id: source for source in sources}
        self.entities = list(entities)
        self.relations = relations
        self.names = NameIndex(self.entities)
        self._build_indexes()
        self.adjacency = self._build_adjacency()
        self.graph = self._build_multigraph()
        self.dyads = nx.freeze(nx.Graph(list(self.by_dyad)))
        self.graph = nx.freeze(self.graph)

    # -- construction ---------------------------------------------------------

    def _build_indexes(self) -> None:
        table = self.relations
        count = len(table)
        positions = np.arange(count, dtype=np.int32)
        size = max(len(self.entities), 1)
        self.by_time = np.argsort(table.lo, kind="stable").astype(np.int32)
        low = np.minimum(table.source, table.target).astype(np.int64)
        high = np.maximum(table.source, table.target).astype(np.int64)
        by_dyad = _group(low * size + high, positions, table.lo)
        self.by_dyad: dict[Dyad, np.ndarray] = {
            (key // size, key % size): group for key, group in by_dyad.items()
        }
        loops = table.source == table.target
        ends = np.concatenate([table.source, table.target[~loops]])
        at = np.concatenate([positions, positions[~loops]])
        self.by_entity: dict[int, np.ndarray] = _group(ends, at, table.lo[at])
        self.by_type: dict[int, np.ndarray] = _group(table.type.astype(np.int64), positions, table.lo)
        self.mediations: dict[Dyad, list[int]] = {}
        mediation_codes = [TYPE_CODE[type_id] for type_id in MEDIATION_TYPES]
        for position in positions[np.isin(table.type, mediation_codes)]:
            parties = (table.attributes[position] or {}).get("parties", ())
            ends_ = [self.entity_position(party) for party in parties]
            if len(ends_) == 2 and None not in ends_:
                key = dyad_key(*ends_)  # type: ignore[arg-type]
                self.mediations.setdefault(key, []).append(int(position))

    def _build_adjacency(self) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per entity: its neighbours, the day each dyad began, and whether it holds states.

        Sorted by that first day, so "neighbours as of a date" is a prefix.
        """
        table = self.relations
        pairs = list(self.by_dyad.items())
        if not pairs:
            return {}
        ends = np.array([key for key, _ in pairs], dtype=np.int32).reshape(-1, 2)
        first = np.array([table.lo[group[0]] for _, group in pairs], dtype=np.int32)
        stateful = np.array([table.is_state[group].any() for _, group in pairs], dtype=bool)
        loops = ends[:, 0] == ends[:, 1]
        owner = np.concatenate([ends[:, 0], ends[~loops, 1]])
        other = np.concatenate([ends[:, 1], ends[~loops, 0]])
        first, stateful = np.concatenate([first, first[~loops]]), np.concatenate([stateful, stateful[~loops]])
        order = np.lexsort((first, owner))
        owner, other, first, stateful = owner[order], other[order], first[order], stateful[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        bounds = [*starts.tolist(), len(owner)]
        return {
            int(owner[lo]): (other[lo:hi], first[lo:hi], stateful[lo:hi])
            for lo, hi in itertools.pairwise(bounds)
        }

    def _build_multigraph(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        graph.add_nodes_from((e.id, {"name": e.name, "kind": e.kind}) for e in self.entities)
        table = self.relations
        size = max(len(self.entities), 1)
        triple = (table.source.astype(np.int64) * size + table.target) * 64 + table.type
        ids = [e.id for e in self.entities]
        for key, group in _group(triple, np.arange(len(table), dtype=np.int32), table.lo).items():
            source, target = divmod(key // 64, size)
            graph.add_edge(ids[source], ids[target], key=table.type_id(int(group[0])), relations=group)
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
        return self.relations.position.get(relation_id)

    def dyad_relations(self, a: int, b: int) -> np.ndarray:
        return self.by_dyad.get(dyad_key(a, b), _EMPTY)

    def entity_relations(self, position: int) -> np.ndarray:
        return self.by_entity.get(position, _EMPTY)

    def stats(self) -> dict[str, int]:
        return {"entities": len(self.entities), "relations": len(self.relations)}


_EMPTY = np.empty(0, dtype=np.int32)

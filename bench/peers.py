"""The engines compared: the service's query layer, DuckDB, Kùzu and a plain NetworkX baseline.

Every engine answers the same five questions, with actors given as positions in
``entities.csv`` and days as ``Day`` (ordinal and ISO text, so no engine pays
for the other's form):

- ``dyad_window(a, b, lo, hi)``: the relations between ``a`` and ``b``, either
  direction, overlapping the days ``lo..hi``, oldest first;
- ``status(a, b, day)``: the status of the dyad on ``day`` (the rules of
  ``app/queries/status.py``: the latest status-bearing relation in force, else
  the mean Goldstein value of the events of the 90 days before, else unknown);
- ``mediators(a, b)``: who mediated, or offered to, between ``a`` and ``b``;
- ``two_hop(a, day, limit)``: actors within two hops over dyads whose first
  relation starts on or before ``day``, at most ``limit`` (the centre counts);
- ``shortest_path(a, b)``: a shortest path of at most 4 hops, or ``None``.

``normalize`` turns an engine's native answer into a comparable value, so that
the benchmark can check that the engines agree.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from app.queries.status import TREND_DAYS
from app.temporal import OPEN_END, OPEN_START, parse_date
from app.vocabulary import MEDIATION_TYPES, VOCABULARY

__all__ = ["ENGINES", "Day", "Engine", "entity_ids", "open_engine", "status_of"]

ENGINES = ("service", "duckdb", "kuzu", "networkx")
MAX_HOPS = 4
STATUS_TYPES = tuple(t for t, v in VOCABULARY.items() if v.status is not None)
STATE_TYPES = tuple(t for t, v in VOCABULARY.items() if v.kind == "state")


@dataclass(frozen=True, slots=True)
class Day:
    ordinal: int
    text: str


class Engine(Protocol):
    name: str

    def dyad_window(self, a: int, b: int, lo: Day, hi: Day) -> Any: ...
    def status(self, a: int, b: int, day: Day) -> Any: ...
    def mediators(self, a: int, b: int) -> Any: ...
    def two_hop(self, a: int, day: Day, limit: int) -> Any: ...
    def shortest_path(self, a: int, b: int) -> Any: ...
    def normalize(self, kind: str, answer: Any) -> Hashable: ...


def entity_ids(folder: Path) -> list[str]:
    """Entity ids in ``entities.csv`` order: position ``i`` is the service's entity ``i``."""
    with (folder / "entities.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [row[0] for row in reader]


def status_of(deciding: Sequence[tuple[str, bool]], mean: float | None) -> str:
    """The status word from the deciding relations (type, is state) or the mean Goldstein value."""
    if deciding:
        if any(is_state for _, is_state in deciding):
            deciding = [d for d in deciding if d[1]]
        statuses = {VOCABULARY[type_].status for type_, _ in deciding}
        return statuses.pop() if len(statuses) == 1 else "mixed"  # type: ignore[return-value]
    if mean is None:
        return "unknown"
    return "cooperative" if mean > 1 else "conflictual" if mean < -1 else "mixed"


def common_normalize(kind: str, answer: Any, cap: int) -> Hashable:
    """Relation ids, statuses, actor ids as sets; a path as its hop count; a capped answer as "cap"."""
    if kind == "status":
        return str(answer)
    if kind == "shortest_path":
        return None if answer is None else len(answer) - 1
    items = frozenset(answer)
    return "cap" if kind == "two_hop" and len(items) >= cap else items


def open_engine(name: str, folder: Path) -> Engine:
    """Load ``folder`` into the engine called ``name``."""
    if name == "service":
        from .service import ServiceEngine

        return ServiceEngine(folder)
    if name == "duckdb":
        from .peer_duckdb import DuckDBEngine

        return DuckDBEngine(folder)
    if name == "kuzu":
        from .peer_kuzu import KuzuEngine

        return KuzuEngine(folder)
    if name == "networkx":
        return NetworkXBaseline(folder)
    raise ValueError(f"unknown engine {name!r}; one of {', '.join(ENGINES)}")


class NetworkXBaseline:
    """A MultiDiGraph with one edge per fact, its fields a dict; queries scan ``G[u][v]``."""

    name = "networkx"

    def __init__(self, folder: Path) -> None:
        self.ids = entity_ids(folder)
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.ids)
        with (folder / "relations.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                start = parse_date(row["start"]) if row["start"] else None
                end = parse_date(row["end"]) if row["end"] else None
                is_state = row["type"] in STATE_TYPES
                hi = end.hi if end else (OPEN_END if is_state or start is None else start.hi)
                graph.add_edge(
                    row["source"],
                    row["target"],
                    key=row["id"],
                    type=row["type"],
                    lo=start.lo if start else OPEN_START,
                    hi=hi,
                    is_state=is_state,
                    polarity=row["polarity"],
                    attributes=json.loads(row["attributes"] or "{}"),
                )
        self.graph = graph
        self.undirected = graph.to_undirected(as_view=True)

    def _dyad(self, a: str, b: str) -> list[tuple[str, dict[str, Any]]]:
        edges = list(self.graph.succ[a].get(b, {}).items())
        if a != b:
            edges += self.graph.succ[b].get(a, {}).items()
        return edges

    def dyad_window(self, a: int, b: int, lo: Day, hi: Day) -> list[str]:
        found = [
            (d["lo"], k)
            for k, d in self._dyad(self.ids[a], self.ids[b])
            if d["lo"] <= hi.ordinal and d["hi"] >= lo.ordinal
        ]
        return [k for _, k in sorted(found)]

    def status(self, a: int, b: int, day: Day) -> str:
        on = day.ordinal
        in_force = [
            d for _, d in self._dyad(self.ids[a], self.ids[b]) if d["lo"] <= on and (not d["is_state"] or d["hi"] >= on)
        ]
        bearing = [d for d in in_force if d["type"] in STATUS_TYPES]
        if bearing:
            latest = max(d["lo"] for d in bearing)
            return status_of([(d["type"], d["is_state"]) for d in bearing if d["lo"] == latest], None)
        scores = [
            d["attributes"]["goldstein"]
            for d in in_force
            if not d["is_state"] and d["lo"] > on - TREND_DAYS and "goldstein" in d["attributes"]
        ]
        return status_of([], sum(scores) / len(scores) if scores else None)

    def mediators(self, a: int, b: int) -> set[str]:
        parties = {self.ids[a], self.ids[b]}
        return {
            mediator
            for party in parties
            for mediator, edges in self.graph.pred[party].items()
            for d in edges.values()
            if d["type"] in MEDIATION_TYPES and set(d["attributes"].get("parties", ())) == parties
        }

    def two_hop(self, a: int, day: Day, limit: int) -> list[str]:
        center, on = self.ids[a], day.ordinal
        seen = {center}
        frontier = [center]
        for _ in range(2):
            following = []
            for node in frontier:
                for adjacency in (self.graph.succ[node], self.graph.pred[node]):
                    for other, edges in adjacency.items():
                        if other in seen or not any(d["lo"] <= on for d in edges.values()):
                            continue
                        if len(seen) >= limit:
                            return list(seen - {center})
                        seen.add(other)
                        following.append(other)
            frontier = following
        return list(seen - {center})

    def shortest_path(self, a: int, b: int) -> list[str] | None:
        try:
            path: list[str] = nx.shortest_path(self.undirected, self.ids[a], self.ids[b])
        except nx.NetworkXNoPath:
            return None
        return path if len(path) - 1 <= MAX_HOPS else None

    def normalize(self, kind: str, answer: Any, *, cap: int = 999) -> Hashable:
        return common_normalize(kind, answer, cap)

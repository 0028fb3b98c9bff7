"""Kùzu (in memory), loaded from the dataset folder's CSV files by Cypher alone.

``Actor`` nodes keyed by entity id; one ``REL`` per fact with day ordinals,
type flags and the Goldstein value; ``DYAD`` with one edge per dyad and the day
it began (for neighbourhoods and paths: walking thousands of parallel facts
would be unfair to Kùzu); a mediation is a ``Mediation`` node with a
``MEDIATES`` edge from its mediator and ``PARTY`` edges to its two parties.
Queries run with parameters (Kùzu caches their plans; its separate
``prepare`` is deprecated).

The CSV is read with ``parallel=false``: with parallel reading, Kùzu 0.11.3
returned NULL from string functions (``split_part``, ``regexp_extract``) for
about 1% of rows (4,377 of 500,000 Goldstein values lost here).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import kuzu

from app.queries.status import TREND_DAYS
from app.temporal import OPEN_END, OPEN_START
from app.vocabulary import MEDIATION_TYPES

from .peers import STATE_TYPES, STATUS_TYPES, Day, common_normalize, entity_ids, status_of

__all__ = ["KuzuEngine"]

_COLUMNS = ", ".join(
    f"`{c}` STRING"
    for c in (
        "id",
        "type",
        "source",
        "target",
        "start",
        "end",
        "polarity",
        "description",
        "source_id",
        "locator",
        "attributes",
    )
)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _ordinal(column: str) -> str:
    return f"to_int64(date({column}) - date('0001-01-01')) + 1"


def _load_cypher(folder: Path) -> list[str]:
    load = (
        f"LOAD WITH HEADERS ({_COLUMNS}) FROM '{folder / 'relations.csv'}' (header=true, escape='\"', parallel=false)"
    )
    states = _list(STATE_TYPES)
    goldstein = (
        "to_double(nullif(split_part(split_part(split_part(attributes, '\"goldstein\":', 2), ',', 1), '}', 1), ''))"
    )
    party = "split_part(split_part(attributes, '\"parties\":[\"', 2), '\"', {})"
    return [
        "CREATE NODE TABLE Actor(id STRING, name STRING, kind STRING, aliases STRING, attributes STRING, "
        "PRIMARY KEY (id))",
        "CREATE REL TABLE REL(FROM Actor TO Actor, id STRING, type STRING, lo INT64, hi INT64, "
        "is_state BOOLEAN, status_bearing BOOLEAN, goldstein DOUBLE)",
        "CREATE REL TABLE DYAD(FROM Actor TO Actor, first INT64)",
        "CREATE NODE TABLE Mediation(id STRING, type STRING, lo INT64, PRIMARY KEY (id))",
        "CREATE REL TABLE MEDIATES(FROM Actor TO Mediation)",
        "CREATE REL TABLE PARTY(FROM Mediation TO Actor)",
        f"COPY Actor FROM '{folder / 'entities.csv'}' (header=true, escape='\"')",
        f"""COPY REL FROM ({load}
            RETURN source, target, id, type,
                   CASE WHEN start IS NULL THEN {OPEN_START} ELSE {_ordinal("start")} END AS lo,
                   CASE WHEN `end` IS NOT NULL THEN {_ordinal("`end`")}
                        WHEN list_contains({states}, type) OR start IS NULL THEN {OPEN_END}
                        ELSE {_ordinal("start")} END AS hi,
                   list_contains({states}, type) AS is_state,
                   list_contains({_list(STATUS_TYPES)}, type) AS status_bearing,
                   {goldstein} AS goldstein)""",
        """COPY DYAD FROM (MATCH (x:Actor)-[r:REL]->(y:Actor)
            WITH CASE WHEN x.id < y.id THEN x.id ELSE y.id END AS u,
                 CASE WHEN x.id < y.id THEN y.id ELSE x.id END AS v, r.lo AS lo
            RETURN u, v, min(lo))""",
        f"""COPY Mediation FROM ({load} WHERE list_contains({_list(tuple(sorted(MEDIATION_TYPES)))}, type)
            RETURN id, type, {_ordinal("start")} AS lo)""",
        f"""COPY MEDIATES FROM ({load} WHERE list_contains({_list(tuple(sorted(MEDIATION_TYPES)))}, type)
            RETURN source, id)""",
        f"""COPY PARTY FROM ({load} WHERE list_contains({_list(tuple(sorted(MEDIATION_TYPES)))}, type)
            UNWIND [{party.format(1)}, {party.format(3)}] AS p RETURN id, p)""",
    ]


IN_FORCE = "r.lo <= $day AND (NOT r.is_state OR r.hi >= $day)"
QUERIES = {
    "dyad_window": """MATCH (x:Actor {id: $a})-[r:REL]-(y:Actor {id: $b})
        WHERE r.lo <= $hi AND r.hi >= $lo RETURN r.id, r.type, r.lo ORDER BY r.lo""",
    # Two CASE aggregates in one RETURN come out wrong in Kùzu 0.11.3 (the second reads 0): two queries.
    "latest": f"""MATCH (x:Actor {{id: $a}})-[r:REL]-(y:Actor {{id: $b}}) WHERE {IN_FORCE} AND r.status_bearing
        RETURN max(r.lo)""",
    "trend": f"""MATCH (x:Actor {{id: $a}})-[r:REL]-(y:Actor {{id: $b}})
        WHERE {IN_FORCE} AND NOT r.is_state AND r.lo > $day - {TREND_DAYS} RETURN avg(r.goldstein)""",
    "deciding": f"""MATCH (x:Actor {{id: $a}})-[r:REL]-(y:Actor {{id: $b}})
        WHERE {IN_FORCE} AND r.status_bearing AND r.lo = $latest RETURN r.type, r.is_state""",
    "mediators": """MATCH (m:Actor)-[:MEDIATES]->(x:Mediation)-[:PARTY]->(:Actor {id: $a}),
        (x)-[:PARTY]->(:Actor {id: $b}) RETURN DISTINCT m.id""",
    # Kùzu takes no parameter in a recursive pattern's predicate: the day is written in (an int).
    "two_hop": """MATCH (x:Actor {{id: $a}})-[:DYAD*1..2 (r, _ | WHERE r.first <= {day})]-(y:Actor)
        WHERE y.id <> $a RETURN DISTINCT y.id LIMIT $limit""",
    "shortest_path": """MATCH p = (x:Actor {id: $a})-[:DYAD* SHORTEST 1..4]-(y:Actor {id: $b})
        RETURN properties(nodes(p), 'id') LIMIT 1""",
}


class KuzuEngine:
    name = "kuzu"

    def __init__(self, folder: Path) -> None:
        self.db = kuzu.Database()  # in memory
        self.conn = kuzu.Connection(self.db)
        for statement in _load_cypher(folder):
            self.conn.execute(statement)
        self.ids = entity_ids(folder)

    def _run(self, name: str, params: dict[str, Any], query: str | None = None) -> list[list[Any]]:
        result = self.conn.execute(query or QUERIES[name], params)
        assert isinstance(result, kuzu.QueryResult)
        rows: list[list[Any]] = []
        while result.has_next():
            rows.append(list(result.get_next()))
        return rows

    def dyad_window(self, a: int, b: int, lo: Day, hi: Day) -> list[list[Any]]:
        return self._run("dyad_window", {"a": self.ids[a], "b": self.ids[b], "lo": lo.ordinal, "hi": hi.ordinal})

    def status(self, a: int, b: int, day: Day) -> str:
        params = {"a": self.ids[a], "b": self.ids[b], "day": day.ordinal}
        rows = self._run("latest", params)
        latest = rows[0][0] if rows else None
        if latest is None:
            rows = self._run("trend", params)
            return status_of([], rows[0][0] if rows else None)
        deciding = self._run("deciding", {**params, "latest": latest})
        return status_of([(t, s) for t, s in deciding], None)

    def mediators(self, a: int, b: int) -> list[list[Any]]:
        return self._run("mediators", {"a": self.ids[a], "b": self.ids[b]})

    def two_hop(self, a: int, day: Day, limit: int) -> list[list[Any]]:
        query = QUERIES["two_hop"].format(day=int(day.ordinal))
        return self._run("two_hop", {"a": self.ids[a], "limit": limit - 1}, query)

    def shortest_path(self, a: int, b: int) -> list[str] | None:
        rows = self._run("shortest_path", {"a": self.ids[a], "b": self.ids[b]})
        return list(rows[0][0]) if rows else None

    def normalize(self, kind: str, answer: Any, *, cap: int = 999) -> Hashable:
        if kind in ("dyad_window", "mediators", "two_hop"):
            answer = [row[0] for row in answer]
        return common_normalize(kind, answer, cap)

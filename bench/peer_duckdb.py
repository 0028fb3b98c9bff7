"""DuckDB (in memory), loaded from the dataset folder's CSV files by SQL alone.

Tables as a user would make them: ``relations`` with integer actors, the dyad
``(a, b)`` with ``a <= b``, day ordinals, type flags and the Goldstein value,
sorted by dyad and day and indexed on the dyad; ``mediations`` by the dyad of
the parties; ``adjacency`` with one row per dyad and direction and the day the
dyad began, indexed on the actor. Each query is one parameterised statement
(the status query needs a second only when a status-bearing relation decides).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import duckdb

from app.temporal import OPEN_END, OPEN_START
from app.vocabulary import MEDIATION_TYPES

from .peers import MAX_HOPS, STATE_TYPES, STATUS_TYPES, Day, common_normalize, entity_ids, status_of

__all__ = ["DuckDBEngine"]


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _ordinal(column: str) -> str:
    return f"(CAST({column} AS DATE) - DATE '0001-01-01') + 1"


def _load_sql(folder: Path) -> list[str]:
    entities, relations = folder / "entities.csv", folder / "relations.csv"
    return [
        f"""CREATE TABLE entities AS
            SELECT CAST(row_number() OVER (ORDER BY id) - 1 AS INTEGER) AS pos, id
            FROM read_csv('{entities}', header = true, all_varchar = true)""",
        f"""CREATE TABLE relations AS
            WITH raw AS (SELECT * FROM read_csv('{relations}', header = true, all_varchar = true)),
            typed AS (
              SELECT raw.id, raw.type, s.pos AS source, t.pos AS target,
                     COALESCE({_ordinal("raw.start")}, {OPEN_START}) AS lo,
                     COALESCE({_ordinal('raw."end"')},
                              CASE WHEN list_contains({_list(STATE_TYPES)}, raw.type) OR raw.start IS NULL
                                   THEN {OPEN_END} ELSE {_ordinal("raw.start")} END) AS hi,
                     list_contains({_list(STATE_TYPES)}, raw.type) AS is_state,
                     list_contains({_list(STATUS_TYPES)}, raw.type) AS status_bearing,
                     CAST(json_extract(raw.attributes, '$.goldstein') AS DOUBLE) AS goldstein,
                     json_extract_string(raw.attributes, '$.parties[0]') AS party0,
                     json_extract_string(raw.attributes, '$.parties[1]') AS party1
              FROM raw JOIN entities s ON s.id = raw.source JOIN entities t ON t.id = raw.target)
            SELECT *, least(source, target) AS a, greatest(source, target) AS b FROM typed
            ORDER BY a, b, lo""",
        f"""CREATE TABLE mediations AS
            SELECT least(p.pos, q.pos) AS a, greatest(p.pos, q.pos) AS b, r.source AS mediator, r.lo
            FROM relations r JOIN entities p ON p.id = r.party0 JOIN entities q ON q.id = r.party1
            WHERE list_contains({_list(tuple(sorted(MEDIATION_TYPES)))}, r.type)""",
        """CREATE TABLE adjacency AS
            WITH dyads AS (SELECT a, b, min(lo) AS first FROM relations GROUP BY a, b)
            SELECT a AS node, b AS other, first FROM dyads
            UNION ALL SELECT b, a, first FROM dyads WHERE a <> b
            ORDER BY node, first""",
        "ALTER TABLE relations DROP COLUMN party0",
        "ALTER TABLE relations DROP COLUMN party1",
        "CREATE INDEX relations_dyad ON relations (a, b)",
        "CREATE INDEX mediations_dyad ON mediations (a, b)",
        "CREATE INDEX adjacency_node ON adjacency (node)",
    ]


DYAD = """SELECT id FROM relations WHERE a = $a AND b = $b AND lo <= $hi AND hi >= $lo ORDER BY lo"""
IN_FORCE = "a = $a AND b = $b AND lo <= $day AND (NOT is_state OR hi >= $day)"
STATUS = f"""SELECT max(lo) FILTER (WHERE status_bearing),
                    avg(goldstein) FILTER (WHERE NOT is_state AND lo > $day - {{trend}})
             FROM relations WHERE {IN_FORCE}"""
DECIDING = f"SELECT type, is_state FROM relations WHERE {IN_FORCE} AND status_bearing AND lo = $latest"
MEDIATORS = "SELECT DISTINCT mediator FROM mediations WHERE a = $a AND b = $b"
TWO_HOP = """
    WITH one AS (SELECT other FROM adjacency WHERE node = $a AND first <= $day)
    SELECT DISTINCT other FROM (
      SELECT other FROM one
      UNION ALL
      SELECT adjacency.other FROM one JOIN adjacency ON adjacency.node = one.other WHERE adjacency.first <= $day)
    WHERE other <> $a LIMIT $limit"""
PATH = """
    WITH a1 AS (SELECT other AS x FROM adjacency WHERE node = $a),
         b1 AS (SELECT other AS y FROM adjacency WHERE node = $b),
         a2 AS (SELECT n.other AS m, min(n.node) AS x FROM a1 JOIN adjacency n ON n.node = a1.x GROUP BY n.other),
         b2 AS (SELECT n.other AS m, min(n.node) AS y FROM b1 JOIN adjacency n ON n.node = b1.y GROUP BY n.other)
    SELECT hops, path FROM (
      SELECT 1 AS hops, [$a, $b] AS path FROM a1 WHERE x = $b
      UNION ALL SELECT 2, [$a, x, $b] FROM a1 JOIN b1 ON x = y
      UNION ALL SELECT 3, [$a, a2.x, a2.m, $b] FROM a2 JOIN b1 ON a2.m = b1.y
      UNION ALL SELECT 4, [$a, a2.x, a2.m, b2.y, $b] FROM a2 JOIN b2 ON a2.m = b2.m)
    ORDER BY hops LIMIT 1"""


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, folder: Path) -> None:
        self.db = duckdb.connect(":memory:")
        for statement in _load_sql(folder):
            self.db.execute(statement)
        names = dict(self.db.execute("SELECT id, pos FROM entities").fetchall())
        self.ids = entity_ids(folder)
        self.pos = [names[i] for i in self.ids]  # entities.csv position -> DuckDB actor
        self.back = {names[i]: position for position, i in enumerate(self.ids)}
        assert MAX_HOPS == 4, "PATH is written for 4 hops"

    def _dyad(self, a: int, b: int) -> dict[str, int]:
        x, y = self.pos[a], self.pos[b]
        return {"a": min(x, y), "b": max(x, y)}

    def dyad_window(self, a: int, b: int, lo: Day, hi: Day) -> list[tuple[Any, ...]]:
        return self.db.execute(DYAD, {**self._dyad(a, b), "lo": lo.ordinal, "hi": hi.ordinal}).fetchall()

    def status(self, a: int, b: int, day: Day) -> str:
        from app.queries.status import TREND_DAYS

        params = {**self._dyad(a, b), "day": day.ordinal}
        row = self.db.execute(STATUS.format(trend=TREND_DAYS), params).fetchone()
        latest, mean = row if row else (None, None)
        if latest is None:
            return status_of([], mean)
        return status_of(self.db.execute(DECIDING, {**params, "latest": latest}).fetchall(), None)

    def mediators(self, a: int, b: int) -> list[tuple[Any, ...]]:
        return self.db.execute(MEDIATORS, self._dyad(a, b)).fetchall()

    def two_hop(self, a: int, day: Day, limit: int) -> list[tuple[Any, ...]]:
        return self.db.execute(TWO_HOP, {"a": self.pos[a], "day": day.ordinal, "limit": limit - 1}).fetchall()

    def shortest_path(self, a: int, b: int) -> list[int] | None:
        row = self.db.execute(PATH, {"a": self.pos[a], "b": self.pos[b]}).fetchone()
        return list(row[1]) if row else None

    def normalize(self, kind: str, answer: Any, *, cap: int = 999) -> Hashable:
        if kind == "dyad_window":
            answer = [row[0] for row in answer]
        elif kind in ("mediators", "two_hop"):
            answer = [self.ids[self.back[row[0]]] for row in answer]
        elif kind == "shortest_path" and answer is not None:
            answer = [self.ids[self.back[p]] for p in answer]
        return common_normalize(kind, answer, cap)

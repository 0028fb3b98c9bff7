"""What changed between two dates: relations that began or ended, and dyads whose status moved.

Relations *began* when their start falls in the window, and *ended* when they
are states whose end falls in it. They are grouped by dyad, the group with the
most recent change first. For the dyads of the page returned, the status (see
``status.py``) on the day before the window and on its last day is compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import KnowledgeGraph, dyad_key
from ..temporal import OPEN_END, Period
from .filters import RelationFilter, apply
from .status import Status, dyad_status

__all__ = ["DyadChange", "changes"]


@dataclass(frozen=True, slots=True)
class DyadChange:
    a: int
    b: int
    began: list[int]
    ended: list[int]
    before: Status
    after: Status

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status


def changes(
    kg: KnowledgeGraph, *, window: Period, entity: int | None = None, flt: RelationFilter | None = None,
    offset: int = 0, limit: int = 100, per_dyad: int = 50,
) -> tuple[list[DyadChange], int]:
    """Changes in ``window`` grouped by dyad, newest first, one page of them and the number of dyads.

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> page, total = changes(kg, window=parse_period("2022-08"), entity=kg.resolve("Israel"))
    >>> [(kg.entity(c.a).id, kg.entity(c.b).id, c.before.status, c.after.status) for c in page][:1]
    [('israel', 'turkiye', 'normalizing', 'restored')]
    """
    table = kg.relations
    candidates = kg.entity_relations(entity) if entity is not None else kg.by_time
    if flt is not None:
        candidates = apply(kg, candidates, flt)
    lo, hi = table.lo[candidates], table.hi[candidates]
    began = candidates[(lo >= window.lo) & (lo <= window.hi)]
    closed = table.is_state[candidates] & (table.end_precision[candidates] > 0) & (hi < OPEN_END)
    ended = candidates[closed & (hi >= window.lo) & (hi <= window.hi)]
    groups: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    latest: dict[tuple[int, int], int] = {}
    for kind, positions, days in ((0, began, table.lo[began]), (1, ended, table.hi[ended])):
        for position, day in zip(positions.tolist(), days.tolist(), strict=True):
            key = dyad_key(int(table.source[position]), int(table.target[position]))
            groups.setdefault(key, ([], []))[kind].append(position)
            latest[key] = max(latest.get(key, day), day)
    ordered = sorted(groups.items(), key=lambda item: (-latest[item[0]], item[0]))
    before = Period(f"before {window.text}", window.lo - 1, window.lo - 1)
    page = []
    for (a, b), (started, stopped) in ordered[offset: offset + limit]:
        page.append(DyadChange(
            a, b, _newest(kg, started, per_dyad), _newest(kg, stopped, per_dyad, end=True),
            dyad_status(kg, a, b, as_of=before), dyad_status(kg, a, b, as_of=Period(window.text, window.hi, window.hi)),
        ))
    return page, len(groups)


def _newest(kg: KnowledgeGraph, positions: list[int], limit: int, *, end: bool = False) -> list[int]:
    days = (kg.relations.hi if end else kg.relations.lo)[np.asarray(positions, dtype=np.int64)]
    order = np.argsort(-days, kind="stable")[:limit]
    return [positions[i] for i in order.tolist()]

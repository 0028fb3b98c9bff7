"""What changed between two dates: relations that began or ended, and dyads whose status moved.

Relations *began* when their start falls in the window, and *ended* when they
are states whose end falls in it. They are grouped by dyad, the group with the
most recent change first. For the dyads of the page returned, the status (see
``status.py``) on the day before the window and on its last day is compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..budget import UNLIMITED, Budget
from ..graph import KnowledgeGraph
from ..temporal import Period
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
    kg: KnowledgeGraph,
    *,
    window: Period,
    entity: int | None = None,
    flt: RelationFilter | None = None,
    offset: int = 0,
    limit: int = 100,
    per_dyad: int = 50,
    budget: Budget = UNLIMITED,
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
    if entity is not None:
        began = kg.by_entity.between(entity, window.lo, window.hi)
    else:
        began = kg.by_time[kg.by_time_lo.searchsorted(window.lo) : kg.by_time_lo.searchsorted(window.hi, "right")]
    ended = kg.by_end[kg.by_end_hi.searchsorted(window.lo) : kg.by_end_hi.searchsorted(window.hi, "right")]
    if entity is not None:
        ended = ended[(table.source[ended] == entity) | (table.target[ended] == entity)]
    ended = ended[np.lexsort((ended, table.lo[ended]))]  # by start, as the relations of the window
    if flt is not None:
        began, ended = apply(kg, began, flt), apply(kg, ended, flt)
    budget.check()
    positions = np.concatenate([began, ended])
    days = np.concatenate([table.lo[began], table.hi[ended]])
    keys = kg.dyad_keys(table.source[positions], table.target[positions])
    dyads, group = np.unique(keys, return_inverse=True)
    budget.check()
    latest = np.full(len(dyads), np.iinfo(np.int64).min)
    np.maximum.at(latest, group, days.astype(np.int64))
    ordered = np.lexsort((dyads, -latest))[offset : offset + limit]
    before = Period(f"before {window.text}", window.lo - 1, window.lo - 1)
    after = Period(window.text, window.hi, window.hi)
    is_began = np.arange(len(positions)) < len(began)
    page = []
    for slot in ordered.tolist():
        budget.check()
        mine = group == slot
        a, b = kg.dyad_of_key(int(dyads[slot]))
        page.append(
            DyadChange(
                a,
                b,
                _newest(kg, positions[mine & is_began], per_dyad),
                _newest(kg, positions[mine & ~is_began], per_dyad, end=True),
                dyad_status(kg, a, b, as_of=before),
                dyad_status(kg, a, b, as_of=after),
            )
        )
    return page, len(dyads)


def _newest(kg: KnowledgeGraph, positions: np.ndarray, limit: int, *, end: bool = False) -> list[int]:
    days = (kg.relations.hi if end else kg.relations.lo)[positions]
    return positions[np.argsort(-days, kind="stable")[:limit]].tolist()  # type: ignore[no-any-return]

"""A relationship over time: counts and a cooperation-conflict score per period, and where it turned.

Each relation counts in the period it starts in (an event at its date, a state
when it began). The score of a period is on the Goldstein scale (-10 conflict
... +10 cooperation): the mean Goldstein value of its relations that carry one
(coded event data), otherwise the mean polarity times 10 (+10 positive, 0
neutral, -10 negative). A *change point* is a period whose score has the other
sign than the last period with relations, or moved by at least
``TURN_THRESHOLD`` from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..graph import KnowledgeGraph
from ..store import TYPE_IDS
from ..temporal import OPEN_END, OPEN_START
from .filters import RelationFilter, apply

__all__ = ["MAX_PERIODS", "TURN_THRESHOLD", "Period", "Series", "dyad_series"]

Freq = Literal["month", "quarter", "year"]
MAX_PERIODS = 1200
TURN_THRESHOLD = 3.0
_EPOCH = np.datetime64("0001-01-01", "D")
_POLARITY_NAMES = ("negative", "neutral", "positive")


@dataclass(slots=True)
class Period:
    period: str
    count: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_polarity: dict[str, int] = field(default_factory=dict)
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Series:
    freq: str
    periods: list[Period]
    change_points: list[dict[str, object]]
    truncated: bool = False


def _period_index(ordinals: np.ndarray, freq: Freq) -> np.ndarray:
    """Months since year 1 (or quarters, or years) for day ordinals."""
    days = _EPOCH + (ordinals.astype(np.int64) - 1)
    months = days.astype("datetime64[M]").astype(np.int64) - _EPOCH.astype("datetime64[M]").astype(np.int64)
    return {"month": months, "quarter": months // 3, "year": months // 12}[freq]


def _label(index: int, freq: Freq) -> str:
    if freq == "year":
        return f"{index + 1:04d}"
    if freq == "quarter":
        return f"{index // 4 + 1:04d}-Q{index % 4 + 1}"
    return f"{index // 12 + 1:04d}-{index % 12 + 1:02d}"


def dyad_series(
    kg: KnowledgeGraph, a: int, b: int, *, freq: Freq = "year", flt: RelationFilter | None = None, members: bool = False
) -> Series:
    """Per period counts by type and polarity, score and change points of the dyad ``a``-``b``.

    With ``members``, relations of the organs of either side count too (``membership.py``).

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> series = dyad_series(kg, kg.resolve("Türkiye"), kg.resolve("Israel"), freq="year")
    >>> [(p.period, p.score) for p in series.periods if p.period in ("2010", "2016", "2018")]
    [('2010', -10.0), ('2016', 10.0), ('2018', -10.0)]
    """
    flt = flt or RelationFilter()
    table = kg.relations
    found = apply(kg, (kg.rolled_up_relations(a, b) if members else kg.dyad_relations(a, b)), flt)
    found = found[table.lo[found] > OPEN_START]  # relations without a start have no period
    window = flt.window or (OPEN_START, OPEN_END)
    lo = window[0] if window[0] > OPEN_START else (int(table.lo[found].min()) if len(found) else None)
    hi = window[1] if window[1] < OPEN_END else (int(table.lo[found].max()) if len(found) else None)
    if lo is None or hi is None:
        return Series(freq, [], [])
    found = found[(table.lo[found] >= lo) & (table.lo[found] <= hi)]  # counted where they start
    if not len(found) and hi < lo:
        return Series(freq, [], [])
    first, last = (int(i) for i in _period_index(np.array([lo, hi]), freq))
    truncated = False
    if last - first + 1 > MAX_PERIODS:
        # A window wider than the periods served: first drop the empty periods at its ends, then,
        # if still too many, keep the most recent MAX_PERIODS (and say so).
        if len(found):
            starts = _period_index(table.lo[found], freq)
            first, last = max(first, int(starts.min())), min(last, int(starts.max()))
        if last - first + 1 > MAX_PERIODS:
            first, truncated = last - MAX_PERIODS + 1, True
            found = found[_period_index(table.lo[found], freq) >= first]
    periods = [Period(_label(i, freq)) for i in range(first, last + 1)]
    slots = _period_index(table.lo[found], freq) - first
    for slot in np.unique(slots).tolist():
        in_period = found[slots == slot]
        periods[slot] = _fill(kg, periods[slot], in_period)
    return Series(freq, periods, _turns(periods), truncated)


def _fill(kg: KnowledgeGraph, period: Period, members: np.ndarray) -> Period:
    table = kg.relations
    codes, counts = np.unique(table.type[members], return_counts=True)
    polarity = np.bincount(table.polarity[members] + 1, minlength=3)
    goldstein = [
        g for p in members.tolist() if isinstance(g := (table.attributes[p] or {}).get("goldstein"), int | float)
    ]
    score = float(np.mean(goldstein)) if goldstein else float(np.mean(table.polarity[members]) * 10)
    period.count = len(members)
    period.by_type = {TYPE_IDS[c]: n for c, n in zip(codes.tolist(), counts.tolist(), strict=True)}
    period.by_polarity = {name: n for name, n in zip(_POLARITY_NAMES, polarity.tolist(), strict=True) if n}
    period.score = round(score, 3)
    return period


def _turns(periods: list[Period]) -> list[dict[str, object]]:
    turns: list[dict[str, object]] = []
    previous: Period | None = None
    for period in periods:
        if period.score is None:
            continue
        if previous is not None and previous.score is not None:
            flipped = previous.score * period.score < 0
            if flipped or abs(period.score - previous.score) >= TURN_THRESHOLD:
                turns.append(
                    {
                        "period": period.period,
                        "previous_period": previous.period,
                        "from_score": previous.score,
                        "to_score": period.score,
                        "direction": "improved" if period.score > previous.score else "worsened",
                    }
                )
        previous = period
    return turns

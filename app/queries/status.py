"""The state of a relationship on a date, and the relations it rests on.

Rules, in order:

1. Among the *status-bearing* relations of the dyad in force on the date
   (types with a ``status`` in the vocabulary: ties, alliance, normalisation,
   settlement, restoration, rupture, deterioration, hostility, armed conflict),
   the most recent one decides: a rupture ends an earlier normalisation, a
   restoration ends an earlier rupture. Of relations starting on the same day,
   states (lasting conditions) outrank events; those left decide together, and
   if they disagree the status is ``mixed``.
2. Otherwise, for coded event data (relations carrying a Goldstein value), the
   coded relations in force that started in the ``TREND_DAYS`` before the date
   decide by their mean Goldstein value: ``cooperative`` above +1,
   ``conflictual`` below -1, ``mixed`` between.
3. Otherwise the status is ``unknown``: nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import KnowledgeGraph
from ..store import STATUS_TYPE_CODES, TYPE_IDS
from ..temporal import Period
from ..vocabulary import VOCABULARY
from .filters import RelationFilter, apply

__all__ = ["TREND_DAYS", "Status", "dyad_polarities", "dyad_status"]

TREND_DAYS = 90
TREND_BASIS_LIMIT = 20
_STATUS_CODES = STATUS_TYPE_CODES


@dataclass(frozen=True, slots=True)
class Status:
    status: str
    polarity: str
    basis: list[int]
    rule: str


def dyad_status(kg: KnowledgeGraph, a: int, b: int, *, as_of: Period, members: bool = False) -> Status:
    """The status of the relationship between ``a`` and ``b`` on ``as_of``.

    With ``members``, relations of the organs of either side count too, over the days each acts for it
    (``membership.py``).

    >>> from app.loader import load_graph
    >>> from app.temporal import parse_period
    >>> kg = load_graph(["graph_data"])
    >>> pair = kg.resolve("Türkiye"), kg.resolve("Israel")
    >>> [dyad_status(kg, *pair, as_of=parse_period(year)).status for year in ("2019", "2023")]
    ['severed', 'restored']
    """
    table = kg.relations
    if members:
        between = kg.rolled_up_relations(a, b)
        bearing = between[_STATUS_CODES[table.type[between]]]
        trend = between[(table.lo[between] > as_of.hi - TREND_DAYS) & (table.lo[between] <= as_of.hi)]
    else:  # one dyad: both parts come straight from indexes sorted by start
        key = kg.dyad_key_of(a, b)
        bearing = kg.status_by_dyad.get(key)
        trend = kg.by_dyad.between(key, as_of.hi - TREND_DAYS + 1, as_of.hi)
    bearing = apply(kg, bearing, RelationFilter(as_of=as_of))
    if len(bearing):
        latest = table.lo[bearing].max()
        deciding = bearing[table.lo[bearing] == latest]
        if table.is_state[deciding].any():  # a lasting condition outranks a same-day event
            deciding = deciding[table.is_state[deciding]]
        statuses = {str(VOCABULARY[TYPE_IDS[code]].status) for code in table.type[deciding].tolist()}
        polarities = {int(p) for p in table.polarity[deciding]}
        status = statuses.pop() if len(statuses) == 1 else "mixed"
        polarity = table.polarity_name(int(deciding[0])) if len(polarities) == 1 else "mixed"
        return Status(status, polarity, deciding.tolist(), "latest status-bearing relation in force")
    # The trend relations all started by the period's end; states among them must still hold.
    values = table.goldstein[trend]
    keep = ~np.isnan(values) & (~table.is_state[trend] | (table.hi[trend] >= as_of.lo))
    coded, values = trend[keep], values[keep]
    if len(coded):
        mean = float(values.sum()) / len(values)
        status, polarity = (
            ("cooperative", "positive")
            if mean > 1
            else ("conflictual", "negative")
            if mean < -1
            else ("mixed", "neutral")
        )
        basis = coded[::-1][:TREND_BASIS_LIMIT].tolist()
        return Status(
            status,
            polarity,
            basis,
            f"mean Goldstein {mean:+.2f} over {len(coded)} coded relations in the {TREND_DAYS} days before",
        )
    return Status("unknown", "unknown", [], "no status-bearing relation or coded event in force")


def dyad_polarities(kg: KnowledgeGraph, low: np.ndarray, high: np.ndarray, *, as_of: Period) -> np.ndarray:
    """The status polarity of many dyads ``(low[i], high[i])`` at once, by the rules above: +1 positive,
    -1 negative, 0 for anything else (neutral, mixed, unknown). Equal to ``dyad_status(...).polarity``
    for each dyad, in a few array operations instead of a call per dyad.
    """
    table = kg.relations
    keys = kg.dyad_keys(low, high)
    found = np.zeros(len(keys), dtype=np.int8)
    decided = np.zeros(len(keys), dtype=bool)
    bearing, dyad = kg.status_by_dyad.gather(keys)
    keep = _in_force(kg, bearing, as_of)
    bearing, dyad = bearing[keep], dyad[keep]
    if len(bearing):
        lo = table.lo[bearing].astype(np.int64)
        latest = np.full(len(keys), np.iinfo(np.int64).min)
        np.maximum.at(latest, dyad, lo)
        newest = lo == latest[dyad]
        bearing, dyad = bearing[newest], dyad[newest]
        state = table.is_state[bearing]
        has_state = np.zeros(len(keys), dtype=bool)
        has_state[dyad[state]] = True
        deciding = state | ~has_state[dyad]  # a lasting condition outranks a same-day event
        found, decided = _agreed(table.polarity[bearing[deciding]], dyad[deciding], len(keys))
    trend, dyad = kg.by_dyad.gather(keys[~decided])
    dyad = np.flatnonzero(~decided)[dyad]
    values = table.goldstein[trend]
    keep = (table.lo[trend] > as_of.hi - TREND_DAYS) & (table.lo[trend] <= as_of.hi) & ~np.isnan(values)
    keep &= ~table.is_state[trend] | (table.hi[trend] >= as_of.lo)
    counts = np.bincount(dyad[keep], minlength=len(keys))
    sums = np.bincount(dyad[keep], weights=values[keep].astype(np.float64), minlength=len(keys))
    mean = np.divide(sums, counts, out=np.zeros(len(keys)), where=counts > 0)
    coded = ~decided & (counts > 0)
    found[coded] = np.where(mean[coded] > 1, 1, np.where(mean[coded] < -1, -1, 0))
    return found


def _in_force(kg: KnowledgeGraph, positions: np.ndarray, as_of: Period) -> np.ndarray:
    table = kg.relations
    return (table.lo[positions] <= as_of.hi) & (~table.is_state[positions] | (table.hi[positions] >= as_of.lo))


def _agreed(polarity: np.ndarray, dyad: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per dyad: the polarity its deciding relations share (0 when they disagree), and whether it has any."""
    highest = np.full(size, -2, dtype=np.int8)
    lowest = np.full(size, 2, dtype=np.int8)
    np.maximum.at(highest, dyad, polarity)
    np.minimum.at(lowest, dyad, polarity)
    decided = highest > -2
    return np.where(decided & (highest == lowest), highest, 0).astype(np.int8), decided

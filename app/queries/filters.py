"""Selecting relations by type and time, vectorised over positions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

import numpy as np

from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..store import TYPE_CODE
from ..temporal import NO_DAYS, OPEN_END, OPEN_START, QUERY_DATE_PATTERN, DateError, Period, parse_period
from ..vocabulary import VOCABULARY

__all__ = ["RelationFilter", "apply", "as_of_or_today", "make_filter", "parse_query_date", "passes"]

_QUERY_DATE = re.compile(QUERY_DATE_PATTERN)


def parse_query_date(name: str, text: str | None) -> Period | None:
    """Parse a date parameter, naming it in the error."""
    if text is None or text == "":
        return None
    try:
        period = parse_period(text)
    except DateError as exc:
        raise BadParameter(name, str(exc)) from None
    if _QUERY_DATE.search(text) is None:  # parsed, but not as the schema writes it (spaces around, say)
        raise BadParameter(name, f"{text!r} is not of the form YYYY, YYYY-MM, YYYY-MM-DD or START/END")
    return period


def as_of_or_today(text: str | None) -> Period:
    """The ``as_of`` period asked for, or today when none is given."""
    period = parse_query_date("as_of", text or date.today().isoformat())
    assert period is not None  # a non-empty text always parses or raises
    return period


class RelationFilter(NamedTuple):
    """Which relations a query keeps: by type, by window overlap, in force on a date.

    A named tuple rather than a frozen dataclass: routes build one per request, in 60% of the time.
    """

    types: tuple[int, ...] | None = None
    window: tuple[int, int] | None = None
    as_of: Period | None = None

    @property
    def is_empty(self) -> bool:
        return self.types is None and self.window is None and self.as_of is None


def make_filter(
    *,
    types: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    as_of: str | None = None,
) -> RelationFilter:
    """Build a filter from query parameters (type ids, ``from``, ``to``, ``as_of``)."""
    codes = None
    if types:
        unknown = [t for t in types if t not in VOCABULARY]
        if unknown:
            raise BadParameter("type", f"unknown relation type {unknown[0]!r}; see /types")
        codes = tuple(sorted({TYPE_CODE[t] for t in types}))
    first = parse_query_date("from", start)
    last = parse_query_date("to", end)
    window = None
    if first or last:
        window = (first.lo if first else OPEN_START, last.hi if last else OPEN_END)
        # Ends before it starts, or a side covers no day: selects nothing (see temporal.parse_period).
        if window[1] < window[0] or (first and first.is_empty) or (last and last.is_empty):
            window = NO_DAYS
    return RelationFilter(types=codes, window=window, as_of=parse_query_date("as_of", as_of))


def apply(kg: KnowledgeGraph, positions: np.ndarray, flt: RelationFilter) -> np.ndarray:
    """The positions that pass ``flt``, in their given order."""
    if flt.is_empty or len(positions) == 0:
        return positions
    return positions[passes(kg, positions, flt)]


def passes(kg: KnowledgeGraph, positions: np.ndarray, flt: RelationFilter) -> np.ndarray:
    """Whether each relation passes ``flt``."""
    table = kg.relations
    lo, hi = table.lo[positions], table.hi[positions]
    keep = np.ones(len(positions), dtype=bool) if flt.types is None else np.isin(table.type[positions], flt.types)
    if flt.window is not None:
        keep &= lo <= flt.window[1]
        keep &= hi >= flt.window[0]
    if flt.as_of is not None:
        keep &= lo <= flt.as_of.hi
        keep &= ~table.is_state[positions] | (hi >= flt.as_of.lo)
    return keep

"""Partial dates and the time rules of the service.

A date is ISO 8601 / EDTF level 0 at year, month or day precision (``2020``,
``2020-12``, ``2022-11-02``) or an interval of two such dates (``2018/2022``).
A partial date stands for its whole period, so every date is held as the pair
of day ordinals ``(lo, hi)`` it covers. All comparisons in the service go
through this module:

- ``overlaps``: a relation is kept by a ``from``/``to`` window when the days it
  covers meet the window's days;
- ``in_force``: a *state* is in force on a date when its interval meets that
  date's period; an *event* is in force on a date when it happened on or
  before the end of that period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

__all__ = [
    "NO_DAYS",
    "OPEN_END",
    "OPEN_START",
    "QUERY_DATE_PATTERN",
    "REQUIRED_QUERY_DATE_PATTERN",
    "DateError",
    "PartialDate",
    "Period",
    "in_force",
    "overlaps",
    "parse_date",
    "parse_period",
]

OPEN_START = 0
OPEN_END = date.max.toordinal()
# Days lo..hi of an empty period: every relation starts on or after OPEN_START, so none is in force
# in it or overlaps it (an open-ended relation would overlap a reversed pair of real days).
NO_DAYS = (OPEN_START, OPEN_START - 1)

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

# The query dates the service accepts, as one regular expression (JSON Schema's dialect, which
# Python's ``re`` reads the same): a real year (never 0000), month or day, including 29 February
# of leap years only; or an interval of two, either side open (empty or ``..``). An empty value
# means "not given". Whether an interval ends before it starts is the one rule left to the parser.
_YEAR = "(?!0000)[0-9]{4}"
_DAY = (
    f"(?!0000)(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    f"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
_PARTIAL = f"(?:{_DAY}|{_YEAR}-(?:0[1-9]|1[0-2])|{_YEAR})"
_QUERY_DATE = f"(?:{_PARTIAL}|(?:{_PARTIAL}|\\.\\.)?/(?:{_PARTIAL}|\\.\\.)?)"
QUERY_DATE_PATTERN = f"^{_QUERY_DATE}?$"
REQUIRED_QUERY_DATE_PATTERN = f"^{_QUERY_DATE}$"


class DateError(ValueError):
    """A date that is not a valid partial ISO 8601 date."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date at year, month or day precision, covering days ``lo..hi``."""

    text: str
    lo: int
    hi: int

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.text.count("-")]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days ``lo..hi`` (inclusive), as given by a query date.

    Two periods covering the same days are equal whatever their spelling (``2014`` and
    ``2014-01/2014-12``), so caches keyed by a period are not fooled by the text.
    """

    text: str = field(compare=False)
    lo: int
    hi: int

    @property
    def is_empty(self) -> bool:
        return self.hi < self.lo


@lru_cache(maxsize=65536)
def parse_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    >>> d = parse_date("2020-02")
    >>> date.fromordinal(d.lo), date.fromordinal(d.hi)
    (datetime.date(2020, 2, 1), datetime.date(2020, 2, 29))
    """
    match = _DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DateError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if year < 1:
        raise DateError(f"{text!r}: year 0 does not exist")
    try:
        if month is None:
            lo, hi = date(year, 1, 1), date(year, 12, 31)
        elif day is None:
            lo = date(year, month, 1)
            hi = date(year, month, calendar.monthrange(year, month)[1])
        else:
            lo = hi = date(year, month, day)
    except ValueError as exc:
        raise DateError(f"{text!r} is not a real date: {exc}") from None
    return PartialDate(text.strip(), lo.toordinal(), hi.toordinal())


@lru_cache(maxsize=4096)
def parse_period(text: str) -> Period:
    """Parse a query date: a partial date or an interval ``start/end``.

    Either side of an interval may be ``..`` (open). An interval that ends before it starts
    covers no day (``NO_DAYS``): what it selects is nothing, not an error, since no schema a
    client reads can say that the first date must come first.

    >>> p = parse_period("2018/2022")
    >>> date.fromordinal(p.lo), date.fromordinal(p.hi)
    (datetime.date(2018, 1, 1), datetime.date(2022, 12, 31))
    """
    if "/" not in text:
        single = parse_date(text)
        return Period(single.text, single.lo, single.hi)
    first, _, last = text.partition("/")
    lo = OPEN_START if first.strip() in ("", "..") else parse_date(first).lo
    hi = OPEN_END if last.strip() in ("", "..") else parse_date(last).hi
    if hi < lo:
        return Period(text.strip(), *NO_DAYS)
    return Period(text.strip(), lo, hi)


def overlaps(lo: int, hi: int, window_lo: int, window_hi: int) -> bool:
    """Whether the days ``lo..hi`` meet the days ``window_lo..window_hi``."""
    return lo <= window_hi and hi >= window_lo


def in_force(lo: int, hi: int, *, is_state: bool, on: Period) -> bool:
    """Whether a relation covering ``lo..hi`` is in force on the period ``on``.

    A state holds when its interval meets the period; an event counts once it
    has happened, that is when it starts no later than the period's end.

    >>> year_2019 = parse_period("2019")
    >>> in_force(parse_date("2018-05").lo, parse_date("2018-05").hi, is_state=False, on=year_2019)
    True
    """
    if is_state:
        return overlaps(lo, hi, on.lo, on.hi)
    return lo <= on.hi


@lru_cache(maxsize=65536)
def ordinal_text(ordinal: int, precision: str) -> str:
    """Render a day ordinal back at a precision (``year``, ``month``, ``day``)."""
    day = date.fromordinal(ordinal)
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()

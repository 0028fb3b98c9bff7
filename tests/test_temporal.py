"""Partial dates and the time rules: examples and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.temporal import NO_DAYS, OPEN_END, OPEN_START, DateError, in_force, overlaps, parse_date, parse_period


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
        ("2021-02", date(2021, 2, 1), date(2021, 2, 28)),
        ("2022-11-02", date(2022, 11, 2), date(2022, 11, 2)),
    ],
)
def test_partial_date_covers_its_period(text: str, first: date, last: date) -> None:
    parsed = parse_date(text)
    assert (date.fromordinal(parsed.lo), date.fromordinal(parsed.hi)) == (first, last)
    assert parsed.text == text


@pytest.mark.parametrize("text", ["2022-13", "2022-02-30", "20", "2022/13", "yesterday", "2022-1-5", "0000"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text)


def test_interval_spans_both_ends() -> None:
    period = parse_period("2018/2022-06")
    assert date.fromordinal(period.lo) == date(2018, 1, 1)
    assert date.fromordinal(period.hi) == date(2022, 6, 30)


def test_interval_ending_before_it_starts_covers_no_day() -> None:
    period = parse_period("2022/2018")
    assert period.is_empty and (period.lo, period.hi) == NO_DAYS
    assert not in_force(OPEN_START, OPEN_END, is_state=True, on=period)
    assert not in_force(OPEN_START, OPEN_START, is_state=False, on=period)


def test_open_interval() -> None:
    assert parse_period("2020/..").hi == date.max.toordinal()
    assert parse_period("../2020").lo == 0


def test_event_counts_once_it_has_happened() -> None:
    rupture = parse_date("2018-05")
    assert in_force(rupture.lo, rupture.hi, is_state=False, on=parse_period("2019"))
    assert in_force(rupture.lo, rupture.hi, is_state=False, on=parse_period("2018"))
    assert not in_force(rupture.lo, rupture.hi, is_state=False, on=parse_period("2018-04"))


def test_state_holds_only_within_its_interval() -> None:
    lo, hi = parse_date("2018").lo, parse_date("2022").hi
    assert in_force(lo, hi, is_state=True, on=parse_period("2020-06-01"))
    assert not in_force(lo, hi, is_state=True, on=parse_period("2023"))
    assert not in_force(lo, hi, is_state=True, on=parse_period("2017-12"))


days = st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)).map(date.toordinal)
spans = st.tuples(days, days).map(sorted)


@given(spans, spans)
def test_overlap_is_symmetric_and_matches_shared_days(a: list[int], b: list[int]) -> None:
    shared = max(a[0], b[0]) <= min(a[1], b[1])
    assert overlaps(a[0], a[1], b[0], b[1]) == overlaps(b[0], b[1], a[0], a[1]) == shared


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(["year", "month", "day"]))
def test_partial_date_contains_the_day_it_was_cut_from(day: date, precision: str) -> None:
    text = {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}", "day": day.isoformat()}
    parsed = parse_date(text[precision])
    assert parsed.lo <= day.toordinal() <= parsed.hi
    assert parsed.precision == precision


@given(spans, days)
def test_state_in_force_on_a_day_is_in_force_over_its_year(span: list[int], day: int) -> None:
    on_day = parse_period(date.fromordinal(day).isoformat())
    whole_year = parse_period(str(date.fromordinal(day).year))
    if in_force(span[0], span[1], is_state=True, on=on_day):
        assert in_force(span[0], span[1], is_state=True, on=whole_year)
    assert in_force(span[0], span[1], is_state=True, on=on_day) == (span[0] <= day <= span[1])

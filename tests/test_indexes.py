"""The flat group index: window lookups by binary search agree with a plain filter."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import indexes
from app.indexes import GroupIndex
from app.temporal import OPEN_END

# (group, start, length): mostly one-day events, some intervals, a few open-ended ones
intervals = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 60), st.one_of(st.just(0), st.integers(0, 40), st.just(OPEN_END))),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(intervals, st.integers(0, 4), st.integers(-5, 70), st.integers(0, 50))
def test_overlapping_matches_a_plain_filter(rows: list[tuple[int, int, int]], key: int, low: int, width: int) -> None:
    high = low + width
    keys = np.array([group for group, _, _ in rows], dtype=np.int64)
    starts = np.array([start for _, start, _ in rows], dtype=np.int32)
    ends = np.array([min(start + length, OPEN_END) for _, start, length in rows], dtype=np.int32)
    index = GroupIndex(keys, np.arange(len(rows), dtype=np.int32), starts, reach=ends)

    expected = sorted(
        (
            position
            for position, (group, start, _) in enumerate(rows)
            if group == key and start <= high and ends[position] >= low
        ),
        key=lambda position: (rows[position][1], position),
    )
    for bisect_up_to in (0, 1_000):  # NumPy's binary search, then bisect on a list, for every group
        with patch.object(indexes, "_BISECT", bisect_up_to):
            assert index.overlapping(key, low, high).tolist() == expected


def test_overlapping_needs_the_ends() -> None:
    index = GroupIndex(np.array([1]), np.array([0]), np.array([5]))
    with pytest.raises(ValueError, match="reach="):
        index.overlapping(1, 0, 9)

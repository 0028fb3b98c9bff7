"""Read-only integer-keyed groups of positions, stored flat (CSR) rather than as a dict of arrays.

A dict of 170,000 small arrays costs about 200 bytes of overhead each; the same
groups stored as one sorted key array, one offsets array and one values array
cost a few bytes each and are looked up by binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

__all__ = ["EMPTY", "GroupIndex"]

EMPTY = np.empty(0, dtype=np.int32)
_BISECT = 16


class GroupIndex:
    """``values`` grouped by ``keys``, each group in the order of ``order_by``.

    >>> index = GroupIndex(np.array([5, 3, 5]), np.array([10, 11, 12]), np.array([2, 0, 1]))
    >>> index.get(5).tolist(), index.get(4).tolist(), index.keys.tolist()
    ([12, 10], [], [3, 5])
    """

    def __init__(
        self, keys: np.ndarray, values: np.ndarray, order_by: np.ndarray, reach: np.ndarray | None = None
    ) -> None:
        order = np.lexsort((order_by, keys))
        keys = keys[order]
        self.values = values[order]
        self.sorted_by = order_by[order]  # within each group, ascending
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else EMPTY
        self.keys = keys[starts]
        self.bounds = np.r_[starts, len(keys)].astype(np.int64)
        # Values that are intervals [order_by, reach]: their ends, and each group's longest interval,
        # which bounds how far before a window an interval meeting it can start (see ``overlapping``).
        if reach is not None and np.any(reach < order_by):
            raise ValueError("every interval must end on or after its start")
        self.reach = None if reach is None else reach[order]
        self.longest = (
            None
            if self.reach is None
            else np.maximum(
                np.maximum.reduceat(self.reach.astype(np.int64) - self.sorted_by, starts) if len(keys) else EMPTY, 0
            )
        )

    def __len__(self) -> int:
        return len(self.keys)

    def slot(self, key: int) -> int | None:
        """The group number of ``key``, or None."""
        slot = int(self.keys.searchsorted(key))
        return slot if slot < len(self.keys) and self.keys.item(slot) == key else None

    def get(self, key: int, default: np.ndarray = EMPTY) -> np.ndarray:
        slot = self.slot(key)
        return default if slot is None else self.values[self.bounds[slot] : self.bounds[slot + 1]]

    def between(self, key: int, low: int, high: int) -> np.ndarray:
        """The values of a group whose sort key lies in ``low..high``, found by binary search."""
        slot = self.slot(key)
        if slot is None:
            return EMPTY
        start, end = int(self.bounds[slot]), int(self.bounds[slot + 1])
        keys = self.sorted_by[start:end]
        first = start + int(keys.searchsorted(low, side="left"))
        return self.values[first : start + int(keys.searchsorted(high, side="right"))]

    def overlapping(self, key: int, low: int, high: int) -> np.ndarray:
        """The values of a group whose interval ``[order_by, reach]`` meets ``low..high``.

        A binary search either side of the window, widened before it by the group's longest
        interval; only a group with intervals longer than a day needs their ends checked.

        >>> index = GroupIndex(np.array([1, 1, 1]), np.array([7, 8, 9]), np.array([0, 5, 9]), np.array([4, 5, 9]))
        >>> [index.overlapping(key, low, high).tolist() for key, low, high in [(1, 3, 6), (1, 6, 8), (2, 0, 9)]]
        [[7, 8], [], []]
        """
        if self.reach is None or self.longest is None:
            raise ValueError("window lookups need the index built with reach=")
        slot = self.slot(key)
        if slot is None:
            return EMPTY
        start, end, longest = self.bounds.item(slot), self.bounds.item(slot + 1), self.longest.item(slot)
        if end - start <= _BISECT:  # most groups are a few values: a list and bisect beat two NumPy calls
            keys = self.sorted_by[start:end].tolist()
            first, last = start + bisect_left(keys, low - longest), start + bisect_right(keys, high)
        else:
            keys = self.sorted_by[start:end]
            first = start + int(keys.searchsorted(low - longest))
            last = start + int(keys.searchsorted(high, side="right"))
        if longest == 0:
            return self.values[first:last]
        return self.values[first:last][self.reach[first:last] >= low]

    def gather(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of several groups at once, and for each value the index of its key in ``keys``.

        >>> index = GroupIndex(np.array([5, 3, 5]), np.array([10, 11, 12]), np.array([2, 0, 1]))
        >>> [part.tolist() for part in index.gather(np.array([5, 4, 3]))]
        [[12, 10, 11], [0, 0, 2]]
        """
        if not len(self.keys):
            return EMPTY, EMPTY
        slots = np.minimum(self.keys.searchsorted(keys), len(self.keys) - 1)
        known = np.flatnonzero(self.keys[slots] == keys)
        starts, ends = self.bounds[slots[known]], self.bounds[slots[known] + 1]
        lengths = ends - starts
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return self.values[offsets + np.arange(int(lengths.sum()))], np.repeat(known, lengths)

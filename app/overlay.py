"""A ``GroupIndex`` seen through a change: some values gone, a few added.

A snapshot of a graph that is being written to keeps the large indexes of its
base and lays over them a small index of the relations added since, and the
keys of the groups that lost relations. A lookup costs the base lookup plus two
set-membership tests; only groups that did change pay for filtering or merging.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .indexes import EMPTY, GroupIndex

__all__ = ["LayeredIndex"]

Alive = Callable[[np.ndarray], np.ndarray]


class LayeredIndex(GroupIndex):
    """``base`` less the values ``alive`` rejects (in the groups of ``gone_keys``), plus ``extra``.

    Groups stay in the order of ``order_by`` (a column indexed by value), ties in value order, as a
    ``GroupIndex`` built afresh over the same values would give.

    >>> base = GroupIndex(np.array([1, 1, 2]), np.array([0, 1, 2]), np.array([5, 7, 6]))
    >>> extra = GroupIndex(np.array([1]), np.array([3]), np.array([6]))
    >>> order = np.array([5, 7, 6, 6])
    >>> index = LayeredIndex(base, extra, gone_keys={2}, alive=lambda v: v != 2, order_by=order)
    >>> index.get(1).tolist(), index.get(2).tolist(), index.between(1, 6, 9).tolist()
    ([0, 3, 1], [], [3, 1])
    """

    def __init__(
        self, base: GroupIndex, extra: GroupIndex, *, gone_keys: set[int], alive: Alive, order_by: np.ndarray
    ) -> None:
        # The base arrays are not copied, nor is GroupIndex.__init__ run: lookups go to base and extra.
        self.base, self.extra = base, extra
        self.reach, self.longest = base.reach, base.longest
        self._extra_keys = frozenset(extra.keys.tolist())
        self._gone_keys = frozenset(gone_keys)
        self._alive = alive
        self._order_by = order_by

    def __len__(self) -> int:
        return len(self.base) + len(self._extra_keys)

    def _layer(self, key: int, found: np.ndarray, more: Callable[[], np.ndarray]) -> np.ndarray:
        if key in self._gone_keys and len(found):
            found = found[self._alive(found)]
        if key in self._extra_keys:
            added = more()
            if len(added):
                both = np.concatenate([found, added]).astype(np.int32)
                found = both[np.argsort(self._order_by[both], kind="stable")]
        return found

    def slot(self, key: int) -> int | None:
        raise NotImplementedError("a layered index has no slots: use get, between, overlapping or gather")

    def get(self, key: int, default: np.ndarray = EMPTY) -> np.ndarray:
        found = self._layer(key, self.base.get(key), lambda: self.extra.get(key))
        return found if len(found) else default

    def between(self, key: int, low: int, high: int) -> np.ndarray:
        return self._layer(key, self.base.between(key, low, high), lambda: self.extra.between(key, low, high))

    def overlapping(self, key: int, low: int, high: int) -> np.ndarray:
        return self._layer(key, self.base.overlapping(key, low, high), lambda: self.extra.overlapping(key, low, high))

    def gather(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values, which = self.base.gather(keys)
        if self._gone_keys and len(values):
            keep = self._alive(values)
            values, which = values[keep], which[keep]
        if self._extra_keys:
            more, more_which = self.extra.gather(keys)
            if len(more):
                values = np.concatenate([values, more]).astype(np.int32)
                which = np.concatenate([which, more_which])
                order = np.lexsort((values, self._order_by[values], which))
                values, which = values[order], which[order]
        return values, which

"""A least-recently-used cache bounded in bytes, with hit and miss counts.

Counting entries bounds nothing when one answer is a few bytes and another a hundred megabytes (a
whole-graph snapshot at 500k facts): ``ByteLRU`` charges each entry its approximate size
(``approximate_size``, or a size the caller gives) and evicts the least recently used until the
total fits. An entry larger than the whole budget is returned but not kept.

>>> cache = ByteLRU("demo", max_bytes=1000)
>>> cache.get_or_compute("a", lambda: "x" * 400)[:3]
'xxx'
>>> cache.get_or_compute("a", lambda: "never computed")[:3]
'xxx'
>>> cache.get_or_compute("b", lambda: "y" * 700) and sorted(cache.stats().items())[:3]
[('bytes', 749), ('entries', 1), ('evictions', 1)]
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

__all__ = ["ByteLRU", "approximate_size"]

T = TypeVar("T")
_CONTAINER_LIMIT = 10_000  # beyond, a container's size is estimated from a sample of its items


def approximate_size(value: Any) -> int:
    """Bytes held by ``value`` and what it contains (NumPy arrays, tuples, lists, dicts, dataclasses)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        items: list[Any] = [item for pair in list(value.items())[:_CONTAINER_LIMIT] for item in pair]
        return sys.getsizeof(value) + _scaled(items, len(value) * 2)
    if isinstance(value, tuple | list | set | frozenset):
        return sys.getsizeof(value) + _scaled(list(value)[:_CONTAINER_LIMIT], len(value))
    fields = getattr(value, "__slots__", None) or getattr(value, "__dict__", None)
    if fields is not None:
        names = fields if isinstance(fields, tuple | list) else list(fields)
        return sys.getsizeof(value) + sum(approximate_size(getattr(value, name, None)) for name in names)
    return sys.getsizeof(value)


def _scaled(sample: list[Any], count: int) -> int:
    if not sample:
        return 0
    return sum(approximate_size(item) for item in sample) * count // len(sample)


class ByteLRU:
    """Values by key, least recently used evicted first, the total kept under ``max_bytes``."""

    def __init__(self, name: str, *, max_bytes: int) -> None:
        self.name, self.max_bytes = name, max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = self.evictions = 0

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], T], *, size: Callable[[T], int] = approximate_size
    ) -> T:
        """The value kept for ``key``, or ``compute()`` kept (when it fits) and returned."""
        if (found := self._find(key)) is not None:
            return found[0]  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value, size(value))
        return value

    def get(self, key: Hashable) -> Any | None:
        """The value kept for ``key`` (a hit), or ``None`` (a miss)."""
        found = self._find(key)
        return None if found is None else found[0]

    def _find(self, key: Hashable) -> tuple[Any, int] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
                self.evictions += 1

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self._bytes,
                "max_bytes": self.max_bytes,
                "hits": self.hits,
                "misses": self.misses,
                "evictions": self.evictions,
            }

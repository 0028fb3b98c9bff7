"""Relations of an entity, between two entities, or across the graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import KnowledgeGraph
from ..indexes import GroupIndex
from ..store import TYPE_IDS
from .filters import RelationFilter, apply

__all__ = ["dyad_summary", "find_dyad_relations", "find_relations"]


def find_relations(
    kg: KnowledgeGraph,
    *,
    flt: RelationFilter,
    source: int | None = None,
    target: int | None = None,
    either: int | None = None,
) -> np.ndarray:
    """Positions of relations matching ``flt``, oldest first.

    ``source`` and ``target`` follow direction; ``either`` matches an entity at
    either end.

    >>> from app.loader import load_graph
    >>> from app.queries.filters import make_filter
    >>> kg = load_graph(["graph_data"])
    >>> israel, ihh = kg.resolve("Israel"), kg.resolve("IHH")
    >>> found = find_relations(kg, source=israel, target=ihh, flt=make_filter(types=["attack"]))
    >>> [kg.relations.start_text(int(p)) for p in found]
    ['2010-05-31']
    """
    table = kg.relations
    window = flt.window

    def group(index: GroupIndex, key: int) -> np.ndarray:
        """A group of an index ordered by start, narrowed to the window by binary search."""
        return index.get(key) if window is None else index.overlapping(key, *window)

    if source is not None and target is not None:
        candidates = kg.dyad_relations(source, target, window)
    elif source is not None or target is not None or either is not None:
        candidates = group(kg.by_entity, next(p for p in (source, target, either) if p is not None))
    elif flt.types is not None:
        parts = [group(kg.by_type, code) for code in flt.types]
        candidates = parts[0] if len(parts) == 1 else np.concatenate(parts)
        if len(parts) > 1:  # oldest first, ties in the order of the table
            candidates = candidates[np.lexsort((candidates, table.lo[candidates]))]
    else:
        candidates = kg.by_time
    if source is not None:
        candidates = candidates[table.source[candidates] == source]
    if target is not None:
        candidates = candidates[table.target[candidates] == target]
    return apply(kg, candidates, flt)


def find_dyad_relations(
    kg: KnowledgeGraph, a: int, b: int, *, flt: RelationFilter, members: bool = False
) -> np.ndarray:
    """Relations between ``a`` and ``b`` in both directions, oldest first.

    With ``members``, relations of the organs of either side count too, over the days each acts for it
    (``membership.py``: a parliament, ``Government (Israel)`` for Israel, a minister while in office).
    """
    if not members:
        # the index has applied the window; what is left of the filter (often nothing) applies here
        found = kg.dyad_relations(a, b, window=flt.window)
        return apply(kg, found, RelationFilter(types=flt.types, as_of=flt.as_of))
    return apply(kg, kg.rolled_up_relations(a, b), flt)


def dyad_summary(kg: KnowledgeGraph, positions: np.ndarray) -> dict[str, Any]:
    """Counts by type and polarity, and the first and last start dates, of relations sorted by start."""
    table = kg.relations
    if len(positions) == 0:
        return {"count": 0, "by_type": {}, "by_polarity": {}, "first": None, "last": None}
    if len(positions) <= _SMALL:  # counting a few Python ints beats NumPy's fixed costs
        codes, signs = table.type[positions].tolist(), table.polarity[positions].tolist()
        type_counts = {code: codes.count(code) for code in set(codes)}
        polarity_counts = [signs.count(-1), signs.count(0), signs.count(1)]
    else:
        type_counts = {code: n for code, n in enumerate(np.bincount(table.type[positions]).tolist()) if n}
        polarity_counts = np.bincount(table.polarity[positions] + 1, minlength=3).tolist()
    first, last = table.start_text(int(positions[0])), table.start_text(int(positions[-1]))
    # most frequent first; ties in vocabulary order, so the answer does not depend on the path taken
    by_type = {TYPE_IDS[code]: n for code, n in sorted(type_counts.items(), key=_most_frequent_first)}
    return {
        "count": len(positions),
        "by_type": by_type,
        "by_polarity": {name: n for name, n in zip(_POLARITIES, polarity_counts, strict=True) if n},
        "first": first,
        "last": last,
    }


def _most_frequent_first(count: tuple[int, int]) -> tuple[int, int]:
    code, n = count
    return -n, code


_POLARITIES = ("negative", "neutral", "positive")
_SMALL = 32

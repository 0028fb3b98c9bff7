"""Finding entities by a fuzzy query and kind."""

from __future__ import annotations

from ..graph import KnowledgeGraph

__all__ = ["search_entities"]


def search_entities(kg: KnowledgeGraph, *, q: str | None = None, kind: str | None = None) -> list[int]:
    """Entity positions matching ``q`` (best first) and ``kind``; all, by id, without ``q``.

    >>> from app.loader import load_graph
    >>> kg = load_graph(["graph_data"])
    >>> kg.entity(search_entities(kg, q="Erdogan")[0]).id
    'recep-tayyip-erdogan'
    """
    if q:
        positions = kg.names.search(q, limit=None)
    else:
        positions = sorted(range(len(kg.entities)), key=lambda p: kg.entities[p].id)
    if kind:
        positions = [p for p in positions if kg.entities[p].kind == kind]
    return positions

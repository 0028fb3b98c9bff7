"""Reading a query string: its pairs, which parameters repeat, and one value per single parameter.

A client that gives a single-valued parameter twice (``offset=1&offset=2``) has made a mistake
worth naming: Starlette would silently keep the last. The rule is applied in two places that must
agree: ``single_values``, the app-wide dependency of plain FastAPI routes, and the read route
(``read_route.GraphReadRoute``), which applies it while it reads the query string.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.dependencies.models import Dependant

from ..errors import BadParameter

__all__ = ["REPEATED", "query_pairs", "single_values", "takes_many"]

REPEATED = "given more than once; it takes one value"


def query_pairs(query: bytes) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of a raw query string, as ``parse_qsl(..., keep_blank_values=True)`` reads them.

    Without ``%`` escapes or ``+`` there is nothing to decode, and splitting is four times faster.

    >>> query_pairs(b"from=2014&to=&type=visit&type=hostility&members")
    [('from', '2014'), ('to', ''), ('type', 'visit'), ('type', 'hostility'), ('members', '')]
    >>> query_pairs(b"a=T%C3%BCrkiye+x")
    [('a', 'Türkiye x')]
    """
    if not query:
        return []
    text = query.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(name, value) for name, _, value in (part.partition("=") for part in text.split("&") if part)]


def takes_many(annotation: Any) -> bool:
    """Whether a query parameter of this type may repeat (``list[...]``, optional or not)."""
    return get_origin(annotation) is list or any(get_origin(arg) is list for arg in get_args(annotation))


async def single_values(request: Request) -> None:
    """Refuse a single-valued query parameter given twice: which one would count?"""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.scope["query_string"]:
        return
    if (single := getattr(route, "single_valued_parameters", None)) is None:  # worked out once per route
        single = frozenset(single_valued(dependant))
        route.single_valued_parameters = single  # type: ignore[union-attr]
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in single:
            if name in seen:
                raise BadParameter(name, REPEATED)
            seen.add(name)


def single_valued(dependant: Dependant) -> Iterator[str]:
    """The names of the query parameters of a route, and of its dependencies, that take one value."""
    for field in dependant.query_params:
        if not takes_many(field.field_info.annotation):
            yield field.alias
    for sub in dependant.dependencies:
        yield from single_valued(sub)

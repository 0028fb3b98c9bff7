"""Typed dependencies and the query parameters shared by routes, declared once."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request

from ..config import Settings
from ..curation.service import known_on
from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..queries.filters import RelationFilter, make_filter
from ..temporal import QUERY_DATE_PATTERN, REQUIRED_QUERY_DATE_PATTERN
from ..vocabulary import VOCABULARY
from .query_string import single_values

__all__ = [
    "AsOf",
    "From",
    "Graph",
    "Limit",
    "Members",
    "Offset",
    "RefA",
    "RefB",
    "RelationFilterDep",
    "SettingsDep",
    "TimelineFilterDep",
    "To",
    "TypeFilterDep",
    "Types",
    "single_values",
]


AsKnown = Annotated[
    str | None,
    Query(
        examples=["2026-01-01"],
        json_schema_extra={"pattern": QUERY_DATE_PATTERN},
        description="Answer from the graph as it was recorded on this date (the journal of changes replayed up "
        "to its end), not as it is now. Partial ISO date.",
    ),
]


# Dependencies are async: a plain def would hop to the thread pool on every request.
async def get_graph(request: Request, as_known: AsKnown = None) -> KnowledgeGraph:
    """The snapshot this request reads from start to end: the latest, or the one known on ``as_known``."""
    if as_known:
        return known_on(request.app.state.curator, as_known)
    return request.app.state.kg  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


Graph = Annotated[KnowledgeGraph, Depends(get_graph)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

TypeId = Literal[tuple(VOCABULARY)]  # type: ignore[valid-type]
_DATE_HELP = "Partial ISO date (`2020`, `2020-12`, `2022-11-02`) or interval (`2018/2022`)."
# Declared for clients and fuzzers; checked by the date parser, whose messages say more than a regex.
DATE_SCHEMA = {"pattern": QUERY_DATE_PATTERN}
REQUIRED_DATE_SCHEMA = {"pattern": REQUIRED_QUERY_DATE_PATTERN}

EntityRef = Annotated[
    str, Path(description="Entity id, name or alias (case, accents and punctuation ignored).", examples=["Türkiye"])
]
RefA = Annotated[str, Path(description="First entity: id, name or alias.", examples=["Türkiye"])]
RefB = Annotated[str, Path(description="Second entity: id, name or alias.", examples=["Israel"])]
AsOf = Annotated[
    str | None,
    Query(
        examples=["2022-11"],
        json_schema_extra=DATE_SCHEMA,
        description=f"Keep what is in force on this date: states whose interval meets it, events on or before it. "
        f"{_DATE_HELP}",
    ),
]
From = Annotated[
    str | None,
    Query(
        alias="from",
        examples=["2016"],
        json_schema_extra=DATE_SCHEMA,
        description=f"Window start: keep relations overlapping the window. {_DATE_HELP}",
    ),
]
To = Annotated[
    str | None,
    Query(
        alias="to",
        examples=["2022"],
        json_schema_extra=DATE_SCHEMA,
        description=f"Window end (inclusive of its whole period). {_DATE_HELP}",
    ),
]
Types = Annotated[
    list[TypeId] | None,  # type: ignore[valid-type]
    Query(
        alias="type",
        description="Relation type(s) from `/types`; repeat the parameter for several.",
        examples=[["mediation_offer"]],
    ),
]
Members = Annotated[
    bool,
    Query(
        description="Count the relations of each side's organs too: bodies linked to it by `member_of` (a "
        "parliament, the armed forces, sector actors such as `Government (Israel)`) and people who `holds_office` "
        "in it, counting the relations each starts while its link holds. Off by default: the answer is then about "
        "the two entities as named. Event data names few states bare: use this for country-level answers."
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (at most 1000).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


# The one way a route gets a relation filter: one of these dependencies, over the parameters it
# documents. Three, because routes ask three things of time: a window and a date in force (most), a
# window alone (timelines), nothing (``/changes``, whose window is a pair of its own parameters).


async def relation_filter(
    types: Types = None, start: From = None, end: To = None, as_of: AsOf = None
) -> RelationFilter:
    """Relations by type, by window and in force on a date."""
    return make_filter(types=types, start=start, end=end, as_of=as_of)


async def timeline_filter(start: From = None, end: To = None, types: Types = None) -> RelationFilter:
    """A timeline is over a window: by type and window, no date in force."""
    return make_filter(types=types, start=start, end=end)


async def type_filter(types: Types = None) -> RelationFilter:
    """By type alone, for a route whose window is a pair of parameters of its own (``/changes``)."""
    return make_filter(types=types)


RelationFilterDep = Annotated[RelationFilter, Depends(relation_filter)]
TimelineFilterDep = Annotated[RelationFilter, Depends(timeline_filter)]
TypeFilterDep = Annotated[RelationFilter, Depends(type_filter)]


# Who mediated between whom, and who could: always two parties.
PARTIES_SCHEMA = {"items": {"type": "string", "minLength": 1}}
Between = Annotated[
    list[str],
    Query(
        min_length=2,
        max_length=2,
        json_schema_extra=PARTIES_SCHEMA,
        description="The two parties (give the parameter twice), in either order: id, name or alias.",
        examples=[["Türkiye", "Israel"]],
    ),
]


def two_parties(kg: KnowledgeGraph, between: list[str]) -> tuple[int, int]:
    """The two entities a ``between`` parameter names; one entity named twice is a party facing itself
    (see ``dyads._pair``), which no one mediates."""
    if len(between) != 2:
        raise BadParameter("between", f"give exactly two parties, got {len(between)}")
    if not all(between):
        raise BadParameter("between", "a party is empty: give an id, name or alias")
    a, b = (kg.resolve(ref) for ref in between)
    return a, b

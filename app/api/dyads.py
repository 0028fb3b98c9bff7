"""What happened between two entities, and the state of their relationship."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ..graph import KnowledgeGraph
from ..queries.filters import as_of_or_today
from ..queries.relations import dyad_summary, find_dyad_relations
from ..queries.series import dyad_series
from ..queries.status import dyad_status
from ..queries.views import entity_view, relation_views
from .deps import AsOf, Graph, Limit, Members, Offset, RefA, RefB, TimelineFilterDep
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import DyadOut, SeriesOut, StatusOut

router = APIRouter(prefix="/dyads", tags=["dyads"], route_class=GraphReadRoute)


@router.get("/{a}/{b}", summary="Timeline of two entities", response_model=DyadOut)
async def dyad(
    kg: Graph,
    a: RefA,
    b: RefB,
    flt: TimelineFilterDep,
    members: Members = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Relations between `a` and `b` in both directions, oldest first, with counts by type and polarity."""
    first, second = _pair(kg, a, b)
    found = find_dyad_relations(kg, first, second, flt=flt, members=members)
    relations = relation_views(kg, found[offset : offset + limit])
    return json_response(
        {
            "a": entity_view(kg, first),
            "b": entity_view(kg, second),
            "relations": relations,
            "summary": dyad_summary(kg, found),
            "limit": limit,
            "offset": offset,
        }
    )


@router.get("/{a}/{b}/status", summary="State of the relationship on a date", response_model=StatusOut)
async def status(kg: Graph, a: RefA, b: RefB, as_of: AsOf = None, members: Members = False) -> Response:
    """The status on `as_of` (default: today) and the relations it rests on.

    Rules: the most recent *status-bearing* relation in force decides (a rupture ends a normalisation,
    a restoration ends a rupture); failing that, for coded event data, the mean Goldstein value of the
    events of the 90 days before; failing that, `unknown`.
    """
    period = as_of_or_today(as_of)
    first, second = _pair(kg, a, b)
    found = dyad_status(kg, first, second, as_of=period, members=members)
    return json_response(
        {
            "a": entity_view(kg, first),
            "b": entity_view(kg, second),
            "as_of": period.text,
            "status": found.status,
            "polarity": found.polarity,
            "basis": relation_views(kg, found.basis),
            "rule": found.rule,
        }
    )


@router.get("/{a}/{b}/series", summary="The relationship over time", response_model=SeriesOut)
async def series(
    kg: Graph,
    a: RefA,
    b: RefB,
    flt: TimelineFilterDep,
    freq: Annotated[Literal["month", "quarter", "year"], Query(description="Period length.")] = "year",
    members: Members = False,
) -> Response:
    """For each period: counts by type and polarity and a cooperation-conflict score (mean Goldstein value
    where relations carry CAMEO codes, else mean polarity x 10), with the change points where the
    relationship turned (the score changed sign, or moved by 3 or more). Relations count in the period they
    start in; periods without relations are listed with a null score. A window of more than 1200 periods
    loses its empty periods at both ends and, if still too long, keeps its most recent 1200 (`truncated`)."""
    first, second = _pair(kg, a, b)
    found = dyad_series(kg, first, second, freq=freq, flt=flt, members=members)
    return json_response(
        {
            "a": entity_view(kg, first),
            "b": entity_view(kg, second),
            "freq": freq,
            "periods": [asdict(p) for p in found.periods],
            "change_points": found.change_points,
            "truncated": found.truncated,
        }
    )


def _pair(kg: KnowledgeGraph, a: str, b: str) -> tuple[int, int]:
    # Two names of one entity (`Türkiye`, `turkey`) ask for its relations with itself: those whose
    # source is its target (with `members`, between its own members). No schema can tell a client
    # that two spellings are one entity, so this is an answer, not an error.
    return kg.resolve(a), kg.resolve(b)

"""What changed between two dates."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from ..budget import Budget
from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..queries.changes import DyadChange, changes
from ..queries.filters import RelationFilter, parse_query_date
from ..queries.views import relation_views
from ..temporal import Period
from .deps import REQUIRED_DATE_SCHEMA, Graph, Limit, Offset, TypeFilterDep
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import ChangesPage
from .work import SearchWork

router = APIRouter(prefix="/changes", tags=["analysis"], route_class=GraphReadRoute)


@router.get("", summary="What changed between two dates", response_model=ChangesPage)
async def list_changes(
    kg: Graph,
    work: SearchWork,
    flt: TypeFilterDep,
    start: Annotated[
        str,
        Query(
            alias="from",
            examples=["2022"],
            json_schema_extra=REQUIRED_DATE_SCHEMA,
            description="First date of the window (partial ISO date).",
        ),
    ],
    end: Annotated[
        str,
        Query(
            alias="to",
            examples=["2022"],
            json_schema_extra=REQUIRED_DATE_SCHEMA,
            description="Last date of the window (partial ISO date).",
        ),
    ],
    entity: Annotated[
        str | None, Query(description="Only dyads this entity is part of (id, name or alias).", examples=["Israel"])
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Relations that began, states that ended, and how each dyad's status moved, between `from` and `to`,
    grouped by dyad, the most recent change first. Each group lists at most 50 relations of each kind."""
    first, last = parse_query_date("from", start), parse_query_date("to", end)
    if first is None:
        raise BadParameter("from", "a date is required")
    if last is None:
        raise BadParameter("to", "a date is required")
    # A window that ends before it starts holds no change (see temporal.parse_period).
    if first.is_empty or last.is_empty or last.hi < first.lo:
        return json_response({"items": [], "total": 0, "limit": limit, "offset": offset})
    window = Period(f"{start}/{end}", first.lo, last.hi)
    center = kg.resolve(entity) if entity else None

    # Changes compare statuses and render relations for every dyad of the page: a worker's job from the start.
    return await work.json(
        ("changes", window.lo, window.hi, center, flt, offset, limit), _changes, kg, window, center, flt, offset, limit
    )


def _changes(
    kg: KnowledgeGraph, budget: Budget, window: Period, center: int | None, flt: RelationFilter, offset: int, limit: int
) -> bytes:
    page, total = changes(kg, window=window, entity=center, flt=flt, offset=offset, limit=limit, budget=budget)
    return orjson.dumps({"items": _items(kg, page), "total": total, "limit": limit, "offset": offset})


def _items(kg: KnowledgeGraph, page: list[DyadChange]) -> list[dict[str, Any]]:
    return [
        {
            "a": kg.entity(c.a).id,
            "b": kg.entity(c.b).id,
            "status_before": {"status": c.before.status, "polarity": c.before.polarity},
            "status_after": {"status": c.after.status, "polarity": c.after.polarity},
            "status_changed": c.status_changed,
            "began": relation_views(kg, c.began),
            "ended": relation_views(kg, c.ended),
        }
        for c in page
    ]

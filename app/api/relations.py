"""Relations across the graph, and one relation by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ..errors import UnknownRelation
from ..queries.relations import find_relations
from ..queries.views import relation_view, relation_views
from .deps import Graph, Limit, Offset, RelationFilterDep
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import RelationOut, RelationPage
from .writes import etag_of

router = APIRouter(prefix="/relations", tags=["relations"], route_class=GraphReadRoute)


@router.get("", summary="Find relations", response_model=RelationPage)
async def list_relations(
    kg: Graph,
    flt: RelationFilterDep,
    source: Annotated[
        str | None, Query(description="Source entity (direction matters): id, name or alias.", examples=["Israel"])
    ] = None,
    target: Annotated[
        str | None, Query(description="Target entity (direction matters): id, name or alias.", examples=["Azerbaijan"])
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Relations by direction, type and time, oldest first."""
    found = find_relations(
        kg,
        flt=flt,
        source=kg.resolve(source) if source else None,
        target=kg.resolve(target) if target else None,
    )
    return json_response(
        {
            "items": relation_views(kg, found[offset : offset + limit]),
            "total": len(found),
            "limit": limit,
            "offset": offset,
        }
    )


@router.get(
    "/{relation_id}",
    summary="One relation",
    response_model=RelationOut,
    responses={404: {"description": "No such relation"}},
)
async def get_relation(kg: Graph, relation_id: Annotated[str, Path(description="Relation id.")]) -> Response:
    """A relation by its stable id, with its evidence and attributes (and its version as the ETag)."""
    position = kg.relation_position(relation_id)
    if position is None:
        raise UnknownRelation(relation_id)
    return json_response(relation_view(kg, position), headers={"ETag": etag_of(kg, "relation", position)})

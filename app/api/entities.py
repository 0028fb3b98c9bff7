"""Entities: search, one entity, its relations and its neighbourhood."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from ..budget import Budget
from ..graph import KnowledgeGraph
from ..queries.entities import search_entities
from ..queries.filters import RelationFilter
from ..queries.neighbors import neighborhood, neighborhood_relations
from ..queries.relations import find_relations
from ..queries.views import entity_view, relation_views
from ..records import EntityKind
from .deps import EntityRef, Graph, Limit, Offset, RelationFilterDep, SettingsDep
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import EntityOut, EntityPage, NeighborhoodOut, RelationPage
from .work import SearchWork
from .writes import etag_of

router = APIRouter(prefix="/entities", tags=["entities"], route_class=GraphReadRoute)


@router.get("", summary="Search entities by name or alias", response_model=EntityPage)
async def list_entities(
    kg: Graph,
    settings: SettingsDep,
    work: SearchWork,
    q: Annotated[
        str | None, Query(max_length=200, description="Fuzzy search over names and aliases.", examples=["turkey"])
    ] = None,
    kind: Annotated[EntityKind | None, Query(description="Keep one kind of entity.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Entities, best match first when `q` is given (accents, case and small typos forgiven), else by id."""
    return await work.json(
        ("search", q, kind, limit, offset), _search, kg, q, kind, limit, offset, inline=settings.inline_budget
    )


def _search(kg: KnowledgeGraph, budget: Budget, q: str | None, kind: str | None, limit: int, offset: int) -> bytes:
    positions = search_entities(kg, q=q, kind=kind)
    return orjson.dumps(
        {
            "items": [entity_view(kg, p) for p in positions[offset : offset + limit]],
            "total": len(positions),
            "limit": limit,
            "offset": offset,
        }
    )


@router.get(
    "/{ref}",
    summary="One entity",
    response_model=EntityOut,
    responses={404: {"description": "Unknown, with suggestions"}, 409: {"description": "Ambiguous, with candidates"}},
)
async def get_entity(kg: Graph, ref: EntityRef) -> Response:
    """An entity by id, name or alias: `Türkiye`, `turkey` and `TURKIYE` are the same (its version as the ETag)."""
    position = kg.resolve(ref)
    return json_response(entity_view(kg, position), headers={"ETag": etag_of(kg, "entity", position)})


@router.get("/{ref}/relations", summary="Relations of an entity", response_model=RelationPage)
async def entity_relations(
    kg: Graph, ref: EntityRef, flt: RelationFilterDep, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Relations where the entity is source or target, oldest first, filtered by type and time."""
    found = find_relations(kg, either=kg.resolve(ref), flt=flt)
    return json_response(
        {
            "items": relation_views(kg, found[offset : offset + limit]),
            "total": len(found),
            "limit": limit,
            "offset": offset,
        }
    )


@router.get("/{ref}/neighbors", summary="The neighbourhood of an entity", response_model=NeighborhoodOut)
async def entity_neighbors(
    kg: Graph,
    work: SearchWork,
    ref: EntityRef,
    flt: RelationFilterDep,
    depth: Annotated[int, Query(ge=1, le=3, description="Steps from the entity (1-3).")] = 1,
    limit: Annotated[int, Query(ge=1, le=5000, description="Most nodes, and most edges, returned.")] = 1000,
) -> Response:
    """Entities within `depth` steps over relations passing the filters, with the relations between
    them. Large neighbourhoods are cut at `limit` and marked `truncated`."""
    center = kg.resolve(ref)
    # Neighbourhoods render hundreds of nodes and relations: a worker's job from the start.
    return await work.json(("neighbours", center, depth, flt, limit), _neighbours, kg, center, depth, flt, limit)


def _neighbours(kg: KnowledgeGraph, budget: Budget, center: int, depth: int, flt: RelationFilter, limit: int) -> bytes:
    hood = neighborhood(kg, center, depth=depth, flt=flt, limit=limit, budget=budget)
    edges, cut = neighborhood_relations(kg, hood, flt=flt, limit=limit, budget=budget)
    return orjson.dumps(
        {
            "center": entity_view(kg, hood.center),
            "nodes": [{**entity_view(kg, p), "distance": d} for p, d in hood.nodes],
            "edges": relation_views(kg, edges),
            "truncated": hood.truncated or cut,
        }
    )

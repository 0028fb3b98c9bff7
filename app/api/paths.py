"""How two entities are connected."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from ..budget import Budget
from ..graph import KnowledgeGraph
from ..queries.filters import RelationFilter
from ..queries.paths import find_paths
from ..queries.views import relation_views
from .deps import Graph, RelationFilterDep, SettingsDep
from .read_route import GraphReadRoute
from .schemas import PathsOut
from .work import SearchWork

router = APIRouter(prefix="/paths", tags=["paths"], route_class=GraphReadRoute)


@router.get("", summary="Paths between two entities", response_model=PathsOut)
async def paths(
    kg: Graph,
    settings: SettingsDep,
    work: SearchWork,
    source: Annotated[str, Query(min_length=1, description="Start: id, name or alias.", examples=["Benny Gantz"])],
    target: Annotated[str, Query(min_length=1, description="End: id, name or alias.", examples=["Ilham Aliyev"])],
    flt: RelationFilterDep,
    max_hops: Annotated[int, Query(ge=1, le=6, description="Longest path, in hops (1-6).")] = 4,
    k: Annotated[int, Query(ge=1, le=10, description="How many shortest simple paths (1-10).")] = 1,
    time_respecting: Annotated[
        bool,
        Query(
            description="Keep only paths whose relations follow each other in time (each starts no earlier "
            "than the one before), the way influence travels."
        ),
    ] = False,
) -> Response:
    """The `k` shortest paths over relations in either direction passing the filters, shortest first,
    each hop with the most recent relation that supports it. The search is bounded by `max_hops`, `k`
    and a time budget (`KG_PATH_TIME_BUDGET`); `complete` is false when the budget ran out."""
    a, b = kg.resolve(source), kg.resolve(target)
    return await work.json(
        ("paths", a, b, max_hops, k, flt, time_respecting),
        _paths,
        kg,
        a,
        b,
        max_hops,
        k,
        flt,
        time_respecting,
        settings.path_time_budget,
        inline=settings.inline_budget,
    )


def _paths(
    kg: KnowledgeGraph,
    budget: Budget,
    a: int,
    b: int,
    max_hops: int,
    k: int,
    flt: RelationFilter,
    time_respecting: bool,
    seconds: float,
) -> bytes:
    found = find_paths(
        kg, a, b, max_hops=max_hops, k=k, flt=flt, time_respecting=time_respecting, budget=budget.narrowed(seconds)
    )
    return orjson.dumps(
        {
            "source": kg.entity(a).id,
            "target": kg.entity(b).id,
            "paths": [
                {"nodes": [kg.entity(n).id for n in nodes], "hops": len(nodes) - 1, "edges": relation_views(kg, edges)}
                for nodes, edges in found.paths
            ],
            "complete": found.complete,
        }
    )

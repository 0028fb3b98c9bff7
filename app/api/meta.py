"""Service health and the relation vocabulary."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..vocabulary import VOCABULARY
from .deps import Graph
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import Health, RelationType

router = APIRouter(tags=["meta"], route_class=GraphReadRoute)


@router.get("/health", summary="Liveness and size of the loaded graph", response_model=Health)
async def health(kg: Graph) -> Response:
    """`ok` once the graph is loaded, with its entity and relation counts."""
    return json_response({"status": "ok", **kg.stats()})


@router.get("/types", summary="The relation vocabulary", response_model=list[RelationType])
async def types() -> Response:
    """Every relation type: label, default polarity, state or event, CAMEO code where one fits, and
    for status-bearing types the status it sets (see `/dyads/{a}/{b}/status`)."""
    return json_response([relation_type.model_dump() for relation_type in VOCABULARY.values()])

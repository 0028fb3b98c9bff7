"""Service health and the relation vocabulary."""

from __future__ import annotations

from fastapi import APIRouter

from ..schemas import Health, RelationType
from ..vocabulary import VOCABULARY
from .deps import Graph

router = APIRouter(tags=["meta"])


@router.get("/health", summary="Liveness and size of the loaded graph")
async def health(kg: Graph) -> Health:
    """`ok` once the graph is loaded, with its entity and relation counts."""
    return Health(status="ok", **kg.stats())


@router.get("/types", summary="The relation vocabulary")
async def types() -> list[RelationType]:
    """Every relation type: label, default polarity, state or event, CAMEO code where one fits, and
    for status-bearing types the status it sets (see `/dyads/{a}/{b}/status`)."""
    return list(VOCABULARY.values())

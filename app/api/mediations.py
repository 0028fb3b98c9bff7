"""Who mediated, or offered to, between two parties."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..queries.mediations import mediators
from ..queries.views import entity_view, relation_views
from .deps import PARTIES_SCHEMA, Graph, Limit, Offset, RelationFilterDep, two_parties
from .fastjson import json_response
from .read_route import GraphReadRoute
from .schemas import MediationPage

router = APIRouter(prefix="/mediations", tags=["mediations"], route_class=GraphReadRoute)


@router.get("", summary="Who mediated between two parties", response_model=MediationPage)
async def list_mediations(
    kg: Graph,
    between: Annotated[
        list[str],
        Query(
            min_length=2,
            max_length=2,
            json_schema_extra=PARTIES_SCHEMA,
            description="The two parties (give the parameter twice), in either order: id, name or alias.",
            examples=[["Türkiye", "Israel"]],
            openapi_examples={
                "turkiye-israel": {
                    "summary": "Who mediated between Türkiye and Israel?",
                    "value": ["Türkiye", "Israel"],
                },
                "israel-uae": {"summary": "Who brokered the Israel-UAE normalisation?", "value": ["Israel", "UAE"]},
            },
        ),
    ],
    flt: RelationFilterDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Mediators, earliest first, each with the mediations and offers to mediate that name both parties.

    Organs of a state act for it: a mediation by an office holder or organ (a foreign minister, a
    `Foreign Affairs (Qatar)` sector actor) is listed under it and under the state it acted for that day.
    """
    a, b = two_parties(kg, between)
    found = mediators(kg, a, b, flt=flt)
    items = [
        {"mediator": entity_view(kg, m), "relations": relation_views(kg, rels)}
        for m, rels in found[offset : offset + limit]
    ]
    return json_response({"items": items, "total": len(found), "limit": limit, "offset": offset})

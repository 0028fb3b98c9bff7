"""Probes and metrics for whoever runs the service: readiness and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..metrics import CONTENT_TYPE
from .fastjson import json_response
from .problems import problem_response
from .read_route import GraphReadRoute
from .schemas import Ready

router = APIRouter(tags=["meta"], route_class=GraphReadRoute)


@router.get(
    "/ready",
    summary="Readiness: 503 until the graph is loaded",
    response_model=Ready,
    responses={503: {"description": "Still loading: do not send traffic yet."}},
)
async def ready(request: Request) -> Response:
    """`ready` with the snapshot's version once the graph is loaded and requests can be answered; a 503
    problem before. `/health` says the process is alive; this says it is worth sending it traffic."""
    kg = getattr(request.app.state, "kg", None)
    if kg is None:
        return problem_response(
            request,
            status=503,
            title="Not ready",
            slug="not-ready",
            detail="The graph is still loading.",
            headers={"Retry-After": "5"},
        )
    return json_response({"status": "ready", "version": kg.version})


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "The Prometheus text format."}},
)
async def metrics(request: Request) -> Response:
    """Requests and latency by route template and status, requests in flight, graph size and load time,
    and what other parts of the service register (caches, heavy work), in the Prometheus text format."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE)

"""Writes of single objects: create and correct entities and relations, retract relations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response

from ..curation.changes import Draft, Kind, draft_create, draft_retract, draft_update, version_of
from ..curation.curator import Applied, Curator
from ..errors import InvalidObject, PreconditionFailed
from ..graph import KnowledgeGraph
from ..queries.views import entity_view, relation_view
from ..snapshot import Snapshot
from ..tape import Tape
from .auth import CuratorDep, Editor
from .schemas import EntityOut, RelationOut

__all__ = ["etag", "etag_of", "router", "split_reason", "view_of"]

# Write routes are async on purpose: a write is ~10 ms of work (half of it the commit's fsync). In a
# worker thread it waited for the GIL at each of its dozens of database calls while the event loop served
# reads: 200-800 ms per write under read load. On the loop it holds reads up for those ~10 ms instead.
router = APIRouter(tags=["curation"])

Payload = Annotated[
    dict[str, Any],
    Body(
        description="The object's fields (the JSON shape the read routes "
        "answer with) and `reason`, why the change is made."
    ),
]
IfMatch = Annotated[
    str | None,
    Header(description="The ETag the change was based on: refused with 412 if the object has changed since."),
]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No API key, or one unknown or revoked"},
    403: {"description": "The key's role may not write"},
    409: {"description": "The id is taken"},
    412: {"description": "If-Match names a version that is no longer current"},
    422: {"description": "The object breaks a rule: the problem names the field"},
}


def etag(kind: Kind, version: int) -> str:
    return f'"{kind[0]}{version}"'


def etag_of(kg: KnowledgeGraph, kind: Kind, position: int) -> str:
    """The ETag of an entity or relation as ``kg`` holds it (``If-Match`` takes it)."""
    if not isinstance(kg, Snapshot):
        return etag(kind, 0)
    return etag(kind, kg.entity_version(position) if kind == "entity" else kg.relation_version(position))


def split_reason(payload: dict[str, Any], query_reason: str | None = None) -> tuple[str, dict[str, Any]]:
    """The ``reason`` of a write and the rest of its body."""
    body = dict(payload)
    reason = body.pop("reason", None) or query_reason
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidObject([("reason", "every change needs a reason: a non-empty string")])
    return reason, body


def view_of(curator: Curator, applied: Applied, response: Response) -> dict[str, Any]:
    """The object as written, with its ETag set on ``response``."""
    kg, kind, position = curator.latest, applied.entry.kind, applied.position
    assert position is not None
    response.headers["ETag"] = etag(kind, applied.entry.seq)  # type: ignore[arg-type]
    return entity_view(kg, position) if kind == "entity" else relation_view(kg, position)


def _if_match(tape: Tape, kind: Kind, object_id: str, if_match: str | None) -> None:
    if if_match is None:
        return
    version = version_of(tape, kind, object_id)
    if version is None:
        return  # the draft says the object is unknown (404)
    current = etag(kind, version)
    accepted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in accepted and current not in accepted:
        raise PreconditionFailed(f"{kind} {object_id!r}", current)


def _write(curator: Curator, key: Any, reason: str, draft: Any, response: Response) -> dict[str, Any]:
    applied = curator.write([draft], actor=key.name, reason=reason)
    return view_of(curator, applied[0], response)


def _create(kind: Kind) -> Any:
    async def create(payload: Payload, key: Editor, curator: CuratorDep, response: Response) -> dict[str, Any]:
        reason, body = split_reason(payload)
        view = _write(curator, key, reason, lambda tape, kg: draft_create(tape, kg, kind, body), response)
        response.headers["Location"] = f"/{kind}s/{view['id']}"
        return view

    create.__doc__ = f"Add a {kind}: 201 with it and its ETag; 409 if the id is taken, 422 naming a bad field."
    return create


def _update(
    kind: Kind,
    object_id: str,
    payload: dict[str, Any],
    key: Any,
    curator: Curator,
    response: Response,
    if_match: str | None,
) -> dict[str, Any]:
    reason, patch = split_reason(payload)

    def draft(tape: Tape, kg: KnowledgeGraph) -> Draft:
        _if_match(tape, kind, object_id, if_match)
        return draft_update(tape, kg, kind, object_id, patch)

    return _write(curator, key, reason, draft, response)


router.add_api_route(
    "/entities",
    _create("entity"),
    methods=["POST"],
    status_code=201,
    response_model=EntityOut,
    summary="Add an entity",
    responses=_ERRORS,
)
router.add_api_route(
    "/relations",
    _create("relation"),
    methods=["POST"],
    status_code=201,
    response_model=RelationOut,
    summary="Add a relation",
    responses=_ERRORS,
)

# The path parameters are named as on the GET routes of the same paths: one OpenAPI path per resource.
_UPDATE_DOC = (
    "The fields given replace the current ones (the rest stay). The new version is answered with its "
    "ETag; with `If-Match`, 412 if it had changed since."
)


@router.patch(
    "/entities/{ref}", response_model=EntityOut, summary="Correct an entity", responses=_ERRORS, description=_UPDATE_DOC
)
async def update_entity(
    ref: Annotated[str, Path(description="The entity's id.")],
    payload: Payload,
    key: Editor,
    curator: CuratorDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    return _update("entity", ref, payload, key, curator, response, if_match)


@router.patch(
    "/relations/{relation_id}",
    response_model=RelationOut,
    summary="Correct a relation",
    responses=_ERRORS,
    description=_UPDATE_DOC,
)
async def update_relation(
    relation_id: Annotated[str, Path(description="The relation's id.")],
    payload: Payload,
    key: Editor,
    curator: CuratorDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    return _update("relation", relation_id, payload, key, curator, response, if_match)


@router.delete("/relations/{relation_id}", summary="Retract a relation", responses=_ERRORS)
async def retract_relation(
    relation_id: Annotated[str, Path(description="The relation's id.")],
    key: Editor,
    curator: CuratorDep,
    payload: Annotated[dict[str, Any] | None, Body(description='`{"reason": ...}`, or give `?reason=`')] = None,
    reason: Annotated[str | None, Query(description="Why it is retracted (or in the body).")] = None,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Retract a relation: gone from current answers, kept in its history and in `as_known` answers."""
    why, _ = split_reason(payload or {}, reason)

    def draft(tape: Tape, kg: KnowledgeGraph) -> Draft:
        _if_match(tape, "relation", relation_id, if_match)
        return draft_retract(tape, kg, relation_id)

    entry = curator.write([draft], actor=key.name, reason=why)[0].entry
    return {"id": relation_id, "retracted": True, "seq": entry.seq, "at": entry.at, "reason": why}

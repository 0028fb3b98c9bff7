"""The journal: batches of changes, the list of changes, one relation's history, and revert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..curation import journal
from ..curation.changes import Draft, Kind, draft_create, draft_retract, draft_revert, draft_update, record_of
from ..errors import UnknownChange, UnknownRelation
from ..graph import KnowledgeGraph
from ..queries.filters import parse_query_date
from ..tape import Tape
from ..temporal import ordinal_text
from .auth import CuratorDep, Editor
from .deps import DATE_SCHEMA, Limit, Offset
from .writes import _ERRORS, etag, split_reason, view_of

__all__ = ["router"]

router = APIRouter(tags=["curation"])


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["create", "update", "retract"]
    entity: dict[str, Any] | None = None
    relation: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_object(self) -> Change:
        if (self.entity is None) == (self.relation is None):
            raise ValueError("give exactly one of entity or relation")
        if self.op == "retract" and self.entity is not None:
            raise ValueError("only relations are retracted")
        return self


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[Change] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=1, description="Why these changes are made (one reason for the batch).")


def _step(change: Change) -> Callable[[Tape, KnowledgeGraph], Draft]:
    kind: Kind = "entity" if change.entity is not None else "relation"
    body = dict(change.entity if change.entity is not None else change.relation or {})
    if change.op == "create":
        return lambda tape, kg: draft_create(tape, kg, kind, body)
    object_id = str(body.pop("id", ""))
    if change.op == "update":
        return lambda tape, kg: draft_update(tape, kg, kind, object_id, body)
    return lambda tape, kg: draft_retract(tape, kg, object_id)


def _result(curator: Any, applied: Any) -> dict[str, Any]:
    entry = applied.entry
    result = {"seq": entry.seq, "op": entry.op, "kind": entry.kind, "id": entry.target}
    if applied.position is not None:
        scratch = Response()
        result[entry.kind] = view_of(curator, applied, scratch)
        result["etag"] = scratch.headers["ETag"]
    else:
        result[entry.kind] = None
    return result


@router.post("/journal", status_code=201, summary="Apply several changes together", responses=_ERRORS)
async def post_batch(batch: Batch, key: Editor, curator: CuratorDep) -> dict[str, Any]:
    """Apply changes in order, all or none (a new relation and the new entity it needs): the results in order.
    A change refers to objects made earlier in the batch; a problem names it (`changes[2].source`)."""
    applied = curator.write([_step(change) for change in batch.changes], actor=key.name, reason=batch.reason)
    return {"results": [_result(curator, item) for item in applied]}


def _day(name: str, text: str | None, end: bool) -> str | None:
    period = parse_query_date(name, text)
    if period is None:
        return None
    day = (period.hi + 1) if end else period.lo
    # An open end or a window that ends before it starts: the first or last day there is.
    return ordinal_text(min(max(day, date.min.toordinal()), date.max.toordinal()), "day")


@router.get("/journal", summary="The journal of changes")
def list_journal(
    curator: CuratorDep,
    actor: Annotated[str | None, Query(description="Changes made with this key name.")] = None,
    entity: Annotated[str | None, Query(description="Changes of this entity or of relations it is an end of.")] = None,
    target: Annotated[str | None, Query(description="Changes of the object with this id.")] = None,
    kind: Annotated[Literal["entity", "relation"] | None, Query(description="Entity or relation changes.")] = None,
    since: Annotated[
        str | None, Query(description="Recorded on or after this date.", json_schema_extra=DATE_SCHEMA)
    ] = None,
    until: Annotated[
        str | None, Query(description="Recorded on or before this date.", json_schema_extra=DATE_SCHEMA)
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Every accepted change, oldest first: `seq`, `at`, `actor` (the key's name), `op`, `kind`, `target`,
    `reason`, and the object `before` and `after`."""
    with curator.engine.connect() as connection:
        items, total = journal.list_entries(
            connection,
            actor=actor,
            entity=entity,
            target=target,
            kind=kind,
            since=_day("since", since, False),
            until=_day("until", until, True),
            limit=limit,
            offset=offset,
        )
    return {"items": [item.as_dict() for item in items], "total": total, "limit": limit, "offset": offset}


@router.get("/relations/{relation_id}/history", summary="The versions of a relation")
def relation_history(
    relation_id: Annotated[str, Path(description="Relation id.")], curator: CuratorDep
) -> dict[str, Any]:
    """Each version, oldest first: from the dataset files (`seq` 0) and every journaled change since, with
    when it was recorded and, for a version replaced or retracted, when that happened."""
    origin = curator.tape.origin.graph
    versions: list[dict[str, Any]] = []
    if (position := origin.relations.position.get(relation_id)) is not None:
        versions.append(
            {
                "seq": 0,
                "at": None,
                "actor": None,
                "op": "load",
                "reason": "dataset files",
                "relation": record_of(origin, "relation", position),
            }
        )
    with curator.engine.connect() as connection:
        entries, _ = journal.list_entries(connection, target=relation_id, kind="relation", limit=10**9)
    versions += [
        {"seq": e.seq, "at": e.at, "actor": e.actor, "op": e.op, "reason": e.reason, "relation": e.after}
        for e in entries
    ]
    if not versions:
        raise UnknownRelation(relation_id)
    for version, following in zip(versions, [*versions[1:], None], strict=True):
        version["recorded"] = version["at"]
        version["superseded"] = following["at"] if following else None
        version["etag"] = etag("relation", version["seq"])
    current = versions[-1]["relation"] is not None
    return {"id": relation_id, "current": current, "versions": versions}


@router.post(
    "/journal/{seq}/revert",
    status_code=201,
    summary="Undo a change",
    responses={**_ERRORS, 404: {"description": "No such change"}, 409: {"description": "The object changed since"}},
)
async def revert_change(
    seq: Annotated[int, Path(ge=1, description="The change's sequence number.")],
    key: Editor,
    curator: CuratorDep,
    payload: Annotated[dict[str, Any] | None, Body(description='`{"reason": ...}`, or give `?reason=`')] = None,
    reason: Annotated[str | None, Query(description="Why it is undone.")] = None,
) -> dict[str, Any]:
    """Undo change `seq` as a new journaled change (`op` `revert`): a creation is retracted, a retraction
    restored, an update set back. 409 if the object has changed since that change."""
    why, _ = split_reason(payload or {}, reason)
    with curator.engine.connect() as connection:
        change = journal.entry(connection, seq)
    if change is None:
        raise UnknownChange(seq)
    applied = curator.write([lambda tape, kg: draft_revert(tape, kg, change)], actor=key.name, reason=why)
    return _result(curator, applied[0])

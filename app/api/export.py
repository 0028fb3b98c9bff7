"""The graph, or a filtered part of it, as a file: GraphML, GEXF, node-link JSON, Cytoscape.js JSON, CSV."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ..io.export import FORMATS, FormatName, TableName, export_stream
from .deps import Graph, RelationFilterDep
from .read_route import GraphReadRoute

router = APIRouter(prefix="/export", tags=["export"], route_class=GraphReadRoute)

_FORMAT_HELP = "; ".join(f"`{name}`: {spec.label}" for name, spec in FORMATS.items())
_MEDIA_TYPES = dict.fromkeys(spec.media_type for spec in FORMATS.values())

DESCRIPTION = f"""
The relations that `/relations` would select with the same `source`, `target`, `type`, `from`,
`to` and `as_of`, and the entities at their ends (every entity when nothing is filtered), as one
file, streamed. Formats: {_FORMAT_HELP}.

Every format carries the same fields. Nodes: `id`, `name`, `kind`, `aliases` (joined with `|`),
`note`. Edges: `source`, `target`, the relation id as the edge key (GraphML and GEXF edge `id`,
JSON `key`, CSV `id`), `type`, `start`, `end`, `polarity`, `description`, `kind`, `evidence`
(`source_id:locator;...`), `note`. Attributes are flattened to `attr_<name>`: numbers and
booleans kept, lists and objects as JSON text. A missing date or note is an empty string.

CSV is one table per request: `table=edges` (default; one row per relation, with both entities'
names) or `table=nodes`; the graph formats hold both and ignore `table`.

**A cut-off download is detectable.** GraphML and GEXF end with their closing root element and
the JSON formats with their closing brace, so a parser refuses a cut-off file. The answer is
streamed with chunked transfer encoding, which ends with a last, empty chunk: a client whose
connection is cut before it sees an error (`curl` exits with code 18, "transfer closed with
outstanding read data remaining"; httpx raises `RemoteProtocolError`; requests raises
`ChunkedEncodingError`), which is the check for CSV, whose rows carry no closing element.
"""


@router.get(
    "",
    summary="Export the graph as a file",
    description=DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The graph as a file (an attachment named `graph.<extension>`).",
            "content": {media_type: {} for media_type in _MEDIA_TYPES},
        },
        422: {"description": "A bad parameter: unknown format, table, type or date."},
    },
)
async def export_graph(
    kg: Graph,
    flt: RelationFilterDep,
    fmt: Annotated[
        FormatName, Query(alias="format", description=f"File format. {_FORMAT_HELP}.", examples=["graphml"])
    ],
    table: Annotated[
        TableName,
        Query(
            description="With `format=csv`: the `edges` table (one row per "
            "relation) or the `nodes` table. The graph formats hold both and "
            "ignore it."
        ),
    ] = "edges",
    source: Annotated[
        str | None,
        Query(
            description="Keep relations from this entity (direction matters): id, name or alias.", examples=["Israel"]
        ),
    ] = None,
    target: Annotated[
        str | None,
        Query(
            description="Keep relations to this entity (direction matters): id, name or alias.", examples=["Azerbaijan"]
        ),
    ] = None,
) -> StreamingResponse:
    # Arguments are checked here; the chunks are then made one at a time on the event loop, other
    # requests served between them (in Starlette's thread pool, the export held the GIL against the
    # loop and every lookup waited behind it); a client that disconnects ends the stream.
    chunks = export_stream(
        kg,
        fmt,
        flt=flt,
        table=table if fmt == "csv" else "edges",
        source=kg.resolve(source) if source else None,
        target=kg.resolve(target) if target else None,
    )
    spec = FORMATS[fmt]
    filename = f"graph-{table}.csv" if fmt == "csv" else f"graph.{spec.extension}"
    return StreamingResponse(
        _between_requests(chunks),
        media_type=spec.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# How long chunks are made before the loop serves others. Under 64 busy clients each turn given up
# waits for a round of their requests (20-30 ms): yielding after every 64 KiB chunk (about 10 ms of
# work), a 1.4 MB export waited its turn 22 times and took over a second (p99, bench/RESULTS.md).
_SLICE_SECONDS = 0.04


async def _between_requests(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks of an export, giving the event loop to other requests every ``_SLICE_SECONDS``."""
    turn_ends = time.perf_counter() + _SLICE_SECONDS
    for chunk in chunks:
        yield chunk
        if time.perf_counter() >= turn_ends:
            await asyncio.sleep(0)
            turn_ends = time.perf_counter() + _SLICE_SECONDS

"""Heavy work for routes: the app's two pools, and a client that goes away stops waiting.

``Analysis`` (whole-graph analyses) and ``Search`` (paths, neighbourhoods, changes, fuzzy search,
mediator candidates) are separate ``HeavyWork`` pools, so a storm of analyses never delays a path.
A route hands its computation, a module-level task ``task(kg, budget, *args)`` returning the JSON
body, keyed by what identifies the answer, to one of them:

    return await work.json(("centrality", measure, kind, as_of), centrality_body, kg, measure, kind, as_of)

and awaits it while watching the connection: when the client disconnects, the route stops
waiting, and a computation nobody waits for any more is abandoned at its next budget check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from concurrent.futures import BrokenExecutor
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response

from ..budget import Budget, OutOfTime, TooSlowHere
from ..errors import Overloaded
from ..graph import KnowledgeGraph
from ..heavy import Busy, HeavyWork, Task

__all__ = ["AnalysisWork", "ClientGone", "SearchWork", "Work"]

T = TypeVar("T")


class ClientGone(Exception):
    """The client disconnected while its answer was being computed; nothing is sent."""


class Work:
    """One pool, bound to the request being served."""

    def __init__(self, pool: HeavyWork, request: Request) -> None:
        self.pool, self.request = pool, request

    async def json(
        self, key: Hashable, task: Task[bytes], kg: KnowledgeGraph, *args: Any, inline: float | None = None
    ) -> Response:
        """The JSON body ``task`` renders, as the response.

        With ``inline`` (seconds), the task is first tried here, on the event loop, under a tentative
        budget of that long: most searches end in a millisecond or two, far less than handing them to a
        worker costs. One that is not done by then moves to the pool (the try is lost, at most ``inline``).
        """
        if inline is not None:
            try:
                return _json_answer(task(kg, Budget(inline, tentative=True), *args))
            except TooSlowHere:
                self.pool.counters.escalated += 1
        return _json_answer(await self(key, task, kg, *args))

    async def __call__(self, key: Hashable, task: Task[T], kg: KnowledgeGraph, *args: Any) -> T:
        # The snapshot is part of the key: the same question of another snapshot is another answer.
        job = asyncio.ensure_future(self.pool.run((kg, *key) if isinstance(key, tuple) else (kg, key), task, kg, *args))
        gone = asyncio.ensure_future(_disconnected(self.request))
        try:
            await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not job.done():
            job.cancel()
            raise ClientGone
        try:
            return job.result()
        except Busy as exc:
            raise Overloaded(exc.detail, retry_after=exc.retry_after) from None
        except BrokenExecutor:
            raise Overloaded("a heavy-work process stopped; it is being restarted", retry_after=1) from None
        except OutOfTime as exc:
            raise Overloaded(
                f"{exc}; the answer is too costly to compute under the current load", retry_after=self.pool.budget
            ) from None


# What an answer cut short by its time budget says (``orjson`` and pydantic write JSON without spaces;
# in a string value the quotes would be escaped). It depends on the load, so no cache may keep it.
_PARTIAL = b'"complete":false'
_NOT_TO_KEEP = {"Cache-Control": "no-store"}


def _json_answer(body: bytes) -> Response:
    return Response(body, media_type="application/json", headers=_NOT_TO_KEEP if _PARTIAL in body else None)


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the ASGI server sends ``http.disconnect``)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _analysis(request: Request) -> Work:
    return Work(request.app.state.analysis_work, request)


async def _search(request: Request) -> Work:
    return Work(request.app.state.search_work, request)


AnalysisWork = Annotated[Work, Depends(_analysis)]
SearchWork = Annotated[Work, Depends(_search)]

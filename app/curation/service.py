"""The curation service inside the app: opened at start-up, replaying the journal, then polling it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress

import anyio
from sqlalchemy import Engine

from ..config import Settings
from ..errors import BadParameter
from ..graph import KnowledgeGraph
from ..snapshot import Snapshot
from ..temporal import OPEN_END, DateError, ordinal_text, parse_period
from .curator import Curator
from .db import open_database

__all__ = ["known_on", "open_curator", "poll_journal", "stop"]

logger = logging.getLogger("app")


def open_curator(settings: Settings, graph: KnowledgeGraph, publish: Callable[[Snapshot], None]) -> Curator:
    """Open the journal (creating it on first use), replay it over ``graph`` and publish the result."""
    engine: Engine = open_database(settings.journal_url)
    curator = Curator(engine, graph, publish)
    replayed = curator.replay()
    if replayed:
        logger.info("replayed %d journaled change(s)", replayed)
    return curator


async def poll_journal(curator: Curator, interval: float) -> None:
    """Pick up changes written through other servers sharing the database, until cancelled."""
    while True:
        await asyncio.sleep(interval)
        try:
            await anyio.to_thread.run_sync(curator.refresh)
        except Exception:  # a database that is briefly away: try again at the next tick
            logger.warning("could not read the journal", exc_info=True)


def known_on(curator: Curator, text: str) -> Snapshot:
    """The graph as recorded on a day (the last change recorded by the end of that period)."""
    try:
        period = parse_period(text)
    except DateError as exc:
        raise BadParameter("as_known", str(exc)) from None
    if period.hi < period.lo:  # a window that ends before it starts: no day, so nothing recorded yet
        last_day = "0001-01-01"
    else:
        last_day = "9999-12-31" if period.hi >= OPEN_END else ordinal_text(period.hi, "day")
    return curator.as_known(curator.tape.seq_known_on(last_day))


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task

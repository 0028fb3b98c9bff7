"""The ASGI application: ``create_app()`` builds it; ``app`` is what uvicorn serves."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .api import analysis, changes, dyads, entities, export, journal, mediations, meta, paths, relations, writes
from .api.conditional import SnapshotETags
from .api.explorer import install_explorer
from .api.openapi import install_openapi
from .api.problems import install_problem_handlers
from .api.startup import StartupErrors
from .config import Settings, get_settings
from .curation.curator import HEADROOM
from .curation.service import open_curator, poll_journal, stop
from .errors import DataError
from .graph import KnowledgeGraph
from .heavy import HeavyWork
from .loader import load_graph

__all__ = ["app", "create_app"]

DESCRIPTION = """
A knowledge graph of states, people and organisations linked by typed, dated relations
(arms trade, energy supply, mediation, hostility, diplomatic ties, visits, exercises...),
each backed by evidence.

Entity references accept an id, a name or an alias, ignoring case, accents and punctuation
(`Türkiye`, `Turkiye`, `turkey`). Dates are partial ISO 8601: `2020`, `2020-12`, `2022-11-02`,
or an interval `2018/2022`. Errors are RFC 9457 problem details.

Try: **GET /mediations?between=Türkiye&between=Israel**: who mediated between Türkiye and Israel.
"""

TAGS = [
    {"name": "dyads", "description": "What happened between two entities, and their status on a date."},
    {"name": "mediations", "description": "Who mediated, or offered to, between two parties."},
    {"name": "entities", "description": "States, people, organisations, places and named events."},
    {"name": "relations", "description": "Typed, dated relations with evidence."},
    {"name": "paths", "description": "How two entities are connected."},
    {"name": "export", "description": "The graph as a file for Gephi, Cytoscape, NetworkX or pandas."},
    {"name": "analysis", "description": "Beyond lookups: series, changes, mediator candidates, balance, "
     "centrality."},
    {"name": "meta", "description": "Health and the relation vocabulary."},
    {"name": "curation", "description": "Writes (with an API key of role editor or admin), the journal of "
     "changes, history and revert."},
]


def create_app(settings: Settings | None = None, *, graph: KnowledgeGraph | None = None) -> FastAPI:
    """Build the service; the graph is loaded (or taken as given) when the app starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        try:
            app.state.kg = graph if graph is not None else load_graph(settings.data, headroom=HEADROOM)
            # Each write publishes a new snapshot here; a request reads the one it found on arrival.
            app.state.curator = open_curator(settings, app.state.kg, lambda kg: setattr(app.state, "kg", kg))
        except DataError as exc:
            app.state.startup_error = f"cannot serve {', '.join(map(str, settings.data))}\n{exc}"
            raise
        # The graph lives as long as the process: keep the collector from walking it (and the
        # imported modules) on every full collection, which paused requests for ~60-90 ms.
        gc.collect()
        gc.freeze()
        app.state.analysis_work = HeavyWork(workers=1, queue=settings.analysis_queue,
                                            budget=settings.analysis_time_budget)
        app.state.search_work = HeavyWork(workers=settings.search_workers, queue=settings.search_queue,
                                          budget=settings.search_time_budget)
        for pool in (app.state.analysis_work, app.state.search_work):
            pool.start(app.state.kg)
        poller = asyncio.create_task(poll_journal(app.state.curator, settings.poll_interval))
        try:
            yield
        finally:
            await stop(poller)
            app.state.curator.engine.dispose()
            app.state.analysis_work.shutdown()
            app.state.search_work.shutdown()

    app = FastAPI(
        title="Bilateral relations knowledge graph",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by install_explorer, from local copies of the assets
        redoc_url=None,
    )
    app.add_middleware(SnapshotETags)
    app.add_middleware(StartupErrors)
    install_problem_handlers(app)
    install_openapi(app)
    # Routers are tried in order: the cheap probes first, then the most used lookups.
    for module in (meta, dyads, relations, entities, mediations, paths, changes, analysis, export, writes, journal):
        app.include_router(module.router)
    install_explorer(app)
    return app


app = create_app()

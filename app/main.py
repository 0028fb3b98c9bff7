"""The ASGI application: ``create_app()`` builds it; ``app`` is what uvicorn serves."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .api import analysis, changes, dyads, entities, export, journal, mediations, meta, ops, paths, relations, writes
from .api.caching import SnapshotCaching
from .api.compression import Compression
from .api.deps import single_values
from .api.explorer import install_explorer
from .api.headers import SecurityHeaders
from .api.openapi import install_openapi
from .api.problems import install_problem_handlers
from .api.ratelimit import RateLimit
from .api.readkeys import ReadKeys
from .api.startup import StartupErrors
from .api.telemetry import Telemetry
from .cache import ByteLRU
from .config import Settings, get_settings
from .curation.curator import HEADROOM
from .curation.service import open_curator, poll_journal, stop
from .errors import DataError
from .graph import KnowledgeGraph
from .heavy import HeavyWork, caches_of
from .loader import load_graph
from .logs import AccessLog
from .metrics import ServiceMetrics, Stats

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
    {"name": "analysis", "description": "Beyond lookups: series, changes, mediator candidates, balance, centrality."},
    {"name": "meta", "description": "Health and the relation vocabulary."},
    {
        "name": "curation",
        "description": "Writes (with an API key of role editor or admin), the journal of changes, history and revert.",
    },
]

# FastAPI asks OpenTelemetry on every request whether a provider is configured, which costs ~6 us (a
# tenth of `/health`), yet only an OpenTelemetry SDK, which this project does not install, can
# configure one: asking is left to those who turn it on (KG_OPENTELEMETRY).
_NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: Settings | None = None, *, graph: KnowledgeGraph | None = None) -> FastAPI:
    """Build the service; the graph is loaded (or taken as given) when the app starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        started = time.perf_counter()
        try:
            app.state.kg = graph if graph is not None else load_graph(settings.data, headroom=HEADROOM)
            # Each write publishes a new snapshot here (the journal's replay first); a request reads the
            # one it found on arrival.
            app.state.curator = open_curator(
                settings, app.state.kg, lambda snapshot: setattr(app.state, "kg", snapshot)
            )
        except DataError as exc:
            app.state.startup_error = f"cannot serve {', '.join(map(str, settings.data))}\n{exc}"
            raise
        stats = app.state.kg.stats()
        metrics.graph_loaded(
            entities=stats["entities"], relations=stats["relations"], seconds=time.perf_counter() - started
        )
        # The graph lives as long as the process: keep the collector from walking it (and the
        # imported modules) on every full collection, which paused requests for ~60-90 ms.
        gc.collect()
        gc.freeze()
        app.state.analysis_work = HeavyWork(
            workers=settings.analysis_workers, queue=settings.analysis_queue, budget=settings.analysis_time_budget
        )
        app.state.search_work = HeavyWork(
            workers=settings.search_workers, queue=settings.search_queue, budget=settings.search_time_budget
        )
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
            if access_log is not None:
                access_log.flush()

    app = FastAPI(
        title="Bilateral relations knowledge graph",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        dependencies=[Depends(single_values)],
        docs_url=None,  # served by install_explorer, from local copies of the assets
        redoc_url=None,
        telemetry=None if settings.opentelemetry else _NO_OPENTELEMETRY,
    )
    app.state.metrics = metrics = ServiceMetrics()
    watch_heavy_work(app, metrics)
    app.state.access_log = access_log = AccessLog() if settings.access_log else None
    app.state.answers = ByteLRU("answers", max_bytes=settings.response_cache_bytes)
    add_middleware(app, settings, metrics, access_log)
    install_problem_handlers(app)
    install_openapi(app)
    # Routers are tried in order: the cheap probes first, then the most used lookups.
    for module in (
        meta,
        dyads,
        relations,
        entities,
        mediations,
        paths,
        changes,
        analysis,
        export,
        ops,
        writes,
        journal,
    ):
        app.include_router(module.router)
    install_explorer(app)
    return app


_WORK_COUNTERS = ("computed", "joined", "refused", "out_of_time", "abandoned", "failed", "escalated")


def watch_heavy_work(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Heavy-work pools in /metrics: read when scraped, from what the app holds then."""

    def pools() -> Stats:
        return {
            name: work.stats()
            for name in ("analysis", "search")
            if (work := getattr(app.state, f"{name}_work", None)) is not None
        }

    def caches() -> Stats:
        """This process's caches (searches tried here first), and each pool's workers' (reported with
        every answer they send back), as ``search``, ``search-workers``, ``analysis-workers``..."""
        found: dict[str, dict[str, int]] = {}
        kg = getattr(app.state, "kg", None)
        if kg is not None:
            found.update(caches_of(kg))
        found["answers"] = app.state.answers.stats()
        for name in ("analysis", "search"):
            if (work := getattr(app.state, f"{name}_work", None)) is not None:
                found.update({f"{cache}-in-{name}-workers": figures for cache, figures in work.cache_stats().items()})
        return found

    metrics.add_stats("kg_heavy", "pool", pools, counters=_WORK_COUNTERS)
    metrics.add_stats("kg_cache", "cache", caches, counters=("hits", "misses", "evictions"))


def add_middleware(app: FastAPI, settings: Settings, metrics: ServiceMetrics, access_log: AccessLog | None) -> None:
    """The middleware stack, listed from the outside in (Starlette wraps the last added outermost).

    Telemetry sees every answer, even a refusal; the host check and the rate limit refuse before any
    work; security headers cover everything below; CORS answers preflights; keys are checked before
    an answer is sent again from the snapshot's store, which keeps bodies as gzip made them. All are
    pure ASGI: no per-request task.
    """
    stack: list[tuple[type, dict[str, object]]] = [
        (Telemetry, {"stats": metrics.requests, "access_log": access_log}),
        (StartupErrors, {}),
    ]
    if settings.allowed_hosts:
        stack.append((TrustedHostMiddleware, {"allowed_hosts": settings.allowed_hosts, "www_redirect": False}))
    if settings.rate_limit:
        stack.append((RateLimit, {"rate": settings.rate_limit, "burst": settings.rate_burst}))
    stack.append(
        (
            SecurityHeaders,
            {"content_security_policy": settings.content_security_policy, "documentation_pages": DOCUMENTATION_PAGES},
        )
    )
    if settings.cors_origins:
        stack.append(
            (
                CORSMiddleware,
                {
                    "allow_origins": settings.cors_origins,
                    "allow_methods": ["GET"],
                    "expose_headers": ["ETag", "X-Request-ID", "Retry-After"],
                },
            )
        )
    if settings.reads_require_key:
        stack.append(
            (
                ReadKeys,
                {
                    "open_paths": UNCACHED | {"/", "/openapi.json", *DOCUMENTATION_PAGES},
                    "open_prefixes": ("/docs/", "/assets/"),
                },
            )
        )
    stack.append(
        (
            SnapshotCaching,
            {
                "max_age": settings.cache_max_age,
                "uncached": UNCACHED,
                "store": app.state.answers,
                "stored_tags": SNAPSHOT_READS,
            },
        )
    )
    stack.append((Compression, {"minimum_size": settings.gzip_minimum_size}))
    for middleware, options in reversed(stack):
        app.add_middleware(middleware, **options)  # type: ignore[arg-type]


# The OpenAPI pages (served by install_explorer from local copies, FastAPI's own turned off).
DOCUMENTATION_PAGES = ("/docs", "/redoc")
# Probes and metrics describe the process, not the snapshot: never cached.
UNCACHED = frozenset({"/health", "/ready", "/metrics"})
# The routers whose answers are the snapshot's alone, kept to be sent again (the journal's are not).
SNAPSHOT_READS = frozenset({"meta", "dyads", "relations", "entities", "mediations", "paths", "analysis", "export"})


app = create_app()

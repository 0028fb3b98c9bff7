"""Where a request's time goes inside the server: ``python -m bench.route_steps [SIZE]`` (default 90k).

Run ``python -m bench`` first (it writes the workloads). Starts the service as
``python -m app serve`` would, with timers around the steps of a request, drives
``/health`` and the benchmark's dyad URLs with ``wrk`` and prints microseconds
per request for each step:

- ``routing``: from the ASGI call to the route's handler (middleware, matching);
- ``parameters``: reading and validating the query, and the dependencies (``app/api/read_route.py``);
- ``endpoint``: the route function, and within the dyad route each query step;
- ``sending``: the rest of the ASGI call, which in uvicorn includes writing the
  response to the socket.

The timers cost about a microsecond each; compare the routes with each other,
not with ``RESULTS.md``. Nothing in ``app/`` changes: the timers are set from here.
One set of marks serves every connection: a request runs from the ASGI call to
its endpoint's return without awaiting anything, so no other request can come
in between.
"""

from __future__ import annotations

import functools
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .serving import ROOT, WORK, _free_port, _wait_ready, _wrk

DYAD_STEPS = ("find_dyad_relations", "relation_views", "dyad_summary", "entity_view", "json_response")


def serve(folder: str, port: int) -> None:
    """The service with timers, until SIGINT; then the totals as JSON on stderr."""
    totals: dict[str, list[float]] = {}
    clock = time.perf_counter
    marks: dict[str, float] = {}

    def add(step: str, seconds: float) -> None:
        total = totals.setdefault(step, [0.0, 0])
        total[0] += seconds
        total[1] += 1

    def timed(step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                add(step, clock() - started)

        return call

    # Routes build their handlers when app.api is imported: wrap the route class first.
    from app.api import read_route

    build = read_route.GraphReadRoute.get_route_handler

    def get_route_handler(route: read_route.GraphReadRoute) -> Any:
        endpoint = route.endpoint
        name = endpoint.__name__

        @functools.wraps(endpoint)
        async def timed_endpoint(**arguments: Any) -> Any:
            started = clock()
            add(f"{name}: parameters", started - marks["handler"])
            try:
                return await endpoint(**arguments)
            finally:
                marks["endpoint"] = clock()
                add(f"{name}: endpoint", marks["endpoint"] - started)

        route.endpoint = timed_endpoint
        try:
            handler = build(route)
        finally:
            route.endpoint = endpoint

        async def timed_handler(request: Any) -> Any:
            marks["handler"] = clock()
            add(f"{name}: routing", marks["handler"] - marks["call"])
            return await handler(request)

        return timed_handler

    read_route.GraphReadRoute.get_route_handler = get_route_handler  # type: ignore[method-assign,assignment]

    import uvicorn

    from app.api import deps, dyads
    from app.config import Settings
    from app.main import create_app

    for step in DYAD_STEPS:
        setattr(dyads, step, timed(f"dyad: {step}", getattr(dyads, step)))
    # The relation filter is built by a dependency (timed within ``parameters`` too).
    deps.make_filter = timed("dyad: make_filter", deps.make_filter)  # type: ignore[attr-defined]
    app = create_app(Settings(data=[Path(folder)], response_cache_bytes=0))  # the route's steps, not the store's

    async def timed_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        marks["call"] = marks["endpoint"] = clock()
        await app(scope, receive, send)
        ended = clock()
        name = "health" if scope["path"] == "/health" else "dyad"
        add(f"{name}: sending", ended - marks["endpoint"])
        add(f"{name}: whole ASGI call", ended - marks["call"])

    def report(*_: Any) -> None:
        print(json.dumps(totals), file=sys.stderr, flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, report)
    uvicorn.run(timed_app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def main(size: str = "90k", seconds: int = 6) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk (apt install wrk)")
    workload = json.loads((WORK / f"workload-{size}.json").read_text())
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    paths = [f"/dyads/{a}/{b}?from={lo[1]}&to={hi[1]}" for a, b, lo, hi in workload["dyads"]]
    log = WORK / "route_steps.log"
    with log.open("w") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.route_steps", "--serve", workload["folder"], str(port)],
            cwd=ROOT,
            stderr=errors,
        )
        try:
            _wait_ready(base + "/health", server)
            _wrk(base, paths, connections=32, seconds=2)
            rates = {
                name: _wrk(base, urls, connections=32, seconds=seconds)["rps"]
                for name, urls in (("health", ["/health"]), ("dyad", paths))
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    totals = json.loads(log.read_text().strip().splitlines()[-1])
    print(f"{size}: /health {rates['health']:.0f} requests/s, dyad route {rates['dyad']:.0f} (with the timers)")
    print(f"{'step':36} {'us per call':>12} {'calls':>9}")
    for step in sorted(totals):
        spent, calls = totals[step]
        print(f"{step:36} {spent / calls * 1e6:12.1f} {int(calls):9d}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "90k")

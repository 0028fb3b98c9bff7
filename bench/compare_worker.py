"""The query side of ``bench.compare``: one checkout's service, loaded once, timing the calls it is sent.

Runs inside the checkout it measures (``python -m bench.compare_worker FOLDER``; ``bench.compare``
copies this file into an earlier commit's files), and uses only what ``make bench`` had there:
``bench.peers.open_engine`` and ``bench.measure.run_workload``, and the app's ``create_app``.
Prints one JSON line once loaded (``load_s``, the load call with the engine's imports, as
``bench.load`` reports it; ``rss_mib``), then answers each JSON line it reads:

- ``{"kind": ..., "calls": [...]}``: the calls' latencies in ms;
- ``{"kind": "asgi", "paths": [...]}``: the CPU time in us a request took, the paths (GETs, all
  answering 200) served by the checkout's app in this process on the graph already loaded.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import MutableMapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import psutil

from .measure import KINDS, run_workload
from .peers import open_engine

__all__ = ["InProcess", "cpu_us", "get", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    folder = Path((sys.argv[1:] if argv is None else argv)[0])
    started = time.perf_counter()
    engine = open_engine("service", folder)
    loaded = {"load_s": time.perf_counter() - started, "rss_mib": psutil.Process().memory_info().rss / 2**20}
    print(json.dumps(loaded), flush=True)
    served: InProcess | None = None
    try:
        for line in sys.stdin:
            piece = json.loads(line)
            if piece["kind"] == "asgi":
                served = served or InProcess(folder, engine.kg)  # type: ignore[attr-defined]
                print(json.dumps(served.cpu_us(piece["paths"])), flush=True)
                continue
            workload = {"warmup": 0, **{kind: [] for kind in KINDS}, piece["kind"]: piece["calls"]}
            print(json.dumps(run_workload(engine, workload)[piece["kind"]]["ms"]), flush=True)
    finally:
        if served is not None:
            served.close()
    return 0


class InProcess:
    """The checkout's app on a loaded graph, called through ASGI in this process and started as a
    server starts it (lifespan included). What a request costs the service (routing, middleware,
    validation, the query, JSON) without a server and a load generator sharing the two cores: the same
    code measured against itself moved by 7-11% under ``wrk``, and by about 1% called here."""

    def __init__(self, folder: Path, graph: Any) -> None:
        from app.config import Settings  # the checkout's own, as of its commit
        from app.main import create_app

        self.loop = asyncio.new_event_loop()
        self.app = create_app(Settings(data=[folder]), graph=graph)
        self.lifespan: AbstractAsyncContextManager[Any] = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self.lifespan.__aenter__())

    def cpu_us(self, paths: list[str]) -> float:
        return self.loop.run_until_complete(cpu_us(self.app, paths))

    def close(self) -> None:
        self.loop.run_until_complete(self.lifespan.__aexit__(None, None, None))
        self.loop.close()


async def cpu_us(app: Any, paths: list[str]) -> float:
    """The CPU microseconds a request took, ``paths`` (GETs that must all answer 200) served by ``app``
    (an ASGI app, started) in this process."""
    started = time.process_time()
    for path in paths:
        status = await get(app, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return (time.process_time() - started) / max(len(paths), 1) * 1e6


async def get(app: Any, target: str) -> int:
    """The status of ``GET target`` (a path and query string) answered by ``app`` in this process."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench"), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    statuses: list[int] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:  # asked again only to watch for a disconnect: there is none
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


if __name__ == "__main__":
    raise SystemExit(main())

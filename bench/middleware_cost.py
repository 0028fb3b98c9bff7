"""What each middleware layer costs a request: ``python -m bench.middleware_cost``.

Calls each pure ASGI middleware of ``app/api`` around an endpoint that answers at once (two
ASGI messages, as ``/health`` sends), many times, and prints the process CPU microseconds per
request of the bare endpoint and of each layer around it, the best of five rounds. The access
log is timed inside ``Telemetry`` writing to ``/dev/null``. CPU time, not wall time: on a
machine shared with other work, wrk's throughput varied threefold between identical runs,
while the CPU a request takes is what a layer adds to a loaded server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from app.api.caching import SnapshotCaching
from app.api.compression import Compression
from app.api.headers import SecurityHeaders
from app.api.startup import StartupErrors
from app.api.telemetry import Telemetry
from app.logs import AccessLog
from app.metrics import ServiceMetrics

REQUESTS = 20_000
_APP = SimpleNamespace(state=SimpleNamespace(kg=SimpleNamespace(version="v1")))
_SCOPE = {
    "type": "http",
    "method": "GET",
    "path": "/health",
    "query_string": b"",
    "app": _APP,
    "headers": [(b"host", b"x"), (b"user-agent", b"wrk")],
    "client": ("127.0.0.1", 1),
}


async def _endpoint(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"{}"})


async def _ignore(message: Any) -> None:
    pass


async def _nothing() -> Any:
    return {}


async def _per_request(app: Any) -> float:
    started = time.process_time()
    for _ in range(REQUESTS):
        await app(dict(_SCOPE), _nothing, _ignore)
    return (time.process_time() - started) / REQUESTS * 1e6


LAYERS: dict[str, Callable[[], Any]] = {
    "bare endpoint": lambda: _endpoint,
    "Telemetry": lambda: Telemetry(_endpoint, stats=ServiceMetrics().requests, access_log=None),
    "Telemetry + access log": lambda: Telemetry(
        _endpoint,
        stats=ServiceMetrics().requests,
        access_log=AccessLog(open("/dev/null", "wb")),  # noqa: SIM115
    ),
    "StartupErrors": lambda: StartupErrors(_endpoint),
    "SecurityHeaders": lambda: SecurityHeaders(_endpoint, content_security_policy="default-src 'self'"),
    "Compression (client without gzip)": lambda: Compression(_endpoint, minimum_size=4096),
    "SnapshotCaching": lambda: SnapshotCaching(_endpoint, max_age=0, uncached=()),
}


async def main() -> None:
    bare = min([await _per_request(_endpoint) for _ in range(5)])
    for name, make in LAYERS.items():
        app = make()
        best = min([await _per_request(app) for _ in range(5)])
        print(f"{name:36} {best:6.2f} us/request  (+{best - bare:.2f})")


if __name__ == "__main__":
    asyncio.run(main())

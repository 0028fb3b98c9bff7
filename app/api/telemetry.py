"""Every request gets an id, a line in the access log (when it is on) and a place in the metrics.

The id is the client's ``X-Request-ID`` when it is a sane token (letters, digits, ``.-_:``, at
most 128), otherwise a new one; it is returned in the ``X-Request-ID`` response header and set
in ``app.logs.REQUEST_ID`` while the request runs. Metrics are labelled by route template
(``/dyads/{a}/{b}``, never the path a client typed) so their number stays bounded; a path no
route matches counts as ``unmatched`` (and answers given before routing by their kind).
A pure ASGI middleware: one wrapper around ``send``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import ACCESS_LOGGER, REQUEST_ID
from ..metrics import ServiceMetrics

__all__ = ["Telemetry"]

_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
access_log = logging.getLogger(ACCESS_LOGGER)
# Answers given before routing: a current ETag (app/api/caching.py), a rate limit.
_UNROUTED = {304: "not-modified", 307: "trailing-slash-redirect", 429: "rate-limited"}


class Telemetry:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value if _SANE_ID.fullmatch(value) else b""
                break
        request_id = request_id or uuid.uuid4().hex.encode()
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", request_id)]}
            await send(message)

        token = REQUEST_ID.set(request_id.decode())
        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.metrics.in_flight.dec()
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or _UNROUTED.get(status, "unmatched")
            self.metrics.observe(scope["method"], template, status, seconds)
            if self.access_log:
                access_log.info("request", extra={
                    "method": scope["method"], "path": scope["path"], "route": template, "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "client": scope["client"][0] if scope.get("client") else None,
                })
            REQUEST_ID.reset(token)

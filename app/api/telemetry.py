"""Every request gets an id, a line in the access log (when it is on) and a place in the metrics.

The id is the client's ``X-Request-ID`` when it is a sane token (letters, digits, ``.-_:``, at
most 128), otherwise a new one; it is returned in the ``X-Request-ID`` response header and set
in ``app.logs.REQUEST_ID`` while the request runs. Metrics are labelled by route template
(``/dyads/{a}/{b}``, never the path a client typed) so their number stays bounded; a path no
route matches counts as ``unmatched`` (and answers given before routing by their kind).
A pure ASGI middleware: one wrapper around ``send``.
"""

from __future__ import annotations

import itertools
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import REQUEST_ID, AccessLog
from ..metrics import RequestStats

__all__ = ["Telemetry"]

_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Answers given before routing: a current ETag (app/api/caching.py), a trailing-slash redirect, a rate limit.
_UNROUTED = {304: "not-modified", 307: "trailing-slash-redirect", 429: "rate-limited"}


class Telemetry:
    def __init__(self, app: ASGIApp, *, stats: RequestStats, access_log: AccessLog | None) -> None:
        self.app = app
        self.stats = stats
        self.access_log = access_log
        # Made ids are this process's random prefix and a count: unique, and cheaper than a uuid4 each.
        self._prefix = os.urandom(8).hex()
        self._count = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = self._request_id(scope)
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id)]
            await send(message)

        token = REQUEST_ID.set(request_id.decode())
        self.stats.in_flight += 1
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.stats.in_flight -= 1
            self._record(scope, request_id, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _request_id(self, scope: Scope) -> bytes:
        """The client's ``X-Request-ID`` if it is sane, else a new one."""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                if _SANE_ID.fullmatch(value):
                    return bytes(value)
                break
        return f"{self._prefix}{next(self._count):016x}".encode()

    def _record(self, scope: Scope, request_id: bytes, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or _UNROUTED.get(status, "unmatched")
        self.stats.observe(scope["method"], template, status, seconds)
        if self.access_log is not None:
            client = scope.get("client")
            self.access_log.request(
                request_id=request_id,
                method=scope["method"],
                path=scope["path"],
                route=template,
                status=status,
                seconds=seconds,
                client=client[0] if client else None,
            )
